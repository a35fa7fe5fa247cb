/* test-chess-san.c: moves as SAN and UCI, written and read, and the reasons
 * given for moves that are refused.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "chess-test-util.h"

static KibitzChessPosition
position_from (const char *fen)
{
  g_autoptr(GError) error = NULL;
  KibitzChessPosition position;

  g_assert_true (kibitz_chess_position_init_from_fen (&position, fen, &error));
  g_assert_no_error (error);
  return position;
}

/* The SAN the position gives the move uci. */
static void
assert_san (const char *fen,
            const char *uci,
            const char *san)
{
  KibitzChessPosition position = position_from (fen);
  g_autoptr(GError) error = NULL;
  g_autofree char *written = NULL;
  KibitzChessMove move, again;

  g_assert_true (kibitz_chess_move_from_uci (&position, uci, &move, &error));
  g_assert_no_error (error);
  written = kibitz_chess_move_to_san (&position, &move);
  g_assert_cmpstr (written, ==, san);
  g_assert_true (kibitz_chess_move_from_san (&position, san, &again, &error));
  g_assert_no_error (error);
  g_assert_cmpint (again.from, ==, move.from);
  g_assert_cmpint (again.to, ==, move.to);
  g_assert_cmpint (again.promotion, ==, move.promotion);
}

static void
test_disambiguation (void)
{
  /* Two knights on a rank: the file tells them apart. */
  assert_san ("4k3/8/8/8/8/8/8/1N2KN2 w - - 0 1", "b1d2", "Nbd2");
  assert_san ("4k3/8/8/8/8/8/8/1N2KN2 w - - 0 1", "f1d2", "Nfd2");
  assert_san ("4k3/8/8/8/8/8/8/1N2KN2 w - - 0 1", "b1c3", "Nc3");
  /* Two knights on a file: the rank does. */
  assert_san ("4k3/8/8/6N1/8/8/8/4K1N1 w - - 0 1", "g1f3", "N1f3");
  assert_san ("4k3/8/8/6N1/8/8/8/4K1N1 w - - 0 1", "g5f3", "N5f3");
  /* Rooks on a rank and on a file. */
  assert_san ("4k3/8/8/8/8/8/4K3/R6R w - - 0 1", "a1d1", "Rad1");
  assert_san ("4k3/8/8/8/8/8/4K3/R6R w - - 0 1", "h1d1", "Rhd1");
  assert_san ("4k3/8/8/R7/8/8/8/R3K3 w - - 0 1", "a1a3", "R1a3");
  assert_san ("4k3/8/8/R7/8/8/8/R3K3 w - - 0 1", "a5a3", "R5a3");
  /* Three queens: one shares a file with the second and a rank with the third. */
  assert_san ("4k3/8/8/8/8/Q7/8/Q1Q1K3 w - - 0 1", "a1b2", "Qa1b2");
  assert_san ("4k3/8/8/8/8/Q7/8/Q1Q1K3 w - - 0 1", "a3b2", "Q3b2");
  assert_san ("4k3/8/8/8/8/Q7/8/Q1Q1K3 w - - 0 1", "c1b2", "Qcb2");
  /* A pinned knight cannot go, so the other one needs no disambiguation. */
  assert_san ("4k3/8/8/8/1b6/8/3N4/4K1N1 w - - 0 1", "g1f3", "Nf3");
  /* Black, and captures. */
  assert_san ("r6r/4k3/8/8/8/8/8/4K3 b - - 0 1", "a8d8", "Rad8");
  assert_san ("r6r/4k3/8/8/8/8/8/4K3 b - - 0 1", "h8d8", "Rhd8");
  assert_san ("4k3/8/8/8/8/2n5/4R3/2n4K b - - 0 1", "c1e2", "N1xe2");
  assert_san ("4k3/8/8/8/8/2n5/4R3/2n4K b - - 0 1", "c3e2", "N3xe2");
}

static void
test_suffixes (void)
{
  /* Fool's mate and scholar's mate. */
  assert_san ("rnbqkbnr/pppp1ppp/8/4p3/6P1/5P2/PPPPP2P/RNBQKBNR b KQkq - 0 2", "d8h4", "Qh4#");
  assert_san ("r1bqkbnr/pppp1ppp/2n5/4p2Q/2B1P3/8/PPPP1PPP/RNB1K1NR w KQkq - 2 3", "h5f7", "Qxf7#");
  assert_san ("rnbqkbnr/ppp1pppp/8/3p4/4P3/8/PPPP1PPP/RNBQKBNR w KQkq d6 0 2", "f1b5", "Bb5+");
  /* Castling, plain and with check. */
  assert_san ("r3k2r/8/8/8/8/8/8/R3K2R w KQkq - 0 1", "e1g1", "O-O");
  assert_san ("r3k2r/8/8/8/8/8/8/R3K2R w KQkq - 0 1", "e1c1", "O-O-O");
  assert_san ("r3k2r/8/8/8/8/8/8/R3K2R b KQkq - 0 1", "e8c8", "O-O-O");
  assert_san ("5k2/8/8/8/8/8/8/4K2R w K - 0 1", "e1g1", "O-O+");
  /* Promotion, with capture and check, and under-promotion. */
  assert_san ("3r3k/4P3/8/8/8/8/8/4K3 w - - 0 1", "e7d8q", "exd8=Q+");
  assert_san ("3r3k/4P3/8/8/8/8/8/4K3 w - - 0 1", "e7d8n", "exd8=N");
  assert_san ("3r3k/4P3/8/8/8/8/8/4K3 w - - 0 1", "e7e8r", "e8=R+");
  assert_san ("4k3/8/8/8/8/8/1p6/R3K3 b Q - 0 1", "b2a1q", "bxa1=Q+");
  /* En passant is written as a plain pawn capture. */
  assert_san ("4k3/8/8/3pP3/8/8/8/4K3 w - d6 0 2", "e5d6", "exd6");
}

typedef struct {
  const char *fen;
  const char *text;
  const char *uci;
} Tolerated;

static void
test_tolerant_input (void)
{
  static const Tolerated cases[] = {
    { KIBITZ_CHESS_START_FEN, "Nf3!?", "g1f3" },
    { KIBITZ_CHESS_START_FEN, " e4 ", "e2e4" },
    { KIBITZ_CHESS_START_FEN, "e4+", "e2e4" },
    { KIBITZ_CHESS_START_FEN, "Ng1f3", "g1f3" },
    { KIBITZ_CHESS_START_FEN, "Nxf3", "g1f3" },
    { KIBITZ_CHESS_START_FEN, "Pe4", "e2e4" },
    { "r3k2r/8/8/8/8/8/8/R3K2R w KQkq - 0 1", "0-0", "e1g1" },
    { "r3k2r/8/8/8/8/8/8/R3K2R w KQkq - 0 1", "O-O-O!", "e1c1" },
    { "r3k2r/8/8/8/8/8/8/R3K2R b KQkq - 0 1", "0-0-0+", "e8c8" },
    { "4k3/8/8/3pP3/8/8/8/4K3 w - d6 0 2", "exd6 e.p.", "e5d6" },
    { "4k3/8/8/3pP3/8/8/8/4K3 w - d6 0 2", "ed6", "e5d6" },
    { "4k3/1P6/8/8/8/8/8/4K3 w - - 0 1", "b8Q", "b7b8q" },
    { "4k3/1P6/8/8/8/8/8/4K3 w - - 0 1", "b8=n", "b7b8n" },
    { "4k3/1P6/8/8/8/8/8/4K3 w - - 0 1", "b8=Q#?!", "b7b8q" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      KibitzChessPosition position = position_from (cases[i].fen);
      g_autoptr(GError) error = NULL;
      KibitzChessMove move;
      char uci[6];

      g_assert_true (kibitz_chess_move_from_san (&position, cases[i].text, &move, &error));
      g_assert_no_error (error);
      kibitz_chess_move_to_uci (&move, uci);
      g_assert_cmpstr (uci, ==, cases[i].uci);
    }
}

typedef struct {
  const char *fen;
  const char *text;
  int         code;
  const char *message;
} Refused;

static const Refused refused_san[] = {
  { KIBITZ_CHESS_START_FEN, "Ke9", KIBITZ_CHESS_ERROR_BAD_MOVE,
    "“Ke9” is not a move: there is no rank 9" },
  { KIBITZ_CHESS_START_FEN, "Ke10", KIBITZ_CHESS_ERROR_BAD_MOVE,
    "“Ke10” is not a move: there is no rank 10" },
  { KIBITZ_CHESS_START_FEN, "Nz3", KIBITZ_CHESS_ERROR_BAD_MOVE,
    "“Nz3” is not a move: there is no file z" },
  { KIBITZ_CHESS_START_FEN, "", KIBITZ_CHESS_ERROR_BAD_MOVE,
    "“” is not a move: a move in SAN is like “e4”, “Nf3”, “exd5”, “O-O” or “e8=Q”" },
  { KIBITZ_CHESS_START_FEN, "hello", KIBITZ_CHESS_ERROR_BAD_MOVE,
    "“hello” is not a move: a move in SAN is like “e4”, “Nf3”, “exd5”, “O-O” or “e8=Q”" },
  { KIBITZ_CHESS_START_FEN, "xd5", KIBITZ_CHESS_ERROR_BAD_MOVE,
    "“xd5” is not a move: a pawn capture names the pawn's file, like “exd5”" },
  { KIBITZ_CHESS_START_FEN, "Nf3=Q", KIBITZ_CHESS_ERROR_BAD_MOVE,
    "“Nf3=Q” is not a move: only pawns promote" },
  { KIBITZ_CHESS_START_FEN, "e5=Q", KIBITZ_CHESS_ERROR_BAD_MOVE,
    "“e5=Q” is not a move: a pawn promotes only on the last rank" },
  { "4k3/1P6/8/8/8/8/8/4K3 w - - 0 1", "b8", KIBITZ_CHESS_ERROR_BAD_MOVE,
    "“b8” is not a move: it does not say what the pawn becomes: add =Q, =R, =B or =N in SAN, q, "
    "r, b or n in UCI" },
  { "4k3/8/8/8/8/8/8/1N2KN2 w - - 0 1", "Nd2", KIBITZ_CHESS_ERROR_BAD_MOVE,
    "“Nd2” is not a move: it is ambiguous, since the knights on b1 and f1 can both move to d2" },
  { KIBITZ_CHESS_START_FEN, "e5", KIBITZ_CHESS_ERROR_ILLEGAL_MOVE,
    "“e5” is not legal here: no white pawn can move to e5" },
  { KIBITZ_CHESS_START_FEN, "exd3", KIBITZ_CHESS_ERROR_ILLEGAL_MOVE,
    "“exd3” is not legal here: no white pawn on the e-file can capture on d3" },
  { KIBITZ_CHESS_START_FEN, "Nd4", KIBITZ_CHESS_ERROR_ILLEGAL_MOVE,
    "“Nd4” is not legal here: no white knight can move to d4" },
  { KIBITZ_CHESS_START_FEN, "Nbd2", KIBITZ_CHESS_ERROR_ILLEGAL_MOVE,
    "“Nbd2” is not legal here: no white knight on the b-file can move to d2" },
  { KIBITZ_CHESS_START_FEN, "O-O", KIBITZ_CHESS_ERROR_ILLEGAL_MOVE,
    "“O-O” is not legal here: white cannot castle kingside: there are pieces between the king and "
    "the rook" },
  { "4k3/8/8/8/8/8/8/4K3 w - - 0 1", "Bc4", KIBITZ_CHESS_ERROR_ILLEGAL_MOVE,
    "“Bc4” is not legal here: white has no bishop" },
  { "4k3/8/8/8/1b6/8/3N4/4K3 w - - 0 1", "Nf3", KIBITZ_CHESS_ERROR_ILLEGAL_MOVE,
    "“Nf3” is not legal here: the knight on d2 is pinned" },
  { "4k3/8/8/8/1b6/8/8/4K1N1 w - - 0 1", "Nf3", KIBITZ_CHESS_ERROR_ILLEGAL_MOVE,
    "“Nf3” is not legal here: the white king is in check, and this move does not stop it" },
  { "4k3/8/8/8/7b/8/8/4K1N1 w - - 0 1", "Nh3", KIBITZ_CHESS_ERROR_ILLEGAL_MOVE,
    "“Nh3” is not legal here: the white king is in check, and this move does not stop it" },
  { "4k3/8/8/8/8/8/5r2/4K3 w - - 0 1", "Kd2", KIBITZ_CHESS_ERROR_ILLEGAL_MOVE,
    "“Kd2” is not legal here: the king would be in check on d2" },
  { "4k3/8/8/8/8/8/8/4Kr2 w - - 0 1", "Kd1", KIBITZ_CHESS_ERROR_ILLEGAL_MOVE,
    "“Kd1” is not legal here: the king would be in check on d1" },
  { "4k3/8/8/8/8/8/8/R3K2R w - - 0 1", "O-O", KIBITZ_CHESS_ERROR_ILLEGAL_MOVE,
    "“O-O” is not legal here: white has no right to castle kingside any more" },
  { "4k3/8/8/8/8/8/8/R3K2R w KQ - 0 1", "Kg1", KIBITZ_CHESS_ERROR_ILLEGAL_MOVE,
    "“Kg1” is not legal here: no white king can move to g1" },
  { "4k3/8/8/8/8/8/4r3/R3K2R w KQ - 0 1", "O-O", KIBITZ_CHESS_ERROR_ILLEGAL_MOVE,
    "“O-O” is not legal here: the king cannot castle out of check" },
  { "4k3/8/8/8/8/8/5r2/R3K2R w KQ - 0 1", "O-O", KIBITZ_CHESS_ERROR_ILLEGAL_MOVE,
    "“O-O” is not legal here: the king cannot castle through check: f1 is attacked" },
  { "4k3/8/8/8/8/8/6r1/R3K2R w KQ - 0 1", "O-O", KIBITZ_CHESS_ERROR_ILLEGAL_MOVE,
    "“O-O” is not legal here: the king would be in check on g1" },
  { "4k3/8/8/8/8/8/1r6/R3K2R w KQ - 0 1", "O-O-O", 0, NULL },
  /* The pawn that captures en passant takes a pawn off the king's rank. */
  { "8/8/8/K2pP2r/8/8/8/7k w - d6 0 2", "exd6", KIBITZ_CHESS_ERROR_ILLEGAL_MOVE,
    "“exd6” is not legal here: it would leave the white king in check" },
};

static void
assert_refused (const Refused *refused,
                gboolean       uci)
{
  KibitzChessPosition position = position_from (refused->fen);
  g_autoptr(GError) error = NULL;
  KibitzChessMove move;
  gboolean ok = uci ? kibitz_chess_move_from_uci (&position, refused->text, &move, &error)
                    : kibitz_chess_move_from_san (&position, refused->text, &move, &error);

  if (refused->message == NULL)
    {
      g_assert_no_error (error);
      g_assert_true (ok);
      return;
    }
  g_assert_false (ok);
  g_assert_error (error, KIBITZ_CHESS_ERROR, refused->code);
  g_assert_cmpstr (error->message, ==, refused->message);
}

static void
test_refused_san (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (refused_san); i++)
    assert_refused (&refused_san[i], FALSE);
}

static const Refused refused_uci[] = {
  { KIBITZ_CHESS_START_FEN, "e2e9", KIBITZ_CHESS_ERROR_BAD_MOVE,
    "“e2e9” is not a move: a move in UCI notation is like “e2e4” or “e7e8q”" },
  { KIBITZ_CHESS_START_FEN, "e2e4k", KIBITZ_CHESS_ERROR_BAD_MOVE,
    "“e2e4k” is not a move: a move in UCI notation is like “e2e4” or “e7e8q”" },
  { KIBITZ_CHESS_START_FEN, "0000", KIBITZ_CHESS_ERROR_BAD_MOVE,
    "“0000” is not a move: a move in UCI notation is like “e2e4” or “e7e8q”" },
  { KIBITZ_CHESS_START_FEN, "e2e4q", KIBITZ_CHESS_ERROR_BAD_MOVE,
    "“e2e4q” is not a move: a pawn promotes only on the last rank" },
  { "4k3/1P6/8/8/8/8/8/4K3 w - - 0 1", "b7b8", KIBITZ_CHESS_ERROR_BAD_MOVE,
    "“b7b8” is not a move: it does not say what the pawn becomes: add =Q, =R, =B or =N in SAN, q, "
    "r, b or n in UCI" },
  { KIBITZ_CHESS_START_FEN, "e2e5", KIBITZ_CHESS_ERROR_ILLEGAL_MOVE,
    "“e2e5” is not legal here: the pawn on e2 cannot move to e5" },
  { KIBITZ_CHESS_START_FEN, "e3e4", KIBITZ_CHESS_ERROR_ILLEGAL_MOVE,
    "“e3e4” is not legal here: there is no piece on e3" },
  { KIBITZ_CHESS_START_FEN, "e7e5", KIBITZ_CHESS_ERROR_ILLEGAL_MOVE,
    "“e7e5” is not legal here: the pawn on e7 is black's, and it is white's turn" },
  { "4k3/R7/8/8/8/8/8/4K3 w - - 0 1", "a7a8q", KIBITZ_CHESS_ERROR_ILLEGAL_MOVE,
    "“a7a8q” is not legal here: only pawns promote, and the piece on a7 is a rook" },
  { "4k3/8/8/8/1b6/8/3N4/4K3 w - - 0 1", "d2f3", KIBITZ_CHESS_ERROR_ILLEGAL_MOVE,
    "“d2f3” is not legal here: the knight on d2 is pinned" },
  { "r3k2r/8/8/8/8/8/8/R3K2R w KQkq - 0 1", "e1g1", 0, NULL },
};

static void
test_refused_uci (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (refused_uci); i++)
    assert_refused (&refused_uci[i], TRUE);
}

/* Every legal move of hundreds of positions from random games: its SAN reads
 * back to it and writes the same SAN again, its UCI reads back to it, and no
 * two moves share a SAN.
 */
static void
test_random_round_trips (void)
{
  g_autoptr(GPtrArray) fens = chess_test_random_positions (424242, 400);
  guint n_moves = 0;

  for (guint i = 0; i < fens->len; i++)
    {
      KibitzChessPosition position = position_from (g_ptr_array_index (fens, i));
      g_auto(GStrv) sans = kibitz_chess_position_legal_moves_san (&position);
      g_auto(GStrv) ucis = kibitz_chess_position_legal_moves_uci (&position);
      g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

      for (guint j = 0; sans[j] != NULL; j++)
        {
          g_autoptr(GError) error = NULL;
          g_autofree char *again = NULL;
          KibitzChessMove by_san, by_uci;

          g_assert_true (g_hash_table_add (seen, sans[j]));
          g_assert_true (kibitz_chess_move_from_san (&position, sans[j], &by_san, &error));
          g_assert_no_error (error);
          again = kibitz_chess_move_to_san (&position, &by_san);
          g_assert_cmpstr (again, ==, sans[j]);
          g_assert_true (kibitz_chess_move_from_uci (&position, ucis[j], &by_uci, &error));
          g_assert_no_error (error);
          g_assert_cmpmem (&by_san, sizeof by_san, &by_uci, sizeof by_uci);
          n_moves++;
        }
    }
  g_test_message ("%u moves of %u positions", n_moves, fens->len);
  g_assert_cmpuint (n_moves, >, 5000);
}

static void
test_not_legal_has_no_san (void)
{
  KibitzChessPosition position;
  KibitzChessMove move = { .from = 12, .to = 36 };

  kibitz_chess_position_init_start (&position);
  g_assert_null (kibitz_chess_move_to_san (&position, &move));
  move.to = 28;
  g_assert_true (kibitz_chess_position_play_move (&position, &move, NULL));
  g_assert_cmpint (kibitz_chess_position_get_side_to_move (&position), ==, KIBITZ_CHESS_BLACK);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/chess/san/disambiguation", test_disambiguation);
  g_test_add_func ("/chess/san/suffixes", test_suffixes);
  g_test_add_func ("/chess/san/tolerant-input", test_tolerant_input);
  g_test_add_func ("/chess/san/refused", test_refused_san);
  g_test_add_func ("/chess/uci/refused", test_refused_uci);
  g_test_add_func ("/chess/san/random-round-trips", test_random_round_trips);
  g_test_add_func ("/chess/san/not-legal-has-no-san", test_not_legal_has_no_san);

  return g_test_run ();
}
