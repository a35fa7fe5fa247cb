/* kibitz-remote-stream.h: one incoming track: depayload, decode, hand to a sink.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gst/gst.h>

#include "kibitz-media-source.h"

G_BEGIN_DECLS

#define KIBITZ_TYPE_REMOTE_STREAM (kibitz_remote_stream_get_type ())
G_DECLARE_FINAL_TYPE (KibitzRemoteStream, kibitz_remote_stream, KIBITZ, REMOTE_STREAM, GObject)

/* Builds depayloader -> decoder -> convert -> sink in a bin inside pipeline and
 * links src_pad (a webrtcbin src pad) to it. Safe to call from pad-added, in a
 * streaming thread. sink (floating reference taken) may be NULL: a fakesink.
 * The caps decide the kind (a video that is a shared screen is SCREEN);
 * unknown encodings go to a fakesink, counted as 0. */
KibitzRemoteStream *kibitz_remote_stream_new (GstElement  *pipeline,
                                              GstPad      *src_pad,
                                              GstElement  *sink,
                                              gboolean     screen,
                                              GError     **error) G_GNUC_WARN_UNUSED_RESULT;

KibitzMediaKind kibitz_remote_stream_get_kind       (KibitzRemoteStream *self);
/* Decoded video frames, or decoded audio buffers. Thread-safe. */
guint64         kibitz_remote_stream_get_count      (KibitzRemoteStream *self);
/* Audio buffers played with sound in them (not silenced, not silence). */
guint64         kibitz_remote_stream_get_audible    (KibitzRemoteStream *self);
/* Plays silence instead of the audio (video: nothing happens). Any thread. */
void            kibitz_remote_stream_set_muted      (KibitzRemoteStream *self,
                                                     gboolean            muted);
/* g_get_monotonic_time() of the first decoded frame/buffer, 0 if none yet. */
gint64          kibitz_remote_stream_get_first_time (KibitzRemoteStream *self);
/* Pauses between decoded frames (after the first): the longest that ended
 * at or after `since` (monotonic) or is still going on, the longest of all,
 * and how many lasted 500 ms or more (freezes a viewer notices, an ongoing
 * one included). Thread-safe. */
void            kibitz_remote_stream_get_freezes    (KibitzRemoteStream *self,
                                                     gint64              since,
                                                     gint64             *recent_us,
                                                     gint64             *longest_us,
                                                     guint              *freezes);
/* The decoded video size, FALSE before the first frame or for audio. */
gboolean        kibitz_remote_stream_get_video_size (KibitzRemoteStream *self,
                                                     int                *width,
                                                     int                *height);
GstElement     *kibitz_remote_stream_get_bin        (KibitzRemoteStream *self);
/* The sink the stream plays into (the one given, or the fakesink). */
GstElement     *kibitz_remote_stream_get_sink       (KibitzRemoteStream *self);
gboolean        kibitz_remote_stream_owns           (KibitzRemoteStream *self,
                                                     GstObject          *object);
/* Sets the bin to NULL and removes it from the pipeline. Main thread, after
 * the webrtcbin feeding it has stopped. */
void            kibitz_remote_stream_remove         (KibitzRemoteStream *self);

G_END_DECLS
