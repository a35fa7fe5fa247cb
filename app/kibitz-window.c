/* kibitz-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-window"

#include "config.h"

#include <glib/gi18n.h>

#include "kibitz-lobby-page.h"
#include "kibitz-preferences-window.h"
#include "kibitz-teacher-key.h"
#include "kibitz-window.h"

struct _KibitzWindow
{
  AdwApplicationWindow  parent_instance;

  AdwWindowTitle       *window_title;
  GtkStack             *stack;
  KibitzLobbyPage      *lobby_page;
  KibitzCallPage       *call_page;

  char                 *teacher_key;  /* for this run (--teacher-key); NULL: the keyring's */
  KibitzJoinRequest    *pending;      /* a join waiting for the keyring */
  GCancellable         *key_lookup;
};

G_DEFINE_FINAL_TYPE (KibitzWindow, kibitz_window, ADW_TYPE_APPLICATION_WINDOW)

static void
start_call (KibitzWindow            *self,
            const KibitzJoinRequest *request)
{
  kibitz_lobby_page_stop_preview (self->lobby_page);
  adw_window_title_set_subtitle (self->window_title, request->room);
  gtk_stack_set_visible_child_name (self->stack, "call");
  kibitz_call_page_join (self->call_page, request);
}

static void
cancel_pending_join (KibitzWindow *self)
{
  g_cancellable_cancel (self->key_lookup);
  g_clear_object (&self->key_lookup);
  g_clear_pointer (&self->pending, kibitz_join_request_free);
}

static void
key_looked_up_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *key = kibitz_teacher_key_lookup_finish (result, &error);
  g_autoptr(KibitzJoinRequest) request = NULL;
  KibitzWindow *self;

  /* Cancelled: another join, or the window is gone. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = KIBITZ_WINDOW (user_data);
  request = g_steal_pointer (&self->pending);
  cancel_pending_join (self);
  /* Without a key the class works as for anyone: the server decides. */
  if (error != NULL)
    g_message ("joining without a teacher key: %s", error->message);
  else if (key == NULL)
    g_debug ("no teacher key for %s in the keyring", request->server_url);
  request->teacher_token = g_steal_pointer (&key);
  start_call (self, request);
}

/* Every join asks the keyring for the server's teacher key first (it may
 * have to unlock it: never in the way of the main loop). */
static void
join (KibitzWindow            *self,
      const KibitzJoinRequest *request)
{
  cancel_pending_join (self);

  if (request->teacher_token != NULL || self->teacher_key != NULL)
    {
      g_autoptr(KibitzJoinRequest) now = kibitz_join_request_copy (request);

      if (now->teacher_token == NULL)
        now->teacher_token = g_strdup (self->teacher_key);
      start_call (self, now);
      return;
    }

  /* A second Join while the keyring answers replaces the first (above):
   * one call, whatever the person clicks. */
  self->pending = kibitz_join_request_copy (request);
  self->key_lookup = g_cancellable_new ();
  kibitz_teacher_key_lookup_async (request->server_url, self->key_lookup, key_looked_up_cb, self);
}

void
kibitz_window_join_invited (KibitzWindow *self,
                            const char   *server_url,
                            const char   *room,
                            const char   *name,
                            const char   *invite)
{
  g_autoptr(KibitzJoinRequest) request = NULL;

  g_return_if_fail (KIBITZ_IS_WINDOW (self));

  request = kibitz_lobby_page_make_request (self->lobby_page, server_url, room, name);
  request->invite = g_strdup (invite);
  join (self, request);
}

void
kibitz_window_join (KibitzWindow *self,
                    const char   *server_url,
                    const char   *room,
                    const char   *name)
{
  kibitz_window_join_invited (self, server_url, room, name, NULL);
}

void
kibitz_window_set_teacher_key (KibitzWindow *self,
                               const char   *key)
{
  g_return_if_fail (KIBITZ_IS_WINDOW (self));

  g_free (self->teacher_key);
  self->teacher_key = g_strdup (key);
}

gboolean
kibitz_window_open_link (KibitzWindow *self,
                         const char   *link)
{
  g_return_val_if_fail (KIBITZ_IS_WINDOW (self), FALSE);

  /* During a call the lobby is filled for afterwards; the call goes on. */
  return kibitz_lobby_page_open_link (self->lobby_page, link);
}

void
kibitz_window_fill_lobby (KibitzWindow *self,
                          const char   *server_url,
                          const char   *room,
                          const char   *invite)
{
  g_return_if_fail (KIBITZ_IS_WINDOW (self));

  kibitz_lobby_page_fill (self->lobby_page, server_url, room, invite);
}

KibitzCallPage *
kibitz_window_get_call_page (KibitzWindow *self)
{
  g_return_val_if_fail (KIBITZ_IS_WINDOW (self), NULL);

  return self->call_page;
}

static void
lobby_join_cb (KibitzWindow      *self,
               KibitzJoinRequest *request)
{
  join (self, request);
}

static void
call_closed_cb (KibitzWindow *self)
{
  adw_window_title_set_subtitle (self->window_title, NULL);
  gtk_stack_set_visible_child_name (self->stack, "lobby");
}

static void
preferences_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  KibitzWindow *self = KIBITZ_WINDOW (widget);
  g_autofree char *server = kibitz_lobby_page_get_server (self->lobby_page);

  gtk_window_present (GTK_WINDOW (kibitz_preferences_window_new (GTK_WINDOW (self), server)));
}

static void
about_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  GtkWidget *about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                                   "transient-for", widget,
                                   "application-name", _("Kibitz"),
                                   "application-icon", APPLICATION_ID,
                                   "version", PACKAGE_VERSION,
                                   "developer-name", _("The Kibitz authors"),
                                   "comments", _("Join a live class and see and hear everyone"),
                                   "website", "https://github.com/kibitz/kibitz",
                                   "issue-url", "https://github.com/kibitz/kibitz/issues",
                                   "license-type", GTK_LICENSE_GPL_3_0,
                                   /* TRANSLATORS: your names, one per line */
                                   "translator-credits", _("translator-credits"),
                                   NULL);

  gtk_window_present (GTK_WINDOW (about));
}

static gboolean
kibitz_window_close_request (GtkWindow *window)
{
  KibitzWindow *self = KIBITZ_WINDOW (window);

  /* Say goodbye to the room before the window goes. */
  cancel_pending_join (self);
  kibitz_call_page_leave (self->call_page);

  return GTK_WINDOW_CLASS (kibitz_window_parent_class)->close_request (window);
}

static void
kibitz_window_dispose (GObject *object)
{
  KibitzWindow *self = KIBITZ_WINDOW (object);

  /* The lookup's callback sees the cancellation and touches nothing. */
  g_cancellable_cancel (self->key_lookup);
  g_clear_object (&self->key_lookup);
  g_clear_pointer (&self->pending, kibitz_join_request_free);
  g_clear_pointer (&self->teacher_key, g_free);

  G_OBJECT_CLASS (kibitz_window_parent_class)->dispose (object);
}

static void
kibitz_window_class_init (KibitzWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = kibitz_window_dispose;
  window_class->close_request = kibitz_window_close_request;

  g_type_ensure (KIBITZ_TYPE_LOBBY_PAGE);
  g_type_ensure (KIBITZ_TYPE_CALL_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/kibitz/Kibitz/kibitz-window.ui");
  gtk_widget_class_bind_template_child (widget_class, KibitzWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, KibitzWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, KibitzWindow, lobby_page);
  gtk_widget_class_bind_template_child (widget_class, KibitzWindow, call_page);
  gtk_widget_class_bind_template_callback (widget_class, lobby_join_cb);
  gtk_widget_class_bind_template_callback (widget_class, call_closed_cb);

  gtk_widget_class_install_property_action (widget_class, "win.fullscreen", "fullscreened");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F11, 0, "win.fullscreen", NULL);
  /* Ctrl+comma is the application's accelerator, so that the menu shows it. */
  gtk_widget_class_install_action (widget_class, "win.preferences", NULL, preferences_action);
  gtk_widget_class_install_action (widget_class, "win.about", NULL, about_action);
}

static void
kibitz_window_init (KibitzWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* The app's own icons (GtkApplication adds them too; tests have none). */
  gtk_icon_theme_add_resource_path (gtk_icon_theme_get_for_display (
                                      gtk_widget_get_display (GTK_WIDGET (self))),
                                    "/io/github/kibitz/Kibitz/icons");
}

KibitzWindow *
kibitz_window_new (GtkApplication *application)
{
  return g_object_new (KIBITZ_TYPE_WINDOW, "application", application, NULL);
}
