/* kibitz-call-page-controls.c: the call controls, bound to the call's
 * properties (the call keeps camera, microphone and hand; the page only
 * shows them and forwards what the user asks), the page's actions and
 * shortcuts.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-call-page"

#include "config.h"

#include <glib/gi18n.h>

#include "kibitz-call-page-private.h"
#include "kibitz-connection-window.h"

static const char * const control_names[N_PROPS] = {
  [PROP_MICROPHONE_ENABLED] = "microphone-enabled",
  [PROP_CAMERA_ENABLED] = "camera-enabled",
  [PROP_HAND_RAISED] = "hand-raised",
};

static gboolean *
carried (KibitzCallPage *self,
         guint           prop_id)
{
  switch (prop_id)
    {
    case PROP_MICROPHONE_ENABLED:
      return &self->carry_microphone;
    case PROP_CAMERA_ENABLED:
      return &self->carry_camera;
    default:
      return &self->carry_hand;
    }
}

/* What is in effect: the call's, or (between calls) what the next one
 * starts with. */
gboolean
kibitz_call_page_get_control (KibitzCallPage *self,
                              guint           prop_id)
{
  gboolean value;

  if (self->call == NULL)
    return *carried (self, prop_id);
  g_object_get (self->call, control_names[prop_id], &value, NULL);
  return value;
}

void
kibitz_call_page_set_control (KibitzCallPage *self,
                              guint           prop_id,
                              gboolean        value)
{
  gboolean before = kibitz_call_page_get_control (self, prop_id);

  *carried (self, prop_id) = !!value;
  if (self->call != NULL)
    g_object_set (self->call, control_names[prop_id], !!value, NULL);
  else if (before != !!value)
    {
      kibitz_call_page_sync_controls (self);
      g_object_notify_by_pspec (G_OBJECT (self), kibitz_call_page_properties[prop_id]);
    }
}

/* The controls say what a press will do, with the shortcut, and show the
 * current state in their icon. */
void
kibitz_call_page_sync_controls (KibitzCallPage *self)
{
  gboolean microphone = kibitz_call_page_get_control (self, PROP_MICROPHONE_ENABLED);
  gboolean camera = kibitz_call_page_get_control (self, PROP_CAMERA_ENABLED);
  gboolean hand = kibitz_call_page_get_control (self, PROP_HAND_RAISED);
  gboolean may_unmute;
  const char *tooltip;

  gtk_button_set_icon_name (GTK_BUTTON (self->microphone_button),
                            microphone ? "audio-input-microphone-symbolic"
                                       : "microphone-disabled-symbolic");
  tooltip = microphone ? _("Turn microphone off (Ctrl+D)") : _("Turn microphone on (Ctrl+D)");
  /* A pupil whose teacher decides who speaks may turn it off, not on. */
  may_unmute = kibitz_call_page_may_unmute (self);
  if (!microphone && !may_unmute)
    tooltip = _("Your teacher lets you speak when it is your turn");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "call.microphone",
                                 (self->call == NULL || kibitz_call_has_microphone (self->call)) &&
                                 (microphone || may_unmute));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->microphone_button), tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->microphone_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Microphone"),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, tooltip, -1);

  gtk_button_set_icon_name (GTK_BUTTON (self->camera_button),
                            camera ? "camera-web-symbolic" : "camera-disabled-symbolic");
  tooltip = camera ? _("Turn camera off (Ctrl+E)") : _("Turn camera on (Ctrl+E)");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->camera_button), tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->camera_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Camera"),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, tooltip, -1);

  gtk_widget_set_tooltip_text (GTK_WIDGET (self->hand_button),
                               hand ? _("Lower your hand") : _("Raise your hand"));

  if (self->self_tile != NULL)
    kibitz_participant_tile_set_state (self->self_tile, microphone, camera, hand);
  kibitz_call_page_sync_share (self);
}

static void
control_changed_cb (KibitzCall     *call,
                    GParamSpec     *pspec,
                    KibitzCallPage *self)
{
  for (guint i = PROP_MICROPHONE_ENABLED; i <= PROP_HAND_RAISED; i++)
    if (g_str_equal (pspec->name, control_names[i]))
      g_object_notify_by_pspec (G_OBJECT (self), kibitz_call_page_properties[i]);
  kibitz_call_page_sync_controls (self);
}

/* A call without a camera (none chosen, or it failed) has no camera to
 * switch on; the same for the microphone. */
static void
devices_changed_cb (KibitzCallPage *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "call.camera",
                                 kibitz_call_has_camera (self->call));
  kibitz_call_page_sync_controls (self);
}

/* A new call starts with the user's last choices, and the controls follow
 * it from now on. */
void
kibitz_call_page_bind_controls (KibitzCallPage *self)
{
  g_object_freeze_notify (G_OBJECT (self));
  kibitz_call_set_microphone_enabled (self->call, self->carry_microphone);
  kibitz_call_set_camera_enabled (self->call, self->carry_camera);
  kibitz_call_set_hand_raised (self->call, self->carry_hand);
  for (guint i = PROP_MICROPHONE_ENABLED; i <= PROP_HAND_RAISED; i++)
    {
      g_autofree char *detailed = g_strconcat ("notify::", control_names[i], NULL);

      g_signal_connect (self->call, detailed, G_CALLBACK (control_changed_cb), self);
      g_object_notify_by_pspec (G_OBJECT (self), kibitz_call_page_properties[i]);
    }
  g_signal_connect_swapped (self->call, "notify::has-camera", G_CALLBACK (devices_changed_cb),
                            self);
  g_signal_connect_swapped (self->call, "notify::has-microphone",
                            G_CALLBACK (devices_changed_cb), self);
  devices_changed_cb (self);
  kibitz_call_page_sync_controls (self);
  g_object_thaw_notify (G_OBJECT (self));
}

static void
leave_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  KibitzCallPage *self = KIBITZ_CALL_PAGE (widget);

  kibitz_call_page_leave (self);
  g_signal_emit_by_name (self, "closed");
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

void
kibitz_call_page_install_controls (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_property_action (widget_class, "call.microphone", "microphone-enabled");
  gtk_widget_class_install_property_action (widget_class, "call.camera", "camera-enabled");
  gtk_widget_class_install_property_action (widget_class, "call.hand", "hand-raised");
  gtk_widget_class_install_property_action (widget_class, "call.chat", "chat-open");
  gtk_widget_class_install_action (widget_class, "call.send-chat", NULL,
                                   kibitz_call_page_send_chat_action);
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

/* Work wherever the focus is in the window, as in other call apps. */
void
kibitz_call_page_add_shortcuts (KibitzCallPage *self)
{
  GtkEventController *shortcuts = gtk_shortcut_controller_new ();

  gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                     GTK_SHORTCUT_SCOPE_GLOBAL);
  add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts), GDK_KEY_d, GDK_CONTROL_MASK,
                "call.microphone");
  add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts), GDK_KEY_e, GDK_CONTROL_MASK, "call.camera");
  add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts), GDK_KEY_S, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                "call.share-screen");
  gtk_widget_add_controller (GTK_WIDGET (self), shortcuts);
}
