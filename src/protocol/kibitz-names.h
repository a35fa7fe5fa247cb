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
/* An invite (protocol.md §4) as a person pastes it: the code, or the whole
 * link (…/j/CODE, a query or fragment after it is ignored). Returns the code
 * and sets @room to the room key it names; NULL if it is neither. */
char *kibitz_invite_parse          (const char  *text,
                                    char       **room) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
