/* kibitz-message.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-protocol"

#include "config.h"

#include <string.h>

#include "kibitz-message.h"

static const char * const type_names[] = {
  [KIBITZ_MESSAGE_UNKNOWN] = NULL,
  [KIBITZ_MESSAGE_JOIN] = "join",
  [KIBITZ_MESSAGE_SIGNAL] = "signal",
  [KIBITZ_MESSAGE_STATE] = "state",
  [KIBITZ_MESSAGE_CHAT] = "chat",
  [KIBITZ_MESSAGE_LEAVE] = "leave",
  [KIBITZ_MESSAGE_MOVE] = "move",
  [KIBITZ_MESSAGE_BOARD_SET] = "board-set",
  [KIBITZ_MESSAGE_BOARD_VIEW] = "board-view",
  [KIBITZ_MESSAGE_BOARD_SHAPES] = "board-shapes",
  [KIBITZ_MESSAGE_BOARD_MOVERS] = "board-movers",
  [KIBITZ_MESSAGE_ADMIT] = "admit",
  [KIBITZ_MESSAGE_DENY] = "deny",
  [KIBITZ_MESSAGE_LOCK] = "lock",
  [KIBITZ_MESSAGE_REMOVE] = "remove",
  [KIBITZ_MESSAGE_MUTE] = "mute",
  [KIBITZ_MESSAGE_ROOM] = "room",
  [KIBITZ_MESSAGE_LOWER_HAND] = "lower-hand",
  [KIBITZ_MESSAGE_INVITE] = "invite",
  [KIBITZ_MESSAGE_END] = "end",
  [KIBITZ_MESSAGE_WELCOME] = "welcome",
  [KIBITZ_MESSAGE_JOINED] = "joined",
  [KIBITZ_MESSAGE_LEFT] = "left",
  [KIBITZ_MESSAGE_ERROR] = "error",
  [KIBITZ_MESSAGE_BOARD] = "board",
  [KIBITZ_MESSAGE_WAITING] = "waiting",
  [KIBITZ_MESSAGE_KNOCK] = "knock",
  [KIBITZ_MESSAGE_WITHDRAWN] = "withdrawn",
  [KIBITZ_MESSAGE_ROOM_STATE] = "room_state",
  [KIBITZ_MESSAGE_MUTED] = "muted",
  [KIBITZ_MESSAGE_REMOVED] = "removed",
  [KIBITZ_MESSAGE_ENDED] = "ended",
};

const char *
kibitz_message_type_to_string (KibitzMessageType type)
{
  if ((guint) type >= G_N_ELEMENTS (type_names))
    return NULL;

  return type_names[type];
}

KibitzMessageType
kibitz_message_type_from_string (const char *name)
{
  for (guint i = 1; i < G_N_ELEMENTS (type_names); i++)
    {
      if (g_strcmp0 (name, type_names[i]) == 0)
        return i;
    }

  return KIBITZ_MESSAGE_UNKNOWN;
}

/* Returns the frame as a JSON object with a string “type”. An unknown type is
 * not an error here: the caller answers it with “unknown-type”.
 */
JsonObject *
kibitz_message_parse (const char         *text,
                      gsize               length,
                      KibitzMessageType  *type,
                      const char        **type_name,
                      GError            **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;
  JsonObject *object;
  JsonNode *type_node;

  *type = KIBITZ_MESSAGE_UNKNOWN;
  if (type_name)
    *type_name = NULL;

  if (length > KIBITZ_MESSAGE_MAX_SIZE)
    {
      g_set_error (error, KIBITZ_PROTOCOL_ERROR, KIBITZ_PROTOCOL_ERROR_TOO_LARGE,
                   "A message may be at most %d bytes; this one has %" G_GSIZE_FORMAT,
                   KIBITZ_MESSAGE_MAX_SIZE, length);
      return NULL;
    }

  if (!json_parser_load_from_data (parser, text, length, &local_error))
    {
      g_set_error (error, KIBITZ_PROTOCOL_ERROR, KIBITZ_PROTOCOL_ERROR_BAD_REQUEST,
                   "The message is not valid JSON: %s", local_error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, KIBITZ_PROTOCOL_ERROR, KIBITZ_PROTOCOL_ERROR_BAD_REQUEST,
                           "A message must be a JSON object");
      return NULL;
    }

  object = json_node_get_object (root);
  type_node = json_object_get_member (object, "type");
  if (type_node == NULL || json_node_get_value_type (type_node) != G_TYPE_STRING)
    {
      g_set_error_literal (error, KIBITZ_PROTOCOL_ERROR, KIBITZ_PROTOCOL_ERROR_BAD_REQUEST,
                           "A message needs a string member “type”");
      return NULL;
    }

  *type = kibitz_message_type_from_string (json_node_get_string (type_node));
  if (type_name)
    *type_name = json_node_get_string (type_node);

  return json_object_ref (object);
}

static gboolean
require_string (JsonObject  *object,
                const char  *member,
                const char  *type,
                gboolean     optional,
                GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL && optional)
    return TRUE;

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, KIBITZ_PROTOCOL_ERROR, KIBITZ_PROTOCOL_ERROR_BAD_REQUEST,
                   "“%s” needs a string member “%s”", type, member);
      return FALSE;
    }

  return TRUE;
}

static gboolean
validate_state (JsonObject  *object,
                GError     **error)
{
  static const char * const members[] = { "audio", "video", "hand", "screen" };

  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    {
      JsonNode *node = json_object_get_member (object, members[i]);

      if (node != NULL && json_node_get_value_type (node) != G_TYPE_BOOLEAN)
        {
          g_set_error (error, KIBITZ_PROTOCOL_ERROR, KIBITZ_PROTOCOL_ERROR_BAD_REQUEST,
                       "“state” member “%s” must be true or false", members[i]);
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
validate_chat (JsonObject  *object,
               GError     **error)
{
  const char *text;
  glong chars;

  if (!require_string (object, "text", "chat", FALSE, error))
    return FALSE;

  text = json_object_get_string_member (object, "text");
  chars = g_utf8_strlen (text, -1);
  if (chars < 1 || chars > KIBITZ_CHAT_MAX_CHARS)
    {
      g_set_error (error, KIBITZ_PROTOCOL_ERROR, KIBITZ_PROTOCOL_ERROR_BAD_REQUEST,
                   "A chat text must have 1 to %d characters, not %ld",
                   KIBITZ_CHAT_MAX_CHARS, chars);
      return FALSE;
    }

  return TRUE;
}

/* Exactly one of two string members, as `move` (san or uci) and `board-set`
 * (fen or pgn) take.
 */
static gboolean
require_one_of (JsonObject  *object,
                const char  *a,
                const char  *b,
                const char  *type,
                GError     **error)
{
  gboolean has_a = json_object_has_member (object, a);
  gboolean has_b = json_object_has_member (object, b);

  if (has_a == has_b)
    {
      g_set_error (error, KIBITZ_PROTOCOL_ERROR, KIBITZ_PROTOCOL_ERROR_BAD_REQUEST,
                   "“%s” needs one string member, “%s” or “%s”", type, a, b);
      return FALSE;
    }
  return require_string (object, has_a ? a : b, type, FALSE, error);
}

static gboolean
require_array (JsonObject  *object,
               const char  *member,
               const char  *type,
               GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, KIBITZ_PROTOCOL_ERROR, KIBITZ_PROTOCOL_ERROR_BAD_REQUEST,
                   "“%s” needs an array member “%s”", type, member);
      return FALSE;
    }
  return TRUE;
}

static gboolean
validate_board_view (JsonObject  *object,
                     GError     **error)
{
  JsonNode *node = json_object_get_member (object, "ply");

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_INT64 ||
      json_node_get_int (node) < 0)
    {
      g_set_error_literal (error, KIBITZ_PROTOCOL_ERROR, KIBITZ_PROTOCOL_ERROR_BAD_REQUEST,
                           "“board-view” needs a member “ply”, a whole number from 0");
      return FALSE;
    }
  return TRUE;
}

/* `id` (a string) or `all: true`, as `admit`, `mute` and `lower-hand` take. */
static gboolean
require_target (JsonObject  *object,
                const char  *type,
                GError     **error)
{
  JsonNode *all = json_object_get_member (object, "all");

  if (all != NULL && json_node_get_value_type (all) == G_TYPE_BOOLEAN &&
      json_node_get_boolean (all))
    return TRUE;
  if (kibitz_json_get_string (object, "id") != NULL)
    return TRUE;

  g_set_error (error, KIBITZ_PROTOCOL_ERROR, KIBITZ_PROTOCOL_ERROR_BAD_REQUEST,
               "“%s” needs a string member “id” or “all”: true", type);
  return FALSE;
}

static gboolean
validate_room (JsonObject  *object,
               GError     **error)
{
  JsonNode *unmute = json_object_get_member (object, "students_may_unmute");
  JsonNode *spotlight = json_object_get_member (object, "spotlight");
  JsonNode *sharers = json_object_get_member (object, "sharers");

  if (unmute != NULL && json_node_get_value_type (unmute) != G_TYPE_BOOLEAN)
    {
      g_set_error_literal (error, KIBITZ_PROTOCOL_ERROR, KIBITZ_PROTOCOL_ERROR_BAD_REQUEST,
                           "“room” member “students_may_unmute” must be true or false");
      return FALSE;
    }
  if (spotlight != NULL && !JSON_NODE_HOLDS_NULL (spotlight) &&
      json_node_get_value_type (spotlight) != G_TYPE_STRING)
    {
      g_set_error_literal (error, KIBITZ_PROTOCOL_ERROR, KIBITZ_PROTOCOL_ERROR_BAD_REQUEST,
                           "“room” member “spotlight” must be a peer id or null");
      return FALSE;
    }
  if (sharers != NULL)
    {
      JsonArray *array = JSON_NODE_HOLDS_ARRAY (sharers) ? json_node_get_array (sharers) : NULL;
      guint n = array != NULL ? json_array_get_length (array) : 0;

      for (guint i = 0; array != NULL && i < n; i++)
        {
          JsonNode *element = json_array_get_element (array, i);
          const char *id = json_node_get_value_type (element) == G_TYPE_STRING
                             ? json_node_get_string (element) : NULL;

          if (id == NULL || *id == '\0' || strlen (id) > 64)
            array = NULL;
        }
      if (array == NULL || n > KIBITZ_ROOM_MAX_SHARERS)
        {
          g_set_error (error, KIBITZ_PROTOCOL_ERROR, KIBITZ_PROTOCOL_ERROR_BAD_REQUEST,
                       "“room” member “sharers” must be an array of at most %d peer ids",
                       KIBITZ_ROOM_MAX_SHARERS);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
validate_invite (JsonObject  *object,
                 GError     **error)
{
  JsonNode *ttl = json_object_get_member (object, "ttl");

  if (ttl != NULL && (json_node_get_value_type (ttl) != G_TYPE_INT64 ||
                      json_node_get_int (ttl) < KIBITZ_INVITE_TTL_MIN ||
                      json_node_get_int (ttl) > KIBITZ_INVITE_TTL_MAX))
    {
      g_set_error (error, KIBITZ_PROTOCOL_ERROR, KIBITZ_PROTOCOL_ERROR_BAD_REQUEST,
                   "“invite” member “ttl” must be a whole number of seconds from %d to %d",
                   KIBITZ_INVITE_TTL_MIN, KIBITZ_INVITE_TTL_MAX);
      return FALSE;
    }
  return TRUE;
}

static gboolean
validate_signal (JsonObject  *object,
                 GError     **error)
{
  if (!require_string (object, "to", "signal", FALSE, error))
    return FALSE;
  if (kibitz_json_get_object (object, "data") == NULL)
    {
      g_set_error_literal (error, KIBITZ_PROTOCOL_ERROR, KIBITZ_PROTOCOL_ERROR_BAD_REQUEST,
                           "“signal” needs an object member “data”");
      return FALSE;
    }
  return TRUE;
}

static gboolean
validate_lock (JsonObject  *object,
               GError     **error)
{
  JsonNode *locked = json_object_get_member (object, "locked");

  if (locked == NULL || json_node_get_value_type (locked) != G_TYPE_BOOLEAN)
    {
      g_set_error_literal (error, KIBITZ_PROTOCOL_ERROR, KIBITZ_PROTOCOL_ERROR_BAD_REQUEST,
                           "“lock” needs a member “locked”, true or false");
      return FALSE;
    }
  return TRUE;
}

/* Checks the members a client message must carry (protocol.md §2); room and
 * display names are checked by the room logic, which owns their rules.
 */
gboolean
kibitz_message_validate_client (KibitzMessageType   type,
                                JsonObject         *object,
                                GError            **error)
{
  switch (type)
    {
    case KIBITZ_MESSAGE_JOIN:
      return require_string (object, "room", "join", FALSE, error) &&
             require_string (object, "name", "join", FALSE, error) &&
             require_string (object, "resume", "join", TRUE, error) &&
             require_string (object, "teacher", "join", TRUE, error) &&
             require_string (object, "invite", "join", TRUE, error);

    case KIBITZ_MESSAGE_SIGNAL:
      return validate_signal (object, error);

    case KIBITZ_MESSAGE_STATE:
      return validate_state (object, error);

    case KIBITZ_MESSAGE_CHAT:
      return validate_chat (object, error);

    case KIBITZ_MESSAGE_LEAVE:
      return TRUE;

    /* The squares, colors and ids inside are the board's to judge. */
    case KIBITZ_MESSAGE_MOVE:
      return require_one_of (object, "san", "uci", "move", error);
    case KIBITZ_MESSAGE_BOARD_SET:
      return require_one_of (object, "fen", "pgn", "board-set", error);
    case KIBITZ_MESSAGE_BOARD_VIEW:
      return validate_board_view (object, error);
    case KIBITZ_MESSAGE_BOARD_SHAPES:
      return require_array (object, "shapes", "board-shapes", error);
    case KIBITZ_MESSAGE_BOARD_MOVERS:
      return require_array (object, "movers", "board-movers", error);

    /* Whether the ids name anyone is the room's to judge. */
    case KIBITZ_MESSAGE_ADMIT:
    case KIBITZ_MESSAGE_MUTE:
    case KIBITZ_MESSAGE_LOWER_HAND:
      return require_target (object, kibitz_message_type_to_string (type), error);
    case KIBITZ_MESSAGE_DENY:
    case KIBITZ_MESSAGE_REMOVE:
      return require_string (object, "id", kibitz_message_type_to_string (type), FALSE, error);
    case KIBITZ_MESSAGE_LOCK:
      return validate_lock (object, error);
    case KIBITZ_MESSAGE_ROOM:
      return validate_room (object, error);
    case KIBITZ_MESSAGE_INVITE:
      return validate_invite (object, error);
    case KIBITZ_MESSAGE_END:
      return TRUE;

    case KIBITZ_MESSAGE_UNKNOWN:
    case KIBITZ_MESSAGE_WELCOME:
    case KIBITZ_MESSAGE_JOINED:
    case KIBITZ_MESSAGE_LEFT:
    case KIBITZ_MESSAGE_ERROR:
    case KIBITZ_MESSAGE_BOARD:
    case KIBITZ_MESSAGE_WAITING:
    case KIBITZ_MESSAGE_KNOCK:
    case KIBITZ_MESSAGE_WITHDRAWN:
    case KIBITZ_MESSAGE_ROOM_STATE:
    case KIBITZ_MESSAGE_MUTED:
    case KIBITZ_MESSAGE_REMOVED:
    case KIBITZ_MESSAGE_ENDED:
    default:
      g_set_error_literal (error, KIBITZ_PROTOCOL_ERROR, KIBITZ_PROTOCOL_ERROR_UNKNOWN_TYPE,
                           "This message type is not one a client sends");
      return FALSE;
    }
}

JsonObject *
kibitz_message_new (KibitzMessageType type)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "type", kibitz_message_type_to_string (type));

  return object;
}

JsonObject *
kibitz_message_new_error (KibitzProtocolError  code,
                          const char          *message,
                          const char          *ref)
{
  JsonObject *object = kibitz_message_new (KIBITZ_MESSAGE_ERROR);
  /* A sentence may quote what the client sent (json-glib's parse errors
   * do), bytes that are not UTF-8 included: the answer must still be JSON,
   * which json-glib does not check when it writes. */
  g_autofree char *valid_message = g_utf8_make_valid (message, -1);
  g_autofree char *valid_ref = ref ? g_utf8_make_valid (ref, -1) : NULL;

  json_object_set_string_member (object, "code", kibitz_protocol_error_to_code (code));
  json_object_set_string_member (object, "message", valid_message);
  if (valid_ref != NULL)
    json_object_set_string_member (object, "ref", valid_ref);

  return object;
}

char *
kibitz_message_to_string (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (node, object);

  return json_to_string (node, FALSE);
}

const char *
kibitz_json_get_string (JsonObject *object,
                        const char *member)
{
  JsonNode *node = object ? json_object_get_member (object, member) : NULL;

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

JsonObject *
kibitz_json_get_object (JsonObject *object,
                        const char *member)
{
  JsonNode *node = object ? json_object_get_member (object, member) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;

  return json_node_get_object (node);
}

gboolean
kibitz_json_get_boolean (JsonObject *object,
                         const char *member,
                         gboolean    fallback)
{
  JsonNode *node = object ? json_object_get_member (object, member) : NULL;

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return fallback;

  return json_node_get_boolean (node);
}
