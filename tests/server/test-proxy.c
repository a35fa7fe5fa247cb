/* test-proxy.c: kibitz-server behind a reverse proxy that ends TLS.
 *
 * The proxy is played by the test itself: it talks plain HTTP to a real
 * kibitz-server from 127.0.0.1 and sends the X-Forwarded-* headers nginx
 * would. Whether they are believed depends on --trusted-proxy.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "kibitz-test-server.h"

static const char * const forwarded_https[] = {
  "X-Forwarded-Proto", "https",
  "X-Forwarded-Host", "class.school.example",
  NULL
};

static char *
advertised_signaling (KibitzTestServer   *server,
                      const char * const *request_headers)
{
  g_autofree char *url = kibitz_test_server_url (server, "/v1/config");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  guint status = 0;
  g_autofree char *body = kibitz_test_http_get_full (url, request_headers, &status, NULL);
  JsonObject *object;

  g_assert_cmpuint (status, ==, 200);
  json_parser_load_from_data (parser, body, -1, &error);
  g_assert_no_error (error);
  object = json_node_get_object (json_parser_get_root (parser));

  return g_strdup (json_object_get_string_member (object, "signaling"));
}

/* The gap this closes: TLS ends at the proxy, so the server itself speaks
 * http, and without help it tells clients ws:// (which a browser on an https
 * page refuses, and which would go unencrypted over the internet).
 */
static void
test_public_url (void)
{
  const char * const args[] = { "--http", "127.0.0.1:0", "--secret", "s", "--turn", "none",
                                "--public-url", "https://class.school.example/", NULL };
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (args);
  g_autofree char *plain = advertised_signaling (server, NULL);
  /* --public-url is the operator's word: forwarded headers do not change it. */
  g_autofree char *forwarded = advertised_signaling (server, (const char * const[]) {
    "X-Forwarded-Proto", "http", "X-Forwarded-Host", "elsewhere.example", NULL });

  g_assert_cmpstr (plain, ==, "wss://class.school.example/v1/ws");
  g_assert_cmpstr (forwarded, ==, "wss://class.school.example/v1/ws");
}

static void
test_public_url_with_prefix_and_port (void)
{
  const char * const args[] = { "--http", "127.0.0.1:0", "--secret", "s", "--turn", "none",
                                "--public-url", "https://school.example:8443/kibitz", NULL };
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (args);
  g_autofree char *url = advertised_signaling (server, NULL);

  g_assert_cmpstr (url, ==, "wss://school.example:8443/kibitz/v1/ws");
}

static void
test_public_url_in_config_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("kibitz-proxy-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "server.conf", NULL);
  g_autoptr(KibitzTestServer) server = NULL;
  g_autofree char *url = NULL;

  g_assert_no_error (error);
  g_file_set_contents (path, "[server]\npublic-url = https://class.school.example\n"
                             "trusted-proxies = 127.0.0.1;\n", -1, &error);
  g_assert_no_error (error);

  {
    const char * const args[] = { "--config", path, "--http", "127.0.0.1:0", "--secret", "s",
                                  "--turn", "none", NULL };

    server = kibitz_test_server_start (args);
  }
  url = advertised_signaling (server, NULL);
  g_assert_cmpstr (url, ==, "wss://class.school.example/v1/ws");

  g_unlink (path);
  g_rmdir (dir);
}

static void
test_forwarded_from_trusted_proxy (void)
{
  const char * const args[] = { "--http", "127.0.0.1:0", "--secret", "s", "--turn", "none",
                                "--trusted-proxy", "127.0.0.0/8", NULL };
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (args);
  g_autofree char *direct = advertised_signaling (server, NULL);
  g_autofree char *expected_direct = kibitz_test_server_url (server, "/v1/ws");
  g_autofree char *proxied = advertised_signaling (server, forwarded_https);
  /* After two proxies the first value is what the client used. */
  g_autofree char *chained = advertised_signaling (server, (const char * const[]) {
    "X-Forwarded-Proto", "https, http", "X-Forwarded-Host", "class.school.example:8443, inner",
    NULL });
  /* A host that would break the URL is not used. */
  g_autofree char *hostile = advertised_signaling (server, (const char * const[]) {
    "X-Forwarded-Proto", "https", "X-Forwarded-Host", "evil.example/\"x", NULL });

  g_assert_cmpstr (direct, ==, expected_direct);
  g_assert_cmpstr (proxied, ==, "wss://class.school.example/v1/ws");
  g_assert_cmpstr (chained, ==, "wss://class.school.example:8443/v1/ws");
  g_assert_true (g_str_has_prefix (hostile, "wss://127.0.0.1:"));
}

/* Anyone can send these headers: from an address that is not a trusted proxy
 * they change nothing.
 */
static void
test_forwarded_from_untrusted_address (void)
{
  const char * const args[] = { "--http", "127.0.0.1:0", "--secret", "s", "--turn", "none",
                                "--trusted-proxy", "192.0.2.1", NULL };
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (args);
  g_autofree char *expected = kibitz_test_server_url (server, "/v1/ws");
  g_autofree char *url = advertised_signaling (server, forwarded_https);

  g_assert_cmpstr (url, ==, expected);
  g_assert_true (g_str_has_prefix (url, "ws://127.0.0.1:"));
}

static KibitzTestClient *
connect_as (KibitzTestServer *server,
            const char       *forwarded_for)
{
  g_autofree char *url = kibitz_test_server_url (server, "/v1/ws");
  g_autoptr(GError) error = NULL;
  KibitzTestClient *client = kibitz_test_client_connect_full (
    url, NULL, (const char * const[]) { "X-Forwarded-For", forwarded_for, NULL }, &error);

  g_assert_no_error (error);
  return client;
}

static void
assert_accepted (KibitzTestClient *client,
                 const char       *name)
{
  g_autoptr(JsonObject) welcome = kibitz_test_client_join (client, "proxied", name, NULL);

  g_assert_nonnull (welcome);
  g_assert_false (client->closed);
}

static void
assert_refused (KibitzTestClient *client)
{
  kibitz_test_expect_error (client, "rate-limited");
  g_assert_true (kibitz_test_client_wait_closed (client, 5000));
  g_assert_cmpuint (client->close_code, ==, 1008);
}

/* With every client behind one proxy address, the per-address limit counts
 * each client's own address from X-Forwarded-For.
 */
static void
test_forwarded_for_limit (void)
{
  const char * const args[] = { "--http", "127.0.0.1:0", "--secret", "s", "--turn", "none",
                                "--trusted-proxy", "127.0.0.1", "--trusted-proxy", "10.0.0.2",
                                "--max-connections-per-address", "1", NULL };
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (args);
  g_autoptr(KibitzTestClient) ada = connect_as (server, "198.51.100.7");
  g_autoptr(KibitzTestClient) bartek = connect_as (server, "198.51.100.8");
  /* Spoofed left-most entry, then an inner trusted proxy: still 198.51.100.7. */
  g_autoptr(KibitzTestClient) ada_again = connect_as (server,
                                                      "203.0.113.99, 198.51.100.7, 10.0.0.2");

  assert_refused (ada_again);
  assert_accepted (ada, "Ada");
  assert_accepted (bartek, "Bartek");
  g_assert_cmpuint (kibitz_test_metric (server, "kibitz_refused_connections_total"), ==, 1);
}

static void
test_forwarded_for_ignored_when_untrusted (void)
{
  const char * const args[] = { "--http", "127.0.0.1:0", "--secret", "s", "--turn", "none",
                                "--max-connections-per-address", "1", NULL };
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (args);
  g_autoptr(KibitzTestClient) ada = connect_as (server, "198.51.100.7");
  g_autoptr(KibitzTestClient) bartek = connect_as (server, "198.51.100.8");

  assert_refused (bartek);
  assert_accepted (ada, "Ada");
}

static void
test_bad_proxy_options (void)
{
  const char *server = g_getenv ("KIBITZ_SERVER_BIN");
  const char *bad[][2] = {
    { "--public-url", "class.school.example" },
    { "--public-url", "ftp://class.school.example" },
    { "--public-url", "https://class.school.example/?room=x" },
    { "--trusted-proxy", "nginx" },
    { "--trusted-proxy", "10.0.0.0/40" },
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
      g_assert_nonnull (strstr (err, bad[i][1]));
      g_test_message ("%s %s -> %s", bad[i][0], bad[i][1], g_strstrip (err));
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/proxy/public-url", test_public_url);
  g_test_add_func ("/server/proxy/public-url-with-prefix-and-port",
                   test_public_url_with_prefix_and_port);
  g_test_add_func ("/server/proxy/public-url-in-config-file", test_public_url_in_config_file);
  g_test_add_func ("/server/proxy/forwarded-from-trusted-proxy", test_forwarded_from_trusted_proxy);
  g_test_add_func ("/server/proxy/forwarded-from-untrusted-address",
                   test_forwarded_from_untrusted_address);
  g_test_add_func ("/server/proxy/forwarded-for-limit", test_forwarded_for_limit);
  g_test_add_func ("/server/proxy/forwarded-for-ignored-when-untrusted",
                   test_forwarded_for_ignored_when_untrusted);
  g_test_add_func ("/server/proxy/bad-options", test_bad_proxy_options);

  return g_test_run ();
}
