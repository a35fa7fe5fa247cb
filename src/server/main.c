/* main.c: kibitz-server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-server"

#include "config.h"

#include <locale.h>

#include "kibitz-daemon.h"
#include "kibitz-plan-command.h"
#include "kibitz-teacher-command.h"

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  /* stdout carries only the "listening" lines that scripts read. */
  g_log_writer_default_set_use_stderr (TRUE);

  if (argc > 1 && g_str_equal (argv[1], "plan"))
    return kibitz_plan_command_run (argc - 1, argv + 1);
  if (argc > 1 && g_str_equal (argv[1], "teacher-token"))
    return kibitz_teacher_token_command_run (argc - 1, argv + 1);
  if (argc > 1 && g_str_equal (argv[1], "revoke-token"))
    return kibitz_revoke_token_command_run (argc - 1, argv + 1);

  return kibitz_daemon_run (argc, argv);
}
