/* test-rooms.c: the room logic alone, with a fake clock and no sockets.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "kibitz-message.h"
#include "kibitz-rooms.h"
#include "kibitz-signal-scan.h"
#include "rooms-fake.h"

static KibitzRooms *
rooms_new (guint max_room_size)
{
  KibitzRoomsConfig config = { .secret = "unit-secret", .max_room_size = max_room_size,
                               .policy = KIBITZ_ROOM_POLICY_OPEN };

  return fake_rooms_new (&config);
}

static char *
join (KibitzRooms *rooms,
      Socket      *socket,
      const char  *room,
      const char  *name,
      const char  *resume,
      gboolean    *resumed)
{
  g_autofree char *text = NULL;
  g_autoptr(JsonObject) welcome = NULL;

  if (resume)
    text = g_strdup_printf ("{\"type\":\"join\",\"room\":\"%s\",\"name\":\"%s\",\"resume\":\"%s\"}",
                            room, name, resume);
  else
    text = g_strdup_printf ("{\"type\":\"join\",\"room\":\"%s\",\"name\":\"%s\"}", room, name);
  socket_send (rooms, socket, text);
  welcome = socket_take (socket, "welcome");
  g_assert_nonnull (welcome);
  if (resumed)
    *resumed = json_object_get_boolean_member (welcome, "resumed");

  return g_strdup_printf ("%s|%s", json_object_get_string_member (welcome, "id"),
                          json_object_get_string_member (welcome, "resume"));
}

/* join() returns "id|token"; these split it. */
static char *
id_of (const char *joined)
{
  return g_strndup (joined, strchr (joined, '|') - joined);
}

static const char *
token_of (const char *joined)
{
  return strchr (joined, '|') + 1;
}

static void
test_same_room_after_normalisation (void)
{
  g_autoptr(KibitzRooms) rooms = rooms_new (0);
  Socket *a = socket_open (rooms);
  Socket *b = socket_open (rooms);
  Socket *c = socket_open (rooms);
  g_autofree char *ja = join (rooms, a, "Chess 101", "Ada", NULL, NULL);
  g_autofree char *jb = join (rooms, b, "ＣＨＥＳＳ　101", "Bartek", NULL, NULL);
  g_autofree char *jc = join (rooms, c, "Chess 1O1", "Celina", NULL, NULL);
  g_autoptr(JsonObject) joined = socket_take (a, "joined");

  g_assert_nonnull (joined);
  g_assert_cmpuint (kibitz_rooms_n_rooms (rooms), ==, 2);
  g_assert_cmpuint (kibitz_rooms_n_peers (rooms), ==, 3);

  socket_drop (rooms, a);
  socket_drop (rooms, b);
  socket_drop (rooms, c);
}

/* protocol.md: bursts of 500 and 100 a second sustained always pass. */
static void
test_rate_limit_never_bites_a_normal_client (void)
{
  g_autoptr(KibitzRooms) rooms = rooms_new (0);
  Socket *a = socket_open (rooms);
  Socket *b = socket_open (rooms);
  g_autofree char *ja = join (rooms, a, "r", "Ada", NULL, NULL);
  g_autofree char *jb = join (rooms, b, "r", "Bartek", NULL, NULL);
  g_autoptr(JsonObject) error = NULL;

  for (guint i = 0; i < 500; i++)
    socket_send (rooms, a, "{\"type\":\"state\",\"audio\":true}");
  for (guint second = 0; second < 120; second++)
    {
      for (guint i = 0; i < 100; i++)
        {
          fake_now += G_USEC_PER_SEC / 100;
          socket_send (rooms, a, "{\"type\":\"state\",\"audio\":true}");
        }
    }
  error = socket_take (a, "error");
  g_assert_null (error);
  g_assert_cmpuint (b->sent->len, ==, 500 + 12000 + 0);

  /* Ten times that, at once, is cut, and answered once, not ten thousand times. */
  for (guint i = 0; i < 10000; i++)
    socket_send (rooms, a, "{\"type\":\"state\",\"audio\":true}");
  assert_error (a, "rate-limited");
  g_assert_null (socket_take (a, "error"));
  g_assert_false (a->closed);

  socket_drop (rooms, a);
  socket_drop (rooms, b);
}

static void
test_grace_then_timeout (void)
{
  g_autoptr(KibitzRooms) rooms = rooms_new (0);
  Socket *a = socket_open (rooms);
  Socket *b = socket_open (rooms);
  g_autofree char *ja = join (rooms, a, "r", "Ada", NULL, NULL);
  g_autofree char *jb = join (rooms, b, "r", "Bartek", NULL, NULL);
  g_autofree char *a_id = id_of (ja);
  g_autoptr(JsonObject) left = NULL;

  socket_drop (rooms, a);
  fake_now += 14 * G_USEC_PER_SEC;
  kibitz_rooms_tick (rooms);
  g_assert_null (socket_take (b, "left"));
  g_assert_cmpuint (kibitz_rooms_n_peers (rooms), ==, 2);

  fake_now += 1 * G_USEC_PER_SEC;
  kibitz_rooms_tick (rooms);
  left = socket_take (b, "left");
  g_assert_nonnull (left);
  g_assert_cmpstr (json_object_get_string_member (left, "id"), ==, a_id);
  g_assert_cmpstr (json_object_get_string_member (left, "reason"), ==, "timeout");
  g_assert_cmpuint (kibitz_rooms_get_counters (rooms)->timeouts, ==, 1);

  socket_drop (rooms, b);
  g_assert_cmpuint (kibitz_rooms_n_rooms (rooms), ==, 1);
  fake_now += 15 * G_USEC_PER_SEC;
  kibitz_rooms_tick (rooms);
  g_assert_cmpuint (kibitz_rooms_n_rooms (rooms), ==, 0);
}

static void
test_resume_within_grace (void)
{
  g_autoptr(KibitzRooms) rooms = rooms_new (0);
  Socket *a = socket_open (rooms);
  Socket *b = socket_open (rooms);
  Socket *a2;
  g_autofree char *ja = join (rooms, a, "r", "Ada", NULL, NULL);
  g_autofree char *jb = join (rooms, b, "r", "Bartek", NULL, NULL);
  g_autofree char *a_id = id_of (ja);
  g_autofree char *ja2 = NULL;
  g_autofree char *a2_id = NULL;
  gboolean resumed = FALSE;

  socket_drop (rooms, a);
  g_ptr_array_set_size (b->sent, 0);

  /* 300 signals while Ada is away: the first 256 wait for her. */
  for (guint i = 0; i < 300; i++)
    {
      g_autofree char *text = g_strdup_printf ("{\"type\":\"signal\",\"to\":\"%s\","
                                               "\"data\":{\"n\":%u}}", a_id, i);

      socket_send (rooms, b, text);
    }
  g_assert_null (socket_take (b, "error"));

  fake_now += 10 * G_USEC_PER_SEC;
  a2 = socket_open (rooms);
  ja2 = join (rooms, a2, "R", "Ada", token_of (ja), &resumed);
  a2_id = id_of (ja2);
  g_assert_true (resumed);
  g_assert_cmpstr (a2_id, ==, a_id);
  g_assert_cmpuint (a2->sent->len, ==, 256);
  g_assert_null (socket_take (b, "joined"));
  g_assert_null (socket_take (b, "left"));

  fake_now += 60 * G_USEC_PER_SEC;
  kibitz_rooms_tick (rooms);
  g_assert_cmpuint (kibitz_rooms_n_peers (rooms), ==, 2);

  socket_drop (rooms, a2);
  socket_drop (rooms, b);
}

static void
test_replaced_socket (void)
{
  g_autoptr(KibitzRooms) rooms = rooms_new (0);
  Socket *a = socket_open (rooms);
  Socket *a2 = socket_open (rooms);
  g_autofree char *ja = join (rooms, a, "r", "Ada", NULL, NULL);
  gboolean resumed = FALSE;
  g_autofree char *ja2 = join (rooms, a2, "r", "Ada", token_of (ja), &resumed);
  g_autofree char *a_id = id_of (ja);
  g_autofree char *a2_id = id_of (ja2);

  g_assert_true (resumed);
  g_assert_cmpstr (a_id, ==, a2_id);
  assert_error (a, "replaced");
  g_assert_true (a->closed);

  /* The old socket's close does not start a grace period for the new one. */
  socket_drop (rooms, a);
  fake_now += 60 * G_USEC_PER_SEC;
  kibitz_rooms_tick (rooms);
  g_assert_cmpuint (kibitz_rooms_n_peers (rooms), ==, 1);

  socket_drop (rooms, a2);
}

static void
test_room_full_counts_absent_peers (void)
{
  g_autoptr(KibitzRooms) rooms = rooms_new (2);
  Socket *a = socket_open (rooms);
  Socket *b = socket_open (rooms);
  Socket *c = socket_open (rooms);
  g_autofree char *ja = join (rooms, a, "r", "Ada", NULL, NULL);
  g_autofree char *jb = join (rooms, b, "r", "Bartek", NULL, NULL);

  /* Ada's socket dropped, but her slot is kept for a resume. */
  socket_drop (rooms, a);
  socket_send (rooms, c, "{\"type\":\"join\",\"room\":\"r\",\"name\":\"Celina\"}");
  assert_error (c, "room-full");

  fake_now += 16 * G_USEC_PER_SEC;
  kibitz_rooms_tick (rooms);
  socket_send (rooms, c, "{\"type\":\"join\",\"room\":\"r\",\"name\":\"Celina\"}");
  g_autoptr(JsonObject) welcome = socket_take (c, "welcome");
  g_assert_nonnull (welcome);

  socket_drop (rooms, b);
  socket_drop (rooms, c);
}

/* Every wire error code can be produced. */
static void
test_every_error_code (void)
{
  g_autoptr(KibitzRooms) rooms = rooms_new (1);
  Socket *a = socket_open (rooms);
  Socket *b = socket_open (rooms);
  Socket *c = socket_open (rooms);
  Socket *a2 = socket_open (rooms);
  g_autofree char *big = g_strnfill (KIBITZ_MESSAGE_MAX_SIZE + 1, ' ');
  g_autofree char *ja = NULL;
  g_autofree char *ja2 = NULL;
  const KibitzRoomsCounters *counters = kibitz_rooms_get_counters (rooms);

  socket_send (rooms, a, "not json");
  assert_error (a, "bad-request");
  socket_send (rooms, a, "{\"type\":\"chat\",\"text\":\"hi\"}");
  assert_error (a, "not-joined");
  socket_send (rooms, a, "{\"type\":\"jump\"}");
  assert_error (a, "unknown-type");
  socket_send (rooms, a, "{\"type\":\"join\",\"room\":\"\",\"name\":\"Ada\"}");
  assert_error (a, "bad-room");
  socket_send (rooms, a, "{\"type\":\"join\",\"room\":\"r\",\"name\":\"\\n\"}");
  assert_error (a, "bad-name");
  ja = join (rooms, a, "r", "Ada", NULL, NULL);
  socket_send (rooms, a, "{\"type\":\"join\",\"room\":\"r\",\"name\":\"Ada\"}");
  assert_error (a, "already-joined");
  socket_send (rooms, a, "{\"type\":\"signal\",\"to\":\"p-0\",\"data\":{}}");
  assert_error (a, "unknown-peer");
  socket_send (rooms, b, "{\"type\":\"join\",\"room\":\"r\",\"name\":\"Bartek\"}");
  assert_error (b, "room-full");
  kibitz_rooms_receive (rooms, c->client, big, strlen (big));
  assert_error (c, "too-large");
  g_assert_true (c->closed);
  g_assert_cmpuint (c->close_code, ==, 1009);
  ja2 = join (rooms, a2, "r", "Ada", token_of (ja), NULL);
  assert_error (a, "replaced");
  socket_send (rooms, a2, "{\"type\":\"move\",\"san\":\"e5\"}");
  assert_error (a2, "illegal-move");
  socket_send (rooms, a2, "{\"type\":\"board-set\",\"fen\":\"8/8 w\"}");
  assert_error (a2, "bad-fen");
  socket_send (rooms, a2, "{\"type\":\"board-set\",\"pgn\":\"1. e5 *\"}");
  assert_error (a2, "bad-pgn");
  for (guint i = 0; i < 2000; i++)
    socket_send (rooms, b, "{\"type\":\"leave\"}");
  {
    /* The bucket holds 1000; the room-full join took one: 999 not-joined, then the limit. */
    JsonObject *last = g_ptr_array_index (b->sent, b->sent->len - 1);

    g_assert_cmpuint (b->sent->len, ==, 1000);
    g_assert_cmpstr (json_object_get_string_member (last, "code"), ==, "rate-limited");
  }

  /* Every code of §2 and §5 but `forbidden` (in an open room everyone may do
   * everything); §4's are for classes, tested in test-class.c. */
  for (guint i = 0; i < KIBITZ_PROTOCOL_ERROR_FORBIDDEN; i++)
    g_assert_cmpuint (counters->errors[i], >=, 1);

  socket_drop (rooms, a);
  socket_drop (rooms, a2);
  socket_drop (rooms, b);
  socket_drop (rooms, c);
}

static void
test_leave_closes_and_announces (void)
{
  g_autoptr(KibitzRooms) rooms = rooms_new (0);
  Socket *a = socket_open (rooms);
  Socket *b = socket_open (rooms);
  g_autofree char *ja = join (rooms, a, "r", "Ada", NULL, NULL);
  g_autofree char *jb = join (rooms, b, "r", "Bartek", NULL, NULL);
  g_autoptr(JsonObject) left = NULL;

  socket_send (rooms, a, "{\"type\":\"leave\"}");
  left = socket_take (b, "left");
  g_assert_nonnull (left);
  g_assert_cmpstr (json_object_get_string_member (left, "reason"), ==, "leave");
  g_assert_true (a->closed);
  g_assert_cmpuint (kibitz_rooms_n_peers (rooms), ==, 1);

  /* Messages after leaving are ignored; the later close is harmless. */
  socket_send (rooms, a, "{\"type\":\"chat\",\"text\":\"still here?\"}");
  g_assert_null (socket_take (b, "chat"));
  socket_drop (rooms, a);
  fake_now += 60 * G_USEC_PER_SEC;
  kibitz_rooms_tick (rooms);
  g_assert_null (socket_take (b, "left"));

  socket_drop (rooms, b);
}

/* What the general path (json-glib) relays for @text, sent by @from. */
static char *
relayed_by_json_glib (const char *text,
                      const char *from)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonObject) signal = kibitz_message_new (KIBITZ_MESSAGE_SIGNAL);
  JsonObject *message;

  g_assert_true (json_parser_load_from_data (parser, text, -1, NULL));
  message = json_node_get_object (json_parser_get_root (parser));
  json_object_set_string_member (signal, "from", from);
  json_object_set_member (signal, "data", json_node_copy (json_object_get_member (message, "data")));

  return kibitz_message_to_string (signal);
}

/* The fast path for “signal” (kibitz-signal-scan.c) relays exactly the bytes
 * json-glib would; what it cannot promise that for goes the general way.
 */
static void
test_signal_fast_path (void)
{
  static const struct {
    const char *data;
    gboolean    fast;
  } cases[] = {
    { "{\"sdp\":\"v=0\\r\\no=- 1 2 IN IP4 127.0.0.1\\r\\n\",\"type\":\"offer\"}", TRUE },
    { "{\"ice\":{\"candidate\":\"candidate:1 1 UDP 1 127.0.0.1 9 typ host\",\"sdpMid\":\"0\","
      "\"sdpMLineIndex\":0}}", TRUE },
    { "{}", TRUE },
    { "{\"a\":[],\"b\":[1,-2,true,false,null,\"\\\"\\\\\\b\\f\\t\"],\"c\":{\"d\":{}}}", TRUE },
    { "{\"name\":\"Zoë 🙂\",\"n\":123456789012345678}", TRUE },
    { "{\"n\":1.5,\"t\":123.456,\"z\":-0.0,\"w\":250.0}", TRUE },
    { "{\"n\":0.1,\"m\":[25015.086,1e3,2.50,-1.5E-7]}", TRUE },
    { "{\"n\":-0}", FALSE },
    { "{\"n\":1234567890123456789}", FALSE },
    { "{ \"spaced\" : [ 1, 2 ] }", FALSE },
    { "{\"s\":\"\\u00e9\\/\"}", FALSE },
    { "{\"s\":\"\x7f\"}", FALSE },
    { "{\"twice\":1,\"twice\":2}", FALSE },
  };
  g_autoptr(KibitzRooms) rooms = rooms_new (0);
  Socket *a = socket_open (rooms);
  Socket *b = socket_open (rooms);
  g_autofree char *ja = join (rooms, a, "room", "Ada", NULL, NULL);
  g_autofree char *jb = join (rooms, b, "room", "Bartek", NULL, NULL);
  g_autofree char *ida = id_of (ja);
  g_autofree char *idb = id_of (jb);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strdup_printf ("  {\"type\":\"signal\", \"to\":\"%s\",\"data\":%s}\n",
                                               idb, cases[i].data);
      g_autofree char *expected = relayed_by_json_glib (text, ida);
      KibitzSignalScan scan;

      g_test_message ("data: %s", cases[i].data);
      g_assert_cmpint (kibitz_signal_scan (text, strlen (text), &scan), ==, cases[i].fast);
      g_clear_pointer (&b->last_text, g_free);
      socket_send (rooms, a, text);
      g_assert_cmpstr (b->last_text, ==, expected);
    }

  /* Not a signal, or not one the fast path can vouch for. */
  {
    KibitzSignalScan scan;
    const char *others[] = {
      "{\"type\":\"chat\",\"to\":\"x\",\"data\":{}}",
      "{\"type\":\"signal\",\"to\":\"x\",\"data\":[]}",
      "{\"type\":\"signal\",\"to\":5,\"data\":{}}",
      "{\"type\":\"signal\",\"data\":{}}",
      "{\"type\":\"signal\",\"to\":\"x\",\"data\":{}",
      "{\"type\":\"signal\",\"to\":\"x\",\"data\":{}}}",
      "{\"type\":\"signal\",\"to\":\"x\",\"to\":\"y\",\"data\":{}}",
      "{\"t\\u0079pe\":\"signal\",\"to\":\"x\",\"data\":{}}",
      "{\"type\":\"signal\",\"to\":\"x\",\"data\":{\"a\":01}}",
      "{\"type\":\"signal\",\"to\":\"x\",\"data\":{\"a\":tru}}",
    };

    for (guint i = 0; i < G_N_ELEMENTS (others); i++)
      g_assert_false (kibitz_signal_scan (others[i], strlen (others[i]), &scan));
  }

  /* Errors still come from the general path. */
  socket_send (rooms, a, "{\"type\":\"signal\",\"to\":\"p-nobody\",\"data\":{}}");
  assert_error (a, "unknown-peer");
  socket_send (rooms, a, "{\"type\":\"signal\",\"to\":\"p-nobody\",\"data\":{}");
  assert_error (a, "bad-request");

  socket_drop (rooms, a);
  socket_drop (rooms, b);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/rooms/same-room-after-normalisation", test_same_room_after_normalisation);
  g_test_add_func ("/server/rooms/rate-limit-never-bites-a-normal-client",
                   test_rate_limit_never_bites_a_normal_client);
  g_test_add_func ("/server/rooms/grace-then-timeout", test_grace_then_timeout);
  g_test_add_func ("/server/rooms/resume-within-grace", test_resume_within_grace);
  g_test_add_func ("/server/rooms/replaced-socket", test_replaced_socket);
  g_test_add_func ("/server/rooms/room-full-counts-absent-peers", test_room_full_counts_absent_peers);
  g_test_add_func ("/server/rooms/every-error-code", test_every_error_code);
  g_test_add_func ("/server/rooms/signal-fast-path", test_signal_fast_path);
  g_test_add_func ("/server/rooms/leave-closes-and-announces", test_leave_closes_and_announces);

  return g_test_run ();
}
