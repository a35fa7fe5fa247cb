/* kibitz-peer-negotiation.c: offer, answer and remote candidates.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-peer"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <gst/sdp/sdp.h>

#include "kibitz-candidate.h"
#include "kibitz-core-error.h"
#include "kibitz-peer-private.h"

/* --- Promises -------------------------------------------------------------------------- */

static void
promise_changed_cb (GstPromise *promise,
                    gpointer    user_data);

typedef struct {
  KibitzPeer *self;
  PeerFunc    func;
} PromiseData;

static void
promise_data_free (gpointer data)
{
  PromiseData *pd = data;

  g_object_unref (pd->self);
  g_free (pd);
}

/* A promise whose reply is handled by func (self, promise) in the main context. */
GstPromise *
kibitz_peer_promise (KibitzPeer *self,
                     PeerFunc    func)
{
  PromiseData *pd = g_new0 (PromiseData, 1);

  pd->self = g_object_ref (self);
  pd->func = func;
  return gst_promise_new_with_change_func (promise_changed_cb, pd, promise_data_free);
}

static void
promise_changed_cb (GstPromise *promise,
                    gpointer    user_data)
{
  PromiseData *pd = user_data;

  kibitz_peer_hop (pd->self, pd->func, gst_promise_ref (promise), (GDestroyNotify) gst_promise_unref);
}

/* FALSE with error set when webrtcbin refused; *reply may be NULL on success. */
gboolean
kibitz_peer_promise_reply (GstPromise          *promise,
                           const char          *what,
                           const GstStructure **out_reply,
                           GError             **error)
{
  const GstStructure *reply;
  g_autoptr(GError) reply_error = NULL;

  if (gst_promise_wait (promise) != GST_PROMISE_RESULT_REPLIED)
    {
      g_set_error (error, KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_NEGOTIATION,
                   "%s was interrupted", what);
      return FALSE;
    }

  reply = gst_promise_get_reply (promise);
  if (reply != NULL && gst_structure_has_field (reply, "error"))
    {
      gst_structure_get (reply, "error", G_TYPE_ERROR, &reply_error, NULL);
      g_set_error (error, KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_NEGOTIATION, "%s failed: %s",
                   what, reply_error ? reply_error->message : "unknown error");
      return FALSE;
    }
  if (out_reply != NULL)
    *out_reply = reply;
  return TRUE;
}

static void
local_description_set (KibitzPeer *self,
                       gpointer    data)
{
  GError *error = NULL;

  if (!kibitz_peer_promise_reply (data, "Setting the local description", NULL, &error))
    kibitz_peer_fail (self, error);
  else if (self->remote_set && self->state == KIBITZ_PEER_STATE_NEGOTIATING)
    kibitz_peer_set_state (self, KIBITZ_PEER_STATE_CONNECTING);
}

static void
description_created (KibitzPeer *self,
                     GstPromise *promise,
                     const char *type)
{
  g_autoptr(GstWebRTCSessionDescription) desc = NULL;
  g_autoptr(GstPromise) set_promise = NULL;
  g_autofree char *text = NULL;
  g_autofree char *what = g_strdup_printf ("Creating the %s", type);
  const GstStructure *reply = NULL;
  GError *error = NULL;

  if (!kibitz_peer_promise_reply (promise, what, &reply, &error))
    {
      kibitz_peer_fail (self, error);
      return;
    }

  if (reply != NULL)
    gst_structure_get (reply, type, GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &desc, NULL);
  if (desc == NULL)
    {
      kibitz_peer_fail (self, g_error_new (KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_NEGOTIATION,
                                           "webrtcbin gave no %s", type));
      return;
    }

  text = gst_sdp_message_as_text (desc->sdp);
  /* The description goes out before set-local-description starts gathering,
   * so it always precedes its candidates. */
  g_signal_emit (self, kibitz_peer_signals[SIGNAL_LOCAL_DESCRIPTION], 0, type, text);
  if (self->closing)
    return;

  set_promise = kibitz_peer_promise (self, local_description_set);
  g_signal_emit_by_name (self->webrtcbin, "set-local-description", desc, set_promise);
}

static void
offer_created (KibitzPeer *self,
               gpointer    data)
{
  description_created (self, data, "offer");
}

static void
answer_created (KibitzPeer *self,
                gpointer    data)
{
  description_created (self, data, "answer");
}

/* --- Branches ---------------------------------------------------------------------------- */

/* Send and receive.
 *
 * NACK/RTX stays off: with GStreamer 1.22.0, "do-nack" on the video
 * transceiver of a bundled session stops the incoming audio (webrtcbin
 * gives the camera's RTX payload type 97, which is our Opus, and turns
 * retransmission on for the audio's jitter buffer too). With both worked
 * around, NACK paid off only with a 250 ms video jitter buffer
 * (docs/quality.md). Lost video is repaired by keyframe requests (the
 * depayloader's request-keyframe, coalesced by the sender);
 * docs/resilience.md measures what that gives over a lossy link. */
static void
set_transceiver_sendrecv (GstPad          *pad,
                          KibitzMediaKind  kind)
{
  g_autoptr(GstWebRTCRTPTransceiver) trans = NULL;

  if (g_object_class_find_property (G_OBJECT_GET_CLASS (pad), "transceiver") == NULL)
    return;
  g_object_get (pad, "transceiver", &trans, NULL);
  if (trans != NULL)
    g_object_set (trans, "direction", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDRECV, NULL);
}

static KibitzMediaBranch *
add_branch (KibitzPeer            *self,
            KibitzMediaKind        kind,
            const KibitzRtpFormat *format,
            GError               **error)
{
  GstPad *pad = gst_element_request_pad_simple (self->webrtcbin, "sink_%u");
  KibitzMediaBranch *branch;

  if (pad == NULL)
    {
      g_set_error (error, KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_PIPELINE,
                   "webrtcbin gave no sink pad");
      return NULL;
    }

  branch = kibitz_media_source_add_branch (self->media, kind, format, pad, error);
  if (branch != NULL)
    set_transceiver_sendrecv (pad, kind);
  gst_object_unref (pad);
  return branch;
}

/* What each stream is sent with; payload_type < 0: that stream is not sent. */
typedef struct {
  int   payload_type;
  guint twcc_ext_id;
} Format;

static gboolean
ensure_branch (KibitzPeer          *self,
               KibitzMediaKind      kind,
               const Format        *format,
               KibitzMediaBranch  **branch,
               GError             **error)
{
  KibitzRtpFormat rtp = { .payload_type = format->payload_type,
                          .twcc_ext_id = format->twcc_ext_id };

  if (format->payload_type < 0 || *branch != NULL)
    return TRUE;
  return (*branch = add_branch (self, kind, &rtp, error)) != NULL;
}

/* Always send and receive every stream, so toggling a device or a share
 * never renegotiates. In this order: webrtcbin gives each m-line of a
 * remote offer the first free transceiver, and a Kibitz offer lists
 * camera, audio, screen. */
static gboolean
ensure_branches (KibitzPeer    *self,
                 const Format  *video,
                 const Format  *audio,
                 const Format  *screen,
                 GError       **error)
{
  return ensure_branch (self, KIBITZ_MEDIA_KIND_VIDEO, video, &self->video_branch, error) &&
         ensure_branch (self, KIBITZ_MEDIA_KIND_AUDIO, audio, &self->audio_branch, error) &&
         ensure_branch (self, KIBITZ_MEDIA_KIND_SCREEN, screen, &self->screen_branch, error);
}

/* --- Offer / answer ------------------------------------------------------------------------- */

gboolean
kibitz_peer_create_offer (KibitzPeer  *self,
                          GError     **error)
{
  g_autoptr(GstPromise) promise = NULL;
  GError *local_error = NULL;

  g_return_val_if_fail (KIBITZ_IS_PEER (self), FALSE);

  if (!kibitz_peer_check_usable (self, error))
    return FALSE;
  if (self->state != KIBITZ_PEER_STATE_NEW)
    {
      g_set_error (error, KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_NEGOTIATION,
                   "Peer %s is already negotiating; rebuild it to negotiate afresh", self->id);
      return FALSE;
    }

  if (!ensure_branches (self, &(Format) { KIBITZ_VIDEO_PAYLOAD_TYPE, KIBITZ_TWCC_EXT_ID },
                        &(Format) { KIBITZ_AUDIO_PAYLOAD_TYPE, KIBITZ_TWCC_EXT_ID },
                        &(Format) { KIBITZ_SCREEN_PAYLOAD_TYPE, KIBITZ_TWCC_EXT_ID },
                        &local_error))
    return kibitz_peer_fail_now (self, error, local_error);

  self->offerer = TRUE;
  kibitz_peer_set_state (self, KIBITZ_PEER_STATE_NEGOTIATING);
  promise = kibitz_peer_promise (self, offer_created);
  g_signal_emit_by_name (self->webrtcbin, "create-offer", NULL, promise);
  return TRUE;
}

static void
flush_pending_candidates (KibitzPeer *self)
{
  for (guint i = 0; i < self->pending_candidates->len; i++)
    {
      PendingCandidate *c = &g_array_index (self->pending_candidates, PendingCandidate, i);

      g_signal_emit_by_name (self->webrtcbin, "add-ice-candidate", c->mline, c->candidate);
      g_free (c->candidate);
    }
  g_array_set_size (self->pending_candidates, 0);
}

static void
remote_description_set (KibitzPeer *self,
                        gpointer    data)
{
  g_autoptr(GstPromise) answer_promise = NULL;
  GError *error = NULL;

  if (!kibitz_peer_promise_reply (data, "Setting the remote description", NULL, &error))
    {
      kibitz_peer_fail (self, error);
      return;
    }

  self->remote_set = TRUE;
  flush_pending_candidates (self);

  if (self->offerer)
    {
      kibitz_peer_set_state (self, KIBITZ_PEER_STATE_CONNECTING);
      return;
    }

  answer_promise = kibitz_peer_promise (self, answer_created);
  g_signal_emit_by_name (self->webrtcbin, "create-answer", NULL, answer_promise);
}

/* The payload type of the first rtpmap of encoding in media, or -1. */
static int
find_payload_type (const GstSDPMedia *media,
                   const char        *encoding)
{
  for (guint i = 0; i < gst_sdp_media_attributes_len (media); i++)
    {
      const GstSDPAttribute *attr = gst_sdp_media_get_attribute (media, i);
      int pt;
      char name[32];

      if (g_strcmp0 (attr->key, "rtpmap") != 0 || attr->value == NULL)
        continue;
      if (sscanf (attr->value, "%d %31[^/]", &pt, name) == 2 &&
          g_ascii_strcasecmp (name, encoding) == 0 && pt >= 0 && pt <= 127)
        return pt;
    }
  return -1;
}

/* The id of the transport-wide congestion control extension in media, or 0. */
static guint
find_twcc_ext_id (const GstSDPMedia *media)
{
  for (guint i = 0; i < gst_sdp_media_attributes_len (media); i++)
    {
      const GstSDPAttribute *attr = gst_sdp_media_get_attribute (media, i);
      guint id;
      char uri[256];

      if (g_strcmp0 (attr->key, "extmap") != 0 || attr->value == NULL)
        continue;
      /* "3 URI" or "3/sendrecv URI" */
      if (sscanf (attr->value, "%u%*[^ ] %255s", &id, uri) != 2 &&
          sscanf (attr->value, "%u %255s", &id, uri) != 2)
        continue;
      if (g_str_equal (uri, KIBITZ_TWCC_URI) && id >= 1 && id <= 14)
        return id;
    }
  return 0;
}

static gboolean
bad_sdp (GError    **error,
         const char *type,
         const char *why)
{
  g_set_error (error, KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_BAD_SDP, "Unusable %s: %s", type, why);
  return FALSE;
}

/* Checks what webrtcbin 1.22 would otherwise accept silently or choke on, and
 * finds the offerer's payload types so our payloaders can adopt them. */
static gboolean
inspect_sdp (const GstSDPMessage  *sdp,
             const char           *type,
             Format               *video,
             Format               *audio,
             Format               *screen,
             int                  *screen_mline,
             GError              **error)
{
  gboolean any = FALSE;

  *video = *audio = *screen = (Format) { -1, 0 };
  *screen_mline = -1;
  if (g_strcmp0 (gst_sdp_message_get_version (sdp), "0") != 0)
    return bad_sdp (error, type, "it does not start with “v=0” (not SDP?)");
  if (gst_sdp_message_medias_len (sdp) == 0)
    return bad_sdp (error, type, "it has no media sections");

  for (guint i = 0; i < gst_sdp_message_medias_len (sdp); i++)
    {
      const GstSDPMedia *media = gst_sdp_message_get_media (sdp, i);
      const char *kind = gst_sdp_media_get_media (media);

      /* Port 0 is a rejected section, unless it is bundle-only (max-bundle). */
      if (gst_sdp_media_get_port (media) == 0 &&
          gst_sdp_media_get_attribute_val (media, "bundle-only") == NULL)
        continue;
      if (g_strcmp0 (kind, "video") == 0 && video->payload_type < 0)
        {
          if ((video->payload_type = find_payload_type (media, "VP8")) < 0)
            return bad_sdp (error, type, "its video has no VP8");
          video->twcc_ext_id = find_twcc_ext_id (media);
          any = TRUE;
        }
      /* The second video section is the shared screen (docs/protocol.md);
       * without VP8 there the link simply carries no screen. */
      else if (g_strcmp0 (kind, "video") == 0 && screen->payload_type < 0 &&
               find_payload_type (media, "VP8") >= 0)
        {
          screen->payload_type = find_payload_type (media, "VP8");
          screen->twcc_ext_id = find_twcc_ext_id (media);
          *screen_mline = i;
        }
      else if (g_strcmp0 (kind, "audio") == 0 && audio->payload_type < 0)
        {
          if ((audio->payload_type = find_payload_type (media, "OPUS")) < 0)
            return bad_sdp (error, type, "its audio has no Opus");
          audio->twcc_ext_id = find_twcc_ext_id (media);
          any = TRUE;
        }
    }

  if (!any)
    return bad_sdp (error, type, "it has neither audio nor video");
  return TRUE;
}

static gboolean
has_flag (const GstSDPMedia *media,
          const char        *key)
{
  for (guint i = 0; i < gst_sdp_media_attributes_len (media); i++)
    if (g_strcmp0 (gst_sdp_media_get_attribute (media, i)->key, key) == 0)
      return TRUE;
  return FALSE;
}

/* TRUE if no usable media section of the description sends anything (a
 * browser that only watches): such a link is judged by ICE alone. */
static gboolean
sends_nothing (const GstSDPMessage *sdp)
{
  for (guint i = 0; i < gst_sdp_message_medias_len (sdp); i++)
    {
      const GstSDPMedia *media = gst_sdp_message_get_media (sdp, i);

      if (gst_sdp_media_get_port (media) == 0 &&
          gst_sdp_media_get_attribute_val (media, "bundle-only") == NULL)
        continue;
      if (!has_flag (media, "recvonly") && !has_flag (media, "inactive"))
        return FALSE;
    }
  return TRUE;
}

gboolean
kibitz_peer_set_remote_description (KibitzPeer  *self,
                                    const char  *type,
                                    const char  *sdp,
                                    GError     **error)
{
  g_autoptr(GstWebRTCSessionDescription) desc = NULL;
  g_autoptr(GstPromise) promise = NULL;
  GstSDPMessage *message = NULL;
  GError *local_error = NULL;
  gboolean is_offer;
  Format video, audio, screen;
  int screen_mline;

  g_return_val_if_fail (KIBITZ_IS_PEER (self), FALSE);

  if (!kibitz_peer_check_usable (self, error))
    return FALSE;

  is_offer = g_strcmp0 (type, "offer") == 0;
  if (!is_offer && g_strcmp0 (type, "answer") != 0)
    return kibitz_peer_fail_now (self, error,
                     g_error_new (KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_BAD_SDP,
                                  "Unknown description type “%s”", type ? type : "(null)"));
  if (is_offer ? self->state != KIBITZ_PEER_STATE_NEW
               : !(self->offerer && !self->remote_set))
    return kibitz_peer_fail_now (self, error,
                     g_error_new (KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_NEGOTIATION,
                                  "Unexpected %s from peer %s (no renegotiation in this "
                                  "version: rebuild the peer)", type, self->id));

  if (sdp == NULL ||
      gst_sdp_message_new_from_text (sdp, &message) != GST_SDP_OK ||
      !inspect_sdp (message, type, &video, &audio, &screen, &screen_mline, &local_error))
    {
      if (message != NULL)
        gst_sdp_message_free (message);
      if (local_error == NULL)
        bad_sdp (&local_error, type, "it cannot be parsed");
      return kibitz_peer_fail_now (self, error, local_error);
    }
  self->remote_silent = sends_nothing (message);
  /* An answer keeps the offer's m-lines: ours, with the screen third, or
   * fewer where the other side refused it. */
  self->screen_mline = screen_mline;

  if (is_offer)
    {
      /* Adopt the offerer's payload types and TWCC extension id (or none):
       * every peer sharing our encoder gets its own payloader, so each can
       * follow its own negotiation. */
      if (!ensure_branches (self, &video, &audio, &screen, &local_error))
        {
          gst_sdp_message_free (message);
          return kibitz_peer_fail_now (self, error, local_error);
        }
      kibitz_peer_set_state (self, KIBITZ_PEER_STATE_NEGOTIATING);
    }

  desc = gst_webrtc_session_description_new (is_offer ? GST_WEBRTC_SDP_TYPE_OFFER
                                                      : GST_WEBRTC_SDP_TYPE_ANSWER, message);
  promise = kibitz_peer_promise (self, remote_description_set);
  g_signal_emit_by_name (self->webrtcbin, "set-remote-description", desc, promise);
  return TRUE;
}

gboolean
kibitz_peer_add_remote_candidate (KibitzPeer  *self,
                                  guint        mline,
                                  const char  *candidate,
                                  GError     **error)
{
  g_autoptr(KibitzCandidate) parsed = NULL;
  GError *local_error = NULL;
  PendingCandidate pending;
  const char *line;

  g_return_val_if_fail (KIBITZ_IS_PEER (self), FALSE);

  if (!kibitz_peer_check_usable (self, error))
    return FALSE;
  if (candidate == NULL || candidate[0] == '\0')
    return TRUE;   /* End of candidates: libnice needs no telling. */

  if (!(parsed = kibitz_candidate_parse (candidate, &local_error)))
    return kibitz_peer_fail_now (self, error, local_error);
  if (mline > 63)
    return kibitz_peer_fail_now (self, error,
                     g_error_new (KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_BAD_CANDIDATE,
                                  "Bad ICE candidate: m-line index %u is out of range", mline));

  line = g_str_has_prefix (candidate, "a=") ? candidate + 2 : candidate;
  g_ptr_array_add (self->remote_candidates, g_strdup (line));

  /* webrtcbin 1.22 drops candidates silently before the remote description. */
  if (!self->remote_set)
    {
      pending.mline = mline;
      pending.candidate = g_strdup (line);
      g_array_append_val (self->pending_candidates, pending);
      return TRUE;
    }

  g_signal_emit_by_name (self->webrtcbin, "add-ice-candidate", mline, line);
  return TRUE;
}
