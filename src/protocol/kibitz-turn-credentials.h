/* kibitz-turn-credentials.h: the TURN REST API credential scheme that coturn
 * implements with use-auth-secret: username "<unix expiry>:<id>",
 * password base64(HMAC-SHA1(secret, username)).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

char    *kibitz_turn_password       (const char  *secret,
                                     const char  *username) G_GNUC_WARN_UNUSED_RESULT;
char    *kibitz_turn_username       (gint64       expiry,
                                     const char  *id) G_GNUC_WARN_UNUSED_RESULT;
gboolean kibitz_turn_username_parse (const char  *username,
                                     gint64      *expiry,
                                     char       **id);

G_END_DECLS
