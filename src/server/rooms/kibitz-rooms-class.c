/* kibitz-rooms-class.c: classes with a teacher (protocol.md §4): who is let
 * in and who waits, the waiting room, the room state (lock, unmute rule,
 * spotlight, the queue of raised hands) and what teachers do.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-rooms"

#include "config.h"

#include "kibitz-class-token.h"
#include "kibitz-message.h"
#include "kibitz-rooms-private.h"

#define WAITING_MAX        64
/* A removed peer's resume token and TURN credentials stay void at least as
 * long as either can live (24 h by default; a week covers configured TTLs). */
#define VOID_SECONDS       (7 * 24 * 3600)
/* An ended class voids the invites made before; invites live a week at most. */
#define ENDED_SECONDS      KIBITZ_INVITE_TTL_MAX
#define ENDED_MAX          100000
#define VOIDED_MAX         100000

const char *
rooms_role_name (RoomRole role)
{
  switch (role)
    {
    case ROOM_ROLE_TEACHER:
      return "teacher";
    case ROOM_ROLE_STUDENT:
      return "student";
    case ROOM_ROLE_MEMBER:
    case ROOM_ROLE_WAITING:
    case ROOM_ROLE_REFUSED:
    default:
      return "member";
    }
}

static gint64
now_unix (KibitzRooms *self)
{
  return self->realtime () / G_USEC_PER_SEC;
}

/* The members of `room_state`, without `type`. */
JsonObject *
rooms_room_state (KibitzRoom *room)
{
  JsonObject *state = json_object_new ();
  JsonArray *hands = json_array_new ();
  JsonArray *sharers = json_array_new ();

  for (guint i = 0; i < room->hands->len; i++)
    json_array_add_string_element (hands, g_ptr_array_index (room->hands, i));
  for (guint i = 0; i < room->sharers->len; i++)
    json_array_add_string_element (sharers, g_ptr_array_index (room->sharers, i));

  json_object_set_boolean_member (state, "locked", room->locked);
  json_object_set_boolean_member (state, "students_may_unmute", room->students_may_unmute);
  if (room->spotlight != NULL)
    json_object_set_string_member (state, "spotlight", room->spotlight);
  else
    json_object_set_null_member (state, "spotlight");
  json_object_set_array_member (state, "hands", hands);
  json_object_set_array_member (state, "sharers", sharers);

  return state;
}

static void
broadcast_room_state (KibitzRooms *self,
                      KibitzRoom  *room)
{
  g_autoptr(JsonObject) message = kibitz_message_new (KIBITZ_MESSAGE_ROOM_STATE);
  g_autoptr(JsonObject) state = rooms_room_state (room);
  g_autofree char *text = NULL;
  JsonObjectIter iter;
  const char *member;
  JsonNode *node;

  json_object_iter_init (&iter, state);
  while (json_object_iter_next (&iter, &member, &node))
    json_object_set_member (message, member, json_node_copy (node));
  text = kibitz_message_to_string (message);
  rooms_broadcast (self, room, NULL, text);
}

static void
send_to_teachers (KibitzRooms *self,
                  KibitzRoom  *room,
                  JsonObject  *message)
{
  g_autofree char *text = kibitz_message_to_string (message);

  for (guint i = 0; i < room->peers->len; i++)
    {
      RoomPeer *peer = g_ptr_array_index (room->peers, i);

      if (peer->role == ROOM_ROLE_TEACHER && peer->client != NULL)
        rooms_send_text (self, peer->client, text);
    }
}

/* A message with only `by`: muted, removed, ended. */
static void
send_by (KibitzRooms       *self,
         KibitzRoomsClient *client,
         KibitzMessageType  type,
         RoomPeer          *by)
{
  g_autoptr(JsonObject) message = kibitz_message_new (type);

  if (client == NULL)
    return;
  json_object_set_string_member (message, "by", by->id);
  rooms_send_object (self, client, message);
}

/* Admission */

static gboolean
invite_voided_by_end (KibitzRooms *self,
                      const char  *room_key,
                      gint64       issued_ms)
{
  gint64 *ended_ms = g_hash_table_lookup (self->ended, room_key);

  return ended_ms != NULL && issued_ms <= *ended_ms;
}

RoomRole
rooms_class_admission (KibitzRooms       *self,
                       KibitzRoomsClient *client,
                       JsonObject        *join,
                       const char        *room_key,
                       gboolean           resuming,
                       const char       **wait_reason)
{
  const char *teacher = kibitz_json_get_string (join, "teacher");
  const char *invite = kibitz_json_get_string (join, "invite");
  KibitzRoom *room = g_hash_table_lookup (self->rooms, room_key);
  g_autofree char *invite_room = NULL;
  gint64 issued = 0;

  if (self->config.policy == KIBITZ_ROOM_POLICY_OPEN)
    return ROOM_ROLE_MEMBER;

  if (teacher != NULL)
    {
      g_autofree char *token_id = NULL;
      KibitzTokenCheck check = kibitz_teacher_token_verify (self->secret, teacher,
                                                            now_unix (self), &token_id, NULL);

      if (check == KIBITZ_TOKEN_VALID && !g_hash_table_contains (self->revoked, token_id))
        return ROOM_ROLE_TEACHER;

      rooms_send_error (self, client, KIBITZ_PROTOCOL_ERROR_BAD_TOKEN,
                        check == KIBITZ_TOKEN_EXPIRED
                          ? "This teacher key has expired: ask the school's administrator for a new one"
                          : check == KIBITZ_TOKEN_VALID
                            ? "This teacher key was withdrawn by the school's administrator"
                            : "This teacher key is not valid on this server: check that it was copied whole",
                        "join");
    }

  if (resuming)
    return ROOM_ROLE_STUDENT;

  if (room != NULL && room->locked)
    {
      g_autofree char *message = g_strdup_printf ("The class “%s” is locked: nobody else may "
                                                  "join now", room->display);

      kibitz_rooms_refuse (self, client, KIBITZ_PROTOCOL_ERROR_ROOM_LOCKED, message, "join", 1008);
      return ROOM_ROLE_REFUSED;
    }

  if (invite == NULL)
    {
      *wait_reason = "no-invite";
      return ROOM_ROLE_WAITING;
    }

  switch (kibitz_invite_code_verify (self->secret, invite, now_unix (self), &invite_room, &issued))
    {
    case KIBITZ_TOKEN_VALID:
      if (g_str_equal (invite_room, room_key) &&
          !invite_voided_by_end (self, room_key, issued))
        return ROOM_ROLE_STUDENT;
      *wait_reason = "invite-invalid";
      return ROOM_ROLE_WAITING;
    case KIBITZ_TOKEN_EXPIRED:
      *wait_reason = "invite-expired";
      return ROOM_ROLE_WAITING;
    case KIBITZ_TOKEN_INVALID:
    default:
      *wait_reason = "invite-invalid";
      return ROOM_ROLE_WAITING;
    }
}

/* The waiting room */

void
rooms_class_wait (KibitzRooms       *self,
                  KibitzRoomsClient *client,
                  KibitzRoom        *room,
                  const char        *name,
                  const char        *reason)
{
  g_autoptr(JsonObject) waiting = kibitz_message_new (KIBITZ_MESSAGE_WAITING);
  g_autoptr(JsonObject) knock = kibitz_message_new (KIBITZ_MESSAGE_KNOCK);
  JsonObject *entry;
  RoomWaiter *waiter;

  if (room->waiting->len >= WAITING_MAX)
    {
      g_autofree char *message = g_strdup_printf ("The waiting room of “%s” is full (%d); "
                                                  "try again later", room->display, WAITING_MAX);

      rooms_send_error (self, client, KIBITZ_PROTOCOL_ERROR_ROOM_FULL, message, "join");
      rooms_release_room (self, room);
      return;
    }

  waiter = g_new0 (RoomWaiter, 1);
  waiter->id = rooms_new_peer_id (self);
  waiter->name = g_strdup (name);
  waiter->room = room;
  waiter->client = client;
  client->waiter = waiter;
  g_ptr_array_add (room->waiting, waiter);
  g_hash_table_insert (self->waiters, waiter->id, waiter);
  self->counters.knocks++;

  json_object_set_string_member (waiting, "id", waiter->id);
  json_object_set_string_member (waiting, "room", room->display);
  json_object_set_string_member (waiting, "reason", reason);
  rooms_send_object (self, client, waiting);

  entry = json_object_new ();
  json_object_set_string_member (entry, "id", waiter->id);
  json_object_set_string_member (entry, "name", waiter->name);
  json_object_set_object_member (knock, "peer", entry);
  send_to_teachers (self, room, knock);
  g_debug ("%s waits for %s (%s)", waiter->id, room->key, reason);
}

/* Takes @waiter out of its room's waiting room (and frees it). */
static void
drop_waiter (KibitzRooms *self,
             RoomWaiter  *waiter)
{
  g_ptr_array_remove (waiter->room->waiting, waiter);
  if (waiter->client != NULL)
    waiter->client->waiter = NULL;
  g_hash_table_remove (self->waiters, waiter->id);
}

void
rooms_class_withdraw (KibitzRooms *self,
                      RoomWaiter  *waiter)
{
  g_autoptr(JsonObject) withdrawn = kibitz_message_new (KIBITZ_MESSAGE_WITHDRAWN);
  KibitzRoom *room = waiter->room;

  json_object_set_string_member (withdrawn, "id", waiter->id);
  drop_waiter (self, waiter);
  send_to_teachers (self, room, withdrawn);
  rooms_release_room (self, room);
}

static RoomWaiter *
find_waiter (KibitzRoom *room,
             const char *id)
{
  for (guint i = 0; i < room->waiting->len; i++)
    {
      RoomWaiter *waiter = g_ptr_array_index (room->waiting, i);

      if (g_str_equal (waiter->id, id))
        return waiter;
    }
  return NULL;
}

/* Lets @waiter in as a student; FALSE (nothing changes) if the room is full. */
static gboolean
admit_waiter (KibitzRooms *self,
              RoomWaiter  *waiter)
{
  KibitzRoom *room = waiter->room;
  KibitzRoomsClient *client = waiter->client;
  char *id;
  g_autofree char *name = NULL;
  RoomPeer *peer;

  if (room->peers->len >= self->config.max_room_size)
    return FALSE;

  id = g_strdup (waiter->id);
  name = g_strdup (waiter->name);
  drop_waiter (self, waiter);

  peer = rooms_add_peer (self, room, id, name, ROOM_ROLE_STUDENT);
  rooms_attach_client (self, peer, client);
  self->counters.admits++;
  rooms_send_welcome (self, client, peer, FALSE);
  rooms_announce_joined (self, peer);
  return TRUE;
}

/* Peers that go */

void
rooms_class_void_peer (KibitzRooms *self,
                       const char  *id)
{
  gint64 now = now_unix (self);
  gint64 *until;

  if (g_hash_table_size (self->voided) >= VOIDED_MAX)
    {
      GHashTableIter iter;

      g_hash_table_iter_init (&iter, self->voided);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &until))
        if (*until < now)
          g_hash_table_iter_remove (&iter);
    }

  until = g_new (gint64, 1);
  *until = now + VOID_SECONDS;
  g_hash_table_replace (self->voided, g_strdup (id), until);
  /* For good, even after a restart (the voided table is in memory). */
  kibitz_resume_ledger_forget (self->ledger, id);
  if (self->transport.gone != NULL)
    self->transport.gone (id, TRUE, self->user_data);
}

static gboolean
take_hand (KibitzRoom *room,
           const char *id)
{
  for (guint i = 0; i < room->hands->len; i++)
    {
      if (g_str_equal (g_ptr_array_index (room->hands, i), id))
        {
          g_ptr_array_remove_index (room->hands, i);
          return TRUE;
        }
    }
  return FALSE;
}

/* @id left @room: its hand and its spotlight go with it. */
void
rooms_class_peer_gone (KibitzRooms *self,
                       KibitzRoom  *room,
                       const char  *id)
{
  gboolean changed = take_hand (room, id);

  for (guint i = 0; i < room->sharers->len; i++)
    if (g_str_equal (g_ptr_array_index (room->sharers, i), id))
      {
        g_ptr_array_remove_index (room->sharers, i);
        changed = TRUE;
        break;
      }
  if (g_strcmp0 (room->spotlight, id) == 0)
    {
      g_clear_pointer (&room->spotlight, g_free);
      changed = TRUE;
    }
  if (changed && room->peers->len > 0)
    broadcast_room_state (self, room);
}

/* State */

static gboolean
may_share (RoomPeer *peer)
{
  if (peer->role != ROOM_ROLE_STUDENT)
    return TRUE;
  for (guint i = 0; i < peer->room->sharers->len; i++)
    if (g_str_equal (g_ptr_array_index (peer->room->sharers, i), peer->id))
      return TRUE;
  return FALSE;
}

gboolean
rooms_class_state_allowed (KibitzRooms *self,
                           RoomPeer    *peer,
                           JsonObject  *object)
{
  if (kibitz_json_get_boolean (object, "screen", FALSE) && !may_share (peer))
    {
      rooms_send_error (self, peer->client, KIBITZ_PROTOCOL_ERROR_FORBIDDEN,
                        "The teacher has not allowed you to share your screen: ask them",
                        "state");
      return FALSE;
    }
  if (peer->role == ROOM_ROLE_STUDENT && !peer->room->students_may_unmute &&
      kibitz_json_get_boolean (object, "audio", FALSE))
    {
      rooms_send_error (self, peer->client, KIBITZ_PROTOCOL_ERROR_FORBIDDEN,
                        "The teacher has not allowed students to turn their microphones on",
                        "state");
      return FALSE;
    }
  return TRUE;
}

/* Keeps the queue of hands in step with @peer's hand; announces a change. */
void
rooms_class_hand_changed (KibitzRooms *self,
                          RoomPeer    *peer)
{
  KibitzRoom *room = peer->room;
  gboolean queued = FALSE;

  for (guint i = 0; i < room->hands->len && !queued; i++)
    queued = g_str_equal (g_ptr_array_index (room->hands, i), peer->id);

  if (peer->hand == queued)
    return;
  if (peer->hand)
    g_ptr_array_add (room->hands, g_strdup (peer->id));
  else
    take_hand (room, peer->id);
  broadcast_room_state (self, room);
}

/* `state` from the server on a peer's behalf, as a teacher changed it. */
static void
broadcast_forced_state (KibitzRooms *self,
                        RoomPeer    *peer,
                        const char  *member,
                        RoomPeer    *except)
{
  g_autoptr(JsonObject) state = kibitz_message_new (KIBITZ_MESSAGE_STATE);
  g_autofree char *text = NULL;

  json_object_set_string_member (state, "from", peer->id);
  json_object_set_boolean_member (state, member, FALSE);
  text = kibitz_message_to_string (state);
  rooms_broadcast (self, peer->room, except, text);
}

/* What teachers do */

static gboolean
targets_all (JsonObject *object)
{
  return kibitz_json_get_boolean (object, "all", FALSE);
}

static RoomPeer *
require_peer (KibitzRooms       *self,
              KibitzRoomsClient *client,
              KibitzRoom        *room,
              const char        *id,
              const char        *type_name)
{
  RoomPeer *peer = rooms_find_peer (room, id);

  if (peer == NULL)
    {
      g_autofree char *message = g_strdup_printf ("Nobody with the id “%s” is in this class", id);

      rooms_send_error (self, client, KIBITZ_PROTOCOL_ERROR_UNKNOWN_PEER, message, type_name);
    }
  return peer;
}

static void
refuse_full (KibitzRooms       *self,
             KibitzRoomsClient *client,
             KibitzRoom        *room)
{
  g_autofree char *message = g_strdup_printf ("The class is full (%u participants): nobody "
                                              "more can be let in",
                                              self->config.max_room_size);

  rooms_send_error (self, client, KIBITZ_PROTOCOL_ERROR_ROOM_FULL, message, "admit");
}

static void
handle_admit (KibitzRooms       *self,
              KibitzRoomsClient *client,
              KibitzRoom        *room,
              JsonObject        *object)
{
  const char *id = kibitz_json_get_string (object, "id");
  RoomWaiter *waiter;

  if (targets_all (object))
    {
      while (room->waiting->len > 0)
        {
          if (!admit_waiter (self, g_ptr_array_index (room->waiting, 0)))
            {
              refuse_full (self, client, room);
              return;
            }
        }
      return;
    }

  waiter = find_waiter (room, id);
  if (waiter == NULL)
    {
      g_autofree char *message = g_strdup_printf ("Nobody with the id “%s” is waiting to join "
                                                  "this class", id);

      rooms_send_error (self, client, KIBITZ_PROTOCOL_ERROR_UNKNOWN_PEER, message, "admit");
      return;
    }
  if (!admit_waiter (self, waiter))
    refuse_full (self, client, room);
}

static void
handle_deny (KibitzRooms       *self,
             KibitzRoomsClient *client,
             KibitzRoom        *room,
             JsonObject        *object)
{
  const char *id = kibitz_json_get_string (object, "id");
  RoomWaiter *waiter = find_waiter (room, id);
  KibitzRoomsClient *denied;

  if (waiter == NULL)
    {
      g_autofree char *message = g_strdup_printf ("Nobody with the id “%s” is waiting to join "
                                                  "this class", id);

      rooms_send_error (self, client, KIBITZ_PROTOCOL_ERROR_UNKNOWN_PEER, message, "deny");
      return;
    }

  denied = waiter->client;
  rooms_class_withdraw (self, waiter);
  kibitz_rooms_refuse (self, denied, KIBITZ_PROTOCOL_ERROR_DENIED,
                       "The teacher did not let you into this class", NULL, 1008);
}

static void
handle_remove (KibitzRooms       *self,
               KibitzRoomsClient *client,
               KibitzRoom        *room,
               JsonObject        *object)
{
  RoomPeer *by = client->peer;
  RoomPeer *target = require_peer (self, client, room, kibitz_json_get_string (object, "id"),
                                   "remove");
  KibitzRoomsClient *removed;

  if (target == NULL)
    return;
  if (target == by)
    {
      rooms_send_error (self, client, KIBITZ_PROTOCOL_ERROR_BAD_REQUEST,
                        "A teacher cannot remove themselves: send “leave”", "remove");
      return;
    }

  removed = target->client;
  rooms_class_void_peer (self, target->id);
  self->counters.removals++;
  send_by (self, removed, KIBITZ_MESSAGE_REMOVED, by);
  rooms_remove_peer (self, target, "removed");
  if (removed != NULL)
    rooms_close_client (self, removed, 1008, "removed");
}

static void
mute_peer (KibitzRooms *self,
           RoomPeer    *target,
           RoomPeer    *by)
{
  target->audio = FALSE;
  send_by (self, target->client, KIBITZ_MESSAGE_MUTED, by);
  /* Receivers stop playing it now, whatever its client does (§4). */
  broadcast_forced_state (self, target, "audio", target);
}

static void
handle_mute (KibitzRooms       *self,
             KibitzRoomsClient *client,
             KibitzRoom        *room,
             JsonObject        *object)
{
  RoomPeer *by = client->peer;
  RoomPeer *target;

  if (targets_all (object))
    {
      /* Everyone but the teachers. */
      for (guint i = 0; i < room->peers->len; i++)
        {
          target = g_ptr_array_index (room->peers, i);
          if (target->role != ROOM_ROLE_TEACHER)
            mute_peer (self, target, by);
        }
      return;
    }

  target = require_peer (self, client, room, kibitz_json_get_string (object, "id"), "mute");
  if (target != NULL)
    mute_peer (self, target, by);
}

static void
lower_hand (KibitzRooms *self,
            RoomPeer    *target)
{
  if (!target->hand)
    return;
  target->hand = FALSE;
  broadcast_forced_state (self, target, "hand", NULL);
  rooms_class_hand_changed (self, target);
}

static void
handle_lower_hand (KibitzRooms       *self,
                   KibitzRoomsClient *client,
                   KibitzRoom        *room,
                   JsonObject        *object)
{
  RoomPeer *target;

  if (targets_all (object))
    {
      for (guint i = 0; i < room->peers->len; i++)
        lower_hand (self, g_ptr_array_index (room->peers, i));
      return;
    }

  target = require_peer (self, client, room, kibitz_json_get_string (object, "id"), "lower-hand");
  if (target != NULL)
    lower_hand (self, target);
}

static void
handle_room (KibitzRooms       *self,
             KibitzRoomsClient *client,
             KibitzRoom        *room,
             JsonObject        *object)
{
  JsonNode *spotlight = json_object_get_member (object, "spotlight");

  if (spotlight != NULL && !JSON_NODE_HOLDS_NULL (spotlight) &&
      require_peer (self, client, room, json_node_get_string (spotlight), "room") == NULL)
    return;

  room->students_may_unmute = kibitz_json_get_boolean (object, "students_may_unmute",
                                                       room->students_may_unmute);
  if (json_object_has_member (object, "sharers"))
    {
      JsonArray *sharers = json_object_get_array_member (object, "sharers");

      g_ptr_array_set_size (room->sharers, 0);
      for (guint i = 0; i < json_array_get_length (sharers); i++)
        {
          const char *id = json_array_get_string_element (sharers, i);
          gboolean seen = FALSE;

          for (guint j = 0; j < room->sharers->len && !seen; j++)
            seen = g_str_equal (g_ptr_array_index (room->sharers, j), id);
          if (!seen)
            g_ptr_array_add (room->sharers, g_strdup (id));
        }
      /* A student who may no longer share stops for everyone at once, as
       * a muted one is silenced: receivers go by the announced state. */
      for (guint i = 0; i < room->peers->len; i++)
        {
          RoomPeer *peer = g_ptr_array_index (room->peers, i);

          if (peer->screen && !may_share (peer))
            {
              peer->screen = FALSE;
              broadcast_forced_state (self, peer, "screen", NULL);
            }
        }
    }
  if (spotlight != NULL)
    {
      g_free (room->spotlight);
      room->spotlight = JSON_NODE_HOLDS_NULL (spotlight)
                        ? NULL : g_strdup (json_node_get_string (spotlight));
    }
  broadcast_room_state (self, room);
}

static void
handle_invite (KibitzRooms       *self,
               KibitzRoomsClient *client,
               KibitzRoom        *room,
               JsonObject        *object)
{
  g_autoptr(JsonObject) answer = kibitz_message_new (KIBITZ_MESSAGE_INVITE);
  JsonNode *ttl_node = json_object_get_member (object, "ttl");
  gint64 ttl = ttl_node ? json_node_get_int (ttl_node) : KIBITZ_INVITE_TTL_DEFAULT;
  gint64 expires = now_unix (self) + ttl;
  g_autofree char *code = kibitz_invite_code_new (self->secret, room->key,
                                                  self->realtime () / 1000, expires);
  g_autofree char *url = g_strdup_printf ("%s/j/%s", self->public_base, code);

  json_object_set_string_member (answer, "code", code);
  json_object_set_string_member (answer, "url", url);
  json_object_set_int_member (answer, "expires", expires);
  rooms_send_object (self, client, answer);
}

static void
handle_end (KibitzRooms       *self,
            KibitzRoomsClient *client,
            KibitzRoom        *room)
{
  RoomPeer *by = client->peer;
  gint64 *ended_ms = g_new (gint64, 1);
  g_autoptr(JsonObject) ended = kibitz_message_new (KIBITZ_MESSAGE_ENDED);
  g_autofree char *text = NULL;

  if (g_hash_table_size (self->ended) >= ENDED_MAX)
    {
      GHashTableIter iter;
      gint64 *at;

      g_hash_table_iter_init (&iter, self->ended);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &at))
        if (*at / 1000 + ENDED_SECONDS < now_unix (self))
          g_hash_table_iter_remove (&iter);
    }
  *ended_ms = self->realtime () / 1000;
  g_hash_table_replace (self->ended, g_strdup (room->key), ended_ms);

  json_object_set_string_member (ended, "by", by->id);
  text = kibitz_message_to_string (ended);
  g_debug ("%s ended %s", by->id, room->key);

  while (room->waiting->len > 0)
    {
      RoomWaiter *waiter = g_ptr_array_index (room->waiting, 0);
      KibitzRoomsClient *waiting = waiter->client;

      drop_waiter (self, waiter);
      rooms_send_text (self, waiting, text);
      rooms_close_client (self, waiting, 1000, "ended");
    }

  /* Nobody is told that anybody left: everybody is told it ended. */
  while (room->peers->len > 0)
    {
      RoomPeer *peer = g_ptr_array_steal_index (room->peers, room->peers->len - 1);

      rooms_class_void_peer (self, peer->id);
      if (peer->client != NULL)
        {
          rooms_send_text (self, peer->client, text);
          rooms_close_client (self, peer->client, 1000, "ended");
          peer->client->peer = NULL;
        }
      rooms_drop_pending (self, peer);
      g_hash_table_remove (self->peers, peer->id);
    }
  rooms_release_room (self, room);
}

void
rooms_handle_class (KibitzRooms       *self,
                    KibitzRoomsClient *client,
                    KibitzMessageType  type,
                    JsonObject        *object)
{
  RoomPeer *peer = client->peer;
  KibitzRoom *room = peer->room;
  const char *type_name = kibitz_message_type_to_string (type);

  if (self->config.policy == KIBITZ_ROOM_POLICY_OPEN || peer->role != ROOM_ROLE_TEACHER)
    {
      rooms_send_error (self, client, KIBITZ_PROTOCOL_ERROR_FORBIDDEN,
                        self->config.policy == KIBITZ_ROOM_POLICY_OPEN
                          ? "This server's rooms have no teachers: nobody may do this"
                          : "Only a teacher may do this",
                        type_name);
      return;
    }

  switch (type)
    {
    case KIBITZ_MESSAGE_ADMIT:
      handle_admit (self, client, room, object);
      break;
    case KIBITZ_MESSAGE_DENY:
      handle_deny (self, client, room, object);
      break;
    case KIBITZ_MESSAGE_LOCK:
      room->locked = json_object_get_boolean_member (object, "locked");
      broadcast_room_state (self, room);
      break;
    case KIBITZ_MESSAGE_REMOVE:
      handle_remove (self, client, room, object);
      break;
    case KIBITZ_MESSAGE_MUTE:
      handle_mute (self, client, room, object);
      break;
    case KIBITZ_MESSAGE_ROOM:
      handle_room (self, client, room, object);
      break;
    case KIBITZ_MESSAGE_LOWER_HAND:
      handle_lower_hand (self, client, room, object);
      break;
    case KIBITZ_MESSAGE_INVITE:
      handle_invite (self, client, room, object);
      break;
    case KIBITZ_MESSAGE_END:
      handle_end (self, client, room);
      break;
    default:
      g_assert_not_reached ();
    }
}
