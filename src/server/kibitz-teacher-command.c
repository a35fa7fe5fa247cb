/* kibitz-teacher-command.c
 *
 * Both commands take the server's own secret options (--secret, --config,
 * --state-dir), so a token is signed with exactly the secret the server
 * uses, and revocations land in the state directory the server reads.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-server"

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "kibitz-class-token.h"
#include "kibitz-names.h"
#include "kibitz-server-config.h"
#include "kibitz-teacher-command.h"

#define DAYS_DEFAULT  365
#define DAYS_MAX      3650

/* The server options after the command's own; the secret settled. */
static KibitzServerConfig *
read_server_config (int     *argc,
                    char  ***argv,
                    GError **error)
{
  g_autoptr(KibitzServerConfig) config = kibitz_server_config_new ();

  if (!kibitz_server_config_parse_args (config, argc, argv, error) ||
      !kibitz_server_config_ensure_secret (config, error))
    return NULL;
  return g_steal_pointer (&config);
}

int
kibitz_teacher_token_command_run (int    argc,
                                  char **argv)
{
  g_autofree char *name = NULL;
  int days = DAYS_DEFAULT;
  const GOptionEntry entries[] = {
    { "name", 0, 0, G_OPTION_ARG_STRING, &name,
      "Who the key is for (shown in the server's log; required)", "NAME" },
    { "days", 0, 0, G_OPTION_ARG_INT, &days,
      "How long the key works (default 365, at most 3650)", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context =
    g_option_context_new ("--name NAME [--days N] [--secret S | --config FILE | --state-dir DIR] "
                          "— print a teacher key");
  g_autoptr(KibitzServerConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *checked = NULL;
  g_autofree char *token = NULL;
  g_autofree char *id = NULL;
  g_autoptr(GDateTime) until = NULL;
  g_autofree char *until_text = NULL;
  gint64 expiry;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_ignore_unknown_options (context, TRUE);
  g_option_context_set_help_enabled (context, TRUE);
  if (!g_option_context_parse (context, &argc, &argv, &error) ||
      !(config = read_server_config (&argc, &argv, &error)))
    {
      g_printerr ("kibitz-server teacher-token: %s\n", error->message);
      return 2;
    }
  if (argc > 1)
    {
      g_printerr ("kibitz-server teacher-token: unexpected “%s”\n", argv[1]);
      return 2;
    }
  if (name == NULL || !(checked = kibitz_display_name_validate (name, &error)))
    {
      g_printerr ("kibitz-server teacher-token: give the teacher's name with --name "
                  "(1 to 64 characters)%s%s\n", error ? ": " : "", error ? error->message : "");
      return 2;
    }
  if (days < 1 || days > DAYS_MAX)
    {
      g_printerr ("kibitz-server teacher-token: --days must be 1 to %d, not %d\n", DAYS_MAX, days);
      return 2;
    }

  expiry = g_get_real_time () / G_USEC_PER_SEC + (gint64) days * 24 * 3600;
  token = kibitz_teacher_token_new (config->secret, checked, expiry);
  id = kibitz_teacher_token_id (token);
  until = g_date_time_new_from_unix_utc (expiry);
  until_text = g_date_time_format (until, "%Y-%m-%d");

  printf ("%s\n", token);
  fflush (stdout);
  g_printerr ("Teacher key %s for “%s”, valid until %s. Revoke it with: "
              "kibitz-server revoke-token %s\n", id, checked, until_text, id);
  return 0;
}

GStrv
kibitz_revoked_tokens_read (const char *path)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GStrvBuilder) ids = g_strv_builder_new ();

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      char *line = g_strstrip (lines[i]);
      char *space = strpbrk (line, " \t#");

      if (space)
        *space = '\0';
      if (*line != '\0')
        g_strv_builder_add (ids, line);
    }
  return g_strv_builder_end (ids);
}

int
kibitz_revoke_token_command_run (int    argc,
                                 char **argv)
{
  g_autoptr(GOptionContext) context =
    g_option_context_new ("TOKEN-OR-ID [--secret S | --config FILE | --state-dir DIR] "
                          "— stop a teacher key from working");
  g_autoptr(KibitzServerConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *state_dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *id = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y-%m-%d %H:%M:%S UTC");
  FILE *file;

  g_option_context_set_ignore_unknown_options (context, TRUE);
  if (!g_option_context_parse (context, &argc, &argv, &error) ||
      !(config = read_server_config (&argc, &argv, &error)))
    {
      g_printerr ("kibitz-server revoke-token: %s\n", error->message);
      return 2;
    }
  if (argc != 2)
    {
      g_printerr ("kibitz-server revoke-token: give one teacher key, or the id "
                  "`teacher-token` printed for it\n");
      return 2;
    }

  /* A whole key, or its id: 16 hexadecimal digits. */
  id = kibitz_teacher_token_id (argv[1]);
  if (id == NULL && strlen (argv[1]) == 16 && strspn (argv[1], "0123456789abcdef") == 16)
    id = g_strdup (argv[1]);
  if (id == NULL)
    {
      g_printerr ("kibitz-server revoke-token: “%s” is neither a teacher key nor a key's id\n",
                  argv[1]);
      return 2;
    }

  state_dir = kibitz_server_config_get_state_dir (config);
  path = g_build_filename (state_dir, KIBITZ_REVOKED_TOKENS_FILE, NULL);
  if (g_mkdir_with_parents (state_dir, 0700) != 0 || !(file = g_fopen (path, "a")))
    {
      g_printerr ("kibitz-server revoke-token: cannot write %s: %s\n", path, g_strerror (errno));
      return 1;
    }
  fprintf (file, "%s  # revoked %s\n", id, stamp);
  if (fclose (file) != 0)
    {
      g_printerr ("kibitz-server revoke-token: cannot write %s: %s\n", path, g_strerror (errno));
      return 1;
    }

  g_printerr ("Teacher key %s revoked in %s; running servers with this state directory stop "
              "accepting it within a few seconds\n", id, path);
  return 0;
}
