/* test-chess-perft.c: move generation, counted against the published perft
 * numbers of the standard test positions (chessprogramming.org, "Perft
 * Results"), each chosen for the rules it exercises.
 *
 * The /chess/perft/ cases run in CI under ASan in a few seconds; the
 * /chess/perft-deep/ ones (over 100 million nodes each) are a test of their own.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "kibitz-chess.h"

typedef struct {
  const char *path;
  const char *fen;
  int         depth;
  guint64     nodes;
} PerftCase;

static const PerftCase cases[] = {
  { "/chess/perft/start", KIBITZ_CHESS_START_FEN, 5, 4865609 },
  /* "Kiwipete": castling both ways, en passant, promotions, pins. */
  { "/chess/perft/kiwipete",
    "r3k2r/p1ppqpb1/bn2pnp1/3PN3/1p2P3/2N2Q1p/PPPBBPPP/R3K2R w KQkq - 0 1", 4, 4085603 },
  /* Rook endgame with en passant that would expose the king along a rank. */
  { "/chess/perft/position3", "8/2p5/3p4/KP5r/1R3p1k/8/4P1P1/8 w - - 0 1", 6, 11030083 },
  /* Promotions with capture, castling out of a pin, checks everywhere. */
  { "/chess/perft/position4",
    "r3k2r/Pppp1ppp/1b3nbN/nP6/BBP1P3/q4N2/Pp1P2PP/R2Q1RK1 w kq - 0 1", 5, 15833292 },
  { "/chess/perft/position4-mirrored",
    "r2q1rk1/pP1p2pp/Q4n2/bbp1p3/Np6/1B3NBn/pPPP1PPP/R3K2R b KQ - 0 1", 5, 15833292 },
  { "/chess/perft/position5",
    "rnbq1k1r/pp1Pbppp/2p5/8/2B5/8/PPP1NnPP/RNBQK2R w KQ - 1 8", 4, 2103487 },
  { "/chess/perft/position6",
    "r4rk1/1pp1qppp/p1np1n2/2b1p1B1/2B1P1b1/P1NP1N2/1PP1QPPP/R4RK1 w - - 0 10", 4, 3894594 },
  { "/chess/perft-deep/start", KIBITZ_CHESS_START_FEN, 6, 119060324 },
  { "/chess/perft-deep/kiwipete",
    "r3k2r/p1ppqpb1/bn2pnp1/3PN3/1p2P3/2N2Q1p/PPPBBPPP/R3K2R w KQkq - 0 1", 5, 193690690 },
};

static void
test_perft (gconstpointer data)
{
  const PerftCase *perft = data;
  g_autoptr(GError) error = NULL;
  KibitzChessPosition position;

  g_assert_true (kibitz_chess_position_init_from_fen (&position, perft->fen, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (kibitz_chess_position_perft (&position, perft->depth), ==, perft->nodes);
}

/* The first plies of the start position, where every count is known. */
static void
test_shallow (void)
{
  static const guint64 counts[] = { 1, 20, 400, 8902, 197281 };
  KibitzChessPosition position;

  kibitz_chess_position_init_start (&position);
  for (guint depth = 0; depth < G_N_ELEMENTS (counts); depth++)
    g_assert_cmpuint (kibitz_chess_position_perft (&position, depth), ==, counts[depth]);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/chess/perft/shallow", test_shallow);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_test_add_data_func (cases[i].path, &cases[i], test_perft);

  return g_test_run ();
}
