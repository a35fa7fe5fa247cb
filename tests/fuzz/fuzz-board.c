/* fuzz-board.c: libFuzzer target for the rooms' shared board (protocol.md §5).
 *
 * Each line of the input is one message from a member of a two-member room
 * (valid UTF-8, as the WebSocket layer guarantees). Whatever it says, its
 * sender gets exactly one answer, an `error` with a code and a sentence or
 * the new `board`; a `board` reaches the other member byte for byte, fits in
 * a message, and reads back (every move replayed) into the same state.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kibitz-board.h"
#include "kibitz-message.h"
#include "kibitz-rooms.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

#define MAX_LINES 64

typedef struct {
  GPtrArray *sent;   /* char * */
} Socket;

static void
check (gboolean    condition,
       const char *what)
{
  if (!condition)
    {
      g_printerr ("fuzz-board: %s\n", what);
      abort ();
    }
}

static void
record_send (gpointer    transport,
             const char *text,
             gpointer    user_data)
{
  g_ptr_array_add (((Socket *) transport)->sent, g_strdup (text));
}

static void
record_close (gpointer    transport,
              gushort     code,
              const char *reason,
              gpointer    user_data)
{
}

static gint64
fixed_clock (void)
{
  return 1000 * G_USEC_PER_SEC;
}

static JsonObject *
parse (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  check (json_parser_load_from_data (parser, text, -1, NULL), "the server sent broken JSON");
  root = json_parser_get_root (parser);
  check (root != NULL && JSON_NODE_HOLDS_OBJECT (root), "the server sent a non-object");
  return json_object_ref (json_node_get_object (root));
}

/* The board read back from what was sent says the same. */
static void
check_board (const char *text)
{
  g_autoptr(JsonObject) message = parse (text);
  g_autoptr(KibitzBoard) board = NULL;
  g_autoptr(JsonObject) again = NULL;
  g_autoptr(JsonNode) a = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonNode) b = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(GError) error = NULL;

  check (strlen (text) <= KIBITZ_BOARD_MAX_SIZE, "a board over 64 KiB");
  json_object_remove_member (message, "type");
  board = kibitz_board_new_from_json (message, 0, &error);
  if (board == NULL)
    g_printerr ("fuzz-board: %s\n", error->message);
  check (board != NULL, "a board that does not read back");
  again = kibitz_board_to_json (board);
  json_node_set_object (a, message);
  json_node_set_object (b, again);
  check (json_node_equal (a, b), "a board that reads back as another");
}

static Socket *
socket_new (void)
{
  Socket *socket = g_new0 (Socket, 1);

  socket->sent = g_ptr_array_new_with_free_func (g_free);
  return socket;
}

static void
socket_free (Socket *socket)
{
  g_ptr_array_unref (socket->sent);
  g_free (socket);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static const KibitzRoomsTransport transport = { record_send, record_close };
  const KibitzRoomsConfig config = { .secret = "fuzz", .policy = KIBITZ_ROOM_POLICY_OPEN };
  const char *text = (const char *) data;
  g_autofree char *copy = NULL;
  g_auto(GStrv) lines = NULL;
  KibitzRooms *rooms;
  KibitzRoomsClient *clients[2];
  Socket *sockets[2];

  if (!g_utf8_validate_len (text, size, NULL) || memchr (text, '\0', size) != NULL)
    return 0;
  copy = g_strndup (text, size);
  lines = g_strsplit (copy, "\n", MAX_LINES + 1);

  rooms = kibitz_rooms_new (&config, &transport, NULL);
  kibitz_rooms_set_clock (rooms, fixed_clock, fixed_clock);
  for (guint i = 0; i < 2; i++)
    {
      const char *join = i == 0 ? "{\"type\":\"join\",\"room\":\"r\",\"name\":\"A\"}"
                                : "{\"type\":\"join\",\"room\":\"r\",\"name\":\"B\"}";

      sockets[i] = socket_new ();
      clients[i] = kibitz_rooms_open (rooms, sockets[i]);
      kibitz_rooms_receive (rooms, clients[i], join, strlen (join));
    }
  g_ptr_array_set_size (sockets[0]->sent, 0);
  g_ptr_array_set_size (sockets[1]->sent, 0);

  for (guint i = 0; lines[i] != NULL && i < MAX_LINES; i++)
    {
      g_autoptr(JsonObject) answer = NULL;
      g_autoptr(JsonObject) asked = NULL;
      KibitzMessageType asked_type;
      const char *type;

      /* Only the board's messages: a `leave` or a `join` would end the game,
       * and `state`, `signal` and `chat` are answered elsewhere or not at all. */
      asked = kibitz_message_parse (lines[i], strlen (lines[i]), &asked_type, NULL, NULL);
      if (asked == NULL || asked_type < KIBITZ_MESSAGE_MOVE ||
          asked_type > KIBITZ_MESSAGE_BOARD_MOVERS)
        continue;
      kibitz_rooms_receive (rooms, clients[0], lines[i], strlen (lines[i]));
      check (sockets[0]->sent->len == 1, "not exactly one answer to the sender");
      answer = parse (g_ptr_array_index (sockets[0]->sent, 0));
      type = json_object_get_string_member_with_default (answer, "type", "");
      if (g_str_equal (type, "board"))
        {
          check (sockets[1]->sent->len == 1 &&
                 g_str_equal (g_ptr_array_index (sockets[0]->sent, 0),
                              g_ptr_array_index (sockets[1]->sent, 0)),
                 "the other member saw another board");
          check_board (g_ptr_array_index (sockets[0]->sent, 0));
        }
      else if (g_str_equal (type, "error"))
        {
          check (strlen (json_object_get_string_member_with_default (answer, "message", "")) > 10,
                 "an error without a sentence");
          check (json_object_get_string_member_with_default (answer, "code", NULL) != NULL,
                 "an error without a code");
        }
      /* chat echoes, state and signal go elsewhere: not the board's. */
      g_ptr_array_set_size (sockets[0]->sent, 0);
      g_ptr_array_set_size (sockets[1]->sent, 0);
    }

  for (guint i = 0; i < 2; i++)
    {
      kibitz_rooms_closed (rooms, clients[i]);
      socket_free (sockets[i]);
    }
  kibitz_rooms_free (rooms);
  return 0;
}
