/* kibitz-call-page-tiles.c: the grid of participants, one tile each, and
 * the self-view.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-call-page"

#include "config.h"

#include <glib/gi18n.h>

#include "kibitz-call-page-private.h"

/* A streaming thread: only makes elements, touches no page state. user_data
 * is the call's KibitzAudioOutput (or NULL), which outlives the call. */
static GstElement *
make_sink_cb (KibitzPeer      *peer,
              KibitzMediaKind  kind,
              gpointer         user_data)
{
  if (kind == KIBITZ_MEDIA_KIND_VIDEO)
    return kibitz_video_sink_new ();
  /* A shared screen: shown large (kibitz-call-page-screen.c). */
  if (kind == KIBITZ_MEDIA_KIND_SCREEN)
    return kibitz_video_sink_new ();

  return kibitz_audio_output_make_sink (user_data);
}

static gboolean
is_relayed (const KibitzParticipant *p)
{
  return g_strcmp0 (p->local_candidate, "relay") == 0 ||
         g_strcmp0 (p->remote_candidate, "relay") == 0;
}

static void
participant_joined_cb (KibitzCall        *call,
                       KibitzParticipant *p,
                       KibitzCallPage    *self)
{
  GtkWidget *tile = g_hash_table_lookup (self->tiles, p->id);

  if (tile != NULL)
    {
      kibitz_participant_tile_set_name (KIBITZ_PARTICIPANT_TILE (tile), p->name);
      kibitz_call_page_class_tile_added (self, KIBITZ_PARTICIPANT_TILE (tile), p);
      return;
    }

  tile = kibitz_participant_tile_new (p->id, p->name);
  kibitz_participant_tile_set_state (KIBITZ_PARTICIPANT_TILE (tile), p->audio, p->video, p->hand);
  g_hash_table_insert (self->tiles, g_strdup (p->id), g_object_ref (tile));
  /* A teacher comes first after our own tile: beside the board when it is
   * shown, at the top of the strip. */
  gtk_flow_box_insert (self->grid, tile, g_strcmp0 (p->role, "teacher") == 0
                                         ? (self->self_tile != NULL ? 1 : 0) : -1);
  kibitz_call_page_class_tile_added (self, KIBITZ_PARTICIPANT_TILE (tile), p);
}

static void
participant_left_cb (KibitzCall        *call,
                     KibitzParticipant *p,
                     KibitzCallPage    *self)
{
  KibitzParticipantTile *tile = g_hash_table_lookup (self->tiles, p->id);

  g_hash_table_remove (self->lost, p->id);
  if (tile == NULL)
    return;

  if (GTK_IS_FLOW_BOX_CHILD (gtk_widget_get_parent (GTK_WIDGET (tile))))
    gtk_flow_box_remove (self->grid, gtk_widget_get_parent (GTK_WIDGET (tile)));
  else
    kibitz_call_page_class_tile_removed (self, tile);
  g_hash_table_remove (self->tiles, p->id);
}

static void
participant_state_cb (KibitzCall        *call,
                      KibitzParticipant *p,
                      KibitzCallPage    *self)
{
  KibitzParticipantTile *tile = g_hash_table_lookup (self->tiles, p->id);
  gboolean had_hand;

  if (tile == NULL)
    return;

  had_hand = (kibitz_participant_tile_get_badges (tile) & KIBITZ_TILE_BADGE_HAND) != 0;
  kibitz_participant_tile_set_state (tile, p->audio, p->video, p->hand);
  if (p->hand && !had_hand)
    {
      g_autofree char *title = g_strdup_printf (_("%s raised their hand"), p->name);

      kibitz_call_page_toast (self, title);
    }
}

static void
connected_again (KibitzCallPage    *self,
                 KibitzParticipant *p)
{
  g_autofree char *title = NULL;

  if (!g_hash_table_remove (self->lost, p->id))
    return;
  title = g_strdup_printf (_("Connected again with %s"), p->name);
  kibitz_call_page_toast (self, title);
}

static void
participant_connected_cb (KibitzCall        *call,
                          KibitzParticipant *p,
                          KibitzCallPage    *self)
{
  KibitzParticipantTile *tile = g_hash_table_lookup (self->tiles, p->id);

  if (tile != NULL)
    kibitz_participant_tile_set_relayed (tile, is_relayed (p));
  connected_again (self, p);
}

static void
participant_failed_cb (KibitzCall        *call,
                       KibitzParticipant *p,
                       const GError      *error,
                       KibitzCallPage    *self)
{
  g_autofree char *title = NULL;

  g_debug ("the link with %s failed: %s", p->name, error->message);
  if (!g_hash_table_add (self->lost, g_strdup (p->id)))
    return;

  title = g_strdup_printf (_("Lost the connection with %s. Trying to reconnect…"), p->name);
  kibitz_call_page_toast (self, title);
}

/* Tells the engine how large each participant is shown, so that nobody
 * sends us pixels we never see. In steps of 16 pixels: a window being
 * resized is not worth a message per pixel. */
static void
tell_view (KibitzCallPage        *self,
           KibitzParticipant     *p,
           KibitzParticipantTile *tile)
{
  int scale = gtk_widget_get_scale_factor (GTK_WIDGET (tile));
  int width = gtk_widget_get_width (GTK_WIDGET (tile)) * scale;
  int height = gtk_widget_get_height (GTK_WIDGET (tile)) * scale;

  if (width <= 0 || height <= 0 || !gtk_widget_get_mapped (GTK_WIDGET (tile)))
    return;
  kibitz_call_set_view (self->call, p->id, (width + 15) & ~15, (height + 15) & ~15);
}

/* Said calmly, and not again for a few minutes: the picture adapts by
 * itself; this only explains why others see us small. */
#define SLOW_TOAST_INTERVAL_US (180 * G_USEC_PER_SEC)

static void
tell_if_slow (KibitzCallPage *self)
{
  gint64 now = g_get_monotonic_time ();

  if (!kibitz_call_is_held_back (self->call) ||
      (self->slow_told_at != 0 && now - self->slow_told_at < SLOW_TOAST_INTERVAL_US))
    return;
  self->slow_told_at = now;
  kibitz_call_page_toast (self, _("Your connection is slow: others see you in lower quality"));
}

/* The selected ICE pair can change (and is known only after connecting):
 * look again now and then. */
gboolean
kibitz_call_page_update_badges_cb (gpointer user_data)
{
  KibitzCallPage *self = user_data;
  GPtrArray *participants;

  if (self->call == NULL)
    return G_SOURCE_CONTINUE;

  participants = kibitz_call_get_participants (self->call);
  for (guint i = 0; i < participants->len; i++)
    {
      KibitzParticipant *p = g_ptr_array_index (participants, i);
      KibitzParticipantTile *tile = g_hash_table_lookup (self->tiles, p->id);

      if (tile != NULL && p->peer != NULL)
        {
          kibitz_participant_tile_set_relayed (tile, is_relayed (p));
          tell_view (self, p, tile);
        }

      /* "connected" is sent once per participant: a link that failed and
       * came back is noticed here. */
      if (p->peer != NULL && kibitz_peer_get_state (p->peer) == KIBITZ_PEER_STATE_CONNECTED)
        connected_again (self, p);
    }
  tell_if_slow (self);
  return G_SOURCE_CONTINUE;
}

static void
remote_stream_added_cb (KibitzCall         *call,
                        KibitzParticipant  *p,
                        KibitzRemoteStream *stream,
                        KibitzCallPage     *self)
{
  KibitzParticipantTile *tile = g_hash_table_lookup (self->tiles, p->id);

  if (kibitz_remote_stream_get_kind (stream) == KIBITZ_MEDIA_KIND_SCREEN)
    {
      kibitz_call_page_screen_stream (self, p, stream);
      return;
    }
  if (tile == NULL || kibitz_remote_stream_get_kind (stream) != KIBITZ_MEDIA_KIND_VIDEO)
    return;

  kibitz_video_paintable_set_sink (kibitz_participant_tile_get_paintable (tile),
                                   kibitz_remote_stream_get_sink (stream));
}

/* Once per call, when the room hears us: our own tile, first in the grid,
 * showing what the engine sends. */
void
kibitz_call_page_add_self_tile (KibitzCallPage *self)
{
  GstElement *sink;

  if (self->self_tile != NULL)
    return;

  self->self_tile = KIBITZ_PARTICIPANT_TILE (kibitz_participant_tile_new (NULL, _("You")));
  kibitz_participant_tile_set_avatar_name (self->self_tile, self->request->name);
  gtk_flow_box_prepend (self->grid, GTK_WIDGET (self->self_tile));
  sink = kibitz_video_sink_new ();
  kibitz_video_paintable_set_sink (kibitz_participant_tile_get_paintable (self->self_tile), sink);
  kibitz_call_set_self_view (self->call, sink);
  kibitz_call_page_sync_controls (self);
}

/* How many tiles in a row: up to three with the page to themselves, one
 * beside the board (a column), and a strip of small ones under a shared
 * screen. */
void
kibitz_call_page_layout_grid (KibitzCallPage *self)
{
  gboolean screen = gtk_widget_get_visible (self->screen_box);
  gboolean board = gtk_toggle_button_get_active (self->board_button);

  if (screen)
    {
      gtk_flow_box_set_max_children_per_line (self->grid, 8);
      gtk_flow_box_set_min_children_per_line (self->grid, 4);
    }
  else
    {
      gtk_flow_box_set_min_children_per_line (self->grid, 1);
      gtk_flow_box_set_max_children_per_line (self->grid, board ? 1 : 3);
    }
}

void
kibitz_call_page_clear_grid (KibitzCallPage *self)
{
  GtkWidget *child;

  if (self->spotlit != NULL)
    kibitz_call_page_class_tile_removed (self, self->spotlit);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->grid))))
    gtk_flow_box_remove (self->grid, child);
  g_hash_table_remove_all (self->tiles);
  g_hash_table_remove_all (self->lost);
  self->self_tile = NULL;
}

void
kibitz_call_page_connect_tiles (KibitzCallPage *self)
{
  kibitz_call_set_sink_factory (self->call, make_sink_cb, self->audio_output);
  g_signal_connect (self->call, "participant-joined", G_CALLBACK (participant_joined_cb), self);
  g_signal_connect (self->call, "participant-left", G_CALLBACK (participant_left_cb), self);
  g_signal_connect (self->call, "participant-state", G_CALLBACK (participant_state_cb), self);
  g_signal_connect (self->call, "participant-connected", G_CALLBACK (participant_connected_cb),
                    self);
  g_signal_connect (self->call, "participant-failed", G_CALLBACK (participant_failed_cb), self);
  g_signal_connect (self->call, "remote-stream-added", G_CALLBACK (remote_stream_added_cb), self);
}
