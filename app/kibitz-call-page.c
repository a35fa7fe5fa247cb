/* kibitz-call-page.c
 *
 * Drives one KibitzCall exactly as kibitz-peer does, and shows each remote
 * participant as a tile whose video comes from an appsink.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-call-page"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "kibitz-audio-output.h"
#include "kibitz-call.h"
#include "kibitz-call-page.h"
#include "kibitz-connection-window.h"
#include "kibitz-core-error.h"
#include "kibitz-protocol-error.h"

#define VIDEO_SINK_NAME "kibitz-video-sink"
#define BADGE_INTERVAL_MS 1000

struct _KibitzCallPage
{
  GtkWidget              parent_instance;

  GtkStack              *stack;
  AdwToastOverlay       *toast_overlay;
  GtkFlowBox            *grid;
  AdwStatusPage         *status_page;
  AdwFlap               *flap;
  GtkToggleButton       *microphone_button;
  GtkToggleButton       *camera_button;
  GtkToggleButton       *hand_button;
  GtkStack              *chat_stack;
  GtkListBox            *chat_list;
  GtkEntry              *chat_entry;

  KibitzCall            *call;
  KibitzAudioOutput     *audio_output;
  GHashTable            *tiles;      /* participant id -> KibitzParticipantTile */
  GHashTable            *lost;       /* ids whose link failed, until it connects again */
  KibitzParticipantTile *self_tile;
  char                  *error;
  GString               *chat_log;   /* "name: text" lines, oldest first */
  guint                  badge_id;

  /* What the user asked for; applied to each new call. */
  char                  *video_device;
  char                  *audio_device;
  gboolean               microphone_enabled;
  gboolean               camera_enabled;
  gboolean               hand_raised;

  /* The last join, kept to join again without a broken device. */
  char                  *server_url;
  char                  *room;
  char                  *name;
  gboolean               joined;
  gboolean               dropped_video;
  gboolean               dropped_audio;
};

G_DEFINE_FINAL_TYPE (KibitzCallPage, kibitz_call_page, GTK_TYPE_WIDGET)

enum {
  SIGNAL_CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

enum {
  PROP_0,
  PROP_MICROPHONE_ENABLED,
  PROP_CAMERA_ENABLED,
  PROP_HAND_RAISED,
  PROP_CHAT_OPEN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
toast (KibitzCallPage *self,
       const char     *title)
{
  AdwToast *t = adw_toast_new (title);

  adw_toast_set_timeout (t, 6);
  adw_toast_overlay_add_toast (self->toast_overlay, t);
}

/* The controls say what a press will do, with the shortcut, and show the
 * current state in their icon. */
static void
sync_controls (KibitzCallPage *self)
{
  const char *tooltip;

  gtk_button_set_icon_name (GTK_BUTTON (self->microphone_button),
                            self->microphone_enabled ? "audio-input-microphone-symbolic"
                                                     : "microphone-disabled-symbolic");
  tooltip = self->microphone_enabled ? _("Turn microphone off (Ctrl+D)")
                                     : _("Turn microphone on (Ctrl+D)");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->microphone_button), tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->microphone_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Microphone"),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, tooltip, -1);

  gtk_button_set_icon_name (GTK_BUTTON (self->camera_button),
                            self->camera_enabled ? "camera-web-symbolic"
                                                 : "camera-disabled-symbolic");
  tooltip = self->camera_enabled ? _("Turn camera off (Ctrl+E)") : _("Turn camera on (Ctrl+E)");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->camera_button), tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->camera_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Camera"),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, tooltip, -1);

  gtk_widget_set_tooltip_text (GTK_WIDGET (self->hand_button),
                               self->hand_raised ? _("Lower your hand") : _("Raise your hand"));

  if (self->self_tile != NULL)
    kibitz_participant_tile_set_state (self->self_tile, self->microphone_enabled,
                                       self->camera_enabled, self->hand_raised);
}

static void
set_microphone_enabled (KibitzCallPage *self,
                        gboolean        enabled)
{
  enabled = !!enabled;
  if (self->microphone_enabled == enabled)
    return;
  self->microphone_enabled = enabled;
  if (self->call != NULL)
    kibitz_call_set_microphone_enabled (self->call, enabled);
  sync_controls (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MICROPHONE_ENABLED]);
}

static void
set_camera_enabled (KibitzCallPage *self,
                    gboolean        enabled)
{
  enabled = !!enabled;
  if (self->camera_enabled == enabled)
    return;
  self->camera_enabled = enabled;
  if (self->call != NULL)
    kibitz_call_set_camera_enabled (self->call, enabled);
  sync_controls (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAMERA_ENABLED]);
}

static void
set_hand_raised (KibitzCallPage *self,
                 gboolean        raised)
{
  raised = !!raised;
  if (self->hand_raised == raised)
    return;
  self->hand_raised = raised;
  if (self->call != NULL)
    kibitz_call_set_hand_raised (self->call, raised);
  sync_controls (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAND_RAISED]);
}

/* A streaming thread: only makes elements, touches no page state. user_data
 * is the call's KibitzAudioOutput (or NULL), which outlives the call. */
static GstElement *
make_sink_cb (KibitzPeer      *peer,
              KibitzMediaKind  kind,
              gpointer         user_data)
{
  GstElement *sink;
  const char *name;

  if (kind == KIBITZ_MEDIA_KIND_VIDEO)
    {
      sink = kibitz_video_sink_new ();
      gst_object_set_name (GST_OBJECT (sink), VIDEO_SINK_NAME);
      return sink;
    }

  if (user_data != NULL)
    return kibitz_audio_output_make_sink (user_data);

  name = g_getenv ("KIBITZ_AUDIO_SINK");
  if (name == NULL || name[0] == '\0')
    name = "autoaudiosink";
  if (!(sink = gst_element_factory_make (name, NULL)))
    g_message ("cannot play remote audio: no GStreamer element “%s”", name);
  return sink;
}

static void
add_tile (KibitzCallPage        *self,
          KibitzParticipantTile *tile)
{
  gtk_flow_box_append (self->grid, GTK_WIDGET (tile));
}

static void
remove_tile (KibitzCallPage        *self,
             KibitzParticipantTile *tile)
{
  GtkWidget *child = gtk_widget_get_parent (GTK_WIDGET (tile));

  gtk_flow_box_remove (self->grid, child);
}

static gboolean
is_relayed (const KibitzParticipant *p)
{
  return g_strcmp0 (p->local_candidate, "relay") == 0 ||
         g_strcmp0 (p->remote_candidate, "relay") == 0;
}

static void
participant_joined_cb (KibitzCall        *call,
                       KibitzParticipant *p,
                       KibitzCallPage    *self)
{
  GtkWidget *tile = g_hash_table_lookup (self->tiles, p->id);

  if (tile != NULL)
    {
      kibitz_participant_tile_set_name (KIBITZ_PARTICIPANT_TILE (tile), p->name);
      return;
    }

  tile = kibitz_participant_tile_new (p->id, p->name);
  kibitz_participant_tile_set_state (KIBITZ_PARTICIPANT_TILE (tile), p->audio, p->video, p->hand);
  g_hash_table_insert (self->tiles, g_strdup (p->id), g_object_ref (tile));
  add_tile (self, KIBITZ_PARTICIPANT_TILE (tile));
}

static void
participant_left_cb (KibitzCall        *call,
                     KibitzParticipant *p,
                     KibitzCallPage    *self)
{
  KibitzParticipantTile *tile = g_hash_table_lookup (self->tiles, p->id);

  g_hash_table_remove (self->lost, p->id);
  if (tile == NULL)
    return;

  remove_tile (self, tile);
  g_hash_table_remove (self->tiles, p->id);
}

static void
participant_state_cb (KibitzCall        *call,
                      KibitzParticipant *p,
                      KibitzCallPage    *self)
{
  KibitzParticipantTile *tile = g_hash_table_lookup (self->tiles, p->id);
  gboolean had_hand;

  if (tile == NULL)
    return;

  had_hand = (kibitz_participant_tile_get_badges (tile) & KIBITZ_TILE_BADGE_HAND) != 0;
  kibitz_participant_tile_set_state (tile, p->audio, p->video, p->hand);
  if (p->hand && !had_hand)
    {
      g_autofree char *title = g_strdup_printf (_("%s raised their hand"), p->name);

      toast (self, title);
    }
}

static void
participant_connected_cb (KibitzCall        *call,
                          KibitzParticipant *p,
                          KibitzCallPage    *self)
{
  KibitzParticipantTile *tile = g_hash_table_lookup (self->tiles, p->id);

  if (tile != NULL)
    kibitz_participant_tile_set_relayed (tile, is_relayed (p));
  if (g_hash_table_remove (self->lost, p->id))
    {
      g_autofree char *title = g_strdup_printf (_("Connected again with %s"), p->name);

      toast (self, title);
    }
}

static void
participant_failed_cb (KibitzCall        *call,
                       KibitzParticipant *p,
                       const GError      *error,
                       KibitzCallPage    *self)
{
  g_autofree char *title = NULL;

  g_debug ("the link with %s failed: %s", p->name, error->message);
  if (!g_hash_table_add (self->lost, g_strdup (p->id)))
    return;

  title = g_strdup_printf (_("Lost the connection with %s. Trying to reconnect…"), p->name);
  toast (self, title);
}

/* The selected ICE pair can change (and is known only after connecting):
 * look again now and then. */
static gboolean
update_badges_cb (gpointer user_data)
{
  KibitzCallPage *self = user_data;
  GPtrArray *participants;

  if (self->call == NULL)
    return G_SOURCE_CONTINUE;

  participants = kibitz_call_get_participants (self->call);
  for (guint i = 0; i < participants->len; i++)
    {
      KibitzParticipant *p = g_ptr_array_index (participants, i);
      KibitzParticipantTile *tile = g_hash_table_lookup (self->tiles, p->id);

      if (tile != NULL && p->peer != NULL)
        kibitz_participant_tile_set_relayed (tile, is_relayed (p));

      /* "connected" is sent once per participant: a link that failed and
       * came back is noticed here. */
      if (p->peer != NULL && kibitz_peer_get_state (p->peer) == KIBITZ_PEER_STATE_CONNECTED &&
          g_hash_table_remove (self->lost, p->id))
        {
          g_autofree char *title = g_strdup_printf (_("Connected again with %s"), p->name);

          toast (self, title);
        }
    }
  return G_SOURCE_CONTINUE;
}

static void
add_chat_row (KibitzCallPage *self,
              const char     *name,
              const char     *text)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *author = gtk_label_new (name);
  GtkWidget *body = gtk_label_new (text);
  GtkAdjustment *adjustment;

  gtk_widget_add_css_class (box, "chat-message");
  gtk_widget_add_css_class (author, "chat-author");
  gtk_label_set_xalign (GTK_LABEL (author), 0);
  gtk_label_set_xalign (GTK_LABEL (body), 0);
  gtk_label_set_wrap (GTK_LABEL (body), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (body), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (body), TRUE);
  gtk_box_append (GTK_BOX (box), author);
  gtk_box_append (GTK_BOX (box), body);
  gtk_list_box_append (self->chat_list, box);
  gtk_stack_set_visible_child_name (self->chat_stack, "messages");

  adjustment = gtk_scrolled_window_get_vadjustment (
      GTK_SCROLLED_WINDOW (gtk_widget_get_parent (gtk_widget_get_parent (GTK_WIDGET (self->chat_list)))));
  if (adjustment != NULL)
    gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
}

/* The server echoes our own messages too: every message arrives here once. */
static void
chat_cb (KibitzCall     *call,
         JsonObject     *message,
         KibitzCallPage *self)
{
  const char *name = json_object_has_member (message, "name")
                       ? json_object_get_string_member_with_default (message, "name", "")
                       : "";
  const char *text = json_object_get_string_member_with_default (message, "text", "");
  const char *from = json_object_get_string_member_with_default (message, "from", "");
  gboolean mine = g_strcmp0 (from, kibitz_call_get_id (call)) == 0;

  if (text[0] == '\0')
    return;
  g_string_append_printf (self->chat_log, "%s: %s\n", name, text);
  add_chat_row (self, mine ? _("You") : name, text);

  if (!mine && !adw_flap_get_reveal_flap (self->flap))
    {
      g_autofree char *title = g_strdup_printf (_("%s wrote: %s"), name, text);
      AdwToast *t = adw_toast_new (title);

      adw_toast_set_button_label (t, _("_Open Chat"));
      adw_toast_set_action_name (t, "call.chat");
      adw_toast_set_timeout (t, 6);
      adw_toast_overlay_add_toast (self->toast_overlay, t);
    }
}

void
kibitz_call_page_send_chat (KibitzCallPage *self,
                            const char     *text)
{
  g_autofree char *trimmed = NULL;

  g_return_if_fail (KIBITZ_IS_CALL_PAGE (self));

  trimmed = g_strstrip (g_strdup (text));
  if (self->call == NULL || trimmed[0] == '\0')
    return;
  kibitz_call_send_chat (self->call, trimmed);
}

static void
send_chat_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  KibitzCallPage *self = KIBITZ_CALL_PAGE (widget);

  kibitz_call_page_send_chat (self, gtk_editable_get_text (GTK_EDITABLE (self->chat_entry)));
  gtk_editable_set_text (GTK_EDITABLE (self->chat_entry), "");
}

static void
chat_entry_activate_cb (KibitzCallPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "call.send-chat", NULL);
}

const char *
kibitz_call_page_get_chat_log (KibitzCallPage *self)
{
  g_return_val_if_fail (KIBITZ_IS_CALL_PAGE (self), NULL);

  return self->chat_log->str;
}

static void
remote_stream_added_cb (KibitzCall         *call,
                        KibitzParticipant  *p,
                        KibitzRemoteStream *stream,
                        KibitzCallPage     *self)
{
  KibitzParticipantTile *tile = g_hash_table_lookup (self->tiles, p->id);
  g_autoptr(GstElement) sink = NULL;

  if (tile == NULL || kibitz_remote_stream_get_kind (stream) != KIBITZ_MEDIA_KIND_VIDEO)
    return;

  sink = gst_bin_get_by_name (GST_BIN (kibitz_remote_stream_get_bin (stream)), VIDEO_SINK_NAME);
  if (sink != NULL)
    kibitz_video_paintable_set_sink (kibitz_participant_tile_get_paintable (tile), sink);
}

/* The self-view decodes what we send (the engine tees encoded video): one
 * small VP8 decode, and it shows exactly what the others see. */
static GstElement *
make_self_view_bin (GstElement *sink)
{
  GstElement *bin = gst_bin_new ("self-view");
  GstElement *queue = gst_element_factory_make ("queue", NULL);
  GstElement *decoder = gst_element_factory_make ("vp8dec", NULL);
  GstElement *convert = gst_element_factory_make ("videoconvert", NULL);
  g_autoptr(GstPad) pad = NULL;

  if (queue == NULL || decoder == NULL || convert == NULL)
    {
      g_message ("no self-view: vp8dec or videoconvert is missing");
      g_clear_pointer (&queue, gst_object_unref);
      g_clear_pointer (&decoder, gst_object_unref);
      g_clear_pointer (&convert, gst_object_unref);
      gst_object_unref (gst_object_ref_sink (sink));
      gst_object_unref (bin);
      return NULL;
    }

  gst_util_set_object_arg (G_OBJECT (queue), "leaky", "downstream");
  g_object_set (queue, "max-size-buffers", 2, NULL);
  gst_bin_add_many (GST_BIN (bin), queue, decoder, convert, sink, NULL);
  gst_element_link_many (queue, decoder, convert, sink, NULL);
  pad = gst_element_get_static_pad (queue, "sink");
  gst_element_add_pad (bin, gst_ghost_pad_new ("sink", pad));
  return bin;
}

static void
add_self_view (KibitzCallPage *self)
{
  g_autoptr(GstElement) tee = NULL;
  g_autoptr(GstPad) tee_pad = NULL;
  g_autoptr(GstPad) bin_pad = NULL;
  GstElement *pipeline = kibitz_call_get_pipeline (self->call);
  GstElement *sink, *bin;

  if (pipeline == NULL || !(tee = gst_bin_get_by_name (GST_BIN (pipeline), "local-video-tee")))
    return;

  sink = kibitz_video_sink_new ();
  if (!(bin = make_self_view_bin (sink)))
    return;

  kibitz_video_paintable_set_sink (kibitz_participant_tile_get_paintable (self->self_tile), sink);
  gst_bin_add (GST_BIN (pipeline), bin);
  gst_element_sync_state_with_parent (bin);
  tee_pad = gst_element_request_pad_simple (tee, "src_%u");
  bin_pad = gst_element_get_static_pad (bin, "sink");
  if (GST_PAD_LINK_FAILED (gst_pad_link (tee_pad, bin_pad)))
    g_message ("no self-view: cannot link to the local video");
  kibitz_media_source_request_keyframe (kibitz_call_get_media (self->call));
}

static void
joined_cb (KibitzCall     *call,
           const char     *id,
           gboolean        resumed,
           KibitzCallPage *self)
{
  self->joined = TRUE;
  /* Announce what differs from the defaults now that the room hears us. */
  if (!self->microphone_enabled)
    kibitz_call_set_microphone_enabled (call, FALSE);
  if (!self->camera_enabled)
    kibitz_call_set_camera_enabled (call, FALSE);
  if (self->hand_raised)
    kibitz_call_set_hand_raised (call, TRUE);
  if (self->self_tile != NULL)
    return;

  self->self_tile = KIBITZ_PARTICIPANT_TILE (kibitz_participant_tile_new (NULL, _("You")));
  kibitz_participant_tile_set_avatar_name (self->self_tile, self->name);
  gtk_flow_box_prepend (self->grid, GTK_WIDGET (self->self_tile));
  add_self_view (self);
  sync_controls (self);
}

static gboolean
is_device_error (const GError *error)
{
  return g_error_matches (error, KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_STREAM) ||
         g_error_matches (error, KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_PIPELINE) ||
         g_error_matches (error, KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_MISSING_ELEMENT);
}

static void start_call (KibitzCallPage *self);

static void
show_error (KibitzCallPage *self,
            const char     *title,
            const char     *description,
            const char     *icon_name)
{
  g_free (self->error);
  self->error = g_strdup (description);
  adw_status_page_set_title (self->status_page, title);
  adw_status_page_set_description (self->status_page, description);
  adw_status_page_set_icon_name (self->status_page, icon_name);
  gtk_stack_set_visible_child_name (self->stack, "error");
}

static void
call_failed_cb (KibitzCall     *call,
                const GError   *error,
                KibitzCallPage *self)
{
  g_autofree char *description = NULL;

  g_message ("the call failed: %s", error->message);

  /* A camera that is busy or missing: join anyway without it, then without
   * the microphone too. */
  if (is_device_error (error) && (!self->dropped_video || !self->dropped_audio))
    {
      if (!self->dropped_video)
        {
          self->dropped_video = TRUE;
          toast (self, _("Your camera is busy or missing, so you joined without it"));
        }
      else
        {
          self->dropped_audio = TRUE;
          toast (self, _("Your microphone is busy or missing, so you joined without it"));
        }
      start_call (self);
      return;
    }

  if (g_error_matches (error, KIBITZ_PROTOCOL_ERROR, KIBITZ_PROTOCOL_ERROR_ROOM_FULL))
    {
      description = g_strdup_printf (_("The room “%s” already has as many people as it can take. "
                                       "Ask your teacher, or try again later."), self->room);
      show_error (self, _("The Class Is Full"), description, "system-users-symbolic");
    }
  else if (g_error_matches (error, KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_SERVER))
    {
      description = g_strdup_printf (_("Kibitz could not reach the server at %s. Check that this "
                                       "computer is online and that the server address is the "
                                       "one your teacher gave you."), self->server_url);
      show_error (self, _("Cannot Reach the Class"), description, "network-error-symbolic");
    }
  else if (is_device_error (error))
    {
      description = g_strdup_printf (_("Your camera or microphone stopped working (%s). Check "
                                       "that no other app uses them, then join again."),
                                     error->message);
      show_error (self, _("Camera or Microphone Problem"), description,
                  "camera-disabled-symbolic");
    }
  else
    {
      show_error (self, _("Could Not Join the Class"), error->message, "network-error-symbolic");
    }
}

static void
clear_grid (KibitzCallPage *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->grid))))
    gtk_flow_box_remove (self->grid, child);
  g_hash_table_remove_all (self->tiles);
  g_hash_table_remove_all (self->lost);
  self->self_tile = NULL;
}

static void
clear_chat (KibitzCallPage *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->chat_list))))
    gtk_list_box_remove (self->chat_list, child);
  g_string_truncate (self->chat_log, 0);
  gtk_stack_set_visible_child_name (self->chat_stack, "empty");
}

static void
stop_call (KibitzCallPage *self)
{
  if (self->call != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->call, self);
      kibitz_call_leave (self->call);
      g_clear_object (&self->call);
    }
  g_clear_object (&self->audio_output);
  clear_grid (self);
}

static void
start_call (KibitzCallPage *self)
{
  KibitzCallOptions options = {
    .server_url = self->server_url,
    .room = self->room,
    .name = self->name,
    .media.video = self->dropped_video ? "none" : self->video_device,
    .media.audio = self->dropped_audio ? "none" : self->audio_device,
  };
  g_autoptr(GError) error = NULL;

  stop_call (self);

  /* Remote audio plays through the echo probe that the microphone's
   * echo canceller listens to: it must exist before the call starts. */
  self->audio_output = kibitz_audio_output_new (&error);
  if (self->audio_output == NULL)
    g_message ("%s", error->message);
  options.media.echo_cancellation = self->audio_output != NULL;
  self->joined = FALSE;
  gtk_stack_set_visible_child_name (self->stack, "call");

  self->call = kibitz_call_new (&options);
  kibitz_call_set_sink_factory (self->call, make_sink_cb, self->audio_output);
  g_signal_connect (self->call, "joined", G_CALLBACK (joined_cb), self);
  g_signal_connect (self->call, "participant-joined", G_CALLBACK (participant_joined_cb), self);
  g_signal_connect (self->call, "participant-left", G_CALLBACK (participant_left_cb), self);
  g_signal_connect (self->call, "participant-state", G_CALLBACK (participant_state_cb), self);
  g_signal_connect (self->call, "participant-connected", G_CALLBACK (participant_connected_cb),
                    self);
  g_signal_connect (self->call, "participant-failed", G_CALLBACK (participant_failed_cb), self);
  g_signal_connect (self->call, "remote-stream-added", G_CALLBACK (remote_stream_added_cb), self);
  g_signal_connect (self->call, "chat", G_CALLBACK (chat_cb), self);
  g_signal_connect (self->call, "failed", G_CALLBACK (call_failed_cb), self);
  kibitz_call_start (self->call);

  /* The choices made before (or in the lobby) hold for the new call. */
  if (!self->microphone_enabled || self->dropped_audio)
    kibitz_call_set_microphone_enabled (self->call, FALSE);
  if (!self->camera_enabled || self->dropped_video)
    kibitz_call_set_camera_enabled (self->call, FALSE);
  if (self->hand_raised)
    kibitz_call_set_hand_raised (self->call, TRUE);
  if (self->dropped_video)
    set_camera_enabled (self, FALSE);
  if (self->dropped_audio)
    set_microphone_enabled (self, FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "call.camera", !self->dropped_video);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "call.microphone", !self->dropped_audio);
}

void
kibitz_call_page_set_devices (KibitzCallPage *self,
                              const char     *video,
                              const char     *audio)
{
  g_return_if_fail (KIBITZ_IS_CALL_PAGE (self));

  g_free (self->video_device);
  g_free (self->audio_device);
  self->video_device = (video && video[0]) ? g_strdup (video) : NULL;
  self->audio_device = (audio && audio[0]) ? g_strdup (audio) : NULL;
}

void
kibitz_call_page_join (KibitzCallPage *self,
                       const char     *server_url,
                       const char     *room,
                       const char     *name)
{
  g_return_if_fail (KIBITZ_IS_CALL_PAGE (self));

  kibitz_call_page_leave (self);
  g_clear_pointer (&self->error, g_free);
  g_free (self->server_url);
  g_free (self->room);
  g_free (self->name);
  self->server_url = g_strdup (server_url);
  self->room = g_strdup (room);
  self->name = g_strdup (name);
  if (self->dropped_video)
    set_camera_enabled (self, TRUE);
  if (self->dropped_audio)
    set_microphone_enabled (self, TRUE);
  /* "None" in the lobby: the placeholder, and the control stays off. */
  self->dropped_video = g_strcmp0 (self->video_device, "none") == 0;
  self->dropped_audio = g_strcmp0 (self->audio_device, "none") == 0;
  set_hand_raised (self, FALSE);
  clear_chat (self);
  start_call (self);
}

/* Says goodbye, waits (bounded) for the links to close, and empties the grid. */
void
kibitz_call_page_leave (KibitzCallPage *self)
{
  g_return_if_fail (KIBITZ_IS_CALL_PAGE (self));

  stop_call (self);
  adw_flap_set_reveal_flap (self->flap, FALSE);
}

guint64
kibitz_call_page_get_audio_buffers_played (KibitzCallPage *self)
{
  g_return_val_if_fail (KIBITZ_IS_CALL_PAGE (self), 0);

  return self->audio_output ? kibitz_audio_output_get_n_buffers (self->audio_output) : 0;
}

KibitzCall *
kibitz_call_page_get_call (KibitzCallPage *self)
{
  g_return_val_if_fail (KIBITZ_IS_CALL_PAGE (self), NULL);

  return self->call;
}

KibitzParticipantTile *
kibitz_call_page_find_tile (KibitzCallPage *self,
                            const char     *name)
{
  GHashTableIter iter;
  gpointer tile;

  g_return_val_if_fail (KIBITZ_IS_CALL_PAGE (self), NULL);

  g_hash_table_iter_init (&iter, self->tiles);
  while (g_hash_table_iter_next (&iter, NULL, &tile))
    if (g_strcmp0 (kibitz_participant_tile_get_name (tile), name) == 0)
      return tile;

  return NULL;
}

KibitzParticipantTile *
kibitz_call_page_get_self_tile (KibitzCallPage *self)
{
  g_return_val_if_fail (KIBITZ_IS_CALL_PAGE (self), NULL);

  return self->self_tile;
}

guint
kibitz_call_page_get_n_remote (KibitzCallPage *self)
{
  g_return_val_if_fail (KIBITZ_IS_CALL_PAGE (self), 0);

  return g_hash_table_size (self->tiles);
}

const char *
kibitz_call_page_get_error (KibitzCallPage *self)
{
  g_return_val_if_fail (KIBITZ_IS_CALL_PAGE (self), NULL);

  return self->error;
}

static void
leave_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  KibitzCallPage *self = KIBITZ_CALL_PAGE (widget);

  kibitz_call_page_leave (self);
  g_signal_emit (self, signals[SIGNAL_CLOSED], 0);
}

static void
connection_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  KibitzCallPage *self = KIBITZ_CALL_PAGE (widget);
  GtkWindow *window;

  if (self->call == NULL)
    return;
  window = kibitz_connection_window_new (self->call);
  gtk_window_set_transient_for (window, GTK_WINDOW (gtk_widget_get_root (widget)));
  gtk_window_present (window);
}

static void
kibitz_call_page_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  KibitzCallPage *self = KIBITZ_CALL_PAGE (object);

  switch (prop_id)
    {
    case PROP_MICROPHONE_ENABLED:
      g_value_set_boolean (value, self->microphone_enabled);
      break;
    case PROP_CAMERA_ENABLED:
      g_value_set_boolean (value, self->camera_enabled);
      break;
    case PROP_HAND_RAISED:
      g_value_set_boolean (value, self->hand_raised);
      break;
    case PROP_CHAT_OPEN:
      g_value_set_boolean (value, adw_flap_get_reveal_flap (self->flap));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kibitz_call_page_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  KibitzCallPage *self = KIBITZ_CALL_PAGE (object);

  switch (prop_id)
    {
    case PROP_MICROPHONE_ENABLED:
      set_microphone_enabled (self, g_value_get_boolean (value));
      break;
    case PROP_CAMERA_ENABLED:
      set_camera_enabled (self, g_value_get_boolean (value));
      break;
    case PROP_HAND_RAISED:
      set_hand_raised (self, g_value_get_boolean (value));
      break;
    case PROP_CHAT_OPEN:
      adw_flap_set_reveal_flap (self->flap, g_value_get_boolean (value));
      if (g_value_get_boolean (value))
        gtk_widget_grab_focus (GTK_WIDGET (self->chat_entry));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
reveal_flap_cb (KibitzCallPage *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHAT_OPEN]);
}

static void
kibitz_call_page_dispose (GObject *object)
{
  KibitzCallPage *self = KIBITZ_CALL_PAGE (object);

  g_clear_handle_id (&self->badge_id, g_source_remove);
  stop_call (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), KIBITZ_TYPE_CALL_PAGE);
  g_clear_pointer (&self->tiles, g_hash_table_unref);
  g_clear_pointer (&self->lost, g_hash_table_unref);

  G_OBJECT_CLASS (kibitz_call_page_parent_class)->dispose (object);
}

static void
kibitz_call_page_finalize (GObject *object)
{
  KibitzCallPage *self = KIBITZ_CALL_PAGE (object);

  g_free (self->error);
  g_free (self->video_device);
  g_free (self->audio_device);
  g_free (self->server_url);
  g_free (self->room);
  g_free (self->name);
  g_string_free (self->chat_log, TRUE);

  G_OBJECT_CLASS (kibitz_call_page_parent_class)->finalize (object);
}

static void
kibitz_call_page_class_init (KibitzCallPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kibitz_call_page_dispose;
  object_class->finalize = kibitz_call_page_finalize;
  object_class->get_property = kibitz_call_page_get_property;
  object_class->set_property = kibitz_call_page_set_property;

  properties[PROP_MICROPHONE_ENABLED] =
    g_param_spec_boolean ("microphone-enabled", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CAMERA_ENABLED] =
    g_param_spec_boolean ("camera-enabled", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HAND_RAISED] =
    g_param_spec_boolean ("hand-raised", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CHAT_OPEN] =
    g_param_spec_boolean ("chat-open", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_CLOSED] = g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/kibitz/Kibitz/kibitz-call-page.ui");
  gtk_widget_class_bind_template_child (widget_class, KibitzCallPage, stack);
  gtk_widget_class_bind_template_child (widget_class, KibitzCallPage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, KibitzCallPage, grid);
  gtk_widget_class_bind_template_child (widget_class, KibitzCallPage, status_page);
  gtk_widget_class_bind_template_child (widget_class, KibitzCallPage, flap);
  gtk_widget_class_bind_template_child (widget_class, KibitzCallPage, microphone_button);
  gtk_widget_class_bind_template_child (widget_class, KibitzCallPage, camera_button);
  gtk_widget_class_bind_template_child (widget_class, KibitzCallPage, hand_button);
  gtk_widget_class_bind_template_child (widget_class, KibitzCallPage, chat_stack);
  gtk_widget_class_bind_template_child (widget_class, KibitzCallPage, chat_list);
  gtk_widget_class_bind_template_child (widget_class, KibitzCallPage, chat_entry);
  gtk_widget_class_bind_template_callback (widget_class, chat_entry_activate_cb);

  gtk_widget_class_install_property_action (widget_class, "call.microphone", "microphone-enabled");
  gtk_widget_class_install_property_action (widget_class, "call.camera", "camera-enabled");
  gtk_widget_class_install_property_action (widget_class, "call.hand", "hand-raised");
  gtk_widget_class_install_property_action (widget_class, "call.chat", "chat-open");
  gtk_widget_class_install_action (widget_class, "call.send-chat", NULL, send_chat_action);
  gtk_widget_class_install_action (widget_class, "call.connection", NULL, connection_action);
  gtk_widget_class_install_action (widget_class, "call.leave", NULL, leave_action);
  gtk_widget_class_install_action (widget_class, "call.close", NULL, leave_action);
}

static void
add_shortcut (GtkShortcutController *controller,
              guint                  key,
              GdkModifierType        modifiers,
              const char            *action)
{
  gtk_shortcut_controller_add_shortcut (controller,
                                        gtk_shortcut_new (gtk_keyval_trigger_new (key, modifiers),
                                                          gtk_named_action_new (action)));
}

static void
kibitz_call_page_init (KibitzCallPage *self)
{
  GtkEventController *shortcuts;

  g_type_ensure (ADW_TYPE_FLAP);
  gtk_widget_init_template (GTK_WIDGET (self));
  self->tiles = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->lost = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->chat_log = g_string_new (NULL);
  self->microphone_enabled = TRUE;
  self->camera_enabled = TRUE;

  /* Work wherever the focus is in the window, as in other call apps. */
  shortcuts = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                     GTK_SHORTCUT_SCOPE_GLOBAL);
  add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts), GDK_KEY_d, GDK_CONTROL_MASK,
                "call.microphone");
  add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts), GDK_KEY_e, GDK_CONTROL_MASK, "call.camera");
  gtk_widget_add_controller (GTK_WIDGET (self), shortcuts);

  g_signal_connect_object (self->flap, "notify::reveal-flap", G_CALLBACK (reveal_flap_cb), self,
                           G_CONNECT_SWAPPED);
  self->badge_id = g_timeout_add (BADGE_INTERVAL_MS, update_badges_cb, self);
  sync_controls (self);
}
