/* kibitz-call-links.c: one link per participant of a KibitzCall: its
 * KibitzPeer, the offer/answer and candidates over signaling, closing it,
 * and the dead-link watchdog that rebuilds it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-call"

#include "config.h"

#include <string.h>

#include <gst/webrtc/webrtc.h>

#include "kibitz-call-private.h"
#include "kibitz-core-error.h"
#include "kibitz-message.h"

/* Participants */

static void
pending_candidate_free (PendingCandidate *pending)
{
  g_free (pending->candidate);
  g_free (pending);
}

void
kibitz_call_participant_free (Participant *p)
{
  g_free (p->public.id);
  g_free (p->public.name);
  g_free (p->public.role);
  g_free (p->public.left_reason);
  g_free (p->public.local_candidate);
  g_free (p->public.remote_candidate);
  g_clear_pointer (&p->public.last_stats, kibitz_stats_free);
  g_clear_error (&p->public.error);
  g_queue_clear_full (&p->pending, (GDestroyNotify) pending_candidate_free);
  g_warn_if_fail (p->public.peer == NULL);
  g_free (p);
}

Participant *
kibitz_call_find_participant (KibitzCall *self,
                              const char *id)
{
  for (guint i = 0; i < self->participants->len; i++)
    {
      Participant *p = g_ptr_array_index (self->participants, i);

      if (g_str_equal (p->public.id, id))
        return p;
    }

  return NULL;
}

Participant *
kibitz_call_ensure_participant (KibitzCall *self,
                                const char *id,
                                const char *name)
{
  Participant *p = kibitz_call_find_participant (self, id);

  if (p == NULL)
    {
      p = g_new0 (Participant, 1);
      p->public.id = g_strdup (id);
      p->public.first_frame_ms = -1;
      p->public.audio = TRUE;
      p->public.video = TRUE;
      p->alive_at = g_get_monotonic_time ();
      g_queue_init (&p->pending);
      g_ptr_array_add (self->participants, p);
    }

  if (name && g_strcmp0 (p->public.name, name) != 0)
    {
      g_free (p->public.name);
      p->public.name = g_strdup (name);
    }
  if (p->public.name == NULL)
    p->public.name = g_strdup ("?");

  return p;
}

static Participant *
participant_for_peer (KibitzCall *self,
                      KibitzPeer *peer)
{
  Participant *p = kibitz_call_find_participant (self, kibitz_peer_get_id (peer));

  /* Signals from a peer that was already replaced or closed are stale. */
  return (p && p->public.peer == peer) ? p : NULL;
}

/* The role a peer entry ({id, name, state, role}) gives, if it gives one. */
void
kibitz_call_apply_role (Participant *p,
                        JsonObject  *entry)
{
  const char *role = kibitz_json_get_string (entry, "role");

  if (role != NULL && g_strcmp0 (role, p->public.role) != 0)
    {
      g_free (p->public.role);
      p->public.role = g_strdup (role);
    }
}

void
kibitz_call_apply_state (Participant *p,
                         JsonObject  *state)
{
  gboolean screen;

  p->public.audio = kibitz_json_get_boolean (state, "audio", p->public.audio);
  p->public.video = kibitz_json_get_boolean (state, "video", p->public.video);
  p->public.hand = kibitz_json_get_boolean (state, "hand", p->public.hand);
  screen = kibitz_json_get_boolean (state, "screen", p->public.screen);
  /* A new share: its first frame is told again. */
  if (screen && !p->public.screen)
    {
      p->screen_frame_seen = FALSE;
      p->screen_frames_at_share = p->public.screen_frames;
    }
  p->public.screen = screen;
  /* Honest mute (protocol.md §4): what a peer says is off is not played,
   * whatever it sends. */
  if (p->public.peer != NULL)
    kibitz_peer_set_audio_muted (p->public.peer, !p->public.audio);
}

/* Pauses in its video as a viewer sees them (a rebuilt link's new peer
 * starts counting afresh; the count carries on). */
static void
update_freezes (Participant *p,
                KibitzPeer  *peer)
{
  gint64 recent, longest;
  guint n;

  kibitz_peer_get_video_freezes (peer, g_get_monotonic_time () - G_USEC_PER_SEC, &recent,
                                 &longest, &n);
  p->public.freeze_ms = recent / 1000;
  p->public.longest_freeze_ms = MAX (p->public.longest_freeze_ms, (guint) (longest / 1000));
  p->public.freezes = p->freezes_base + n;
}

/* Counters and the selected pair from the peer's latest stats, kept after it
 * goes away so a summary can still report them.
 */
void
kibitz_call_update_from_peer (KibitzCall  *self,
                              Participant *p)
{
  KibitzPeer *peer = p->public.peer;
  const KibitzStats *stats;
  gint64 first;

  if (peer == NULL)
    return;

  p->public.frames_decoded = p->frames_base + kibitz_peer_get_frames_decoded (peer);
  p->public.audio_packets = p->audio_base + kibitz_peer_get_audio_packets (peer);
  p->public.screen_frames = p->screen_base + kibitz_peer_get_screen_frames (peer);
  p->public.audio_audible = p->audible_base + kibitz_peer_get_audio_audible (peer);

  kibitz_peer_get_video_size (peer, &p->public.received_width, &p->public.received_height);
  update_freezes (p, peer);
  first = kibitz_peer_get_first_frame_ms (peer);
  if (first >= 0 && p->public.first_frame_ms < 0)
    p->public.first_frame_ms = (p->peer_created_at - self->joined_at) / 1000 + first;

  stats = kibitz_peer_get_stats (peer);
  if (stats)
    {
      g_clear_pointer (&p->public.last_stats, kibitz_stats_free);
      p->public.last_stats = kibitz_stats_copy (stats);
      if (stats->local_candidate_type)
        {
          g_free (p->public.local_candidate);
          p->public.local_candidate = g_strdup (stats->local_candidate_type);
          p->public.relay_transport = stats->relay_transport;
        }
      if (stats->remote_candidate_type)
        {
          g_free (p->public.remote_candidate);
          p->public.remote_candidate = g_strdup (stats->remote_candidate_type);
        }
    }
}

/* Peer events: the peer's half of the signaling */

static void
peer_closed_cb (KibitzPeer *peer,
                KibitzCall *self)
{
  g_signal_handlers_disconnect_by_data (peer, self);
  g_ptr_array_remove (self->closing, peer);
}

/* Takes the peer away from its participant and closes it (asynchronously:
 * its tee branches go through blocking probes first).
 */
void
kibitz_call_close_peer (KibitzCall  *self,
                        Participant *p)
{
  KibitzPeer *peer = p->public.peer;

  if (peer == NULL)
    return;

  kibitz_call_update_from_peer (self, p);
  p->frames_base = p->public.frames_decoded;
  p->audio_base = p->public.audio_packets;
  p->screen_base = p->public.screen_frames;
  p->audible_base = p->public.audio_audible;
  p->freezes_base = p->public.freezes;
  p->public.freeze_ms = 0;
  p->public.peer = NULL;

  g_signal_handlers_disconnect_by_data (peer, self);
  g_signal_connect (peer, "closed", G_CALLBACK (peer_closed_cb), self);
  g_ptr_array_add (self->closing, peer);
  kibitz_peer_close (peer);
}

static void
local_description_cb (KibitzPeer *peer,
                      const char *type,
                      const char *sdp,
                      KibitzCall *self)
{
  g_autoptr(JsonObject) data = json_object_new ();
  JsonObject *description = json_object_new ();

  if (participant_for_peer (self, peer) == NULL)
    return;

  json_object_set_string_member (description, "type", type);
  json_object_set_string_member (description, "sdp", sdp);
  json_object_set_object_member (data, "sdp", description);
  kibitz_signaling_send_signal (self->signaling, kibitz_peer_get_id (peer), data);
}

/* A candidate (or, with candidate NULL, the end of candidates) held back a
 * moment: see ice_candidate_cb(). Owned by the call's `held` array. */
typedef struct {
  KibitzCall *call;
  KibitzPeer *peer;
  guint       mline;
  char       *candidate;
  guint       source_id;
} HeldCandidate;

void
kibitz_call_held_candidate_free (gpointer data)
{
  HeldCandidate *held = data;

  g_clear_handle_id (&held->source_id, g_source_remove);
  g_object_unref (held->peer);
  g_free (held->candidate);
  g_free (held);
}

static void
send_candidate (KibitzCall *self,
                KibitzPeer *peer,
                guint       mline,
                const char *candidate)
{
  g_autoptr(JsonObject) data = json_object_new ();

  if (participant_for_peer (self, peer) == NULL || self->signaling == NULL)
    return;

  if (candidate)
    {
      JsonObject *ice = json_object_new ();

      json_object_set_string_member (ice, "candidate", candidate);
      json_object_set_int_member (ice, "sdpMLineIndex", mline);
      json_object_set_object_member (data, "ice", ice);
    }
  else
    {
      json_object_set_null_member (data, "ice");
    }
  kibitz_signaling_send_signal (self->signaling, kibitz_peer_get_id (peer), data);
}

static gboolean
held_candidate_cb (gpointer data)
{
  HeldCandidate *held = data;

  held->source_id = 0;
  send_candidate (held->call, held->peer, held->mline, held->candidate);
  g_ptr_array_remove (held->call->held, held);
  return G_SOURCE_REMOVE;
}

static void
hold_candidate (KibitzCall *self,
                KibitzPeer *peer,
                guint       mline,
                const char *candidate,
                guint       delay_ms)
{
  HeldCandidate *held = g_new0 (HeldCandidate, 1);

  held->call = self;
  held->peer = g_object_ref (peer);
  held->mline = mline;
  held->candidate = g_strdup (candidate);
  held->source_id = g_timeout_add (delay_ms, held_candidate_cb, held);
  g_ptr_array_add (self->held, held);
}

/* Relay candidates (and the end of candidates after them) go out
 * RELAY_CANDIDATE_DELAY_MS late. A relay pair needs no hole punching and so
 * often answers its checks first; GStreamer 1.22's libnice (regular
 * nomination) then settles on it for good, and two peers behind ordinary
 * NATs would send their whole call through the relay. Held back, the relay
 * pairs only form when the direct ones had time to punch through; blocked
 * networks lose a second.
 */
static void
ice_candidate_cb (KibitzPeer *peer,
                  guint       mline,
                  const char *candidate,
                  KibitzCall *self)
{
  if (participant_for_peer (self, peer) == NULL)
    return;

  if (!self->options.relay_only && strstr (candidate, " typ relay") != NULL)
    {
      self->relay_held_until = g_get_monotonic_time () + RELAY_CANDIDATE_DELAY_MS * 1000;
      hold_candidate (self, peer, mline, candidate, RELAY_CANDIDATE_DELAY_MS);
      return;
    }
  send_candidate (self, peer, mline, candidate);
}

static void
ice_gathering_done_cb (KibitzPeer *peer,
                       KibitzCall *self)
{
  gint64 left = self->relay_held_until - g_get_monotonic_time ();

  if (participant_for_peer (self, peer) == NULL)
    return;

  if (left > 0)
    hold_candidate (self, peer, 0, NULL, left / 1000 + 1);
  else
    send_candidate (self, peer, 0, NULL);
}

/* One link failed: this participant only; everyone else carries on. */
static void
peer_failed_cb (KibitzPeer   *peer,
                const GError *error,
                KibitzCall   *self)
{
  Participant *p = participant_for_peer (self, peer);

  if (p == NULL)
    return;

  g_message ("the connection with %s (%s) failed: %s", p->public.name, p->public.id,
             error->message);
  g_clear_error (&p->public.error);
  p->public.error = g_error_copy (error);
  g_signal_emit (self, kibitz_call_signals[SIGNAL_PARTICIPANT_FAILED], 0, &p->public, error);
  kibitz_call_close_peer (self, p);
  p->alive_at = 0;   /* the watchdog rebuilds it (after its backoff) */
}

static void
remote_stream_added_cb (KibitzPeer         *peer,
                        KibitzRemoteStream *stream,
                        KibitzCall         *self)
{
  Participant *p = participant_for_peer (self, peer);

  if (p)
    g_signal_emit (self, kibitz_call_signals[SIGNAL_REMOTE_STREAM_ADDED], 0, &p->public, stream);
}

static GstElement *
sink_factory_cb (KibitzPeer      *peer,
                 KibitzMediaKind  kind,
                 gpointer         user_data)
{
  KibitzCall *self = user_data;

  return self->sink_factory ? self->sink_factory (peer, kind, self->sink_data) : NULL;
}

void
kibitz_call_make_peer (KibitzCall  *self,
                       Participant *p,
                       gboolean     offerer)
{
  KibitzPeerOptions options = {
    .stun_server = self->stun,
    .turn_servers = (const char * const *) self->turns,
    .ice_addresses = (const char * const *) self->ice_addresses,
    .relay_only = self->options.relay_only || p->failures >= RELAY_ONLY_AFTER,
    .latency_ms = self->options.latency_ms,
  };
  g_autoptr(GError) error = NULL;
  KibitzPeer *peer;

  if (p->public.peer != NULL || p->failures > 0)
    p->public.rebuilds++;
  kibitz_call_close_peer (self, p);
  p->alive_at = g_get_monotonic_time ();
  p->carried_media = FALSE;
  p->state_seen = KIBITZ_PEER_STATE_NEW;
  p->inbound_count = p->public.frames_decoded + p->public.audio_packets;
  if (options.relay_only && !self->options.relay_only)
    g_message ("the link with %s failed %u times: trying the relay only", p->public.name,
               p->failures);
  peer = kibitz_peer_new (p->public.id, self->pipeline, self->media, &options, &error);
  if (peer == NULL)
    {
      g_message ("cannot make a connection for %s: %s", p->public.name, error->message);
      g_clear_error (&p->public.error);
      p->public.error = g_error_copy (error);
      g_signal_emit (self, kibitz_call_signals[SIGNAL_PARTICIPANT_FAILED], 0, &p->public, error);
      return;
    }

  p->public.peer = peer;
  p->public.offerer = offerer;
  kibitz_peer_set_audio_muted (peer, !p->public.audio);
  p->peer_created_at = g_get_monotonic_time ();
  p->connected_polls = 0;
  kibitz_peer_set_sink_factory (peer, sink_factory_cb, self, NULL);
  g_signal_connect (peer, "local-description", G_CALLBACK (local_description_cb), self);
  g_signal_connect (peer, "ice-candidate", G_CALLBACK (ice_candidate_cb), self);
  g_signal_connect (peer, "ice-gathering-done", G_CALLBACK (ice_gathering_done_cb), self);
  g_signal_connect (peer, "failed", G_CALLBACK (peer_failed_cb), self);
  g_signal_connect (peer, "remote-stream-added", G_CALLBACK (remote_stream_added_cb), self);
  kibitz_peer_start_stats (peer, STATS_INTERVAL_MS);

  if (offerer)
    kibitz_peer_create_offer (peer, NULL);
}

/* Signaling events */

static void
apply_pending_candidates (Participant *p)
{
  PendingCandidate *pending;

  while ((pending = g_queue_pop_head (&p->pending)))
    {
      if (p->public.peer)
        kibitz_peer_add_remote_candidate (p->public.peer, pending->mline, pending->candidate, NULL);
      pending_candidate_free (pending);
    }
}

static void
handle_description (KibitzCall  *self,
                    Participant *p,
                    JsonObject  *description)
{
  const char *type = kibitz_json_get_string (description, "type");
  const char *sdp = kibitz_json_get_string (description, "sdp");
  KibitzPeer *peer = p->public.peer;

  if (type == NULL || sdp == NULL)
    {
      g_message ("%s sent an “sdp” without type or text; ignored", p->public.name);
      return;
    }

  if (g_str_equal (type, "offer"))
    {
      const char *own_id = self->signaling ? kibitz_signaling_get_id (self->signaling) : NULL;

      /* Both sides offered at once (e.g. after a server restart one side
       * rebuilt a dead link while the other, resumed, offered to a peer it
       * had no live link with). The smaller id's offer wins on both ends:
       * ours is answered, theirs dropped; else we answer theirs. */
      if (peer != NULL && p->public.offerer &&
          kibitz_peer_get_state (peer) == KIBITZ_PEER_STATE_NEGOTIATING &&
          own_id != NULL && g_strcmp0 (own_id, p->public.id) < 0)
        {
          g_message ("%s and we offered at once; ours stands", p->public.name);
          return;
        }

      /* A fresh offer for a link we already have means the other side rebuilt
       * its connection (1.22 cannot restart ICE): rebuild ours too.
       */
      if (peer == NULL || p->public.offerer || kibitz_peer_get_state (peer) != KIBITZ_PEER_STATE_NEW)
        kibitz_call_make_peer (self, p, FALSE);
      if (p->public.peer)
        kibitz_peer_set_remote_description (p->public.peer, type, sdp, NULL);
      apply_pending_candidates (p);
    }
  else if (g_str_equal (type, "answer") && peer && p->public.offerer)
    {
      kibitz_peer_set_remote_description (peer, type, sdp, NULL);
    }
  else
    {
      g_message ("%s sent an unexpected “%s”; ignored", p->public.name, type);
    }
}

static void
handle_candidate (Participant *p,
                  JsonNode    *node)
{
  JsonObject *ice;
  const char *candidate;
  guint mline;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return;   /* end of candidates: nothing to do in GStreamer 1.22 */

  if (!JSON_NODE_HOLDS_OBJECT (node) ||
      !(candidate = kibitz_json_get_string ((ice = json_node_get_object (node)), "candidate")))
    {
      g_message ("%s sent a malformed “ice”; ignored", p->public.name);
      return;
    }

  mline = json_object_get_int_member_with_default (ice, "sdpMLineIndex", 0);
  if (p->public.peer && kibitz_peer_get_state (p->public.peer) != KIBITZ_PEER_STATE_NEW)
    {
      kibitz_peer_add_remote_candidate (p->public.peer, mline, candidate, NULL);
    }
  else
    {
      PendingCandidate *pending = g_new0 (PendingCandidate, 1);

      pending->mline = mline;
      pending->candidate = g_strdup (candidate);
      g_queue_push_tail (&p->pending, pending);
    }
}

void
kibitz_call_signal_cb (KibitzSignaling *signaling,
                       const char      *from,
                       JsonObject      *data,
                       KibitzCall      *self)
{
  Participant *p = kibitz_call_ensure_participant (self, from, NULL);
  JsonObject *description = kibitz_json_get_object (data, "sdp");

  kibitz_call_take_view (self, p, data);
  if (description)
    handle_description (self, p, description);
  if (json_object_has_member (data, "ice"))
    handle_candidate (p, json_object_get_member (data, "ice"));
  if (kibitz_json_get_boolean (data, "restart", FALSE) && p->public.offerer)
    {
      /* Both sides may find the link dead at about the same time: an offer
       * we just made answers this request already. */
      if (p->public.peer != NULL && !p->carried_media &&
          g_get_monotonic_time () - p->peer_created_at < RESTART_IGNORE_USEC)
        {
          g_message ("%s asks for a new connection; one is under way", p->public.name);
          return;
        }
      g_message ("%s asks for a new connection", p->public.name);
      kibitz_call_make_peer (self, p, TRUE);
    }
}

void
kibitz_call_participant_leaves (KibitzCall  *self,
                                Participant *p,
                                const char  *reason)
{
  if (p->public.left)
    return;

  kibitz_call_close_peer (self, p);
  p->public.left = TRUE;
  p->awaiting_until = 0;
  g_free (p->public.left_reason);
  p->public.left_reason = g_strdup (reason);
  g_signal_emit (self, kibitz_call_signals[SIGNAL_PARTICIPANT_LEFT], 0, &p->public);
}

/* A peer is back on signaling (a resumed welcome lists it, or a restarted
 * server announces it): if our link with it carries nothing (a relayed link
 * whose relay restarted with the server, or a negotiation whose messages the
 * server refused as `unknown-peer` while the peer was away), rebuild it now
 * rather than after the stall timeout. */
void
kibitz_call_suspect_link (Participant *p)
{
  if (g_get_monotonic_time () - p->alive_at > LINK_STALL_USEC / 2)
    {
      p->alive_at = 0;
      p->next_rebuild = 0;
    }
}

gboolean
kibitz_call_has_live_peer (Participant *p)
{
  return p->public.peer != NULL && !p->public.left;
}

/* Rebuilds one link: the first offerer offers again; the other side asks
 * it to with {"restart": true} (protocol.md). */
void
kibitz_call_rebuild_link (KibitzCall  *self,
                          Participant *p,
                          const char  *why)
{
  g_message ("the link with %s (%s) %s: %s", p->public.name, p->public.id, why,
             p->public.offerer ? "offering afresh" : "asking for a new offer");
  if (p->public.offerer)
    {
      kibitz_call_make_peer (self, p, TRUE);
    }
  else
    {
      g_autoptr(JsonObject) data = json_object_new ();

      json_object_set_boolean_member (data, "restart", TRUE);
      kibitz_signaling_send_signal (self->signaling, p->public.id, data);
      p->alive_at = g_get_monotonic_time ();
      if (p->public.peer == NULL)
        p->carried_media = FALSE;
    }
}

/* The dead-link watchdog, once per refresh: inbound media is the proof of
 * life (GStreamer 1.22 may never report ICE "failed"). */
void
kibitz_call_watch_link (KibitzCall  *self,
                        Participant *p,
                        gint64       now)
{
  guint64 count = p->public.frames_decoded + p->public.audio_packets;
  gint64 limit;

  if (p->public.peer != NULL && count != p->inbound_count)
    {
      p->inbound_count = count;
      p->alive_at = now;
      p->carried_media = TRUE;
      if (p->failures > 0)
        g_message ("the link with %s carries media again", p->public.name);
      p->failures = 0;
      p->next_rebuild = 0;
      return;
    }

  /* Setting up takes long on a busy machine: each step forward counts. */
  if (p->public.peer != NULL && kibitz_peer_get_state (p->public.peer) != p->state_seen)
    {
      p->state_seen = kibitz_peer_get_state (p->public.peer);
      if (p->state_seen != KIBITZ_PEER_STATE_FAILED)
        p->alive_at = now;
      if (p->state_seen == KIBITZ_PEER_STATE_CONNECTED)
        {
          p->keyframe_pokes = 3;
          p->next_poke = now;
        }
    }

  /* A freshly connected link needs a keyframe to show anything. The
   * receiver asks for one, but a request (or the keyframe) that crosses
   * the DTLS handshake is lost, and on a slow machine the next regular
   * keyframe is seconds away: force one now and twice more, a second
   * apart (the media source coalesces them with everyone else's). */
  if (p->keyframe_pokes > 0 && now >= p->next_poke && self->media != NULL)
    {
      p->keyframe_pokes--;
      p->next_poke = now + G_USEC_PER_SEC;
      kibitz_media_source_request_keyframe (self->media);
    }

  /* A peer that only watches sends nothing: judged by ICE failing alone. */
  if (p->public.peer != NULL && p->state_seen == KIBITZ_PEER_STATE_CONNECTED &&
      !kibitz_peer_get_remote_sends_media (p->public.peer))
    {
      p->alive_at = now;
      return;
    }

  /* Only while the peer is known to be in the room and we can tell it. */
  if (p->public.left || p->awaiting_until != 0 || self->signaling == NULL ||
      kibitz_signaling_get_state (self->signaling) != KIBITZ_SIGNALING_JOINED)
    return;
  limit = LINK_SETUP_USEC;
  if (p->carried_media)
    {
      GstWebRTCICEConnectionState ice = GST_WEBRTC_ICE_CONNECTION_STATE_DISCONNECTED;

      if (p->public.peer != NULL)
        g_object_get (kibitz_peer_get_webrtcbin (p->public.peer), "ice-connection-state", &ice,
                      NULL);
      limit = (ice == GST_WEBRTC_ICE_CONNECTION_STATE_CONNECTED ||
               ice == GST_WEBRTC_ICE_CONNECTION_STATE_COMPLETED)
              ? LINK_STALL_ICE_UP_USEC : LINK_STALL_USEC;
    }
  if (p->alive_at != 0 && now - p->alive_at < limit)
    return;
  if (now < p->next_rebuild)
    return;

  p->failures++;
  p->next_rebuild = now + MIN (REBUILD_BACKOFF_FIRST_USEC << MIN (p->failures - 1, 5),
                               REBUILD_BACKOFF_CAP_USEC);
  kibitz_call_rebuild_link (self, p, p->alive_at == 0 ? "failed"
                                     : p->carried_media ? "stopped carrying media"
                                     : "never carried media");
}
