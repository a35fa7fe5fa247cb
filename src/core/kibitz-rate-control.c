/* kibitz-rate-control.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-rate-control"

#include "config.h"

#include "kibitz-rate-control.h"

#include <math.h>

#define USEC                  G_USEC_PER_SEC
/* More than this lost in a window: the path is overloaded (GCC's 10 %). */
#define LOSS_CUT              0.10
/* Loss is judged over about a second: each report's counts weigh half as
 * much at the next (reports come every 250 ms). */
#define LOSS_DECAY            0.5
/* Below this, loss does not stop the estimate from growing (GCC's 2 %). */
#define LOSS_HOLD             0.02
/* Queues that grew by this much over one report's window mean overuse: on a
 * 300 ms window, 15 ms is 5 % more than the path delivers. */
#define OVERUSE_GROWTH_MS     15.0
/* GStreamer 1.22's TWCC statistics cover the last 300 ms, and reports
 * overlap: what queued up is summed in proportion to the time between them. */
#define TWCC_WINDOW           (300 * G_TIME_SPAN_MILLISECOND)
/* A queue that has built up this much, however slowly, is overuse too: a
 * sender 5 % over the path fills a home router's queue without any one
 * window showing it. */
#define OVERUSE_QUEUE_MS      40.0
/* Cut to this share of what arrived, at most once per report window. */
#define OVERUSE_FACTOR        0.85
#define CUT_INTERVAL          (300 * G_TIME_SPAN_MILLISECOND)
/* Growth: until the first congestion 15 %/s (start-up), then 8 %/s far from
 * the last congestion point and 40 kbps/s near it. */
#define GROWTH_START          0.15
#define GROWTH_FAR            0.08
#define GROWTH_NEAR_KBPS      40.0
#define NEAR_MEMORY           (30 * USEC)
/* An estimate far above what is really sent is a guess: keep it within reach. */
#define APP_LIMIT_FACTOR      1.5
#define APP_LIMIT_SLACK_KBPS  150
#define STALL_AFTER           (2 * USEC)
#define CONGESTED_RECENTLY    (1 * USEC)

#define UPLINK_FACTOR         0.85
#define UPLINK_MIN_KBPS       100
/* Per link: Opus with its headers, and the low tier's floor. */
#define UPLINK_LINK_FLOOR_KBPS 80
#define UPLINK_CUT_INTERVAL   (500 * G_TIME_SPAN_MILLISECOND)
#define UPLINK_QUIET          (2 * USEC)
#define UPLINK_GROWTH         0.05

/* Below this much video a link gets audio alone. */
#define VIDEO_FLOOR_KBPS      20
#define TIER_RISE_SPARE       1.2
#define TIER_STAY_SHARE       0.85
#define TIER_RISE_AFTER       (4 * USEC)
#define LAYER_SLACK           1.1

/* Each tier's floor is where its resolution still beats the next tier's at
 * the same bitrate (so a class of 20 on a 3 Mbit uplink still sends its
 * teacher at 640x480); its ceiling is where VP8 at that size gains little. */
static const KibitzTierInfo tiers[KIBITZ_N_TIERS] = {
  [KIBITZ_TIER_HIGH] = { 640, 480, 30, 140, 1500 },
  [KIBITZ_TIER_MEDIUM] = { 320, 240, 30, 60, 500 },
  [KIBITZ_TIER_LOW] = { 160, 120, 30, 25, 160 },
};

/* VP8 with three temporal layers (40 / 20 / 40 % of the bits). */
static const double layer_shares[KIBITZ_N_LAYERS] = { 0.4, 0.6, 1.0 };

double
kibitz_layer_share_of_frames (guint layer)
{
  return 1.0 / (1 << (KIBITZ_N_LAYERS - 1 - MIN (layer, KIBITZ_N_LAYERS - 1)));
}

const KibitzTierInfo *
kibitz_tier_info (KibitzTier tier)
{
  g_return_val_if_fail (tier < KIBITZ_N_TIERS, NULL);

  return &tiers[tier];
}

double
kibitz_layer_share (guint layer)
{
  return layer_shares[MIN (layer, KIBITZ_N_LAYERS - 1)];
}

/* --- The delay trend ------------------------------------------------------------ */

/* Packets sent within this of the group's first are one group (one frame's
 * packets, or audio and video sent together). */
#define GROUP_SPAN_US         (5 * G_TIME_SPAN_MILLISECOND)
/* Packets that arrive this close together, sooner than they were sent
 * apart, were held up together (a busy receiver, a radio's burst): one
 * group, however far apart they were sent, while the burst is short. */
#define BURST_SPAN_US         (5 * G_TIME_SPAN_MILLISECOND)
#define BURST_MAX_US          (100 * G_TIME_SPAN_MILLISECOND)
/* A clock that jumps (a receiver that restarted its count) starts over. */
#define CLOCK_JUMP_US         (3 * USEC)
#define TREND_SMOOTHING       0.9
#define TREND_GAIN            4.0
#define TREND_MAX_DELTAS      60
/* The adaptive threshold, in GCC's units and with its constants: it rises
 * slowly towards a trend above it and falls faster towards one below it;
 * a trend far above it is an outlier that does not move it. */
#define THRESHOLD_START       12.5
#define THRESHOLD_MIN         6.0
#define THRESHOLD_MAX         600.0
#define THRESHOLD_UP          0.0087
#define THRESHOLD_DOWN        0.039
#define THRESHOLD_OUTLIER     15.0
#define THRESHOLD_MAX_STEP_MS 100.0
/* Over the threshold for this long, and on two groups: overuse. */
#define OVERUSE_TIME_MS       10.0

void
kibitz_delay_trend_init (KibitzDelayTrend *self)
{
  *self = (KibitzDelayTrend) {
    .threshold = THRESHOLD_START,
    .overuse_ms = -1,
    .signal = KIBITZ_DELAY_NORMAL,
  };
}

static double
window_slope (const KibitzDelayTrend *self)
{
  double mean_t = 0, mean_d = 0, num = 0, den = 0;

  for (guint i = 0; i < self->window_len; i++)
    mean_t += self->window_t[i], mean_d += self->window_d[i];
  mean_t /= self->window_len;
  mean_d /= self->window_len;
  for (guint i = 0; i < self->window_len; i++)
    {
      num += (self->window_t[i] - mean_t) * (self->window_d[i] - mean_d);
      den += (self->window_t[i] - mean_t) * (self->window_t[i] - mean_t);
    }
  return den > 0 ? num / den : self->slope;
}

static void
update_threshold (KibitzDelayTrend *self,
                  double            trend,
                  gint64            now_ms)
{
  double size = fabs (trend);

  if (self->threshold_at == 0)
    self->threshold_at = now_ms;
  if (size > self->threshold + THRESHOLD_OUTLIER)
    {
      self->threshold_at = now_ms;
      return;
    }
  self->threshold += (size < self->threshold ? THRESHOLD_DOWN : THRESHOLD_UP) *
                     (size - self->threshold) *
                     MIN ((double) (now_ms - self->threshold_at), THRESHOLD_MAX_STEP_MS);
  self->threshold = CLAMP (self->threshold, THRESHOLD_MIN, THRESHOLD_MAX);
  self->threshold_at = now_ms;
}

static void
detect (KibitzDelayTrend *self,
        double            send_delta_ms,
        gint64            now_ms)
{
  if (self->deltas < 2)
    {
      self->signal = KIBITZ_DELAY_NORMAL;
      return;
    }
  self->trend = MIN (self->deltas, TREND_MAX_DELTAS) * self->slope * TREND_GAIN;
  if (self->trend > self->threshold)
    {
      self->overuse_ms = self->overuse_ms < 0 ? send_delta_ms / 2 : self->overuse_ms + send_delta_ms;
      self->overuse_count++;
      if (self->overuse_ms > OVERUSE_TIME_MS && self->overuse_count > 1 &&
          self->slope >= self->prev_slope)
        {
          self->overuse_ms = 0;
          self->overuse_count = 0;
          self->signal = KIBITZ_DELAY_OVERUSE;
        }
    }
  else
    {
      self->overuse_ms = -1;
      self->overuse_count = 0;
      self->signal = self->trend < -self->threshold ? KIBITZ_DELAY_UNDERUSE : KIBITZ_DELAY_NORMAL;
    }
  self->prev_slope = self->slope;
  update_threshold (self, self->trend, now_ms);
}

/* One group against the one before it. */
static void
add_delta (KibitzDelayTrend *self,
           gint64            send_delta_us,
           gint64            arrival_delta_us,
           gint64            arrival_us)
{
  double delta_ms = (arrival_delta_us - send_delta_us) / 1000.0;
  guint i;

  self->deltas = MIN (self->deltas + 1, 1000);
  self->accumulated_ms += delta_ms;
  self->smoothed_ms = TREND_SMOOTHING * self->smoothed_ms +
                      (1 - TREND_SMOOTHING) * self->accumulated_ms;
  i = self->window_next;
  self->window_t[i] = (arrival_us - self->first_arrival_us) / 1000.0;
  self->window_d[i] = self->smoothed_ms;
  self->window_next = (i + 1) % KIBITZ_TREND_WINDOW;
  self->window_len = MIN (self->window_len + 1, KIBITZ_TREND_WINDOW);
  if (self->window_len == KIBITZ_TREND_WINDOW)
    self->slope = window_slope (self);
  detect (self, send_delta_us / 1000.0, arrival_us / 1000);
}

static void
restart (KibitzDelayTrend *self)
{
  double threshold = self->threshold;

  kibitz_delay_trend_init (self);
  self->threshold = threshold;
}

/* The group being gathered is whole: compare it with the one before. */
static void
close_group (KibitzDelayTrend *self)
{
  if (self->prev_send_us != 0)
    {
      gint64 send_delta = self->send_us - self->prev_send_us;
      gint64 arrival_delta = self->arrival_us - self->prev_arrival_us;

      if (arrival_delta - send_delta > CLOCK_JUMP_US || arrival_delta < 0)
        {
          restart (self);
          return;
        }
      add_delta (self, send_delta, arrival_delta, self->arrival_us);
    }
  else
    self->first_arrival_us = self->arrival_us;
  self->prev_send_us = self->send_us;
  self->prev_arrival_us = self->arrival_us;
}

static gboolean
in_burst (const KibitzDelayTrend *self,
          const KibitzTwccPacket *p)
{
  gint64 arrival_delta = p->arrival_us - self->arrival_us;

  return arrival_delta - (p->send_us - self->send_us) < 0 && arrival_delta <= BURST_SPAN_US &&
         p->arrival_us - self->group_arrival_us < BURST_MAX_US;
}

void
kibitz_delay_trend_packets (KibitzDelayTrend       *self,
                            const KibitzTwccPacket *packets,
                            guint                   n_packets)
{
  for (guint i = 0; i < n_packets; i++)
    {
      const KibitzTwccPacket *p = &packets[i];

      /* Lost, or sent before the group being gathered (reordered). */
      if (p->arrival_us < 0 || p->send_us <= 0 ||
          (self->first_send_us != 0 && p->send_us < self->first_send_us))
        continue;
      if (self->first_send_us != 0 && p->send_us - self->first_send_us > GROUP_SPAN_US &&
          !in_burst (self, p))
        {
          close_group (self);
          self->first_send_us = 0;
        }
      if (self->first_send_us == 0)
        {
          self->first_send_us = self->send_us = p->send_us;
          self->group_arrival_us = self->arrival_us = p->arrival_us;
          continue;
        }
      self->send_us = MAX (self->send_us, p->send_us);
      self->arrival_us = MAX (self->arrival_us, p->arrival_us);
    }
}

/* --- One link ---------------------------------------------------------------- */

void
kibitz_link_estimator_init (KibitzLinkEstimator *self,
                            guint                start_kbps,
                            guint                min_kbps,
                            guint                max_kbps,
                            gint64               now_us)
{
  *self = (KibitzLinkEstimator) {
    .min_kbps = min_kbps,
    .max_kbps = MAX (max_kbps, min_kbps),
    .estimate_kbps = CLAMP (start_kbps, min_kbps, MAX (max_kbps, min_kbps)),
    .state = KIBITZ_LINK_NORMAL,
    .changed_at = now_us,
    .created_at = now_us,
  };
  kibitz_delay_trend_init (&self->trend);
}

void
kibitz_link_estimator_packets (KibitzLinkEstimator    *self,
                               const KibitzTwccPacket *packets,
                               guint                   n_packets)
{
  kibitz_delay_trend_packets (&self->trend, packets, n_packets);
  self->trend_reports++;
}

static void
set_estimate (KibitzLinkEstimator *self,
              double               kbps,
              gint64               now_us)
{
  self->estimate_kbps = (guint) CLAMP (kbps, self->min_kbps, self->max_kbps);
  self->changed_at = now_us;
}

static void
congested (KibitzLinkEstimator *self,
           KibitzLinkState      state,
           double               target_kbps,
           gint64               now_us)
{
  self->state = state;
  self->congested_at = now_us;
  self->congested_kbps = self->received_kbps;
  /* A window's reports overlap: cut once per window, and never up. */
  if (target_kbps < self->estimate_kbps && now_us - self->changed_at >= CUT_INTERVAL)
    {
      set_estimate (self, target_kbps, now_us);
      /* Sending 15 % under what arrived drains what queued up. */
      self->queue_ms = 0;
    }
}

static void
grow (KibitzLinkEstimator      *self,
      const KibitzLinkFeedback *f)
{
  double seconds = CLAMP ((f->time_us - self->changed_at) / (double) USEC, 0.0, 1.0);
  double kbps = self->estimate_kbps;
  double limit = APP_LIMIT_FACTOR * f->sent_kbps + APP_LIMIT_SLACK_KBPS;
  gboolean near = self->congested_kbps > 0 && f->time_us - self->congested_at < NEAR_MEMORY &&
                  kbps > 0.8 * self->congested_kbps;

  if (self->congested_at == 0)
    kbps *= 1.0 + GROWTH_START * seconds;
  else if (near)
    kbps += GROWTH_NEAR_KBPS * seconds;
  else
    kbps *= 1.0 + GROWTH_FAR * seconds;

  /* Growing past what is actually sent proves nothing about the path. */
  if (kbps > limit)
    kbps = MAX (limit, self->estimate_kbps);
  set_estimate (self, kbps, f->time_us);
}

/* How much the queues on the path grew in this report's window, and added
 * to what built up before. */
static double
queue_growth (KibitzLinkEstimator      *self,
              const KibitzLinkFeedback *f)
{
  double growth_ms = f->delay_trend_ms * f->packets;
  gint64 since = self->feedback_at ? f->time_us - self->feedback_at : TWCC_WINDOW;

  since = CLAMP (since, 0, G_USEC_PER_SEC);
  self->queue_ms = CLAMP (self->queue_ms + growth_ms * since / (double) TWCC_WINDOW, 0.0, 1000.0);
  return growth_ms;
}

/* Loss over about a second, by packets: one 300 ms window of a link at low
 * bitrate has a few dozen packets, and two or three of them lost at random
 * (or late: a packet that arrives after its report counts as lost) would
 * pass GCC's 10 % in one window out of six on a path that loses 5 %. */
static double
average_loss (KibitzLinkEstimator      *self,
              const KibitzLinkFeedback *f)
{
  double sent = f->packets_sent > 0 ? f->packets_sent
                                    : f->packets / MAX (1.0 - f->loss, 0.05);

  self->sent_recently = LOSS_DECAY * self->sent_recently + sent;
  self->lost_recently = LOSS_DECAY * self->lost_recently + sent * f->loss;
  self->loss = self->sent_recently > 0 ? self->lost_recently / self->sent_recently : 0;
  return self->loss;
}

void
kibitz_link_estimator_feedback (KibitzLinkEstimator      *self,
                                const KibitzLinkFeedback *f)
{
  double growth_ms = queue_growth (self, f);
  gboolean overuse, draining;

  if (self->trend_reports > 0)
    {
      /* The trend over the last groups, against its adaptive threshold. */
      overuse = self->trend.signal == KIBITZ_DELAY_OVERUSE;
      draining = self->trend.signal == KIBITZ_DELAY_UNDERUSE;
    }
  else
    {
      overuse = growth_ms > OVERUSE_GROWTH_MS || self->queue_ms > OVERUSE_QUEUE_MS;
      draining = growth_ms < -OVERUSE_GROWTH_MS;
    }

  self->feedback_at = f->time_us;
  self->received_kbps = f->received_kbps;
  /* Over about a second: one report's window swings with every keyframe. */
  self->received_avg_kbps = self->received_avg_kbps == 0
                              ? f->received_kbps
                              : (guint) (0.7 * self->received_avg_kbps + 0.3 * f->received_kbps);

  if (average_loss (self, f) > LOSS_CUT)
    congested (self, KIBITZ_LINK_LOSSY, f->received_kbps * (1.0 - 0.5 * self->loss), f->time_us);
  else if (overuse && f->received_kbps > 0)
    congested (self, KIBITZ_LINK_OVERUSE, OVERUSE_FACTOR * f->received_kbps, f->time_us);
  else
    {
      self->state = KIBITZ_LINK_NORMAL;
      /* While queues drain, hold: growing now would refill them. */
      if (self->loss <= LOSS_HOLD && !draining)
        grow (self, f);
      else
        self->changed_at = f->time_us;
    }
}

void
kibitz_link_estimator_tick (KibitzLinkEstimator *self,
                            gint64               now_us)
{
  /* Before the first report the link is still being set up. */
  if (self->feedback_at == 0 || now_us - self->feedback_at < STALL_AFTER)
    return;

  self->state = KIBITZ_LINK_STALLED;
  if (now_us - self->changed_at >= USEC)
    set_estimate (self, self->estimate_kbps / 2.0, now_us);
}

gboolean
kibitz_link_estimator_is_congested (const KibitzLinkEstimator *self,
                                    gint64                     now_us)
{
  return self->congested_at != 0 && now_us - self->congested_at < CONGESTED_RECENTLY &&
         self->state != KIBITZ_LINK_STALLED;
}

/* --- The shared uplink ----------------------------------------------------------- */

void
kibitz_uplink_estimator_init (KibitzUplinkEstimator *self,
                              guint                  budget_kbps,
                              gint64                 now_us)
{
  *self = (KibitzUplinkEstimator) {
    .budget_kbps = budget_kbps,
    .link_floor_kbps = UPLINK_LINK_FLOOR_KBPS,
    .estimate_kbps = budget_kbps,
    .changed_at = now_us,
  };
}

void
kibitz_uplink_estimator_update (KibitzUplinkEstimator      *self,
                                const KibitzLinkEstimator **links,
                                guint                       n_links,
                                gint64                      now_us)
{
  guint active = 0, n_congested = 0;
  double delivered = 0;

  for (guint i = 0; i < n_links; i++)
    {
      if (links[i]->feedback_at == 0 || links[i]->state == KIBITZ_LINK_STALLED)
        continue;
      active++;
      delivered += links[i]->received_avg_kbps;
      n_congested += kibitz_link_estimator_is_congested (links[i], now_us);
    }

  if (active >= 2 && n_congested * 3 >= active * 2)
    {
      /* Never below what keeps every link's sound and a small picture: a
       * sender that is slow itself (a busy machine delays its packets, which
       * looks like queues growing) would otherwise cut, send less, see less
       * delivered, and cut again until no video is left at all. A line that
       * really carries less still limits each link through its own path
       * estimate. */
      double floor = MAX (UPLINK_MIN_KBPS, (double) n_links * self->link_floor_kbps);
      double target = MAX (UPLINK_FACTOR * delivered, floor);

      self->congested_at = now_us;
      if (target < self->estimate_kbps && now_us - self->changed_at >= UPLINK_CUT_INTERVAL)
        {
          self->estimate_kbps = (guint) target;
          self->changed_at = now_us;
        }
      return;
    }

  if (self->congested_at != 0 && now_us - self->congested_at < UPLINK_QUIET)
    return;
  if (self->estimate_kbps < self->budget_kbps)
    {
      double seconds = CLAMP ((now_us - self->changed_at) / (double) USEC, 0.0, 1.0);

      self->estimate_kbps = (guint) MIN (self->estimate_kbps * (1.0 + UPLINK_GROWTH * seconds) + 1,
                                         self->budget_kbps);
    }
  self->changed_at = now_us;
}

/* --- The plan ---------------------------------------------------------------------- */

/* The tiers' bitrates scale with their pixels: a call whose high tier is
 * 320x240 has a quarter of the nominal 640x480's. */
static double
tier_scale (const KibitzRatePlan *plan)
{
  double pixels = (double) plan->high_width * plan->high_height;

  if (pixels <= 0)
    return 1.0;
  return CLAMP (pixels / (tiers[KIBITZ_TIER_HIGH].width * tiers[KIBITZ_TIER_HIGH].height),
                0.05, 1.0);
}

static guint
tier_min (const KibitzRatePlan *plan,
          KibitzTier            t)
{
  return MAX ((guint) (tiers[t].min_kbps * tier_scale (plan)), 8);
}

static guint
tier_max (const KibitzRatePlan *plan,
          KibitzTier            t)
{
  return MAX ((guint) (tiers[t].max_kbps * tier_scale (plan)), 2 * tier_min (plan, t));
}

static int
tier_width (const KibitzRatePlan *plan,
            KibitzTier            t)
{
  return (plan->high_width > 0 ? plan->high_width : tiers[KIBITZ_TIER_HIGH].width) >> t;
}

/* The best tier worth sending to a receiver that shows us this wide: a
 * tier is worth it once the view is a quarter wider than the next tier down. */
static KibitzTier
tier_for_view (const KibitzRatePlan *plan,
               int                   width,
               int                   height)
{
  if (width <= 0 || height <= 0)
    return KIBITZ_TIER_HIGH;
  for (KibitzTier t = KIBITZ_TIER_HIGH; t < KIBITZ_TIER_LOW; t++)
    if (width * 4 > tier_width (plan, t + 1) * 5)
      return t;
  return KIBITZ_TIER_LOW;
}

static guint
link_cap (const KibitzRatePlan *plan,
          const KibitzLinkPlan *link)
{
  KibitzTier best = tier_for_view (plan, link->view_width, link->view_height);
  guint path = link->estimate_kbps > plan->audio_kbps ? link->estimate_kbps - plan->audio_kbps
                                                      : 0;

  return MIN (path, tier_max (plan, best));
}

/* Water-filling: the wanted links below their caps share the pool evenly,
 * on top of what they already have; a link whose cap is reached leaves its
 * share to the others. Returns what is left of the pool. */
static guint
fill (KibitzLinkPlan *links,
      const guint    *caps,
      const gboolean *want,
      guint           n_links,
      guint           pool)
{
  for (;;)
    {
      guint hungry = 0, share;

      for (guint i = 0; i < n_links; i++)
        hungry += want[i] && links[i].video_kbps < caps[i];
      if (hungry == 0 || (share = pool / hungry) == 0)
        return pool;
      for (guint i = 0; i < n_links; i++)
        if (want[i] && links[i].video_kbps < caps[i])
          {
            guint add = MIN (share, caps[i] - links[i].video_kbps);

            links[i].video_kbps += add;
            pool -= add;
          }
    }
}

/* Every link first gets enough to keep moving (the low tier's floor), then
 * the teacher's and the spotlighted links get what they can take, then the
 * others share the rest max-min fair. */
static void
share_uplink (const KibitzRatePlan *plan,
              KibitzLinkPlan       *links,
              guint                 n_links)
{
  g_autofree guint *caps = g_new0 (guint, n_links);
  g_autofree guint *floors = g_new0 (guint, n_links);
  g_autofree gboolean *want = g_new0 (gboolean, n_links);
  guint audio = plan->audio_kbps * n_links;
  guint pool = plan->uplink_kbps > audio ? plan->uplink_kbps - audio : 0;

  for (guint i = 0; i < n_links; i++)
    {
      links[i].video_kbps = 0;
      caps[i] = link_cap (plan, &links[i]);
      floors[i] = MIN (caps[i], tier_min (plan, KIBITZ_TIER_LOW));
      want[i] = TRUE;
    }
  pool = fill (links, floors, want, n_links, pool);
  for (guint round = 0; round < 2; round++)
    {
      for (guint i = 0; i < n_links; i++)
        want[i] = links[i].priority == (round == 0);
      pool = fill (links, caps, want, n_links, pool);
    }
}

static KibitzTier
choose_tier (const KibitzRatePlan *plan,
             const KibitzLinkPlan *link,
             gint64                now_us)
{
  KibitzTier best = plan->camera_off ? KIBITZ_TIER_LOW
                                     : tier_for_view (plan, link->view_width, link->view_height);
  gboolean settled = now_us - link->tier_changed_at >= TIER_RISE_AFTER;

  if (link->video_kbps < MIN (VIDEO_FLOOR_KBPS, tier_min (plan, KIBITZ_TIER_LOW)))
    return KIBITZ_TIER_NONE;

  for (KibitzTier t = best; t < KIBITZ_TIER_LOW; t++)
    {
      gboolean staying = t == link->previous_tier;
      gboolean rising = link->previous_tier != KIBITZ_TIER_NONE && t < link->previous_tier;
      double need = tier_min (plan, t) * (staying ? TIER_STAY_SHARE
                                                 : rising ? TIER_RISE_SPARE : 1.0);

      if (rising && !settled)
        continue;
      /* Not into a tier whose encoder runs faster than this link could
       * take: it would only be moved down again (tier_rates()). */
      if (rising && link->video_kbps * LAYER_SLACK < plan->tier_kbps[t])
        continue;
      if (link->video_kbps >= need)
        return t;
    }
  return KIBITZ_TIER_LOW;
}

/* One encoder per tier. Above the lowest tier it runs as fast as its
 * best-served link allows, and a link that could not take all its frames
 * moves a tier down instead (a smaller picture that moves beats a larger one
 * that stutters). The lowest tier runs slow enough that its worst-served
 * link can still take every fourth frame. */
static void
tier_rates (KibitzRatePlan *plan,
            KibitzLinkPlan *links,
            guint           n_links)
{
  for (KibitzTier t = 0; t < KIBITZ_N_TIERS; t++)
    {
      guint most = 0, least = G_MAXUINT;

      for (guint i = 0; i < n_links; i++)
        if (links[i].tier == t)
          most = MAX (most, links[i].video_kbps), least = MIN (least, links[i].video_kbps);
      if (most == 0)
        {
          plan->tier_kbps[t] = 0;
          continue;
        }
      if (t == KIBITZ_TIER_LOW)
        {
          plan->tier_kbps[t] = CLAMP (MIN (most, (guint) (least / layer_shares[0])),
                                      tier_min (plan, t), tier_max (plan, t));
          continue;
        }
      plan->tier_kbps[t] = CLAMP (most, tier_min (plan, t), tier_max (plan, t));
      /* A link already in the tier stays a little below its rate (taking
       * fewer of its frames for a while): every switch costs a keyframe. */
      for (guint i = 0; i < n_links; i++)
        if (links[i].tier == t &&
            links[i].video_kbps * LAYER_SLACK <
              plan->tier_kbps[t] * (links[i].previous_tier == t ? TIER_STAY_SHARE : 1.0))
          links[i].tier = t + 1;
    }
}

void
kibitz_rate_plan (KibitzRatePlan *plan,
                  KibitzLinkPlan *links,
                  guint           n_links,
                  gint64          now_us)
{
  share_uplink (plan, links, n_links);
  for (guint i = 0; i < n_links; i++)
    {
      links[i].best_tier = plan->camera_off ? KIBITZ_TIER_LOW
                                            : tier_for_view (plan, links[i].view_width,
                                                             links[i].view_height);
      links[i].tier = choose_tier (plan, &links[i], now_us);
    }
  tier_rates (plan, links, n_links);

  for (guint i = 0; i < n_links; i++)
    {
      KibitzLinkPlan *link = &links[i];

      link->layer = 0;
      if (link->tier == KIBITZ_TIER_NONE)
        continue;
      while (link->layer + 1 < KIBITZ_N_LAYERS &&
             plan->tier_kbps[link->tier] * layer_shares[link->layer + 1] <=
               link->video_kbps * LAYER_SLACK)
        link->layer++;
    }
}

const char *
kibitz_link_state_to_string (KibitzLinkState state)
{
  static const char * const names[] = { "normal", "overuse", "lossy", "stalled" };

  return state < G_N_ELEMENTS (names) ? names[state] : "?";
}

const char *
kibitz_tier_to_string (KibitzTier tier)
{
  static const char * const names[] = { "high", "medium", "low", "none" };

  return tier < G_N_ELEMENTS (names) ? names[tier] : "?";
}
