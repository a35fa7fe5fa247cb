/* kibitz-media-plan.c: what the local video is encoded at, for the class.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-media-source"

#include "config.h"

#include "kibitz-media-source-private.h"

#define GST_CAT_DEFAULT kibitz_media_source_debug

/* --- The plan ----------------------------------------------------------------- */

static const struct {
  int min_kbps;
  int width;
  int height;
} ladder[] = {
  { 1200, 960, 720 },
  { 500, 640, 480 },
  { 250, 480, 360 },
  { 120, 320, 240 },
  { 0, 160, 120 },
};

void
kibitz_media_plan_for_class (guint  n_remote,
                             guint  budget_kbps,
                             int   *width,
                             int   *height,
                             int   *fps,
                             int   *video_kbps)
{
  int per_peer;
  guint i;

  n_remote = MAX (n_remote, 1);
  if (budget_kbps == 0)
    budget_kbps = KIBITZ_DEFAULT_UPLOAD_BUDGET_KBPS;

  /* Every connection carries the same stream, so the budget splits evenly. */
  per_peer = (int) (budget_kbps / n_remote) - AUDIO_KBPS;
  per_peer = CLAMP (per_peer, MIN_VIDEO_KBPS, MAX_VIDEO_KBPS);

  for (i = 0; i < G_N_ELEMENTS (ladder) - 1; i++)
    if (per_peer >= ladder[i].min_kbps)
      break;

  *width = ladder[i].width;
  *height = ladder[i].height;
  *fps = per_peer >= 150 ? 30 : 15;
  *video_kbps = per_peer;
}

/* --- Plan application --------------------------------------------------------- */

/* One encoder per link: the raw video at the plan's size, every encoder at
 * the plan's bitrate. */
static void
apply_per_link (KibitzMediaSource *self,
                int                width,
                int                height,
                int                fps,
                int                kbps)
{
  if (width != self->width || height != self->height || fps != self->fps)
    kibitz_media_set_raw_format (self->video_caps, self->video_rate,
                                 width != self->width || height != self->height ? width : 0,
                                 height, fps != self->fps ? fps : 0);
  if (kbps != self->video_kbps || self->width == 0)
    for (GList *l = self->branches; l != NULL; l = l->next)
      {
        KibitzMediaBranch *b = l->data;

        if (b->kind == KIBITZ_MEDIA_KIND_VIDEO)
          kibitz_media_branch_set_kbps (b, kbps);
      }
}

/* Without a rate control: every link on the high tier, at the class plan. */
static void
apply_fixed (KibitzMediaSource *self,
             int                width,
             int                height,
             int                fps,
             int                kbps)
{
  kibitz_media_tiers_resize (self, width, height);
  if (fps != self->fps)
    kibitz_media_set_raw_format (self->video_caps, self->video_rate, 0, 0, fps);
  kibitz_media_tier_set_kbps (self, KIBITZ_TIER_HIGH, kbps);
}

void
kibitz_media_source_apply_plan (KibitzMediaSource *self)
{
  int width, height, fps, kbps;
  guint n = kibitz_media_source_get_n_branches (self, KIBITZ_MEDIA_KIND_VIDEO);

  kibitz_media_screen_apply_plan (self);
  /* With a rate control the tiers have fixed sizes; it sets their bitrates. */
  if (kibitz_media_source_is_adaptive (self))
    {
      kibitz_media_tiers_resize (self, self->max_width, self->max_height);
      self->width = self->tiers[KIBITZ_TIER_HIGH].width;
      self->height = self->tiers[KIBITZ_TIER_HIGH].height;
      self->fps = self->tiers[KIBITZ_TIER_HIGH].fps;
      self->video_kbps = self->tiers[KIBITZ_TIER_HIGH].kbps;
      return;
    }

  kibitz_media_plan_for_class (n, kibitz_media_screen_camera_budget (self, self->budget_kbps, n),
                               &width, &height, &fps, &kbps);
  /* Keep the ladder's steps but never above the configured maximum. */
  while (width > self->max_width || height > self->max_height)
    width = width * 2 / 3 & ~1, height = height * 2 / 3 & ~1;
  if (!self->camera_enabled)
    fps = PLACEHOLDER_FPS;
  /* Past ~0.12 bit per pixel VP8 gains little: do not spend the budget on a
   * resolution the maximum (or the slate) cut down. */
  kbps = CLAMP (MIN (kbps, (int) ((gint64) width * height * fps * 12 / 100000)),
                MIN_VIDEO_KBPS, MAX_VIDEO_KBPS);

  if (self->raw_tee != NULL)
    apply_fixed (self, width, height, fps, kbps);
  else
    apply_per_link (self, width, height, fps, kbps);

  GST_INFO ("class plan for %u remote: %dx%d@%d, %d kbps per connection",
            n, width, height, fps, kbps);
  self->width = width;
  self->height = height;
  self->fps = fps;
  self->video_kbps = kbps;
}
