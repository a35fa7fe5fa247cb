/* test-chess-game.c: playing through a game, and every way a game ends.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "chess-test-util.h"

static KibitzChessGame *
game_from (const char *fen)
{
  g_autoptr(GError) error = NULL;
  KibitzChessGame *game = kibitz_chess_game_new_from_fen (fen, &error);

  g_assert_no_error (error);
  g_assert_nonnull (game);
  return game;
}

/* Plays space-separated SAN moves at the end of the game. */
static void
play (KibitzChessGame *game,
      const char      *moves)
{
  g_auto(GStrv) sans = g_strsplit (moves, " ", -1);

  for (guint i = 0; sans[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      gboolean ok = kibitz_chess_game_play_san (game, kibitz_chess_game_get_n_moves (game),
                                                sans[i], &error);

      g_assert_no_error (error);
      g_assert_true (ok);
    }
}

static KibitzChessEnd
end_now (KibitzChessGame *game)
{
  return kibitz_chess_game_get_end (game, kibitz_chess_game_get_n_moves (game));
}

static KibitzChessResult
result_now (KibitzChessGame *game)
{
  return kibitz_chess_game_get_result (game, kibitz_chess_game_get_n_moves (game));
}

static void
test_fools_mate (void)
{
  g_autoptr(KibitzChessGame) game = kibitz_chess_game_new ();
  g_autoptr(GError) error = NULL;
  const char * const *sans;

  play (game, "f3 e5 g4 Qh4");
  sans = kibitz_chess_game_get_san_moves (game);
  g_assert_cmpuint (g_strv_length ((char **) sans), ==, 4);
  g_assert_cmpstr (sans[3], ==, "Qh4#");
  g_assert_cmpint (end_now (game), ==, KIBITZ_CHESS_END_CHECKMATE);
  g_assert_cmpint (result_now (game), ==, KIBITZ_CHESS_RESULT_BLACK_WINS);
  g_assert_cmpstr (kibitz_chess_result_to_string (result_now (game)), ==, "0-1");
  g_assert_true (kibitz_chess_position_in_check (kibitz_chess_game_get_position (game, 4)));
  for (guint ply = 0; ply < 4; ply++)
    g_assert_cmpint (kibitz_chess_game_get_result (game, ply), ==, KIBITZ_CHESS_RESULT_NONE);

  g_assert_false (kibitz_chess_game_play_san (game, 4, "Kf2", &error));
  g_assert_error (error, KIBITZ_CHESS_ERROR, KIBITZ_CHESS_ERROR_GAME_OVER);
  g_assert_cmpstr (error->message, ==, "the game is over at this move, by checkmate");
  g_assert_cmpuint (kibitz_chess_game_get_n_moves (game), ==, 4);
}

static void
test_scholars_mate_white_wins (void)
{
  g_autoptr(KibitzChessGame) game = kibitz_chess_game_new ();

  play (game, "e4 e5 Bc4 Nc6 Qh5 Nf6 Qxf7#");
  g_assert_cmpint (result_now (game), ==, KIBITZ_CHESS_RESULT_WHITE_WINS);
}

static void
test_stalemate (void)
{
  g_autoptr(KibitzChessGame) game = game_from ("7k/8/6K1/8/8/8/8/5Q2 w - - 0 1");

  play (game, "Qf7");
  g_assert_false (kibitz_chess_position_in_check (kibitz_chess_game_get_position (game, 1)));
  g_assert_cmpint (end_now (game), ==, KIBITZ_CHESS_END_STALEMATE);
  g_assert_cmpint (result_now (game), ==, KIBITZ_CHESS_RESULT_DRAW);
  g_assert_cmpstr (kibitz_chess_result_to_string (result_now (game)), ==, "1/2-1/2");
}

static void
test_fifty_moves (void)
{
  g_autoptr(KibitzChessGame) game = game_from ("4k3/8/8/8/8/8/1p6/R3K3 w - - 98 80");

  play (game, "Ra3");
  g_assert_cmpint (end_now (game), ==, KIBITZ_CHESS_END_NONE);
  play (game, "Kd7");
  g_assert_cmpuint (kibitz_chess_position_get_halfmove_clock (
                      kibitz_chess_game_get_position (game, 2)), ==, 100);
  g_assert_cmpint (end_now (game), ==, KIBITZ_CHESS_END_FIFTY_MOVES);
  g_assert_cmpint (result_now (game), ==, KIBITZ_CHESS_RESULT_DRAW);

  /* A pawn move on the 100th half-move resets the clock instead. */
  kibitz_chess_game_truncate (game, 1);
  play (game, "b1=Q+");
  g_assert_cmpint (end_now (game), ==, KIBITZ_CHESS_END_NONE);
}

/* Mate on the hundredth half-move is mate. */
static void
test_fifty_moves_mate_wins (void)
{
  g_autoptr(KibitzChessGame) game = game_from ("7k/8/6K1/8/8/8/8/R7 w - - 99 80");

  play (game, "Ra8");
  g_assert_cmpint (end_now (game), ==, KIBITZ_CHESS_END_CHECKMATE);
  g_assert_cmpint (result_now (game), ==, KIBITZ_CHESS_RESULT_WHITE_WINS);
}

static void
test_fifty_moves_from_fen (void)
{
  g_autoptr(KibitzChessGame) game = game_from ("4k3/8/8/8/8/8/8/R3K3 w - - 100 80");

  g_assert_cmpint (end_now (game), ==, KIBITZ_CHESS_END_FIFTY_MOVES);
}

/* The clocks stop at what a FEN can say, so the FEN of any position reads
 * back (a game would end long before, but a position can be played on).
 */
static void
test_clocks_stop_at_fen_limits (void)
{
  g_autoptr(KibitzChessPosition) position = NULL, again = NULL;
  g_autofree char *fen = NULL;
  const char *moves[] = { "Kd7", "Ra2", "Kd6" };

  position = kibitz_chess_position_new_from_fen ("4k3/8/8/8/8/8/8/R3K3 b - - 65534 999999", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (moves); i++)
    {
      KibitzChessMove move;

      g_assert_true (kibitz_chess_move_from_san (position, moves[i], &move, NULL));
      kibitz_chess_position_make_move (position, &move);
    }
  fen = kibitz_chess_position_to_fen (position);
  g_assert_cmpstr (fen, ==, "8/8/3k4/8/8/8/R7/4K3 w - - 65535 999999");
  again = kibitz_chess_position_new_from_fen (fen, NULL);
  g_assert_nonnull (again);
}

static void
test_threefold (void)
{
  g_autoptr(KibitzChessGame) game = kibitz_chess_game_new ();
  g_autoptr(GError) error = NULL;

  play (game, "Nf3 Nf6 Ng1 Ng8");
  g_assert_cmpint (end_now (game), ==, KIBITZ_CHESS_END_NONE);
  play (game, "Nf3 Nf6 Ng1");
  g_assert_cmpint (end_now (game), ==, KIBITZ_CHESS_END_NONE);
  play (game, "Ng8");
  g_assert_cmpint (end_now (game), ==, KIBITZ_CHESS_END_THREEFOLD_REPETITION);
  g_assert_cmpint (result_now (game), ==, KIBITZ_CHESS_RESULT_DRAW);

  g_assert_false (kibitz_chess_game_play_san (game, 8, "e4", &error));
  g_assert_error (error, KIBITZ_CHESS_ERROR, KIBITZ_CHESS_ERROR_GAME_OVER);
  g_assert_cmpstr (error->message, ==, "the game is over at this move, by threefold repetition");
  g_clear_error (&error);
  /* Going back one move, the game goes on. */
  g_assert_true (kibitz_chess_game_play_san (game, 7, "e5", &error));
  g_assert_no_error (error);
  g_assert_cmpint (end_now (game), ==, KIBITZ_CHESS_END_NONE);
}

/* Castling rights are part of a position: after the kings have walked, the
 * same squares are a different position.
 */
static void
test_threefold_castling_rights (void)
{
  g_autoptr(KibitzChessGame) game = game_from ("r3k2r/8/8/8/8/8/8/R3K2R w KQkq - 0 1");

  /* The start comes back at plies 4 and 8, but without the rights. */
  play (game, "Kf1 Kf8 Ke1 Ke8 Kf1 Kf8 Ke1 Ke8");
  g_assert_cmpint (end_now (game), ==, KIBITZ_CHESS_END_NONE);
  /* The kings on f1 and f8 come back a third time, all three without rights. */
  play (game, "Kf1 Kf8");
  g_assert_cmpint (end_now (game), ==, KIBITZ_CHESS_END_THREEFOLD_REPETITION);
}

/* After 1. e4 nothing can take en passant, so the position counts the same as
 * when it comes back with no en-passant square at all.
 */
static void
test_threefold_en_passant_not_capturable (void)
{
  g_autoptr(KibitzChessGame) game = kibitz_chess_game_new ();

  play (game, "e4");
  g_assert_cmpint (kibitz_chess_position_get_en_passant (kibitz_chess_game_get_position (game, 1)),
                   ==, kibitz_chess_square_from_name ("e3"));
  g_assert_cmpint (kibitz_chess_position_get_legal_en_passant (
                     kibitz_chess_game_get_position (game, 1)), ==, -1);
  play (game, "Nf6 Nf3 Ng8 Ng1");
  g_assert_true (kibitz_chess_position_same_for_repetition (
                   kibitz_chess_game_get_position (game, 1),
                   kibitz_chess_game_get_position (game, 5)));
  play (game, "Nf6 Nf3 Ng8 Ng1");
  g_assert_cmpint (end_now (game), ==, KIBITZ_CHESS_END_THREEFOLD_REPETITION);
}

/* Here black can take en passant after e4, so that first position differs
 * from the ones that come back later.
 */
static void
test_threefold_en_passant_capturable (void)
{
  g_autoptr(KibitzChessGame) game = game_from ("4k3/8/8/8/5p2/8/4P3/4K3 w - - 0 1");

  play (game, "e4");
  g_assert_cmpint (kibitz_chess_position_get_legal_en_passant (
                     kibitz_chess_game_get_position (game, 1)),
                   ==, kibitz_chess_square_from_name ("e3"));
  play (game, "Ke7 Ke2 Ke8 Ke1");
  g_assert_false (kibitz_chess_position_same_for_repetition (
                    kibitz_chess_game_get_position (game, 1),
                    kibitz_chess_game_get_position (game, 5)));
  /* Ply 9 is the third time for the placement of ply 1, but the second for
   * the position; the next ply is the third time for the position of ply 2.
   */
  play (game, "Ke7 Ke2 Ke8 Ke1");
  g_assert_cmpint (end_now (game), ==, KIBITZ_CHESS_END_NONE);
  play (game, "Ke7");
  g_assert_cmpint (end_now (game), ==, KIBITZ_CHESS_END_THREEFOLD_REPETITION);
}

typedef struct {
  const char *fen;
  gboolean    insufficient;
} Material;

/* FIDE's dead positions that counting pieces can find (docs/chess.md). */
static void
test_insufficient_material (void)
{
  static const Material cases[] = {
    { "4k3/8/8/8/8/8/8/4K3 w - - 0 1", TRUE },            /* K v K */
    { "4k3/8/8/8/8/8/8/4KN2 w - - 0 1", TRUE },           /* K+N v K */
    { "4k3/8/8/8/8/8/8/2n1K3 w - - 0 1", TRUE },          /* K v K+N */
    { "4k3/8/8/8/8/8/8/2B1K3 w - - 0 1", TRUE },          /* K+B v K */
    { "2b1k3/8/8/8/8/8/8/4KB2 w - - 0 1", TRUE },         /* K+B v K+B, both light squares */
    { "4kb2/8/8/8/8/8/8/2B1K3 w - - 0 1", TRUE },         /* K+B v K+B, both dark squares */
    { "4k3/8/8/8/8/8/1B6/2B1K3 w - - 0 1", TRUE },        /* K+B+B v K, one colour */
    { "2b1k3/8/8/8/8/8/8/2B1K3 w - - 0 1", FALSE },       /* opposite colours: a helpmate exists */
    { "4k3/8/8/8/8/8/8/2B1KB2 w - - 0 1", FALSE },        /* the bishop pair */
    { "4k3/8/8/8/8/8/8/1N2KN2 w - - 0 1", FALSE },        /* K+N+N v K */
    { "4kn2/8/8/8/8/8/8/4KN2 w - - 0 1", FALSE },         /* K+N v K+N */
    { "4kb2/8/8/8/8/8/8/4KN2 w - - 0 1", FALSE },         /* K+N v K+B */
    { "4k3/8/8/8/8/8/8/4K2R w - - 0 1", FALSE },
    { "4k3/8/8/8/8/8/4P3/4K3 w - - 0 1", FALSE },
    { "3qk3/8/8/8/8/8/8/4K3 w - - 0 1", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(KibitzChessGame) game = game_from (cases[i].fen);

      g_assert_cmpint (end_now (game) == KIBITZ_CHESS_END_INSUFFICIENT_MATERIAL, ==,
                       cases[i].insufficient);
      g_assert_cmpint (result_now (game) == KIBITZ_CHESS_RESULT_DRAW, ==, cases[i].insufficient);
    }
}

static void
test_capture_to_bare_kings (void)
{
  g_autoptr(KibitzChessGame) game = game_from ("4k3/8/8/8/8/8/3q4/4K3 w - - 0 1");

  play (game, "Kxd2");
  g_assert_cmpint (end_now (game), ==, KIBITZ_CHESS_END_INSUFFICIENT_MATERIAL);
}

/* The protocol's `move`: played at a ply, the moves after it are dropped. */
static void
test_play_at_ply (void)
{
  g_autoptr(KibitzChessGame) game = kibitz_chess_game_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *fen = NULL;
  const char * const *sans;

  play (game, "e4 e5 Nf3 Nc6");
  g_assert_true (kibitz_chess_game_play_uci (game, 1, "c7c5", &error));
  g_assert_no_error (error);
  sans = kibitz_chess_game_get_san_moves (game);
  g_assert_cmpstr (sans[0], ==, "e4");
  g_assert_cmpstr (sans[1], ==, "c5");
  g_assert_null (sans[2]);
  g_assert_cmpuint (kibitz_chess_game_get_n_moves (game), ==, 2);
  fen = kibitz_chess_game_get_fen (game, 2);
  g_assert_cmpstr (fen, ==, "rnbqkbnr/pp1ppppp/8/2p5/4P3/8/PPPP1PPP/RNBQKBNR w KQkq c6 0 2");
  g_assert_cmpstr (kibitz_chess_game_get_start_fen (game), ==, KIBITZ_CHESS_START_FEN);
  g_assert_cmpint (kibitz_chess_game_get_move (game, 1)->from, ==,
                   kibitz_chess_square_from_name ("c7"));

  /* A refused move changes nothing. */
  g_assert_false (kibitz_chess_game_play_san (game, 0, "e5", &error));
  g_assert_error (error, KIBITZ_CHESS_ERROR, KIBITZ_CHESS_ERROR_ILLEGAL_MOVE);
  g_assert_cmpuint (kibitz_chess_game_get_n_moves (game), ==, 2);
  g_clear_error (&error);

  g_assert_true (kibitz_chess_game_play_san (game, 0, "d4", &error));
  g_assert_cmpuint (kibitz_chess_game_get_n_moves (game), ==, 1);
  kibitz_chess_game_truncate (game, 0);
  g_assert_cmpuint (kibitz_chess_game_get_n_moves (game), ==, 0);
  g_assert_null (kibitz_chess_game_get_san_moves (game)[0]);
}

/* A game nobody has played in yet still has a (NULL-terminated) move list. */
static void
test_new_game_has_no_moves (void)
{
  g_autoptr(KibitzChessGame) game = kibitz_chess_game_new ();

  g_assert_cmpuint (kibitz_chess_game_get_n_moves (game), ==, 0);
  g_assert_nonnull (kibitz_chess_game_get_san_moves (game));
  g_assert_null (kibitz_chess_game_get_san_moves (game)[0]);
  g_assert_cmpint (kibitz_chess_game_get_end (game, 0), ==, KIBITZ_CHESS_END_NONE);
}

static void
test_play_move_struct (void)
{
  g_autoptr(KibitzChessGame) game = game_from ("r3k2r/8/8/8/8/8/8/R3K2R w KQkq - 0 1");
  g_autoptr(GError) error = NULL;
  KibitzChessMove castle = { .from = 4, .to = 6 }, bad = { .from = 4, .to = 99 };

  g_assert_true (kibitz_chess_game_play_move (game, 0, &castle, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (kibitz_chess_game_get_san_moves (game)[0], ==, "O-O");
  g_assert_false (kibitz_chess_game_play_move (game, 1, &bad, &error));
  g_assert_error (error, KIBITZ_CHESS_ERROR, KIBITZ_CHESS_ERROR_BAD_MOVE);
}

/* A game read with a result keeps it only until its moves change. */
static void
test_result_tag_follows_moves (void)
{
  g_autoptr(KibitzChessGame) game = kibitz_chess_game_new ();

  play (game, "e4");
  kibitz_chess_game_set_tag (game, "Result", "1-0");
  kibitz_chess_game_set_tag (game, "White", "Anna");
  g_assert_cmpstr (kibitz_chess_game_get_tag (game, "Result"), ==, "1-0");
  play (game, "e5");
  g_assert_null (kibitz_chess_game_get_tag (game, "Result"));
  g_assert_cmpstr (kibitz_chess_game_get_tag (game, "White"), ==, "Anna");
  kibitz_chess_game_set_tag (game, "White", NULL);
  g_assert_null (kibitz_chess_game_get_tag (game, "White"));
}

static void
test_shapes (void)
{
  g_autoptr(KibitzChessGame) game = kibitz_chess_game_new ();
  KibitzChessShape shapes[] = {
    { .from = 12, .to = 28, .color = KIBITZ_CHESS_SHAPE_GREEN },
    { .from = 27, .to = 27, .color = KIBITZ_CHESS_SHAPE_YELLOW },
  };
  KibitzChessShapeColor color;
  guint n;

  kibitz_chess_game_set_shapes (game, shapes, G_N_ELEMENTS (shapes));
  g_assert_cmpmem (kibitz_chess_game_get_shapes (game, &n), sizeof shapes, shapes, sizeof shapes);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpstr (kibitz_chess_shape_color_to_string (KIBITZ_CHESS_SHAPE_BLUE), ==, "blue");
  g_assert_true (kibitz_chess_shape_color_from_string ("red", &color));
  g_assert_cmpint (color, ==, KIBITZ_CHESS_SHAPE_RED);
  g_assert_false (kibitz_chess_shape_color_from_string ("purple", &color));
}

/* Random games end only by the rules, and every position they pass through
 * agrees with its FEN.
 */
static void
test_random_games (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (777);
  int ends[KIBITZ_CHESS_END_THREEFOLD_REPETITION + 1] = { 0 };

  for (int i = 0; i < 60; i++)
    {
      g_autoptr(KibitzChessGame) game = chess_test_random_game (rand, 600);
      guint n = kibitz_chess_game_get_n_moves (game);
      g_autofree char *fen = kibitz_chess_game_get_fen (game, n);
      g_autoptr(KibitzChessPosition) again = kibitz_chess_position_new_from_fen (fen, NULL);

      g_assert_nonnull (again);
      g_assert_true (kibitz_chess_position_equal (again, kibitz_chess_game_get_position (game, n)));
      ends[end_now (game)]++;
    }
  for (int end = KIBITZ_CHESS_END_NONE; end <= KIBITZ_CHESS_END_THREEFOLD_REPETITION; end++)
    g_test_message ("%s: %d", kibitz_chess_end_to_string (end) ?: "not over", ends[end]);
  g_assert_cmpint (ends[KIBITZ_CHESS_END_INSUFFICIENT_MATERIAL], >, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/chess/game/fools-mate", test_fools_mate);
  g_test_add_func ("/chess/game/scholars-mate", test_scholars_mate_white_wins);
  g_test_add_func ("/chess/game/stalemate", test_stalemate);
  g_test_add_func ("/chess/game/fifty-moves", test_fifty_moves);
  g_test_add_func ("/chess/game/fifty-moves-mate-wins", test_fifty_moves_mate_wins);
  g_test_add_func ("/chess/game/fifty-moves-from-fen", test_fifty_moves_from_fen);
  g_test_add_func ("/chess/game/clocks-stop-at-fen-limits", test_clocks_stop_at_fen_limits);
  g_test_add_func ("/chess/game/threefold", test_threefold);
  g_test_add_func ("/chess/game/threefold-castling-rights", test_threefold_castling_rights);
  g_test_add_func ("/chess/game/threefold-en-passant-not-capturable",
                   test_threefold_en_passant_not_capturable);
  g_test_add_func ("/chess/game/threefold-en-passant-capturable",
                   test_threefold_en_passant_capturable);
  g_test_add_func ("/chess/game/insufficient-material", test_insufficient_material);
  g_test_add_func ("/chess/game/capture-to-bare-kings", test_capture_to_bare_kings);
  g_test_add_func ("/chess/game/play-at-ply", test_play_at_ply);
  g_test_add_func ("/chess/game/new-game-has-no-moves", test_new_game_has_no_moves);
  g_test_add_func ("/chess/game/play-move-struct", test_play_move_struct);
  g_test_add_func ("/chess/game/result-tag-follows-moves", test_result_tag_follows_moves);
  g_test_add_func ("/chess/game/shapes", test_shapes);
  g_test_add_func ("/chess/game/random-games", test_random_games);

  return g_test_run ();
}
