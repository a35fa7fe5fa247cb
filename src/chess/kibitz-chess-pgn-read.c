/* kibitz-chess-pgn-read.c: the first game of a PGN text.
 *
 * What the board needs of a PGN is its start position, its main line, and
 * the arrows and marked squares drawn on its last position; the reader keeps
 * the tags too, for writing the game back. Comments, NAGs and variations are
 * read only to be skipped (and checked for balance, since an unclosed "("
 * usually means a paste was cut short). Shapes use the [%cal Ge2e4,Rd7d5] and
 * [%csl Gd4] commands that lichess and ChessBase write into comments.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-chess"

#include "config.h"

#include <string.h>

#include "kibitz-chess-game-private.h"

typedef struct {
  const char       *p;
  const char       *end;
  int               line;
  gboolean          line_start;
  GError          **error;
  GPtrArray        *tags;        /* name, value, as read */
  KibitzChessGame  *game;        /* made when the move text starts */
  GArray           *shapes;      /* of the comments since the latest main-line move */
  int               depth;       /* variations open */
  int               depth_line;  /* where the outermost one opened */
  gboolean          seen_anything;
  gboolean          done;
} Reader;

static gboolean
pgn_error (Reader     *reader,
           const char *format,
           ...) G_GNUC_PRINTF (2, 3);

static gboolean
pgn_error (Reader     *reader,
           const char *format,
           ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (reader->error, g_error_new_valist (KIBITZ_CHESS_ERROR,
                                                        KIBITZ_CHESS_ERROR_BAD_PGN,
                                                        format, args));
  va_end (args);
  return FALSE;
}

static void
skip_line (Reader *reader)
{
  while (reader->p < reader->end && *reader->p != '\n')
    reader->p++;
}

static gboolean
is_symbol_char (char c)
{
  /* strchr() finds the nul at the end of its string too. */
  return g_ascii_isalnum (c) || (c != '\0' && strchr ("_+#=:-/", c) != NULL);
}

/* Tag values are UTF-8 in files written today, Latin-1 in old ones (as the
 * PGN standard said).
 */
static char *
tag_value_to_utf8 (const char *value,
                   gsize       length)
{
  if (g_utf8_validate_len (value, length, NULL))
    return g_strndup (value, length);
  return g_convert (value, length, "UTF-8", "ISO-8859-1", NULL, NULL, NULL);
}

static gboolean
read_tag_value (Reader  *reader,
                GString *value)
{
  for (reader->p++; reader->p < reader->end; reader->p++)
    {
      char c = *reader->p;

      if (c == '"')
        {
          reader->p++;
          return TRUE;
        }
      if (c == '\n')
        return FALSE;
      if (c == '\\' && reader->p + 1 < reader->end &&
          (reader->p[1] == '"' || reader->p[1] == '\\'))
        c = *++reader->p;
      g_string_append_c (value, c);
    }
  return FALSE;
}

static void
skip_blanks (Reader *reader)
{
  while (reader->p < reader->end && (*reader->p == ' ' || *reader->p == '\t'))
    reader->p++;
}

/* [Name "value"], all on one line. */
static gboolean
read_tag (Reader *reader)
{
  g_autoptr(GString) value = g_string_new (NULL);
  const char *name;
  g_autofree char *name_copy = NULL;
  int line = reader->line;

  reader->p++;
  skip_blanks (reader);
  for (name = reader->p; reader->p < reader->end && (g_ascii_isalnum (*reader->p) ||
                                                     *reader->p == '_');)
    reader->p++;
  name_copy = g_strndup (name, reader->p - name);
  skip_blanks (reader);
  if (name_copy[0] == '\0' || reader->p >= reader->end || *reader->p != '"' ||
      !read_tag_value (reader, value))
    return pgn_error (reader, "the tag on line %d is not like [Name \"value\"]", line);
  skip_blanks (reader);
  if (reader->p >= reader->end || *reader->p != ']')
    return pgn_error (reader, "the tag on line %d is not closed with “]”", line);
  reader->p++;
  g_ptr_array_add (reader->tags, g_steal_pointer (&name_copy));
  g_ptr_array_add (reader->tags, tag_value_to_utf8 (value->str, value->len));
  return TRUE;
}

static gboolean
read_shape_square (const char **p,
                   const char  *end,
                   int         *square)
{
  char name[3];

  if (end - *p < 2)
    return FALSE;
  name[0] = (*p)[0];
  name[1] = (*p)[1];
  name[2] = '\0';
  if ((*square = kibitz_chess_square_from_name (name)) < 0)
    return FALSE;
  *p += 2;
  return TRUE;
}

static int
shape_color (char letter)
{
  const char *found = letter ? strchr ("GRBY", letter) : NULL;

  return found ? found - "GRBY" : -1;
}

/* One item of a %cal or %csl list, like "Ge2e4" or "Rd4"; a malformed item is
 * skipped, since comments are free text.
 */
static void
read_shape (Reader     *reader,
            const char *item,
            const char *end,
            gboolean    arrow)
{
  KibitzChessShape shape;
  int color = shape_color (*item), from, to;
  const char *p = item + 1;

  if (color < 0 || !read_shape_square (&p, end, &from))
    return;
  to = from;
  if (arrow && !read_shape_square (&p, end, &to))
    return;
  if (p != end)
    return;
  shape = (KibitzChessShape) { .from = from, .to = to, .color = color };
  g_array_append_val (reader->shapes, shape);
}

/* The list after "[%cal" or "[%csl" up to "]": items separated by commas,
 * with any spaces or line breaks around them.
 */
static void
read_shape_command (Reader     *reader,
                    const char *p,
                    const char *end,
                    gboolean    arrow)
{
  for (;;)
    {
      const char *item;

      while (p < end && (g_ascii_isspace (*p) || *p == ','))
        p++;
      if (p >= end || *p == ']')
        return;
      for (item = p; p < end && *p != ',' && *p != ']' && !g_ascii_isspace (*p);)
        p++;
      read_shape (reader, item, p, arrow);
    }
}

static void
read_shapes (Reader     *reader,
             const char *comment,
             const char *end)
{
  for (const char *p = comment; p + 5 <= end; p++)
    {
      if (p[0] != '[' || p[1] != '%' || p[2] != 'c')
        continue;
      if (strncmp (p, "[%cal", 5) == 0 || strncmp (p, "[%csl", 5) == 0)
        read_shape_command (reader, p + 5, end, p[3] == 'a');
    }
}

static gboolean
read_comment (Reader *reader)
{
  const char *start = reader->p + 1;
  const char *close = memchr (start, '}', reader->end - start);
  int line = reader->line;

  if (close == NULL)
    return pgn_error (reader, "the comment opened with “{” on line %d is never closed", line);
  for (const char *p = start; p < close; p++)
    reader->line += *p == '\n';
  reader->p = close + 1;
  if (reader->depth > 0)
    return TRUE;
  read_shapes (reader, start, close);
  return TRUE;
}

static const char *
find_fen (GPtrArray *tags)
{
  for (guint i = 0; i < tags->len; i += 2)
    if (g_ascii_strcasecmp (g_ptr_array_index (tags, i), "FEN") == 0)
      return g_ptr_array_index (tags, i + 1);
  return NULL;
}

/* The tags come first, so the start position is known when the move text
 * starts.
 */
static gboolean
start_movetext (Reader *reader)
{
  g_autoptr(GError) error = NULL;
  const char *fen;

  if (reader->game != NULL)
    return TRUE;
  fen = find_fen (reader->tags);
  reader->game = fen ? kibitz_chess_game_new_from_fen (fen, &error) : kibitz_chess_game_new ();
  if (reader->game == NULL)
    return pgn_error (reader, "the PGN's [FEN] tag is not a position to play from: %s",
                      error->message);
  return TRUE;
}

/* "12." before white's move, "12…" before black's. */
static char *
move_number (const KibitzChessPosition *position)
{
  return g_strdup_printf ("%u%s", position->fullmove,
                          position->side == KIBITZ_CHESS_WHITE ? "." : "…");
}

static gboolean
play_san (Reader     *reader,
          const char *san)
{
  KibitzChessGame *game = reader->game;
  const KibitzChessPosition *last = kibitz_chess_game_get_position (game, game->sans->len);
  g_autofree char *number = move_number (last);
  g_autofree char *quoted = _kibitz_chess_quote (san, -1);
  g_autoptr(GError) error = NULL;
  KibitzChessEnd end = kibitz_chess_game_get_end (game, game->sans->len);
  KibitzChessMove move;

  if (end == KIBITZ_CHESS_END_CHECKMATE || end == KIBITZ_CHESS_END_STALEMATE)
    return pgn_error (reader, "illegal move %s %s in the PGN (line %d): the game is already "
                      "over by %s", number, quoted, reader->line, kibitz_chess_end_to_string (end));
  if (!_kibitz_chess_read_san (last, san, &move, &error))
    {
      if (g_error_matches (error, KIBITZ_CHESS_ERROR, KIBITZ_CHESS_ERROR_ILLEGAL_MOVE))
        return pgn_error (reader, "illegal move %s %s in the PGN (line %d): %s", number, quoted,
                          reader->line, error->message);
      return pgn_error (reader, "move %s in the PGN (line %d): %s", number, reader->line,
                        error->message);
    }
  _kibitz_chess_game_append (game, &move);
  g_array_set_size (reader->shapes, 0);
  return TRUE;
}

static gboolean
is_result (const char *token)
{
  return strcmp (token, "1-0") == 0 || strcmp (token, "0-1") == 0 ||
         strcmp (token, "1/2-1/2") == 0 || strcmp (token, "*") == 0;
}

static gboolean
all_digits (const char *token)
{
  for (; *token; token++)
    if (!g_ascii_isdigit (*token))
      return FALSE;
  return TRUE;
}

/* A move number, a move, or the result that ends the game. Move numbers are
 * not checked: people renumber, and the moves themselves are.
 */
static gboolean
read_symbol (Reader *reader)
{
  const char *start = reader->p;
  g_autofree char *token = NULL;

  /* Some files mark en passant, which SAN does not need, after the move. */
  if (reader->end - start >= 4 && memcmp (start, "e.p.", 4) == 0)
    {
      reader->p += 4;
      return TRUE;
    }
  while (reader->p < reader->end && is_symbol_char (*reader->p))
    reader->p++;
  while (reader->p < reader->end && (*reader->p == '!' || *reader->p == '?'))
    reader->p++;
  token = g_strndup (start, reader->p - start);
  if (!start_movetext (reader))
    return FALSE;
  if (all_digits (token) || reader->depth > 0)
    return TRUE;
  if (is_result (token))
    {
      reader->done = TRUE;
      return TRUE;
    }
  return play_san (reader, token);
}

static gboolean
open_variation (Reader *reader)
{
  if (reader->depth++ == 0)
    reader->depth_line = reader->line;
  reader->p++;
  return start_movetext (reader);
}

static gboolean
close_variation (Reader *reader)
{
  if (reader->depth == 0)
    return pgn_error (reader, "the “)” on line %d closes no variation", reader->line);
  reader->depth--;
  reader->p++;
  return TRUE;
}

static void
skip_nag (Reader *reader)
{
  reader->p++;
  while (reader->p < reader->end && g_ascii_isdigit (*reader->p))
    reader->p++;
}

static gboolean
unexpected (Reader *reader)
{
  guchar c = *(const guchar *) reader->p;
  g_autofree char *quoted = NULL;

  /* A control character would not show between quotes; a pasted binary
   * file starts with one.
   */
  if (c < 0x20 || c == 0x7F)
    return pgn_error (reader, "unexpected control character 0x%02X on line %d of the PGN", c,
                      reader->line);
  quoted = _kibitz_chess_quote (reader->p, MIN (reader->end - reader->p, g_utf8_skip[c]));
  return pgn_error (reader, "unexpected “%s” on line %d of the PGN", quoted, reader->line);
}

/* The tags of a second game end the first, like its result would. */
static gboolean
read_bracket (Reader *reader)
{
  if (reader->game != NULL)
    {
      reader->done = TRUE;
      return TRUE;
    }
  return read_tag (reader);
}

static gboolean
read_punctuation (Reader *reader)
{
  const char *p = reader->p;

  if (*p == '.' || *p == '!' || *p == '?')
    reader->p++;
  else if (reader->end - p >= 3 && memcmp (p, "…", 3) == 0)
    reader->p += 3;
  else if (*p == '$')
    skip_nag (reader);
  else if (*p == ';' || (*p == '%' && reader->line_start))
    skip_line (reader);
  else if (reader->depth > 0)
    /* Variations are skipped, so what they hold ("--" null moves from
     * ChessBase, figurines) need not make sense to us.
     */
    reader->p += MIN (reader->end - p, g_utf8_skip[*(const guchar *) p]);
  else
    return unexpected (reader);
  return TRUE;
}

static gboolean
read_token (Reader *reader)
{
  char c = *reader->p;

  reader->seen_anything = TRUE;
  switch (c)
    {
    case '[':
      return read_bracket (reader);
    case '{':
      return read_comment (reader);
    case '}':
      return pgn_error (reader, "the “}” on line %d closes no comment", reader->line);
    case '(':
      return open_variation (reader);
    case ')':
      return close_variation (reader);
    case '*':
      reader->p++;
      reader->done = reader->depth == 0;
      return start_movetext (reader);
    default:
      if (g_ascii_isalnum (c))
        return read_symbol (reader);
      return read_punctuation (reader);
    }
}

static gboolean
read_game (Reader *reader)
{
  while (reader->p < reader->end && !reader->done)
    {
      char c = *reader->p;

      if (c == '\n' || c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v')
        {
          reader->line += c == '\n';
          reader->line_start = c == '\n';
          reader->p++;
          continue;
        }
      if (!read_token (reader))
        return FALSE;
      reader->line_start = FALSE;
    }
  if (reader->depth > 0)
    return pgn_error (reader, "the variation opened with “(” on line %d is never closed",
                      reader->depth_line);
  if (!reader->seen_anything)
    return pgn_error (reader, "the PGN is empty");
  return start_movetext (reader);
}

/* A tag given twice keeps its last value. With a table rather than
 * kibitz_chess_game_set_tag(), a PGN of a hundred thousand tags costs a
 * hundred thousand steps, not their square.
 */
static void
take_tags (Reader *reader)
{
  g_autoptr(GHashTable) taken = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *tags = reader->game->tags;

  for (guint i = 0; i < reader->tags->len; i += 2)
    {
      char *name = g_ptr_array_index (reader->tags, i);
      char *value = g_ptr_array_index (reader->tags, i + 1);
      gpointer index;

      if (!_kibitz_chess_tag_name_is_valid (name) || value == NULL)
        continue;
      if (g_hash_table_lookup_extended (taken, name, NULL, &index))
        {
          g_free (g_ptr_array_index (tags, GPOINTER_TO_UINT (index) + 1));
          g_ptr_array_index (tags, GPOINTER_TO_UINT (index) + 1) = g_strdup (value);
          continue;
        }
      g_hash_table_insert (taken, name, GUINT_TO_POINTER (tags->len));
      g_ptr_array_add (tags, g_strdup (name));
      g_ptr_array_add (tags, g_strdup (value));
    }
}

KibitzChessGame *
kibitz_chess_game_new_from_pgn (const char  *pgn,
                                gssize       length,
                                gsize        max_length,
                                GError     **error)
{
  Reader reader = { .line = 1, .line_start = TRUE, .error = error };
  gsize size;

  g_return_val_if_fail (pgn != NULL, NULL);

  size = length < 0 ? strlen (pgn) : (gsize) length;
  if (size > max_length)
    {
      g_set_error (error, KIBITZ_CHESS_ERROR, KIBITZ_CHESS_ERROR_TOO_LARGE,
                   "the PGN is %" G_GSIZE_FORMAT " bytes long, more than the %" G_GSIZE_FORMAT
                   " accepted here", size, max_length);
      return NULL;
    }
  reader.p = pgn;
  reader.end = pgn + size;
  if (size >= 3 && memcmp (pgn, "\xEF\xBB\xBF", 3) == 0)
    reader.p += 3;
  reader.tags = g_ptr_array_new_with_free_func (g_free);
  reader.shapes = g_array_new (FALSE, FALSE, sizeof (KibitzChessShape));
  if (!read_game (&reader))
    g_clear_pointer (&reader.game, kibitz_chess_game_free);
  else
    {
      take_tags (&reader);
      kibitz_chess_game_set_shapes (reader.game, (KibitzChessShape *) reader.shapes->data,
                                    reader.shapes->len);
    }
  g_ptr_array_unref (reader.tags);
  g_array_unref (reader.shapes);
  return reader.game;
}
