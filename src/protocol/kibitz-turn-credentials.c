/* kibitz-turn-credentials.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "kibitz-turn-credentials.h"

char *
kibitz_turn_password (const char *secret,
                      const char *username)
{
  g_autoptr(GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA1, (const guchar *) secret, strlen (secret));
  guint8 digest[20];
  gsize digest_len = sizeof digest;

  g_hmac_update (hmac, (const guchar *) username, strlen (username));
  g_hmac_get_digest (hmac, digest, &digest_len);

  return g_base64_encode (digest, digest_len);
}

char *
kibitz_turn_username (gint64      expiry,
                      const char *id)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT ":%s", expiry, id);
}

/* Splits "<expiry>:<id>" at the first colon, as coturn does. */
gboolean
kibitz_turn_username_parse (const char  *username,
                            gint64      *expiry,
                            char       **id)
{
  const char *colon = strchr (username, ':');
  g_autofree char *number = NULL;
  char *end = NULL;
  gint64 value;

  if (colon == NULL || colon == username)
    return FALSE;

  number = g_strndup (username, colon - username);
  value = g_ascii_strtoll (number, &end, 10);
  if (end == NULL || *end != '\0' || value <= 0)
    return FALSE;

  if (expiry)
    *expiry = value;
  if (id)
    *id = g_strdup (colon + 1);

  return TRUE;
}
