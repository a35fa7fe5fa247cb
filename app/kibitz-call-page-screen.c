/* kibitz-call-page-screen.c: sharing a screen with the class, and the
 * class's shared screen shown large.
 *
 * A share starts from the desktop's ScreenCast portal (libportal): the
 * user picks a monitor or a window in the desktop's own dialog, and the
 * portal hands over a PipeWire stream, which the engine sends on every
 * link's screen stream (nothing is renegotiated). The portal's restore
 * token is kept in GSettings, so the next share skips the picker.
 * $KIBITZ_SCREEN_SOURCE (a GStreamer source, or "test") shares without the
 * portal: X11 sessions without one (ximagesrc), and tests.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-call-page"

#include "config.h"

#include <glib/gi18n.h>

#include "kibitz-call-page-private.h"
#include "kibitz-lobby-page.h"
#include "kibitz-screen-portal.h"
#include "kibitz-source-setting.h"
#include "kibitz-video-paintable.h"

/* --- Showing the class's shared screen --------------------------------------------- */

/* The first participant (in order of arrival) who says it shares and
 * whose screen has arrived, large above the class; the class becomes a
 * strip of small tiles below it. A screen whose sharer says it stopped is
 * not shown, whatever still arrives. */
void
kibitz_call_page_sync_screen (KibitzCallPage *self)
{
  GPtrArray *participants = self->call != NULL ? kibitz_call_get_participants (self->call) : NULL;
  KibitzParticipant *shown = NULL;
  KibitzVideoPaintable *paintable = NULL;

  for (guint i = 0; participants != NULL && i < participants->len && shown == NULL; i++)
    {
      KibitzParticipant *p = g_ptr_array_index (participants, i);

      if (p->screen && !p->left && (paintable = g_hash_table_lookup (self->screens, p->id)))
        shown = p;
    }

  if (shown == NULL)
    {
      gtk_picture_set_paintable (self->screen_picture, NULL);
      gtk_widget_set_visible (self->screen_box, FALSE);
      g_clear_pointer (&self->screen_shown, g_free);
      kibitz_call_page_layout_grid (self);
      return;
    }
  if (g_strcmp0 (self->screen_shown, shown->id) != 0)
    {
      g_autofree char *caption = g_strdup_printf (_("%s is sharing their screen"), shown->name);

      g_free (self->screen_shown);
      self->screen_shown = g_strdup (shown->id);
      gtk_picture_set_paintable (self->screen_picture, GDK_PAINTABLE (paintable));
      gtk_label_set_label (self->screen_caption, caption);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->screen_picture),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, caption, -1);
    }
  gtk_widget_set_visible (self->screen_box, TRUE);
  kibitz_call_page_layout_grid (self);
}

/* A participant's screen stream: it is shown once it says it shares. */
void
kibitz_call_page_screen_stream (KibitzCallPage     *self,
                                KibitzParticipant  *p,
                                KibitzRemoteStream *stream)
{
  KibitzVideoPaintable *paintable = g_hash_table_lookup (self->screens, p->id);

  if (paintable == NULL)
    {
      paintable = kibitz_video_paintable_new ();
      g_hash_table_insert (self->screens, g_strdup (p->id), paintable);
    }
  kibitz_video_paintable_set_sink (paintable, kibitz_remote_stream_get_sink (stream));
  kibitz_call_page_sync_screen (self);
}

static void
participant_changed_cb (KibitzCall        *call,
                        KibitzParticipant *p,
                        KibitzCallPage    *self)
{
  if (p->left)
    {
      if (g_strcmp0 (self->screen_shown, p->id) == 0)
        gtk_picture_set_paintable (self->screen_picture, NULL);
      g_hash_table_remove (self->screens, p->id);
    }
  kibitz_call_page_sync_screen (self);
}

/* --- Sharing ----------------------------------------------------------------------- */

gboolean
kibitz_call_page_may_share (KibitzCallPage *self)
{
  return self->call == NULL || kibitz_call_may_share_screen (self->call);
}

static void
share_failed (KibitzCallPage *self,
              const char     *why)
{
  g_autofree char *title = g_strdup_printf (_("Screen sharing did not start: %s"), why);

  g_message ("%s", title);
  kibitz_call_page_toast (self, title);
}

static void
share_source (KibitzCallPage *self,
              GstElement     *source)
{
  g_autoptr(GError) error = NULL;

  if (self->call == NULL)
    {
      gst_object_unref (gst_object_ref_sink (source));
      return;
    }
  if (!kibitz_call_share_screen (self->call, source, &error))
    share_failed (self, error->message);
}

static void
portal_closed_cb (KibitzCallPage *self)
{
  if (self->call != NULL)
    kibitz_call_stop_screen (self->call);
}

static void
portal_started_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      data)
{
  g_autoptr(KibitzCallPage) self = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  GstElement *source;

  source = kibitz_screen_portal_start_finish (KIBITZ_SCREEN_PORTAL (object), result, &token,
                                              &error);
  if (source == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        share_failed (self, error->message);
      kibitz_call_page_sync_controls (self);
      return;
    }
  /* Kept for the next share: the portal then skips its dialog. */
  if (token != NULL && self->settings != NULL)
    g_settings_set_string (self->settings, "screen-restore-token", token);
  share_source (self, source);
}

static void
share_through_portal (KibitzCallPage *self)
{
  g_autofree char *token = NULL;

  if (self->portal == NULL)
    {
      self->portal = kibitz_screen_portal_new ();
      g_signal_connect_swapped (self->portal, "closed", G_CALLBACK (portal_closed_cb), self);
    }
  if (self->settings != NULL)
    token = g_settings_get_string (self->settings, "screen-restore-token");
  g_clear_object (&self->share_cancellable);
  self->share_cancellable = g_cancellable_new ();
  kibitz_screen_portal_start (self->portal, GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                              token, self->share_cancellable, portal_started_cb,
                              g_object_ref (self));
}

static void
share_screen_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  KibitzCallPage *self = KIBITZ_CALL_PAGE (widget);
  const char *setting = g_getenv ("KIBITZ_SCREEN_SOURCE");

  if (self->call == NULL)
    return;
  if (kibitz_call_get_screen_shared (self->call))
    {
      kibitz_call_stop_screen (self->call);
      return;
    }
  if (!kibitz_call_page_may_share (self))
    {
      kibitz_call_page_toast (self, _("Your teacher chooses who shares a screen"));
      kibitz_call_page_sync_controls (self);
      return;
    }
  if (setting != NULL && setting[0] != '\0')
    {
      g_autoptr(GError) error = NULL;
      GstElement *source = kibitz_screen_source_new (setting, self->request->name, &error);

      if (source == NULL)
        share_failed (self, error->message);
      else
        share_source (self, source);
      return;
    }
  share_through_portal (self);
}

static void
screen_shared_cb (KibitzCallPage *self)
{
  /* Stopped here (or by the teacher): the desktop stops showing its
   * "sharing" indicator too. */
  if (self->portal != NULL &&
      (self->call == NULL || !kibitz_call_get_screen_shared (self->call)))
    kibitz_screen_portal_close (self->portal);
  kibitz_call_page_sync_controls (self);
}

/* The share button: what a press does, and whether a pupil may. */
void
kibitz_call_page_sync_share (KibitzCallPage *self)
{
  gboolean shared = self->call != NULL && kibitz_call_get_screen_shared (self->call);
  gboolean may = kibitz_call_page_may_share (self);
  const char *tooltip;

  if (shared)
    tooltip = _("Stop sharing your screen (Ctrl+Shift+S)");
  else if (!may)
    tooltip = _("Your teacher chooses who shares a screen");
  else
    tooltip = _("Share your screen or a window with the class (Ctrl+Shift+S)");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "call.share-screen",
                                 self->call != NULL && (shared || may));
  gtk_toggle_button_set_active (self->share_button, shared);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->share_button), tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->share_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Share Screen"),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, tooltip, -1);
}

void
kibitz_call_page_connect_screen (KibitzCallPage *self)
{
  g_signal_connect (self->call, "participant-state", G_CALLBACK (participant_changed_cb), self);
  g_signal_connect (self->call, "participant-left", G_CALLBACK (participant_changed_cb), self);
  g_signal_connect_swapped (self->call, "notify::screen-shared", G_CALLBACK (screen_shared_cb),
                            self);
  if (self->settings == NULL)
    self->settings = kibitz_settings_new ();
}

/* The call is over: its screens go, and a share in the portal ends. */
void
kibitz_call_page_clear_screen (KibitzCallPage *self)
{
  g_cancellable_cancel (self->share_cancellable);
  g_clear_object (&self->share_cancellable);
  if (self->portal != NULL)
    kibitz_screen_portal_close (self->portal);
  gtk_picture_set_paintable (self->screen_picture, NULL);
  gtk_widget_set_visible (self->screen_box, FALSE);
  g_clear_pointer (&self->screen_shown, g_free);
  g_hash_table_remove_all (self->screens);
  kibitz_call_page_layout_grid (self);
}

void
kibitz_call_page_finalize_screen (KibitzCallPage *self)
{
  kibitz_call_page_clear_screen (self);
  g_clear_pointer (&self->screens, g_hash_table_unref);
  g_clear_object (&self->settings);
  if (self->portal != NULL)
    g_signal_handlers_disconnect_by_data (self->portal, self);
  g_clear_object (&self->portal);
}

void
kibitz_call_page_install_screen (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "call.share-screen", NULL, share_screen_action);
}
