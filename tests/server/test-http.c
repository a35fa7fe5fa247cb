/* test-http.c: /v1/config, /healthz, /metrics, TLS and clean shutdown.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "kibitz-test-server.h"

static JsonObject *
get_json (const char          *url,
          SoupMessageHeaders **headers)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  guint status = 0;
  g_autofree char *body = kibitz_test_http_get (url, &status, headers);

  g_assert_cmpuint (status, ==, 200);
  json_parser_load_from_data (parser, body, -1, &error);
  g_assert_no_error (error);

  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* The TURN password, computed by openssl rather than by our own code. */
static char *
openssl_turn_password (const char *secret,
                       const char *username)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *command = g_strdup_printf (
    "sh -c 'printf %%s \"$0\" | openssl dgst -sha1 -hmac \"$1\" -binary | openssl base64 -A' "
    "'%s' '%s'", username, secret);
  g_autofree char *out = NULL;
  int status;

  g_spawn_command_line_sync (command, &out, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 0);

  return g_strstrip (g_steal_pointer (&out));
}

/* Under the room scope (the default) the relay is the class's: /v1/config
 * lists it, and only an admitted peer's welcome says how to use it. */
static void
test_config_endpoint_without_credentials (void)
{
  const char * const args[] = { "--http", "127.0.0.1:0", "--secret", "config-secret",
                                "--turn", "none", "--ice-server", "stun:127.0.0.1:3478",
                                "--ice-server", "turn:127.0.0.1:3478?transport=udp", NULL };
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (args);
  g_autofree char *url = kibitz_test_server_url (server, "/v1/config");
  g_autoptr(JsonObject) config = get_json (url, NULL);
  JsonArray *servers = json_object_get_array_member (config, "ice_servers");
  JsonObject *turn = json_array_get_object_element (servers, 1);

  g_assert_cmpuint (json_array_get_length (servers), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (turn, "urls"), 0),
                   ==, "turn:127.0.0.1:3478?transport=udp");
  g_assert_false (json_object_has_member (turn, "username"));
  g_assert_false (json_object_has_member (turn, "credential"));
}

/* --relay-scope any: the version-1 endpoint, credentials for anyone. */
static void
test_config_endpoint (void)
{
  const char * const args[] = { "--http", "127.0.0.1:0", "--secret", "config-secret",
                                "--turn", "none", "--ice-server", "stun:127.0.0.1:3478",
                                "--ice-server", "turn:127.0.0.1:3478?transport=udp",
                                "--ice-server", "turn:127.0.0.1:443?transport=tcp",
                                "--max-room-size", "12", "--relay-scope", "any", NULL };
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (args);
  g_autofree char *url = kibitz_test_server_url (server, "/v1/config");
  g_autofree char *ws_url = kibitz_test_server_url (server, "/v1/ws");
  SoupMessageHeaders *headers = NULL;
  g_autoptr(JsonObject) config = get_json (url, &headers);
  JsonArray *servers = json_object_get_array_member (config, "ice_servers");
  JsonObject *stun = json_array_get_object_element (servers, 0);
  JsonObject *turn = json_array_get_object_element (servers, 1);
  const char *username = json_object_get_string_member (turn, "username");
  g_autofree char *expected = openssl_turn_password ("config-secret", username);
  gint64 expiry = g_ascii_strtoll (username, NULL, 10);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  g_assert_cmpstr (soup_message_headers_get_one (headers, "Access-Control-Allow-Origin"), ==, "*");
  g_assert_true (g_str_has_prefix (soup_message_headers_get_content_type (headers, NULL),
                                   "application/json"));
  soup_message_headers_unref (headers);

  g_assert_cmpint (json_object_get_int_member (config, "version"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (config, "signaling"), ==, ws_url);
  g_assert_cmpint (json_object_get_int_member (config, "credential_ttl"), ==, 86400);
  g_assert_cmpint (json_object_get_int_member (config, "max_room_size"), ==, 12);

  g_assert_cmpuint (json_array_get_length (servers), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (stun, "urls"), 0),
                   ==, "stun:127.0.0.1:3478");
  g_assert_false (json_object_has_member (stun, "credential"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (turn, "urls")), ==, 2);
  g_assert_cmpint (ABS (expiry - (now + 86400)), <, 60);
  g_assert_nonnull (strchr (username, ':'));
  g_assert_cmpstr (json_object_get_string_member (turn, "credential"), ==, expected);
}

/* The TURN username in welcome carries the peer id, for per-room accounting. */
static void
test_welcome_credentials (void)
{
  const char * const args[] = { "--http", "127.0.0.1:0", "--secret", "welcome-secret",
                                "--turn", "none",
                                "--ice-server", "turn:127.0.0.1:3478?transport=udp", NULL };
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (args);
  g_autoptr(KibitzTestClient) a = kibitz_test_client_connect (server);
  g_autoptr(JsonObject) welcome = kibitz_test_client_join (a, "room", "Ada", NULL);
  JsonArray *servers = json_object_get_array_member (welcome, "ice_servers");
  JsonObject *turn = json_array_get_object_element (servers, 0);
  const char *username = json_object_get_string_member (turn, "username");
  g_autofree char *expected = openssl_turn_password ("welcome-secret", username);
  g_autofree char *suffix = g_strconcat (":", json_object_get_string_member (welcome, "id"), NULL);

  g_assert_true (g_str_has_suffix (username, suffix));
  g_assert_cmpstr (json_object_get_string_member (turn, "credential"), ==, expected);
}

static void
test_health_and_metrics (void)
{
  const char * const args[] = { "--http", "127.0.0.1:0", "--secret", "s", NULL };
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (args);
  g_autofree char *health_url = kibitz_test_server_url (server, "/healthz");
  g_autofree char *missing_url = kibitz_test_server_url (server, "/nothing-here");
  g_autoptr(KibitzTestClient) a = kibitz_test_client_connect (server);
  g_autoptr(KibitzTestClient) b = kibitz_test_client_connect (server);
  g_autoptr(JsonObject) wa = kibitz_test_client_join (a, "room", "Ada", NULL);
  g_autoptr(JsonObject) wb = kibitz_test_client_join (b, "room", "Bartek", NULL);
  g_autoptr(JsonObject) signal = NULL;
  g_autofree char *health = NULL;
  g_autofree char *missing = NULL;
  guint status = 0;

  health = kibitz_test_http_get (health_url, &status, NULL);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (health, ==, "ok");
  missing = kibitz_test_http_get (missing_url, &status, NULL);
  g_assert_cmpuint (status, ==, 404);

  kibitz_test_client_send (a, "{\"type\":\"signal\",\"to\":\"%s\",\"data\":{}}",
                           json_object_get_string_member (wb, "id"));
  signal = kibitz_test_client_wait (b, "signal", 5000);
  g_assert_nonnull (signal);
  kibitz_test_client_send (a, "{\"type\":\"nonsense\"}");
  kibitz_test_expect_error (a, "unknown-type");

  g_assert_cmpuint (kibitz_test_metric (server, "kibitz_turn_allocations"), ==, 0);
  g_assert_cmpuint (kibitz_test_metric (server, "kibitz_connections"), ==, 2);
  g_assert_cmpuint (kibitz_test_metric (server, "kibitz_rooms"), ==, 1);
  g_assert_cmpuint (kibitz_test_metric (server, "kibitz_peers"), ==, 2);
  g_assert_cmpuint (kibitz_test_metric (server, "kibitz_joins_total"), ==, 2);
  /* joined to Ada, then the signal */
  g_assert_cmpuint (kibitz_test_metric (server, "kibitz_messages_relayed_total"), ==, 2);
  g_assert_cmpuint (kibitz_test_metric (server, "kibitz_errors_total{code=\"unknown-type\"}"), ==, 1);
  g_assert_cmpuint (kibitz_test_metric (server, "kibitz_errors_total{code=\"room-full\"}"), ==, 0);
}

static gboolean
accept_any_certificate (GTlsConnection       *connection,
                        GTlsCertificate      *peer_cert,
                        GTlsCertificateFlags  errors,
                        gpointer              user_data)
{
  return TRUE;  /* the test's own self-signed certificate */
}

static void
tls_event_cb (GSocketClient      *client,
              GSocketClientEvent  event,
              GSocketConnectable *connectable,
              GIOStream          *connection,
              gpointer            user_data)
{
  if (event == G_SOCKET_CLIENT_TLS_HANDSHAKING)
    g_signal_connect (connection, "accept-certificate", G_CALLBACK (accept_any_certificate), NULL);
}

/* @request over TLS; what the server answers before it closes. */
static char *
tls_exchange (KibitzTestServer *server,
              const char       *request)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) answer = g_string_new (NULL);
  char buffer[4096];
  gssize n;

  g_socket_client_set_tls (client, TRUE);
  g_signal_connect (client, "event", G_CALLBACK (tls_event_cb), NULL);
  connection = g_socket_client_connect_to_host (client, server->http, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                                            request, strlen (request), NULL, NULL, &error));
  while ((n = g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (connection)), buffer,
                                   sizeof buffer, NULL, NULL)) > 0)
    g_string_append_len (answer, buffer, n);
  return g_strdup (answer->str);
}

static void
test_tls (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("kibitz-tls-XXXXXX", &error);
  g_autofree char *cert = g_build_filename (dir, "cert.pem", NULL);
  g_autofree char *key = g_build_filename (dir, "key.pem", NULL);
  g_autofree char *command = g_strdup_printf (
    "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
    "-keyout %s -out %s", key, cert);
  g_autoptr(KibitzTestServer) server = NULL;
  g_autoptr(KibitzTestClient) a = NULL;
  g_autoptr(KibitzTestClient) b = NULL;
  g_autoptr(JsonObject) wa = NULL;
  g_autoptr(JsonObject) wb = NULL;
  g_autoptr(JsonObject) joined = NULL;
  g_autoptr(JsonObject) chat = NULL;
  g_autoptr(JsonObject) config = NULL;
  g_autofree char *config_url = NULL;
  int status;

  g_assert_no_error (error);
  g_spawn_command_line_sync (command, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 0);

  {
    const char * const args[] = { "--http", "127.0.0.1:0", "--secret", "s", "--tls-cert", cert,
                                  "--tls-key", key, NULL };

    server = kibitz_test_server_start (args);
  }
  g_assert_true (g_str_has_prefix (server->lines[g_strv_length (server->lines) - 1],
                                   "listening https 127.0.0.1:"));

  config_url = kibitz_test_server_url (server, "/v1/config");
  config = get_json (config_url, NULL);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (config, "signaling"), "wss://"));

  a = kibitz_test_client_connect (server);
  b = kibitz_test_client_connect (server);
  wa = kibitz_test_client_join (a, "secure room", "Ada", NULL);
  wb = kibitz_test_client_join (b, "secure room", "Bartek", NULL);
  joined = kibitz_test_client_wait (a, "joined", 5000);
  g_assert_nonnull (joined);

  /* Behind TLS too, framing libsoup would answer at the price of a leak
   * never reaches it (the decrypted head is checked like a plain one). */
  {
    g_autofree char *target = g_strnfill (4000, 'a');
    g_autofree char *request = g_strconcat ("POST /", target, " HTTP/1.1\r\nHost: x\r\n"
                                            "Transfer-Encoding: gzip\r\n\r\n", NULL);
    g_autofree char *answer = tls_exchange (server, request);
    g_autofree char *healthz = tls_exchange (server, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");

    g_assert_true (g_str_has_prefix (answer, "HTTP/1.1 400"));
    g_assert_nonnull (strstr (answer, "Bad body framing"));
    g_assert_true (g_str_has_prefix (healthz, "HTTP/1.1 200"));
  }

  /* Past the 10 s that plain HTTP connections get: a wss:// socket stays. */
  kibitz_test_spin (11000);
  kibitz_test_client_send (b, "{\"type\":\"chat\",\"text\":\"still here\"}");
  chat = kibitz_test_client_wait (a, "chat", 5000);
  g_assert_nonnull (chat);

  g_unlink (cert);
  g_unlink (key);
  g_rmdir (dir);
}

static void
test_sigterm (void)
{
  const char * const args[] = { "--http", "127.0.0.1:0", "--secret", "s", NULL };
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (args);
  g_autoptr(KibitzTestClient) a = kibitz_test_client_connect (server);
  g_autoptr(JsonObject) wa = kibitz_test_client_join (a, "room", "Ada", NULL);

  kibitz_test_server_stop (server);
  g_assert_true (g_subprocess_get_if_exited (server->process));
  g_assert_cmpint (g_subprocess_get_exit_status (server->process), ==, 0);
  g_assert_true (kibitz_test_client_wait_closed (a, 5000));
  g_assert_cmpuint (a->close_code, ==, SOUP_WEBSOCKET_CLOSE_GOING_AWAY);
}

static void
test_bad_command_line (void)
{
  const char *server = g_getenv ("KIBITZ_SERVER_BIN");
  const char *bad[][3] = {
    { "--http", "nonsense", NULL },
    { "--tls-cert", "/nonexistent.pem", NULL },
    { "--config", "/nonexistent.conf", NULL },
    { "--metrics-token-file", "/nonexistent-token", NULL },
    { "--metrics-token-file", "/dev/null", NULL },  /* empty: no token at all */
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *err = NULL;
      const char *argv[] = { server, bad[i][0], bad[i][1], "--secret", "s", NULL };
      int status;

      g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, &err,
                    &status, &error);
      g_assert_no_error (error);
      g_assert_false (g_spawn_check_wait_status (status, NULL));
      g_assert_true (g_str_has_prefix (err, "kibitz-server: "));
      g_test_message ("%s %s -> %s", bad[i][0], bad[i][1], g_strstrip (err));
    }
}

/* The sample configuration in data/ is valid and is read. */
static void
test_config_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sample = g_build_filename (g_getenv ("KIBITZ_SOURCE_DIR"), "data",
                                              "kibitz-server.conf", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *dir = g_dir_make_tmp ("kibitz-conf-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "server.conf", NULL);
  g_autoptr(KibitzTestServer) server = NULL;
  g_autoptr(JsonObject) config = NULL;
  g_autofree char *url = NULL;

  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (sample, &contents, NULL, &error));
  g_assert_no_error (error);
  /* The sample as shipped, with a test port and room size appended. */
  {
    g_autofree char *test_contents = g_strdup_printf (
      "%s\n", contents);
    GRegex *regex = g_regex_new ("^http *=.*$", G_REGEX_MULTILINE, 0, NULL);
    g_autofree char *replaced = g_regex_replace (regex, test_contents, -1, 0,
                                                 "http = 127.0.0.1:0", 0, NULL);
    GRegex *size = g_regex_new ("^max-room-size *=.*$", G_REGEX_MULTILINE, 0, NULL);
    g_autofree char *final = g_regex_replace (size, replaced, -1, 0, "max-room-size = 7", 0, NULL);

    g_regex_unref (regex);
    g_regex_unref (size);
    g_assert_true (g_file_set_contents (path, final, -1, &error));
  }

  {
    const char * const args[] = { "--config", path, "--secret", "s", NULL };

    server = kibitz_test_server_start (args);
  }
  url = kibitz_test_server_url (server, "/v1/config");
  config = get_json (url, NULL);
  g_assert_cmpint (json_object_get_int_member (config, "max_room_size"), ==, 7);

  g_unlink (path);
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/http/config-endpoint", test_config_endpoint);
  g_test_add_func ("/server/http/config-endpoint-without-credentials",
                   test_config_endpoint_without_credentials);
  g_test_add_func ("/server/http/welcome-credentials", test_welcome_credentials);
  g_test_add_func ("/server/http/health-and-metrics", test_health_and_metrics);
  g_test_add_func ("/server/http/tls", test_tls);
  g_test_add_func ("/server/http/sigterm", test_sigterm);
  g_test_add_func ("/server/http/bad-command-line", test_bad_command_line);
  g_test_add_func ("/server/http/config-file", test_config_file);

  return g_test_run ();
}
