/* kibitz-test-raw.h: a hand-made WebSocket client, for frames no polite
 * client sends (continuation floods, silence, oversized frames).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

GSocketConnection *kibitz_raw_ws_connect     (const char        *host_port);
gboolean           kibitz_raw_ws_send_frame  (GSocketConnection *connection,
                                              gboolean           fin,
                                              guint8             opcode,
                                              const guint8      *payload,
                                              gsize              length,
                                              GError           **error);
typedef enum {
  KIBITZ_RAW_FRAME,
  KIBITZ_RAW_TIMEOUT,
  KIBITZ_RAW_CLOSED,
} KibitzRawResult;

KibitzRawResult    kibitz_raw_ws_read_frame  (GSocketConnection *connection,
                                              guint              timeout_ms,
                                              guint8            *opcode,
                                              char             **payload);

G_END_DECLS
