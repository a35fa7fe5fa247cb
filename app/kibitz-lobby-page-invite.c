/* kibitz-lobby-page-invite.c: invites and links in the lobby (docs/app.md).
 * A kibitz: link or an invite link fills the lobby for its class; the
 * person checks the preview, types a name, and joins. While there is an
 * invite it decides the room: a row "Invited to the class …" stands where
 * the room's row was, until the person drops it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-lobby-page"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "kibitz-join-link.h"
#include "kibitz-lobby-page-private.h"
#include "kibitz-names.h"

static const char *
row_text (AdwEntryRow *row)
{
  return gtk_editable_get_text (GTK_EDITABLE (row));
}

void
kibitz_lobby_page_show_link_problem (KibitzLobbyPage *self,
                                     const char      *sentence)
{
  gtk_label_set_text (self->link_problem_label, sentence ? sentence : "");
  gtk_widget_set_visible (GTK_WIDGET (self->link_problem_label), sentence != NULL);
}

/* While there is an invite it decides the room: the row that names it
 * stands where the room's row was. */
static void
set_invite (KibitzLobbyPage *self,
            const char      *invite,
            const char      *room)
{
  g_free (self->invite);
  self->invite = g_strdup (invite);
  if (invite != NULL)
    {
      g_autofree char *title = g_strdup_printf (_("Invited to the class “%s”"), room);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->invite_row), title);
      gtk_editable_set_text (GTK_EDITABLE (self->room_row), room);
    }
  gtk_widget_set_visible (self->invite_group, invite != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->room_row), invite == NULL);
  gtk_label_set_text (self->intro_label,
                      invite ? _("Type your name and check your camera, then join.")
                             : _("Type your name and the room your teacher gave you."));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "lobby.drop-invite", invite != NULL);
}

static void
focus_next_field (KibitzLobbyPage *self)
{
  if (kibitz_lobby_page_is_blank (row_text (self->name_row)))
    gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->join_button));
}

void
kibitz_lobby_page_fill (KibitzLobbyPage *self,
                        const char      *server_url,
                        const char      *room,
                        const char      *invite)
{
  g_return_if_fail (KIBITZ_IS_LOBBY_PAGE (self));
  g_return_if_fail (room != NULL);

  self->filling = TRUE;
  if (server_url != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->server_row), server_url);
  gtk_editable_set_text (GTK_EDITABLE (self->room_row), room);
  /* Before the room's row hides (it may have the focus: a link pasted in it). */
  focus_next_field (self);
  set_invite (self, invite, room);
  self->filling = FALSE;
  kibitz_lobby_page_show_link_problem (self, NULL);
  kibitz_lobby_page_update_join (self);
}

gboolean
kibitz_lobby_page_open_link (KibitzLobbyPage *self,
                             const char      *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KibitzJoinLink) link = NULL;

  g_return_val_if_fail (KIBITZ_IS_LOBBY_PAGE (self), FALSE);
  g_return_val_if_fail (text != NULL, FALSE);

  if (!(link = kibitz_join_link_parse (text, &error)))
    {
      g_message ("not a link to a class: %s", error->message);
      kibitz_lobby_page_show_link_problem (self, error->message);
      return FALSE;
    }
  kibitz_lobby_page_fill (self, link->server_url, link->room, link->invite);
  return TRUE;
}

char *
kibitz_lobby_page_get_server (KibitzLobbyPage *self)
{
  g_return_val_if_fail (KIBITZ_IS_LOBBY_PAGE (self), NULL);

  return g_strstrip (g_strdup (row_text (self->server_row)));
}

const char *
kibitz_lobby_page_get_invite (KibitzLobbyPage *self)
{
  g_return_val_if_fail (KIBITZ_IS_LOBBY_PAGE (self), NULL);

  return self->invite;
}

/* An invite code alone, as a teacher may read it out of a message:
 * <base64url room>.<ms>.<s>.<32 hex>. Anything looser could be a room name
 * with dots in it. */
static gboolean
is_invite_code (const char *text)
{
  g_auto(GStrv) parts = g_strsplit (text, ".", -1);

  if (g_strv_length (parts) != 4 || strlen (parts[3]) != 32)
    return FALSE;
  for (guint i = 1; i < 4; i++)
    for (const char *c = parts[i]; *c != '\0'; c++)
      if (i < 3 ? !g_ascii_isdigit (*c) : !g_ascii_isxdigit (*c))
        return FALSE;
  return parts[1][0] != '\0' && parts[2][0] != '\0';
}

/* A link or an invite pasted into the room's row turns into the invite. */
static void
room_changed_cb (KibitzLobbyPage *self)
{
  g_autofree char *text = g_strstrip (g_strdup (row_text (self->room_row)));
  g_autofree char *room = NULL;
  g_autofree char *code = NULL;

  kibitz_lobby_page_update_join (self);
  if (self->filling)
    return;

  if (g_ascii_strncasecmp (text, "kibitz:", strlen ("kibitz:")) == 0 || strstr (text, "/j/"))
    kibitz_lobby_page_open_link (self, text);
  else if (is_invite_code (text) && (code = kibitz_invite_parse (text, &room)))
    kibitz_lobby_page_fill (self, NULL, room, code);
}

static void
drop_invite_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  KibitzLobbyPage *self = KIBITZ_LOBBY_PAGE (widget);

  set_invite (self, NULL, NULL);
  gtk_widget_grab_focus (GTK_WIDGET (self->room_row));
}

void
kibitz_lobby_page_class_init_invite (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_child (widget_class, KibitzLobbyPage, intro_label);
  gtk_widget_class_bind_template_child (widget_class, KibitzLobbyPage, link_problem_label);
  gtk_widget_class_bind_template_child (widget_class, KibitzLobbyPage, invite_group);
  gtk_widget_class_bind_template_child (widget_class, KibitzLobbyPage, invite_row);
  gtk_widget_class_bind_template_callback (widget_class, room_changed_cb);
  gtk_widget_class_install_action (widget_class, "lobby.drop-invite", NULL, drop_invite_action);
}
