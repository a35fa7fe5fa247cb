/* kibitz-audio-output.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-audio-output"

#include "config.h"

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>

#include "kibitz-audio-output.h"
#include "kibitz-media-source.h"

#define MIX_CAPS "audio/x-raw,format=S16LE,layout=interleaved,rate=48000,channels=1"

struct _KibitzAudioOutput
{
  GObject     parent_instance;

  GstElement *pipeline;
  GstElement *mixer;
  GstElement *probe;
  guint64     n_buffers;   /* atomic */
};

G_DEFINE_FINAL_TYPE (KibitzAudioOutput, kibitz_audio_output, G_TYPE_OBJECT)

typedef struct {
  GWeakRef    output;
  GstElement *appsrc;      /* owned */
} Link;

/* Any thread: the appsink of a remote stream is going away. Its input ends
 * with EOS and the mixer goes on without it; the element itself goes with
 * the pipeline at the end of the call. Taking it out now would mean stopping
 * its streaming thread while it may wait on the mixer: from inside the
 * engine's teardown, that deadlocks. */
static void
link_free (gpointer data)
{
  Link *link = data;

  gst_app_src_end_of_stream (GST_APP_SRC (link->appsrc));
  g_weak_ref_clear (&link->output);
  gst_object_unref (link->appsrc);
  g_free (link);
}

static GstFlowReturn
new_sample_cb (GstAppSink *sink,
               gpointer    user_data)
{
  Link *link = user_data;
  g_autoptr(GstSample) sample = gst_app_sink_pull_sample (sink);
  g_autoptr(KibitzAudioOutput) self = NULL;
  GstBuffer *buffer;

  if (sample == NULL || (buffer = gst_sample_get_buffer (sample)) == NULL)
    return GST_FLOW_OK;

  /* The app's pipeline stamps it on arrival (do-timestamp). */
  buffer = gst_buffer_copy (buffer);
  GST_BUFFER_PTS (buffer) = GST_CLOCK_TIME_NONE;
  GST_BUFFER_DTS (buffer) = GST_CLOCK_TIME_NONE;
  gst_app_src_push_buffer (GST_APP_SRC (link->appsrc), buffer);
  if ((self = g_weak_ref_get (&link->output)))
    g_atomic_pointer_add (&self->n_buffers, 1);
  return GST_FLOW_OK;
}

static const char *
speakers_name (void)
{
  const char *name = g_getenv ("KIBITZ_AUDIO_SINK");

  return (name == NULL || name[0] == '\0') ? "autoaudiosink" : name;
}

/* Without an output (no mixer elements): each stream plays on its own. */
static GstElement *
plain_sink_new (void)
{
  GstElement *sink = gst_element_factory_make (speakers_name (), NULL);

  if (sink == NULL)
    g_message ("cannot play remote audio: no GStreamer element “%s”", speakers_name ());
  return sink;
}

GstElement *
kibitz_audio_output_make_sink (KibitzAudioOutput *self)
{
  GstElement *bin, *convert, *resample, *caps, *sink;
  GstAppSinkCallbacks callbacks = { .new_sample = new_sample_cb };
  g_autoptr(GstPad) pad = NULL;
  g_autoptr(GstPad) mixer_pad = NULL;
  g_autoptr(GstPad) src_pad = NULL;
  g_autoptr(GstCaps) mix_caps = NULL;
  Link *link;

  g_return_val_if_fail (self == NULL || KIBITZ_IS_AUDIO_OUTPUT (self), NULL);

  if (self == NULL)
    return plain_sink_new ();

  bin = gst_bin_new (NULL);
  convert = gst_element_factory_make ("audioconvert", NULL);
  resample = gst_element_factory_make ("audioresample", NULL);
  caps = gst_element_factory_make ("capsfilter", NULL);
  sink = gst_element_factory_make ("appsink", NULL);
  mix_caps = gst_caps_from_string (MIX_CAPS);

  g_object_set (caps, "caps", mix_caps, NULL);
  /* Not async: added to a playing pipeline, an async sink would take the
   * whole call back to PAUSED until it prerolls. */
  g_object_set (sink, "sync", FALSE, "async", FALSE, "max-buffers", 8, "drop", TRUE,
                "enable-last-sample", FALSE, NULL);
  gst_bin_add_many (GST_BIN (bin), convert, resample, caps, sink, NULL);
  gst_element_link_many (convert, resample, caps, sink, NULL);
  pad = gst_element_get_static_pad (convert, "sink");
  gst_element_add_pad (bin, gst_ghost_pad_new ("sink", pad));

  link = g_new0 (Link, 1);
  g_weak_ref_init (&link->output, self);
  link->appsrc = gst_object_ref (gst_element_factory_make ("appsrc", NULL));
  g_object_set (link->appsrc, "caps", mix_caps, "is-live", TRUE, "do-timestamp", TRUE,
                "format", GST_FORMAT_TIME, "max-bytes", (guint64) 48000 * 2 / 5, "block", FALSE,
                NULL);
  gst_app_src_set_leaky_type (GST_APP_SRC (link->appsrc), GST_APP_LEAKY_TYPE_DOWNSTREAM);
  gst_bin_add (GST_BIN (self->pipeline), link->appsrc);
  src_pad = gst_element_get_static_pad (link->appsrc, "src");
  mixer_pad = gst_element_request_pad_simple (self->mixer, "sink_%u");
  if (mixer_pad == NULL || GST_PAD_LINK_FAILED (gst_pad_link (src_pad, mixer_pad)))
    g_message ("cannot mix a remote audio stream");
  gst_element_sync_state_with_parent (link->appsrc);

  /* The link lives as long as the appsink (the engine drops it with the stream). */
  gst_app_sink_set_callbacks (GST_APP_SINK (sink), &callbacks, link, link_free);
  return bin;
}

guint64
kibitz_audio_output_get_n_buffers (KibitzAudioOutput *self)
{
  g_return_val_if_fail (KIBITZ_IS_AUDIO_OUTPUT (self), 0);

  return (guint64) g_atomic_pointer_get (&self->n_buffers);
}

static void
kibitz_audio_output_dispose (GObject *object)
{
  KibitzAudioOutput *self = KIBITZ_AUDIO_OUTPUT (object);

  if (self->pipeline != NULL)
    {
      gst_element_set_state (self->pipeline, GST_STATE_NULL);
      g_clear_object (&self->pipeline);
    }

  G_OBJECT_CLASS (kibitz_audio_output_parent_class)->dispose (object);
}

static void
kibitz_audio_output_class_init (KibitzAudioOutputClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = kibitz_audio_output_dispose;
}

static void
kibitz_audio_output_init (KibitzAudioOutput *self)
{
}

static GstElement *
make (const char  *factory,
      const char  *name,
      GError     **error)
{
  GstElement *element = gst_element_factory_make (factory, name);

  if (element == NULL)
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN,
                 "Cannot play sound: the GStreamer element “%s” is missing", factory);
  return element;
}

KibitzAudioOutput *
kibitz_audio_output_new (GError **error)
{
  g_autoptr(KibitzAudioOutput) self = g_object_new (KIBITZ_TYPE_AUDIO_OUTPUT, NULL);
  const char *sink_name = speakers_name ();
  GstElement *silence, *convert, *resample, *sink, *caps;
  g_autoptr(GstCaps) mix_caps = gst_caps_from_string (MIX_CAPS);

  self->pipeline = gst_object_ref_sink (gst_pipeline_new ("kibitz-audio-output"));
  /* A silent live input keeps the mix running while nobody speaks. */
  if (!(silence = make ("audiotestsrc", NULL, error)) ||
      !gst_bin_add (GST_BIN (self->pipeline), silence) ||
      !(caps = make ("capsfilter", NULL, error)) ||
      !gst_bin_add (GST_BIN (self->pipeline), caps) ||
      !(self->mixer = make ("audiomixer", NULL, error)) ||
      !gst_bin_add (GST_BIN (self->pipeline), self->mixer) ||
      !(convert = make ("audioconvert", NULL, error)) ||
      !gst_bin_add (GST_BIN (self->pipeline), convert) ||
      !(resample = make ("audioresample", NULL, error)) ||
      !gst_bin_add (GST_BIN (self->pipeline), resample) ||
      !(sink = make (sink_name, NULL, error)) ||
      !gst_bin_add (GST_BIN (self->pipeline), sink))
    return NULL;

  g_object_set (silence, "is-live", TRUE, NULL);
  gst_util_set_object_arg (G_OBJECT (silence), "wave", "silence");
  g_object_set (caps, "caps", mix_caps, NULL);
  g_object_set (self->mixer, "latency", (guint64) 40 * GST_MSECOND, NULL);

  /* The echo probe sees exactly what the speakers get. Without the plugin,
   * sound still plays (and the engine leaves out webrtcdsp too). */
  self->probe = gst_element_factory_make ("webrtcechoprobe", KIBITZ_ECHO_PROBE_NAME);
  if (self->probe != NULL)
    gst_bin_add (GST_BIN (self->pipeline), self->probe);
  else
    g_message ("no echo cancellation: webrtcechoprobe is missing (gstreamer1.0-plugins-bad)");

  if (!gst_element_link_many (silence, caps, self->mixer, NULL) ||
      !(self->probe ? gst_element_link_many (self->mixer, self->probe, convert, NULL)
                    : gst_element_link (self->mixer, convert)) ||
      !gst_element_link_many (convert, resample, sink, NULL))
    {
      g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
                   "Cannot play sound: the audio elements do not link");
      return NULL;
    }

  if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_STATE_CHANGE,
                   "Cannot play sound: “%s” does not start", sink_name);
      return NULL;
    }
  return g_steal_pointer (&self);
}
