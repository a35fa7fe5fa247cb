/* test-signaling.c: kibitz-server over real WebSockets on loopback.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "kibitz-test-raw.h"
#include "kibitz-test-server.h"

static const char * const default_args[] = { "--http", "127.0.0.1:0", "--secret", "test-secret",
                                             NULL };

static const char *
peer_id (JsonObject *welcome)
{
  return json_object_get_string_member (welcome, "id");
}

/* A client that joined, with its welcome. */
typedef struct {
  KibitzTestClient *client;
  JsonObject       *welcome;
} Member;

static Member
member_join (KibitzTestServer *server,
             const char       *room,
             const char       *name)
{
  Member member;

  member.client = kibitz_test_client_connect (server);
  member.welcome = kibitz_test_client_join (member.client, room, name, NULL);

  return member;
}

static void
member_clear (Member *member)
{
  g_clear_pointer (&member->client, kibitz_test_client_free);
  g_clear_pointer (&member->welcome, json_object_unref);
}

/* Sends a signal from @from to @to and checks it arrives unchanged. */
static void
assert_signal_flows (Member *from,
                     Member *to)
{
  g_autoptr(JsonObject) signal = NULL;
  JsonObject *data;

  kibitz_test_client_send (from->client,
                           "{\"type\":\"signal\",\"to\":\"%s\",\"data\":{\"ice\":{\"candidate\":"
                           "\"candidate:1 1 UDP 1 127.0.0.1 9 typ host\",\"sdpMLineIndex\":0}}}",
                           peer_id (to->welcome));
  signal = kibitz_test_client_wait (to->client, "signal", 5000);
  g_assert_nonnull (signal);
  g_assert_cmpstr (json_object_get_string_member (signal, "from"), ==, peer_id (from->welcome));
  data = json_object_get_object_member (signal, "data");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (data, "ice"),
                                                  "candidate"),
                   ==, "candidate:1 1 UDP 1 127.0.0.1 9 typ host");
}

static void
test_listening_line (void)
{
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (default_args);

  g_autofree char *tcp = NULL;

  /* The relay's listeners come first, UDP and TCP on one port, then http. */
  g_assert_cmpuint (g_strv_length (server->lines), ==, 3);
  g_assert_true (g_regex_match_simple ("^listening turn-udp 127\\.0\\.0\\.1:[1-9][0-9]*$",
                                       server->lines[0], 0, 0));
  tcp = g_strdup_printf ("listening turn-tcp %s", server->turn);
  g_assert_cmpstr (server->lines[1], ==, tcp);
  g_assert_true (g_regex_match_simple ("^listening http 127\\.0\\.0\\.1:[1-9][0-9]*$",
                                       server->lines[2], 0, 0));
}

static void
test_rooms_by_name (void)
{
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (default_args);
  Member a = member_join (server, "Chess 101", "Ada");
  Member b = member_join (server, "  ｃｈｅｓｓ 101 ", "Bartek");
  Member c = member_join (server, "Chess 102", "Celina");
  g_autoptr(JsonObject) joined = NULL;
  JsonArray *peers;
  JsonObject *listed;

  /* "Chess 101" and a full-width, lower-case, padded spelling are one room. */
  peers = json_object_get_array_member (b.welcome, "peers");
  g_assert_cmpuint (json_array_get_length (peers), ==, 1);
  listed = json_array_get_object_element (peers, 0);
  g_assert_cmpstr (json_object_get_string_member (listed, "id"), ==, peer_id (a.welcome));
  g_assert_cmpstr (json_object_get_string_member (listed, "name"), ==, "Ada");
  g_assert_true (json_object_has_member (listed, "state"));
  g_assert_cmpstr (json_object_get_string_member (b.welcome, "room"), ==, "Chess 101");
  g_assert_false (json_object_get_boolean_member (b.welcome, "resumed"));
  g_assert_cmpstr (peer_id (a.welcome), !=, peer_id (b.welcome));
  g_assert_true (json_object_has_member (b.welcome, "resume"));
  g_assert_true (json_object_has_member (b.welcome, "ice_servers"));

  joined = kibitz_test_client_wait (a.client, "joined", 5000);
  g_assert_nonnull (joined);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (joined, "peer"), "id"),
                   ==, peer_id (b.welcome));

  /* Another room sees nobody. */
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (c.welcome, "peers")), ==, 0);
  kibitz_test_client_assert_no (c.client, "joined", 300);

  assert_signal_flows (&a, &b);
  assert_signal_flows (&b, &a);

  member_clear (&a);
  member_clear (&b);
  member_clear (&c);
}

static void
test_signal_rules (void)
{
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (default_args);
  Member a = member_join (server, "room-a", "Ada");
  Member b = member_join (server, "room-a", "Bartek");
  Member c = member_join (server, "room-c", "Celina");

  /* "from" is always stamped by the server, whatever the sender claims. */
  kibitz_test_client_send (a.client, "{\"type\":\"signal\",\"to\":\"%s\",\"from\":\"%s\","
                           "\"data\":{\"restart\":true}}", peer_id (b.welcome), peer_id (c.welcome));
  {
    g_autoptr(JsonObject) signal = kibitz_test_client_wait (b.client, "signal", 5000);

    g_assert_nonnull (signal);
    g_assert_cmpstr (json_object_get_string_member (signal, "from"), ==, peer_id (a.welcome));
    g_assert_true (json_object_get_boolean_member (json_object_get_object_member (signal, "data"),
                                                   "restart"));
  }

  /* A peer in another room, nobody, and oneself are all unknown. */
  kibitz_test_client_send (a.client, "{\"type\":\"signal\",\"to\":\"%s\",\"data\":{}}",
                           peer_id (c.welcome));
  kibitz_test_expect_error (a.client, "unknown-peer");
  kibitz_test_client_assert_no (c.client, "signal", 300);
  kibitz_test_client_send (a.client, "{\"type\":\"signal\",\"to\":\"p-nobody\",\"data\":{}}");
  kibitz_test_expect_error (a.client, "unknown-peer");

  assert_signal_flows (&b, &a);

  member_clear (&a);
  member_clear (&b);
  member_clear (&c);
}

static void
test_state_and_chat (void)
{
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (default_args);
  Member a = member_join (server, "room", "Ada");
  Member b = member_join (server, "room", "Bartek");
  g_autoptr(JsonObject) state = NULL;
  g_autoptr(JsonObject) chat_a = NULL;
  g_autoptr(JsonObject) chat_b = NULL;
  g_autofree char *too_long = g_strnfill (2001, 'x');
  gint64 now_ms = g_get_real_time () / 1000;

  kibitz_test_client_send (a.client, "{\"type\":\"state\",\"video\":false,\"hand\":true}");
  state = kibitz_test_client_wait (b.client, "state", 5000);
  g_assert_nonnull (state);
  g_assert_cmpstr (json_object_get_string_member (state, "from"), ==, peer_id (a.welcome));
  g_assert_false (json_object_get_boolean_member (state, "video"));
  g_assert_true (json_object_get_boolean_member (state, "hand"));

  kibitz_test_client_send (b.client, "{\"type\":\"chat\",\"text\":\"Dzień dobry!\"}");
  chat_a = kibitz_test_client_wait (a.client, "chat", 5000);
  chat_b = kibitz_test_client_wait (b.client, "chat", 5000);
  g_assert_nonnull (chat_a);
  g_assert_nonnull (chat_b);
  g_assert_cmpstr (json_object_get_string_member (chat_a, "text"), ==, "Dzień dobry!");
  g_assert_cmpstr (json_object_get_string_member (chat_a, "name"), ==, "Bartek");
  g_assert_cmpstr (json_object_get_string_member (chat_a, "from"), ==, peer_id (b.welcome));
  g_assert_cmpint (ABS (json_object_get_int_member (chat_a, "ts") - now_ms), <, 10000);

  kibitz_test_client_send (b.client, "{\"type\":\"chat\",\"text\":\"\"}");
  kibitz_test_expect_error (b.client, "bad-request");
  kibitz_test_client_send (b.client, "{\"type\":\"chat\",\"text\":\"%s\"}", too_long);
  kibitz_test_expect_error (b.client, "bad-request");
  kibitz_test_client_assert_no (a.client, "chat", 300);

  /* A newcomer sees the state that was set before it came. */
  {
    Member c = member_join (server, "room", "Celina");
    JsonArray *peers = json_object_get_array_member (c.welcome, "peers");
    JsonObject *first = json_array_get_object_element (peers, 0);
    JsonObject *first_state = json_object_get_object_member (first, "state");

    g_assert_cmpstr (json_object_get_string_member (first, "id"), ==, peer_id (a.welcome));
    g_assert_false (json_object_get_boolean_member (first_state, "video"));
    g_assert_true (json_object_get_boolean_member (first_state, "audio"));
    g_assert_true (json_object_get_boolean_member (first_state, "hand"));
    member_clear (&c);
  }

  member_clear (&a);
  member_clear (&b);
}

static void
test_leave (void)
{
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (default_args);
  Member a = member_join (server, "room", "Ada");
  Member b = member_join (server, "room", "Bartek");
  g_autoptr(JsonObject) left = NULL;

  kibitz_test_client_send (a.client, "{\"type\":\"leave\"}");
  left = kibitz_test_client_wait (b.client, "left", 5000);
  g_assert_nonnull (left);
  g_assert_cmpstr (json_object_get_string_member (left, "id"), ==, peer_id (a.welcome));
  g_assert_cmpstr (json_object_get_string_member (left, "reason"), ==, "leave");
  g_assert_true (kibitz_test_client_wait_closed (a.client, 5000));

  member_clear (&a);
  member_clear (&b);
}

/* Every bad input gets its error, and the room goes on working. */
static void
test_bad_input (void)
{
  const char * const args[] = { "--http", "127.0.0.1:0", "--secret", "s", "--max-room-size", "3",
                                NULL };
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (args);
  Member a = member_join (server, "room", "Ada");
  Member b = member_join (server, "room", "Bartek");
  g_autoptr(KibitzTestClient) fresh = kibitz_test_client_connect (server);
  g_autofree char *long_room = g_strnfill (65, 'r');
  static const char * const bad_requests[] = {
    "{\"type\":\"join\"", "[1,2]", "\"join\"", "{}", "{\"type\":5}",
    "{\"type\":\"signal\",\"to\":5,\"data\":{}}", "{\"type\":\"signal\",\"to\":\"x\",\"data\":[]}",
    "{\"type\":\"state\",\"audio\":\"yes\"}", "{\"type\":\"chat\",\"text\":7}",
  };

  /* Before joining. */
  kibitz_test_client_send (fresh, "{\"type\":\"dance\"}");
  kibitz_test_expect_error (fresh, "unknown-type");
  kibitz_test_client_send (fresh, "{\"type\":\"signal\",\"to\":\"x\",\"data\":{}}");
  kibitz_test_expect_error (fresh, "not-joined");
  kibitz_test_client_send (fresh, "{\"type\":\"join\",\"room\":5,\"name\":\"x\"}");
  kibitz_test_expect_error (fresh, "bad-request");
  kibitz_test_client_send (fresh, "{\"type\":\"join\",\"room\":\"   \",\"name\":\"x\"}");
  kibitz_test_expect_error (fresh, "bad-room");
  kibitz_test_client_send (fresh, "{\"type\":\"join\",\"room\":\"%s\",\"name\":\"x\"}", long_room);
  kibitz_test_expect_error (fresh, "bad-room");
  kibitz_test_client_send (fresh, "{\"type\":\"join\",\"room\":\"a\\u0007b\",\"name\":\"x\"}");
  kibitz_test_expect_error (fresh, "bad-room");
  kibitz_test_client_send (fresh, "{\"type\":\"join\",\"room\":\"room\",\"name\":\"\"}");
  kibitz_test_expect_error (fresh, "bad-name");
  /* Names that would lie to the others: "Ada \u202Erehcaet" shows as "Ada
   * teacher", "\u0422\u0435acher" is a Cyrillic look-alike, "\u3164" looks
   * like nobody; a room name with a bidi isolate. */
  kibitz_test_client_send (fresh, "{\"type\":\"join\",\"room\":\"room\",\"name\":\"Ada \\u202Erehcaet\"}");
  kibitz_test_expect_error (fresh, "bad-name");
  kibitz_test_client_send (fresh, "{\"type\":\"join\",\"room\":\"room\",\"name\":\"\\u0422\\u0435acher\"}");
  kibitz_test_expect_error (fresh, "bad-name");
  kibitz_test_client_send (fresh, "{\"type\":\"join\",\"room\":\"room\",\"name\":\"\\u3164\"}");
  kibitz_test_expect_error (fresh, "bad-name");
  kibitz_test_client_send (fresh, "{\"type\":\"join\",\"room\":\"\\u2067room\\u2069\",\"name\":\"x\"}");
  kibitz_test_expect_error (fresh, "bad-room");

  /* After joining. */
  for (guint i = 0; i < G_N_ELEMENTS (bad_requests); i++)
    {
      kibitz_test_client_send (a.client, "%s", bad_requests[i]);
      kibitz_test_expect_error (a.client, "bad-request");
    }
  kibitz_test_client_send (a.client, "{\"type\":\"welcome\"}");
  kibitz_test_expect_error (a.client, "unknown-type");
  kibitz_test_client_send (a.client, "{\"type\":\"join\",\"room\":\"room\",\"name\":\"Ada\"}");
  kibitz_test_expect_error (a.client, "already-joined");

  soup_websocket_connection_send_binary (a.client->ws, "\x01\x02", 2);
  kibitz_test_expect_error (a.client, "bad-request");

  /* Room of 3: the third fits, the fourth does not. */
  {
    Member c = member_join (server, "ROOM", "Celina");
    g_autoptr(KibitzTestClient) d = kibitz_test_client_connect (server);

    kibitz_test_client_send (d, "{\"type\":\"join\",\"room\":\"room\",\"name\":\"Dawid\"}");
    kibitz_test_expect_error (d, "room-full");
    member_clear (&c);
  }

  /* Nobody was thrown out, and the room still relays. */
  g_assert_false (a.client->closed);
  assert_signal_flows (&a, &b);
  assert_signal_flows (&b, &a);
  g_assert_cmpuint (kibitz_test_metric (server, "kibitz_errors_total{code=\"bad-request\"}"), ==, 11);

  member_clear (&a);
  member_clear (&b);
}

static void
test_too_large (void)
{
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (default_args);
  Member a = member_join (server, "room", "Ada");
  Member b = member_join (server, "room", "Bartek");
  g_autoptr(KibitzTestClient) c = kibitz_test_client_connect (server);
  g_autofree char *pad_ok = g_strnfill ((64 * 1024) - 200, 'x');
  g_autofree char *pad_big = g_strnfill ((64 * 1024) + 1, 'x');
  g_autoptr(JsonObject) signal = NULL;

  /* Just under 64 KiB is relayed whole. */
  kibitz_test_client_send (a.client, "{\"type\":\"signal\",\"to\":\"%s\",\"data\":{\"pad\":\"%s\"}}",
                           peer_id (b.welcome), pad_ok);
  signal = kibitz_test_client_wait (b.client, "signal", 5000);
  g_assert_nonnull (signal);

  /* One frame over it: the error, then close code 1009. */
  kibitz_test_client_send (c, "{\"type\":\"chat\",\"text\":\"%s\"}", pad_big);
  kibitz_test_expect_error (c, "too-large");
  g_assert_true (kibitz_test_client_wait_closed (c, 10000));
  g_assert_cmpuint (c->close_code, ==, 1009);

  assert_signal_flows (&a, &b);
  member_clear (&a);
  member_clear (&b);
}

static guint64
process_rss_kb (GSubprocess *process)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/status", g_subprocess_get_identifier (process));
  g_autofree char *text = NULL;
  const char *line;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  line = strstr (text, "VmRSS:");
  g_assert_nonnull (line);

  return g_ascii_strtoull (line + 6, NULL, 10);
}

/* libsoup 3.2 would reassemble an endless chain of continuation frames; the
 * server stops it at 64 KiB and stays small.
 */
static void
test_continuation_flood (void)
{
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (default_args);
  Member a = member_join (server, "room", "Ada");
  Member b = member_join (server, "room", "Bartek");
  g_autoptr(GSocketConnection) raw = kibitz_raw_ws_connect (server->http);
  g_autofree guint8 *chunk = g_malloc (60000);
  g_autoptr(GError) error = NULL;
  guint64 rss_before = process_rss_kb (server->process);
  guint sent = 0;
  char *text = NULL;
  guint8 opcode = 0;

  memset (chunk, 'x', 60000);
  g_socket_set_blocking (g_socket_connection_get_socket (raw), FALSE);
  g_assert_true (kibitz_raw_ws_send_frame (raw, FALSE, 0x1, (const guint8 *) "{\"type\":\"chat\",\"text\":\"",
                                           23, &error));
  /* Up to 200 MB of continuation frames, until the server stops reading. */
  for (guint i = 0; i < 3500; i++)
    {
      if (!kibitz_raw_ws_send_frame (raw, FALSE, 0x0, chunk, 60000, &error))
        break;
      sent++;
    }
  g_clear_error (&error);
  g_socket_set_blocking (g_socket_connection_get_socket (raw), TRUE);
  g_test_message ("sent %u continuation frames of 60000 bytes before the server stopped reading",
                  sent);
  g_assert_cmpuint (sent, <, 3500);

  for (guint i = 0; i < 5 && (text == NULL || opcode != 0x1); i++)
    {
      g_clear_pointer (&text, g_free);
      if (kibitz_raw_ws_read_frame (raw, 5000, &opcode, &text) != KIBITZ_RAW_FRAME)
        break;
    }
  g_assert_nonnull (text);
  g_assert_nonnull (strstr (text, "\"too-large\""));
  g_free (text);

  g_assert_cmpuint (process_rss_kb (server->process), <, rss_before + 8 * 1024);
  assert_signal_flows (&a, &b);

  member_clear (&a);
  member_clear (&b);
}

static void
test_rate_limit (void)
{
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (default_args);
  Member a = member_join (server, "room", "Ada");
  Member b = member_join (server, "room", "Bartek");
  guint received = 0;

  /* A burst of 500, then 100 a second for 2 s: all relayed, no error. */
  for (guint i = 0; i < 500; i++)
    kibitz_test_client_send (a.client, "{\"type\":\"state\",\"hand\":%s}", i % 2 ? "true" : "false");
  for (guint second = 0; second < 2; second++)
    {
      for (guint i = 0; i < 100; i++)
        {
          kibitz_test_client_send (a.client, "{\"type\":\"state\",\"audio\":true}");
          kibitz_test_spin (10);
        }
    }
  while (received < 700)
    {
      g_autoptr(JsonObject) state = kibitz_test_client_wait (b.client, "state", 5000);

      if (state == NULL)
        break;
      received++;
    }
  g_assert_cmpuint (received, ==, 700);
  kibitz_test_client_assert_no (a.client, "error", 200);

  /* A flood of 5000 at once is cut. */
  for (guint i = 0; i < 5000; i++)
    kibitz_test_client_send (a.client, "{\"type\":\"state\",\"audio\":true}");
  kibitz_test_expect_error (a.client, "rate-limited");
  g_assert_false (a.client->closed);

  member_clear (&a);
  member_clear (&b);
}

static void
test_connections_per_address (void)
{
  const char * const args[] = { "--http", "127.0.0.1:0", "--secret", "s",
                                "--max-connections-per-address", "3", NULL };
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (args);
  KibitzTestClient *clients[4];

  for (guint i = 0; i < 4; i++)
    clients[i] = kibitz_test_client_connect (server);

  kibitz_test_expect_error (clients[3], "rate-limited");
  g_assert_true (kibitz_test_client_wait_closed (clients[3], 5000));
  g_assert_cmpuint (clients[3]->close_code, ==, 1008);
  for (guint i = 0; i < 3; i++)
    g_assert_false (clients[i]->closed);

  /* A freed slot can be used again. */
  kibitz_test_client_free (clients[0]);
  kibitz_test_spin (300);
  clients[0] = kibitz_test_client_connect (server);
  kibitz_test_client_assert_no (clients[0], "error", 300);
  g_assert_false (clients[0]->closed);

  for (guint i = 0; i < 4; i++)
    kibitz_test_client_free (clients[i]);
}

static void
test_origin_allowlist (void)
{
  const char * const args[] = { "--http", "127.0.0.1:0", "--secret", "s",
                                "--allowed-origin", "https://school.example", NULL };
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (args);
  g_autofree char *url = kibitz_test_server_url (server, "/v1/ws");
  g_autoptr(GError) error = NULL;
  g_autoptr(KibitzTestClient) good = kibitz_test_client_connect_url (url, "https://school.example",
                                                                     &error);
  g_autoptr(KibitzTestClient) bad = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (good);
  bad = kibitz_test_client_connect_url (url, "https://evil.example", &error);
  g_assert_null (bad);
  g_assert_nonnull (error);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/signaling/listening-line", test_listening_line);
  g_test_add_func ("/server/signaling/rooms-by-name", test_rooms_by_name);
  g_test_add_func ("/server/signaling/signal-rules", test_signal_rules);
  g_test_add_func ("/server/signaling/state-and-chat", test_state_and_chat);
  g_test_add_func ("/server/signaling/leave", test_leave);
  g_test_add_func ("/server/signaling/bad-input", test_bad_input);
  g_test_add_func ("/server/signaling/too-large", test_too_large);
  g_test_add_func ("/server/signaling/continuation-flood", test_continuation_flood);
  g_test_add_func ("/server/signaling/rate-limit", test_rate_limit);
  g_test_add_func ("/server/signaling/connections-per-address", test_connections_per_address);
  g_test_add_func ("/server/signaling/origin-allowlist", test_origin_allowlist);

  return g_test_run ();
}
