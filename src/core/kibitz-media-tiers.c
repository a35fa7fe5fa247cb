/* kibitz-media-tiers.c: the camera encoded once per tier (640x480, 320x240,
 * 160x120 at most), each encoder running only while some link uses it, and
 * keyframes asked of one tier at a time.
 *
 * The raw video goes to a tee; each tier is queue -> valve -> videoscale ->
 * videorate -> capsfilter -> vp8enc -> tee. A link's branch takes every
 * tier's output into an input-selector and shows one: switching tiers is one
 * property on the selector, no relinking while data flows. Every encoder makes
 * three temporal layers (period 4: 0 2 1 2) whose reference pattern lets a
 * link leave out layer 2, or layers 1 and 2, and still decode: the steps
 * between tiers.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-media-source"

#include "config.h"

#include <gst/video/video.h>

#include "kibitz-core-error.h"
#include "kibitz-media-source-private.h"

#define GST_CAT_DEFAULT kibitz_media_source_debug

#define KEYFRAME_INTERVAL_US (500 * G_TIME_SPAN_MILLISECOND)

static const char * const tier_names[KIBITZ_N_TIERS] = { "high", "medium", "low" };

/* Layer 0 references and updates LAST only; layer 1 refreshes GOLDEN from
 * LAST; layer 2 updates nothing. No frame above layer 0 touches the entropy
 * context, so a receiver missing them decodes the rest exactly. */
#define LAYER_FLAGS \
  "<no-ref-golden+no-ref-alt+no-upd-golden+no-upd-alt," \
  "no-ref-alt+no-upd-last+no-upd-golden+no-upd-alt+no-upd-entropy," \
  "no-ref-alt+no-upd-last+no-upd-alt+no-upd-entropy," \
  "no-ref-alt+no-upd-last+no-upd-golden+no-upd-alt+no-upd-entropy>"

/* vpxenc's per-layer settings are GValueArrays, which no string sets. */
static void
set_ints (GstElement *encoder,
          const char *property,
          const int  *values,
          guint       n)
{
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  GValueArray *array = g_value_array_new (n);

  for (guint i = 0; i < n; i++)
    {
      GValue v = G_VALUE_INIT;

      g_value_init (&v, G_TYPE_INT);
      g_value_set_int (&v, values[i]);
      g_value_array_append (array, &v);
      g_value_unset (&v);
    }
  g_object_set (encoder, property, array, NULL);
  g_value_array_free (array);
  G_GNUC_END_IGNORE_DEPRECATIONS
}

static void
set_layers (GstElement *encoder)
{
  static const int decimators[] = { 4, 2, 1 };
  static const int layer_ids[] = { 0, 2, 1, 2 };

  g_object_set (encoder, "temporal-scalability-number-layers", 3,
                "temporal-scalability-periodicity", 4, NULL);
  set_ints (encoder, "temporal-scalability-rate-decimator", decimators, 3);
  set_ints (encoder, "temporal-scalability-layer-id", layer_ids, 4);
  kibitz_media_set_arg (encoder, "temporal-scalability-layer-flags", LAYER_FLAGS);
  /* Needed with layer ids: GStreamer 1.22 divides by their count. */
  kibitz_media_set_arg (encoder, "temporal-scalability-layer-sync-flags",
                        "<false,false,false,false>");
}

/* The encoder's total and per-layer targets together (libvpx takes the layers'). */
static void
set_bitrate (KibitzMediaTier *tier,
             guint            kbps)
{
  int layers[KIBITZ_N_LAYERS];

  g_object_set (tier->encoder, "target-bitrate", kbps * 1000, NULL);
  if (!tier->layered)
    return;
  for (guint i = 0; i < KIBITZ_N_LAYERS; i++)
    layers[i] = (int) (kbps * 1000 * kibitz_layer_share (i));
  set_ints (tier->encoder, "temporal-scalability-target-bitrate", layers, KIBITZ_N_LAYERS);
}

static GstElement *
add_tier_element (KibitzMediaSource  *self,
                  GPtrArray          *chain,
                  const char         *factory,
                  const char         *name,
                  GError            **error)
{
  GstElement *e = kibitz_make_element (factory, name, error);

  if (e != NULL)
    {
      kibitz_media_source_add_made (self, e);
      g_ptr_array_add (chain, e);
    }
  return e;
}

static gboolean
build_tier (KibitzMediaSource  *self,
            KibitzTier          t,
            GError            **error)
{
  KibitzMediaTier *tier = &self->tiers[t];
  g_autoptr(GPtrArray) chain = g_ptr_array_new ();
  g_autoptr(GstPad) src = NULL;
  g_autoptr(GstPad) sink = NULL;
  /* The high tier keeps the single encoder's names (tests look for them). */
  g_autofree char *encoder_name = t == KIBITZ_TIER_HIGH
                                    ? g_strdup ("local-video-encoder")
                                    : g_strdup_printf ("local-video-encoder-%s", tier_names[t]);
  g_autofree char *tee_name = t == KIBITZ_TIER_HIGH
                                ? g_strdup ("local-video-tee")
                                : g_strdup_printf ("local-video-tee-%s", tier_names[t]);
  GstElement *e;

  tier->tier = t;
  /* Each encoder in a thread of its own; a slow one drops its oldest frame. */
  if (!(e = add_tier_element (self, chain, "queue", NULL, error)))
    return FALSE;
  kibitz_media_set_arg (e, "leaky", "downstream");
  g_object_set (e, "max-size-buffers", 2, "max-size-bytes", 0, "max-size-time",
                (guint64) 0, NULL);
  if (!(tier->valve = add_tier_element (self, chain, "valve", NULL, error)) ||
      !add_tier_element (self, chain, "videoscale", NULL, error) ||
      !(tier->rate = add_tier_element (self, chain, "videorate", NULL, error)) ||
      !(tier->caps = add_tier_element (self, chain, "capsfilter", NULL, error)))
    return FALSE;
  g_object_set (tier->rate, "drop-only", TRUE, NULL);
  g_object_set (tier->valve, "drop", TRUE, NULL);

  if (!(e = kibitz_media_make_video_encoder (self, encoder_name, error)))
    return FALSE;
  tier->encoder = kibitz_media_source_add_made (self, e);
  g_ptr_array_add (chain, e);
  tier->layered = self->adaptive;
  if (tier->layered)
    set_layers (e);
  if (!(tier->tee = add_tier_element (self, chain, "tee", tee_name, error)))
    return FALSE;
  g_object_set (tier->tee, "allow-not-linked", TRUE, NULL);
  if (!kibitz_media_link_chain (chain, error))
    return FALSE;

  src = gst_element_request_pad_simple (self->raw_tee, "src_%u");
  sink = gst_element_get_static_pad (g_ptr_array_index (chain, 0), "sink");
  /* The camera negotiates with videoconvert alone; each tier scales. */
  kibitz_media_isolate_branch (sink, "video/x-raw, format=I420");
  tier->raw_pad = src != NULL ? gst_object_ref (src) : NULL;
  if (src == NULL || GST_PAD_LINK_FAILED (gst_pad_link (src, sink)))
    {
      g_set_error (error, KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_PIPELINE,
                   "Could not link the %s video tier", tier_names[t]);
      return FALSE;
    }
  return TRUE;
}

/* Shared mode: every tier hangs off the raw tee. The high tier keeps the
 * names (and the media source's video_* fields) the single encoder had. */
gboolean
kibitz_media_build_tiers (KibitzMediaSource  *self,
                          GError            **error)
{
  for (KibitzTier t = 0; t < KIBITZ_N_TIERS; t++)
    if (!build_tier (self, t, error))
      return FALSE;

  self->video_caps = self->tiers[KIBITZ_TIER_HIGH].caps;
  self->video_rate = self->tiers[KIBITZ_TIER_HIGH].rate;
  self->video_encoder = self->tiers[KIBITZ_TIER_HIGH].encoder;
  self->video_tee = self->tiers[KIBITZ_TIER_HIGH].tee;
  return TRUE;
}

/* Raw I420 at this size, square pixels. */
static GstCaps *
raw_caps (int width,
          int height)
{
  return gst_caps_new_simple ("video/x-raw",
                              "format", G_TYPE_STRING, "I420",
                              "width", G_TYPE_INT, width,
                              "height", G_TYPE_INT, height,
                              "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1,
                              NULL);
}

typedef struct {
  GstElement *filter;
  GstElement *rate;
  GstCaps    *caps;   /* NULL: the size stays */
  int         fps;    /* 0: the frame rate stays */
} RawFormat;

static void
raw_format_free (gpointer data)
{
  RawFormat *f = data;

  gst_clear_caps (&f->caps);
  gst_object_unref (f->filter);
  gst_clear_object (&f->rate);
  g_free (f);
}

static GstPadProbeReturn
set_raw_format_cb (GstPad          *pad,
                   GstPadProbeInfo *info,
                   gpointer         data)
{
  RawFormat *f = data;

  if (f->caps != NULL)
    g_object_set (f->filter, "caps", f->caps, NULL);
  if (f->fps > 0 && f->rate != NULL)
    g_object_set (f->rate, "max-rate", f->fps, NULL);
  return GST_PAD_PROBE_REMOVE;
}

/* The source pad whose pushes run the filter's chain: upstream through the
 * one-in, one-out elements in its thread (videorate, videoscale, videoconvert,
 * valve) to the first that is not (a queue, a tee, a selector). */
static GstPad *
chain_entry_pad (GstElement *filter)
{
  GstPad *sink = gst_element_get_static_pad (filter, "sink");

  for (;;)
    {
      GstPad *peer = gst_pad_get_peer (sink);
      GstElement *up = peer != NULL ? gst_pad_get_parent_element (peer) : NULL;
      GstElementFactory *factory = up != NULL ? gst_element_get_factory (up) : NULL;
      gboolean inside = up != NULL &&
                        (GST_IS_BASE_TRANSFORM (up) ||
                         (factory != NULL &&
                          g_str_equal (gst_plugin_feature_get_name (factory), "valve")));

      if (!inside)
        {
          gst_clear_object (&up);
          if (peer == NULL)
            return sink;
          gst_object_unref (sink);
          return peer;
        }
      gst_object_unref (sink);
      gst_object_unref (peer);
      sink = gst_element_get_static_pad (up, "sink");
      gst_object_unref (up);
    }
}

/* The size a raw capsfilter lets through and its videorate's maximum
 * (width 0 or fps 0: unchanged), changed only while no buffer is in that
 * chain. Set from another thread while a buffer was being negotiated, a new
 * size raced the caps event already on its way, the chain failed to
 * negotiate and the camera stopped with "Internal data stream error". */
void
kibitz_media_set_raw_format (GstElement *filter,
                             GstElement *rate,
                             int         width,
                             int         height,
                             int         fps)
{
  kibitz_media_set_raw_caps (filter, rate, width > 0 ? raw_caps (width, height) : NULL, fps);
}

void
kibitz_media_set_raw_caps (GstElement *filter,
                           GstElement *rate,
                           GstCaps    *caps,
                           int         fps)
{
  g_autoptr(GstPad) entry = chain_entry_pad (filter);
  RawFormat *f = g_new0 (RawFormat, 1);

  f->filter = gst_object_ref (filter);
  f->rate = rate != NULL ? gst_object_ref (rate) : NULL;
  f->caps = caps;
  f->fps = fps;
  /* Runs now if the pad is idle, else in its streaming thread after the push. */
  gst_pad_add_probe (entry, GST_PAD_PROBE_TYPE_IDLE, set_raw_format_cb, f, raw_format_free);
}

/* Sizes and frame rates: the high tier at the largest size allowed, each
 * tier below it half as wide (the rate control's tiers, scaled to it). */
void
kibitz_media_tiers_resize (KibitzMediaSource *self,
                           int                high_width,
                           int                high_height)
{
  for (KibitzTier t = 0; t < KIBITZ_N_TIERS; t++)
    {
      KibitzMediaTier *tier = &self->tiers[t];
      int shift = t - KIBITZ_TIER_HIGH;
      int width = MAX ((high_width >> shift) & ~1, 16);
      int height = MAX ((high_height >> shift) & ~1, 16);
      int fps = self->camera_enabled ? kibitz_tier_info (t)->fps : PLACEHOLDER_FPS;

      if (tier->caps == NULL)
        continue;
      if (width != tier->width || height != tier->height || fps != tier->fps)
        kibitz_media_set_raw_format (tier->caps, tier->rate,
                                     width != tier->width || height != tier->height ? width : 0,
                                     height, fps != tier->fps ? fps : 0);
      tier->width = width, tier->height = height, tier->fps = fps;
    }
}

/* --- Bitrates ------------------------------------------------------------------ */

void
kibitz_media_tier_set_kbps (KibitzMediaSource *self,
                            KibitzTier         t,
                            guint              kbps)
{
  KibitzMediaTier *tier = &self->tiers[t];
  gboolean open = kbps > 0;

  if (tier->encoder == NULL)
    return;
  if (kbps > 0 && kbps != tier->kbps)
    set_bitrate (tier, kbps);
  tier->kbps = kbps;
  if (open == tier->open)
    return;

  tier->open = open;
  g_object_set (tier->valve, "drop", !open, NULL);
  GST_INFO ("the %s tier %s", tier_names[t], open ? "starts" : "stops");
  /* An encoder that was idle starts with a keyframe its links can decode. */
  if (open)
    kibitz_media_tier_request_keyframe (self, t);
}

void
kibitz_media_source_set_tier_kbps (KibitzMediaSource *self,
                                   KibitzTier         tier,
                                   guint              kbps)
{
  g_return_if_fail (KIBITZ_IS_MEDIA_SOURCE (self));
  g_return_if_fail (tier < KIBITZ_N_TIERS);

  kibitz_media_tier_set_kbps (self, tier, kbps);
}

guint
kibitz_media_source_get_tier_kbps (KibitzMediaSource *self,
                                   KibitzTier         tier)
{
  g_return_val_if_fail (KIBITZ_IS_MEDIA_SOURCE (self), 0);
  g_return_val_if_fail (tier < KIBITZ_N_TIERS, 0);

  return self->tiers[tier].open ? self->tiers[tier].kbps : 0;
}

void
kibitz_media_source_get_tier_size (KibitzMediaSource *self,
                                   KibitzTier         tier,
                                   int               *width,
                                   int               *height)
{
  g_return_if_fail (KIBITZ_IS_MEDIA_SOURCE (self));
  g_return_if_fail (tier < KIBITZ_N_TIERS);

  *width = self->tiers[tier].width;
  *height = self->tiers[tier].height;
}

/* The tier's frame rate now (lower for the "camera off" slate). */
int
kibitz_media_source_get_tier_fps (KibitzMediaSource *self,
                                  KibitzTier         tier)
{
  g_return_val_if_fail (KIBITZ_IS_MEDIA_SOURCE (self), 0);
  g_return_val_if_fail (tier < KIBITZ_N_TIERS, 0);

  return self->tiers[tier].fps;
}

/* --- Keyframes, one tier at a time ------------------------------------------------ */

static void
force_keyframe (KibitzMediaTier *tier)
{
  g_autoptr(GstPad) pad = NULL;

  if (tier->encoder == NULL)
    return;
  pad = gst_element_get_static_pad (tier->encoder, "src");
  gst_pad_send_event (pad, gst_video_event_new_upstream_force_key_unit (GST_CLOCK_TIME_NONE,
                                                                         TRUE, 0));
}

typedef struct {
  KibitzMediaSource *source;
  KibitzTier         tier;
} Deferred;

static gboolean
deferred_keyframe_cb (gpointer data)
{
  Deferred *d = data;
  KibitzMediaTier *tier = &d->source->tiers[d->tier];

  g_mutex_lock (&d->source->keyframe_lock);
  g_clear_pointer (&tier->keyframe_source, g_source_unref);
  tier->last_keyframe = g_get_monotonic_time ();
  d->source->keyframes_forced++;
  g_mutex_unlock (&d->source->keyframe_lock);

  force_keyframe (tier);
  return G_SOURCE_REMOVE;
}

/* Thread-safe; at most one forced keyframe per 500 ms reaches a tier's
 * encoder, the others ride along with the one scheduled. */
void
kibitz_media_tier_request_keyframe (KibitzMediaSource *self,
                                    KibitzTier         t)
{
  KibitzMediaTier *tier = &self->tiers[t];
  gint64 now = g_get_monotonic_time ();
  gboolean now_ok = FALSE;

  g_mutex_lock (&self->keyframe_lock);
  self->keyframes_requested++;
  if (tier->keyframe_source != NULL)
    ; /* One is already scheduled: this request rides along. */
  else if (now - tier->last_keyframe >= KEYFRAME_INTERVAL_US)
    {
      tier->last_keyframe = now;
      self->keyframes_forced++;
      now_ok = TRUE;
    }
  else
    {
      gint64 wait_us = tier->last_keyframe + KEYFRAME_INTERVAL_US - now;
      Deferred *d = g_new (Deferred, 1);

      d->source = self;
      d->tier = t;
      tier->keyframe_source = g_timeout_source_new (wait_us / 1000 + 1);
      /* No reference: dispose destroys the source once streaming has stopped. */
      g_source_set_callback (tier->keyframe_source, deferred_keyframe_cb, d, g_free);
      g_source_attach (tier->keyframe_source, self->context);
    }
  g_mutex_unlock (&self->keyframe_lock);

  if (now_ok)
    force_keyframe (tier);
}

void
kibitz_media_tiers_dispose (KibitzMediaSource *self)
{
  for (KibitzTier t = 0; t < KIBITZ_N_TIERS; t++)
    {
      KibitzMediaTier *tier = &self->tiers[t];

      if (tier->keyframe_source != NULL)
        {
          g_source_destroy (tier->keyframe_source);
          g_clear_pointer (&tier->keyframe_source, g_source_unref);
        }
      g_clear_object (&tier->raw_pad);
    }
}

const char *
kibitz_media_tier_name (KibitzTier tier)
{
  return tier < KIBITZ_N_TIERS ? tier_names[tier] : "none";
}

/* --- A link's branch on the tiers -------------------------------------------------- */

GstElement *
kibitz_media_branch_make_selector (KibitzMediaBranch  *branch,
                                   GError            **error)
{
  if (!(branch->selector = kibitz_make_element ("input-selector", NULL, error)))
    return NULL;
  gst_object_ref_sink (branch->selector);
  /* Inactive tiers are dropped at once, never waited for. */
  g_object_set (branch->selector, "sync-streams", FALSE, "cache-buffers", FALSE, NULL);
  return branch->selector;
}

/* Streaming thread (the branch queue's): what of its tier this link is sent.
 * No video at all for a link without a tier; after a switch nothing until
 * the new tier's keyframe; then no frame above the link's temporal layer. */
static GstPadProbeReturn
layer_filter_cb (GstPad          *pad,
                 GstPadProbeInfo *info,
                 gpointer         data)
{
  KibitzMediaBranch *branch = data;
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);
  GstCustomMeta *meta;
  guint layer = 0;

  if (g_atomic_int_get (&branch->tier) >= KIBITZ_N_TIERS)
    return GST_PAD_PROBE_DROP;
  if (!GST_BUFFER_FLAG_IS_SET (buffer, GST_BUFFER_FLAG_DELTA_UNIT))
    {
      g_atomic_int_set (&branch->want_keyframe, 0);
      return GST_PAD_PROBE_OK;
    }
  if (g_atomic_int_get (&branch->want_keyframe))
    return GST_PAD_PROBE_DROP;

  meta = gst_buffer_get_custom_meta (buffer, "GstVP8Meta");
  if (meta != NULL)
    gst_structure_get_uint (gst_custom_meta_get_structure (meta), "layer-id", &layer);
  return layer > (guint) g_atomic_int_get (&branch->layer) ? GST_PAD_PROBE_DROP
                                                            : GST_PAD_PROBE_OK;
}

typedef struct {
  KibitzMediaBranch *branch;
  KibitzTier         tier;
} TierPad;

/* Streaming thread of one tier's encoder: a switch waiting for this tier
 * happens at its keyframe, so the link keeps showing the old tier until the
 * new one can be decoded (no freeze on a switch). */
static GstPadProbeReturn
switch_at_keyframe_cb (GstPad          *pad,
                       GstPadProbeInfo *info,
                       gpointer         data)
{
  TierPad *tp = data;
  KibitzMediaBranch *branch = tp->branch;
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);
  int expected = tp->tier, none = KIBITZ_TIER_NONE;

  if (g_atomic_int_get (&branch->pending_tier) != expected ||
      GST_BUFFER_FLAG_IS_SET (buffer, GST_BUFFER_FLAG_DELTA_UNIT))
    return GST_PAD_PROBE_OK;
  if (!g_atomic_int_compare_and_exchange (&branch->pending_tier, expected, none))
    return GST_PAD_PROBE_OK;
  g_object_set (branch->selector, "active-pad", branch->selector_pads[tp->tier], NULL);
  g_atomic_int_set (&branch->tier, tp->tier);
  g_atomic_int_set (&branch->want_keyframe, 0);
  return GST_PAD_PROBE_OK;
}

gboolean
kibitz_media_branch_attach_tiers (KibitzMediaSource  *self,
                                  KibitzMediaBranch  *branch,
                                  GError            **error)
{
  g_autoptr(GstPad) queue_src = gst_element_get_static_pad (branch->queue, "src");

  for (KibitzTier t = 0; t < KIBITZ_N_TIERS; t++)
    {
      branch->selector_pads[t] = gst_element_request_pad_simple (branch->selector, "sink_%u");
      branch->tier_pads[t] = gst_element_request_pad_simple (self->tiers[t].tee, "src_%u");
      if (branch->selector_pads[t] == NULL || branch->tier_pads[t] == NULL ||
          GST_PAD_LINK_FAILED (gst_pad_link (branch->tier_pads[t], branch->selector_pads[t])))
        {
          g_set_error (error, KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_PIPELINE,
                       "Could not link the %s tier to a new branch", tier_names[t]);
          return FALSE;
        }
      {
        TierPad *tp = g_new (TierPad, 1);

        tp->branch = branch;
        tp->tier = t;
        gst_pad_add_probe (branch->tier_pads[t], GST_PAD_PROBE_TYPE_BUFFER, switch_at_keyframe_cb,
                           tp, g_free);
      }
    }

  /* A new link starts on the high tier with every layer: the rate control
   * moves it within a quarter of a second. */
  g_atomic_int_set (&branch->tier, KIBITZ_TIER_HIGH);
  g_atomic_int_set (&branch->pending_tier, KIBITZ_TIER_NONE);
  g_atomic_int_set (&branch->layer, KIBITZ_N_LAYERS - 1);
  g_object_set (branch->selector, "active-pad", branch->selector_pads[KIBITZ_TIER_HIGH], NULL);
  gst_pad_add_probe (queue_src, GST_PAD_PROBE_TYPE_BUFFER, layer_filter_cb, branch, NULL);
  return TRUE;
}

void
kibitz_media_branch_detach_tiers (KibitzMediaSource *self,
                                  KibitzMediaBranch *branch)
{
  for (KibitzTier t = 0; t < KIBITZ_N_TIERS; t++)
    {
      if (branch->tier_pads[t] == NULL)
        continue;
      if (branch->selector_pads[t] != NULL)
        gst_pad_unlink (branch->tier_pads[t], branch->selector_pads[t]);
      gst_element_release_request_pad (self->tiers[t].tee, branch->tier_pads[t]);
    }
}

/* Main thread. A link keeps its tier until the new one's keyframe (asked
 * for now) reaches it (switch_at_keyframe_cb()); from no video at all it
 * waits for that keyframe too. Stopping its video is at once. */
void
kibitz_media_branch_set_tier (KibitzMediaBranch *branch,
                              KibitzTier         tier,
                              guint              layer)
{
  KibitzTier old = g_atomic_int_get (&branch->tier);

  g_atomic_int_set (&branch->layer, MIN (layer, KIBITZ_N_LAYERS - 1));
  if (branch->selector == NULL)
    return;
  if (tier == old)
    {
      g_atomic_int_set (&branch->pending_tier, KIBITZ_TIER_NONE);
      return;
    }
  if (tier >= KIBITZ_N_TIERS)
    {
      g_atomic_int_set (&branch->pending_tier, KIBITZ_TIER_NONE);
      g_atomic_int_set (&branch->tier, KIBITZ_TIER_NONE);
      g_atomic_int_set (&branch->want_keyframe, 1);
      return;
    }
  if (g_atomic_int_get (&branch->pending_tier) == (int) tier)
    return;
  g_atomic_int_set (&branch->pending_tier, tier);
  kibitz_media_tier_request_keyframe (branch->source, tier);
  GST_DEBUG ("a link moves from the %s to the %s tier at its next keyframe",
             kibitz_media_tier_name (old), tier_names[tier]);
}

/* The tier the link is sent now, or the one it is about to be (the rate
 * control plans with where it goes). */
KibitzTier
kibitz_media_branch_get_tier (KibitzMediaBranch *branch)
{
  int pending = g_atomic_int_get (&branch->pending_tier);
  int tier = g_atomic_int_get (&branch->tier);

  return pending != KIBITZ_TIER_NONE ? (KibitzTier) pending : (KibitzTier) tier;
}

guint
kibitz_media_branch_get_layer (KibitzMediaBranch *branch)
{
  return g_atomic_int_get (&branch->layer);
}

/* One encoder per link: the link's own bitrate. */
void
kibitz_media_branch_set_kbps (KibitzMediaBranch *branch,
                              guint              kbps)
{
  if (branch->encoder != NULL && kbps > 0)
    g_object_set (branch->encoder, "target-bitrate", kbps * 1000, NULL);
}
