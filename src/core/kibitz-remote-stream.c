/* kibitz-remote-stream.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-remote-stream"

#include "config.h"

#include "kibitz-core-error.h"
#include "kibitz-remote-stream.h"

GST_DEBUG_CATEGORY_STATIC (kibitz_remote_stream_debug);
#define GST_CAT_DEFAULT kibitz_remote_stream_debug

/* A pause between two frames this long is a freeze a viewer notices (at
 * the lowest frame rate sent, 7.5 fps, frames are 133 ms apart). */
#define FREEZE_US (500 * G_TIME_SPAN_MILLISECOND)
/* Recent pauses over GAP_US are kept, so that any reader can ask for the
 * longest within a window of its own. */
#define GAP_US    (150 * G_TIME_SPAN_MILLISECOND)
#define N_GAPS    16

typedef struct {
  gint64 end;
  gint64 length;
} Gap;

/* Shared with the streaming thread's probe, which may outlive the object. */
typedef struct {
  gint64 count;        /* atomic */
  gint64 audible;      /* atomic: audio buffers that were not silence when played */
  gboolean audio;      /* set before the probe runs */
  gint64 first_time;   /* atomic */
  gint64 last_time;    /* atomic */
  GMutex lock;         /* the rest; the probe takes it only after a pause */
  Gap    gaps[N_GAPS];
  guint  next_gap;
  gint64 longest_gap;
  guint  freezes;
} Counters;

static void
counters_clear (gpointer data)
{
  Counters *counters = data;

  g_mutex_clear (&counters->lock);
}

static void
counters_release (gpointer data)
{
  g_atomic_rc_box_release_full (data, counters_clear);
}

static void
note_gap (Counters *counters,
          gint64    now,
          gint64    length)
{
  g_mutex_lock (&counters->lock);
  counters->gaps[counters->next_gap] = (Gap) { now, length };
  counters->next_gap = (counters->next_gap + 1) % N_GAPS;
  counters->longest_gap = MAX (counters->longest_gap, length);
  if (length >= FREEZE_US)
    counters->freezes++;
  g_mutex_unlock (&counters->lock);
}

struct _KibitzRemoteStream
{
  GObject          parent_instance;

  GstElement      *pipeline;
  GstElement      *bin;
  KibitzMediaKind  kind;
  Counters        *counters;
  GstPad          *count_pad;
  GstElement      *sink;
  GstElement      *volume;     /* audio only */
};

G_DEFINE_FINAL_TYPE (KibitzRemoteStream, kibitz_remote_stream, G_TYPE_OBJECT)

/* Whether a decoded buffer carries sound: not a gap, not all zeros (a
 * silenced stream, or a peer sending the silence of a microphone that is
 * off). Stops at the first non-zero byte, so sound costs next to nothing. */
static gboolean
buffer_is_audible (GstBuffer *buffer)
{
  GstMapInfo map;
  gboolean audible = FALSE;

  if (buffer == NULL || GST_BUFFER_FLAG_IS_SET (buffer, GST_BUFFER_FLAG_GAP) ||
      !gst_buffer_map (buffer, &map, GST_MAP_READ))
    return FALSE;
  for (gsize i = 0; i < map.size && !audible; i++)
    audible = map.data[i] != 0;
  gst_buffer_unmap (buffer, &map);
  return audible;
}

static GstPadProbeReturn
count_probe_cb (GstPad          *pad,
                GstPadProbeInfo *info,
                gpointer         data)
{
  Counters *counters = data;
  gint64 zero = 0;
  gint64 now = g_get_monotonic_time ();
  gint64 last;

  if (__atomic_load_n (&counters->first_time, __ATOMIC_SEQ_CST) == 0)
    __atomic_compare_exchange_n (&counters->first_time, &zero, now, FALSE,
                                 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
  __atomic_add_fetch (&counters->count, 1, __ATOMIC_RELAXED);
  if (counters->audio && buffer_is_audible (GST_PAD_PROBE_INFO_BUFFER (info)))
    __atomic_add_fetch (&counters->audible, 1, __ATOMIC_RELAXED);
  last = __atomic_exchange_n (&counters->last_time, now, __ATOMIC_SEQ_CST);
  if (last != 0 && now - last >= GAP_US)
    note_gap (counters, now, now - last);
  return GST_PAD_PROBE_OK;
}

static gboolean
add_chain (KibitzRemoteStream  *self,
           const char * const  *factories,
           GstElement          *sink,
           GstElement         **last_before_sink,
           GError             **error)
{
  GstElement *prev = NULL;

  for (guint i = 0; factories[i] != NULL; i++)
    {
      GstElement *e = kibitz_make_element (factories[i], NULL, error);

      if (e == NULL)
        return FALSE;
      gst_bin_add (GST_BIN (self->bin), e);
      if (g_str_equal (factories[i], "volume"))
        self->volume = e;
      if (g_str_equal (factories[i], "rtpvp8depay"))
        g_object_set (e, "request-keyframe", TRUE, "wait-for-keyframe", TRUE, NULL);
      if (prev != NULL && !gst_element_link (prev, e))
        goto link_failed;
      prev = e;
    }

  gst_bin_add (GST_BIN (self->bin), sink);
  if (prev != NULL && !gst_element_link (prev, sink))
    goto link_failed;
  *last_before_sink = prev;
  return TRUE;

link_failed:
  g_set_error (error, KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_PIPELINE,
               "Could not build the decoder for an incoming stream");
  return FALSE;
}

static const char *
caps_string (const GstStructure *s,
             const char         *field)
{
  const char *v = gst_structure_get_string (s, field);

  return v != NULL ? v : "";
}

/* The decoding chain for the stream's encoding, and its kind. */
static const char * const *
chain_for_caps (GstCaps         *caps,
                KibitzMediaKind *kind)
{
  static const char * const video[] = { "rtpvp8depay", "vp8dec", "videoconvert", NULL };
  /* Load generators (bench/mesh) receive many streams on one small machine:
   * KIBITZ_DECODE_VIDEO=0 counts depayloaded frames instead of decoding. */
  static const char * const video_undecoded[] = { "rtpvp8depay", NULL };
  /* The volume silences a peer whose announced audio is off (protocol.md §4:
   * a muted student is not played, whatever its client sends). */
  static const char * const audio[] = { "rtpopusdepay", "opusdec", "audioconvert",
                                        "audioresample", "volume", NULL };
  static const char * const unknown[] = { NULL };
  const GstStructure *s;
  const char *encoding;

  *kind = KIBITZ_MEDIA_KIND_AUDIO;
  if (caps == NULL || gst_caps_is_empty (caps))
    return unknown;

  s = gst_caps_get_structure (caps, 0);
  encoding = caps_string (s, "encoding-name");
  if (g_ascii_strcasecmp (encoding, "VP8") == 0)
    {
      *kind = KIBITZ_MEDIA_KIND_VIDEO;
      return g_strcmp0 (g_getenv ("KIBITZ_DECODE_VIDEO"), "0") == 0 ? video_undecoded : video;
    }
  if (g_ascii_strcasecmp (encoding, "OPUS") == 0)
    return audio;
  if (g_str_equal (caps_string (s, "media"), "video"))
    *kind = KIBITZ_MEDIA_KIND_VIDEO;
  return unknown;
}

/* The sink given (a floating reference taken), or a fakesink. */
static GstElement *
own_sink (GstElement  *sink,
          GError     **error)
{
  if (sink != NULL)
    return gst_object_ref_sink (sink);
  if (!(sink = kibitz_make_element ("fakesink", NULL, error)))
    return NULL;
  gst_object_ref_sink (sink);
  g_object_set (sink, "sync", FALSE, "async", FALSE, NULL);
  return sink;
}

/* Counts what leaves the decoder (or the depayloader). */
static void
count_at (KibitzRemoteStream *self,
          GstElement         *last)
{
  g_autoptr(GstPad) count_pad = NULL;

  if (last == NULL)
    return;
  count_pad = gst_element_get_static_pad (last, "src");
  self->count_pad = gst_object_ref (count_pad);
  gst_pad_add_probe (count_pad, GST_PAD_PROBE_TYPE_BUFFER, count_probe_cb,
                     g_atomic_rc_box_acquire (self->counters), counters_release);
}

KibitzRemoteStream *
kibitz_remote_stream_new (GstElement  *pipeline,
                          GstPad      *src_pad,
                          GstElement  *sink,
                          gboolean     screen,
                          GError     **error)
{
  g_autoptr(KibitzRemoteStream) self = g_object_new (KIBITZ_TYPE_REMOTE_STREAM, NULL);
  g_autoptr(GstCaps) caps = gst_pad_get_current_caps (src_pad);
  const char * const *factories;
  g_autoptr(GstPad) ghost_target = NULL;
  GstElement *first, *last = NULL;
  GstPad *ghost;

  if (caps == NULL)
    caps = gst_pad_query_caps (src_pad, NULL);
  if (!(sink = own_sink (sink, error)))
    return NULL;
  factories = chain_for_caps (caps, &self->kind);
  if (screen && self->kind == KIBITZ_MEDIA_KIND_VIDEO)
    self->kind = KIBITZ_MEDIA_KIND_SCREEN;
  self->counters->audio = self->kind == KIBITZ_MEDIA_KIND_AUDIO;

  self->pipeline = gst_object_ref (pipeline);
  self->bin = gst_object_ref_sink (gst_bin_new (NULL));
  if (!add_chain (self, factories, sink, &last, error))
    {
      gst_object_unref (sink);
      return NULL;
    }

  /* GST_BIN_CHILDREN is newest first: the oldest child is the chain's head. */
  first = GST_ELEMENT (g_list_last (GST_BIN_CHILDREN (self->bin))->data);
  ghost_target = gst_element_get_static_pad (first, "sink");
  ghost = gst_ghost_pad_new ("sink", ghost_target);
  gst_element_add_pad (self->bin, ghost);
  count_at (self, last);

  gst_bin_add (GST_BIN (pipeline), self->bin);
  gst_element_sync_state_with_parent (self->bin);
  if (GST_PAD_LINK_FAILED (gst_pad_link (src_pad, ghost)))
    {
      g_set_error (error, KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_PIPELINE,
                   "Could not link the incoming stream %s:%s", GST_DEBUG_PAD_NAME (src_pad));
      kibitz_remote_stream_remove (self);
      gst_object_unref (sink);
      return NULL;
    }

  self->sink = sink;
  return g_steal_pointer (&self);
}

GstElement *
kibitz_remote_stream_get_sink (KibitzRemoteStream *self)
{
  return self->sink;
}

KibitzMediaKind
kibitz_remote_stream_get_kind (KibitzRemoteStream *self)
{
  return self->kind;
}

guint64
kibitz_remote_stream_get_count (KibitzRemoteStream *self)
{
  return (guint64) __atomic_load_n (&self->counters->count, __ATOMIC_RELAXED);
}

guint64
kibitz_remote_stream_get_audible (KibitzRemoteStream *self)
{
  return (guint64) __atomic_load_n (&self->counters->audible, __ATOMIC_RELAXED);
}

void
kibitz_remote_stream_set_muted (KibitzRemoteStream *self,
                                gboolean            muted)
{
  if (self->volume != NULL)
    g_object_set (self->volume, "mute", muted, NULL);
}

gint64
kibitz_remote_stream_get_first_time (KibitzRemoteStream *self)
{
  return __atomic_load_n (&self->counters->first_time, __ATOMIC_SEQ_CST);
}

void
kibitz_remote_stream_get_freezes (KibitzRemoteStream *self,
                                  gint64              since,
                                  gint64             *recent_us,
                                  gint64             *longest_us,
                                  guint              *freezes)
{
  Counters *c = self->counters;
  gint64 now = g_get_monotonic_time ();
  gint64 last = __atomic_load_n (&c->last_time, __ATOMIC_SEQ_CST);
  gint64 ongoing = last != 0 ? now - last : 0;

  g_mutex_lock (&c->lock);
  *recent_us = ongoing >= GAP_US ? ongoing : 0;
  for (guint i = 0; i < N_GAPS; i++)
    if (c->gaps[i].end >= since)
      *recent_us = MAX (*recent_us, c->gaps[i].length);
  *longest_us = MAX (c->longest_gap, *recent_us);
  *freezes = c->freezes + (ongoing >= FREEZE_US ? 1 : 0);
  g_mutex_unlock (&c->lock);
}

gboolean
kibitz_remote_stream_get_video_size (KibitzRemoteStream *self,
                                     int                *width,
                                     int                *height)
{
  g_autoptr(GstCaps) caps = NULL;
  const GstStructure *s;

  if (self->kind == KIBITZ_MEDIA_KIND_AUDIO || self->count_pad == NULL ||
      !(caps = gst_pad_get_current_caps (self->count_pad)))
    return FALSE;
  s = gst_caps_get_structure (caps, 0);
  return gst_structure_get_int (s, "width", width) && gst_structure_get_int (s, "height", height);
}

GstElement *
kibitz_remote_stream_get_bin (KibitzRemoteStream *self)
{
  return self->bin;
}

gboolean
kibitz_remote_stream_owns (KibitzRemoteStream *self,
                           GstObject          *object)
{
  return self->bin != NULL &&
         (object == GST_OBJECT (self->bin) ||
          gst_object_has_as_ancestor (object, GST_OBJECT (self->bin)));
}

void
kibitz_remote_stream_remove (KibitzRemoteStream *self)
{
  g_return_if_fail (KIBITZ_IS_REMOTE_STREAM (self));

  if (self->bin == NULL)
    return;
  gst_element_set_state (self->bin, GST_STATE_NULL);
  if (GST_OBJECT_PARENT (self->bin) == GST_OBJECT (self->pipeline))
    gst_bin_remove (GST_BIN (self->pipeline), self->bin);
}

static void
kibitz_remote_stream_dispose (GObject *object)
{
  KibitzRemoteStream *self = KIBITZ_REMOTE_STREAM (object);

  g_clear_object (&self->count_pad);
  g_clear_object (&self->sink);
  g_clear_object (&self->bin);
  g_clear_object (&self->pipeline);

  G_OBJECT_CLASS (kibitz_remote_stream_parent_class)->dispose (object);
}

static void
kibitz_remote_stream_finalize (GObject *object)
{
  KibitzRemoteStream *self = KIBITZ_REMOTE_STREAM (object);

  counters_release (self->counters);

  G_OBJECT_CLASS (kibitz_remote_stream_parent_class)->finalize (object);
}

static void
kibitz_remote_stream_class_init (KibitzRemoteStreamClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = kibitz_remote_stream_dispose;
  G_OBJECT_CLASS (klass)->finalize = kibitz_remote_stream_finalize;

  GST_DEBUG_CATEGORY_INIT (kibitz_remote_stream_debug, "kibitz-remote-stream", 0,
                           "Kibitz incoming media");
}

static void
kibitz_remote_stream_init (KibitzRemoteStream *self)
{
  self->counters = g_atomic_rc_box_new0 (Counters);
  g_mutex_init (&self->counters->lock);
}
