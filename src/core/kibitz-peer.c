/* kibitz-peer.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-peer"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <gst/webrtc/webrtc.h>
#include <agent.h>
#include <gst/sdp/sdp.h>

#include "kibitz-candidate.h"
#include "kibitz-core-error.h"
#include "kibitz-peer-private.h"

GST_DEBUG_CATEGORY (kibitz_peer_debug);

/* Also before the first peer exists (kibitz_peer_prepare_dtls logs). */
void
kibitz_peer_debug_init (void)
{
  static gsize done;

  if (g_once_init_enter (&done))
    {
      GST_DEBUG_CATEGORY_INIT (kibitz_peer_debug, "kibitz-peer", 0, "Kibitz peer connection");
      g_once_init_leave (&done, 1);
    }
}
#define GST_CAT_DEFAULT kibitz_peer_debug
G_DEFINE_FINAL_TYPE (KibitzPeer, kibitz_peer, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (KibitzPeerState, kibitz_peer_state,
  G_DEFINE_ENUM_VALUE (KIBITZ_PEER_STATE_NEW, "new"),
  G_DEFINE_ENUM_VALUE (KIBITZ_PEER_STATE_NEGOTIATING, "negotiating"),
  G_DEFINE_ENUM_VALUE (KIBITZ_PEER_STATE_CONNECTING, "connecting"),
  G_DEFINE_ENUM_VALUE (KIBITZ_PEER_STATE_CONNECTED, "connected"),
  G_DEFINE_ENUM_VALUE (KIBITZ_PEER_STATE_FAILED, "failed"),
  G_DEFINE_ENUM_VALUE (KIBITZ_PEER_STATE_CLOSED, "closed"))

enum {
  PROP_0,
  PROP_ID,
  PROP_STATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];
guint kibitz_peer_signals[N_SIGNALS];

/* --- Main-context hops ------------------------------------------------------------ */

typedef struct {
  KibitzPeer     *self;
  PeerFunc        func;
  gpointer        data;
  GDestroyNotify  free_data;
} Hop;

static gboolean
hop_cb (gpointer user_data)
{
  Hop *hop = user_data;

  if (!hop->self->closing)
    hop->func (hop->self, hop->data);
  return G_SOURCE_REMOVE;
}

static void
hop_free (gpointer user_data)
{
  Hop *hop = user_data;

  if (hop->free_data != NULL && hop->data != NULL)
    hop->free_data (hop->data);
  g_object_unref (hop->self);
  g_free (hop);
}

/* webrtcbin calls back on its own threads: everything that touches self goes
 * through here to the context the peer was created in. Not
 * g_main_context_invoke_full() alone: when the main thread is not iterating,
 * it runs the function right here in webrtcbin's thread, since that thread
 * has no thread-default context and may acquire the global one. */
void
kibitz_peer_hop (KibitzPeer     *self,
                 PeerFunc        func,
                 gpointer        data,
                 GDestroyNotify  free_data)
{
  Hop *h = g_new0 (Hop, 1);
  g_autoptr(GSource) source = NULL;

  h->self = g_object_ref (self);
  h->func = func;
  h->data = data;
  h->free_data = free_data;

  if (g_main_context_is_owner (self->context))
    {
      hop_cb (h);
      hop_free (h);
      return;
    }

  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, hop_cb, h, hop_free);
  g_source_set_static_name (source, "[kibitz-peer] hop");
  g_source_attach (source, self->context);
}

/* --- State and failure ---------------------------------------------------------------- */

static void
dump_dot (KibitzPeer *self,
          const char *what)
{
  g_autofree char *name = NULL;

  if (g_getenv ("GST_DEBUG_DUMP_DOT_DIR") == NULL)
    return;
  name = g_strdup_printf ("kibitz-peer-%s-%s", self->id, what);
  GST_DEBUG_BIN_TO_DOT_FILE_WITH_TS (GST_BIN (self->pipeline), GST_DEBUG_GRAPH_SHOW_ALL, name);
}

void
kibitz_peer_set_state (KibitzPeer      *self,
                       KibitzPeerState  state)
{
  if (self->state == state)
    return;

  GST_INFO ("peer %s: %s", self->id,
            g_enum_get_value (g_type_class_peek (KIBITZ_TYPE_PEER_STATE), state)->value_nick);
  self->state = state;
  dump_dot (self, g_enum_get_value (g_type_class_peek (KIBITZ_TYPE_PEER_STATE), state)->value_nick);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

/* Takes error. Only this peer fails; the owner decides to close or rebuild it. */
void
kibitz_peer_fail (KibitzPeer *self,
                  GError     *error)
{
  if (self->closing || self->state == KIBITZ_PEER_STATE_FAILED)
    {
      g_error_free (error);
      return;
    }

  g_message ("Connection with peer %s failed: %s", self->id, error->message);
  self->error = error;
  kibitz_peer_set_state (self, KIBITZ_PEER_STATE_FAILED);
  g_signal_emit (self, kibitz_peer_signals[SIGNAL_FAILED], 0, self->error);
}

gboolean
kibitz_peer_fail_now (KibitzPeer  *self,
                      GError     **error,
                      GError      *local_error)
{
  if (error != NULL)
    *error = g_error_copy (local_error);
  kibitz_peer_fail (self, local_error);
  return FALSE;
}

gboolean
kibitz_peer_check_usable (KibitzPeer  *self,
                          GError     **error)
{
  if (self->closing || self->state == KIBITZ_PEER_STATE_CLOSED)
    {
      g_set_error (error, KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_CLOSED,
                   "The connection with peer %s is closed", self->id);
      return FALSE;
    }
  if (self->state == KIBITZ_PEER_STATE_FAILED)
    {
      g_set_error (error, KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_CLOSED,
                   "The connection with peer %s has failed: %s", self->id, self->error->message);
      return FALSE;
    }
  return TRUE;
}

/* --- webrtcbin callbacks (any thread) ---------------------------------------------------- */

typedef struct {
  guint  mline;
  char  *candidate;
} Candidate;

static void
candidate_free (gpointer data)
{
  Candidate *c = data;

  g_free (c->candidate);
  g_free (c);
}

static void
local_candidate (KibitzPeer *self,
                 gpointer    data)
{
  Candidate *c = data;

  g_debug ("%s: local %s", self->id, c->candidate);
  g_ptr_array_add (self->local_candidates, g_strdup (c->candidate));
  g_signal_emit (self, kibitz_peer_signals[SIGNAL_ICE_CANDIDATE], 0, c->mline, c->candidate);
}

static void
on_ice_candidate_cb (GstElement *webrtcbin,
                     guint       mline,
                     char       *candidate,
                     KibitzPeer *self)
{
  Candidate *c = g_new0 (Candidate, 1);

  c->mline = mline;
  c->candidate = g_strdup (candidate);
  kibitz_peer_hop (self, local_candidate, c, candidate_free);
}

static void
gathering_done (KibitzPeer *self,
                gpointer    data)
{
  g_signal_emit (self, kibitz_peer_signals[SIGNAL_ICE_GATHERING_DONE], 0);
}

static void
on_gathering_state_cb (GstElement *webrtcbin,
                       GParamSpec *pspec,
                       KibitzPeer *self)
{
  GstWebRTCICEGatheringState state;

  /* No end-of-candidates signal in 1.22: the gathering state is the cue. */
  g_object_get (webrtcbin, "ice-gathering-state", &state, NULL);
  if (state == GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE)
    kibitz_peer_hop (self, gathering_done, NULL, NULL);
}

static void
ice_state_changed (KibitzPeer *self,
                   gpointer    data)
{
  GstWebRTCICEConnectionState state = GPOINTER_TO_INT (data);

  if (self->state == KIBITZ_PEER_STATE_FAILED)
    return;
  if (state == GST_WEBRTC_ICE_CONNECTION_STATE_CONNECTED ||
      state == GST_WEBRTC_ICE_CONNECTION_STATE_COMPLETED)
    {
      kibitz_peer_set_state (self, KIBITZ_PEER_STATE_CONNECTED);
      kibitz_peer_congestion_watch (self);
    }
  else if (state == GST_WEBRTC_ICE_CONNECTION_STATE_FAILED)
    kibitz_peer_fail (self, g_error_new (KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_CONNECTION,
                                         "ICE found no working path to peer %s", self->id));
}

static void
on_ice_connection_state_cb (GstElement *webrtcbin,
                            GParamSpec *pspec,
                            KibitzPeer *self)
{
  GstWebRTCICEConnectionState state;

  g_object_get (webrtcbin, "ice-connection-state", &state, NULL);
  kibitz_peer_hop (self, ice_state_changed, GINT_TO_POINTER (state), NULL);
}

static void
stream_added (KibitzPeer *self,
              gpointer    data)
{
  g_signal_emit (self, kibitz_peer_signals[SIGNAL_REMOTE_STREAM_ADDED], 0, data);
}

static void
stream_failed (KibitzPeer *self,
               gpointer    data)
{
  kibitz_peer_fail (self, g_steal_pointer ((GError **) &data));
}

static KibitzMediaKind
pad_kind (GstPad *pad)
{
  g_autoptr(GstCaps) caps = gst_pad_get_current_caps (pad);
  const char *media;

  if (caps == NULL || gst_caps_is_empty (caps))
    return KIBITZ_MEDIA_KIND_VIDEO;
  media = gst_structure_get_string (gst_caps_get_structure (caps, 0), "media");
  return g_strcmp0 (media, "audio") == 0 ? KIBITZ_MEDIA_KIND_AUDIO : KIBITZ_MEDIA_KIND_VIDEO;
}

/* The stream on the shared screen's m-line (set with the remote
 * description, before any media arrives). */
static gboolean
pad_is_screen (KibitzPeer *self,
               GstPad     *pad)
{
  g_autoptr(GstWebRTCRTPTransceiver) trans = NULL;
  guint mline = G_MAXUINT;

  if (self->screen_mline < 0 ||
      g_object_class_find_property (G_OBJECT_GET_CLASS (pad), "transceiver") == NULL)
    return FALSE;
  g_object_get (pad, "transceiver", &trans, NULL);
  if (trans != NULL)
    g_object_get (trans, "mlineindex", &mline, NULL);
  return mline == (guint) self->screen_mline;
}

/* A streaming thread: the chain must be linked before this returns, or the
 * first buffers hit an unlinked pad. Only the pipeline, the sink factory
 * (fixed before negotiation) and the locked stream list are touched. */
static void
on_pad_added_cb (GstElement *webrtcbin,
                 GstPad     *pad,
                 KibitzPeer *self)
{
  GstElement *sink = NULL;
  KibitzRemoteStream *stream;
  KibitzMediaKind kind;
  GError *error = NULL;

  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC)
    return;

  kind = pad_kind (pad);
  if (kind == KIBITZ_MEDIA_KIND_VIDEO && pad_is_screen (self, pad))
    kind = KIBITZ_MEDIA_KIND_SCREEN;
  if (self->sink_factory != NULL)
    sink = self->sink_factory (self, kind, self->sink_data);

  stream = kibitz_remote_stream_new (self->pipeline, pad, sink,
                                     kind == KIBITZ_MEDIA_KIND_SCREEN, &error);
  if (stream == NULL)
    {
      kibitz_peer_hop (self, stream_failed, error, (GDestroyNotify) g_error_free);
      return;
    }

  g_mutex_lock (&self->lock);
  g_ptr_array_add (self->streams, g_object_ref (stream));
  kibitz_remote_stream_set_muted (stream, self->audio_muted);
  g_mutex_unlock (&self->lock);
  kibitz_peer_hop (self, stream_added, stream, g_object_unref);
}

/* --- Bus --------------------------------------------------------------------------------- */

static gboolean
owns (KibitzPeer *self,
      GstObject  *object)
{
  gboolean found = FALSE;

  if (object == NULL || self->webrtcbin == NULL)
    return FALSE;
  if (object == GST_OBJECT (self->webrtcbin) ||
      gst_object_has_as_ancestor (object, GST_OBJECT (self->webrtcbin)))
    return TRUE;
  if ((self->video_branch && kibitz_media_branch_owns (self->video_branch, object)) ||
      (self->audio_branch && kibitz_media_branch_owns (self->audio_branch, object)) ||
      (self->screen_branch && kibitz_media_branch_owns (self->screen_branch, object)))
    return TRUE;

  g_mutex_lock (&self->lock);
  for (guint i = 0; !found && i < self->streams->len; i++)
    found = kibitz_remote_stream_owns (g_ptr_array_index (self->streams, i), object);
  g_mutex_unlock (&self->lock);
  return found;
}

gboolean
kibitz_peer_handle_message (KibitzPeer *self,
                            GstMessage *message)
{
  g_autoptr(GError) gst_error = NULL;
  g_autofree char *debug = NULL;
  g_autofree char *path = NULL;

  g_return_val_if_fail (KIBITZ_IS_PEER (self), FALSE);

  if (GST_MESSAGE_TYPE (message) != GST_MESSAGE_ERROR || !owns (self, GST_MESSAGE_SRC (message)))
    return FALSE;

  gst_message_parse_error (message, &gst_error, &debug);
  path = gst_object_get_path_string (GST_MESSAGE_SRC (message));
  GST_WARNING ("peer %s: error from %s: %s (%s)", self->id, path, gst_error->message,
               debug ? debug : "");
  kibitz_peer_fail (self, g_error_new (KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_STREAM,
                                       "Media error with peer %s in %s: %s", self->id,
                                       GST_MESSAGE_SRC_NAME (message), gst_error->message));
  return TRUE;
}

/* --- Accessors ------------------------------------------------------------------------------ */

const char *
kibitz_peer_get_id (KibitzPeer *self)
{
  return self->id;
}

KibitzPeerState
kibitz_peer_get_state (KibitzPeer *self)
{
  return self->state;
}

const GError *
kibitz_peer_get_error (KibitzPeer *self)
{
  return self->error;
}

gboolean
kibitz_peer_is_offerer (KibitzPeer *self)
{
  return self->offerer;
}

gboolean
kibitz_peer_get_remote_sends_media (KibitzPeer *self)
{
  g_return_val_if_fail (KIBITZ_IS_PEER (self), FALSE);
  return !self->remote_silent;
}

GstElement *
kibitz_peer_get_webrtcbin (KibitzPeer *self)
{
  return self->webrtcbin;
}

static void
sum_streams (KibitzPeer      *self,
              KibitzMediaKind  kind,
              guint64         *total,
              gint64          *first_time)
{
  *total = 0;
  *first_time = 0;
  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->streams->len; i++)
    {
      KibitzRemoteStream *s = g_ptr_array_index (self->streams, i);
      gint64 t = kibitz_remote_stream_get_first_time (s);

      if (kibitz_remote_stream_get_kind (s) != kind)
        continue;
      *total += kibitz_remote_stream_get_count (s);
      if (t != 0 && (*first_time == 0 || t < *first_time))
        *first_time = t;
    }
  g_mutex_unlock (&self->lock);
}

guint64
kibitz_peer_get_frames_decoded (KibitzPeer *self)
{
  guint64 n;
  gint64 t;

  sum_streams (self, KIBITZ_MEDIA_KIND_VIDEO, &n, &t);
  return n;
}

guint64
kibitz_peer_get_screen_frames (KibitzPeer *self)
{
  guint64 n;
  gint64 t;

  sum_streams (self, KIBITZ_MEDIA_KIND_SCREEN, &n, &t);
  return n;
}

guint64
kibitz_peer_get_audio_packets (KibitzPeer *self)
{
  guint64 n;
  gint64 t;

  sum_streams (self, KIBITZ_MEDIA_KIND_AUDIO, &n, &t);
  return n;
}

/* Audio buffers played with sound in them (kibitz_remote_stream_get_audible()). */
guint64
kibitz_peer_get_audio_audible (KibitzPeer *self)
{
  guint64 n = 0;

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->streams->len; i++)
    n += kibitz_remote_stream_get_audible (g_ptr_array_index (self->streams, i));
  g_mutex_unlock (&self->lock);
  return n;
}

/* Plays its audio as silence while @muted: its announced audio is off, and
 * a teacher's mute holds even against a client that ignores it (§4). */
void
kibitz_peer_set_audio_muted (KibitzPeer *self,
                             gboolean    muted)
{
  g_mutex_lock (&self->lock);
  if (self->audio_muted != muted)
    {
      self->audio_muted = muted;
      for (guint i = 0; i < self->streams->len; i++)
        kibitz_remote_stream_set_muted (g_ptr_array_index (self->streams, i), muted);
    }
  g_mutex_unlock (&self->lock);
}

gint64
kibitz_peer_get_first_frame_ms (KibitzPeer *self)
{
  guint64 n;
  gint64 t;

  sum_streams (self, KIBITZ_MEDIA_KIND_VIDEO, &n, &t);
  return t == 0 ? -1 : (t - self->created) / 1000;
}

gboolean
kibitz_peer_get_video_size (KibitzPeer *self,
                            int        *width,
                            int        *height)
{
  gboolean found = FALSE;

  g_mutex_lock (&self->lock);
  for (guint i = self->streams->len; !found && i > 0; i--)
    {
      KibitzRemoteStream *s = g_ptr_array_index (self->streams, i - 1);

      found = kibitz_remote_stream_get_kind (s) == KIBITZ_MEDIA_KIND_VIDEO &&
              kibitz_remote_stream_get_video_size (s, width, height);
    }
  g_mutex_unlock (&self->lock);
  return found;
}

void
kibitz_peer_get_video_freezes (KibitzPeer *self,
                               gint64      since,
                               gint64     *recent_us,
                               gint64     *longest_us,
                               guint      *freezes)
{
  *recent_us = *longest_us = 0;
  *freezes = 0;
  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->streams->len; i++)
    {
      KibitzRemoteStream *s = g_ptr_array_index (self->streams, i);
      gint64 recent, longest;
      guint n;

      if (kibitz_remote_stream_get_kind (s) != KIBITZ_MEDIA_KIND_VIDEO)
        continue;
      kibitz_remote_stream_get_freezes (s, since, &recent, &longest, &n);
      *recent_us = MAX (*recent_us, recent);
      *longest_us = MAX (*longest_us, longest);
      *freezes += n;
    }
  g_mutex_unlock (&self->lock);
}

GPtrArray *
kibitz_peer_get_local_candidates (KibitzPeer *self)
{
  return self->local_candidates;
}

GPtrArray *
kibitz_peer_get_remote_candidates (KibitzPeer *self)
{
  return self->remote_candidates;
}

void
kibitz_peer_set_sink_factory (KibitzPeer        *self,
                              KibitzSinkFactory  factory,
                              gpointer           user_data,
                              GDestroyNotify     destroy)
{
  g_return_if_fail (KIBITZ_IS_PEER (self));
  g_return_if_fail (self->state == KIBITZ_PEER_STATE_NEW);

  if (self->sink_destroy != NULL)
    self->sink_destroy (self->sink_data);
  self->sink_factory = factory;
  self->sink_data = user_data;
  self->sink_destroy = destroy;
}

/* --- Construction ------------------------------------------------------------------------ */

/* Numbers a rebuilt link's webrtcbin while the old one is still closing. */
static gint webrtcbin_serial;

KibitzPeer *
kibitz_peer_new (const char               *id,
                 GstElement               *pipeline,
                 KibitzMediaSource        *media,
                 const KibitzPeerOptions  *options,
                 GError                  **error)
{
  g_autoptr(KibitzPeer) self = NULL;
  g_autofree char *name = NULL;
  static const char * const required[] = {
    "webrtcbin", "nicesrc", "nicesink", "dtlssrtpenc", "dtlssrtpdec", "rtpbin", NULL
  };
  KibitzPeerOptions defaults = { 0 };

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (GST_IS_BIN (pipeline), NULL);
  g_return_val_if_fail (KIBITZ_IS_MEDIA_SOURCE (media), NULL);

  /* webrtcbin loads without libnice, DTLS or SRTP and then fails late. */
  if (!kibitz_require_elements (required, error))
    return NULL;

  self = g_object_new (KIBITZ_TYPE_PEER, "id", id, NULL);
  self->pipeline = gst_object_ref (pipeline);
  self->media = g_object_ref (media);

  /* "webrtc-<id>", unless a rebuilt link's old webrtcbin is still closing
   * in the pipeline (its branches go through blocking probes): then a
   * numbered one. (Numbering every webrtcbin made classes of five on
   * loopback lose all media under ASan, tests/peer peer-class; not yet
   * understood, so the plain name stays the rule.) */
  name = g_strdup_printf ("webrtc-%s", id);
  g_strcanon (name, G_CSET_a_2_z G_CSET_A_2_Z G_CSET_DIGITS "-_", '_');
  {
    g_autoptr(GstElement) old = gst_bin_get_by_name (GST_BIN (pipeline), name);

    if (old != NULL)
      {
        g_free (name);
        name = g_strdup_printf ("webrtc-%s-%u", id,
                                (guint) g_atomic_int_add (&webrtcbin_serial, 1));
        g_strcanon (name, G_CSET_a_2_z G_CSET_A_2_Z G_CSET_DIGITS "-_", '_');
      }
  }
  if (!(self->webrtcbin = kibitz_make_element ("webrtcbin", name, error)))
    return NULL;
  gst_object_ref_sink (self->webrtcbin);

  if (!kibitz_peer_configure_webrtcbin (self, options ? options : &defaults, error))
    {
      g_clear_object (&self->webrtcbin);
      return NULL;
    }

  g_signal_connect (self->webrtcbin, "on-ice-candidate", G_CALLBACK (on_ice_candidate_cb), self);
  g_signal_connect (self->webrtcbin, "notify::ice-gathering-state",
                    G_CALLBACK (on_gathering_state_cb), self);
  g_signal_connect (self->webrtcbin, "notify::ice-connection-state",
                    G_CALLBACK (on_ice_connection_state_cb), self);
  g_signal_connect (self->webrtcbin, "pad-added", G_CALLBACK (on_pad_added_cb), self);

  if (!gst_bin_add (GST_BIN (pipeline), self->webrtcbin) ||
      gst_element_sync_state_with_parent (self->webrtcbin) == FALSE)
    {
      g_set_error (error, KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_PIPELINE,
                   "Could not start the connection with peer %s", id);
      kibitz_peer_remove_webrtcbin (self);
      return NULL;
    }

  return g_steal_pointer (&self);
}

/* --- GObject ------------------------------------------------------------------------------ */

static void
kibitz_peer_dispose (GObject *object)
{
  KibitzPeer *self = KIBITZ_PEER (object);

  kibitz_peer_stats_teardown (self);

  /* Dropped without kibitz_peer_close(): tear down without waiting. */
  if (self->webrtcbin != NULL)
    g_signal_handlers_disconnect_by_data (self->webrtcbin, self);
  if (self->video_branch != NULL)
    kibitz_media_source_remove_branch (self->media, g_steal_pointer (&self->video_branch),
                                       NULL, NULL);
  if (self->audio_branch != NULL)
    kibitz_media_source_remove_branch (self->media, g_steal_pointer (&self->audio_branch),
                                       NULL, NULL);
  if (self->screen_branch != NULL)
    kibitz_media_source_remove_branch (self->media, g_steal_pointer (&self->screen_branch),
                                       NULL, NULL);
  kibitz_peer_remove_webrtcbin (self);

  if (self->sink_destroy != NULL)
    self->sink_destroy (self->sink_data);
  self->sink_destroy = NULL;
  g_clear_object (&self->media);
  g_clear_object (&self->pipeline);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (kibitz_peer_parent_class)->dispose (object);
}

static void
kibitz_peer_finalize (GObject *object)
{
  KibitzPeer *self = KIBITZ_PEER (object);

  for (guint i = 0; i < self->pending_candidates->len; i++)
    g_free (g_array_index (self->pending_candidates, PendingCandidate, i).candidate);
  g_array_unref (self->pending_candidates);
  g_ptr_array_unref (self->local_candidates);
  g_ptr_array_unref (self->remote_candidates);
  g_ptr_array_unref (self->streams);
  g_mutex_clear (&self->lock);
  kibitz_peer_congestion_clear (self);
  g_clear_error (&self->error);
  g_clear_pointer (&self->stats, kibitz_stats_free);
  g_free (self->id);

  G_OBJECT_CLASS (kibitz_peer_parent_class)->finalize (object);
}

static void
kibitz_peer_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  KibitzPeer *self = KIBITZ_PEER (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kibitz_peer_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  KibitzPeer *self = KIBITZ_PEER (object);

  switch (prop_id)
    {
    case PROP_ID:
      self->id = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kibitz_peer_class_init (KibitzPeerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = kibitz_peer_dispose;
  object_class->finalize = kibitz_peer_finalize;
  object_class->get_property = kibitz_peer_get_property;
  object_class->set_property = kibitz_peer_set_property;

  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, KIBITZ_TYPE_PEER_STATE, KIBITZ_PEER_STATE_NEW,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* (type "offer"|"answer", sdp text): send it to the peer. */
  kibitz_peer_signals[SIGNAL_LOCAL_DESCRIPTION] =
    g_signal_new ("local-description", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  /* (sdpMLineIndex, "candidate:…"): send it to the peer. */
  kibitz_peer_signals[SIGNAL_ICE_CANDIDATE] =
    g_signal_new ("ice-candidate", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_STRING);
  kibitz_peer_signals[SIGNAL_ICE_GATHERING_DONE] =
    g_signal_new ("ice-gathering-done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
  kibitz_peer_signals[SIGNAL_REMOTE_STREAM_ADDED] =
    g_signal_new ("remote-stream-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, KIBITZ_TYPE_REMOTE_STREAM);
  kibitz_peer_signals[SIGNAL_FAILED] =
    g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
  kibitz_peer_signals[SIGNAL_STATS] =
    g_signal_new ("stats", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1,
                  KIBITZ_TYPE_STATS | G_SIGNAL_TYPE_STATIC_SCOPE);
  kibitz_peer_signals[SIGNAL_CLOSED] =
    g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  kibitz_peer_debug_init ();
}

static void
kibitz_peer_init (KibitzPeer *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->created = g_get_monotonic_time ();
  self->screen_mline = -1;
  self->pending_candidates = g_array_new (FALSE, FALSE, sizeof (PendingCandidate));
  self->local_candidates = g_ptr_array_new_with_free_func (g_free);
  self->remote_candidates = g_ptr_array_new_with_free_func (g_free);
  self->streams = g_ptr_array_new_with_free_func (g_object_unref);
  g_mutex_init (&self->lock);
  kibitz_peer_congestion_init (self);
}
