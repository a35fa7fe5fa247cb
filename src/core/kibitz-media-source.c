/* kibitz-media-source.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-media-source"

#include "config.h"

#include <string.h>
#include <gst/video/video.h>

#include "kibitz-core-error.h"
#include "kibitz-frame-stamp.h"
#include "kibitz-media-source-private.h"
#include "kibitz-source-setting.h"

GST_DEBUG_CATEGORY (kibitz_media_source_debug);
#define GST_CAT_DEFAULT kibitz_media_source_debug

G_DEFINE_FINAL_TYPE (KibitzMediaSource, kibitz_media_source, G_TYPE_OBJECT)

/* --- Building --------------------------------------------------------------- */

void
kibitz_media_set_arg (gpointer    object,
                      const char *property,
                      const char *value)
{
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (object), property) != NULL)
    gst_util_set_object_arg (G_OBJECT (object), property, value);
  else
    GST_WARNING_OBJECT (object, "no property %s", property);
}

static GstPadProbeReturn
answer_for_branch_cb (GstPad          *pad,
                      GstPadProbeInfo *info,
                      gpointer         data)
{
  GstCaps *accepted = data;
  GstQuery *query;

  if (info->type & GST_PAD_PROBE_TYPE_EVENT_UPSTREAM)
    return GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info)) == GST_EVENT_RECONFIGURE
             ? GST_PAD_PROBE_DROP : GST_PAD_PROBE_OK;
  /* Before the pad's own handler only (queries pass probes twice). */
  if (!(info->type & GST_PAD_PROBE_TYPE_PUSH))
    return GST_PAD_PROBE_OK;

  query = GST_PAD_PROBE_INFO_QUERY (info);
  switch (GST_QUERY_TYPE (query))
    {
    case GST_QUERY_CAPS:
      {
        GstCaps *filter, *result;

        gst_query_parse_caps (query, &filter);
        result = filter != NULL ? gst_caps_intersect_full (filter, accepted,
                                                           GST_CAPS_INTERSECT_FIRST)
                                : gst_caps_ref (accepted);
        gst_query_set_caps_result (query, result);
        gst_caps_unref (result);
        return GST_PAD_PROBE_HANDLED;
      }
    case GST_QUERY_ACCEPT_CAPS:
      {
        GstCaps *caps;

        gst_query_parse_accept_caps (query, &caps);
        gst_query_set_accept_caps_result (query, gst_caps_is_subset (caps, accepted));
        return GST_PAD_PROBE_HANDLED;
      }
    case GST_QUERY_ALLOCATION:
      /* Nothing downstream offers a pool: the encoder keeps its own buffers,
       * and no query waits on a branch that is still negotiating. */
      return GST_PAD_PROBE_HANDLED;
    default:
      return GST_PAD_PROBE_OK;
    }
}

/* A branch of a tee answers for itself: these caps, whatever is behind it,
 * and no renegotiation upstream of it. Otherwise one branch in the middle
 * of linking (a new link's payloader and webrtcbin pad, a tier being
 * resized) could answer a caps query with nothing at the moment the source
 * renegotiated, and the camera stopped for everyone with "Internal data
 * stream error" (media-class-growth-steps-down, CI 2026-12-05). */
void
kibitz_media_isolate_branch (GstPad     *sink,
                             const char *caps)
{
  gst_pad_add_probe (sink, GST_PAD_PROBE_TYPE_QUERY_DOWNSTREAM | GST_PAD_PROBE_TYPE_EVENT_UPSTREAM,
                     answer_for_branch_cb, gst_caps_from_string (caps),
                     (GDestroyNotify) gst_caps_unref);
}

static GstElement *
add_element (KibitzMediaSource  *self,
             const char         *factory,
             const char         *name,
             GError            **error)
{
  return kibitz_media_source_add_made (self, kibitz_make_element (factory, name, error));
}

static GstElement *
add_capsfilter (KibitzMediaSource  *self,
                const char         *caps_string,
                GError            **error)
{
  GstElement *filter = add_element (self, "capsfilter", NULL, error);
  g_autoptr(GstCaps) caps = NULL;

  if (filter != NULL)
    {
      caps = gst_caps_from_string (caps_string);
      g_object_set (filter, "caps", caps, NULL);
    }
  return filter;
}

gboolean
kibitz_media_link_chain (GPtrArray  *chain,
                         GError    **error)
{
  for (guint i = 0; i + 1 < chain->len; i++)
    {
      GstElement *a = g_ptr_array_index (chain, i);
      GstElement *b = g_ptr_array_index (chain, i + 1);

      if (!gst_element_link (a, b))
        {
          g_set_error (error, KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_PIPELINE,
                       "Could not link %s to %s", GST_ELEMENT_NAME (a), GST_ELEMENT_NAME (b));
          return FALSE;
        }
    }
  return TRUE;
}

GstElement *
kibitz_media_source_add_made (KibitzMediaSource *self,
                              GstElement        *element)
{
  if (element == NULL)
    return NULL;
  gst_bin_add (GST_BIN (self->pipeline), element);
  g_ptr_array_add (self->elements, gst_object_ref (element));
  return element;
}

static GstElement *
add_overlay (KibitzMediaSource  *self,
             const char         *name,
             const char         *text,
             const char         *font,
             GError            **error)
{
  GstElement *overlay = add_element (self, "textoverlay", name, error);

  if (overlay == NULL)
    return NULL;
  g_object_set (overlay, "text", text, "font-desc", font, "shaded-background", TRUE, NULL);
  kibitz_media_set_arg (overlay, "valignment", "center");
  kibitz_media_set_arg (overlay, "halignment", "center");
  return overlay;
}

GstElement *
kibitz_media_make_video_encoder (KibitzMediaSource  *self,
                                 const char         *name,
                                 GError            **error)
{
  GstElement *enc = kibitz_make_element ("vp8enc", name, error);

  if (enc == NULL)
    return NULL;

  /* Realtime: no look-ahead, fast presets, frames decodable after loss. */
  kibitz_media_set_arg (enc, "deadline", "1");
  kibitz_media_set_arg (enc, "cpu-used", "8");
  kibitz_media_set_arg (enc, "lag-in-frames", "0");
  kibitz_media_set_arg (enc, "end-usage", "cbr");
  kibitz_media_set_arg (enc, "error-resilient", "default");
  kibitz_media_set_arg (enc, "keyframe-max-dist", "60");
  kibitz_media_set_arg (enc, "buffer-size", "1000");
  kibitz_media_set_arg (enc, "buffer-initial-size", "500");
  kibitz_media_set_arg (enc, "buffer-optimal-size", "600");
  /* One thread: libvpx's VP8 encoder threads wait for each other by spinning,
   * and on a busy machine (2 cores, a class of decoders) that burned 15x the
   * CPU for a quarter of the frames (bench/mesh, docs/benchmarks.md). A
   * 640x480 frame takes ~2.5 ms on one core at these settings. */
  kibitz_media_set_arg (enc, "threads", "1");
  g_object_set (enc, "target-bitrate", self->video_kbps * 1000, NULL);
  return enc;
}

GstElement *
kibitz_media_make_audio_encoder (GError **error)
{
  GstElement *enc = kibitz_make_element ("opusenc", NULL, error);

  if (enc == NULL)
    return NULL;
  g_object_set (enc, "bitrate", AUDIO_KBPS * 1000, NULL);
  kibitz_media_set_arg (enc, "audio-type", "voice");
  kibitz_media_set_arg (enc, "frame-size", "20");
  return enc;
}


/* The "camera off" slate: a dark frame with the name, at a low frame rate.
 * Returns the last element of its chain. */
static GstElement *
build_slate (KibitzMediaSource  *self,
             GError            **error)
{
  g_autoptr(GPtrArray) chain = g_ptr_array_new ();
  g_autofree char *text = g_strdup_printf ("Camera off\n%s", self->display_name);
  GstElement *e;

  if (!(e = add_element (self, "videotestsrc", "local-video-slate-source", error)))
    return NULL;
  self->slate_source = e;
  g_object_set (e, "is-live", TRUE, NULL);
  kibitz_media_set_arg (e, "pattern", "solid-color");
  kibitz_media_set_arg (e, "foreground-color", "0xff2e3436");
  g_ptr_array_add (chain, e);
  if (!(e = add_capsfilter (self, "video/x-raw,framerate=5/1", error)))
    return NULL;
  g_ptr_array_add (chain, e);
  if (!(e = add_overlay (self, "local-video-slate", text, "Sans 20", error)))
    return NULL;
  g_ptr_array_add (chain, e);

  return kibitz_media_link_chain (chain, error) ? e : NULL;
}

/* The camera, or a test pattern with the name drawn on it
 * (kibitz-source-setting.c knows the settings). */
static GstElement *
build_camera (KibitzMediaSource  *self,
              const char         *spec,
              GError            **error)
{
  GstElement *camera = kibitz_video_source_new (spec, self->display_name, "local-video-source",
                                                error);

  self->camera_source = kibitz_media_source_add_made (self, camera);
  return self->camera_source;
}

static GstPad *
link_to_selector (GstElement  *last,
                  GstElement  *selector,
                  GError     **error)
{
  g_autoptr(GstPad) src = gst_element_get_static_pad (last, "src");
  GstPad *sink = gst_element_request_pad_simple (selector, "sink_%u");

  if (src == NULL || GST_PAD_LINK_FAILED (gst_pad_link (src, sink)))
    {
      g_set_error (error, KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_PIPELINE,
                   "Could not link %s to the video selector", GST_ELEMENT_NAME (last));
      gst_element_release_request_pad (selector, sink);
      gst_object_unref (sink);
      return NULL;
    }
  return sink;
}

/* Camera and slate both feed an input-selector; the one not shown is stopped
 * (its state locked), so the camera light goes off with the camera. Nothing
 * downstream changes: no renegotiation with any peer. */
static gboolean
build_video (KibitzMediaSource  *self,
             const char         *spec,
             GError            **error)
{
  g_autoptr(GPtrArray) chain = g_ptr_array_new ();
  GstElement *slate_last, *camera_last = NULL, *e;

  if (!(slate_last = build_slate (self, error)))
    return FALSE;

  if (g_str_equal (spec, "none"))
    g_ptr_array_add (chain, slate_last);
  else
    {
      if (!(camera_last = build_camera (self, spec, error)))
        return FALSE;
      if (!(self->video_selector = add_element (self, "input-selector", "local-video-selector",
                                                error)))
        return FALSE;
      g_object_set (self->video_selector, "sync-streams", FALSE, NULL);
      if (!(self->camera_pad = link_to_selector (camera_last, self->video_selector, error)) ||
          !(self->slate_pad = link_to_selector (slate_last, self->video_selector, error)))
        return FALSE;
      g_object_set (self->video_selector, "active-pad", self->camera_pad, NULL);
      gst_element_set_locked_state (self->slate_source, TRUE);
      self->camera_enabled = TRUE;
      g_ptr_array_add (chain, self->video_selector);
    }

  if (!(e = add_element (self, "videoconvert", NULL, error)))
    return FALSE;
  g_ptr_array_add (chain, e);

  /* Encoded once per tier (kibitz-media-tiers.c), from one raw tee. */
  if (self->mode == KIBITZ_ENCODER_SHARED)
    {
      if (!(self->raw_tee = add_element (self, "tee", "local-video-raw-tee", error)))
        return FALSE;
      g_object_set (self->raw_tee, "allow-not-linked", TRUE, NULL);
      g_ptr_array_add (chain, self->raw_tee);
      return kibitz_media_link_chain (chain, error) && kibitz_media_build_tiers (self, error);
    }

  /* One encoder per link: the raw video, scaled once, goes to every branch. */
  if (!(e = add_element (self, "videoscale", NULL, error)))
    return FALSE;
  g_ptr_array_add (chain, e);
  if (!(self->video_rate = add_element (self, "videorate", NULL, error)))
    return FALSE;
  g_object_set (self->video_rate, "drop-only", TRUE, NULL);
  g_ptr_array_add (chain, self->video_rate);
  if (!(self->video_caps = add_capsfilter (self, "video/x-raw,format=I420", error)))
    return FALSE;
  g_ptr_array_add (chain, self->video_caps);
  if (!(self->video_tee = add_element (self, "tee", "local-video-tee", error)))
    return FALSE;
  g_object_set (self->video_tee, "allow-not-linked", TRUE, NULL);
  g_ptr_array_add (chain, self->video_tee);

  return kibitz_media_link_chain (chain, error);
}

static gboolean
build_audio (KibitzMediaSource  *self,
             const char         *spec,
             GError            **error)
{
  g_autoptr(GPtrArray) chain = g_ptr_array_new ();
  GstElement *e;

  if (g_str_equal (spec, "none"))
    {
      if (!(e = add_element (self, "audiotestsrc", "local-audio-source", error)))
        return FALSE;
      g_object_set (e, "is-live", TRUE, NULL);
      kibitz_media_set_arg (e, "wave", "silence");
    }
  else
    {
      e = kibitz_audio_source_new (spec, "local-audio-source", error);
      if (!kibitz_media_source_add_made (self, e))
        return FALSE;
    }
  g_ptr_array_add (chain, e);
  self->has_microphone = self->microphone_enabled = !g_str_equal (spec, "none");

  if (!(e = add_element (self, "audioconvert", NULL, error)))
    return FALSE;
  g_ptr_array_add (chain, e);
  if (!(e = add_element (self, "audioresample", NULL, error)))
    return FALSE;
  g_ptr_array_add (chain, e);
  if (!(e = add_capsfilter (self, "audio/x-raw,rate=48000,channels=1", error)))
    return FALSE;
  g_ptr_array_add (chain, e);
  /* Echo cancellation for a real microphone (the far end comes from the
   * application's webrtcechoprobe); without the plugin, go on without it. */
  if (self->echo_cancellation && !g_str_equal (spec, "none") &&
      !kibitz_source_setting_is_test (spec, KIBITZ_MEDIA_KIND_AUDIO))
    {
      g_autoptr(GstElementFactory) dsp = gst_element_factory_find ("webrtcdsp");

      if (dsp == NULL)
        g_message ("no echo cancellation: webrtcdsp is missing (gstreamer1.0-plugins-bad)");
      else
        {
          if (!(e = add_element (self, "webrtcdsp", "local-echo-canceller", error)))
            return FALSE;
          self->echo_canceller = e;
          g_object_set (e, "probe", KIBITZ_ECHO_PROBE_NAME, NULL);
          g_ptr_array_add (chain, e);
        }
    }

  /* Muting keeps the device open (as browsers do) and sends silence. */
  if (!(self->audio_volume = add_element (self, "volume", "local-audio-volume", error)))
    return FALSE;
  g_ptr_array_add (chain, self->audio_volume);

  /* Audio is encoded once in both modes: Opus costs little next to VP8, and
   * a per-connection opusenc negotiated its channels against webrtcbin's
   * sink pad while the answer was being applied, and could fail with
   * not-negotiated, which the tee passed up to the microphone, silencing
   * the participant for everyone (about one run in eight). */
    {
      if (!(e = kibitz_media_make_audio_encoder (error)))
        return FALSE;
      self->audio_encoder = kibitz_media_source_add_made (self, e);
      g_ptr_array_add (chain, e);
    }

  if (!(self->audio_tee = add_element (self, "tee", "local-audio-tee", error)))
    return FALSE;
  g_object_set (self->audio_tee, "allow-not-linked", TRUE, NULL);
  g_ptr_array_add (chain, self->audio_tee);

  return kibitz_media_link_chain (chain, error);
}

/* Streaming thread: the send time, drawn into each frame just before it is
 * encoded (after scaling, so the blocks keep their size). */
static GstPadProbeReturn
stamp_probe_cb (GstPad          *pad,
                GstPadProbeInfo *info,
                gpointer         data)
{
  g_autoptr(GstCaps) caps = gst_pad_get_current_caps (pad);
  GstVideoInfo vinfo;
  GstVideoFrame frame;
  GstBuffer *buffer;

  if (caps == NULL || !gst_video_info_from_caps (&vinfo, caps))
    return GST_PAD_PROBE_OK;
  buffer = gst_buffer_make_writable (GST_PAD_PROBE_INFO_BUFFER (info));
  GST_PAD_PROBE_INFO_DATA (info) = buffer;
  if (gst_video_frame_map (&frame, &vinfo, buffer, GST_MAP_WRITE))
    {
      kibitz_frame_stamp_write (&frame, g_get_monotonic_time () / 1000);
      gst_video_frame_unmap (&frame);
    }
  return GST_PAD_PROBE_OK;
}

/* --- Camera and microphone ------------------------------------------------------ */

/* On the switcher thread, in the order asked: starts one source, shows it,
 * then stops the other. Stopping waits for the stopped source's streaming
 * thread to finish its frame (an encode, in the shared mode), which must not
 * freeze the main thread; and a camera may take a moment to open. */
static void
switch_camera (KibitzMediaSource *self,
               gboolean           camera)
{
  GstElement *on = camera ? self->camera_source : self->slate_source;
  GstElement *off = camera ? self->slate_source : self->camera_source;

  gst_element_set_locked_state (on, FALSE);
  if (!gst_element_sync_state_with_parent (on))
    GST_WARNING ("could not start %s", GST_ELEMENT_NAME (on));
  g_object_set (self->video_selector, "active-pad", camera ? self->camera_pad : self->slate_pad,
                NULL);
  gst_element_set_locked_state (off, TRUE);
  gst_element_set_state (off, GST_STATE_NULL);
  GST_INFO ("camera %s", camera ? "on" : "off");
}

static void
switch_cb (gpointer data,
           gpointer user_data)
{
  KibitzSwitchTask *task = data;
  KibitzMediaSource *self = user_data;

  if (task->what == KIBITZ_SWITCH_SLATE || task->what == KIBITZ_SWITCH_CAMERA)
    switch_camera (self, task->what == KIBITZ_SWITCH_CAMERA);
  else
    kibitz_media_screen_switch (self, task);
  gst_clear_object (&task->element);
  g_free (task);
}

void
kibitz_media_switch_push (KibitzMediaSource *self,
                          KibitzSwitch       what,
                          GstElement        *element)
{
  KibitzSwitchTask *task = g_new0 (KibitzSwitchTask, 1);

  task->what = what;
  task->element = element != NULL ? gst_object_ref (element) : NULL;
  if (self->switcher == NULL)
    self->switcher = g_thread_pool_new (switch_cb, self, 1, TRUE, NULL);
  g_thread_pool_push (self->switcher, task, NULL);
}

gboolean
kibitz_media_source_has_camera (KibitzMediaSource *self)
{
  g_return_val_if_fail (KIBITZ_IS_MEDIA_SOURCE (self), FALSE);

  return self->camera_source != NULL;
}

gboolean
kibitz_media_source_get_camera_enabled (KibitzMediaSource *self)
{
  g_return_val_if_fail (KIBITZ_IS_MEDIA_SOURCE (self), FALSE);

  return self->camera_enabled;
}

gboolean
kibitz_media_source_set_camera_enabled (KibitzMediaSource *self,
                                        gboolean           enabled)
{
  g_return_val_if_fail (KIBITZ_IS_MEDIA_SOURCE (self), FALSE);

  enabled = !!enabled && self->camera_source != NULL;
  if (enabled == self->camera_enabled)
    return enabled;

  GST_DEBUG ("switching the camera %s", enabled ? "on" : "off");
  self->camera_enabled = enabled;
  kibitz_media_switch_push (self, enabled ? KIBITZ_SWITCH_CAMERA : KIBITZ_SWITCH_SLATE, NULL);
  /* The slate runs at a low frame rate and needs little bitrate. */
  kibitz_media_source_apply_plan (self);
  kibitz_media_source_request_keyframe (self);
  return enabled;
}

gboolean
kibitz_media_source_has_microphone (KibitzMediaSource *self)
{
  g_return_val_if_fail (KIBITZ_IS_MEDIA_SOURCE (self), FALSE);

  return self->has_microphone;
}

gboolean
kibitz_media_source_get_microphone_enabled (KibitzMediaSource *self)
{
  g_return_val_if_fail (KIBITZ_IS_MEDIA_SOURCE (self), FALSE);

  return self->microphone_enabled;
}

gboolean
kibitz_media_source_set_microphone_enabled (KibitzMediaSource *self,
                                            gboolean           enabled)
{
  g_return_val_if_fail (KIBITZ_IS_MEDIA_SOURCE (self), FALSE);

  self->microphone_enabled = !!enabled && self->has_microphone;
  g_object_set (self->audio_volume, "mute", !self->microphone_enabled, NULL);
  GST_INFO ("microphone %s", self->microphone_enabled ? "on" : "off");
  return self->microphone_enabled;
}

/* --- Object --------------------------------------------------------------------- */

gboolean
kibitz_media_source_is_adaptive (KibitzMediaSource *self)
{
  g_return_val_if_fail (KIBITZ_IS_MEDIA_SOURCE (self), FALSE);

  return self->adaptive && self->raw_tee != NULL;
}

/* The encoders running: the tiers that are open, the audio's, each link's. */
guint
kibitz_media_source_get_n_encoders (KibitzMediaSource *self)
{
  guint n = self->audio_encoder != NULL;

  for (KibitzTier t = 0; t < KIBITZ_N_TIERS; t++)
    n += self->tiers[t].open;

  for (GList *l = self->branches; l != NULL; l = l->next)
    n += ((KibitzMediaBranch *) l->data)->encoder != NULL;
  return n;
}

guint
kibitz_media_source_get_n_branches (KibitzMediaSource *self,
                                    KibitzMediaKind    kind)
{
  guint n = 0;

  for (GList *l = self->branches; l != NULL; l = l->next)
    {
      KibitzMediaBranch *b = l->data;

      n += b->kind == kind && b->block_probe == 0;
    }
  return n;
}

void
kibitz_media_source_set_upload_budget (KibitzMediaSource *self,
                                       int                kbps)
{
  g_return_if_fail (KIBITZ_IS_MEDIA_SOURCE (self));

  self->budget_kbps = kbps > 0 ? kbps : KIBITZ_DEFAULT_UPLOAD_BUDGET_KBPS;
  kibitz_media_source_apply_plan (self);
}

void
kibitz_media_source_get_plan (KibitzMediaSource *self,
                              int               *width,
                              int               *height,
                              int               *fps,
                              int               *video_kbps)
{
  if (width) *width = self->width;
  if (height) *height = self->height;
  if (fps) *fps = self->fps;
  if (video_kbps) *video_kbps = self->video_kbps;
}

gboolean
kibitz_media_source_owns (KibitzMediaSource *self,
                          GstObject         *object)
{
  for (guint i = 0; i < self->elements->len; i++)
    {
      GstObject *e = g_ptr_array_index (self->elements, i);

      if (object == e || gst_object_has_as_ancestor (object, e))
        return TRUE;
    }
  for (GList *l = self->branches; l != NULL; l = l->next)
    if (kibitz_media_branch_owns (l->data, object))
      return TRUE;
  return FALSE;
}

static void
remove_all (KibitzMediaSource *self)
{
  while (self->branches != NULL)
    {
      KibitzMediaBranch *branch = self->branches->data;

      self->branches = g_list_delete_link (self->branches, self->branches);
      g_clear_handle_id (&branch->fallback_id, g_source_remove);
      if (branch->block_probe != 0)
        gst_pad_remove_probe (branch->head_pad, branch->block_probe);
      kibitz_media_branch_remove_elements (self, branch);
      kibitz_media_branch_free (branch);
    }

  for (guint i = 0; self->elements != NULL && i < self->elements->len; i++)
    {
      GstElement *e = g_ptr_array_index (self->elements, i);

      gst_element_set_state (e, GST_STATE_NULL);
      if (GST_OBJECT_PARENT (e) == GST_OBJECT (self->pipeline))
        gst_bin_remove (GST_BIN (self->pipeline), e);
    }
  g_clear_pointer (&self->elements, g_ptr_array_unref);
}

static void
kibitz_media_source_dispose (GObject *object)
{
  KibitzMediaSource *self = KIBITZ_MEDIA_SOURCE (object);

  /* Let a pending camera switch finish before its elements go. */
  if (self->switcher != NULL)
    g_thread_pool_free (g_steal_pointer (&self->switcher), FALSE, TRUE);
  kibitz_media_screen_dispose (self);
  /* Stop streaming first: only streaming threads schedule keyframes. */
  if (self->pipeline != NULL)
    remove_all (self);
  kibitz_media_tiers_dispose (self);
  g_clear_object (&self->camera_pad);
  g_clear_object (&self->slate_pad);
  g_clear_object (&self->pipeline);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (kibitz_media_source_parent_class)->dispose (object);
}

static void
kibitz_media_source_finalize (GObject *object)
{
  KibitzMediaSource *self = KIBITZ_MEDIA_SOURCE (object);

  g_free (self->display_name);
  g_mutex_clear (&self->keyframe_lock);
  g_mutex_clear (&self->screen_plan_lock);

  G_OBJECT_CLASS (kibitz_media_source_parent_class)->finalize (object);
}

static void
kibitz_media_source_class_init (KibitzMediaSourceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = kibitz_media_source_dispose;
  object_class->finalize = kibitz_media_source_finalize;

  GST_DEBUG_CATEGORY_INIT (kibitz_media_source_debug, "kibitz-media-source", 0,
                           "Kibitz local media");
}

static void
kibitz_media_source_init (KibitzMediaSource *self)
{
  g_mutex_init (&self->keyframe_lock);
  g_mutex_init (&self->screen_plan_lock);
  self->elements = g_ptr_array_new_with_free_func (gst_object_unref);
}

KibitzMediaSource *
kibitz_media_source_new (GstElement                     *pipeline,
                         const KibitzMediaSourceOptions *options,
                         GError                        **error)
{
  g_autoptr(KibitzMediaSource) self = NULL;
  KibitzMediaSourceOptions defaults = { 0 };

  g_return_val_if_fail (GST_IS_BIN (pipeline), NULL);

  if (options == NULL)
    options = &defaults;

  self = g_object_new (KIBITZ_TYPE_MEDIA_SOURCE, NULL);
  self->pipeline = gst_object_ref (pipeline);
  self->context = g_main_context_ref_thread_default ();
  self->display_name = g_strdup (options->display_name ? options->display_name : "Kibitz");
  self->mode = options->encoder;
  self->adaptive = options->adaptive;
  self->echo_cancellation = options->echo_cancellation;
  self->max_width = options->max_width > 0 ? options->max_width : 640;
  self->max_height = options->max_height > 0 ? options->max_height : 480;
  self->budget_kbps = options->upload_budget_kbps > 0 ? options->upload_budget_kbps
                                                      : KIBITZ_DEFAULT_UPLOAD_BUDGET_KBPS;
  kibitz_media_plan_for_class (1, self->budget_kbps, &self->width, &self->height, &self->fps,
                               &self->video_kbps);
  self->width = self->height = self->fps = 0;

  if (!build_video (self, kibitz_source_setting_resolve (options->video, KIBITZ_MEDIA_KIND_VIDEO),
                    error) ||
      !kibitz_media_build_screen (self, error) ||
      !build_audio (self, kibitz_source_setting_resolve (options->audio, KIBITZ_MEDIA_KIND_AUDIO),
                    error))
    return NULL;

  /* After scaling, so the stamp's blocks keep their size in every tier. */
  for (guint i = 0; options->stamp_frames && i < KIBITZ_N_TIERS + 1; i++)
    {
      GstElement *filter = i < KIBITZ_N_TIERS ? self->tiers[i].caps : self->video_caps;
      g_autoptr(GstPad) pad = NULL;

      if (filter == NULL || (i == KIBITZ_N_TIERS && self->raw_tee != NULL))
        continue;
      pad = gst_element_get_static_pad (filter, "src");
      gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, stamp_probe_cb, NULL, NULL);
    }

  kibitz_media_source_apply_plan (self);
  /* Until the call's rate control speaks, new links get the high tier. */
  if (kibitz_media_source_is_adaptive (self))
    kibitz_media_tier_set_kbps (self, KIBITZ_TIER_HIGH, ADAPTIVE_START_KBPS);
  for (guint i = 0; i < self->elements->len; i++)
    if (!gst_element_is_locked_state (g_ptr_array_index (self->elements, i)))
      gst_element_sync_state_with_parent (g_ptr_array_index (self->elements, i));

  return g_steal_pointer (&self);
}
