/* kibitz-rooms-private.h: the state of the rooms, shared by the files of
 * src/server/rooms only: kibitz-rooms.c (the registry, join, leave, the
 * dispatch), kibitz-rooms-relay.c (what goes out, what is relayed) and
 * kibitz-rooms-board.c (the shared board).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "kibitz-board.h"
#include "kibitz-message.h"
#include "kibitz-rooms.h"

G_BEGIN_DECLS

typedef struct _KibitzRoom KibitzRoom;

typedef struct {
  char              *id;
  char              *name;
  KibitzRoom        *room;
  KibitzRoomsClient *client;          /* NULL while the socket is gone */
  gint64             grace_deadline;
  gboolean           audio;
  gboolean           video;
  gboolean           hand;
  GQueue             pending;         /* char *, signals waiting for a resume */
  gsize              pending_bytes;
} RoomPeer;

struct _KibitzRoom {
  char      *key;
  char      *display;
  GPtrArray *peers;                   /* RoomPeer *, in join order */
  KibitzBoard *board;
};

struct _KibitzRoomsClient {
  gpointer  transport;
  RoomPeer *peer;
  double    tokens;
  gint64    refilled_at;
  gint64    rate_error_at;
  gboolean  closed;
};

struct _KibitzRooms {
  KibitzRoomsConfig     config;
  char                 *secret;
  char                 *board_dir;
  KibitzRoomsTransport  transport;
  gpointer              user_data;
  KibitzClockFunc       monotonic;
  KibitzClockFunc       realtime;
  GHashTable           *rooms;        /* key -> KibitzRoom */
  GHashTable           *peers;        /* id -> RoomPeer */
  GHashTable           *history;      /* id -> room display name, outlives peers */
  guint                 n_clients;
  KibitzRoomsCounters   counters;
};

/* kibitz-rooms.c */
RoomPeer *rooms_find_peer          (KibitzRoom          *room,
                                    const char          *id);

/* kibitz-rooms-relay.c */
void      rooms_send_text          (KibitzRooms         *self,
                                    KibitzRoomsClient   *client,
                                    const char          *text);
void      rooms_send_object        (KibitzRooms         *self,
                                    KibitzRoomsClient   *client,
                                    JsonObject          *object);
void      rooms_send_error         (KibitzRooms         *self,
                                    KibitzRoomsClient   *client,
                                    KibitzProtocolError  code,
                                    const char          *message,
                                    const char          *ref);
void      rooms_close_client       (KibitzRooms         *self,
                                    KibitzRoomsClient   *client,
                                    gushort              code,
                                    const char          *reason);
void      rooms_broadcast          (KibitzRooms         *self,
                                    KibitzRoom          *room,
                                    RoomPeer            *except,
                                    const char          *text);
void      rooms_handle_signal      (KibitzRooms         *self,
                                    KibitzRoomsClient   *client,
                                    JsonObject          *object);
gboolean  rooms_handle_signal_fast (KibitzRooms         *self,
                                    KibitzRoomsClient   *client,
                                    const char          *text,
                                    gsize                length);
void      rooms_handle_state       (KibitzRooms         *self,
                                    KibitzRoomsClient   *client,
                                    JsonObject          *object);
void      rooms_handle_chat        (KibitzRooms         *self,
                                    KibitzRoomsClient   *client,
                                    JsonObject          *object);

/* kibitz-rooms-board.c */
KibitzBoard *rooms_board_open      (KibitzRooms         *self,
                                    const char          *room_key);
JsonObject  *rooms_board_message   (KibitzRoom          *room);
void         rooms_handle_board    (KibitzRooms         *self,
                                    KibitzRoomsClient   *client,
                                    KibitzMessageType    type,
                                    JsonObject          *object);

G_END_DECLS
