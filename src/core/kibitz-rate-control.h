/* kibitz-rate-control.h: how much video each link may carry, and in which
 * tier. Pure arithmetic on what the links report (no GStreamer, no clock of
 * its own: every call says what time it is), so it is tested without media.
 *
 * Three parts, in the spirit of Google congestion control and webrtcsink's
 * simpler controller (rtpgccbwe is not packaged for Debian 12):
 *
 * - KibitzLinkEstimator, one per link: a delay- and loss-based estimate of
 *   what that path carries, fed by transport-wide congestion control
 *   feedback (rtpsession's twcc-stats: bitrates sent and received, loss,
 *   the delay trend) and told when feedback stops.
 * - KibitzUplinkEstimator, one per call: every link leaves through the same
 *   home uplink, so congestion on most links at once means the uplink is
 *   full, not each receiver's downlink.
 * - kibitz_rate_plan(): shares the uplink among the links (the teacher's and
 *   the spotlighted links first), and picks each link's tier and frame rate
 *   within what its own path and its receiver's view allow.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What one link's path is doing, as far as the sender can tell. */
typedef enum {
  KIBITZ_LINK_NORMAL,     /* delivered as sent; the estimate may grow */
  KIBITZ_LINK_OVERUSE,    /* queues are growing on the way: send less */
  KIBITZ_LINK_LOSSY,      /* more than 10 % lost: send less */
  KIBITZ_LINK_STALLED,    /* no feedback at all lately */
} KibitzLinkState;

/* One transport-wide congestion control report (a window of ~300 ms). */
typedef struct {
  gint64 time_us;          /* when it arrived (monotonic) */
  guint  sent_kbps;        /* what was sent in the window */
  guint  received_kbps;    /* what arrived in it, as the receiver timed it */
  guint  packets;          /* packets of the window that arrived */
  guint  packets_sent;     /* packets sent in it (0: unknown, from loss) */
  double loss;             /* 0..1 */
  double delay_trend_ms;   /* mean delta of delta per packet: > 0 queues grow */
} KibitzLinkFeedback;

/* One packet of a transport-wide congestion control report: when the sender
 * sent it and when the receiver got it, each on its own clock. */
typedef struct {
  gint64 send_us;
  gint64 arrival_us;       /* -1: lost */
} KibitzTwccPacket;

/* What the queues on the path are doing, by the delay trend. */
typedef enum {
  KIBITZ_DELAY_NORMAL,
  KIBITZ_DELAY_OVERUSE,    /* queues have been growing steadily */
  KIBITZ_DELAY_UNDERUSE,   /* queues are draining */
} KibitzDelaySignal;

#define KIBITZ_TREND_WINDOW 20

/* Google congestion control's trendline filter with its adaptive threshold
 * (draft-ietf-rmcat-gcc, and libwebrtc's TrendlineEstimator it describes):
 * packets sent within 5 ms of each other are one group; each group's
 * arrival spread minus its send spread is how much the queues grew; the
 * slope of their smoothed sum over the last 20 groups is the trend. The
 * threshold the trend must pass follows the trend itself, slowly up and
 * faster down, so that the jitter of a busy machine (which delays packets
 * now and then, and in bursts) raises the bar, while a full line (which
 * delays every packet a little more than the one before) keeps passing it. */
typedef struct {
  gint64            first_send_us;   /* the group being gathered; 0: none */
  gint64            send_us;         /* its latest */
  gint64            group_arrival_us;/* its first arrival */
  gint64            arrival_us;      /* its latest */
  gint64            prev_send_us;    /* the last whole group; 0: none */
  gint64            prev_arrival_us;
  gint64            first_arrival_us;
  double            accumulated_ms;
  double            smoothed_ms;
  double            window_t[KIBITZ_TREND_WINDOW];
  double            window_d[KIBITZ_TREND_WINDOW];
  guint             window_len;
  guint             window_next;
  guint             deltas;
  double            slope;
  double            prev_slope;
  double            trend;           /* the slope, scaled as GCC's modified trend */
  double            threshold;
  gint64            threshold_at;    /* ms of arrival; 0: not yet */
  double            overuse_ms;      /* < 0: not over the threshold */
  guint             overuse_count;
  KibitzDelaySignal signal;
} KibitzDelayTrend;

void            kibitz_delay_trend_init        (KibitzDelayTrend          *self);
/* The packets of one report, in sequence order. */
void            kibitz_delay_trend_packets     (KibitzDelayTrend          *self,
                                                const KibitzTwccPacket    *packets,
                                                guint                      n_packets);

typedef struct {
  guint           min_kbps;
  guint           max_kbps;
  guint           estimate_kbps;
  KibitzLinkState state;
  guint           received_kbps;     /* of the latest report */
  guint           received_avg_kbps; /* over the last second or so */
  double          loss;              /* over the last second or so */
  double          lost_recently;     /* its packet counts, decaying */
  double          sent_recently;
  double          queue_ms;          /* how far the path's queues have built up
                                      * (without per-packet reports) */
  KibitzDelayTrend trend;            /* from per-packet reports */
  guint            trend_reports;    /* reports that had packets */
  guint           congested_kbps;    /* what arrived when it last congested; 0: never */
  gint64          congested_at;      /* monotonic; 0: never */
  gint64          feedback_at;       /* the latest report; 0: none yet */
  gint64          changed_at;        /* the estimate's latest change */
  gint64          created_at;
} KibitzLinkEstimator;

void            kibitz_link_estimator_init     (KibitzLinkEstimator      *self,
                                                guint                     start_kbps,
                                                guint                     min_kbps,
                                                guint                     max_kbps,
                                                gint64                    now_us);
void            kibitz_link_estimator_feedback (KibitzLinkEstimator      *self,
                                                const KibitzLinkFeedback *feedback);
/* The packets of the report that the next kibitz_link_estimator_feedback()
 * sums up. Once reports come with their packets, the delay trend of those
 * decides whether queues grow; without, the summary's mean delta of delta. */
void            kibitz_link_estimator_packets  (KibitzLinkEstimator      *self,
                                                const KibitzTwccPacket   *packets,
                                                guint                     n_packets);
/* Called now and then (about every 250 ms): a link silent for 2 s counts as
 * stalled and its estimate halves every second down to the minimum. */
void            kibitz_link_estimator_tick     (KibitzLinkEstimator      *self,
                                                gint64                    now_us);
/* Congested (overuse or loss) at a report within the last second. */
gboolean        kibitz_link_estimator_is_congested (const KibitzLinkEstimator *self,
                                                    gint64                     now_us);

typedef struct {
  guint  budget_kbps;      /* the most the user allows (settings, --upload-kbps) */
  guint  estimate_kbps;    /* what the uplink is believed to carry */
  guint  link_floor_kbps;  /* never cut below this per link (audio and a small picture) */
  gint64 congested_at;
  gint64 changed_at;
} KibitzUplinkEstimator;

void            kibitz_uplink_estimator_init   (KibitzUplinkEstimator    *self,
                                                guint                     budget_kbps,
                                                gint64                    now_us);
/* Looks at every link at once: two thirds or more of them congested (two at
 * least) means the shared uplink is full, and its estimate falls to 85 % of
 * what all links delivered together over about a second (never below
 * link_floor_kbps per link); two quiet seconds after that it grows
 * again by 5 % a second up to the budget. */
void            kibitz_uplink_estimator_update (KibitzUplinkEstimator      *self,
                                                const KibitzLinkEstimator **links,
                                                guint                       n_links,
                                                gint64                      now_us);

/* The video tiers: each is one encoder, running only while a link uses it. */
typedef enum {
  KIBITZ_TIER_HIGH,        /* 640x480 */
  KIBITZ_TIER_MEDIUM,      /* 320x240 */
  KIBITZ_TIER_LOW,         /* 160x120 */
  KIBITZ_N_TIERS,
  KIBITZ_TIER_NONE = KIBITZ_N_TIERS,   /* no video at all: the link carries audio */
} KibitzTier;

typedef struct {
  int   width;
  int   height;
  int   fps;
  guint min_kbps;          /* below this the tier is not worth its pixels */
  guint max_kbps;          /* beyond this VP8 gains little at this size */
} KibitzTierInfo;

const KibitzTierInfo *kibitz_tier_info (KibitzTier tier);

/* Temporal layers: every tier's encoder makes three (period 4: 0 2 1 2), so
 * a link can take all frames, half, or a quarter of them. */
#define KIBITZ_N_LAYERS 3
/* The share of a tier's bitrate that layers 0..layer carry. */
double          kibitz_layer_share             (guint layer);
/* The share of the frames that layers 0..layer are: 1/4, 1/2, all. */
double          kibitz_layer_share_of_frames   (guint layer);

/* What a link asks for and what the plan gives it. */
typedef struct {
  /* in */
  guint      estimate_kbps;    /* its path's estimate (audio included) */
  gboolean   priority;         /* the teacher's or the spotlighted link */
  int        view_width;       /* how large the receiver shows us; 0: unknown */
  int        view_height;
  KibitzTier previous_tier;    /* KIBITZ_TIER_NONE for a new link */
  gint64     tier_changed_at;
  /* out */
  KibitzTier best_tier;        /* what its receiver's view is worth */
  guint      video_kbps;       /* its share of the uplink for video */
  KibitzTier tier;
  guint      layer;            /* highest temporal layer it is sent */
} KibitzLinkPlan;

typedef struct {
  guint    uplink_kbps;                    /* the uplink estimate */
  guint    audio_kbps;                     /* per link, always sent first */
  gboolean camera_off;                     /* the slate: the lowest tier is plenty */
  int      high_width;                     /* the high tier's size (0: 640x480); the */
  int      high_height;                    /* tiers' bitrates scale with their pixels */
  /* in: the tiers' encoder bitrates now; out: the new ones, 0 for a tier
   * nobody uses */
  guint    tier_kbps[KIBITZ_N_TIERS];
} KibitzRatePlan;

/* Shares plan->uplink_kbps among links (audio first, then video: every link
 * the low tier's floor, then the priority links what they can take, then the
 * rest max-min fair), then picks each
 * link's tier (dropping at once, rising only after 4 s in its tier and with
 * 20 % to spare) and temporal layer, and each tier's encoder bitrate. */
void            kibitz_rate_plan               (KibitzRatePlan           *plan,
                                                KibitzLinkPlan           *links,
                                                guint                     n_links,
                                                gint64                    now_us);

const char     *kibitz_link_state_to_string    (KibitzLinkState           state);
const char     *kibitz_tier_to_string          (KibitzTier                tier);

G_END_DECLS
