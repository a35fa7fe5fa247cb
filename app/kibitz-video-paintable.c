/* kibitz-video-paintable.c
 *
 * Frames arrive in the appsink's streaming thread. Only the newest one is
 * kept in a shared slot; one idle callback at a time moves it to the main
 * thread, where it becomes a GdkMemoryTexture that still points into the
 * mapped GstBuffer (no copy): the buffer is unmapped when the texture goes.
 * The frames are opaque, so BGRA is also premultiplied BGRA, the layout
 * cairo and GL upload without converting.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-video-paintable"

#include "config.h"

#include <gst/app/gstappsink.h>
#include <gst/video/video.h>

#include "kibitz-video-paintable.h"

/* Shared between the streaming thread and the paintable; outlives either. */
typedef struct {
  GMutex     lock;
  GstSample *pending;      /* the newest sample not drawn yet */
  gboolean   scheduled;    /* an idle callback is on its way */
  GWeakRef   paintable;
} Feed;

struct _KibitzVideoPaintable
{
  GObject     parent_instance;

  Feed       *feed;
  GstElement *sink;
  GdkTexture *texture;
  guint64     n_frames;
};

static void kibitz_video_paintable_iface_init (GdkPaintableInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (KibitzVideoPaintable, kibitz_video_paintable, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (GDK_TYPE_PAINTABLE,
                                                      kibitz_video_paintable_iface_init))

static void
feed_clear (Feed *feed)
{
  g_clear_pointer (&feed->pending, gst_sample_unref);
  g_weak_ref_clear (&feed->paintable);
  g_mutex_clear (&feed->lock);
}

static Feed *
feed_new (KibitzVideoPaintable *paintable)
{
  Feed *feed = g_atomic_rc_box_new0 (Feed);

  g_mutex_init (&feed->lock);
  g_weak_ref_init (&feed->paintable, paintable);
  return feed;
}

static void
feed_release (gpointer data)
{
  g_atomic_rc_box_release_full (data, (GDestroyNotify) feed_clear);
}

typedef struct {
  GstVideoFrame frame;
} MappedFrame;

static void
mapped_frame_free (gpointer data)
{
  MappedFrame *mapped = data;

  gst_video_frame_unmap (&mapped->frame);
  g_free (mapped);
}

/* Wraps the frame's memory in a texture; the buffer stays mapped (and
 * referenced) for as long as the texture lives. */
static GdkTexture *
texture_from_sample (GstSample *sample)
{
  g_autoptr(GBytes) bytes = NULL;
  GstVideoInfo info;
  MappedFrame *mapped;
  GstCaps *caps = gst_sample_get_caps (sample);
  GstBuffer *buffer = gst_sample_get_buffer (sample);

  if (caps == NULL || buffer == NULL || !gst_video_info_from_caps (&info, caps))
    return NULL;

  mapped = g_new0 (MappedFrame, 1);
  if (!gst_video_frame_map (&mapped->frame, &info, buffer, GST_MAP_READ))
    {
      g_free (mapped);
      return NULL;
    }

  bytes = g_bytes_new_with_free_func (GST_VIDEO_FRAME_PLANE_DATA (&mapped->frame, 0),
                                      GST_VIDEO_FRAME_PLANE_STRIDE (&mapped->frame, 0) *
                                      GST_VIDEO_FRAME_HEIGHT (&mapped->frame),
                                      mapped_frame_free, mapped);
  return gdk_memory_texture_new (GST_VIDEO_FRAME_WIDTH (&mapped->frame),
                                 GST_VIDEO_FRAME_HEIGHT (&mapped->frame),
                                 GDK_MEMORY_B8G8R8A8_PREMULTIPLIED, bytes,
                                 GST_VIDEO_FRAME_PLANE_STRIDE (&mapped->frame, 0));
}

static void
show_sample (KibitzVideoPaintable *self,
             GstSample            *sample)
{
  GdkTexture *texture = texture_from_sample (sample);
  gboolean resized;

  if (texture == NULL)
    return;

  resized = self->texture == NULL ||
            gdk_texture_get_width (self->texture) != gdk_texture_get_width (texture) ||
            gdk_texture_get_height (self->texture) != gdk_texture_get_height (texture);
  g_set_object (&self->texture, texture);
  g_object_unref (texture);
  self->n_frames++;

  if (resized)
    gdk_paintable_invalidate_size (GDK_PAINTABLE (self));
  gdk_paintable_invalidate_contents (GDK_PAINTABLE (self));
}

static gboolean
draw_pending_cb (gpointer data)
{
  Feed *feed = data;
  g_autoptr(KibitzVideoPaintable) self = g_weak_ref_get (&feed->paintable);
  g_autoptr(GstSample) sample = NULL;

  g_mutex_lock (&feed->lock);
  sample = g_steal_pointer (&feed->pending);
  feed->scheduled = FALSE;
  g_mutex_unlock (&feed->lock);

  if (self != NULL && sample != NULL)
    show_sample (self, sample);

  return G_SOURCE_REMOVE;
}

/* Streaming thread. */
static GstFlowReturn
new_sample_cb (GstAppSink *sink,
               gpointer    data)
{
  Feed *feed = data;
  GstSample *sample = gst_app_sink_pull_sample (sink);
  gboolean schedule;

  if (sample == NULL)
    return GST_FLOW_OK;

  g_mutex_lock (&feed->lock);
  g_clear_pointer (&feed->pending, gst_sample_unref);
  feed->pending = sample;
  schedule = !feed->scheduled;
  feed->scheduled = TRUE;
  g_mutex_unlock (&feed->lock);

  /* Always queued to the main context: g_main_context_invoke_full() would
   * draw right here in the streaming thread whenever the main thread is not
   * iterating, replacing the texture under a reader's feet (an ASan SEGV in
   * the UI test's gdk_texture_download). */
  if (schedule)
    {
      GSource *source = g_idle_source_new ();

      g_source_set_priority (source, G_PRIORITY_DEFAULT);
      g_source_set_callback (source, draw_pending_cb, g_atomic_rc_box_acquire (feed),
                             feed_release);
      g_source_attach (source, NULL);
      g_source_unref (source);
    }

  return GST_FLOW_OK;
}

GstElement *
kibitz_video_sink_new (void)
{
  g_autoptr(GstCaps) caps = gst_caps_from_string ("video/x-raw,format=BGRA");
  GstElement *sink = gst_element_factory_make ("appsink", NULL);

  g_return_val_if_fail (sink != NULL, NULL);
  g_object_set (sink,
                "caps", caps,
                "max-buffers", 1,
                "drop", TRUE,
                "sync", FALSE,
                /* Added to a playing pipeline: an async sink would take the
                 * whole pipeline back to PAUSED until it prerolls. */
                "async", FALSE,
                "enable-last-sample", FALSE,
                NULL);
  return sink;
}

void
kibitz_video_paintable_set_sink (KibitzVideoPaintable *self,
                                 GstElement           *sink)
{
  GstAppSinkCallbacks callbacks = { .new_sample = new_sample_cb };

  g_return_if_fail (KIBITZ_IS_VIDEO_PAINTABLE (self));
  g_return_if_fail (GST_IS_APP_SINK (sink));

  if (self->sink == sink)
    return;

  if (self->sink != NULL)
    gst_app_sink_set_callbacks (GST_APP_SINK (self->sink), &(GstAppSinkCallbacks) { 0 },
                                NULL, NULL);
  g_set_object (&self->sink, sink);
  gst_app_sink_set_callbacks (GST_APP_SINK (sink), &callbacks,
                              g_atomic_rc_box_acquire (self->feed), feed_release);
}

GdkTexture *
kibitz_video_paintable_get_texture (KibitzVideoPaintable *self)
{
  g_return_val_if_fail (KIBITZ_IS_VIDEO_PAINTABLE (self), NULL);

  return self->texture;
}

guint64
kibitz_video_paintable_get_n_frames (KibitzVideoPaintable *self)
{
  g_return_val_if_fail (KIBITZ_IS_VIDEO_PAINTABLE (self), 0);

  return self->n_frames;
}

static void
kibitz_video_paintable_snapshot (GdkPaintable *paintable,
                                 GdkSnapshot  *snapshot,
                                 double        width,
                                 double        height)
{
  KibitzVideoPaintable *self = KIBITZ_VIDEO_PAINTABLE (paintable);

  if (self->texture != NULL)
    gdk_paintable_snapshot (GDK_PAINTABLE (self->texture), snapshot, width, height);
}

static GdkPaintable *
kibitz_video_paintable_get_current_image (GdkPaintable *paintable)
{
  KibitzVideoPaintable *self = KIBITZ_VIDEO_PAINTABLE (paintable);

  if (self->texture != NULL)
    return GDK_PAINTABLE (g_object_ref (self->texture));
  return gdk_paintable_new_empty (0, 0);
}

/* No intrinsic width or height, only an aspect ratio: a tile's size comes
 * from the grid, never from whatever resolution a peer happens to send. */
static double
kibitz_video_paintable_get_intrinsic_aspect_ratio (GdkPaintable *paintable)
{
  KibitzVideoPaintable *self = KIBITZ_VIDEO_PAINTABLE (paintable);

  if (self->texture == NULL)
    return 4.0 / 3.0;
  return (double) gdk_texture_get_width (self->texture) / gdk_texture_get_height (self->texture);
}

static void
kibitz_video_paintable_iface_init (GdkPaintableInterface *iface)
{
  iface->snapshot = kibitz_video_paintable_snapshot;
  iface->get_current_image = kibitz_video_paintable_get_current_image;
  iface->get_intrinsic_aspect_ratio = kibitz_video_paintable_get_intrinsic_aspect_ratio;
}

static void
kibitz_video_paintable_dispose (GObject *object)
{
  KibitzVideoPaintable *self = KIBITZ_VIDEO_PAINTABLE (object);

  /* The appsink may outlive us in the pipeline: stop it calling into our feed. */
  if (self->sink != NULL)
    gst_app_sink_set_callbacks (GST_APP_SINK (self->sink), &(GstAppSinkCallbacks) { 0 },
                                NULL, NULL);
  g_clear_object (&self->sink);
  g_clear_object (&self->texture);

  G_OBJECT_CLASS (kibitz_video_paintable_parent_class)->dispose (object);
}

static void
kibitz_video_paintable_finalize (GObject *object)
{
  KibitzVideoPaintable *self = KIBITZ_VIDEO_PAINTABLE (object);

  g_clear_pointer (&self->feed, feed_release);

  G_OBJECT_CLASS (kibitz_video_paintable_parent_class)->finalize (object);
}

static void
kibitz_video_paintable_class_init (KibitzVideoPaintableClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = kibitz_video_paintable_dispose;
  object_class->finalize = kibitz_video_paintable_finalize;
}

static void
kibitz_video_paintable_init (KibitzVideoPaintable *self)
{
  self->feed = feed_new (self);
}

KibitzVideoPaintable *
kibitz_video_paintable_new (void)
{
  return g_object_new (KIBITZ_TYPE_VIDEO_PAINTABLE, NULL);
}
