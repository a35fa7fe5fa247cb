/* kibitz-signal-scan.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "kibitz-message.h"
#include "kibitz-signal-scan.h"

#define MAX_DEPTH        32
#define MAX_MEMBERS      16   /* per object, for the repeated-name check */

typedef struct {
  const char       *at;
  const char       *end;
  gboolean          canonical;   /* what json-glib would write back unchanged */
  guint             depth;
  KibitzSignalScan *scan;
  gboolean          in_data;     /* inside “data”, the only part relayed */
} Scanner;

static gboolean scan_value (Scanner *s);

static gboolean
is_space (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void
skip_space (Scanner *s)
{
  const char *start = s->at;

  while (s->at < s->end && is_space (*s->at))
    s->at++;
  if (s->at != start)
    s->canonical = FALSE;
}

#define ONES  G_GUINT64_CONSTANT (0x0101010101010101)
#define HIGHS G_GUINT64_CONSTANT (0x8080808080808080)

/* Whether the eight bytes at @p hold nothing scan_string() has to look at:
 * no quote, backslash, control character or DEL (bytes over 0x7f are fine:
 * the frame is valid UTF-8 already). Each test is the classic has-zero
 * trick, exact about whether any byte matches.
 */
static inline gboolean
word_is_plain (const char *p)
{
  guint64 w, special;

  memcpy (&w, p, 8);
#define HAS_ZERO(v) (((v) - ONES) & ~(v))
  special = ((w - 0x20 * ONES) & ~w) | HAS_ZERO (w ^ (0x22 * ONES)) |
            HAS_ZERO (w ^ (0x5c * ONES)) | HAS_ZERO (w ^ (0x7f * ONES));
#undef HAS_ZERO

  return (special & HIGHS) == 0;
}

/* A string; canonical when json-glib's writer would escape it the same way:
 * it writes \" \\ \b \f \n \r \t and no other escape.
 */
static gboolean
scan_string (Scanner *s)
{
  if (s->at >= s->end || *s->at != '"')
    return FALSE;

  for (s->at++; s->at < s->end; s->at++)
    {
      guchar c;

      /* Eight plain bytes at a time: SDP is mostly long plain runs. */
      while (s->end - s->at >= 8 && word_is_plain (s->at))
        s->at += 8;
      if (s->at >= s->end)
        break;

      c = *s->at;

      if (c == '"')
        {
          s->at++;
          return TRUE;
        }
      if (c < 0x20)
        return FALSE;
      if (c == 0x7f)
        s->canonical = FALSE;
      if (c != '\\')
        continue;

      if (++s->at >= s->end)
        return FALSE;
      switch (*s->at)
        {
        case '"': case '\\': case 'b': case 'f': case 'n': case 'r': case 't':
          break;
        case '/':
          s->canonical = FALSE;
          break;
        case 'u':
          s->canonical = FALSE;
          for (guint i = 0; i < 4; i++)
            {
              if (++s->at >= s->end || !g_ascii_isxdigit (*s->at))
                return FALSE;
            }
          break;
        default:
          return FALSE;
        }
    }

  return FALSE;
}

static guint
skip_digits (Scanner *s)
{
  guint n = 0;

  while (s->at < s->end && g_ascii_isdigit (*s->at))
    {
      s->at++;
      n++;
    }

  return n;
}

#define NUMBER_MAX 64

/* json-glib writes a double with g_ascii_dtostr(), plus ".0" when that has
 * no dot. @written holds G_ASCII_DTOSTR_BUF_SIZE + 2 bytes.
 */
static gboolean
write_double (const char *start,
              gsize       length,
              char       *written)
{
  char text[NUMBER_MAX];

  if (length >= sizeof text)
    return FALSE;

  memcpy (text, start, length);
  text[length] = '\0';
  g_ascii_dtostr (written, G_ASCII_DTOSTR_BUF_SIZE, g_ascii_strtod (text, NULL));
  if (strchr (written, '.') == NULL)
    strcat (written, ".0");

  return TRUE;
}

/* A double whose digits json-glib would change is rewritten in “data”. */
static void
check_double (Scanner    *s,
              const char *start,
              gsize       length)
{
  char written[G_ASCII_DTOSTR_BUF_SIZE + 2];
  KibitzSignalScan *scan = s->scan;

  if (!write_double (start, length, written))
    {
      s->canonical = FALSE;
      return;
    }
  if (strlen (written) == length && memcmp (written, start, length) == 0)
    return;
  if (!s->in_data)
    return;   /* dropped anyway */
  if (scan->n_numbers == KIBITZ_SIGNAL_SCAN_MAX_NUMBERS)
    {
      s->canonical = FALSE;
      return;
    }

  scan->numbers[scan->n_numbers] = start;
  scan->number_lengths[scan->n_numbers] = length;
  scan->n_numbers++;
}

/* Integers json-glib keeps as a gint64, doubles it writes back unchanged. */
static gboolean
scan_number (Scanner *s)
{
  const char *start = s->at;
  gboolean negative = s->at < s->end && *s->at == '-';
  gboolean fraction = FALSE;
  const char *digits;
  guint n;

  if (negative)
    s->at++;
  digits = s->at;
  n = skip_digits (s);
  if (n == 0 || (n > 1 && digits[0] == '0'))
    return FALSE;

  if (s->at < s->end && *s->at == '.')
    {
      s->at++;
      fraction = TRUE;
      if (skip_digits (s) == 0)
        return FALSE;
    }
  if (s->at < s->end && (*s->at == 'e' || *s->at == 'E'))
    {
      s->at++;
      fraction = TRUE;
      if (s->at < s->end && (*s->at == '+' || *s->at == '-'))
        s->at++;
      if (skip_digits (s) == 0)
        return FALSE;
    }

  if (fraction)
    {
      if (s->canonical)
        check_double (s, start, s->at - start);
    }
  else if (n > 18 || (negative && digits[0] == '0'))
    {
      s->canonical = FALSE;
    }

  return TRUE;
}

static gboolean
scan_literal (Scanner    *s,
              const char *word)
{
  gsize length = strlen (word);

  if ((gsize) (s->end - s->at) < length || memcmp (s->at, word, length) != 0)
    return FALSE;
  s->at += length;
  return TRUE;
}

static gboolean
scan_object (Scanner *s)
{
  const char *names[MAX_MEMBERS];
  gsize name_lengths[MAX_MEMBERS];
  guint n = 0;

  s->at++;
  skip_space (s);
  if (s->at < s->end && *s->at == '}')
    {
      s->at++;
      return TRUE;
    }

  for (;;)
    {
      const char *name = s->at;

      if (!scan_string (s))
        return FALSE;
      /* json-glib keeps one of two members with the same name. */
      for (guint i = 0; i < n && i < MAX_MEMBERS; i++)
        {
          if (name_lengths[i] == (gsize) (s->at - name) && memcmp (names[i], name, name_lengths[i]) == 0)
            s->canonical = FALSE;
        }
      if (n < MAX_MEMBERS)
        {
          names[n] = name;
          name_lengths[n] = s->at - name;
        }
      else
        {
          s->canonical = FALSE;
        }
      n++;

      skip_space (s);
      if (s->at >= s->end || *s->at != ':')
        return FALSE;
      s->at++;
      skip_space (s);
      if (!scan_value (s))
        return FALSE;
      skip_space (s);
      if (s->at < s->end && *s->at == '}')
        {
          s->at++;
          return TRUE;
        }
      if (s->at >= s->end || *s->at != ',')
        return FALSE;
      s->at++;
      skip_space (s);
    }
}

static gboolean
scan_array (Scanner *s)
{
  s->at++;
  skip_space (s);
  if (s->at < s->end && *s->at == ']')
    {
      s->at++;
      return TRUE;
    }

  for (;;)
    {
      if (!scan_value (s))
        return FALSE;
      skip_space (s);
      if (s->at < s->end && *s->at == ']')
        {
          s->at++;
          return TRUE;
        }
      if (s->at >= s->end || *s->at != ',')
        return FALSE;
      s->at++;
      skip_space (s);
    }
}

static gboolean
scan_value (Scanner *s)
{
  gboolean ok;

  if (s->at >= s->end)
    return FALSE;

  switch (*s->at)
    {
    case '{':
    case '[':
      if (++s->depth > MAX_DEPTH)
        return FALSE;
      ok = *s->at == '{' ? scan_object (s) : scan_array (s);
      s->depth--;
      return ok;
    case '"':
      return scan_string (s);
    case 't':
      return scan_literal (s, "true");
    case 'f':
      return scan_literal (s, "false");
    case 'n':
      return scan_literal (s, "null");
    default:
      return scan_number (s);
    }
}

static gboolean
member_is (const char *name,
           gsize       length,
           const char *wanted)
{
  return length == strlen (wanted) + 2 && memcmp (name + 1, wanted, length - 2) == 0;
}

/* A string without escapes, as (start, length) of its characters. */
static gboolean
plain_string (const char  *start,
              const char  *end,
              const char **text,
              gsize       *length)
{
  if (*start != '"' || memchr (start, '\\', end - start) != NULL)
    return FALSE;

  *text = start + 1;
  *length = end - start - 2;
  return TRUE;
}

/* Whether @text is {"type":"signal","to":STRING,"data":OBJECT,...}, valid
 * JSON all through, and its relayed form is what json-glib would write.
 */
gboolean
kibitz_signal_scan (const char       *text,
                    gsize             length,
                    KibitzSignalScan *scan)
{
  Scanner s = { text, text + length, TRUE, 1, scan, FALSE };
  const char *type = NULL;
  gsize type_length = 0;
  gboolean have_to = FALSE;

  memset (scan, 0, sizeof *scan);
  if (length > KIBITZ_MESSAGE_MAX_SIZE)
    return FALSE;

  skip_space (&s);
  if (s.at >= s.end || *s.at != '{')
    return FALSE;
  s.at++;

  for (;;)
    {
      const char *name;
      const char *value;
      gsize name_length;

      /* Space between top-level members is fine: the reply is rebuilt. */
      skip_space (&s);
      s.canonical = TRUE;
      name = s.at;
      if (!scan_string (&s) || !s.canonical)
        return FALSE;
      name_length = s.at - name;
      skip_space (&s);
      if (s.at >= s.end || *s.at++ != ':')
        return FALSE;
      skip_space (&s);

      value = s.at;
      s.canonical = TRUE;
      s.in_data = member_is (name, name_length, "data");
      if (!scan_value (&s) || !s.canonical)
        return FALSE;
      s.in_data = FALSE;

      if (member_is (name, name_length, "type"))
        {
          if (type != NULL || !plain_string (value, s.at, &type, &type_length))
            return FALSE;
        }
      else if (member_is (name, name_length, "to"))
        {
          if (have_to || !plain_string (value, s.at, &scan->to, &scan->to_length))
            return FALSE;
          have_to = TRUE;
        }
      else if (member_is (name, name_length, "data"))
        {
          if (scan->data != NULL || *value != '{')
            return FALSE;
          scan->data = value;
          scan->data_length = s.at - value;
        }

      skip_space (&s);
      if (s.at < s.end && *s.at == '}')
        break;
      if (s.at >= s.end || *s.at++ != ',')
        return FALSE;
    }

  s.at++;
  skip_space (&s);

  return s.at == s.end && have_to && scan->data != NULL &&
         type_length == strlen ("signal") && memcmp (type, "signal", type_length) == 0;
}

/* Appends “data” as json-glib would write it. */
void
kibitz_signal_scan_append_data (const KibitzSignalScan *scan,
                                GString                *out)
{
  const char *at = scan->data;

  for (guint i = 0; i < scan->n_numbers; i++)
    {
      char written[G_ASCII_DTOSTR_BUF_SIZE + 2];

      g_string_append_len (out, at, scan->numbers[i] - at);
      write_double (scan->numbers[i], scan->number_lengths[i], written);
      g_string_append (out, written);
      at = scan->numbers[i] + scan->number_lengths[i];
    }
  g_string_append_len (out, at, scan->data + scan->data_length - at);
}

/* Whether json-glib writes @id as it is (peer ids are made by the server). */
gboolean
kibitz_signal_id_is_plain (const char *id)
{
  for (const guchar *p = (const guchar *) id; *p; p++)
    {
      if (*p < 0x20 || *p == 0x7f || *p == '"' || *p == '\\')
        return FALSE;
    }

  return TRUE;
}
