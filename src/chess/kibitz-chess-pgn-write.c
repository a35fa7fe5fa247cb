/* kibitz-chess-pgn-write.c: a game as PGN, in the standard's export format.
 *
 * The Seven Tag Roster first (with "?" where nothing is known), then SetUp
 * and FEN when the game does not start from the usual position, then the
 * other tags; the move text is wrapped before 80 columns, and the shapes go
 * into a comment after the last move, where the reader looks for them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-chess"

#include "config.h"

#include <string.h>

#include "kibitz-chess-game-private.h"

#define MAX_LINE 79

/* Twelve shapes ("Ge2e4," is 6 bytes) keep a [%cal ...] command within a line. */
#define SHAPES_PER_COMMAND 12

static const char *const roster[] = {
  "Event", "Site", "Date", "Round", "White", "Black", "Result",
};
static const char *const roster_defaults[] = { "?", "?", "????.??.??", "?", "?", "?", NULL };

typedef struct {
  GString *text;
  gsize    line_length;
} Writer;

static void
append_tag (GString    *pgn,
            const char *name,
            const char *value)
{
  g_string_append_printf (pgn, "[%s \"", name);
  for (const char *p = value; *p; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (pgn, '\\');
      g_string_append_c (pgn, *p == '\n' || *p == '\r' ? ' ' : *p);
    }
  g_string_append (pgn, "\"]\n");
}

static gboolean
in_roster (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (roster); i++)
    if (strcmp (name, roster[i]) == 0)
      return TRUE;
  return FALSE;
}

static const char *
result_token (const KibitzChessGame *game)
{
  const char *tag = kibitz_chess_game_get_tag (game, "Result");
  const char *result;

  if (tag != NULL && (strcmp (tag, "1-0") == 0 || strcmp (tag, "0-1") == 0 ||
                      strcmp (tag, "1/2-1/2") == 0 || strcmp (tag, "*") == 0))
    return tag;
  result = kibitz_chess_result_to_string (
             kibitz_chess_game_get_result (game, kibitz_chess_game_get_n_moves (game)));
  return result ? result : "*";
}

static void
append_tags (GString               *pgn,
             const KibitzChessGame *game)
{
  for (guint i = 0; i < G_N_ELEMENTS (roster); i++)
    {
      const char *value = kibitz_chess_game_get_tag (game, roster[i]);

      if (i == G_N_ELEMENTS (roster) - 1)
        value = result_token (game);
      append_tag (pgn, roster[i], value ? value : roster_defaults[i]);
    }
  if (strcmp (game->start_fen, KIBITZ_CHESS_START_FEN) != 0)
    {
      append_tag (pgn, "SetUp", "1");
      append_tag (pgn, "FEN", game->start_fen);
    }
  for (guint i = 0; i < game->tags->len; i += 2)
    if (!in_roster (g_ptr_array_index (game->tags, i)))
      append_tag (pgn, g_ptr_array_index (game->tags, i), g_ptr_array_index (game->tags, i + 1));
  g_string_append_c (pgn, '\n');
}

static void
append_word (Writer     *writer,
             const char *word)
{
  gsize length = strlen (word);

  if (writer->line_length > 0 && writer->line_length + 1 + length > MAX_LINE)
    {
      g_string_append_c (writer->text, '\n');
      writer->line_length = 0;
    }
  if (writer->line_length > 0)
    {
      g_string_append_c (writer->text, ' ');
      writer->line_length++;
    }
  g_string_append (writer->text, word);
  writer->line_length += length;
}

static void
append_shape (GString                *command,
              const KibitzChessShape *shape)
{
  char square[3];

  g_string_append_c (command, "GRBY"[shape->color & 3]);
  kibitz_chess_square_to_name (shape->from, square);
  g_string_append (command, square);
  if (shape->to == shape->from)
    return;
  kibitz_chess_square_to_name (shape->to, square);
  g_string_append (command, square);
}

static void
flush_command (Writer  *writer,
               GString *command)
{
  if (command->len == 0)
    return;
  g_string_append_c (command, ']');
  append_word (writer, command->str);
  g_string_truncate (command, 0);
}

/* Each run of marked squares becomes a [%csl] command, each run of arrows a
 * [%cal], a dozen shapes at most to a command: the reader gets them back in
 * the same order.
 */
static void
append_shape_commands (Writer                *writer,
                       const KibitzChessGame *game)
{
  g_autoptr(GString) command = g_string_new (NULL);
  guint n_shapes, in_command = 0;
  const KibitzChessShape *shapes = kibitz_chess_game_get_shapes (game, &n_shapes);
  gboolean arrows = FALSE;

  for (guint i = 0; i < n_shapes; i++)
    {
      gboolean arrow = shapes[i].to != shapes[i].from;

      if (in_command == SHAPES_PER_COMMAND || (in_command > 0 && arrow != arrows))
        {
          flush_command (writer, command);
          in_command = 0;
        }
      arrows = arrow;
      g_string_append (command, in_command++ == 0 ? (arrows ? "[%cal " : "[%csl ") : ",");
      append_shape (command, &shapes[i]);
    }
  flush_command (writer, command);
}

static void
append_moves (Writer                *writer,
              const KibitzChessGame *game)
{
  const char * const *sans = kibitz_chess_game_get_san_moves (game);

  for (guint i = 0; sans[i] != NULL; i++)
    {
      const KibitzChessPosition *before = kibitz_chess_game_get_position (game, i);
      g_autofree char *number = NULL;

      if (before->side == KIBITZ_CHESS_WHITE)
        number = g_strdup_printf ("%u.", before->fullmove);
      else if (i == 0)
        number = g_strdup_printf ("%u...", before->fullmove);
      if (number != NULL)
        append_word (writer, number);
      append_word (writer, sans[i]);
    }
}

char *
kibitz_chess_game_to_pgn (const KibitzChessGame *game)
{
  Writer writer = { .text = g_string_new (NULL) };
  guint n_shapes;

  append_tags (writer.text, game);
  append_moves (&writer, game);
  kibitz_chess_game_get_shapes (game, &n_shapes);
  if (n_shapes > 0)
    {
      append_word (&writer, "{");
      append_shape_commands (&writer, game);
      append_word (&writer, "}");
    }
  append_word (&writer, result_token (game));
  g_string_append (writer.text, "\n\n");
  return g_string_free (writer.text, FALSE);
}
