/* kibitz-names.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "kibitz-message.h"
#include "kibitz-names.h"

/* Trims Unicode white space at both ends; returns a new string. */
static char *
trim_unicode (const char *text)
{
  const char *start = text;
  const char *end = text + strlen (text);

  while (*start && g_unichar_isspace (g_utf8_get_char (start)))
    start = g_utf8_next_char (start);

  while (end > start)
    {
      const char *prev = g_utf8_find_prev_char (start, end);

      if (prev == NULL || !g_unichar_isspace (g_utf8_get_char (prev)))
        break;
      end = prev;
    }

  return g_strndup (start, end - start);
}

static gboolean
has_control_characters (const char *text)
{
  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      GUnicodeType kind = g_unichar_type (g_utf8_get_char (p));

      if (kind == G_UNICODE_CONTROL || kind == G_UNICODE_LINE_SEPARATOR ||
          kind == G_UNICODE_PARAGRAPH_SEPARATOR)
        return TRUE;
    }

  return FALSE;
}

/* Checks a name against the shared rules: valid UTF-8, 1..64 characters after
 * trimming, no control characters. Returns the trimmed name.
 */
static char *
check_name (const char  *name,
            const char  *what,
            int          code,
            GError     **error)
{
  g_autofree char *trimmed = NULL;
  glong chars;

  if (name == NULL || !g_utf8_validate (name, -1, NULL))
    {
      g_set_error (error, KIBITZ_PROTOCOL_ERROR, code, "The %s is not valid UTF-8 text", what);
      return NULL;
    }

  trimmed = trim_unicode (name);
  chars = g_utf8_strlen (trimmed, -1);
  if (chars < 1 || chars > KIBITZ_NAME_MAX_CHARS)
    {
      g_set_error (error, KIBITZ_PROTOCOL_ERROR, code,
                   "The %s must have 1 to %d characters (not counting spaces at the ends)",
                   what, KIBITZ_NAME_MAX_CHARS);
      return NULL;
    }

  if (has_control_characters (trimmed))
    {
      g_set_error (error, KIBITZ_PROTOCOL_ERROR, code,
                   "The %s may not contain control characters or line breaks", what);
      return NULL;
    }

  return g_steal_pointer (&trimmed);
}

/* Returns the key rooms are compared by: NFKC, case-folded, NFKC again (the
 * usual NFKC_Casefold approximation), so “Chess 101”, “chess 101” and
 * “Ｃｈｅｓｓ 101” are one room. @display receives the trimmed name as typed.
 */
char *
kibitz_room_name_normalize (const char  *name,
                            char       **display,
                            GError     **error)
{
  g_autofree char *trimmed = check_name (name, "room name", KIBITZ_PROTOCOL_ERROR_BAD_ROOM, error);
  g_autofree char *nfkc = NULL;
  g_autofree char *folded = NULL;

  if (trimmed == NULL)
    return NULL;

  nfkc = g_utf8_normalize (trimmed, -1, G_NORMALIZE_NFKC);
  folded = g_utf8_casefold (nfkc, -1);

  if (display)
    *display = g_steal_pointer (&trimmed);

  return g_utf8_normalize (folded, -1, G_NORMALIZE_NFKC);
}

char *
kibitz_display_name_validate (const char  *name,
                              GError     **error)
{
  return check_name (name, "display name", KIBITZ_PROTOCOL_ERROR_BAD_NAME, error);
}

/* The room key an invite code starts with (base64url), or NULL. */
static char *
room_of_invite (const char *code)
{
  g_autofree char *part = g_strndup (code, strcspn (code, "."));
  g_autofree guchar *raw = NULL;
  gsize length = 0;

  if (part[0] == '\0' || code[strlen (part)] != '.')
    return NULL;
  g_strdelimit (part, "-", '+');
  g_strdelimit (part, "_", '/');
  while (strlen (part) % 4 != 0)
    {
      char *padded = g_strconcat (part, "=", NULL);

      g_free (part);
      part = padded;
    }
  raw = g_base64_decode (part, &length);
  if (length == 0 || !g_utf8_validate ((const char *) raw, length, NULL) ||
      memchr (raw, '\0', length) != NULL)
    return NULL;
  return g_strndup ((const char *) raw, length);
}

char *
kibitz_invite_parse (const char  *text,
                     char       **room)
{
  g_autofree char *code = NULL;
  const char *start;
  char *found;

  g_return_val_if_fail (text != NULL, NULL);

  start = strstr (text, "/j/") ? strstr (text, "/j/") + 3 : text;
  code = g_strndup (start, strcspn (start, "?#/ \t\r\n"));
  found = room_of_invite (code);
  if (found == NULL)
    return NULL;
  if (room != NULL)
    *room = found;
  else
    g_free (found);
  return g_steal_pointer (&code);
}
