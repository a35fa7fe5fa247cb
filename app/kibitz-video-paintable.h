/* kibitz-video-paintable.h: a GdkPaintable fed by an appsink.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gst/gst.h>
#include <gtk/gtk.h>

G_BEGIN_DECLS

#define KIBITZ_TYPE_VIDEO_PAINTABLE (kibitz_video_paintable_get_type ())
G_DECLARE_FINAL_TYPE (KibitzVideoPaintable, kibitz_video_paintable, KIBITZ, VIDEO_PAINTABLE, GObject)

/* An appsink that takes BGRA frames and keeps only the newest; safe to call
 * from any thread (the call engine's sink factory runs in a streaming thread). */
GstElement           *kibitz_video_sink_new                (void);

KibitzVideoPaintable *kibitz_video_paintable_new           (void);
/* Starts drawing what sink (made by kibitz_video_sink_new()) receives. */
void                  kibitz_video_paintable_set_sink      (KibitzVideoPaintable *self,
                                                            GstElement           *sink);
/* The newest frame, or NULL before the first one. */
GdkTexture           *kibitz_video_paintable_get_texture   (KibitzVideoPaintable *self);
guint64               kibitz_video_paintable_get_n_frames  (KibitzVideoPaintable *self);

G_END_DECLS
