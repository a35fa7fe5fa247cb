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
#include "kibitz-resume-ledger.h"
#include "kibitz-rooms.h"

G_BEGIN_DECLS

typedef struct _KibitzRoom KibitzRoom;

/* A peer's role (§4); MEMBER in open rooms. */
typedef enum {
  ROOM_ROLE_MEMBER,
  ROOM_ROLE_TEACHER,
  ROOM_ROLE_STUDENT,
  /* what rooms_class_admission() says of clients that get no role */
  ROOM_ROLE_WAITING,
  ROOM_ROLE_REFUSED,                  /* the answer (room-locked) is sent */
} RoomRole;

typedef struct {
  char              *id;
  char              *name;
  KibitzRoom        *room;
  RoomRole           role;
  KibitzRoomsClient *client;          /* NULL while the socket is gone */
  gint64             grace_deadline;
  gboolean           audio;
  gboolean           video;
  gboolean           hand;
  gboolean           screen;          /* sharing a screen, as it says */
  GQueue             pending;         /* char *, signals waiting for a resume */
  gsize              pending_bytes;
} RoomPeer;

/* A client in a room's waiting room: it has an id and a name, no slot. */
typedef struct {
  char              *id;
  char              *name;
  KibitzRoom        *room;
  KibitzRoomsClient *client;
} RoomWaiter;

struct _KibitzRoom {
  char      *key;
  char      *display;
  GPtrArray *peers;                   /* RoomPeer *, in join order */
  KibitzBoard *board;
  /* §4 */
  GPtrArray *waiting;                 /* RoomWaiter *, in knock order */
  GPtrArray *hands;                   /* char * peer ids, in the order hands went up */
  char      *spotlight;
  GPtrArray *sharers;                 /* char * ids of the students who may share a screen */
  gboolean   locked;
  gboolean   students_may_unmute;
  gsize      pending_bytes;           /* of all its peers' pending queues */
};

struct _KibitzRoomsClient {
  gpointer  transport;
  RoomPeer *peer;
  RoomWaiter *waiter;
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
  char                 *public_base;
  GHashTable           *waiters;      /* id -> RoomWaiter */
  GHashTable           *revoked;      /* teacher token ids */
  GHashTable           *voided;       /* removed or ended peer id -> gint64 * unix, until then */
  GHashTable           *ended;        /* room key -> gint64 * unix ms it ended */
  KibitzResumeLedger   *ledger;       /* each id's current resume token */
  guint                 n_clients;
  gsize                 pending_bytes;  /* of every pending queue */
  KibitzRoomsCounters   counters;
};

/* kibitz-rooms.c */
char     *rooms_new_peer_id        (KibitzRooms         *self);
RoomPeer *rooms_find_peer          (KibitzRoom          *room,
                                    const char          *id);
/* Empties @peer's pending queue, from the room's and the server's totals too. */
void      rooms_drop_pending       (KibitzRooms         *self,
                                    RoomPeer            *peer);
void      rooms_remove_peer        (KibitzRooms         *self,
                                    RoomPeer            *peer,
                                    const char          *reason);
void      rooms_release_room       (KibitzRooms         *self,
                                    KibitzRoom          *room);
RoomPeer *rooms_add_peer           (KibitzRooms         *self,
                                    KibitzRoom          *room,
                                    char                *id,
                                    const char          *name,
                                    RoomRole             role);
void      rooms_attach_client      (KibitzRooms         *self,
                                    RoomPeer            *peer,
                                    KibitzRoomsClient   *client);
void      rooms_send_welcome       (KibitzRooms         *self,
                                    KibitzRoomsClient   *client,
                                    RoomPeer            *peer,
                                    gboolean             resumed);
void      rooms_announce_joined    (KibitzRooms         *self,
                                    RoomPeer            *peer);
JsonObject *rooms_peer_to_json     (RoomPeer            *peer);

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

/* kibitz-rooms-class.c */
const char *rooms_role_name        (RoomRole             role);
JsonObject *rooms_room_state       (KibitzRoom          *room);
RoomRole  rooms_class_admission    (KibitzRooms         *self,
                                    KibitzRoomsClient   *client,
                                    JsonObject          *join,
                                    const char          *room_key,
                                    gboolean             resuming,
                                    const char         **wait_reason);
void      rooms_class_wait         (KibitzRooms         *self,
                                    KibitzRoomsClient   *client,
                                    KibitzRoom          *room,
                                    const char          *name,
                                    const char          *reason);
void      rooms_class_withdraw     (KibitzRooms         *self,
                                    RoomWaiter          *waiter);
void      rooms_class_peer_gone    (KibitzRooms         *self,
                                    KibitzRoom          *room,
                                    const char          *id);
void      rooms_class_void_peer    (KibitzRooms         *self,
                                    const char          *id);
gboolean  rooms_class_state_allowed (KibitzRooms        *self,
                                    RoomPeer            *peer,
                                    JsonObject          *object);
void      rooms_class_hand_changed (KibitzRooms         *self,
                                    RoomPeer            *peer);
void      rooms_handle_class       (KibitzRooms         *self,
                                    KibitzRoomsClient   *client,
                                    KibitzMessageType    type,
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
