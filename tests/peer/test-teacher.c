/* test-teacher.c: a class with a teacher (protocol.md §4) between real
 * kibitz-peers on a real kibitz-server in its default policy: the pupil
 * knocks, the teacher lets it in from stdin, media flows, the teacher lowers
 * the pupil's hand, mutes it and ends the class.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "kibitz-test-peer.h"
#include "kibitz-test-util.h"

static void
send_command (KibitzTestPeer *p,
              const char     *command)
{
  GOutputStream *in = g_subprocess_get_stdin_pipe (p->process);
  g_autofree char *line = g_strdup_printf ("%s\n", command);
  g_autoptr(GError) error = NULL;

  g_test_message ("%s: %s", p->name, command);
  g_output_stream_write_all (in, line, strlen (line), NULL, NULL, &error);
  g_assert_no_error (error);
}

/* The first event of type @event (with @member equal to @value, if given). */
static JsonObject *
find_event (KibitzTestPeer *p,
            const char     *event,
            const char     *member,
            const char     *value)
{
  for (guint i = 0; i < p->events->len; i++)
    {
      JsonObject *e = g_ptr_array_index (p->events, i);

      if (g_str_equal (json_object_get_string_member (e, "event"), event) &&
          (member == NULL ||
           g_strcmp0 (json_object_get_string_member_with_default (e, member, NULL), value) == 0))
        return e;
    }
  return NULL;
}

/* Whether @p saw a `state` about @name with @member equal to @value. */
static gboolean
saw_state (KibitzTestPeer *p,
           const char     *name,
           const char     *member,
           gboolean        value)
{
  for (guint i = 0; i < p->events->len; i++)
    {
      JsonObject *e = g_ptr_array_index (p->events, i);

      if (g_str_equal (json_object_get_string_member (e, "event"), "state") &&
          g_strcmp0 (json_object_get_string_member_with_default (e, "name", NULL), name) == 0 &&
          json_object_get_boolean_member_with_default (e, member, !value) == value)
        return TRUE;
    }
  return FALSE;
}

/* Until the pupil is in the waiting room (the server's own gauge): an
 * `admit all` sent before its knock would find nobody, on a busy machine. */
static void
wait_for_knock (KibitzTestServer *server)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (kibitz_test_metric (server, "kibitz_waiting") < 1)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (100 * 1000);
    }
}

static void
test_knock_admit_mute_end (void)
{
  g_autofree char *dir = g_dir_make_tmp ("kibitz-teacher-XXXXXX", NULL);
  const char * const server_args[] = { "--state-dir", dir, "--room-policy", "teacher", NULL };
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (server_args);
  g_autofree char *token = kibitz_test_teacher_token ("Ewa", "--state-dir", dir, NULL);
  g_autofree char *token_arg = g_strdup_printf ("--teacher-token=%s", token);
  g_autofree char *room = g_strdup_printf ("class %d", (int) getpid ());
  const char * const teacher_args[] = { token_arg, NULL };
  g_autoptr(KibitzTestPeer) ewa = NULL;
  g_autoptr(KibitzTestPeer) kuba = NULL;
  JsonObject *e;

  ewa = kibitz_test_peer_spawn_with_flags (server, room, "Ewa", 90, teacher_args,
                                           G_SUBPROCESS_FLAGS_STDIN_PIPE);
  g_usleep (2 * G_USEC_PER_SEC);
  kuba = kibitz_test_peer_spawn_with_flags (server, room, "Kuba", 90, NULL,
                                            G_SUBPROCESS_FLAGS_STDIN_PIPE);
  /* Raised while waiting: it goes out once Kuba is in. */
  send_command (kuba, "hand up");
  wait_for_knock (server);
  send_command (ewa, "invite 600");
  send_command (ewa, "admit all");
  /* Long enough for a link and its first frames on a busy machine. */
  g_usleep (15 * G_USEC_PER_SEC);
  send_command (ewa, "lower-hand all");
  /* (Kuba answers the lowered hand with his whole state, audio on: let it
   * arrive before the rule changes.) */
  g_usleep (G_USEC_PER_SEC);
  /* Students may not unmute, and Kuba's microphone is still on: switching
   * his camera off must still reach the class (not be refused for
   * repeating `audio: true`). */
  send_command (ewa, "room unmute off");
  g_usleep (G_USEC_PER_SEC);
  send_command (kuba, "camera off");
  g_usleep (2 * G_USEC_PER_SEC);
  send_command (ewa, "mute all");
  g_usleep (2 * G_USEC_PER_SEC);
  send_command (ewa, "end");
  kibitz_test_peer_finish (ewa);
  kibitz_test_peer_finish (kuba);

  /* Both leave with success: a class that ends is over, not failed. */
  g_assert_cmpint (ewa->status, ==, 0);
  g_assert_cmpint (kuba->status, ==, 0);

  /* Kuba waited, was let in as a student, was muted, saw the end. */
  e = find_event (kuba, "waiting", NULL, NULL);
  g_assert_nonnull (e);
  g_assert_cmpstr (json_object_get_string_member (e, "reason"), ==, "no-invite");
  e = find_event (kuba, "joined", NULL, NULL);
  g_assert_nonnull (e);
  g_assert_cmpstr (json_object_get_string_member (e, "role"), ==, "student");
  g_assert_nonnull (find_event (kuba, "muted", NULL, NULL));
  g_assert_nonnull (find_event (kuba, "ended", NULL, NULL));
  g_assert_nonnull (find_event (kuba, "room_state", NULL, NULL));

  /* Ewa, a teacher, heard the knock, got an invite link, saw Kuba's hand
   * go up and down and his microphone go off. */
  e = find_event (ewa, "joined", NULL, NULL);
  g_assert_cmpstr (json_object_get_string_member (e, "role"), ==, "teacher");
  e = find_event (ewa, "knock", NULL, NULL);
  g_assert_nonnull (e);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (e, "peer"),
                                                  "name"), ==, "Kuba");
  e = find_event (ewa, "invite", NULL, NULL);
  g_assert_nonnull (e);
  g_assert_nonnull (strstr (json_object_get_string_member (e, "url"), "/j/"));
  e = find_event (ewa, "peer-joined", "name", "Kuba");
  g_assert_nonnull (e);
  g_assert_cmpstr (json_object_get_string_member (e, "role"), ==, "student");
  g_assert_true (saw_state (ewa, "Kuba", "hand", TRUE));
  g_assert_true (saw_state (ewa, "Kuba", "hand", FALSE));
  g_assert_true (saw_state (ewa, "Kuba", "audio", FALSE));
  g_assert_true (saw_state (ewa, "Kuba", "video", FALSE));
  e = find_event (kuba, "server-error", NULL, NULL);
  if (e != NULL)
    g_test_message ("Kuba was refused: %s", json_object_get_string_member (e, "message"));
  g_assert_null (e);

  /* And the class was a call: media both ways once admitted. */
  kibitz_test_peer_assert_received (ewa, "Kuba");
  kibitz_test_peer_assert_received (kuba, "Ewa");

  kibitz_test_remove_tree (dir);
}

static gint64
now_ms (void)
{
  return g_get_real_time () / 1000;
}

/* protocol.md §4: a muted student is not played by any Kibitz receiver, even
 * when its client ignores the mute and keeps sending its tone. */
static void
test_mute_holds_against_a_client_that_ignores_it (void)
{
  g_autofree char *dir = g_dir_make_tmp ("kibitz-teacher-XXXXXX", NULL);
  g_autofree char *stats = g_build_filename (dir, "ewa.stats", NULL);
  g_autofree char *stats_arg = g_strdup_printf ("--stats=%s", stats);
  const char * const server_args[] = { "--state-dir", dir, "--room-policy", "teacher", NULL };
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (server_args);
  g_autofree char *token = kibitz_test_teacher_token ("Ewa", "--state-dir", dir, NULL);
  g_autofree char *token_arg = g_strdup_printf ("--teacher-token=%s", token);
  g_autofree char *room = g_strdup_printf ("mute %d", (int) getpid ());
  const char * const teacher_args[] = { token_arg, stats_arg, NULL };
  const char * const pupil_args[] = { "--ignore-mute", NULL };
  g_autoptr(KibitzTestPeer) ewa = NULL;
  g_autoptr(KibitzTestPeer) kuba = NULL;
  gint64 mute_at, end_at, audible_before, audible_after, audible_end, packets_after, packets_end;
  gboolean refused = FALSE;

  ewa = kibitz_test_peer_spawn_with_flags (server, room, "Ewa", 90, teacher_args,
                                           G_SUBPROCESS_FLAGS_STDIN_PIPE);
  g_usleep (2 * G_USEC_PER_SEC);
  kuba = kibitz_test_peer_spawn_with_flags (server, room, "Kuba", 90, pupil_args,
                                            G_SUBPROCESS_FLAGS_STDIN_PIPE);
  wait_for_knock (server);
  send_command (ewa, "admit all");
  g_usleep (15 * G_USEC_PER_SEC);
  mute_at = now_ms ();
  send_command (ewa, "room unmute off");
  send_command (ewa, "mute all");
  g_usleep (8 * G_USEC_PER_SEC);
  end_at = now_ms ();
  send_command (ewa, "end");
  kibitz_test_peer_finish (ewa);
  kibitz_test_peer_finish (kuba);
  g_assert_cmpint (ewa->status, ==, 0);

  /* Kuba switched his microphone back on; the server said no. */
  for (guint i = 0; i < kuba->events->len; i++)
    {
      JsonObject *e = g_ptr_array_index (kuba->events, i);

      refused |= g_str_equal (json_object_get_string_member (e, "event"), "server-error") &&
                 g_strcmp0 (json_object_get_string_member (e, "code"), "forbidden") == 0;
    }
  g_assert_true (refused);

  /* Ewa heard him before; after the mute his audio keeps arriving and is
   * played as silence. */
  audible_before = kibitz_test_peer_stat_at (stats, "Kuba", "audio_audible", mute_at);
  audible_after = kibitz_test_peer_stat_at (stats, "Kuba", "audio_audible", mute_at + 2000);
  audible_end = kibitz_test_peer_stat_at (stats, "Kuba", "audio_audible", end_at);
  packets_after = kibitz_test_peer_stat_at (stats, "Kuba", "audio_packets", mute_at + 2000);
  packets_end = kibitz_test_peer_stat_at (stats, "Kuba", "audio_packets", end_at);
  g_test_message ("Kuba at Ewa: %" G_GINT64_FORMAT " audible buffers before the mute, %"
                  G_GINT64_FORMAT " 2 s after, %" G_GINT64_FORMAT " at the end; %" G_GINT64_FORMAT
                  " buffers arrived meanwhile", audible_before, audible_after, audible_end,
                  packets_end - packets_after);
  g_assert_cmpint (audible_before, >, 50);
  g_assert_cmpint (packets_end - packets_after, >, 100);
  g_assert_cmpint (audible_end - audible_after, <, 5);

  g_unlink (stats);
  kibitz_test_remove_tree (dir);
}

/* Whether a whole line of the --stats file at @path has frames decoded from
 * @name (read while the peer writes it: the last line may be partial). */
/* The entry of @name in the latest whole line of the --stats file at @path
 * (read while the peer writes it: the last line may be partial), or NULL.
 * Free with json_object_unref(). */
static JsonObject *
stats_entry (const char *path,
             const char *name)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  JsonObject *found = NULL;
  char *end;

  if (!g_file_get_contents (path, &text, NULL, NULL) || (end = strrchr (text, '\n')) == NULL)
    return NULL;
  *end = '\0';
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonNode *root;
      JsonArray *peers;

      if (!json_parser_load_from_data (parser, lines[i], -1, NULL) ||
          (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
          !json_object_has_member (json_node_get_object (root), "peers") ||
          (peers = json_object_get_array_member (json_node_get_object (root), "peers")) == NULL)
        continue;
      for (guint j = 0; j < json_array_get_length (peers); j++)
        {
          JsonObject *peer = json_array_get_object_element (peers, j);

          if (g_strcmp0 (json_object_get_string_member_with_default (peer, "name", NULL), name) == 0)
            {
              g_clear_pointer (&found, json_object_unref);
              found = json_object_ref (peer);
            }
        }
    }
  return found;
}

static gint64
stats_value (const char *path,
             const char *name,
             const char *member)
{
  g_autoptr(JsonObject) entry = stats_entry (path, name);

  return entry != NULL ? json_object_get_int_member_with_default (entry, member, 0) : 0;
}

static gboolean
stats_show_frames (const char *path,
                   const char *name)
{
  return stats_value (path, name, "frames_decoded") > 0;
}

/* The received size of @sender's video at @receiver, when the class ended. */
static gint64
received_width (KibitzTestPeer *receiver,
                const char     *sender)
{
  JsonObject *entry = kibitz_test_peer_summary_of (receiver, sender);

  g_assert_nonnull (entry);
  return json_object_get_int_member_with_default (entry, "received_width", 0);
}

/* A pupil whose upload is short sends its best to the teacher (issue 14:
 * the teacher's link goes first). The teacher's connection drops and the
 * teacher comes back, now the last in every pupil's list of participants:
 * still the teacher gets the pupil's video at least as large as any other
 * pupil does. (The first version stood in "the first participant who was
 * there" for the teacher, which here is another pupil.) */
static void
test_teacher_link_goes_first (void)
{
  g_autofree char *dir = g_dir_make_tmp ("kibitz-teacher-XXXXXX", NULL);
  const char * const server_args[] = { "--state-dir", dir, "--room-policy", "teacher", NULL };
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (server_args);
  g_autofree char *token = kibitz_test_teacher_token ("Ewa", "--state-dir", dir, NULL);
  g_autofree char *token_arg = g_strdup_printf ("--teacher-token=%s", token);
  g_autofree char *room = g_strdup_printf ("priority %d", (int) getpid ());
  g_autofree char *stats = g_build_filename (dir, "ewa-again.stats", NULL);
  g_autofree char *stats_arg = g_strdup_printf ("--stats=%s", stats);
  const char * const teacher_args[] = { token_arg, "--width=160", "--height=120", NULL };
  const char * const teacher_again_args[] = { token_arg, stats_arg, "--width=160", "--height=120",
                                              NULL };
  const char * const short_upload[] = { "--congestion-control=on", "--upload-kbps=300",
                                        "--width=640", "--height=480", NULL };
  const char * const pupil_args[] = { "--width=160", "--height=120", NULL };
  g_autoptr(KibitzTestPeer) ewa = NULL;
  g_autoptr(KibitzTestPeer) ewa_again = NULL;
  g_autoptr(KibitzTestPeer) ada = NULL;
  g_autoptr(KibitzTestPeer) bruno = NULL;
  g_autoptr(KibitzTestPeer) celina = NULL;
  gint64 at_teacher, at_bruno, at_celina, deadline;

  ewa = kibitz_test_peer_spawn_with_flags (server, room, "Ewa", 120, teacher_args,
                                           G_SUBPROCESS_FLAGS_STDIN_PIPE);
  g_usleep (2 * G_USEC_PER_SEC);
  bruno = kibitz_test_peer_spawn (server, room, "Bruno", 120, pupil_args);
  celina = kibitz_test_peer_spawn (server, room, "Celina", 120, pupil_args);
  ada = kibitz_test_peer_spawn (server, room, "Ada", 120, short_upload);
  wait_for_knock (server);
  g_usleep (3 * G_USEC_PER_SEC);
  send_command (ewa, "admit all");
  g_usleep (12 * G_USEC_PER_SEC);

  /* The teacher's connection goes; the teacher comes back. */
  send_command (ewa, "leave");
  kibitz_test_peer_finish (ewa);
  ewa_again = kibitz_test_peer_spawn_with_flags (server, room, "Ewa", 120, teacher_again_args,
                                                 G_SUBPROCESS_FLAGS_STDIN_PIPE);
  /* Ada's video at the teacher again (seconds on a busy machine), then the
   * rate control's next plans. */
  deadline = now_ms () + 60 * 1000;
  while (!stats_show_frames (stats, "Ada") && now_ms () < deadline)
    g_usleep (250 * 1000);
  g_usleep (15 * G_USEC_PER_SEC);
  send_command (ewa_again, "end");
  kibitz_test_peer_finish (ewa_again);
  kibitz_test_peer_finish (ada);
  kibitz_test_peer_finish (bruno);
  kibitz_test_peer_finish (celina);

  at_teacher = received_width (ewa_again, "Ada");
  at_bruno = received_width (bruno, "Ada");
  at_celina = received_width (celina, "Ada");
  g_test_message ("Ada's video, 300 kbit/s for three links: %" G_GINT64_FORMAT " px wide at the "
                  "teacher, %" G_GINT64_FORMAT " at Bruno, %" G_GINT64_FORMAT " at Celina",
                  at_teacher, at_bruno, at_celina);
  g_assert_cmpint (at_teacher, >, 0);
  g_assert_cmpint (at_teacher, >=, at_bruno);
  g_assert_cmpint (at_teacher, >=, at_celina);

  g_unlink (stats);
  kibitz_test_remove_tree (dir);
}

/* In a class with a teacher a pupil shares a screen only with the
 * teacher's leave (`room_state.sharers`): Kuba's first try is refused and
 * nobody sees a share; allowed, his screen reaches Ewa; when Ewa takes the
 * leave back his share stops for everyone at once. */
static void
test_pupil_shares_with_leave (void)
{
  g_autofree char *dir = g_dir_make_tmp ("kibitz-teacher-XXXXXX", NULL);
  g_autofree char *stats = g_build_filename (dir, "ewa.stats", NULL);
  g_autofree char *stats_arg = g_strdup_printf ("--stats=%s", stats);
  const char * const server_args[] = { "--state-dir", dir, "--room-policy", "teacher", NULL };
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (server_args);
  g_autofree char *token = kibitz_test_teacher_token ("Ewa", "--state-dir", dir, NULL);
  g_autofree char *token_arg = g_strdup_printf ("--teacher-token=%s", token);
  g_autofree char *room = g_strdup_printf ("share %d", (int) getpid ());
  const char * const teacher_args[] = { token_arg, stats_arg, NULL };
  g_autoptr(KibitzTestPeer) ewa = NULL;
  g_autoptr(KibitzTestPeer) kuba = NULL;
  g_autoptr(JsonObject) entry = NULL;
  g_autofree char *allow = NULL;
  gint64 deadline, refused_frames, allowed_frames, revoked_at, revoked_frames, end_frames;
  gboolean refused = FALSE;
  guint shares_on = 0, shares_off = 0;

  ewa = kibitz_test_peer_spawn_with_flags (server, room, "Ewa", 90, teacher_args,
                                           G_SUBPROCESS_FLAGS_STDIN_PIPE);
  g_usleep (2 * G_USEC_PER_SEC);
  kuba = kibitz_test_peer_spawn_with_flags (server, room, "Kuba", 90, NULL,
                                            G_SUBPROCESS_FLAGS_STDIN_PIPE);
  wait_for_knock (server);
  send_command (ewa, "admit all");
  deadline = g_get_monotonic_time () + 45 * G_USEC_PER_SEC;
  while (!stats_show_frames (stats, "Kuba"))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (200 * 1000);
    }

  send_command (kuba, "share on");
  g_usleep (4 * G_USEC_PER_SEC);
  refused_frames = stats_value (stats, "Kuba", "screen_frames_decoded");

  entry = stats_entry (stats, "Kuba");
  allow = g_strdup_printf ("room sharers %s", json_object_get_string_member (entry, "id"));
  send_command (ewa, allow);
  g_usleep (G_USEC_PER_SEC);
  send_command (kuba, "share on");
  g_usleep (6 * G_USEC_PER_SEC);
  allowed_frames = stats_value (stats, "Kuba", "screen_frames_decoded");

  send_command (ewa, "room sharers");
  revoked_at = g_get_monotonic_time ();
  g_usleep (2 * G_USEC_PER_SEC);
  revoked_frames = stats_value (stats, "Kuba", "screen_frames_decoded");
  g_usleep (4 * G_USEC_PER_SEC);
  end_frames = stats_value (stats, "Kuba", "screen_frames_decoded");
  send_command (ewa, "end");
  kibitz_test_peer_finish (ewa);
  kibitz_test_peer_finish (kuba);
  g_assert_cmpint (ewa->status, ==, 0);

  /* Refused by his own client before anything is sent (the server would
   * refuse the `state` as well). */
  for (guint i = 0; i < kuba->events->len; i++)
    {
      JsonObject *e = g_ptr_array_index (kuba->events, i);

      refused |= g_str_equal (json_object_get_string_member (e, "event"), "error") &&
                 strstr (json_object_get_string_member (e, "message"),
                         "teacher has not allowed you to share") != NULL;
    }
  for (guint i = 0; i < ewa->events->len; i++)
    {
      JsonObject *e = g_ptr_array_index (ewa->events, i);

      if (g_str_equal (json_object_get_string_member (e, "event"), "share"))
        {
          if (json_object_get_boolean_member (e, "sharing"))
            shares_on++;
          else
            shares_off++;
        }
    }
  g_test_message ("Kuba's screen at Ewa: %" G_GINT64_FORMAT " frames while refused, %"
                  G_GINT64_FORMAT " once allowed, %" G_GINT64_FORMAT " 2 s after the leave "
                  "was taken back, %" G_GINT64_FORMAT " 4 s later (%.1f s); shares seen: %u on, "
                  "%u off", refused_frames, allowed_frames, revoked_frames, end_frames,
                  (g_get_monotonic_time () - revoked_at) / (double) G_USEC_PER_SEC, shares_on,
                  shares_off);
  g_assert_true (refused);
  g_assert_cmpint (refused_frames, ==, 0);
  g_assert_cmpint (allowed_frames, >, 20);
  g_assert_cmpuint (shares_on, ==, 1);
  g_assert_cmpuint (shares_off, ==, 1);
  g_assert_cmpint (end_frames, ==, revoked_frames);

  g_unlink (stats);
  kibitz_test_remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/peer/teacher/knock-admit-mute-end", test_knock_admit_mute_end);
  g_test_add_func ("/peer/teacher/mute-holds-against-a-client-that-ignores-it",
                   test_mute_holds_against_a_client_that_ignores_it);
  g_test_add_func ("/peer/teacher/teacher-link-goes-first", test_teacher_link_goes_first);
  g_test_add_func ("/peer/teacher/pupil-shares-with-leave", test_pupil_shares_with_leave);
  return g_test_run ();
}
