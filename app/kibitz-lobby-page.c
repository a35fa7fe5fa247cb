/* kibitz-lobby-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-lobby-page"

#include "config.h"

#define G_SETTINGS_ENABLE_BACKEND

#include <string.h>

#include <adwaita.h>
#include <gio/gsettingsbackend.h>
#include <glib/gi18n.h>
#include <gst/gst.h>

#include "kibitz-core-error.h"
#include "kibitz-lobby-page-private.h"
#include "kibitz-source-setting.h"
#include "kibitz-video-paintable.h"

#define MAX_RECENT_ROOMS 5

G_DEFINE_FINAL_TYPE (KibitzLobbyPage, kibitz_lobby_page, GTK_TYPE_WIDGET)

enum {
  SIGNAL_JOIN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

GSettings *
kibitz_settings_new (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettingsBackend) backend = NULL;

  if (source != NULL && (schema = g_settings_schema_source_lookup (source, APPLICATION_ID, TRUE)))
    return g_settings_new_full (schema, NULL, NULL);

  /* Running from the build tree: use the schema compiled there, in memory. */
  g_debug ("the GSettings schema %s is not installed; settings will not be kept", APPLICATION_ID);
  source = g_settings_schema_source_new_from_directory (KIBITZ_BUILD_SCHEMA_DIR, NULL, FALSE,
                                                        NULL);
  if (source == NULL)
    return NULL;
  schema = g_settings_schema_source_lookup (source, APPLICATION_ID, FALSE);
  g_settings_schema_source_unref (source);
  if (schema == NULL)
    return NULL;

  backend = g_memory_settings_backend_new ();
  return g_settings_new_full (schema, backend, NULL);
}

static const char *
row_text (AdwEntryRow *row)
{
  return gtk_editable_get_text (GTK_EDITABLE (row));
}

gboolean
kibitz_lobby_page_is_blank (const char *text)
{
  for (; *text != '\0'; text = g_utf8_next_char (text))
    if (!g_unichar_isspace (g_utf8_get_char (text)))
      return FALSE;
  return TRUE;
}

static gboolean
can_join (KibitzLobbyPage *self)
{
  return !kibitz_lobby_page_is_blank (row_text (self->name_row)) && !kibitz_lobby_page_is_blank (row_text (self->room_row)) &&
         !kibitz_lobby_page_is_blank (row_text (self->server_row));
}

void
kibitz_lobby_page_update_join (KibitzLobbyPage *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "lobby.join", can_join (self));
}

static void     camera_changed_cb (KibitzLobbyPage *self);
static void     device_changed_cb (KibitzLobbyPage *self);
static gboolean is_showing        (KibitzLobbyPage *self);
static void     start_preview     (KibitzLobbyPage *self);

/* Devices. Each choice is a string the engine takes as a source
 * (KibitzMediaSourceOptions): "" automatic ($KIBITZ_*_SOURCE, else the
 * system default), "none", or an element with its device property. */

static char *
device_spec (GstDevice *device)
{
  static const char *const props[] = { "device", "path", "target-object" };
  g_autoptr(GstElement) element = gst_device_create_element (device, NULL);
  const char *factory;

  if (element == NULL || gst_element_get_factory (element) == NULL)
    return NULL;

  factory = gst_plugin_feature_get_name (GST_PLUGIN_FEATURE (gst_element_get_factory (element)));
  for (guint i = 0; i < G_N_ELEMENTS (props); i++)
    {
      GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (element), props[i]);
      g_autofree char *value = NULL;

      if (pspec == NULL || pspec->value_type != G_TYPE_STRING || !(pspec->flags & G_PARAM_READABLE))
        continue;
      g_object_get (element, props[i], &value, NULL);
      if (value != NULL && value[0] != '\0' && strchr (value, '"') == NULL)
        return g_strdup_printf ("%s %s=\"%s\"", factory, props[i], value);
    }
  return g_strdup (factory);
}

static const char *
selected_spec (AdwComboRow *row,
               GPtrArray   *specs)
{
  guint i = adw_combo_row_get_selected (row);

  return i < specs->len ? g_ptr_array_index (specs, i) : "";
}

static const char *
spec_or_null (const char *spec)
{
  return (spec == NULL || spec[0] == '\0') ? NULL : spec;
}

const char *
kibitz_lobby_page_get_video_device (KibitzLobbyPage *self)
{
  g_return_val_if_fail (KIBITZ_IS_LOBBY_PAGE (self), NULL);

  return spec_or_null (selected_spec (self->camera_row, self->video_specs));
}

const char *
kibitz_lobby_page_get_audio_device (KibitzLobbyPage *self)
{
  g_return_val_if_fail (KIBITZ_IS_LOBBY_PAGE (self), NULL);

  return spec_or_null (selected_spec (self->microphone_row, self->audio_specs));
}

/* Automatic first, None last, the devices found in between; "chosen"
 * selected when it is there, else Automatic. */
static void
fill_row (AdwComboRow *row,
          GPtrArray   *specs,
          GList       *devices,
          const char  *chosen)
{
  g_autoptr(GtkStringList) model = gtk_string_list_new (NULL);
  guint selected = 0;

  g_ptr_array_set_size (specs, 0);
  gtk_string_list_append (model, _("Automatic"));
  g_ptr_array_add (specs, g_strdup (""));
  for (GList *l = devices; l != NULL; l = l->next)
    {
      g_autofree char *name = gst_device_get_display_name (l->data);
      char *spec = device_spec (l->data);

      if (spec == NULL)
        continue;
      if (selected == 0 && g_strcmp0 (spec, chosen) == 0)
        selected = specs->len;
      gtk_string_list_append (model, name);
      g_ptr_array_add (specs, spec);
    }
  /* TRANSLATORS: no camera / no microphone at all */
  gtk_string_list_append (model, C_("device", "None"));
  if (g_strcmp0 (chosen, "none") == 0)
    selected = specs->len;
  g_ptr_array_add (specs, g_strdup ("none"));

  adw_combo_row_set_model (row, G_LIST_MODEL (model));
  adw_combo_row_set_selected (row, selected);
}

static char *
saved_string (KibitzLobbyPage *self,
              const char      *key)
{
  return self->settings ? g_settings_get_string (self->settings, key) : g_strdup ("");
}

/* The devices of this class among @all, in order (the list only: the
 * devices stay @all's). */
static GList *
devices_of_class (GList      *all,
                  const char *klass)
{
  GList *found = NULL;

  for (GList *l = all; l != NULL; l = l->next)
    if (gst_device_has_classes (l->data, klass))
      found = g_list_prepend (found, l->data);
  return g_list_reverse (found);
}

/* Fills both rows from the monitor, selecting what the user chose when it is
 * there and Automatic while it is not: a camera unplugged for a moment is
 * selected again when it comes back. */
static void
fill_devices (KibitzLobbyPage *self)
{
  g_autofree char *old_video = g_strdup (selected_spec (self->camera_row, self->video_specs));
  GList *all = self->monitor ? gst_device_monitor_get_devices (self->monitor) : NULL;
  GList *cameras = devices_of_class (all, "Video/Source");
  GList *microphones = devices_of_class (all, "Audio/Source");

  g_signal_handlers_block_by_func (self->camera_row, camera_changed_cb, self);
  g_signal_handlers_block_by_func (self->microphone_row, device_changed_cb, self);
  fill_row (self->camera_row, self->video_specs, cameras, self->chosen_video);
  fill_row (self->microphone_row, self->audio_specs, microphones, self->chosen_audio);
  g_signal_handlers_unblock_by_func (self->camera_row, camera_changed_cb, self);
  g_signal_handlers_unblock_by_func (self->microphone_row, device_changed_cb, self);
  g_list_free (cameras);
  g_list_free (microphones);
  g_list_free_full (all, gst_object_unref);

  /* The previewed camera went away (or came back): preview what is selected now. */
  if (is_showing (self) &&
      g_strcmp0 (old_video, selected_spec (self->camera_row, self->video_specs)) != 0)
    start_preview (self);
}

static gboolean
refill_cb (gpointer user_data)
{
  KibitzLobbyPage *self = user_data;

  self->refill_id = 0;
  fill_devices (self);
  return G_SOURCE_REMOVE;
}

static gboolean
monitor_bus_cb (GstBus     *bus,
                GstMessage *message,
                gpointer    user_data)
{
  KibitzLobbyPage *self = user_data;

  switch (GST_MESSAGE_TYPE (message))
    {
    case GST_MESSAGE_DEVICE_ADDED:
    case GST_MESSAGE_DEVICE_REMOVED:
    case GST_MESSAGE_DEVICE_CHANGED:
      /* A hub brings several devices at once: one refill for the burst. */
      if (self->refill_id == 0)
        self->refill_id = g_timeout_add (100, refill_cb, self);
      break;
    default:
      break;
    }
  return G_SOURCE_CONTINUE;
}

/* Cameras and microphones are watched while the lobby is on screen, so one
 * plugged in (or out) shows up in the lists without restarting the app. */
static void
start_monitor (KibitzLobbyPage *self)
{
  g_autoptr(GstBus) bus = NULL;

  if (self->monitor != NULL)
    return;
  self->monitor = gst_device_monitor_new ();
  gst_device_monitor_add_filter (self->monitor, "Video/Source", NULL);
  gst_device_monitor_add_filter (self->monitor, "Audio/Source", NULL);
  bus = gst_device_monitor_get_bus (self->monitor);
  self->monitor_watch = gst_bus_add_watch (bus, monitor_bus_cb, self);
  if (!gst_device_monitor_start (self->monitor))
    g_debug ("no device monitor: the camera and microphone lists stay Automatic and None");
  fill_devices (self);
}

static void
stop_monitor (KibitzLobbyPage *self)
{
  g_clear_handle_id (&self->refill_id, g_source_remove);
  g_clear_handle_id (&self->monitor_watch, g_source_remove);
  if (self->monitor != NULL)
    gst_device_monitor_stop (self->monitor);
  g_clear_object (&self->monitor);
}

/* The live preview: a small pipeline of its own, only while the lobby shows. */

static void
stop_preview (KibitzLobbyPage *self)
{
  g_clear_handle_id (&self->preview_watch, g_source_remove);
  if (self->preview != NULL)
    {
      gst_element_set_state (self->preview, GST_STATE_NULL);
      g_clear_object (&self->preview);
    }
  g_clear_object (&self->preview_paintable);
  gtk_picture_set_paintable (self->preview_picture, NULL);
}

static void
preview_off (KibitzLobbyPage *self,
             const char      *label)
{
  gtk_label_set_text (self->preview_label, label);
  gtk_stack_set_visible_child_name (self->preview_stack, "off");
}

static gboolean
preview_bus_cb (GstBus     *bus,
                GstMessage *message,
                gpointer    user_data)
{
  KibitzLobbyPage *self = user_data;
  g_autoptr(GError) error = NULL;

  if (GST_MESSAGE_TYPE (message) != GST_MESSAGE_ERROR)
    return G_SOURCE_CONTINUE;

  gst_message_parse_error (message, &error, NULL);
  g_message ("no camera preview: %s", error->message);
  self->preview_watch = 0;
  stop_preview (self);
  preview_off (self, _("Your camera is busy or missing. You can still join without it."));
  return G_SOURCE_REMOVE;
}

static void
preview_frame_cb (KibitzLobbyPage *self)
{
  if (self->preview != NULL)
    gtk_stack_set_visible_child_name (self->preview_stack, "video");
}

static void
start_preview (KibitzLobbyPage *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GstBus) bus = NULL;
  GstElement *sink;

  stop_preview (self);
  sink = kibitz_video_sink_new ();
  self->preview = kibitz_video_preview_new (kibitz_lobby_page_get_video_device (self), sink,
                                            &error);
  if (self->preview == NULL)
    {
      if (g_error_matches (error, KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_NO_DEVICE))
        {
          preview_off (self, _("No camera: the others will see your initials"));
          return;
        }
      g_message ("no camera preview: %s", error->message);
      preview_off (self, _("Your camera is busy or missing. You can still join without it."));
      return;
    }

  self->preview_paintable = kibitz_video_paintable_new ();
  kibitz_video_paintable_set_sink (self->preview_paintable, sink);
  g_signal_connect_object (self->preview_paintable, "invalidate-contents",
                           G_CALLBACK (preview_frame_cb), self, G_CONNECT_SWAPPED);
  gtk_picture_set_paintable (self->preview_picture, GDK_PAINTABLE (self->preview_paintable));
  preview_off (self, _("Starting your camera…"));

  bus = gst_pipeline_get_bus (GST_PIPELINE (self->preview));
  self->preview_watch = gst_bus_add_watch (bus, preview_bus_cb, self);
  if (gst_element_set_state (self->preview, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      stop_preview (self);
      preview_off (self, _("Your camera is busy or missing. You can still join without it."));
    }
}

void
kibitz_lobby_page_stop_preview (KibitzLobbyPage *self)
{
  g_return_if_fail (KIBITZ_IS_LOBBY_PAGE (self));

  stop_preview (self);
}

/* The user picked a device (refills block this). */
static void
device_changed_cb (KibitzLobbyPage *self)
{
  g_free (self->chosen_video);
  self->chosen_video = g_strdup (selected_spec (self->camera_row, self->video_specs));
  g_free (self->chosen_audio);
  self->chosen_audio = g_strdup (selected_spec (self->microphone_row, self->audio_specs));
  if (self->settings != NULL)
    {
      g_settings_set_string (self->settings, "video-device", self->chosen_video);
      g_settings_set_string (self->settings, "audio-device", self->chosen_audio);
    }
}

KibitzJoinRequest *
kibitz_lobby_page_make_request (KibitzLobbyPage *self,
                                const char      *server_url,
                                const char      *room,
                                const char      *name)
{
  g_return_val_if_fail (KIBITZ_IS_LOBBY_PAGE (self), NULL);

  return kibitz_join_request_new (server_url, room, name,
                                  kibitz_lobby_page_get_video_device (self),
                                  kibitz_lobby_page_get_audio_device (self));
}

/* Only while the lobby is what the window shows (not while it fades out). */
static gboolean
is_showing (KibitzLobbyPage *self)
{
  GtkWidget *parent = gtk_widget_get_parent (GTK_WIDGET (self));

  return gtk_widget_get_mapped (GTK_WIDGET (self)) &&
         (!GTK_IS_STACK (parent) ||
          gtk_stack_get_visible_child (GTK_STACK (parent)) == GTK_WIDGET (self));
}

static void
camera_changed_cb (KibitzLobbyPage *self)
{
  device_changed_cb (self);
  if (is_showing (self))
    start_preview (self);
}

static void
kibitz_lobby_page_map (GtkWidget *widget)
{
  KibitzLobbyPage *self = KIBITZ_LOBBY_PAGE (widget);

  GTK_WIDGET_CLASS (kibitz_lobby_page_parent_class)->map (widget);

  /* Filling the lists starts the preview when the selection changes; the
   * camera is not opened a second time here. */
  start_monitor (self);
  if (is_showing (self) && self->preview == NULL)
    start_preview (self);
}

static void
kibitz_lobby_page_unmap (GtkWidget *widget)
{
  stop_preview (KIBITZ_LOBBY_PAGE (widget));
  stop_monitor (KIBITZ_LOBBY_PAGE (widget));

  GTK_WIDGET_CLASS (kibitz_lobby_page_parent_class)->unmap (widget);
}

/* Recent rooms: newest first, at most MAX_RECENT_ROOMS. */

static void
fill_recent (KibitzLobbyPage *self)
{
  g_auto(GStrv) rooms = self->settings ? g_settings_get_strv (self->settings, "recent-rooms")
                                       : NULL;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->recent_list))))
    gtk_list_box_remove (self->recent_list, child);

  for (guint i = 0; rooms != NULL && rooms[i] != NULL && i < MAX_RECENT_ROOMS; i++)
    {
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *icon = gtk_image_new_from_icon_name ("go-next-symbolic");

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), rooms[i]);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      gtk_widget_set_tooltip_text (row, _("Use this room"));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), icon);
      gtk_list_box_append (self->recent_list, row);
    }
  gtk_widget_set_visible (self->recent_group, rooms != NULL && rooms[0] != NULL);
}

static void
remember_room (KibitzLobbyPage *self,
               const char      *room)
{
  g_auto(GStrv) rooms = NULL;
  g_autoptr(GPtrArray) next = g_ptr_array_new ();

  if (self->settings == NULL)
    return;

  rooms = g_settings_get_strv (self->settings, "recent-rooms");
  g_ptr_array_add (next, (char *) room);
  for (guint i = 0; rooms[i] != NULL && next->len < MAX_RECENT_ROOMS; i++)
    if (g_strcmp0 (rooms[i], room) != 0)
      g_ptr_array_add (next, rooms[i]);
  g_ptr_array_add (next, NULL);
  g_settings_set_strv (self->settings, "recent-rooms", (const char * const *) next->pdata);
  fill_recent (self);
}

static void
recent_activated_cb (KibitzLobbyPage *self,
                     GtkListBoxRow   *row)
{
  gtk_editable_set_text (GTK_EDITABLE (self->room_row),
                         adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)));
  if (kibitz_lobby_page_is_blank (row_text (self->name_row)))
    gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->join_button));
}

static void
join_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  KibitzLobbyPage *self = KIBITZ_LOBBY_PAGE (widget);
  g_autofree char *name = g_strstrip (g_strdup (row_text (self->name_row)));
  g_autofree char *room = g_strstrip (g_strdup (row_text (self->room_row)));
  g_autofree char *server = g_strstrip (g_strdup (row_text (self->server_row)));
  g_autoptr(KibitzJoinRequest) request = NULL;

  if (*name == '\0' || *room == '\0' || *server == '\0')
    return;

  /* The call opens the camera next: let go of it first. */
  stop_preview (self);
  remember_room (self, room);
  request = kibitz_lobby_page_make_request (self, server, room, name);
  request->invite = g_strdup (self->invite);
  kibitz_lobby_page_show_link_problem (self, NULL);
  g_signal_emit (self, signals[SIGNAL_JOIN], 0, request);
}

static void
activate_join (KibitzLobbyPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "lobby.join", NULL);
}

static void
bind_row (KibitzLobbyPage *self,
          const char      *key,
          AdwEntryRow     *row)
{
  if (self->settings != NULL)
    g_settings_bind (self->settings, key, row, "text", G_SETTINGS_BIND_DEFAULT);
}

static void
kibitz_lobby_page_dispose (GObject *object)
{
  KibitzLobbyPage *self = KIBITZ_LOBBY_PAGE (object);
  GtkWidget *child;

  stop_preview (self);
  stop_monitor (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), KIBITZ_TYPE_LOBBY_PAGE);
  /* The scrolled window at the top of the template has no id to clear it by. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))))
    gtk_widget_unparent (child);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->video_specs, g_ptr_array_unref);
  g_clear_pointer (&self->audio_specs, g_ptr_array_unref);
  g_clear_pointer (&self->chosen_video, g_free);
  g_clear_pointer (&self->chosen_audio, g_free);
  g_clear_pointer (&self->invite, g_free);

  G_OBJECT_CLASS (kibitz_lobby_page_parent_class)->dispose (object);
}

static void
kibitz_lobby_page_class_init (KibitzLobbyPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kibitz_lobby_page_dispose;
  widget_class->map = kibitz_lobby_page_map;
  widget_class->unmap = kibitz_lobby_page_unmap;

  signals[SIGNAL_JOIN] = g_signal_new ("join", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                       NULL, NULL, NULL, G_TYPE_NONE, 1,
                                       KIBITZ_TYPE_JOIN_REQUEST);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/kibitz/Kibitz/kibitz-lobby-page.ui");
  gtk_widget_class_bind_template_child (widget_class, KibitzLobbyPage, name_row);
  gtk_widget_class_bind_template_child (widget_class, KibitzLobbyPage, room_row);
  gtk_widget_class_bind_template_child (widget_class, KibitzLobbyPage, server_row);
  gtk_widget_class_bind_template_child (widget_class, KibitzLobbyPage, join_button);
  gtk_widget_class_bind_template_child (widget_class, KibitzLobbyPage, camera_row);
  gtk_widget_class_bind_template_child (widget_class, KibitzLobbyPage, microphone_row);
  gtk_widget_class_bind_template_child (widget_class, KibitzLobbyPage, preview_stack);
  gtk_widget_class_bind_template_child (widget_class, KibitzLobbyPage, preview_picture);
  gtk_widget_class_bind_template_child (widget_class, KibitzLobbyPage, preview_label);
  gtk_widget_class_bind_template_child (widget_class, KibitzLobbyPage, recent_group);
  gtk_widget_class_bind_template_child (widget_class, KibitzLobbyPage, recent_list);
  gtk_widget_class_bind_template_callback (widget_class, recent_activated_cb);
  gtk_widget_class_bind_template_callback_full (widget_class, "update_join",
                                                G_CALLBACK (kibitz_lobby_page_update_join));
  gtk_widget_class_bind_template_callback (widget_class, activate_join);
  gtk_widget_class_install_action (widget_class, "lobby.join", NULL, join_action);
  kibitz_lobby_page_class_init_invite (widget_class);
}

static void
kibitz_lobby_page_init (KibitzLobbyPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = kibitz_settings_new ();
  if (self->settings == NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->server_row), "http://127.0.0.1:8080");
  bind_row (self, "name", self->name_row);
  bind_row (self, "room", self->room_row);
  bind_row (self, "server", self->server_row);
  kibitz_lobby_page_update_join (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "lobby.drop-invite", FALSE);

  self->video_specs = g_ptr_array_new_with_free_func (g_free);
  self->audio_specs = g_ptr_array_new_with_free_func (g_free);
  self->chosen_video = saved_string (self, "video-device");
  self->chosen_audio = saved_string (self, "audio-device");
  fill_devices (self);
  g_signal_connect_swapped (self->camera_row, "notify::selected", G_CALLBACK (camera_changed_cb),
                            self);
  g_signal_connect_swapped (self->microphone_row, "notify::selected",
                            G_CALLBACK (device_changed_cb), self);
  fill_recent (self);
}
