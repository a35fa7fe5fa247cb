/* test-chess-fen.c: FEN read and written, and every kind of FEN refused.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "chess-test-util.h"

static void
assert_round_trip (const char *fen)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KibitzChessPosition) position = kibitz_chess_position_new_from_fen (fen, &error);
  g_autofree char *written = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (position);
  written = kibitz_chess_position_to_fen (position);
  g_assert_cmpstr (written, ==, fen);
}

static void
test_round_trips (void)
{
  assert_round_trip (KIBITZ_CHESS_START_FEN);
  assert_round_trip ("r3k2r/p1ppqpb1/bn2pnp1/3PN3/1p2P3/2N2Q1p/PPPBBPPP/R3K2R w KQkq - 0 1");
  assert_round_trip ("rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq e3 0 1");
  assert_round_trip ("rnbqkbnr/ppp1pppp/8/8/3pP3/8/PPPP1PPP/RNBQKBNR b Kq e3 0 3");
  assert_round_trip ("8/8/8/8/8/8/6k1/4K2R w K - 99 180");
  assert_round_trip ("4k3/8/8/8/8/8/8/4K3 b - - 65535 999999");
}

/* Every position of a few random games is written and read back the same. */
static void
test_random_round_trips (void)
{
  g_autoptr(GPtrArray) fens = chess_test_random_positions (20261201, 300);

  for (guint i = 0; i < fens->len; i++)
    assert_round_trip (g_ptr_array_index (fens, i));
}

/* Teachers paste FENs without the clocks. */
static void
test_four_fields (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KibitzChessPosition) position = NULL;
  g_autofree char *written = NULL;

  position = kibitz_chess_position_new_from_fen ("  r3k2r/8/8/8/8/8/8/R3K2R   b Qk -\n", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (kibitz_chess_position_get_halfmove_clock (position), ==, 0);
  g_assert_cmpuint (kibitz_chess_position_get_fullmove_number (position), ==, 1);
  written = kibitz_chess_position_to_fen (position);
  g_assert_cmpstr (written, ==, "r3k2r/8/8/8/8/8/8/R3K2R b Qk - 0 1");
}

static void
test_accessors (void)
{
  g_autoptr(KibitzChessPosition) position = kibitz_chess_position_new_from_fen (
    "rnbqkbnr/ppp1p1pp/8/3pPp2/8/8/PPPP1PPP/RNBQKBNR w KQkq f6 0 3", NULL);

  g_assert_nonnull (position);
  g_assert_cmpint (kibitz_chess_position_get_piece (position, kibitz_chess_square_from_name ("e1")),
                   ==, KIBITZ_CHESS_WHITE_KING);
  g_assert_cmpint (kibitz_chess_position_get_piece (position, kibitz_chess_square_from_name ("d5")),
                   ==, KIBITZ_CHESS_BLACK_PAWN);
  g_assert_cmpint (kibitz_chess_position_get_piece (position, kibitz_chess_square_from_name ("e4")),
                   ==, KIBITZ_CHESS_EMPTY);
  g_assert_cmpint (kibitz_chess_position_get_side_to_move (position), ==, KIBITZ_CHESS_WHITE);
  g_assert_cmpint (kibitz_chess_position_get_en_passant (position), ==,
                   kibitz_chess_square_from_name ("f6"));
  g_assert_cmpint (kibitz_chess_position_get_legal_en_passant (position), ==,
                   kibitz_chess_square_from_name ("f6"));
  g_assert_cmpuint (kibitz_chess_position_get_castling (position), ==, 15);
  g_assert_false (kibitz_chess_position_in_check (position));
  g_assert_cmpint (kibitz_chess_square_from_name ("h8"), ==, 63);
  g_assert_cmpint (kibitz_chess_square_from_name ("i1"), ==, -1);
  g_assert_cmpint (kibitz_chess_square_from_name ("a1 "), ==, -1);
}

typedef struct {
  const char *fen;
  const char *message;
} Refusal;

static const Refusal refusals[] = {
  { "", "a FEN has 6 fields separated by spaces (or 4, without the clocks), not 0" },
  { "8/8/8/8/8/8/8/8 w - - 0",
    "a FEN has 6 fields separated by spaces (or 4, without the clocks), not 5" },
  { "4k3/8/8/8/8/8/8/4K3 w - - 0 1 extra",
    "a FEN has 6 fields separated by spaces (or 4, without the clocks), not 7" },
  { "4k3/8/8/8/8/8/8/4K2X w - - 0 1",
    "“X” in rank 1 of the FEN is not a piece: pieces are K, Q, R, B, N and P, in lowercase for "
    "black" },
  { "4k3/8/8/8/8/8/8/4K2é w - - 0 1",
    "“é” in rank 1 of the FEN is not a piece: pieces are K, Q, R, B, N and P, in lowercase for "
    "black" },
  { "4k3/8/8/8/8/8/8/4K2 w - - 0 1", "rank 1 of the FEN has 7 squares, not 8" },
  { "4k3/8/8/8/8/8/8/4K2RR w - - 0 1", "rank 1 of the FEN has more than 8 squares" },
  { "4k3/9/8/8/8/8/8/4K3 w - - 0 1",
    "“9” in rank 7 of the FEN is not a piece: pieces are K, Q, R, B, N and P, in lowercase for "
    "black" },
  { "4k3/8/8/8/8/8/4K3 w - - 0 1", "the FEN's board has 7 ranks, not 8" },
  { "4k3/8/8/8/8/8/8/8/4K3 w - - 0 1", "the FEN's board has more than 8 ranks" },
  { "4k3/8/8/8/8/8/8/4KK2 w - - 0 1", "the FEN has two white kings: each side has exactly one" },
  { "8/8/8/8/8/8/8/4K3 w - - 0 1", "the FEN has no black king: each side has exactly one" },
  { "4k3/8/8/8/8/8/8/4K2P w - - 0 1",
    "the FEN has a white pawn on h1: pawns never stand on the first or the last rank" },
  { "p3k3/8/8/8/8/8/8/4K3 w - - 0 1",
    "the FEN has a black pawn on a8: pawns never stand on the first or the last rank" },
  { "4k3/8/8/8/8/8/PPPPPPPP/P3K3 w - - 0 1",
    "the FEN has a white pawn on a1: pawns never stand on the first or the last rank" },
  { "4k3/8/8/8/8/P7/PPPPPPPP/4K3 w - - 0 1", "the FEN has 9 white pawns: a side has at most 8" },
  { "4k3/8/8/8/8/QQQ5/QQQQQQQQ/QQQQK3 b - - 0 1", NULL },
  { "4k3/8/8/8/8/QQQQ4/QQQQQQQQ/QQQQK3 b - - 0 1",
    "the FEN has 17 white pieces: a side has at most 16" },
  { "4k3/8/8/8/8/8/8/4K3 x - - 0 1", "the side to move in a FEN is “w” or “b”, not “x”" },
  { "4k3/8/8/8/8/8/8/4K3 w KX - 0 1", "the castling rights “KX” are not “-” or some of “KQkq”" },
  { "4k3/8/8/8/8/8/8/4K2R w KK - 0 1", "the castling rights “KK” name K twice" },
  { "4k3/8/8/8/8/8/8/4K3 w K - 0 1", "castling right K but the white rook is not on h1" },
  { "4k3/8/8/8/8/8/8/R3K3 w Q - 0 1", NULL },
  { "4k3/8/8/8/8/8/8/R4K2 w Q - 0 1", "castling right Q but the white king is not on e1" },
  { "r3k3/8/8/8/8/8/8/4K3 w k - 0 1", "castling right k but the black rook is not on h8" },
  { "1r2k3/8/8/8/8/8/8/4K3 w q - 0 1", "castling right q but the black rook is not on a8" },
  { "4k3/8/8/8/8/8/8/4K3 w - e9 0 1",
    "the en-passant field of a FEN is a square like “e3” or “-”, not “e9”" },
  { "4k3/8/8/8/4P3/8/8/4K3 w - e3 0 1",
    "the en-passant square e3 does not fit white to move: it would be on rank 6" },
  { "4k3/8/8/8/4P3/8/8/4K3 b - e6 0 1",
    "the en-passant square e6 does not fit black to move: it would be on rank 3" },
  { "4k3/8/8/8/8/8/8/4K3 b - e3 0 1",
    "the en-passant square e3 needs a white pawn on e4 that has just moved from e2, over an empty "
    "e3" },
  { "4k3/8/8/8/4P3/8/4P3/4K3 b - e3 0 1",
    "the en-passant square e3 needs a white pawn on e4 that has just moved from e2, over an empty "
    "e3" },
  { "4k3/8/8/8/4P3/4N3/8/4K3 b - e3 0 1",
    "the en-passant square e3 needs a white pawn on e4 that has just moved from e2, over an empty "
    "e3" },
  { "4k3/8/8/8/8/8/8/4K3 w - - x 1",
    "the FEN's halfmove clock “x” is not a number of moves from 0 to 65535" },
  { "4k3/8/8/8/8/8/8/4K3 w - - -1 1",
    "the FEN's halfmove clock “-1” is not a number of moves from 0 to 65535" },
  { "4k3/8/8/8/8/8/8/4K3 w - - 65536 1",
    "the FEN's halfmove clock “65536” is not a number of moves from 0 to 65535" },
  { "4k3/8/8/8/8/8/8/4K3 w - - +3 1",
    "the FEN's halfmove clock “+3” is not a number of moves from 0 to 65535" },
  { "4k3/8/8/8/8/8/8/4K3 w - - 0 0", "the FEN's move number “0” is not a number from 1 to 999999" },
  { "4k3/8/8/8/8/8/8/4K3 w - - 0 1.5",
    "the FEN's move number “1.5” is not a number from 1 to 999999" },
  { "4k3/8/8/8/8/8/8/4K2r w - - 0 1", NULL },
  { "4k3/8/8/8/8/8/8/4K2r b - - 0 1",
    "the side not to move is in check: the white king on e1 is attacked, so it cannot be black's "
    "turn" },
  { "8/8/8/8/8/8/3k4/4K3 w - - 0 1",
    "the side not to move is in check: the black king on d2 is attacked, so it cannot be white's "
    "turn" },
};

static void
test_refusals (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (refusals); i++)
    {
      g_autoptr(GError) error = NULL;
      KibitzChessPosition position;
      gboolean ok = kibitz_chess_position_init_from_fen (&position, refusals[i].fen, &error);

      if (refusals[i].message == NULL)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
          continue;
        }
      g_assert_false (ok);
      g_assert_error (error, KIBITZ_CHESS_ERROR, KIBITZ_CHESS_ERROR_BAD_FEN);
      g_assert_cmpstr (error->message, ==, refusals[i].message);
    }
}

/* A FEN that does not parse leaves the position as it was. */
static void
test_refusal_keeps_position (void)
{
  g_autoptr(GError) error = NULL;
  KibitzChessPosition position, before;

  kibitz_chess_position_init_start (&position);
  before = position;
  g_assert_false (kibitz_chess_position_init_from_fen (&position, "8/8 w", &error));
  g_assert_error (error, KIBITZ_CHESS_ERROR, KIBITZ_CHESS_ERROR_BAD_FEN);
  g_assert_true (kibitz_chess_position_equal (&position, &before));
}

/* Long garbage is quoted short, and stays valid UTF-8. */
static void
test_quoted_input_is_short (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) fen = g_string_new ("4k3/8/8/8/8/8/8/4K3 ");
  KibitzChessPosition position;

  for (int i = 0; i < 500; i++)
    g_string_append (fen, "\xff");
  g_string_append (fen, " - - 0 1");
  g_assert_false (kibitz_chess_position_init_from_fen (&position, fen->str, &error));
  g_assert_error (error, KIBITZ_CHESS_ERROR, KIBITZ_CHESS_ERROR_BAD_FEN);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_assert_cmpuint (strlen (error->message), <, 400);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/chess/fen/round-trips", test_round_trips);
  g_test_add_func ("/chess/fen/random-round-trips", test_random_round_trips);
  g_test_add_func ("/chess/fen/four-fields", test_four_fields);
  g_test_add_func ("/chess/fen/accessors", test_accessors);
  g_test_add_func ("/chess/fen/refusals", test_refusals);
  g_test_add_func ("/chess/fen/refusal-keeps-position", test_refusal_keeps_position);
  g_test_add_func ("/chess/fen/quoted-input-is-short", test_quoted_input_is_short);

  return g_test_run ();
}
