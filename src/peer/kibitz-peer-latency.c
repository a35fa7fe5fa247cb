/* kibitz-peer-latency.c: --latency-probe, the glass-to-glass latency of
 * everyone's video, read back from the time stamps drawn into it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-peer-tool"

#include "config.h"

#include <gst/video/video.h>

#include "kibitz-frame-stamp.h"
#include "kibitz-peer-tool.h"

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

GstElement *
tool_latency_sink_factory (KibitzPeer      *remote,
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
void
tool_add_latency (JsonBuilder             *builder,
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
  json_builder_set_member_name (builder, "samples");
  json_builder_add_int_value (builder, sorted->len);
  json_builder_end_object (builder);
}
