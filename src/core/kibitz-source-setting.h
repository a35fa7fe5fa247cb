/* kibitz-source-setting.h: the one place that reads a camera or microphone
 * setting and builds its source, for the call and for the lobby's preview.
 *
 * A setting is what the user (or a test) chose:
 *   NULL or ""   automatic: $KIBITZ_VIDEO_SOURCE / $KIBITZ_AUDIO_SOURCE,
 *                else the system default (autovideosrc / autoaudiosrc);
 *   "none"       no device: the "camera off" slate, silence;
 *   "test"       a test pattern with the name drawn on it, a tone;
 *   "/dev/…"     a V4L2 camera;
 *   an element name ("v4l2src") or a gst-launch bin description
 *                ("pipewiresrc path=42", "v4l2src device=/dev/video2").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gst/gst.h>

#include "kibitz-media-source.h"

G_BEGIN_DECLS

/* The setting in effect: the environment and the default applied. Never NULL. */
const char *kibitz_source_setting_resolve  (const char       *setting,
                                            KibitzMediaKind   kind);
gboolean    kibitz_source_setting_is_none  (const char       *setting,
                                            KibitzMediaKind   kind);
gboolean    kibitz_source_setting_is_test  (const char       *setting,
                                            KibitzMediaKind   kind);

/* The camera of a setting (not "none"): a live source whose src pad gives
 * raw video; for "test" a 30 fps pattern with display_name drawn on it.
 * Returns a floating element (a bin when it takes several), named name. */
GstElement *kibitz_video_source_new        (const char       *setting,
                                            const char       *display_name,
                                            const char       *name,
                                            GError          **error);
/* The microphone of a setting (not "none"); "test" is a quiet tone. */
GstElement *kibitz_audio_source_new        (const char       *setting,
                                            const char       *name,
                                            GError          **error);

/* A screen to share: "test" (a still picture with the name and a clock on
 * it), an element name ("ximagesrc") or a bin description. The portal's
 * stream is made by the app (pipewiresrc). */
GstElement *kibitz_screen_source_new       (const char       *setting,
                                            const char       *display_name,
                                            GError          **error);

/* A pipeline of its own that shows the camera of a setting in sink (small,
 * any raw format the sink takes), as the lobby's preview. NULL with an error
 * for "none" (KIBITZ_CORE_ERROR_NO_DEVICE) or a source that cannot be made.
 * Errors while it plays come on its bus. */
GstElement *kibitz_video_preview_new       (const char       *setting,
                                            GstElement       *sink,
                                            GError          **error);

G_END_DECLS
