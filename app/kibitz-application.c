/* kibitz-application.c
 *
 * `kibitz --server URL --room ROOM --name NAME` joins at once; without them
 * the lobby shows.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-application"

#include "config.h"

#include <glib/gi18n.h>

#include "kibitz-application.h"
#include "kibitz-window.h"

struct _KibitzApplication
{
  AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (KibitzApplication, kibitz_application, ADW_TYPE_APPLICATION)

static KibitzWindow *
ensure_window (KibitzApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    window = GTK_WINDOW (kibitz_window_new (GTK_APPLICATION (self)));
  return KIBITZ_WINDOW (window);
}

static void
kibitz_application_activate (GApplication *application)
{
  gtk_window_present (GTK_WINDOW (ensure_window (KIBITZ_APPLICATION (application))));
}

static int
kibitz_application_command_line (GApplication            *application,
                                 GApplicationCommandLine *command_line)
{
  KibitzApplication *self = KIBITZ_APPLICATION (application);
  GVariantDict *options = g_application_command_line_get_options_dict (command_line);
  const char *server = NULL, *room = NULL, *name = NULL;
  KibitzWindow *window = ensure_window (self);

  g_variant_dict_lookup (options, "server", "&s", &server);
  g_variant_dict_lookup (options, "room", "&s", &room);
  g_variant_dict_lookup (options, "name", "&s", &name);

  if (room != NULL || name != NULL)
    {
      if (room == NULL || name == NULL)
        {
          g_application_command_line_printerr (command_line,
                                               _("kibitz: --room and --name go together\n"));
          return 2;
        }
      kibitz_window_join (window, server ? server : "http://127.0.0.1:8080", room, name);
    }

  gtk_window_present (GTK_WINDOW (window));
  return 0;
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  GtkWindow *window = gtk_application_get_active_window (user_data);

  if (window != NULL)
    gtk_window_close (window);
}

static void
kibitz_application_startup (GApplication *application)
{
  static const GActionEntry actions[] = {
    { "quit", quit_action },
  };
  static const char *quit_accels[] = { "<Control>q", NULL };

  G_APPLICATION_CLASS (kibitz_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (application), actions, G_N_ELEMENTS (actions),
                                   application);
  gtk_application_set_accels_for_action (GTK_APPLICATION (application), "app.quit", quit_accels);
}

static void
kibitz_application_class_init (KibitzApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->startup = kibitz_application_startup;
  app_class->activate = kibitz_application_activate;
  app_class->command_line = kibitz_application_command_line;
}

static void
kibitz_application_init (KibitzApplication *self)
{
  const GOptionEntry entries[] = {
    { "server", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("kibitz-server to use, e.g. http://127.0.0.1:8080"), N_("URL") },
    { "room", 0, 0, G_OPTION_ARG_STRING, NULL, N_("Room to join at once"), N_("ROOM") },
    { "name", 0, 0, G_OPTION_ARG_STRING, NULL, N_("Your name in the room"), N_("NAME") },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), entries);
}

KibitzApplication *
kibitz_application_new (void)
{
  return g_object_new (KIBITZ_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_HANDLES_COMMAND_LINE,
                       "resource-base-path", "/io/github/kibitz/Kibitz",
                       NULL);
}
