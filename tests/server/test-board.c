/* test-board.c: the shared board of protocol.md §5 on a real kibitz-server,
 * over real WebSockets on loopback: moves checked against the rules and seen
 * by everyone, late joiners and a killed and restarted server showing the
 * same position, every error code the board answers with.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "kibitz-test-server.h"
#include "kibitz-test-util.h"

#define START_FEN "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1"

/* A server with a state directory of its own, so no board of an earlier run
 * (or another test) is there to start with; removed with the server. */
typedef struct {
  KibitzTestServer *server;
  char             *dir;
} BoardServer;

static BoardServer
board_server_start (void)
{
  g_autoptr(GError) error = NULL;
  BoardServer bs = { NULL, g_dir_make_tmp ("kibitz-board-XXXXXX", &error) };
  const char * const args[] = { "--http", "127.0.0.1:0", "--secret", "test-secret",
                                "--state-dir", bs.dir, NULL };

  g_assert_no_error (error);
  bs.server = kibitz_test_server_start (args);
  return bs;
}

static void
board_server_clear (BoardServer *bs)
{
  g_clear_pointer (&bs->server, kibitz_test_server_free);
  kibitz_test_remove_tree (bs->dir);
  g_clear_pointer (&bs->dir, g_free);
}

typedef struct {
  KibitzTestClient *client;
  JsonObject       *welcome;
} Member;

static Member
member_join (KibitzTestServer *server,
             const char       *room,
             const char       *name)
{
  Member member;

  member.client = kibitz_test_client_connect (server);
  member.welcome = kibitz_test_client_join (member.client, room, name, NULL);
  g_assert_nonnull (member.welcome);
  return member;
}

static void
member_clear (Member *member)
{
  g_clear_pointer (&member->client, kibitz_test_client_free);
  g_clear_pointer (&member->welcome, json_object_unref);
}

/* The moves of a board as one string, "e4 e5 Nf3". */
static char *
moves_of (JsonObject *board)
{
  JsonArray *moves = json_object_get_array_member (board, "moves");
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (moves); i++)
    g_string_append_printf (out, "%s%s", i ? " " : "", json_array_get_string_element (moves, i));
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
assert_board (JsonObject *board,
              gint64      seq,
              const char *moves,
              gint64      ply,
              const char *result)
{
  g_autofree char *played = NULL;

  g_assert_nonnull (board);
  played = moves_of (board);
  g_assert_cmpstr (played, ==, moves);
  g_assert_cmpint (json_object_get_int_member (board, "seq"), ==, seq);
  g_assert_cmpint (json_object_get_int_member (board, "ply"), ==, ply);
  g_assert_true (json_object_has_member (board, "result"));
  if (result == NULL)
    g_assert_true (json_object_get_null_member (board, "result"));
  else
    g_assert_cmpstr (json_object_get_string_member (board, "result"), ==, result);
}

/* Every member receives the same new board. */
static void
expect_board_all (Member     *members,
                  guint       n,
                  gint64      seq,
                  const char *moves,
                  gint64      ply,
                  const char *result)
{
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JsonObject) board = kibitz_test_client_wait (members[i].client, "board", 5000);

      assert_board (board, seq, moves, ply, result);
    }
}

static void
test_moves_reach_everyone (void)
{
  BoardServer bs = board_server_start ();
  KibitzTestServer *server = bs.server;
  Member m[3];
  JsonObject *board;

  m[0] = member_join (server, "Board: moves", "Ada");
  m[1] = member_join (server, "Board: moves", "Bartek");

  /* A fresh room's board: the start position, nothing played. */
  board = json_object_get_object_member (m[0].welcome, "board");
  assert_board (board, 0, "", 0, NULL);
  g_assert_cmpstr (json_object_get_string_member (board, "start_fen"), ==, START_FEN);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (board, "shapes")), ==, 0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (board, "movers")), ==, 0);

  kibitz_test_client_send (m[0].client, "{\"type\":\"move\",\"san\":\"e4\"}");
  expect_board_all (m, 2, 1, "e4", 1, NULL);
  kibitz_test_client_send (m[1].client, "{\"type\":\"move\",\"uci\":\"e7e5\"}");
  expect_board_all (m, 2, 2, "e4 e5", 2, NULL);
  kibitz_test_client_send (m[0].client, "{\"type\":\"move\",\"uci\":\"g1f3\"}");
  expect_board_all (m, 2, 3, "e4 e5 Nf3", 3, NULL);

  /* An illegal move: an error to its sender, nothing to anyone else. */
  kibitz_test_client_send (m[1].client, "{\"type\":\"move\",\"san\":\"e4\"}");
  kibitz_test_expect_error (m[1].client, "illegal-move");
  kibitz_test_client_assert_no (m[0].client, "board", 300);
  kibitz_test_client_send (m[1].client, "{\"type\":\"move\",\"san\":\"Zz9\"}");
  kibitz_test_expect_error (m[1].client, "illegal-move");

  /* A latecomer sees the game as it stands. */
  m[2] = member_join (server, "Board: moves", "Celina");
  assert_board (json_object_get_object_member (m[2].welcome, "board"), 3, "e4 e5 Nf3", 3, NULL);

  /* Back to move 1 for everyone; a move there drops the moves after it. */
  kibitz_test_client_send (m[0].client, "{\"type\":\"board-view\",\"ply\":1}");
  expect_board_all (m, 3, 4, "e4 e5 Nf3", 1, NULL);
  kibitz_test_client_send (m[2].client, "{\"type\":\"move\",\"san\":\"c5\"}");
  expect_board_all (m, 3, 5, "e4 c5", 2, NULL);
  kibitz_test_client_send (m[0].client, "{\"type\":\"board-view\",\"ply\":3}");
  kibitz_test_expect_error (m[0].client, "bad-request");

  /* Another room has a board of its own. */
  {
    Member other = member_join (server, "Board: elsewhere", "Dawid");

    assert_board (json_object_get_object_member (other.welcome, "board"), 0, "", 0, NULL);
    member_clear (&other);
  }

  for (guint i = 0; i < 3; i++)
    member_clear (&m[i]);
  board_server_clear (&bs);
}

static void
test_game_ends (void)
{
  BoardServer bs = board_server_start ();
  KibitzTestServer *server = bs.server;
  Member m = member_join (server, "Board: mate", "Ada");
  const char *fool[] = { "f3", "e5", "g4", "Qh4#" };
  g_autoptr(GString) played = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (fool); i++)
    {
      kibitz_test_client_send (m.client, "{\"type\":\"move\",\"san\":\"%s\"}", fool[i]);
      g_string_append_printf (played, "%s%s", i ? " " : "", fool[i]);
      expect_board_all (&m, 1, i + 1, played->str, i + 1, i == 3 ? "0-1" : NULL);
    }
  /* Nothing is legal after mate. */
  kibitz_test_client_send (m.client, "{\"type\":\"move\",\"san\":\"a3\"}");
  kibitz_test_expect_error (m.client, "illegal-move");

  /* Stalemate from a position: a draw. */
  kibitz_test_client_send (m.client, "{\"type\":\"board-set\",\"fen\":\"7k/5Q2/6K1/8/8/8/8/8 b - - 0 1\"}");
  {
    g_autoptr(JsonObject) board = kibitz_test_client_wait (m.client, "board", 5000);

    assert_board (board, 5, "", 0, "1/2-1/2");
    g_assert_cmpstr (json_object_get_string_member (board, "start_fen"), ==,
                     "7k/5Q2/6K1/8/8/8/8/8 b - - 0 1");
  }
  member_clear (&m);
  board_server_clear (&bs);
}

static void
test_set_up_and_draw (void)
{
  BoardServer bs = board_server_start ();
  KibitzTestServer *server = bs.server;
  Member m[2];
  g_autoptr(JsonObject) board = NULL;
  JsonArray *shapes;
  JsonObject *arrow, *square;

  m[0] = member_join (server, "Board: set up", "Ada");
  m[1] = member_join (server, "Board: set up", "Bartek");

  /* A PGN: its main line is played, its last comment's arrows kept. */
  kibitz_test_client_send (m[0].client, "{\"type\":\"board-set\",\"pgn\":"
                           "\"[Event \\\"Lesson\\\"]\\n\\n1. e4 e5 (1... c5) 2. Nf3 {Watch e5} "
                           "Nc6 {[%%cal Gf3e5,Rc6e5] [%%csl Ye5]} *\"}");
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(JsonObject) seen = kibitz_test_client_wait (m[i].client, "board", 5000);

      assert_board (seen, 1, "e4 e5 Nf3 Nc6", 4, NULL);
      if (i == 1)
        board = g_steal_pointer (&seen);
    }
  shapes = json_object_get_array_member (board, "shapes");
  g_assert_cmpuint (json_array_get_length (shapes), ==, 3);
  arrow = json_array_get_object_element (shapes, 0);
  g_assert_cmpstr (json_object_get_string_member (arrow, "from"), ==, "f3");
  g_assert_cmpstr (json_object_get_string_member (arrow, "to"), ==, "e5");
  g_assert_cmpstr (json_object_get_string_member (arrow, "color"), ==, "green");
  square = json_array_get_object_element (shapes, 2);
  g_assert_cmpstr (json_object_get_string_member (square, "square"), ==, "e5");
  g_assert_cmpstr (json_object_get_string_member (square, "color"), ==, "yellow");

  /* Drawing replaces the shapes; a move clears them. */
  kibitz_test_client_send (m[1].client, "{\"type\":\"board-shapes\",\"shapes\":"
                           "[{\"from\":\"f1\",\"to\":\"b5\",\"color\":\"blue\"},"
                           "{\"square\":\"c6\",\"color\":\"red\"}]}");
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(JsonObject) seen = kibitz_test_client_wait (m[i].client, "board", 5000);

      g_assert_cmpint (json_object_get_int_member (seen, "seq"), ==, 2);
      g_assert_cmpuint (json_array_get_length (json_object_get_array_member (seen, "shapes")),
                        ==, 2);
    }
  kibitz_test_client_send (m[0].client, "{\"type\":\"move\",\"san\":\"Bb5\"}");
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(JsonObject) seen = kibitz_test_client_wait (m[i].client, "board", 5000);

      assert_board (seen, 3, "e4 e5 Nf3 Nc6 Bb5", 5, NULL);
      g_assert_cmpuint (json_array_get_length (json_object_get_array_member (seen, "shapes")),
                        ==, 0);
    }

  /* Who else may move: kept, duplicates dropped. */
  kibitz_test_client_send (m[0].client, "{\"type\":\"board-movers\",\"movers\":[\"%s\",\"%s\"]}",
                           json_object_get_string_member (m[1].welcome, "id"),
                           json_object_get_string_member (m[1].welcome, "id"));
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(JsonObject) seen = kibitz_test_client_wait (m[i].client, "board", 5000);
      JsonArray *movers = json_object_get_array_member (seen, "movers");

      g_assert_cmpuint (json_array_get_length (movers), ==, 1);
      g_assert_cmpstr (json_array_get_string_element (movers, 0), ==,
                       json_object_get_string_member (m[1].welcome, "id"));
    }

  /* Each bad request: an error naming it to the sender, the board as it was. */
  kibitz_test_client_send (m[0].client, "{\"type\":\"board-set\",\"fen\":\"not a position\"}");
  kibitz_test_expect_error (m[0].client, "bad-fen");
  kibitz_test_client_send (m[0].client, "{\"type\":\"board-set\",\"fen\":\"8/8/8/8/8/8/8/8 w - - 0 1\"}");
  kibitz_test_expect_error (m[0].client, "bad-fen");
  kibitz_test_client_send (m[0].client, "{\"type\":\"board-set\",\"pgn\":\"1. e4 e5 2. Ke3 *\"}");
  kibitz_test_expect_error (m[0].client, "bad-pgn");
  kibitz_test_client_send (m[0].client, "{\"type\":\"board-set\",\"fen\":\"x\",\"pgn\":\"*\"}");
  kibitz_test_expect_error (m[0].client, "bad-request");
  kibitz_test_client_send (m[0].client, "{\"type\":\"move\"}");
  kibitz_test_expect_error (m[0].client, "bad-request");
  kibitz_test_client_send (m[0].client, "{\"type\":\"board-shapes\",\"shapes\":"
                           "[{\"square\":\"i9\",\"color\":\"red\"}]}");
  kibitz_test_expect_error (m[0].client, "bad-request");
  kibitz_test_client_send (m[0].client, "{\"type\":\"board-shapes\",\"shapes\":"
                           "[{\"square\":\"e4\",\"color\":\"purple\"}]}");
  kibitz_test_expect_error (m[0].client, "bad-request");
  {
    g_autoptr(GString) many = g_string_new ("{\"type\":\"board-shapes\",\"shapes\":[");

    for (guint i = 0; i < 33; i++)
      g_string_append_printf (many, "%s{\"square\":\"a%u\",\"color\":\"red\"}", i ? "," : "",
                              i % 8 + 1);
    g_string_append (many, "]}");
    kibitz_test_client_send (m[0].client, "%s", many->str);
    kibitz_test_expect_error (m[0].client, "bad-request");
  }
  kibitz_test_client_send (m[0].client, "{\"type\":\"board-movers\",\"movers\":[7]}");
  kibitz_test_expect_error (m[0].client, "bad-request");
  kibitz_test_client_send (m[0].client, "{\"type\":\"board-view\",\"ply\":-1}");
  kibitz_test_expect_error (m[0].client, "bad-request");
  kibitz_test_client_assert_no (m[1].client, "board", 300);

  /* And the class goes on. */
  kibitz_test_client_send (m[1].client, "{\"type\":\"move\",\"san\":\"a6\"}");
  expect_board_all (m, 2, 5, "e4 e5 Nf3 Nc6 Bb5 a6", 6, NULL);

  member_clear (&m[0]);
  member_clear (&m[1]);
  board_server_clear (&bs);
}

/* Even killed without warning, the server shows each class its board again. */
static void
test_restart_keeps_board (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("kibitz-board-XXXXXX", &error);
  const char * const args[] = { "--http", "127.0.0.1:0", "--secret", "test-secret",
                                "--state-dir", dir, NULL };
  g_autoptr(KibitzTestServer) first = kibitz_test_server_start (args);
  g_autoptr(KibitzTestServer) second = NULL;
  g_autoptr(KibitzTestServer) third = NULL;
  g_autofree char *boards = g_build_filename (dir, "boards", NULL);
  Member m = member_join (first, "Board: kept", "Ada");
  Member again, later;
  GDir *listing;
  const char *name;

  g_assert_no_error (error);
  kibitz_test_client_send (m.client, "{\"type\":\"move\",\"san\":\"d4\"}");
  expect_board_all (&m, 1, 1, "d4", 1, NULL);
  kibitz_test_client_send (m.client, "{\"type\":\"board-shapes\",\"shapes\":"
                           "[{\"from\":\"d7\",\"to\":\"d5\",\"color\":\"green\"}]}");
  expect_board_all (&m, 1, 2, "d4", 1, NULL);
  member_clear (&m);

  kibitz_test_server_kill (first);
  second = kibitz_test_server_start (args);
  again = member_join (second, "Board: kept", "Ada");
  assert_board (json_object_get_object_member (again.welcome, "board"), 2, "d4", 1, NULL);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                      json_object_get_object_member (again.welcome, "board"), "shapes")), ==, 1);
  /* The count goes on from where it was. */
  kibitz_test_client_send (again.client, "{\"type\":\"move\",\"san\":\"d5\"}");
  expect_board_all (&again, 1, 3, "d4 d5", 2, NULL);
  member_clear (&again);
  kibitz_test_server_stop (second);

  /* The move cleared the arrow, so that file is shorter than the one before
   * it: nothing of the longer one may stay behind it. */
  third = kibitz_test_server_start (args);
  later = member_join (third, "Board: kept", "Ada");
  assert_board (json_object_get_object_member (later.welcome, "board"), 3, "d4 d5", 2, NULL);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                      json_object_get_object_member (later.welcome, "board"), "shapes")), ==, 0);
  member_clear (&later);
  kibitz_test_server_stop (third);

  listing = g_dir_open (boards, 0, NULL);
  g_assert_nonnull (listing);
  while ((name = g_dir_read_name (listing)))
    {
      g_autofree char *path = g_build_filename (boards, name, NULL);

      g_unlink (path);
    }
  g_dir_close (listing);
  g_rmdir (boards);
  {
    g_autofree char *secret = g_build_filename (dir, "secret", NULL);

    g_unlink (secret);
  }
  g_rmdir (dir);
}

/* A saved board that no longer reads (a broken disk, a hand edit): the room
 * starts afresh and the server says so, instead of failing the class. */
static void
test_broken_saved_board (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("kibitz-board-XXXXXX", &error);
  g_autofree char *boards = g_build_filename (dir, "boards", NULL);
  const char * const args[] = { "--http", "127.0.0.1:0", "--secret", "test-secret",
                                "--state-dir", dir, NULL };
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, "board broken", -1);
  g_autofree char *file = g_strconcat (hash, ".json", NULL);
  g_autofree char *path = g_build_filename (boards, file, NULL);
  g_autoptr(KibitzTestServer) server = NULL;
  Member m;

  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir_with_parents (boards, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, "{\"room\":\"board broken\",\"board\":{\"seq\":4,"
                                      "\"start_fen\":\"" START_FEN "\",\"moves\":[\"e4\",\"Ke7\"],"
                                      "\"ply\":2,\"shapes\":[],\"movers\":[]}}", -1, NULL));
  server = kibitz_test_server_start (args);
  m = member_join (server, "board broken", "Ada");
  assert_board (json_object_get_object_member (m.welcome, "board"), 0, "", 0, NULL);
  member_clear (&m);
  kibitz_test_server_stop (server);

  g_unlink (path);
  g_rmdir (boards);
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/board/moves-reach-everyone", test_moves_reach_everyone);
  g_test_add_func ("/server/board/game-ends", test_game_ends);
  g_test_add_func ("/server/board/set-up-and-draw", test_set_up_and_draw);
  g_test_add_func ("/server/board/restart-keeps-board", test_restart_keeps_board);
  g_test_add_func ("/server/board/broken-saved-board", test_broken_saved_board);

  return g_test_run ();
}
