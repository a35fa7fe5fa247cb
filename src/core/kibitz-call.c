/* kibitz-call.c: the call: signaling, media, the public API (the links to
 * each participant are in kibitz-call-links.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-call"

#include "config.h"

#include <stdarg.h>
#include <string.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <gst/webrtc/webrtc.h>

#include "kibitz-call-private.h"
#include "kibitz-config.h"
#include "kibitz-core-error.h"
#include "kibitz-ice-servers.h"
#include "kibitz-message.h"
#include "kibitz-signaling.h"

#define REFRESH_INTERVAL_MS   250
/* protocol.md: after a resumed welcome, a peer that does not reappear within
 * 30 s is treated as gone. */
#define RESUME_WAIT_USEC      (30 * G_USEC_PER_SEC)
/* How often the local addresses are compared (network switch). */
#define ADDRESS_POLL_USEC     (1 * G_USEC_PER_SEC)

G_DEFINE_FINAL_TYPE (KibitzCall, kibitz_call, G_TYPE_OBJECT)

guint kibitz_call_signals[N_SIGNALS];

/* Signaling events */

static void
use_ice_servers (KibitzCall *self,
                 JsonArray  *servers)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *stun = NULL;
  g_auto(GStrv) turns = NULL;

  if (servers == NULL)
    return;

  if (!kibitz_ice_servers_to_webrtc (servers, &stun, &turns, &error))
    {
      g_message ("ignoring unusable ICE servers from the server: %s", error->message);
      return;
    }

  g_free (self->stun);
  self->stun = g_steal_pointer (&stun);
  g_strfreev (self->turns);
  self->turns = g_steal_pointer (&turns);
}

/* The newcomer offers (protocol.md): to every listed peer we have no live
 * connection with. After a resumed welcome, live connections are kept, and a
 * peer not listed gets 30 s to reappear.
 */
static void
welcome_cb (KibitzSignaling *signaling,
            JsonObject      *welcome,
            KibitzCall      *self)
{
  gboolean resumed = kibitz_json_get_boolean (welcome, "resumed", FALSE);
  JsonNode *peers_node = json_object_get_member (welcome, "peers");
  JsonArray *peers = peers_node && JSON_NODE_HOLDS_ARRAY (peers_node)
                     ? json_node_get_array (peers_node) : NULL;
  JsonNode *ice = json_object_get_member (welcome, "ice_servers");
  g_autoptr(GHashTable) listed = g_hash_table_new (g_str_hash, g_str_equal);

  if (self->joined_at == 0)
    self->joined_at = g_get_monotonic_time ();
  kibitz_call_class_welcome (self, welcome);
  /* The server keeps no state across a restart, and starts everyone with
   * camera and microphone on: say how we really are. */
  kibitz_call_send_own_state (self);
  use_ice_servers (self, ice && JSON_NODE_HOLDS_ARRAY (ice) ? json_node_get_array (ice) : NULL);
  g_signal_emit (self, kibitz_call_signals[SIGNAL_JOINED], 0, kibitz_json_get_string (welcome, "id"), resumed);
  if (kibitz_json_get_object (welcome, "board") != NULL)
    kibitz_call_board_take (self, kibitz_json_get_object (welcome, "board"));

  for (guint i = 0; peers && i < json_array_get_length (peers); i++)
    {
      JsonObject *listed_peer = json_array_get_object_element (peers, i);
      const char *id = kibitz_json_get_string (listed_peer, "id");
      Participant *p;
      gboolean is_new;

      if (id == NULL)
        continue;

      is_new = kibitz_call_find_participant (self, id) == NULL;
      p = kibitz_call_ensure_participant (self, id, kibitz_json_get_string (listed_peer, "name"));
      p->arrival = i + 1;
      kibitz_call_apply_state (p, kibitz_json_get_object (listed_peer, "state"));
      kibitz_call_apply_role (p, listed_peer);
      g_hash_table_add (listed, p->public.id);
      p->awaiting_until = 0;
      if (is_new || p->public.left)
        {
          p->public.left = FALSE;
          p->alive_at = g_get_monotonic_time ();
          p->failures = 0;
          p->next_rebuild = 0;
          g_signal_emit (self, kibitz_call_signals[SIGNAL_PARTICIPANT_JOINED], 0, &p->public);
        }
      if (!resumed || !kibitz_call_has_live_peer (p))
        kibitz_call_make_peer (self, p, TRUE);
      else
        kibitz_call_suspect_link (p);
    }

  for (guint i = 0; i < self->participants->len; i++)
    {
      Participant *p = g_ptr_array_index (self->participants, i);

      if (p->public.left || g_hash_table_contains (listed, p->public.id))
        continue;
      if (resumed && kibitz_call_has_live_peer (p))
        p->awaiting_until = g_get_monotonic_time () + RESUME_WAIT_USEC;
      else
        kibitz_call_participant_leaves (self, p, "gone");
    }
}

static void
peer_joined_cb (KibitzSignaling *signaling,
                JsonObject      *peer,
                KibitzCall      *self)
{
  const char *id = kibitz_json_get_string (peer, "id");
  Participant *p = kibitz_call_find_participant (self, id);
  gboolean known = p != NULL && !p->public.left;

  /* Off the waiting list before anyone hears of the newcomer. */
  kibitz_call_class_joined (self, id);
  p = kibitz_call_ensure_participant (self, id, kibitz_json_get_string (peer, "name"));
  if (!known)
    p->arrival = 0;
  kibitz_call_apply_state (p, kibitz_json_get_object (peer, "state"));
  kibitz_call_apply_role (p, peer);
  p->awaiting_until = 0;

  /* A restarted server announces everyone again: a live link stays as it
   * is; a dead one is rebuilt now. */
  if (known)
    {
      kibitz_call_suspect_link (p);
      return;
    }

  p->public.left = FALSE;
  p->alive_at = g_get_monotonic_time ();
  p->failures = 0;
  p->next_rebuild = 0;
  g_signal_emit (self, kibitz_call_signals[SIGNAL_PARTICIPANT_JOINED], 0, &p->public);
}

static void
peer_left_cb (KibitzSignaling *signaling,
              const char      *id,
              const char      *reason,
              KibitzCall      *self)
{
  Participant *p = kibitz_call_find_participant (self, id);

  if (p)
    kibitz_call_participant_leaves (self, p, reason ? reason : "leave");
}

static void
state_cb (KibitzSignaling *signaling,
          JsonObject      *message,
          KibitzCall      *self)
{
  const char *from = kibitz_json_get_string (message, "from");
  Participant *p = from ? kibitz_call_find_participant (self, from) : NULL;

  if (p == NULL)
    {
      kibitz_call_class_own_state (self, message);
      return;
    }

  kibitz_call_apply_state (p, message);
  g_signal_emit (self, kibitz_call_signals[SIGNAL_PARTICIPANT_STATE], 0, &p->public);
}

static void
chat_cb (KibitzSignaling *signaling,
         JsonObject      *message,
         KibitzCall      *self)
{
  g_signal_emit (self, kibitz_call_signals[SIGNAL_CHAT], 0, message);
}

static void
board_cb (KibitzSignaling *signaling,
          JsonObject      *message,
          KibitzCall      *self)
{
  kibitz_call_board_take (self, message);
}

static void
server_error_cb (KibitzSignaling *signaling,
                 const char      *code,
                 const char      *message,
                 KibitzCall      *self)
{
  g_message ("the server answered %s: %s", code, message);
  g_signal_emit (self, kibitz_call_signals[SIGNAL_SERVER_ERROR], 0, code, message);

  /* After a server restart a signal can reach the server before its
   * addressee is back, and is refused: the error does not say to whom, so
   * every link still waiting for media is retried soon (the watchdog). */
  if (g_strcmp0 (code, "unknown-peer") == 0)
    {
      gint64 now = g_get_monotonic_time ();

      for (guint i = 0; i < self->participants->len; i++)
        {
          Participant *p = g_ptr_array_index (self->participants, i);

          if (!p->public.left && !p->carried_media && p->next_rebuild > now + G_USEC_PER_SEC)
            p->next_rebuild = now + G_USEC_PER_SEC;
        }
    }
}

static void
fail_call (KibitzCall   *self,
           const GError *error)
{
  if (self->failed)
    return;

  self->failed = TRUE;
  g_signal_emit (self, kibitz_call_signals[SIGNAL_FAILED], 0, error);
}

static void
signaling_failed_cb (KibitzSignaling *signaling,
                     const GError    *error,
                     KibitzCall      *self)
{
  fail_call (self, error);
}

/* Bus errors go to the peer whose elements raised them; only that link fails. */
static gboolean
bus_cb (GstBus     *bus,
        GstMessage *message,
        gpointer    user_data)
{
  KibitzCall *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *debug = NULL;

  /* Sinks added with each peer never learn the jitter buffer's latency
   * unless it is distributed again: by default they show a frame as soon as
   * it is decoded (lowest delay; the jitter buffer then only waits for lost
   * packets). With sync_latency they wait it out, as a player would
   * (smoother, lip-synced, later): bench/latency measures both. */
  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_LATENCY && self->options.sync_latency)
    {
      gst_bin_recalculate_latency (GST_BIN (self->pipeline));
      return G_SOURCE_CONTINUE;
    }
  if (GST_MESSAGE_TYPE (message) != GST_MESSAGE_ERROR)
    return G_SOURCE_CONTINUE;

  for (guint i = 0; i < self->participants->len; i++)
    {
      Participant *p = g_ptr_array_index (self->participants, i);

      if (p->public.peer && kibitz_peer_handle_message (p->public.peer, message))
        return G_SOURCE_CONTINUE;
    }

  gst_message_parse_error (message, &error, &debug);
  g_message ("media error from %s: %s (%s)", GST_OBJECT_NAME (GST_MESSAGE_SRC (message)),
             error->message, debug ? debug : "");
  if (self->media && kibitz_media_source_owns (self->media, GST_MESSAGE_SRC (message)))
    {
      g_autoptr(GError) media_error = g_error_new (KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_STREAM,
                                                   "Your camera or microphone stopped working: %s",
                                                   error->message);

      fail_call (self, media_error);
    }

  return G_SOURCE_CONTINUE;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* The local addresses as one sorted string (network switch detection). */
static char *
local_addresses (void)
{
  struct ifaddrs *list = NULL;
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) out = g_string_new (NULL);

  if (getifaddrs (&list) != 0)
    return g_strdup ("");

  for (struct ifaddrs *a = list; a != NULL; a = a->ifa_next)
    {
      char text[INET6_ADDRSTRLEN] = "";

      if (a->ifa_addr == NULL || (a->ifa_flags & IFF_LOOPBACK) || !(a->ifa_flags & IFF_UP))
        continue;
      if (a->ifa_addr->sa_family == AF_INET)
        inet_ntop (AF_INET, &((struct sockaddr_in *) a->ifa_addr)->sin_addr, text, sizeof text);
      else if (a->ifa_addr->sa_family == AF_INET6 &&
               !IN6_IS_ADDR_LINKLOCAL (&((struct sockaddr_in6 *) a->ifa_addr)->sin6_addr))
        inet_ntop (AF_INET6, &((struct sockaddr_in6 *) a->ifa_addr)->sin6_addr, text, sizeof text);
      if (text[0] != '\0')
        g_ptr_array_add (found, g_strdup (text));
    }
  freeifaddrs (list);

  g_ptr_array_sort (found, compare_strings);
  for (guint i = 0; i < found->len; i++)
    g_string_append_printf (out, "%s%s", i ? " " : "", (char *) g_ptr_array_index (found, i));
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* A laptop moving from cable to Wi-Fi: every link and the signaling socket
 * use addresses that are gone. Rebuild them all now instead of waiting for
 * timeouts. */
static void
watch_addresses (KibitzCall *self,
                 gint64      now)
{
  g_autofree char *addresses = NULL;

  if (now - self->addresses_polled < ADDRESS_POLL_USEC)
    return;
  self->addresses_polled = now;
  addresses = local_addresses ();
  if (self->addresses == NULL || g_str_equal (addresses, self->addresses))
    {
      if (self->addresses == NULL)
        self->addresses = g_steal_pointer (&addresses);
      return;
    }

  g_message ("the local addresses changed (%s → %s): rebuilding every link", self->addresses,
             addresses);
  g_free (self->addresses);
  self->addresses = g_steal_pointer (&addresses);
  if (self->signaling)
    kibitz_signaling_reconnect_now (self->signaling);

  for (guint i = 0; i < self->participants->len; i++)
    {
      Participant *p = g_ptr_array_index (self->participants, i);

      if (p->public.left)
        continue;
      p->failures = 0;
      p->next_rebuild = now + REBUILD_BACKOFF_FIRST_USEC;
      kibitz_call_rebuild_link (self, p, "lost its local address");
    }
}

static gboolean
refresh_cb (gpointer user_data)
{
  KibitzCall *self = user_data;
  gint64 now;

  kibitz_call_refresh (self);
  now = g_get_monotonic_time ();
  kibitz_call_rate_update (self, now);
  watch_addresses (self, now);
  for (guint i = 0; i < self->participants->len; i++)
    kibitz_call_watch_link (self, g_ptr_array_index (self->participants, i), now);
  return G_SOURCE_CONTINUE;
}

/* Updates counters, and emits connected / first-frame / left-after-resume. */
void
kibitz_call_refresh (KibitzCall *self)
{
  gint64 now = g_get_monotonic_time ();

  for (guint i = 0; i < self->participants->len; i++)
    {
      Participant *p = g_ptr_array_index (self->participants, i);
      KibitzPeer *peer = p->public.peer;

      if (p->awaiting_until != 0 && now > p->awaiting_until)
        {
          kibitz_call_participant_leaves (self, p, "timeout");
          continue;
        }

      if (peer == NULL)
        continue;

      kibitz_call_update_from_peer (self, p);
      if (!p->public.connected && kibitz_peer_get_state (peer) == KIBITZ_PEER_STATE_CONNECTED)
        {
          /* Report the link with its selected pair: poll stats once first
           * (at most one refresh later than the connection itself).
           */
          if (p->public.local_candidate == NULL && p->connected_polls++ < 8)
            {
              kibitz_peer_poll_stats (peer);
              continue;
            }
          p->public.connected = TRUE;
          g_signal_emit (self, kibitz_call_signals[SIGNAL_PARTICIPANT_CONNECTED], 0, &p->public);
        }
      if (!p->first_frame_seen && p->public.first_frame_ms >= 0)
        {
          p->first_frame_seen = TRUE;
          g_signal_emit (self, kibitz_call_signals[SIGNAL_FIRST_FRAME], 0, &p->public);
        }
      if (p->public.screen && !p->screen_frame_seen &&
          p->public.screen_frames > p->screen_frames_at_share)
        {
          p->screen_frame_seen = TRUE;
          g_signal_emit (self, kibitz_call_signals[SIGNAL_FIRST_SCREEN_FRAME], 0, &p->public);
        }
    }
}

/* Start-up: /v1/config, then the pipeline and the local media, then join. */

static void
start_media (KibitzCall *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GstBus) bus = NULL;
  KibitzMediaSourceOptions media = self->options.media;

  self->pipeline = gst_pipeline_new ("kibitz-call");
  bus = gst_pipeline_get_bus (GST_PIPELINE (self->pipeline));
  self->bus_watch_id = gst_bus_add_watch (bus, bus_cb, self);

  if (media.display_name == NULL)
    media.display_name = self->name;
  media.adaptive = self->options.congestion_control;
  self->media = kibitz_media_source_new (self->pipeline, &media, &error);
  if (self->media == NULL)
    {
      fail_call (self, error);
      return;
    }
  kibitz_call_apply_controls (self);
  kibitz_call_rate_init (self);

  if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      g_autoptr(GError) state_error = g_error_new (KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_PIPELINE,
                                                   "Cannot start the camera and microphone "
                                                   "pipeline");

      fail_call (self, state_error);
      return;
    }

  self->signaling = kibitz_signaling_new (self->config->signaling_url, self->room, self->name);
  kibitz_signaling_set_admission (self->signaling, self->teacher_token, self->invite);
  g_signal_connect (self->signaling, "welcome", G_CALLBACK (welcome_cb), self);
  g_signal_connect (self->signaling, "peer-joined", G_CALLBACK (peer_joined_cb), self);
  g_signal_connect (self->signaling, "peer-left", G_CALLBACK (peer_left_cb), self);
  g_signal_connect (self->signaling, "signal", G_CALLBACK (kibitz_call_signal_cb), self);
  g_signal_connect (self->signaling, "state", G_CALLBACK (state_cb), self);
  g_signal_connect (self->signaling, "chat", G_CALLBACK (chat_cb), self);
  g_signal_connect (self->signaling, "board", G_CALLBACK (board_cb), self);
  g_signal_connect (self->signaling, "class", G_CALLBACK (kibitz_call_class_cb), self);
  g_signal_connect (self->signaling, "server-error", G_CALLBACK (server_error_cb), self);
  g_signal_connect (self->signaling, "failed", G_CALLBACK (signaling_failed_cb), self);
  kibitz_call_board_flush (self);
  self->refresh_id = g_timeout_add (REFRESH_INTERVAL_MS, refresh_cb, self);
  kibitz_signaling_start (self->signaling);
}

static void
config_loaded_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  KibitzCall *self = user_data;
  g_autoptr(GError) error = NULL;
  KibitzConfig *config = kibitz_config_load_finish (result, &error);

  if (config == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        fail_call (self, error);
      g_object_unref (self);
      return;
    }

  self->config = config;
  /* Until the welcome brings credentials for the call, use these (TURN
   * URLs listed without credentials are left for the welcome). */
  use_ice_servers (self, config->ice_servers);
  start_media (self);
  g_object_unref (self);
}

void
kibitz_call_start (KibitzCall *self)
{
  g_return_if_fail (KIBITZ_IS_CALL (self));
  g_return_if_fail (self->cancellable == NULL);

  self->cancellable = g_cancellable_new ();
  kibitz_peer_prepare_dtls ();
  kibitz_config_load_async (self->server_url, self->cancellable, config_loaded_cb,
                            g_object_ref (self));
}

/* Says goodbye to the room and closes every link. */
void
kibitz_call_leave (KibitzCall *self)
{
  g_cancellable_cancel (self->cancellable);
  kibitz_call_refresh (self);
  if (self->signaling)
    kibitz_signaling_leave (self->signaling);

  for (guint i = 0; i < self->participants->len; i++)
    kibitz_call_close_peer (self, g_ptr_array_index (self->participants, i));
}

void
kibitz_call_set_sink_factory (KibitzCall        *self,
                              KibitzSinkFactory  factory,
                              gpointer           user_data)
{
  self->sink_factory = factory;
  self->sink_data = user_data;
}

void
kibitz_call_send_state (KibitzCall *self,
                        JsonObject *state)
{
  if (self->signaling)
    kibitz_signaling_send_state (self->signaling, state);
}

void
kibitz_call_send_chat (KibitzCall *self,
                       const char *text)
{
  if (self->signaling)
    kibitz_signaling_send_chat (self->signaling, text);
}

const char *
kibitz_call_get_id (KibitzCall *self)
{
  return self->signaling ? kibitz_signaling_get_id (self->signaling) : NULL;
}

const char *
kibitz_call_get_room (KibitzCall *self)
{
  return self->room;
}

/* (element-type KibitzParticipant): every participant seen, left ones too. */
GPtrArray *
kibitz_call_get_participants (KibitzCall *self)
{
  return self->participants;
}

KibitzMediaSource *
kibitz_call_get_media (KibitzCall *self)
{
  return self->media;
}

/* Lets every closing peer finish its teardown (bounded), so the pipeline can
 * go to NULL with no branch half-removed.
 */
static void
wait_for_closing_peers (KibitzCall *self)
{
  gint64 deadline = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;

  while (self->closing->len > 0 && g_get_monotonic_time () < deadline)
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
}

static void
kibitz_call_dispose (GObject *object)
{
  KibitzCall *self = KIBITZ_CALL (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  if (self->held)
    g_ptr_array_set_size (self->held, 0);
  for (guint i = 0; self->participants && i < self->participants->len; i++)
    kibitz_call_close_peer (self, g_ptr_array_index (self->participants, i));
  if (self->closing)
    {
      wait_for_closing_peers (self);
      /* A peer still closing past the wait (its ICE agent's close is async)
       * must not call back into a call that is gone. */
      for (guint i = 0; i < self->closing->len; i++)
        g_signal_handlers_disconnect_by_data (g_ptr_array_index (self->closing, i), self);
    }

  if (self->signaling)
    g_signal_handlers_disconnect_by_data (self->signaling, self);
  g_clear_object (&self->signaling);
  if (self->pipeline)
    gst_element_set_state (self->pipeline, GST_STATE_NULL);
  g_clear_handle_id (&self->bus_watch_id, g_source_remove);
  g_clear_object (&self->media);
  g_clear_object (&self->self_view);
  g_clear_object (&self->pipeline);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (kibitz_call_parent_class)->dispose (object);
}

static void
kibitz_call_finalize (GObject *object)
{
  KibitzCall *self = KIBITZ_CALL (object);

  g_clear_pointer (&self->participants, g_ptr_array_unref);
  g_clear_pointer (&self->closing, g_ptr_array_unref);
  g_clear_pointer (&self->held, g_ptr_array_unref);
  g_clear_pointer (&self->config, kibitz_config_free);
  g_free (self->server_url);
  g_free (self->room);
  g_free (self->name);
  g_free (self->teacher_token);
  g_free (self->invite);
  g_free (self->video);
  g_free (self->audio);
  g_free (self->stun);
  g_strfreev (self->turns);
  g_strfreev (self->ice_addresses);
  g_free (self->addresses);
  g_free (self->priority_id);
  g_clear_pointer (&self->board, json_object_unref);
  g_free (self->board_fen);
  g_clear_pointer (&self->board_pending, g_ptr_array_unref);
  g_free (self->role);
  g_clear_pointer (&self->room_state, json_object_unref);
  g_clear_pointer (&self->waiting, json_array_unref);

  G_OBJECT_CLASS (kibitz_call_parent_class)->finalize (object);
}

static guint
new_signal (GObjectClass *klass,
            const char   *name,
            guint         n_params,
            ...)
{
  GType types[3];
  va_list args;

  va_start (args, n_params);
  for (guint i = 0; i < n_params; i++)
    types[i] = va_arg (args, GType);
  va_end (args);

  return g_signal_newv (name, G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, NULL, NULL, NULL,
                        NULL, G_TYPE_NONE, n_params, types);
}

static void
kibitz_call_class_init (KibitzCallClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = kibitz_call_dispose;
  object_class->finalize = kibitz_call_finalize;
  kibitz_call_install_properties (object_class);

  kibitz_call_signals[SIGNAL_JOINED] = new_signal (object_class, "joined", 2, G_TYPE_STRING, G_TYPE_BOOLEAN);
  kibitz_call_signals[SIGNAL_PARTICIPANT_JOINED] = new_signal (object_class, "participant-joined", 1,
                                                   G_TYPE_POINTER);
  kibitz_call_signals[SIGNAL_PARTICIPANT_CONNECTED] = new_signal (object_class, "participant-connected", 1,
                                                      G_TYPE_POINTER);
  kibitz_call_signals[SIGNAL_FIRST_FRAME] = new_signal (object_class, "first-frame", 1, G_TYPE_POINTER);
  kibitz_call_signals[SIGNAL_FIRST_SCREEN_FRAME] = new_signal (object_class, "first-screen-frame", 1,
                                                   G_TYPE_POINTER);
  kibitz_call_signals[SIGNAL_PARTICIPANT_LEFT] = new_signal (object_class, "participant-left", 1,
                                                 G_TYPE_POINTER);
  kibitz_call_signals[SIGNAL_PARTICIPANT_FAILED] = new_signal (object_class, "participant-failed", 2,
                                                   G_TYPE_POINTER, G_TYPE_POINTER);
  kibitz_call_signals[SIGNAL_PARTICIPANT_STATE] = new_signal (object_class, "participant-state", 1,
                                                  G_TYPE_POINTER);
  kibitz_call_signals[SIGNAL_REMOTE_STREAM_ADDED] = new_signal (object_class, "remote-stream-added", 2,
                                                    G_TYPE_POINTER, G_TYPE_OBJECT);
  kibitz_call_signals[SIGNAL_CHAT] = new_signal (object_class, "chat", 1, JSON_TYPE_OBJECT);
  kibitz_call_signals[SIGNAL_BOARD_CHANGED] = new_signal (object_class, "board-changed", 1,
                                               JSON_TYPE_OBJECT);
  kibitz_call_signals[SIGNAL_CLASS_MESSAGE] = new_signal (object_class, "class-message", 2,
                                                         G_TYPE_STRING, JSON_TYPE_OBJECT);
  kibitz_call_signals[SIGNAL_SERVER_ERROR] = new_signal (object_class, "server-error", 2,
                                              G_TYPE_STRING, G_TYPE_STRING);
  kibitz_call_signals[SIGNAL_FAILED] = new_signal (object_class, "failed", 1, G_TYPE_POINTER);
}

static void
kibitz_call_init (KibitzCall *self)
{
  self->participants = g_ptr_array_new_with_free_func ((GDestroyNotify) kibitz_call_participant_free);
  self->closing = g_ptr_array_new_with_free_func (g_object_unref);
  self->held = g_ptr_array_new_with_free_func (kibitz_call_held_candidate_free);
  self->want_camera = TRUE;
  self->want_microphone = TRUE;
  self->camera_enabled = TRUE;
  self->microphone_enabled = TRUE;
}

KibitzCall *
kibitz_call_new (const KibitzCallOptions *options)
{
  KibitzCall *self = g_object_new (KIBITZ_TYPE_CALL, NULL);

  self->options = *options;
  self->server_url = g_strdup (options->server_url);
  self->room = g_strdup (options->room);
  self->name = g_strdup (options->name);
  self->video = g_strdup (options->media.video);
  self->audio = g_strdup (options->media.audio);
  self->ice_addresses = g_strdupv ((GStrv) options->ice_addresses);
  self->options.media.video = self->video;
  self->options.media.audio = self->audio;
  self->options.media.display_name = NULL;
  self->options.server_url = self->server_url;
  self->options.room = self->room;
  self->options.name = self->name;
  self->teacher_token = g_strdup (options->teacher_token);
  self->invite = g_strdup (options->invite);
  self->options.teacher_token = self->teacher_token;
  self->options.invite = self->invite;
  self->options.ice_addresses = (const char * const *) self->ice_addresses;

  return self;
}
