/* kibitz-class-token.h: the signed tokens of protocol.md §4 (teacher tokens,
 * invite codes), and the MAC and constant-time comparison that resume tokens
 * share with them. Each is verifiable with the server secret alone, so every
 * server of a school that shares the secret honours it without a database.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  KIBITZ_TOKEN_VALID,
  KIBITZ_TOKEN_INVALID,   /* malformed, forged, or for something else */
  KIBITZ_TOKEN_EXPIRED,
} KibitzTokenCheck;

/* Hex HMAC-SHA256 of @message under @secret. */
char             *kibitz_token_mac            (const char  *secret,
                                               const char  *message) G_GNUC_WARN_UNUSED_RESULT;
/* Compares in time that depends on the length only. */
gboolean          kibitz_token_equal          (const char  *a,
                                               const char  *b);

/* "kt1.<id>.<expiry>.<base64url name>.<mac>": @id (random, what revocation
 * names) and @name (who it was made for, for the operator's logs). */
char             *kibitz_teacher_token_new    (const char  *secret,
                                               const char  *name,
                                               gint64       expiry) G_GNUC_WARN_UNUSED_RESULT;
KibitzTokenCheck  kibitz_teacher_token_verify (const char  *secret,
                                               const char  *token,
                                               gint64       now,
                                               char       **id,
                                               char       **name);
/* The id of a well-formed teacher token, signed or not (for revoking). */
char             *kibitz_teacher_token_id     (const char  *token) G_GNUC_WARN_UNUSED_RESULT;

/* "<base64url room key>.<issued>.<expiry>.<mac>": the room is readable by
 * clients (docs/protocol.md), the rest only checkable by the server. */
char             *kibitz_invite_code_new      (const char  *secret,
                                               const char  *room_key,
                                               gint64       issued,
                                               gint64       expiry) G_GNUC_WARN_UNUSED_RESULT;
KibitzTokenCheck  kibitz_invite_code_verify   (const char  *secret,
                                               const char  *code,
                                               gint64       now,
                                               char       **room_key,
                                               gint64      *issued);

G_END_DECLS
