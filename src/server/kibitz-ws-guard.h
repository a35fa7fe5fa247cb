/* kibitz-ws-guard.h: caps WebSocket messages before libsoup reassembles them.
 *
 * libsoup 3.2 limits each frame but not a message reassembled from many
 * continuation frames (fixed only in 3.7.1), so a client could make the
 * server buffer gigabytes. This stream sits under SoupWebsocketConnection,
 * reads the frame headers as they pass, and stops the flow at the header of
 * the frame that would take a message past the limit.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef void (*KibitzWsGuardTripFunc) (guint64  message_size,
                                       gpointer user_data);

#define KIBITZ_TYPE_WS_GUARD (kibitz_ws_guard_get_type ())
G_DECLARE_FINAL_TYPE (KibitzWsGuard, kibitz_ws_guard, KIBITZ, WS_GUARD, GIOStream)

GIOStream *kibitz_ws_guard_new         (GIOStream             *base,
                                        guint64                limit,
                                        KibitzWsGuardTripFunc  func,
                                        gpointer               user_data,
                                        GDestroyNotify         destroy);
gboolean   kibitz_ws_guard_is_tripped  (KibitzWsGuard         *self);
void       kibitz_ws_guard_disarm      (KibitzWsGuard         *self);

G_END_DECLS
