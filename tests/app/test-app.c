/* test-app.c: the desktop app in a real class, under Xvfb.
 *
 * A real kibitz-server and two kibitz-peer processes; the window joins their
 * room in this process, so the tiles and their paintables can be inspected.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"
#include "kibitz-process.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <gst/gst.h>
#include <signal.h>
#include <string.h>

#include "kibitz-connection-window.h"
#include "kibitz-resources.h"
#include "kibitz-test-server.h"
#include "kibitz-test-app.h"
#include "kibitz-test-util.h"
#include "kibitz-board-view.h"
#include "kibitz-chess-position.h"
#include "kibitz-lobby-page.h"
#include "kibitz-video-paintable.h"
#include "kibitz-window.h"

#include "../common/kibitz-test-upstream.h"

#define ROOM "app-test"
#define WAIT_SECONDS 60

/* A kibitz-peer whose JSON event lines (docs/kibitz-peer.md) are collected
 * as they come. */
typedef struct {
  GSubprocess      *process;
  GDataInputStream *stdout_lines;
  GPtrArray        *events;     /* JsonObject */
  GCancellable     *cancellable;
} TestPeer;

static void
read_line_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  TestPeer *peer = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (source),
                                                                result, NULL, &error);
  g_autoptr(JsonParser) parser = NULL;

  if (line == NULL)
    return;   /* end of output, or cancelled: peer may be gone, touch nothing */

  parser = json_parser_new ();
  if (json_parser_load_from_data (parser, line, -1, NULL) &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    g_ptr_array_add (peer->events, json_object_ref (json_node_get_object (json_parser_get_root (parser))));

  g_data_input_stream_read_line_async (peer->stdout_lines, G_PRIORITY_DEFAULT, peer->cancellable,
                                       read_line_cb, peer);
}

static TestPeer *
spawn_peer (KibitzTestServer *server,
            const char       *name,
            const char       *extra)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = g_strdup_printf ("--server=http://%s", server->http);
  g_autofree char *name_arg = g_strdup_printf ("--name=%s", name);
  TestPeer *peer = g_new0 (TestPeer, 1);

  peer->process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDIN_PIPE,
                                    &error,
                                    g_getenv ("KIBITZ_PEER_BIN"), url, "--room=" ROOM, name_arg,
                                    "--ice-address=127.0.0.1", "--width=320", "--height=240",
                                    "--duration=50", extra, NULL);
  g_assert_no_error (error);
  peer->events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  peer->cancellable = g_cancellable_new ();
  peer->stdout_lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (peer->process));
  g_data_input_stream_read_line_async (peer->stdout_lines, G_PRIORITY_DEFAULT, peer->cancellable,
                                       read_line_cb, peer);
  return peer;
}

static JsonObject *
find_event (TestPeer   *peer,
            const char *event)
{
  for (guint i = 0; i < peer->events->len; i++)
    {
      JsonObject *e = g_ptr_array_index (peer->events, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (e, "event", NULL), event) == 0)
        return e;
    }
  return NULL;
}

/* SIGTERM, then its summary's entry for `name` (NULL if none came in 20 s). */
static JsonObject *
test_peer_finish (TestPeer   *peer,
                  const char *name)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  JsonObject *summary;
  JsonArray *peers;

  g_subprocess_send_signal (peer->process, SIGTERM);
  while (!(summary = find_event (peer, "summary")) && g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
  if (summary == NULL || !(peers = json_object_get_array_member (summary, "peers")))
    return NULL;
  for (guint i = 0; i < json_array_get_length (peers); i++)
    {
      JsonObject *entry = json_array_get_object_element (peers, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (entry, "name", NULL), name) == 0)
        return entry;
    }
  return NULL;
}

static void
test_peer_stop (TestPeer *peer)
{
  g_cancellable_cancel (peer->cancellable);
  g_subprocess_force_exit (peer->process);
  g_subprocess_wait (peer->process, NULL, NULL);
  /* Let the cancelled read report before its buffers go. */
  for (guint i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  g_object_unref (peer->stdout_lines);
  g_object_unref (peer->cancellable);
  g_object_unref (peer->process);
  g_ptr_array_unref (peer->events);
  g_free (peer);
}

/* TRUE once the peer printed an event of this kind from `name`, with the
 * boolean member (if any) at value, or with text (if any). */
static gboolean
peer_saw (TestPeer   *peer,
          const char *event,
          const char *name,
          const char *member,
          gboolean    value,
          const char *text)
{
  for (guint i = 0; i < peer->events->len; i++)
    {
      JsonObject *e = g_ptr_array_index (peer->events, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (e, "event", NULL), event) != 0 ||
          g_strcmp0 (json_object_get_string_member_with_default (e, "name", NULL), name) != 0)
        continue;
      if (member != NULL && json_object_get_boolean_member_with_default (e, member, !value) != value)
        continue;
      if (text != NULL &&
          g_strcmp0 (json_object_get_string_member_with_default (e, "text", NULL), text) != 0)
        continue;
      return TRUE;
    }
  return FALSE;
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
         kibitz_test_texture_has_light (texture);
}

static gboolean
spin_until (gboolean (*predicate) (KibitzCallPage *),
            KibitzCallPage *page,
            guint           seconds)
{
  return kibitz_test_spin_until ((gboolean (*) (gpointer)) predicate, page, seconds * 1000);
}

static void
close_window (KibitzWindow *window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  for (guint i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);
}

typedef struct {
  KibitzCallPage *page;
  TestPeer       *ada;
  TestPeer       *bruno;
} Class;

static gboolean
both_routes_known (Class *c)
{
  g_autofree char *report = kibitz_connection_report (kibitz_call_page_get_call (c->page));

  return strstr (report, "Not chosen yet") == NULL;
}

static gboolean
class_is_visible (Class *c)
{
  KibitzCallPage *page = c->page;

  return kibitz_call_page_get_n_remote (page) == 2 &&
         tile_shows_video (kibitz_call_page_find_tile (page, "Ada")) &&
         tile_shows_video (kibitz_call_page_find_tile (page, "Bruno")) &&
         tile_shows_video (kibitz_call_page_get_self_tile (page));
}

static gboolean
bruno_hand_is_shown (Class *c)
{
  KibitzParticipantTile *tile = kibitz_call_page_find_tile (c->page, "Bruno");

  return tile != NULL && (kibitz_participant_tile_get_badges (tile) & KIBITZ_TILE_BADGE_HAND);
}

static gboolean
ada_greeting_is_shown (Class *c)
{
  return strstr (kibitz_call_page_get_chat_log (c->page), "Ada: Hello from Ada\n") != NULL;
}

/* Both peers decoded a frame of the app's camera. */
static gboolean
others_saw_video (Class *c)
{
  return peer_saw (c->ada, "first-frame", "Teacher", NULL, FALSE, NULL) &&
         peer_saw (c->bruno, "first-frame", "Teacher", NULL, FALSE, NULL);
}

static gboolean
others_saw_camera_off (Class *c)
{
  return peer_saw (c->ada, "state", "Teacher", "video", FALSE, NULL) &&
         peer_saw (c->bruno, "state", "Teacher", "video", FALSE, NULL);
}

static gboolean
others_saw_mic_off (Class *c)
{
  return peer_saw (c->ada, "state", "Teacher", "audio", FALSE, NULL) &&
         peer_saw (c->bruno, "state", "Teacher", "audio", FALSE, NULL);
}

static gboolean
others_saw_mic_on (Class *c)
{
  /* The latest state line of each says audio is on again. */
  TestPeer *peers[] = { c->ada, c->bruno };

  for (guint n = 0; n < G_N_ELEMENTS (peers); n++)
    {
      gboolean on = FALSE;

      for (guint i = 0; i < peers[n]->events->len; i++)
        {
          JsonObject *e = g_ptr_array_index (peers[n]->events, i);

          if (g_strcmp0 (json_object_get_string_member_with_default (e, "event", NULL), "state") == 0 &&
              g_strcmp0 (json_object_get_string_member_with_default (e, "name", NULL), "Teacher") == 0)
            on = json_object_get_boolean_member_with_default (e, "audio", FALSE);
        }
      if (!on)
        return FALSE;
    }
  return TRUE;
}

static gboolean
others_got_chat (Class *c)
{
  return peer_saw (c->ada, "chat", "Teacher", NULL, FALSE, "Good morning, class!") &&
         peer_saw (c->bruno, "chat", "Teacher", NULL, FALSE, "Good morning, class!");
}

static gboolean
audio_plays (Class *c)
{
  return kibitz_call_page_get_audio_buffers_played (c->page) > 20;
}

/* With $KIBITZ_APP_TEST_SNAPSHOT set: the window as drawn, saved as PNG
 * (to look at states the screenshot script cannot reach, e.g. the chat). */
static void
maybe_snapshot (GtkWidget *window)
{
  const char *path = g_getenv ("KIBITZ_APP_TEST_SNAPSHOT");
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;

  if (path == NULL)
    return;
  for (guint i = 0; i < 200; i++)
    g_main_context_iteration (NULL, FALSE);
  paintable = gtk_widget_paintable_new (window);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, gtk_widget_get_width (window),
                          gtk_widget_get_height (window));
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  if (node == NULL)
    {
      /* Nothing recorded (it happens right after a tile moved between
       * parents): what the X server shows instead. */
      const char * const argv[] = { "import", "-window", "root", path, NULL };

      g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                    NULL, NULL);
      return;
    }
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node, NULL);
  gdk_texture_save_to_png (texture, path);
}

static gboolean
spin_until_class (gboolean (*predicate) (Class *),
                  Class   *c,
                  guint    seconds)
{
  return kibitz_test_spin_until ((gboolean (*) (gpointer)) predicate, c, seconds * 1000);
}

/* The whole class in one run (a server and two peers are slow to start):
 * video and names; a peer's raised hand and chat shown in the app; the
 * app's camera, microphone and chat seen by both peers. */
static void
test_class (void)
{
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (NULL);
  TestPeer *ada = spawn_peer (server, "Ada", "--say=Hello from Ada");
  TestPeer *bruno = spawn_peer (server, "Bruno", "--raise-hand");
  g_autofree char *url = g_strdup_printf ("http://%s", server->http);
  g_autofree char *report = NULL;
  KibitzWindow *window = kibitz_window_new (NULL);
  KibitzCallPage *page = kibitz_window_get_call_page (window);
  Class c = { page, ada, bruno };
  KibitzParticipantTile *self_tile;
  g_autofree char *audio_source = g_strdup (g_getenv ("KIBITZ_AUDIO_SOURCE"));
  JsonObject *seen;
  gboolean visible;

  gtk_window_present (GTK_WINDOW (window));
  /* A microphone stand-in that is not the "test" source gets echo cancellation. */
  g_setenv ("KIBITZ_AUDIO_SOURCE", "audiotestsrc is-live=true volume=0.2", TRUE);
  kibitz_window_join (window, url, ROOM, "Teacher");

  visible = spin_until_class (class_is_visible, &c, WAIT_SECONDS);
  g_test_message ("remote tiles: %u; Ada %s, Bruno %s, self %s", kibitz_call_page_get_n_remote (page),
                  tile_shows_video (kibitz_call_page_find_tile (page, "Ada")) ? "video" : "none",
                  tile_shows_video (kibitz_call_page_find_tile (page, "Bruno")) ? "video" : "none",
                  tile_shows_video (kibitz_call_page_get_self_tile (page)) ? "video" : "none");
  g_assert_true (visible);
  g_assert_cmpstr (kibitz_call_page_get_error (page), ==, NULL);

  /* Echo cancellation after the microphone, and the peers' audio
   * reaches the speakers through the echo probe. */
  g_assert_true (kibitz_media_source_has_echo_canceller (
      kibitz_call_get_media (kibitz_call_page_get_call (page))));
  g_assert_true (spin_until_class (audio_plays, &c, 20));

  /* What the peers announced shows in the app. */
  g_assert_true (spin_until_class (bruno_hand_is_shown, &c, 20));
  g_assert_false (kibitz_participant_tile_get_badges (kibitz_call_page_find_tile (page, "Ada")) &
                  KIBITZ_TILE_BADGE_HAND);
  g_assert_true (spin_until_class (ada_greeting_is_shown, &c, 20));

  /* Ctrl+E and Ctrl+D (their actions): the badges others see change. The
   * camera goes off once both peers have seen it (on a busy machine the
   * app's first frames can take seconds to encode: the camera turned off
   * before would leave them nothing to decode, seen once with two builds
   * running beside the test). */
  g_assert_true (spin_until_class (others_saw_video, &c, WAIT_SECONDS));
  gtk_widget_activate_action (GTK_WIDGET (page), "call.camera", NULL);
  g_assert_true (spin_until_class (others_saw_camera_off, &c, 20));
  gtk_widget_activate_action (GTK_WIDGET (page), "call.microphone", NULL);
  g_assert_true (spin_until_class (others_saw_mic_off, &c, 20));
  self_tile = kibitz_call_page_get_self_tile (page);
  g_assert_cmpint (kibitz_participant_tile_get_badges (self_tile) &
                   (KIBITZ_TILE_BADGE_MIC_OFF | KIBITZ_TILE_BADGE_CAMERA_OFF), ==,
                   KIBITZ_TILE_BADGE_MIC_OFF | KIBITZ_TILE_BADGE_CAMERA_OFF);
  gtk_widget_activate_action (GTK_WIDGET (page), "call.microphone", NULL);
  g_assert_true (spin_until_class (others_saw_mic_on, &c, 20));

  /* A chat message typed in the app reaches both peers. */
  gtk_widget_activate_action (GTK_WIDGET (page), "call.chat", NULL);
  gtk_editable_set_text (GTK_EDITABLE (gtk_widget_get_template_child (GTK_WIDGET (page),
                                                                      KIBITZ_TYPE_CALL_PAGE,
                                                                      "chat_entry")),
                         "  Good morning, class!  ");
  gtk_widget_activate_action (GTK_WIDGET (page), "call.send-chat", NULL);
  g_assert_true (spin_until_class (others_got_chat, &c, 20));
  maybe_snapshot (GTK_WIDGET (window));

  /* The connection details name both peers and a direct route on loopback
   * (once the first stats poll after connecting has read the pairs). The
   * remote end is `host`, or `prflx` when its check arrived before its
   * candidate did (a busy machine: seen with 2.6 s round trips); either
   * way direct, not relayed. */
  g_assert_true (spin_until_class (both_routes_known, &c, 10));
  report = kibitz_connection_report (kibitz_call_page_get_call (page));
  g_test_message ("%s", report);
  g_assert_nonnull (strstr (report, "Ada ("));
  g_assert_nonnull (strstr (report, "Bruno ("));
  g_assert_nonnull (strstr (report, "Direct (host → "));
  g_assert_null (strstr (report, "Relayed"));

  /* Both peers got the app's (echo-cancelled) audio and its video. */
  seen = test_peer_finish (ada, "Teacher");
  g_assert_nonnull (seen);
  g_test_message ("Ada got from the app: %" G_GINT64_FORMAT " audio packets, %" G_GINT64_FORMAT
                  " frames", json_object_get_int_member (seen, "audio_packets"),
                  json_object_get_int_member (seen, "frames_decoded"));
  g_assert_cmpint (json_object_get_int_member (seen, "audio_packets"), >, 0);
  g_assert_cmpint (json_object_get_int_member (seen, "frames_decoded"), >, 0);
  seen = test_peer_finish (bruno, "Teacher");
  g_assert_nonnull (seen);
  g_assert_cmpint (json_object_get_int_member (seen, "audio_packets"), >, 0);

  close_window (window);
  test_peer_stop (ada);
  test_peer_stop (bruno);
  if (audio_source != NULL)
    g_setenv ("KIBITZ_AUDIO_SOURCE", audio_source, TRUE);
  else
    g_unsetenv ("KIBITZ_AUDIO_SOURCE");
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
join_cb (GtkWidget         *lobby,
         KibitzJoinRequest *request,
         GStrv             *joined)
{
  *joined = g_strdupv ((GStrv) (const char * const []) { request->server_url, request->room,
                                                         request->name, NULL });
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
  AdwComboRow *camera;
  guint n_cameras;
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
  g_assert_null (kibitz_lobby_page_get_video_device (KIBITZ_LOBBY_PAGE (lobby)));
  g_object_unref (lobby);

  /* The room went to the recent rooms; "None" is the last camera and is kept. */
  again = g_object_ref_sink (g_object_new (KIBITZ_TYPE_LOBBY_PAGE, NULL));
  g_assert_cmpstr (row_text (again, "room_row"), ==, "Maths 4B");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (gtk_widget_get_template_child (
                   again, KIBITZ_TYPE_LOBBY_PAGE, "recent_group"))));
  camera = ADW_COMBO_ROW (gtk_widget_get_template_child (again, KIBITZ_TYPE_LOBBY_PAGE,
                                                         "camera_row"));
  n_cameras = g_list_model_get_n_items (adw_combo_row_get_model (camera));
  g_assert_cmpuint (n_cameras, >=, 2);
  adw_combo_row_set_selected (camera, n_cameras - 1);
  g_assert_cmpstr (kibitz_lobby_page_get_video_device (KIBITZ_LOBBY_PAGE (again)), ==, "none");
  g_object_unref (again);

  again = g_object_ref_sink (g_object_new (KIBITZ_TYPE_LOBBY_PAGE, NULL));
  g_assert_cmpstr (kibitz_lobby_page_get_video_device (KIBITZ_LOBBY_PAGE (again)), ==, "none");
  camera = ADW_COMBO_ROW (gtk_widget_get_template_child (again, KIBITZ_TYPE_LOBBY_PAGE,
                                                         "camera_row"));
  adw_combo_row_set_selected (camera, 0);
  g_object_unref (again);
}

static gboolean
preview_shows_video (KibitzCallPage *unused)
{
  GtkStack *stack = g_object_get_data (G_OBJECT (unused), "preview-stack");
  GtkPicture *picture = g_object_get_data (G_OBJECT (unused), "preview-picture");
  GdkPaintable *paintable = gtk_picture_get_paintable (picture);

  return g_strcmp0 (gtk_stack_get_visible_child_name (stack), "video") == 0 && paintable != NULL &&
         kibitz_video_paintable_get_n_frames (KIBITZ_VIDEO_PAINTABLE (paintable)) >= 3;
}

/* The lobby of a shown window previews $KIBITZ_VIDEO_SOURCE (videotestsrc). */
static void
test_lobby_preview (void)
{
  KibitzWindow *window = kibitz_window_new (NULL);
  KibitzCallPage *page = kibitz_window_get_call_page (window);
  GtkWidget *lobby;

  gtk_window_present (GTK_WINDOW (window));
  lobby = gtk_widget_get_first_child (gtk_widget_get_parent (GTK_WIDGET (page)));
  while (lobby != NULL && !KIBITZ_IS_LOBBY_PAGE (lobby))
    lobby = gtk_widget_get_next_sibling (lobby);
  g_assert_nonnull (lobby);
  g_object_set_data (G_OBJECT (page), "preview-stack",
                     gtk_widget_get_template_child (lobby, KIBITZ_TYPE_LOBBY_PAGE, "preview_stack"));
  g_object_set_data (G_OBJECT (page), "preview-picture",
                     gtk_widget_get_template_child (lobby, KIBITZ_TYPE_LOBBY_PAGE,
                                                    "preview_picture"));
  g_assert_true (spin_until (preview_shows_video, page, 20));

  close_window (window);
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

static gboolean
has_self_tile (KibitzCallPage *page)
{
  return kibitz_call_page_get_self_tile (page) != NULL || kibitz_call_page_get_error (page) != NULL;
}

/* A camera that cannot open: the app joins anyway without it, says so in a
 * toast, and the camera control is off and disabled. */
static void
test_missing_camera (void)
{
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (NULL);
  g_autofree char *url = g_strdup_printf ("http://%s", server->http);
  g_autofree char *video_source = g_strdup (g_getenv ("KIBITZ_VIDEO_SOURCE"));
  KibitzWindow *window = kibitz_window_new (NULL);
  KibitzCallPage *page = kibitz_window_get_call_page (window);
  gboolean camera = TRUE;

  gtk_window_present (GTK_WINDOW (window));
  g_setenv ("KIBITZ_VIDEO_SOURCE", "v4l2src device=/dev/kibitz-no-such-camera", TRUE);
  kibitz_window_join (window, url, ROOM, "Teacher");
  g_assert_true (spin_until (has_self_tile, page, 20));
  g_setenv ("KIBITZ_VIDEO_SOURCE", video_source, TRUE);

  g_assert_cmpstr (kibitz_call_page_get_error (page), ==, NULL);
  g_object_get (page, "camera-enabled", &camera, NULL);
  g_assert_false (camera);
  g_assert_true (kibitz_participant_tile_get_badges (kibitz_call_page_get_self_tile (page)) &
                 KIBITZ_TILE_BADGE_CAMERA_OFF);

  close_window (window);
}

typedef struct {
  KibitzCallPage  *page;
  KibitzBoardView *view;
  TestPeer        *ada;
} Board;

/* Ada's latest board event has @moves moves, the last of them @san. */
static gboolean
ada_saw (TestPeer   *ada,
         guint       moves,
         const char *san)
{
  for (guint i = ada->events->len; i > 0; i--)
    {
      JsonObject *e = g_ptr_array_index (ada->events, i - 1);
      JsonArray *played;

      if (g_strcmp0 (json_object_get_string_member_with_default (e, "event", NULL), "board") != 0)
        continue;
      played = json_object_get_array_member (e, "moves");
      return json_array_get_length (played) == moves &&
             (moves == 0 || g_strcmp0 (json_array_get_string_element (played, moves - 1), san) == 0);
    }
  return FALSE;
}

static gboolean
app_has_board (Board *b)
{
  KibitzCall *call = kibitz_call_page_get_call (b->page);

  return call != NULL && kibitz_call_get_board (call) != NULL && b->ada->events->len > 0;
}

/* The start position, in the app and in Ada's last board event. */
static gboolean
board_is_shown (Board *b)
{
  KibitzCall *call = kibitz_call_page_get_call (b->page);

  return call != NULL && ada_saw (b->ada, 0, NULL) &&
         g_str_has_prefix (kibitz_board_view_get_summary (b->view), "Start position");
}

static gboolean
ada_saw_nf6 (Board *b)
{
  return ada_saw (b->ada, 2, "Nf6");
}

#define D4_FEN "rnbqkb1r/pppppppp/5n2/8/3PP3/8/PPP2PPP/RNBQKBNR b KQkq d3 0 2"
#define ENDGAME_FEN "8/8/4k3/8/8/4K3/4P3/8 w - - 0 1"
#define MOVE_40_FEN "8/8/4k3/8/8/4K3/4P3/8 b - - 0 40"
#define FOOLS_MATE_FEN "rnbqkbnr/pppp1ppp/8/4p3/6P1/5P2/PPPPP2P/RNBQKBNR b KQkq - 0 2"

static gboolean
app_numbers_from_40 (Board *b)
{
  return g_str_has_prefix (kibitz_board_view_get_summary (b->view), "After 40... Kd6: White to move.");
}
#define SHAPES_COMMAND \
  "board shapes [{\"from\":\"f1\",\"to\":\"c4\",\"color\":\"green\"},{\"square\":\"f7\",\"color\":\"red\"}]\n"

static gboolean
app_draws_shapes (Board *b)
{
  return kibitz_board_view_get_n_shapes (b->view) == 2;
}

/* A real pointer drag (kibitz-test-app.c) from one square's centre to
 * another's. */
static void
drag_squares (Board          *b,
              guint           button,
              GdkModifierType modifiers,
              const char     *from,
              const char     *to)
{
  double x1, y1, x2, y2;

  g_assert_true (kibitz_board_view_get_square_point (b->view, from, &x1, &y1));
  g_assert_true (kibitz_board_view_get_square_point (b->view, to, &x2, &y2));
  g_assert_true (kibitz_test_pointer_drag (GTK_WIDGET (b->view), button, modifiers, x1, y1, x2, y2));
}

static gboolean
ada_saw_d4 (Board *b)
{
  return ada_saw (b->ada, 3, "d4");
}

/* Ada's last board event's shapes, as "from-to-color" or "square-color"
 * joined by spaces. */
static char *
ada_shapes (Board *b)
{
  for (guint i = b->ada->events->len; i > 0; i--)
    {
      JsonObject *e = g_ptr_array_index (b->ada->events, i - 1);
      JsonArray *shapes;
      GString *text;

      if (g_strcmp0 (json_object_get_string_member_with_default (e, "event", NULL), "board") != 0)
        continue;
      shapes = json_object_get_array_member (e, "shapes");
      text = g_string_new (NULL);
      for (guint j = 0; shapes != NULL && j < json_array_get_length (shapes); j++)
        {
          JsonObject *shape = json_array_get_object_element (shapes, j);

          if (json_object_has_member (shape, "square"))
            g_string_append_printf (text, "%s%s-%s", j ? " " : "",
                                    json_object_get_string_member (shape, "square"),
                                    json_object_get_string_member (shape, "color"));
          else
            g_string_append_printf (text, "%s%s%s-%s", j ? " " : "",
                                    json_object_get_string_member (shape, "from"),
                                    json_object_get_string_member (shape, "to"),
                                    json_object_get_string_member (shape, "color"));
        }
      return g_string_free (text, FALSE);
    }
  return g_strdup ("");
}

static const char *expected_shapes;

static gboolean
ada_saw_shapes (Board *b)
{
  g_autofree char *shapes = ada_shapes (b);

  return g_str_equal (shapes, expected_shapes);
}

static gboolean
app_says_mate (Board *b)
{
  return g_strcmp0 (kibitz_board_view_get_result_text (b->view), "Checkmate: Black wins (0-1)") == 0 &&
         ada_saw (b->ada, 1, "Qh4#");
}

static void
clipboard_text_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  char **text = user_data;

  g_free (*text);
  *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, NULL);
}

static gboolean
clipboard_has_d4_fen (Board *b)
{
  static char *text;
  gboolean found;

  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (GTK_WIDGET (b->view)), NULL,
                                 clipboard_text_cb, &text);
  kibitz_test_spin (50);
  found = g_strcmp0 (text, D4_FEN) == 0;
  if (found)
    g_clear_pointer (&text, g_free);
  return found;
}

/* Ada's last board event starts from @fen. */
static gboolean
ada_saw_start (Board      *b,
               const char *fen)
{
  for (guint i = b->ada->events->len; i > 0; i--)
    {
      JsonObject *e = g_ptr_array_index (b->ada->events, i - 1);

      if (g_strcmp0 (json_object_get_string_member_with_default (e, "event", NULL), "board") == 0)
        return g_strcmp0 (json_object_get_string_member_with_default (e, "start_fen", NULL), fen) == 0;
    }
  return FALSE;
}

static gboolean
ada_saw_endgame (Board *b)
{
  return ada_saw_start (b, ENDGAME_FEN);
}

static gboolean
ada_saw_fools_mate_start (Board *b)
{
  return ada_saw_start (b, FOOLS_MATE_FEN);
}

/* Ada's 1. e4 shows, and the board, now in use, opened by itself. */
static gboolean
app_shows_e4 (Board *b)
{
  GtkToggleButton *button = GTK_TOGGLE_BUTTON (gtk_widget_get_template_child (
      GTK_WIDGET (b->page), KIBITZ_TYPE_CALL_PAGE, "board_button"));

  return g_str_has_prefix (kibitz_board_view_get_summary (b->view), "After 1. e4: Black to move.") &&
         gtk_toggle_button_get_active (button) && gtk_widget_get_mapped (GTK_WIDGET (b->view));
}

/* The app's style sheet, which AdwApplication loads (there is none here):
 * snapshots show the page as people see it. For one test: remove it after. */
static GtkCssProvider *
add_app_style (void)
{
  GtkCssProvider *css = gtk_css_provider_new ();

  gtk_css_provider_load_from_resource (css, "/io/github/kibitz/Kibitz/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  return css;
}

static void
remove_app_style (GtkCssProvider *css)
{
  gtk_style_context_remove_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css));
  g_object_unref (css);
}

/* The shared board in the app (protocol.md §5), in an open room where
 * everyone may move: another participant's move shows, and the board, once
 * in use, opens by itself; a tap on a square that is no legal target plays
 * nothing; taps on g8 then f6 play 1... Nf6, and the other participant sees
 * it; a piece dragged with a real pointer is played (or put back); right
 * drags draw arrows and marks in lichess's colours for everyone; the
 * position goes to the clipboard as FEN, and a FEN pasted sets up a new
 * game for the class; a mate played is said over the board. */
static void
test_board (void)
{
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (NULL);
  g_autofree char *url = g_strdup_printf ("http://%s", server->http);
  TestPeer *ada = spawn_peer (server, "Ada", "--video=none");
  KibitzWindow *window = kibitz_window_new (NULL);
  KibitzCallPage *page = kibitz_window_get_call_page (window);
  Board b = { page, NULL, ada };
  GOutputStream *to_ada = g_subprocess_get_stdin_pipe (ada->process);
  GtkCssProvider *css = add_app_style ();

  b.view = KIBITZ_BOARD_VIEW (gtk_widget_get_template_child (GTK_WIDGET (page), KIBITZ_TYPE_CALL_PAGE,
                                                             "board_view"));
  gtk_window_present (GTK_WINDOW (window));
  kibitz_window_join (window, url, ROOM, "Teacher");
  /* The room's board outlives its members (in the state directory): Ada
   * sets up a new game first. */
  g_assert_true (kibitz_test_spin_until ((gboolean (*) (gpointer)) app_has_board, &b, 30000));
  g_assert_true (g_output_stream_write_all (to_ada, "fen " KIBITZ_CHESS_START_FEN "\n",
                                            strlen ("fen " KIBITZ_CHESS_START_FEN "\n"), NULL, NULL, NULL));
  g_assert_true (kibitz_test_spin_until ((gboolean (*) (gpointer)) board_is_shown, &b, 10000));
  g_test_message ("%s", kibitz_board_view_get_summary (b.view));
  g_assert_nonnull (strstr (kibitz_board_view_get_summary (b.view), "You may move."));

  g_assert_true (g_output_stream_write_all (to_ada, "move e4\n", 8, NULL, NULL, NULL));
  g_assert_true (kibitz_test_spin_until ((gboolean (*) (gpointer)) app_shows_e4, &b, 10000));
  kibitz_test_spin (500);   /* the board slides in */

  /* Not a legal target: nothing is played. */
  kibitz_board_view_activate_square (b.view, "e7");
  kibitz_board_view_activate_square (b.view, "e4");
  kibitz_test_spin (800);
  g_assert_true (g_str_has_prefix (kibitz_board_view_get_summary (b.view), "After 1. e4:"));

  kibitz_board_view_activate_square (b.view, "g8");
  kibitz_test_spin (400);
  kibitz_board_view_activate_square (b.view, "f6");
  g_assert_true (kibitz_test_spin_until ((gboolean (*) (gpointer)) ada_saw_nf6, &b, 10000));

  /* A piece dragged with the pointer to a square it cannot reach goes
   * back; dragged to a legal one, it is played: 2. d4. */
  drag_squares (&b, GDK_BUTTON_PRIMARY, 0, "d2", "d5");
  kibitz_test_spin (500);
  g_assert_true (ada_saw_nf6 (&b));
  drag_squares (&b, GDK_BUTTON_PRIMARY, 0, "d2", "d4");
  g_assert_true (kibitz_test_spin_until ((gboolean (*) (gpointer)) ada_saw_d4, &b, 10000));

  /* Ada's arrow and marked square are drawn over the board. */
  g_assert_true (g_output_stream_write_all (to_ada, SHAPES_COMMAND, strlen (SHAPES_COMMAND), NULL, NULL,
                                            NULL));
  g_assert_true (kibitz_test_spin_until ((gboolean (*) (gpointer)) app_draws_shapes, &b, 10000));

  /* Right drags draw for the class, lichess's way: an arrow (green), a
   * square marked with Shift held (red), the same arrow again takes it
   * away, and in another colour (Alt: blue) recolours it. */
  drag_squares (&b, GDK_BUTTON_SECONDARY, 0, "g1", "f3");
  expected_shapes = "f1c4-green f7-red g1f3-green";
  g_assert_true (kibitz_test_spin_until ((gboolean (*) (gpointer)) ada_saw_shapes, &b, 10000));
  drag_squares (&b, GDK_BUTTON_SECONDARY, GDK_SHIFT_MASK, "d5", "d5");
  expected_shapes = "f1c4-green f7-red g1f3-green d5-red";
  g_assert_true (kibitz_test_spin_until ((gboolean (*) (gpointer)) ada_saw_shapes, &b, 10000));
  maybe_snapshot (GTK_WIDGET (window));
  drag_squares (&b, GDK_BUTTON_SECONDARY, 0, "f1", "c4");
  expected_shapes = "f7-red g1f3-green d5-red";
  g_assert_true (kibitz_test_spin_until ((gboolean (*) (gpointer)) ada_saw_shapes, &b, 10000));
  drag_squares (&b, GDK_BUTTON_SECONDARY, GDK_ALT_MASK, "g1", "f3");
  expected_shapes = "f7-red g1f3-blue d5-red";
  g_assert_true (kibitz_test_spin_until ((gboolean (*) (gpointer)) ada_saw_shapes, &b, 10000));
  /* From the keyboard, on the focused square (a click focuses it): M marks
   * it, A there and A on another square draw an arrow (Ctrl: red). */
  drag_squares (&b, GDK_BUTTON_PRIMARY, 0, "e4", "e4");
  g_assert_true (kibitz_test_key (GTK_WIDGET (b.view), GDK_KEY_m, 0));
  expected_shapes = "f7-red g1f3-blue d5-red e4-green";
  g_assert_true (kibitz_test_spin_until ((gboolean (*) (gpointer)) ada_saw_shapes, &b, 10000));
  g_assert_true (kibitz_test_key (GTK_WIDGET (b.view), GDK_KEY_a, GDK_CONTROL_MASK));
  drag_squares (&b, GDK_BUTTON_PRIMARY, 0, "b1", "b1");
  g_assert_true (kibitz_test_key (GTK_WIDGET (b.view), GDK_KEY_a, 0));
  expected_shapes = "f7-red g1f3-blue d5-red e4-green e4b1-red";
  g_assert_true (kibitz_test_spin_until ((gboolean (*) (gpointer)) ada_saw_shapes, &b, 10000));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (b.view), "board.clear-shapes", NULL));
  expected_shapes = "";
  g_assert_true (kibitz_test_spin_until ((gboolean (*) (gpointer)) ada_saw_shapes, &b, 10000));

  /* Game > Copy Position puts the FEN shown on the clipboard; Paste Position
   * sets up a new game from the clipboard's, and Ada gets it. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (b.view), "board.copy-fen", NULL));
  g_assert_true (kibitz_test_spin_until ((gboolean (*) (gpointer)) clipboard_has_d4_fen, &b, 5000));
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (b.view)), "  " ENDGAME_FEN "\n");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (b.view), "board.paste-fen", NULL));
  g_assert_true (kibitz_test_spin_until ((gboolean (*) (gpointer)) ada_saw_endgame, &b, 10000));

  /* A game set up at move 40 with Black to move is numbered from there. */
  g_assert_true (g_output_stream_write_all (to_ada, "fen " MOVE_40_FEN "\nmove Kd6\n",
                                            strlen ("fen " MOVE_40_FEN "\nmove Kd6\n"), NULL, NULL,
                                            NULL));
  g_assert_true (kibitz_test_spin_until ((gboolean (*) (gpointer)) app_numbers_from_40, &b, 10000));

  /* The queen dragged to h4 mates, and the board says so. */
  g_assert_true (g_output_stream_write_all (to_ada, "fen " FOOLS_MATE_FEN "\n",
                                            strlen ("fen " FOOLS_MATE_FEN "\n"), NULL, NULL, NULL));
  g_assert_true (kibitz_test_spin_until ((gboolean (*) (gpointer)) ada_saw_fools_mate_start, &b, 10000));
  kibitz_test_spin (300);
  drag_squares (&b, GDK_BUTTON_PRIMARY, 0, "d8", "h4");
  g_assert_true (kibitz_test_spin_until ((gboolean (*) (gpointer)) app_says_mate, &b, 10000));
  g_assert_nonnull (strstr (kibitz_board_view_get_summary (b.view), "Checkmate: Black wins (0-1)."));
  maybe_snapshot (GTK_WIDGET (window));

  close_window (window);
  remove_app_style (css);
  test_peer_stop (ada);
}

/* A full room is said as such, with what to do. */
static void
test_room_full (void)
{
  const char *args[] = { "--max-room-size=1", NULL };
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (args);
  g_autofree char *url = g_strdup_printf ("http://%s", server->http);
  TestPeer *ada = spawn_peer (server, "Ada", "--video=none");
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  KibitzWindow *window = kibitz_window_new (NULL);
  KibitzCallPage *page = kibitz_window_get_call_page (window);
  GObject *status;

  while (find_event (ada, "joined") == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (find_event (ada, "joined"));

  gtk_window_present (GTK_WINDOW (window));
  kibitz_window_join (window, url, ROOM, "Teacher");
  g_assert_true (spin_until (has_error, page, 20));
  status = gtk_widget_get_template_child (GTK_WIDGET (page), KIBITZ_TYPE_CALL_PAGE, "status_page");
  g_test_message ("%s: %s", adw_status_page_get_title (ADW_STATUS_PAGE (status)),
                  kibitz_call_page_get_error (page));
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (status)), ==, "The Class Is Full");

  close_window (window);
  test_peer_stop (ada);
}

static gboolean
celina_is_relayed (KibitzCallPage *page)
{
  KibitzParticipantTile *tile = kibitz_call_page_find_tile (page, "Celina");

  return tile != NULL && (kibitz_participant_tile_get_badges (tile) & KIBITZ_TILE_BADGE_RELAYED);
}

/* A participant that can only use the server's TURN relay: its tile says
 * "Relayed", and so do the connection details. */
static void
test_relayed_badge (void)
{
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (NULL);
  g_autofree char *url = g_strdup_printf ("http://%s", server->http);
  g_autofree char *report = NULL;
  TestPeer *celina = spawn_peer (server, "Celina", "--relay-only");
  KibitzWindow *window = kibitz_window_new (NULL);
  KibitzCallPage *page = kibitz_window_get_call_page (window);

  gtk_window_present (GTK_WINDOW (window));
  kibitz_window_join (window, url, ROOM, "Teacher");
  g_assert_true (spin_until (celina_is_relayed, page, WAIT_SECONDS));

  report = kibitz_connection_report (kibitz_call_page_get_call (page));
  g_test_message ("%s", report);
  g_assert_nonnull (strstr (report, "Relayed through the server"));

  close_window (window);
  test_peer_stop (celina);
}

/* --- A camera that can be plugged in and out ----------------------------------------------
 * A device provider of the test's own, found by the lobby's GstDeviceMonitor
 * like any other (v4l2, PipeWire). Its camera makes a v4l2src for a device
 * node that does not exist: the list is what is tested, not the picture. */

#define TEST_CAMERA_NODE "/dev/kibitz-test-camera"
#define TEST_CAMERA_SPEC "v4l2src device=\"" TEST_CAMERA_NODE "\""

G_DECLARE_FINAL_TYPE (KibitzTestCamera, kibitz_test_camera, KIBITZ, TEST_CAMERA, GstDevice)
struct _KibitzTestCamera { GstDevice parent_instance; };
G_DEFINE_FINAL_TYPE (KibitzTestCamera, kibitz_test_camera, GST_TYPE_DEVICE)

static GstElement *
kibitz_test_camera_create_element (GstDevice  *device,
                                   const char *name)
{
  GstElement *element = gst_element_factory_make ("v4l2src", name);

  if (element != NULL)
    g_object_set (element, "device", TEST_CAMERA_NODE, NULL);
  return element;
}

static void
kibitz_test_camera_class_init (KibitzTestCameraClass *klass)
{
  GST_DEVICE_CLASS (klass)->create_element = kibitz_test_camera_create_element;
}

static void
kibitz_test_camera_init (KibitzTestCamera *self)
{
}

G_DECLARE_FINAL_TYPE (KibitzTestCameras, kibitz_test_cameras, KIBITZ, TEST_CAMERAS,
                      GstDeviceProvider)
struct _KibitzTestCameras { GstDeviceProvider parent_instance; };
G_DEFINE_FINAL_TYPE (KibitzTestCameras, kibitz_test_cameras, GST_TYPE_DEVICE_PROVIDER)

static gboolean
kibitz_test_cameras_start (GstDeviceProvider *provider)
{
  return TRUE;
}

static void
kibitz_test_cameras_class_init (KibitzTestCamerasClass *klass)
{
  GST_DEVICE_PROVIDER_CLASS (klass)->start = kibitz_test_cameras_start;
  gst_device_provider_class_set_static_metadata (GST_DEVICE_PROVIDER_CLASS (klass),
                                                 "Kibitz test cameras", "Video/Source",
                                                 "A camera the tests plug in and out",
                                                 "Kibitz");
}

static void
kibitz_test_cameras_init (KibitzTestCameras *self)
{
}

typedef struct {
  AdwComboRow *row;
  gboolean     want;
} CameraListed;

static gboolean
camera_listed (gpointer data)
{
  CameraListed *c = data;
  GListModel *model = adw_combo_row_get_model (c->row);
  gboolean listed = FALSE;

  for (guint i = 0; model != NULL && i < g_list_model_get_n_items (model); i++)
    listed |= g_strcmp0 (gtk_string_list_get_string (GTK_STRING_LIST (model), i),
                         "Kibitz Test Camera") == 0;
  return listed == c->want;
}

/* Plugged in while the lobby shows: listed; chosen, unplugged: gone and
 * Automatic; plugged in again: listed and chosen again (the saved choice). */
static void
test_lobby_hotplug (void)
{
  g_autoptr(GstDeviceProvider) provider = NULL;
  g_autoptr(GstCaps) caps = gst_caps_new_empty_simple ("video/x-raw");
  GstDevice *camera;
  KibitzWindow *window;
  GtkWidget *lobby;
  CameraListed listed;

  if (gst_element_factory_find ("v4l2src") == NULL)
    {
      g_test_skip ("v4l2src (gstreamer1.0-plugins-good) is missing");
      return;
    }
  g_assert_true (gst_device_provider_register (NULL, "kibitztestcameras", GST_RANK_PRIMARY,
                                               kibitz_test_cameras_get_type ()));
  provider = gst_device_provider_factory_get_by_name ("kibitztestcameras");
  g_assert_nonnull (provider);
  /* Ours; the provider takes a reference of its own while it is plugged in. */
  camera = gst_object_ref_sink (g_object_new (kibitz_test_camera_get_type (),
                                              "display-name", "Kibitz Test Camera",
                                              "device-class", "Video/Source", "caps", caps,
                                              NULL));

  window = kibitz_window_new (NULL);
  gtk_window_present (GTK_WINDOW (window));
  lobby = gtk_widget_get_first_child (gtk_widget_get_parent (GTK_WIDGET (kibitz_window_get_call_page (window))));
  while (lobby != NULL && !KIBITZ_IS_LOBBY_PAGE (lobby))
    lobby = gtk_widget_get_next_sibling (lobby);
  g_assert_nonnull (lobby);
  listed.row = ADW_COMBO_ROW (gtk_widget_get_template_child (lobby, KIBITZ_TYPE_LOBBY_PAGE,
                                                             "camera_row"));
  listed.want = FALSE;
  g_assert_true (kibitz_test_spin_until (camera_listed, &listed, 5000));

  gst_device_provider_device_add (provider, camera);
  listed.want = TRUE;
  g_assert_true (kibitz_test_spin_until (camera_listed, &listed, 10000));
  for (guint i = 0; ; i++)
    {
      GListModel *model = adw_combo_row_get_model (listed.row);

      g_assert_cmpuint (i, <, g_list_model_get_n_items (model));
      if (g_str_equal (gtk_string_list_get_string (GTK_STRING_LIST (model), i),
                       "Kibitz Test Camera"))
        {
          adw_combo_row_set_selected (listed.row, i);
          break;
        }
    }
  g_assert_cmpstr (kibitz_lobby_page_get_video_device (KIBITZ_LOBBY_PAGE (lobby)), ==,
                   TEST_CAMERA_SPEC);

  gst_device_provider_device_remove (provider, camera);
  listed.want = FALSE;
  g_assert_true (kibitz_test_spin_until (camera_listed, &listed, 10000));
  g_assert_null (kibitz_lobby_page_get_video_device (KIBITZ_LOBBY_PAGE (lobby)));

  gst_device_provider_device_add (provider, camera);
  listed.want = TRUE;
  g_assert_true (kibitz_test_spin_until (camera_listed, &listed, 10000));
  g_assert_cmpstr (kibitz_lobby_page_get_video_device (KIBITZ_LOBBY_PAGE (lobby)), ==,
                   TEST_CAMERA_SPEC);

  close_window (window);
  gst_device_provider_device_remove (provider, camera);
  gst_object_unref (camera);
}


/* Classes with a teacher (protocol.md §4): the app as the teacher, and as a
 * pupil, against a server in its default policy and kibitz-peers. */

#define CLASS_ROOM "app-class"

static TestPeer *
spawn_class_peer (KibitzTestServer   *server,
                  const char         *name,
                  const char * const *extra)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  TestPeer *peer = g_new0 (TestPeer, 1);

  g_ptr_array_add (argv, g_strdup (g_getenv ("KIBITZ_PEER_BIN")));
  g_ptr_array_add (argv, g_strdup_printf ("--server=http://%s", server->http));
  g_ptr_array_add (argv, g_strdup ("--room=" CLASS_ROOM));
  g_ptr_array_add (argv, g_strdup_printf ("--name=%s", name));
  g_ptr_array_add (argv, g_strdup ("--ice-address=127.0.0.1"));
  g_ptr_array_add (argv, g_strdup ("--width=320"));
  g_ptr_array_add (argv, g_strdup ("--height=240"));
  g_ptr_array_add (argv, g_strdup ("--duration=90"));
  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (extra[i]));
  g_ptr_array_add (argv, NULL);

  peer->process = g_subprocess_newv ((const char * const *) argv->pdata,
                                     G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                     G_SUBPROCESS_FLAGS_STDIN_PIPE, &error);
  g_assert_no_error (error);
  peer->events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  peer->cancellable = g_cancellable_new ();
  peer->stdout_lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (peer->process));
  g_data_input_stream_read_line_async (peer->stdout_lines, G_PRIORITY_DEFAULT, peer->cancellable,
                                       read_line_cb, peer);
  return peer;
}

static void
send_command (TestPeer   *peer,
              const char *command)
{
  g_autofree char *line = g_strconcat (command, "\n", NULL);

  g_assert_true (g_output_stream_write_all (g_subprocess_get_stdin_pipe (peer->process), line,
                                            strlen (line), NULL, NULL, NULL));
}

typedef struct {
  TestPeer   *peer;
  const char *event;
  const char *member;   /* NULL: any */
  const char *value;
} Seen;

static gboolean
peer_has_event (Seen *seen)
{
  for (guint i = 0; i < seen->peer->events->len; i++)
    {
      JsonObject *e = g_ptr_array_index (seen->peer->events, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (e, "event", NULL),
                     seen->event) != 0)
        continue;
      if (seen->member == NULL ||
          g_strcmp0 (json_object_get_string_member_with_default (e, seen->member, NULL),
                     seen->value) == 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
wait_event (TestPeer   *peer,
            const char *event,
            const char *member,
            const char *value,
            guint       seconds)
{
  Seen seen = { peer, event, member, value };

  return kibitz_test_spin_until ((gboolean (*) (gpointer)) peer_has_event, &seen, seconds * 1000);
}

/* Reaped (the child watch runs in the main loop). */
static gboolean
has_exited (TestPeer *peer)
{
  return g_subprocess_get_identifier (peer->process) == NULL;
}

static GObject *
page_child (KibitzCallPage *page,
            const char     *name)
{
  return gtk_widget_get_template_child (GTK_WIDGET (page), KIBITZ_TYPE_CALL_PAGE, name);
}

static const char *
page_shows (KibitzCallPage *page)
{
  return gtk_stack_get_visible_child_name (GTK_STACK (page_child (page, "stack")));
}

static const char *
status_title (KibitzCallPage *page)
{
  return adw_status_page_get_title (ADW_STATUS_PAGE (page_child (page, "status_page")));
}

/* The names in the teacher's waiting list, in order, comma-separated. */
static char *
waiting_names (KibitzCallPage *page)
{
  GString *names = g_string_new (NULL);

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (page_child (page, "waiting_list")));
       row != NULL; row = gtk_widget_get_next_sibling (row))
    if (ADW_IS_ACTION_ROW (row))
      g_string_append_printf (names, "%s%s", names->len ? "," : "",
                              adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)));
  return g_string_free (names, FALSE);
}

typedef struct {
  KibitzCallPage *page;
  const char     *want;
} Waiting;

static gboolean
waiting_list_is (Waiting *w)
{
  g_autofree char *names = waiting_names (w->page);

  return g_str_equal (names, w->want);
}

/* The row's id is its widget name; the action is what its button does. */
static const char *
waiting_id (KibitzCallPage *page,
            const char     *name)
{
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (page_child (page, "waiting_list")));
       row != NULL; row = gtk_widget_get_next_sibling (row))
    if (ADW_IS_ACTION_ROW (row) &&
        g_str_equal (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), name))
      return gtk_widget_get_name (row);
  return NULL;
}

static gboolean
ada_shows_video (KibitzCallPage *page)
{
  return tile_shows_video (kibitz_call_page_find_tile (page, "Ada"));
}

static gboolean
ada_hand_first (KibitzCallPage *page)
{
  KibitzParticipantTile *tile = kibitz_call_page_find_tile (page, "Ada");

  return tile != NULL && kibitz_participant_tile_get_hand_place (tile) == 1;
}

static gboolean
ada_hand_down (KibitzCallPage *page)
{
  KibitzParticipantTile *tile = kibitz_call_page_find_tile (page, "Ada");

  return tile != NULL && !(kibitz_participant_tile_get_badges (tile) & KIBITZ_TILE_BADGE_HAND);
}

static gboolean
ada_spotlit (KibitzCallPage *page)
{
  KibitzParticipantTile *tile = kibitz_call_page_find_tile (page, "Ada");

  return tile != NULL &&
         gtk_widget_get_parent (GTK_WIDGET (tile)) == GTK_WIDGET (page_child (page, "spotlight_box")) &&
         gtk_widget_get_visible (GTK_WIDGET (page_child (page, "spotlight_box")));
}

static gboolean
ada_gone (KibitzCallPage *page)
{
  return kibitz_call_page_find_tile (page, "Ada") == NULL;
}

static AdwMessageDialog *
find_dialog (void)
{
  g_autoptr(GList) windows = gtk_window_list_toplevels ();

  for (GList *l = windows; l != NULL; l = l->next)
    if (ADW_IS_MESSAGE_DIALOG (l->data) && gtk_widget_get_visible (l->data))
      return l->data;
  return NULL;
}

static void
answer_dialog (const char *response)
{
  AdwMessageDialog *dialog = NULL;

  for (guint i = 0; i < 500 && (dialog = find_dialog ()) == NULL; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_nonnull (dialog);
  g_test_message ("dialog: %s", adw_message_dialog_get_heading (dialog));
  adw_message_dialog_response (dialog, response);
  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* What Copy put on the clipboard (ours: read from its content provider,
 * without a round trip through the display server). */
static char *
clipboard_text (KibitzCallPage *page)
{
  GdkContentProvider *content = gdk_clipboard_get_content (gtk_widget_get_clipboard (GTK_WIDGET (page)));
  g_auto(GValue) value = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_STRING);
  if (content == NULL || !gdk_content_provider_get_value (content, &value, NULL))
    return NULL;
  return g_value_dup_string (&value);
}

static gboolean
clipboard_has_invite (KibitzCallPage *page)
{
  g_autofree char *text = clipboard_text (page);

  return text != NULL && strstr (text, "/j/") != NULL;
}

static gboolean
shows_error_page (KibitzCallPage *page)
{
  return g_strcmp0 (page_shows (page), "error") == 0;
}

static gboolean
menu_has_label (GMenuModel *menu,
                const char *label)
{
  for (int i = 0; menu != NULL && i < g_menu_model_get_n_items (menu); i++)
    {
      g_autofree char *text = NULL;
      g_autoptr(GMenuModel) section = g_menu_model_get_item_link (menu, i, G_MENU_LINK_SECTION);

      if (g_menu_model_get_item_attribute (menu, i, G_MENU_ATTRIBUTE_LABEL, "s", &text) &&
          g_str_equal (text, label))
        return TRUE;
      if (section != NULL && menu_has_label (section, label))
        return TRUE;
    }
  return FALSE;
}

static gboolean
ada_is_mover (KibitzCallPage *page)
{
  KibitzParticipantTile *tile = kibitz_call_page_find_tile (page, "Ada");

  return tile != NULL && (kibitz_participant_tile_get_badges (tile) & KIBITZ_TILE_BADGE_MOVER);
}

static gboolean
ada_is_not_mover (KibitzCallPage *page)
{
  return !ada_is_mover (page);
}

/* The class's board has Ada's 1. e4 (the state the app got from the
 * server, which every participant gets). */
static gboolean
app_board_has_a_move (KibitzCallPage *page)
{
  JsonObject *board = kibitz_call_get_board (kibitz_call_page_get_call (page));
  JsonArray *moves = board ? json_object_get_array_member (board, "moves") : NULL;

  return moves != NULL && json_array_get_length (moves) == 1 &&
         g_strcmp0 (json_array_get_string_element (moves, 0), "e4") == 0;
}

static gboolean
pupil_may_move (KibitzCallPage *page)
{
  KibitzBoardView *view = KIBITZ_BOARD_VIEW (page_child (page, "board_view"));
  KibitzParticipantTile *own = kibitz_call_page_get_self_tile (page);

  return strstr (kibitz_board_view_get_summary (view), "You may move.") != NULL && own != NULL &&
         (kibitz_participant_tile_get_badges (own) & KIBITZ_TILE_BADGE_MOVER);
}

/* Not a mover yet: the sentence under the board says why taps do nothing. */
static gboolean
pupil_told_teacher_chooses (KibitzCallPage *page)
{
  KibitzBoardView *view = KIBITZ_BOARD_VIEW (page_child (page, "board_view"));

  return strstr (kibitz_board_view_get_summary (view), "Your teacher chooses who moves.") != NULL;
}

static gboolean
ewa_saw_e4 (Board *b)
{
  return ada_saw (b->ada, 1, "e4");
}

static void
join_class (KibitzWindow *window,
            const char   *url,
            const char   *name,
            const char   *token)
{
  g_autoptr(KibitzJoinRequest) request = kibitz_join_request_new (url, CLASS_ROOM, name, NULL,
                                                                  NULL);

  request->teacher_token = g_strdup (token);
  gtk_window_present (GTK_WINDOW (window));
  /* As the window's join does (without its keyring lookup). */
  gtk_stack_set_visible_child_name (GTK_STACK (gtk_widget_get_template_child (
                                      GTK_WIDGET (window), KIBITZ_TYPE_WINDOW, "stack")), "call");
  kibitz_call_page_join (kibitz_window_get_call_page (window), request);
}

/* The app is the teacher: pupils knock and are listed; Deny turns one away,
 * Admit lets one in; hands in order; Lower hand, Mute, Students may unmute,
 * Spotlight, Copy invite link, Remove (confirmed), Lock, End class
 * (confirmed) each reach the pupils as the protocol says. */
static gboolean screen_shown  (KibitzCallPage *page);
static gboolean screen_hidden (KibitzCallPage *page);

static void
test_class_teacher (void)
{
  g_autofree char *dir = g_dir_make_tmp ("kibitz-app-class-XXXXXX", NULL);
  const char * const server_args[] = { "--state-dir", dir, "--room-policy", "teacher", NULL };
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (server_args);
  g_autofree char *url = g_strdup_printf ("http://%s", server->http);
  g_autofree char *token = kibitz_test_teacher_token ("Ewa", "--state-dir", dir, NULL);
  const char * const ada_args[] = { "--raise-hand", NULL };
  KibitzWindow *window = kibitz_window_new (NULL);
  KibitzCallPage *page = kibitz_window_get_call_page (window);
  TestPeer *ada, *bruno, *celina;
  Waiting both = { page, "Ada,Bruno" }, only_ada = { page, "Ada" }, nobody = { page, "" };
  g_autofree char *ada_id = NULL;
  g_autofree char *invite = NULL;
  JsonObject *state;

  join_class (window, url, "Ewa", token);
  while (kibitz_call_page_get_call (page) == NULL ||
         kibitz_call_get_role (kibitz_call_page_get_call (page)) == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (kibitz_call_get_role (kibitz_call_page_get_call (page)), ==, "teacher");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (page_child (page, "class_button"))));

  /* Two pupils knock, in this order. */
  ada = spawn_class_peer (server, "Ada", ada_args);
  g_assert_true (wait_event (ada, "waiting", NULL, NULL, 20));
  bruno = spawn_class_peer (server, "Bruno", NULL);
  g_assert_true (kibitz_test_spin_until ((gboolean (*) (gpointer)) waiting_list_is, &both, 20000));

  /* Deny Bruno: he hears it, and leaves the list. */
  gtk_widget_activate_action (GTK_WIDGET (page), "call.deny", "s", waiting_id (page, "Bruno"));
  g_assert_true (kibitz_test_spin_until ((gboolean (*) (gpointer)) has_exited, bruno, 20000));
  g_assert_cmpint (g_subprocess_get_exit_status (bruno->process), ==, 2);
  g_assert_true (kibitz_test_spin_until ((gboolean (*) (gpointer)) waiting_list_is, &only_ada, 20000));

  /* Admit Ada: her video, her hand first in the queue. */
  ada_id = g_strdup (waiting_id (page, "Ada"));
  gtk_widget_activate_action (GTK_WIDGET (page), "call.admit", "s", ada_id);
  g_assert_true (kibitz_test_spin_until ((gboolean (*) (gpointer)) waiting_list_is, &nobody, 20000));
  g_assert_true (spin_until (ada_shows_video, page, WAIT_SECONDS));
  g_assert_true (spin_until (ada_hand_first, page, 20));
  g_assert_nonnull (kibitz_participant_tile_get_menu (kibitz_call_page_find_tile (page, "Ada")));

  /* Her tile's menu: lower the hand, mute her. */
  gtk_widget_activate_action (GTK_WIDGET (page), "call.lower-hand", "s", ada_id);
  g_assert_true (spin_until (ada_hand_down, page, 20));
  gtk_widget_activate_action (GTK_WIDGET (page), "call.mute", "s", ada_id);
  g_assert_true (wait_event (ada, "muted", NULL, NULL, 20));

  /* Students may not unmute: Ada's peer hears the room's rule. */
  gtk_switch_set_active (GTK_SWITCH (page_child (page, "unmute_switch")), FALSE);
  g_assert_true (wait_event (ada, "room_state", NULL, NULL, 20));
  state = kibitz_call_get_room_state (kibitz_call_page_get_call (page));
  for (guint i = 0; i < 2000 && json_object_get_boolean_member_with_default (state,
                                                       "students_may_unmute", TRUE); i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
      state = kibitz_call_get_room_state (kibitz_call_page_get_call (page));
    }
  g_assert_false (json_object_get_boolean_member_with_default (state, "students_may_unmute",
                                                               TRUE));

  /* The board: Ada may not move until the teacher allows it from her
   * tile's menu (her tile then says so); stopped again, she is refused. */
  send_command (ada, "move e4");
  g_assert_true (wait_event (ada, "server-error", "code", "forbidden", 20));
  g_assert_true (menu_has_label (kibitz_participant_tile_get_menu (kibitz_call_page_find_tile (page, "Ada")),
                                 "Allow _Moves on the Board"));
  gtk_widget_activate_action (GTK_WIDGET (page), "call.board-mover", "s", ada_id);
  g_assert_true (spin_until (ada_is_mover, page, 20));
  g_assert_true (menu_has_label (kibitz_participant_tile_get_menu (kibitz_call_page_find_tile (page, "Ada")),
                                 "Stop _Moves on the Board"));
  send_command (ada, "move e4");
  g_assert_true (spin_until (app_board_has_a_move, page, 20));
  gtk_widget_activate_action (GTK_WIDGET (page), "call.board-mover", "s", ada_id);
  g_assert_true (spin_until (ada_is_not_mover, page, 20));
  g_ptr_array_set_size (ada->events, 0);
  send_command (ada, "move e5");
  g_assert_true (wait_event (ada, "server-error", "code", "forbidden", 20));

  /* Screen sharing: Ada may not share until the teacher allows it from her
   * tile's menu; then her screen is large on the teacher's page; the leave
   * taken back, it goes from the page at once. */
  send_command (ada, "share on");
  g_assert_true (wait_event (ada, "error", NULL, NULL, 20));
  g_assert_true (menu_has_label (kibitz_participant_tile_get_menu (kibitz_call_page_find_tile (page, "Ada")),
                                 "Allow _Screen Sharing"));
  gtk_widget_activate_action (GTK_WIDGET (page), "call.screen-sharer", "s", ada_id);
  g_assert_true (wait_event (ada, "room_state", NULL, NULL, 20));
  kibitz_test_spin (500);
  send_command (ada, "share on");
  g_assert_true (spin_until (screen_shown, page, 30));
  g_assert_true (menu_has_label (kibitz_participant_tile_get_menu (kibitz_call_page_find_tile (page, "Ada")),
                                 "Stop _Screen Sharing"));
  gtk_widget_activate_action (GTK_WIDGET (page), "call.screen-sharer", "s", ada_id);
  g_assert_true (spin_until (screen_hidden, page, 20));

  /* Spotlight: Ada large above the grid. */
  gtk_widget_activate_action (GTK_WIDGET (page), "call.spotlight", "s", ada_id);
  g_assert_true (spin_until (ada_spotlit, page, 20));
  g_assert_true (wait_event (ada, "room_state", "spotlight", ada_id, 20));
  maybe_snapshot (GTK_WIDGET (window));

  /* Copy invite link: a link to this class on the clipboard. */
  gtk_widget_activate_action (GTK_WIDGET (page), "call.copy-invite", NULL);
  g_assert_true (spin_until (clipboard_has_invite, page, 20));
  invite = clipboard_text (page);
  g_test_message ("invite link: %s", invite);

  /* Remove Ada (after the question): she is told, her tile goes. */
  gtk_widget_activate_action (GTK_WIDGET (page), "call.remove", "s", ada_id);
  answer_dialog ("remove");
  g_assert_true (wait_event (ada, "removed", NULL, NULL, 20));
  g_assert_true (spin_until (ada_gone, page, 20));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (page_child (page, "spotlight_box"))));

  /* Locked: even a pupil with the invite link is turned away. */
  gtk_switch_set_active (GTK_SWITCH (page_child (page, "lock_switch")), TRUE);
  {
    g_autofree char *invite_arg = g_strdup_printf ("--invite=%s", invite);
    const char * const celina_args[] = { invite_arg, NULL };

    /* The lock is in force once the room says so. */
    for (guint i = 0; i < 5000 && !json_object_get_boolean_member_with_default (
             kibitz_call_get_room_state (kibitz_call_page_get_call (page)), "locked", FALSE); i++)
      {
        g_main_context_iteration (NULL, FALSE);
        g_usleep (1000);
      }
    celina = spawn_class_peer (server, "Celina", celina_args);
    g_assert_true (kibitz_test_spin_until ((gboolean (*) (gpointer)) has_exited, celina, 20000));
    g_assert_cmpint (g_subprocess_get_exit_status (celina->process), ==, 2);
  }

  /* End class, confirmed: the teacher's own sentence. */
  gtk_widget_activate_action (GTK_WIDGET (page), "call.end-class", NULL);
  answer_dialog ("end");
  g_assert_true (spin_until (shows_error_page, page, 20));
  g_test_message ("%s", status_title (page));
  g_assert_cmpstr (status_title (page), ==, "You Ended the Class");

  close_window (window);
  test_peer_stop (ada);
  test_peer_stop (bruno);
  test_peer_stop (celina);
  kibitz_test_remove_tree (dir);
}

static gboolean
shows_waiting (KibitzCallPage *page)
{
  return g_strcmp0 (page_shows (page), "waiting") == 0;
}

static gboolean
teacher_video_shown (KibitzCallPage *page)
{
  return g_strcmp0 (page_shows (page), "call") == 0 &&
         tile_shows_video (kibitz_call_page_find_tile (page, "Ewa"));
}

static gboolean
may_not_unmute (KibitzCallPage *page)
{
  gboolean microphone = TRUE;

  g_object_get (page, "microphone-enabled", &microphone, NULL);
  return !microphone &&
         !gtk_widget_is_sensitive (GTK_WIDGET (page_child (page, "microphone_button")));
}

static gboolean
self_spotlit (KibitzCallPage *page)
{
  KibitzParticipantTile *tile = kibitz_call_page_get_self_tile (page);

  return tile != NULL &&
         gtk_widget_get_parent (GTK_WIDGET (tile)) == GTK_WIDGET (page_child (page, "spotlight_box"));
}

/* The app is a pupil: it waits (a page with Cancel), a teacher's denial and
 * lock are said in sentences, an admitted pupil sees the class, is muted and
 * cannot unmute while the teacher says so, sees itself in the spotlight,
 * and sees the end. */
static void
test_class_pupil (void)
{
  g_autofree char *dir = g_dir_make_tmp ("kibitz-app-pupil-XXXXXX", NULL);
  const char * const server_args[] = { "--state-dir", dir, "--room-policy", "teacher", NULL };
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (server_args);
  g_autofree char *url = g_strdup_printf ("http://%s", server->http);
  g_autofree char *token = kibitz_test_teacher_token ("Ewa", "--state-dir", dir, NULL);
  g_autofree char *token_arg = g_strdup_printf ("--teacher-token=%s", token);
  const char * const ewa_args[] = { token_arg, NULL };
  KibitzWindow *window = kibitz_window_new (NULL);
  KibitzCallPage *page = kibitz_window_get_call_page (window);
  TestPeer *ewa = spawn_class_peer (server, "Ewa", ewa_args);
  g_autofree char *command = NULL;
  const char *own_id;

  g_assert_true (wait_event (ewa, "joined", "role", "teacher", 20));

  /* Denied. */
  join_class (window, url, "Zosia", NULL);
  g_assert_true (spin_until (shows_waiting, page, 20));
  g_assert_true (wait_event (ewa, "knock", NULL, NULL, 20));
  for (guint i = 0; i < ewa->events->len; i++)
    {
      JsonObject *e = g_ptr_array_index (ewa->events, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (e, "event", NULL), "knock") == 0)
        command = g_strdup_printf ("deny %s", json_object_get_string_member (
                                     json_object_get_object_member (e, "peer"), "id"));
    }
  send_command (ewa, command);
  g_assert_true (spin_until (shows_error_page, page, 20));
  g_assert_cmpstr (status_title (page), ==, "Your Teacher Did Not Let You In");

  /* Locked. */
  send_command (ewa, "lock on");
  g_assert_true (wait_event (ewa, "room_state", NULL, NULL, 20));
  join_class (window, url, "Zosia", NULL);
  g_assert_true (spin_until (shows_error_page, page, 20));
  g_assert_cmpstr (status_title (page), ==, "The Class Is Locked");
  send_command (ewa, "lock off");

  /* Waits, Cancel works, waits again and is let in. */
  g_usleep (G_USEC_PER_SEC / 2);
  join_class (window, url, "Zosia", NULL);
  g_assert_true (spin_until (shows_waiting, page, 20));
  maybe_snapshot (GTK_WIDGET (window));
  gtk_widget_activate_action (GTK_WIDGET (page), "call.leave", NULL);
  g_assert_true (wait_event (ewa, "withdrawn", NULL, NULL, 20));
  join_class (window, url, "Zosia", NULL);
  g_assert_true (spin_until (shows_waiting, page, 20));
  send_command (ewa, "admit all");
  g_assert_true (spin_until (teacher_video_shown, page, WAIT_SECONDS));
  g_assert_cmpstr (kibitz_call_get_role (kibitz_call_page_get_call (page)), ==, "student");

  /* Muted, and students may not unmute: the microphone stays off. */
  send_command (ewa, "room unmute off");
  send_command (ewa, "mute all");
  g_assert_true (spin_until (may_not_unmute, page, 20));
  gtk_widget_activate_action (GTK_WIDGET (page), "call.microphone", NULL);
  g_assert_true (may_not_unmute (page));

  /* The teacher lets the pupil move on the board: the board says so, the
   * pupil's own tile has the badge, and a piece dragged reaches the
   * teacher. */
  own_id = kibitz_call_get_id (kibitz_call_page_get_call (page));
  g_free (command);
  g_assert_true (spin_until (pupil_told_teacher_chooses, page, 20));
  command = g_strdup_printf ("board movers %s", own_id);
  send_command (ewa, command);
  g_assert_true (spin_until (pupil_may_move, page, 20));
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (page_child (page, "board_button")), TRUE);
  kibitz_test_spin (600);   /* the board slides in */
  {
    Board b = { page, KIBITZ_BOARD_VIEW (page_child (page, "board_view")), ewa };

    drag_squares (&b, GDK_BUTTON_PRIMARY, 0, "e2", "e4");
    g_assert_true (kibitz_test_spin_until ((gboolean (*) (gpointer)) ewa_saw_e4, &b, 20000));
  }

  /* The teacher puts the pupil in the spotlight. */
  g_free (command);
  command = g_strdup_printf ("room spotlight %s", own_id);
  send_command (ewa, command);
  g_assert_true (spin_until (self_spotlit, page, 20));

  /* The end. */
  send_command (ewa, "end");
  g_assert_true (spin_until (shows_error_page, page, 20));
  g_assert_cmpstr (status_title (page), ==, "The Class Has Ended");

  close_window (window);
  test_peer_stop (ewa);
  kibitz_test_remove_tree (dir);
}

/* --- Screen sharing --------------------------------------------------------------------- */

static gboolean
screen_shown (KibitzCallPage *page)
{
  GdkPaintable *paintable = gtk_picture_get_paintable (GTK_PICTURE (page_child (page, "screen_picture")));

  return gtk_widget_get_visible (GTK_WIDGET (page_child (page, "screen_box"))) &&
         paintable != NULL && KIBITZ_IS_VIDEO_PAINTABLE (paintable) &&
         kibitz_video_paintable_get_n_frames (KIBITZ_VIDEO_PAINTABLE (paintable)) > 5;
}

static gboolean
screen_hidden (KibitzCallPage *page)
{
  return !gtk_widget_get_visible (GTK_WIDGET (page_child (page, "screen_box")));
}

static gboolean
app_shares (KibitzCallPage *page)
{
  KibitzCall *call = kibitz_call_page_get_call (page);

  return call != NULL && kibitz_call_get_screen_shared (call) &&
         gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (page_child (page, "share_button")));
}

static gboolean
app_does_not_share (KibitzCallPage *page)
{
  KibitzCall *call = kibitz_call_page_get_call (page);

  return call != NULL && !kibitz_call_get_screen_shared (call) &&
         !gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (page_child (page, "share_button")));
}

typedef struct {
  TestPeer   *peer;
  const char *name;
  gboolean    sharing;
} ShareSeen;

static gboolean
peer_saw_share (ShareSeen *seen)
{
  for (guint i = 0; i < seen->peer->events->len; i++)
    {
      JsonObject *e = g_ptr_array_index (seen->peer->events, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (e, "event", NULL), "share") == 0 &&
          g_strcmp0 (json_object_get_string_member_with_default (e, "name", NULL), seen->name) == 0 &&
          json_object_get_boolean_member_with_default (e, "sharing", !seen->sharing) == seen->sharing)
        return TRUE;
    }
  return FALSE;
}

/* A kibitz-peer shares a test screen: the app shows it large above the
 * class, with the sharer's name. The app shares its own with Ctrl+Shift+S
 * (a real key press; $KIBITZ_SCREEN_SOURCE=test stands in for the portal,
 * which this machine cannot run: docs/screen-sharing.md) and the peer
 * decodes it; pressed again, the share stops for the peer too. When the
 * peer stops, its screen leaves the app's page. No link is renegotiated. */
static void
test_screen_share (void)
{
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (NULL);
  g_autofree char *url = g_strdup_printf ("http://%s", server->http);
  TestPeer *ada = spawn_peer (server, "Ada", "--screen=test");
  KibitzWindow *window = kibitz_window_new (NULL);
  KibitzCallPage *page = kibitz_window_get_call_page (window);
  ShareSeen mia_on = { ada, "Mia", TRUE }, mia_off = { ada, "Mia", FALSE };
  GtkCssProvider *css = add_app_style ();
  const char *caption;
  JsonObject *seen;

  g_setenv ("KIBITZ_SCREEN_SOURCE", "test", TRUE);
  gtk_window_present (GTK_WINDOW (window));
  kibitz_window_join (window, url, ROOM, "Mia");

  g_assert_true (spin_until (screen_shown, page, WAIT_SECONDS));
  caption = gtk_label_get_label (GTK_LABEL (page_child (page, "screen_caption")));
  g_test_message ("%s", caption);
  g_assert_cmpstr (caption, ==, "Ada is sharing their screen");
  kibitz_test_spin (1000);
  maybe_snapshot (GTK_WIDGET (window));

  /* Ctrl+Shift+S shares; Ada decodes the app's screen. */
  g_assert_true (kibitz_test_key (GTK_WIDGET (page), GDK_KEY_s, GDK_CONTROL_MASK | GDK_SHIFT_MASK));
  g_assert_true (spin_until (app_shares, page, 20));
  g_assert_true (kibitz_test_spin_until ((gboolean (*) (gpointer)) peer_saw_share, &mia_on, 20000));
  g_assert_true (wait_event (ada, "first-screen-frame", "name", "Mia", 30));

  /* Pressed again: stopped, for Ada too. */
  g_assert_true (kibitz_test_key (GTK_WIDGET (page), GDK_KEY_s, GDK_CONTROL_MASK | GDK_SHIFT_MASK));
  g_assert_true (spin_until (app_does_not_share, page, 20));
  g_assert_true (kibitz_test_spin_until ((gboolean (*) (gpointer)) peer_saw_share, &mia_off, 20000));

  /* Without the stand-in the app asks the desktop's portal, which this
   * machine has none of: the share does not start, the toast says why
   * (the log has it too), and the call goes on. */
  g_unsetenv ("KIBITZ_SCREEN_SOURCE");
  gtk_widget_activate_action (GTK_WIDGET (page), "call.share-screen", NULL);
  kibitz_test_spin (3000);
  g_assert_true (app_does_not_share (page));

  /* Ada stops: her screen leaves the page. */
  send_command (ada, "share off");
  g_assert_true (spin_until (screen_hidden, page, 20));

  seen = test_peer_finish (ada, "Mia");
  g_assert_nonnull (seen);
  g_test_message ("Ada decoded %" G_GINT64_FORMAT " frames of the app's screen, rebuilt %"
                  G_GINT64_FORMAT " times", json_object_get_int_member (seen, "screen_frames_decoded"),
                  json_object_get_int_member (seen, "rebuilds"));
  g_assert_cmpint (json_object_get_int_member (seen, "screen_frames_decoded"), >, 0);
  g_assert_cmpint (json_object_get_int_member (seen, "rebuilds"), ==, 0);

  close_window (window);
  remove_app_style (css);
  test_peer_stop (ada);
}

int
main (int    argc,
      char **argv)
{
  int status;

  gtk_test_init (&argc, &argv, NULL);
  kibitz_test_tolerate_upstream_critical ();
  adw_init ();
  kibitz_process_init ();
  gst_init (NULL, NULL);
  kibitz_register_resource ();

  g_test_add_func ("/app/tile/initials-until-video", test_tile_initials);
  g_test_add_func ("/app/lobby/join-and-remember", test_lobby_join);
  g_test_add_func ("/app/lobby/preview", test_lobby_preview);
  g_test_add_func ("/app/lobby/camera-plugged-in-and-out", test_lobby_hotplug);
  g_test_add_func ("/app/call/missing-camera-joins-without-it", test_missing_camera);
  g_test_add_func ("/app/call/room-full-says-so", test_room_full);
  g_test_add_func ("/app/call/shared-board", test_board);
  g_test_add_func ("/app/call/screen-share", test_screen_share);
  g_test_add_func ("/app/call/relayed-link-has-a-badge", test_relayed_badge);
  g_test_add_func ("/app/call/unreachable-server-shows-the-error", test_unreachable_server);
  g_test_add_func ("/app/call/class-video-badges-and-chat", test_class);
  g_test_add_func ("/app/class/teacher", test_class_teacher);
  g_test_add_func ("/app/class/pupil", test_class_pupil);

  status = g_test_run ();
  kibitz_peer_finish_dtls ();
  gst_deinit ();
  return status;
}
