/* main.c: kibitz-peer, the call engine without a display.
 *
 * Prints one JSON object per line on stdout: events as they happen, and a
 * summary at the end (docs/kibitz-peer.md describes them; the printing is in
 * kibitz-peer-output.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-peer-tool"

#include "config.h"

#include "kibitz-process.h"

#include <locale.h>
#include <glib-unix.h>
#include <gst/gst.h>

#include "kibitz-peer-tool.h"
#include "kibitz-signaling.h"

/* --raise-hand: announced on joining and again to each newcomer, so that they
 * also see a live `state` message. */
static void
send_hand (Peer *peer)
{
  if (peer->options.raise_hand)
    kibitz_call_set_hand_raised (peer->call, TRUE);
}

static void
joined_cb (KibitzCall *call,
           const char *id,
           gboolean    resumed,
           Peer       *peer)
{
  tool_emit_joined (id, kibitz_call_get_room (call), kibitz_call_get_role (call), resumed);
  send_hand (peer);
  if (peer->options.screen != NULL && !resumed && !kibitz_call_get_screen_shared (call))
    tool_share_screen (peer, TRUE);
}

/* --view: the others as thumbnails, the one who goes first as large as it
 * sends (a view of 0x0: no limit). Again whenever who that is may change. */
static void
tell_views (Peer *peer)
{
  GPtrArray *participants;

  if (peer->options.view == NULL)
    return;
  participants = kibitz_call_get_participants (peer->call);
  for (guint i = 0; i < participants->len; i++)
    {
      KibitzParticipant *p = g_ptr_array_index (participants, i);
      gboolean first = kibitz_call_goes_first (peer->call, p->id);

      if (!p->left)
        kibitz_call_set_view (peer->call, p->id, first ? 0 : peer->options.view_width,
                              first ? 0 : peer->options.view_height);
    }
}

static void
participant_joined_cb (KibitzCall *call, KibitzParticipant *p, Peer *peer)
{
  tool_emit_participant_event ("peer-joined", p);
  tell_views (peer);
  send_hand (peer);
  /* Already sharing when we came (the welcome's state). */
  if (p->screen && !g_hash_table_contains (peer->sharing, p->id))
    {
      g_hash_table_add (peer->sharing, g_strdup (p->id));
      tool_emit_share (p);
    }
  if (peer->options.say)
    kibitz_call_send_chat (call, peer->options.say);
}

static void
participant_connected_cb (KibitzCall *call, KibitzParticipant *p, Peer *peer)
{
  tool_emit_participant_event ("connected", p);
}

static void
first_frame_cb (KibitzCall *call, KibitzParticipant *p, Peer *peer)
{
  tool_emit_participant_event ("first-frame", p);
}

static void
participant_left_cb (KibitzCall *call, KibitzParticipant *p, Peer *peer)
{
  tool_emit_participant_event ("peer-left", p);
  tell_views (peer);
}

static void
first_screen_frame_cb (KibitzCall *call, KibitzParticipant *p, Peer *peer)
{
  tool_emit_participant_event ("first-screen-frame", p);
}

static void
participant_state_cb (KibitzCall *call, KibitzParticipant *p, Peer *peer)
{
  tool_emit_state (p);
  tell_views (peer);
  if (p->screen != g_hash_table_contains (peer->sharing, p->id))
    {
      if (p->screen)
        g_hash_table_add (peer->sharing, g_strdup (p->id));
      else
        g_hash_table_remove (peer->sharing, p->id);
      tool_emit_share (p);
    }
}

static void
chat_cb (KibitzCall *call, JsonObject *message, Peer *peer)
{
  tool_emit_chat (message);
}

static void
board_changed_cb (KibitzCall *call, JsonObject *state, Peer *peer)
{
  tool_emit_board (state, kibitz_call_get_board_fen (call));
}

static void
class_message_cb (KibitzCall *call, const char *type, JsonObject *message, Peer *peer)
{
  tool_emit_class (type, message);
  /* A muted peer's microphone is off now: say so, as after "mic off". */
  if (g_str_equal (type, "muted"))
    {
      if (peer->options.ignore_mute)
        kibitz_call_set_microphone_enabled (call, TRUE);
      tool_emit_self_state (peer);
    }
}

static void
server_error_cb (KibitzCall *call, const char *code, const char *message, Peer *peer)
{
  tool_emit_server_error (code, message);
}

static void
participant_failed_cb (KibitzCall        *call,
                       KibitzParticipant *p,
                       const GError      *error,
                       Peer              *peer)
{
  tool_emit_error (p, error->message);
}

static void
call_failed_cb (KibitzCall   *call,
                const GError *error,
                Peer         *peer)
{
  g_printerr ("kibitz-peer: %s\n", error->message);
  g_main_loop_quit (peer->loop);
  /* A class that ended is over, not failed: the `ended` event says so. */
  if (g_error_matches (error, KIBITZ_SIGNALING_ERROR, KIBITZ_SIGNALING_ERROR_ENDED))
    return;
  tool_emit_error (NULL, error->message);
  peer->exit_code = 2;
}

static gboolean
stats_cb (gpointer user_data)
{
  tool_write_stats (user_data);
  return G_SOURCE_CONTINUE;
}

static gboolean
quit_cb (gpointer user_data)
{
  Peer *peer = user_data;

  g_main_loop_quit (peer->loop);
  return G_SOURCE_REMOVE;
}

/* The call the command line asks for, its events connected. */
static void
make_call (Peer *peer)
{
  const Options *o = &peer->options;
  KibitzCallOptions call_options = {
    .server_url = o->server,
    .room = o->room,
    .name = o->name,
    .teacher_token = o->teacher_token,
    .invite = o->invite,
    .media.video = o->video ? o->video : "test",
    .media.audio = o->audio ? o->audio : "test",
    .media.encoder = g_strcmp0 (o->encoder, "per-peer") == 0 ? KIBITZ_ENCODER_PER_PEER
                                                             : KIBITZ_ENCODER_SHARED,
    .media.upload_budget_kbps = o->upload_kbps,
    .media.max_width = o->width,
    .media.max_height = o->height,
    .media.stamp_frames = o->latency_probe,
    .ice_addresses = (const char * const *) o->ice_addresses,
    .relay_only = o->relay_only,
    .latency_ms = MAX (o->latency, 0),
    .sync_latency = o->sync_latency,
    .congestion_control = g_strcmp0 (o->congestion_control, "off") != 0,
  };

  peer->call = kibitz_call_new (&call_options);
  g_signal_connect (peer->call, "joined", G_CALLBACK (joined_cb), peer);
  g_signal_connect (peer->call, "participant-joined", G_CALLBACK (participant_joined_cb), peer);
  g_signal_connect (peer->call, "participant-connected", G_CALLBACK (participant_connected_cb),
                    peer);
  g_signal_connect (peer->call, "first-frame", G_CALLBACK (first_frame_cb), peer);
  g_signal_connect (peer->call, "first-screen-frame", G_CALLBACK (first_screen_frame_cb), peer);
  peer->sharing = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_signal_connect (peer->call, "participant-left", G_CALLBACK (participant_left_cb), peer);
  g_signal_connect (peer->call, "participant-failed", G_CALLBACK (participant_failed_cb), peer);
  g_signal_connect (peer->call, "failed", G_CALLBACK (call_failed_cb), peer);
  if (o->latency_probe)
    {
      peer->latency = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) g_array_unref);
      kibitz_call_set_sink_factory (peer->call, tool_latency_sink_factory, peer);
    }
  g_signal_connect (peer->call, "participant-state", G_CALLBACK (participant_state_cb), peer);
  g_signal_connect (peer->call, "chat", G_CALLBACK (chat_cb), peer);
  g_signal_connect (peer->call, "board-changed", G_CALLBACK (board_changed_cb), peer);
  g_signal_connect (peer->call, "class-message", G_CALLBACK (class_message_cb), peer);
  g_signal_connect (peer->call, "server-error", G_CALLBACK (server_error_cb), peer);
}

/* Signals, --duration, --stats and stdin: what ends or feeds the call. */
static void
watch_call (Peer *peer)
{
  g_unix_signal_add (SIGTERM, quit_cb, peer);
  g_unix_signal_add (SIGINT, quit_cb, peer);
  if (peer->options.duration > 0)
    g_timeout_add_seconds (peer->options.duration, quit_cb, peer);
  if (peer->stats)
    peer->stats_id = g_timeout_add_seconds (1, stats_cb, peer);

  peer->cancellable = g_cancellable_new ();
  tool_start_commands (peer);
  tool_demo_start (peer);
}

/* Leaves the room and reports: the last stats line, the expectation, the
 * summary. */
static void
finish_call (Peer *peer)
{
  g_cancellable_cancel (peer->cancellable);
  g_clear_handle_id (&peer->stats_id, g_source_remove);
  tool_demo_stop (peer);
  if (kibitz_call_get_media (peer->call) != NULL)
    kibitz_media_source_get_plan (kibitz_call_get_media (peer->call), &peer->plan[0],
                                  &peer->plan[1], &peer->plan[2], &peer->plan[3]);
  kibitz_call_leave (peer->call);
  if (peer->stats)
    {
      tool_write_stats (peer);
      fclose (peer->stats);
    }
  if (peer->options.expect_peers > 0)
    tool_check_expectation (peer);
  tool_print_summary (peer);
  if (peer->failure)
    g_printerr ("kibitz-peer: %s\n", peer->failure);
}

static void
peer_clear (Peer *peer)
{
  g_clear_object (&peer->call);
  /* Let the cancelled read finish before its stream goes. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&peer->commands);
  g_clear_pointer (&peer->latency, g_hash_table_unref);
  g_clear_pointer (&peer->sharing, g_hash_table_unref);
  g_mutex_clear (&peer->latency_lock);
  g_clear_object (&peer->cancellable);
  g_clear_pointer (&peer->loop, g_main_loop_unref);
  g_free (peer->failure);
  tool_options_clear (&peer->options);
}

int
main (int    argc,
      char **argv)
{
  Peer peer = { 0 };
  g_autoptr(GError) error = NULL;
  int exit_code;

  setlocale (LC_ALL, "");
  /* stdout carries only the JSON lines. */
  g_log_writer_default_set_use_stderr (TRUE);

  if (!tool_parse_options (&peer.options, &argc, &argv, &error) ||
      !tool_demo_load (&peer, &error))
    {
      g_printerr ("kibitz-peer: %s\n", error->message);
      tool_options_clear (&peer.options);
      return 2;
    }
  kibitz_process_init ();
  gst_init (NULL, NULL);

  if (peer.options.stats_path && !(peer.stats = fopen (peer.options.stats_path, "a")))
    {
      g_printerr ("kibitz-peer: cannot write the stats file %s\n", peer.options.stats_path);
      tool_demo_stop (&peer);
      tool_options_clear (&peer.options);
      return 2;
    }

  g_mutex_init (&peer.latency_lock);
  peer.loop = g_main_loop_new (NULL, FALSE);
  make_call (&peer);
  watch_call (&peer);
  kibitz_call_start (peer.call);
  g_main_loop_run (peer.loop);
  finish_call (&peer);

  exit_code = peer.exit_code;
  peer_clear (&peer);
  kibitz_peer_finish_dtls ();
  gst_deinit ();
  return exit_code;
}
