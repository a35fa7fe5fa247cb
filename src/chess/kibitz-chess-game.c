/* kibitz-chess-game.c: a start position, the moves played from it, and how
 * each position ends the game.
 *
 * The game keeps every position, not only the moves: the board shows any ply
 * (protocol.md's `board-view`), plays from any ply, and the repetition rule
 * compares positions, so replaying the moves each time would cost more than
 * the 160 bytes a position takes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-chess"

#include "config.h"

#include <string.h>

#include "kibitz-chess-game-private.h"

typedef struct {
  KibitzChessPosition position; /* after move */
  KibitzChessMove     move;     /* the move that led here; nothing at ply 0 */
} Ply;

const char *
kibitz_chess_result_to_string (KibitzChessResult result)
{
  static const char *const names[] = { NULL, "1-0", "0-1", "1/2-1/2" };

  g_return_val_if_fail (result <= KIBITZ_CHESS_RESULT_DRAW, NULL);
  return names[result];
}

const char *
kibitz_chess_end_to_string (KibitzChessEnd end)
{
  static const char *const names[] = {
    NULL, "checkmate", "stalemate", "insufficient material", "the fifty-move rule",
    "threefold repetition",
  };

  g_return_val_if_fail (end <= KIBITZ_CHESS_END_THREEFOLD_REPETITION, NULL);
  return names[end];
}

static const char *const shape_color_names[] = { "green", "red", "blue", "yellow" };

const char *
kibitz_chess_shape_color_to_string (KibitzChessShapeColor color)
{
  g_return_val_if_fail (color <= KIBITZ_CHESS_SHAPE_YELLOW, NULL);
  return shape_color_names[color];
}

gboolean
kibitz_chess_shape_color_from_string (const char            *name,
                                      KibitzChessShapeColor *color)
{
  for (guint i = 0; i < G_N_ELEMENTS (shape_color_names); i++)
    if (g_strcmp0 (name, shape_color_names[i]) == 0)
      {
        *color = i;
        return TRUE;
      }
  return FALSE;
}

static KibitzChessGame *
game_new_at (const KibitzChessPosition *start)
{
  KibitzChessGame *game = g_new0 (KibitzChessGame, 1);
  Ply first = { .position = *start };

  game->start_fen = kibitz_chess_position_to_fen (start);
  game->plies = g_array_new (FALSE, FALSE, sizeof (Ply));
  g_array_append_val (game->plies, first);
  game->sans = g_ptr_array_new_null_terminated (0, g_free, TRUE);
  game->shapes = g_array_new (FALSE, FALSE, sizeof (KibitzChessShape));
  game->tags = g_ptr_array_new_with_free_func (g_free);
  return game;
}

KibitzChessGame *
kibitz_chess_game_new (void)
{
  KibitzChessPosition start;

  kibitz_chess_position_init_start (&start);
  return game_new_at (&start);
}

KibitzChessGame *
kibitz_chess_game_new_from_fen (const char  *fen,
                                GError     **error)
{
  KibitzChessPosition start;

  g_return_val_if_fail (fen != NULL, NULL);

  if (!kibitz_chess_position_init_from_fen (&start, fen, error))
    return NULL;
  return game_new_at (&start);
}

void
kibitz_chess_game_free (KibitzChessGame *game)
{
  if (game == NULL)
    return;
  g_free (game->start_fen);
  g_array_unref (game->plies);
  g_ptr_array_unref (game->sans);
  g_array_unref (game->shapes);
  g_ptr_array_unref (game->tags);
  g_free (game);
}

guint
kibitz_chess_game_get_n_moves (const KibitzChessGame *game)
{
  return game->sans->len;
}

const char *
kibitz_chess_game_get_start_fen (const KibitzChessGame *game)
{
  return game->start_fen;
}

const KibitzChessPosition *
kibitz_chess_game_get_position (const KibitzChessGame *game,
                                guint                  ply)
{
  g_return_val_if_fail (ply < game->plies->len, NULL);

  return &g_array_index (game->plies, Ply, ply).position;
}

char *
kibitz_chess_game_get_fen (const KibitzChessGame *game,
                           guint                  ply)
{
  g_return_val_if_fail (ply < game->plies->len, NULL);

  return kibitz_chess_position_to_fen (kibitz_chess_game_get_position (game, ply));
}

const KibitzChessMove *
kibitz_chess_game_get_move (const KibitzChessGame *game,
                            guint                  index)
{
  g_return_val_if_fail (index < game->sans->len, NULL);

  return &g_array_index (game->plies, Ply, index + 1).move;
}

const char * const *
kibitz_chess_game_get_san_moves (const KibitzChessGame *game)
{
  static const char * const no_moves[] = { NULL };

  /* A null-terminated GPtrArray has no pdata at all until its first element. */
  if (game->sans->pdata == NULL)
    return no_moves;
  return (const char * const *) game->sans->pdata;
}

/* The result tag says how a game that was read ended; once its moves
 * change, it no longer does.
 */
void
kibitz_chess_game_truncate (KibitzChessGame *game,
                            guint            ply)
{
  g_return_if_fail (ply < game->plies->len);

  if (ply == game->sans->len)
    return;
  g_array_set_size (game->plies, ply + 1);
  g_ptr_array_set_size (game->sans, ply);
  kibitz_chess_game_set_tag (game, "Result", NULL);
}

/* Appends a move known to be legal at the end of the game. */
void
_kibitz_chess_game_append (KibitzChessGame       *game,
                           const KibitzChessMove *move)
{
  const KibitzChessPosition *last = kibitz_chess_game_get_position (game, game->sans->len);
  KibitzChessMove legal[KIBITZ_CHESS_MAX_MOVES];
  int n = kibitz_chess_position_legal_moves (last, legal);
  Ply next = { .position = *last, .move = *move };
  char san[16];

  _kibitz_chess_write_san (last, move, legal, n, san);
  _kibitz_chess_do_move (&next.position, move);
  g_array_append_val (game->plies, next);
  g_ptr_array_add (game->sans, g_strdup (san));
  kibitz_chess_game_set_tag (game, "Result", NULL);
}

static gboolean
check_not_over (const KibitzChessGame  *game,
                guint                   ply,
                GError                **error)
{
  KibitzChessEnd end = kibitz_chess_game_get_end (game, ply);

  if (end == KIBITZ_CHESS_END_NONE)
    return TRUE;
  g_set_error (error, KIBITZ_CHESS_ERROR, KIBITZ_CHESS_ERROR_GAME_OVER,
               "the game is over at this move, by %s", kibitz_chess_end_to_string (end));
  return FALSE;
}

static void
play_at (KibitzChessGame       *game,
         guint                  ply,
         const KibitzChessMove *legal)
{
  kibitz_chess_game_truncate (game, ply);
  _kibitz_chess_game_append (game, legal);
}

gboolean
kibitz_chess_game_play_move (KibitzChessGame        *game,
                             guint                   ply,
                             const KibitzChessMove  *move,
                             GError                **error)
{
  KibitzChessPosition after;
  KibitzChessMove legal;

  g_return_val_if_fail (ply < game->plies->len, FALSE);

  after = *kibitz_chess_game_get_position (game, ply);
  if (!check_not_over (game, ply, error) || !kibitz_chess_position_play_move (&after, move, error))
    return FALSE;
  /* The generator's copy of the move carries the flags SAN is written from. */
  kibitz_chess_position_find_move (kibitz_chess_game_get_position (game, ply), move->from,
                                   move->to, move->promotion, &legal);
  play_at (game, ply, &legal);
  return TRUE;
}

gboolean
kibitz_chess_game_play_san (KibitzChessGame  *game,
                            guint             ply,
                            const char       *san,
                            GError          **error)
{
  KibitzChessMove move;

  g_return_val_if_fail (ply < game->plies->len, FALSE);
  g_return_val_if_fail (san != NULL, FALSE);

  if (!check_not_over (game, ply, error) ||
      !kibitz_chess_move_from_san (kibitz_chess_game_get_position (game, ply), san, &move, error))
    return FALSE;
  play_at (game, ply, &move);
  return TRUE;
}

gboolean
kibitz_chess_game_play_uci (KibitzChessGame  *game,
                            guint             ply,
                            const char       *uci,
                            GError          **error)
{
  KibitzChessMove move;

  g_return_val_if_fail (ply < game->plies->len, FALSE);
  g_return_val_if_fail (uci != NULL, FALSE);

  if (!check_not_over (game, ply, error) ||
      !kibitz_chess_move_from_uci (kibitz_chess_game_get_position (game, ply), uci, &move, error))
    return FALSE;
  play_at (game, ply, &move);
  return TRUE;
}

/* How often the position at ply has stood on the board, counting only the
 * plies since the last capture or pawn move (none before can be the same).
 */
static int
repetitions (const KibitzChessGame *game,
             guint                  ply)
{
  const KibitzChessPosition *now = kibitz_chess_game_get_position (game, ply);
  guint oldest = ply - MIN (ply, now->halfmove);
  int count = 1;

  for (guint earlier = ply; earlier >= oldest + 2; earlier -= 2)
    count += kibitz_chess_position_same_for_repetition (
               now, kibitz_chess_game_get_position (game, earlier - 2));
  return count;
}

KibitzChessEnd
kibitz_chess_game_get_end (const KibitzChessGame *game,
                           guint                  ply)
{
  const KibitzChessPosition *position;
  KibitzChessMove moves[KIBITZ_CHESS_MAX_MOVES];

  g_return_val_if_fail (ply < game->plies->len, KIBITZ_CHESS_END_NONE);

  position = kibitz_chess_game_get_position (game, ply);
  if (kibitz_chess_position_legal_moves (position, moves) == 0)
    return kibitz_chess_position_in_check (position) ? KIBITZ_CHESS_END_CHECKMATE
                                                     : KIBITZ_CHESS_END_STALEMATE;
  if (kibitz_chess_position_is_insufficient_material (position))
    return KIBITZ_CHESS_END_INSUFFICIENT_MATERIAL;
  if (position->halfmove >= 100)
    return KIBITZ_CHESS_END_FIFTY_MOVES;
  if (repetitions (game, ply) >= 3)
    return KIBITZ_CHESS_END_THREEFOLD_REPETITION;
  return KIBITZ_CHESS_END_NONE;
}

KibitzChessResult
kibitz_chess_game_get_result (const KibitzChessGame *game,
                              guint                  ply)
{
  switch (kibitz_chess_game_get_end (game, ply))
    {
    case KIBITZ_CHESS_END_NONE:
      return KIBITZ_CHESS_RESULT_NONE;
    case KIBITZ_CHESS_END_CHECKMATE:
      return kibitz_chess_game_get_position (game, ply)->side == KIBITZ_CHESS_WHITE
             ? KIBITZ_CHESS_RESULT_BLACK_WINS : KIBITZ_CHESS_RESULT_WHITE_WINS;
    default:
      return KIBITZ_CHESS_RESULT_DRAW;
    }
}

const KibitzChessShape *
kibitz_chess_game_get_shapes (const KibitzChessGame *game,
                              guint                 *n_shapes)
{
  *n_shapes = game->shapes->len;
  return (const KibitzChessShape *) game->shapes->data;
}

void
kibitz_chess_game_set_shapes (KibitzChessGame        *game,
                              const KibitzChessShape *shapes,
                              guint                   n_shapes)
{
  g_array_set_size (game->shapes, 0);
  for (guint i = 0; i < n_shapes; i++)
    {
      g_return_if_fail (shapes[i].from < 64 && shapes[i].to < 64);
      g_return_if_fail (shapes[i].color <= KIBITZ_CHESS_SHAPE_YELLOW);
      g_array_append_val (game->shapes, shapes[i]);
    }
}

/* Tags are kept in the order they were set, as name, value, name, value. */
const char *
kibitz_chess_game_get_tag (const KibitzChessGame *game,
                           const char            *name)
{
  for (guint i = 0; i < game->tags->len; i += 2)
    if (strcmp (g_ptr_array_index (game->tags, i), name) == 0)
      return g_ptr_array_index (game->tags, i + 1);
  return NULL;
}

gboolean
_kibitz_chess_tag_name_is_valid (const char *name)
{
  if (name == NULL || !g_ascii_isalnum (name[0]) || strlen (name) > 255)
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '_')
      return FALSE;
  return g_ascii_strcasecmp (name, "FEN") != 0 && g_ascii_strcasecmp (name, "SetUp") != 0;
}

/* A NULL value removes the tag. */
void
kibitz_chess_game_set_tag (KibitzChessGame *game,
                           const char      *name,
                           const char      *value)
{
  g_return_if_fail (_kibitz_chess_tag_name_is_valid (name));
  g_return_if_fail (value == NULL || g_utf8_validate (value, -1, NULL));

  for (guint i = 0; i < game->tags->len; i += 2)
    {
      if (strcmp (g_ptr_array_index (game->tags, i), name) != 0)
        continue;
      if (value == NULL)
        {
          g_ptr_array_remove_range (game->tags, i, 2);
          return;
        }
      g_free (g_ptr_array_index (game->tags, i + 1));
      g_ptr_array_index (game->tags, i + 1) = g_strdup (value);
      return;
    }
  if (value == NULL)
    return;
  g_ptr_array_add (game->tags, g_strdup (name));
  g_ptr_array_add (game->tags, g_strdup (value));
}
