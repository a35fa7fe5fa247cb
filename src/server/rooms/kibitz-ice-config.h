/* kibitz-ice-config.h: the RTCIceServer list the server hands to clients.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct {
  GStrv  stun_urls;        /* "stun:host:port" */
  GStrv  turn_urls;        /* "turn:host:port?transport=udp|tcp" */
  char  *secret;           /* the TURN REST API shared secret */
  guint  credential_ttl;   /* seconds */
} KibitzIceConfig;

JsonArray *kibitz_ice_config_build (const KibitzIceConfig *config,
                                    const char            *id,
                                    gint64                 now_unix);

G_END_DECLS
