/* kibitz-teacher-command.h: `kibitz-server teacher-token` and
 * `kibitz-server revoke-token` (protocol.md §4), and the list of revoked
 * teacher tokens that the server reads from its state directory.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define KIBITZ_REVOKED_TOKENS_FILE "revoked-teacher-tokens"

int    kibitz_teacher_token_command_run (int          argc,
                                         char       **argv);
int    kibitz_revoke_token_command_run  (int          argc,
                                         char       **argv);
/* The token ids in @path (one per line, "#" comments); NULL if unreadable. */
GStrv  kibitz_revoked_tokens_read       (const char  *path);

G_END_DECLS
