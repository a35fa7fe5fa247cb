/* kibitz-resume-token.c
 *
 * A token is "<peer id>.<unix expiry>.<mac>", mac being the hex HMAC-SHA256 of
 * the id, the room key and the expiry under the server secret. It needs no
 * server state, so a restarted server with the same secret honours it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "kibitz-resume-token.h"

static char *
token_mac (const char *secret,
           const char *peer_id,
           const char *room_key,
           gint64      expiry)
{
  g_autoptr(GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA256, (const guchar *) secret, strlen (secret));
  g_autofree char *message = g_strdup_printf ("kibitz-resume\n%s\n%s\n%" G_GINT64_FORMAT,
                                              peer_id, room_key, expiry);

  g_hmac_update (hmac, (const guchar *) message, strlen (message));

  return g_strdup (g_hmac_get_string (hmac));
}

char *
kibitz_resume_token_new (const char *secret,
                         const char *peer_id,
                         const char *room_key,
                         gint64      expiry)
{
  g_autofree char *mac = token_mac (secret, peer_id, room_key, expiry);

  return g_strdup_printf ("%s.%" G_GINT64_FORMAT ".%s", peer_id, expiry, mac);
}

/* Constant-time comparison, so the MAC cannot be guessed byte by byte. */
static gboolean
equal_secret_strings (const char *a,
                      const char *b)
{
  gsize len = strlen (a);
  guint8 diff = 0;

  if (len != strlen (b))
    return FALSE;

  for (gsize i = 0; i < len; i++)
    diff |= (guint8) a[i] ^ (guint8) b[i];

  return diff == 0;
}

gboolean
kibitz_resume_token_verify (const char  *secret,
                            const char  *token,
                            const char  *room_key,
                            gint64       now,
                            char       **peer_id)
{
  g_auto(GStrv) parts = NULL;
  g_autofree char *mac = NULL;
  char *end = NULL;
  gint64 expiry;

  if (token == NULL || strlen (token) > 256)
    return FALSE;

  parts = g_strsplit (token, ".", 4);
  if (g_strv_length (parts) != 3 || parts[0][0] == '\0')
    return FALSE;

  expiry = g_ascii_strtoll (parts[1], &end, 10);
  if (end == NULL || *end != '\0' || expiry < now)
    return FALSE;

  mac = token_mac (secret, parts[0], room_key, expiry);
  if (!equal_secret_strings (mac, parts[2]))
    return FALSE;

  if (peer_id)
    *peer_id = g_strdup (parts[0]);

  return TRUE;
}
