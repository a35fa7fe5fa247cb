/* fuzz-class.c: libFuzzer target for classes with a teacher (protocol.md §4)
 * in the room logic.
 *
 * A class under the default policy: a teacher (on a key), a student (on an
 * invite), a stranger in the waiting room and a client that has not joined.
 * Each line of the input is one message; its first character picks the
 * sender ('0' to '3'), the rest is the frame (valid UTF-8, as the WebSocket
 * layer guarantees). Peer ids are deterministic (the random seed is fixed),
 * so the corpus can name them. Whatever is sent: every frame the server sends
 * is a JSON object with a string `type`, every `error` has a code and a
 * sentence, nothing is sent on a socket after it was closed, and a client
 * that waits is told nothing of the class until it is let in.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kibitz-class-token.h"
#include "kibitz-message.h"
#include "kibitz-rooms.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

#define MAX_LINES 64
#define N_SOCKETS 4
#define SECRET    "fuzz-secret"
#define NOW_S     1000000

typedef struct {
  gboolean closed;
  gboolean admitted;   /* has had a welcome */
  gboolean freed;
  KibitzRoomsClient *client;
} Socket;

static void
check (gboolean    condition,
       const char *what)
{
  if (!condition)
    {
      g_printerr ("fuzz-class: %s\n", what);
      abort ();
    }
}

/* What a client that waits may hear: about itself, and the end. */
static gboolean
for_a_waiting_client (const char *type)
{
  return g_str_equal (type, "waiting") || g_str_equal (type, "error") ||
         g_str_equal (type, "welcome") || g_str_equal (type, "ended");
}

static void
record_send (gpointer    transport,
             const char *text,
             gpointer    user_data)
{
  Socket *socket = transport;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonObject *object;
  const char *type;

  check (!socket->closed, "a frame sent after the socket was closed");
  check (json_parser_load_from_data (parser, text, -1, NULL), "the server sent broken JSON");
  root = json_parser_get_root (parser);
  check (root != NULL && JSON_NODE_HOLDS_OBJECT (root), "the server sent a non-object");
  object = json_node_get_object (root);
  type = json_object_get_string_member_with_default (object, "type", NULL);
  check (type != NULL, "a frame without a type");
  if (g_str_equal (type, "error"))
    {
      check (json_object_get_string_member_with_default (object, "code", NULL) != NULL,
             "an error without a code");
      check (strlen (json_object_get_string_member_with_default (object, "message", "")) > 10,
             "an error without a sentence");
    }
  if (!socket->admitted)
    check (for_a_waiting_client (type), "a client that is not in the class heard of it");
  if (g_str_equal (type, "welcome"))
    socket->admitted = TRUE;
}

static void
record_close (gpointer    transport,
              gushort     code,
              const char *reason,
              gpointer    user_data)
{
  ((Socket *) transport)->closed = TRUE;
}

static gint64
fixed_clock (void)
{
  return (gint64) NOW_S * G_USEC_PER_SEC;
}

static void
send_text (KibitzRooms *rooms,
           Socket      *socket,
           const char  *text)
{
  if (!socket->freed)
    kibitz_rooms_receive (rooms, socket->client, text, strlen (text));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static const KibitzRoomsTransport transport = { record_send, record_close, NULL, NULL };
  const KibitzRoomsConfig config = { .secret = SECRET, .max_room_size = 3 };
  const char *text = (const char *) data;
  g_autofree char *copy = NULL;
  g_autofree char *teacher = NULL;
  g_autofree char *invite = NULL;
  g_autofree char *join = NULL;
  g_auto(GStrv) lines = NULL;
  Socket sockets[N_SOCKETS] = { { 0 } };
  KibitzRooms *rooms;

  if (!g_utf8_validate_len (text, size, NULL) || memchr (text, '\0', size) != NULL)
    return 0;
  copy = g_strndup (text, size);
  lines = g_strsplit (copy, "\n", MAX_LINES + 1);

  g_random_set_seed (1);
  rooms = kibitz_rooms_new (&config, &transport, NULL);
  kibitz_rooms_set_clock (rooms, fixed_clock, fixed_clock);
  for (guint i = 0; i < N_SOCKETS; i++)
    sockets[i].client = kibitz_rooms_open (rooms, &sockets[i]);

  teacher = kibitz_teacher_token_new (SECRET, "T", NOW_S + 3600);
  invite = kibitz_invite_code_new (SECRET, "r", (gint64) NOW_S * 1000 - 1, NOW_S + 3600);
  join = g_strdup_printf ("{\"type\":\"join\",\"room\":\"r\",\"name\":\"T\",\"teacher\":\"%s\"}",
                          teacher);
  send_text (rooms, &sockets[0], join);
  g_free (join);
  join = g_strdup_printf ("{\"type\":\"join\",\"room\":\"r\",\"name\":\"S\",\"invite\":\"%s\"}",
                          invite);
  send_text (rooms, &sockets[1], join);
  send_text (rooms, &sockets[2], "{\"type\":\"join\",\"room\":\"r\",\"name\":\"W\"}");
  check (sockets[0].admitted && sockets[1].admitted && !sockets[2].admitted,
         "the class did not start as a teacher, a student and one who waits");

  for (guint i = 0; lines[i] != NULL && i < MAX_LINES; i++)
    {
      guint who = (guint) (lines[i][0] - '0');

      if (who >= N_SOCKETS)
        continue;
      /* "3x" drops that socket, as a closed connection would. */
      if (lines[i][1] == 'x' && lines[i][2] == '\0')
        {
          if (!sockets[who].freed)
            {
              kibitz_rooms_closed (rooms, sockets[who].client);
              sockets[who].freed = TRUE;
            }
          continue;
        }
      send_text (rooms, &sockets[who], lines[i] + 1);
      kibitz_rooms_tick (rooms);
    }

  for (guint i = 0; i < N_SOCKETS; i++)
    if (!sockets[i].freed)
      kibitz_rooms_closed (rooms, sockets[i].client);
  kibitz_rooms_free (rooms);
  return 0;
}
