/* kibitz-stun-auth.h: MESSAGE-INTEGRITY (HMAC-SHA1), the long-term credential
 * key and FINGERPRINT (CRC-32) of RFC 8489.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "kibitz-stun-message.h"

G_BEGIN_DECLS

#define KIBITZ_STUN_LONG_TERM_KEY_SIZE 16

void     kibitz_stun_long_term_key              (const char              *username,
                                                 gsize                    username_length,
                                                 const char              *realm,
                                                 gsize                    realm_length,
                                                 const char              *password,
                                                 gsize                    password_length,
                                                 guint8                  *key);
gboolean kibitz_stun_message_check_integrity    (const KibitzStunMessage *message,
                                                 const guint8            *key,
                                                 gsize                    key_length);
gboolean kibitz_stun_writer_add_integrity       (KibitzStunWriter        *writer,
                                                 const guint8            *key,
                                                 gsize                    key_length);

guint32  kibitz_stun_crc32                      (guint32                  crc,
                                                 const guint8            *data,
                                                 gsize                    length);
gboolean kibitz_stun_message_check_fingerprint  (const KibitzStunMessage *message);
gboolean kibitz_stun_writer_add_fingerprint     (KibitzStunWriter        *writer);

G_END_DECLS
