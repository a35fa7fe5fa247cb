/* kibitz-signaling-server.h: HTTP and WebSocket front of kibitz-server.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "kibitz-server-config.h"
#include "kibitz-turn-server.h"

G_BEGIN_DECLS

/* Appends Prometheus text for another part of the server (the TURN relay). */
typedef void (*KibitzMetricsFunc) (GString  *out,
                                   gpointer  user_data);

void kibitz_metrics_append (GString    *out,
                            const char *name,
                            const char *type,
                            const char *help,
                            guint64     value);

#define KIBITZ_TYPE_SIGNALING_SERVER (kibitz_signaling_server_get_type ())
G_DECLARE_FINAL_TYPE (KibitzSignalingServer, kibitz_signaling_server, KIBITZ, SIGNALING_SERVER, GObject)

KibitzSignalingServer *kibitz_signaling_server_new        (const KibitzServerConfig *config);
gboolean               kibitz_signaling_server_listen     (KibitzSignalingServer    *self,
                                                           GError                  **error);
GStrv                  kibitz_signaling_server_listening  (KibitzSignalingServer    *self);
void                   kibitz_signaling_server_set_ice_urls (KibitzSignalingServer  *self,
                                                             const char * const     *stun_urls,
                                                             const char * const     *turn_urls);
void                   kibitz_signaling_server_add_metrics (KibitzSignalingServer   *self,
                                                            KibitzMetricsFunc        func,
                                                            gpointer                 user_data);
/* Who is in which class, for the relay's room scope (thread-safe). */
const KibitzTurnScope *kibitz_signaling_server_get_turn_scope (KibitzSignalingServer *self);
void                   kibitz_signaling_server_shutdown   (KibitzSignalingServer    *self);

G_END_DECLS
