/* kibitz-call-board.c: the room's shared chessboard as this participant
 * sees it (protocol.md §5): the server's latest state, the position it
 * shows now, and the requests that change it. The server checks every
 * request and answers everyone with a new `board`, or the sender alone with
 * an `error` (the call's ::server-error). The position is replayed here with
 * src/chess only to show it; nothing is played locally before the server
 * says so, so every participant shows the same board.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-call"

#include "config.h"

#include <string.h>

#include "kibitz-call-private.h"
#include "kibitz-chess.h"
#include "kibitz-message.h"

static const char * const state_members[] = {
  "seq", "start_fen", "moves", "ply", "shapes", "movers", "result",
};

/* A whole-number member, or -1 if it is missing or not one. */
static gint64
get_count (JsonObject *object,
           const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_INT64
         ? json_node_get_int (node) : -1;
}

/* The position at the state's ply, or NULL if the moves do not replay
 * (a server speaking another version of the rules: shown as unreadable,
 * never guessed). */
static char *
replay_fen (JsonObject *state)
{
  const char *start = kibitz_json_get_string (state, "start_fen");
  JsonNode *moves_node = json_object_get_member (state, "moves");
  JsonArray *moves = moves_node && JSON_NODE_HOLDS_ARRAY (moves_node)
                     ? json_node_get_array (moves_node) : NULL;
  gint64 ply = get_count (state, "ply");
  KibitzChessGame *game;
  char *fen = NULL;
  guint n = moves ? json_array_get_length (moves) : 0;

  if (start == NULL || ply < 0 || ply > n)
    return NULL;
  if (!(game = kibitz_chess_game_new_from_fen (start, NULL)))
    return NULL;
  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (moves, i);
      const char *san = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_string (node) : NULL;

      if (san == NULL || !kibitz_chess_game_play_san (game, i, san, NULL))
        goto out;
    }
  fen = kibitz_chess_game_get_fen (game, (guint) ply);
out:
  kibitz_chess_game_free (game);
  return fen;
}

/* A `board` message or `welcome.board`: becomes the board shown. */
void
kibitz_call_board_take (KibitzCall *self,
                        JsonObject *message)
{
  g_autoptr(JsonObject) state = json_object_new ();

  for (guint i = 0; i < G_N_ELEMENTS (state_members); i++)
    if (json_object_has_member (message, state_members[i]))
      json_object_set_member (state, state_members[i],
                              json_object_dup_member (message, state_members[i]));

  g_clear_pointer (&self->board, json_object_unref);
  g_clear_pointer (&self->board_fen, g_free);
  self->board = json_object_ref (state);
  self->board_fen = replay_fen (state);
  if (self->board_fen == NULL)
    g_warning ("The server's board (seq %" G_GINT64_FORMAT ") does not replay: it is not shown",
               get_count (state, "seq"));
  g_signal_emit (self, kibitz_call_signals[SIGNAL_BOARD_CHANGED], 0, state);
}

/* The board's state as the server last sent it ({seq, start_fen, moves, ply,
 * shapes, movers, result}), or NULL before the call joined. */
JsonObject *
kibitz_call_get_board (KibitzCall *self)
{
  g_return_val_if_fail (KIBITZ_IS_CALL (self), NULL);

  return self->board;
}

/* The position the board shows (FEN), or NULL. */
const char *
kibitz_call_get_board_fen (KibitzCall *self)
{
  g_return_val_if_fail (KIBITZ_IS_CALL (self), NULL);

  return self->board_fen;
}

/* Requests made before the call has its signaling (the configuration is
 * still being fetched) wait here, in order, as the signaling's own outbox
 * keeps them until the welcome. */
#define PENDING_MAX 32

void
kibitz_call_send_request (KibitzCall        *self,
                          KibitzMessageType  type,
                          JsonObject        *members)
{
  JsonObject *held;

  if (self->signaling != NULL)
    {
      kibitz_signaling_send_request (self->signaling, type, members);
      return;
    }
  if (self->board_pending == NULL)
    self->board_pending = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  if (self->board_pending->len >= PENDING_MAX)
    {
      g_warning ("Not connected yet: the request (%s) is dropped",
                 kibitz_message_type_to_string (type));
      return;
    }
  held = json_object_new ();
  json_object_set_int_member (held, "type", type);
  json_object_set_object_member (held, "members", json_object_ref (members));
  g_ptr_array_add (self->board_pending, held);
}

/* The signaling exists now: what waited goes to its outbox. */
void
kibitz_call_board_flush (KibitzCall *self)
{
  for (guint i = 0; self->board_pending != NULL && i < self->board_pending->len; i++)
    {
      JsonObject *held = g_ptr_array_index (self->board_pending, i);

      kibitz_signaling_send_request (self->signaling,
                                   (KibitzMessageType) json_object_get_int_member (held, "type"),
                                   json_object_get_object_member (held, "members"));
    }
  g_clear_pointer (&self->board_pending, g_ptr_array_unref);
}

/* "e2e4", "e7e8q": UCI; anything else is sent as SAN for the server to judge. */
static gboolean
looks_like_uci (const char *move)
{
  gsize n = strlen (move);

  return (n == 4 || n == 5) &&
         move[0] >= 'a' && move[0] <= 'h' && move[1] >= '1' && move[1] <= '8' &&
         move[2] >= 'a' && move[2] <= 'h' && move[3] >= '1' && move[3] <= '8' &&
         (n == 4 || strchr ("qrbn", move[4]) != NULL);
}

/* Plays @move (SAN or UCI) in the position shown. */
void
kibitz_call_board_move (KibitzCall *self,
                        const char *move)
{
  g_autoptr(JsonObject) members = json_object_new ();

  g_return_if_fail (KIBITZ_IS_CALL (self));
  g_return_if_fail (move != NULL);

  json_object_set_string_member (members, looks_like_uci (move) ? "uci" : "san", move);
  kibitz_call_send_request (self, KIBITZ_MESSAGE_MOVE, members);
}

/* A new game from a FEN, or from a PGN's main line. */
void
kibitz_call_board_set_game (KibitzCall *self,
                            const char *fen,
                            const char *pgn)
{
  g_autoptr(JsonObject) members = json_object_new ();

  g_return_if_fail (KIBITZ_IS_CALL (self));
  g_return_if_fail ((fen == NULL) != (pgn == NULL));

  json_object_set_string_member (members, fen ? "fen" : "pgn", fen ? fen : pgn);
  kibitz_call_send_request (self, KIBITZ_MESSAGE_BOARD_SET, members);
}

/* Everyone sees move @ply of the game (0: its start). */
void
kibitz_call_board_view (KibitzCall *self,
                        guint       ply)
{
  g_autoptr(JsonObject) members = json_object_new ();

  g_return_if_fail (KIBITZ_IS_CALL (self));

  json_object_set_int_member (members, "ply", ply);
  kibitz_call_send_request (self, KIBITZ_MESSAGE_BOARD_VIEW, members);
}

/* Replaces the arrows and marked squares ({from, to, color} and
 * {square, color}). */
void
kibitz_call_board_set_shapes (KibitzCall *self,
                              JsonArray  *shapes)
{
  g_autoptr(JsonObject) members = json_object_new ();

  g_return_if_fail (KIBITZ_IS_CALL (self));
  g_return_if_fail (shapes != NULL);

  json_object_set_array_member (members, "shapes", json_array_ref (shapes));
  kibitz_call_send_request (self, KIBITZ_MESSAGE_BOARD_SHAPES, members);
}

/* Replaces who may move besides the teachers (peer ids). */
void
kibitz_call_board_set_movers (KibitzCall         *self,
                              const char * const *ids)
{
  g_autoptr(JsonObject) members = json_object_new ();
  JsonArray *array = json_array_new ();

  g_return_if_fail (KIBITZ_IS_CALL (self));

  for (guint i = 0; ids != NULL && ids[i] != NULL; i++)
    json_array_add_string_element (array, ids[i]);
  json_object_set_array_member (members, "movers", array);
  kibitz_call_send_request (self, KIBITZ_MESSAGE_BOARD_MOVERS, members);
}
