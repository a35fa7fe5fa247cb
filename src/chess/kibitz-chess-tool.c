/* kibitz-chess-tool.c: the chess library from the command line.
 *
 *   kibitz-chess perft [--divide] FEN DEPTH   count the leaf nodes (checks the move generator)
 *   kibitz-chess moves FEN                    the legal moves, "UCI SAN" a line
 *   kibitz-chess pgn FILE                     the final position of a PGN's main line
 *
 * FEN may be "startpos", or its fields as separate arguments. Bad input gets
 * a sentence on stderr and exit status 1; a wrong command line, status 2.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-chess"

#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "kibitz-chess.h"

#define EXIT_BAD_INPUT 1
#define EXIT_USAGE     2

static const char usage_text[] =
  "Usage:\n"
  "  kibitz-chess perft [--divide] FEN DEPTH\n"
  "  kibitz-chess moves FEN\n"
  "  kibitz-chess pgn FILE    (- reads standard input)\n"
  "\n"
  "FEN may be “startpos”. perft prints the number of leaf nodes on its last line;\n"
  "--divide first prints one line per legal move, like “e2e4: 20”.\n";

static int
usage (const char *complaint)
{
  if (complaint != NULL)
    g_printerr ("kibitz-chess: %s\n\n", complaint);
  g_printerr ("%s", usage_text);
  return EXIT_USAGE;
}

static int
bad_input (const GError *error)
{
  g_printerr ("kibitz-chess: %s\n", error->message);
  return EXIT_BAD_INPUT;
}

/* The FEN from arguments: "startpos", one argument, or a FEN's fields
 * written without quotes.
 */
static gboolean
read_position (char                **args,
               int                   n_args,
               KibitzChessPosition  *position,
               GError              **error)
{
  g_autofree char *fen = g_strjoinv (" ", args);

  if (n_args == 1 && strcmp (args[0], "startpos") == 0)
    {
      kibitz_chess_position_init_start (position);
      return TRUE;
    }
  return kibitz_chess_position_init_from_fen (position, fen, error);
}

/* One line per legal move with the leaves under it, then the total: the
 * lines can be compared one by one with stockfish's `go perft`.
 */
static void
print_divide (const KibitzChessPosition *position,
              int                        depth)
{
  KibitzChessMove moves[KIBITZ_CHESS_MAX_MOVES];
  int n = kibitz_chess_position_legal_moves (position, moves);
  guint64 total = 0;

  for (int i = 0; i < n; i++)
    {
      KibitzChessPosition child = *position;
      guint64 nodes;
      char uci[6];

      kibitz_chess_position_make_move (&child, &moves[i]);
      nodes = kibitz_chess_position_perft (&child, depth - 1);
      kibitz_chess_move_to_uci (&moves[i], uci);
      g_print ("%s: %" G_GUINT64_FORMAT "\n", uci, nodes);
      total += nodes;
    }
  g_print ("\n%" G_GUINT64_FORMAT "\n", total);
}

static int
run_perft (char **args,
           int    n_args)
{
  g_autoptr(GError) error = NULL;
  g_autofree char **fen_args = g_new0 (char *, n_args + 1);
  KibitzChessPosition position;
  gboolean divide = FALSE;
  guint64 depth;
  int n_fen = 0;

  for (int i = 0; i < n_args; i++)
    {
      if (strcmp (args[i], "--divide") == 0)
        divide = TRUE;
      else
        fen_args[n_fen++] = args[i];
    }
  if (n_fen < 2)
    return usage ("perft needs a FEN and a depth");
  if (!g_ascii_string_to_unsigned (fen_args[n_fen - 1], 10, 0, 20, &depth, NULL))
    return usage ("the depth of perft is a number from 0 to 20");
  fen_args[--n_fen] = NULL;
  if (!read_position (fen_args, n_fen, &position, &error))
    return bad_input (error);

  if (divide && depth > 0)
    print_divide (&position, depth);
  else
    g_print ("%" G_GUINT64_FORMAT "\n", kibitz_chess_position_perft (&position, depth));
  return 0;
}

static int
run_moves (char **args,
           int    n_args)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) ucis = NULL, sans = NULL;
  KibitzChessPosition position;

  if (n_args < 1)
    return usage ("moves needs a FEN");
  if (!read_position (args, n_args, &position, &error))
    return bad_input (error);
  ucis = kibitz_chess_position_legal_moves_uci (&position);
  sans = kibitz_chess_position_legal_moves_san (&position);
  for (guint i = 0; ucis[i] != NULL; i++)
    g_print ("%s %s\n", ucis[i], sans[i]);
  return 0;
}

static gboolean
read_all (const char  *path,
          char       **contents,
          gsize       *length,
          GError     **error)
{
  g_autoptr(GIOChannel) channel = NULL;

  if (strcmp (path, "-") != 0)
    return g_file_get_contents (path, contents, length, error);
  channel = g_io_channel_unix_new (0);
  g_io_channel_set_encoding (channel, NULL, NULL);
  return g_io_channel_read_to_end (channel, contents, length, error) == G_IO_STATUS_NORMAL;
}

static int
run_pgn (char **args,
         int    n_args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KibitzChessGame) game = NULL;
  g_autofree char *contents = NULL, *fen = NULL;
  gsize length;

  if (n_args != 1)
    return usage ("pgn needs one file (or - for standard input)");
  if (!read_all (args[0], &contents, &length, &error))
    return bad_input (error);
  game = kibitz_chess_game_new_from_pgn (contents, length, KIBITZ_CHESS_PGN_MAX_DEFAULT, &error);
  if (game == NULL)
    return bad_input (error);
  fen = kibitz_chess_game_get_fen (game, kibitz_chess_game_get_n_moves (game));
  g_print ("%s\n", fen);
  return 0;
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");

  if (argc < 2)
    return usage (NULL);
  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0)
    {
      g_print ("%s", usage_text);
      return 0;
    }
  if (strcmp (argv[1], "perft") == 0)
    return run_perft (argv + 2, argc - 2);
  if (strcmp (argv[1], "moves") == 0)
    return run_moves (argv + 2, argc - 2);
  if (strcmp (argv[1], "pgn") == 0)
    return run_pgn (argv + 2, argc - 2);
  return usage ("the commands are perft, moves and pgn");
}
