/* kibitz-names.h: the rules for room names and display names (protocol.md §2).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *kibitz_room_name_normalize   (const char  *name,
                                    char       **display,
                                    GError     **error) G_GNUC_WARN_UNUSED_RESULT;
char *kibitz_display_name_validate (const char  *name,
                                    GError     **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
