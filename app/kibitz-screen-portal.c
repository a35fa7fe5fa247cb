/* kibitz-screen-portal.c: the ScreenCast portal through libportal.
 *
 * On Wayland, and always inside a Flatpak, the portal is the only way to
 * capture the screen: the user picks a monitor or a window in the
 * desktop's own dialog, and the portal hands over a PipeWire stream, read
 * here by GStreamer's pipewiresrc as Kooha and OBS read it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-screen-portal"

#include "config.h"

#include <unistd.h>
#include <glib/gi18n.h>
#include <libportal/portal.h>
#include <libportal-gtk4/portal-gtk4.h>

#include "kibitz-screen-portal.h"

struct _KibitzScreenPortal
{
  GObject     parent_instance;

  XdpPortal  *portal;
  XdpSession *session;   /* while a share runs (or starts) */
};

enum {
  SIGNAL_CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (KibitzScreenPortal, kibitz_screen_portal, G_TYPE_OBJECT)

/* The portal's error, in words a user can act on; the technical one to the
 * log. */
static GError *
portal_error (const GError *error)
{
  g_message ("the screen sharing portal: %s", error->message);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_copy (error);
  if (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
      g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER) ||
      g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD) ||
      g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_INTERFACE))
    return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                                _("this desktop has no screen sharing portal (xdg-desktop-portal "
                                  "with the one for your desktop)"));
  if (error->domain == G_DBUS_ERROR)
    return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED,
                                _("the desktop’s screen sharing portal cannot be reached"));
  /* The portal answered, and could not share (libportal says only
   * "Screencast failed"): the desktop's own log has why. */
  return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED,
                              _("the desktop could not share the screen"));
}

static void
session_closed_cb (XdpSession         *session,
                   KibitzScreenPortal *self)
{
  g_clear_object (&self->session);
  g_signal_emit (self, signals[SIGNAL_CLOSED], 0);
}

void
kibitz_screen_portal_close (KibitzScreenPortal *self)
{
  g_return_if_fail (KIBITZ_IS_SCREEN_PORTAL (self));

  if (self->session == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->session, self);
  xdp_session_close (self->session);
  g_clear_object (&self->session);
}

/* The portal's stream as a source: timestamps from the pipeline clock, and
 * the last frame again while the screen is still (PipeWire sends only
 * changes), as Kooha does. */
static GstElement *
pipewire_source (XdpSession  *session,
                 GError     **error)
{
  GVariant *streams = xdp_session_get_streams (session);
  g_autofree char *path = NULL;
  GstElement *source;
  guint node = 0;
  int fd;

  if (streams == NULL || g_variant_n_children (streams) == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("the desktop gave no screen"));
      return NULL;
    }
  g_variant_get_child (streams, 0, "(u@a{sv})", &node, NULL);
  source = gst_element_factory_make ("pipewiresrc", "local-screen-source");
  if (source == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           _("GStreamer’s PipeWire plugin is missing (gstreamer1.0-pipewire)"));
      return NULL;
    }
  fd = xdp_session_open_pipewire_remote (session);
  if (fd < 0)
    {
      gst_object_unref (gst_object_ref_sink (source));
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           _("the desktop did not hand over the screen"));
      return NULL;
    }
  path = g_strdup_printf ("%u", node);
  g_object_set (source, "fd", fd, "path", path, "do-timestamp", TRUE, NULL);
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (source), "keepalive-time") != NULL)
    g_object_set (source, "keepalive-time", 1000, NULL);
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (source), "resend-last") != NULL)
    g_object_set (source, "resend-last", TRUE, NULL);
  return source;
}

static void
started_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      data)
{
  g_autoptr(GTask) task = data;
  KibitzScreenPortal *self = g_task_get_source_object (task);
  XdpSession *session = XDP_SESSION (object);
  g_autoptr(GError) error = NULL;
  GstElement *source;

  if (!xdp_session_start_finish (session, result, &error))
    {
      kibitz_screen_portal_close (self);
      g_task_return_error (task, portal_error (error));
      return;
    }
  if (!(source = pipewire_source (session, &error)))
    {
      kibitz_screen_portal_close (self);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_set_task_data (task, xdp_session_get_restore_token (session), g_free);
  g_signal_connect (session, "closed", G_CALLBACK (session_closed_cb), self);
  g_task_return_pointer (task, source, gst_object_unref);
}

static void
created_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      data)
{
  g_autoptr(GTask) task = data;
  KibitzScreenPortal *self = g_task_get_source_object (task);
  GtkWindow *parent = g_object_get_data (G_OBJECT (task), "parent");
  g_autoptr(GError) error = NULL;
  XdpParent *xdp_parent = NULL;

  self->session = xdp_portal_create_screencast_session_finish (XDP_PORTAL (object), result, &error);
  if (self->session == NULL)
    {
      g_task_return_error (task, portal_error (error));
      return;
    }
  if (parent != NULL)
    xdp_parent = xdp_parent_new_gtk (parent);
  xdp_session_start (self->session, xdp_parent, g_task_get_cancellable (task), started_cb,
                     g_object_ref (task));
  if (xdp_parent != NULL)
    xdp_parent_free (xdp_parent);
}

void
kibitz_screen_portal_start (KibitzScreenPortal  *self,
                            GtkWindow           *parent,
                            const char          *restore_token,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (KIBITZ_IS_SCREEN_PORTAL (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kibitz_screen_portal_start);
  kibitz_screen_portal_close (self);
  if (self->portal == NULL)
    {
      /* libportal 0.6 has no fallible constructor: make sure first that
       * there is a session bus to reach the portal on. */
      g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, cancellable, &error);

      if (bus == NULL)
        {
          g_message ("the screen sharing portal: no session bus: %s", error->message);
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "%s",
                                   _("the desktop’s screen sharing portal cannot be reached"));
          return;
        }
      self->portal = xdp_portal_new ();
    }
  if (parent != NULL)
    g_object_set_data_full (G_OBJECT (task), "parent", g_object_ref (parent), g_object_unref);
  xdp_portal_create_screencast_session (self->portal, XDP_OUTPUT_MONITOR | XDP_OUTPUT_WINDOW,
                                        XDP_SCREENCAST_FLAG_NONE, XDP_CURSOR_MODE_EMBEDDED,
                                        XDP_PERSIST_MODE_PERSISTENT,
                                        restore_token != NULL && restore_token[0] != '\0'
                                          ? restore_token : NULL,
                                        cancellable, created_cb, g_object_ref (task));
}

GstElement *
kibitz_screen_portal_start_finish (KibitzScreenPortal  *self,
                                   GAsyncResult        *result,
                                   char               **restore_token,
                                   GError             **error)
{
  GstElement *source;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  source = g_task_propagate_pointer (G_TASK (result), error);
  if (restore_token != NULL)
    *restore_token = source != NULL ? g_strdup (g_task_get_task_data (G_TASK (result))) : NULL;
  return source;
}

static void
kibitz_screen_portal_dispose (GObject *object)
{
  KibitzScreenPortal *self = KIBITZ_SCREEN_PORTAL (object);

  kibitz_screen_portal_close (self);
  g_clear_object (&self->portal);

  G_OBJECT_CLASS (kibitz_screen_portal_parent_class)->dispose (object);
}

static void
kibitz_screen_portal_class_init (KibitzScreenPortalClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = kibitz_screen_portal_dispose;
  signals[SIGNAL_CLOSED] = g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
kibitz_screen_portal_init (KibitzScreenPortal *self)
{
}

KibitzScreenPortal *
kibitz_screen_portal_new (void)
{
  return g_object_new (KIBITZ_TYPE_SCREEN_PORTAL, NULL);
}
