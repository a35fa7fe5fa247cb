/* kibitz-call-rate.c: the call's rate control. Four times a second it reads
 * every link's estimate (kibitz-peer-congestion.c), judges the shared uplink,
 * and plans (kibitz-rate-control.c) which tier, temporal layers and share of
 * the uplink each link gets; then it sets the tiers' encoders and the links'
 * branches. Receivers say how large they show us (a `view` in signal data),
 * so nobody is sent pixels that are never seen.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-call"

#include "config.h"

#include "kibitz-call-private.h"
#include "kibitz-message.h"

/* Opus at 32 kbps plus RTP, SRTP, UDP and IP headers at 50 packets a second. */
#define AUDIO_KBPS 50
/* Held back this long, the user is told (a dip is not worth a word). */
#define HELD_BACK_NOTICE_US (5 * G_USEC_PER_SEC)
/* The uplink starts at what the fixed plan assumed and grows from there. */
#define UPLINK_START_KBPS KIBITZ_DEFAULT_UPLOAD_BUDGET_KBPS

void
kibitz_call_rate_init (KibitzCall *self)
{
  guint budget = self->options.media.upload_budget_kbps > 0
                   ? (guint) self->options.media.upload_budget_kbps
                   : KIBITZ_ADAPTIVE_UPLOAD_BUDGET_KBPS;

  kibitz_uplink_estimator_init (&self->uplink, budget, g_get_monotonic_time ());
  self->uplink.estimate_kbps = MIN (budget, UPLINK_START_KBPS);
}

gboolean
kibitz_call_is_adaptive (KibitzCall *self)
{
  return self->media != NULL && kibitz_media_source_is_adaptive (self->media);
}

/* The links that go first when the uplink is short: the one named by
 * kibitz_call_set_priority(); else, in a class with a teacher (protocol.md
 * §4), the teachers' and the spotlighted participant's, wherever they are in
 * the list (a teacher who reconnects comes last); else, in an open room,
 * where nobody is either, the first participant who was there stands in:
 * the first of those who were there when we came (the welcome lists them in
 * the order they came; a signal may have made a participant known before
 * it), and nobody when that was us. So everyone agrees on who it is, the
 * first who came included. */
static gboolean
is_priority (KibitzCall  *self,
             Participant *p)
{
  const char *spotlight = self->room_state != NULL
                          ? kibitz_json_get_string (self->room_state, "spotlight") : NULL;

  if (self->priority_id != NULL)
    return g_str_equal (self->priority_id, p->public.id);
  if (g_strcmp0 (p->public.role, "teacher") == 0 || g_strcmp0 (spotlight, p->public.id) == 0)
    return TRUE;
  /* A class has its own priorities (none, when it is ours to teach and
   * nobody is spotlit): the stand-in is for open rooms. */
  if (spotlight != NULL || (self->role != NULL && !g_str_equal (self->role, "member")))
    return FALSE;
  {
    Participant *first = NULL;

    for (guint i = 0; i < self->participants->len; i++)
      {
        Participant *q = g_ptr_array_index (self->participants, i);

        if (!q->public.left && q->arrival > 0 && (first == NULL || q->arrival < first->arrival))
          first = q;
      }
    return first == p;
  }
}

/* The links that carry video now, and their estimates (ticked). */
static guint
gather (KibitzCall           *self,
        gint64                now,
        Participant         **links,
        KibitzLinkEstimator  *estimates)
{
  guint n = 0;

  for (guint i = 0; i < self->participants->len; i++)
    {
      Participant *p = g_ptr_array_index (self->participants, i);
      KibitzTier tier;
      guint layer;

      if (p->public.left || p->public.peer == NULL ||
          !kibitz_peer_get_video_tier (p->public.peer, &tier, &layer))
        continue;
      kibitz_peer_congestion_tick (p->public.peer, now);
      kibitz_peer_get_congestion (p->public.peer, &estimates[n], NULL);
      links[n++] = p;
    }
  return n;
}

static void
apply (KibitzCall           *self,
       const KibitzRatePlan *plan,
       Participant         **links,
       const KibitzLinkPlan *plans,
       guint                 n,
       gint64                now)
{
  for (KibitzTier t = 0; t < KIBITZ_N_TIERS; t++)
    kibitz_media_source_set_tier_kbps (self->media, t, plan->tier_kbps[t]);

  for (guint i = 0; i < n; i++)
    {
      KibitzLinkRate *rate = &links[i]->public.rate;

      if (plans[i].tier != rate->tier)
        rate->tier_changed_at = now;
      rate->tier = plans[i].tier;
      rate->layer = plans[i].layer;
      rate->video_kbps = plans[i].video_kbps;
      rate->sent_width = rate->sent_height = rate->sent_fps = 0;
      if (rate->tier < KIBITZ_N_TIERS)
        {
          kibitz_media_source_get_tier_size (self->media, rate->tier, &rate->sent_width,
                                             &rate->sent_height);
          rate->sent_fps = kibitz_media_source_get_tier_fps (self->media, rate->tier) *
                           kibitz_layer_share_of_frames (rate->layer);
        }
      kibitz_peer_set_video_tier (links[i]->public.peer, plans[i].tier, plans[i].layer,
                                  plans[i].video_kbps);
    }
}

/* Most links sent less than their receivers' views are worth: our uplink
 * (or the machine) is the limit, not theirs. */
static void
note_held_back (KibitzCall           *self,
                const KibitzLinkPlan *plans,
                guint                 n,
                gint64                now)
{
  guint held = 0;

  for (guint i = 0; i < n; i++)
    held += plans[i].tier > plans[i].best_tier;
  if (n == 0 || held * 2 < n)
    self->held_back_since = 0;
  else if (self->held_back_since == 0)
    self->held_back_since = now;
}

gboolean
kibitz_call_is_held_back (KibitzCall *self)
{
  g_return_val_if_fail (KIBITZ_IS_CALL (self), FALSE);

  return self->held_back_since != 0 &&
         g_get_monotonic_time () - self->held_back_since >= HELD_BACK_NOTICE_US;
}

/* A shared screen goes before the camera, as audio does: one encoder for
 * every link, so the slowest path sets its bitrate (two thirds of what it
 * carries beyond audio; the camera tiers share the rest). Returns what each
 * link is then sent for it. */
static guint
screen_kbps (KibitzCall                *self,
             const KibitzLinkEstimator *estimates,
             guint                      n)
{
  guint least;
  int kbps;

  if (n == 0 || !kibitz_media_source_get_screen_shared (self->media))
    return 0;
  least = self->uplink.estimate_kbps / n;
  for (guint i = 0; i < n; i++)
    least = MIN (least, estimates[i].estimate_kbps);
  kibitz_media_source_set_screen_kbps (self->media,
                                       least > AUDIO_KBPS ? (least - AUDIO_KBPS) * 2 / 3 : 1);
  kibitz_media_source_get_screen_plan (self->media, NULL, NULL, NULL, &kbps);
  return kbps;
}

void
kibitz_call_rate_update (KibitzCall *self,
                         gint64      now)
{
  guint cap = self->participants->len;
  g_autofree Participant **links = g_new0 (Participant *, MAX (cap, 1));
  g_autofree KibitzLinkEstimator *estimates = g_new0 (KibitzLinkEstimator, MAX (cap, 1));
  g_autofree const KibitzLinkEstimator **pointers = g_new0 (const KibitzLinkEstimator *,
                                                            MAX (cap, 1));
  g_autofree KibitzLinkPlan *plans = g_new0 (KibitzLinkPlan, MAX (cap, 1));
  KibitzRatePlan plan = { .audio_kbps = AUDIO_KBPS };
  guint n;

  if (!kibitz_call_is_adaptive (self))
    return;
  n = gather (self, now, links, estimates);
  for (guint i = 0; i < n; i++)
    pointers[i] = &estimates[i];
  kibitz_uplink_estimator_update (&self->uplink, pointers, n, now);

  for (guint i = 0; i < n; i++)
    {
      KibitzLinkRate *rate = &links[i]->public.rate;

      rate->estimate_kbps = estimates[i].estimate_kbps;
      rate->state = estimates[i].state;
      plans[i] = (KibitzLinkPlan) {
        .estimate_kbps = estimates[i].estimate_kbps,
        .priority = is_priority (self, links[i]),
        .view_width = rate->view_width,
        .view_height = rate->view_height,
        .previous_tier = rate->tier,
        .tier_changed_at = rate->tier_changed_at,
      };
    }
  plan.uplink_kbps = self->uplink.estimate_kbps;
  plan.audio_kbps += screen_kbps (self, estimates, n);
  plan.camera_off = !kibitz_media_source_get_camera_enabled (self->media);
  for (KibitzTier t = 0; t < KIBITZ_N_TIERS; t++)
    plan.tier_kbps[t] = kibitz_media_source_get_tier_kbps (self->media, t);
  kibitz_media_source_get_tier_size (self->media, KIBITZ_TIER_HIGH, &plan.high_width,
                                     &plan.high_height);
  kibitz_rate_plan (&plan, plans, n, now);
  apply (self, &plan, links, plans, n, now);
  note_held_back (self, plans, n, now);
}

void
kibitz_call_set_priority (KibitzCall *self,
                          const char *peer_id)
{
  g_return_if_fail (KIBITZ_IS_CALL (self));

  g_free (self->priority_id);
  self->priority_id = g_strdup (peer_id);
}

gboolean
kibitz_call_goes_first (KibitzCall *self,
                        const char *peer_id)
{
  Participant *p;

  g_return_val_if_fail (KIBITZ_IS_CALL (self), FALSE);

  p = kibitz_call_find_participant (self, peer_id);
  return p != NULL && is_priority (self, p);
}

guint
kibitz_call_get_uplink_kbps (KibitzCall *self)
{
  g_return_val_if_fail (KIBITZ_IS_CALL (self), 0);

  return self->uplink.estimate_kbps;
}

/* --- Views ---------------------------------------------------------------------------- */

/* Tells a participant how large we show it; only when that changed. */
void
kibitz_call_set_view (KibitzCall *self,
                      const char *peer_id,
                      int         width,
                      int         height)
{
  g_autoptr(JsonObject) data = NULL;
  g_autoptr(JsonObject) view = NULL;
  Participant *p;

  g_return_if_fail (KIBITZ_IS_CALL (self));

  p = kibitz_call_find_participant (self, peer_id);
  if (p == NULL || (p->shown_width == width && p->shown_height == height))
    return;
  p->shown_width = width;
  p->shown_height = height;
  if (self->signaling == NULL)
    return;

  view = json_object_new ();
  json_object_set_int_member (view, "width", width);
  json_object_set_int_member (view, "height", height);
  data = json_object_new ();
  json_object_set_object_member (data, "view", g_steal_pointer (&view));
  kibitz_signaling_send_signal (self->signaling, peer_id, data);
}

/* A participant's `view`: how large it shows us. */
gboolean
kibitz_call_take_view (KibitzCall  *self,
                       Participant *p,
                       JsonObject  *data)
{
  JsonObject *view = kibitz_json_get_object (data, "view");

  if (view == NULL)
    return FALSE;
  p->public.rate.view_width = CLAMP (json_object_get_int_member_with_default (view, "width", 0),
                                     0, 8192);
  p->public.rate.view_height = CLAMP (json_object_get_int_member_with_default (view, "height", 0),
                                      0, 8192);
  return TRUE;
}
