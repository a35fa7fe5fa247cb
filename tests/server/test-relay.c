/* test-relay.c: the built-in relay as kibitz-server runs it, driven by
 * coturn's own client with the credentials a real welcome hands out.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "kibitz-test-server.h"

static void
test_published_urls (void)
{
  const char * const args[] = { "--http", "127.0.0.1:0", "--secret", "s",
                                "--turn-tcp", "127.0.0.1:0", "--public-host", "class.example", NULL };
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (args);
  g_autoptr(KibitzTestClient) a = kibitz_test_client_connect (server);
  g_autoptr(JsonObject) welcome = kibitz_test_client_join (a, "room", "Ada", NULL);
  JsonArray *servers = json_object_get_array_member (welcome, "ice_servers");
  JsonArray *stun = json_object_get_array_member (json_array_get_object_element (servers, 0), "urls");
  JsonArray *turn = json_object_get_array_member (json_array_get_object_element (servers, 1), "urls");
  const char *port = strrchr (server->turn, ':') + 1;
  const char *extra_port = strrchr (server->lines[2], ':') + 1;
  g_autofree char *stun_url = g_strdup_printf ("stun:class.example:%s", port);
  g_autofree char *udp_url = g_strdup_printf ("turn:class.example:%s?transport=udp", port);
  g_autofree char *tcp_url = g_strdup_printf ("turn:class.example:%s?transport=tcp", port);
  g_autofree char *extra_url = g_strdup_printf ("turn:class.example:%s?transport=tcp", extra_port);

  g_assert_cmpuint (g_strv_length (server->lines), ==, 4);
  g_assert_true (g_str_has_prefix (server->lines[2], "listening turn-tcp 127.0.0.1:"));
  g_assert_cmpstr (json_array_get_string_element (stun, 0), ==, stun_url);
  g_assert_cmpuint (json_array_get_length (turn), ==, 3);
  g_assert_cmpstr (json_array_get_string_element (turn, 0), ==, udp_url);
  g_assert_cmpstr (json_array_get_string_element (turn, 1), ==, tcp_url);
  g_assert_cmpstr (json_array_get_string_element (turn, 2), ==, extra_url);
}

/* A class whose member relays through the built-in TURN: the bytes show up
 * under the room's name in /metrics (the article's TURN cost, per class),
 * also after the member has left.
 */
static void
test_room_accounting (void)
{
  const char * const args[] = { "--http", "127.0.0.1:0", "--secret", "relay-secret",
                                "--allow-peer", "127.0.0.0/8", NULL };
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (args);
  g_autoptr(KibitzTestClient) a = kibitz_test_client_connect (server);
  g_autoptr(JsonObject) welcome = kibitz_test_client_join (a, "Relay class", "Ada", NULL);
  JsonArray *servers = json_object_get_array_member (welcome, "ice_servers");
  JsonObject *turn = json_array_get_object_element (servers, 1);
  const char *port = strrchr (server->turn, ':') + 1;
  const char *argv[] = { "timeout", "60", "turnutils_uclient", "-y", "-n", "100", "-m", "1",
                         "-l", "200", "-u", json_object_get_string_member (turn, "username"),
                         "-w", json_object_get_string_member (turn, "credential"),
                         "-p", port, "127.0.0.1", NULL };
  g_autofree char *output = NULL;
  guint64 to_peers;

  output = kibitz_test_run (argv);
  g_assert_nonnull (strstr (output, "Total lost packets 0 (0.000000%)"));

  kibitz_test_client_send (a, "{\"type\":\"leave\"}");
  g_assert_true (kibitz_test_client_wait_closed (a, 5000));

  to_peers = kibitz_test_metric (server,
                                 "kibitz_turn_room_bytes_total{room=\"Relay class\",direction=\"to_peers\"}");
  g_test_message ("room bytes to peers: %" G_GUINT64_FORMAT, to_peers);
  g_assert_cmpuint (to_peers, >=, 100 * 200);
  g_assert_cmpuint (kibitz_test_metric (server, "kibitz_turn_bytes_to_peers_total"), >=, to_peers);

  /* uclient -y: the two sessions relay to each other, and the relay hands
   * those packets over inside itself; the room's bytes count both ways. */
  g_assert_cmpuint (kibitz_test_metric (server, "kibitz_turn_internal_packets_total"), >=, 2 * 100);
  g_assert_cmpuint (kibitz_test_metric (server, "kibitz_turn_room_bytes_total{room=\"Relay class\","
                                                "direction=\"from_peers\"}"), ==, to_peers);
}

/* Credentials from another secret are refused, and counted. */
static void
test_wrong_secret (void)
{
  const char * const args[] = { "--http", "127.0.0.1:0", "--secret", "right",
                                "--allow-peer", "127.0.0.0/8", NULL };
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (args);
  const char *port = strrchr (server->turn, ':') + 1;
  const char *argv[] = { "timeout", "30", "turnutils_uclient", "-y", "-n", "5", "-m", "1",
                         "-W", "wrong", "-u", "p-x", "-p", port, "127.0.0.1", NULL };
  g_autoptr(GError) error = NULL;
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
                G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_false (g_spawn_check_wait_status (status, NULL));
  g_assert_cmpuint (kibitz_test_metric (server, "kibitz_turn_auth_failures_total"), >=, 1);
  g_assert_cmpuint (kibitz_test_metric (server, "kibitz_turn_allocations"), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/relay/published-urls", test_published_urls);
  g_test_add_func ("/server/relay/room-accounting", test_room_accounting);
  g_test_add_func ("/server/relay/wrong-secret", test_wrong_secret);

  return g_test_run ();
}
