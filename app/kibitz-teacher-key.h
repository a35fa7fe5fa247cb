/* kibitz-teacher-key.h: the user's teacher key (protocol.md §4) for a
 * server, kept in the keyring (the Secret Service; in a Flatpak, libsecret
 * goes through the Secret portal by itself), never in GSettings.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define KIBITZ_TEACHER_KEY_ERROR (kibitz_teacher_key_error_quark ())

typedef enum {
  KIBITZ_TEACHER_KEY_ERROR_MALFORMED,    /* not the shape of a key */
  KIBITZ_TEACHER_KEY_ERROR_BAD_SERVER,   /* not an http:// or https:// address */
  KIBITZ_TEACHER_KEY_ERROR_UNAVAILABLE,  /* no keyring, or it refused */
} KibitzTeacherKeyError;

GQuark    kibitz_teacher_key_error_quark      (void);

/* scheme://host[:port], lower case, without a path or a trailing slash: the
 * keyring entry's "server" attribute, so that "https://School.example/" and
 * "https://school.example:443" find the same key. */
char     *kibitz_teacher_key_normalize_server (const char           *server_url,
                                               GError              **error) G_GNUC_WARN_UNUSED_RESULT;
/* "kt1." and four more non-empty parts separated by dots (what
 * `kibitz-server teacher-token` prints); the error says what is wrong. Only
 * the server can tell whether the key is genuine. */
gboolean  kibitz_teacher_key_check_shape      (const char           *key,
                                               GError              **error);

void      kibitz_teacher_key_store_async      (const char           *server_url,
                                               const char           *key,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
gboolean  kibitz_teacher_key_store_finish     (GAsyncResult         *result,
                                               GError              **error);

/* The key for server_url, or NULL without an error when there is none. */
void      kibitz_teacher_key_lookup_async     (const char           *server_url,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
char     *kibitz_teacher_key_lookup_finish    (GAsyncResult         *result,
                                               GError              **error) G_GNUC_WARN_UNUSED_RESULT;

/* TRUE if a key was there and is gone; FALSE without an error if there was none. */
void      kibitz_teacher_key_forget_async     (const char           *server_url,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
gboolean  kibitz_teacher_key_forget_finish    (GAsyncResult         *result,
                                               GError              **error);

G_END_DECLS
