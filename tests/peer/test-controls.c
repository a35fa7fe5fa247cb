/* test-controls.c: camera, microphone, hand and chat during a call, as the
 * other participants see them: `state` and `chat` messages, and media that
 * keeps flowing without any renegotiation; and the shared board, played
 * from kibitz-peer's stdin.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <unistd.h>

#include "kibitz-test-peer.h"

#define WAIT_FOR_MEDIA_S 60

static gint64
now_ms (void)
{
  return g_get_real_time () / 1000;
}

static void
send_command (KibitzTestPeer *p,
              const char  *command)
{
  GOutputStream *in = g_subprocess_get_stdin_pipe (p->process);
  g_autofree char *line = g_strdup_printf ("%s\n", command);
  g_autoptr(GError) error = NULL;

  g_test_message ("%s: %s", p->name, command);
  g_output_stream_write_all (in, line, strlen (line), NULL, NULL, &error);
  g_assert_no_error (error);
}

/* The events of type @event about @name (or from @name, for chat), in order. */
static GPtrArray *
events_about (KibitzTestPeer *p,
              const char  *event,
              const char  *name)
{
  GPtrArray *found = g_ptr_array_new ();

  for (guint i = 0; i < p->events->len; i++)
    {
      JsonObject *e = g_ptr_array_index (p->events, i);

      if (g_str_equal (json_object_get_string_member (e, "event"), event) &&
          g_strcmp0 (json_object_get_string_member_with_default (e, "name", NULL), name) == 0)
        g_ptr_array_add (found, e);
    }
  return found;
}

/* Whether some `state` event about @name has exactly these values. */
static gboolean
saw_state (KibitzTestPeer *p,
           const char  *name,
           gboolean     audio,
           gboolean     video,
           gboolean     hand)
{
  g_autoptr(GPtrArray) states = events_about (p, "state", name);

  for (guint i = 0; i < states->len; i++)
    {
      JsonObject *s = g_ptr_array_index (states, i);

      if (json_object_get_boolean_member (s, "audio") == audio &&
          json_object_get_boolean_member (s, "video") == video &&
          json_object_get_boolean_member (s, "hand") == hand)
        return TRUE;
    }
  return FALSE;
}

static void
wait_for_frames (const char *stats_path,
                 const char *from)
{
  gint64 deadline = now_ms () + WAIT_FOR_MEDIA_S * 1000;

  while (now_ms () < deadline)
    {
      if (g_file_test (stats_path, G_FILE_TEST_EXISTS) && kibitz_test_peer_frames_at (stats_path, from, G_MAXINT64) > 0)
        return;
      g_usleep (200 * 1000);
    }
  g_error ("no video from %s within %d s", from, WAIT_FOR_MEDIA_S);
}

/* Ada switches her camera off and on, mutes, raises her hand and chats.
 * Bartek sees each change as a `state` event, keeps decoding Ada's video
 * throughout (the "camera off" slate while it is off), and his link with her
 * is never rebuilt. Nobody, who has no devices, is seen without camera and
 * microphone from the start, and cannot switch them on.
 */
static void
test_toggles (void)
{
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (NULL);
  g_autofree char *dir = g_dir_make_tmp ("kibitz-controls-XXXXXX", NULL);
  g_autofree char *stats = g_build_filename (dir, "bartek.stats", NULL);
  g_autofree char *stats_arg = g_strconcat ("--stats=", stats, NULL);
  const char * const bartek_args[] = { stats_arg, "--expect-peers=2", NULL };
  const char * const none_args[] = { "--video=none", "--audio=none", NULL };
  g_autoptr(KibitzTestPeer) ada = NULL;
  g_autoptr(KibitzTestPeer) bartek = NULL;
  g_autoptr(KibitzTestPeer) nobody = NULL;
  g_autoptr(GPtrArray) connected = NULL;
  g_autoptr(GPtrArray) chats = NULL;
  JsonObject *seen;
  gint64 off_at, on_at, frames_off_start, frames_off_end, frames_end;

  /* They stay until told to leave; the durations only bound a broken run. */
  ada = kibitz_test_peer_spawn_with_flags (server, "controls", "Ada", 120, NULL, G_SUBPROCESS_FLAGS_STDIN_PIPE);
  bartek = kibitz_test_peer_spawn_with_flags (server, "controls", "Bartek", 120, bartek_args,
                                  G_SUBPROCESS_FLAGS_STDIN_PIPE);
  nobody = kibitz_test_peer_spawn_with_flags (server, "controls", "Nobody", 120, none_args,
                                  G_SUBPROCESS_FLAGS_STDIN_PIPE);

  wait_for_frames (stats, "Ada");
  send_command (nobody, "camera on");
  send_command (ada, "camera off");
  off_at = now_ms ();
  g_usleep (4 * G_USEC_PER_SEC);
  send_command (ada, "mic off");
  send_command (ada, "hand up");
  send_command (ada, "chat Hello from Ada");
  g_usleep (2 * G_USEC_PER_SEC);
  send_command (ada, "camera on");
  on_at = now_ms ();
  g_usleep (4 * G_USEC_PER_SEC);
  send_command (ada, "leave");
  send_command (bartek, "leave");
  send_command (nobody, "leave");

  kibitz_test_peer_finish (ada);
  kibitz_test_peer_finish (bartek);
  kibitz_test_peer_finish (nobody);
  g_assert_cmpint (ada->status, ==, 0);
  g_assert_cmpint (bartek->status, ==, 0);

  /* Every change reached Bartek, in the order made. */
  g_assert_true (saw_state (bartek, "Ada", TRUE, FALSE, FALSE));
  g_assert_true (saw_state (bartek, "Ada", FALSE, FALSE, TRUE));
  g_assert_true (saw_state (bartek, "Ada", FALSE, TRUE, TRUE));
  chats = events_about (bartek, "chat", "Ada");
  g_assert_cmpuint (chats->len, ==, 1);
  g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (chats, 0), "text"), ==,
                   "Hello from Ada");

  /* Nobody was never seen with camera or microphone, and stayed so. */
  seen = kibitz_test_peer_summary_of (bartek, "Nobody");
  g_assert_nonnull (seen);
  g_assert_false (json_object_get_boolean_member (seen, "video"));
  g_assert_false (json_object_get_boolean_member (seen, "audio"));
  g_assert_false (saw_state (bartek, "Nobody", TRUE, TRUE, FALSE));

  /* Video kept coming while the camera was off (the slate), and after. */
  frames_off_start = kibitz_test_peer_frames_at (stats, "Ada", off_at + 1000);
  frames_off_end = kibitz_test_peer_frames_at (stats, "Ada", on_at);
  frames_end = kibitz_test_peer_frames_at (stats, "Ada", on_at + 4000);
  g_test_message ("frames from Ada: %" G_GINT64_FORMAT " at camera off + 1 s, %" G_GINT64_FORMAT
                  " at camera on, %" G_GINT64_FORMAT " 4 s later", frames_off_start,
                  frames_off_end, frames_end);
  g_assert_cmpint (frames_off_end, >, frames_off_start);
  g_assert_cmpint (frames_end, >, frames_off_end);
  kibitz_test_peer_assert_received (bartek, "Ada");

  /* No renegotiation: one connection, never rebuilt. */
  connected = events_about (bartek, "connected", "Ada");
  g_assert_cmpuint (connected->len, ==, 1);

  g_unlink (stats);
  g_rmdir (dir);
}

static JsonObject *
last_event (KibitzTestPeer *p,
            const char     *event)
{
  for (guint i = p->events->len; i > 0; i--)
    {
      JsonObject *e = g_ptr_array_index (p->events, i - 1);

      if (g_str_equal (json_object_get_string_member (e, "event"), event))
        return e;
    }
  return NULL;
}

static gboolean
saw_server_error (KibitzTestPeer *p,
                  const char     *code)
{
  g_autoptr(GPtrArray) errors = events_about (p, "server-error", NULL);

  for (guint i = 0; i < errors->len; i++)
    if (g_strcmp0 (json_object_get_string_member (g_ptr_array_index (errors, i), "code"),
                   code) == 0)
      return TRUE;
  return FALSE;
}

static void
assert_board (JsonObject *board,
              const char *moves,
              gint64      ply,
              const char *fen_prefix)
{
  JsonArray *array = json_object_get_array_member (board, "moves");
  g_autoptr(GString) joined = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (array); i++)
    g_string_append_printf (joined, "%s%s", i ? " " : "", json_array_get_string_element (array, i));
  g_assert_cmpstr (joined->str, ==, moves);
  g_assert_cmpint (json_object_get_int_member (board, "ply"), ==, ply);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (board, "fen"), fen_prefix));
}

/* Until the server counts @n participants in its rooms (its own gauge): a
 * fixed pause is too short for a peer starting under ASan on a busy machine. */
static void
wait_for_peers (KibitzTestServer *server,
                guint64           n)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_FOR_MEDIA_S * G_USEC_PER_SEC;

  while (kibitz_test_metric (server, "kibitz_peers") < n)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (100 * 1000);
    }
}

/* Ada plays 1.e4 e5 (once in SAN, once in UCI) and shows the position after
 * 1.e4; Bartek's illegal move and Ada's broken FEN are refused with their
 * codes, to them alone; Bartek and Carol, who joins late, show exactly
 * Ada's board, position included. No media: the board alone. */
static void
test_board (void)
{
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (NULL);
  g_autofree char *room = g_strdup_printf ("board %d", (int) getpid ());
  const char * const none[] = { "--video=none", "--audio=none", NULL };
  g_autoptr(KibitzTestPeer) ada = NULL;
  g_autoptr(KibitzTestPeer) bartek = NULL;
  g_autoptr(KibitzTestPeer) carol = NULL;
  JsonObject *board;

  ada = kibitz_test_peer_spawn_with_flags (server, room, "Ada", 60, none,
                                           G_SUBPROCESS_FLAGS_STDIN_PIPE);
  bartek = kibitz_test_peer_spawn_with_flags (server, room, "Bartek", 60, none,
                                              G_SUBPROCESS_FLAGS_STDIN_PIPE);
  /* Sent before the join, they wait in the signaling outbox, in order. */
  send_command (ada, "move e4");
  send_command (ada, "move e7e5");
  send_command (ada, "board view 1");
  send_command (ada, "board fen this is not a position");
  wait_for_peers (server, 2);
  /* Ada's requests go out right after her welcome; a second is ample. */
  g_usleep (G_USEC_PER_SEC);
  send_command (bartek, "move Ke3");
  carol = kibitz_test_peer_spawn_with_flags (server, room, "Carol", 60, none,
                                             G_SUBPROCESS_FLAGS_STDIN_PIPE);
  /* Carol's board comes with her welcome. */
  wait_for_peers (server, 3);
  g_usleep (2 * G_USEC_PER_SEC);
  send_command (ada, "leave");
  send_command (bartek, "leave");
  send_command (carol, "leave");
  kibitz_test_peer_finish (ada);
  kibitz_test_peer_finish (bartek);
  kibitz_test_peer_finish (carol);
  g_assert_cmpint (ada->status, ==, 0);
  g_assert_cmpint (bartek->status, ==, 0);
  g_assert_cmpint (carol->status, ==, 0);

  /* Everyone ends on the same board: 1.e4 e5, showing the move 1.e4. */
  for (KibitzTestPeer **p = (KibitzTestPeer *[]) { ada, bartek, carol, NULL }; *p; p++)
    {
      board = last_event (*p, "board");
      if (board == NULL)
        g_error ("%s never saw the board", (*p)->name);
      assert_board (board, "e4 e5", 1, "rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq");
      g_assert_true (json_object_get_null_member (board, "result"));
    }
  /* Each refusal reached its sender only, with the code that says why. */
  g_assert_true (saw_server_error (ada, "bad-fen"));
  g_assert_false (saw_server_error (ada, "illegal-move"));
  g_assert_true (saw_server_error (bartek, "illegal-move"));
  g_assert_false (saw_server_error (bartek, "bad-fen"));
  g_assert_false (saw_server_error (carol, "illegal-move"));
  g_assert_false (saw_server_error (carol, "bad-fen"));
}

/* A short game: the demo teacher's moves reach Bartek one at a time. */
#define SCHOLARS_MATE "[Event \"Demo\"]\n\n1. e4 e5 2. Bc4 Nc6 3. Qh5 Nf6 4. Qxf7# 1-0\n"

/* Ada, started with --pgn and --move-every 1 in an open room, plays the
 * game on the board; Bartek sees it grow move by move to the mate, with
 * its result. A PGN that does not read stops kibitz-peer at once with a
 * sentence naming the file. */
static void
test_pgn_demo (void)
{
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (NULL);
  g_autofree char *dir = g_dir_make_tmp ("kibitz-pgn-XXXXXX", NULL);
  g_autofree char *pgn = g_build_filename (dir, "game.pgn", NULL);
  g_autofree char *bad = g_build_filename (dir, "bad.pgn", NULL);
  g_autofree char *pgn_arg = g_strconcat ("--pgn=", pgn, NULL);
  g_autofree char *bad_arg = g_strconcat ("--pgn=", bad, NULL);
  const char * const ada_args[] = { pgn_arg, "--move-every=1", "--video=none", "--audio=none",
                                    NULL };
  const char * const none[] = { "--video=none", "--audio=none", NULL };
  g_autoptr(KibitzTestPeer) ada = NULL;
  g_autoptr(KibitzTestPeer) bartek = NULL;
  g_autoptr(GPtrArray) boards = NULL;
  const char *expected[] = { "e4", "e5", "Bc4", "Nc6", "Qh5", "Nf6", "Qxf7#" };
  guint longest = 0;
  gboolean mated = FALSE;

  g_assert_true (g_file_set_contents (pgn, SCHOLARS_MATE, -1, NULL));
  g_assert_true (g_file_set_contents (bad, "1. e4 e5 2. Ke3 *\n", -1, NULL));

  {
    const char * const argv[] = { g_getenv ("KIBITZ_PEER_BIN"), "--server=http://127.0.0.1:9",
                                  "--room=demo", "--name=Broken", bad_arg, NULL };
    g_autoptr(GSubprocess) broken = NULL;
    g_autofree char *err = NULL;
    g_autoptr(GError) error = NULL;

    broken = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                      G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
    g_assert_no_error (error);
    g_subprocess_communicate_utf8 (broken, NULL, NULL, NULL, &err, &error);
    g_assert_no_error (error);
    g_test_message ("%s", err);
    g_assert_cmpint (g_subprocess_get_exit_status (broken), ==, 2);
    g_assert_nonnull (strstr (err, "bad.pgn"));
    g_assert_nonnull (strstr (err, "illegal move 2. Ke3"));
  }

  /* Bartek watches for 20 s: the game takes 7 ticks of 1 s after Ada's join. */
  ada = kibitz_test_peer_spawn (server, "demo", "Ada", 22, ada_args);
  bartek = kibitz_test_peer_spawn (server, "demo", "Bartek", 20, none);
  kibitz_test_peer_finish (bartek);
  kibitz_test_peer_finish (ada);
  g_assert_cmpint (ada->status, ==, 0);
  g_assert_cmpint (bartek->status, ==, 0);

  /* Every board Bartek saw shows the game so far, and it got to the end. */
  boards = events_about (bartek, "board", NULL);
  for (guint i = 0; i < boards->len; i++)
    {
      JsonObject *board = g_ptr_array_index (boards, i);
      JsonArray *moves = json_object_get_array_member (board, "moves");
      guint n = json_array_get_length (moves);

      g_assert_cmpuint (n, <=, G_N_ELEMENTS (expected));
      for (guint m = 0; m < n; m++)
        g_assert_cmpstr (json_array_get_string_element (moves, m), ==, expected[m]);
      longest = MAX (longest, n);
      if (n == G_N_ELEMENTS (expected))
        mated = g_strcmp0 (json_object_get_string_member_with_default (board, "result", NULL),
                           "1-0") == 0;
    }
  g_test_message ("Bartek saw %u boards, the longest with %u moves", boards->len, longest);
  g_assert_cmpuint (longest, ==, G_N_ELEMENTS (expected));
  g_assert_true (mated);

  g_unlink (pgn);
  g_unlink (bad);
  g_rmdir (dir);
}

/* The `share` events about @name, as the values of their `sharing`. */
static GString *
shares_of (KibitzTestPeer *p,
           const char     *name)
{
  g_autoptr(GPtrArray) shares = events_about (p, "share", name);
  GString *seen = g_string_new (NULL);

  for (guint i = 0; i < shares->len; i++)
    g_string_append (seen, json_object_get_boolean_member (g_ptr_array_index (shares, i),
                                                           "sharing") ? "on " : "off ");
  return seen;
}

/* Ada shares a screen three times in a call of three, stopping in between,
 * her camera on all the while. Bartek and Celina see every start and stop
 * (`share` events), decode frames of each share and none in between, keep
 * decoding her camera, and no link is ever renegotiated or rebuilt. */
static void
test_share (void)
{
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (NULL);
  g_autofree char *dir = g_dir_make_tmp ("kibitz-share-XXXXXX", NULL);
  g_autofree char *stats = g_build_filename (dir, "bartek.stats", NULL);
  g_autofree char *stats_arg = g_strconcat ("--stats=", stats, NULL);
  const char * const bartek_args[] = { stats_arg, "--expect-peers=2", NULL };
  const char * const celina_args[] = { "--expect-peers=2", NULL };
  g_autoptr(KibitzTestPeer) ada = NULL;
  g_autoptr(KibitzTestPeer) bartek = NULL;
  g_autoptr(KibitzTestPeer) celina = NULL;
  KibitzTestPeer *viewers[2];
  gint64 off_at, on_at, before_off, after_off;

  kibitz_test_peer_light_sanitizer (TRUE);
  ada = kibitz_test_peer_spawn_with_flags (server, "share", "Ada", 120, NULL,
                                           G_SUBPROCESS_FLAGS_STDIN_PIPE);
  bartek = kibitz_test_peer_spawn_with_flags (server, "share", "Bartek", 120, bartek_args,
                                              G_SUBPROCESS_FLAGS_STDIN_PIPE);
  celina = kibitz_test_peer_spawn_with_flags (server, "share", "Celina", 120, celina_args,
                                              G_SUBPROCESS_FLAGS_STDIN_PIPE);
  kibitz_test_peer_light_sanitizer (FALSE);
  viewers[0] = bartek;
  viewers[1] = celina;

  wait_for_frames (stats, "Ada");
  g_usleep (2 * G_USEC_PER_SEC);
  send_command (ada, "share on");
  g_usleep (5 * G_USEC_PER_SEC);
  send_command (ada, "share off");
  off_at = now_ms ();
  g_usleep (4 * G_USEC_PER_SEC);
  on_at = now_ms ();
  send_command (ada, "share on");
  g_usleep (5 * G_USEC_PER_SEC);
  send_command (ada, "share off");
  g_usleep (2 * G_USEC_PER_SEC);
  send_command (ada, "share on");
  g_usleep (5 * G_USEC_PER_SEC);
  send_command (ada, "leave");
  send_command (bartek, "leave");
  send_command (celina, "leave");
  kibitz_test_peer_finish (ada);
  kibitz_test_peer_finish (bartek);
  kibitz_test_peer_finish (celina);
  g_assert_cmpint (ada->status, ==, 0);
  g_assert_cmpint (bartek->status, ==, 0);
  g_assert_cmpint (celina->status, ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (viewers); i++)
    {
      KibitzTestPeer *v = viewers[i];
      g_autoptr(GString) shares = shares_of (v, "Ada");
      g_autoptr(GPtrArray) first_frames = events_about (v, "first-screen-frame", "Ada");
      g_autoptr(GPtrArray) connected = events_about (v, "connected", "Ada");
      JsonObject *seen = kibitz_test_peer_summary_of (v, "Ada");

      g_test_message ("%s saw Ada's shares: %s; %u first screen frames, %" G_GINT64_FORMAT
                      " screen frames and %" G_GINT64_FORMAT " camera frames decoded", v->name,
                      shares->str, first_frames->len,
                      json_object_get_int_member (seen, "screen_frames_decoded"),
                      json_object_get_int_member (seen, "frames_decoded"));
      g_assert_cmpstr (shares->str, ==, "on off on off on ");
      g_assert_cmpuint (first_frames->len, ==, 3);
      /* Three shares of about 5 s at up to 10 fps. */
      g_assert_cmpint (json_object_get_int_member (seen, "screen_frames_decoded"), >, 40);
      g_assert_true (json_object_get_boolean_member (seen, "screen"));
      kibitz_test_peer_assert_received (v, "Ada");
      /* Nothing renegotiated: one connection, never rebuilt. */
      g_assert_cmpuint (connected->len, ==, 1);
      g_assert_cmpint (json_object_get_int_member (seen, "rebuilds"), ==, 0);
    }

  /* Between the first share's end and the second's start, nothing came. */
  before_off = kibitz_test_peer_stat_at (stats, "Ada", "screen_frames_decoded", off_at + 1500);
  after_off = kibitz_test_peer_stat_at (stats, "Ada", "screen_frames_decoded", on_at);
  g_test_message ("Bartek's screen frames from Ada: %" G_GINT64_FORMAT " 1.5 s after the stop, %"
                  G_GINT64_FORMAT " at the next start", before_off, after_off);
  g_assert_cmpint (before_off, >, 0);
  g_assert_cmpint (after_off, ==, before_off);
  /* Only Ada shared. */
  g_assert_cmpint (json_object_get_int_member (kibitz_test_peer_summary_of (ada, "Bartek"),
                                               "screen_frames_decoded"), ==, 0);

  g_unlink (stats);
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/peer/controls/toggles", test_toggles);
  g_test_add_func ("/peer/controls/board", test_board);
  g_test_add_func ("/peer/controls/pgn-demo", test_pgn_demo);
  g_test_add_func ("/peer/controls/share", test_share);
  return g_test_run ();
}
