/* main.c: kibitz-peer, the call engine without a display.
 *
 * Prints one JSON object per line on stdout: events as they happen, and a
 * summary at the end (docs/kibitz-peer.md describes them).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-peer"

#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <glib-unix.h>
#include <gio/gunixinputstream.h>
#include <gst/gst.h>

#include "kibitz-call.h"
#include "kibitz-frame-stamp.h"
#include "kibitz-message.h"

typedef struct {
  char       *server;
  char       *room;
  char       *name;
  char       *video;
  char       *audio;
  char       *encoder;
  char       *stats_path;
  char       *say;
  GStrv       ice_addresses;
  gboolean    relay_only;
  gboolean    raise_hand;
  int         duration;
  int         expect_peers;
  int         latency;
  int         upload_kbps;
  int         width;
  int         height;
  gboolean    latency_probe;
  gboolean    sync_latency;
} Options;

typedef struct {
  Options     options;
  KibitzCall *call;
  GMainLoop  *loop;
  FILE       *stats;
  int         exit_code;
  char       *failure;
  guint       stats_id;
  GMutex      latency_lock;
  GHashTable *latency;  /* remote id -> GArray of double ms; with --latency-probe */
  int         plan[4];  /* what we sent while in the call: width, height, fps, kbps */
  GDataInputStream *commands;
  GCancellable     *cancellable;
} Peer;

static void
print_event (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = NULL;

  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  printf ("%s\n", text);
  fflush (stdout);
}

static JsonBuilder *
begin_event (const char *event)
{
  JsonBuilder *builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "event");
  json_builder_add_string_value (builder, event);

  return builder;
}

static void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_int (JsonBuilder *builder,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

static void
add_participant (JsonBuilder             *builder,
                 const KibitzParticipant *p)
{
  add_string (builder, "id", p->id);
  add_string (builder, "name", p->name);
}

static void
emit_participant_event (const char              *event,
                        const KibitzParticipant *p)
{
  g_autoptr(JsonBuilder) builder = begin_event (event);

  add_participant (builder, p);
  if (g_str_equal (event, "connected"))
    {
      add_string (builder, "local_candidate", p->local_candidate);
      add_string (builder, "remote_candidate", p->remote_candidate);
      add_string (builder, "relay_transport", p->relay_transport);
    }
  else if (g_str_equal (event, "first-frame"))
    {
      add_int (builder, "ms", p->first_frame_ms);
    }
  else if (g_str_equal (event, "peer-left"))
    {
      add_string (builder, "reason", p->left_reason);
    }
  json_builder_end_object (builder);
  print_event (builder);
}

static void send_hand (Peer *peer);

static void
joined_cb (KibitzCall *call,
           const char *id,
           gboolean    resumed,
           Peer       *peer)
{
  g_autoptr(JsonBuilder) builder = begin_event ("joined");

  add_string (builder, "id", id);
  add_string (builder, "room", kibitz_call_get_room (call));
  json_builder_set_member_name (builder, "resumed");
  json_builder_add_boolean_value (builder, resumed);
  json_builder_end_object (builder);
  print_event (builder);
  send_hand (peer);
}

/* --raise-hand: announced on joining and again to each newcomer, so that they
 * also see a live `state` message. */
static void
send_hand (Peer *peer)
{
  if (peer->options.raise_hand)
    kibitz_call_set_hand_raised (peer->call, TRUE);
}

static void
participant_joined_cb (KibitzCall *call, KibitzParticipant *p, Peer *peer)
{
  emit_participant_event ("peer-joined", p);
  send_hand (peer);
  if (peer->options.say)
    kibitz_call_send_chat (call, peer->options.say);
}

static void
participant_connected_cb (KibitzCall *call, KibitzParticipant *p, Peer *peer)
{
  emit_participant_event ("connected", p);
}

static void
first_frame_cb (KibitzCall *call, KibitzParticipant *p, Peer *peer)
{
  emit_participant_event ("first-frame", p);
}

static void
participant_left_cb (KibitzCall *call, KibitzParticipant *p, Peer *peer)
{
  emit_participant_event ("peer-left", p);
}

static void emit_error (const KibitzParticipant *p,
                        const char              *message);

static void
add_bool (JsonBuilder *builder,
          const char  *name,
          gboolean     value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_boolean_value (builder, value);
}

static void
participant_state_cb (KibitzCall *call, KibitzParticipant *p, Peer *peer)
{
  g_autoptr(JsonBuilder) builder = begin_event ("state");

  add_participant (builder, p);
  add_bool (builder, "audio", p->audio);
  add_bool (builder, "video", p->video);
  add_bool (builder, "hand", p->hand);
  json_builder_end_object (builder);
  print_event (builder);
}

static void
chat_cb (KibitzCall *call, JsonObject *message, Peer *peer)
{
  g_autoptr(JsonBuilder) builder = begin_event ("chat");

  add_string (builder, "from", kibitz_json_get_string (message, "from"));
  add_string (builder, "name", kibitz_json_get_string (message, "name"));
  add_string (builder, "text", kibitz_json_get_string (message, "text"));
  json_builder_end_object (builder);
  print_event (builder);
}

static void
emit_self_state (Peer *peer)
{
  g_autoptr(JsonBuilder) builder = begin_event ("self-state");

  add_bool (builder, "audio", kibitz_call_get_microphone_enabled (peer->call));
  add_bool (builder, "video", kibitz_call_get_camera_enabled (peer->call));
  add_bool (builder, "hand", kibitz_call_get_hand_raised (peer->call));
  json_builder_end_object (builder);
  print_event (builder);
}

/* One command from stdin: "camera on|off", "mic on|off", "hand up|down",
 * "chat TEXT", "leave". Unknown lines get an error event. */
static void
run_command (Peer       *peer,
             const char *line)
{
  g_autofree char *copy = g_strstrip (g_strdup (line));
  const char *arg = strchr (copy, ' ') ? strchr (copy, ' ') + 1 : "";
  gboolean on = g_str_equal (arg, "on") || g_str_equal (arg, "up");
  gboolean off = g_str_equal (arg, "off") || g_str_equal (arg, "down");

  if (copy[0] == '\0')
    return;
  if (g_str_has_prefix (copy, "camera ") && (on || off))
    kibitz_call_set_camera_enabled (peer->call, on);
  else if (g_str_has_prefix (copy, "mic ") && (on || off))
    kibitz_call_set_microphone_enabled (peer->call, on);
  else if (g_str_has_prefix (copy, "hand ") && (on || off))
    kibitz_call_set_hand_raised (peer->call, on);
  else if (g_str_has_prefix (copy, "chat ") && arg[0] != '\0')
    {
      kibitz_call_send_chat (peer->call, arg);
      return;
    }
  else if (g_str_equal (copy, "leave"))
    {
      g_main_loop_quit (peer->loop);
      return;
    }
  else
    {
      g_autofree char *message = g_strdup_printf ("unknown command “%s”: try camera on|off, "
                                                  "mic on|off, hand up|down, chat TEXT, leave",
                                                  copy);
      emit_error (NULL, message);
      return;
    }
  emit_self_state (peer);
}

static void
command_read_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Peer *peer = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (peer->commands, result,
                                                                      NULL, &error);

  if (line == NULL)
    {
      /* End of input (or /dev/null) leaves the call running. */
      if (error && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_printerr ("kibitz-peer: cannot read commands: %s\n", error->message);
      return;
    }
  run_command (peer, line);
  g_data_input_stream_read_line_async (peer->commands, G_PRIORITY_DEFAULT, peer->cancellable,
                                       command_read_cb, peer);
}

static void
emit_error (const KibitzParticipant *p,
            const char              *message)
{
  g_autoptr(JsonBuilder) builder = begin_event ("error");

  if (p)
    add_participant (builder, p);
  add_string (builder, "message", message);
  json_builder_end_object (builder);
  print_event (builder);
}

static void
participant_failed_cb (KibitzCall        *call,
                       KibitzParticipant *p,
                       const GError      *error,
                       Peer              *peer)
{
  emit_error (p, error->message);
}

static void
call_failed_cb (KibitzCall   *call,
                const GError *error,
                Peer         *peer)
{
  emit_error (NULL, error->message);
  g_printerr ("kibitz-peer: %s\n", error->message);
  peer->exit_code = 2;
  g_main_loop_quit (peer->loop);
}

/* Rounded to a whole number (json-glib prints doubles with 17 digits);
 * null when unknown (negative). */
static void
add_rounded (JsonBuilder *builder,
             const char  *name,
             double       value)
{
  json_builder_set_member_name (builder, name);
  if (value < 0)
    json_builder_add_null_value (builder);
  else
    json_builder_add_int_value (builder, (gint64) (value + 0.5));
}

/* --latency-probe: everyone draws its send time into its video; we read it
 * back when a decoded frame is rendered (a fakesink that syncs to the clock
 * like a display, so the jitter buffer's delay counts). */
#define LATENCY_WARMUP_FRAMES 30

typedef struct {
  Peer *peer;
  char *id;
} LatencySink;

static void
latency_sink_free (gpointer data, GClosure *closure)
{
  LatencySink *sink = data;

  g_free (sink->id);
  g_free (sink);
}

static void
handoff_cb (GstElement  *fakesink,
            GstBuffer   *buffer,
            GstPad      *pad,
            LatencySink *sink)
{
  g_autoptr(GstCaps) caps = gst_pad_get_current_caps (pad);
  GstVideoInfo info;
  GstVideoFrame frame;
  gint64 sent_ms;
  gboolean found;

  if (caps == NULL || !gst_video_info_from_caps (&info, caps) ||
      !gst_video_frame_map (&frame, &info, buffer, GST_MAP_READ))
    return;
  found = kibitz_frame_stamp_read (&frame, &sent_ms);
  gst_video_frame_unmap (&frame);
  if (found)
    {
      double ms = g_get_monotonic_time () / 1000.0 - (double) sent_ms;
      GArray *samples;

      g_mutex_lock (&sink->peer->latency_lock);
      samples = g_hash_table_lookup (sink->peer->latency, sink->id);
      if (samples == NULL)
        {
          samples = g_array_new (FALSE, FALSE, sizeof (double));
          g_hash_table_insert (sink->peer->latency, g_strdup (sink->id), samples);
        }
      if (samples->len < 100000)
        g_array_append_val (samples, ms);
      g_mutex_unlock (&sink->peer->latency_lock);
    }
}

static GstElement *
latency_sink_factory (KibitzPeer      *remote,
                      KibitzMediaKind  kind,
                      gpointer         user_data)
{
  LatencySink *sink;
  GstElement *fakesink;

  if (kind != KIBITZ_MEDIA_KIND_VIDEO)
    return NULL;
  fakesink = gst_element_factory_make ("fakesink", NULL);
  g_object_set (fakesink, "sync", TRUE, "async", FALSE, "signal-handoffs", TRUE, NULL);
  sink = g_new0 (LatencySink, 1);
  sink->peer = user_data;
  sink->id = g_strdup (kibitz_peer_get_id (remote));
  g_signal_connect_data (fakesink, "handoff", G_CALLBACK (handoff_cb), sink, latency_sink_free,
                         0);
  return fakesink;
}

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* "latency_ms": {median, p95, samples} of one remote participant, if any. */
static void
add_latency (JsonBuilder             *builder,
             Peer                    *peer,
             const KibitzParticipant *p)
{
  g_autoptr(GArray) sorted = NULL;
  GArray *samples;

  if (peer->latency == NULL)
    return;
  g_mutex_lock (&peer->latency_lock);
  samples = g_hash_table_lookup (peer->latency, p->id);
  if (samples != NULL && samples->len > 0)
    {
      /* The first second is the link starting (a keyframe wait, the jitter
       * buffer filling): steady state is what a class lives with. */
      guint skip = samples->len > 2 * LATENCY_WARMUP_FRAMES ? LATENCY_WARMUP_FRAMES : 0;

      sorted = g_array_sized_new (FALSE, FALSE, sizeof (double), samples->len - skip);
      g_array_append_vals (sorted, &g_array_index (samples, double, skip), samples->len - skip);
    }
  g_mutex_unlock (&peer->latency_lock);
  if (sorted == NULL)
    return;

  g_array_sort (sorted, compare_doubles);
  json_builder_set_member_name (builder, "latency_ms");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "median");
  json_builder_add_double_value (builder, (gint64) (g_array_index (sorted, double, sorted->len / 2) * 10 + 0.5) / 10.0);
  json_builder_set_member_name (builder, "p95");
  json_builder_add_double_value (builder, (gint64) (g_array_index (sorted, double, sorted->len * 95 / 100) * 10 + 0.5) / 10.0);
  add_int (builder, "samples", sorted->len);
  json_builder_end_object (builder);
}

/* One remote participant as the summary and the stats file show it. */
static void
add_participant_stats (JsonBuilder             *builder,
                       Peer                    *peer,
                       const KibitzParticipant *p)
{
  const KibitzStats *stats = p->last_stats;

  json_builder_begin_object (builder);
  add_participant (builder, p);
  json_builder_set_member_name (builder, "connected");
  json_builder_add_boolean_value (builder, p->connected);
  json_builder_set_member_name (builder, "left");
  json_builder_add_boolean_value (builder, p->left);
  add_string (builder, "local_candidate", p->local_candidate);
  add_string (builder, "remote_candidate", p->remote_candidate);
  add_string (builder, "relay_transport", p->relay_transport);
  add_int (builder, "frames_decoded", p->frames_decoded);
  add_int (builder, "audio_packets", p->audio_packets);
  add_bool (builder, "audio", p->audio);
  add_bool (builder, "video", p->video);
  add_bool (builder, "hand", p->hand);
  add_rounded (builder, "rtt_ms", stats ? stats->rtt_ms : -1);
  if (p->first_frame_ms >= 0)
    add_int (builder, "first_frame_ms", p->first_frame_ms);
  else
    add_string (builder, "first_frame_ms", NULL);
  add_rounded (builder, "bitrate_in_kbps", stats ? stats->bitrate_in_kbps : 0);
  add_rounded (builder, "bitrate_out_kbps", stats ? stats->bitrate_out_kbps : 0);
  add_int (builder, "packets_lost", stats ? stats->packets_lost : 0);
  add_int (builder, "bytes_received", stats ? (gint64) stats->bytes_received : 0);
  add_int (builder, "bytes_sent", stats ? (gint64) stats->bytes_sent : 0);
  add_int (builder, "rebuilds", p->rebuilds);
  if (p->error)
    add_string (builder, "error", p->error->message);
  add_latency (builder, peer, p);
  json_builder_end_object (builder);
}

static void
write_stats (Peer *peer)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  GPtrArray *participants = kibitz_call_get_participants (peer->call);

  json_builder_begin_object (builder);
  add_int (builder, "time_ms", g_get_real_time () / 1000);
  json_builder_set_member_name (builder, "peers");
  json_builder_begin_array (builder);
  for (guint i = 0; i < participants->len; i++)
    add_participant_stats (builder, peer, g_ptr_array_index (participants, i));
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  fprintf (peer->stats, "%s\n", text);
  fflush (peer->stats);
}

static gboolean
stats_cb (gpointer user_data)
{
  write_stats (user_data);
  return G_SOURCE_CONTINUE;
}

/* With --expect-peers N: at least N remote participants each delivered
 * decoded video and audio (a participant that left since still counts).
 */
static void
check_expectation (Peer *peer)
{
  GPtrArray *participants = kibitz_call_get_participants (peer->call);
  g_autoptr(GString) missing = g_string_new (NULL);
  int delivered = 0;

  for (guint i = 0; i < participants->len; i++)
    {
      KibitzParticipant *p = g_ptr_array_index (participants, i);

      if (p->frames_decoded > 0 && p->audio_packets > 0)
        delivered++;
      else
        g_string_append_printf (missing, "%s%s (%s: %" G_GUINT64_FORMAT " frames, %"
                                G_GUINT64_FORMAT " audio packets%s%s)",
                                missing->len ? ", " : "", p->name, p->id, p->frames_decoded,
                                p->audio_packets, p->error ? "; " : "",
                                p->error ? p->error->message : "");
    }

  if (delivered >= peer->options.expect_peers)
    return;

  peer->failure = g_strdup_printf ("expected video and audio from %d peers, got them from %d%s%s",
                                   peer->options.expect_peers, delivered,
                                   missing->len ? "; missing: " : "", missing->str);
  if (peer->exit_code == 0)
    peer->exit_code = 1;
}

static void
print_summary (Peer *peer)
{
  g_autoptr(JsonBuilder) builder = begin_event ("summary");
  GPtrArray *participants = kibitz_call_get_participants (peer->call);

  add_string (builder, "id", kibitz_call_get_id (peer->call));
  add_string (builder, "room", kibitz_call_get_room (peer->call));
  json_builder_set_member_name (builder, "peers");
  json_builder_begin_array (builder);
  for (guint i = 0; i < participants->len; i++)
    add_participant_stats (builder, peer, g_ptr_array_index (participants, i));
  json_builder_end_array (builder);
  if (peer->plan[0] > 0)
    {
      json_builder_set_member_name (builder, "video_plan");
      json_builder_begin_object (builder);
      add_int (builder, "width", peer->plan[0]);
      add_int (builder, "height", peer->plan[1]);
      add_int (builder, "fps", peer->plan[2]);
      add_int (builder, "kbps", peer->plan[3]);
      json_builder_end_object (builder);
    }
  if (peer->failure)
    add_string (builder, "failure", peer->failure);
  json_builder_end_object (builder);
  print_event (builder);
}

static gboolean
quit_cb (gpointer user_data)
{
  Peer *peer = user_data;

  g_main_loop_quit (peer->loop);
  return G_SOURCE_REMOVE;
}

static gboolean
parse_options (Options   *options,
               int       *argc,
               char    ***argv,
               GError   **error)
{
  const GOptionEntry entries[] = {
    { "server", 0, 0, G_OPTION_ARG_STRING, &options->server,
      "kibitz-server to use, e.g. http://127.0.0.1:8080", "URL" },
    { "room", 0, 0, G_OPTION_ARG_STRING, &options->room, "Room to join", "ROOM" },
    { "name", 0, 0, G_OPTION_ARG_STRING, &options->name, "Display name", "NAME" },
    { "video", 0, 0, G_OPTION_ARG_STRING, &options->video,
      "test (default), none, a device such as /dev/video0, or a GStreamer element", "SOURCE" },
    { "audio", 0, 0, G_OPTION_ARG_STRING, &options->audio,
      "test (default), none, or a GStreamer element", "SOURCE" },
    { "encoder", 0, 0, G_OPTION_ARG_STRING, &options->encoder,
      "shared (default: encode once for everyone) or per-peer (one encoder per connection)",
      "MODE" },
    { "relay-only", 0, 0, G_OPTION_ARG_NONE, &options->relay_only,
      "Use only TURN relay candidates", NULL },
    { "ice-address", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options->ice_addresses,
      "Gather ICE candidates only on this local address (repeatable)", "ADDR" },
    { "duration", 0, 0, G_OPTION_ARG_INT, &options->duration,
      "Leave after this many seconds (default: run until SIGTERM or Ctrl+C)", "SECONDS" },
    { "expect-peers", 0, 0, G_OPTION_ARG_INT, &options->expect_peers,
      "Exit 0 only if at least N peers delivered video and audio", "N" },
    { "stats", 0, 0, G_OPTION_ARG_FILENAME, &options->stats_path,
      "Append a JSON line of per-peer stats to FILE every second", "FILE" },
    { "latency", 0, 0, G_OPTION_ARG_INT, &options->latency,
      "Jitter buffer latency in milliseconds", "MS" },
    { "width", 0, 0, G_OPTION_ARG_INT, &options->width,
      "Largest video width to send (default 640)", "PIXELS" },
    { "height", 0, 0, G_OPTION_ARG_INT, &options->height,
      "Largest video height to send (default 480)", "PIXELS" },
    { "sync-latency", 0, 0, G_OPTION_ARG_NONE, &options->sync_latency,
      "Render incoming media after the jitter buffer's latency (as a player would) "
      "instead of as soon as it is decoded", NULL },
    { "latency-probe", 0, 0, G_OPTION_ARG_NONE, &options->latency_probe,
      "Draw the send time into our video and measure the glass-to-glass latency of everyone's",
      NULL },
    { "upload-kbps", 0, 0, G_OPTION_ARG_INT, &options->upload_kbps,
      "Upload budget shared by all connections (default 2500)", "KBPS" },
    { "say", 0, 0, G_OPTION_ARG_STRING, &options->say,
      "Write TEXT in the chat each time someone joins", "TEXT" },
    { "raise-hand", 0, 0, G_OPTION_ARG_NONE, &options->raise_hand,
      "Raise the hand (a state message) on joining", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— a headless Kibitz participant");

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_group (context, gst_init_get_option_group ());
  if (!g_option_context_parse (context, argc, argv, error))
    return FALSE;

  if (!options->server || !options->room || !options->name)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           "--server, --room and --name are needed");
      return FALSE;
    }

  if (options->encoder && !g_str_equal (options->encoder, "shared") &&
      !g_str_equal (options->encoder, "per-peer"))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--encoder must be shared or per-peer, not “%s”", options->encoder);
      return FALSE;
    }

  return TRUE;
}

static void
options_clear (Options *options)
{
  g_free (options->server);
  g_free (options->room);
  g_free (options->name);
  g_free (options->video);
  g_free (options->audio);
  g_free (options->encoder);
  g_free (options->stats_path);
  g_free (options->say);
  g_strfreev (options->ice_addresses);
}

int
main (int    argc,
      char **argv)
{
  Peer peer = { 0 };
  g_autoptr(GError) error = NULL;
  KibitzCallOptions call_options = { 0 };

  setlocale (LC_ALL, "");
  /* stdout carries only the JSON lines. */
  g_log_writer_default_set_use_stderr (TRUE);

  if (!parse_options (&peer.options, &argc, &argv, &error))
    {
      g_printerr ("kibitz-peer: %s\n", error->message);
      options_clear (&peer.options);
      return 2;
    }
  gst_init (NULL, NULL);

  if (peer.options.stats_path && !(peer.stats = fopen (peer.options.stats_path, "a")))
    {
      g_printerr ("kibitz-peer: cannot write the stats file %s\n", peer.options.stats_path);
      options_clear (&peer.options);
      return 2;
    }

  call_options.server_url = peer.options.server;
  call_options.room = peer.options.room;
  call_options.name = peer.options.name;
  call_options.media.video = peer.options.video ? peer.options.video : "test";
  call_options.media.audio = peer.options.audio ? peer.options.audio : "test";
  call_options.media.encoder = g_strcmp0 (peer.options.encoder, "per-peer") == 0
                               ? KIBITZ_ENCODER_PER_PEER : KIBITZ_ENCODER_SHARED;
  call_options.media.upload_budget_kbps = peer.options.upload_kbps;
  call_options.media.max_width = peer.options.width;
  call_options.media.max_height = peer.options.height;
  call_options.ice_addresses = (const char * const *) peer.options.ice_addresses;
  call_options.relay_only = peer.options.relay_only;
  call_options.latency_ms = MAX (peer.options.latency, 0);
  call_options.media.stamp_frames = peer.options.latency_probe;
  call_options.sync_latency = peer.options.sync_latency;
  g_mutex_init (&peer.latency_lock);

  peer.loop = g_main_loop_new (NULL, FALSE);
  peer.call = kibitz_call_new (&call_options);
  g_signal_connect (peer.call, "joined", G_CALLBACK (joined_cb), &peer);
  g_signal_connect (peer.call, "participant-joined", G_CALLBACK (participant_joined_cb), &peer);
  g_signal_connect (peer.call, "participant-connected", G_CALLBACK (participant_connected_cb), &peer);
  g_signal_connect (peer.call, "first-frame", G_CALLBACK (first_frame_cb), &peer);
  g_signal_connect (peer.call, "participant-left", G_CALLBACK (participant_left_cb), &peer);
  g_signal_connect (peer.call, "participant-failed", G_CALLBACK (participant_failed_cb), &peer);
  g_signal_connect (peer.call, "failed", G_CALLBACK (call_failed_cb), &peer);
  if (peer.options.latency_probe)
    {
      peer.latency = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            (GDestroyNotify) g_array_unref);
      kibitz_call_set_sink_factory (peer.call, latency_sink_factory, &peer);
    }
  g_signal_connect (peer.call, "participant-state", G_CALLBACK (participant_state_cb), &peer);
  g_signal_connect (peer.call, "chat", G_CALLBACK (chat_cb), &peer);

  g_unix_signal_add (SIGTERM, quit_cb, &peer);
  g_unix_signal_add (SIGINT, quit_cb, &peer);
  if (peer.options.duration > 0)
    g_timeout_add_seconds (peer.options.duration, quit_cb, &peer);
  if (peer.stats)
    peer.stats_id = g_timeout_add_seconds (1, stats_cb, &peer);

  peer.cancellable = g_cancellable_new ();
  {
    g_autoptr(GInputStream) in = g_unix_input_stream_new (0, FALSE);

    peer.commands = g_data_input_stream_new (in);
    g_data_input_stream_read_line_async (peer.commands, G_PRIORITY_DEFAULT, peer.cancellable,
                                         command_read_cb, &peer);
  }

  kibitz_call_start (peer.call);
  g_main_loop_run (peer.loop);
  g_cancellable_cancel (peer.cancellable);

  g_clear_handle_id (&peer.stats_id, g_source_remove);
  if (kibitz_call_get_media (peer.call) != NULL)
    kibitz_media_source_get_plan (kibitz_call_get_media (peer.call), &peer.plan[0], &peer.plan[1],
                                  &peer.plan[2], &peer.plan[3]);
  kibitz_call_leave (peer.call);
  if (peer.stats)
    {
      write_stats (&peer);
      fclose (peer.stats);
    }
  if (peer.options.expect_peers > 0)
    check_expectation (&peer);
  print_summary (&peer);
  if (peer.failure)
    g_printerr ("kibitz-peer: %s\n", peer.failure);

  g_clear_object (&peer.call);
  /* Let the cancelled read finish before its stream goes. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&peer.commands);
  g_clear_pointer (&peer.latency, g_hash_table_unref);
  g_mutex_clear (&peer.latency_lock);
  g_clear_object (&peer.cancellable);
  g_main_loop_unref (peer.loop);
  g_free (peer.failure);
  options_clear (&peer.options);
  gst_deinit ();

  return peer.exit_code;
}
