/* kibitz-call-class.c: the call in a class with a teacher (protocol.md §4):
 * our role and the room's state from the welcome, the class's messages
 * passed on as ::class-message, what a teacher asks of us done (muted:
 * the microphone goes off; a lowered hand goes down), and a teacher's
 * requests sent.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-call"

#include "config.h"

#include "kibitz-call-private.h"

static void
take_room_state (KibitzCall *self,
                 JsonObject *state)
{
  g_clear_pointer (&self->room_state, json_object_unref);
  self->room_state = state ? json_object_ref (state) : NULL;
}

static gboolean
students_may_unmute (KibitzCall *self)
{
  return self->room_state == NULL ||
         kibitz_json_get_boolean (self->room_state, "students_may_unmute", TRUE);
}

static int
find_waiting (KibitzCall *self,
              const char *id)
{
  for (guint i = 0; id != NULL && i < json_array_get_length (self->waiting); i++)
    {
      JsonObject *entry = json_array_get_object_element (self->waiting, i);

      if (entry != NULL && g_strcmp0 (kibitz_json_get_string (entry, "id"), id) == 0)
        return i;
    }
  return -1;
}

static void
forget_waiting (KibitzCall *self,
                const char *id)
{
  int i = find_waiting (self, id);

  if (i >= 0)
    json_array_remove_element (self->waiting, i);
}

/* The welcome's list (a teacher arriving after pupils knocked, or coming
 * back), then each knock adds one; withdrawn (gone or denied) and joined
 * (admitted) take one away. Entries without an id are dropped. */
static void
take_waiting (KibitzCall *self,
              JsonObject *welcome)
{
  JsonNode *node = json_object_get_member (welcome, "waiting");
  JsonArray *listed = node && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;

  g_clear_pointer (&self->waiting, json_array_unref);
  self->waiting = json_array_new ();
  for (guint i = 0; listed && i < json_array_get_length (listed); i++)
    {
      JsonNode *entry = json_array_get_element (listed, i);

      if (JSON_NODE_HOLDS_OBJECT (entry) &&
          kibitz_json_get_string (json_node_get_object (entry), "id") != NULL &&
          find_waiting (self, kibitz_json_get_string (json_node_get_object (entry), "id")) < 0)
        json_array_add_element (self->waiting, json_node_copy (entry));
    }
}

void
kibitz_call_class_joined (KibitzCall *self,
                          const char *id)
{
  if (self->waiting != NULL)
    forget_waiting (self, id);
}

/* A student while the teacher decides who speaks: a `state` with `audio:
 * true` is refused as a whole (protocol.md §4). */
gboolean
kibitz_call_class_may_not_unmute (KibitzCall *self)
{
  return g_strcmp0 (self->role, "student") == 0 && !students_may_unmute (self);
}

/* Teachers and members share when they like; a student when a teacher put
 * it in `room_state.sharers` (docs/protocol.md). */
gboolean
kibitz_call_may_share_screen (KibitzCall *self)
{
  JsonNode *list;
  JsonArray *sharers;

  g_return_val_if_fail (KIBITZ_IS_CALL (self), FALSE);

  if (g_strcmp0 (self->role, "student") != 0)
    return TRUE;
  list = self->room_state != NULL ? json_object_get_member (self->room_state, "sharers") : NULL;
  sharers = list != NULL && JSON_NODE_HOLDS_ARRAY (list) ? json_node_get_array (list) : NULL;
  for (guint i = 0; sharers != NULL && i < json_array_get_length (sharers); i++)
    {
      JsonNode *node = json_array_get_element (sharers, i);

      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING &&
          g_strcmp0 (json_node_get_string (node), kibitz_call_get_id (self)) == 0)
        return TRUE;
    }
  return FALSE;
}

/* Called before the welcome's peers are made: the relay-only policy must
 * be in force for every link. */
void
kibitz_call_class_welcome (KibitzCall *self,
                           JsonObject *welcome)
{
  const char *role = kibitz_json_get_string (welcome, "role");

  g_free (self->role);
  self->role = g_strdup (role ? role : "member");
  take_room_state (self, kibitz_json_get_object (welcome, "room_state"));
  take_waiting (self, welcome);
  /* The welcome's `state` says everything again. */
  self->announced_audio = FALSE;

  if (g_strcmp0 (kibitz_json_get_string (welcome, "ice_transport_policy"), "relay") == 0 &&
      !self->options.relay_only)
    {
      g_message ("The class uses the relay only: every link goes through the server");
      self->options.relay_only = TRUE;
    }

  /* A student let into a class whose students may not unmute comes in muted. */
  if (g_str_equal (self->role, "student") && !students_may_unmute (self))
    kibitz_call_set_microphone_enabled (self, FALSE);
}

void
kibitz_call_class_cb (KibitzSignaling *signaling,
                      const char      *type,
                      JsonObject      *message,
                      KibitzCall      *self)
{
  switch (kibitz_message_type_from_string (type))
    {
    case KIBITZ_MESSAGE_ROOM_STATE:
      take_room_state (self, message);
      /* The leave to share taken back: stop before the server says so. */
      if (kibitz_call_get_screen_shared (self) && !kibitz_call_may_share_screen (self))
        kibitz_call_stop_screen (self);
      break;
    case KIBITZ_MESSAGE_MUTED:
      kibitz_call_set_microphone_enabled (self, FALSE);
      break;
    case KIBITZ_MESSAGE_KNOCK:
      {
        JsonObject *peer = kibitz_json_get_object (message, "peer");

        if (self->waiting != NULL && peer != NULL && kibitz_json_get_string (peer, "id") &&
            find_waiting (self, kibitz_json_get_string (peer, "id")) < 0)
          json_array_add_object_element (self->waiting, json_object_ref (peer));
      }
      break;
    case KIBITZ_MESSAGE_WITHDRAWN:
      if (self->waiting != NULL)
        forget_waiting (self, kibitz_json_get_string (message, "id"));
      break;
    default:
      break;
    }

  g_signal_emit (self, kibitz_call_signals[SIGNAL_CLASS_MESSAGE], 0, type, message);
}

/* A `state` from the server about us: a teacher lowered our hand or muted
 * us. Returns TRUE if @message was ours. */
gboolean
kibitz_call_class_own_state (KibitzCall *self,
                             JsonObject *message)
{
  const char *id = kibitz_call_get_id (self);

  if (id == NULL || g_strcmp0 (kibitz_json_get_string (message, "from"), id) != 0)
    return FALSE;

  if (!kibitz_json_get_boolean (message, "hand", TRUE) && kibitz_call_get_hand_raised (self))
    kibitz_call_set_hand_raised (self, FALSE);
  if (!kibitz_json_get_boolean (message, "audio", TRUE) &&
      kibitz_call_get_microphone_enabled (self))
    kibitz_call_set_microphone_enabled (self, FALSE);
  /* The teacher took back a pupil's leave to share. */
  if (!kibitz_json_get_boolean (message, "screen", TRUE) && kibitz_call_get_screen_shared (self))
    kibitz_call_stop_screen (self);
  return TRUE;
}

const char *
kibitz_call_get_role (KibitzCall *self)
{
  g_return_val_if_fail (KIBITZ_IS_CALL (self), NULL);

  return self->role;
}

JsonObject *
kibitz_call_get_room_state (KibitzCall *self)
{
  g_return_val_if_fail (KIBITZ_IS_CALL (self), NULL);

  return self->room_state;
}

/* A teacher's request (admit, deny, lock, remove, mute, room, lower-hand,
 * invite, end): @members go into a message of @type. The server answers
 * everyone concerned, or us with ::server-error (forbidden...). */
/* Teachers: who is knocking now, oldest first ({id, name}); empty for
 * everyone else. Changes come with ::class-message (knock, withdrawn) and
 * ::participant-joined (an admitted one). */
JsonArray *
kibitz_call_get_waiting (KibitzCall *self)
{
  g_return_val_if_fail (KIBITZ_IS_CALL (self), NULL);

  if (self->waiting == NULL)
    self->waiting = json_array_new ();
  return self->waiting;
}

void
kibitz_call_send_class (KibitzCall        *self,
                        KibitzMessageType  type,
                        JsonObject        *members)
{
  g_autoptr(JsonObject) empty = NULL;

  g_return_if_fail (KIBITZ_IS_CALL (self));
  g_return_if_fail (type >= KIBITZ_MESSAGE_ADMIT && type <= KIBITZ_MESSAGE_END);

  if (members == NULL)
    members = empty = json_object_new ();
  kibitz_call_send_request (self, type, members);
}
