/* kibitz-rooms.h: the signaling room logic of protocol.md §2, classes with
 * a teacher (§4), and each room's shared board (§5), without sockets.
 *
 * Text frames (valid UTF-8: the WebSocket layer checks every text message)
 * go in through kibitz_rooms_receive(); frames to send and sockets to close
 * come out through a KibitzRoomsTransport. Time comes from a clock
 * the caller can replace, so tests drive grace periods and rate limits.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "kibitz-ice-config.h"
#include "kibitz-protocol-error.h"

G_BEGIN_DECLS

typedef struct _KibitzRooms       KibitzRooms;
typedef struct _KibitzRoomsClient KibitzRoomsClient;

typedef struct {
  void (*send)  (gpointer    transport,
                 const char *text,
                 gpointer    user_data);
  void (*close) (gpointer    transport,
                 gushort     code,
                 const char *reason,
                 gpointer    user_data);
  /* Optional, for the relay's room scope (protocol.md §4): @peer_id is in
   * the room named @room (its display name, the same for all its members:
   * what /metrics shows) on @transport (at every join, resume and admission);
   * @peer_id is no longer in its room, and with @voided its credentials no
   * longer work (removed, the class ended). */
  void (*member) (gpointer    transport,
                  const char *peer_id,
                  const char *room,
                  gpointer    user_data);
  void (*gone)   (const char *peer_id,
                  gboolean    voided,
                  gpointer    user_data);
} KibitzRoomsTransport;

/* protocol.md §4: who gets into a room. */
typedef enum {
  KIBITZ_ROOM_POLICY_TEACHER,   /* the default: teachers admit, invites let in */
  KIBITZ_ROOM_POLICY_OPEN,      /* §2 as it was: everyone who knows the name */
} KibitzRoomPolicy;

typedef struct {
  const char            *secret;
  KibitzRoomPolicy       policy;
  gboolean               student_relay_only; /* students' welcome says relay only */
  /* What invite links start with, e.g. "https://class.example" (no slash at
   * the end); NULL: "http://localhost". */
  const char            *public_base;
  guint                  max_room_size;     /* default 20 */
  guint                  grace_seconds;     /* default 15 */
  guint                  rate_burst;        /* messages; default 1000 */
  guint                  rate_per_second;   /* default 200 */
  const KibitzIceConfig *ice;               /* may be NULL: no ICE servers */
  /* Where each room's board is kept across restarts (the server's state
   * directory's boards/); NULL keeps a board only while its room has members. */
  const char            *board_dir;
  const char            *resume_path;       /* the resume-token ledger; NULL: in memory */
  guint                  board_max_moves;   /* default 1000, protocol.md §5 */
} KibitzRoomsConfig;

typedef struct {
  guint64 messages_received;
  guint64 messages_relayed;
  guint64 joins;
  guint64 resumes;
  guint64 timeouts;
  guint64 knocks;
  guint64 admits;
  guint64 removals;
  guint64 errors[KIBITZ_PROTOCOL_N_ERRORS];
} KibitzRoomsCounters;

typedef gint64 (*KibitzClockFunc) (void);

KibitzRooms       *kibitz_rooms_new          (const KibitzRoomsConfig    *config,
                                              const KibitzRoomsTransport *transport,
                                              gpointer                    user_data);
void               kibitz_rooms_free         (KibitzRooms                *self);
void               kibitz_rooms_set_clock    (KibitzRooms                *self,
                                              KibitzClockFunc             monotonic_usec,
                                              KibitzClockFunc             real_usec);

KibitzRoomsClient *kibitz_rooms_open         (KibitzRooms                *self,
                                              gpointer                    transport);
void               kibitz_rooms_receive      (KibitzRooms                *self,
                                              KibitzRoomsClient          *client,
                                              const char                 *text,
                                              gsize                       length);
void               kibitz_rooms_refuse       (KibitzRooms                *self,
                                              KibitzRoomsClient          *client,
                                              KibitzProtocolError         code,
                                              const char                 *message,
                                              const char                 *ref,
                                              gushort                     close_code);
void               kibitz_rooms_closed       (KibitzRooms                *self,
                                              KibitzRoomsClient          *client);
void               kibitz_rooms_tick         (KibitzRooms                *self);

guint              kibitz_rooms_n_clients    (KibitzRooms                *self);
guint              kibitz_rooms_n_rooms      (KibitzRooms                *self);
guint              kibitz_rooms_n_peers      (KibitzRooms                *self);
guint              kibitz_rooms_n_waiting    (KibitzRooms                *self);
void               kibitz_rooms_set_public_base (KibitzRooms             *self,
                                              const char                 *base);
/* Teacher token ids (kibitz_teacher_token_id()) that no longer let anyone
 * in; replaces the list. */
void               kibitz_rooms_set_revoked  (KibitzRooms                *self,
                                              const char * const         *token_ids);
/* Whether @peer_id was removed from its class or its class ended: its
 * resume token and its TURN credentials are void. */
gboolean           kibitz_rooms_peer_voided  (KibitzRooms                *self,
                                              const char                 *peer_id);
const KibitzRoomsCounters *
                   kibitz_rooms_get_counters (KibitzRooms                *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KibitzRooms, kibitz_rooms_free)

G_END_DECLS
