/* kibitz-peer-congestion.c: what this link's path carries, from the
 * receiver's transport-wide congestion control feedback.
 *
 * webrtcbin 1.22 only transports TWCC: its rtpsession turns each feedback
 * packet into "twcc-stats" (bitrates sent and received over the last 300 ms,
 * loss, the mean delta of delta) and notifies, on its RTCP thread. Every
 * notification goes straight into the link's KibitzLinkEstimator (under a
 * lock); the call reads the estimates from the main thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-peer"

#include "config.h"

#include "kibitz-peer-private.h"

#define GST_CAT_DEFAULT kibitz_peer_debug

/* How often we tell the other side what arrived. Without an interval
 * rtpsession sends feedback only on RTP marker bits: on every video frame,
 * but for Opus only at a talkspurt's start, so a link carrying audio alone
 * would go without feedback and never find its way back to video.
 *
 * Not faster than 250 ms: rtpsession 1.22 sends each feedback as an early
 * RTCP packet, and every early packet pushes the next regular one back by
 * a fresh RTCP interval (about 0.1 to 0.26 s here). Feedback every 100 ms,
 * or on every frame, starves the regular packets for the whole call, and
 * only they carry report blocks: no round trip in the stats, no loss
 * reported to the sender (seen as one peer in three with rtt -1 for 15 s).
 * At 250 ms a regular report goes out every 2.5 to 7.5 s as it should;
 * Chromium sends its feedback every 50 to 250 ms, slower on slow links. */
#define FEEDBACK_INTERVAL (250 * GST_MSECOND)

/* Until the first report: a quarter of a home uplink's worth. */
#define START_KBPS 600
#define MIN_KBPS   60
#define MAX_KBPS   4000

void
kibitz_peer_congestion_init (KibitzPeer *self)
{
  g_mutex_init (&self->rate_lock);
  kibitz_link_estimator_init (&self->estimator, START_KBPS, MIN_KBPS, MAX_KBPS,
                              g_get_monotonic_time ());
}

void
kibitz_peer_congestion_stop (KibitzPeer *self)
{
  if (self->twcc_session == NULL)
    return;
  g_signal_handler_disconnect (self->twcc_session, self->twcc_handler);
  g_clear_object (&self->twcc_session);
  if (self->twcc_pad != NULL)
    gst_pad_remove_probe (self->twcc_pad, self->twcc_probe);
  g_clear_object (&self->twcc_pad);
}

void
kibitz_peer_congestion_clear (KibitzPeer *self)
{
  kibitz_peer_congestion_stop (self);
  g_mutex_clear (&self->rate_lock);
}

static gboolean
read_feedback (const GstStructure *s,
               KibitzLinkFeedback *f)
{
  guint sent = 0, received = 0, packets = 0, packets_sent = 0;
  double loss = 0;
  gint64 delta_of_delta = GST_CLOCK_STIME_NONE;

  if (s == NULL ||
      !gst_structure_get (s, "bitrate-sent", G_TYPE_UINT, &sent,
                          "bitrate-recv", G_TYPE_UINT, &received,
                          "packets-recv", G_TYPE_UINT, &packets,
                          "packet-loss-pct", G_TYPE_DOUBLE, &loss, NULL))
    return FALSE;
  gst_structure_get_int64 (s, "avg-delta-of-delta", &delta_of_delta);
  gst_structure_get_uint (s, "packets-sent", &packets_sent);

  *f = (KibitzLinkFeedback) {
    .time_us = g_get_monotonic_time (),
    .sent_kbps = sent / 1000,
    .received_kbps = received / 1000,
    .packets = packets,
    .packets_sent = packets_sent,
    .loss = CLAMP (loss / 100.0, 0.0, 1.0),
    .delay_trend_ms = GST_CLOCK_STIME_IS_VALID (delta_of_delta) ? delta_of_delta / 1e6 : 0,
  };
  return TRUE;
}

/* rtpsession 1.22 hands each report's packets upstream from its
 * send_rtp_sink as a custom event (for a bandwidth estimator in front of
 * it, as rtpgccbwe is), just before it notifies twcc-stats. */
static GArray *
read_packets (const GstStructure *s)
{
  const GValue *list = gst_structure_get_value (s, "packets");
  GArray *packets;
  guint n;

  /* A GValueArray: deprecated in GLib, but what rtpsession makes. */
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  if (list == NULL || !G_VALUE_HOLDS (list, g_value_array_get_type ()))
    return NULL;
  n = ((GValueArray *) g_value_get_boxed (list))->n_values;
  packets = g_array_sized_new (FALSE, FALSE, sizeof (KibitzTwccPacket), n);
  for (guint i = 0; i < n; i++)
    {
      const GValue *v = g_value_array_get_nth (g_value_get_boxed (list), i);
      const GstStructure *p = G_VALUE_HOLDS (v, GST_TYPE_STRUCTURE) ? gst_value_get_structure (v)
                                                                     : NULL;
      GstClockTime sent = GST_CLOCK_TIME_NONE, arrived = GST_CLOCK_TIME_NONE;
      gboolean lost = TRUE;
      KibitzTwccPacket packet;

      if (p == NULL ||
          !gst_structure_get (p, "local-ts", G_TYPE_UINT64, &sent, "lost", G_TYPE_BOOLEAN, &lost,
                              NULL))
        continue;
      gst_structure_get_uint64 (p, "remote-ts", &arrived);
      packet.send_us = GST_CLOCK_TIME_IS_VALID (sent) ? (gint64) (sent / GST_USECOND) : -1;
      packet.arrival_us = !lost && GST_CLOCK_TIME_IS_VALID (arrived)
                            ? (gint64) (arrived / GST_USECOND) : -1;
      g_array_append_val (packets, packet);
    }
  G_GNUC_END_IGNORE_DEPRECATIONS
  return packets;
}

/* The RTCP thread of the link's rtpsession. */
static GstPadProbeReturn
twcc_packets_cb (GstPad          *pad,
                 GstPadProbeInfo *info,
                 KibitzPeer      *self)
{
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);
  const GstStructure *s = gst_event_get_structure (event);
  g_autoptr(GArray) packets = NULL;

  if (GST_EVENT_TYPE (event) != GST_EVENT_CUSTOM_UPSTREAM || s == NULL ||
      !gst_structure_has_name (s, "RTPTWCCPackets"))
    return GST_PAD_PROBE_OK;
  packets = read_packets (s);
  GST_TRACE ("peer %s: %" GST_PTR_FORMAT, self->id, s);
  if (packets != NULL)
    {
      g_mutex_lock (&self->rate_lock);
      kibitz_link_estimator_packets (&self->estimator, (KibitzTwccPacket *) packets->data,
                                     packets->len);
      g_mutex_unlock (&self->rate_lock);
    }
  /* Nothing upstream of webrtcbin's session wants it. */
  return GST_PAD_PROBE_DROP;
}

/* The RTCP thread of the link's rtpsession. */
static void
twcc_stats_cb (GObject    *session,
               GParamSpec *pspec,
               KibitzPeer *self)
{
  g_autoptr(GstStructure) stats = NULL;
  KibitzLinkFeedback feedback;

  g_object_get (session, "twcc-stats", &stats, NULL);
  if (!read_feedback (stats, &feedback))
    return;

  g_mutex_lock (&self->rate_lock);
  kibitz_link_estimator_feedback (&self->estimator, &feedback);
  self->twcc_reports++;
  g_mutex_unlock (&self->rate_lock);
  GST_LOG ("peer %s: TWCC %u/%u kbps sent/received, loss %.1f %%, trend %.2f (threshold %.2f, "
           "%s) -> %u kbps",
           self->id, feedback.sent_kbps, feedback.received_kbps, feedback.loss * 100,
           self->estimator.trend.trend, self->estimator.trend.threshold,
           kibitz_link_state_to_string (self->estimator.state), self->estimator.estimate_kbps);
}

/* Once connected: max-bundle puts every stream in rtpbin's session 0. */
void
kibitz_peer_congestion_watch (KibitzPeer *self)
{
  g_autoptr(GstElement) rtpbin = NULL;
  g_autoptr(GObject) internal = NULL;
  GstElement *session = NULL;

  if (self->twcc_session != NULL || self->webrtcbin == NULL)
    return;
  rtpbin = gst_bin_get_by_name (GST_BIN (self->webrtcbin), "rtpbin");
  if (rtpbin == NULL)
    return;
  g_signal_emit_by_name (rtpbin, "get-internal-session", 0, &internal);
  if (internal != NULL)
    g_object_set (internal, "twcc-feedback-interval", (guint64) FEEDBACK_INTERVAL, NULL);
  g_signal_emit_by_name (rtpbin, "get-session", 0, &session);
  if (session == NULL)
    return;
  self->twcc_session = G_OBJECT (session);
  self->twcc_pad = gst_element_get_static_pad (session, "send_rtp_sink");
  if (self->twcc_pad != NULL)
    self->twcc_probe = gst_pad_add_probe (self->twcc_pad, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM,
                                          (GstPadProbeCallback) twcc_packets_cb, self, NULL);
  self->twcc_handler = g_signal_connect (session, "notify::twcc-stats",
                                         G_CALLBACK (twcc_stats_cb), self);
}

void
kibitz_peer_congestion_tick (KibitzPeer *self,
                             gint64      now_us)
{
  g_mutex_lock (&self->rate_lock);
  kibitz_link_estimator_tick (&self->estimator, now_us);
  g_mutex_unlock (&self->rate_lock);
}

void
kibitz_peer_get_congestion (KibitzPeer          *self,
                            KibitzLinkEstimator *estimator,
                            guint               *reports)
{
  g_return_if_fail (KIBITZ_IS_PEER (self));

  g_mutex_lock (&self->rate_lock);
  *estimator = self->estimator;
  if (reports != NULL)
    *reports = self->twcc_reports;
  g_mutex_unlock (&self->rate_lock);
}

void
kibitz_peer_set_video_tier (KibitzPeer *self,
                            KibitzTier  tier,
                            guint       layer,
                            guint       kbps)
{
  g_return_if_fail (KIBITZ_IS_PEER (self));

  if (self->video_branch == NULL || self->closing)
    return;
  kibitz_media_branch_set_tier (self->video_branch, tier, layer);
  /* With one encoder per link the link's share is its encoder's bitrate. */
  kibitz_media_branch_set_kbps (self->video_branch, kbps);
}

gboolean
kibitz_peer_get_video_tier (KibitzPeer *self,
                            KibitzTier *tier,
                            guint      *layer)
{
  g_return_val_if_fail (KIBITZ_IS_PEER (self), FALSE);

  if (self->video_branch == NULL)
    return FALSE;
  *tier = kibitz_media_branch_get_tier (self->video_branch);
  *layer = kibitz_media_branch_get_layer (self->video_branch);
  return TRUE;
}
