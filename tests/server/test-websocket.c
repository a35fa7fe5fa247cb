/* test-websocket.c: kibitz-server's own RFC 6455 framing, byte by byte, with
 * a hand-made client on a real socket (kibitz-ws-frame.c, kibitz-ws-conn.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "kibitz-test-raw.h"
#include "kibitz-test-server.h"

static const char * const default_args[] = { "--http", "127.0.0.1:0", "--secret", "test-secret",
                                             NULL };

static void
send_frame (GSocketConnection *raw,
            gboolean           fin,
            guint8             opcode,
            const char        *payload,
            gsize              length)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (kibitz_raw_ws_send_frame (raw, fin, opcode, (const guint8 *) payload, length,
                                           &error));
  g_assert_no_error (error);
}

/* Reads server frames until one with @opcode (pings and others are skipped). */
static char *
read_until (GSocketConnection *raw,
            guint8             wanted)
{
  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *payload = NULL;
      guint8 opcode = 0;

      if (kibitz_raw_ws_read_frame (raw, 5000, &opcode, &payload) != KIBITZ_RAW_FRAME)
        return NULL;
      if (opcode == wanted)
        return g_steal_pointer (&payload);
    }

  return NULL;
}

/* The server's close frame carries @code, and then the server hangs up. */
static void
assert_closed_with (GSocketConnection *raw,
                    guint              code)
{
  g_autofree char *payload = read_until (raw, 0x8);
  g_autofree char *after = NULL;
  guint8 opcode = 0;

  g_assert_nonnull (payload);
  g_assert_cmpuint (((guint8) payload[0] << 8) | (guint8) payload[1], ==, code);
  g_assert_cmpint (kibitz_raw_ws_read_frame (raw, 10000, &opcode, &after), ==, KIBITZ_RAW_CLOSED);
}

/* A join split over three frames, a ping between two of them, is one message;
 * so is a signal sent back in pieces.
 */
static void
test_fragmented (void)
{
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (default_args);
  g_autoptr(KibitzTestClient) bartek = kibitz_test_client_connect (server);
  g_autoptr(JsonObject) wb = kibitz_test_client_join (bartek, "room", "Bartek", NULL);
  g_autoptr(GSocketConnection) raw = kibitz_raw_ws_connect (server->http);
  g_autoptr(JsonObject) joined = NULL;
  g_autoptr(JsonObject) signal = NULL;
  g_autofree char *welcome = NULL;
  g_autofree char *pong = NULL;
  g_autofree char *tail = NULL;

  send_frame (raw, FALSE, 0x1, "{\"type\":\"jo", 11);
  send_frame (raw, FALSE, 0x0, "in\",\"room\":\"room\",", 18);
  send_frame (raw, TRUE, 0x9, "mid", 3);
  send_frame (raw, TRUE, 0x0, "\"name\":\"Zbyszek\"}", 17);

  pong = read_until (raw, 0xa);
  g_assert_cmpstr (pong, ==, "mid");
  welcome = read_until (raw, 0x1);
  g_assert_nonnull (welcome);
  g_assert_nonnull (strstr (welcome, "\"type\":\"welcome\""));
  joined = kibitz_test_client_wait (bartek, "joined", 5000);
  g_assert_nonnull (joined);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (joined, "peer"),
                                                  "name"), ==, "Zbyszek");

  tail = g_strdup_printf ("\"%s\",\"data\":{\"sdp\":\"v=0\"}}",
                          json_object_get_string_member (wb, "id"));
  send_frame (raw, FALSE, 0x1, "{\"type\":\"signal\",", 17);
  send_frame (raw, FALSE, 0x0, "\"to\":", 5);
  send_frame (raw, TRUE, 0x0, tail, strlen (tail));
  signal = kibitz_test_client_wait (bartek, "signal", 5000);
  g_assert_nonnull (signal);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (signal, "data"),
                                                  "sdp"), ==, "v=0");
}

/* RFC 6455 §5.1: a client's frames are masked; an unmasked one is a
 * protocol error.
 */
static void
test_unmasked (void)
{
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (default_args);
  g_autoptr(GSocketConnection) raw = kibitz_raw_ws_connect (server->http);
  g_autoptr(GError) error = NULL;
  const char frame[] = "\x81\x0b{\"type\":\"x\"}";

  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (raw)), frame,
                             sizeof frame - 1, NULL, NULL, &error);
  g_assert_no_error (error);
  assert_closed_with (raw, 1002);
}

static void
test_oversized_control (void)
{
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (default_args);
  g_autoptr(GSocketConnection) raw = kibitz_raw_ws_connect (server->http);
  g_autofree char *payload = g_strnfill (126, 'p');

  send_frame (raw, TRUE, 0x9, payload, 126);
  assert_closed_with (raw, 1002);
}

static void
test_fragmented_control (void)
{
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (default_args);
  g_autoptr(GSocketConnection) raw = kibitz_raw_ws_connect (server->http);

  send_frame (raw, FALSE, 0x9, "half", 4);
  assert_closed_with (raw, 1002);
}

static void
test_stray_continuation (void)
{
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (default_args);
  g_autoptr(GSocketConnection) raw = kibitz_raw_ws_connect (server->http);

  send_frame (raw, TRUE, 0x0, "{}", 2);
  assert_closed_with (raw, 1002);
}

/* Split inside a character, the pieces still make valid UTF-8; "\xc3\x28"
 * never does.
 */
static void
test_invalid_utf8 (void)
{
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (default_args);
  g_autoptr(GSocketConnection) raw = kibitz_raw_ws_connect (server->http);
  g_autofree char *error = NULL;
  const char *join_a = "{\"type\":\"join\",\"room\":\"Gr\xc3";
  const char *join_b = "\xbc\x6e\",\"name\":\"Zo\xc3\xab\"}";

  send_frame (raw, FALSE, 0x1, join_a, strlen (join_a));
  send_frame (raw, TRUE, 0x0, join_b, strlen (join_b));
  error = read_until (raw, 0x1);
  g_assert_nonnull (strstr (error, "\"type\":\"welcome\""));

  send_frame (raw, TRUE, 0x1, "{\"type\":\"chat\",\"text\":\"\xc3\x28\"}", 27);
  assert_closed_with (raw, 1007);

  /* A NUL is refused too, as g_utf8_validate_len() always did, also when
   * it hides in the middle of an otherwise ASCII word.
   */
  {
    g_autoptr(GSocketConnection) other = kibitz_raw_ws_connect (server->http);
    const char nul[] = "{\"type\":\"join\",\"room\":\"ab\0cd\",\"name\":\"Zoe\"}";

    send_frame (other, TRUE, 0x1, nul, sizeof nul - 1);
    assert_closed_with (other, 1007);
  }
}

/* The client closes: the server answers with the same code and hangs up. */
static void
test_close_handshake (void)
{
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (default_args);
  g_autoptr(GSocketConnection) raw = kibitz_raw_ws_connect (server->http);

  send_frame (raw, TRUE, 0x8, "\x0f\xa0going home", 12);
  assert_closed_with (raw, 4000);

  /* A close code nobody may send is a protocol error. */
  {
    g_autoptr(GSocketConnection) other = kibitz_raw_ws_connect (server->http);

    send_frame (other, TRUE, 0x8, "\x03\xed", 2);
    assert_closed_with (other, 1002);
  }
}

static void
test_ping_pong (void)
{
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (default_args);
  g_autoptr(GSocketConnection) raw = kibitz_raw_ws_connect (server->http);
  g_autofree char *empty = NULL;
  g_autofree char *pong = NULL;
  g_autofree char *full = g_strnfill (125, 'z');
  g_autofree char *pong_full = NULL;

  send_frame (raw, TRUE, 0x9, "", 0);
  empty = read_until (raw, 0xa);
  g_assert_cmpstr (empty, ==, "");
  send_frame (raw, TRUE, 0x9, "are you there?", 14);
  pong = read_until (raw, 0xa);
  g_assert_cmpstr (pong, ==, "are you there?");
  send_frame (raw, TRUE, 0x9, full, 125);
  pong_full = read_until (raw, 0xa);
  g_assert_cmpstr (pong_full, ==, full);
}

/* A client that stops reading while signals pile up for it is dropped once
 * 8 MiB wait in its queue, instead of growing the server without bound.
 */
static void
test_reader_that_never_reads (void)
{
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (default_args);
  g_autoptr(GSocketConnection) raw = kibitz_raw_ws_connect (server->http);
  g_autoptr(KibitzTestClient) ada = kibitz_test_client_connect (server);
  g_autoptr(JsonObject) wa = NULL;
  g_autoptr(JsonObject) joined = NULL;
  g_autofree char *pad = g_strnfill (60000, 'x');
  const char *join = "{\"type\":\"join\",\"room\":\"room\",\"name\":\"Zbyszek\"}";
  const char *id;

  send_frame (raw, TRUE, 0x1, join, strlen (join));
  wa = kibitz_test_client_join (ada, "room", "Ada", NULL);
  joined = kibitz_test_client_wait (ada, "joined", 5000);
  if (joined == NULL)
    {
      JsonArray *peers = json_object_get_array_member (wa, "peers");

      g_assert_cmpuint (json_array_get_length (peers), ==, 1);
      id = json_object_get_string_member (json_array_get_object_element (peers, 0), "id");
    }
  else
    {
      id = json_object_get_string_member (json_object_get_object_member (joined, "peer"), "id");
    }

  /* 300 signals of 60 KB: 18 MB for a socket that reads nothing. */
  for (guint i = 0; i < 300; i++)
    kibitz_test_client_send (ada, "{\"type\":\"signal\",\"to\":\"%s\",\"data\":{\"pad\":\"%s\"}}",
                             id, pad);
  /* It keeps pinging (it is not silent: only its queue can get it dropped). */
  for (guint i = 0; i < 60 && kibitz_test_metric (server, "kibitz_connections") != 1; i++)
    {
      g_autoptr(GError) error = NULL;

      kibitz_raw_ws_send_frame (raw, TRUE, 0x9, (const guint8 *) "hi", 2, &error);
      kibitz_test_spin (500);
    }
  g_assert_cmpuint (kibitz_test_metric (server, "kibitz_connections"), ==, 1);
  g_assert_false (ada->closed);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/websocket/fragmented", test_fragmented);
  g_test_add_func ("/server/websocket/unmasked-frame", test_unmasked);
  g_test_add_func ("/server/websocket/oversized-control-frame", test_oversized_control);
  g_test_add_func ("/server/websocket/fragmented-control-frame", test_fragmented_control);
  g_test_add_func ("/server/websocket/stray-continuation", test_stray_continuation);
  g_test_add_func ("/server/websocket/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/server/websocket/close-handshake", test_close_handshake);
  g_test_add_func ("/server/websocket/ping-pong", test_ping_pong);
  g_test_add_func ("/server/websocket/reader-that-never-reads", test_reader_that_never_reads);

  return g_test_run ();
}
