/* kibitz-signaling-server.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-server"

#include "config.h"

#include <string.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "kibitz-class-scope.h"
#include "kibitz-forwarded.h"
#include "kibitz-http-listener.h"
#include "kibitz-ice-config.h"
#include "kibitz-message.h"
#include "kibitz-rooms.h"
#include "kibitz-signaling-server-private.h"
#include "kibitz-teacher-command.h"
#include "kibitz-ws-conn.h"
#include "kibitz-ws-frame.h"

/* Clients connecting at once (a school at 8 o'clock, everyone reconnecting
 * after a restart) beyond GSocket's default backlog of 10 would wait for SYN
 * retransmits: 1 s, 3 s, 7 s... (capped by net.core.somaxconn). */
#define LISTEN_BACKLOG 4096

/* Seconds a plain HTTP connection may take from accept to its response. */
#define HTTP_REQUEST_TIMEOUT 10

/* protocol.md §2: ping every 5 s, drop a socket silent for 15 s. */
#define PING_INTERVAL_USEC      (5 * G_USEC_PER_SEC)
#define SILENCE_LIMIT_USEC      (15 * G_USEC_PER_SEC)

G_DEFINE_FINAL_TYPE (KibitzSignalingServer, kibitz_signaling_server, G_TYPE_OBJECT)

/* Transport for the room logic */

static void
transport_send (gpointer    transport,
                const char *text,
                gpointer    user_data)
{
  Connection *conn = transport;

  kibitz_ws_conn_send_text (conn->ws, text, strlen (text));
}

static void
transport_close (gpointer    transport,
                 gushort     code,
                 const char *reason,
                 gpointer    user_data)
{
  Connection *conn = transport;

  kibitz_ws_conn_close (conn->ws, code, reason);
}

static void
transport_member (gpointer    transport,
                  const char *peer_id,
                  const char *room,
                  gpointer    user_data)
{
  KibitzSignalingServer *self = user_data;
  Connection *conn = transport;

  /* Only a relay with the room scope asks (and only then is it worth the
   * memory: a member's record per connection). */
  if (self->config->turn_enabled && !self->config->relay_scope_any)
    kibitz_class_scope_join (self->scope, peer_id, room, conn->address);
}

static void
transport_gone (const char *peer_id,
                gboolean    voided,
                gpointer    user_data)
{
  KibitzSignalingServer *self = user_data;

  if (!self->config->turn_enabled || self->config->relay_scope_any)
    return;
  if (voided)
    kibitz_class_scope_void (self->scope, peer_id);
  else
    kibitz_class_scope_leave (self->scope, peer_id);
}

static const KibitzRoomsTransport rooms_transport = {
  .send = transport_send,
  .close = transport_close,
  .member = transport_member,
  .gone = transport_gone,
};

/* Reverse proxies */

/* The request came straight from a proxy we were told to believe. */
gboolean
kibitz_signaling_from_trusted_proxy (KibitzSignalingServer *self,
                                     SoupServerMessage     *msg)
{
  return kibitz_forwarded_is_trusted (self->forwarded, soup_server_message_get_remote_host (msg));
}

char *
kibitz_signaling_forwarded_value (SoupServerMessage *msg,
                                  const char        *name)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  return kibitz_forwarded_first_value (soup_message_headers_get_list (headers, name));
}

char *
kibitz_signaling_client_address (KibitzSignalingServer *self,
                                 SoupServerMessage     *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  return kibitz_forwarded_client_address (self->forwarded,
                                          soup_server_message_get_remote_host (msg),
                                          soup_message_headers_get_list (headers,
                                                                         "X-Forwarded-For"));
}

/* Connections */

static void
connection_free (Connection *conn)
{
  g_clear_pointer (&conn->ws, kibitz_ws_conn_free);
  g_free (conn->address);
  g_free (conn);
}

static void
message_cb (KibitzWsConn *ws,
            gboolean      text,
            const char   *data,
            gsize         length,
            gpointer      user_data)
{
  Connection *conn = user_data;

  if (conn->client == NULL)
    return;

  if (!text)
    {
      kibitz_rooms_refuse (conn->server->rooms, conn->client, KIBITZ_PROTOCOL_ERROR_BAD_REQUEST,
                           "Binary frames are not part of the protocol: send JSON as text",
                           NULL, 0);
      return;
    }

  kibitz_rooms_receive (conn->server->rooms, conn->client, data, length);
}

/* The socket is dead for the room from now on, even if it still waits for
 * the close handshake: the grace period starts here.
 */
static void
connection_detach (Connection *conn)
{
  if (conn->client == NULL)
    return;

  kibitz_rooms_closed (conn->server->rooms, conn->client);
  conn->client = NULL;
}

/* A frame broke RFC 6455 or the size limit; the socket closes after this. A
 * message over the limit is refused in the protocol's words first.
 */
static void
failed_cb (KibitzWsConn *ws,
           const GError *error,
           gpointer      user_data)
{
  Connection *conn = user_data;

  if (conn->client != NULL && g_error_matches (error, KIBITZ_WS_ERROR, KIBITZ_WS_ERROR_TOO_LARGE))
    kibitz_rooms_refuse (conn->server->rooms, conn->client, KIBITZ_PROTOCOL_ERROR_TOO_LARGE,
                         error->message, NULL, KIBITZ_WS_ERROR_TOO_LARGE);
}

static void
closed_cb (KibitzWsConn *ws,
           gpointer      user_data)
{
  Connection *conn = user_data;
  KibitzSignalingServer *self = conn->server;

  g_debug ("connection from %s closed", conn->address);
  kibitz_http_listener_closed (self->http, conn->http);
  connection_detach (conn);
  kibitz_address_count_change (self->per_address, conn->address, -1);
  g_hash_table_remove (self->connections, conn);
}

static const KibitzWsCallbacks ws_callbacks = {
  .message = message_cb,
  .failed = failed_cb,
  .closed = closed_cb,
};

static void
accept_connection (KibitzSignalingServer *self,
                   SoupServerMessage     *msg)
{
  g_autoptr(GIOStream) stream = soup_server_message_steal_connection (msg);
  g_autoptr(GError) error = NULL;
  Connection *conn = g_new0 (Connection, 1);
  guint count;

  conn->server = self;
  conn->http = kibitz_http_listener_upgraded (self->http, stream);
  conn->ws = kibitz_ws_conn_new (self->ws_loop, stream, KIBITZ_MESSAGE_MAX_SIZE, conn, &error);
  if (conn->ws == NULL)
    {
      g_message ("Dropped a WebSocket from %s: %s", soup_server_message_get_remote_host (msg),
                 error->message);
      kibitz_http_listener_closed (self->http, conn->http);
      g_free (conn);
      return;
    }
  conn->address = kibitz_signaling_client_address (self, msg);
  conn->client = kibitz_rooms_open (self->rooms, conn);
  g_hash_table_add (self->connections, conn);

  count = GPOINTER_TO_UINT (g_hash_table_lookup (self->per_address, conn->address));
  kibitz_address_count_change (self->per_address, conn->address, +1);
  if (count >= self->config->max_connections_per_address)
    {
      g_autofree char *message = g_strdup_printf (
        "Too many connections from your address (at most %u); close some and try again",
        self->config->max_connections_per_address);

      self->refused_connections++;
      kibitz_rooms_refuse (self->rooms, conn->client, KIBITZ_PROTOCOL_ERROR_RATE_LIMITED,
                           message, NULL, 1008);
    }

  kibitz_ws_conn_start (conn->ws);
}

static gboolean
origin_allowed (KibitzSignalingServer *self,
                const char            *origin)
{
  if (self->config->allowed_origins == NULL || self->config->allowed_origins[0] == NULL)
    return TRUE;

  return origin != NULL && g_strv_contains ((const char * const *) self->config->allowed_origins,
                                            origin);
}

void
kibitz_signaling_set_text (SoupServerMessage *msg,
                           guint              status,
                           const char        *content_type,
                           const char        *text)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, content_type, SOUP_MEMORY_COPY, text, strlen (text));
}

static void
ws_handler (SoupServer        *soup,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  KibitzSignalingServer *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  g_autoptr(GError) error = NULL;

  if (!origin_allowed (self, soup_message_headers_get_one (headers, "Origin")))
    {
      kibitz_signaling_set_text (msg, SOUP_STATUS_FORBIDDEN, "text/plain",
                         "This server does not accept WebSocket connections from your page's origin.\n");
      return;
    }

  /* No extensions: kibitz-ws-frame.c speaks plain RFC 6455. */
  if (!soup_websocket_server_check_handshake (msg, NULL, NULL, NULL, &error))
    {
      g_autofree char *text = g_strdup_printf ("This is the Kibitz signaling WebSocket; "
                                               "connect with a WebSocket client (%s).\n",
                                               error->message);

      kibitz_signaling_set_text (msg, SOUP_STATUS_BAD_REQUEST, "text/plain", text);
      return;
    }

  soup_websocket_server_process_handshake (msg, NULL, NULL, NULL, NULL);
  g_signal_connect_object (msg, "wrote-informational", G_CALLBACK (accept_connection), self,
                           G_CONNECT_SWAPPED);
}

/* `kibitz-server revoke-token` appends to a file; a running server picks the
 * change up within a second (a stat per tick). */
static void
reload_revoked (KibitzSignalingServer *self)
{
  GStatBuf st;
  gint64 mtime = 0;
  g_auto(GStrv) ids = NULL;

  if (g_stat (self->revoked_path, &st) == 0)
    mtime = (gint64) st.st_mtim.tv_sec * G_USEC_PER_SEC + st.st_mtim.tv_nsec / 1000 + 1;
  if (mtime == self->revoked_mtime)
    return;

  self->revoked_mtime = mtime;
  ids = kibitz_revoked_tokens_read (self->revoked_path);
  kibitz_rooms_set_revoked (self->rooms, (const char * const *) ids);
  if (ids && ids[0])
    g_message ("%u teacher keys are revoked (%s)", g_strv_length (ids), self->revoked_path);
}

/* Liveness and grace periods */

static gboolean
tick_cb (gpointer user_data)
{
  KibitzSignalingServer *self = user_data;
  gint64 now = g_get_monotonic_time ();
  GHashTableIter iter;
  Connection *conn;

  reload_revoked (self);

  /* One timer for every socket: nothing here frees a connection (that waits
   * for the WebSocket loop), so the table can be walked while closing.
   */
  g_hash_table_iter_init (&iter, self->connections);
  while (g_hash_table_iter_next (&iter, (gpointer *) &conn, NULL))
    {
      kibitz_ws_conn_tick (conn->ws, now, PING_INTERVAL_USEC);
      if (kibitz_ws_conn_is_open (conn->ws) &&
          now - kibitz_ws_conn_last_seen (conn->ws) > SILENCE_LIMIT_USEC)
        {
          g_debug ("dropping %s: silent for 15 s", conn->address);
          kibitz_ws_conn_close (conn->ws, 1001, "silent for 15 s");
          connection_detach (conn);
        }
    }

  kibitz_rooms_tick (self->rooms);

  return G_SOURCE_CONTINUE;
}

/* Set-up */

static void
split_ice_urls (KibitzSignalingServer *self,
                const char * const    *extra_stun,
                const char * const    *extra_turn)
{
  g_autoptr(GStrvBuilder) stun = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) turn = g_strv_builder_new ();

  if (extra_stun)
    g_strv_builder_addv (stun, (const char **) extra_stun);
  if (extra_turn)
    g_strv_builder_addv (turn, (const char **) extra_turn);

  for (guint i = 0; self->config->ice_servers && self->config->ice_servers[i]; i++)
    {
      const char *url = self->config->ice_servers[i];

      if (g_str_has_prefix (url, "stun:") || g_str_has_prefix (url, "stuns:"))
        g_strv_builder_add (stun, url);
      else
        g_strv_builder_add (turn, url);
    }

  g_strfreev (self->ice.stun_urls);
  g_strfreev (self->ice.turn_urls);
  self->ice.stun_urls = g_strv_builder_end (stun);
  self->ice.turn_urls = g_strv_builder_end (turn);
}

/* The built-in STUN/TURN listeners are published first, before any external
 * servers from the configuration.
 */
void
kibitz_signaling_server_set_ice_urls (KibitzSignalingServer *self,
                                      const char * const    *stun_urls,
                                      const char * const    *turn_urls)
{
  split_ice_urls (self, stun_urls, turn_urls);
}

void
kibitz_signaling_server_add_metrics (KibitzSignalingServer *self,
                                     KibitzMetricsFunc      func,
                                     gpointer               user_data)
{
  MetricsSource source = { func, user_data };

  g_array_append_val (self->metrics, source);
}

const KibitzTurnScope *
kibitz_signaling_server_get_turn_scope (KibitzSignalingServer *self)
{
  return kibitz_class_scope_for_turn (self->scope);
}

static GInetAddress *
resolve_host (const char  *host,
              GError     **error)
{
  g_autoptr(GResolver) resolver = NULL;
  GList *addresses;
  GInetAddress *address = g_inet_address_new_from_string (host);

  if (address)
    return address;

  resolver = g_resolver_get_default ();
  addresses = g_resolver_lookup_by_name (resolver, host, NULL, error);
  if (addresses == NULL)
    return NULL;

  address = g_object_ref (addresses->data);
  g_resolver_free_addresses (addresses);

  return address;
}

static gboolean
load_tls (KibitzSignalingServer  *self,
          GError                **error)
{
  g_autoptr(GTlsCertificate) certificate = NULL;

  if (self->config->tls_cert == NULL)
    return TRUE;

  certificate = g_tls_certificate_new_from_files (self->config->tls_cert, self->config->tls_key,
                                                  error);
  if (certificate == NULL)
    {
      g_prefix_error (error, "Cannot load the TLS certificate %s and key %s: ",
                      self->config->tls_cert, self->config->tls_key);
      return FALSE;
    }

  g_set_object (&self->tls, certificate);
  g_free (self->scheme);
  self->scheme = g_strdup ("https");

  return TRUE;
}

/* What /v1/config publishes: --public-host ("HOST" or "HOST:PORT"), else the
 * bound address; NULL when bound to every address, to use the Host header.
 */
static char *
published_host_port (const char *public_host,
                     const char *bound,
                     guint16     port)
{
  const char *colon;

  if (public_host == NULL)
    return g_strdup (bound);

  colon = strchr (public_host, ':');
  if (public_host[0] == '[' || (colon != NULL && strchr (colon + 1, ':') == NULL))
    return g_strdup (public_host);

  return kibitz_format_host_port (public_host, port);
}

gboolean
kibitz_signaling_server_listen (KibitzSignalingServer  *self,
                                GError                **error)
{
  g_autoptr(GInetAddress) inet = resolve_host (self->config->http_host, error);
  g_autoptr(GSocketAddress) address = NULL;
  GList *listeners;
  KibitzHttpLimits limits = { 0 };
  g_autofree char *bound = NULL;
  guint16 port = 0;
  gboolean any;

  if (inet == NULL || !load_tls (self, error))
    return FALSE;

  if (self->ws_loop == NULL && !(self->ws_loop = kibitz_ws_loop_new (&ws_callbacks, error)))
    return FALSE;

  /* Half the descriptors for HTTP and WebSockets, the rest for the relay. A
   * connection over our own TLS takes three (the client's and a socketpair
   * to libsoup: kibitz-http-listener.c). */
  limits.max_connections = MAX (kibitz_raise_descriptor_limit () / (self->tls ? 6 : 2), 16);
  limits.reserve = limits.max_connections / 8;
  limits.max_per_address = self->config->max_connections_per_address;
  limits.request_timeout = HTTP_REQUEST_TIMEOUT;

  self->http = kibitz_http_listener_new (self->soup, &limits, self->tls, self->forwarded);
  address = g_inet_socket_address_new (inet, self->config->http_port);
  if (!kibitz_http_listener_listen (self->http, address, LISTEN_BACKLOG, error))
    {
      g_prefix_error (error, "Cannot listen for HTTP on %s:%u: ", self->config->http_host,
                      self->config->http_port);
      return FALSE;
    }

  any = g_inet_address_get_is_any (inet);
  listeners = kibitz_http_listener_addresses (self->http);
  for (GList *l = listeners; l; l = l->next)
    {
      GInetSocketAddress *inet_local = G_INET_SOCKET_ADDRESS (l->data);
      g_autofree char *host = g_inet_address_to_string (
        g_inet_socket_address_get_address (inet_local));
      g_autofree char *host_port = NULL;

      port = g_inet_socket_address_get_port (inet_local);
      host_port = kibitz_format_host_port (host, port);
      g_ptr_array_add (self->listening, g_strdup_printf ("%s %s", self->scheme, host_port));
      if (bound == NULL)
        bound = g_steal_pointer (&host_port);
    }
  g_list_free_full (listeners, g_object_unref);

  self->published_host_port = published_host_port (self->config->public_host, any ? NULL : bound,
                                                   port);

  self->tick_id = g_timeout_add_seconds (1, tick_cb, self);

  /* Invite links start with the base clients use: --public-url, else what
   * /v1/config publishes. */
  {
    g_autofree char *fallback = kibitz_format_host_port ("localhost", port);
    g_autofree char *base = self->config->public_url
                            ? g_strdup (self->config->public_url)
                            : g_strdup_printf ("%s://%s", self->scheme,
                                               self->published_host_port
                                               ? self->published_host_port : fallback);
    gsize len = strlen (base);

    if (self->config->public_url == NULL && self->published_host_port == NULL)
      g_warning ("Bound to every address without --public-url or --public-host: invite links "
                 "will start with %s, which only works on this machine", base);

    while (len > 0 && base[len - 1] == '/')
      base[--len] = '\0';
    kibitz_rooms_set_public_base (self->rooms, base);
  }

  return TRUE;
}

GStrv
kibitz_signaling_server_listening (KibitzSignalingServer *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < self->listening->len; i++)
    g_strv_builder_add (builder, g_ptr_array_index (self->listening, i));

  return g_strv_builder_end (builder);
}

/* Closes every socket with 1001 (going away) so clients reconnect at once,
 * and waits (at most 2 s) for their close handshakes.
 */
void
kibitz_signaling_server_shutdown (KibitzSignalingServer *self)
{
  g_autoptr(GList) connections = g_hash_table_get_keys (self->connections);
  gint64 deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;

  g_clear_handle_id (&self->tick_id, g_source_remove);
  for (GList *l = connections; l; l = l->next)
    {
      Connection *conn = l->data;

      kibitz_ws_conn_close (conn->ws, 1001, "server shutting down");
    }

  g_clear_pointer (&self->http, kibitz_http_listener_free);
  soup_server_disconnect (self->soup);

  while (g_hash_table_size (self->connections) > 0 && g_get_monotonic_time () < deadline)
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
}

static void
kibitz_signaling_server_finalize (GObject *object)
{
  KibitzSignalingServer *self = KIBITZ_SIGNALING_SERVER (object);
  g_autoptr(GList) connections = g_hash_table_get_keys (self->connections);

  g_clear_handle_id (&self->tick_id, g_source_remove);

  /* Every Connection refers to the rooms: free them first. */
  for (GList *l = connections; l; l = l->next)
    connection_detach (l->data);
  g_hash_table_remove_all (self->connections);
  g_clear_pointer (&self->ws_loop, kibitz_ws_loop_free);

  g_clear_pointer (&self->http, kibitz_http_listener_free);
  g_clear_object (&self->tls);
  g_clear_object (&self->soup);
  g_clear_pointer (&self->rooms, kibitz_rooms_free);
  g_clear_pointer (&self->connections, g_hash_table_unref);
  g_clear_pointer (&self->per_address, g_hash_table_unref);
  g_clear_pointer (&self->listening, g_ptr_array_unref);
  g_clear_pointer (&self->forwarded, kibitz_forwarded_free);
  g_clear_pointer (&self->metrics, g_array_unref);
  g_clear_pointer (&self->config, kibitz_server_config_free);
  g_strfreev (self->ice.stun_urls);
  g_strfreev (self->ice.turn_urls);
  g_free (self->scheme);
  g_free (self->published_host_port);
  g_free (self->public_signaling_url);
  g_free (self->revoked_path);
  g_clear_pointer (&self->scope, kibitz_class_scope_free);

  G_OBJECT_CLASS (kibitz_signaling_server_parent_class)->finalize (object);
}

static void
kibitz_signaling_server_class_init (KibitzSignalingServerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = kibitz_signaling_server_finalize;
}

static void
kibitz_signaling_server_init (KibitzSignalingServer *self)
{
  self->connections = g_hash_table_new_full (NULL, NULL, (GDestroyNotify) connection_free, NULL);
  self->per_address = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->listening = g_ptr_array_new_with_free_func (g_free);
  self->metrics = g_array_new (FALSE, FALSE, sizeof (MetricsSource));
  self->scheme = g_strdup ("http");
}

KibitzSignalingServer *
kibitz_signaling_server_new (const KibitzServerConfig *config)
{
  KibitzSignalingServer *self = g_object_new (KIBITZ_TYPE_SIGNALING_SERVER, NULL);
  KibitzRoomsConfig rooms_config = { 0 };
  g_autofree char *state_dir = NULL;
  g_autofree char *board_dir = NULL;
  g_autofree char *resume_path = NULL;

  g_return_val_if_fail (config->secret != NULL, NULL);

  self->config = kibitz_server_config_copy (config);
  self->ice.secret = self->config->secret;
  self->ice.credential_ttl = self->config->credential_ttl;
  split_ice_urls (self, NULL, NULL);

  /* Both were checked when the configuration was read. */
  if (self->config->public_url)
    self->public_signaling_url = kibitz_public_signaling_url (self->config->public_url, NULL);
  self->forwarded = kibitz_forwarded_new ((const char * const *) self->config->trusted_proxies);

  rooms_config.secret = self->config->secret;
  rooms_config.max_room_size = self->config->max_room_size;
  rooms_config.policy = self->config->rooms_open ? KIBITZ_ROOM_POLICY_OPEN
                                                 : KIBITZ_ROOM_POLICY_TEACHER;
  rooms_config.student_relay_only = self->config->student_relay_only;
  rooms_config.ice = &self->ice;
  state_dir = kibitz_server_config_get_state_dir (self->config);
  board_dir = g_build_filename (state_dir, "boards", NULL);
  rooms_config.board_dir = board_dir;
  resume_path = g_build_filename (state_dir, "resume-tokens", NULL);
  rooms_config.resume_path = resume_path;
  self->rooms = kibitz_rooms_new (&rooms_config, &rooms_transport, self);
  self->revoked_path = g_build_filename (state_dir, KIBITZ_REVOKED_TOKENS_FILE, NULL);
  self->scope = kibitz_class_scope_new ();
  reload_revoked (self);

  self->soup = soup_server_new ("server-header", "kibitz-server/" PACKAGE_VERSION " ", NULL);
  kibitz_signaling_http_add_handlers (self);
  soup_server_add_handler (self->soup, "/v1/ws", ws_handler, self, NULL);

  return self;
}
