/* kibitz-media-self-view.c: what we send, shown to ourselves.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-media-source"

#include "config.h"

#include "kibitz-core-error.h"
#include "kibitz-media-source-private.h"

#define GST_CAT_DEFAULT kibitz_media_source_debug

/* A leaky queue, so a slow display never holds up what peers are sent, on
 * the raw video before any tier scales or encodes it. */
static GstElement *
self_view_bin_new (KibitzMediaSource  *self,
                   GstElement         *sink,
                   GError            **error)
{
  g_autoptr(GstElement) bin = gst_object_ref_sink (gst_bin_new ("self-view"));
  g_autoptr(GPtrArray) chain = g_ptr_array_new ();
  g_autoptr(GstPad) pad = NULL;
  GstElement *e;

  if (!(e = kibitz_make_element ("queue", NULL, error)))
    return NULL;
  gst_bin_add (GST_BIN (bin), e);
  gst_util_set_object_arg (G_OBJECT (e), "leaky", "downstream");
  g_object_set (e, "max-size-buffers", 2, NULL);
  g_ptr_array_add (chain, e);
  if (!(e = kibitz_make_element ("videoconvert", NULL, error)))
    return NULL;
  gst_bin_add (GST_BIN (bin), e);
  g_ptr_array_add (chain, e);
  gst_bin_add (GST_BIN (bin), sink);
  g_ptr_array_add (chain, sink);
  if (!kibitz_media_link_chain (chain, error))
    return NULL;

  pad = gst_element_get_static_pad (g_ptr_array_index (chain, 0), "sink");
  /* Its own videoconvert takes whatever the tiers get. */
  kibitz_media_isolate_branch (pad, "video/x-raw");
  gst_element_add_pad (bin, gst_ghost_pad_new ("sink", pad));
  return g_steal_pointer (&bin);
}

gboolean
kibitz_media_source_add_self_view (KibitzMediaSource  *self,
                                   GstElement         *sink,
                                   GError            **error)
{
  g_autoptr(GstElement) held = NULL;
  g_autoptr(GstPad) tee_pad = NULL;
  g_autoptr(GstPad) bin_pad = NULL;
  GstElement *bin;

  g_return_val_if_fail (KIBITZ_IS_MEDIA_SOURCE (self), FALSE);
  g_return_val_if_fail (GST_IS_ELEMENT (sink), FALSE);

  held = gst_object_ref_sink (sink);
  if (self->self_view != NULL)
    {
      g_set_error (error, KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_PIPELINE,
                   "The self-view is already shown");
      return FALSE;
    }
  if (!(bin = self_view_bin_new (self, sink, error)))
    return FALSE;

  self->self_view = kibitz_media_source_add_made (self, bin);
  gst_object_unref (bin);
  gst_element_sync_state_with_parent (bin);
  tee_pad = gst_element_request_pad_simple (self->raw_tee ? self->raw_tee : self->video_tee,
                                            "src_%u");
  bin_pad = gst_element_get_static_pad (bin, "sink");
  if (GST_PAD_LINK_FAILED (gst_pad_link (tee_pad, bin_pad)))
    {
      g_set_error (error, KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_PIPELINE,
                   "Cannot link the self-view to the local video");
      return FALSE;
    }
  return TRUE;
}

gboolean
kibitz_media_source_has_echo_canceller (KibitzMediaSource *self)
{
  g_return_val_if_fail (KIBITZ_IS_MEDIA_SOURCE (self), FALSE);

  return self->echo_canceller != NULL;
}
