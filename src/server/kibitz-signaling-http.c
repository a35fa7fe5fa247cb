/* kibitz-signaling-http.c: kibitz-server's plain HTTP endpoints:
 * /v1/config (protocol.md §1), /metrics, /healthz, and the invite links'
 * browser page (/j/<code>, from web/). The WebSocket upgrade at /v1/ws is
 * kibitz-signaling-server.c's.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-server"

#include "config.h"

#include <string.h>

#include "kibitz-class-token.h"
#include "kibitz-forwarded.h"
#include "kibitz-signaling-server-private.h"
#include "kibitz-web-resources.h"

static char *
signaling_url (KibitzSignalingServer *self,
               SoupServerMessage     *msg)
{
  const char *scheme = g_str_equal (self->scheme, "https") ? "wss" : "ws";
  const char *host_port = self->published_host_port;
  g_autofree char *forwarded_proto = NULL;
  g_autofree char *forwarded_host = NULL;

  if (self->public_signaling_url)
    return g_strdup (self->public_signaling_url);

  /* A proxy that ends TLS talks plain HTTP to us; it says what the client used. */
  if (kibitz_signaling_from_trusted_proxy (self, msg))
    {
      forwarded_proto = kibitz_signaling_forwarded_value (msg, "X-Forwarded-Proto");
      forwarded_host = kibitz_signaling_forwarded_value (msg, "X-Forwarded-Host");
      if (forwarded_proto && g_ascii_strcasecmp (forwarded_proto, "https") == 0)
        scheme = "wss";
      else if (forwarded_proto && g_ascii_strcasecmp (forwarded_proto, "http") == 0)
        scheme = "ws";
      if (kibitz_forwarded_is_plain_host (forwarded_host))
        host_port = forwarded_host;
    }

  /* Bound to every address: the client reached us by the name it used. */
  if (host_port == NULL)
    host_port = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Host");
  if (host_port == NULL)
    host_port = "localhost";

  return g_strdup_printf ("%s://%s/v1/ws", scheme, host_port);
}

static void
config_handler (SoupServer        *soup,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  KibitzSignalingServer *self = user_data;
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *url = signaling_url (self, msg);
  g_autofree char *id = g_strdup_printf ("c-%08x", g_random_int ());
  g_autofree char *text = NULL;

  json_object_set_int_member (object, "version", 1);
  json_object_set_string_member (object, "signaling", url);
  /* Under the room scope TURN credentials come only in an admitted peer's
   * welcome (protocol.md §4). */
  json_object_set_array_member (object, "ice_servers",
                                kibitz_ice_config_build (&self->ice,
                                                         self->config->relay_scope_any ? id : NULL,
                                                         g_get_real_time () / G_USEC_PER_SEC));
  json_object_set_int_member (object, "credential_ttl", self->config->credential_ttl);
  json_object_set_int_member (object, "max_room_size", self->config->max_room_size);
  json_node_set_object (node, object);
  text = json_to_string (node, TRUE);

  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Access-Control-Allow-Origin", "*");
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Cache-Control", "no-store");
  kibitz_signaling_set_text (msg, SOUP_STATUS_OK, "application/json", text);
}

/* One Prometheus metric with its HELP and TYPE lines. */
void
kibitz_metrics_append (GString    *out,
                       const char *name,
                       const char *type,
                       const char *help,
                       guint64     value)
{
  g_string_append_printf (out, "# HELP %s %s\n# TYPE %s %s\n%s %" G_GUINT64_FORMAT "\n",
                          name, help, name, type, name, value);
}

/* /metrics names rooms and counts people: for the operator, who asks from
 * this machine (not through a proxy on it for someone else) or with the
 * token of --metrics-token-file.
 */
static gboolean
metrics_allowed (KibitzSignalingServer *self,
                 SoupServerMessage     *msg)
{
  g_autofree char *client = kibitz_signaling_client_address (self, msg);
  g_autoptr(GInetAddress) address = client ? g_inet_address_new_from_string (client) : NULL;
  const char *authorization = soup_message_headers_get_one (
    soup_server_message_get_request_headers (msg), "Authorization");

  if (address != NULL && g_inet_address_get_is_loopback (address))
    return TRUE;
  /* IPv4 loopback on a dual-stack socket. */
  if (client != NULL && g_str_has_prefix (client, "::ffff:127."))
    return TRUE;
  /* From one of this machine's own addresses to another. */
  if (client != NULL && g_strcmp0 (client, soup_server_message_get_remote_host (msg)) == 0)
    {
      GSocketAddress *local = soup_server_message_get_local_address (msg);
      g_autofree char *local_ip = NULL;

      if (G_IS_INET_SOCKET_ADDRESS (local))
        local_ip = g_inet_address_to_string (
          g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (local)));
      if (g_strcmp0 (local_ip, client) == 0)
        return TRUE;
    }

  if (self->config->metrics_token == NULL || authorization == NULL ||
      g_ascii_strncasecmp (authorization, "Bearer ", 7) != 0)
    return FALSE;

  return kibitz_token_equal (authorization + 7, self->config->metrics_token);
}

static void
metrics_handler (SoupServer        *soup,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  KibitzSignalingServer *self = user_data;
  const KibitzRoomsCounters *counters = kibitz_rooms_get_counters (self->rooms);
  g_autoptr(GString) out = NULL;

  if (!metrics_allowed (self, msg))
    {
      kibitz_signaling_set_text (msg, SOUP_STATUS_FORBIDDEN, "text/plain",
                                 "/metrics is for the server's operator: ask from the server "
                                 "itself, or send Authorization: Bearer with the token of "
                                 "--metrics-token-file.\n");
      return;
    }

  out = g_string_new (NULL);

  kibitz_metrics_append (out, "kibitz_connections", "gauge", "Open WebSocket connections.",
                 g_hash_table_size (self->connections));
  kibitz_metrics_append (out, "kibitz_rooms", "gauge", "Rooms with at least one participant.",
                 kibitz_rooms_n_rooms (self->rooms));
  kibitz_metrics_append (out, "kibitz_peers", "gauge",
                 "Participants in rooms, including those within their resume grace period.",
                 kibitz_rooms_n_peers (self->rooms));
  kibitz_metrics_append (out, "kibitz_messages_received_total", "counter",
                 "Messages received from clients.", counters->messages_received);
  kibitz_metrics_append (out, "kibitz_messages_relayed_total", "counter",
                 "Messages delivered to other participants (signal, state, chat, joined, left).",
                 counters->messages_relayed);
  kibitz_metrics_append (out, "kibitz_joins_total", "counter", "Fresh joins.", counters->joins);
  kibitz_metrics_append (out, "kibitz_resumes_total", "counter", "Joins that resumed an id.",
                 counters->resumes);
  kibitz_metrics_append (out, "kibitz_timeouts_total", "counter",
                 "Participants removed after their grace period.", counters->timeouts);
  kibitz_metrics_append (out, "kibitz_waiting", "gauge",
                 "Clients in waiting rooms, not yet let into a class.",
                 kibitz_rooms_n_waiting (self->rooms));
  kibitz_metrics_append (out, "kibitz_knocks_total", "counter",
                 "Joins that went to a waiting room.", counters->knocks);
  kibitz_metrics_append (out, "kibitz_admits_total", "counter",
                 "Waiting clients a teacher let in.", counters->admits);
  kibitz_metrics_append (out, "kibitz_removals_total", "counter",
                 "Participants a teacher removed.", counters->removals);
  kibitz_metrics_append (out, "kibitz_refused_connections_total", "counter",
                 "Connections refused for the per-address limit.", self->refused_connections);
  if (self->ws_loop != NULL)
    kibitz_metrics_append (out, "kibitz_ws_queued_bytes", "gauge",
                   "Bytes waiting to be sent to WebSocket clients slower than the server.",
                   kibitz_ws_loop_queued (self->ws_loop));
  if (self->http != NULL)
    kibitz_http_listener_metrics (self->http, out);

  g_string_append (out, "# HELP kibitz_errors_total Errors sent to clients, by code.\n"
                        "# TYPE kibitz_errors_total counter\n");
  for (guint i = 0; i < KIBITZ_PROTOCOL_N_ERRORS; i++)
    g_string_append_printf (out, "kibitz_errors_total{code=\"%s\"} %" G_GUINT64_FORMAT "\n",
                            kibitz_protocol_error_to_code (i), counters->errors[i]);

  for (guint i = 0; i < self->metrics->len; i++)
    {
      MetricsSource *source = &g_array_index (self->metrics, MetricsSource, i);

      source->func (out, source->user_data);
    }

  kibitz_signaling_set_text (msg, SOUP_STATUS_OK, "text/plain; version=0.0.4", out->str);
}

static void
health_handler (SoupServer        *soup,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  kibitz_signaling_set_text (msg, SOUP_STATUS_OK, "text/plain", "ok");
}

/* Invite links (protocol.md §4): /j/<code> is the browser participant from
 * web/, embedded in the binary; the page reads the room and the code from its
 * own address, so one copy serves every class. */

static void default_handler (SoupServer        *soup,
                             SoupServerMessage *msg,
                             const char        *path,
                             GHashTable        *query,
                             gpointer           user_data);

#define WEB_RESOURCE_PREFIX "/io/github/kibitz/server/web/"
#define INVITE_CODE_MAX_LENGTH 512

/* The page talks to this server only (its config and signaling), keeps the
 * invite code out of Referer headers, and may not be framed by another site. */
#define WEB_PAGE_CSP \
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " \
  "media-src 'self' blob: mediastream:; connect-src 'self' ws: wss:; " \
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

static gboolean
all_chars_in (const char *text,
              const char *allowed)
{
  return *text != '\0' && strspn (text, allowed) == strlen (text);
}

/* Only the shape of kibitz_invite_code_new()'s output: a forged or expired
 * code still gets the page, whose join then lands in the waiting room with a
 * reason the page can explain. A mangled one (cut off in a text message) gets
 * the "not found" state at once. */
static gboolean
invite_code_well_formed (const char *code)
{
  g_auto(GStrv) parts = NULL;

  if (strlen (code) > INVITE_CODE_MAX_LENGTH)
    return FALSE;
  parts = g_strsplit (code, ".", 5);
  return g_strv_length (parts) == 4 &&
         all_chars_in (parts[0], "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") &&
         all_chars_in (parts[1], "0123456789") && strlen (parts[1]) <= 16 &&
         all_chars_in (parts[2], "0123456789") && strlen (parts[2]) <= 16 &&
         all_chars_in (parts[3], "0123456789abcdefABCDEF") && strlen (parts[3]) >= 16;
}

static void
set_web_response (SoupServerMessage *msg,
                  guint              status,
                  const char        *file,
                  const char        *content_type)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  g_autofree char *resource_path = g_strconcat (WEB_RESOURCE_PREFIX, file, NULL);
  g_autoptr(GBytes) bytes = g_resource_lookup_data (kibitz_web_get_resource (), resource_path,
                                                    G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);

  /* Compiled in by meson: missing only if the build is broken. */
  g_return_if_fail (bytes != NULL);

  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  soup_message_headers_replace (headers, "Referrer-Policy", "no-referrer");
  soup_message_headers_replace (headers, "Content-Security-Policy", WEB_PAGE_CSP);
  soup_message_headers_replace (headers, "Permissions-Policy",
                                "camera=(self), microphone=(self)");
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, content_type, SOUP_MEMORY_COPY,
                                    g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

/* "piece-white-king.svg": the board's pieces in the page. */
static gboolean
is_piece_name (const char *name)
{
  static const char * const colors[] = { "white", "black" };
  static const char * const pieces[] = { "pawn", "knight", "bishop", "rook", "queen", "king" };

  for (guint c = 0; c < G_N_ELEMENTS (colors); c++)
    for (guint p = 0; p < G_N_ELEMENTS (pieces); p++)
      {
        g_autofree char *piece = g_strdup_printf ("piece-%s-%s.svg", colors[c], pieces[p]);

        if (g_str_equal (name, piece))
          return TRUE;
      }
  return FALSE;
}

static void
invite_page_handler (SoupServer        *soup,
                     SoupServerMessage *msg,
                     const char        *path,
                     GHashTable        *query,
                     gpointer           user_data)
{
  const char *method = soup_server_message_get_method (msg);
  const char *name;

  /* Soup hands us "/jump" too: only "/j" and what is under it is ours. */
  if (!g_str_equal (path, "/j") && !g_str_has_prefix (path, "/j/"))
    {
      default_handler (soup, msg, path, query, user_data);
      return;
    }

  if (method != SOUP_METHOD_GET && method != SOUP_METHOD_HEAD)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", "GET, HEAD");
      kibitz_signaling_set_text (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "text/plain", "Use GET.\n");
      return;
    }

  /* The page's scripts and style sheets (its own, and the vendored
   * chessground and chess.js of the shared board) are relative links: the
   * last path segment names them whatever came before it. */
  name = strrchr (path, '/');
  name = name ? name + 1 : path;
  if (g_str_equal (name, "kibitz-web.js") || g_str_equal (name, "kibitz-board.js") ||
      g_str_equal (name, "chessground.min.js") || g_str_equal (name, "chess.js"))
    set_web_response (msg, SOUP_STATUS_OK, name, "text/javascript; charset=utf-8");
  else if (g_str_equal (name, "kibitz-web.css") || g_str_equal (name, "chessground.css"))
    set_web_response (msg, SOUP_STATUS_OK, name, "text/css; charset=utf-8");
  else if (is_piece_name (name))
    set_web_response (msg, SOUP_STATUS_OK, name, "image/svg+xml");
  else if (g_str_has_prefix (path, "/j/") && strchr (path + 3, '/') == NULL &&
           invite_code_well_formed (path + 3))
    set_web_response (msg, SOUP_STATUS_OK, "kibitz-web.html", "text/html; charset=utf-8");
  else
    /* The same page says "this link is not complete" in the reader's language. */
    set_web_response (msg, SOUP_STATUS_NOT_FOUND, "kibitz-web.html", "text/html; charset=utf-8");
}

static void
default_handler (SoupServer        *soup,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  kibitz_signaling_set_text (msg, SOUP_STATUS_NOT_FOUND, "text/plain",
                     "Not found. Kibitz serves /v1/config, /v1/ws, /healthz, /metrics and invite links (/j/...).\n");
}

void
kibitz_signaling_http_add_handlers (KibitzSignalingServer *self)
{
  soup_server_add_handler (self->soup, NULL, default_handler, self, NULL);
  soup_server_add_handler (self->soup, "/v1/config", config_handler, self, NULL);
  soup_server_add_handler (self->soup, "/healthz", health_handler, self, NULL);
  soup_server_add_handler (self->soup, "/metrics", metrics_handler, self, NULL);
  soup_server_add_handler (self->soup, "/j", invite_page_handler, self, NULL);
}
