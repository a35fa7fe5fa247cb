/* kibitz-chess-explain.c: why a move someone asked for is not legal.
 *
 * A teacher who types "Nf3" and sees only "illegal move" does not learn
 * anything; "the knight on g1 is pinned" answers the question they will ask.
 * The reasons come from the pseudo-legal moves (moves by how the pieces move,
 * checks ignored) that match the request: when there is one, it is the check
 * it leaves or walks into that is wrong; when there is none, the piece cannot
 * get there at all.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-chess"

#include "config.h"

#include "kibitz-chess-private.h"

static const char *
color_name (const KibitzChessPosition *pos)
{
  return _kibitz_chess_color_names[pos->side];
}

static char *
explain_castling (const KibitzChessPosition *pos,
                  const KibitzChessMove     *move)
{
  int king = SQ88 (move->from), step = move->to > move->from ? 1 : -1;
  char square[3];

  if (kibitz_chess_position_in_check (pos))
    return g_strdup ("the king cannot castle out of check");
  kibitz_chess_square_to_name (SQ64 (king + step), square);
  if (_kibitz_chess_square_attacked (pos, king + step, pos->side ^ 1, NO_SQUARE))
    return g_strdup_printf ("the king cannot castle through check: %s is attacked", square);
  kibitz_chess_square_to_name (move->to, square);
  return g_strdup_printf ("the king would be in check on %s", square);
}

/* Whether the piece on square88 is all that stands between its king and an
 * enemy piece that would otherwise attack it.
 */
static gboolean
is_pinned (const KibitzChessPosition *pos,
           int                        square88)
{
  KibitzChessPosition without = *pos;

  without.board[square88] = KIBITZ_CHESS_EMPTY;
  return !kibitz_chess_position_in_check (pos) && kibitz_chess_position_in_check (&without);
}

/* move follows how its piece moves, but leaves or puts its king in check. */
static char *
explain_check (const KibitzChessPosition *pos,
               const KibitzChessMove     *move)
{
  int from = SQ88 (move->from), type = pos->board[from] & 7;
  char square[3];

  if (move->flags & KIBITZ_CHESS_MOVE_CASTLE)
    return explain_castling (pos, move);
  if (type == KIBITZ_CHESS_KING)
    {
      kibitz_chess_square_to_name (move->to, square);
      return g_strdup_printf ("the king would be in check on %s", square);
    }
  kibitz_chess_square_to_name (move->from, square);
  if (is_pinned (pos, from))
    return g_strdup_printf ("the %s on %s is pinned", _kibitz_chess_piece_names[type], square);
  if (kibitz_chess_position_in_check (pos))
    return g_strdup_printf ("the %s king is in check, and this move does not stop it",
                            color_name (pos));
  return g_strdup_printf ("it would leave the %s king in check", color_name (pos));
}

static char *
explain_no_castling (const KibitzChessPosition *pos,
                     const KibitzChessQuery    *query)
{
  const char *wing = query->castle == 1 ? "kingside" : "queenside";
  guint right = 1 << (2 * pos->side + query->castle - 1);

  if (!(pos->castling & right))
    return g_strdup_printf ("%s has no right to castle %s any more", color_name (pos), wing);
  return g_strdup_printf ("%s cannot castle %s: there are pieces between the king and the rook",
                          color_name (pos), wing);
}

/* A UCI move names its square, so the answer is about that square. */
static char *
explain_from_square (const KibitzChessPosition *pos,
                     const KibitzChessQuery    *query)
{
  guint8 piece = pos->board[SQ88 (query->from)];
  const char *name = _kibitz_chess_piece_names[piece & 7];
  char from[3], to[3];

  kibitz_chess_square_to_name (query->from, from);
  kibitz_chess_square_to_name (query->to, to);
  if (piece == KIBITZ_CHESS_EMPTY)
    return g_strdup_printf ("there is no piece on %s", from);
  if ((piece >> 3) != pos->side)
    return g_strdup_printf ("the %s on %s is %s's, and it is %s's turn", name, from,
                            _kibitz_chess_color_names[piece >> 3], color_name (pos));
  if (query->promotion && (piece & 7) != KIBITZ_CHESS_PAWN)
    return g_strdup_printf ("only pawns promote, and the piece on %s is a %s", from, name);
  return g_strdup_printf ("the %s on %s cannot move to %s", name, from, to);
}

static int
count_pieces (const KibitzChessPosition *pos,
              int                        type)
{
  int n = 0;

  for (int sq = 0; sq < 128; sq++)
    n += ON_BOARD (sq) && pos->board[sq] == PIECE (pos->side, type);
  return n;
}

/* " on g1", " on the g-file", " on rank 1" or "", as the SAN said. */
static char *
where_from (const KibitzChessQuery *query)
{
  if (query->from_file >= 0 && query->from_rank >= 0)
    return g_strdup_printf (" on %c%d", 'a' + query->from_file, query->from_rank + 1);
  if (query->from_file >= 0)
    return g_strdup_printf (" on the %c-file", 'a' + query->from_file);
  if (query->from_rank >= 0)
    return g_strdup_printf (" on rank %d", query->from_rank + 1);
  return g_strdup ("");
}

static char *
explain_unreachable (const KibitzChessPosition *pos,
                     const KibitzChessQuery    *query)
{
  const char *name = _kibitz_chess_piece_names[query->piece];
  g_autofree char *where = where_from (query);
  char to[3];

  if (query->castle)
    return explain_no_castling (pos, query);
  if (query->from >= 0)
    return explain_from_square (pos, query);
  if (count_pieces (pos, query->piece) == 0)
    return g_strdup_printf ("%s has no %s", color_name (pos), name);
  kibitz_chess_square_to_name (query->to, to);
  if (query->piece == KIBITZ_CHESS_PAWN && query->from_file >= 0 &&
      query->from_file != KIBITZ_CHESS_SQUARE_FILE (query->to))
    return g_strdup_printf ("no %s pawn%s can capture on %s", color_name (pos), where, to);
  return g_strdup_printf ("no %s %s%s can move to %s", color_name (pos), name, where, to);
}

char *
_kibitz_chess_explain_illegal (const KibitzChessPosition *position,
                               const KibitzChessQuery    *query)
{
  KibitzChessMove moves[KIBITZ_CHESS_MAX_MOVES];
  int n = _kibitz_chess_pseudo_legal_moves (position, moves);

  for (int i = 0; i < n; i++)
    if (_kibitz_chess_query_matches (position, query, &moves[i], TRUE))
      return explain_check (position, &moves[i]);
  return explain_unreachable (position, query);
}
