/* kibitz-server-config.h: kibitz-server's settings, from a GKeyFile and the
 * command line (which wins).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define KIBITZ_SERVER_CONFIG_ERROR (kibitz_server_config_error_quark ())

typedef enum {
  KIBITZ_SERVER_CONFIG_ERROR_INVALID,
  KIBITZ_SERVER_CONFIG_ERROR_STATE,
} KibitzServerConfigError;

typedef struct {
  char   *http_host;
  guint16 http_port;
  char   *secret;
  char   *public_host;
  char   *public_url;          /* base URL clients use, e.g. https://class.example */
  GStrv   trusted_proxies;     /* addresses or CIDRs whose X-Forwarded-* count */
  char   *tls_cert;
  char   *tls_key;
  char   *metrics_token_file; /* a bearer token that may read /metrics from anywhere */
  char   *metrics_token;      /* read from it by kibitz_server_config_parse_args() */
  char   *state_dir;
  char   *realm;
  guint   max_room_size;
  guint   max_connections_per_address;
  guint   credential_ttl;
  GStrv   ice_servers;         /* extra stun:/turn: URLs to publish (e.g. coturn) */
  GStrv   allowed_origins;     /* NULL: any Origin */
  gboolean rooms_open;         /* --room-policy open (protocol.md §4); default teacher */
  gboolean student_relay_only; /* students use relay candidates only */

  /* The built-in STUN/TURN relay */
  gboolean turn_enabled;
  char    *turn_host;          /* default: the HTTP host */
  guint16  turn_port;          /* default 3478 */
  GStrv    turn_tcp;           /* extra TCP listeners, "HOST:PORT" */
  guint16  relay_port_min;
  guint16  relay_port_max;
  GStrv    relay_ips;
  char    *external_ip;
  GStrv    allow_peers;
  guint    user_quota;
  guint    room_quota;          /* allocations of a room's members together */
  guint    address_quota;       /* allocations from one client address (IPv6: /64) */
  gboolean relay_scope_any;    /* --relay-scope any: relay for anyone (protocol.md §3 only) */
} KibitzServerConfig;

GQuark              kibitz_server_config_error_quark (void);

KibitzServerConfig *kibitz_server_config_new         (void);
KibitzServerConfig *kibitz_server_config_copy        (const KibitzServerConfig *config);
void                kibitz_server_config_free        (KibitzServerConfig  *config);
gboolean            kibitz_server_config_parse_args  (KibitzServerConfig  *config,
                                                      int                 *argc,
                                                      char              ***argv,
                                                      GError             **error);
gboolean            kibitz_server_config_load_file   (KibitzServerConfig  *config,
                                                      const char          *path,
                                                      GError             **error);
char               *kibitz_server_config_get_state_dir (const KibitzServerConfig *config)
                                                        G_GNUC_WARN_UNUSED_RESULT;
gboolean            kibitz_server_config_ensure_secret (KibitzServerConfig *config,
                                                        GError            **error);

char               *kibitz_public_signaling_url      (const char          *public_url,
                                                      GError             **error);

gboolean            kibitz_parse_host_port           (const char          *text,
                                                      char               **host,
                                                      guint16             *port,
                                                      GError             **error);
char               *kibitz_format_host_port          (const char          *host,
                                                      guint16              port);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KibitzServerConfig, kibitz_server_config_free)

G_END_DECLS
