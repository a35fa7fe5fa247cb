/* test-app.c: the desktop app in a real class, under Xvfb.
 *
 * A real kibitz-server and two kibitz-peer processes; the window joins their
 * room in this process, so the tiles and their paintables can be inspected.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <gst/gst.h>

#include "kibitz-resources.h"
#include "kibitz-test-server.h"
#include "kibitz-lobby-page.h"
#include "kibitz-window.h"

#define ROOM "app-test"
#define WAIT_SECONDS 60

static GSubprocess *
spawn_peer (KibitzTestServer *server,
            const char       *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = g_strdup_printf ("--server=http://%s", server->http);
  g_autofree char *name_arg = g_strdup_printf ("--name=%s", name);
  GSubprocess *process;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error,
                              g_getenv ("KIBITZ_PEER_BIN"), url, "--room=" ROOM, name_arg,
                              "--ice-address=127.0.0.1", "--width=320", "--height=240",
                              "--duration=40", NULL);
  g_assert_no_error (error);
  return process;
}

/* TRUE if some pixel of the texture is clearly not black. */
static gboolean
texture_has_light (GdkTexture *texture)
{
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  gsize stride = (gsize) width * 4;
  g_autofree guchar *data = g_malloc (stride * height);
  guint bright = 0;

  gdk_texture_download (texture, data, stride);
  for (gsize i = 0; i < stride * height; i += 4)
    if (data[i] > 48 || data[i + 1] > 48 || data[i + 2] > 48)
      bright++;

  return bright > (guint) (width * height / 10);
}

static gboolean
tile_shows_video (KibitzParticipantTile *tile)
{
  KibitzVideoPaintable *paintable;
  GdkTexture *texture;

  if (tile == NULL)
    return FALSE;
  paintable = kibitz_participant_tile_get_paintable (tile);
  texture = kibitz_video_paintable_get_texture (paintable);
  return kibitz_video_paintable_get_n_frames (paintable) >= 5 && texture != NULL &&
         texture_has_light (texture);
}

static gboolean
class_is_visible (KibitzCallPage *page)
{
  return kibitz_call_page_get_n_remote (page) == 2 &&
         tile_shows_video (kibitz_call_page_find_tile (page, "Ada")) &&
         tile_shows_video (kibitz_call_page_find_tile (page, "Bruno")) &&
         tile_shows_video (kibitz_call_page_get_self_tile (page));
}

static gboolean
spin_until (gboolean (*predicate) (KibitzCallPage *),
            KibitzCallPage *page,
            guint           seconds)
{
  gint64 deadline = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;

  while (!predicate (page))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
  return TRUE;
}

static void
close_window (KibitzWindow *window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  for (guint i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);
}

static void
test_two_peers (void)
{
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (NULL);
  g_autoptr(GSubprocess) ada = spawn_peer (server, "Ada");
  g_autoptr(GSubprocess) bruno = spawn_peer (server, "Bruno");
  g_autofree char *url = g_strdup_printf ("http://%s", server->http);
  KibitzWindow *window = kibitz_window_new (NULL);
  KibitzCallPage *page = kibitz_window_get_call_page (window);
  gboolean visible;

  gtk_window_present (GTK_WINDOW (window));
  kibitz_window_join (window, url, ROOM, "Teacher");

  visible = spin_until (class_is_visible, page, WAIT_SECONDS);
  g_test_message ("remote tiles: %u; Ada %s, Bruno %s, self %s", kibitz_call_page_get_n_remote (page),
                  tile_shows_video (kibitz_call_page_find_tile (page, "Ada")) ? "video" : "none",
                  tile_shows_video (kibitz_call_page_find_tile (page, "Bruno")) ? "video" : "none",
                  tile_shows_video (kibitz_call_page_get_self_tile (page)) ? "video" : "none");
  g_assert_true (visible);
  g_assert_cmpstr (kibitz_call_page_get_error (page), ==, NULL);

  close_window (window);
  g_subprocess_force_exit (ada);
  g_subprocess_force_exit (bruno);
  g_subprocess_wait (ada, NULL, NULL);
  g_subprocess_wait (bruno, NULL, NULL);
}

static const char *
visible_face (KibitzParticipantTile *tile)
{
  GtkStack *stack = GTK_STACK (gtk_widget_get_template_child (GTK_WIDGET (tile),
                                                              KIBITZ_TYPE_PARTICIPANT_TILE,
                                                              "stack"));

  return gtk_stack_get_visible_child_name (stack);
}

/* Before any decoded frame, and whenever the camera is off: initials. */
static void
test_tile_initials (void)
{
  GtkWidget *tile = g_object_ref_sink (kibitz_participant_tile_new ("p1", "Zofia Nowak"));
  KibitzParticipantTile *self = KIBITZ_PARTICIPANT_TILE (tile);
  GObject *avatar = gtk_widget_get_template_child (tile, KIBITZ_TYPE_PARTICIPANT_TILE, "avatar");
  GObject *label = gtk_widget_get_template_child (tile, KIBITZ_TYPE_PARTICIPANT_TILE,
                                                  "name_label");

  g_assert_cmpstr (visible_face (self), ==, "initials");
  g_assert_cmpstr (adw_avatar_get_text (ADW_AVATAR (avatar)), ==, "Zofia Nowak");
  g_assert_true (adw_avatar_get_show_initials (ADW_AVATAR (avatar)));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (label)), ==, "Zofia Nowak");
  kibitz_participant_tile_set_video_on (self, FALSE);
  g_assert_cmpstr (visible_face (self), ==, "initials");

  g_object_unref (tile);
}

static void
join_cb (GtkWidget  *lobby,
         const char *server,
         const char *room,
         const char *name,
         GStrv      *joined)
{
  *joined = g_strdupv ((GStrv) (const char * const []) { server, room, name, NULL });
}

static void
set_row (GtkWidget  *lobby,
         const char *row,
         const char *text)
{
  GObject *entry = gtk_widget_get_template_child (lobby, KIBITZ_TYPE_LOBBY_PAGE, row);

  gtk_editable_set_text (GTK_EDITABLE (entry), text);
}

static const char *
row_text (GtkWidget  *lobby,
          const char *row)
{
  GObject *entry = gtk_widget_get_template_child (lobby, KIBITZ_TYPE_LOBBY_PAGE, row);

  return gtk_editable_get_text (GTK_EDITABLE (entry));
}

/* Join asks with trimmed fields, only when all three are filled, and the
 * next lobby remembers them (GSettings, the memory backend in tests). */
static void
test_lobby_join (void)
{
  GtkWidget *lobby = g_object_ref_sink (g_object_new (KIBITZ_TYPE_LOBBY_PAGE, NULL));
  GtkWidget *again;
  g_auto(GStrv) joined = NULL;

  g_signal_connect (lobby, "join", G_CALLBACK (join_cb), &joined);
  g_assert_cmpstr (row_text (lobby, "server_row"), ==, "http://127.0.0.1:8080");

  set_row (lobby, "name_row", "  ");
  set_row (lobby, "room_row", "Maths 4B");
  gtk_widget_activate_action (lobby, "lobby.join", NULL);
  g_assert_null (joined);

  set_row (lobby, "name_row", " Zofia ");
  gtk_widget_activate_action (lobby, "lobby.join", NULL);
  g_assert_nonnull (joined);
  g_assert_cmpstr (joined[0], ==, "http://127.0.0.1:8080");
  g_assert_cmpstr (joined[1], ==, "Maths 4B");
  g_assert_cmpstr (joined[2], ==, "Zofia");
  g_object_unref (lobby);

  again = g_object_ref_sink (g_object_new (KIBITZ_TYPE_LOBBY_PAGE, NULL));
  g_assert_cmpstr (row_text (again, "room_row"), ==, "Maths 4B");
  g_object_unref (again);
}

static gboolean
has_error (KibitzCallPage *page)
{
  return kibitz_call_page_get_error (page) != NULL;
}

static void
test_unreachable_server (void)
{
  KibitzWindow *window = kibitz_window_new (NULL);
  KibitzCallPage *page = kibitz_window_get_call_page (window);

  gtk_window_present (GTK_WINDOW (window));
  /* Port 9 (discard) on loopback: nothing listens there. */
  kibitz_window_join (window, "http://127.0.0.1:9", ROOM, "Teacher");

  g_assert_true (spin_until (has_error, page, 20));
  g_test_message ("the engine said: %s", kibitz_call_page_get_error (page));
  g_assert_cmpstr (kibitz_call_page_get_error (page), !=, "");

  close_window (window);
}

int
main (int    argc,
      char **argv)
{
  int status;

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  gst_init (NULL, NULL);
  kibitz_register_resource ();

  g_test_add_func ("/app/tile/initials-until-video", test_tile_initials);
  g_test_add_func ("/app/lobby/join-and-remember", test_lobby_join);
  g_test_add_func ("/app/call/unreachable-server-shows-the-error", test_unreachable_server);
  g_test_add_func ("/app/call/two-peers-show-names-and-video", test_two_peers);

  status = g_test_run ();
  gst_deinit ();
  return status;
}
