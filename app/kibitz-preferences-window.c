/* kibitz-preferences-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-preferences-window"

#include "config.h"

#include <glib/gi18n.h>

#include "kibitz-preferences-window.h"
#include "kibitz-teacher-key.h"

struct _KibitzPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  AdwEntryRow          *server_row;
  AdwEntryRow          *key_row;
  GtkLabel             *status_label;

  GCancellable         *lookup;    /* whether the server shown has a key */
  GCancellable         *request;   /* a save or a removal, until the window goes */
  gboolean              busy;      /* a save or a removal is under way */
  char                 *busy_server; /* ... for this server (its origin) */
  gboolean              has_key;   /* the keyring has a key for the server shown */
};

G_DEFINE_FINAL_TYPE (KibitzPreferencesWindow, kibitz_preferences_window,
                     ADW_TYPE_PREFERENCES_WINDOW)

static char *
row_text (AdwEntryRow *row)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
}

static void
update_actions (KibitzPreferencesWindow *self)
{
  g_autofree char *server = row_text (self->server_row);
  g_autofree char *key = row_text (self->key_row);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "teacher-key.save",
                                 !self->busy && server[0] != '\0' && key[0] != '\0');
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "teacher-key.remove",
                                 !self->busy && self->has_key);
}

/* One sentence under the rows: what the keyring holds, what just
 * happened, or what is wrong (NULL: nothing to say). */
static void
set_status (KibitzPreferencesWindow *self,
            const char              *text,
            gboolean                 is_error)
{
  gtk_label_set_text (self->status_label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), text != NULL);
  if (is_error)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");
}

/* The rows stay sensitive while the keyring works (GTK 4.8 loses track of
 * the focus of an entry that turns insensitive under it): a server typed
 * meanwhile is looked up anew when the request is done. */
static void
set_busy (KibitzPreferencesWindow *self,
          const char              *server)
{
  g_free (self->busy_server);
  self->busy_server = server ? kibitz_teacher_key_normalize_server (server, NULL) : NULL;
  self->busy = server != NULL;
  update_actions (self);
}

static void server_changed_cb (KibitzPreferencesWindow *self);

/* The request is done: TRUE if its server is still the one shown, else
 * that one is looked up. */
static gboolean
finish_request (KibitzPreferencesWindow *self)
{
  g_autofree char *server = row_text (self->server_row);
  g_autofree char *origin = kibitz_teacher_key_normalize_server (server, NULL);
  gboolean same = g_strcmp0 (origin, self->busy_server) == 0;

  set_busy (self, NULL);
  if (!same)
    server_changed_cb (self);
  return same;
}

static void
looked_up_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *key = kibitz_teacher_key_lookup_finish (result, &error);
  KibitzPreferencesWindow *self;

  /* Cancelled: another server was typed, or the window is gone. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = KIBITZ_PREFERENCES_WINDOW (user_data);
  self->has_key = key != NULL;
  update_actions (self);
  if (error != NULL)
    set_status (self, error->message, TRUE);
  else if (key != NULL)
    set_status (self, _("Your keyring has a teacher key for this server: Kibitz uses it "
                        "whenever you join a class there."), FALSE);
  else
    set_status (self, _("Your keyring has no teacher key for this server."), FALSE);
}

/* Whether the server now shown has a key: asked again at every change, the
 * previous question cancelled. */
static void
server_changed_cb (KibitzPreferencesWindow *self)
{
  g_autofree char *server = row_text (self->server_row);
  g_autofree char *origin = kibitz_teacher_key_normalize_server (server, NULL);

  g_cancellable_cancel (self->lookup);
  g_clear_object (&self->lookup);
  self->has_key = FALSE;
  update_actions (self);
  set_status (self, NULL, FALSE);
  if (origin == NULL)
    return;

  self->lookup = g_cancellable_new ();
  kibitz_teacher_key_lookup_async (server, self->lookup, looked_up_cb, self);
}

static void
key_changed_cb (KibitzPreferencesWindow *self)
{
  update_actions (self);
}

static void
stored_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  gboolean stored = kibitz_teacher_key_store_finish (result, &error);
  KibitzPreferencesWindow *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = KIBITZ_PREFERENCES_WINDOW (user_data);
  if (!finish_request (self))
    return;
  if (stored)
    {
      /* Out of sight once it is safe: the row is not where it is kept. */
      gtk_editable_set_text (GTK_EDITABLE (self->key_row), "");
      self->has_key = TRUE;
      set_status (self, _("Saved in your keyring. Kibitz uses this key whenever you join a "
                          "class on this server."), FALSE);
    }
  else
    set_status (self, error->message, TRUE);
  update_actions (self);
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  KibitzPreferencesWindow *self = KIBITZ_PREFERENCES_WINDOW (widget);
  g_autofree char *server = row_text (self->server_row);
  g_autofree char *key = row_text (self->key_row);
  g_autofree char *origin = NULL;
  g_autoptr(GError) error = NULL;

  /* What is wrong is said before anything reaches the keyring. */
  if (!(origin = kibitz_teacher_key_normalize_server (server, &error)) ||
      !kibitz_teacher_key_check_shape (key, &error))
    {
      set_status (self, error->message, TRUE);
      return;
    }

  g_cancellable_cancel (self->lookup);
  g_clear_object (&self->lookup);
  set_busy (self, server);
  kibitz_teacher_key_store_async (server, key, self->request, stored_cb, self);
}

static void
key_activated_cb (KibitzPreferencesWindow *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "teacher-key.save", NULL);
}

static void
forgotten_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  gboolean removed = kibitz_teacher_key_forget_finish (result, &error);
  KibitzPreferencesWindow *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = KIBITZ_PREFERENCES_WINDOW (user_data);
  if (!finish_request (self))
    return;
  if (error != NULL)
    set_status (self, error->message, TRUE);
  else
    {
      self->has_key = FALSE;
      set_status (self, removed ? _("Removed from your keyring. Kibitz joins this server "
                                    "without a teacher key from now on.")
                                : _("Your keyring has no teacher key for this server."),
                  FALSE);
    }
  update_actions (self);
}

static void
remove_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  KibitzPreferencesWindow *self = KIBITZ_PREFERENCES_WINDOW (widget);
  g_autofree char *server = row_text (self->server_row);

  g_cancellable_cancel (self->lookup);
  g_clear_object (&self->lookup);
  set_busy (self, server);
  kibitz_teacher_key_forget_async (server, self->request, forgotten_cb, self);
}

static void
kibitz_preferences_window_dispose (GObject *object)
{
  KibitzPreferencesWindow *self = KIBITZ_PREFERENCES_WINDOW (object);

  /* Callbacks that come after this see the cancellation and touch nothing. */
  g_cancellable_cancel (self->lookup);
  g_clear_object (&self->lookup);
  g_cancellable_cancel (self->request);
  g_clear_object (&self->request);
  g_clear_pointer (&self->busy_server, g_free);

  G_OBJECT_CLASS (kibitz_preferences_window_parent_class)->dispose (object);
}

static void
kibitz_preferences_window_class_init (KibitzPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kibitz_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/kibitz/Kibitz/kibitz-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, KibitzPreferencesWindow, server_row);
  gtk_widget_class_bind_template_child (widget_class, KibitzPreferencesWindow, key_row);
  gtk_widget_class_bind_template_child (widget_class, KibitzPreferencesWindow, status_label);
  gtk_widget_class_bind_template_callback (widget_class, server_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, key_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, key_activated_cb);
  gtk_widget_class_install_action (widget_class, "teacher-key.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "teacher-key.remove", NULL, remove_action);
}

static void
kibitz_preferences_window_init (KibitzPreferencesWindow *self)
{
  self->request = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
  update_actions (self);
}

KibitzPreferencesWindow *
kibitz_preferences_window_new (GtkWindow  *parent,
                               const char *server_url)
{
  KibitzPreferencesWindow *self = g_object_new (KIBITZ_TYPE_PREFERENCES_WINDOW,
                                                "transient-for", parent, NULL);

  gtk_editable_set_text (GTK_EDITABLE (self->server_row), server_url ? server_url : "");
  /* An empty row says nothing changed: ask about it all the same. */
  if (server_url == NULL || server_url[0] == '\0')
    server_changed_cb (self);
  /* What people come here for; the server is usually the right one already. */
  gtk_widget_grab_focus (GTK_WIDGET (self->key_row));
  return self;
}
