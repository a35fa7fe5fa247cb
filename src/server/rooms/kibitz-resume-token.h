/* kibitz-resume-token.h: resume tokens only the server can mint and verify.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

char     *kibitz_resume_token_new    (const char  *secret,
                                      const char  *peer_id,
                                      const char  *room_key,
                                      gint64       expiry) G_GNUC_WARN_UNUSED_RESULT;
gboolean  kibitz_resume_token_verify (const char  *secret,
                                      const char  *token,
                                      const char  *room_key,
                                      gint64       now,
                                      char       **peer_id,
                                      gint64      *expiry);

G_END_DECLS
