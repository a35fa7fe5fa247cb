/* kibitz-stats.h: one snapshot of a peer connection's health.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gst/gst.h>
#include <json-glib/json-glib.h>

#include "kibitz-candidate.h"

G_BEGIN_DECLS

typedef struct {
  gint64   timestamp_us;            /* g_get_monotonic_time() of the snapshot */
  gboolean connected;
  /* The selected ICE pair: "host", "srflx", "prflx" or "relay"; NULL before one is chosen. */
  char    *local_candidate_type;
  char    *remote_candidate_type;
  /* How our relay candidate reaches the TURN server, "udp" or "tcp"; NULL
   * unless the local candidate is "relay". A static string. */
  const char *relay_transport;
  char    *local_address;
  guint    local_port;
  char    *remote_address;
  guint    remote_port;
  double   rtt_ms;                  /* from RTCP receiver reports; < 0 while unknown */
  guint64  bytes_received;          /* RTP payload and headers, all inbound streams */
  guint64  bytes_sent;
  double   bitrate_in_kbps;         /* since the previous snapshot */
  double   bitrate_out_kbps;
  gint64   packets_lost;            /* inbound, as reported by the jitter buffers */
  guint64  packets_received;
  guint64  frames_decoded;
  guint64  audio_packets;
  gint64   first_frame_ms;          /* from peer creation; < 0: none yet */
} KibitzStats;

#define KIBITZ_TYPE_STATS (kibitz_stats_get_type ())
GType        kibitz_stats_get_type        (void);
KibitzStats *kibitz_stats_new             (void);
KibitzStats *kibitz_stats_copy            (const KibitzStats *stats);
void         kibitz_stats_free            (KibitzStats       *stats);

/* Reads the RTP counters of a webrtcbin "get-stats" reply into stats; the
 * bitrates come from the difference with previous (may be NULL). */
void         kibitz_stats_read_reply      (KibitzStats        *stats,
                                           const GstStructure *reply,
                                           const KibitzStats  *previous);

/* The "typ" of the candidate line (among lines, "candidate:…" strings) with
 * this address and port, or NULL. GStreamer 1.22.0's own candidate types are
 * unreliable (fixed in 1.22.5); the lines we exchanged are not. */
const char  *kibitz_stats_candidate_type  (GPtrArray          *lines,
                                           const char         *address,
                                           guint               port);

/* The candidate line (among lines) with this address and port, parsed; NULL
 * when there is none. */
KibitzCandidate *
             kibitz_stats_find_candidate  (GPtrArray          *lines,
                                           const char         *address,
                                           guint               port);

/* {"connected", "local_candidate", "remote_candidate", "rtt_ms", ...}: the
 * member names of kibitz-peer's summary. */
JsonNode    *kibitz_stats_to_json         (const KibitzStats  *stats);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KibitzStats, kibitz_stats_free)

G_END_DECLS
