/* main.c: kibitz-server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-server"

#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <glib-unix.h>

#include "kibitz-plan-command.h"
#include "kibitz-relay.h"
#include "kibitz-server-config.h"
#include "kibitz-signaling-server.h"

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);

  return G_SOURCE_REMOVE;
}

static int
run_server (int    argc,
            char **argv)
{
  g_autoptr(KibitzServerConfig) config = kibitz_server_config_new ();
  g_autoptr(KibitzSignalingServer) signaling = NULL;
  g_autoptr(KibitzTurnServer) turn = NULL;
  g_autoptr(GPtrArray) listening = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;

  if (!kibitz_server_config_parse_args (config, &argc, &argv, &error) ||
      !kibitz_server_config_ensure_secret (config, &error))
    {
      g_printerr ("kibitz-server: %s\n", error->message);
      return 2;
    }

  /* Before the listening lines: a script may signal as soon as it reads them. */
  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGTERM, quit_cb, loop);
  g_unix_signal_add (SIGINT, quit_cb, loop);

  signaling = kibitz_signaling_server_new (config);
  if ((config->turn_enabled &&
       !(turn = kibitz_relay_start (config, signaling, listening, &error))) ||
      !kibitz_signaling_server_listen (signaling, &error))
    {
      g_printerr ("kibitz-server: %s\n", error->message);
      return 1;
    }

  /* Scripts wait for these lines: all of them, flushed, before serving; the
   * relay's come before the http line.
   */
  lines = kibitz_signaling_server_listening (signaling);
  for (guint i = 0; lines[i]; i++)
    g_ptr_array_add (listening, g_strdup (lines[i]));
  for (guint i = 0; i < listening->len; i++)
    {
      printf ("listening %s\n", (char *) g_ptr_array_index (listening, i));
      fflush (stdout);
    }

  g_main_loop_run (loop);

  g_message ("shutting down");
  kibitz_signaling_server_shutdown (signaling);
  if (turn)
    kibitz_turn_server_stop (turn);

  return 0;
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  /* stdout carries only the "listening" lines that scripts read. */
  g_log_writer_default_set_use_stderr (TRUE);

  if (argc > 1 && g_str_equal (argv[1], "plan"))
    return kibitz_plan_command_run (argc - 1, argv + 1);

  return run_server (argc, argv);
}
