/* kibitz-media-screen.c: the shared screen, encoded once for every link.
 *
 * A second video stream beside the camera, negotiated on every link from the
 * first offer (its third m-line), so a share starts and stops without
 * renegotiating: the chain below always exists, and only its source comes
 * and goes. Text wants pixels more than frames: the plan keeps the size up
 * (up to 1920x1080) and spends little on motion (5 to 15 fps), and when the
 * class's upload budget is short the screen is served before the camera.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-media-source"

#include "config.h"

#include <gst/video/video.h>

#include "kibitz-core-error.h"
#include "kibitz-media-source-private.h"

#define GST_CAT_DEFAULT kibitz_media_source_debug

#define SCREEN_MIN_KBPS 150
#define SCREEN_MAX_KBPS 1500
#define SCREEN_KEYFRAME_INTERVAL_US (500 * G_TIME_SPAN_MILLISECOND)

/* The screen's share of a link: what is left after audio, two thirds of it
 * (the camera keeps the rest), within these steps. */
static const struct {
  int min_kbps;
  int width;
  int height;
  int fps;
} screen_ladder[] = {
  { 900, 1920, 1080, 15 },
  { 450, 1920, 1080, 5 },
  { 250, 1280, 720, 5 },
  { 0, 960, 540, 5 },
};

/* --- Building ------------------------------------------------------------------------ */

static GstPadProbeReturn
count_frame_cb (GstPad          *pad,
                GstPadProbeInfo *info,
                gpointer         data)
{
  KibitzMediaSource *self = data;

  if (!GST_BUFFER_FLAG_IS_SET (GST_PAD_PROBE_INFO_BUFFER (info), GST_BUFFER_FLAG_HEADER))
    g_atomic_int_inc (&self->screen_frames);
  return GST_PAD_PROBE_OK;
}

static GstElement *
add (KibitzMediaSource  *self,
     GPtrArray          *chain,
     const char         *factory,
     const char         *name,
     GError            **error)
{
  GstElement *element = kibitz_make_element (factory, name, error);

  if (element == NULL)
    return NULL;
  kibitz_media_source_add_made (self, element);
  g_ptr_array_add (chain, element);
  return element;
}

gboolean
kibitz_media_build_screen (KibitzMediaSource  *self,
                           GError            **error)
{
  g_autoptr(GPtrArray) chain = g_ptr_array_new ();
  g_autoptr(GstCaps) caps = gst_caps_from_string ("video/x-raw,format=I420");
  g_autoptr(GstPad) encoded = NULL;
  GstElement *e;

  if (!(self->screen_convert = add (self, chain, "videoconvert", "local-screen-convert", error)) ||
      !add (self, chain, "videoscale", NULL, error) ||
      !(self->screen_rate = add (self, chain, "videorate", NULL, error)) ||
      !(self->screen_caps = add (self, chain, "capsfilter", NULL, error)) ||
      !(self->screen_valve = add (self, chain, "valve", NULL, error)))
    return FALSE;
  g_object_set (self->screen_rate, "drop-only", TRUE, NULL);
  g_object_set (self->screen_caps, "caps", caps, NULL);
  g_object_set (self->screen_valve, "drop", TRUE, NULL);

  if (!(e = kibitz_media_make_video_encoder (self, "local-screen-encoder", error)))
    return FALSE;
  kibitz_media_source_add_made (self, e);
  g_ptr_array_add (chain, e);
  self->screen_encoder = e;
  /* A still screen costs almost nothing between keyframes, and a new
   * slide is one large frame: a long keyframe distance, a deep buffer.
   * A receiver that lost something asks (PLI). */
  kibitz_media_set_arg (e, "keyframe-max-dist", "300");
  kibitz_media_set_arg (e, "buffer-size", "3000");
  kibitz_media_set_arg (e, "buffer-initial-size", "1500");
  kibitz_media_set_arg (e, "buffer-optimal-size", "2000");

  if (!(self->screen_tee = add (self, chain, "tee", "local-screen-tee", error)))
    return FALSE;
  g_object_set (self->screen_tee, "allow-not-linked", TRUE, NULL);

  encoded = gst_element_get_static_pad (self->screen_encoder, "src");
  gst_pad_add_probe (encoded, GST_PAD_PROBE_TYPE_BUFFER, count_frame_cb, self, NULL);
  return kibitz_media_link_chain (chain, error);
}

/* --- The plan ------------------------------------------------------------------------- */

static guint
n_screen_links (KibitzMediaSource *self)
{
  return MAX (kibitz_media_source_get_n_branches (self, KIBITZ_MEDIA_KIND_SCREEN), 1);
}

static int
planned_kbps (KibitzMediaSource *self)
{
  int per_link;

  if (self->screen_set_kbps > 0)
    return CLAMP (self->screen_set_kbps, SCREEN_MIN_KBPS, SCREEN_MAX_KBPS);
  per_link = self->budget_kbps / (int) n_screen_links (self) - AUDIO_KBPS;
  return CLAMP (per_link * 2 / 3, SCREEN_MIN_KBPS, SCREEN_MAX_KBPS);
}

/* A range, so that the source's aspect is kept: videoscale picks the
 * largest size inside it with the source's shape. */
static GstCaps *
screen_caps (int width,
             int height)
{
  return gst_caps_new_simple ("video/x-raw",
                              "format", G_TYPE_STRING, "I420",
                              "width", GST_TYPE_INT_RANGE, 16, width,
                              "height", GST_TYPE_INT_RANGE, 16, height,
                              "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1,
                              NULL);
}

void
kibitz_media_screen_apply_plan (KibitzMediaSource *self)
{
  int kbps = planned_kbps (self);
  guint i;

  for (i = 0; i < G_N_ELEMENTS (screen_ladder) - 1; i++)
    if (kbps >= screen_ladder[i].min_kbps)
      break;

  g_mutex_lock (&self->screen_plan_lock);
  if (screen_ladder[i].width != self->screen_width ||
      screen_ladder[i].height != self->screen_height || screen_ladder[i].fps != self->screen_fps)
    {
      kibitz_media_set_raw_caps (self->screen_caps, self->screen_rate,
                                 screen_caps (screen_ladder[i].width, screen_ladder[i].height),
                                 screen_ladder[i].fps);
      self->screen_width = screen_ladder[i].width;
      self->screen_height = screen_ladder[i].height;
      self->screen_fps = screen_ladder[i].fps;
    }
  g_mutex_unlock (&self->screen_plan_lock);
  if (kbps != self->screen_kbps)
    {
      g_object_set (self->screen_encoder, "target-bitrate", kbps * 1000, NULL);
      self->screen_kbps = kbps;
      GST_INFO ("screen plan: up to %dx%d@%d, %d kbps per connection", self->screen_width,
                self->screen_height, self->screen_fps, kbps);
    }
}

/* The screen comes first: while it is shared the camera gets what is left,
 * and never less than a small picture per link. */
int
kibitz_media_screen_camera_budget (KibitzMediaSource *self,
                                   int                budget_kbps,
                                   guint              n_links)
{
  int floor = (int) MAX (n_links, 1) * (AUDIO_KBPS + MIN_VIDEO_KBPS);

  if (!self->screen_shared)
    return budget_kbps;
  return MAX (budget_kbps - (int) n_screen_links (self) * self->screen_kbps, floor);
}

void
kibitz_media_source_get_screen_plan (KibitzMediaSource *self,
                                     int               *width,
                                     int               *height,
                                     int               *fps,
                                     int               *kbps)
{
  g_return_if_fail (KIBITZ_IS_MEDIA_SOURCE (self));

  if (width) *width = self->screen_width;
  if (height) *height = self->screen_height;
  if (fps) *fps = self->screen_fps;
  if (kbps) *kbps = self->screen_kbps;
}

void
kibitz_media_source_set_screen_kbps (KibitzMediaSource *self,
                                     int                kbps)
{
  g_return_if_fail (KIBITZ_IS_MEDIA_SOURCE (self));

  if (kbps == self->screen_set_kbps)
    return;
  self->screen_set_kbps = MAX (kbps, 0);
  kibitz_media_screen_apply_plan (self);
}

/* --- Keyframes ------------------------------------------------------------------------ */

/* Any thread: a new share, or a receiver that lost something (PLI). At most
 * one every 500 ms; the others are dropped, as receivers ask again. */
void
kibitz_media_screen_request_keyframe (KibitzMediaSource *self)
{
  gint64 now = g_get_monotonic_time ();
  g_autoptr(GstPad) pad = NULL;
  gboolean pass;

  g_mutex_lock (&self->keyframe_lock);
  self->keyframes_requested++;
  pass = now - self->screen_keyframe_at >= SCREEN_KEYFRAME_INTERVAL_US;
  if (pass)
    {
      self->screen_keyframe_at = now;
      self->keyframes_forced++;
    }
  g_mutex_unlock (&self->keyframe_lock);

  if (!pass)
    return;
  pad = gst_element_get_static_pad (self->screen_encoder, "src");
  gst_pad_send_event (pad, gst_video_event_new_upstream_force_key_unit (GST_CLOCK_TIME_NONE,
                                                                         TRUE, 0));
}

/* --- Sharing -------------------------------------------------------------------------- */

/* On the switcher thread, in the order asked: a source is linked and
 * started, or stopped and taken out. Stopping waits for its streaming thread
 * (a frame in the encoder, a PipeWire stream closing), which must not
 * freeze the main thread. */
void
kibitz_media_screen_switch (KibitzMediaSource *self,
                            KibitzSwitchTask  *task)
{
  GstElement *source = task->element;
  g_autoptr(GstPad) src = gst_element_get_static_pad (source, "src");
  g_autoptr(GstPad) head = gst_element_get_static_pad (self->screen_convert, "sink");

  if (task->what == KIBITZ_SWITCH_SCREEN_OFF)
    {
      g_object_set (self->screen_valve, "drop", TRUE, NULL);
      gst_element_set_locked_state (source, TRUE);
      gst_element_set_state (source, GST_STATE_NULL);
      if (src != NULL)
        gst_pad_unlink (src, head);
      if (GST_OBJECT_PARENT (source) == GST_OBJECT (self->pipeline))
        gst_bin_remove (GST_BIN (self->pipeline), source);
      GST_INFO ("the screen share stopped");
      return;
    }

  /* A plan that changed while the last share stopped waited for a push of
   * that source that never came (kibitz_media_set_raw_caps()): with no
   * source linked nothing flows, and the plan is set at once. */
  g_mutex_lock (&self->screen_plan_lock);
  if (self->screen_width > 0)
    {
      g_autoptr(GstCaps) caps = screen_caps (self->screen_width, self->screen_height);

      g_object_set (self->screen_caps, "caps", caps, NULL);
      g_object_set (self->screen_rate, "max-rate", self->screen_fps, NULL);
    }
  g_mutex_unlock (&self->screen_plan_lock);
  if (!gst_bin_add (GST_BIN (self->pipeline), source))
    {
      GST_WARNING ("could not add the screen source %s", GST_ELEMENT_NAME (source));
      return;
    }
  if (src == NULL || GST_PAD_LINK_FAILED (gst_pad_link (src, head)))
    {
      GST_WARNING ("could not link the screen source %s", GST_ELEMENT_NAME (source));
      gst_bin_remove (GST_BIN (self->pipeline), source);
      return;
    }
  g_object_set (self->screen_valve, "drop", FALSE, NULL);
  if (!gst_element_sync_state_with_parent (source))
    GST_WARNING ("could not start the screen source %s", GST_ELEMENT_NAME (source));
  /* Receivers that never saw this screen, or saw another, start here. */
  kibitz_media_screen_request_keyframe (self);
  GST_INFO ("the screen share started from %s", GST_ELEMENT_NAME (source));
}

gboolean
kibitz_media_source_share_screen (KibitzMediaSource  *self,
                                  GstElement         *source,
                                  GError            **error)
{
  g_return_val_if_fail (KIBITZ_IS_MEDIA_SOURCE (self), FALSE);
  g_return_val_if_fail (GST_IS_ELEMENT (source), FALSE);

  gst_object_ref_sink (source);
  if (GST_OBJECT_PARENT (source) != NULL)
    {
      g_set_error (error, KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_PIPELINE,
                   "The screen source %s is already in use", GST_ELEMENT_NAME (source));
      gst_object_unref (source);
      return FALSE;
    }
  if (self->screen_source != NULL)
    kibitz_media_switch_push (self, KIBITZ_SWITCH_SCREEN_OFF, self->screen_source);
  gst_clear_object (&self->screen_source);
  self->screen_source = source;
  kibitz_media_switch_push (self, KIBITZ_SWITCH_SCREEN_ON, source);
  self->screen_shared = TRUE;
  kibitz_media_source_apply_plan (self);
  return TRUE;
}

void
kibitz_media_source_stop_screen (KibitzMediaSource *self)
{
  g_return_if_fail (KIBITZ_IS_MEDIA_SOURCE (self));

  if (self->screen_source == NULL)
    return;
  kibitz_media_switch_push (self, KIBITZ_SWITCH_SCREEN_OFF, self->screen_source);
  gst_clear_object (&self->screen_source);
  self->screen_shared = FALSE;
  kibitz_media_source_apply_plan (self);
}

gboolean
kibitz_media_source_get_screen_shared (KibitzMediaSource *self)
{
  g_return_val_if_fail (KIBITZ_IS_MEDIA_SOURCE (self), FALSE);

  return self->screen_shared;
}

guint64
kibitz_media_source_get_screen_frames (KibitzMediaSource *self)
{
  g_return_val_if_fail (KIBITZ_IS_MEDIA_SOURCE (self), 0);

  return (guint) g_atomic_int_get (&self->screen_frames);
}

/* After the switcher finished: the source still shared goes with the rest. */
void
kibitz_media_screen_dispose (KibitzMediaSource *self)
{
  if (self->screen_source == NULL)
    return;
  gst_element_set_state (self->screen_source, GST_STATE_NULL);
  if (self->pipeline != NULL &&
      GST_OBJECT_PARENT (self->screen_source) == GST_OBJECT (self->pipeline))
    gst_bin_remove (GST_BIN (self->pipeline), self->screen_source);
  gst_clear_object (&self->screen_source);
  self->screen_shared = FALSE;
}
