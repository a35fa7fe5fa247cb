/* chess-test-util.c: random games for the chess tests.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "chess-test-util.h"

KibitzChessGame *
chess_test_random_game (GRand *rand,
                        guint  max_plies)
{
  KibitzChessGame *game = kibitz_chess_game_new ();

  for (guint ply = 0; ply < max_plies; ply++)
    {
      const KibitzChessPosition *position = kibitz_chess_game_get_position (game, ply);
      KibitzChessMove moves[KIBITZ_CHESS_MAX_MOVES];
      int n = kibitz_chess_position_legal_moves (position, moves);
      g_autoptr(GError) error = NULL;

      if (kibitz_chess_game_get_end (game, ply) != KIBITZ_CHESS_END_NONE)
        break;
      g_assert_true (kibitz_chess_game_play_move (game, ply, &moves[g_rand_int_range (rand, 0, n)],
                                                  &error));
      g_assert_no_error (error);
    }
  return game;
}

/* Takes positions at random plies of many games, so that openings,
 * middlegames and endings with promotions all appear.
 */
GPtrArray *
chess_test_random_positions (guint32 seed,
                             guint   n)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  GPtrArray *fens = g_ptr_array_new_with_free_func (g_free);

  while (fens->len < n)
    {
      g_autoptr(KibitzChessGame) game = chess_test_random_game (rand, 400);
      guint n_moves = kibitz_chess_game_get_n_moves (game);

      for (guint i = 0; i < 5 && fens->len < n; i++)
        {
          guint ply = g_rand_int_range (rand, 0, n_moves + 1);

          if (kibitz_chess_game_get_end (game, ply) == KIBITZ_CHESS_END_NONE)
            g_ptr_array_add (fens, kibitz_chess_game_get_fen (game, ply));
        }
    }
  return fens;
}
