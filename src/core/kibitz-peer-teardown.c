/* kibitz-peer-teardown.c: closing a link without stalling the class: stop
 * the stats, release the tee branches through blocking probes, close the ICE
 * agent (bounded), then take the webrtcbin out.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-peer"

#include "config.h"

#include <agent.h>

#include "kibitz-peer-private.h"

#define GST_CAT_DEFAULT kibitz_peer_debug

static void
remove_streams (KibitzPeer *self)
{
  g_autoptr(GPtrArray) streams = NULL;

  g_mutex_lock (&self->lock);
  streams = g_steal_pointer (&self->streams);
  self->streams = g_ptr_array_new_with_free_func (g_object_unref);
  g_mutex_unlock (&self->lock);

  for (guint i = 0; i < streams->len; i++)
    kibitz_remote_stream_remove (g_ptr_array_index (streams, i));
  /* The counters stay readable: keep the streams themselves. */
  g_mutex_lock (&self->lock);
  g_ptr_array_extend_and_steal (self->streams, g_steal_pointer (&streams));
  g_mutex_unlock (&self->lock);
}

static void
stop_webrtcbin (KibitzPeer *self)
{
  if (self->webrtcbin == NULL)
    return;

  g_signal_handlers_disconnect_by_data (self->webrtcbin, self);
  kibitz_peer_stats_teardown (self);
  gst_element_set_state (self->webrtcbin, GST_STATE_NULL);
  kibitz_peer_congestion_stop (self);
  remove_streams (self);
}

void
kibitz_peer_remove_webrtcbin (KibitzPeer *self)
{
  if (self->webrtcbin == NULL)
    return;

  stop_webrtcbin (self);
  if (GST_OBJECT_PARENT (self->webrtcbin) == GST_OBJECT (self->pipeline))
    gst_bin_remove (GST_BIN (self->pipeline), self->webrtcbin);
  g_clear_object (&self->ice);
  g_clear_object (&self->webrtcbin);
}

static void
complete_close (KibitzPeer *self)
{
  g_clear_handle_id (&self->agent_close_id, g_source_remove);
  kibitz_peer_remove_webrtcbin (self);
  kibitz_peer_set_state (self, KIBITZ_PEER_STATE_CLOSED);
  g_signal_emit (self, kibitz_peer_signals[SIGNAL_CLOSED], 0);
  g_object_unref (self);
}

static void
agent_closed_cb (GObject      *agent,
                 GAsyncResult *result,
                 gpointer      data)
{
  KibitzPeer *self = data;

  g_task_propagate_boolean (G_TASK (result), NULL);
  GST_INFO ("peer %s: TURN allocations released", self->id);
  if (self->agent_close_id != 0)
    complete_close (self);
  g_object_unref (self);
}

static gboolean
agent_close_timeout_cb (gpointer data)
{
  KibitzPeer *self = data;

  self->agent_close_id = 0;
  GST_INFO ("peer %s: TURN allocations not released in time", self->id);
  complete_close (self);
  return G_SOURCE_REMOVE;
}

/* webrtcbin 1.22 never closes its NiceAgent, which leaves TURN allocations to
 * time out on the server (and libnice warns about live refreshes): release
 * them ourselves, waiting at most two seconds for the server. */
static void
finish_close (KibitzPeer *self)
{
  g_autoptr(GObject) agent = NULL;

  kibitz_peer_stats_teardown (self);
  if (self->ice != NULL && g_object_class_find_property (G_OBJECT_GET_CLASS (self->ice), "agent"))
    g_object_get (self->ice, "agent", &agent, NULL);
  if (agent == NULL || !NICE_IS_AGENT (agent))
    {
      complete_close (self);
      return;
    }

  self->agent_close_id = g_timeout_add (2000, agent_close_timeout_cb, self);
  nice_agent_close_async (NICE_AGENT (agent), agent_closed_cb, g_object_ref (self));
}

static void
branch_removed_cb (gpointer data)
{
  KibitzPeer *self = data;

  if (--self->pending_removals == 0)
    finish_close (self);
}

void
kibitz_peer_close (KibitzPeer *self)
{
  g_return_if_fail (KIBITZ_IS_PEER (self));

  if (self->closing)
    return;
  self->closing = TRUE;

  /* 1.22.0 races get-stats against teardown: stop polling first. */
  kibitz_peer_stats_teardown (self);
  g_object_ref (self);   /* released by finish_close() */

  if (self->webrtcbin != NULL)
    g_signal_handlers_disconnect_by_data (self->webrtcbin, self);

  self->pending_removals = (self->video_branch != NULL) + (self->audio_branch != NULL) +
                           (self->screen_branch != NULL);
  if (self->video_branch != NULL)
    kibitz_media_source_remove_branch (self->media, g_steal_pointer (&self->video_branch),
                                       branch_removed_cb, self);
  if (self->audio_branch != NULL)
    kibitz_media_source_remove_branch (self->media, g_steal_pointer (&self->audio_branch),
                                       branch_removed_cb, self);
  if (self->screen_branch != NULL)
    kibitz_media_source_remove_branch (self->media, g_steal_pointer (&self->screen_branch),
                                       branch_removed_cb, self);
  if (self->pending_removals == 0)
    finish_close (self);
}
