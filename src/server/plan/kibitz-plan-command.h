/* kibitz-plan-command.h: `kibitz-server plan`, the command line around
 * kibitz-plan.[ch] (options, reading /metrics, printing).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

int kibitz_plan_command_run (int    argc,
                             char **argv);

G_END_DECLS
