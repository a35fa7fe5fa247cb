/* kibitz-connection-window.c
 *
 * Reads what the engine already keeps per participant (KibitzParticipant and
 * its last KibitzStats snapshot) once a second; it polls nothing itself.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-connection-window"

#include "config.h"

#include <glib/gi18n.h>

#include "kibitz-connection-window.h"

#define REFRESH_MS 1000

typedef enum {
  FIELD_STATE,
  FIELD_ROUTE,
  FIELD_ADDRESSES,
  FIELD_RTT,
  FIELD_BITRATE,
  FIELD_LOSS,
  FIELD_VIDEO_SENT,
  FIELD_VIDEO_RECEIVED,
  N_FIELDS
} Field;

typedef struct {
  AdwPreferencesGroup *group;
  AdwActionRow        *rows[N_FIELDS];
  gboolean             seen;
} PeerRows;

struct _KibitzConnectionWindow
{
  AdwWindow            parent_instance;

  KibitzCall          *call;
  AdwPreferencesPage  *page;
  AdwStatusPage       *empty;
  GtkStack            *stack;
  AdwToastOverlay     *toasts;
  GHashTable          *peers;   /* participant id -> PeerRows */
  guint                refresh_id;
};

G_DEFINE_FINAL_TYPE (KibitzConnectionWindow, kibitz_connection_window, ADW_TYPE_WINDOW)

static const char *
field_title (Field field)
{
  switch (field)
    {
    case FIELD_STATE:     return _("State");
    case FIELD_ROUTE:     return _("Route");
    case FIELD_ADDRESSES: return _("Addresses");
    case FIELD_RTT:       return _("Round trip");
    case FIELD_BITRATE:   return _("Bitrate in / out");
    case FIELD_LOSS:      return _("Packets lost");
    case FIELD_VIDEO_SENT: return _("Video sent");
    case FIELD_VIDEO_RECEIVED: return _("Video received");
    case N_FIELDS:
    default:              return "";
    }
}

/* What the rate control sends this participant, and what it believes the
 * path carries. */
static char *
video_sent (const KibitzParticipant *p)
{
  const KibitzLinkRate *rate = &p->rate;

  if (p->peer == NULL || rate->estimate_kbps == 0)
    return g_strdup (_("Unknown"));
  if (rate->tier == KIBITZ_TIER_NONE)
    /* TRANSLATORS: %u is a bitrate in kbit/s */
    return g_strdup_printf (_("None: the connection (about %u kbit/s) carries only sound now"),
                            rate->estimate_kbps);
  /* TRANSLATORS: picture size, frame rate, bitrate, and what the connection
   * carries, e.g. "320×240 at 30 fps, 250 kbit/s (the connection carries
   * about 900 kbit/s)" */
  return g_strdup_printf (_("%d×%d at %d fps, %u kbit/s (the connection carries about %u kbit/s)"),
                          rate->sent_width, rate->sent_height, rate->sent_fps, rate->video_kbps,
                          rate->estimate_kbps);
}

static char *
video_received (const KibitzParticipant *p)
{
  if (p->received_width <= 0)
    return g_strdup (_("None yet"));
  if (p->freezes == 0)
    /* TRANSLATORS: the picture size, e.g. "640×480, no freezes" */
    return g_strdup_printf (_("%d×%d, no freezes"), p->received_width, p->received_height);
  /* TRANSLATORS: picture size, how often the picture stood still for half a
   * second or more, and the longest time, e.g. "320×240, froze 3 times
   * (at most 1.2 s)" */
  return g_strdup_printf (ngettext ("%d×%d, froze %u time (at most %.1f s)",
                                    "%d×%d, froze %u times (at most %.1f s)", p->freezes),
                          p->received_width, p->received_height, p->freezes,
                          p->longest_freeze_ms / 1000.0);
}

static char *
field_value (const KibitzParticipant *p,
             Field                    field)
{
  const KibitzStats *stats = p->last_stats;

  switch (field)
    {
    case FIELD_STATE:
      if (p->left)
        return g_strdup (_("Left the class"));
      if (p->error != NULL && p->peer == NULL)
        return g_strdup_printf (_("Failed: %s"), p->error->message);
      if (p->peer == NULL)
        return g_strdup (_("Waiting"));
      if (stats != NULL && stats->connected)
        return g_strdup (_("Connected"));
      return g_strdup (p->connected ? _("Reconnecting") : _("Connecting"));

    case FIELD_ROUTE:
      if (p->local_candidate == NULL || p->remote_candidate == NULL)
        return g_strdup (_("Not chosen yet"));
      if (g_strcmp0 (p->relay_transport, "udp") == 0)
        /* TRANSLATORS: the ICE candidate types follow, e.g. "relay → host" */
        return g_strdup_printf (_("Relayed through the server over UDP (%s → %s)"),
                                p->local_candidate, p->remote_candidate);
      if (g_strcmp0 (p->relay_transport, "tcp") == 0)
        /* TRANSLATORS: the ICE candidate types follow, e.g. "relay → host".
         * TCP is slower than UDP: a firewall blocks UDP. */
        return g_strdup_printf (_("Relayed through the server over TCP (%s → %s)"),
                                p->local_candidate, p->remote_candidate);
      if (g_str_equal (p->local_candidate, "relay") || g_str_equal (p->remote_candidate, "relay"))
        /* TRANSLATORS: the ICE candidate types follow, e.g. "relay → host" */
        return g_strdup_printf (_("Relayed through the server (%s → %s)"),
                                p->local_candidate, p->remote_candidate);
      return g_strdup_printf (_("Direct (%s → %s)"), p->local_candidate, p->remote_candidate);

    case FIELD_ADDRESSES:
      if (stats == NULL || stats->local_address == NULL || stats->remote_address == NULL)
        return g_strdup (_("Unknown"));
      return g_strdup_printf ("%s:%u → %s:%u", stats->local_address, stats->local_port,
                              stats->remote_address, stats->remote_port);

    case FIELD_RTT:
      if (stats == NULL || stats->rtt_ms < 0)
        return g_strdup (_("Unknown"));
      return g_strdup_printf (_("%.0f ms"), stats->rtt_ms);

    case FIELD_BITRATE:
      if (stats == NULL)
        return g_strdup (_("Unknown"));
      return g_strdup_printf (_("%.0f kbit/s in, %.0f kbit/s out"), stats->bitrate_in_kbps,
                              stats->bitrate_out_kbps);

    case FIELD_LOSS:
      {
        guint64 lost, expected;
        g_autofree char *lost_text = NULL;
        g_autofree char *expected_text = NULL;

        if (stats == NULL)
          return g_strdup (_("Unknown"));
        lost = (guint64) MAX (stats->packets_lost, 0);
        expected = stats->packets_received + lost;
        lost_text = g_strdup_printf ("%" G_GUINT64_FORMAT, lost);
        expected_text = g_strdup_printf ("%" G_GUINT64_FORMAT, expected);
        /* TRANSLATORS: packets lost, e.g. "3 of 1200 (0.3 %)" */
        return g_strdup_printf (_("%s of %s (%.1f %%)"), lost_text, expected_text,
                                expected > 0 ? 100.0 * lost / expected : 0.0);
      }

    case FIELD_VIDEO_SENT:
      return video_sent (p);

    case FIELD_VIDEO_RECEIVED:
      return video_received (p);

    case N_FIELDS:
    default:
      return g_strdup ("");
    }
}

char *
kibitz_connection_report (KibitzCall *call)
{
  GString *text = g_string_new (NULL);
  GPtrArray *participants;

  g_return_val_if_fail (KIBITZ_IS_CALL (call), NULL);

  g_string_append_printf (text, _("Kibitz %s, room “%s”, my id %s"), PACKAGE_VERSION,
                          kibitz_call_get_room (call),
                          kibitz_call_get_id (call) ? kibitz_call_get_id (call) : "-");
  g_string_append (text, "\n");
  participants = kibitz_call_get_participants (call);
  for (guint i = 0; i < participants->len; i++)
    {
      KibitzParticipant *p = g_ptr_array_index (participants, i);

      g_string_append_printf (text, "\n%s (%s)\n", p->name, p->id);
      for (Field f = 0; f < N_FIELDS; f++)
        {
          g_autofree char *value = field_value (p, f);

          g_string_append_printf (text, "  %s: %s\n", field_title (f), value);
        }
    }
  if (participants->len == 0)
    g_string_append_printf (text, "\n%s\n", _("Nobody else is in the class yet."));
  return g_string_free (text, FALSE);
}

static void
peer_rows_free (gpointer data)
{
  g_free (data);
}

static PeerRows *
ensure_rows (KibitzConnectionWindow *self,
             KibitzParticipant      *p)
{
  PeerRows *rows = g_hash_table_lookup (self->peers, p->id);

  if (rows != NULL)
    return rows;

  rows = g_new0 (PeerRows, 1);
  rows->group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  for (Field f = 0; f < N_FIELDS; f++)
    {
      rows->rows[f] = ADW_ACTION_ROW (adw_action_row_new ());
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (rows->rows[f]), field_title (f));
      gtk_widget_add_css_class (GTK_WIDGET (rows->rows[f]), "property");
      adw_preferences_group_add (rows->group, GTK_WIDGET (rows->rows[f]));
    }
  adw_preferences_page_add (self->page, rows->group);
  g_hash_table_insert (self->peers, g_strdup (p->id), rows);
  return rows;
}

static gboolean
refresh_cb (gpointer user_data)
{
  KibitzConnectionWindow *self = user_data;
  GPtrArray *participants = kibitz_call_get_participants (self->call);
  GHashTableIter iter;
  gpointer value;
  guint shown = 0;

  g_hash_table_iter_init (&iter, self->peers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    ((PeerRows *) value)->seen = FALSE;

  for (guint i = 0; i < participants->len; i++)
    {
      KibitzParticipant *p = g_ptr_array_index (participants, i);
      PeerRows *rows;

      if (p->left)
        continue;
      rows = ensure_rows (self, p);
      rows->seen = TRUE;
      shown++;
      adw_preferences_group_set_title (rows->group, p->name);
      for (Field f = 0; f < N_FIELDS; f++)
        {
          g_autofree char *text = field_value (p, f);

          adw_action_row_set_subtitle (rows->rows[f], text);
        }
    }

  g_hash_table_iter_init (&iter, self->peers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (!((PeerRows *) value)->seen)
      {
        adw_preferences_page_remove (self->page, ((PeerRows *) value)->group);
        g_hash_table_iter_remove (&iter);
      }

  gtk_stack_set_visible_child_name (self->stack, shown > 0 ? "peers" : "empty");
  return G_SOURCE_CONTINUE;
}

static void
copy_cb (KibitzConnectionWindow *self)
{
  g_autofree char *text = kibitz_connection_report (self->call);

  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), text);
  adw_toast_overlay_add_toast (self->toasts, adw_toast_new (_("Copied. Paste it into a message "
                                                              "to whoever helps you.")));
}

static void
kibitz_connection_window_dispose (GObject *object)
{
  KibitzConnectionWindow *self = KIBITZ_CONNECTION_WINDOW (object);

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  g_clear_object (&self->call);
  g_clear_pointer (&self->peers, g_hash_table_unref);

  G_OBJECT_CLASS (kibitz_connection_window_parent_class)->dispose (object);
}

static void
kibitz_connection_window_class_init (KibitzConnectionWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kibitz_connection_window_dispose;
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
kibitz_connection_window_init (KibitzConnectionWindow *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *copy = gtk_button_new ();
  GtkWidget *content = adw_button_content_new ();

  self->peers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, peer_rows_free);

  gtk_window_set_title (GTK_WINDOW (self), _("Connection Details"));
  gtk_window_set_default_size (GTK_WINDOW (self), 480, 560);
  gtk_window_set_modal (GTK_WINDOW (self), TRUE);
  gtk_window_set_destroy_with_parent (GTK_WINDOW (self), TRUE);

  adw_button_content_set_icon_name (ADW_BUTTON_CONTENT (content), "edit-copy-symbolic");
  adw_button_content_set_label (ADW_BUTTON_CONTENT (content), _("_Copy"));
  adw_button_content_set_use_underline (ADW_BUTTON_CONTENT (content), TRUE);
  gtk_button_set_child (GTK_BUTTON (copy), content);
  gtk_widget_set_tooltip_text (copy, _("Copy these details as text, for whoever helps you"));
  g_signal_connect_swapped (copy, "clicked", G_CALLBACK (copy_cb), self);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), copy);
  gtk_box_append (GTK_BOX (box), header);

  self->page = ADW_PREFERENCES_PAGE (adw_preferences_page_new ());
  self->empty = ADW_STATUS_PAGE (adw_status_page_new ());
  adw_status_page_set_icon_name (self->empty, "network-server-symbolic");
  adw_status_page_set_title (self->empty, _("Nobody Else Yet"));
  adw_status_page_set_description (self->empty, _("Details appear here when others join."));
  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->stack), TRUE);
  gtk_stack_add_named (self->stack, GTK_WIDGET (self->empty), "empty");
  gtk_stack_add_named (self->stack, GTK_WIDGET (self->page), "peers");
  self->toasts = ADW_TOAST_OVERLAY (adw_toast_overlay_new ());
  adw_toast_overlay_set_child (self->toasts, GTK_WIDGET (self->stack));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->toasts));

  adw_window_set_content (ADW_WINDOW (self), box);
}

GtkWindow *
kibitz_connection_window_new (KibitzCall *call)
{
  KibitzConnectionWindow *self;

  g_return_val_if_fail (KIBITZ_IS_CALL (call), NULL);

  self = g_object_new (KIBITZ_TYPE_CONNECTION_WINDOW, NULL);
  self->call = g_object_ref (call);
  refresh_cb (self);
  self->refresh_id = g_timeout_add (REFRESH_MS, refresh_cb, self);
  return GTK_WINDOW (self);
}
