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

/* Letters made to look like nothing: the Hangul fillers (U+115F, U+1160,
 * U+3164, U+FFA0) and the blank Braille pattern. */
static gboolean
is_blank_letter (gunichar c)
{
  return c == 0x115F || c == 0x1160 || c == 0x3164 || c == 0xFFA0 || c == 0x2800;
}

/* Format characters (Unicode Cf) change how a name is shown without being
 * seen: bidi overrides and isolates that reverse what follows (U+202A-202E,
 * U+2066-2069, U+200E/200F, U+061C), zero-width spaces, tag characters
 * (U+E0000-E007F). The zero-width joiner and non-joiner are kept between two
 * visible characters: emoji sequences and Persian or Indic names need them. */
static gboolean
has_hidden_characters (const char *text)
{
  gunichar before = 0;

  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      gunichar after = *g_utf8_next_char (p) ? g_utf8_get_char (g_utf8_next_char (p)) : 0;

      if (is_blank_letter (c))
        return TRUE;
      if (g_unichar_type (c) == G_UNICODE_FORMAT)
        {
          gboolean joiner = c == 0x200C || c == 0x200D;

          if (!joiner || before == 0 || after == 0 || g_unichar_isspace (before) ||
              g_unichar_isspace (after) || g_unichar_type (after) == G_UNICODE_FORMAT)
            return TRUE;
        }
      before = c;
    }
  return FALSE;
}

/* TRUE if some character is seen: not space, not a mark alone. */
static gboolean
has_visible_character (const char *text)
{
  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      GUnicodeType kind = g_unichar_type (c);

      if (!g_unichar_isspace (c) && kind != G_UNICODE_NON_SPACING_MARK &&
          kind != G_UNICODE_ENCLOSING_MARK && kind != G_UNICODE_FORMAT)
        return TRUE;
    }
  return FALSE;
}

/* A word that mixes Latin letters with Cyrillic or Greek ones, as in
 * “Теacher” (a Cyrillic Т and е): how a look-alike of another name is made.
 * A name wholly in one of these alphabets, or with words in each, passes. */
static gboolean
mixes_lookalike_scripts (const char *text)
{
  gboolean latin = FALSE, other = FALSE;

  for (const char *p = text;; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == 0 || g_unichar_isspace (c))
        {
          if (latin && other)
            return TRUE;
          latin = other = FALSE;
          if (c == 0)
            return FALSE;
          continue;
        }
      switch (g_unichar_get_script (c))
        {
        case G_UNICODE_SCRIPT_LATIN:
          latin = TRUE;
          break;
        case G_UNICODE_SCRIPT_CYRILLIC:
        case G_UNICODE_SCRIPT_GREEK:
          other = TRUE;
          break;
        default:
          break;
        }
    }
}

/* Checks a name against the shared rules: valid UTF-8, 1..64 characters after
 * trimming, something visible, no control, format or blank characters, no
 * word mixing Latin with Cyrillic or Greek. Returns the trimmed name.
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

  if (has_hidden_characters (trimmed))
    {
      g_set_error (error, KIBITZ_PROTOCOL_ERROR, code,
                   "The %s may not contain invisible characters (such as right-to-left "
                   "overrides, zero-width spaces, tag characters or blank fillers): they make "
                   "a name look like another", what);
      return NULL;
    }

  if (!has_visible_character (trimmed))
    {
      g_set_error (error, KIBITZ_PROTOCOL_ERROR, code,
                   "The %s needs at least one visible letter, digit or sign", what);
      return NULL;
    }

  if (mixes_lookalike_scripts (trimmed))
    {
      g_set_error (error, KIBITZ_PROTOCOL_ERROR, code,
                   "The %s mixes Latin with Cyrillic or Greek letters in one word, as a "
                   "look-alike of another name would: write each word in one alphabet", what);
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
