/* kibitz-message.h: the signaling messages of protocol.md §2, §4 and §5 as JSON
 * objects.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "kibitz-protocol-error.h"

G_BEGIN_DECLS

/* The largest text frame either side accepts (protocol.md §2). */
#define KIBITZ_MESSAGE_MAX_SIZE   (64 * 1024)
#define KIBITZ_CHAT_MAX_CHARS     2000
/* room.sharers: the students a teacher lets share a screen. */
#define KIBITZ_ROOM_MAX_SHARERS   64
#define KIBITZ_NAME_MAX_CHARS     64

typedef enum {
  KIBITZ_MESSAGE_UNKNOWN,
  KIBITZ_MESSAGE_JOIN,
  KIBITZ_MESSAGE_SIGNAL,
  KIBITZ_MESSAGE_STATE,
  KIBITZ_MESSAGE_CHAT,
  KIBITZ_MESSAGE_LEAVE,
  /* The shared board, §5 */
  KIBITZ_MESSAGE_MOVE,
  KIBITZ_MESSAGE_BOARD_SET,
  KIBITZ_MESSAGE_BOARD_VIEW,
  KIBITZ_MESSAGE_BOARD_SHAPES,
  KIBITZ_MESSAGE_BOARD_MOVERS,
  /* Classes with a teacher, §4: from teachers; `invite` is also the answer */
  KIBITZ_MESSAGE_ADMIT,
  KIBITZ_MESSAGE_DENY,
  KIBITZ_MESSAGE_LOCK,
  KIBITZ_MESSAGE_REMOVE,
  KIBITZ_MESSAGE_MUTE,
  KIBITZ_MESSAGE_ROOM,
  KIBITZ_MESSAGE_LOWER_HAND,
  KIBITZ_MESSAGE_INVITE,
  KIBITZ_MESSAGE_END,
  /* Server to client from here on */
  KIBITZ_MESSAGE_WELCOME,
  KIBITZ_MESSAGE_JOINED,
  KIBITZ_MESSAGE_LEFT,
  KIBITZ_MESSAGE_ERROR,
  KIBITZ_MESSAGE_BOARD,
  KIBITZ_MESSAGE_WAITING,
  KIBITZ_MESSAGE_KNOCK,
  KIBITZ_MESSAGE_WITHDRAWN,
  KIBITZ_MESSAGE_ROOM_STATE,
  KIBITZ_MESSAGE_MUTED,
  KIBITZ_MESSAGE_REMOVED,
  KIBITZ_MESSAGE_ENDED,
} KibitzMessageType;

/* Invite lifetimes a teacher may ask for (§4), in seconds. */
#define KIBITZ_INVITE_TTL_MIN      60
#define KIBITZ_INVITE_TTL_MAX      604800
#define KIBITZ_INVITE_TTL_DEFAULT  86400

const char        *kibitz_message_type_to_string   (KibitzMessageType  type);
KibitzMessageType  kibitz_message_type_from_string (const char        *name);

JsonObject *kibitz_message_parse           (const char         *text,
                                            gsize               length,
                                            KibitzMessageType  *type,
                                            const char        **type_name,
                                            GError            **error);
gboolean    kibitz_message_validate_client (KibitzMessageType   type,
                                            JsonObject         *object,
                                            GError            **error);

JsonObject *kibitz_message_new             (KibitzMessageType   type);
JsonObject *kibitz_message_new_error       (KibitzProtocolError code,
                                            const char         *message,
                                            const char         *ref);
char       *kibitz_message_to_string       (JsonObject         *object);

/* Typed member access that treats a missing or mistyped member as absent. */
const char *kibitz_json_get_string         (JsonObject         *object,
                                            const char         *member);
JsonObject *kibitz_json_get_object         (JsonObject         *object,
                                            const char         *member);
gboolean    kibitz_json_get_boolean        (JsonObject         *object,
                                            const char         *member,
                                            gboolean            fallback);

G_END_DECLS
