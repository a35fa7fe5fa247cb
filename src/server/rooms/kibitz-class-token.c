/* kibitz-class-token.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "kibitz-class-token.h"

#define TOKEN_MAX_LENGTH   512
/* An invite is typed into phones from a text message: 128 bits of MAC. */
#define INVITE_MAC_CHARS   32

char *
kibitz_token_mac (const char *secret,
                  const char *message)
{
  g_autoptr(GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA256, (const guchar *) secret, strlen (secret));

  g_hmac_update (hmac, (const guchar *) message, strlen (message));
  return g_strdup (g_hmac_get_string (hmac));
}

gboolean
kibitz_token_equal (const char *a,
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

/* base64url without padding (RFC 4648 §5), so a token fits in a URL as is. */
static char *
base64url_encode (const char *text)
{
  char *b64 = g_base64_encode ((const guchar *) text, strlen (text));
  char *p;

  for (p = b64; *p; p++)
    {
      if (*p == '+')
        *p = '-';
      else if (*p == '/')
        *p = '_';
      else if (*p == '=')
        {
          *p = '\0';
          break;
        }
    }
  return b64;
}

/* NULL unless @text is base64url of valid UTF-8 without NUL. */
static char *
base64url_decode (const char *text)
{
  g_autoptr(GString) b64 = g_string_new (text);
  g_autofree guchar *raw = NULL;
  gsize length;

  if (*text == '\0' || strspn (text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                     "0123456789-_") != strlen (text) || strlen (text) % 4 == 1)
    return NULL;

  g_strdelimit (b64->str, "-", '+');
  g_strdelimit (b64->str, "_", '/');
  while (b64->len % 4 != 0)
    g_string_append_c (b64, '=');

  raw = g_base64_decode (b64->str, &length);
  if (length == 0 || memchr (raw, '\0', length) != NULL ||
      !g_utf8_validate ((const char *) raw, length, NULL))
    return NULL;
  return g_strndup ((const char *) raw, length);
}

static gboolean
parse_time (const char *text,
            gint64     *value)
{
  char *end = NULL;

  if (!g_ascii_isdigit (*text))
    return FALSE;
  *value = g_ascii_strtoll (text, &end, 10);
  return end != NULL && *end == '\0';
}

static char *
teacher_mac (const char *secret,
             const char *id,
             gint64      expiry,
             const char *name)
{
  g_autofree char *message = g_strdup_printf ("kibitz-teacher\n%s\n%" G_GINT64_FORMAT "\n%s",
                                              id, expiry, name);
  return kibitz_token_mac (secret, message);
}

char *
kibitz_teacher_token_new (const char *secret,
                          const char *name,
                          gint64      expiry)
{
  g_autofree char *id = g_strdup_printf ("%08x%08x", g_random_int (), g_random_int ());
  g_autofree char *encoded = base64url_encode (name);
  g_autofree char *mac = teacher_mac (secret, id, expiry, name);

  return g_strdup_printf ("kt1.%s.%" G_GINT64_FORMAT ".%s.%s", id, expiry, encoded, mac);
}

char *
kibitz_teacher_token_id (const char *token)
{
  g_auto(GStrv) parts = NULL;

  if (token == NULL || strlen (token) > TOKEN_MAX_LENGTH)
    return NULL;
  parts = g_strsplit (token, ".", 6);
  if (g_strv_length (parts) != 5 || !g_str_equal (parts[0], "kt1") || parts[1][0] == '\0')
    return NULL;
  return g_strdup (parts[1]);
}

KibitzTokenCheck
kibitz_teacher_token_verify (const char  *secret,
                             const char  *token,
                             gint64       now,
                             char       **id,
                             char       **name)
{
  g_auto(GStrv) parts = NULL;
  g_autofree char *decoded = NULL;
  g_autofree char *mac = NULL;
  gint64 expiry;

  if (token == NULL || strlen (token) > TOKEN_MAX_LENGTH)
    return KIBITZ_TOKEN_INVALID;
  parts = g_strsplit (token, ".", 6);
  if (g_strv_length (parts) != 5 || !g_str_equal (parts[0], "kt1") || parts[1][0] == '\0' ||
      !parse_time (parts[2], &expiry) || !(decoded = base64url_decode (parts[3])))
    return KIBITZ_TOKEN_INVALID;

  mac = teacher_mac (secret, parts[1], expiry, decoded);
  if (!kibitz_token_equal (mac, parts[4]))
    return KIBITZ_TOKEN_INVALID;
  if (expiry < now)
    return KIBITZ_TOKEN_EXPIRED;

  if (id)
    *id = g_strdup (parts[1]);
  if (name)
    *name = g_steal_pointer (&decoded);
  return KIBITZ_TOKEN_VALID;
}

static char *
invite_mac (const char *secret,
            const char *room_key,
            gint64      issued,
            gint64      expiry)
{
  g_autofree char *message = g_strdup_printf ("kibitz-invite\n%s\n%" G_GINT64_FORMAT "\n%"
                                              G_GINT64_FORMAT, room_key, issued, expiry);
  char *mac = kibitz_token_mac (secret, message);

  mac[INVITE_MAC_CHARS] = '\0';
  return mac;
}

char *
kibitz_invite_code_new (const char *secret,
                        const char *room_key,
                        gint64      issued,
                        gint64      expiry)
{
  g_autofree char *encoded = base64url_encode (room_key);
  g_autofree char *mac = invite_mac (secret, room_key, issued, expiry);

  return g_strdup_printf ("%s.%" G_GINT64_FORMAT ".%" G_GINT64_FORMAT ".%s",
                          encoded, issued, expiry, mac);
}

KibitzTokenCheck
kibitz_invite_code_verify (const char  *secret,
                           const char  *code,
                           gint64       now,
                           char       **room_key,
                           gint64      *issued)
{
  g_auto(GStrv) parts = NULL;
  g_autofree char *key = NULL;
  g_autofree char *mac = NULL;
  gint64 issued_at, expiry;

  if (code == NULL || strlen (code) > TOKEN_MAX_LENGTH)
    return KIBITZ_TOKEN_INVALID;
  parts = g_strsplit (code, ".", 5);
  if (g_strv_length (parts) != 4 || !(key = base64url_decode (parts[0])) ||
      !parse_time (parts[1], &issued_at) || !parse_time (parts[2], &expiry))
    return KIBITZ_TOKEN_INVALID;

  mac = invite_mac (secret, key, issued_at, expiry);
  if (!kibitz_token_equal (mac, parts[3]))
    return KIBITZ_TOKEN_INVALID;
  if (expiry < now)
    return KIBITZ_TOKEN_EXPIRED;

  if (room_key)
    *room_key = g_steal_pointer (&key);
  if (issued)
    *issued = issued_at;
  return KIBITZ_TOKEN_VALID;
}
