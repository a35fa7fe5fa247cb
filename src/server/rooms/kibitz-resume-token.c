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

#include "kibitz-class-token.h"
#include "kibitz-resume-token.h"

static char *
token_mac (const char *secret,
           const char *peer_id,
           const char *room_key,
           gint64      expiry)
{
  g_autofree char *message = g_strdup_printf ("kibitz-resume\n%s\n%s\n%" G_GINT64_FORMAT,
                                              peer_id, room_key, expiry);

  return kibitz_token_mac (secret, message);
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

gboolean
kibitz_resume_token_verify (const char  *secret,
                            const char  *token,
                            const char  *room_key,
                            gint64       now,
                            char       **peer_id,
                            gint64      *expiry_out)
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
  if (!kibitz_token_equal (mac, parts[2]))
    return FALSE;

  if (peer_id)
    *peer_id = g_strdup (parts[0]);
  if (expiry_out)
    *expiry_out = expiry;

  return TRUE;
}
