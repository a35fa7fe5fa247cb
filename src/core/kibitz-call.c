/* kibitz-call.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-call"

#include "config.h"

#include <stdarg.h>
#include <string.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <gst/webrtc/webrtc.h>

#include "kibitz-call.h"
#include "kibitz-config.h"
#include "kibitz-core-error.h"
#include "kibitz-ice-servers.h"
#include "kibitz-message.h"
#include "kibitz-signaling.h"

#define REFRESH_INTERVAL_MS   250
#define STATS_INTERVAL_MS     1000
/* protocol.md: after a resumed welcome, a peer that does not reappear within
 * 30 s is treated as gone. */
#define RESUME_WAIT_USEC      (30 * G_USEC_PER_SEC)
#define RELAY_CANDIDATE_DELAY_MS 1500
/* Dead links (DESIGN.md: GStreamer 1.22 with libnice 0.1.21 may never say
 * "failed"): no inbound media for this long while the peer is in the room
 * means the link is dead, and it is rebuilt. A link that never carried media
 * gets longer, for its setup on a busy machine. */
#define LINK_STALL_USEC       (5 * G_USEC_PER_SEC)
/* ...unless ICE still says connected: then a busy machine gets longer. */
#define LINK_STALL_ICE_UP_USEC (8 * G_USEC_PER_SEC)
#define LINK_SETUP_USEC       (20 * G_USEC_PER_SEC)
/* Between rebuilds of one link: 1 s, 2 s, 4 s... up to 30 s. */
#define REBUILD_BACKOFF_FIRST_USEC  (1 * G_USEC_PER_SEC)
#define REBUILD_BACKOFF_CAP_USEC    (30 * G_USEC_PER_SEC)
/* After this many rebuilds without media, try the relay only. */
#define RELAY_ONLY_AFTER      3
/* An offerer that rebuilt this recently ignores a request to rebuild. */
#define RESTART_IGNORE_USEC   (3 * G_USEC_PER_SEC)
/* How often the local addresses are compared (network switch). */
#define ADDRESS_POLL_USEC     (1 * G_USEC_PER_SEC)

typedef struct {
  guint   mline;
  char   *candidate;
} PendingCandidate;

/* Private part of a participant. */
typedef struct {
  KibitzParticipant  public;
  gint64             peer_created_at;    /* monotonic, of the current peer */
  guint64            frames_base;        /* counts of earlier, closed peers */
  guint64            audio_base;
  gboolean           first_frame_seen;
  guint              connected_polls;    /* stats polls waiting for the selected pair */
  gint64             awaiting_until;     /* after a resumed welcome; 0: not awaited */
  guint64            inbound_count;      /* frames + audio packets, at alive_at */
  gint64             alive_at;           /* monotonic: last inbound media, or (re)build */
  gboolean           carried_media;      /* the current link delivered something */
  KibitzPeerState    state_seen;         /* progress in setting up counts as life */
  guint              keyframe_pokes;     /* keyframes still to force for a new link */
  gint64             next_poke;          /* monotonic */
  guint              failures;           /* rebuilds since media last flowed */
  gint64             next_rebuild;       /* monotonic: not before; 0: any time */
  GQueue             pending;            /* PendingCandidate *, before the offer */
} Participant;

struct _KibitzCall {
  GObject             parent_instance;

  char               *server_url;
  char               *room;
  char               *name;
  char               *video;
  char               *audio;
  GStrv               ice_addresses;
  KibitzCallOptions   options;

  GCancellable       *cancellable;
  KibitzConfig       *config;
  GstElement         *pipeline;
  guint               bus_watch_id;
  KibitzMediaSource  *media;
  KibitzSignaling    *signaling;
  char               *stun;
  GStrv               turns;
  GPtrArray          *participants;      /* Participant *, in order of arrival */
  GPtrArray          *closing;           /* KibitzPeer * waiting for ::closed */
  gint64              joined_at;
  guint               refresh_id;
  KibitzSinkFactory   sink_factory;
  gpointer            sink_data;
  gboolean            failed;
  GPtrArray          *held;              /* HeldCandidate *, sent when removed */
  gint64              relay_held_until;  /* monotonic */
  char               *addresses;         /* the local addresses, last seen */
  gint64              addresses_polled;  /* monotonic */
  gboolean            want_camera;       /* what the user asked for */
  gboolean            want_microphone;
  gboolean            hand_raised;
};

G_DEFINE_FINAL_TYPE (KibitzCall, kibitz_call, G_TYPE_OBJECT)

enum {
  SIGNAL_JOINED,
  SIGNAL_PARTICIPANT_JOINED,
  SIGNAL_PARTICIPANT_CONNECTED,
  SIGNAL_FIRST_FRAME,
  SIGNAL_PARTICIPANT_LEFT,
  SIGNAL_PARTICIPANT_FAILED,
  SIGNAL_PARTICIPANT_STATE,
  SIGNAL_REMOTE_STREAM_ADDED,
  SIGNAL_CHAT,
  SIGNAL_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
pending_candidate_free (PendingCandidate *pending)
{
  g_free (pending->candidate);
  g_free (pending);
}

static void
participant_free (Participant *p)
{
  g_free (p->public.id);
  g_free (p->public.name);
  g_free (p->public.left_reason);
  g_free (p->public.local_candidate);
  g_free (p->public.remote_candidate);
  g_clear_pointer (&p->public.last_stats, kibitz_stats_free);
  g_clear_error (&p->public.error);
  g_queue_clear_full (&p->pending, (GDestroyNotify) pending_candidate_free);
  g_warn_if_fail (p->public.peer == NULL);
  g_free (p);
}

static Participant *
find_participant (KibitzCall *self,
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

static Participant *
ensure_participant (KibitzCall *self,
                    const char *id,
                    const char *name)
{
  Participant *p = find_participant (self, id);

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
  Participant *p = find_participant (self, kibitz_peer_get_id (peer));

  /* Signals from a peer that was already replaced or closed are stale. */
  return (p && p->public.peer == peer) ? p : NULL;
}

static void
apply_state (Participant *p,
             JsonObject  *state)
{
  p->public.audio = kibitz_json_get_boolean (state, "audio", p->public.audio);
  p->public.video = kibitz_json_get_boolean (state, "video", p->public.video);
  p->public.hand = kibitz_json_get_boolean (state, "hand", p->public.hand);
}

/* Counters and the selected pair from the peer's latest stats, kept after it
 * goes away so a summary can still report them.
 */
static void
update_from_peer (KibitzCall  *self,
                  Participant *p)
{
  KibitzPeer *peer = p->public.peer;
  const KibitzStats *stats;
  gint64 first;

  if (peer == NULL)
    return;

  p->public.frames_decoded = p->frames_base + kibitz_peer_get_frames_decoded (peer);
  p->public.audio_packets = p->audio_base + kibitz_peer_get_audio_packets (peer);

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
static void
close_peer (KibitzCall  *self,
            Participant *p)
{
  KibitzPeer *peer = p->public.peer;

  if (peer == NULL)
    return;

  update_from_peer (self, p);
  p->frames_base = p->public.frames_decoded;
  p->audio_base = p->public.audio_packets;
  p->public.peer = NULL;

  g_signal_handlers_disconnect_by_data (peer, self);
  g_signal_connect (peer, "closed", G_CALLBACK (peer_closed_cb), self);
  g_ptr_array_add (self->closing, peer);
  kibitz_peer_close (peer);
}

/* Peer events: the peer's half of the signaling */

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

static void
held_candidate_free (gpointer data)
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
  g_signal_emit (self, signals[SIGNAL_PARTICIPANT_FAILED], 0, &p->public, error);
  close_peer (self, p);
  p->alive_at = 0;   /* the watchdog rebuilds it (after its backoff) */
}

static void
remote_stream_added_cb (KibitzPeer         *peer,
                        KibitzRemoteStream *stream,
                        KibitzCall         *self)
{
  Participant *p = participant_for_peer (self, peer);

  if (p)
    g_signal_emit (self, signals[SIGNAL_REMOTE_STREAM_ADDED], 0, &p->public, stream);
}

static GstElement *
sink_factory_cb (KibitzPeer      *peer,
                 KibitzMediaKind  kind,
                 gpointer         user_data)
{
  KibitzCall *self = user_data;

  return self->sink_factory ? self->sink_factory (peer, kind, self->sink_data) : NULL;
}

static void
make_peer (KibitzCall  *self,
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
  close_peer (self, p);
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
      g_signal_emit (self, signals[SIGNAL_PARTICIPANT_FAILED], 0, &p->public, error);
      return;
    }

  p->public.peer = peer;
  p->public.offerer = offerer;
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

/* Signaling events */

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
        make_peer (self, p, FALSE);
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

static void
signal_cb (KibitzSignaling *signaling,
           const char      *from,
           JsonObject      *data,
           KibitzCall      *self)
{
  Participant *p = ensure_participant (self, from, NULL);
  JsonObject *description = kibitz_json_get_object (data, "sdp");

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
      make_peer (self, p, TRUE);
    }
}

static void
participant_leaves (KibitzCall  *self,
                    Participant *p,
                    const char  *reason)
{
  if (p->public.left)
    return;

  close_peer (self, p);
  p->public.left = TRUE;
  p->awaiting_until = 0;
  g_free (p->public.left_reason);
  p->public.left_reason = g_strdup (reason);
  g_signal_emit (self, signals[SIGNAL_PARTICIPANT_LEFT], 0, &p->public);
}

static void
use_ice_servers (KibitzCall *self,
                 JsonArray  *servers)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *stun = NULL;
  g_auto(GStrv) turns = NULL;

  if (servers == NULL)
    return;

  if (!kibitz_ice_servers_to_webrtc (servers, &stun, &turns, &error))
    {
      g_message ("ignoring unusable ICE servers from the server: %s", error->message);
      return;
    }

  g_free (self->stun);
  self->stun = g_steal_pointer (&stun);
  g_strfreev (self->turns);
  self->turns = g_steal_pointer (&turns);
}

/* A peer is back on signaling (a resumed welcome lists it, or a restarted
 * server announces it): if our link with it carries nothing (a relayed link
 * whose relay restarted with the server, or a negotiation whose messages the
 * server refused as `unknown-peer` while the peer was away), rebuild it now
 * rather than after the stall timeout. */
static void
suspect_link (Participant *p)
{
  if (g_get_monotonic_time () - p->alive_at > LINK_STALL_USEC / 2)
    {
      p->alive_at = 0;
      p->next_rebuild = 0;
    }
}

static gboolean
has_live_peer (Participant *p)
{
  return p->public.peer != NULL && !p->public.left;
}

static void
send_own_state (KibitzCall *self)
{
  g_autoptr(JsonObject) state = json_object_new ();

  if (self->signaling == NULL)
    return;
  json_object_set_boolean_member (state, "audio", kibitz_call_get_microphone_enabled (self));
  json_object_set_boolean_member (state, "video", kibitz_call_get_camera_enabled (self));
  json_object_set_boolean_member (state, "hand", self->hand_raised);
  kibitz_signaling_send_state (self->signaling, state);
}

/* The newcomer offers (protocol.md): to every listed peer we have no live
 * connection with. After a resumed welcome, live connections are kept, and a
 * peer not listed gets 30 s to reappear.
 */
static void
welcome_cb (KibitzSignaling *signaling,
            JsonObject      *welcome,
            KibitzCall      *self)
{
  gboolean resumed = kibitz_json_get_boolean (welcome, "resumed", FALSE);
  JsonNode *peers_node = json_object_get_member (welcome, "peers");
  JsonArray *peers = peers_node && JSON_NODE_HOLDS_ARRAY (peers_node)
                     ? json_node_get_array (peers_node) : NULL;
  JsonNode *ice = json_object_get_member (welcome, "ice_servers");
  g_autoptr(GHashTable) listed = g_hash_table_new (g_str_hash, g_str_equal);

  if (self->joined_at == 0)
    self->joined_at = g_get_monotonic_time ();
  /* The server keeps no state across a restart, and starts everyone with
   * camera and microphone on: say how we really are. */
  send_own_state (self);
  use_ice_servers (self, ice && JSON_NODE_HOLDS_ARRAY (ice) ? json_node_get_array (ice) : NULL);
  g_signal_emit (self, signals[SIGNAL_JOINED], 0, kibitz_json_get_string (welcome, "id"), resumed);

  for (guint i = 0; peers && i < json_array_get_length (peers); i++)
    {
      JsonObject *listed_peer = json_array_get_object_element (peers, i);
      const char *id = kibitz_json_get_string (listed_peer, "id");
      Participant *p;
      gboolean is_new;

      if (id == NULL)
        continue;

      is_new = find_participant (self, id) == NULL;
      p = ensure_participant (self, id, kibitz_json_get_string (listed_peer, "name"));
      apply_state (p, kibitz_json_get_object (listed_peer, "state"));
      g_hash_table_add (listed, p->public.id);
      p->awaiting_until = 0;
      if (is_new || p->public.left)
        {
          p->public.left = FALSE;
          p->alive_at = g_get_monotonic_time ();
          p->failures = 0;
          p->next_rebuild = 0;
          g_signal_emit (self, signals[SIGNAL_PARTICIPANT_JOINED], 0, &p->public);
        }
      if (!resumed || !has_live_peer (p))
        make_peer (self, p, TRUE);
      else
        suspect_link (p);
    }

  for (guint i = 0; i < self->participants->len; i++)
    {
      Participant *p = g_ptr_array_index (self->participants, i);

      if (p->public.left || g_hash_table_contains (listed, p->public.id))
        continue;
      if (resumed && has_live_peer (p))
        p->awaiting_until = g_get_monotonic_time () + RESUME_WAIT_USEC;
      else
        participant_leaves (self, p, "gone");
    }
}

static void
peer_joined_cb (KibitzSignaling *signaling,
                JsonObject      *peer,
                KibitzCall      *self)
{
  const char *id = kibitz_json_get_string (peer, "id");
  Participant *p = find_participant (self, id);
  gboolean known = p != NULL && !p->public.left;

  p = ensure_participant (self, id, kibitz_json_get_string (peer, "name"));
  apply_state (p, kibitz_json_get_object (peer, "state"));
  p->awaiting_until = 0;

  /* A restarted server announces everyone again: a live link stays as it
   * is; a dead one is rebuilt now. */
  if (known)
    {
      suspect_link (p);
      return;
    }

  p->public.left = FALSE;
  p->alive_at = g_get_monotonic_time ();
  p->failures = 0;
  p->next_rebuild = 0;
  g_signal_emit (self, signals[SIGNAL_PARTICIPANT_JOINED], 0, &p->public);
}

static void
peer_left_cb (KibitzSignaling *signaling,
              const char      *id,
              const char      *reason,
              KibitzCall      *self)
{
  Participant *p = find_participant (self, id);

  if (p)
    participant_leaves (self, p, reason ? reason : "leave");
}

static void
state_cb (KibitzSignaling *signaling,
          JsonObject      *message,
          KibitzCall      *self)
{
  const char *from = kibitz_json_get_string (message, "from");
  Participant *p = from ? find_participant (self, from) : NULL;

  if (p == NULL)
    return;

  apply_state (p, message);
  g_signal_emit (self, signals[SIGNAL_PARTICIPANT_STATE], 0, &p->public);
}

static void
chat_cb (KibitzSignaling *signaling,
         JsonObject      *message,
         KibitzCall      *self)
{
  g_signal_emit (self, signals[SIGNAL_CHAT], 0, message);
}

static void
server_error_cb (KibitzSignaling *signaling,
                 const char      *code,
                 const char      *message,
                 KibitzCall      *self)
{
  g_message ("the server answered %s: %s", code, message);

  /* After a server restart a signal can reach the server before its
   * addressee is back, and is refused: the error does not say to whom, so
   * every link still waiting for media is retried soon (the watchdog). */
  if (g_strcmp0 (code, "unknown-peer") == 0)
    {
      gint64 now = g_get_monotonic_time ();

      for (guint i = 0; i < self->participants->len; i++)
        {
          Participant *p = g_ptr_array_index (self->participants, i);

          if (!p->public.left && !p->carried_media && p->next_rebuild > now + G_USEC_PER_SEC)
            p->next_rebuild = now + G_USEC_PER_SEC;
        }
    }
}

static void
fail_call (KibitzCall   *self,
           const GError *error)
{
  if (self->failed)
    return;

  self->failed = TRUE;
  g_signal_emit (self, signals[SIGNAL_FAILED], 0, error);
}

static void
signaling_failed_cb (KibitzSignaling *signaling,
                     const GError    *error,
                     KibitzCall      *self)
{
  fail_call (self, error);
}

/* Bus errors go to the peer whose elements raised them; only that link fails. */
static gboolean
bus_cb (GstBus     *bus,
        GstMessage *message,
        gpointer    user_data)
{
  KibitzCall *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *debug = NULL;

  /* Sinks added with each peer never learn the jitter buffer's latency
   * unless it is distributed again: by default they show a frame as soon as
   * it is decoded (lowest delay; the jitter buffer then only waits for lost
   * packets). With sync_latency they wait it out, as a player would
   * (smoother, lip-synced, later): bench/latency measures both. */
  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_LATENCY && self->options.sync_latency)
    {
      gst_bin_recalculate_latency (GST_BIN (self->pipeline));
      return G_SOURCE_CONTINUE;
    }
  if (GST_MESSAGE_TYPE (message) != GST_MESSAGE_ERROR)
    return G_SOURCE_CONTINUE;

  for (guint i = 0; i < self->participants->len; i++)
    {
      Participant *p = g_ptr_array_index (self->participants, i);

      if (p->public.peer && kibitz_peer_handle_message (p->public.peer, message))
        return G_SOURCE_CONTINUE;
    }

  gst_message_parse_error (message, &error, &debug);
  g_message ("media error from %s: %s (%s)", GST_OBJECT_NAME (GST_MESSAGE_SRC (message)),
             error->message, debug ? debug : "");
  if (self->media && kibitz_media_source_owns (self->media, GST_MESSAGE_SRC (message)))
    {
      g_autoptr(GError) media_error = g_error_new (KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_STREAM,
                                                   "Your camera or microphone stopped working: %s",
                                                   error->message);

      fail_call (self, media_error);
    }

  return G_SOURCE_CONTINUE;
}

/* Rebuilds one link: the first offerer offers again; the other side asks
 * it to with {"restart": true} (protocol.md). */
static void
rebuild_link (KibitzCall  *self,
              Participant *p,
              const char  *why)
{
  g_message ("the link with %s (%s) %s: %s", p->public.name, p->public.id, why,
             p->public.offerer ? "offering afresh" : "asking for a new offer");
  if (p->public.offerer)
    {
      make_peer (self, p, TRUE);
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
static void
watch_link (KibitzCall  *self,
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
  rebuild_link (self, p, p->alive_at == 0 ? "failed"
                         : p->carried_media ? "stopped carrying media"
                         : "never carried media");
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* The local addresses as one sorted string (network switch detection). */
static char *
local_addresses (void)
{
  struct ifaddrs *list = NULL;
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) out = g_string_new (NULL);

  if (getifaddrs (&list) != 0)
    return g_strdup ("");

  for (struct ifaddrs *a = list; a != NULL; a = a->ifa_next)
    {
      char text[INET6_ADDRSTRLEN] = "";

      if (a->ifa_addr == NULL || (a->ifa_flags & IFF_LOOPBACK) || !(a->ifa_flags & IFF_UP))
        continue;
      if (a->ifa_addr->sa_family == AF_INET)
        inet_ntop (AF_INET, &((struct sockaddr_in *) a->ifa_addr)->sin_addr, text, sizeof text);
      else if (a->ifa_addr->sa_family == AF_INET6 &&
               !IN6_IS_ADDR_LINKLOCAL (&((struct sockaddr_in6 *) a->ifa_addr)->sin6_addr))
        inet_ntop (AF_INET6, &((struct sockaddr_in6 *) a->ifa_addr)->sin6_addr, text, sizeof text);
      if (text[0] != '\0')
        g_ptr_array_add (found, g_strdup (text));
    }
  freeifaddrs (list);

  g_ptr_array_sort (found, compare_strings);
  for (guint i = 0; i < found->len; i++)
    g_string_append_printf (out, "%s%s", i ? " " : "", (char *) g_ptr_array_index (found, i));
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* A laptop moving from cable to Wi-Fi: every link and the signaling socket
 * use addresses that are gone. Rebuild them all now instead of waiting for
 * timeouts. */
static void
watch_addresses (KibitzCall *self,
                 gint64      now)
{
  g_autofree char *addresses = NULL;

  if (now - self->addresses_polled < ADDRESS_POLL_USEC)
    return;
  self->addresses_polled = now;
  addresses = local_addresses ();
  if (self->addresses == NULL || g_str_equal (addresses, self->addresses))
    {
      if (self->addresses == NULL)
        self->addresses = g_steal_pointer (&addresses);
      return;
    }

  g_message ("the local addresses changed (%s → %s): rebuilding every link", self->addresses,
             addresses);
  g_free (self->addresses);
  self->addresses = g_steal_pointer (&addresses);
  if (self->signaling)
    kibitz_signaling_reconnect_now (self->signaling);

  for (guint i = 0; i < self->participants->len; i++)
    {
      Participant *p = g_ptr_array_index (self->participants, i);

      if (p->public.left)
        continue;
      p->failures = 0;
      p->next_rebuild = now + REBUILD_BACKOFF_FIRST_USEC;
      rebuild_link (self, p, "lost its local address");
    }
}

static gboolean
refresh_cb (gpointer user_data)
{
  KibitzCall *self = user_data;
  gint64 now;

  kibitz_call_refresh (self);
  now = g_get_monotonic_time ();
  watch_addresses (self, now);
  for (guint i = 0; i < self->participants->len; i++)
    watch_link (self, g_ptr_array_index (self->participants, i), now);
  return G_SOURCE_CONTINUE;
}

/* Updates counters, and emits connected / first-frame / left-after-resume. */
void
kibitz_call_refresh (KibitzCall *self)
{
  gint64 now = g_get_monotonic_time ();

  for (guint i = 0; i < self->participants->len; i++)
    {
      Participant *p = g_ptr_array_index (self->participants, i);
      KibitzPeer *peer = p->public.peer;

      if (p->awaiting_until != 0 && now > p->awaiting_until)
        {
          participant_leaves (self, p, "timeout");
          continue;
        }

      if (peer == NULL)
        continue;

      update_from_peer (self, p);
      if (!p->public.connected && kibitz_peer_get_state (peer) == KIBITZ_PEER_STATE_CONNECTED)
        {
          /* Report the link with its selected pair: poll stats once first
           * (at most one refresh later than the connection itself).
           */
          if (p->public.local_candidate == NULL && p->connected_polls++ < 8)
            {
              kibitz_peer_poll_stats (peer);
              continue;
            }
          p->public.connected = TRUE;
          g_signal_emit (self, signals[SIGNAL_PARTICIPANT_CONNECTED], 0, &p->public);
        }
      if (!p->first_frame_seen && p->public.first_frame_ms >= 0)
        {
          p->first_frame_seen = TRUE;
          g_signal_emit (self, signals[SIGNAL_FIRST_FRAME], 0, &p->public);
        }
    }
}

/* Start-up: /v1/config, then the pipeline and the local media, then join. */

static void
start_media (KibitzCall *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GstBus) bus = NULL;
  KibitzMediaSourceOptions media = self->options.media;

  self->pipeline = gst_pipeline_new ("kibitz-call");
  bus = gst_pipeline_get_bus (GST_PIPELINE (self->pipeline));
  self->bus_watch_id = gst_bus_add_watch (bus, bus_cb, self);

  if (media.display_name == NULL)
    media.display_name = self->name;
  self->media = kibitz_media_source_new (self->pipeline, &media, &error);
  if (self->media == NULL)
    {
      fail_call (self, error);
      return;
    }
  kibitz_media_source_set_camera_enabled (self->media, self->want_camera);
  kibitz_media_source_set_microphone_enabled (self->media, self->want_microphone);

  if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      g_autoptr(GError) state_error = g_error_new (KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_PIPELINE,
                                                   "Cannot start the camera and microphone "
                                                   "pipeline");

      fail_call (self, state_error);
      return;
    }

  self->signaling = kibitz_signaling_new (self->config->signaling_url, self->room, self->name);
  g_signal_connect (self->signaling, "welcome", G_CALLBACK (welcome_cb), self);
  g_signal_connect (self->signaling, "peer-joined", G_CALLBACK (peer_joined_cb), self);
  g_signal_connect (self->signaling, "peer-left", G_CALLBACK (peer_left_cb), self);
  g_signal_connect (self->signaling, "signal", G_CALLBACK (signal_cb), self);
  g_signal_connect (self->signaling, "state", G_CALLBACK (state_cb), self);
  g_signal_connect (self->signaling, "chat", G_CALLBACK (chat_cb), self);
  g_signal_connect (self->signaling, "server-error", G_CALLBACK (server_error_cb), self);
  g_signal_connect (self->signaling, "failed", G_CALLBACK (signaling_failed_cb), self);
  self->refresh_id = g_timeout_add (REFRESH_INTERVAL_MS, refresh_cb, self);
  kibitz_signaling_start (self->signaling);
}

static void
config_loaded_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  KibitzCall *self = user_data;
  g_autoptr(GError) error = NULL;
  KibitzConfig *config = kibitz_config_load_finish (result, &error);

  if (config == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        fail_call (self, error);
      g_object_unref (self);
      return;
    }

  self->config = config;
  /* Until the welcome brings credentials for the call, use these. */
  use_ice_servers (self, config->ice_servers);
  start_media (self);
  g_object_unref (self);
}

void
kibitz_call_start (KibitzCall *self)
{
  g_return_if_fail (KIBITZ_IS_CALL (self));
  g_return_if_fail (self->cancellable == NULL);

  self->cancellable = g_cancellable_new ();
  kibitz_config_load_async (self->server_url, self->cancellable, config_loaded_cb,
                            g_object_ref (self));
}

/* Says goodbye to the room and closes every link. */
void
kibitz_call_leave (KibitzCall *self)
{
  g_cancellable_cancel (self->cancellable);
  kibitz_call_refresh (self);
  if (self->signaling)
    kibitz_signaling_leave (self->signaling);

  for (guint i = 0; i < self->participants->len; i++)
    close_peer (self, g_ptr_array_index (self->participants, i));
}

void
kibitz_call_set_sink_factory (KibitzCall        *self,
                              KibitzSinkFactory  factory,
                              gpointer           user_data)
{
  self->sink_factory = factory;
  self->sink_data = user_data;
}

void
kibitz_call_send_state (KibitzCall *self,
                        JsonObject *state)
{
  if (self->signaling)
    kibitz_signaling_send_state (self->signaling, state);
}

void
kibitz_call_set_camera_enabled (KibitzCall *self,
                                gboolean    enabled)
{
  g_return_if_fail (KIBITZ_IS_CALL (self));

  self->want_camera = !!enabled;
  if (self->media != NULL)
    kibitz_media_source_set_camera_enabled (self->media, enabled);
  send_own_state (self);
}

gboolean
kibitz_call_get_camera_enabled (KibitzCall *self)
{
  g_return_val_if_fail (KIBITZ_IS_CALL (self), FALSE);

  if (self->media != NULL)
    return kibitz_media_source_get_camera_enabled (self->media);
  return self->want_camera;
}

void
kibitz_call_set_microphone_enabled (KibitzCall *self,
                                    gboolean    enabled)
{
  g_return_if_fail (KIBITZ_IS_CALL (self));

  self->want_microphone = !!enabled;
  if (self->media != NULL)
    kibitz_media_source_set_microphone_enabled (self->media, enabled);
  send_own_state (self);
}

gboolean
kibitz_call_get_microphone_enabled (KibitzCall *self)
{
  g_return_val_if_fail (KIBITZ_IS_CALL (self), FALSE);

  if (self->media != NULL)
    return kibitz_media_source_get_microphone_enabled (self->media);
  return self->want_microphone;
}

void
kibitz_call_set_hand_raised (KibitzCall *self,
                             gboolean    raised)
{
  g_return_if_fail (KIBITZ_IS_CALL (self));

  self->hand_raised = !!raised;
  send_own_state (self);
}

gboolean
kibitz_call_get_hand_raised (KibitzCall *self)
{
  g_return_val_if_fail (KIBITZ_IS_CALL (self), FALSE);

  return self->hand_raised;
}

void
kibitz_call_send_chat (KibitzCall *self,
                       const char *text)
{
  if (self->signaling)
    kibitz_signaling_send_chat (self->signaling, text);
}

const char *
kibitz_call_get_id (KibitzCall *self)
{
  return self->signaling ? kibitz_signaling_get_id (self->signaling) : NULL;
}

const char *
kibitz_call_get_room (KibitzCall *self)
{
  return self->room;
}

/* (element-type KibitzParticipant): every participant seen, left ones too. */
GPtrArray *
kibitz_call_get_participants (KibitzCall *self)
{
  return self->participants;
}

KibitzMediaSource *
kibitz_call_get_media (KibitzCall *self)
{
  return self->media;
}

GstElement *
kibitz_call_get_pipeline (KibitzCall *self)
{
  return self->pipeline;
}

/* Lets every closing peer finish its teardown (bounded), so the pipeline can
 * go to NULL with no branch half-removed.
 */
static void
wait_for_closing_peers (KibitzCall *self)
{
  gint64 deadline = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;

  while (self->closing->len > 0 && g_get_monotonic_time () < deadline)
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
}

static void
kibitz_call_dispose (GObject *object)
{
  KibitzCall *self = KIBITZ_CALL (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  if (self->held)
    g_ptr_array_set_size (self->held, 0);
  for (guint i = 0; self->participants && i < self->participants->len; i++)
    close_peer (self, g_ptr_array_index (self->participants, i));
  if (self->closing)
    {
      wait_for_closing_peers (self);
      /* A peer still closing past the wait (its ICE agent's close is async)
       * must not call back into a call that is gone. */
      for (guint i = 0; i < self->closing->len; i++)
        g_signal_handlers_disconnect_by_data (g_ptr_array_index (self->closing, i), self);
    }

  if (self->signaling)
    g_signal_handlers_disconnect_by_data (self->signaling, self);
  g_clear_object (&self->signaling);
  if (self->pipeline)
    gst_element_set_state (self->pipeline, GST_STATE_NULL);
  g_clear_handle_id (&self->bus_watch_id, g_source_remove);
  g_clear_object (&self->media);
  g_clear_object (&self->pipeline);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (kibitz_call_parent_class)->dispose (object);
}

static void
kibitz_call_finalize (GObject *object)
{
  KibitzCall *self = KIBITZ_CALL (object);

  g_clear_pointer (&self->participants, g_ptr_array_unref);
  g_clear_pointer (&self->closing, g_ptr_array_unref);
  g_clear_pointer (&self->held, g_ptr_array_unref);
  g_clear_pointer (&self->config, kibitz_config_free);
  g_free (self->server_url);
  g_free (self->room);
  g_free (self->name);
  g_free (self->video);
  g_free (self->audio);
  g_free (self->stun);
  g_strfreev (self->turns);
  g_strfreev (self->ice_addresses);
  g_free (self->addresses);

  G_OBJECT_CLASS (kibitz_call_parent_class)->finalize (object);
}

static guint
new_signal (GObjectClass *klass,
            const char   *name,
            guint         n_params,
            ...)
{
  GType types[3];
  va_list args;

  va_start (args, n_params);
  for (guint i = 0; i < n_params; i++)
    types[i] = va_arg (args, GType);
  va_end (args);

  return g_signal_newv (name, G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, NULL, NULL, NULL,
                        NULL, G_TYPE_NONE, n_params, types);
}

static void
kibitz_call_class_init (KibitzCallClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = kibitz_call_dispose;
  object_class->finalize = kibitz_call_finalize;

  signals[SIGNAL_JOINED] = new_signal (object_class, "joined", 2, G_TYPE_STRING, G_TYPE_BOOLEAN);
  signals[SIGNAL_PARTICIPANT_JOINED] = new_signal (object_class, "participant-joined", 1,
                                                   G_TYPE_POINTER);
  signals[SIGNAL_PARTICIPANT_CONNECTED] = new_signal (object_class, "participant-connected", 1,
                                                      G_TYPE_POINTER);
  signals[SIGNAL_FIRST_FRAME] = new_signal (object_class, "first-frame", 1, G_TYPE_POINTER);
  signals[SIGNAL_PARTICIPANT_LEFT] = new_signal (object_class, "participant-left", 1,
                                                 G_TYPE_POINTER);
  signals[SIGNAL_PARTICIPANT_FAILED] = new_signal (object_class, "participant-failed", 2,
                                                   G_TYPE_POINTER, G_TYPE_POINTER);
  signals[SIGNAL_PARTICIPANT_STATE] = new_signal (object_class, "participant-state", 1,
                                                  G_TYPE_POINTER);
  signals[SIGNAL_REMOTE_STREAM_ADDED] = new_signal (object_class, "remote-stream-added", 2,
                                                    G_TYPE_POINTER, G_TYPE_OBJECT);
  signals[SIGNAL_CHAT] = new_signal (object_class, "chat", 1, JSON_TYPE_OBJECT);
  signals[SIGNAL_FAILED] = new_signal (object_class, "failed", 1, G_TYPE_POINTER);
}

static void
kibitz_call_init (KibitzCall *self)
{
  self->participants = g_ptr_array_new_with_free_func ((GDestroyNotify) participant_free);
  self->closing = g_ptr_array_new_with_free_func (g_object_unref);
  self->held = g_ptr_array_new_with_free_func (held_candidate_free);
  self->want_camera = TRUE;
  self->want_microphone = TRUE;
}

KibitzCall *
kibitz_call_new (const KibitzCallOptions *options)
{
  KibitzCall *self = g_object_new (KIBITZ_TYPE_CALL, NULL);

  self->options = *options;
  self->server_url = g_strdup (options->server_url);
  self->room = g_strdup (options->room);
  self->name = g_strdup (options->name);
  self->video = g_strdup (options->media.video);
  self->audio = g_strdup (options->media.audio);
  self->ice_addresses = g_strdupv ((GStrv) options->ice_addresses);
  self->options.media.video = self->video;
  self->options.media.audio = self->audio;
  self->options.media.display_name = NULL;
  self->options.server_url = self->server_url;
  self->options.room = self->room;
  self->options.name = self->name;
  self->options.ice_addresses = (const char * const *) self->ice_addresses;

  return self;
}
