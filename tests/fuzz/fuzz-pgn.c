/* fuzz-pgn.c: libFuzzer target for reading and writing PGN.
 *
 * Reading never crashes, and refuses with a PGN error in valid UTF-8. A game
 * that reads is written, and what is written reads to the same game: the
 * same start, moves, final position and shapes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kibitz-chess.h"

/* What kibitz-server accepts in a board-set. */
#define MAX_PGN (64 * 1024)

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static void
check (gboolean    condition,
       const char *what)
{
  if (!condition)
    {
      g_printerr ("fuzz-pgn: %s\n", what);
      abort ();
    }
}

static void
check_same_games (const KibitzChessGame *a,
                  const KibitzChessGame *b)
{
  guint n = kibitz_chess_game_get_n_moves (a), n_shapes_a, n_shapes_b;
  g_autofree char *fen_a = kibitz_chess_game_get_fen (a, n);
  g_autofree char *fen_b = NULL;
  const KibitzChessShape *shapes_a = kibitz_chess_game_get_shapes (a, &n_shapes_a);
  const KibitzChessShape *shapes_b = kibitz_chess_game_get_shapes (b, &n_shapes_b);
  const char * const *sans_a = kibitz_chess_game_get_san_moves (a);
  const char * const *sans_b = kibitz_chess_game_get_san_moves (b);

  check (kibitz_chess_game_get_n_moves (b) == n, "the written game has another number of moves");
  fen_b = kibitz_chess_game_get_fen (b, n);
  check (strcmp (fen_a, fen_b) == 0, "the written game ends in another position");
  check (strcmp (kibitz_chess_game_get_start_fen (a), kibitz_chess_game_get_start_fen (b)) == 0,
         "the written game starts elsewhere");
  for (guint i = 0; i < n; i++)
    check (strcmp (sans_a[i], sans_b[i]) == 0, "the written game has other moves");
  check (sans_a[n] == NULL && sans_b[n] == NULL, "the SAN moves are not NULL-terminated");
  check (n_shapes_a == n_shapes_b &&
         memcmp (shapes_a, shapes_b, n_shapes_a * sizeof *shapes_a) == 0,
         "the written game has other shapes");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(KibitzChessGame) game = NULL, again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pgn = NULL;

  game = kibitz_chess_game_new_from_pgn ((const char *) data, size, MAX_PGN, &error);
  if (game == NULL)
    {
      check (g_error_matches (error, KIBITZ_CHESS_ERROR, KIBITZ_CHESS_ERROR_BAD_PGN) ||
             g_error_matches (error, KIBITZ_CHESS_ERROR, KIBITZ_CHESS_ERROR_TOO_LARGE),
             "a refused PGN has the wrong error");
      check (g_utf8_validate (error->message, -1, NULL), "an error is not UTF-8");
      return 0;
    }

  pgn = kibitz_chess_game_to_pgn (game);
  check (g_utf8_validate (pgn, -1, NULL), "a written PGN is not UTF-8");
  again = kibitz_chess_game_new_from_pgn (pgn, -1, G_MAXSIZE, &error);
  if (again == NULL)
    {
      g_printerr ("fuzz-pgn: %s\n%s", error->message, pgn);
      abort ();
    }
  check_same_games (game, again);
  kibitz_chess_game_get_result (game, kibitz_chess_game_get_n_moves (game));
  return 0;
}
