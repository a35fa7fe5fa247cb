/* kibitz-rooms-board.c: the room's shared board (protocol.md §5): who may
 * change it, the change, the new state to everyone, and the copy on disk.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-rooms"

#include "config.h"

#include "kibitz-board-store.h"
#include "kibitz-message.h"
#include "kibitz-rooms-private.h"

/* The board a room starts with: the one it left on disk, or a new game. */
KibitzBoard *
rooms_board_open (KibitzRooms *self,
                  const char  *room_key)
{
  KibitzBoard *board = NULL;

  if (self->config.board_dir != NULL)
    board = kibitz_board_store_load (self->config.board_dir, room_key);
  return board != NULL ? board : kibitz_board_new (self->config.board_max_moves);
}

JsonObject *
rooms_board_message (KibitzRoom *room)
{
  JsonObject *message = kibitz_message_new (KIBITZ_MESSAGE_BOARD);
  g_autoptr(JsonObject) state = kibitz_board_to_json (room->board);
  JsonObjectIter iter;
  const char *member;
  JsonNode *node;

  json_object_iter_init (&iter, state);
  while (json_object_iter_next (&iter, &member, &node))
    json_object_set_member (message, member, json_node_copy (node));
  return message;
}

/* In open rooms everyone may do all that teachers may; in a class, teachers
 * may do everything and the peers in `movers` may move and draw. */
static gboolean
may_change (KibitzRooms       *self,
            KibitzRoom        *room,
            RoomPeer          *peer,
            KibitzMessageType  type)
{
  gboolean play = type == KIBITZ_MESSAGE_MOVE || type == KIBITZ_MESSAGE_BOARD_SHAPES;

  return self->config.policy == KIBITZ_ROOM_POLICY_OPEN || peer->role == ROOM_ROLE_TEACHER ||
         (play && kibitz_board_is_mover (room->board, peer->id));
}

void
rooms_handle_board (KibitzRooms       *self,
                    KibitzRoomsClient *client,
                    KibitzMessageType  type,
                    JsonObject        *object)
{
  RoomPeer *peer = client->peer;
  KibitzRoom *room = peer->room;
  const char *type_name = kibitz_message_type_to_string (type);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) message = NULL;
  g_autofree char *text = NULL;
  gboolean ok = FALSE;

  if (!may_change (self, room, peer, type))
    {
      rooms_send_error (self, client, KIBITZ_PROTOCOL_ERROR_FORBIDDEN,
                        type == KIBITZ_MESSAGE_MOVE
                          ? "Only the teacher, and those the teacher lets, may move on the board"
                          : "Only the teacher may do this on the board",
                        type_name);
      return;
    }

  switch (type)
    {
    case KIBITZ_MESSAGE_MOVE:
      ok = kibitz_board_move (room->board, kibitz_json_get_string (object, "san"),
                              kibitz_json_get_string (object, "uci"), &error);
      break;
    case KIBITZ_MESSAGE_BOARD_SET:
      ok = kibitz_json_get_string (object, "fen") != NULL
           ? kibitz_board_set_fen (room->board, kibitz_json_get_string (object, "fen"), &error)
           : kibitz_board_set_pgn (room->board, kibitz_json_get_string (object, "pgn"), &error);
      break;
    case KIBITZ_MESSAGE_BOARD_VIEW:
      ok = kibitz_board_view (room->board, json_object_get_int_member (object, "ply"), &error);
      break;
    case KIBITZ_MESSAGE_BOARD_SHAPES:
      ok = kibitz_board_set_shapes (room->board, json_object_get_array_member (object, "shapes"),
                                    &error);
      break;
    case KIBITZ_MESSAGE_BOARD_MOVERS:
      ok = kibitz_board_set_movers (room->board, json_object_get_array_member (object, "movers"),
                                    &error);
      break;
    default:
      g_assert_not_reached ();
    }

  if (!ok)
    {
      rooms_send_error (self, client, error->code, error->message, type_name);
      return;
    }

  if (self->config.board_dir != NULL)
    kibitz_board_store_save (self->config.board_dir, room->key, room->board);
  message = rooms_board_message (room);
  text = kibitz_message_to_string (message);
  rooms_broadcast (self, room, NULL, text);
}
