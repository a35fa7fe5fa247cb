/* kibitz-peer-stats.c: polling get-stats and the selected ICE pair.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-peer"

#include "config.h"

#include <gst/webrtc/nice/nicetransport.h>

#include "kibitz-peer-private.h"

/* GStreamer 1.22 has no selected-pair stats (1.27.50 adds them) and misreports
 * candidate types before 1.22.5: ask the ICE agent for the pair, then look its
 * addresses up in the candidate lines we exchanged. */
static void
read_selected_pair (KibitzPeer  *self,
                    KibitzStats *stats)
{
  g_autoptr(GstWebRTCRTPTransceiver) trans = NULL;
  g_autoptr(GstWebRTCRTPReceiver) receiver = NULL;
  g_autoptr(GstWebRTCDTLSTransport) dtls = NULL;
  g_autoptr(GstWebRTCICETransport) ice_transport = NULL;
  GstWebRTCICECandidateStats *local = NULL;
  GstWebRTCICECandidateStats *remote = NULL;
  const char *type;

  /* max-bundle: every transceiver shares the first one's transport. */
  g_signal_emit_by_name (self->webrtcbin, "get-transceiver", 0, &trans);
  if (trans == NULL)
    return;
  g_object_get (trans, "receiver", &receiver, NULL);
  if (receiver != NULL)
    g_object_get (receiver, "transport", &dtls, NULL);
  if (dtls != NULL)
    g_object_get (dtls, "transport", &ice_transport, NULL);
  if (ice_transport == NULL || !GST_IS_WEBRTC_NICE_TRANSPORT (ice_transport) ||
      GST_WEBRTC_NICE_TRANSPORT (ice_transport)->stream == NULL)
    return;

  if (!gst_webrtc_ice_get_selected_pair (GST_WEBRTC_ICE (self->ice),
                                         GST_WEBRTC_ICE_STREAM (GST_WEBRTC_NICE_TRANSPORT (ice_transport)->stream),
                                         &local, &remote))
    return;

  if (local != NULL)
    {
      g_autoptr(KibitzCandidate) line = kibitz_stats_find_candidate (self->local_candidates,
                                                                     local->ipaddr, local->port);

      stats->local_candidate_type = g_strdup (line != NULL ? line->type : local->type);
      if (line != NULL)
        stats->relay_transport = kibitz_candidate_relay_transport (line);
      stats->local_address = g_strdup (local->ipaddr);
      stats->local_port = local->port;
    }
  if (remote != NULL)
    {
      /* An address the peer never announced was discovered by the checks
       * themselves: peer-reflexive. */
      type = kibitz_stats_candidate_type (self->remote_candidates, remote->ipaddr, remote->port);
      stats->remote_candidate_type = g_strdup (type ? type : "prflx");
      stats->remote_address = g_strdup (remote->ipaddr);
      stats->remote_port = remote->port;
    }
  g_clear_pointer (&local, gst_webrtc_ice_candidate_stats_free);
  g_clear_pointer (&remote, gst_webrtc_ice_candidate_stats_free);
}

static void
stats_received (KibitzPeer *self,
                gpointer    data)
{
  g_autoptr(KibitzStats) stats = kibitz_stats_new ();
  const GstStructure *reply = NULL;

  g_clear_pointer (&self->stats_promise, gst_promise_unref);
  if (!kibitz_peer_promise_reply (data, "Reading statistics", &reply, NULL))
    reply = NULL;

  stats->timestamp_us = g_get_monotonic_time ();
  kibitz_stats_read_reply (stats, reply, self->stats);
  if (self->webrtcbin != NULL && self->ice != NULL)
    read_selected_pair (self, stats);
  stats->connected = self->state == KIBITZ_PEER_STATE_CONNECTED;
  stats->frames_decoded = kibitz_peer_get_frames_decoded (self);
  stats->audio_packets = kibitz_peer_get_audio_packets (self);
  stats->first_frame_ms = kibitz_peer_get_first_frame_ms (self);

  g_clear_pointer (&self->stats, kibitz_stats_free);
  self->stats = g_steal_pointer (&stats);
  g_signal_emit (self, kibitz_peer_signals[SIGNAL_STATS], 0, self->stats);
}

void
kibitz_peer_poll_stats (KibitzPeer *self)
{
  g_return_if_fail (KIBITZ_IS_PEER (self));

  if (self->closing || self->webrtcbin == NULL || self->stats_promise != NULL)
    return;
  self->stats_promise = kibitz_peer_promise (self, stats_received);
  g_signal_emit_by_name (self->webrtcbin, "get-stats", NULL, self->stats_promise);
}

static gboolean
stats_timeout_cb (gpointer data)
{
  kibitz_peer_poll_stats (data);
  return G_SOURCE_CONTINUE;
}

void
kibitz_peer_start_stats (KibitzPeer *self,
                         guint       interval_ms)
{
  g_return_if_fail (KIBITZ_IS_PEER (self));

  kibitz_peer_stop_stats (self);
  if (self->closing)
    return;
  self->stats_interval_ms = MAX (interval_ms, 100);
  self->stats_id = g_timeout_add (self->stats_interval_ms, stats_timeout_cb, self);
}

void
kibitz_peer_stop_stats (KibitzPeer *self)
{
  g_return_if_fail (KIBITZ_IS_PEER (self));

  g_clear_handle_id (&self->stats_id, g_source_remove);
}

const KibitzStats *
kibitz_peer_get_stats (KibitzPeer *self)
{
  g_return_val_if_fail (KIBITZ_IS_PEER (self), NULL);

  return self->stats;
}

/* 1.22.0 races get-stats against the rtpsession reset of a state change
 * (fixed in 1.22.3): no poll may be in flight when the webrtcbin stops. */
void
kibitz_peer_stats_teardown (KibitzPeer *self)
{
  g_clear_handle_id (&self->stats_id, g_source_remove);
  if (self->stats_promise != NULL)
    {
      /* webrtcbin is still running and answers within milliseconds. */
      gst_promise_wait (self->stats_promise);
      g_clear_pointer (&self->stats_promise, gst_promise_unref);
    }
}
