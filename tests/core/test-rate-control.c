/* test-rate-control.c: the per-link estimate, the shared uplink and the
 * plan, on made-up reports and on a simulated home connection.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "kibitz-rate-control.h"

#define MS(x) ((gint64) (x) * 1000)
#define S(x)  ((gint64) (x) * G_USEC_PER_SEC)

static KibitzLinkFeedback
report (gint64 time_us,
        guint  sent,
        guint  received,
        double loss,
        double trend_ms)
{
  return (KibitzLinkFeedback) {
    .time_us = time_us, .sent_kbps = sent, .received_kbps = received, .packets = 30,
    .loss = loss, .delay_trend_ms = trend_ms,
  };
}

/* Clean reports let the estimate grow, but not far past what is sent. */
static void
test_estimate_grows_within_reach (void)
{
  KibitzLinkEstimator e;

  kibitz_link_estimator_init (&e, 300, 50, 5000, 0);
  for (int i = 1; i <= 10; i++)
    {
      KibitzLinkFeedback f = report (MS (200 * i), e.estimate_kbps, e.estimate_kbps, 0, 0);

      kibitz_link_estimator_feedback (&e, &f);
    }
  /* Two seconds of start-up growth at 15 %/s. */
  g_assert_cmpuint (e.estimate_kbps, >=, 380);
  g_assert_cmpuint (e.estimate_kbps, <=, 420);
  g_assert_cmpint (e.state, ==, KIBITZ_LINK_NORMAL);

  /* Sending only 100 kbps (camera off): the estimate stays near reach. */
  for (int i = 11; i <= 60; i++)
    {
      KibitzLinkFeedback f = report (MS (200 * i), 100, 100, 0, 0);

      kibitz_link_estimator_feedback (&e, &f);
    }
  g_assert_cmpuint (e.estimate_kbps, <=, 420);
}

/* Growing queues cut to 85 % of what arrived, once per report window. */
static void
test_overuse_cuts_once_per_window (void)
{
  KibitzLinkEstimator e;
  KibitzLinkFeedback f;

  kibitz_link_estimator_init (&e, 2000, 50, 5000, 0);
  f = report (MS (1000), 2000, 1000, 0, 1.0);   /* 30 ms of growth in the window */
  kibitz_link_estimator_feedback (&e, &f);
  g_assert_cmpint (e.state, ==, KIBITZ_LINK_OVERUSE);
  g_assert_cmpuint (e.estimate_kbps, ==, 850);

  /* The next report overlaps the same window: no second cut. */
  f = report (MS (1100), 900, 600, 0, 1.0);
  kibitz_link_estimator_feedback (&e, &f);
  g_assert_cmpuint (e.estimate_kbps, ==, 850);
  g_assert_true (kibitz_link_estimator_is_congested (&e, MS (1100)));

  f = report (MS (1400), 900, 600, 0, 1.0);
  kibitz_link_estimator_feedback (&e, &f);
  g_assert_cmpuint (e.estimate_kbps, ==, 510);

  /* A queue that grows a little is noise. */
  f = report (MS (1800), 500, 500, 0, 0.2);
  kibitz_link_estimator_feedback (&e, &f);
  g_assert_cmpint (e.state, ==, KIBITZ_LINK_NORMAL);
  g_assert_cmpuint (e.estimate_kbps, >=, 510);
  g_assert_false (kibitz_link_estimator_is_congested (&e, MS (3000)));
}

/* Heavy loss cuts; a little loss holds the estimate where it is. */
static void
test_loss (void)
{
  KibitzLinkEstimator e;
  KibitzLinkFeedback f;

  kibitz_link_estimator_init (&e, 1000, 50, 5000, 0);
  f = report (MS (1000), 1000, 1000, 0.05, 0);
  kibitz_link_estimator_feedback (&e, &f);
  g_assert_cmpuint (e.estimate_kbps, ==, 1000);
  g_assert_cmpint (e.state, ==, KIBITZ_LINK_NORMAL);

  /* 20 % in one window after 5 %: 15.5 % over both (the older window
   * weighs half), cut by half of that. */
  f = report (MS (2000), 1000, 800, 0.2, 0);
  kibitz_link_estimator_feedback (&e, &f);
  g_assert_cmpint (e.state, ==, KIBITZ_LINK_LOSSY);
  g_assert_cmpuint (e.estimate_kbps, ==, 737);
}

/* A path that loses 5 % at random: one window in a few loses more than
 * 10 % of its few dozen packets, which alone is no reason to cut. */
static void
test_random_loss_holds (void)
{
  KibitzLinkEstimator e;
  GRand *rand = g_rand_new_with_seed (14);
  guint cuts = 0, window_over = 0;

  kibitz_link_estimator_init (&e, 300, 50, 5000, 0);
  for (int i = 1; i <= 240; i++)   /* a minute of reports */
    {
      guint sent = 24, lost = 0;
      guint before = e.estimate_kbps;
      KibitzLinkFeedback f;

      for (guint p = 0; p < sent; p++)
        lost += g_rand_double (rand) < 0.05;
      window_over += lost * 10 > sent;
      f = report (MS (250 * i), 300, 300 * (sent - lost) / sent, (double) lost / sent, 0);
      f.packets = sent - lost;
      f.packets_sent = sent;
      kibitz_link_estimator_feedback (&e, &f);
      cuts += e.estimate_kbps < before;
    }
  g_rand_free (rand);
  g_test_message ("%u of 240 windows lost more than 10 %%; %u cuts", window_over, cuts);
  g_assert_cmpuint (window_over, >, 10);
  g_assert_cmpuint (cuts, <=, 2);
}

/* No report for 2 s after reports flowed: stalled, halving every second. */
static void
test_stall (void)
{
  KibitzLinkEstimator e;
  KibitzLinkFeedback f;

  kibitz_link_estimator_init (&e, 800, 50, 5000, 0);
  /* A link still being set up does not stall. */
  kibitz_link_estimator_tick (&e, S (10));
  g_assert_cmpuint (e.estimate_kbps, ==, 800);

  f = report (S (10), 800, 800, 0, 0);
  kibitz_link_estimator_feedback (&e, &f);
  kibitz_link_estimator_tick (&e, S (11));
  g_assert_cmpint (e.state, ==, KIBITZ_LINK_NORMAL);
  kibitz_link_estimator_tick (&e, S (12) + MS (500));
  g_assert_cmpint (e.state, ==, KIBITZ_LINK_STALLED);
  g_assert_cmpuint (e.estimate_kbps, <=, 470);
  kibitz_link_estimator_tick (&e, S (13));
  g_assert_cmpuint (e.estimate_kbps, >=, 400);
  for (int i = 14; i < 30; i++)
    kibitz_link_estimator_tick (&e, S (i));
  g_assert_cmpuint (e.estimate_kbps, ==, 50);
  g_assert_false (kibitz_link_estimator_is_congested (&e, S (30)));
}

/* A home connection of capacity kbps with a 200 ms queue (a router's), fed
 * what the estimate allows, reporting every 100 ms on 300 ms windows as
 * GStreamer does: the estimate settles below the capacity and stays. */
static void
run_capped_path (double capacity,
                 guint  start,
                 guint *lowest,
                 guint *highest,
                 double *worst_queue)
{
  KibitzLinkEstimator e;
  double queue[400] = { 0 };

  *lowest = G_MAXUINT, *highest = 0, *worst_queue = 0;
  kibitz_link_estimator_init (&e, start, 50, 5000, 0);
  for (int i = 1; i < 400; i++)   /* 40 s */
    {
      double sent = e.estimate_kbps, received, loss = 0;
      KibitzLinkFeedback f;

      queue[i] = MAX (0, queue[i - 1] + 100 * (sent - capacity) / capacity);
      if (queue[i] > 200)
        {
          loss = (queue[i] - 200) / (100 * sent / capacity);
          queue[i] = 200;
        }
      received = MIN (sent, capacity);
      f = report (MS (100 * i), (guint) sent, (guint) received, loss,
                  (queue[i] - queue[MAX (i - 3, 0)]) / 30);
      kibitz_link_estimator_feedback (&e, &f);
      if (i > 200)
        {
          *lowest = MIN (*lowest, e.estimate_kbps);
          *highest = MAX (*highest, e.estimate_kbps);
          *worst_queue = MAX (*worst_queue, queue[i]);
        }
    }
}

static void
test_settles_on_a_capped_path (void)
{
  const double capacities[] = { 1000, 3000, 400 };

  for (guint c = 0; c < G_N_ELEMENTS (capacities); c++)
    for (guint start = 300; start <= 3000; start *= 10)
      {
        guint lowest, highest;
        double queue;

        run_capped_path (capacities[c], start, &lowest, &highest, &queue);
        g_test_message ("%.0f kbps path, start %u: the last 20 s %u..%u kbps, queue up to %.0f ms",
                        capacities[c], start, lowest, highest, queue);
        g_assert_cmpuint (lowest, >=, 0.6 * capacities[c]);
        g_assert_cmpuint (highest, <=, 1.1 * capacities[c]);
        /* The router's queue is not kept full: latency stays low. */
        g_assert_cmpfloat (queue, <, 150);
      }
}

/* Two senders into one receiver's 600 kbps line (its 200 ms queue shared,
 * reports every 100 ms): one was cut hard at start-up (its packets were the
 * ones the queue dropped), the other was not. Over the last 10 s of 30 they
 * share the line: neither has more than three times the other's estimate,
 * and at the end not more than twice. */
static void
test_two_senders_share_a_line (void)
{
  const double capacity = 600;
  KibitzLinkEstimator e[2];
  KibitzLinkFeedback f;
  double queue[301] = { 0 };
  guint least = G_MAXUINT, most = 0;

  kibitz_link_estimator_init (&e[0], 600, 50, 5000, 0);
  kibitz_link_estimator_init (&e[1], 600, 50, 5000, 0);
  f = report (MS (1000), 600, 110, 0.6, 0);
  kibitz_link_estimator_feedback (&e[0], &f);
  g_assert_cmpint (e[0].state, ==, KIBITZ_LINK_LOSSY);
  g_assert_cmpuint (e[0].estimate_kbps, <=, 80);
  f = report (MS (1000), 600, 490, 0.02, 0);
  kibitz_link_estimator_feedback (&e[1], &f);
  g_assert_cmpuint (e[1].estimate_kbps, >=, 490);

  for (int i = 1; i <= 300; i++)   /* 30 s */
    {
      double sent = e[0].estimate_kbps + e[1].estimate_kbps, loss = 0;

      queue[i] = MAX (0, queue[i - 1] + 100 * (sent - capacity) / capacity);
      if (queue[i] > 200)
        {
          loss = (queue[i] - 200) / (100 * sent / capacity);
          queue[i] = 200;
        }
      for (guint k = 0; k < 2; k++)
        {
          double mine = e[k].estimate_kbps;

          f = report (MS (1000 + 100 * i), (guint) mine,
                      (guint) (mine * MIN (1.0, capacity / sent)), MIN (loss, 1.0),
                      (queue[i] - queue[MAX (i - 3, 0)]) / 30);
          kibitz_link_estimator_feedback (&e[k], &f);
        }
      if (i > 200)
        {
          least = MIN (least, MIN (e[0].estimate_kbps, e[1].estimate_kbps));
          most = MAX (most, MAX (e[0].estimate_kbps, e[1].estimate_kbps));
        }
    }
  g_test_message ("the last 10 s: %u..%u kbps between the two, now %u and %u", least, most,
                  e[0].estimate_kbps, e[1].estimate_kbps);
  g_assert_cmpuint (MIN (e[0].estimate_kbps, e[1].estimate_kbps) * 2, >=,
                    MAX (e[0].estimate_kbps, e[1].estimate_kbps));
  g_assert_cmpuint (least * 3, >=, most);
}

/* --- Packet by packet, as rtpsession reports them ----------------------------- */

/* A path simulated packet by packet: the sender sends a frame every 33 ms at
 * the estimate, in packets of up to 1,200 bytes; a bottleneck of capacity_kbps
 * with a 200 ms queue (a home router's) in front of 20 ms of propagation;
 * optionally a receiver whose machine stalls for stall_ms every 700 ms (its
 * packets wait in the socket and are read in a burst, as on a busy machine).
 * Every 250 ms a report as rtpsession makes it: the packets sent since the
 * last one, and rates and loss over 300 ms. With `packets` the estimator
 * gets each report's packets (the trendline); without, only the summary's
 * mean delta of delta (the estimator before the trendline). */
typedef struct {
  double capacity_kbps;
  double stall_ms;
  gboolean packets;
  /* out, over the last half of the run */
  guint  lowest;
  guint  highest;
  double worst_queue_ms;
  guint  overuse_reports;
} PathRun;

typedef struct {
  gint64 send_us;
  gint64 arrival_us;   /* -1: lost */
  guint  bytes;
} SimPacket;

static gint64
stalled (double stall_ms,
         gint64 arrival_us)
{
  gint64 period = MS (700), into = arrival_us % period;

  /* Read at the stall's end, 0.1 ms apart at most (a burst). */
  if (stall_ms > 0 && into < stall_ms * 1000)
    return arrival_us - into + (gint64) (stall_ms * 1000) + into / 50;
  return arrival_us;
}

static void
run_path (PathRun *run,
          guint    start,
          int      seconds)
{
  KibitzLinkEstimator e;
  g_autoptr(GArray) sent = g_array_new (FALSE, FALSE, sizeof (SimPacket));
  g_autoptr(GArray) report_packets = g_array_new (FALSE, FALSE, sizeof (KibitzTwccPacket));
  gint64 free_at = 0, next_report = MS (250);
  guint reported = 0;

  run->lowest = G_MAXUINT, run->highest = 0, run->worst_queue_ms = 0, run->overuse_reports = 0;
  kibitz_link_estimator_init (&e, start, 50, 5000, 0);
  for (gint64 frame_at = MS (33); frame_at < S (seconds); frame_at += 33333)
    {
      guint bytes = (guint) (e.estimate_kbps * 33.333 / 8);

      for (guint offset = 0; bytes > 0; offset++)
        {
          SimPacket p = { .send_us = frame_at + offset * 100, .bytes = MIN (bytes, 1200) };
          gint64 queue_us = MAX (free_at - p.send_us, 0);

          bytes -= p.bytes;
          if (queue_us > MS (200))
            p.arrival_us = -1;
          else
            {
              free_at = MAX (free_at, p.send_us) + (gint64) (p.bytes * 8 * 1000.0 / run->capacity_kbps);
              p.arrival_us = stalled (run->stall_ms, free_at + MS (20));
            }
          if (frame_at > S (seconds) / 2)
            run->worst_queue_ms = MAX (run->worst_queue_ms, queue_us / 1000.0);
          g_array_append_val (sent, p);
        }

      if (frame_at < next_report)
        continue;
      {
        guint sent_bytes = 0, received_bytes = 0, n = 0, lost = 0, pairs = 0;
        double dod = 0;
        gint64 prev_send = -1, prev_arrival = -1;
        KibitzLinkFeedback f = { .time_us = next_report };

        g_array_set_size (report_packets, 0);
        for (guint i = reported; i < sent->len; i++)
          {
            SimPacket *p = &g_array_index (sent, SimPacket, i);
            KibitzTwccPacket tp = { p->send_us, p->arrival_us };

            g_array_append_val (report_packets, tp);
            if (p->arrival_us < 0)
              continue;
            if (prev_send >= 0)
              dod += (p->arrival_us - prev_arrival) - (p->send_us - prev_send), pairs++;
            prev_send = p->send_us, prev_arrival = p->arrival_us;
          }
        reported = sent->len;
        for (guint i = 0; i < sent->len; i++)
          {
            SimPacket *p = &g_array_index (sent, SimPacket, i);

            /* Sent in the window, and arrived in it (the receiver's rate). */
            if (p->send_us >= next_report - MS (300) && p->send_us < next_report)
              {
                sent_bytes += p->bytes, n++;
                lost += p->arrival_us < 0;
              }
            if (p->arrival_us >= next_report - MS (300) && p->arrival_us < next_report)
              received_bytes += p->bytes;
          }
        f.sent_kbps = sent_bytes * 8 / 300;
        f.received_kbps = received_bytes * 8 / 300;
        f.packets = n - lost;
        received_bytes = MIN (received_bytes, sent_bytes);
        f.loss = n ? (double) lost / n : 0;
        f.delay_trend_ms = pairs ? dod / pairs / 1000.0 : 0;
        if (run->packets)
          kibitz_link_estimator_packets (&e, (KibitzTwccPacket *) report_packets->data,
                                         report_packets->len);
        kibitz_link_estimator_feedback (&e, &f);
        if (next_report > S (seconds) / 2)
          {
            run->lowest = MIN (run->lowest, e.estimate_kbps);
            run->highest = MAX (run->highest, e.estimate_kbps);
            run->overuse_reports += e.state == KIBITZ_LINK_OVERUSE;
          }
        next_report += MS (250);
      }
    }
}

/* On a path that really is full, the trendline finds it and the estimate
 * settles below the capacity without keeping the router's queue full. */
static void
test_trend_settles_on_a_capped_path (void)
{
  const double capacities[] = { 1000, 3000, 400 };

  for (guint c = 0; c < G_N_ELEMENTS (capacities); c++)
    for (guint start = 300; start <= 3000; start *= 10)
      {
        PathRun run = { .capacity_kbps = capacities[c], .packets = TRUE };

        run_path (&run, start, 40);
        g_test_message ("%.0f kbps path, start %u: the last 20 s %u..%u kbps, queue up to %.0f ms",
                        capacities[c], start, run.lowest, run.highest, run.worst_queue_ms);
        g_assert_cmpuint (run.lowest, >=, 0.6 * capacities[c]);
        g_assert_cmpuint (run.highest, <=, 1.1 * capacities[c]);
        g_assert_cmpfloat (run.worst_queue_ms, <, 150);
      }
}

/* A receiver whose machine is busy (80 ms stalls, then its packets in a
 * burst) on a path with room to spare: no congestion, the estimate grows to
 * what the path carries. The summary's mean delta of delta, which the
 * estimator went by before, took each stall for queues growing. */
static void
test_trend_ignores_a_busy_machine (void)
{
  PathRun with = { .capacity_kbps = 8000, .stall_ms = 80, .packets = TRUE };
  PathRun without = { .capacity_kbps = 8000, .stall_ms = 80, .packets = FALSE };

  run_path (&with, 600, 30);
  run_path (&without, 600, 30);
  g_test_message ("80 ms stalls every 700 ms, 8 Mbit path: trendline %u..%u kbps (%u overuse "
                  "reports), mean delta of delta %u..%u kbps (%u)", with.lowest, with.highest,
                  with.overuse_reports, without.lowest, without.highest, without.overuse_reports);
  g_assert_cmpuint (with.overuse_reports, ==, 0);
  g_assert_cmpuint (with.lowest, >=, 3000);
}

static void
congest (KibitzLinkEstimator *e,
         gint64               now,
         guint                received)
{
  KibitzLinkFeedback f = report (now, received * 2, received, 0, 2.0);

  kibitz_link_estimator_feedback (e, &f);
}

static void
calm (KibitzLinkEstimator *e,
      gint64               now,
      guint                received)
{
  KibitzLinkFeedback f = report (now, received, received, 0, 0);

  kibitz_link_estimator_feedback (e, &f);
}

/* Congestion on most links at once is the shared uplink. */
static void
test_uplink (void)
{
  KibitzLinkEstimator l[4];
  const KibitzLinkEstimator *links[] = { &l[0], &l[1], &l[2], &l[3] };
  KibitzUplinkEstimator u;
  guint delivered = 0, cut;

  kibitz_uplink_estimator_init (&u, 10000, 0);
  for (guint i = 0; i < 4; i++)
    kibitz_link_estimator_init (&l[i], 1000, 50, 5000, 0);

  /* One link congested: that receiver's downlink, not our uplink. */
  congest (&l[0], S (1), 400);
  for (guint i = 1; i < 4; i++)
    calm (&l[i], S (1), 600);
  kibitz_uplink_estimator_update (&u, links, 4, S (1));
  g_assert_cmpuint (u.estimate_kbps, ==, 10000);

  /* Three of four: the uplink; 85 % of what all links delivered over the
   * last second (1,000 to 2,400 kbps in the latest window alone). */
  for (guint i = 0; i < 3; i++)
    congest (&l[i], S (2), 400);
  for (guint i = 0; i < 4; i++)
    delivered += l[i].received_avg_kbps;
  g_assert_cmpuint (delivered, ==, 400 + 540 + 540 + 600);
  kibitz_uplink_estimator_update (&u, links, 4, S (2));
  cut = u.estimate_kbps;
  g_assert_cmpuint (cut, ==, (guint) (0.85 * delivered));

  /* Quiet for two seconds: it grows again, slowly, up to the budget. */
  for (guint i = 0; i < 4; i++)
    calm (&l[i], S (3), 400);
  kibitz_uplink_estimator_update (&u, links, 4, S (3));
  g_assert_cmpuint (u.estimate_kbps, ==, cut);
  for (int t = 5; t <= 9; t++)
    {
      for (guint i = 0; i < 4; i++)
        calm (&l[i], S (t), 400);
      kibitz_uplink_estimator_update (&u, links, 4, S (t));
    }
  g_assert_cmpuint (u.estimate_kbps, >, cut);
  g_assert_cmpuint (u.estimate_kbps, <, cut * 1.3);
}

/* A sender whose own machine is slow sees every link "congested" while it
 * sends almost nothing: the uplink estimate stops at sound and a small
 * picture for every link instead of spiralling down to no video at all. */
static void
test_uplink_floor (void)
{
  KibitzLinkEstimator l[4];
  const KibitzLinkEstimator *links[] = { &l[0], &l[1], &l[2], &l[3] };
  KibitzUplinkEstimator u;

  kibitz_uplink_estimator_init (&u, 10000, 0);
  for (guint i = 0; i < 4; i++)
    kibitz_link_estimator_init (&l[i], 600, 60, 4000, 0);
  for (int t = 1; t <= 20; t++)
    {
      for (guint i = 0; i < 4; i++)
        congest (&l[i], S (t), 20);
      kibitz_uplink_estimator_update (&u, links, 4, S (t));
    }
  g_assert_cmpuint (u.estimate_kbps, ==, 4 * u.link_floor_kbps);
  g_assert_cmpuint (u.link_floor_kbps, >=, 50 + 25);
}

static KibitzLinkPlan
link_with (guint    estimate,
           gboolean priority,
           int      view_width)
{
  return (KibitzLinkPlan) {
    .estimate_kbps = estimate, .priority = priority,
    .view_width = view_width, .view_height = view_width * 3 / 4,
    .previous_tier = KIBITZ_TIER_NONE,
  };
}

/* A class of 20 on a 3 Mbit uplink: the teacher's link keeps 640x480 at the
 * full frame rate, classmates (shown as thumbnails) get the low tier. */
static void
test_plan_class_of_20 (void)
{
  KibitzRatePlan plan = { .uplink_kbps = 3000, .audio_kbps = 40 };
  KibitzLinkPlan links[19];

  links[0] = link_with (2000, TRUE, 640);
  for (guint i = 1; i < 19; i++)
    links[i] = link_with (2000, FALSE, 160);
  kibitz_rate_plan (&plan, links, 19, S (10));

  g_assert_cmpint (links[0].tier, ==, KIBITZ_TIER_HIGH);
  g_assert_cmpuint (links[0].layer, ==, KIBITZ_N_LAYERS - 1);
  for (guint i = 1; i < 19; i++)
    {
      g_assert_cmpint (links[i].tier, ==, KIBITZ_TIER_LOW);
      g_assert_cmpuint (links[i].layer, ==, KIBITZ_N_LAYERS - 1);
    }
  /* Within the uplink, audio first. */
  {
    guint total = 19 * plan.audio_kbps;

    for (guint i = 0; i < 19; i++)
      total += links[i].video_kbps;
    g_assert_cmpuint (total, <=, 3000);
  }
  g_assert_cmpuint (plan.tier_kbps[KIBITZ_TIER_MEDIUM], ==, 0);
}

/* Max-min fair: a slow receiver gets what its path carries, the others
 * share the rest; nobody gets more than its path. The slow one is sent a
 * smaller picture at the full frame rate rather than every fourth frame of
 * the others' tier. */
static void
test_plan_fair_share (void)
{
  KibitzRatePlan plan = { .uplink_kbps = 2000, .audio_kbps = 40 };
  KibitzLinkPlan links[4] = {
    link_with (200, FALSE, 0), link_with (3000, FALSE, 0),
    link_with (3000, FALSE, 0), link_with (3000, FALSE, 0),
  };

  kibitz_rate_plan (&plan, links, 4, S (10));
  g_assert_cmpuint (links[0].video_kbps, ==, 160);
  for (guint i = 1; i < 4; i++)
    g_assert_cmpuint (links[i].video_kbps, ==, (2000 - 160 - 160) / 3);
  g_assert_cmpint (links[0].tier, ==, KIBITZ_TIER_MEDIUM);
  g_assert_cmpuint (links[0].layer, ==, KIBITZ_N_LAYERS - 1);
  g_assert_cmpuint (plan.tier_kbps[KIBITZ_TIER_MEDIUM], ==, 160);
  for (guint i = 1; i < 4; i++)
    {
      g_assert_cmpint (links[i].tier, ==, KIBITZ_TIER_HIGH);
      g_assert_cmpuint (links[i].layer, ==, KIBITZ_N_LAYERS - 1);
    }
  g_assert_cmpuint (plan.tier_kbps[KIBITZ_TIER_HIGH], ==, 560);

  /* Once it is there, it does not rise into a tier it could not follow. */
  links[0].previous_tier = KIBITZ_TIER_MEDIUM;
  links[0].estimate_kbps = 300;
  for (guint i = 1; i < 4; i++)
    links[i].previous_tier = KIBITZ_TIER_HIGH;
  kibitz_rate_plan (&plan, links, 4, S (20));
  g_assert_cmpint (links[0].tier, ==, KIBITZ_TIER_MEDIUM);
}

/* A call whose high tier is 320x240 has a quarter of the bitrates. */
static void
test_plan_scales_with_size (void)
{
  KibitzRatePlan plan = { .uplink_kbps = 10000, .audio_kbps = 40,
                          .high_width = 320, .high_height = 240 };
  KibitzLinkPlan link = link_with (3000, FALSE, 0);

  kibitz_rate_plan (&plan, &link, 1, S (10));
  g_assert_cmpint (link.tier, ==, KIBITZ_TIER_HIGH);
  g_assert_cmpuint (link.video_kbps, ==, 1500 / 4);
  g_assert_cmpuint (plan.tier_kbps[KIBITZ_TIER_HIGH], ==, 1500 / 4);

  /* 140 / 4 = 35 kbps is enough for its high tier. */
  link.estimate_kbps = 40 + 40;
  kibitz_rate_plan (&plan, &link, 1, S (10));
  g_assert_cmpint (link.tier, ==, KIBITZ_TIER_HIGH);
}

/* Dropping a tier is at once; rising needs 4 s in the tier and 20 % spare. */
static void
test_plan_tier_hysteresis (void)
{
  KibitzRatePlan plan = { .uplink_kbps = 10000, .audio_kbps = 40 };
  KibitzLinkPlan link = link_with (140 + 40, FALSE, 0);

  link.previous_tier = KIBITZ_TIER_MEDIUM;
  link.tier_changed_at = S (9);
  kibitz_rate_plan (&plan, &link, 1, S (10));
  g_assert_cmpint (link.tier, ==, KIBITZ_TIER_MEDIUM);

  link.tier_changed_at = 0;
  kibitz_rate_plan (&plan, &link, 1, S (10));
  g_assert_cmpint (link.tier, ==, KIBITZ_TIER_MEDIUM);   /* 140 < 1.2 x 140 */

  link.estimate_kbps = 200 + 40;
  kibitz_rate_plan (&plan, &link, 1, S (10));
  g_assert_cmpint (link.tier, ==, KIBITZ_TIER_HIGH);

  link.previous_tier = KIBITZ_TIER_HIGH;
  link.tier_changed_at = S (10);
  link.estimate_kbps = 100 + 40;
  kibitz_rate_plan (&plan, &link, 1, S (10));
  g_assert_cmpint (link.tier, ==, KIBITZ_TIER_MEDIUM);

  /* Too little for any video: audio alone. */
  link.estimate_kbps = 50;
  kibitz_rate_plan (&plan, &link, 1, S (11));
  g_assert_cmpint (link.tier, ==, KIBITZ_TIER_NONE);
  g_assert_cmpuint (plan.tier_kbps[KIBITZ_TIER_HIGH], ==, 0);

  /* The "camera off" slate needs no more than the low tier. */
  plan.camera_off = TRUE;
  link.estimate_kbps = 3000;
  kibitz_rate_plan (&plan, &link, 1, S (20));
  g_assert_cmpint (link.tier, ==, KIBITZ_TIER_LOW);
}

/* On a short uplink every link keeps moving (the low tier's floor), and the
 * priority link gets the rest. */
static void
test_plan_priority_first (void)
{
  KibitzRatePlan plan = { .uplink_kbps = 600, .audio_kbps = 40 };
  KibitzLinkPlan links[3] = {
    link_with (3000, FALSE, 0), link_with (3000, TRUE, 0), link_with (3000, FALSE, 0),
  };

  kibitz_rate_plan (&plan, links, 3, S (10));
  g_assert_cmpuint (links[1].video_kbps, ==, 600 - 120 - 2 * 25);
  g_assert_cmpint (links[1].tier, ==, KIBITZ_TIER_HIGH);
  g_assert_cmpuint (links[1].layer, ==, KIBITZ_N_LAYERS - 1);
  for (guint i = 0; i < 3; i += 2)
    {
      g_assert_cmpuint (links[i].video_kbps, ==, 25);
      g_assert_cmpint (links[i].tier, ==, KIBITZ_TIER_LOW);
      g_assert_cmpuint (links[i].layer, ==, KIBITZ_N_LAYERS - 1);
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/rate/estimate-grows-within-reach", test_estimate_grows_within_reach);
  g_test_add_func ("/core/rate/overuse-cuts-once-per-window", test_overuse_cuts_once_per_window);
  g_test_add_func ("/core/rate/loss", test_loss);
  g_test_add_func ("/core/rate/random-loss-holds", test_random_loss_holds);
  g_test_add_func ("/core/rate/stall", test_stall);
  g_test_add_func ("/core/rate/settles-on-a-capped-path", test_settles_on_a_capped_path);
  g_test_add_func ("/core/rate/two-senders-share-a-line", test_two_senders_share_a_line);
  g_test_add_func ("/core/rate/trend-settles-on-a-capped-path",
                   test_trend_settles_on_a_capped_path);
  g_test_add_func ("/core/rate/trend-ignores-a-busy-machine", test_trend_ignores_a_busy_machine);
  g_test_add_func ("/core/rate/uplink-is-most-links-at-once", test_uplink);
  g_test_add_func ("/core/rate/uplink-floor", test_uplink_floor);
  g_test_add_func ("/core/rate/plan-class-of-20", test_plan_class_of_20);
  g_test_add_func ("/core/rate/plan-fair-share", test_plan_fair_share);
  g_test_add_func ("/core/rate/plan-tier-hysteresis", test_plan_tier_hysteresis);
  g_test_add_func ("/core/rate/plan-scales-with-size", test_plan_scales_with_size);
  g_test_add_func ("/core/rate/plan-priority-first", test_plan_priority_first);

  return g_test_run ();
}
