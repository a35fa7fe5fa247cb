/* kibitz-server-config.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-server"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <glib/gstdio.h>
#include <gio/gio.h>

#include "kibitz-server-config.h"

G_DEFINE_QUARK (kibitz-server-config-error-quark, kibitz_server_config_error)

KibitzServerConfig *
kibitz_server_config_new (void)
{
  KibitzServerConfig *config = g_new0 (KibitzServerConfig, 1);

  config->http_host = g_strdup ("127.0.0.1");
  config->http_port = 8080;
  config->realm = g_strdup ("kibitz");
  config->max_room_size = 20;
  config->max_connections_per_address = 256;
  config->credential_ttl = 86400;
  config->turn_enabled = TRUE;
  config->turn_port = 3478;
  config->relay_port_min = 49152;
  config->relay_port_max = 65535;
  config->user_quota = 64;
  /* A full class of 20, each with up to 64: never refused for being a class. */
  config->room_quota = 1280;
  config->address_quota = 2560;

  return config;
}

void
kibitz_server_config_free (KibitzServerConfig *config)
{
  if (config == NULL)
    return;

  g_free (config->http_host);
  g_free (config->secret);
  g_free (config->public_host);
  g_free (config->public_url);
  g_strfreev (config->trusted_proxies);
  g_free (config->tls_cert);
  g_free (config->tls_key);
  g_free (config->metrics_token_file);
  g_free (config->metrics_token);
  g_free (config->state_dir);
  g_free (config->realm);
  g_strfreev (config->ice_servers);
  g_strfreev (config->allowed_origins);
  g_free (config->turn_host);
  g_strfreev (config->turn_tcp);
  g_strfreev (config->relay_ips);
  g_free (config->external_ip);
  g_strfreev (config->allow_peers);
  g_free (config);
}

KibitzServerConfig *
kibitz_server_config_copy (const KibitzServerConfig *config)
{
  KibitzServerConfig *copy = g_memdup2 (config, sizeof *config);

  copy->http_host = g_strdup (config->http_host);
  copy->secret = g_strdup (config->secret);
  copy->public_host = g_strdup (config->public_host);
  copy->public_url = g_strdup (config->public_url);
  copy->rooms_open = config->rooms_open;
  copy->relay_scope_any = config->relay_scope_any;
  copy->student_relay_only = config->student_relay_only;
  copy->trusted_proxies = g_strdupv (config->trusted_proxies);
  copy->tls_cert = g_strdup (config->tls_cert);
  copy->tls_key = g_strdup (config->tls_key);
  copy->metrics_token_file = g_strdup (config->metrics_token_file);
  copy->metrics_token = g_strdup (config->metrics_token);
  copy->state_dir = g_strdup (config->state_dir);
  copy->realm = g_strdup (config->realm);
  copy->ice_servers = g_strdupv (config->ice_servers);
  copy->allowed_origins = g_strdupv (config->allowed_origins);
  copy->turn_host = g_strdup (config->turn_host);
  copy->turn_tcp = g_strdupv (config->turn_tcp);
  copy->relay_ips = g_strdupv (config->relay_ips);
  copy->external_ip = g_strdup (config->external_ip);
  copy->allow_peers = g_strdupv (config->allow_peers);

  return copy;
}

/* Accepts "HOST:PORT", "[V6]:PORT" and ":PORT" (all IPv4 addresses); replaces
 * the string in @host (which may be NULL) on success.
 */
gboolean
kibitz_parse_host_port (const char  *text,
                        char       **host,
                        guint16     *port,
                        GError     **error)
{
  const char *colon;
  g_autofree char *name = NULL;
  guint64 number;

  if (text == NULL || (colon = strrchr (text, ':')) == NULL)
    goto invalid;

  if (text[0] == '[')
    {
      const char *close = strchr (text, ']');

      if (close == NULL || close + 1 != colon)
        goto invalid;
      name = g_strndup (text + 1, close - text - 1);
    }
  else if (colon == text)
    {
      name = g_strdup ("0.0.0.0");
    }
  else
    {
      name = g_strndup (text, colon - text);
      if (strchr (name, ':'))
        goto invalid;
    }

  if (!g_ascii_string_to_unsigned (colon + 1, 10, 0, 65535, &number, NULL))
    goto invalid;

  g_free (*host);
  *host = g_steal_pointer (&name);
  *port = number;
  return TRUE;

invalid:
  g_set_error (error, KIBITZ_SERVER_CONFIG_ERROR, KIBITZ_SERVER_CONFIG_ERROR_INVALID,
               "“%s” is not an address and port: write it like 127.0.0.1:8080, [::1]:8080 "
               "or :8080", text ? text : "");
  return FALSE;
}

char *
kibitz_format_host_port (const char *host,
                         guint16     port)
{
  if (strchr (host, ':'))
    return g_strdup_printf ("[%s]:%u", host, port);

  return g_strdup_printf ("%s:%u", host, port);
}

/* --public-url is the address people type into the app (https://HOST[:PORT]
 * [/PREFIX]), as a reverse proxy that ends TLS serves it; ws:// and wss:// are
 * accepted too. Returns the signaling URL /v1/config publishes for it.
 */
char *
kibitz_public_signaling_url (const char  *public_url,
                             GError     **error)
{
  g_autoptr(GUri) uri = g_uri_parse (public_url, G_URI_FLAGS_NONE, NULL);
  const char *scheme = uri ? g_uri_get_scheme (uri) : NULL;
  const char *ws_scheme = NULL;
  g_autofree char *prefix = NULL;
  g_autofree char *path = NULL;
  gsize length;

  if (scheme && (g_ascii_strcasecmp (scheme, "https") == 0 ||
                 g_ascii_strcasecmp (scheme, "wss") == 0))
    ws_scheme = "wss";
  else if (scheme && (g_ascii_strcasecmp (scheme, "http") == 0 ||
                      g_ascii_strcasecmp (scheme, "ws") == 0))
    ws_scheme = "ws";

  if (ws_scheme == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0' ||
      g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL ||
      g_uri_get_userinfo (uri) != NULL)
    {
      g_set_error (error, KIBITZ_SERVER_CONFIG_ERROR, KIBITZ_SERVER_CONFIG_ERROR_INVALID,
                   "“%s” is not a public URL: write it like https://class.school.example "
                   "(the address clients use; a path prefix is allowed, no query)", public_url);
      return NULL;
    }

  /* "", "/", "/kibitz/" and "/kibitz/v1/ws" all end in ".../v1/ws". */
  prefix = g_strdup (g_uri_get_path (uri));
  length = strlen (prefix);
  while (length > 0 && prefix[length - 1] == '/')
    prefix[--length] = '\0';
  if (g_str_has_suffix (prefix, "/v1/ws"))
    prefix[length - strlen ("/v1/ws")] = '\0';
  path = g_strconcat (prefix, "/v1/ws", NULL);

  return g_uri_join (G_URI_FLAGS_NONE, ws_scheme, NULL, g_uri_get_host (uri),
                     g_uri_get_port (uri), path, NULL, NULL);
}

static gboolean
check_public_url (const char  *public_url,
                  GError     **error)
{
  g_autofree char *url = NULL;

  if (public_url == NULL)
    return TRUE;

  url = kibitz_public_signaling_url (public_url, error);
  return url != NULL;
}

static gboolean
check_trusted_proxies (const char * const  *proxies,
                       GError             **error)
{
  for (guint i = 0; proxies && proxies[i]; i++)
    {
      g_autoptr(GInetAddressMask) mask = g_inet_address_mask_new_from_string (proxies[i], NULL);

      if (mask == NULL)
        {
          g_set_error (error, KIBITZ_SERVER_CONFIG_ERROR, KIBITZ_SERVER_CONFIG_ERROR_INVALID,
                       "“%s” is not a proxy address: write an IP address like 127.0.0.1 or a "
                       "range like 10.0.0.0/24", proxies[i]);
          return FALSE;
        }
    }

  return TRUE;
}

/* "none" turns the relay off; otherwise ADDR:PORT. */
static gboolean
parse_turn (KibitzServerConfig  *config,
            const char          *text,
            GError             **error)
{
  if (g_str_equal (text, "none"))
    {
      config->turn_enabled = FALSE;
      return TRUE;
    }

  config->turn_enabled = TRUE;
  return kibitz_parse_host_port (text, &config->turn_host, &config->turn_port, error);
}

static gboolean
parse_relay_ports (KibitzServerConfig  *config,
                   const char          *text,
                   GError             **error)
{
  g_auto(GStrv) parts = g_strsplit (text, "-", 2);
  guint64 min, max;

  if (g_strv_length (parts) != 2 ||
      !g_ascii_string_to_unsigned (parts[0], 10, 1024, 65535, &min, NULL) ||
      !g_ascii_string_to_unsigned (parts[1], 10, 1024, 65535, &max, NULL) || min > max)
    {
      g_set_error (error, KIBITZ_SERVER_CONFIG_ERROR, KIBITZ_SERVER_CONFIG_ERROR_INVALID,
                   "“%s” is not a port range: write it like 49152-65535", text);
      return FALSE;
    }

  config->relay_port_min = min;
  config->relay_port_max = max;
  return TRUE;
}

static void
replace_string (char       **field,
                const char  *value)
{
  if (value == NULL)
    return;

  g_free (*field);
  *field = g_strdup (value);
}

static void
replace_strv (GStrv *field,
              GStrv  value)
{
  if (value == NULL)
    return;

  g_strfreev (*field);
  *field = g_strdupv (value);
}

static gboolean
read_uint (GKeyFile    *file,
           const char  *group,
           const char  *key,
           guint       *value,
           GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  int number;

  if (!g_key_file_has_key (file, group, key, NULL))
    return TRUE;

  number = g_key_file_get_integer (file, group, key, &local_error);
  if (local_error != NULL || number <= 0)
    {
      g_set_error (error, KIBITZ_SERVER_CONFIG_ERROR, KIBITZ_SERVER_CONFIG_ERROR_INVALID,
                   "[%s] %s must be a positive whole number", group, key);
      return FALSE;
    }

  *value = number;
  return TRUE;
}

static gboolean
read_bool (GKeyFile    *file,
           const char  *group,
           const char  *key,
           gboolean    *value,
           GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean flag;

  if (!g_key_file_has_key (file, group, key, NULL))
    return TRUE;

  flag = g_key_file_get_boolean (file, group, key, &local_error);
  if (local_error != NULL)
    {
      g_set_error (error, KIBITZ_SERVER_CONFIG_ERROR, KIBITZ_SERVER_CONFIG_ERROR_INVALID,
                   "[%s] %s must be true or false", group, key);
      return FALSE;
    }

  *value = flag;
  return TRUE;
}

/* "room" or "any" (protocol.md §4, "TURN belongs to the class"). */
static gboolean
parse_relay_scope (const char  *text,
                   gboolean    *any,
                   GError     **error)
{
  if (g_strcmp0 (text, "room") == 0 || g_strcmp0 (text, "any") == 0)
    {
      *any = g_str_equal (text, "any");
      return TRUE;
    }
  g_set_error (error, KIBITZ_SERVER_CONFIG_ERROR, KIBITZ_SERVER_CONFIG_ERROR_INVALID,
               "The relay scope must be “room” (each class relays only to itself) or “any” "
               "(anyone with credentials, which /v1/config then hands out), not “%s”", text);
  return FALSE;
}

/* "teacher" or "open" (protocol.md §4). */
static gboolean
parse_room_policy (const char  *text,
                   gboolean    *open,
                   GError     **error)
{
  if (g_strcmp0 (text, "teacher") == 0 || g_strcmp0 (text, "open") == 0)
    {
      *open = g_str_equal (text, "open");
      return TRUE;
    }
  g_set_error (error, KIBITZ_SERVER_CONFIG_ERROR, KIBITZ_SERVER_CONFIG_ERROR_INVALID,
               "The room policy must be “teacher” (teachers admit, invites let in) or "
               "“open” (everyone who knows the room's name joins), not “%s”", text);
  return FALSE;
}

/* Replaces @field with the key's value when the key is set and not empty. */
static void
take_string (GKeyFile    *file,
             const char  *group,
             const char  *key,
             char       **field)
{
  g_autofree char *value = g_key_file_get_string (file, group, key, NULL);

  if (value != NULL && *g_strstrip (value) != '\0')
    replace_string (field, value);
}

static void
take_strv (GKeyFile   *file,
           const char *group,
           const char *key,
           GStrv      *field)
{
  g_auto(GStrv) value = g_key_file_get_string_list (file, group, key, NULL, NULL);

  if (value != NULL && value[0] != NULL)
    replace_strv (field, value);
}

gboolean
kibitz_server_config_load_file (KibitzServerConfig  *config,
                                const char          *path,
                                GError             **error)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  g_autofree char *http = NULL;
  g_autofree char *turn = NULL;
  g_autofree char *relay_ports = NULL;
  g_autofree char *policy = NULL;
  g_autofree char *scope = NULL;

  if (!g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, &local_error))
    {
      g_set_error (error, KIBITZ_SERVER_CONFIG_ERROR, KIBITZ_SERVER_CONFIG_ERROR_INVALID,
                   "Cannot read the configuration file %s: %s", path, local_error->message);
      return FALSE;
    }

  take_string (file, "server", "http", &http);
  if (http && !kibitz_parse_host_port (http, &config->http_host, &config->http_port, error))
    return FALSE;

  take_string (file, "server", "secret", &config->secret);
  take_string (file, "server", "public-host", &config->public_host);
  take_string (file, "server", "public-url", &config->public_url);
  take_strv (file, "server", "trusted-proxies", &config->trusted_proxies);
  take_string (file, "server", "tls-cert", &config->tls_cert);
  take_string (file, "server", "tls-key", &config->tls_key);
  take_string (file, "server", "metrics-token-file", &config->metrics_token_file);
  take_string (file, "server", "state-dir", &config->state_dir);
  take_strv (file, "server", "allowed-origins", &config->allowed_origins);
  take_string (file, "ice", "realm", &config->realm);
  take_strv (file, "ice", "servers", &config->ice_servers);

  take_string (file, "turn", "listen", &turn);
  if (turn && !parse_turn (config, turn, error))
    return FALSE;
  take_string (file, "turn", "relay-ports", &relay_ports);
  if (relay_ports && !parse_relay_ports (config, relay_ports, error))
    return FALSE;
  take_strv (file, "turn", "tcp", &config->turn_tcp);
  take_strv (file, "turn", "relay-ips", &config->relay_ips);
  take_string (file, "turn", "external-ip", &config->external_ip);
  take_strv (file, "turn", "allow-peers", &config->allow_peers);
  take_string (file, "turn", "relay-scope", &scope);
  if (scope && !parse_relay_scope (scope, &config->relay_scope_any, error))
    {
      g_prefix_error (error, "%s: [turn] relay-scope: ", path);
      return FALSE;
    }
  take_string (file, "rooms", "policy", &policy);
  if (policy && !parse_room_policy (policy, &config->rooms_open, error))
    {
      g_prefix_error (error, "%s: [rooms] policy: ", path);
      return FALSE;
    }

  if (!check_public_url (config->public_url, error) ||
      !check_trusted_proxies ((const char * const *) config->trusted_proxies, error))
    {
      g_prefix_error (error, "%s: ", path);
      return FALSE;
    }

  return read_uint (file, "turn", "user-quota", &config->user_quota, error) &&
         read_uint (file, "turn", "room-quota", &config->room_quota, error) &&
         read_uint (file, "turn", "address-quota", &config->address_quota, error) &&
         read_uint (file, "rooms", "max-room-size", &config->max_room_size, error) &&
         read_uint (file, "rooms", "max-connections-per-address",
                    &config->max_connections_per_address, error) &&
         read_uint (file, "ice", "credential-ttl", &config->credential_ttl, error) &&
         read_bool (file, "rooms", "student-relay-only", &config->student_relay_only, error);
}

/* Command line */

typedef struct {
  char  *config_file;
  char  *http;
  char  *secret;
  char  *public_host;
  char  *public_url;
  GStrv  trusted_proxies;
  char  *tls_cert;
  char  *tls_key;
  char  *metrics_token_file;
  char  *state_dir;
  int    max_room_size;
  int    max_connections;
  GStrv  ice_servers;
  GStrv  origins;
  char  *turn;
  GStrv  turn_tcp;
  char  *relay_ports;
  GStrv  relay_ips;
  char  *external_ip;
  GStrv  allow_peers;
  int    user_quota;
  int    room_quota;
  int    address_quota;
  char  *room_policy;
  gboolean student_relay_only;
  char  *relay_scope;
} Args;

static void
args_clear (Args *args)
{
  g_free (args->config_file);
  g_free (args->http);
  g_free (args->secret);
  g_free (args->public_host);
  g_free (args->public_url);
  g_strfreev (args->trusted_proxies);
  g_free (args->tls_cert);
  g_free (args->tls_key);
  g_free (args->metrics_token_file);
  g_free (args->state_dir);
  g_strfreev (args->ice_servers);
  g_strfreev (args->origins);
  g_free (args->turn);
  g_strfreev (args->turn_tcp);
  g_free (args->relay_ports);
  g_strfreev (args->relay_ips);
  g_free (args->external_ip);
  g_strfreev (args->allow_peers);
  g_free (args->room_policy);
  g_free (args->relay_scope);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Args, args_clear)

/* The command line, as it was typed, into @args. */
static gboolean
parse_options (Args    *args,
               int     *argc,
               char  ***argv,
               GError **error)
{
  const GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &args->config_file,
      "Read settings from FILE (a key file; the command line wins)", "FILE" },
    { "http", 0, 0, G_OPTION_ARG_STRING, &args->http,
      "Serve HTTP and WebSocket signaling on ADDR:PORT (port 0 picks a free one; "
      "default 127.0.0.1:8080)", "ADDR:PORT" },
    { "secret", 0, 0, G_OPTION_ARG_STRING, &args->secret,
      "Shared secret for resume tokens and TURN credentials (default: one kept in the "
      "state directory)", "SECRET" },
    { "public-host", 0, 0, G_OPTION_ARG_STRING, &args->public_host,
      "Host name to publish in /v1/config URLs", "HOST" },
    { "public-url", 0, 0, G_OPTION_ARG_STRING, &args->public_url,
      "The address clients use, e.g. https://class.school.example behind a reverse proxy "
      "that ends TLS: /v1/config publishes its wss:// signaling URL", "URL" },
    { "trusted-proxy", 0, 0, G_OPTION_ARG_STRING_ARRAY, &args->trusted_proxies,
      "Believe X-Forwarded-Proto, -Host and -For from this proxy address or range "
      "(repeatable)", "ADDR" },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &args->tls_cert,
      "PEM certificate: serve https:// and wss://", "FILE" },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &args->tls_key, "PEM private key", "FILE" },
    { "metrics-token-file", 0, 0, G_OPTION_ARG_FILENAME, &args->metrics_token_file,
      "Serve /metrics to other machines that send this file's token as "
      "Authorization: Bearer (this machine is always served)", "FILE" },
    { "state-dir", 0, 0, G_OPTION_ARG_FILENAME, &args->state_dir,
      "Where to keep the generated secret (default $STATE_DIRECTORY or "
      "~/.local/state/kibitz-server)", "DIR" },
    { "max-room-size", 0, 0, G_OPTION_ARG_INT, &args->max_room_size,
      "Participants per room (default 20)", "N" },
    { "max-connections-per-address", 0, 0, G_OPTION_ARG_INT, &args->max_connections,
      "WebSocket connections per client address (default 256)", "N" },
    { "ice-server", 0, 0, G_OPTION_ARG_STRING_ARRAY, &args->ice_servers,
      "Publish this stun: or turn: URL too, e.g. an external coturn sharing the secret "
      "(repeatable)", "URL" },
    { "allowed-origin", 0, 0, G_OPTION_ARG_STRING_ARRAY, &args->origins,
      "Accept WebSocket connections only from this Origin (repeatable; default any)", "ORIGIN" },
    { "turn", 0, 0, G_OPTION_ARG_STRING, &args->turn,
      "Serve STUN and TURN over UDP and TCP on ADDR:PORT (default: the HTTP address, port "
      "3478; port 0 picks a free one; \"none\" turns the relay off)", "ADDR:PORT" },
    { "turn-tcp", 0, 0, G_OPTION_ARG_STRING_ARRAY, &args->turn_tcp,
      "Also accept TURN over TCP on ADDR:PORT, e.g. :443 for networks that block UDP "
      "(repeatable)", "ADDR:PORT" },
    { "relay-ports", 0, 0, G_OPTION_ARG_STRING, &args->relay_ports,
      "UDP ports for relayed addresses (default 49152-65535)", "MIN-MAX" },
    { "relay-ip", 0, 0, G_OPTION_ARG_STRING_ARRAY, &args->relay_ips,
      "Relay from this address, one per family (repeatable; default the TURN address)", "IP" },
    { "external-ip", 0, 0, G_OPTION_ARG_STRING, &args->external_ip,
      "Public address to announce when the server sits behind NAT", "IP" },
    { "allow-peer", 0, 0, G_OPTION_ARG_STRING_ARRAY, &args->allow_peers,
      "Allow relaying to this otherwise refused range, on any port (repeatable)", "CIDR" },
    { "user-quota", 0, 0, G_OPTION_ARG_INT, &args->user_quota,
      "TURN allocations per participant (default 64)", "N" },
    { "room-quota", 0, 0, G_OPTION_ARG_INT, &args->room_quota,
      "TURN allocations of one room's participants together (default 1280)", "N" },
    { "address-quota", 0, 0, G_OPTION_ARG_INT, &args->address_quota,
      "TURN allocations from one client address, IPv6 by /64 (default 2560)", "N" },
    { "room-policy", 0, 0, G_OPTION_ARG_STRING, &args->room_policy,
      "Who gets into a room: \"teacher\" (teachers admit, invites let in; the default) or "
      "\"open\" (everyone who knows the name)", "POLICY" },
    { "relay-scope", 0, 0, G_OPTION_ARG_STRING, &args->relay_scope,
      "Whom the relay serves: \"room\" (the default: an admitted peer, toward its own class) "
      "or \"any\" (anyone, with credentials from /v1/config)", "SCOPE" },
    { "student-relay-only", 0, 0, G_OPTION_ARG_NONE, &args->student_relay_only,
      "Students use the relay only, so pupils never learn each other's address", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context =
    g_option_context_new ("[plan … | teacher-token … | revoke-token …] — Kibitz signaling and "
                          "STUN/TURN server");

  g_option_context_add_main_entries (context, entries, NULL);
  return g_option_context_parse (context, argc, argv, error);
}

/* --http, --turn and --relay-ports: parsed, they replace the file's. */
static gboolean
apply_listen_addresses (KibitzServerConfig  *config,
                        const Args          *args,
                        GError             **error)
{
  if (args->http && !kibitz_parse_host_port (args->http, &config->http_host, &config->http_port,
                                             error))
    return FALSE;

  if ((args->turn && !parse_turn (config, args->turn, error)) ||
      (args->relay_ports && !parse_relay_ports (config, args->relay_ports, error)) ||
      (args->room_policy && !parse_room_policy (args->room_policy, &config->rooms_open, error)) ||
      (args->relay_scope && !parse_relay_scope (args->relay_scope, &config->relay_scope_any,
                                                error)))
    return FALSE;

  return TRUE;
}

/* -1 is "not given"; 0 is given, and wrong. */
static gboolean
check_limits (const Args  *args,
              GError     **error)
{
  if (args->max_room_size == 0 || args->max_connections == 0 || args->user_quota == 0 ||
      args->room_quota == 0 || args->address_quota == 0)
    {
      g_set_error_literal (error, KIBITZ_SERVER_CONFIG_ERROR, KIBITZ_SERVER_CONFIG_ERROR_INVALID,
                           "Room size, connection limits and quotas must be at least 1");
      return FALSE;
    }

  return TRUE;
}

/* Every other option given replaces the file's value. */
static void
apply_settings (KibitzServerConfig *config,
                const Args         *args)
{
  replace_string (&config->secret, args->secret);
  replace_string (&config->public_host, args->public_host);
  replace_string (&config->public_url, args->public_url);
  replace_strv (&config->trusted_proxies, args->trusted_proxies);
  replace_string (&config->tls_cert, args->tls_cert);
  replace_string (&config->tls_key, args->tls_key);
  replace_string (&config->metrics_token_file, args->metrics_token_file);
  replace_string (&config->state_dir, args->state_dir);
  replace_strv (&config->ice_servers, args->ice_servers);
  replace_strv (&config->allowed_origins, args->origins);
  replace_strv (&config->turn_tcp, args->turn_tcp);
  replace_strv (&config->relay_ips, args->relay_ips);
  replace_string (&config->external_ip, args->external_ip);
  replace_strv (&config->allow_peers, args->allow_peers);
  if (args->student_relay_only)
    config->student_relay_only = TRUE;
  if (args->user_quota > 0)
    config->user_quota = args->user_quota;
  if (args->room_quota > 0)
    config->room_quota = args->room_quota;
  if (args->address_quota > 0)
    config->address_quota = args->address_quota;
  if (args->max_room_size > 0)
    config->max_room_size = args->max_room_size;
  if (args->max_connections > 0)
    config->max_connections_per_address = args->max_connections;
}

/* What only the file and the command line together can get wrong. */
static gboolean
check_settings (const KibitzServerConfig  *config,
                GError                   **error)
{
  if (!check_public_url (config->public_url, error) ||
      !check_trusted_proxies ((const char * const *) config->trusted_proxies, error))
    return FALSE;

  if ((config->tls_cert == NULL) != (config->tls_key == NULL))
    {
      g_set_error_literal (error, KIBITZ_SERVER_CONFIG_ERROR, KIBITZ_SERVER_CONFIG_ERROR_INVALID,
                           "TLS needs both --tls-cert and --tls-key");
      return FALSE;
    }

  return TRUE;
}

static gboolean
load_metrics_token (KibitzServerConfig  *config,
                    GError             **error)
{
  g_autofree char *contents = NULL;

  if (config->metrics_token_file == NULL)
    return TRUE;

  if (!g_file_get_contents (config->metrics_token_file, &contents, NULL, error))
    {
      g_prefix_error (error, "Cannot read the metrics token: ");
      return FALSE;
    }
  g_strstrip (contents);
  if (strlen (contents) < 16 || strpbrk (contents, " \t\r\n") != NULL)
    {
      g_set_error (error, KIBITZ_SERVER_CONFIG_ERROR, KIBITZ_SERVER_CONFIG_ERROR_INVALID,
                   "The metrics token in %s must be one word of at least 16 characters "
                   "(e.g. from `openssl rand -hex 16`)", config->metrics_token_file);
      return FALSE;
    }
  g_free (config->metrics_token);
  config->metrics_token = g_steal_pointer (&contents);

  return TRUE;
}

/* The file given with --config first, then the rest of the command line over
 * it.
 */
gboolean
kibitz_server_config_parse_args (KibitzServerConfig   *config,
                                 int                  *argc,
                                 char               ***argv,
                                 GError              **error)
{
  g_auto(Args) args = { .max_room_size = -1, .max_connections = -1, .user_quota = -1,
                        .room_quota = -1, .address_quota = -1 };

  if (!parse_options (&args, argc, argv, error))
    return FALSE;

  if (args.config_file && !kibitz_server_config_load_file (config, args.config_file, error))
    return FALSE;

  if (!apply_listen_addresses (config, &args, error) || !check_limits (&args, error))
    return FALSE;

  apply_settings (config, &args);

  return check_settings (config, error) && load_metrics_token (config, error);
}

/* The secret */

static char *
default_state_dir (void)
{
  const char *systemd = g_getenv ("STATE_DIRECTORY");

  if (systemd && *systemd)
    return g_strdup (systemd);

  return g_build_filename (g_get_user_state_dir (), "kibitz-server", NULL);
}

/* Where the secret and the rooms' boards are kept: --state-dir, systemd's
 * StateDirectory=, or ~/.local/state/kibitz-server. */
char *
kibitz_server_config_get_state_dir (const KibitzServerConfig *config)
{
  return config->state_dir ? g_strdup (config->state_dir) : default_state_dir ();
}

/* Without --secret, one random secret is made once and kept, so resume tokens
 * and TURN credentials survive a restart.
 */
gboolean
kibitz_server_config_ensure_secret (KibitzServerConfig  *config,
                                    GError             **error)
{
  g_autofree char *dir = kibitz_server_config_get_state_dir (config);
  g_autofree char *path = g_build_filename (dir, "secret", NULL);
  g_autoptr(GError) local_error = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GString) fresh = NULL;
  guint8 random_bytes[32];

  if (config->secret != NULL)
    return TRUE;

  if (g_file_get_contents (path, &contents, NULL, NULL) && *g_strstrip (contents) != '\0')
    {
      config->secret = g_steal_pointer (&contents);
      return TRUE;
    }

  if (getrandom (random_bytes, sizeof random_bytes, 0) != sizeof random_bytes)
    {
      g_set_error (error, KIBITZ_SERVER_CONFIG_ERROR, KIBITZ_SERVER_CONFIG_ERROR_STATE,
                   "Cannot read random bytes for a secret: %s", g_strerror (errno));
      return FALSE;
    }

  fresh = g_string_new (NULL);
  for (guint i = 0; i < sizeof random_bytes; i++)
    g_string_append_printf (fresh, "%02x", random_bytes[i]);

  if (g_mkdir_with_parents (dir, 0700) != 0 ||
      !g_file_set_contents_full (path, fresh->str, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
                                 &local_error))
    {
      g_set_error (error, KIBITZ_SERVER_CONFIG_ERROR, KIBITZ_SERVER_CONFIG_ERROR_STATE,
                   "Cannot keep a secret in %s (%s): pass --secret or --state-dir",
                   path, local_error ? local_error->message : g_strerror (errno));
      return FALSE;
    }

  config->secret = g_string_free (g_steal_pointer (&fresh), FALSE);
  return TRUE;
}
