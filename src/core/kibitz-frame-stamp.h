/* kibitz-frame-stamp.h: a timestamp drawn into video frames, for measuring
 * glass-to-glass latency (bench/latency).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gst/video/video.h>

G_BEGIN_DECLS

/* Draws time_ms (a g_get_monotonic_time() / 1000, the same clock for every
 * process on a machine) into the top rows of an I420 frame as blocks of
 * black and white, big enough to survive a low-bitrate VP8 round trip.
 * Frames narrower than 160 pixels are left alone. */
void     kibitz_frame_stamp_write (GstVideoFrame *frame,
                                   gint64         time_ms);
/* Reads a stamp back; FALSE when the frame carries none (or it was damaged:
 * a marker and a checksum guard it). */
gboolean kibitz_frame_stamp_read  (GstVideoFrame *frame,
                                   gint64        *time_ms);

G_END_DECLS
