/* kibitz-plan.h: the bandwidth and cost model of the origin article
 * ("Bandwidth requirements"), and the same monthly projection from what the
 * relay measured. Pure functions: numbers and text in, numbers and text out.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define KIBITZ_PLAN_ERROR (kibitz_plan_error_quark ())

typedef enum {
  KIBITZ_PLAN_ERROR_INVALID,   /* bad input: the command exits 2 */
  KIBITZ_PLAN_ERROR_METRICS,   /* unusable or missing measurements */
} KibitzPlanError;

#define KIBITZ_PLAN_MAX_PARTICIPANTS 100000

typedef struct {
  guint  participants;        /* P */
  guint  relayed;             /* T: participants whose connections all go through the relay */
  double bitrate_mbps;        /* B: one video stream in one direction */
  double meetings_per_month;  /* M */
  double hours;               /* H: length of one meeting */
  double link_mbps;           /* L: the relay's link, each way (full duplex) */
  double transfer_limit_tb;   /* X: the host's monthly transfer allowance */
} KibitzPlanInput;

typedef struct {
  guint64  direct_connections;        /* S = P(P−1)/2 */
  guint64  relayed_connections;       /* K = T(P − (T+1)/2) */
  double   relayed_share;             /* K/S */
  double   upload_mbps;               /* U = K·B */
  double   download_mbps;             /* D = K·B */
  double   participant_upload_mbps;   /* (P−1)·B: what a mesh asks of each participant */
  double   transfer_per_meeting_mb;   /* (U + D)·H·3600 s / 8 */
  double   transfer_per_month_mb;
  double   transfer_limit_share;      /* one month's transfer / the limit */
  gboolean relay_idle;                /* K = 0: the two figures below are unbounded */
  guint64  parallel_meetings;         /* ⌊L / U⌋ */
  double   meeting_hours_per_transfer_limit;
} KibitzPlan;

typedef struct {
  guint64  bytes_to_peers;
  guint64  bytes_from_peers;
  guint    rooms;                     /* rooms counted */
  gboolean has_start_time;
  double   start_time;                /* Unix seconds the counters started from */
} KibitzRelayUsage;

typedef struct {
  double days;
  double transfer_mb;                 /* to + from peers, as measured */
  double transfer_per_month_mb;
  double transfer_limit_share;
} KibitzPlanMeasured;

GQuark   kibitz_plan_error_quark          (void);

void     kibitz_plan_input_init           (KibitzPlanInput        *input);
gboolean kibitz_plan_input_validate       (const KibitzPlanInput  *input,
                                           GError                **error);

guint64  kibitz_plan_direct_connections   (guint                   participants);
guint64  kibitz_plan_relayed_connections  (guint                   participants,
                                           guint                   relayed);
gboolean kibitz_plan_compute              (const KibitzPlanInput  *input,
                                           KibitzPlan             *plan,
                                           GError                **error);

gboolean kibitz_plan_parse_metrics        (const char             *text,
                                           const char             *room,
                                           KibitzRelayUsage       *usage,
                                           GError                **error);
void     kibitz_plan_project              (const KibitzRelayUsage *usage,
                                           double                  days,
                                           double                  transfer_limit_tb,
                                           KibitzPlanMeasured     *measured);

char    *kibitz_plan_to_json              (const KibitzPlanInput    *input,
                                           const KibitzPlan         *plan,
                                           const KibitzRelayUsage   *usage,
                                           const KibitzPlanMeasured *measured,
                                           const char               *room) G_GNUC_WARN_UNUSED_RESULT;
char    *kibitz_plan_format               (const KibitzPlanInput    *input,
                                           const KibitzPlan         *plan,
                                           const KibitzRelayUsage   *usage,
                                           const KibitzPlanMeasured *measured,
                                           const char               *room) G_GNUC_WARN_UNUSED_RESULT;
char    *kibitz_plan_format_number        (double                  value,
                                           guint                   decimals) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
