/* kibitz-signaling.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-signaling"

#include "config.h"

#include <string.h>
#include <libsoup/soup.h>

#include "kibitz-core-error.h"
#include "kibitz-message.h"
#include "kibitz-names.h"
#include "kibitz-signaling.h"

#define PING_INTERVAL_SECONDS  5
#define SILENCE_LIMIT_USEC     (15 * G_USEC_PER_SEC)
#define BACKOFF_FIRST_MS       250
#define BACKOFF_CAP_MS         3000
#define BACKOFF_JITTER_MS      500
#define OUTBOX_MAX             1024

struct _KibitzSignaling {
  GObject                  parent_instance;

  SoupSession             *session;
  char                    *url;
  char                    *room;
  char                    *name;
  char                    *id;
  char                    *resume;
  char                    *teacher;
  char                    *invite;
  SoupWebsocketConnection *ws;
  GCancellable            *connecting;
  KibitzSignalingState     state;
  guint                    attempt;
  guint                    reconnects;
  guint                    retry_id;
  guint                    liveness_id;
  gint64                   last_heard;
  GQueue                   outbox;         /* char *, frames waiting for a welcome */
};

G_DEFINE_FINAL_TYPE (KibitzSignaling, kibitz_signaling, G_TYPE_OBJECT)
G_DEFINE_QUARK (kibitz-signaling-error-quark, kibitz_signaling_error)

enum {
  PROP_0,
  PROP_STATE,
  N_PROPS
};

enum {
  SIGNAL_WELCOME,
  SIGNAL_PEER_JOINED,
  SIGNAL_PEER_LEFT,
  SIGNAL_SIGNAL,
  SIGNAL_STATE,
  SIGNAL_CHAT,
  SIGNAL_BOARD,
  SIGNAL_CLASS,
  SIGNAL_SERVER_ERROR,
  SIGNAL_FAILED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void connect_socket (KibitzSignaling *self);

static void
set_state (KibitzSignaling      *self,
           KibitzSignalingState  state)
{
  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
drop_socket (KibitzSignaling *self)
{
  g_cancellable_cancel (self->connecting);
  g_clear_object (&self->connecting);
  if (self->ws)
    {
      g_signal_handlers_disconnect_by_data (self->ws, self);
      if (soup_websocket_connection_get_state (self->ws) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (self->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_clear_object (&self->ws);
    }
}

static gboolean
retry_cb (gpointer user_data)
{
  KibitzSignaling *self = user_data;

  self->retry_id = 0;
  connect_socket (self);

  return G_SOURCE_REMOVE;
}

/* Backoff: 250 ms, 500 ms, 1 s, 2 s, then 3 s, each plus up to 0.5 s jitter,
 * so a restarted server is not hit by a whole school at the same instant.
 */
static void
schedule_reconnect (KibitzSignaling *self)
{
  guint delay;

  drop_socket (self);
  if (self->state == KIBITZ_SIGNALING_CLOSED || self->retry_id != 0)
    return;

  delay = MIN (BACKOFF_CAP_MS, BACKOFF_FIRST_MS << MIN (self->attempt, 4));
  delay += g_random_int_range (0, BACKOFF_JITTER_MS);
  self->attempt++;
  set_state (self, KIBITZ_SIGNALING_RECONNECTING);
  g_debug ("reconnecting in %u ms (attempt %u)", delay, self->attempt);
  self->retry_id = g_timeout_add (delay, retry_cb, self);
}

static void
send_frame (KibitzSignaling *self,
            JsonObject      *object)
{
  g_autofree char *text = kibitz_message_to_string (object);

  soup_websocket_connection_send_text (self->ws, text);
}

static void
send_join (KibitzSignaling *self)
{
  g_autoptr(JsonObject) join = kibitz_message_new (KIBITZ_MESSAGE_JOIN);

  json_object_set_string_member (join, "room", self->room);
  json_object_set_string_member (join, "name", self->name);
  if (self->resume)
    json_object_set_string_member (join, "resume", self->resume);
  if (self->teacher)
    json_object_set_string_member (join, "teacher", self->teacher);
  if (self->invite)
    json_object_set_string_member (join, "invite", self->invite);
  send_frame (self, join);
}

static void
flush_outbox (KibitzSignaling *self)
{
  char *text;

  while ((text = g_queue_pop_head (&self->outbox)))
    {
      soup_websocket_connection_send_text (self->ws, text);
      g_free (text);
    }
}

/* Errors that no retry can fix end the session. */
static gboolean
is_fatal_join_error (const char *code)
{
  return g_strcmp0 (code, "room-full") == 0 || g_strcmp0 (code, "bad-room") == 0 ||
         g_strcmp0 (code, "bad-name") == 0 || g_strcmp0 (code, "denied") == 0 ||
         g_strcmp0 (code, "room-locked") == 0;
}

static void
handle_error (KibitzSignaling *self,
              JsonObject      *object)
{
  const char *code = kibitz_json_get_string (object, "code");
  const char *message = kibitz_json_get_string (object, "message");
  g_autoptr(GError) error = NULL;

  g_debug ("server error %s: %s", code, message);
  if (self->state != KIBITZ_SIGNALING_JOINED && is_fatal_join_error (code))
    {
      KibitzProtocolError protocol_code = KIBITZ_PROTOCOL_ERROR_BAD_REQUEST;

      kibitz_protocol_error_from_code (code, &protocol_code);
      error = g_error_new (KIBITZ_PROTOCOL_ERROR, protocol_code, "%s",
                           message ? message : code);
      set_state (self, KIBITZ_SIGNALING_CLOSED);
      drop_socket (self);
      g_signal_emit (self, signals[SIGNAL_FAILED], 0, error);
      return;
    }

  if (g_strcmp0 (code, "replaced") == 0)
    {
      /* Another connection took this id: do not fight it. */
      set_state (self, KIBITZ_SIGNALING_CLOSED);
      drop_socket (self);
      error = g_error_new_literal (KIBITZ_PROTOCOL_ERROR, KIBITZ_PROTOCOL_ERROR_REPLACED,
                                   "This participant joined the room again from another "
                                   "connection");
      g_signal_emit (self, signals[SIGNAL_FAILED], 0, error);
      return;
    }

  g_signal_emit (self, signals[SIGNAL_SERVER_ERROR], 0, code, message);
}

static void
handle_welcome (KibitzSignaling *self,
                JsonObject      *object)
{
  const char *id = kibitz_json_get_string (object, "id");
  const char *resume = kibitz_json_get_string (object, "resume");

  if (id == NULL)
    return;

  g_free (self->id);
  self->id = g_strdup (id);
  g_free (self->resume);
  self->resume = g_strdup (resume);
  self->attempt = 0;
  set_state (self, KIBITZ_SIGNALING_JOINED);
  g_signal_emit (self, signals[SIGNAL_WELCOME], 0, object);
  if (self->ws)
    flush_outbox (self);
}

/* The class sent us away: no reconnecting brings us back. */
static void
handle_sent_away (KibitzSignaling *self,
                  JsonObject      *object,
                  gboolean         removed)
{
  g_autoptr(GError) error = NULL;

  g_signal_emit (self, signals[SIGNAL_CLASS], 0, removed ? "removed" : "ended", object);
  set_state (self, KIBITZ_SIGNALING_CLOSED);
  drop_socket (self);
  error = g_error_new_literal (KIBITZ_SIGNALING_ERROR,
                               removed ? KIBITZ_SIGNALING_ERROR_REMOVED
                                       : KIBITZ_SIGNALING_ERROR_ENDED,
                               removed ? "The teacher removed you from the class"
                                       : "The teacher ended the class");
  g_signal_emit (self, signals[SIGNAL_FAILED], 0, error);
}

static void
dispatch (KibitzSignaling *self,
          JsonObject      *object)
{
  const char *type = kibitz_json_get_string (object, "type");
  JsonObject *peer;
  JsonObject *data;

  switch (kibitz_message_type_from_string (type))
    {
    case KIBITZ_MESSAGE_WELCOME:
      handle_welcome (self, object);
      break;
    case KIBITZ_MESSAGE_JOINED:
      if ((peer = kibitz_json_get_object (object, "peer")) && kibitz_json_get_string (peer, "id"))
        g_signal_emit (self, signals[SIGNAL_PEER_JOINED], 0, peer);
      break;
    case KIBITZ_MESSAGE_LEFT:
      if (kibitz_json_get_string (object, "id"))
        g_signal_emit (self, signals[SIGNAL_PEER_LEFT], 0, kibitz_json_get_string (object, "id"),
                       kibitz_json_get_string (object, "reason"));
      break;
    case KIBITZ_MESSAGE_SIGNAL:
      if ((data = kibitz_json_get_object (object, "data")) && kibitz_json_get_string (object, "from"))
        g_signal_emit (self, signals[SIGNAL_SIGNAL], 0, kibitz_json_get_string (object, "from"), data);
      break;
    case KIBITZ_MESSAGE_STATE:
      g_signal_emit (self, signals[SIGNAL_STATE], 0, object);
      break;
    case KIBITZ_MESSAGE_CHAT:
      g_signal_emit (self, signals[SIGNAL_CHAT], 0, object);
      break;
    case KIBITZ_MESSAGE_BOARD:
      g_signal_emit (self, signals[SIGNAL_BOARD], 0, object);
      break;
    case KIBITZ_MESSAGE_WAITING:
      /* A new wait after a reconnect forgets the id of an earlier one. */
      g_clear_pointer (&self->resume, g_free);
      set_state (self, KIBITZ_SIGNALING_WAITING);
      self->attempt = 0;
      g_signal_emit (self, signals[SIGNAL_CLASS], 0, type, object);
      break;
    case KIBITZ_MESSAGE_KNOCK:
    case KIBITZ_MESSAGE_WITHDRAWN:
    case KIBITZ_MESSAGE_ROOM_STATE:
    case KIBITZ_MESSAGE_MUTED:
    case KIBITZ_MESSAGE_INVITE:
      g_signal_emit (self, signals[SIGNAL_CLASS], 0, type, object);
      break;
    case KIBITZ_MESSAGE_REMOVED:
    case KIBITZ_MESSAGE_ENDED:
      handle_sent_away (self, object,
                        kibitz_message_type_from_string (type) == KIBITZ_MESSAGE_REMOVED);
      break;
    case KIBITZ_MESSAGE_ERROR:
      handle_error (self, object);
      break;
    case KIBITZ_MESSAGE_JOIN:
    case KIBITZ_MESSAGE_LEAVE:
    case KIBITZ_MESSAGE_UNKNOWN:
    default:
      g_debug ("ignoring a server message of type %s", type);
      break;
    }
}

static void
message_cb (SoupWebsocketConnection *ws,
            SoupWebsocketDataType    type,
            GBytes                  *message,
            KibitzSignaling         *self)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(KibitzSignaling) hold = g_object_ref (self);
  gsize length;
  const char *data = g_bytes_get_data (message, &length);
  JsonNode *root;

  self->last_heard = g_get_monotonic_time ();
  if (type != SOUP_WEBSOCKET_DATA_TEXT ||
      !json_parser_load_from_data (parser, data, length, NULL) ||
      !(root = json_parser_get_root (parser)) || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_debug ("ignoring a frame that is not a JSON object");
      return;
    }

  dispatch (self, json_node_get_object (root));
}

static void
pong_cb (SoupWebsocketConnection *ws,
         GBytes                  *message,
         KibitzSignaling         *self)
{
  self->last_heard = g_get_monotonic_time ();
}

static void
closed_cb (SoupWebsocketConnection *ws,
           KibitzSignaling         *self)
{
  g_debug ("signaling socket closed (code %u)", soup_websocket_connection_get_close_code (ws));
  schedule_reconnect (self);
}

static void
connected_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(KibitzSignaling) self = user_data;
  g_autoptr(GError) error = NULL;
  SoupWebsocketConnection *ws;

  ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  if (ws == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_debug ("cannot connect to %s: %s", self->url, error->message);
          g_clear_object (&self->connecting);
          schedule_reconnect (self);
        }
      return;
    }

  g_clear_object (&self->connecting);
  self->ws = ws;
  self->last_heard = g_get_monotonic_time ();
  soup_websocket_connection_set_keepalive_interval (ws, PING_INTERVAL_SECONDS);
  soup_websocket_connection_set_max_incoming_payload_size (ws, 1024 * 1024);
  g_signal_connect (ws, "message", G_CALLBACK (message_cb), self);
  g_signal_connect (ws, "pong", G_CALLBACK (pong_cb), self);
  g_signal_connect (ws, "closed", G_CALLBACK (closed_cb), self);
  send_join (self);
}

static void
connect_socket (KibitzSignaling *self)
{
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", self->url);

  if (self->state == KIBITZ_SIGNALING_CLOSED)
    return;

  if (self->state != KIBITZ_SIGNALING_RECONNECTING)
    set_state (self, KIBITZ_SIGNALING_CONNECTING);
  else
    self->reconnects++;

  self->connecting = g_cancellable_new ();
  soup_session_websocket_connect_async (self->session, msg, NULL, NULL, G_PRIORITY_DEFAULT,
                                        self->connecting, connected_cb, g_object_ref (self));
}

/* The server answers pings; if nothing at all arrives for 15 s the socket is
 * dead even if TCP has not noticed (a laptop that slept, a NAT that forgot).
 */
static gboolean
liveness_cb (gpointer user_data)
{
  KibitzSignaling *self = user_data;

  if (self->ws && g_get_monotonic_time () - self->last_heard > SILENCE_LIMIT_USEC)
    {
      g_debug ("server silent for 15 s; reconnecting");
      schedule_reconnect (self);
    }

  return G_SOURCE_CONTINUE;
}

void
kibitz_signaling_start (KibitzSignaling *self)
{
  g_return_if_fail (KIBITZ_IS_SIGNALING (self));
  g_return_if_fail (self->state == KIBITZ_SIGNALING_IDLE);

  self->liveness_id = g_timeout_add_seconds (1, liveness_cb, self);
  connect_socket (self);
}

void
kibitz_signaling_set_admission (KibitzSignaling *self,
                                const char      *teacher,
                                const char      *invite)
{
  g_return_if_fail (KIBITZ_IS_SIGNALING (self));

  g_free (self->teacher);
  self->teacher = g_strdup (teacher && *teacher ? teacher : NULL);
  g_free (self->invite);
  self->invite = g_strdup (invite && *invite ? invite : NULL);
}

/* For a network change: do not wait for the socket to time out. */
void
kibitz_signaling_reconnect_now (KibitzSignaling *self)
{
  if (self->state == KIBITZ_SIGNALING_CLOSED || self->state == KIBITZ_SIGNALING_IDLE)
    return;

  g_clear_handle_id (&self->retry_id, g_source_remove);
  drop_socket (self);
  self->attempt = 0;
  set_state (self, KIBITZ_SIGNALING_RECONNECTING);
  connect_socket (self);
}

static void
send_or_queue (KibitzSignaling *self,
               JsonObject      *object)
{
  g_autofree char *text = kibitz_message_to_string (object);

  if (self->state == KIBITZ_SIGNALING_JOINED && self->ws &&
      soup_websocket_connection_get_state (self->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    {
      soup_websocket_connection_send_text (self->ws, text);
      return;
    }

  if (self->outbox.length < OUTBOX_MAX)
    g_queue_push_tail (&self->outbox, g_steal_pointer (&text));
}

void
kibitz_signaling_send_signal (KibitzSignaling *self,
                              const char      *to,
                              JsonObject      *data)
{
  g_autoptr(JsonObject) signal = kibitz_message_new (KIBITZ_MESSAGE_SIGNAL);

  json_object_set_string_member (signal, "to", to);
  json_object_set_object_member (signal, "data", json_object_ref (data));
  send_or_queue (self, signal);
}

/* @state holds any of the booleans audio, video, hand. */
void
kibitz_signaling_send_state (KibitzSignaling *self,
                             JsonObject      *state)
{
  g_autoptr(JsonObject) message = kibitz_message_new (KIBITZ_MESSAGE_STATE);
  GList *members = json_object_get_members (state);

  for (GList *l = members; l; l = l->next)
    json_object_set_member (message, l->data, json_object_dup_member (state, l->data));
  g_list_free (members);
  send_or_queue (self, message);
}

void
kibitz_signaling_send_chat (KibitzSignaling *self,
                            const char      *text)
{
  g_autoptr(JsonObject) chat = kibitz_message_new (KIBITZ_MESSAGE_CHAT);

  json_object_set_string_member (chat, "text", text);
  send_or_queue (self, chat);
}

void
kibitz_signaling_send_request (KibitzSignaling   *self,
                               KibitzMessageType  type,
                               JsonObject        *members)
{
  g_autoptr(JsonObject) message = kibitz_message_new (type);
  GList *names = json_object_get_members (members);

  for (GList *l = names; l; l = l->next)
    json_object_set_member (message, l->data, json_object_dup_member (members, l->data));
  g_list_free (names);
  send_or_queue (self, message);
}

void
kibitz_signaling_leave (KibitzSignaling *self)
{
  if (self->ws && soup_websocket_connection_get_state (self->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    {
      g_autoptr(JsonObject) leave = kibitz_message_new (KIBITZ_MESSAGE_LEAVE);

      send_frame (self, leave);
    }

  g_clear_handle_id (&self->retry_id, g_source_remove);
  set_state (self, KIBITZ_SIGNALING_CLOSED);
  if (self->ws)
    g_signal_handlers_disconnect_by_data (self->ws, self);
  g_cancellable_cancel (self->connecting);
}

KibitzSignalingState
kibitz_signaling_get_state (KibitzSignaling *self)
{
  return self->state;
}

const char *
kibitz_signaling_get_id (KibitzSignaling *self)
{
  return self->id;
}

guint
kibitz_signaling_get_reconnects (KibitzSignaling *self)
{
  return self->reconnects;
}

static void
kibitz_signaling_dispose (GObject *object)
{
  KibitzSignaling *self = KIBITZ_SIGNALING (object);

  g_clear_handle_id (&self->retry_id, g_source_remove);
  g_clear_handle_id (&self->liveness_id, g_source_remove);
  self->state = KIBITZ_SIGNALING_CLOSED;
  drop_socket (self);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (kibitz_signaling_parent_class)->dispose (object);
}

static void
kibitz_signaling_finalize (GObject *object)
{
  KibitzSignaling *self = KIBITZ_SIGNALING (object);

  g_queue_clear_full (&self->outbox, g_free);
  g_free (self->url);
  g_free (self->room);
  g_free (self->name);
  g_free (self->id);
  g_free (self->resume);
  g_free (self->teacher);
  g_free (self->invite);

  G_OBJECT_CLASS (kibitz_signaling_parent_class)->finalize (object);
}

static void
kibitz_signaling_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  KibitzSignaling *self = KIBITZ_SIGNALING (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kibitz_signaling_class_init (KibitzSignalingClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = kibitz_signaling_dispose;
  object_class->finalize = kibitz_signaling_finalize;
  object_class->get_property = kibitz_signaling_get_property;

  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL, KIBITZ_SIGNALING_IDLE, KIBITZ_SIGNALING_WAITING,
                      KIBITZ_SIGNALING_IDLE,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_WELCOME] = g_signal_new ("welcome", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 1, JSON_TYPE_OBJECT);
  signals[SIGNAL_PEER_JOINED] = g_signal_new ("peer-joined", G_TYPE_FROM_CLASS (klass),
                                              G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                              G_TYPE_NONE, 1, JSON_TYPE_OBJECT);
  signals[SIGNAL_PEER_LEFT] = g_signal_new ("peer-left", G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                            G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  signals[SIGNAL_SIGNAL] = g_signal_new ("signal", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING,
                                         JSON_TYPE_OBJECT);
  signals[SIGNAL_STATE] = g_signal_new ("state", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 1, JSON_TYPE_OBJECT);
  signals[SIGNAL_CHAT] = g_signal_new ("chat", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 1, JSON_TYPE_OBJECT);
  signals[SIGNAL_BOARD] = g_signal_new ("board", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 1, JSON_TYPE_OBJECT);
  signals[SIGNAL_CLASS] = g_signal_new ("class", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING,
                                        JSON_TYPE_OBJECT);
  signals[SIGNAL_SERVER_ERROR] = g_signal_new ("server-error", G_TYPE_FROM_CLASS (klass),
                                               G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                               G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  signals[SIGNAL_FAILED] = g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
kibitz_signaling_init (KibitzSignaling *self)
{
  g_queue_init (&self->outbox);
}

/* @url is the signaling URL from /v1/config; the room goes on it as ?room=
 * so that a load balancer can route a whole class to one server. It is the
 * room's normalized key, so "Maths 7b" and "maths 7B" hash alike.
 */
KibitzSignaling *
kibitz_signaling_new (const char *url,
                      const char *room,
                      const char *name)
{
  KibitzSignaling *self = g_object_new (KIBITZ_TYPE_SIGNALING, NULL);
  g_autofree char *key = kibitz_room_name_normalize (room, NULL, NULL);
  g_autofree char *escaped = g_uri_escape_string (key ? key : room, NULL, FALSE);

  self->url = g_strdup_printf ("%s%croom=%s", url, strchr (url, '?') ? '&' : '?', escaped);
  self->room = g_strdup (room);
  self->name = g_strdup (name);
  self->session = soup_session_new_with_options ("timeout", 10, NULL);

  return self;
}
