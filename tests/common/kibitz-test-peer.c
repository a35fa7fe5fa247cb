/* kibitz-test-peer.c: kibitz-peer processes for tests: spawn one in a room
 * of a KibitzTestServer, wait for it, read its JSON summary and stats file.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "kibitz-test-peer.h"

void
kibitz_test_peer_free (KibitzTestPeer *p)
{
  if (p->process && g_subprocess_get_identifier (p->process))
    g_subprocess_force_exit (p->process);
  g_clear_object (&p->process);
  g_clear_pointer (&p->summary, json_object_unref);
  g_clear_pointer (&p->events, g_ptr_array_unref);
  g_free (p->output);
  g_free (p->name);
  g_free (p);
}

/* With G_SUBPROCESS_FLAGS_STDIN_PIPE the test can send commands (camera off,
 * chat ...) on the process's stdin; see docs/kibitz-peer.md. */
KibitzTestPeer *
kibitz_test_peer_spawn_with_flags (KibitzTestServer   *server,
                       const char         *room,
                       const char         *name,
                       guint               duration,
                       const char * const *extra,
                       GSubprocessFlags    flags)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  KibitzTestPeer *p = g_new0 (KibitzTestPeer, 1);

  g_ptr_array_add (argv, g_strdup (g_getenv ("KIBITZ_PEER_BIN")));
  g_ptr_array_add (argv, g_strdup_printf ("--server=http://%s", server->http));
  g_ptr_array_add (argv, g_strdup_printf ("--room=%s", room));
  g_ptr_array_add (argv, g_strdup_printf ("--name=%s", name));
  g_ptr_array_add (argv, g_strdup_printf ("--duration=%u", duration));
  g_ptr_array_add (argv, g_strdup ("--ice-address=127.0.0.1"));
  g_ptr_array_add (argv, g_strdup ("--width=320"));
  g_ptr_array_add (argv, g_strdup ("--height=240"));
  for (guint i = 0; extra && extra[i]; i++)
    g_ptr_array_add (argv, g_strdup (extra[i]));
  g_ptr_array_add (argv, NULL);

  p->name = g_strdup (name);
  p->events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  p->process = g_subprocess_newv ((const char * const *) argv->pdata,
                                  G_SUBPROCESS_FLAGS_STDOUT_PIPE | flags, &error);
  g_assert_no_error (error);

  return p;
}

KibitzTestPeer *
kibitz_test_peer_spawn (KibitzTestServer   *server,
            const char         *room,
            const char         *name,
            guint               duration,
            const char * const *extra)
{
  return kibitz_test_peer_spawn_with_flags (server, room, name, duration, extra, G_SUBPROCESS_FLAGS_NONE);
}

/* The suite runs every process with ASan's fast_unwind_on_malloc=0: LSan
 * can only match its suppressions in Debian's libraries (built without frame
 * pointers) on full stacks. Unwinding every malloc and free that way makes a
 * kibitz-peer about six times slower: measured on 2 cores, the five
 * processes of a class took 20 s to connect (so a participant's links were
 * still negotiating when --duration ran out, most runs) against 3.3 s with
 * the fast unwinder; in a call of three, starting a screen share (caps
 * negotiation through videoconvert and the overlays: thousands of small
 * allocations) took 3 to 4 s before its first frame, so a 5 s share often
 * reached nobody. Calls of three and more therefore spawn their peers with
 * the fast unwinder and without leak checking (the server keeps both); the
 * engine's leaks are checked in-process by tests/core's media tests
 * (screen sharing included) and by the two-peer tests. */
void
kibitz_test_peer_light_sanitizer (gboolean light)
{
  static char *saved;

  if (light)
    {
      g_free (saved);
      saved = g_strdup (g_getenv ("ASAN_OPTIONS"));
      g_setenv ("ASAN_OPTIONS", "detect_leaks=0:abort_on_error=1:detect_odr_violation=0", TRUE);
    }
  else if (saved != NULL)
    {
      g_setenv ("ASAN_OPTIONS", saved, TRUE);
      g_clear_pointer (&saved, g_free);
    }
}

static void
parse_output (KibitzTestPeer *p)
{
  g_auto(GStrv) lines = g_strsplit (p->output, "\n", -1);

  for (guint i = 0; lines[i]; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *object;

      if (lines[i][0] == '\0')
        continue;
      if (!json_parser_load_from_data (parser, lines[i], -1, NULL))
        g_error ("%s printed a line that is not JSON: %s", p->name, lines[i]);
      object = json_node_get_object (json_parser_get_root (parser));
      g_ptr_array_add (p->events, json_object_ref (object));
      if (g_str_equal (json_object_get_string_member (object, "event"), "summary"))
        p->summary = json_object_ref (object);
    }
  g_assert_nonnull (p->summary);
}

/* Waits for the peer to finish (bounded by its --duration plus slack). */
void
kibitz_test_peer_finish (KibitzTestPeer *p)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8 (p->process, NULL, NULL, &p->output, NULL, &error);
  g_assert_no_error (error);
  p->status = g_subprocess_get_exit_status (p->process);
  g_test_message ("%s exited %d", p->name, p->status);
  parse_output (p);
}

JsonObject *
kibitz_test_peer_summary_of (KibitzTestPeer *p,
            const char  *name)
{
  JsonArray *peers = json_object_get_array_member (p->summary, "peers");

  for (guint i = 0; i < json_array_get_length (peers); i++)
    {
      JsonObject *peer = json_array_get_object_element (peers, i);

      if (g_str_equal (json_object_get_string_member (peer, "name"), name))
        return peer;
    }

  return NULL;
}

void
kibitz_test_peer_assert_received (KibitzTestPeer *receiver,
                 const char  *sender)
{
  JsonObject *peer = kibitz_test_peer_summary_of (receiver, sender);
  g_autofree char *first = NULL;

  if (peer == NULL)
    g_error ("%s never saw %s", receiver->name, sender);
  first = json_object_get_null_member (peer, "first_frame_ms")
          ? g_strdup ("-")
          : g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (peer, "first_frame_ms"));
  g_test_message ("%s <- %s: %" G_GINT64_FORMAT " frames, %" G_GINT64_FORMAT
                  " audio packets, first frame after %s ms, %s/%s", receiver->name, sender,
                  json_object_get_int_member (peer, "frames_decoded"),
                  json_object_get_int_member (peer, "audio_packets"),
                  first,
                  json_object_get_string_member_with_default (peer, "local_candidate", "?"),
                  json_object_get_string_member_with_default (peer, "remote_candidate", "?"));
  g_assert_true (json_object_get_boolean_member (peer, "connected"));
  g_assert_cmpint (json_object_get_int_member (peer, "frames_decoded"), >, 0);
  g_assert_cmpint (json_object_get_int_member (peer, "audio_packets"), >, 0);
  g_assert_nonnull (json_object_get_string_member (peer, "local_candidate"));
}

/* One count (@member of the stats entry: frames_decoded, audio_packets,
 * audio_audible...) of what a participant received from another, at the
 * last stats line written at or before @time_ms (from a --stats file); -1
 * if none. */
gint64
kibitz_test_peer_stat_at (const char *stats_path,
                          const char *from_name,
                          const char *member,
                          gint64      time_ms)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  gint64 value = -1;

  g_assert_true (g_file_get_contents (stats_path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  /* Tests read the file while the peer writes it: a last line without its
   * newline is still being written (or was cut by the peer's end). */
  for (guint i = 0; lines[i] && lines[i + 1]; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *line;
      JsonArray *peers;

      g_assert_true (json_parser_load_from_data (parser, lines[i], -1, NULL));
      line = json_node_get_object (json_parser_get_root (parser));
      if (json_object_get_int_member (line, "time_ms") > time_ms)
        break;
      peers = json_object_get_array_member (line, "peers");
      for (guint j = 0; j < json_array_get_length (peers); j++)
        {
          JsonObject *peer = json_array_get_object_element (peers, j);

          if (g_str_equal (json_object_get_string_member (peer, "name"), from_name))
            value = json_object_get_int_member (peer, member);
        }
    }

  return value;
}

/* The frames one participant received from another, at the last stats line
 * written at or before @time_ms (from a --stats file).
 */
gint64
kibitz_test_peer_frames_at (const char *stats_path,
                            const char *from_name,
                            gint64      time_ms)
{
  return kibitz_test_peer_stat_at (stats_path, from_name, "frames_decoded", time_ms);
}
