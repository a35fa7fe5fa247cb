/* kibitz-stats.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-stats"

#include "config.h"

#include <gst/webrtc/webrtc.h>

#include "kibitz-candidate.h"
#include "kibitz-stats.h"

G_DEFINE_BOXED_TYPE (KibitzStats, kibitz_stats, kibitz_stats_copy, kibitz_stats_free)

KibitzStats *
kibitz_stats_new (void)
{
  KibitzStats *stats = g_new0 (KibitzStats, 1);

  stats->rtt_ms = -1;
  stats->first_frame_ms = -1;
  return stats;
}

KibitzStats *
kibitz_stats_copy (const KibitzStats *stats)
{
  KibitzStats *copy = g_memdup2 (stats, sizeof *stats);

  copy->local_candidate_type = g_strdup (stats->local_candidate_type);
  copy->remote_candidate_type = g_strdup (stats->remote_candidate_type);
  copy->local_address = g_strdup (stats->local_address);
  copy->remote_address = g_strdup (stats->remote_address);
  return copy;
}

void
kibitz_stats_free (KibitzStats *stats)
{
  if (stats == NULL)
    return;
  g_free (stats->local_candidate_type);
  g_free (stats->remote_candidate_type);
  g_free (stats->local_address);
  g_free (stats->remote_address);
  g_free (stats);
}

/* 1.22 mixes int, uint, int64 and uint64 counters: read any of them. */
static gint64
get_number (const GstStructure *s,
            const char         *field)
{
  const GValue *v = gst_structure_get_value (s, field);
  g_auto(GValue) out = G_VALUE_INIT;

  if (v == NULL)
    return 0;
  g_value_init (&out, G_TYPE_INT64);
  if (!g_value_transform (v, &out))
    return 0;
  return g_value_get_int64 (&out);
}

static gboolean
read_stat_cb (GQuark        field_id,
              const GValue *value,
              gpointer      user_data)
{
  KibitzStats *stats = user_data;
  const GstStructure *s;
  GstWebRTCStatsType type;
  double rtt;
  gint64 lost;

  if (!GST_VALUE_HOLDS_STRUCTURE (value))
    return TRUE;
  s = gst_value_get_structure (value);
  if (!gst_structure_get_enum (s, "type", GST_TYPE_WEBRTC_STATS_TYPE, (int *) &type))
    return TRUE;

  switch (type)
    {
    case GST_WEBRTC_STATS_INBOUND_RTP:
      stats->bytes_received += MAX (get_number (s, "bytes-received"), 0);
      stats->packets_received += MAX (get_number (s, "packets-received"), 0);
      if ((lost = get_number (s, "packets-lost")) > 0)
        stats->packets_lost += lost;
      break;
    case GST_WEBRTC_STATS_OUTBOUND_RTP:
      stats->bytes_sent += MAX (get_number (s, "bytes-sent"), 0);
      break;
    case GST_WEBRTC_STATS_REMOTE_INBOUND_RTP:
      /* Seconds; several streams: keep the largest, the one a person feels. */
      if (gst_structure_get_double (s, "round-trip-time", &rtt) && rtt * 1000 > stats->rtt_ms)
        stats->rtt_ms = rtt * 1000;
      break;
    default:
      break;
    }
  return TRUE;
}

void
kibitz_stats_read_reply (KibitzStats        *stats,
                         const GstStructure *reply,
                         const KibitzStats  *previous)
{
  double seconds;

  stats->bytes_received = stats->bytes_sent = stats->packets_received = 0;
  stats->packets_lost = 0;
  stats->rtt_ms = -1;
  if (reply != NULL)
    gst_structure_foreach (reply, read_stat_cb, stats);

  if (previous == NULL || stats->timestamp_us <= previous->timestamp_us)
    return;
  seconds = (stats->timestamp_us - previous->timestamp_us) / (double) G_USEC_PER_SEC;
  if (stats->bytes_received >= previous->bytes_received)
    stats->bitrate_in_kbps = (stats->bytes_received - previous->bytes_received) * 8 / seconds / 1000;
  if (stats->bytes_sent >= previous->bytes_sent)
    stats->bitrate_out_kbps = (stats->bytes_sent - previous->bytes_sent) * 8 / seconds / 1000;
}

KibitzCandidate *
kibitz_stats_find_candidate (GPtrArray  *lines,
                             const char *address,
                             guint       port)
{
  for (guint i = 0; lines != NULL && address != NULL && i < lines->len; i++)
    {
      g_autoptr(KibitzCandidate) c = kibitz_candidate_parse (g_ptr_array_index (lines, i), NULL);

      if (c != NULL && c->port == port && g_str_equal (c->address, address))
        return g_steal_pointer (&c);
    }
  return NULL;
}

const char *
kibitz_stats_candidate_type (GPtrArray  *lines,
                             const char *address,
                             guint       port)
{
  g_autoptr(KibitzCandidate) c = kibitz_stats_find_candidate (lines, address, port);

  return c != NULL ? g_intern_string (c->type) : NULL;
}

JsonNode *
kibitz_stats_to_json (const KibitzStats *stats)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "connected");
  json_builder_add_boolean_value (b, stats->connected);
  json_builder_set_member_name (b, "local_candidate");
  if (stats->local_candidate_type)
    json_builder_add_string_value (b, stats->local_candidate_type);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "remote_candidate");
  if (stats->remote_candidate_type)
    json_builder_add_string_value (b, stats->remote_candidate_type);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "relay_transport");
  if (stats->relay_transport)
    json_builder_add_string_value (b, stats->relay_transport);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "frames_decoded");
  json_builder_add_int_value (b, (gint64) stats->frames_decoded);
  json_builder_set_member_name (b, "audio_packets");
  json_builder_add_int_value (b, (gint64) stats->audio_packets);
  json_builder_set_member_name (b, "rtt_ms");
  if (stats->rtt_ms >= 0)
    json_builder_add_double_value (b, stats->rtt_ms);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "first_frame_ms");
  if (stats->first_frame_ms >= 0)
    json_builder_add_int_value (b, stats->first_frame_ms);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "bitrate_in_kbps");
  json_builder_add_double_value (b, stats->bitrate_in_kbps);
  json_builder_set_member_name (b, "bitrate_out_kbps");
  json_builder_add_double_value (b, stats->bitrate_out_kbps);
  json_builder_set_member_name (b, "packets_lost");
  json_builder_add_int_value (b, stats->packets_lost);
  json_builder_end_object (b);

  return json_builder_get_root (b);
}
