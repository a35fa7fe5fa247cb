/* kibitz-rooms-relay.c: what the rooms send: to one client, to a whole room,
 * and the messages relayed between peers (signal, state, chat), with the
 * queue of signals that wait for a peer whose socket dropped.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-rooms"

#include "config.h"

#include <string.h>

#include "kibitz-message.h"
#include "kibitz-rooms-private.h"
#include "kibitz-signal-scan.h"

/* Signals sent to a peer whose socket dropped wait for it this long. */
#define PENDING_MAX_MESSAGES   256
#define PENDING_MAX_BYTES      (1024 * 1024)
/* Signals kept for dropped peers, in all of a room and in the server: twenty
 * rooms of peers that drop at once cannot hold hundreds of megabytes. A
 * class resuming needs a few kilobytes per peer (offers and candidates). */
#define ROOM_PENDING_MAX_BYTES   (4 * 1024 * 1024)
#define SERVER_PENDING_MAX_BYTES (32 * 1024 * 1024)

/* Sending */

void
rooms_send_text (KibitzRooms       *self,
                 KibitzRoomsClient *client,
                 const char        *text)
{
  if (client == NULL || client->closed)
    return;

  self->transport.send (client->transport, text, self->user_data);
}

void
rooms_send_object (KibitzRooms       *self,
                   KibitzRoomsClient *client,
                   JsonObject        *object)
{
  g_autofree char *text = kibitz_message_to_string (object);

  rooms_send_text (self, client, text);
}

void
rooms_send_error (KibitzRooms         *self,
                  KibitzRoomsClient   *client,
                  KibitzProtocolError  code,
                  const char          *message,
                  const char          *ref)
{
  g_autoptr(JsonObject) error = kibitz_message_new_error (code, message, ref);

  self->counters.errors[code]++;
  g_debug ("error %s to client %p: %s", kibitz_protocol_error_to_code (code), client, message);
  rooms_send_object (self, client, error);
}

void
rooms_close_client (KibitzRooms       *self,
                    KibitzRoomsClient *client,
                    gushort            code,
                    const char        *reason)
{
  if (client->closed)
    return;

  client->closed = TRUE;
  self->transport.close (client->transport, code, reason, self->user_data);
}

/* Sends @text to every connected peer of @room except @except. */
void
rooms_broadcast (KibitzRooms *self,
                 KibitzRoom  *room,
                 RoomPeer    *except,
                 const char  *text)
{
  for (guint i = 0; i < room->peers->len; i++)
    {
      RoomPeer *peer = g_ptr_array_index (room->peers, i);

      if (peer != except && peer->client != NULL)
        {
          rooms_send_text (self, peer->client, text);
          self->counters.messages_relayed++;
        }
    }
}

/* signal, state, chat */

static void
relay_signal (KibitzRooms *self,
              RoomPeer    *to,
              char        *text)
{
  if (to->client != NULL)
    {
      rooms_send_text (self, to->client, text);
      self->counters.messages_relayed++;
      g_free (text);
    }
  else if (to->pending.length < PENDING_MAX_MESSAGES &&
           to->pending_bytes + strlen (text) <= PENDING_MAX_BYTES &&
           to->room->pending_bytes + strlen (text) <= ROOM_PENDING_MAX_BYTES &&
           self->pending_bytes + strlen (text) <= SERVER_PENDING_MAX_BYTES)
    {
      /* Its socket dropped; it may resume within the grace period. */
      to->pending_bytes += strlen (text);
      to->room->pending_bytes += strlen (text);
      self->pending_bytes += strlen (text);
      g_queue_push_tail (&to->pending, text);
      self->counters.messages_relayed++;
    }
  else
    {
      g_free (text);
    }
}

void
rooms_handle_signal (KibitzRooms       *self,
                     KibitzRoomsClient *client,
                     JsonObject        *object)
{
  RoomPeer *from = client->peer;
  const char *to_id = kibitz_json_get_string (object, "to");
  RoomPeer *to = rooms_find_peer (from->room, to_id);
  g_autoptr(JsonObject) signal = NULL;

  if (to == NULL || to == from)
    {
      g_autofree char *message = g_strdup_printf ("There is no peer “%s” in your room", to_id);

      rooms_send_error (self, client, KIBITZ_PROTOCOL_ERROR_UNKNOWN_PEER, message, "signal");
      return;
    }

  signal = kibitz_message_new (KIBITZ_MESSAGE_SIGNAL);
  json_object_set_string_member (signal, "from", from->id);
  json_object_set_member (signal, "data", json_node_copy (json_object_get_member (object, "data")));
  relay_signal (self, to, kibitz_message_to_string (signal));
}

/* The fast path (kibitz-signal-scan.h): the same text json-glib would
 * write, put together from the client's bytes. FALSE: take the general path.
 */
gboolean
rooms_handle_signal_fast (KibitzRooms       *self,
                          KibitzRoomsClient *client,
                          const char        *text,
                          gsize              length)
{
  RoomPeer *from = client->peer;
  KibitzSignalScan scan;
  g_autofree char *to_id = NULL;
  RoomPeer *to;
  GString *out;

  if (from == NULL || !kibitz_signal_scan (text, length, &scan) ||
      !kibitz_signal_id_is_plain (from->id))
    return FALSE;

  to_id = g_strndup (scan.to, scan.to_length);
  to = rooms_find_peer (from->room, to_id);
  if (to == NULL || to == from)
    return FALSE;

  out = g_string_sized_new (scan.data_length + strlen (from->id) + 40);
  g_string_append (out, "{\"type\":\"signal\",\"from\":\"");
  g_string_append (out, from->id);
  g_string_append (out, "\",\"data\":");
  kibitz_signal_scan_append_data (&scan, out);
  g_string_append_c (out, '}');
  relay_signal (self, to, g_string_free (out, FALSE));

  return TRUE;
}

void
rooms_handle_state (KibitzRooms       *self,
                    KibitzRoomsClient *client,
                    JsonObject        *object)
{
  static const char * const members[] = { "audio", "video", "hand", "screen" };
  RoomPeer *peer = client->peer;
  gboolean *fields[] = { &peer->audio, &peer->video, &peer->hand, &peer->screen };
  g_autoptr(JsonObject) state = kibitz_message_new (KIBITZ_MESSAGE_STATE);
  g_autofree char *text = NULL;

  if (!rooms_class_state_allowed (self, peer, object))
    return;

  json_object_set_string_member (state, "from", peer->id);
  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    {
      if (json_object_has_member (object, members[i]))
        {
          *fields[i] = json_object_get_boolean_member (object, members[i]);
          json_object_set_boolean_member (state, members[i], *fields[i]);
        }
    }

  text = kibitz_message_to_string (state);
  rooms_broadcast (self, peer->room, peer, text);
  rooms_class_hand_changed (self, peer);
}

void
rooms_handle_chat (KibitzRooms       *self,
                   KibitzRoomsClient *client,
                   JsonObject        *object)
{
  RoomPeer *peer = client->peer;
  g_autoptr(JsonObject) chat = kibitz_message_new (KIBITZ_MESSAGE_CHAT);
  g_autofree char *text = NULL;

  json_object_set_string_member (chat, "from", peer->id);
  json_object_set_string_member (chat, "name", peer->name);
  json_object_set_string_member (chat, "text", json_object_get_string_member (object, "text"));
  json_object_set_int_member (chat, "ts", self->realtime () / 1000);
  text = kibitz_message_to_string (chat);

  /* Echoed to its sender too, so every screen shows the same order. */
  rooms_broadcast (self, peer->room, NULL, text);
}
