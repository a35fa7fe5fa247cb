/* kibitz-audio-output.h: where every remote participant's audio plays.
 *
 * One small pipeline beside the call's: each remote stream's appsink feeds an
 * appsrc into an audiomixer, then the one webrtcechoprobe that the engine's
 * webrtcdsp (echo cancellation) listens to, then the speakers
 * ($KIBITZ_AUDIO_SINK, else autoaudiosink).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define KIBITZ_TYPE_AUDIO_OUTPUT (kibitz_audio_output_get_type ())
G_DECLARE_FINAL_TYPE (KibitzAudioOutput, kibitz_audio_output, KIBITZ, AUDIO_OUTPUT, GObject)

/* Main thread. NULL (with a sentence) when the elements are missing. */
KibitzAudioOutput *kibitz_audio_output_new        (GError           **error);
/* Any thread (the engine's sink factory): a sink for one remote stream.
 * With self NULL (no output could be made), a sink of its own on the
 * speakers, or NULL when even that is missing. */
GstElement        *kibitz_audio_output_make_sink  (KibitzAudioOutput *self);
/* Buffers of remote audio that went through the echo probe so far. */
guint64            kibitz_audio_output_get_n_buffers (KibitzAudioOutput *self);

G_END_DECLS
