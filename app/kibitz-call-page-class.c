/* kibitz-call-page-class.c: the call page in a class with a teacher
 * (protocol.md §4). A pupil sees "Waiting for your teacher" until let in,
 * a sentence when muted, and cannot unmute while the teacher says so. A
 * teacher gets the class panel (who is waiting, Admit / Deny / Admit all,
 * Lock, Students may unmute, Copy invite link, Mute all, Lower hands, End
 * class) and a menu on each tile (Mute, Lower hand, Spotlight, Allow or Stop
 * Moves on the board, Remove).
 * Everyone sees raised hands numbered in the order the server saw them go
 * up, teachers marked, and the spotlighted participant large above the grid.
 *
 * The call keeps the class's state (role, room_state, who is waiting); this
 * file only shows it and sends what the teacher asks.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-call-page"

#include "config.h"

#include <glib/gi18n.h>

#include "kibitz-call-page-private.h"

/* The actions only a teacher may use (the server refuses them from anyone
 * else anyway: this keeps the buttons honest). */
static const char * const teacher_actions[] = {
  "call.admit", "call.deny", "call.admit-all", "call.mute", "call.mute-all", "call.lower-hand",
  "call.lower-all-hands", "call.spotlight", "call.remove", "call.copy-invite", "call.end-class",
  "call.board-mover", "call.screen-sharer",
};

static gboolean
is_teacher (KibitzCallPage *self)
{
  return self->call != NULL && g_strcmp0 (kibitz_call_get_role (self->call), "teacher") == 0;
}

static JsonObject *
room_state (KibitzCallPage *self)
{
  return self->call != NULL ? kibitz_call_get_room_state (self->call) : NULL;
}

static const char *
spotlight_id (KibitzCallPage *self)
{
  JsonObject *state = room_state (self);

  return state != NULL ? kibitz_json_get_string (state, "spotlight") : NULL;
}

/* A student may turn the microphone on unless the teacher said otherwise. */
gboolean
kibitz_call_page_may_unmute (KibitzCallPage *self)
{
  JsonObject *state = room_state (self);

  if (self->call == NULL || g_strcmp0 (kibitz_call_get_role (self->call), "student") != 0 ||
      state == NULL)
    return TRUE;
  return kibitz_json_get_boolean (state, "students_may_unmute", TRUE);
}

static KibitzParticipantTile *
find_tile (KibitzCallPage *self,
           const char     *id)
{
  const char *own = self->call ? kibitz_call_get_id (self->call) : NULL;

  if (id == NULL)
    return NULL;
  if (self->self_tile != NULL && g_strcmp0 (id, own) == 0)
    return self->self_tile;
  return g_hash_table_lookup (self->tiles, id);
}

static const char *
name_of (KibitzCallPage *self,
         const char     *id)
{
  KibitzParticipantTile *tile = g_hash_table_lookup (self->tiles, id);

  return tile != NULL ? kibitz_participant_tile_get_name (tile) : _("someone");
}

static void
send (KibitzCallPage    *self,
      KibitzMessageType  type,
      JsonObject        *members)
{
  if (self->call != NULL)
    kibitz_call_send_class (self->call, type, members);
}

static void
send_id (KibitzCallPage    *self,
         KibitzMessageType  type,
         GVariant          *parameter)
{
  g_autoptr(JsonObject) members = json_object_new ();

  json_object_set_string_member (members, "id", g_variant_get_string (parameter, NULL));
  send (self, type, members);
}

static void
send_all (KibitzCallPage    *self,
          KibitzMessageType  type)
{
  g_autoptr(JsonObject) members = json_object_new ();

  json_object_set_boolean_member (members, "all", TRUE);
  send (self, type, members);
}

/* The waiting list, rebuilt from the call's (it is short: at most 64). */
static void
sync_waiting (KibitzCallPage *self)
{
  JsonArray *waiting = self->call ? kibitz_call_get_waiting (self->call) : NULL;
  guint n = waiting ? json_array_get_length (waiting) : 0;
  GtkWidget *child;
  g_autofree char *heading = NULL;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->waiting_list))))
    gtk_list_box_remove (self->waiting_list, child);

  for (guint i = 0; i < n; i++)
    {
      JsonObject *entry = json_array_get_object_element (waiting, i);
      const char *id = kibitz_json_get_string (entry, "id");
      const char *name = kibitz_json_get_string (entry, "name");
      g_autofree char *title = g_markup_escape_text (name ? name : id, -1);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *admit = gtk_button_new_with_mnemonic (_("_Admit"));
      GtkWidget *deny = gtk_button_new_with_mnemonic (_("_Deny"));

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 1);
      gtk_widget_set_name (row, id);
      gtk_widget_set_valign (admit, GTK_ALIGN_CENTER);
      gtk_widget_set_valign (deny, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (admit, "suggested-action");
      gtk_widget_add_css_class (deny, "flat");
      gtk_actionable_set_action_name (GTK_ACTIONABLE (admit), "call.admit");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (admit), "s", id);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (deny), "call.deny");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (deny), "s", id);
      gtk_widget_set_tooltip_text (deny, _("Do not let them in"));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), deny);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), admit);
      gtk_list_box_append (self->waiting_list, row);
    }

  if (n == 0)
    {
      GtkWidget *empty = gtk_label_new (_("Nobody is waiting"));

      gtk_widget_add_css_class (empty, "dim-label");
      gtk_widget_set_margin_top (empty, 12);
      gtk_widget_set_margin_bottom (empty, 12);
      gtk_list_box_append (self->waiting_list, empty);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (gtk_widget_get_parent (empty)),
                                        FALSE);
    }

  /* A knock's toast goes with the knock (admitted, denied, gone). */
  {
    GHashTableIter iter;
    gpointer id, toast;

    g_hash_table_iter_init (&iter, self->knock_toasts);
    while (g_hash_table_iter_next (&iter, &id, &toast))
      {
        gboolean still = FALSE;

        for (guint i = 0; i < n && !still; i++)
          still = g_strcmp0 (kibitz_json_get_string (json_array_get_object_element (waiting, i),
                                                     "id"), id) == 0;
        if (!still)
          {
            g_object_ref (toast);
            g_hash_table_iter_remove (&iter);
            adw_toast_dismiss (toast);
            g_object_unref (toast);
          }
      }
  }

  heading = n > 0 ? g_strdup_printf (_("Waiting to Join (%u)"), n)
                  : g_strdup (_("Waiting to Join"));
  gtk_label_set_text (self->waiting_heading, heading);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "call.admit-all", is_teacher (self) && n > 0);
}

/* An array member of @object, or NULL. */
static JsonArray *
array_member (JsonObject *object,
              const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static gboolean
list_has (JsonArray  *list,
          const char *id)
{
  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
    if (g_strcmp0 (json_array_get_string_element (list, i), id) == 0)
      return TRUE;
  return FALSE;
}

/* @list with @id added, or taken out if it was there (the strings are
 * borrowed; NULL-terminated): the whole list goes to the server, which
 * replaces its own with it. */
static GPtrArray *
list_toggled (JsonArray  *list,
              const char *id)
{
  GPtrArray *ids = g_ptr_array_new ();

  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
    {
      const char *other = json_array_get_string_element (list, i);

      if (other != NULL && !g_str_equal (other, id))
        g_ptr_array_add (ids, (gpointer) other);
    }
  if (!list_has (list, id))
    g_ptr_array_add (ids, (gpointer) id);
  g_ptr_array_add (ids, NULL);
  return ids;
}

/* The board's movers (protocol.md §5): pupils the teacher lets move. */
static JsonArray *
board_movers (KibitzCallPage *self)
{
  return array_member (self->call != NULL ? kibitz_call_get_board (self->call) : NULL, "movers");
}

static gboolean
is_board_mover (KibitzCallPage *self,
                const char     *id)
{
  return list_has (board_movers (self), id);
}

/* The pupils the teacher lets share a screen (room_state.sharers). */
static JsonArray *
sharers (KibitzCallPage *self)
{
  return array_member (room_state (self), "sharers");
}

static gboolean
is_sharer (KibitzCallPage *self,
           const char     *id)
{
  return list_has (sharers (self), id);
}

static GMenuModel *
tile_menu (KibitzCallPage *self,
           const char     *id,
           gboolean        own,
           gboolean        teacher)
{
  GMenu *menu = g_menu_new ();
  g_autoptr(GMenu) last = g_menu_new ();
  GMenuItem *item;
  gboolean spotlit = g_strcmp0 (spotlight_id (self), id) == 0;

  if (!own)
    {
      item = g_menu_item_new (_("_Mute"), NULL);
      g_menu_item_set_action_and_target_value (item, "call.mute", g_variant_new_string (id));
      g_menu_append_item (menu, item);
      g_object_unref (item);
      item = g_menu_item_new (_("_Lower Hand"), NULL);
      g_menu_item_set_action_and_target_value (item, "call.lower-hand", g_variant_new_string (id));
      g_menu_append_item (menu, item);
      g_object_unref (item);
    }
  item = g_menu_item_new (spotlit ? _("_Stop Spotlight") : _("_Spotlight"), NULL);
  g_menu_item_set_action_and_target_value (item, "call.spotlight",
                                           g_variant_new_string (spotlit ? "" : id));
  g_menu_append_item (menu, item);
  g_object_unref (item);
  /* Teachers move anyway: the switch is for pupils. */
  if (!own && !teacher && self->call != NULL && kibitz_call_get_board (self->call) != NULL)
    {
      item = g_menu_item_new (is_board_mover (self, id) ? _("Stop _Moves on the Board")
                                                        : _("Allow _Moves on the Board"), NULL);
      g_menu_item_set_action_and_target_value (item, "call.board-mover", g_variant_new_string (id));
      g_menu_append_item (menu, item);
      g_object_unref (item);
    }
  /* Teachers share anyway: the switch is for pupils. */
  if (!own && !teacher)
    {
      item = g_menu_item_new (is_sharer (self, id) ? _("Stop _Screen Sharing")
                                                   : _("Allow _Screen Sharing"), NULL);
      g_menu_item_set_action_and_target_value (item, "call.screen-sharer",
                                               g_variant_new_string (id));
      g_menu_append_item (menu, item);
      g_object_unref (item);
    }
  if (!own)
    {
      item = g_menu_item_new (_("_Remove From Class…"), NULL);
      g_menu_item_set_action_and_target_value (item, "call.remove", g_variant_new_string (id));
      g_menu_append_item (last, item);
      g_object_unref (item);
      g_menu_append_section (menu, NULL, G_MENU_MODEL (last));
    }
  return G_MENU_MODEL (menu);
}

static void
sync_tile (KibitzCallPage        *self,
           KibitzParticipantTile *tile,
           const char            *id,
           gboolean               own)
{
  JsonObject *state = room_state (self);
  JsonNode *hands_node = state ? json_object_get_member (state, "hands") : NULL;
  JsonArray *hands = hands_node && JSON_NODE_HOLDS_ARRAY (hands_node)
                     ? json_node_get_array (hands_node) : NULL;
  guint place = 0;

  for (guint i = 0; id != NULL && hands && i < json_array_get_length (hands); i++)
    if (g_strcmp0 (json_array_get_string_element (hands, i), id) == 0)
      place = i + 1;
  kibitz_participant_tile_set_hand_place (tile, place);
  kibitz_participant_tile_set_mover (tile, id != NULL && is_board_mover (self, id));

  if (is_teacher (self) && id != NULL)
    {
      g_autoptr(GMenuModel) menu = tile_menu (self, id, own,
                                              kibitz_participant_tile_get_badges (tile) &
                                              KIBITZ_TILE_BADGE_TEACHER);

      kibitz_participant_tile_set_menu (tile, menu);
    }
  else
    kibitz_participant_tile_set_menu (tile, NULL);
}

/* One participant large above the grid (or nobody). The tile moves between
 * the grid and the spotlight box; self->tiles keeps it alive meanwhile. */
static void
sync_spotlight (KibitzCallPage *self)
{
  KibitzParticipantTile *tile = find_tile (self, spotlight_id (self));

  if (tile == self->spotlit)
    return;

  if (self->spotlit != NULL)
    {
      KibitzParticipantTile *back = self->spotlit;

      self->spotlit = NULL;
      g_object_ref (back);
      gtk_box_remove (self->spotlight_box, GTK_WIDGET (back));
      kibitz_participant_tile_set_large (back, FALSE);
      if (back == self->self_tile)
        gtk_flow_box_prepend (self->grid, GTK_WIDGET (back));
      else if (g_hash_table_lookup (self->tiles, kibitz_participant_tile_get_id (back)) == back)
        gtk_flow_box_append (self->grid, GTK_WIDGET (back));
      g_object_unref (back);
    }

  if (tile != NULL)
    {
      g_object_ref (tile);
      gtk_flow_box_remove (self->grid, gtk_widget_get_parent (GTK_WIDGET (tile)));
      kibitz_participant_tile_set_large (tile, TRUE);
      gtk_box_append (self->spotlight_box, GTK_WIDGET (tile));
      self->spotlit = tile;
      g_object_unref (tile);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->spotlight_box), self->spotlit != NULL);
}

/* Everything that follows the role and room_state. */
void
kibitz_call_page_sync_class (KibitzCallPage *self)
{
  JsonObject *state = room_state (self);
  gboolean teacher = is_teacher (self);
  GHashTableIter iter;
  gpointer id, tile;

  for (guint i = 0; i < G_N_ELEMENTS (teacher_actions); i++)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), teacher_actions[i], teacher);
  gtk_widget_set_visible (GTK_WIDGET (self->class_button), teacher);
  if (!teacher)
    gtk_toggle_button_set_active (self->class_button, FALSE);

  self->class_syncing = TRUE;
  gtk_switch_set_active (self->lock_switch,
                         state != NULL && kibitz_json_get_boolean (state, "locked", FALSE));
  gtk_switch_set_active (self->unmute_switch,
                         state == NULL ||
                         kibitz_json_get_boolean (state, "students_may_unmute", TRUE));
  self->class_syncing = FALSE;

  g_hash_table_iter_init (&iter, self->tiles);
  while (g_hash_table_iter_next (&iter, &id, &tile))
    sync_tile (self, tile, id, FALSE);
  if (self->self_tile != NULL)
    sync_tile (self, self->self_tile, self->call ? kibitz_call_get_id (self->call) : NULL, TRUE);
  sync_spotlight (self);
  sync_waiting (self);
  kibitz_call_page_sync_controls (self);
}

void
kibitz_call_page_class_tile_added (KibitzCallPage        *self,
                                   KibitzParticipantTile *tile,
                                   KibitzParticipant     *p)
{
  kibitz_participant_tile_set_teacher (tile, g_strcmp0 (p->role, "teacher") == 0);
  sync_tile (self, tile, p->id, FALSE);
  /* An admitted pupil leaves the waiting list as it joins the room. */
  sync_waiting (self);
  sync_spotlight (self);
}

/* Before a tile leaves the page: out of the spotlight first. */
void
kibitz_call_page_class_tile_removed (KibitzCallPage        *self,
                                     KibitzParticipantTile *tile)
{
  if (self->spotlit != tile)
    return;
  gtk_box_remove (self->spotlight_box, GTK_WIDGET (tile));
  self->spotlit = NULL;
  gtk_widget_set_visible (GTK_WIDGET (self->spotlight_box), FALSE);
}

void
kibitz_call_page_clear_class (KibitzCallPage *self)
{
  if (self->spotlit != NULL)
    gtk_box_remove (self->spotlight_box, GTK_WIDGET (self->spotlit));
  self->spotlit = NULL;
  gtk_widget_set_visible (GTK_WIDGET (self->spotlight_box), FALSE);
  self->ending = FALSE;
  kibitz_call_page_sync_class (self);
}

static void
waiting (KibitzCallPage *self,
         JsonObject     *message)
{
  const char *reason = kibitz_json_get_string (message, "reason");
  const char *description;

  if (g_strcmp0 (reason, "invite-expired") == 0)
    description = _("Your invite link has expired, so your teacher lets you in. Keep this "
                    "window open: the class starts here when they do.");
  else if (g_strcmp0 (reason, "invite-invalid") == 0)
    description = _("Your invite link is not valid for this class, so your teacher lets you "
                    "in. Keep this window open: the class starts here when they do.");
  else
    description = _("Your teacher knows you are here and lets you in soon. Keep this window "
                    "open: the class starts here when they do.");
  adw_status_page_set_description (self->waiting_page, description);
  gtk_stack_set_visible_child_name (self->stack, "waiting");
}

static void
knock_toast_dismissed_cb (AdwToast       *toast,
                          KibitzCallPage *self)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->knock_toasts);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (value == toast)
      {
        g_hash_table_iter_remove (&iter);
        return;
      }
}

static void
knock (KibitzCallPage *self,
       JsonObject     *message)
{
  JsonObject *peer = kibitz_json_get_object (message, "peer");
  const char *id = peer ? kibitz_json_get_string (peer, "id") : NULL;
  const char *name = peer ? kibitz_json_get_string (peer, "name") : NULL;
  g_autofree char *title = NULL;
  AdwToast *toast;

  sync_waiting (self);
  if (id == NULL)
    return;

  /* Someone (often a child) is waiting at the door: the list opens. */
  gtk_toggle_button_set_active (self->class_button, TRUE);
  title = g_strdup_printf (_("%s is waiting to join"), name ? name : id);
  toast = adw_toast_new (title);
  adw_toast_set_timeout (toast, 10);
  adw_toast_set_button_label (toast, _("_Admit"));
  adw_toast_set_action_name (toast, "call.admit");
  adw_toast_set_action_target_value (toast, g_variant_new_string (id));
  g_hash_table_replace (self->knock_toasts, g_strdup (id), g_object_ref (toast));
  g_signal_connect_object (toast, "dismissed", G_CALLBACK (knock_toast_dismissed_cb), self, 0);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
muted (KibitzCallPage *self)
{
  kibitz_call_page_toast (self, kibitz_call_page_may_unmute (self)
                                ? _("Your teacher turned your microphone off. You can turn it "
                                    "on again when you want to speak.")
                                : _("Your teacher turned your microphone off. They let you "
                                    "speak when it is your turn."));
}

static void
invite (KibitzCallPage *self,
        JsonObject     *message)
{
  const char *url = kibitz_json_get_string (message, "url");
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (self));

  if (url == NULL)
    return;
  gdk_clipboard_set_text (clipboard, url);
  kibitz_call_page_toast (self, _("Invite link copied. Send it to your pupils: it works for "
                                  "24 hours, and they come in without waiting."));
}

static void
class_message_cb (KibitzCall     *call,
                  const char     *type,
                  JsonObject     *message,
                  KibitzCallPage *self)
{
  switch (kibitz_message_type_from_string (type))
    {
    case KIBITZ_MESSAGE_WAITING:
      waiting (self, message);
      break;
    case KIBITZ_MESSAGE_KNOCK:
      knock (self, message);
      break;
    case KIBITZ_MESSAGE_WITHDRAWN:
      sync_waiting (self);
      break;
    case KIBITZ_MESSAGE_ROOM_STATE:
      kibitz_call_page_sync_class (self);
      break;
    case KIBITZ_MESSAGE_MUTED:
      muted (self);
      break;
    case KIBITZ_MESSAGE_INVITE:
      invite (self, message);
      break;
    default:
      /* removed, ended: ::failed follows with the sentence. */
      break;
    }
}

static void
joined_cb (KibitzCall     *call,
           const char     *id,
           gboolean        resumed,
           KibitzCallPage *self)
{
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "waiting") == 0)
    {
      gtk_stack_set_visible_child_name (self->stack, "call");
      kibitz_call_page_toast (self, _("Your teacher let you in"));
    }
  kibitz_call_page_sync_class (self);
  /* A teacher who arrives to pupils already waiting sees them at once. */
  if (is_teacher (self) && json_array_get_length (kibitz_call_get_waiting (call)) > 0)
    gtk_toggle_button_set_active (self->class_button, TRUE);
}

static void
server_error_cb (KibitzCall     *call,
                 const char     *code,
                 const char     *message,
                 KibitzCallPage *self)
{
  /* The board has its own; the class's refusals are said here. */
  if (g_strcmp0 (code, "forbidden") == 0 || g_strcmp0 (code, "unknown-peer") == 0 ||
      g_strcmp0 (code, "room-full") == 0)
    kibitz_call_page_toast (self, message);
}

static void
lock_cb (KibitzCallPage *self)
{
  g_autoptr(JsonObject) members = json_object_new ();

  if (self->class_syncing)
    return;
  json_object_set_boolean_member (members, "locked", gtk_switch_get_active (self->lock_switch));
  send (self, KIBITZ_MESSAGE_LOCK, members);
}

static void
unmute_cb (KibitzCallPage *self)
{
  g_autoptr(JsonObject) members = json_object_new ();

  if (self->class_syncing)
    return;
  json_object_set_boolean_member (members, "students_may_unmute",
                                  gtk_switch_get_active (self->unmute_switch));
  send (self, KIBITZ_MESSAGE_ROOM, members);
}

void
kibitz_call_page_connect_class (KibitzCallPage *self)
{
  g_signal_connect (self->call, "class-message", G_CALLBACK (class_message_cb), self);
  g_signal_connect (self->call, "joined", G_CALLBACK (joined_cb), self);
  g_signal_connect (self->call, "server-error", G_CALLBACK (server_error_cb), self);
  kibitz_call_page_clear_class (self);
  g_signal_handlers_disconnect_by_func (self->lock_switch, lock_cb, self);
  g_signal_handlers_disconnect_by_func (self->unmute_switch, unmute_cb, self);
  g_signal_connect_swapped (self->lock_switch, "notify::active", G_CALLBACK (lock_cb), self);
  g_signal_connect_swapped (self->unmute_switch, "notify::active", G_CALLBACK (unmute_cb), self);
}

static void
admit_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  send_id (KIBITZ_CALL_PAGE (widget), KIBITZ_MESSAGE_ADMIT, parameter);
}

static void
deny_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  send_id (KIBITZ_CALL_PAGE (widget), KIBITZ_MESSAGE_DENY, parameter);
}

static void
admit_all_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  send_all (KIBITZ_CALL_PAGE (widget), KIBITZ_MESSAGE_ADMIT);
}

static void
mute_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  send_id (KIBITZ_CALL_PAGE (widget), KIBITZ_MESSAGE_MUTE, parameter);
}

static void
mute_all_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  send_all (KIBITZ_CALL_PAGE (widget), KIBITZ_MESSAGE_MUTE);
}

static void
lower_hand_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  send_id (KIBITZ_CALL_PAGE (widget), KIBITZ_MESSAGE_LOWER_HAND, parameter);
}

static void
lower_all_hands_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  send_all (KIBITZ_CALL_PAGE (widget), KIBITZ_MESSAGE_LOWER_HAND);
}

/* "" ends the spotlight. */
static void
spotlight_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  g_autoptr(JsonObject) members = json_object_new ();
  const char *id = g_variant_get_string (parameter, NULL);

  if (id[0] != '\0')
    json_object_set_string_member (members, "spotlight", id);
  else
    json_object_set_null_member (members, "spotlight");
  send (KIBITZ_CALL_PAGE (widget), KIBITZ_MESSAGE_ROOM, members);
}

/* Lets the pupil share a screen, or takes the leave back (a share in
 * progress then stops for everyone): the whole list goes to the server. */
static void
screen_sharer_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  KibitzCallPage *self = KIBITZ_CALL_PAGE (widget);
  g_autoptr(GPtrArray) ids = list_toggled (sharers (self), g_variant_get_string (parameter, NULL));
  g_autoptr(JsonObject) members = json_object_new ();
  JsonArray *list = json_array_new ();

  for (guint i = 0; i + 1 < ids->len; i++)
    json_array_add_string_element (list, g_ptr_array_index (ids, i));
  json_object_set_array_member (members, "sharers", list);
  send (self, KIBITZ_MESSAGE_ROOM, members);
}

/* Lets the pupil move on the board, or stops them: the whole list goes to
 * the server (board-movers replaces it). */
static void
board_mover_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  KibitzCallPage *self = KIBITZ_CALL_PAGE (widget);
  g_autoptr(GPtrArray) ids = NULL;

  if (self->call == NULL)
    return;
  ids = list_toggled (board_movers (self), g_variant_get_string (parameter, NULL));
  kibitz_call_board_set_movers (self->call, (const char * const *) ids->pdata);
}

static void
copy_invite_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  /* Answered with `invite`, which puts the link on the clipboard. */
  send (KIBITZ_CALL_PAGE (widget), KIBITZ_MESSAGE_INVITE, NULL);
}

static void
remove_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    KibitzCallPage   *self)
{
  g_autoptr(JsonObject) members = NULL;

  if (!g_str_equal (response, "remove"))
    return;
  members = json_object_new ();
  json_object_set_string_member (members, "id", g_object_get_data (G_OBJECT (dialog), "peer-id"));
  send (self, KIBITZ_MESSAGE_REMOVE, members);
}

static GtkWidget *
confirm (KibitzCallPage *self,
         const char     *heading,
         const char     *body,
         const char     *response,
         const char     *label)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                              heading, body);

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"), response, label, NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), response,
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  return dialog;
}

static void
remove_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  KibitzCallPage *self = KIBITZ_CALL_PAGE (widget);
  const char *id = g_variant_get_string (parameter, NULL);
  g_autofree char *heading = g_strdup_printf (_("Remove %s?"), name_of (self, id));
  GtkWidget *dialog = confirm (self, heading,
                               _("They leave the class at once, and their invite link no "
                                 "longer lets them in: if they come back, they wait for you."),
                               "remove", _("_Remove"));

  g_object_set_data_full (G_OBJECT (dialog), "peer-id", g_strdup (id), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (remove_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
end_response_cb (AdwMessageDialog *dialog,
                 const char       *response,
                 KibitzCallPage   *self)
{
  if (!g_str_equal (response, "end"))
    return;
  self->ending = TRUE;
  send (self, KIBITZ_MESSAGE_END, NULL);
}

static void
end_class_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  KibitzCallPage *self = KIBITZ_CALL_PAGE (widget);
  GtkWidget *dialog = confirm (self, _("End the Class?"),
                               _("Everyone leaves the class, and the invite links you made "
                                 "for it stop working."),
                               "end", _("_End Class"));

  g_signal_connect_object (dialog, "response", G_CALLBACK (end_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

void
kibitz_call_page_install_class (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "call.admit", "s", admit_action);
  gtk_widget_class_install_action (widget_class, "call.deny", "s", deny_action);
  gtk_widget_class_install_action (widget_class, "call.admit-all", NULL, admit_all_action);
  gtk_widget_class_install_action (widget_class, "call.mute", "s", mute_action);
  gtk_widget_class_install_action (widget_class, "call.mute-all", NULL, mute_all_action);
  gtk_widget_class_install_action (widget_class, "call.lower-hand", "s", lower_hand_action);
  gtk_widget_class_install_action (widget_class, "call.lower-all-hands", NULL,
                                   lower_all_hands_action);
  gtk_widget_class_install_action (widget_class, "call.spotlight", "s", spotlight_action);
  gtk_widget_class_install_action (widget_class, "call.remove", "s", remove_action);
  gtk_widget_class_install_action (widget_class, "call.copy-invite", NULL, copy_invite_action);
  gtk_widget_class_install_action (widget_class, "call.end-class", NULL, end_class_action);
  gtk_widget_class_install_action (widget_class, "call.board-mover", "s", board_mover_action);
  gtk_widget_class_install_action (widget_class, "call.screen-sharer", "s", screen_sharer_action);
}
