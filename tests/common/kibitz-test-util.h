/* kibitz-test-util.h: small helpers several suites share: temporary state
 * directories and teacher keys from `kibitz-server teacher-token`.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Deletes path and everything under it (symbolic links are unlinked, not
 * followed). */
void  kibitz_test_remove_tree   (const char *path);

/* A teacher key for name, as `kibitz-server teacher-token` ($KIBITZ_SERVER_BIN)
 * prints it; the arguments after name, ending with NULL, name the secret the
 * servers use (`--state-dir`, DIR or `--secret`, S) and may add `--days`, N.
 * Asserts it looks like one. */
char *kibitz_test_teacher_token (const char *name,
                                 ...) G_GNUC_NULL_TERMINATED G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
