/* kibitz-peer-demo.c: --pgn FILE --move-every SECONDS, a demo teacher
 * playing a game on the room's shared board (protocol.md §5), one move at
 * each tick, for the main job's demo class and for tests.
 *
 * The game goes on only while the board shows it: when someone else moves or
 * sets up another position, the demo waits (once said with an `error`
 * event) instead of fighting them. After the last move it rests three ticks
 * and starts the game again.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-peer-tool"

#include "config.h"

#include "kibitz-chess.h"
#include "kibitz-peer-tool.h"

/* A PGN to play need not be larger than the server takes (protocol.md §5). */
#define DEMO_PGN_MAX     (64 * 1024)
#define DEMO_REST_TICKS  3

gboolean
tool_demo_load (Peer    *peer,
                GError **error)
{
  g_autofree char *text = NULL;
  gsize length;

  if (peer->options.pgn_path == NULL)
    return TRUE;
  if (!g_file_get_contents (peer->options.pgn_path, &text, &length, error))
    return FALSE;
  peer->demo_game = kibitz_chess_game_new_from_pgn (text, length, DEMO_PGN_MAX, error);
  if (peer->demo_game == NULL)
    {
      g_prefix_error (error, "--pgn %s: ", peer->options.pgn_path);
      return FALSE;
    }
  return TRUE;
}

/* How many of the game's moves the board shows, or -1 if it shows something
 * else (another start, or a move the game does not have). */
static int
moves_played (Peer       *peer,
              JsonObject *board)
{
  const char * const *sans = kibitz_chess_game_get_san_moves (peer->demo_game);
  const char *start = json_object_get_string_member_with_default (board, "start_fen", NULL);
  JsonArray *moves = json_object_get_array_member (board, "moves");
  g_autoptr(KibitzChessPosition) ours = NULL;
  g_autoptr(KibitzChessPosition) theirs = NULL;
  guint n;

  ours = kibitz_chess_position_new_from_fen (kibitz_chess_game_get_start_fen (peer->demo_game),
                                             NULL);
  theirs = start ? kibitz_chess_position_new_from_fen (start, NULL) : NULL;
  if (ours == NULL || theirs == NULL || !kibitz_chess_position_equal (ours, theirs) ||
      moves == NULL)
    return -1;

  n = json_array_get_length (moves);
  if (n > kibitz_chess_game_get_n_moves (peer->demo_game))
    return -1;
  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (json_array_get_string_element (moves, i), sans[i]) != 0)
      return -1;
  return (int) n;
}

static void
demo_restart (Peer *peer)
{
  kibitz_call_board_set_game (peer->call, kibitz_chess_game_get_start_fen (peer->demo_game), NULL);
  peer->demo_rest = 0;
}

static gboolean
demo_tick_cb (gpointer user_data)
{
  Peer *peer = user_data;
  JsonObject *board = kibitz_call_get_board (peer->call);
  guint total = kibitz_chess_game_get_n_moves (peer->demo_game);
  int played;

  /* Not in the room yet (or between a dropped connection and its welcome). */
  if (board == NULL)
    return G_SOURCE_CONTINUE;

  played = moves_played (peer, board);
  /* Sets the game up once; a refusal (not a teacher) says why in its
   * `server-error` event, and the demo waits. */
  if (played < 0 && !peer->demo_started)
    {
      if (!peer->demo_requested)
        demo_restart (peer);
      peer->demo_requested = TRUE;
    }
  else if (played < 0)
    {
      if (!peer->demo_waiting)
        tool_emit_error (NULL, "the board no longer shows the --pgn game (someone moved or set "
                               "up another position): the demo waits until it does");
      peer->demo_waiting = TRUE;
    }
  /* A move goes in the position shown: while someone looks back at an
   * earlier one, wait rather than cut the game there. */
  else if (json_object_get_int_member_with_default (board, "ply", -1) != played)
    ;
  else if ((guint) played < total)
    {
      kibitz_call_board_move (peer->call,
                              kibitz_chess_game_get_san_moves (peer->demo_game)[played]);
      peer->demo_waiting = FALSE;
    }
  else if (++peer->demo_rest > DEMO_REST_TICKS)
    demo_restart (peer);
  if (played >= 0)
    peer->demo_started = TRUE;
  return G_SOURCE_CONTINUE;
}

void
tool_demo_start (Peer *peer)
{
  if (peer->demo_game == NULL)
    return;
  peer->demo_id = g_timeout_add_seconds (MAX (peer->options.move_every, 1), demo_tick_cb, peer);
}

void
tool_demo_stop (Peer *peer)
{
  g_clear_handle_id (&peer->demo_id, g_source_remove);
  g_clear_pointer (&peer->demo_game, kibitz_chess_game_free);
}
