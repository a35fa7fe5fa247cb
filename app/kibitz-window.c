/* kibitz-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-window"

#include "config.h"

#include <glib/gi18n.h>

#include "kibitz-lobby-page.h"
#include "kibitz-window.h"

struct _KibitzWindow
{
  AdwApplicationWindow  parent_instance;

  AdwWindowTitle       *window_title;
  GtkStack             *stack;
  KibitzLobbyPage      *lobby_page;
  KibitzCallPage       *call_page;
};

G_DEFINE_FINAL_TYPE (KibitzWindow, kibitz_window, ADW_TYPE_APPLICATION_WINDOW)

static void
join (KibitzWindow            *self,
      const KibitzJoinRequest *request)
{
  kibitz_lobby_page_stop_preview (self->lobby_page);
  adw_window_title_set_subtitle (self->window_title, request->room);
  gtk_stack_set_visible_child_name (self->stack, "call");
  kibitz_call_page_join (self->call_page, request);
}

/* As if the user joined from the lobby (with the devices chosen there). */
void
kibitz_window_join (KibitzWindow *self,
                    const char   *server_url,
                    const char   *room,
                    const char   *name)
{
  g_autoptr(KibitzJoinRequest) request = NULL;

  g_return_if_fail (KIBITZ_IS_WINDOW (self));

  request = kibitz_lobby_page_make_request (self->lobby_page, server_url, room, name);
  join (self, request);
}

KibitzCallPage *
kibitz_window_get_call_page (KibitzWindow *self)
{
  g_return_val_if_fail (KIBITZ_IS_WINDOW (self), NULL);

  return self->call_page;
}

static void
lobby_join_cb (KibitzWindow      *self,
               KibitzJoinRequest *request)
{
  join (self, request);
}

static void
call_closed_cb (KibitzWindow *self)
{
  adw_window_title_set_subtitle (self->window_title, NULL);
  gtk_stack_set_visible_child_name (self->stack, "lobby");
}

static gboolean
kibitz_window_close_request (GtkWindow *window)
{
  KibitzWindow *self = KIBITZ_WINDOW (window);

  /* Say goodbye to the room before the window goes. */
  kibitz_call_page_leave (self->call_page);

  return GTK_WINDOW_CLASS (kibitz_window_parent_class)->close_request (window);
}

static void
kibitz_window_class_init (KibitzWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  window_class->close_request = kibitz_window_close_request;

  g_type_ensure (KIBITZ_TYPE_LOBBY_PAGE);
  g_type_ensure (KIBITZ_TYPE_CALL_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/kibitz/Kibitz/kibitz-window.ui");
  gtk_widget_class_bind_template_child (widget_class, KibitzWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, KibitzWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, KibitzWindow, lobby_page);
  gtk_widget_class_bind_template_child (widget_class, KibitzWindow, call_page);
  gtk_widget_class_bind_template_callback (widget_class, lobby_join_cb);
  gtk_widget_class_bind_template_callback (widget_class, call_closed_cb);

  gtk_widget_class_install_property_action (widget_class, "win.fullscreen", "fullscreened");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F11, 0, "win.fullscreen", NULL);
}

static void
kibitz_window_init (KibitzWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* The app's own icons (GtkApplication adds them too; tests have none). */
  gtk_icon_theme_add_resource_path (gtk_icon_theme_get_for_display (
                                      gtk_widget_get_display (GTK_WIDGET (self))),
                                    "/io/github/kibitz/Kibitz/icons");
}

KibitzWindow *
kibitz_window_new (GtkApplication *application)
{
  return g_object_new (KIBITZ_TYPE_WINDOW, "application", application, NULL);
}
