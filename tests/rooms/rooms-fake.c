/* rooms-fake.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "rooms-fake.h"

gint64 fake_now;

static gint64
fake_clock (void)
{
  return fake_now;
}


static void
record_send (gpointer    transport,
             const char *text,
             gpointer    user_data)
{
  Socket *socket = transport;
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_free (socket->last_text);
  socket->last_text = g_strdup (text);
  g_assert_true (json_parser_load_from_data (parser, text, -1, NULL));
  g_ptr_array_add (socket->sent, json_object_ref (json_node_get_object (json_parser_get_root (parser))));
}

static void
record_close (gpointer    transport,
              gushort     code,
              const char *reason,
              gpointer    user_data)
{
  Socket *socket = transport;

  socket->closed = TRUE;
  socket->close_code = code;
}

static const KibitzRoomsTransport transport = { record_send, record_close };

KibitzRooms *
fake_rooms_new (const KibitzRoomsConfig *config)
{
  KibitzRooms *rooms = kibitz_rooms_new (config, &transport, NULL);

  fake_now = 1000 * G_USEC_PER_SEC;
  kibitz_rooms_set_clock (rooms, fake_clock, fake_clock);

  return rooms;
}

Socket *
socket_open (KibitzRooms *rooms)
{
  Socket *socket = g_new0 (Socket, 1);

  socket->sent = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  socket->client = kibitz_rooms_open (rooms, socket);

  return socket;
}

void
socket_free (Socket *socket)
{
  g_ptr_array_unref (socket->sent);
  g_free (socket->last_text);
  g_free (socket);
}

/* The socket went away (as libsoup would report it). */
void
socket_drop (KibitzRooms *rooms,
             Socket      *socket)
{
  kibitz_rooms_closed (rooms, socket->client);
  socket_free (socket);
}

void
socket_send (KibitzRooms *rooms,
             Socket      *socket,
             const char  *text)
{
  kibitz_rooms_receive (rooms, socket->client, text, strlen (text));
}

/* Takes the oldest sent message of @type, or NULL. */
JsonObject *
socket_take (Socket     *socket,
             const char *type)
{
  for (guint i = 0; i < socket->sent->len; i++)
    {
      JsonObject *object = g_ptr_array_index (socket->sent, i);

      if (g_str_equal (json_object_get_string_member (object, "type"), type))
        return g_ptr_array_steal_index (socket->sent, i);
    }

  return NULL;
}

void
assert_error (Socket     *socket,
              const char *code)
{
  g_autoptr(JsonObject) error = socket_take (socket, "error");

  g_assert_nonnull (error);
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, code);
}
