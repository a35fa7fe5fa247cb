/* test-chess-stockfish.c: `kibitz-chess perft --divide` against stockfish's
 * `go perft`, move by move, on positions nobody chose.
 *
 * The perft test's positions are famous, so a generator could be right on
 * them by accident of tuning; these come from random games of a fixed seed,
 * in every phase (promotions, bare kings, checks), and stockfish (the Debian
 * package, which build-aux/deps installs) is the oracle.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <gio/gio.h>

#include "chess-test-util.h"

#define N_POSITIONS 20
#define DEPTH       4

static char *
find_stockfish (void)
{
  char *path = g_find_program_in_path ("stockfish");

  /* Debian installs games outside the usual PATH. */
  if (path == NULL && g_file_test ("/usr/games/stockfish", G_FILE_TEST_IS_EXECUTABLE))
    path = g_strdup ("/usr/games/stockfish");
  return path;
}

static char *
run (const char * const *argv,
     const char         *input)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  char *out = NULL;

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDIN_PIPE |
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, input, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (process));
  return out;
}

/* "e2e4: 20" lines into a table; the lone total at the end is left out. */
static GHashTable *
parse_divide (const char *output)
{
  GHashTable *moves = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto(GStrv) lines = g_strsplit (output, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *colon = strstr (lines[i], ": ");

      if (colon == NULL || colon - lines[i] < 4 || colon - lines[i] > 5 ||
          strncmp (lines[i], "Nodes", 5) == 0)
        continue;
      g_hash_table_insert (moves, g_strndup (lines[i], colon - lines[i]),
                           GSIZE_TO_POINTER (g_ascii_strtoull (colon + 2, NULL, 10)));
    }
  return moves;
}

static void
compare_position (const char *stockfish,
                  const char *fen)
{
  g_autofree char *depth = g_strdup_printf ("%d", DEPTH);
  const char *ours_argv[] = {
    g_getenv ("KIBITZ_CHESS_BIN"), "perft", "--divide", fen, depth, NULL,
  };
  const char *theirs_argv[] = { stockfish, NULL };
  g_autofree char *input = g_strdup_printf ("position fen %s\ngo perft %d\n", fen, DEPTH);
  g_autofree char *ours_out = run (ours_argv, NULL);
  g_autofree char *theirs_out = run (theirs_argv, input);
  g_autoptr(GHashTable) ours = parse_divide (ours_out);
  g_autoptr(GHashTable) theirs = parse_divide (theirs_out);
  GHashTableIter iter;
  gpointer move, nodes;

  g_test_message ("%s: %u moves", fen, g_hash_table_size (ours));
  g_assert_cmpuint (g_hash_table_size (theirs), >, 0);
  g_hash_table_iter_init (&iter, theirs);
  while (g_hash_table_iter_next (&iter, &move, &nodes))
    {
      if (!g_hash_table_contains (ours, move))
        g_error ("%s: stockfish plays %s, kibitz-chess does not", fen, (char *) move);
      if (g_hash_table_lookup (ours, move) != nodes)
        g_error ("%s: after %s, stockfish counts %zu, kibitz-chess %zu", fen, (char *) move,
                 GPOINTER_TO_SIZE (nodes), GPOINTER_TO_SIZE (g_hash_table_lookup (ours, move)));
    }
  g_assert_cmpuint (g_hash_table_size (ours), ==, g_hash_table_size (theirs));
}

static void
test_random_positions (void)
{
  g_autofree char *stockfish = find_stockfish ();
  g_autoptr(GPtrArray) fens = NULL;

  if (stockfish == NULL)
    {
      g_test_skip ("stockfish is not installed (apt-get install stockfish, or build-aux/deps), "
                   "so there is no oracle to compare perft with");
      return;
    }
  g_assert_nonnull (g_getenv ("KIBITZ_CHESS_BIN"));
  fens = chess_test_random_positions (19580321, N_POSITIONS);
  for (guint i = 0; i < fens->len; i++)
    compare_position (stockfish, g_ptr_array_index (fens, i));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/chess/stockfish/random-positions", test_random_positions);

  return g_test_run ();
}
