/* kibitz-lobby-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-lobby-page"

#include "config.h"

#define G_SETTINGS_ENABLE_BACKEND

#include <adwaita.h>
#include <gio/gsettingsbackend.h>
#include <glib/gi18n.h>

#include "kibitz-lobby-page.h"

struct _KibitzLobbyPage
{
  GtkWidget    parent_instance;

  AdwEntryRow *name_row;
  AdwEntryRow *room_row;
  AdwEntryRow *server_row;

  GSettings   *settings;
};

G_DEFINE_FINAL_TYPE (KibitzLobbyPage, kibitz_lobby_page, GTK_TYPE_WIDGET)

enum {
  SIGNAL_JOIN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

GSettings *
kibitz_settings_new (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettingsBackend) backend = NULL;

  if (source != NULL && (schema = g_settings_schema_source_lookup (source, APPLICATION_ID, TRUE)))
    return g_settings_new_full (schema, NULL, NULL);

  /* Running from the build tree: use the schema compiled there, in memory. */
  g_debug ("the GSettings schema %s is not installed; settings will not be kept", APPLICATION_ID);
  source = g_settings_schema_source_new_from_directory (KIBITZ_BUILD_SCHEMA_DIR, NULL, FALSE,
                                                        NULL);
  if (source == NULL)
    return NULL;
  schema = g_settings_schema_source_lookup (source, APPLICATION_ID, FALSE);
  g_settings_schema_source_unref (source);
  if (schema == NULL)
    return NULL;

  backend = g_memory_settings_backend_new ();
  return g_settings_new_full (schema, backend, NULL);
}

static const char *
row_text (AdwEntryRow *row)
{
  return gtk_editable_get_text (GTK_EDITABLE (row));
}

static gboolean
is_blank (const char *text)
{
  for (; *text != '\0'; text = g_utf8_next_char (text))
    if (!g_unichar_isspace (g_utf8_get_char (text)))
      return FALSE;
  return TRUE;
}

static gboolean
can_join (KibitzLobbyPage *self)
{
  return !is_blank (row_text (self->name_row)) && !is_blank (row_text (self->room_row)) &&
         !is_blank (row_text (self->server_row));
}

static void
update_join (KibitzLobbyPage *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "lobby.join", can_join (self));
}

static void
join_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  KibitzLobbyPage *self = KIBITZ_LOBBY_PAGE (widget);
  g_autofree char *name = g_strstrip (g_strdup (row_text (self->name_row)));
  g_autofree char *room = g_strstrip (g_strdup (row_text (self->room_row)));
  g_autofree char *server = g_strstrip (g_strdup (row_text (self->server_row)));

  if (*name == '\0' || *room == '\0' || *server == '\0')
    return;

  g_signal_emit (self, signals[SIGNAL_JOIN], 0, server, room, name);
}

static void
activate_join (KibitzLobbyPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "lobby.join", NULL);
}

static void
bind_row (KibitzLobbyPage *self,
          const char      *key,
          AdwEntryRow     *row)
{
  if (self->settings != NULL)
    g_settings_bind (self->settings, key, row, "text", G_SETTINGS_BIND_DEFAULT);
}

static void
kibitz_lobby_page_dispose (GObject *object)
{
  KibitzLobbyPage *self = KIBITZ_LOBBY_PAGE (object);
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (self), KIBITZ_TYPE_LOBBY_PAGE);
  /* The scrolled window at the top of the template has no id to clear it by. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))))
    gtk_widget_unparent (child);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (kibitz_lobby_page_parent_class)->dispose (object);
}

static void
kibitz_lobby_page_class_init (KibitzLobbyPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kibitz_lobby_page_dispose;

  signals[SIGNAL_JOIN] = g_signal_new ("join", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                       NULL, NULL, NULL, G_TYPE_NONE, 3,
                                       G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/kibitz/Kibitz/kibitz-lobby-page.ui");
  gtk_widget_class_bind_template_child (widget_class, KibitzLobbyPage, name_row);
  gtk_widget_class_bind_template_child (widget_class, KibitzLobbyPage, room_row);
  gtk_widget_class_bind_template_child (widget_class, KibitzLobbyPage, server_row);
  gtk_widget_class_bind_template_callback (widget_class, update_join);
  gtk_widget_class_bind_template_callback (widget_class, activate_join);
  gtk_widget_class_install_action (widget_class, "lobby.join", NULL, join_action);
}

static void
kibitz_lobby_page_init (KibitzLobbyPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = kibitz_settings_new ();
  if (self->settings == NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->server_row), "http://127.0.0.1:8080");
  bind_row (self, "name", self->name_row);
  bind_row (self, "room", self->room_row);
  bind_row (self, "server", self->server_row);
  update_join (self);
}
