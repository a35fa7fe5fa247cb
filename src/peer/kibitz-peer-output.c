/* kibitz-peer-output.c: kibitz-peer's JSON lines on stdout (events, the
 * summary) and in the --stats file; docs/kibitz-peer.md describes them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-peer-tool"

#include "config.h"

#include <stdio.h>

#include "kibitz-message.h"
#include "kibitz-peer-tool.h"

void
tool_print_event (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = NULL;

  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  printf ("%s\n", text);
  fflush (stdout);
}

JsonBuilder *
tool_begin_event (const char *event)
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
add_bool (JsonBuilder *builder,
          const char  *name,
          gboolean     value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_boolean_value (builder, value);
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

static void
add_participant (JsonBuilder             *builder,
                 const KibitzParticipant *p)
{
  add_string (builder, "id", p->id);
  add_string (builder, "name", p->name);
  if (p->role != NULL)
    add_string (builder, "role", p->role);
}

void
tool_emit_participant_event (const char              *event,
                        const KibitzParticipant *p)
{
  g_autoptr(JsonBuilder) builder = tool_begin_event (event);

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
  tool_print_event (builder);
}

void
tool_emit_joined (const char *id,
                  const char *room,
                  const char *role,
                  gboolean    resumed)
{
  g_autoptr(JsonBuilder) builder = tool_begin_event ("joined");

  add_string (builder, "id", id);
  add_string (builder, "room", room);
  add_string (builder, "role", role);
  json_builder_set_member_name (builder, "resumed");
  json_builder_add_boolean_value (builder, resumed);
  json_builder_end_object (builder);
  tool_print_event (builder);
}

void
tool_emit_state (const KibitzParticipant *p)
{
  g_autoptr(JsonBuilder) builder = tool_begin_event ("state");

  add_participant (builder, p);
  add_bool (builder, "audio", p->audio);
  add_bool (builder, "video", p->video);
  add_bool (builder, "hand", p->hand);
  add_bool (builder, "screen", p->screen);
  json_builder_end_object (builder);
  tool_print_event (builder);
}

/* A participant started or stopped sharing its screen. */
void
tool_emit_share (const KibitzParticipant *p)
{
  g_autoptr(JsonBuilder) builder = tool_begin_event ("share");

  add_participant (builder, p);
  add_bool (builder, "sharing", p->screen);
  json_builder_end_object (builder);
  tool_print_event (builder);
}

void
tool_emit_chat (JsonObject *message)
{
  g_autoptr(JsonBuilder) builder = tool_begin_event ("chat");

  add_string (builder, "from", kibitz_json_get_string (message, "from"));
  add_string (builder, "name", kibitz_json_get_string (message, "name"));
  add_string (builder, "text", kibitz_json_get_string (message, "text"));
  json_builder_end_object (builder);
  tool_print_event (builder);
}

/* The shared board: the server's state as it is, and the position it shows. */
void
tool_emit_board (JsonObject *state,
                 const char *fen)
{
  g_autoptr(JsonBuilder) builder = tool_begin_event ("board");
  JsonObjectIter iter;
  const char *member;
  JsonNode *node;

  json_object_iter_init (&iter, state);
  while (json_object_iter_next (&iter, &member, &node))
    {
      json_builder_set_member_name (builder, member);
      json_builder_add_value (builder, json_node_copy (node));
    }
  add_string (builder, "fen", fen);
  json_builder_end_object (builder);
  tool_print_event (builder);
}

/* A class's message (protocol.md §4) as the server sent it, named by its
 * type: waiting, knock, withdrawn, room_state, muted, invite, removed, ended. */
void
tool_emit_class (const char *type,
                 JsonObject *message)
{
  g_autoptr(JsonBuilder) builder = tool_begin_event (type);
  JsonObjectIter iter;
  const char *member;
  JsonNode *node;

  json_object_iter_init (&iter, message);
  while (json_object_iter_next (&iter, &member, &node))
    {
      if (g_str_equal (member, "type") || g_str_equal (member, "event"))
        continue;
      json_builder_set_member_name (builder, member);
      json_builder_add_value (builder, json_node_copy (node));
    }
  json_builder_end_object (builder);
  tool_print_event (builder);
}

/* A request of ours the server refused: its code and sentence. */
void
tool_emit_server_error (const char *code,
                        const char *message)
{
  g_autoptr(JsonBuilder) builder = tool_begin_event ("server-error");

  add_string (builder, "code", code);
  add_string (builder, "message", message);
  json_builder_end_object (builder);
  tool_print_event (builder);
}

void
tool_emit_self_state (Peer *peer)
{
  g_autoptr(JsonBuilder) builder = tool_begin_event ("self-state");

  add_bool (builder, "audio", kibitz_call_get_microphone_enabled (peer->call));
  add_bool (builder, "video", kibitz_call_get_camera_enabled (peer->call));
  add_bool (builder, "hand", kibitz_call_get_hand_raised (peer->call));
  add_bool (builder, "screen", kibitz_call_get_screen_shared (peer->call));
  json_builder_end_object (builder);
  tool_print_event (builder);
}

void
tool_emit_error (const KibitzParticipant *p,
            const char              *message)
{
  g_autoptr(JsonBuilder) builder = tool_begin_event ("error");

  if (p)
    add_participant (builder, p);
  add_string (builder, "message", message);
  json_builder_end_object (builder);
  tool_print_event (builder);
}

/* What the rate control sends this participant: "send": {estimate_kbps,
 * state, video_kbps, tier, layer, width, height, fps} and its view of us. */
static void
add_rate (JsonBuilder          *builder,
          const KibitzLinkRate *rate)
{
  json_builder_set_member_name (builder, "send");
  json_builder_begin_object (builder);
  add_int (builder, "estimate_kbps", rate->estimate_kbps);
  add_string (builder, "state", kibitz_link_state_to_string (rate->state));
  add_int (builder, "video_kbps", rate->video_kbps);
  add_string (builder, "tier", kibitz_tier_to_string (rate->tier));
  add_int (builder, "layer", rate->layer);
  add_int (builder, "width", rate->sent_width);
  add_int (builder, "height", rate->sent_height);
  add_int (builder, "fps", rate->sent_fps);
  add_int (builder, "view_width", rate->view_width);
  add_int (builder, "view_height", rate->view_height);
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
  add_int (builder, "audio_audible", p->audio_audible);
  add_int (builder, "screen_frames_decoded", p->screen_frames);
  add_bool (builder, "audio", p->audio);
  add_bool (builder, "video", p->video);
  add_bool (builder, "hand", p->hand);
  add_bool (builder, "screen", p->screen);
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
  add_int (builder, "freeze_ms", p->freeze_ms);
  add_int (builder, "longest_freeze_ms", p->longest_freeze_ms);
  add_int (builder, "freezes", p->freezes);
  add_int (builder, "received_width", p->received_width);
  add_int (builder, "received_height", p->received_height);
  if (kibitz_call_is_adaptive (peer->call))
    add_rate (builder, &p->rate);
  if (p->error)
    add_string (builder, "error", p->error->message);
  tool_add_latency (builder, peer, p);
  json_builder_end_object (builder);
}

void
tool_write_stats (Peer *peer)
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

/* With --expect-peers N: at least N remote participants each delivered
 * decoded video and audio (a participant that left since still counts).
 */
void
tool_check_expectation (Peer *peer)
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

void
tool_print_summary (Peer *peer)
{
  g_autoptr(JsonBuilder) builder = tool_begin_event ("summary");
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
  if (kibitz_call_is_adaptive (peer->call))
    add_int (builder, "uplink_kbps", kibitz_call_get_uplink_kbps (peer->call));
  if (peer->failure)
    add_string (builder, "failure", peer->failure);
  json_builder_end_object (builder);
  tool_print_event (builder);
}
