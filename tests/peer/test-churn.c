/* test-churn.c: classes that change: separate rooms, missing devices,
 * latecomers, leavers, and a participant that sends garbage.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>

#include "kibitz-test-peer.h"

/* Two rooms at once never see each other. (20 s: four sanitizer-built peers
 * starting at once on a busy 2-core machine took over 12 s to get their first
 * frames, three times on 2026-11-24 at load averages of 12 to 29.) */
static void
test_two_rooms (void)
{
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (NULL);
  const char * const extra[] = { "--expect-peers=1", NULL };
  g_autoptr(KibitzTestPeer) a1 = kibitz_test_peer_spawn (server, "Room A", "Ada", 20, extra);
  g_autoptr(KibitzTestPeer) a2 = kibitz_test_peer_spawn (server, "Room A", "Adam", 20, extra);
  g_autoptr(KibitzTestPeer) b1 = kibitz_test_peer_spawn (server, "Room B", "Bartek", 20, extra);
  g_autoptr(KibitzTestPeer) b2 = kibitz_test_peer_spawn (server, "Room B", "Basia", 20, extra);
  KibitzTestPeer *all[] = { a1, a2, b1, b2 };

  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    {
      kibitz_test_peer_finish (all[i]);
      g_assert_cmpint (all[i]->status, ==, 0);
      g_assert_cmpuint (json_array_get_length (json_object_get_array_member (all[i]->summary,
                                                                             "peers")), ==, 1);
    }
  kibitz_test_peer_assert_received (a1, "Adam");
  kibitz_test_peer_assert_received (b2, "Bartek");
}

/* A participant without camera and microphone still joins: it receives
 * everyone, and everyone receives its placeholder (slate and silence).
 */
static void
test_no_devices (void)
{
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (NULL);
  const char * const extra[] = { "--expect-peers=2", NULL };
  const char * const none[] = { "--expect-peers=2", "--video=none", "--audio=none", NULL };
  g_autoptr(KibitzTestPeer) a = kibitz_test_peer_spawn (server, "room", "Ada", 14, extra);
  g_autoptr(KibitzTestPeer) b = kibitz_test_peer_spawn (server, "room", "Bartek", 14, extra);
  g_autoptr(KibitzTestPeer) n = kibitz_test_peer_spawn (server, "room", "Nobody", 14, none);

  kibitz_test_peer_finish (a);
  kibitz_test_peer_finish (b);
  kibitz_test_peer_finish (n);
  g_assert_cmpint (n->status, ==, 0);
  kibitz_test_peer_assert_received (n, "Ada");
  kibitz_test_peer_assert_received (n, "Bartek");
  kibitz_test_peer_assert_received (a, "Nobody");
  kibitz_test_peer_assert_received (b, "Nobody");
}

/* A latecomer connects to everyone; when it leaves it is removed everywhere
 * and the others' video keeps flowing.
 */
static void
test_late_join_and_leave (void)
{
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (NULL);
  g_autofree char *stats = g_build_filename (g_get_tmp_dir (), "kibitz-churn-stats.jsonl", NULL);
  g_autofree char *stats_arg = g_strdup_printf ("--stats=%s", stats);
  const char * const with_stats[] = { "--expect-peers=2", stats_arg, NULL };
  const char * const extra[] = { "--expect-peers=2", NULL };
  g_autoptr(KibitzTestPeer) a = NULL;
  g_autoptr(KibitzTestPeer) b = NULL;
  g_autoptr(KibitzTestPeer) late = NULL;
  gint64 left_at = 0;
  gint64 before, after;

  g_unlink (stats);
  a = kibitz_test_peer_spawn (server, "room", "Ada", 26, with_stats);
  /* Bartek outlasts Ada, so the only departure Ada sees is Late's. */
  b = kibitz_test_peer_spawn (server, "room", "Bartek", 30, extra);
  kibitz_test_spin (5000);
  late = kibitz_test_peer_spawn (server, "room", "Late", 10, extra);
  kibitz_test_peer_finish (late);
  g_assert_cmpint (late->status, ==, 0);
  kibitz_test_peer_assert_received (late, "Ada");
  kibitz_test_peer_assert_received (late, "Bartek");

  kibitz_test_peer_finish (a);
  kibitz_test_peer_finish (b);
  g_assert_cmpint (a->status, ==, 0);
  kibitz_test_peer_assert_received (a, "Late");
  kibitz_test_peer_assert_received (b, "Late");

  /* Ada saw Late leave, and Bartek's frames kept rising afterwards. */
  for (guint i = 0; i < a->events->len; i++)
    {
      JsonObject *event = g_ptr_array_index (a->events, i);

      if (g_str_equal (json_object_get_string_member (event, "event"), "peer-left"))
        g_assert_cmpstr (json_object_get_string_member (event, "name"), ==, "Late");
    }
  g_assert_true (json_object_get_boolean_member (kibitz_test_peer_summary_of (a, "Late"), "left"));
  g_assert_false (json_object_get_boolean_member (kibitz_test_peer_summary_of (a, "Bartek"), "left"));
  {
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    g_autoptr(JsonParser) parser = json_parser_new ();
    guint n;

    g_assert_true (g_file_get_contents (stats, &text, NULL, NULL));
    lines = g_strsplit (text, "\n", -1);
    n = g_strv_length (lines);
    /* The first stats line where Late shows as left (connected before). */
    for (guint i = 0; i < n && left_at == 0; i++)
      {
        JsonObject *line;
        JsonArray *peers;

        if (lines[i][0] == '\0')
          continue;
        g_assert_true (json_parser_load_from_data (parser, lines[i], -1, NULL));
        line = json_node_get_object (json_parser_get_root (parser));
        peers = json_object_get_array_member (line, "peers");
        for (guint j = 0; j < json_array_get_length (peers); j++)
          {
            JsonObject *peer = json_array_get_object_element (peers, j);

            if (g_str_equal (json_object_get_string_member (peer, "name"), "Late") &&
                json_object_get_boolean_member (peer, "connected") &&
                json_object_get_boolean_member (peer, "left"))
              left_at = json_object_get_int_member (line, "time_ms");
          }
      }
  }
  g_assert_cmpint (left_at, >, 0);
  before = kibitz_test_peer_frames_at (stats, "Bartek", left_at);
  after = kibitz_test_peer_frames_at (stats, "Bartek", left_at + 5000);
  g_test_message ("Ada <- Bartek: %" G_GINT64_FORMAT " frames when Late left, %" G_GINT64_FORMAT
                  " five seconds later", before, after);
  g_assert_cmpint (after, >, before + 10);
  g_unlink (stats);
}

/* A participant that sends a garbage offer and candidate fails alone: the
 * class it tried it on keeps its media.
 */
static void
test_garbage_peer (void)
{
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (NULL);
  const char * const extra[] = { "--expect-peers=1", NULL };
  g_autoptr(KibitzTestPeer) a = kibitz_test_peer_spawn (server, "room", "Ada", 14, extra);
  g_autoptr(KibitzTestPeer) b = kibitz_test_peer_spawn (server, "room", "Bartek", 14, extra);
  g_autoptr(KibitzTestClient) mallory = kibitz_test_client_connect (server);
  g_autoptr(JsonObject) welcome = NULL;
  JsonArray *peers;
  gboolean saw_error = FALSE;

  kibitz_test_spin (3000);
  welcome = kibitz_test_client_join (mallory, "room", "Mallory", NULL);
  peers = json_object_get_array_member (welcome, "peers");
  for (guint i = 0; i < json_array_get_length (peers); i++)
    {
      const char *id = json_object_get_string_member (json_array_get_object_element (peers, i), "id");

      kibitz_test_client_send (mallory, "{\"type\":\"signal\",\"to\":\"%s\",\"data\":{\"sdp\":"
                               "{\"type\":\"offer\",\"sdp\":\"v=0 this is not SDP\"}}}", id);
      kibitz_test_client_send (mallory, "{\"type\":\"signal\",\"to\":\"%s\",\"data\":{\"ice\":"
                               "{\"candidate\":\"candidate:garbage\",\"sdpMLineIndex\":7}}}", id);
      kibitz_test_client_send (mallory, "{\"type\":\"signal\",\"to\":\"%s\",\"data\":{\"sdp\":"
                               "{\"type\":\"banana\"},\"ice\":42}}", id);
    }

  kibitz_test_peer_finish (a);
  kibitz_test_peer_finish (b);
  g_assert_cmpint (a->status, ==, 0);
  g_assert_cmpint (b->status, ==, 0);
  kibitz_test_peer_assert_received (a, "Bartek");
  kibitz_test_peer_assert_received (b, "Ada");
  for (guint i = 0; i < a->events->len; i++)
    {
      JsonObject *event = g_ptr_array_index (a->events, i);

      if (g_str_equal (json_object_get_string_member (event, "event"), "error") &&
          g_strcmp0 (json_object_get_string_member_with_default (event, "name", NULL), "Mallory") == 0)
        {
          g_test_message ("Ada reported: %s", json_object_get_string_member (event, "message"));
          saw_error = TRUE;
        }
    }
  g_assert_true (saw_error);
  g_assert_cmpint (json_object_get_int_member (kibitz_test_peer_summary_of (a, "Mallory"), "frames_decoded"), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/peer/churn/two-rooms", test_two_rooms);
  g_test_add_func ("/peer/churn/no-devices", test_no_devices);
  g_test_add_func ("/peer/churn/late-join-and-leave", test_late_join_and_leave);
  g_test_add_func ("/peer/churn/garbage-peer", test_garbage_peer);

  return g_test_run ();
}
