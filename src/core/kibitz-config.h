/* kibitz-config.h: what a client learns from GET /v1/config.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct {
  char      *server_url;      /* http(s)://host:port, as given */
  char      *signaling_url;   /* ws(s)://host:port/v1/ws */
  JsonArray *ice_servers;     /* RTCIceServer list */
  guint      max_room_size;
} KibitzConfig;

void          kibitz_config_load_async  (const char           *server_url,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
KibitzConfig *kibitz_config_load_finish (GAsyncResult         *result,
                                         GError              **error);
KibitzConfig *kibitz_config_parse       (const char           *server_url,
                                         const char           *json,
                                         gsize                 length,
                                         GError              **error);
void          kibitz_config_free        (KibitzConfig         *config);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KibitzConfig, kibitz_config_free)

G_END_DECLS
