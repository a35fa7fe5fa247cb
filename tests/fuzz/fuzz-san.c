/* fuzz-san.c: libFuzzer target for reading moves in SAN and UCI.
 *
 * The input is "FEN\nMOVE", or just MOVE, played in one of a few positions
 * chosen by its first byte (between them: castling both ways, en passant,
 * promotions, pins, checks). A SAN that reads as a move is written back, and
 * that SAN reads as the same move; the same for UCI. A refused move is
 * refused as malformed or illegal, with a message in valid UTF-8.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kibitz-chess.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static const char *const positions[] = {
  KIBITZ_CHESS_START_FEN,
  "r3k2r/p1ppqpb1/bn2pnp1/3PN3/1p2P3/2N2Q1p/PPPBBPPP/R3K2R w KQkq - 0 1",
  "8/2p5/3p4/KP5r/1R3p1k/8/4P1P1/8 w - - 0 1",
  "r3k2r/Pppp1ppp/1b3nbN/nP6/BBP1P3/q4N2/Pp1P2PP/R2Q1RK1 w kq - 0 1",
  "rnbq1k1r/pp1Pbppp/2p5/8/2B5/8/PPP1NnPP/RNBQK2R w KQ - 1 8",
  "4k3/8/8/8/8/Q7/8/Q1Q1K3 w - - 0 1",
  "8/8/8/K2pP2r/8/8/8/7k w - d6 0 2",
  "3r3k/4P3/8/8/8/8/8/4K3 w - - 0 1",
  "r3k2r/8/8/8/8/8/1p6/R3K2R b KQkq - 0 1",
};

static void
check (gboolean    condition,
       const char *what,
       const char *text)
{
  if (!condition)
    {
      g_printerr ("fuzz-san: %s: %s\n", what, text);
      abort ();
    }
}

static void
check_refusal (const GError *error,
               const char   *text)
{
  check (g_error_matches (error, KIBITZ_CHESS_ERROR, KIBITZ_CHESS_ERROR_BAD_MOVE) ||
         g_error_matches (error, KIBITZ_CHESS_ERROR, KIBITZ_CHESS_ERROR_ILLEGAL_MOVE),
         "a refused move has the wrong error", text);
  check (g_utf8_validate (error->message, -1, NULL), "an error is not UTF-8", text);
}

static gboolean
same_move (const KibitzChessMove *a,
           const KibitzChessMove *b)
{
  return a->from == b->from && a->to == b->to && a->promotion == b->promotion;
}

static void
try_san (const KibitzChessPosition *position,
         const char                *text)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *san = NULL;
  g_auto(GStrv) all = NULL;
  KibitzChessMove move, again;

  if (!kibitz_chess_move_from_san (position, text, &move, &error))
    {
      check_refusal (error, text);
      return;
    }
  san = kibitz_chess_move_to_san (position, &move);
  check (san != NULL, "a move read from SAN has no SAN", text);
  check (kibitz_chess_move_from_san (position, san, &again, NULL) && same_move (&move, &again),
         "a written SAN does not read back to its move", text);
  all = kibitz_chess_position_legal_moves_san (position);
  check (g_strv_contains ((const char * const *) all, san), "a SAN is not among the moves", text);
}

static void
try_uci (const KibitzChessPosition *position,
         const char                *text)
{
  g_autoptr(GError) error = NULL;
  KibitzChessPosition after = *position;
  KibitzChessMove move, again;
  char uci[6];

  if (!kibitz_chess_move_from_uci (position, text, &move, &error))
    {
      check_refusal (error, text);
      return;
    }
  kibitz_chess_move_to_uci (&move, uci);
  check (kibitz_chess_move_from_uci (position, uci, &again, NULL) && same_move (&move, &again),
         "a written UCI move does not read back to its move", text);
  check (kibitz_chess_position_play_move (&after, &move, NULL), "a UCI move cannot be played",
         text);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *input = g_strndup ((const char *) data, size);
  char *newline = strchr (input, '\n');
  const char *text = input;
  KibitzChessPosition position;

  if (newline != NULL)
    {
      *newline = '\0';
      text = newline + 1;
      if (!kibitz_chess_position_init_from_fen (&position, input, NULL))
        return 0;
    }
  else
    {
      guint choice = size > 0 ? data[0] % G_N_ELEMENTS (positions) : 0;

      kibitz_chess_position_init_from_fen (&position, positions[choice], NULL);
      text = size > 0 ? input + 1 : input;
    }
  try_san (&position, text);
  try_uci (&position, text);
  return 0;
}
