/* kibitz-daemon.h: kibitz-server as a daemon: the signaling front and the
 * built-in STUN/TURN relay, started from one configuration.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

int kibitz_daemon_run (int    argc,
                       char **argv);

G_END_DECLS
