/* test-chess-pgn.c: PGN read (a real game, comments, NAGs, variations,
 * shapes, refusals) and written back.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "chess-test-util.h"

/* Morphy v the Duke of Brunswick and Count Isouard, Paris 1858, with the
 * decorations real files carry. The final position was checked with
 * stockfish's `d` after the same moves in UCI.
 */
static const char opera_game[] =
  "[Event \"Opera game\"]\n"
  "[Site \"Paris FRA\"]\n"
  "[Date \"1858.??.??\"]\n"
  "[Round \"?\"]\n"
  "[White \"Paul Morphy\"]\n"
  "[Black \"Duke Karl / Count Isouard\"]\n"
  "[Result \"1-0\"]\n"
  "[Annotator \"a \\\"quoted\\\" name\"]\n"
  "\n"
  "1.e4 e5 2.Nf3 d6 { Philidor's defence } 3.d4 Bg4?! $6 4.dxe5 Bxf3 5.Qxf3 dxe5\n"
  "6.Bc4 Nf6 7.Qb3 Qe7 (7...Qd7 8.Qxb7 Qc6 (8...Qe6 { [%cal Rb7a8] } 9.Bxe6) 9.Bb5) 8.Nc3\n"
  "c6 9.Bg5 b5 ; the rest of this line is a comment ( ) }\n"
  "10.Nxb5! cxb5 11.Bxb5+ Nbd7 12.O-O-O Rd8 13.Rxd7 Rxd7 14.Rd1 Qe6 15.Bxd7+ Nxd7\n"
  "16.Qb8+! Nxb8 17.Rd8# { [%csl Gd8,Re8] An arrow [%cal Gd1d8, Bb3b8 ,Yz9a1] }\n"
  "{ and another comment [%cal Yg5d8] } 1-0\n";

static const char opera_final_fen[] = "1n1Rkb1r/p4ppp/4q3/4p1B1/4P3/8/PPP2PPP/2K5 b k - 1 17";

static KibitzChessGame *
read_pgn (const char *pgn)
{
  g_autoptr(GError) error = NULL;
  KibitzChessGame *game = kibitz_chess_game_new_from_pgn (pgn, -1, KIBITZ_CHESS_PGN_MAX_DEFAULT,
                                                          &error);

  g_assert_no_error (error);
  g_assert_nonnull (game);
  return game;
}

static char *
final_fen (const KibitzChessGame *game)
{
  return kibitz_chess_game_get_fen (game, kibitz_chess_game_get_n_moves (game));
}

static void
test_real_game (void)
{
  g_autoptr(KibitzChessGame) game = read_pgn (opera_game);
  g_autofree char *fen = final_fen (game);
  const char * const *sans = kibitz_chess_game_get_san_moves (game);

  g_assert_cmpstr (fen, ==, opera_final_fen);
  g_assert_cmpuint (kibitz_chess_game_get_n_moves (game), ==, 33);
  g_assert_cmpstr (sans[10], ==, "Bc4");
  g_assert_cmpstr (sans[22], ==, "O-O-O");
  g_assert_cmpstr (sans[32], ==, "Rd8#");
  g_assert_cmpint (kibitz_chess_game_get_result (game, 33), ==, KIBITZ_CHESS_RESULT_WHITE_WINS);
  g_assert_cmpstr (kibitz_chess_game_get_tag (game, "White"), ==, "Paul Morphy");
  g_assert_cmpstr (kibitz_chess_game_get_tag (game, "Annotator"), ==, "a \"quoted\" name");
  g_assert_cmpstr (kibitz_chess_game_get_tag (game, "Result"), ==, "1-0");
  g_assert_cmpstr (kibitz_chess_game_get_start_fen (game), ==, KIBITZ_CHESS_START_FEN);
}

/* The shapes of the comments after the last move, in order; none from the
 * variations or from earlier moves, and malformed items skipped.
 */
static void
test_shapes (void)
{
  static const KibitzChessShape expected[] = {
    { .from = 59, .to = 59, .color = KIBITZ_CHESS_SHAPE_GREEN },  /* Gd8 */
    { .from = 60, .to = 60, .color = KIBITZ_CHESS_SHAPE_RED },    /* Re8 */
    { .from = 3, .to = 59, .color = KIBITZ_CHESS_SHAPE_GREEN },   /* Gd1d8 */
    { .from = 17, .to = 57, .color = KIBITZ_CHESS_SHAPE_BLUE },   /* Bb3b8 */
    { .from = 38, .to = 59, .color = KIBITZ_CHESS_SHAPE_YELLOW }, /* Yg5d8 */
  };
  g_autoptr(KibitzChessGame) game = read_pgn (opera_game);
  const KibitzChessShape *shapes;
  guint n;

  shapes = kibitz_chess_game_get_shapes (game, &n);
  g_assert_cmpmem (shapes, n * sizeof *shapes, expected, sizeof expected);
}

static void
test_shapes_before_any_move (void)
{
  g_autoptr(KibitzChessGame) game = read_pgn ("{ [%csl Ye4] } *");
  guint n;
  const KibitzChessShape *shapes = kibitz_chess_game_get_shapes (game, &n);

  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpint (shapes[0].from, ==, 28);
  g_assert_cmpint (shapes[0].color, ==, KIBITZ_CHESS_SHAPE_YELLOW);
  g_assert_cmpuint (kibitz_chess_game_get_n_moves (game), ==, 0);
}

/* Shapes drawn before a move belong to the position before it. */
static void
test_shapes_of_earlier_moves_dropped (void)
{
  g_autoptr(KibitzChessGame) game = read_pgn ("1. e4 { [%cal Ge2e4] } e5 *");
  guint n;

  kibitz_chess_game_get_shapes (game, &n);
  g_assert_cmpuint (n, ==, 0);
}

static void
test_from_fen_tag (void)
{
  g_autoptr(KibitzChessGame) game = read_pgn (
    "[SetUp \"1\"]\n[FEN \"4k3/8/8/8/8/8/4P3/4K3 b - - 0 30\"]\n\n30... Kd7 31. e4 *\n");
  g_autofree char *fen = final_fen (game);

  g_assert_cmpstr (fen, ==, "8/3k4/8/8/4P3/8/8/4K3 b - e3 0 31");
  g_assert_cmpstr (kibitz_chess_game_get_start_fen (game), ==, "4k3/8/8/8/8/8/4P3/4K3 b - - 0 30");
  g_assert_null (kibitz_chess_game_get_tag (game, "FEN"));
  g_assert_null (kibitz_chess_game_get_tag (game, "SetUp"));
}

/* Only the first game of a file is read. */
static void
test_first_game_only (void)
{
  g_autoptr(KibitzChessGame) game = NULL, no_result = NULL;

  game = read_pgn ("[Event \"one\"]\n\n1. e4 *\n\n[Event \"two\"]\n\n1. d4 *\n");
  no_result = read_pgn ("[Event \"one\"]\n\n1. e4\n\n[Event \"two\"]\n\n1. d4 *\n");

  g_assert_cmpstr (kibitz_chess_game_get_san_moves (game)[0], ==, "e4");
  g_assert_cmpuint (kibitz_chess_game_get_n_moves (game), ==, 1);
  g_assert_cmpstr (kibitz_chess_game_get_tag (game, "Event"), ==, "one");
  g_assert_cmpuint (kibitz_chess_game_get_n_moves (no_result), ==, 1);
}

static void
test_tolerated (void)
{
  static const char *const pgns[] = {
    "1. e4 e5 2. Nf3 Nc6",
    "\xEF\xBB\xBF" "1.e4 e5 2.Nf3 Nc6 *",
    "1. e4 1... e5 2. Nf3 2... Nc6",
    "1. e4 1… e5 2. Nf3 Nc6",
    "1 e4 e5 2 Nf3 Nc6\r\n",
    "% an escaped line\n1. e4 e5 ! 2. Nf3 ?? Nc6 $14 1/2-1/2 3. a3",
    "[Event \"Caf\xe9\"]\n1. e4 e5 2. Nf3 Nc6",
  };

  for (guint i = 0; i < G_N_ELEMENTS (pgns); i++)
    {
      g_autoptr(KibitzChessGame) game = read_pgn (pgns[i]);
      g_autofree char *fen = final_fen (game);

      g_assert_cmpstr (fen, ==, "r1bqkbnr/pppp1ppp/2n5/4p3/4P3/5N2/PPPP1PPP/RNBQKB1R w KQkq - 2 3");
    }
}

/* What variations hold is skipped unread, and "e.p." after a move is allowed. */
static void
test_tolerated_oddities (void)
{
  g_autoptr(KibitzChessGame) game = read_pgn ("1. e4 d5 2. e5 (2. d4 -- 3. c4 ♘c6) f5 3. exf6 e.p. "
                                              "Nxf6 *");
  g_autofree char *fen = final_fen (game);

  g_assert_cmpstr (fen, ==, "rnbqkb1r/ppp1p1pp/5n2/3p4/8/8/PPPP1PPP/RNBQKBNR w KQkq - 0 4");
}

/* Old files are Latin-1. */
static void
test_latin1_tag (void)
{
  g_autoptr(KibitzChessGame) game = read_pgn ("[Site \"Caf\xe9 de la R\xe9gence\"]\n*");

  g_assert_cmpstr (kibitz_chess_game_get_tag (game, "Site"), ==, "Café de la Régence");
}

typedef struct {
  const char *pgn;
  int         code;
  const char *message;
} Refused;

static const Refused refused[] = {
  { "1. e4 e5 2. Nf3 d6 3. Bb5+ Nc6 4. O-O Nd4 *", KIBITZ_CHESS_ERROR_BAD_PGN,
    "illegal move 4… Nd4 in the PGN (line 1): the knight on c6 is pinned" },
  { "1. e4 e5\n2. d4 Bb4+\n3. Nc3 Nf6 4. Nb5 *", KIBITZ_CHESS_ERROR_BAD_PGN,
    "illegal move 4. Nb5 in the PGN (line 3): the knight on c3 is pinned" },
  { "1. e4 Ke9", KIBITZ_CHESS_ERROR_BAD_PGN,
    "move 1… in the PGN (line 1): “Ke9” is not a move: there is no rank 9" },
  { "1. f3 e5 2. g4 Qh4# 3. Nc3 *", KIBITZ_CHESS_ERROR_BAD_PGN,
    "illegal move 3. Nc3 in the PGN (line 1): the game is already over by checkmate" },
  { "1. e4 { never closed", KIBITZ_CHESS_ERROR_BAD_PGN,
    "the comment opened with “{” on line 1 is never closed" },
  { "1. e4 e5\n} 2. Nf3", KIBITZ_CHESS_ERROR_BAD_PGN, "the “}” on line 2 closes no comment" },
  { "1. e4 (1. d4 d5\n(1... Nf6) 2. c4 *", KIBITZ_CHESS_ERROR_BAD_PGN,
    "the variation opened with “(” on line 1 is never closed" },
  { "1. e4 e5 ) 2. Nf3", KIBITZ_CHESS_ERROR_BAD_PGN, "the “)” on line 1 closes no variation" },
  { "[Event \"x\"\n1. e4", KIBITZ_CHESS_ERROR_BAD_PGN,
    "the tag on line 1 is not closed with “]”" },
  { "[Event x]\n1. e4", KIBITZ_CHESS_ERROR_BAD_PGN,
    "the tag on line 1 is not like [Name \"value\"]" },
  { "[Event \"x]\n1. e4", KIBITZ_CHESS_ERROR_BAD_PGN,
    "the tag on line 1 is not like [Name \"value\"]" },
  { "[FEN \"8/8/8/8/8/8/8/8 w - - 0 1\"]\n1. e4", KIBITZ_CHESS_ERROR_BAD_PGN,
    "the PGN's [FEN] tag is not a position to play from: the FEN has no white king: each side "
    "has exactly one" },
  { "1. e4 @ e5", KIBITZ_CHESS_ERROR_BAD_PGN, "unexpected “@” on line 1 of the PGN" },
  { "1. e4 é", KIBITZ_CHESS_ERROR_BAD_PGN, "unexpected “é” on line 1 of the PGN" },
  { "", KIBITZ_CHESS_ERROR_BAD_PGN, "the PGN is empty" },
  { " \n\n ", KIBITZ_CHESS_ERROR_BAD_PGN, "the PGN is empty" },
};

static void
test_refused (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(GError) error = NULL;
      KibitzChessGame *game = kibitz_chess_game_new_from_pgn (refused[i].pgn, -1,
                                                              KIBITZ_CHESS_PGN_MAX_DEFAULT,
                                                              &error);

      g_assert_null (game);
      g_assert_error (error, KIBITZ_CHESS_ERROR, refused[i].code);
      g_assert_cmpstr (error->message, ==, refused[i].message);
    }
}

/* Text with a nul inside is not PGN, wherever the nul is. */
static void
test_nul_refused (void)
{
  static const char pgn[] = "1. e4\0\0 e5 *";
  g_autoptr(GError) error = NULL;
  KibitzChessGame *game = kibitz_chess_game_new_from_pgn (pgn, sizeof pgn - 1,
                                                          KIBITZ_CHESS_PGN_MAX_DEFAULT, &error);

  g_assert_null (game);
  g_assert_error (error, KIBITZ_CHESS_ERROR, KIBITZ_CHESS_ERROR_BAD_PGN);
  g_assert_cmpstr (error->message, ==, "unexpected control character 0x00 on line 1 of the PGN");
}

static void
test_too_large (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KibitzChessGame) game = NULL;
  g_autofree char *pgn = g_strnfill (64 * 1024 + 1, ' ');

  game = kibitz_chess_game_new_from_pgn (pgn, -1, 64 * 1024, &error);
  g_assert_null (game);
  g_assert_error (error, KIBITZ_CHESS_ERROR, KIBITZ_CHESS_ERROR_TOO_LARGE);
  g_assert_cmpstr (error->message, ==,
                   "the PGN is 65537 bytes long, more than the 65536 accepted here");
  g_clear_error (&error);

  /* The limit is on what the caller passes, not on the text up to a nul. */
  memcpy (pgn, "1. e4 *", 7);
  game = kibitz_chess_game_new_from_pgn (pgn, 64 * 1024, 64 * 1024, &error);
  g_assert_no_error (error);
  g_assert_nonnull (game);
}

static void
test_write (void)
{
  g_autoptr(KibitzChessGame) game = read_pgn ("[White \"Anna\"]\n[ECO \"C20\"]\n"
                                              "1. e4 e5 2. Qh5 Nc6 3. Bc4 Nf6 4. Qxf7# 1-0");
  g_autofree char *pgn = NULL;
  KibitzChessShape shapes[] = {
    { .from = 53, .to = 53, .color = KIBITZ_CHESS_SHAPE_RED },
    { .from = 26, .to = 53, .color = KIBITZ_CHESS_SHAPE_GREEN },
  };

  kibitz_chess_game_set_shapes (game, shapes, G_N_ELEMENTS (shapes));
  pgn = kibitz_chess_game_to_pgn (game);
  g_assert_cmpstr (pgn, ==,
                   "[Event \"?\"]\n"
                   "[Site \"?\"]\n"
                   "[Date \"????.??.??\"]\n"
                   "[Round \"?\"]\n"
                   "[White \"Anna\"]\n"
                   "[Black \"?\"]\n"
                   "[Result \"1-0\"]\n"
                   "[ECO \"C20\"]\n"
                   "\n"
                   "1. e4 e5 2. Qh5 Nc6 3. Bc4 Nf6 4. Qxf7# { [%csl Rf7] [%cal Gc4f7] } 1-0\n"
                   "\n");
}

static void
test_write_from_fen (void)
{
  g_autoptr(KibitzChessGame) game = NULL;
  g_autofree char *pgn = NULL;

  game = kibitz_chess_game_new_from_fen ("4k3/8/8/8/8/8/4P3/4K3 b - - 0 30", NULL);
  g_assert_true (kibitz_chess_game_play_san (game, 0, "Kd7", NULL));
  g_assert_true (kibitz_chess_game_play_san (game, 1, "e4", NULL));
  pgn = kibitz_chess_game_to_pgn (game);
  g_assert_nonnull (strstr (pgn, "[Result \"*\"]\n[SetUp \"1\"]\n"
                                 "[FEN \"4k3/8/8/8/8/8/4P3/4K3 b - - 0 30\"]\n\n"
                                 "30... Kd7 31. e4 *\n"));
}

static void
assert_same_games (const KibitzChessGame *a,
                   const KibitzChessGame *b)
{
  g_autofree char *fen_a = final_fen (a), *fen_b = final_fen (b);
  const KibitzChessShape *shapes_a, *shapes_b;
  guint n_a, n_b;

  g_assert_cmpstr (fen_a, ==, fen_b);
  g_assert_cmpstrv ((char **) kibitz_chess_game_get_san_moves (a),
                    (char **) kibitz_chess_game_get_san_moves (b));
  g_assert_cmpstr (kibitz_chess_game_get_start_fen (a), ==, kibitz_chess_game_get_start_fen (b));
  shapes_a = kibitz_chess_game_get_shapes (a, &n_a);
  shapes_b = kibitz_chess_game_get_shapes (b, &n_b);
  g_assert_cmpmem (shapes_a, n_a * sizeof *shapes_a, shapes_b, n_b * sizeof *shapes_b);
}

static void
assert_lines_fit (const char *pgn)
{
  g_auto(GStrv) lines = g_strsplit (pgn, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (lines[i][0] != '[')
      g_assert_cmpuint (strlen (lines[i]), <=, 79);
}

/* Random games, some from a random position and with up to 32 shapes, are
 * written and read back the same.
 */
static void
test_write_read_round_trip (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (31337);

  for (int i = 0; i < 40; i++)
    {
      g_autoptr(KibitzChessGame) game = chess_test_random_game (rand, 300);
      g_autoptr(KibitzChessGame) again = NULL, from_middle = NULL;
      g_autofree char *pgn = NULL, *middle = NULL;
      KibitzChessShape shapes[32];
      guint n_shapes = g_rand_int_range (rand, 0, 33);

      for (guint j = 0; j < n_shapes; j++)
        shapes[j] = (KibitzChessShape) { .from = g_rand_int_range (rand, 0, 64),
                                         .to = g_rand_int_range (rand, 0, 64),
                                         .color = g_rand_int_range (rand, 0, 4) };
      kibitz_chess_game_set_shapes (game, shapes, n_shapes);
      kibitz_chess_game_set_tag (game, "Event", "Round \"trip\" \\ test");
      pgn = kibitz_chess_game_to_pgn (game);
      assert_lines_fit (pgn);
      again = read_pgn (pgn);
      assert_same_games (game, again);
      g_assert_cmpstr (kibitz_chess_game_get_tag (again, "Event"), ==, "Round \"trip\" \\ test");

      /* The same moves from the middle of the game: a [FEN] start. */
      middle = kibitz_chess_game_get_fen (game, kibitz_chess_game_get_n_moves (game) / 2);
      from_middle = kibitz_chess_game_new_from_fen (middle, NULL);
      for (guint ply = kibitz_chess_game_get_n_moves (game) / 2;
           ply < kibitz_chess_game_get_n_moves (game); ply++)
        g_assert_true (kibitz_chess_game_play_move (from_middle,
                                                    kibitz_chess_game_get_n_moves (from_middle),
                                                    kibitz_chess_game_get_move (game, ply), NULL));
      g_clear_pointer (&pgn, g_free);
      pgn = kibitz_chess_game_to_pgn (from_middle);
      g_clear_pointer (&again, kibitz_chess_game_free);
      again = read_pgn (pgn);
      assert_same_games (from_middle, again);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/chess/pgn/real-game", test_real_game);
  g_test_add_func ("/chess/pgn/shapes", test_shapes);
  g_test_add_func ("/chess/pgn/shapes-before-any-move", test_shapes_before_any_move);
  g_test_add_func ("/chess/pgn/shapes-of-earlier-moves-dropped",
                   test_shapes_of_earlier_moves_dropped);
  g_test_add_func ("/chess/pgn/from-fen-tag", test_from_fen_tag);
  g_test_add_func ("/chess/pgn/first-game-only", test_first_game_only);
  g_test_add_func ("/chess/pgn/tolerated", test_tolerated);
  g_test_add_func ("/chess/pgn/tolerated-oddities", test_tolerated_oddities);
  g_test_add_func ("/chess/pgn/latin1-tag", test_latin1_tag);
  g_test_add_func ("/chess/pgn/refused", test_refused);
  g_test_add_func ("/chess/pgn/nul-refused", test_nul_refused);
  g_test_add_func ("/chess/pgn/too-large", test_too_large);
  g_test_add_func ("/chess/pgn/write", test_write);
  g_test_add_func ("/chess/pgn/write-from-fen", test_write_from_fen);
  g_test_add_func ("/chess/pgn/write-read-round-trip", test_write_read_round_trip);

  return g_test_run ();
}
