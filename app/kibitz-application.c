/* kibitz-application.c
 *
 * `kibitz --server URL --room ROOM --name NAME` joins at once; so does
 * `--invite CODE-OR-LINK --name NAME` (the invite names the room). A
 * `kibitz:` link or an invite link, as an argument (desktop files pass %u)
 * or opened through GApplication, fills the lobby for that class; without
 * any of them the lobby shows as it was left.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-application"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "kibitz-application.h"
#include "kibitz-peer.h"
#include "kibitz-join-link.h"
#include "kibitz-names.h"
#include "kibitz-teacher-key.h"
#include "kibitz-window.h"

#define DEFAULT_SERVER "http://127.0.0.1:8080"

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

/* Links from elsewhere (another program, the desktop): each fills the lobby. */
static void
kibitz_application_open (GApplication  *application,
                         GFile        **files,
                         int            n_files,
                         const char    *hint)
{
  KibitzWindow *window = ensure_window (KIBITZ_APPLICATION (application));

  for (int i = 0; i < n_files; i++)
    {
      g_autofree char *uri = g_file_get_uri (files[i]);

      kibitz_window_open_link (window, uri);
    }
  gtk_window_present (GTK_WINDOW (window));
}

/* --invite: a link (kibitz: or …/j/CODE, which also name the server) or a
 * code alone. */
static KibitzJoinLink *
parse_invite_option (const char  *text,
                     GError     **error)
{
  g_autoptr(KibitzJoinLink) link = g_new0 (KibitzJoinLink, 1);

  if (g_ascii_strncasecmp (text, "kibitz:", 7) == 0 || strstr (text, "/j/") != NULL)
    return kibitz_join_link_parse (text, error);

  if (!(link->invite = kibitz_invite_parse (text, &link->room)))
    {
      g_set_error_literal (error, KIBITZ_JOIN_LINK_ERROR, KIBITZ_JOIN_LINK_ERROR_INVALID,
                           _("This is neither an invite code nor an invite link."));
      return NULL;
    }
  return g_steal_pointer (&link);
}

static int
fail (GApplicationCommandLine *command_line,
      const char              *option,
      const char              *sentence)
{
  g_application_command_line_printerr (command_line, "kibitz: %s: %s\n", option, sentence);
  return 2;
}

/* Links as arguments: what the desktop passes for a kibitz: link. A bad
 * one is said in the lobby, where the person looks, and here. */
static void
open_links (KibitzWindow            *window,
            GApplicationCommandLine *command_line)
{
  g_auto(GStrv) arguments = g_application_command_line_get_arguments (command_line, NULL);

  for (guint i = 1; arguments[i] != NULL; i++)
    if (!kibitz_window_open_link (window, arguments[i]))
      g_application_command_line_printerr (command_line,
                                           _("kibitz: %s is not a link to a class\n"),
                                           arguments[i]);
}

/* The options are checked before a window opens: a mistake is said on the
 * command line, and nothing else happens. */
static int
kibitz_application_command_line (GApplication            *application,
                                 GApplicationCommandLine *command_line)
{
  GVariantDict *options = g_application_command_line_get_options_dict (command_line);
  const char *server = NULL, *room = NULL, *name = NULL, *invite = NULL, *key = NULL;
  g_autofree char *teacher_key = NULL;
  g_autoptr(KibitzJoinLink) link = NULL;
  g_autoptr(GError) error = NULL;
  KibitzWindow *window;

  g_variant_dict_lookup (options, "server", "&s", &server);
  g_variant_dict_lookup (options, "room", "&s", &room);
  g_variant_dict_lookup (options, "name", "&s", &name);
  g_variant_dict_lookup (options, "invite", "&s", &invite);
  g_variant_dict_lookup (options, "teacher-key", "&s", &key);

  if (key != NULL && !kibitz_teacher_key_check_shape (teacher_key = g_strstrip (g_strdup (key)),
                                                      &error))
    return fail (command_line, "--teacher-key", error->message);
  if (invite != NULL && !(link = parse_invite_option (invite, &error)))
    return fail (command_line, "--invite", error->message);
  if (room != NULL && name == NULL && link == NULL)
    {
      g_application_command_line_printerr (command_line,
                                           _("kibitz: --room and --name go together\n"));
      return 2;
    }
  if (link != NULL)
    {
      room = room ? room : link->room;
      server = server ? server : link->server_url;
    }
  if (name != NULL && room == NULL)
    {
      g_application_command_line_printerr (command_line,
                                           _("kibitz: --name needs --room or --invite\n"));
      return 2;
    }

  window = ensure_window (KIBITZ_APPLICATION (application));
  if (teacher_key != NULL)
    kibitz_window_set_teacher_key (window, teacher_key);
  open_links (window, command_line);
  if (name != NULL)
    kibitz_window_join_invited (window, server ? server : DEFAULT_SERVER, room, name,
                                link ? link->invite : NULL);
  else if (link != NULL)
    kibitz_window_fill_lobby (window, server, room, link->invite);

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

/* For `gapplication action io.github.kibitz.Kibitz preferences` too. */
static void
preferences_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  KibitzWindow *window = ensure_window (user_data);

  gtk_window_present (GTK_WINDOW (window));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.preferences", NULL);
}

static void
kibitz_application_startup (GApplication *application)
{
  static const GActionEntry actions[] = {
    { "quit", quit_action },
    { "preferences", preferences_action },
  };
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };

  G_APPLICATION_CLASS (kibitz_application_parent_class)->startup (application);
  /* The running instance only (a second `kibitz` hands its link over and
   * exits): made while the lobby shows, so the first call does not wait. */
  kibitz_peer_prepare_dtls ();

  g_action_map_add_action_entries (G_ACTION_MAP (application), actions, G_N_ELEMENTS (actions),
                                   application);
  gtk_application_set_accels_for_action (GTK_APPLICATION (application), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (application), "win.preferences",
                                         preferences_accels);
}

static void
kibitz_application_class_init (KibitzApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->startup = kibitz_application_startup;
  app_class->activate = kibitz_application_activate;
  app_class->open = kibitz_application_open;
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
    { "invite", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("An invite from your teacher, its code or the whole link (names the room)"),
      N_("CODE-OR-LINK") },
    { "teacher-key", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("Join as a teacher with this key, for this run only (it is not stored)"), N_("KEY") },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), entries);
  g_application_set_option_context_parameter_string (G_APPLICATION (self),
                                                     N_("[KIBITZ-LINK]"));
}

KibitzApplication *
kibitz_application_new (void)
{
  return g_object_new (KIBITZ_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_HANDLES_COMMAND_LINE | G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/io/github/kibitz/Kibitz",
                       NULL);
}
