/* kibitz-rooms.c: the registry of rooms and peers, join (with resume) and
 * leave, the rate limit, the dispatch of what a client sends, the grace
 * period. What goes out and what is relayed is in kibitz-rooms-relay.c;
 * teachers, the waiting room and what teachers do in kibitz-rooms-class.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-rooms"

#include "config.h"

#include "kibitz-message.h"
#include "kibitz-names.h"
#include "kibitz-resume-token.h"
#include "kibitz-rooms-private.h"

#define RESUME_TOKEN_SECONDS   (24 * 3600)
#define RATE_ERROR_INTERVAL    G_USEC_PER_SEC

static void
room_peer_free (RoomPeer *peer)
{
  g_queue_clear_full (&peer->pending, g_free);
  g_free (peer->id);
  g_free (peer->name);
  g_free (peer);
}

static void
room_waiter_free (RoomWaiter *waiter)
{
  g_free (waiter->id);
  g_free (waiter->name);
  g_free (waiter);
}

static void
room_free (KibitzRoom *room)
{
  g_ptr_array_unref (room->peers);
  g_ptr_array_unref (room->waiting);
  g_ptr_array_unref (room->hands);
  g_ptr_array_unref (room->sharers);
  g_free (room->spotlight);
  kibitz_board_free (room->board);
  g_free (room->key);
  g_free (room->display);
  g_free (room);
}

KibitzRooms *
kibitz_rooms_new (const KibitzRoomsConfig    *config,
                  const KibitzRoomsTransport *transport,
                  gpointer                    user_data)
{
  KibitzRooms *self = g_new0 (KibitzRooms, 1);

  self->config = *config;
  self->secret = g_strdup (config->secret);
  self->config.secret = self->secret;
  self->board_dir = g_strdup (config->board_dir);
  self->config.board_dir = self->board_dir;
  self->public_base = g_strdup (config->public_base ? config->public_base : "http://localhost");
  self->config.public_base = self->public_base;
  if (self->config.max_room_size == 0)
    self->config.max_room_size = 20;
  if (self->config.grace_seconds == 0)
    self->config.grace_seconds = 15;
  if (self->config.rate_burst == 0)
    self->config.rate_burst = 1000;
  if (self->config.rate_per_second == 0)
    self->config.rate_per_second = 200;

  self->transport = *transport;
  self->user_data = user_data;
  self->monotonic = g_get_monotonic_time;
  self->realtime = g_get_real_time;
  self->rooms = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) room_free);
  self->peers = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                       (GDestroyNotify) room_peer_free);
  self->waiters = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                         (GDestroyNotify) room_waiter_free);
  self->revoked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->voided = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->ended = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->ledger = kibitz_resume_ledger_new (config->resume_path,
                                           g_get_real_time () / G_USEC_PER_SEC);

  return self;
}

void
kibitz_rooms_free (KibitzRooms *self)
{
  if (self == NULL)
    return;

  g_hash_table_unref (self->rooms);
  g_hash_table_unref (self->peers);
  g_hash_table_unref (self->waiters);
  g_hash_table_unref (self->revoked);
  g_hash_table_unref (self->voided);
  g_hash_table_unref (self->ended);
  kibitz_resume_ledger_free (self->ledger);
  g_free (self->public_base);
  g_free (self->secret);
  g_free (self->board_dir);
  g_free (self);
}

void
kibitz_rooms_set_clock (KibitzRooms     *self,
                        KibitzClockFunc  monotonic_usec,
                        KibitzClockFunc  real_usec)
{
  self->monotonic = monotonic_usec;
  self->realtime = real_usec;
}

/* Peers and rooms */

JsonObject *
rooms_peer_to_json (RoomPeer *peer)
{
  JsonObject *object = json_object_new ();
  JsonObject *state = json_object_new ();

  json_object_set_boolean_member (state, "audio", peer->audio);
  json_object_set_boolean_member (state, "video", peer->video);
  json_object_set_boolean_member (state, "hand", peer->hand);
  json_object_set_boolean_member (state, "screen", peer->screen);

  json_object_set_string_member (object, "id", peer->id);
  json_object_set_string_member (object, "name", peer->name);
  json_object_set_object_member (object, "state", state);
  json_object_set_string_member (object, "role", rooms_role_name (peer->role));

  return object;
}

char *
rooms_new_peer_id (KibitzRooms *self)
{
  char *id = NULL;

  do
    {
      g_free (id);
      id = g_strdup_printf ("p-%08x%04x", g_random_int (), g_random_int () & 0xffff);
    }
  while (g_hash_table_contains (self->peers, id) || g_hash_table_contains (self->waiters, id));

  return id;
}

static KibitzRoom *
ensure_room (KibitzRooms *self,
             const char  *key,
             const char  *display)
{
  KibitzRoom *room = g_hash_table_lookup (self->rooms, key);

  if (room == NULL)
    {
      room = g_new0 (KibitzRoom, 1);
      room->key = g_strdup (key);
      room->display = g_strdup (display);
      room->peers = g_ptr_array_new ();
      room->waiting = g_ptr_array_new ();
      room->hands = g_ptr_array_new_with_free_func (g_free);
      room->sharers = g_ptr_array_new_with_free_func (g_free);
      room->students_may_unmute = TRUE;
      room->board = rooms_board_open (self, key);
      g_hash_table_insert (self->rooms, room->key, room);
    }

  return room;
}

RoomPeer *
rooms_find_peer (KibitzRoom *room,
                 const char *id)
{
  for (guint i = 0; i < room->peers->len; i++)
    {
      RoomPeer *peer = g_ptr_array_index (room->peers, i);

      if (g_str_equal (peer->id, id))
        return peer;
    }

  return NULL;
}

/* Forgets @room once nobody is in it or waiting for it. */
void
rooms_release_room (KibitzRooms *self,
                    KibitzRoom  *room)
{
  if (room->peers->len == 0 && room->waiting->len == 0)
    g_hash_table_remove (self->rooms, room->key);
}

/* Removes @peer from its room and tells the others why. */
void
rooms_remove_peer (KibitzRooms *self,
                   RoomPeer    *peer,
                   const char  *reason)
{
  KibitzRoom *room = peer->room;
  g_autoptr(JsonObject) left = kibitz_message_new (KIBITZ_MESSAGE_LEFT);
  g_autofree char *text = NULL;

  g_ptr_array_remove (room->peers, peer);
  if (peer->client)
    peer->client->peer = NULL;
  rooms_drop_pending (self, peer);

  json_object_set_string_member (left, "id", peer->id);
  json_object_set_string_member (left, "reason", reason);
  text = kibitz_message_to_string (left);
  rooms_broadcast (self, room, NULL, text);

  g_debug ("%s left %s (%s)", peer->id, room->key, reason);
  rooms_class_peer_gone (self, room, peer->id);
  if (self->transport.gone != NULL)
    self->transport.gone (peer->id, FALSE, self->user_data);
  g_hash_table_remove (self->peers, peer->id);

  rooms_release_room (self, room);
}

/* Rate limit: a token bucket per socket, generous enough that a newcomer in a
 * full room (offers and candidates to everyone at once) never meets it.
 */
static gboolean
take_token (KibitzRooms       *self,
            KibitzRoomsClient *client)
{
  gint64 now = self->monotonic ();
  double elapsed = (now - client->refilled_at) / (double) G_USEC_PER_SEC;

  client->tokens = MIN (self->config.rate_burst,
                        client->tokens + elapsed * self->config.rate_per_second);
  client->refilled_at = now;

  if (client->tokens >= 1.0)
    {
      client->tokens -= 1.0;
      return TRUE;
    }

  /* One error a second at most, so a flood is not answered by a flood. */
  if (client->rate_error_at == 0 || now - client->rate_error_at >= RATE_ERROR_INTERVAL)
    {
      client->rate_error_at = now;
      rooms_send_error (self, client, KIBITZ_PROTOCOL_ERROR_RATE_LIMITED,
                  "Too many messages: slow down; messages are being dropped", NULL);
    }
  else
    {
      self->counters.errors[KIBITZ_PROTOCOL_ERROR_RATE_LIMITED]++;
    }

  return FALSE;
}

KibitzRoomsClient *
kibitz_rooms_open (KibitzRooms *self,
                   gpointer     transport)
{
  KibitzRoomsClient *client = g_new0 (KibitzRoomsClient, 1);

  client->transport = transport;
  client->tokens = self->config.rate_burst;
  client->refilled_at = self->monotonic ();
  self->n_clients++;

  return client;
}

/* join */

void
rooms_send_welcome (KibitzRooms       *self,
                    KibitzRoomsClient *client,
                    RoomPeer          *peer,
                    gboolean           resumed)
{
  g_autoptr(JsonObject) welcome = kibitz_message_new (KIBITZ_MESSAGE_WELCOME);
  JsonArray *peers = json_array_new ();
  KibitzRoom *room = peer->room;
  gint64 now_unix = self->realtime () / G_USEC_PER_SEC;
  /* Each welcome's token retires the previous one of this id. */
  gint64 expiry = kibitz_resume_ledger_issue (self->ledger, peer->id,
                                              now_unix + RESUME_TOKEN_SECONDS);
  g_autofree char *token = kibitz_resume_token_new (self->secret, peer->id, room->key, expiry);

  for (guint i = 0; i < room->peers->len; i++)
    {
      RoomPeer *other = g_ptr_array_index (room->peers, i);

      if (other != peer)
        json_array_add_object_element (peers, rooms_peer_to_json (other));
    }

  json_object_set_string_member (welcome, "id", peer->id);
  json_object_set_string_member (welcome, "room", room->display);
  json_object_set_array_member (welcome, "peers", peers);
  json_object_set_string_member (welcome, "resume", token);
  json_object_set_boolean_member (welcome, "resumed", resumed);
  if (self->config.ice)
    json_object_set_array_member (welcome, "ice_servers",
                                  kibitz_ice_config_build (self->config.ice, peer->id, now_unix));
  else
    json_object_set_array_member (welcome, "ice_servers", json_array_new ());
  json_object_set_object_member (welcome, "board", kibitz_board_to_json (room->board));
  json_object_set_string_member (welcome, "role", rooms_role_name (peer->role));
  json_object_set_object_member (welcome, "room_state", rooms_room_state (room));
  if (peer->role == ROOM_ROLE_TEACHER)
    {
      JsonArray *waiting = json_array_new ();

      for (guint i = 0; i < room->waiting->len; i++)
        {
          RoomWaiter *waiter = g_ptr_array_index (room->waiting, i);
          JsonObject *entry = json_object_new ();

          json_object_set_string_member (entry, "id", waiter->id);
          json_object_set_string_member (entry, "name", waiter->name);
          json_array_add_object_element (waiting, entry);
        }
      json_object_set_array_member (welcome, "waiting", waiting);
    }
  if (peer->role == ROOM_ROLE_STUDENT && self->config.student_relay_only)
    json_object_set_string_member (welcome, "ice_transport_policy", "relay");

  rooms_send_object (self, client, welcome);
}

void
rooms_announce_joined (KibitzRooms *self,
                       RoomPeer    *peer)
{
  g_autoptr(JsonObject) joined = kibitz_message_new (KIBITZ_MESSAGE_JOINED);
  g_autofree char *text = NULL;

  json_object_set_object_member (joined, "peer", rooms_peer_to_json (peer));
  text = kibitz_message_to_string (joined);
  rooms_broadcast (self, peer->room, peer, text);
}

RoomPeer *
rooms_add_peer (KibitzRooms *self,
                KibitzRoom  *room,
                char        *id,
                const char  *name,
                RoomRole     role)
{
  RoomPeer *peer = g_new0 (RoomPeer, 1);

  peer->id = id;
  peer->name = g_strdup (name);
  peer->room = room;
  peer->role = role;
  /* A student let into a class whose students may not unmute starts muted:
   * the others do not play its audio until a teacher allows it. */
  peer->audio = role != ROOM_ROLE_STUDENT || room->students_may_unmute;
  peer->video = TRUE;
  g_queue_init (&peer->pending);
  g_ptr_array_add (room->peers, peer);
  g_hash_table_insert (self->peers, peer->id, peer);

  return peer;
}

void
rooms_attach_client (KibitzRooms       *self,
                     RoomPeer          *peer,
                     KibitzRoomsClient *client)
{
  KibitzRoomsClient *old = peer->client;

  if (old != NULL && old != client)
    {
      rooms_send_error (self, old, KIBITZ_PROTOCOL_ERROR_REPLACED,
                  "This participant reconnected on another connection; closing this one",
                  NULL);
      old->peer = NULL;
      rooms_close_client (self, old, 1000, "replaced");
    }

  peer->client = client;
  peer->grace_deadline = 0;
  client->peer = peer;
  if (self->transport.member != NULL)
    self->transport.member (client->transport, peer->id, peer->room->display, self->user_data);
}

void
rooms_drop_pending (KibitzRooms *self,
                    RoomPeer    *peer)
{
  g_queue_clear_full (&peer->pending, g_free);
  peer->room->pending_bytes -= peer->pending_bytes;
  self->pending_bytes -= peer->pending_bytes;
  peer->pending_bytes = 0;
}

static void
flush_pending (KibitzRooms *self,
               RoomPeer    *peer)
{
  for (GList *l = peer->pending.head; l; l = l->next)
    rooms_send_text (self, peer->client, l->data);
  rooms_drop_pending (self, peer);
}

/* Returns the peer a valid resume token names, if it can take it back. */
static char *
resumable_id (KibitzRooms *self,
              const char  *token,
              const char  *room_key)
{
  g_autofree char *id = NULL;
  RoomPeer *existing;
  gint64 expiry;

  if (token == NULL ||
      !kibitz_resume_token_verify (self->secret, token, room_key,
                                   self->realtime () / G_USEC_PER_SEC, &id, &expiry))
    return NULL;

  /* An earlier token of this id (a copy), or one retired by leave. */
  if (!kibitz_resume_ledger_is_current (self->ledger, id, expiry))
    return NULL;

  /* Removed from the class, or the class ended: the token is void. */
  if (kibitz_rooms_peer_voided (self, id))
    return NULL;

  existing = g_hash_table_lookup (self->peers, id);
  if (existing != NULL && !g_str_equal (existing->room->key, room_key))
    return NULL;

  return g_steal_pointer (&id);
}

static void
handle_join (KibitzRooms       *self,
             KibitzRoomsClient *client,
             JsonObject        *object)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *display = NULL;
  g_autofree char *key = NULL;
  g_autofree char *name = NULL;
  g_autofree char *id = NULL;
  const char *wait_reason = NULL;
  KibitzRoom *room;
  RoomPeer *peer;
  RoomRole role;
  gboolean resumed;

  if (client->peer != NULL)
    {
      rooms_send_error (self, client, KIBITZ_PROTOCOL_ERROR_ALREADY_JOINED,
                  "This connection already joined a room; open a new one for another room", "join");
      return;
    }

  key = kibitz_room_name_normalize (kibitz_json_get_string (object, "room"), &display, &error);
  if (key == NULL || !(name = kibitz_display_name_validate (kibitz_json_get_string (object, "name"),
                                                            &error)))
    {
      rooms_send_error (self, client, error->code, error->message, "join");
      return;
    }

  id = resumable_id (self, kibitz_json_get_string (object, "resume"), key);
  room = g_hash_table_lookup (self->rooms, key);
  peer = (id && room) ? rooms_find_peer (room, id) : NULL;

  if (peer != NULL)
    {
      /* The same participant is back: keep its slot, tell nobody. */
      rooms_attach_client (self, peer, client);
      self->counters.resumes++;
      rooms_send_welcome (self, client, peer, TRUE);
      flush_pending (self, peer);
      return;
    }

  /* Who it is: teacher, student, member, or one who waits (§4). An admitted
   * peer coming back to a server that lost its slot does not wait. */
  role = rooms_class_admission (self, client, object, key, id != NULL, &wait_reason);
  if (role == ROOM_ROLE_REFUSED)
    return;
  if (role == ROOM_ROLE_WAITING)
    {
      rooms_class_wait (self, client, ensure_room (self, key, display), name, wait_reason);
      return;
    }

  if (room != NULL && room->peers->len >= self->config.max_room_size)
    {
      g_autofree char *message = g_strdup_printf ("The room “%s” is full (%u participants)",
                                                  room->display, self->config.max_room_size);

      rooms_send_error (self, client, KIBITZ_PROTOCOL_ERROR_ROOM_FULL, message, "join");
      return;
    }

  /* A valid token for a slot this server no longer holds (it restarted, or
   * the grace period ran out): give the id back and announce it again.
   */
  resumed = id != NULL;
  room = ensure_room (self, key, display);
  peer = rooms_add_peer (self, room, resumed ? g_steal_pointer (&id) : rooms_new_peer_id (self), name,
                         role);
  rooms_attach_client (self, peer, client);
  if (resumed)
    self->counters.resumes++;
  else
    self->counters.joins++;
  rooms_send_welcome (self, client, peer, resumed);
  rooms_announce_joined (self, peer);
}

/* leave */

static void
handle_leave (KibitzRooms       *self,
              KibitzRoomsClient *client)
{
  if (client->waiter != NULL)
    rooms_class_withdraw (self, client->waiter);
  else
    {
      /* Gone for good: its resume token no longer brings the id back (a
       * copied token is no pass into the class), and its TURN credentials
       * and allocations end now, not when they expire. */
      rooms_class_void_peer (self, client->peer->id);
      rooms_remove_peer (self, client->peer, "leave");
    }
  rooms_close_client (self, client, 1000, "left the room");
}

/* Whether this client may send a message of this type now; if not, it has
 * been told why. */
static gboolean
may_send (KibitzRooms       *self,
          KibitzRoomsClient *client,
          KibitzMessageType  type,
          const char        *type_name)
{
  if (type == KIBITZ_MESSAGE_UNKNOWN || type >= KIBITZ_MESSAGE_WELCOME)
    {
      g_autofree char *message = g_strdup_printf ("Unknown message type “%s”", type_name);

      rooms_send_error (self, client, KIBITZ_PROTOCOL_ERROR_UNKNOWN_TYPE, message, type_name);
      return FALSE;
    }

  /* A waiting client may only leave (§4). */
  if (client->waiter != NULL && type != KIBITZ_MESSAGE_LEAVE)
    {
      rooms_send_error (self, client, KIBITZ_PROTOCOL_ERROR_NOT_ADMITTED,
                        "You are in the waiting room: a teacher has not let you in yet",
                        type_name);
      return FALSE;
    }

  if (type != KIBITZ_MESSAGE_JOIN && client->peer == NULL && client->waiter == NULL)
    {
      rooms_send_error (self, client, KIBITZ_PROTOCOL_ERROR_NOT_JOINED,
                        "Send “join” before anything else", type_name);
      return FALSE;
    }

  return TRUE;
}

/* Hands a checked message to the part of the room logic that owns it. */
static void
dispatch (KibitzRooms       *self,
          KibitzRoomsClient *client,
          KibitzMessageType  type,
          JsonObject        *object)
{
  switch (type)
    {
    case KIBITZ_MESSAGE_JOIN:
      handle_join (self, client, object);
      break;
    case KIBITZ_MESSAGE_SIGNAL:
      rooms_handle_signal (self, client, object);
      break;
    case KIBITZ_MESSAGE_STATE:
      rooms_handle_state (self, client, object);
      break;
    case KIBITZ_MESSAGE_CHAT:
      rooms_handle_chat (self, client, object);
      break;
    case KIBITZ_MESSAGE_LEAVE:
      handle_leave (self, client);
      break;
    case KIBITZ_MESSAGE_MOVE:
    case KIBITZ_MESSAGE_BOARD_SET:
    case KIBITZ_MESSAGE_BOARD_VIEW:
    case KIBITZ_MESSAGE_BOARD_SHAPES:
    case KIBITZ_MESSAGE_BOARD_MOVERS:
      rooms_handle_board (self, client, type, object);
      break;
    case KIBITZ_MESSAGE_ADMIT:
    case KIBITZ_MESSAGE_DENY:
    case KIBITZ_MESSAGE_LOCK:
    case KIBITZ_MESSAGE_REMOVE:
    case KIBITZ_MESSAGE_MUTE:
    case KIBITZ_MESSAGE_ROOM:
    case KIBITZ_MESSAGE_LOWER_HAND:
    case KIBITZ_MESSAGE_INVITE:
    case KIBITZ_MESSAGE_END:
      rooms_handle_class (self, client, type, object);
      break;
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
      g_assert_not_reached ();
    }
}

void
kibitz_rooms_receive (KibitzRooms       *self,
                      KibitzRoomsClient *client,
                      const char        *text,
                      gsize              length)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) object = NULL;
  KibitzMessageType type;
  const char *type_name;

  if (client->closed)
    return;

  self->counters.messages_received++;
  if (!take_token (self, client))
    return;

  if (rooms_handle_signal_fast (self, client, text, length))
    return;

  object = kibitz_message_parse (text, length, &type, &type_name, &error);
  if (object == NULL)
    {
      kibitz_rooms_refuse (self, client, error->code, error->message, NULL,
                           error->code == KIBITZ_PROTOCOL_ERROR_TOO_LARGE ? 1009 : 0);
      return;
    }

  if (!may_send (self, client, type, type_name))
    return;

  if (!kibitz_message_validate_client (type, object, &error))
    {
      rooms_send_error (self, client, error->code, error->message, type_name);
      return;
    }

  dispatch (self, client, type, object);
}

/* For errors the transport finds before a message exists: a binary frame, a
 * message over the size limit, too many connections from one address.
 */
void
kibitz_rooms_refuse (KibitzRooms         *self,
                     KibitzRoomsClient   *client,
                     KibitzProtocolError  code,
                     const char          *message,
                     const char          *ref,
                     gushort              close_code)
{
  if (client->closed)
    return;

  rooms_send_error (self, client, code, message, ref);
  if (close_code != 0)
    rooms_close_client (self, client, close_code, kibitz_protocol_error_to_code (code));
}

/* The socket is gone. A joined peer keeps its slot for the grace period, so
 * a client that reconnects with its resume token changes nothing for others.
 */
void
kibitz_rooms_closed (KibitzRooms       *self,
                     KibitzRoomsClient *client)
{
  RoomPeer *peer = client->peer;

  /* Waiting has no grace: a client that is gone is gone. */
  if (client->waiter != NULL)
    rooms_class_withdraw (self, client->waiter);

  if (peer != NULL && peer->client == client)
    {
      peer->client = NULL;
      peer->grace_deadline = self->monotonic () +
                             (gint64) self->config.grace_seconds * G_USEC_PER_SEC;
      g_debug ("%s lost its socket; keeping its slot for %u s", peer->id,
               self->config.grace_seconds);
    }

  self->n_clients--;
  g_free (client);
}

void
kibitz_rooms_tick (KibitzRooms *self)
{
  gint64 now = self->monotonic ();
  g_autoptr(GPtrArray) expired = g_ptr_array_new ();
  GHashTableIter iter;
  RoomPeer *peer;

  g_hash_table_iter_init (&iter, self->peers);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &peer))
    {
      if (peer->client == NULL && peer->grace_deadline <= now)
        g_ptr_array_add (expired, peer);
    }

  for (guint i = 0; i < expired->len; i++)
    {
      self->counters.timeouts++;
      rooms_remove_peer (self, g_ptr_array_index (expired, i), "timeout");
    }

  kibitz_resume_ledger_tick (self->ledger, self->realtime () / G_USEC_PER_SEC);
}

guint
kibitz_rooms_n_clients (KibitzRooms *self)
{
  return self->n_clients;
}

guint
kibitz_rooms_n_rooms (KibitzRooms *self)
{
  return g_hash_table_size (self->rooms);
}

guint
kibitz_rooms_n_peers (KibitzRooms *self)
{
  return g_hash_table_size (self->peers);
}

guint
kibitz_rooms_n_waiting (KibitzRooms *self)
{
  return g_hash_table_size (self->waiters);
}

void
kibitz_rooms_set_public_base (KibitzRooms *self,
                              const char  *base)
{
  g_free (self->public_base);
  self->public_base = g_strdup (base);
  self->config.public_base = self->public_base;
}

void
kibitz_rooms_set_revoked (KibitzRooms        *self,
                          const char * const *token_ids)
{
  g_hash_table_remove_all (self->revoked);
  for (guint i = 0; token_ids && token_ids[i]; i++)
    g_hash_table_add (self->revoked, g_strdup (token_ids[i]));
}

gboolean
kibitz_rooms_peer_voided (KibitzRooms *self,
                          const char  *peer_id)
{
  gint64 *until = g_hash_table_lookup (self->voided, peer_id);

  return until != NULL && *until >= self->realtime () / G_USEC_PER_SEC;
}

const KibitzRoomsCounters *
kibitz_rooms_get_counters (KibitzRooms *self)
{
  return &self->counters;
}
