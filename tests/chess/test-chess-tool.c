/* test-chess-tool.c: `kibitz-chess` as a process: its output and its exit
 * status, on good input and bad.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <gio/gio.h>

typedef struct {
  int   status;
  char *out;
  char *err;
} Run;

static void
run_clear (Run *run)
{
  g_free (run->out);
  g_free (run->err);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

/* Runs kibitz-chess with argv (NULL-terminated) and stdin_text, if any. */
static void
run_tool (Run                *run,
          const char         *stdin_text,
          const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  const char *bin = g_getenv ("KIBITZ_CHESS_BIN");

  g_assert_nonnull (bin);
  g_ptr_array_add (argv, (char *) bin);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                               G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, stdin_text, NULL, &run->out, &run->err, &error);
  g_assert_no_error (error);
  run->status = g_subprocess_get_exit_status (process);
}

#define RUN(run, stdin_text, ...) \
  run_tool (run, stdin_text, (const char *[]) { __VA_ARGS__, NULL })

static void
test_perft (void)
{
  g_auto(Run) run = { 0 };

  RUN (&run, NULL, "perft", "startpos", "3");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "8902\n");
  g_assert_cmpstr (run.err, ==, "");
}

/* The FEN as one argument or as its fields, and --divide anywhere. */
static void
test_perft_divide (void)
{
  g_auto(Run) one = { 0 }, fields = { 0 };
  g_auto(GStrv) lines = NULL;
  guint n;

  RUN (&one, NULL, "perft", "--divide",
       "r3k2r/p1ppqpb1/bn2pnp1/3PN3/1p2P3/2N2Q1p/PPPBBPPP/R3K2R w KQkq - 0 1", "2");
  g_assert_cmpint (one.status, ==, 0);
  lines = g_strsplit (one.out, "\n", -1);
  n = g_strv_length (lines);
  /* 48 moves, a blank line, the total, and the empty string after the last \n. */
  g_assert_cmpuint (n, ==, 48 + 3);
  g_assert_true (g_strv_contains ((const char * const *) lines, "e1g1: 43"));
  g_assert_true (g_strv_contains ((const char * const *) lines, "d5e6: 46"));
  g_assert_cmpstr (lines[48], ==, "");
  g_assert_cmpstr (lines[49], ==, "2039");

  RUN (&fields, NULL, "perft", "r3k2r/p1ppqpb1/bn2pnp1/3PN3/1p2P3/2N2Q1p/PPPBBPPP/R3K2R", "w",
       "KQkq", "-", "0", "1", "2", "--divide");
  g_assert_cmpint (fields.status, ==, 0);
  g_assert_cmpstr (fields.out, ==, one.out);
}

static void
test_moves (void)
{
  g_auto(Run) run = { 0 };

  RUN (&run, NULL, "moves", "4k3/1P6/8/8/8/8/8/4K3 w - - 0 1");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==,
                   "b7b8q b8=Q+\n" "b7b8r b8=R+\n" "b7b8b b8=B\n" "b7b8n b8=N\n"
                   "e1e2 Ke2\n" "e1f1 Kf1\n" "e1d1 Kd1\n" "e1f2 Kf2\n" "e1d2 Kd2\n");
}

static void
test_moves_none (void)
{
  g_auto(Run) run = { 0 };

  RUN (&run, NULL, "moves", "7k/5Q2/6K1/8/8/8/8/8 b - - 0 1");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "");
}

static void
test_pgn (void)
{
  g_auto(Run) from_file = { 0 }, from_stdin = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  int fd = g_file_open_tmp ("kibitz-chess-XXXXXX.pgn", &path, &error);
  const char *pgn = "[Event \"x\"]\n\n1. e4 e5 2. Nf3 { a comment } Nc6 (2... d6) *\n";

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (path, pgn, -1, &error));
  close (fd);

  RUN (&from_file, NULL, "pgn", path);
  g_assert_cmpint (from_file.status, ==, 0);
  g_assert_cmpstr (from_file.out, ==,
                   "r1bqkbnr/pppp1ppp/2n5/4p3/4P3/5N2/PPPP1PPP/RNBQKB1R w KQkq - 2 3\n");
  RUN (&from_stdin, pgn, "pgn", "-");
  g_assert_cmpint (from_stdin.status, ==, 0);
  g_assert_cmpstr (from_stdin.out, ==, from_file.out);
  g_unlink (path);
}

typedef struct {
  const char *stdin_text;
  const char *args[4];
  int         status;
  const char *err;
} Failure;

static void
test_failures (void)
{
  static const Failure failures[] = {
    { NULL, { "perft", "8/8/8/8/8/8/8/8 w - - 0 1", "3" }, 1,
      "kibitz-chess: the FEN has no white king: each side has exactly one\n" },
    { NULL, { "moves", "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR x" }, 1,
      "kibitz-chess: a FEN has 6 fields separated by spaces (or 4, without the clocks), not 2\n" },
    { "1. e4 e5 2. Ke3", { "pgn", "-" }, 1,
      "kibitz-chess: illegal move 2. Ke3 in the PGN (line 1): no white king can move to e3\n" },
    { NULL, { "pgn", "/nonexistent/game.pgn" }, 1, NULL },
    { NULL, { "perft", "startpos", "deep" }, 2, NULL },
    { NULL, { "perft", "startpos", "99" }, 2, NULL },
    { NULL, { "perft", "startpos" }, 2, NULL },
    { NULL, { "moves" }, 2, NULL },
    { NULL, { "pgn" }, 2, NULL },
    { NULL, { "castle" }, 2, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (failures); i++)
    {
      g_auto(Run) run = { 0 };

      run_tool (&run, failures[i].stdin_text, failures[i].args);
      g_assert_cmpint (run.status, ==, failures[i].status);
      g_assert_cmpstr (run.out, ==, "");
      if (failures[i].err != NULL)
        g_assert_cmpstr (run.err, ==, failures[i].err);
      else if (failures[i].status == 2)
        g_assert_nonnull (strstr (run.err, "Usage:"));
      else
        g_assert_true (g_str_has_prefix (run.err, "kibitz-chess: "));
    }
}

static void
test_no_arguments (void)
{
  g_auto(Run) run = { 0 }, help = { 0 };

  run_tool (&run, NULL, (const char *[]) { NULL });
  g_assert_cmpint (run.status, ==, 2);
  RUN (&help, NULL, "--help");
  g_assert_cmpint (help.status, ==, 0);
  g_assert_nonnull (strstr (help.out, "kibitz-chess perft [--divide] FEN DEPTH"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/chess/tool/perft", test_perft);
  g_test_add_func ("/chess/tool/perft-divide", test_perft_divide);
  g_test_add_func ("/chess/tool/moves", test_moves);
  g_test_add_func ("/chess/tool/moves-none", test_moves_none);
  g_test_add_func ("/chess/tool/pgn", test_pgn);
  g_test_add_func ("/chess/tool/failures", test_failures);
  g_test_add_func ("/chess/tool/no-arguments", test_no_arguments);

  return g_test_run ();
}
