/* rooms-fake.h: the room logic with fake sockets and a fake clock, for the
 * tests of src/server/rooms.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "kibitz-rooms.h"

/* One fake socket: what the room logic sent it, and whether it closed it. */
typedef struct {
  GPtrArray         *sent;        /* JsonObject * */
  char              *last_text;   /* the last frame exactly as sent */
  gushort            close_code;
  gboolean           closed;
  KibitzRoomsClient *client;
} Socket;

/* Both clocks of every fake room (microseconds); tests move it. */
extern gint64 fake_now;

KibitzRooms *fake_rooms_new (const KibitzRoomsConfig *config);
Socket      *socket_open    (KibitzRooms *rooms);
void         socket_free    (Socket      *socket);
/* The socket went away (as libsoup would report it). */
void         socket_drop    (KibitzRooms *rooms,
                             Socket      *socket);
void         socket_send    (KibitzRooms *rooms,
                             Socket      *socket,
                             const char  *text);
/* Takes the oldest sent message of @type, or NULL. */
JsonObject  *socket_take    (Socket      *socket,
                             const char  *type);
/* Takes the oldest `error` and checks its code. */
void         assert_error   (Socket      *socket,
                             const char  *code);
