/* kibitz-media-branch.c: one peer's branch off the tee, and keyframe requests.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-media-source"

#include "config.h"

#include <gst/video/video.h>

#include "kibitz-core-error.h"
#include "kibitz-media-source-private.h"

#define GST_CAT_DEFAULT kibitz_media_source_debug

#define LINK_KEYFRAME_INTERVAL_US G_USEC_PER_SEC
#define BRANCH_UNLINK_TIMEOUT_MS 1000
#define BRANCH_ELEMENTS 5

/* --- Keyframes ---------------------------------------------------------------- */

/* Every tier that runs (with one encoder per link there is none to ask). */
void
kibitz_media_source_request_keyframe (KibitzMediaSource *self)
{
  gboolean asked = FALSE;

  g_return_if_fail (KIBITZ_IS_MEDIA_SOURCE (self));

  for (KibitzTier t = 0; t < KIBITZ_N_TIERS; t++)
    if (self->tiers[t].open)
      {
        kibitz_media_tier_request_keyframe (self, t);
        asked = TRUE;
      }
  if (!asked)
    {
      g_mutex_lock (&self->keyframe_lock);
      self->keyframes_requested++;
      g_mutex_unlock (&self->keyframe_lock);
    }
}

/* One link's request: to its own tier only, and at most one a second from
 * one link, so a link that keeps losing frames cannot make a whole tier send
 * keyframes (they are large) twice a second to everyone. Any thread. */
void
kibitz_media_branch_request_keyframe (KibitzMediaBranch *branch)
{
  KibitzMediaSource *self = branch->source;
  int tier = g_atomic_int_get (&branch->tier);
  gint64 now = g_get_monotonic_time ();
  gboolean pass;

  if (branch->kind == KIBITZ_MEDIA_KIND_SCREEN)
    {
      kibitz_media_screen_request_keyframe (self);
      return;
    }
  if (branch->selector == NULL)
    {
      kibitz_media_source_request_keyframe (self);
      return;
    }
  if (tier >= KIBITZ_N_TIERS)
    return;

  g_mutex_lock (&self->keyframe_lock);
  pass = now - branch->keyframe_asked >= LINK_KEYFRAME_INTERVAL_US;
  if (pass)
    branch->keyframe_asked = now;
  else
    self->keyframes_requested++;
  g_mutex_unlock (&self->keyframe_lock);
  if (pass)
    kibitz_media_tier_request_keyframe (self, tier);
}

guint
kibitz_media_source_get_keyframes_forced (KibitzMediaSource *self)
{
  guint n;

  g_mutex_lock (&self->keyframe_lock);
  n = self->keyframes_forced;
  g_mutex_unlock (&self->keyframe_lock);
  return n;
}

guint
kibitz_media_source_get_keyframes_requested (KibitzMediaSource *self)
{
  guint n;

  g_mutex_lock (&self->keyframe_lock);
  n = self->keyframes_requested;
  g_mutex_unlock (&self->keyframe_lock);
  return n;
}

/* Runs in a streaming thread: a peer's PLI/FIR arrives as GstForceKeyUnit. */
static GstPadProbeReturn
keyframe_request_probe_cb (GstPad          *pad,
                           GstPadProbeInfo *info,
                           gpointer         data)
{
  KibitzMediaBranch *branch = data;
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);

  if (!gst_video_event_is_force_key_unit (event))
    return GST_PAD_PROBE_OK;

  if (branch->kind == KIBITZ_MEDIA_KIND_SCREEN)
    {
      kibitz_media_screen_request_keyframe (branch->source);
      return GST_PAD_PROBE_DROP;
    }
  if (branch->encoder != NULL)
    {
      /* Per-peer encoder: the request concerns this connection only. */
      g_mutex_lock (&branch->source->keyframe_lock);
      branch->source->keyframes_requested++;
      g_mutex_unlock (&branch->source->keyframe_lock);
      return GST_PAD_PROBE_OK;
    }

  kibitz_media_branch_request_keyframe (branch);
  return GST_PAD_PROBE_DROP;
}

/* --- Branches ----------------------------------------------------------------- */

static const char *
kind_name (KibitzMediaKind kind)
{
  return kind == KIBITZ_MEDIA_KIND_AUDIO ? "audio" : kind == KIBITZ_MEDIA_KIND_SCREEN ? "screen"
                                                                                      : "video";
}

/* Streaming thread. An ALLOCATION query is serialized: the branch queue holds
 * it until everything before it went downstream, and webrtcbin keeps its sink
 * pads blocked until that peer's negotiation is done. Without this, a caps
 * change upstream (the class plan stepping resolution, the camera switched to
 * the slate) waits for the slowest peer to connect, and every peer stalls
 * meanwhile. Answering here leaves the encoder with its own buffers, which it
 * uses anyway: nothing downstream of a payloader offers a pool. */
static GstPadProbeReturn
allocation_query_probe_cb (GstPad          *pad,
                           GstPadProbeInfo *info,
                           gpointer         data)
{
  GstQuery *query = GST_PAD_PROBE_INFO_QUERY (info);

  if (GST_QUERY_TYPE (query) != GST_QUERY_ALLOCATION)
    return GST_PAD_PROBE_OK;
  return GST_PAD_PROBE_HANDLED;
}

static GstCaps *
branch_rtp_caps (const KibitzMediaBranch *branch)
{
  GstCaps *caps;

  if (branch->kind != KIBITZ_MEDIA_KIND_AUDIO)
    caps = gst_caps_new_simple ("application/x-rtp",
                                "media", G_TYPE_STRING, "video",
                                "encoding-name", G_TYPE_STRING, "VP8",
                                "clock-rate", G_TYPE_INT, 90000,
                                "payload", G_TYPE_INT, branch->payload_type,
                                NULL);
  else
    caps = gst_caps_new_simple ("application/x-rtp",
                                "media", G_TYPE_STRING, "audio",
                                "encoding-name", G_TYPE_STRING, "OPUS",
                                "clock-rate", G_TYPE_INT, 48000,
                                "payload", G_TYPE_INT, branch->payload_type,
                                NULL);

  /* The payloader adds the extension by itself (auto-header-extension);
   * webrtcbin offers it from these caps; rtpsession numbers it. */
  if (branch->twcc_ext_id > 0)
    {
      g_autofree char *field = g_strdup_printf ("extmap-%u", branch->twcc_ext_id);

      gst_caps_set_simple (caps, field, G_TYPE_STRING, KIBITZ_TWCC_URI, NULL);
    }
  return caps;
}

static void
branch_clear (KibitzMediaBranch *branch)
{
  for (guint t = 0; t < KIBITZ_N_TIERS; t++)
    {
      g_clear_object (&branch->tier_pads[t]);
      g_clear_object (&branch->selector_pads[t]);
    }
  g_clear_object (&branch->selector);
  g_clear_object (&branch->head_pad);
  g_clear_object (&branch->tee_pad);
  g_clear_object (&branch->sink_pad);
  g_clear_object (&branch->queue);
  g_clear_object (&branch->encoder);
  g_clear_object (&branch->payloader);
  g_clear_object (&branch->capsfilter);
}

/* Branches are reference-counted boxes: the unlink probe holds its own
 * reference, because the tee's streaming thread may still be inside it (the
 * blocked pad sees every buffer until the tee releases it) when the main
 * thread has finished the removal. */
void
kibitz_media_branch_free (KibitzMediaBranch *branch)
{
  g_atomic_rc_box_release_full (branch, (GDestroyNotify) branch_clear);
}

static void
branch_release (gpointer branch)
{
  kibitz_media_branch_free (branch);
}

static gboolean
build_branch (KibitzMediaSource  *self,
              KibitzMediaBranch  *branch,
              GError            **error)
{
  gboolean video = branch->kind != KIBITZ_MEDIA_KIND_AUDIO;
  /* The camera: from the tiers or its own encoder; the screen: its tee. */
  gboolean camera = branch->kind == KIBITZ_MEDIA_KIND_VIDEO;
  g_autoptr(GstCaps) caps = branch_rtp_caps (branch);
  g_autoptr(GstPad) pay_sink = NULL;
  g_autoptr(GstPad) queue_sink = NULL;

  if (!(branch->queue = kibitz_make_element ("queue", NULL, error)))
    return FALSE;
  gst_object_ref_sink (branch->queue);
  /* A stuck or negotiating peer drops its own oldest data, never stalls the tee. */
  kibitz_media_set_arg (branch->queue, "leaky", "downstream");
  g_object_set (branch->queue, "max-size-buffers", 100, "max-size-bytes", 0,
                "max-size-time", (guint64) GST_SECOND, NULL);
  queue_sink = gst_element_get_static_pad (branch->queue, "sink");
  if (!video)
    gst_pad_add_probe (queue_sink, GST_PAD_PROBE_TYPE_QUERY_DOWNSTREAM,
                       allocation_query_probe_cb, NULL, NULL);
  else if (self->mode == KIBITZ_ENCODER_PER_PEER && camera)
    kibitz_media_isolate_branch (queue_sink, "video/x-raw, format=I420");
  else
    kibitz_media_isolate_branch (queue_sink, "video/x-vp8");

  if (self->mode == KIBITZ_ENCODER_PER_PEER && camera)
    {
      if (!(branch->encoder = kibitz_media_make_video_encoder (self, NULL, error)))
        return FALSE;
      gst_object_ref_sink (branch->encoder);
    }
  else if (camera && !kibitz_media_branch_make_selector (branch, error))
    return FALSE;

  if (!(branch->payloader = kibitz_make_element (video ? "rtpvp8pay" : "rtpopuspay", NULL, error)))
    return FALSE;
  gst_object_ref_sink (branch->payloader);
  g_object_set (branch->payloader, "pt", branch->payload_type, "mtu", 1200, NULL);
  /* Chosen now, not at the first packet: the description names it
   * (prime_branch()). 0 and G_MAXUINT mean "random" to the payloader. */
  if (branch->kind == KIBITZ_MEDIA_KIND_SCREEN)
    g_object_set (branch->payloader, "ssrc", g_random_int_range (1, G_MAXINT32), NULL);
  if (video)
    kibitz_media_set_arg (branch->payloader, "picture-id-mode", "15-bit");

  if (!(branch->capsfilter = kibitz_make_element ("capsfilter", NULL, error)))
    return FALSE;
  gst_object_ref_sink (branch->capsfilter);
  g_object_set (branch->capsfilter, "caps", caps, NULL);

  if (video)
    {
      pay_sink = gst_element_get_static_pad (branch->payloader, "sink");
      gst_pad_add_probe (pay_sink, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM,
                         keyframe_request_probe_cb, branch, NULL);
    }
  return TRUE;
}

static GstElement *
branch_tee (KibitzMediaSource *self,
            KibitzMediaBranch *branch)
{
  switch (branch->kind)
    {
    case KIBITZ_MEDIA_KIND_VIDEO:
      return self->video_tee;
    case KIBITZ_MEDIA_KIND_SCREEN:
      return self->screen_tee;
    default:
      return self->audio_tee;
    }
}

static GstElement *
branch_element (KibitzMediaBranch *branch,
                guint              i)
{
  GstElement *order[] = { branch->selector, branch->queue, branch->encoder, branch->payloader,
                          branch->capsfilter };

  return i < G_N_ELEMENTS (order) ? order[i] : NULL;
}

/* webrtcbin 1.22 connects a sink pad to its session only when that pad has
 * had caps by the time the descriptions are set (caps that come later
 * leave it blocked for good), and its description names the stream's SSRC
 * only if those caps do: the receiver finds the transceiver of a bundled
 * stream by that SSRC. The screen's branch carries nothing until someone
 * shares, so it is told its caps now, with the SSRC its payloader will
 * use, as the camera's are by its first frames: before it hangs off the
 * tee, so that no frame of a share already running comes first. */
static void
prime_branch (KibitzMediaBranch *branch)
{
  g_autoptr(GstPad) src = gst_element_get_static_pad (branch->capsfilter, "src");
  g_autofree char *stream_id = g_strdup_printf ("kibitz-screen-%p", (gpointer) branch);
  g_autoptr(GstCaps) caps = branch_rtp_caps (branch);
  GstSegment segment;
  guint ssrc = 0;

  g_object_get (branch->payloader, "ssrc", &ssrc, NULL);
  gst_caps_set_simple (caps, "ssrc", G_TYPE_UINT, ssrc, NULL);

  gst_segment_init (&segment, GST_FORMAT_TIME);
  gst_pad_push_event (src, gst_event_new_stream_start (stream_id));
  gst_pad_push_event (src, gst_event_new_caps (caps));
  gst_pad_push_event (src, gst_event_new_segment (&segment));
}

static gboolean
link_branch (KibitzMediaSource  *self,
             KibitzMediaBranch  *branch,
             GError            **error)
{
  GstElement *tee = branch_tee (self, branch);
  g_autoptr(GPtrArray) chain = g_ptr_array_new ();
  g_autoptr(GstPad) src = NULL;
  g_autoptr(GstPad) queue_sink = NULL;

  for (guint i = 0; i < BRANCH_ELEMENTS; i++)
    if (branch_element (branch, i) != NULL)
      {
        gst_bin_add (GST_BIN (self->pipeline), branch_element (branch, i));
        g_ptr_array_add (chain, branch_element (branch, i));
      }
  if (!kibitz_media_link_chain (chain, error))
    return FALSE;

  src = gst_element_get_static_pad (branch->capsfilter, "src");
  if (GST_PAD_LINK_FAILED (gst_pad_link (src, branch->sink_pad)))
    {
      g_set_error (error, KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_PIPELINE,
                   "Could not link the %s branch to %s:%s", kind_name (branch->kind),
                   GST_DEBUG_PAD_NAME (branch->sink_pad));
      return FALSE;
    }

  /* Downstream first, the tee pad last, so no buffer meets a stopped element. */
  for (guint i = chain->len; i > 0; i--)
    gst_element_sync_state_with_parent (g_ptr_array_index (chain, i - 1));
  if (branch->kind == KIBITZ_MEDIA_KIND_SCREEN)
    prime_branch (branch);

  if (branch->selector != NULL)
    {
      branch->head_pad = gst_element_get_static_pad (branch->selector, "src");
      return kibitz_media_branch_attach_tiers (self, branch, error);
    }
  branch->tee_pad = gst_element_request_pad_simple (tee, "src_%u");
  branch->head_pad = gst_object_ref (branch->tee_pad);
  queue_sink = gst_element_get_static_pad (branch->queue, "sink");
  if (GST_PAD_LINK_FAILED (gst_pad_link (branch->tee_pad, queue_sink)))
    {
      g_set_error (error, KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_PIPELINE,
                   "Could not link the tee to a new branch");
      return FALSE;
    }
  return TRUE;
}

void
kibitz_media_branch_remove_elements (KibitzMediaSource *self,
                                     KibitzMediaBranch *branch)
{
  for (guint i = 0; i < BRANCH_ELEMENTS; i++)
    {
      GstElement *e = branch_element (branch, i);

      if (e != NULL && GST_OBJECT_PARENT (e) == GST_OBJECT (self->pipeline))
        {
          gst_element_set_state (e, GST_STATE_NULL);
          gst_bin_remove (GST_BIN (self->pipeline), e);
        }
    }
}

/* Lets go of the tee pads that fed the branch (the tiers', or one tee's). */
static void
release_head (KibitzMediaSource *self,
              KibitzMediaBranch *branch)
{
  GstElement *tee = branch_tee (self, branch);

  if (branch->selector != NULL)
    kibitz_media_branch_detach_tiers (self, branch);
  else if (branch->tee_pad != NULL)
    gst_element_release_request_pad (tee, branch->tee_pad);
}

KibitzMediaBranch *
kibitz_media_source_add_branch (KibitzMediaSource  *self,
                                KibitzMediaKind     kind,
                                const KibitzRtpFormat *format,
                                GstPad             *sink_pad,
                                GError            **error)
{
  KibitzMediaBranch *branch;

  g_return_val_if_fail (KIBITZ_IS_MEDIA_SOURCE (self), NULL);
  g_return_val_if_fail (GST_IS_PAD (sink_pad), NULL);

  branch = g_atomic_rc_box_new0 (KibitzMediaBranch);
  branch->source = self;
  branch->kind = kind;
  branch->payload_type = format->payload_type;
  branch->twcc_ext_id = format->twcc_ext_id;
  branch->sink_pad = gst_object_ref (sink_pad);

  if (!build_branch (self, branch, error) || !link_branch (self, branch, error))
    {
      release_head (self, branch);
      kibitz_media_branch_remove_elements (self, branch);
      kibitz_media_branch_free (branch);
      return NULL;
    }

  self->branches = g_list_prepend (self->branches, branch);
  if (kind != KIBITZ_MEDIA_KIND_AUDIO)
    kibitz_media_source_apply_plan (self);
  GST_DEBUG ("added a %s branch with payload type %u, TWCC extension %u",
             kind_name (kind), format->payload_type,
             format->twcc_ext_id);
  return branch;
}

/* Main thread, once the branch no longer hangs off the tee. */
static gboolean
finish_removal_cb (gpointer data)
{
  KibitzMediaBranch *branch = data;
  KibitzMediaSource *self = branch->source;
  g_autoptr(GstPad) src = gst_element_get_static_pad (branch->capsfilter, "src");

  g_clear_handle_id (&branch->fallback_id, g_source_remove);

  /* webrtcbin blocks a sink pad until negotiation is done: a push may be stuck
   * there. Flushing that pad releases it, so the queue can stop. Branches are
   * only removed when their peer goes, so the flush costs nothing. */
  gst_pad_unlink (src, branch->sink_pad);
  gst_pad_send_event (branch->sink_pad, gst_event_new_flush_start ());
  /* The tee pads go before the elements, so no tee pushes into a stopped one. */
  release_head (self, branch);
  kibitz_media_branch_remove_elements (self, branch);

  /* Drops the probe's reference (once any call in progress returned). */
  gst_pad_remove_probe (branch->head_pad, branch->block_probe);
  self->branches = g_list_remove (self->branches, branch);
  if (branch->kind != KIBITZ_MEDIA_KIND_AUDIO)
    kibitz_media_source_apply_plan (self);

  if (branch->done != NULL)
    branch->done (branch->done_data);
  kibitz_media_branch_free (branch);
  g_object_unref (self);
  return G_SOURCE_REMOVE;
}

static GstPadProbeReturn
unlink_probe_cb (GstPad          *pad,
                 GstPadProbeInfo *info,
                 gpointer         data)
{
  KibitzMediaBranch *branch = data;

  if (g_atomic_int_compare_and_exchange (&branch->isolated, 0, 1))
    {
      g_autoptr(GstPad) queue_sink = gst_element_get_static_pad (branch->queue, "sink");
      g_autoptr(GSource) source = g_idle_source_new ();

      gst_pad_unlink (pad, queue_sink);
      /* Always queued: g_main_context_invoke() would run the removal right
       * here, in the streaming thread, whenever the main thread happens not
       * to be iterating its context (tests, teardown). */
      g_source_set_priority (source, G_PRIORITY_DEFAULT);
      g_source_set_callback (source, finish_removal_cb, branch, NULL);
      g_source_attach (source, branch->source->context);
    }
  return GST_PAD_PROBE_DROP;
}

/* Nothing flowed through the tee in time (a paused pipeline): unlink directly. */
static gboolean
unlink_fallback_cb (gpointer data)
{
  KibitzMediaBranch *branch = data;

  branch->fallback_id = 0;
  if (g_atomic_int_compare_and_exchange (&branch->isolated, 0, 1))
    {
      g_autoptr(GstPad) queue_sink = gst_element_get_static_pad (branch->queue, "sink");

      gst_pad_unlink (branch->head_pad, queue_sink);
      finish_removal_cb (branch);
    }
  return G_SOURCE_REMOVE;
}

void
kibitz_media_source_remove_branch (KibitzMediaSource       *self,
                                   KibitzMediaBranch       *branch,
                                   KibitzBranchRemovedFunc  done,
                                   gpointer                 user_data)
{
  g_return_if_fail (KIBITZ_IS_MEDIA_SOURCE (self));
  g_return_if_fail (branch != NULL && branch->source == self);
  g_return_if_fail (branch->block_probe == 0);

  branch->done = done;
  branch->done_data = user_data;
  g_object_ref (self);
  /* The screen's tee is idle while nobody shares: unlinked at once, not
   * after the fallback's second. */
  branch->block_probe = gst_pad_add_probe (branch->head_pad,
                                           GST_PAD_PROBE_TYPE_BLOCK_DOWNSTREAM |
                                           (branch->kind == KIBITZ_MEDIA_KIND_SCREEN
                                              ? GST_PAD_PROBE_TYPE_IDLE : 0),
                                           unlink_probe_cb, g_atomic_rc_box_acquire (branch),
                                           branch_release);
  branch->fallback_id = g_timeout_add (BRANCH_UNLINK_TIMEOUT_MS, unlink_fallback_cb, branch);
}

gboolean
kibitz_media_branch_owns (KibitzMediaBranch *branch,
                          GstObject         *object)
{
  for (guint i = 0; i < BRANCH_ELEMENTS; i++)
    if (branch_element (branch, i) != NULL &&
        (object == GST_OBJECT (branch_element (branch, i)) ||
         gst_object_has_as_ancestor (object, GST_OBJECT (branch_element (branch, i)))))
      return TRUE;
  return FALSE;
}

guint
kibitz_media_branch_get_payload_type (KibitzMediaBranch *branch)
{
  return branch->payload_type;
}
