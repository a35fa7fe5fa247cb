/* fuzz-fen.c: libFuzzer target for FEN reading and the move generator.
 *
 * A FEN that parses is written back, and that FEN parses to the same
 * position and writes the same text. Then its moves: the fast generator must
 * give exactly the pseudo-legal moves that do not leave the king in check
 * (castling judged by its own three rules), each move's SAN and UCI must read
 * back to it, and the position after each must itself be a FEN that parses,
 * since a legal move cannot make a position our FEN checks refuse. A FEN that
 * does not parse must say why in valid UTF-8.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kibitz-chess-private.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static void
check (gboolean    condition,
       const char *what,
       const char *fen)
{
  if (!condition)
    {
      g_printerr ("fuzz-fen: %s: %s\n", what, fen);
      abort ();
    }
}

static gboolean
castling_is_legal (const KibitzChessPosition *position,
                   const KibitzChessMove     *move)
{
  int king = SQ88 (move->from), step = move->to > move->from ? 1 : -1;

  return !kibitz_chess_position_in_check (position) &&
         !_kibitz_chess_square_attacked (position, king + step, position->side ^ 1, NO_SQUARE) &&
         _kibitz_chess_leaves_king_safe (position, move);
}

static gboolean
same_move (const KibitzChessMove *a,
           const KibitzChessMove *b)
{
  return a->from == b->from && a->to == b->to && a->promotion == b->promotion;
}

/* The generator against the slow definition of a legal move. */
static void
check_generator (const KibitzChessPosition *position,
                 const KibitzChessMove     *legal,
                 int                        n_legal,
                 const char                *fen)
{
  KibitzChessMove pseudo[KIBITZ_CHESS_MAX_MOVES];
  int n_pseudo = _kibitz_chess_pseudo_legal_moves (position, pseudo), n_slow = 0;

  for (int i = 0; i < n_pseudo; i++)
    {
      gboolean ok = (pseudo[i].flags & KIBITZ_CHESS_MOVE_CASTLE)
                    ? castling_is_legal (position, &pseudo[i])
                    : _kibitz_chess_leaves_king_safe (position, &pseudo[i]);
      gboolean found = FALSE;

      for (int j = 0; j < n_legal && !found; j++)
        found = same_move (&pseudo[i], &legal[j]);
      check (ok == found, "the generator and the slow legality test disagree", fen);
      n_slow += ok;
    }
  check (n_slow == n_legal, "the generator made a move that is not pseudo-legal", fen);
}

static void
check_move (const KibitzChessPosition *position,
            const KibitzChessMove     *move,
            const char                *fen)
{
  g_autofree char *san = kibitz_chess_move_to_san (position, move);
  g_autofree char *after_fen = NULL;
  KibitzChessPosition after = *position, parsed;
  KibitzChessMove back;
  char uci[6];

  check (san != NULL, "a legal move has no SAN", fen);
  check (kibitz_chess_move_from_san (position, san, &back, NULL) && same_move (&back, move),
         "a SAN does not read back to its move", fen);
  kibitz_chess_move_to_uci (move, uci);
  check (kibitz_chess_move_from_uci (position, uci, &back, NULL) && same_move (&back, move),
         "a UCI move does not read back to its move", fen);

  kibitz_chess_position_make_move (&after, move);
  after_fen = kibitz_chess_position_to_fen (&after);
  check (kibitz_chess_position_init_from_fen (&parsed, after_fen, NULL) &&
         kibitz_chess_position_equal (&parsed, &after),
         "the position after a legal move is not a valid FEN", fen);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autofree char *fen = NULL, *again_fen = NULL;
  g_autoptr(GError) error = NULL;
  KibitzChessMove legal[KIBITZ_CHESS_MAX_MOVES];
  KibitzChessPosition position, again;
  int n;

  if (!kibitz_chess_position_init_from_fen (&position, text, &error))
    {
      check (g_error_matches (error, KIBITZ_CHESS_ERROR, KIBITZ_CHESS_ERROR_BAD_FEN),
             "a refused FEN has the wrong error", text);
      check (g_utf8_validate (error->message, -1, NULL), "an error is not UTF-8", text);
      return 0;
    }

  fen = kibitz_chess_position_to_fen (&position);
  check (kibitz_chess_position_init_from_fen (&again, fen, NULL), "a written FEN does not parse",
         fen);
  check (kibitz_chess_position_equal (&position, &again), "a FEN round trip changed the position",
         fen);
  again_fen = kibitz_chess_position_to_fen (&again);
  check (strcmp (fen, again_fen) == 0, "a FEN round trip changed the text", fen);

  n = kibitz_chess_position_legal_moves (&position, legal);
  check (kibitz_chess_position_perft (&position, 1) == (guint64) n,
         "perft 1 is not the number of moves", fen);
  check_generator (&position, legal, n, fen);
  for (int i = 0; i < n; i++)
    check_move (&position, &legal[i], fen);
  kibitz_chess_position_is_insufficient_material (&position);
  kibitz_chess_position_get_legal_en_passant (&position);
  return 0;
}
