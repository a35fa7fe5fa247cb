/* kibitz-call-page.c: joining, leaving and failures of one call; the public
 * API. The grid is in kibitz-call-page-tiles.c, the chat in
 * kibitz-call-page-chat.c, the controls in kibitz-call-page-controls.c.
 *
 * Drives one KibitzCall exactly as kibitz-peer does, and shows each remote
 * participant as a tile whose video comes from an appsink.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-call-page"

#include "config.h"

#include <glib/gi18n.h>

#include "kibitz-call-page-private.h"
#include "kibitz-core-error.h"
#include "kibitz-protocol-error.h"
#include "kibitz-signaling.h"

#define BADGE_INTERVAL_MS 1000

G_DEFINE_FINAL_TYPE (KibitzCallPage, kibitz_call_page, GTK_TYPE_WIDGET)

enum {
  SIGNAL_CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

GParamSpec *kibitz_call_page_properties[N_PROPS];

static void start_call (KibitzCallPage *self);

void
kibitz_call_page_toast (KibitzCallPage *self,
                        const char     *title)
{
  AdwToast *t = adw_toast_new (title);

  adw_toast_set_timeout (t, 6);
  adw_toast_overlay_add_toast (self->toast_overlay, t);
}

static void
joined_cb (KibitzCall     *call,
           const char     *id,
           gboolean        resumed,
           KibitzCallPage *self)
{
  kibitz_call_page_add_self_tile (self);
}

static gboolean
is_device_error (const GError *error)
{
  return g_error_matches (error, KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_STREAM) ||
         g_error_matches (error, KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_PIPELINE) ||
         g_error_matches (error, KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_MISSING_ELEMENT);
}

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

/* A camera that is busy or missing: join anyway without it, then without
 * the microphone too. */
static gboolean
retry_without_device (KibitzCallPage *self)
{
  if (!self->dropped_video)
    {
      self->dropped_video = TRUE;
      kibitz_call_page_toast (self, _("Your camera is busy or missing, so you joined without it"));
    }
  else if (!self->dropped_audio)
    {
      self->dropped_audio = TRUE;
      kibitz_call_page_toast (self,
                              _("Your microphone is busy or missing, so you joined without it"));
    }
  else
    return FALSE;

  start_call (self);
  return TRUE;
}

static void
call_failed_cb (KibitzCall     *call,
                const GError   *error,
                KibitzCallPage *self)
{
  g_autofree char *description = NULL;

  g_message ("the call failed: %s", error->message);

  if (is_device_error (error) && retry_without_device (self))
    return;

  if (g_error_matches (error, KIBITZ_SIGNALING_ERROR, KIBITZ_SIGNALING_ERROR_ENDED))
    {
      if (self->ending)
        show_error (self, _("You Ended the Class"),
                    _("Everyone has left, and the invite links for this class no longer work. "
                      "Start the next class from the lobby."), "emblem-ok-symbolic");
      else
        show_error (self, _("The Class Has Ended"),
                    _("Your teacher ended the class. Thank you for taking part!"),
                    "emblem-ok-symbolic");
    }
  else if (g_error_matches (error, KIBITZ_SIGNALING_ERROR, KIBITZ_SIGNALING_ERROR_REMOVED))
    show_error (self, _("Your Teacher Removed You From the Class"),
                _("You are no longer in the class. If you think this was a mistake, ask your "
                  "teacher; if you join again, you wait until they let you in."),
                "system-users-symbolic");
  else if (g_error_matches (error, KIBITZ_PROTOCOL_ERROR, KIBITZ_PROTOCOL_ERROR_DENIED))
    show_error (self, _("Your Teacher Did Not Let You In"),
                _("Check that this is your class. Ask your teacher for an invite link, then "
                  "join again."), "system-users-symbolic");
  else if (g_error_matches (error, KIBITZ_PROTOCOL_ERROR, KIBITZ_PROTOCOL_ERROR_ROOM_LOCKED))
    show_error (self, _("The Class Is Locked"),
                _("Your teacher has locked the class, so nobody new can come in now. Ask your "
                  "teacher to unlock it, then join again."), "system-lock-screen-symbolic");
  else if (g_error_matches (error, KIBITZ_PROTOCOL_ERROR, KIBITZ_PROTOCOL_ERROR_ROOM_FULL))
    {
      description = g_strdup_printf (_("The room “%s” already has as many people as it can take. "
                                       "Ask your teacher, or try again later."),
                                     self->request->room);
      show_error (self, _("The Class Is Full"), description, "system-users-symbolic");
    }
  else if (g_error_matches (error, KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_SERVER))
    {
      description = g_strdup_printf (_("Kibitz could not reach the server at %s. Check that this "
                                       "computer is online and that the server address is the "
                                       "one your teacher gave you."), self->request->server_url);
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
stop_call (KibitzCallPage *self)
{
  if (self->call != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->call, self);
      kibitz_call_leave (self->call);
      g_clear_object (&self->call);
    }
  g_clear_object (&self->audio_output);
  kibitz_call_page_clear_grid (self);
  kibitz_call_page_clear_screen (self);
  kibitz_call_page_sync_class (self);
}

static void
start_call (KibitzCallPage *self)
{
  KibitzCallOptions options = {
    .server_url = self->request->server_url,
    .room = self->request->room,
    .name = self->request->name,
    .teacher_token = self->request->teacher_token,
    .invite = self->request->invite,
    .media.video = self->dropped_video ? "none" : self->request->video,
    .media.audio = self->dropped_audio ? "none" : self->request->audio,
    /* Home connections: each link gets what its path carries (quality.md). */
    .congestion_control = TRUE,
  };
  g_autoptr(GError) error = NULL;

  stop_call (self);

  /* Remote audio plays through the echo probe that the microphone's
   * echo canceller listens to: it must exist before the call starts. */
  self->audio_output = kibitz_audio_output_new (&error);
  if (self->audio_output == NULL)
    g_message ("%s", error->message);
  options.media.echo_cancellation = self->audio_output != NULL;
  gtk_stack_set_visible_child_name (self->stack, "call");

  self->call = kibitz_call_new (&options);
  kibitz_call_page_bind_controls (self);
  kibitz_call_page_connect_tiles (self);
  kibitz_call_page_connect_chat (self);
  kibitz_call_page_connect_class (self);
  kibitz_call_page_connect_board (self);
  kibitz_call_page_connect_screen (self);
  g_signal_connect (self->call, "joined", G_CALLBACK (joined_cb), self);
  g_signal_connect (self->call, "failed", G_CALLBACK (call_failed_cb), self);
  kibitz_call_start (self->call);
}

void
kibitz_call_page_join (KibitzCallPage          *self,
                       const KibitzJoinRequest *request)
{
  g_return_if_fail (KIBITZ_IS_CALL_PAGE (self));
  g_return_if_fail (request != NULL);

  kibitz_call_page_leave (self);
  g_clear_pointer (&self->error, g_free);
  g_clear_pointer (&self->request, kibitz_join_request_free);
  self->request = kibitz_join_request_copy (request);
  /* "None" in the lobby: the placeholder, and the control stays off. */
  self->dropped_video = g_strcmp0 (request->video, "none") == 0;
  self->dropped_audio = g_strcmp0 (request->audio, "none") == 0;
  kibitz_call_page_set_control (self, PROP_HAND_RAISED, FALSE);
  kibitz_call_page_clear_chat (self);
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
kibitz_call_page_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  KibitzCallPage *self = KIBITZ_CALL_PAGE (object);

  switch (prop_id)
    {
    case PROP_MICROPHONE_ENABLED:
    case PROP_CAMERA_ENABLED:
    case PROP_HAND_RAISED:
      g_value_set_boolean (value, kibitz_call_page_get_control (self, prop_id));
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
    case PROP_CAMERA_ENABLED:
    case PROP_HAND_RAISED:
      kibitz_call_page_set_control (self, prop_id, g_value_get_boolean (value));
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
  g_object_notify_by_pspec (G_OBJECT (self), kibitz_call_page_properties[PROP_CHAT_OPEN]);
}

static void
kibitz_call_page_dispose (GObject *object)
{
  KibitzCallPage *self = KIBITZ_CALL_PAGE (object);

  g_clear_handle_id (&self->badge_id, g_source_remove);
  stop_call (self);
  kibitz_call_page_finalize_screen (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), KIBITZ_TYPE_CALL_PAGE);
  g_clear_pointer (&self->tiles, g_hash_table_unref);
  g_clear_pointer (&self->lost, g_hash_table_unref);
  g_clear_pointer (&self->knock_toasts, g_hash_table_unref);

  G_OBJECT_CLASS (kibitz_call_page_parent_class)->dispose (object);
}

static void
kibitz_call_page_finalize (GObject *object)
{
  KibitzCallPage *self = KIBITZ_CALL_PAGE (object);

  g_free (self->error);
  g_free (self->board_movers);
  g_clear_pointer (&self->request, kibitz_join_request_free);
  g_string_free (self->chat_log, TRUE);

  G_OBJECT_CLASS (kibitz_call_page_parent_class)->finalize (object);
}

static void
install_properties (GObjectClass *object_class)
{
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  kibitz_call_page_properties[PROP_MICROPHONE_ENABLED] =
    g_param_spec_boolean ("microphone-enabled", NULL, NULL, TRUE, flags);
  kibitz_call_page_properties[PROP_CAMERA_ENABLED] =
    g_param_spec_boolean ("camera-enabled", NULL, NULL, TRUE, flags);
  kibitz_call_page_properties[PROP_HAND_RAISED] =
    g_param_spec_boolean ("hand-raised", NULL, NULL, FALSE, flags);
  kibitz_call_page_properties[PROP_CHAT_OPEN] =
    g_param_spec_boolean ("chat-open", NULL, NULL, FALSE, flags);
  g_object_class_install_properties (object_class, N_PROPS, kibitz_call_page_properties);
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
  install_properties (object_class);

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
  gtk_widget_class_bind_template_child (widget_class, KibitzCallPage, waiting_page);
  gtk_widget_class_bind_template_child (widget_class, KibitzCallPage, class_button);
  gtk_widget_class_bind_template_child (widget_class, KibitzCallPage, class_revealer);
  gtk_widget_class_bind_template_child (widget_class, KibitzCallPage, waiting_list);
  gtk_widget_class_bind_template_child (widget_class, KibitzCallPage, waiting_heading);
  gtk_widget_class_bind_template_child (widget_class, KibitzCallPage, lock_switch);
  gtk_widget_class_bind_template_child (widget_class, KibitzCallPage, unmute_switch);
  gtk_widget_class_bind_template_child (widget_class, KibitzCallPage, spotlight_box);
  gtk_widget_class_bind_template_child (widget_class, KibitzCallPage, board_view);
  gtk_widget_class_bind_template_child (widget_class, KibitzCallPage, board_button);
  gtk_widget_class_bind_template_child (widget_class, KibitzCallPage, board_revealer);
  gtk_widget_class_bind_template_child (widget_class, KibitzCallPage, video_scroller);
  gtk_widget_class_bind_template_child (widget_class, KibitzCallPage, share_button);
  gtk_widget_class_bind_template_child (widget_class, KibitzCallPage, screen_box);
  gtk_widget_class_bind_template_child (widget_class, KibitzCallPage, screen_picture);
  gtk_widget_class_bind_template_child (widget_class, KibitzCallPage, screen_caption);
  gtk_widget_class_bind_template_callback (widget_class, kibitz_call_page_chat_entry_activate_cb);
  kibitz_call_page_install_controls (widget_class);
  kibitz_call_page_install_class (widget_class);
  kibitz_call_page_install_screen (widget_class);
}

static void
kibitz_call_page_init (KibitzCallPage *self)
{
  g_type_ensure (ADW_TYPE_FLAP);
  g_type_ensure (KIBITZ_TYPE_BOARD_VIEW);
  gtk_widget_init_template (GTK_WIDGET (self));
  kibitz_call_page_init_board (self);
  self->tiles = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->lost = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->knock_toasts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->screens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->chat_log = g_string_new (NULL);
  self->carry_microphone = TRUE;
  self->carry_camera = TRUE;

  kibitz_call_page_add_shortcuts (self);
  g_signal_connect_object (self->flap, "notify::reveal-flap", G_CALLBACK (reveal_flap_cb), self,
                           G_CONNECT_SWAPPED);
  self->badge_id = g_timeout_add (BADGE_INTERVAL_MS, kibitz_call_page_update_badges_cb, self);
  kibitz_call_page_sync_controls (self);
  kibitz_call_page_sync_class (self);
}
