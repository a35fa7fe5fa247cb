/* kibitz-chess-movegen.c: attacks, legal moves and perft.
 *
 * Legal moves come straight out of the generator, without making each move
 * to see whether it leaves the king in check: first, one walk out from the
 * king along the eight lines finds the pieces that check it and the pieces
 * pinned to it. Then a pinned piece moves only along its pin; in check, a
 * move other than the king's must capture the checker or step between; the
 * king never steps onto an attacked square (looked at as if the king had
 * already left, so that it cannot retreat along a checking line). Only en
 * passant, which empties two squares of one rank at once, is made and tested.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-chess"

#include "config.h"

#include "kibitz-chess-private.h"

static const int knight_steps[8] = { 33, 31, 18, 14, -14, -18, -31, -33 };
/* The four lines first, then the four diagonals. */
static const int king_steps[8] = { 16, -16, 1, -1, 17, 15, -15, -17 };
static const int *const rook_dirs = king_steps;
static const int *const bishop_dirs = king_steps + 4;

typedef struct {
  const KibitzChessPosition *pos;
  KibitzChessMove           *moves;
  int                        n;
  int                        us;
  int                        them;
  /* Pseudo-legal generation ignores checks and pins, to explain why a move
   * someone asked for is illegal.
   */
  gboolean                   pseudo;
  /* Where a move other than the king's may land: everywhere, or in check the
   * checker's square and the squares between it and the king.
   */
  guint64                    evasion;
  int                        n_checkers;
  guint64                    pinned;
  int                        n_pins;
  int                        pin_square[8];
  int                        pin_dir[8];
} Generator;

static gboolean
piece_on (const guint8 *board,
          int           square88,
          guint8        piece)
{
  return ON_BOARD (square88) && board[square88] == piece;
}

static gboolean
ray_attacked (const guint8 *board,
              int           square88,
              const int    *dirs,
              guint8        slider,
              guint8        queen,
              int           ignore88)
{
  for (int i = 0; i < 4; i++)
    for (int t = square88 + dirs[i]; ON_BOARD (t); t += dirs[i])
      {
        if (board[t] == KIBITZ_CHESS_EMPTY || t == ignore88)
          continue;
        if (board[t] == slider || board[t] == queen)
          return TRUE;
        break;
      }
  return FALSE;
}

/* Whether by_color attacks square88, with the piece on ignore88 (the king
 * about to move) looked through.
 */
gboolean
_kibitz_chess_square_attacked (const KibitzChessPosition *position,
                               int                        square88,
                               int                        by_color,
                               int                        ignore88)
{
  const guint8 *board = position->board;
  int behind = by_color == KIBITZ_CHESS_WHITE ? -16 : 16;
  guint8 pawn = PIECE (by_color, KIBITZ_CHESS_PAWN);

  if (piece_on (board, square88 + behind - 1, pawn) ||
      piece_on (board, square88 + behind + 1, pawn))
    return TRUE;
  for (int i = 0; i < 8; i++)
    if (piece_on (board, square88 + knight_steps[i], PIECE (by_color, KIBITZ_CHESS_KNIGHT)) ||
        piece_on (board, square88 + king_steps[i], PIECE (by_color, KIBITZ_CHESS_KING)))
      return TRUE;
  return ray_attacked (board, square88, rook_dirs, PIECE (by_color, KIBITZ_CHESS_ROOK),
                       PIECE (by_color, KIBITZ_CHESS_QUEEN), ignore88) ||
         ray_attacked (board, square88, bishop_dirs, PIECE (by_color, KIBITZ_CHESS_BISHOP),
                       PIECE (by_color, KIBITZ_CHESS_QUEEN), ignore88);
}

gboolean
_kibitz_chess_leaves_king_safe (const KibitzChessPosition *position,
                                const KibitzChessMove     *move)
{
  KibitzChessPosition after = *position;

  _kibitz_chess_do_move (&after, move);
  return !_kibitz_chess_square_attacked (&after, after.king[position->side], position->side ^ 1,
                                         NO_SQUARE);
}

static void
add_checker (Generator *gen,
             guint64    stops)
{
  gen->n_checkers++;
  gen->evasion = gen->n_checkers == 1 ? stops : 0;
}

/* Walks from the king along dir: the first enemy piece that slides this way
 * checks it, or pins the one piece of ours in between.
 */
static void
scan_line (Generator *gen,
           int        king,
           int        dir,
           gboolean   diagonal)
{
  const guint8 *board = gen->pos->board;
  guint64 stops = 0;
  int ours = -1;

  int slider = diagonal ? KIBITZ_CHESS_BISHOP : KIBITZ_CHESS_ROOK;

  for (int t = king + dir; ON_BOARD (t); t += dir)
    {
      int type = board[t] & 7;

      stops |= BIT (SQ64 (t));
      if (board[t] == KIBITZ_CHESS_EMPTY)
        continue;
      if ((board[t] >> 3) == gen->us)
        {
          if (ours >= 0)
            return;
          ours = t;
          continue;
        }
      if (type != KIBITZ_CHESS_QUEEN && type != slider)
        return;
      if (ours < 0)
        add_checker (gen, stops);
      else
        {
          gen->pinned |= BIT (SQ64 (ours));
          gen->pin_square[gen->n_pins] = ours;
          gen->pin_dir[gen->n_pins++] = dir;
        }
      return;
    }
}

static void
find_checks_and_pins (Generator *gen)
{
  const guint8 *board = gen->pos->board;
  int king = gen->pos->king[gen->us];
  int ahead = gen->us == KIBITZ_CHESS_WHITE ? 16 : -16;
  guint8 pawn = PIECE (gen->them, KIBITZ_CHESS_PAWN);
  guint8 knight = PIECE (gen->them, KIBITZ_CHESS_KNIGHT);

  for (int i = 0; i < 8; i++)
    scan_line (gen, king, king_steps[i], i >= 4);
  for (int i = 0; i < 8; i++)
    if (piece_on (board, king + knight_steps[i], knight))
      add_checker (gen, BIT (SQ64 (king + knight_steps[i])));
  for (int side = -1; side <= 1; side += 2)
    if (piece_on (board, king + ahead + side, pawn))
      add_checker (gen, BIT (SQ64 (king + ahead + side)));
}

/* 0 when the piece on square88 is not pinned, else the line it must keep to. */
static int
pin_of (const Generator *gen,
        int              square88)
{
  if (!(gen->pinned & BIT (SQ64 (square88))))
    return 0;
  for (int i = 0; i < gen->n_pins; i++)
    if (gen->pin_square[i] == square88)
      return gen->pin_dir[i];
  return 0;
}

static gboolean
along (int pin,
       int dir)
{
  return pin == 0 || dir == pin || dir == -pin;
}

static void
push (Generator *gen,
      int        from,
      int        to,
      int        promotion,
      int        flags)
{
  KibitzChessMove *move = &gen->moves[gen->n++];

  move->from = SQ64 (from);
  move->to = SQ64 (to);
  move->promotion = promotion;
  move->flags = flags;
}

static gboolean
may_land (const Generator *gen,
          int              to)
{
  guint8 piece = gen->pos->board[to];

  return (gen->evasion & BIT (SQ64 (to))) &&
         (piece == KIBITZ_CHESS_EMPTY || (piece >> 3) == gen->them);
}

static void
gen_slider (Generator *gen,
            int        from,
            const int *dirs)
{
  const guint8 *board = gen->pos->board;
  int pin = pin_of (gen, from);

  for (int i = 0; i < 4; i++)
    {
      if (!along (pin, dirs[i]))
        continue;
      for (int t = from + dirs[i]; ON_BOARD (t); t += dirs[i])
        {
          if (board[t] != KIBITZ_CHESS_EMPTY && (board[t] >> 3) == gen->us)
            break;
          if (gen->evasion & BIT (SQ64 (t)))
            push (gen, from, t, 0, board[t] ? KIBITZ_CHESS_MOVE_CAPTURE : 0);
          if (board[t] != KIBITZ_CHESS_EMPTY)
            break;
        }
    }
}

static void
gen_knight (Generator *gen,
            int        from)
{
  if (gen->pinned & BIT (SQ64 (from)))
    return;
  for (int i = 0; i < 8; i++)
    {
      int to = from + knight_steps[i];

      if (ON_BOARD (to) && may_land (gen, to))
        push (gen, from, to, 0, gen->pos->board[to] ? KIBITZ_CHESS_MOVE_CAPTURE : 0);
    }
}

static void
push_pawn_move (Generator *gen,
                int        from,
                int        to,
                int        flags)
{
  if (RANK88 (to) != 0 && RANK88 (to) != 7)
    {
      push (gen, from, to, 0, flags);
      return;
    }
  for (int type = KIBITZ_CHESS_QUEEN; type >= KIBITZ_CHESS_KNIGHT; type--)
    push (gen, from, to, type, flags);
}

static void
gen_en_passant (Generator *gen,
                int        from,
                int        to)
{
  KibitzChessMove move = {
    SQ64 (from), SQ64 (to), 0, KIBITZ_CHESS_MOVE_CAPTURE | KIBITZ_CHESS_MOVE_EN_PASSANT,
  };

  if (gen->pseudo || _kibitz_chess_leaves_king_safe (gen->pos, &move))
    gen->moves[gen->n++] = move;
}

static void
gen_pawn (Generator *gen,
          int        from)
{
  const guint8 *board = gen->pos->board;
  int ahead = gen->us == KIBITZ_CHESS_WHITE ? 16 : -16;
  int start = gen->us == KIBITZ_CHESS_WHITE ? 1 : 6;
  int pin = pin_of (gen, from), to = from + ahead;

  if (ON_BOARD (to) && board[to] == KIBITZ_CHESS_EMPTY && along (pin, ahead))
    {
      if (gen->evasion & BIT (SQ64 (to)))
        push_pawn_move (gen, from, to, 0);
      if (RANK88 (from) == start && board[to + ahead] == KIBITZ_CHESS_EMPTY &&
          (gen->evasion & BIT (SQ64 (to + ahead))))
        push (gen, from, to + ahead, 0, KIBITZ_CHESS_MOVE_DOUBLE_PUSH);
    }
  for (int side = -1; side <= 1; side += 2)
    {
      to = from + ahead + side;
      if (!ON_BOARD (to) || !along (pin, ahead + side))
        continue;
      if (board[to] != KIBITZ_CHESS_EMPTY && may_land (gen, to))
        push_pawn_move (gen, from, to, KIBITZ_CHESS_MOVE_CAPTURE);
      else if (to == gen->pos->ep)
        gen_en_passant (gen, from, to);
    }
}

static gboolean
safe_for_king (const Generator *gen,
               int              square88,
               int              king)
{
  return gen->pseudo || !_kibitz_chess_square_attacked (gen->pos, square88, gen->them, king);
}

/* The rights guarantee the king and the rook are at home; the king may not
 * castle out of check (the caller's test), through or into it.
 */
static void
gen_castling (Generator *gen,
              int        king)
{
  const guint8 *board = gen->pos->board;
  int rights = gen->pos->castling >> (2 * gen->us);

  if ((rights & 1) && !board[king + 1] && !board[king + 2] &&
      safe_for_king (gen, king + 1, NO_SQUARE) && safe_for_king (gen, king + 2, NO_SQUARE))
    push (gen, king, king + 2, 0, KIBITZ_CHESS_MOVE_CASTLE);
  if ((rights & 2) && !board[king - 1] && !board[king - 2] && !board[king - 3] &&
      safe_for_king (gen, king - 1, NO_SQUARE) && safe_for_king (gen, king - 2, NO_SQUARE))
    push (gen, king, king - 2, 0, KIBITZ_CHESS_MOVE_CASTLE);
}

static void
gen_king (Generator *gen)
{
  const guint8 *board = gen->pos->board;
  int king = gen->pos->king[gen->us];

  for (int i = 0; i < 8; i++)
    {
      int to = king + king_steps[i];

      if (!ON_BOARD (to) || (board[to] != KIBITZ_CHESS_EMPTY && (board[to] >> 3) == gen->us))
        continue;
      if (safe_for_king (gen, to, king))
        push (gen, king, to, 0, board[to] ? KIBITZ_CHESS_MOVE_CAPTURE : 0);
    }
  if (gen->n_checkers == 0)
    gen_castling (gen, king);
}

static void
gen_piece (Generator *gen,
           int        from)
{
  switch (gen->pos->board[from] & 7)
    {
    case KIBITZ_CHESS_PAWN:
      gen_pawn (gen, from);
      break;
    case KIBITZ_CHESS_KNIGHT:
      gen_knight (gen, from);
      break;
    case KIBITZ_CHESS_BISHOP:
      gen_slider (gen, from, bishop_dirs);
      break;
    case KIBITZ_CHESS_ROOK:
      gen_slider (gen, from, rook_dirs);
      break;
    case KIBITZ_CHESS_QUEEN:
      gen_slider (gen, from, rook_dirs);
      gen_slider (gen, from, bishop_dirs);
      break;
    default:
      break;
    }
}

static int
generate (const KibitzChessPosition *position,
          KibitzChessMove           *moves,
          gboolean                   pseudo)
{
  Generator gen = {
    .pos = position, .moves = moves, .us = position->side, .them = position->side ^ 1,
    .pseudo = pseudo, .evasion = ~G_GUINT64_CONSTANT (0),
  };

  if (!pseudo)
    find_checks_and_pins (&gen);
  if (gen.n_checkers < 2)
    for (guint64 own = position->occupied[gen.us]; own != 0; own &= own - 1)
      gen_piece (&gen, SQ88 (__builtin_ctzll (own)));
  gen_king (&gen);
  return gen.n;
}

int
kibitz_chess_position_legal_moves (const KibitzChessPosition *position,
                                   KibitzChessMove           *moves)
{
  return generate (position, moves, FALSE);
}

/* Moves by the rules of how pieces move, castling included whenever the
 * rights and empty squares allow it, whether or not they leave the king in
 * check.
 */
int
_kibitz_chess_pseudo_legal_moves (const KibitzChessPosition *position,
                                  KibitzChessMove           *moves)
{
  return generate (position, moves, TRUE);
}

/* The en-passant square when a pawn can legally capture there, else -1: the
 * repetition rule counts only that, and FEN writers differ on the rest.
 */
int
kibitz_chess_position_get_legal_en_passant (const KibitzChessPosition *position)
{
  int ep = position->ep, behind = position->side == KIBITZ_CHESS_WHITE ? -16 : 16;

  if (ep == NO_SQUARE)
    return -1;
  for (int side = -1; side <= 1; side += 2)
    {
      int from = ep + behind + side;
      KibitzChessMove move = { SQ64 (from), SQ64 (ep), 0, 0 };

      if (piece_on (position->board, from, PIECE (position->side, KIBITZ_CHESS_PAWN)) &&
          _kibitz_chess_leaves_king_safe (position, &move))
        return SQ64 (ep);
    }
  return -1;
}

gboolean
kibitz_chess_position_find_move (const KibitzChessPosition *position,
                                 int                        from,
                                 int                        to,
                                 KibitzChessPieceType       promotion,
                                 KibitzChessMove           *move)
{
  KibitzChessMove moves[KIBITZ_CHESS_MAX_MOVES];
  int n = kibitz_chess_position_legal_moves (position, moves);

  for (int i = 0; i < n; i++)
    if (moves[i].from == from && moves[i].to == to && moves[i].promotion == promotion)
      {
        *move = moves[i];
        return TRUE;
      }
  return FALSE;
}

/* Leaves are counted, not made: the generator's moves are all legal. */
static guint64
perft (const KibitzChessPosition *position,
       int                        depth)
{
  KibitzChessMove moves[KIBITZ_CHESS_MAX_MOVES];
  int n = kibitz_chess_position_legal_moves (position, moves);
  guint64 nodes = 0;

  if (depth == 1)
    return n;
  for (int i = 0; i < n; i++)
    {
      KibitzChessPosition child = *position;

      _kibitz_chess_do_move (&child, &moves[i]);
      nodes += perft (&child, depth - 1);
    }
  return nodes;
}

guint64
kibitz_chess_position_perft (const KibitzChessPosition *position,
                             int                        depth)
{
  return depth <= 0 ? 1 : perft (position, depth);
}
