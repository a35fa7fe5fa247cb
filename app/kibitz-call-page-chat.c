/* kibitz-call-page-chat.c: the class chat beside the grid.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-call-page"

#include "config.h"

#include <glib/gi18n.h>

#include "kibitz-call-page-private.h"

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

void
kibitz_call_page_send_chat_action (GtkWidget  *widget,
                                   const char *action_name,
                                   GVariant   *parameter)
{
  KibitzCallPage *self = KIBITZ_CALL_PAGE (widget);

  kibitz_call_page_send_chat (self, gtk_editable_get_text (GTK_EDITABLE (self->chat_entry)));
  gtk_editable_set_text (GTK_EDITABLE (self->chat_entry), "");
}

void
kibitz_call_page_chat_entry_activate_cb (KibitzCallPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "call.send-chat", NULL);
}

const char *
kibitz_call_page_get_chat_log (KibitzCallPage *self)
{
  g_return_val_if_fail (KIBITZ_IS_CALL_PAGE (self), NULL);

  return self->chat_log->str;
}

void
kibitz_call_page_clear_chat (KibitzCallPage *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->chat_list))))
    gtk_list_box_remove (self->chat_list, child);
  g_string_truncate (self->chat_log, 0);
  gtk_stack_set_visible_child_name (self->chat_stack, "empty");
}

void
kibitz_call_page_connect_chat (KibitzCallPage *self)
{
  g_signal_connect (self->call, "chat", G_CALLBACK (chat_cb), self);
}
