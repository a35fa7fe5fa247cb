/* test-ice-servers.c: RTCIceServer JSON -> webrtcbin URIs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "kibitz-ice-servers.h"
#include "kibitz-protocol-error.h"

static JsonArray *
parse_array (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  return json_array_ref (json_node_get_array (json_parser_get_root (parser)));
}

static void
test_protocol_example (void)
{
  g_autoptr(JsonArray) servers = parse_array (
    "[{\"urls\": [\"stun:127.0.0.1:3478\"]},"
    " {\"urls\": [\"turn:127.0.0.1:3478?transport=udp\", \"turn:127.0.0.1:3478?transport=tcp\"],"
    "  \"username\": \"1764000000:p-4f1c\", \"credential\": \"a+b/c=\"}]");
  g_autoptr(GError) error = NULL;
  g_autofree char *stun = NULL;
  g_auto(GStrv) turn = NULL;

  g_assert_true (kibitz_ice_servers_to_webrtc (servers, &stun, &turn, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (stun, ==, "stun://127.0.0.1:3478");
  g_assert_cmpuint (g_strv_length (turn), ==, 2);
  g_assert_cmpstr (turn[0], ==, "turn://1764000000%3Ap-4f1c:a%2Bb%2Fc%3D@127.0.0.1:3478?transport=udp");
  g_assert_cmpstr (turn[1], ==, "turn://1764000000%3Ap-4f1c:a%2Bb%2Fc%3D@127.0.0.1:3478?transport=tcp");
}

static void
test_defaults_and_forms (void)
{
  struct {
    const char *url;
    const char *expected;
  } cases[] = {
    { "stun:stun.example.org", "stun://stun.example.org:3478" },
    { "stun:[::1]:19302", "stun://[::1]:19302" },
    { "turn:relay.example.org", "turn://u:p@relay.example.org:3478?transport=udp" },
    { "turns:relay.example.org", "turns://u:p@relay.example.org:5349?transport=tcp" },
    { "turn:relay.example.org:443?transport=tcp", "turn://u:p@relay.example.org:443?transport=tcp" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *uri = kibitz_ice_server_url_to_webrtc (cases[i].url, "u", "p", &error);

      g_assert_no_error (error);
      g_assert_cmpstr (uri, ==, cases[i].expected);
    }
}

static void
test_bad_urls (void)
{
  const char *bad[] = {
    "turn:relay.example.org:99999",
    "turn:relay.example.org:3478?transport=sctp",
    "stun::3478",
    "turn:[::1",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *uri = kibitz_ice_server_url_to_webrtc (bad[i], "u", "p", &error);

      g_assert_null (uri);
      g_assert_error (error, KIBITZ_PROTOCOL_ERROR, KIBITZ_PROTOCOL_ERROR_BAD_REQUEST);
      g_assert_nonnull (strstr (error->message, bad[i]));
    }
}

static void
test_turn_needs_credentials (void)
{
  g_autoptr(JsonArray) servers = parse_array (
    "[{\"urls\": [\"turn:127.0.0.1\"], \"username\": \"1:a\"}]");
  g_autoptr(GError) error = NULL;
  g_autofree char *stun = NULL;
  g_auto(GStrv) turn = NULL;

  g_assert_false (kibitz_ice_servers_to_webrtc (servers, &stun, &turn, &error));
  g_assert_error (error, KIBITZ_PROTOCOL_ERROR, KIBITZ_PROTOCOL_ERROR_BAD_REQUEST);
}

/* /v1/config of a server whose relay belongs to the class lists its TURN
 * URLs without credentials (protocol.md §4): they are left out, and its STUN
 * URL is used. */
static void
test_turn_without_credentials_skipped (void)
{
  g_autoptr(JsonArray) servers = parse_array (
    "[{\"urls\": [\"stun:127.0.0.1:3478\", \"turn:127.0.0.1:3478\", "
    "\"turn:127.0.0.1:3478?transport=tcp\"]}]");
  g_autoptr(GError) error = NULL;
  g_autofree char *stun = NULL;
  g_auto(GStrv) turn = NULL;

  g_assert_true (kibitz_ice_servers_to_webrtc (servers, &stun, &turn, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (stun, ==, "stun://127.0.0.1:3478");
  g_assert_cmpuint (g_strv_length (turn), ==, 0);
}

static void
test_first_stun_wins_unknown_skipped (void)
{
  g_autoptr(JsonArray) servers = parse_array (
    "[{\"urls\": \"stun:a.example:1\"}, {\"urls\": [\"stun:b.example:2\", \"http://x\"]}]");
  g_autoptr(GError) error = NULL;
  g_autofree char *stun = NULL;
  g_auto(GStrv) turn = NULL;

  g_assert_true (kibitz_ice_servers_to_webrtc (servers, &stun, &turn, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (stun, ==, "stun://a.example:1");
  g_assert_cmpuint (g_strv_length (turn), ==, 0);
}

static void
test_empty (void)
{
  g_autoptr(JsonArray) servers = parse_array ("[]");
  g_autoptr(GError) error = NULL;
  g_autofree char *stun = NULL;
  g_auto(GStrv) turn = NULL;

  g_assert_true (kibitz_ice_servers_to_webrtc (servers, &stun, &turn, &error));
  g_assert_null (stun);
  g_assert_nonnull (turn);
  g_assert_null (turn[0]);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/protocol/ice-servers/protocol-example-is-escaped", test_protocol_example);
  g_test_add_func ("/protocol/ice-servers/default-ports-and-forms", test_defaults_and_forms);
  g_test_add_func ("/protocol/ice-servers/bad-urls-are-named", test_bad_urls);
  g_test_add_func ("/protocol/ice-servers/turn-needs-credentials", test_turn_needs_credentials);
  g_test_add_func ("/protocol/ice-servers/turn-without-credentials-skipped",
                   test_turn_without_credentials_skipped);
  g_test_add_func ("/protocol/ice-servers/first-stun-wins-unknown-skipped",
                   test_first_stun_wins_unknown_skipped);
  g_test_add_func ("/protocol/ice-servers/empty", test_empty);

  return g_test_run ();
}
