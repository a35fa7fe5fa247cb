/* kibitz-call-page.c
 *
 * Drives one KibitzCall exactly as kibitz-peer does, and shows each remote
 * participant as a tile whose video comes from an appsink.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-call-page"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "kibitz-call.h"
#include "kibitz-call-page.h"

#define VIDEO_SINK_NAME "kibitz-video-sink"

struct _KibitzCallPage
{
  GtkWidget              parent_instance;

  GtkStack              *stack;
  AdwToastOverlay       *toast_overlay;
  GtkFlowBox            *grid;
  AdwStatusPage         *status_page;

  KibitzCall            *call;
  GHashTable            *tiles;      /* participant id -> KibitzParticipantTile */
  KibitzParticipantTile *self_tile;
  char                  *error;
};

G_DEFINE_FINAL_TYPE (KibitzCallPage, kibitz_call_page, GTK_TYPE_WIDGET)

enum {
  SIGNAL_CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* A streaming thread: only makes elements, touches no page state. */
static GstElement *
make_sink_cb (KibitzPeer      *peer,
              KibitzMediaKind  kind,
              gpointer         user_data)
{
  GstElement *sink;
  const char *name;

  if (kind == KIBITZ_MEDIA_KIND_VIDEO)
    {
      sink = kibitz_video_sink_new ();
      gst_object_set_name (GST_OBJECT (sink), VIDEO_SINK_NAME);
      return sink;
    }

  name = g_getenv ("KIBITZ_AUDIO_SINK");
  if (name == NULL || name[0] == '\0')
    name = "autoaudiosink";
  if (!(sink = gst_element_factory_make (name, NULL)))
    g_message ("cannot play remote audio: no GStreamer element “%s”", name);
  return sink;
}

static void
add_tile (KibitzCallPage        *self,
          KibitzParticipantTile *tile)
{
  gtk_flow_box_append (self->grid, GTK_WIDGET (tile));
}

static void
remove_tile (KibitzCallPage        *self,
             KibitzParticipantTile *tile)
{
  GtkWidget *child = gtk_widget_get_parent (GTK_WIDGET (tile));

  gtk_flow_box_remove (self->grid, child);
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
      return;
    }

  tile = kibitz_participant_tile_new (p->id, p->name);
  kibitz_participant_tile_set_video_on (KIBITZ_PARTICIPANT_TILE (tile), p->video);
  g_hash_table_insert (self->tiles, g_strdup (p->id), g_object_ref (tile));
  add_tile (self, KIBITZ_PARTICIPANT_TILE (tile));
}

static void
participant_left_cb (KibitzCall        *call,
                     KibitzParticipant *p,
                     KibitzCallPage    *self)
{
  KibitzParticipantTile *tile = g_hash_table_lookup (self->tiles, p->id);

  if (tile == NULL)
    return;

  remove_tile (self, tile);
  g_hash_table_remove (self->tiles, p->id);
}

static void
participant_state_cb (KibitzCall        *call,
                      KibitzParticipant *p,
                      KibitzCallPage    *self)
{
  KibitzParticipantTile *tile = g_hash_table_lookup (self->tiles, p->id);

  if (tile != NULL)
    kibitz_participant_tile_set_video_on (tile, p->video);
}

static void
participant_failed_cb (KibitzCall        *call,
                       KibitzParticipant *p,
                       const GError      *error,
                       KibitzCallPage    *self)
{
  g_autofree char *title = g_strdup_printf (_("Lost the connection with %s"), p->name);

  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (title));
}

static void
remote_stream_added_cb (KibitzCall         *call,
                        KibitzParticipant  *p,
                        KibitzRemoteStream *stream,
                        KibitzCallPage     *self)
{
  KibitzParticipantTile *tile = g_hash_table_lookup (self->tiles, p->id);
  g_autoptr(GstElement) sink = NULL;

  if (tile == NULL || kibitz_remote_stream_get_kind (stream) != KIBITZ_MEDIA_KIND_VIDEO)
    return;

  sink = gst_bin_get_by_name (GST_BIN (kibitz_remote_stream_get_bin (stream)), VIDEO_SINK_NAME);
  if (sink != NULL)
    kibitz_video_paintable_set_sink (kibitz_participant_tile_get_paintable (tile), sink);
}

/* The self-view decodes what we send (the engine tees encoded video): one
 * small VP8 decode, and it shows exactly what the others see. */
static GstElement *
make_self_view_bin (GstElement *sink)
{
  GstElement *bin = gst_bin_new ("self-view");
  GstElement *queue = gst_element_factory_make ("queue", NULL);
  GstElement *decoder = gst_element_factory_make ("vp8dec", NULL);
  GstElement *convert = gst_element_factory_make ("videoconvert", NULL);
  g_autoptr(GstPad) pad = NULL;

  if (queue == NULL || decoder == NULL || convert == NULL)
    {
      g_message ("no self-view: vp8dec or videoconvert is missing");
      g_clear_pointer (&queue, gst_object_unref);
      g_clear_pointer (&decoder, gst_object_unref);
      g_clear_pointer (&convert, gst_object_unref);
      gst_object_unref (gst_object_ref_sink (sink));
      gst_object_unref (bin);
      return NULL;
    }

  gst_util_set_object_arg (G_OBJECT (queue), "leaky", "downstream");
  g_object_set (queue, "max-size-buffers", 2, NULL);
  gst_bin_add_many (GST_BIN (bin), queue, decoder, convert, sink, NULL);
  gst_element_link_many (queue, decoder, convert, sink, NULL);
  pad = gst_element_get_static_pad (queue, "sink");
  gst_element_add_pad (bin, gst_ghost_pad_new ("sink", pad));
  return bin;
}

static void
add_self_view (KibitzCallPage *self)
{
  g_autoptr(GstElement) tee = NULL;
  g_autoptr(GstPad) tee_pad = NULL;
  g_autoptr(GstPad) bin_pad = NULL;
  GstElement *pipeline = kibitz_call_get_pipeline (self->call);
  GstElement *sink, *bin;

  if (pipeline == NULL || !(tee = gst_bin_get_by_name (GST_BIN (pipeline), "local-video-tee")))
    return;

  sink = kibitz_video_sink_new ();
  if (!(bin = make_self_view_bin (sink)))
    return;

  kibitz_video_paintable_set_sink (kibitz_participant_tile_get_paintable (self->self_tile), sink);
  gst_bin_add (GST_BIN (pipeline), bin);
  gst_element_sync_state_with_parent (bin);
  tee_pad = gst_element_request_pad_simple (tee, "src_%u");
  bin_pad = gst_element_get_static_pad (bin, "sink");
  if (GST_PAD_LINK_FAILED (gst_pad_link (tee_pad, bin_pad)))
    g_message ("no self-view: cannot link to the local video");
  kibitz_media_source_request_keyframe (kibitz_call_get_media (self->call));
}

static void
joined_cb (KibitzCall     *call,
           const char     *id,
           gboolean        resumed,
           KibitzCallPage *self)
{
  if (self->self_tile != NULL)
    return;

  self->self_tile = KIBITZ_PARTICIPANT_TILE (kibitz_participant_tile_new (NULL, _("You")));
  gtk_flow_box_prepend (self->grid, GTK_WIDGET (self->self_tile));
  add_self_view (self);
}

static void
call_failed_cb (KibitzCall     *call,
                const GError   *error,
                KibitzCallPage *self)
{
  g_free (self->error);
  self->error = g_strdup (error->message);
  adw_status_page_set_description (self->status_page, error->message);
  gtk_stack_set_visible_child_name (self->stack, "error");
}

static void
clear_grid (KibitzCallPage *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->grid))))
    gtk_flow_box_remove (self->grid, child);
  g_hash_table_remove_all (self->tiles);
  self->self_tile = NULL;
}

void
kibitz_call_page_join (KibitzCallPage *self,
                       const char     *server_url,
                       const char     *room,
                       const char     *name)
{
  KibitzCallOptions options = {
    .server_url = server_url,
    .room = room,
    .name = name,
  };

  g_return_if_fail (KIBITZ_IS_CALL_PAGE (self));

  kibitz_call_page_leave (self);
  g_clear_pointer (&self->error, g_free);
  gtk_stack_set_visible_child_name (self->stack, "call");

  self->call = kibitz_call_new (&options);
  kibitz_call_set_sink_factory (self->call, make_sink_cb, NULL);
  g_signal_connect (self->call, "joined", G_CALLBACK (joined_cb), self);
  g_signal_connect (self->call, "participant-joined", G_CALLBACK (participant_joined_cb), self);
  g_signal_connect (self->call, "participant-left", G_CALLBACK (participant_left_cb), self);
  g_signal_connect (self->call, "participant-state", G_CALLBACK (participant_state_cb), self);
  g_signal_connect (self->call, "participant-failed", G_CALLBACK (participant_failed_cb), self);
  g_signal_connect (self->call, "remote-stream-added", G_CALLBACK (remote_stream_added_cb), self);
  g_signal_connect (self->call, "failed", G_CALLBACK (call_failed_cb), self);
  kibitz_call_start (self->call);
}

/* Says goodbye, waits (bounded) for the links to close, and empties the grid. */
void
kibitz_call_page_leave (KibitzCallPage *self)
{
  g_return_if_fail (KIBITZ_IS_CALL_PAGE (self));

  if (self->call != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->call, self);
      kibitz_call_leave (self->call);
      g_clear_object (&self->call);
    }
  clear_grid (self);
}

KibitzParticipantTile *
kibitz_call_page_find_tile (KibitzCallPage *self,
                            const char     *name)
{
  GHashTableIter iter;
  gpointer tile;

  g_return_val_if_fail (KIBITZ_IS_CALL_PAGE (self), NULL);

  g_hash_table_iter_init (&iter, self->tiles);
  while (g_hash_table_iter_next (&iter, NULL, &tile))
    if (g_strcmp0 (kibitz_participant_tile_get_name (tile), name) == 0)
      return tile;

  return NULL;
}

KibitzParticipantTile *
kibitz_call_page_get_self_tile (KibitzCallPage *self)
{
  g_return_val_if_fail (KIBITZ_IS_CALL_PAGE (self), NULL);

  return self->self_tile;
}

guint
kibitz_call_page_get_n_remote (KibitzCallPage *self)
{
  g_return_val_if_fail (KIBITZ_IS_CALL_PAGE (self), 0);

  return g_hash_table_size (self->tiles);
}

const char *
kibitz_call_page_get_error (KibitzCallPage *self)
{
  g_return_val_if_fail (KIBITZ_IS_CALL_PAGE (self), NULL);

  return self->error;
}

static void
leave_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  KibitzCallPage *self = KIBITZ_CALL_PAGE (widget);

  kibitz_call_page_leave (self);
  g_signal_emit (self, signals[SIGNAL_CLOSED], 0);
}

static void
kibitz_call_page_dispose (GObject *object)
{
  KibitzCallPage *self = KIBITZ_CALL_PAGE (object);

  if (self->call != NULL)
    kibitz_call_page_leave (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), KIBITZ_TYPE_CALL_PAGE);
  g_clear_pointer (&self->tiles, g_hash_table_unref);

  G_OBJECT_CLASS (kibitz_call_page_parent_class)->dispose (object);
}

static void
kibitz_call_page_finalize (GObject *object)
{
  KibitzCallPage *self = KIBITZ_CALL_PAGE (object);

  g_free (self->error);

  G_OBJECT_CLASS (kibitz_call_page_parent_class)->finalize (object);
}

static void
kibitz_call_page_class_init (KibitzCallPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kibitz_call_page_dispose;
  object_class->finalize = kibitz_call_page_finalize;

  signals[SIGNAL_CLOSED] = g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/kibitz/Kibitz/kibitz-call-page.ui");
  gtk_widget_class_bind_template_child (widget_class, KibitzCallPage, stack);
  gtk_widget_class_bind_template_child (widget_class, KibitzCallPage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, KibitzCallPage, grid);
  gtk_widget_class_bind_template_child (widget_class, KibitzCallPage, status_page);
  gtk_widget_class_install_action (widget_class, "call.leave", NULL, leave_action);
  gtk_widget_class_install_action (widget_class, "call.close", NULL, leave_action);
}

static void
kibitz_call_page_init (KibitzCallPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->tiles = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
}
