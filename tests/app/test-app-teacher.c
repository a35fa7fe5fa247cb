/* test-app-teacher.c: the app's side of classes with a teacher, under Xvfb:
 * the teacher key in a real keyring (gnome-keyring-daemon on a private
 * session bus, kibitz-test-keyring.c), Preferences, joining with the key,
 * and kibitz: links, against a real kibitz-server in its default `teacher`
 * policy and kibitz-peer participants.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"
#include "kibitz-process.h"

#include <adwaita.h>
#include <gst/gst.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "kibitz-application.h"
#include "kibitz-join-link.h"
#include "kibitz-lobby-page.h"
#include "kibitz-preferences-window.h"
#include "kibitz-resources.h"
#include "kibitz-teacher-key.h"
#include "kibitz-test-keyring.h"
#include "kibitz-test-app.h"
#include "kibitz-test-util.h"
#include "kibitz-test-server.h"
#include "kibitz-window.h"

#include "../common/kibitz-test-upstream.h"

#define SECRET "app-teacher-secret"
#define WAIT_SECONDS 60

static KibitzTestKeyring *keyring;
static char *no_keyring;   /* why there is none: every test skips */

static gboolean
skip_without_keyring (void)
{
  if (keyring == NULL)
    g_test_skip (no_keyring);
  return keyring == NULL;
}

/* --- The keyring, as the app uses it ------------------------------------------------------- */

typedef struct {
  gboolean  done;
  char     *key;
  GError   *error;
} KeyResult;

static void
key_result_clear (KeyResult *r)
{
  g_clear_pointer (&r->key, g_free);
  g_clear_error (&r->error);
  r->done = FALSE;
}

static gboolean
key_result_done (gpointer data)
{
  return ((KeyResult *) data)->done;
}

static void
looked_up_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  KeyResult *r = user_data;

  r->key = kibitz_teacher_key_lookup_finish (result, &r->error);
  r->done = TRUE;
}

static void
stored_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  KeyResult *r = user_data;

  kibitz_teacher_key_store_finish (result, &r->error);
  r->done = TRUE;
}

static void
forgotten_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  KeyResult *r = user_data;

  kibitz_teacher_key_forget_finish (result, &r->error);
  r->done = TRUE;
}

/* A fresh lookup, as a join does: the key, or NULL; error set if the keyring failed. */
static char *
lookup_key (const char  *server,
            GError     **error)
{
  KeyResult r = { 0 };

  kibitz_teacher_key_lookup_async (server, NULL, looked_up_cb, &r);
  g_assert_true (kibitz_test_spin_until (key_result_done, &r, 20000));
  if (r.error != NULL)
    g_propagate_error (error, g_steal_pointer (&r.error));
  return g_steal_pointer (&r.key);
}

static void
store_key (const char *server,
           const char *key)
{
  KeyResult r = { 0 };

  kibitz_teacher_key_store_async (server, key, NULL, stored_cb, &r);
  g_assert_true (kibitz_test_spin_until (key_result_done, &r, 20000));
  g_assert_no_error (r.error);
}

static void
forget_key (const char *server)
{
  KeyResult r = { 0 };

  kibitz_teacher_key_forget_async (server, NULL, forgotten_cb, &r);
  g_assert_true (kibitz_test_spin_until (key_result_done, &r, 20000));
  g_assert_no_error (r.error);
  key_result_clear (&r);
}

static KibitzTestServer *
start_class_server (void)
{
  const char * const args[] = { "--room-policy", "teacher", "--secret", SECRET, NULL };

  return kibitz_test_server_start (args);
}

/* --- kibitz-peer participants whose events are read as they come --------------------------- */

typedef struct {
  GSubprocess      *process;
  GDataInputStream *lines;
  GPtrArray        *events;   /* JsonObject */
  GCancellable     *cancellable;
} Peer;

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static void
read_line_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Peer *peer = user_data;
  g_autofree char *line = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (source),
                                                                result, NULL, NULL);
  g_autoptr(JsonParser) parser = NULL;

  if (line == NULL)
    return;   /* end of output, or cancelled: peer may be gone, touch nothing */

  parser = json_parser_new ();
  if (json_parser_load_from_data (parser, line, -1, NULL) &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    g_ptr_array_add (peer->events,
                     json_object_ref (json_node_get_object (json_parser_get_root (parser))));
  g_data_input_stream_read_line_async (peer->lines, G_PRIORITY_DEFAULT, peer->cancellable,
                                       read_line_cb, peer);
}

static Peer *
peer_spawn (KibitzTestServer *server,
            const char       *room,
            const char       *name,
            const char       *teacher_key)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = g_strdup_printf ("--server=http://%s", server->http);
  g_autofree char *room_arg = g_strdup_printf ("--room=%s", room);
  g_autofree char *name_arg = g_strdup_printf ("--name=%s", name);
  g_autofree char *key_arg = teacher_key ? g_strdup_printf ("--teacher-token=%s", teacher_key)
                                         : NULL;
  Peer *peer = g_new0 (Peer, 1);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  peer->process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("KIBITZ_PEER_BIN"),
                                               url, room_arg, name_arg, "--ice-address=127.0.0.1",
                                               "--width=320", "--height=240", "--duration=150",
                                               key_arg, NULL);
  g_assert_no_error (error);
  peer->events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  peer->cancellable = g_cancellable_new ();
  peer->lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (peer->process));
  g_data_input_stream_read_line_async (peer->lines, G_PRIORITY_DEFAULT, peer->cancellable,
                                       read_line_cb, peer);
  return peer;
}

static void
peer_send (Peer       *peer,
           const char *command)
{
  g_autofree char *line = g_strdup_printf ("%s\n", command);
  g_autoptr(GError) error = NULL;

  g_test_message ("to the peer: %s", command);
  g_output_stream_write_all (g_subprocess_get_stdin_pipe (peer->process), line, strlen (line),
                             NULL, NULL, &error);
  g_assert_no_error (error);
}

/* The first event of this kind, or NULL. */
static JsonObject *
peer_event (Peer       *peer,
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

/* How many knocks the peer (a teacher) heard from someone called name. */
static guint
peer_knocks_from (Peer       *peer,
                  const char *name)
{
  guint n = 0;

  for (guint i = 0; i < peer->events->len; i++)
    {
      JsonObject *e = g_ptr_array_index (peer->events, i);
      JsonObject *who;

      if (g_strcmp0 (json_object_get_string_member_with_default (e, "event", NULL), "knock") == 0 &&
          (who = json_object_get_object_member (e, "peer")) != NULL &&
          g_strcmp0 (json_object_get_string_member_with_default (who, "name", NULL), name) == 0)
        n++;
    }
  return n;
}

typedef struct {
  Peer       *peer;
  const char *event;
} PeerWait;

static gboolean
peer_has_event (gpointer data)
{
  PeerWait *w = data;

  return peer_event (w->peer, w->event) != NULL;
}

static JsonObject *
peer_wait (Peer       *peer,
           const char *event,
           guint       seconds)
{
  PeerWait w = { peer, event };

  kibitz_test_spin_until (peer_has_event, &w, seconds * 1000);
  return peer_event (peer, event);
}

static void
peer_stop (Peer *peer)
{
  g_cancellable_cancel (peer->cancellable);
  g_subprocess_send_signal (peer->process, SIGTERM);
  g_subprocess_wait (peer->process, NULL, NULL);
  /* Let the cancelled read report before its buffers go. */
  kibitz_test_spin (50);
  g_object_unref (peer->lines);
  g_object_unref (peer->cancellable);
  g_object_unref (peer->process);
  g_ptr_array_unref (peer->events);
  g_free (peer);
}

/* --- The window ---------------------------------------------------------------------------- */

static GtkWidget *
lobby_of (KibitzWindow *window)
{
  GtkWidget *lobby = gtk_widget_get_first_child (
                       gtk_widget_get_parent (GTK_WIDGET (kibitz_window_get_call_page (window))));

  while (lobby != NULL && !KIBITZ_IS_LOBBY_PAGE (lobby))
    lobby = gtk_widget_get_next_sibling (lobby);
  g_assert_nonnull (lobby);
  return lobby;
}

static GtkWidget *
child (GtkWidget  *widget,
       GType       type,
       const char *name)
{
  GObject *found = gtk_widget_get_template_child (widget, type, name);

  g_assert_nonnull (found);
  return GTK_WIDGET (found);
}

static GtkWidget *
lobby_child (KibitzWindow *window,
             const char   *name)
{
  return child (lobby_of (window), KIBITZ_TYPE_LOBBY_PAGE, name);
}

static const char *
text_of (GtkWidget *editable)
{
  return gtk_editable_get_text (GTK_EDITABLE (editable));
}

static void
close_window (gpointer window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  kibitz_test_spin (100);
}

static KibitzWindow *
new_window (void)
{
  KibitzWindow *window = kibitz_window_new (NULL);

  gtk_window_present (GTK_WINDOW (window));
  kibitz_test_spin (100);
  return window;
}

static KibitzCall *
call_of (KibitzWindow *window)
{
  return kibitz_call_page_get_call (kibitz_window_get_call_page (window));
}

typedef struct {
  KibitzWindow *window;
  const char   *role;
} RoleWait;

static gboolean
has_role (gpointer data)
{
  RoleWait *w = data;
  KibitzCall *call = call_of (w->window);

  return call != NULL && g_strcmp0 (kibitz_call_get_role (call), w->role) == 0;
}

static gboolean
joined_as (KibitzWindow *window,
           const char   *role,
           guint         seconds)
{
  RoleWait w = { window, role };
  gboolean joined = kibitz_test_spin_until (has_role, &w, seconds * 1000);

  g_test_message ("the app's role: %s (wanted %s); error: %s",
                  call_of (window) ? kibitz_call_get_role (call_of (window)) : "no call", role,
                  kibitz_call_page_get_error (kibitz_window_get_call_page (window)));
  return joined;
}

typedef struct {
  KibitzWindow *window;
  const char   *name;
} VideoWait;

static guint64
frames_from (KibitzWindow *window,
             const char   *name)
{
  KibitzParticipantTile *tile = kibitz_call_page_find_tile (kibitz_window_get_call_page (window),
                                                            name);

  return tile ? kibitz_video_paintable_get_n_frames (kibitz_participant_tile_get_paintable (tile))
              : 0;
}

static gboolean
shows_video_of (gpointer data)
{
  VideoWait *w = data;
  KibitzParticipantTile *tile = kibitz_call_page_find_tile (kibitz_window_get_call_page (w->window),
                                                            w->name);
  GdkTexture *texture;

  if (tile == NULL || frames_from (w->window, w->name) < 5)
    return FALSE;
  texture = kibitz_video_paintable_get_texture (kibitz_participant_tile_get_paintable (tile));
  return texture != NULL && kibitz_test_texture_has_light (texture);
}

static KibitzPreferencesWindow *
find_preferences (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (toplevels, i);

      if (KIBITZ_IS_PREFERENCES_WINDOW (item))
        return KIBITZ_PREFERENCES_WINDOW (item);
    }
  return NULL;
}

/* --- The rules, without a keyring or a server ---------------------------------------------- */

static void
assert_refused (const char *key)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (kibitz_teacher_key_check_shape (key, &error));
  g_assert_error (error, KIBITZ_TEACHER_KEY_ERROR, KIBITZ_TEACHER_KEY_ERROR_MALFORMED);
  g_test_message ("“%s”: %s", key, error->message);
}

static void
assert_origin (const char *url,
               const char *origin)
{
  g_autofree char *found = kibitz_teacher_key_normalize_server (url, NULL);

  g_assert_cmpstr (found, ==, origin);
}

static void
test_key_shape_and_server (void)
{
  g_autofree char *key = kibitz_test_teacher_token ("Ewa", "--secret", SECRET, NULL);

  g_assert_true (kibitz_teacher_key_check_shape (key, NULL));
  assert_refused ("");
  assert_refused ("hello");
  assert_refused ("kt2.a.1.b.c");
  assert_refused ("kt1.a.1.b");
  assert_refused ("kt1.a.1.b.c.d");
  assert_refused ("kt1.a..b.c");
  assert_refused ("kt1.a.1 .b.c");

  /* One server, however its address is written; only http and https. */
  assert_origin ("https://School.Example/", "https://school.example");
  assert_origin ("https://school.example:443/kibitz/", "https://school.example");
  assert_origin ("http://127.0.0.1:8080", "http://127.0.0.1:8080");
  assert_origin ("http://[::1]:8080/", "http://[::1]:8080");
  assert_origin ("ftp://school.example", NULL);
  assert_origin ("school.example", NULL);
}

/* --- (a) Preferences ----------------------------------------------------------------------- */

typedef struct {
  KibitzPreferencesWindow *preferences;
  const char              *text;   /* NULL: any sentence */
} StatusWait;

static GtkLabel *
status_label (KibitzPreferencesWindow *preferences)
{
  return GTK_LABEL (child (GTK_WIDGET (preferences), KIBITZ_TYPE_PREFERENCES_WINDOW,
                           "status_label"));
}

static gboolean
status_says (gpointer data)
{
  StatusWait *w = data;
  GtkLabel *label = status_label (w->preferences);

  return gtk_widget_get_visible (GTK_WIDGET (label)) &&
         (w->text == NULL ? gtk_label_get_text (label)[0] != '\0'
                          : g_str_equal (gtk_label_get_text (label), w->text));
}

static void
assert_status (KibitzPreferencesWindow *preferences,
               const char              *text)
{
  StatusWait w = { preferences, text };

  if (!kibitz_test_spin_until (status_says, &w, 20000))
    g_error ("Preferences say “%s”, not “%s”",
             gtk_label_get_text (status_label (preferences)), text);
}

static KibitzPreferencesWindow *
open_preferences (KibitzWindow *window)
{
  KibitzPreferencesWindow *preferences;

  g_assert_null (find_preferences ());
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.preferences", NULL));
  preferences = find_preferences ();
  g_assert_nonnull (preferences);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (preferences)) == GTK_WINDOW (window));
  return preferences;
}

static void
save_in_preferences (KibitzPreferencesWindow *preferences,
                     const char              *key)
{
  gtk_editable_set_text (GTK_EDITABLE (child (GTK_WIDGET (preferences),
                                              KIBITZ_TYPE_PREFERENCES_WINDOW, "key_row")), key);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (preferences), "teacher-key.save", NULL));
}

static void
assert_refused_in_preferences (KibitzPreferencesWindow *preferences,
                               const char              *key)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (kibitz_teacher_key_check_shape (key, &error));
  save_in_preferences (preferences, key);
  assert_status (preferences, error->message);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (status_label (preferences)), "error"));
}

/* The Teaching group saves a key for the lobby's server, a fresh lookup
 * (as a join makes) finds it whatever way the address is written, another
 * server's key is left alone, Remove forgets it, and a malformed key is
 * refused with a sentence and never reaches the keyring. */
static void
test_preferences_save_find_remove (void)
{
  const char *server = "https://School.example:443/";
  g_autofree char *key = kibitz_test_teacher_token ("Ewa", "--secret", SECRET, NULL);
  g_autofree char *other = kibitz_test_teacher_token ("Olek", "--secret", SECRET, NULL);
  g_autofree char *found = NULL;
  g_autoptr(GError) error = NULL;
  KibitzPreferencesWindow *preferences;
  KibitzWindow *window;

  if (skip_without_keyring ())
    return;

  window = new_window ();
  gtk_editable_set_text (GTK_EDITABLE (lobby_child (window, "server_row")), server);
  store_key ("http://other.example", other);

  preferences = open_preferences (window);
  g_assert_cmpstr (text_of (child (GTK_WIDGET (preferences), KIBITZ_TYPE_PREFERENCES_WINDOW,
                                   "server_row")), ==, server);
  assert_status (preferences, "Your keyring has no teacher key for this server.");
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (status_label (preferences)), "error"));

  assert_refused_in_preferences (preferences, "hello");
  assert_refused_in_preferences (preferences, "kt1.abc.def");
  assert_refused_in_preferences (preferences, "kt1.a.1 2.b.c");
  g_assert_null ((found = lookup_key ("https://school.example", &error)));
  g_assert_no_error (error);

  /* Pasted with the newline the server's command prints. */
  {
    g_autofree char *pasted = g_strdup_printf ("%s\n", key);

    save_in_preferences (preferences, pasted);
  }
  assert_status (preferences, "Saved in your keyring. Kibitz uses this key whenever you join a "
                              "class on this server.");
  g_assert_cmpstr (text_of (child (GTK_WIDGET (preferences), KIBITZ_TYPE_PREFERENCES_WINDOW,
                                   "key_row")), ==, "");
  found = lookup_key ("https://school.example", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, key);
  g_clear_pointer (&found, g_free);
  close_window (preferences);

  /* Opened again: it says the key is there; Remove forgets this server's only. */
  preferences = open_preferences (window);
  assert_status (preferences, "Your keyring has a teacher key for this server: Kibitz uses it "
                              "whenever you join a class there.");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (preferences), "teacher-key.remove",
                                             NULL));
  assert_status (preferences, "Removed from your keyring. Kibitz joins this server without a "
                              "teacher key from now on.");
  g_assert_null ((found = lookup_key (server, &error)));
  g_assert_no_error (error);
  found = lookup_key ("http://other.example/", &error);
  g_assert_cmpstr (found, ==, other);

  forget_key ("http://other.example");
  close_window (preferences);
  close_window (window);
}

/* --- (b) Joining with the stored key ------------------------------------------------------ */

static void
class_message_cb (KibitzCall *call,
                  const char *type,
                  JsonObject *message,
                  GPtrArray  *knocks)
{
  JsonObject *peer;

  if (g_str_equal (type, "knock") && (peer = json_object_get_object_member (message, "peer")))
    g_ptr_array_add (knocks, g_strdup (json_object_get_string_member_with_default (peer, "name",
                                                                                 "")));
}

typedef struct {
  GPtrArray  *knocks;
  const char *name;
} KnockWait;

static gboolean
knocked (gpointer data)
{
  KnockWait *w = data;

  for (guint i = 0; i < w->knocks->len; i++)
    if (g_str_equal (g_ptr_array_index (w->knocks, i), w->name))
      return TRUE;
  return FALSE;
}

/* The key saved for a server makes the app the class's teacher there: the
 * server says so in the welcome, and a pupil who knocks reaches the app. */
static void
test_join_with_stored_key (void)
{
  g_autoptr(KibitzTestServer) server = NULL;
  g_autoptr(GPtrArray) knocks = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *url = NULL;
  g_autofree char *key = NULL;
  KnockWait knock = { knocks, "Kuba" };
  KibitzWindow *window;
  JsonObject *waiting;
  Peer *kuba;

  if (skip_without_keyring ())
    return;

  server = start_class_server ();
  url = g_strdup_printf ("http://%s", server->http);
  key = kibitz_test_teacher_token ("Ewa", "--secret", SECRET, NULL);
  store_key (url, key);

  window = new_window ();
  kibitz_window_join (window, url, "Maths 7b", "Ewa");
  g_assert_true (joined_as (window, "teacher", 30));
  g_signal_connect (call_of (window), "class-message", G_CALLBACK (class_message_cb), knocks);

  kuba = peer_spawn (server, "Maths 7b", "Kuba", NULL);
  waiting = peer_wait (kuba, "waiting", 30);
  g_assert_nonnull (waiting);
  g_assert_cmpstr (json_object_get_string_member (waiting, "reason"), ==, "no-invite");
  g_assert_true (kibitz_test_spin_until (knocked, &knock, 20000));

  g_signal_handlers_disconnect_by_data (call_of (window), knocks);
  close_window (window);
  peer_stop (kuba);
  /* The next test's server may get the same port. */
  forget_key (url);
}

/* --- (c) A kibitz: link ------------------------------------------------------------------- */

static gboolean
name_row_has_focus (gpointer window)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (window));
  GtkWidget *name_row = lobby_child (window, "name_row");

  return focus != NULL && (focus == name_row || gtk_widget_is_ancestor (focus, name_row));
}

/* The invite page's "Open in the Kibitz app", opened through GApplication
 * as the desktop does: the lobby shows the class the invite names, focused
 * on the name. Join: in at once as a student (a valid invite needs no
 * knock), with the teacher's video. Back in the lobby without the invite,
 * Join knocks; the teacher admits, and the video comes again. */
static void
test_kibitz_link (void)
{
  g_autoptr(KibitzTestServer) server = NULL;
  g_autoptr(KibitzApplication) application = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *key = NULL;
  g_autofree char *base = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *escaped_base = NULL;
  g_autofree char *escaped_code = NULL;
  const char *code, *invite_url;
  KibitzWindow *window;
  GtkWidget *lobby;
  JsonObject *e;
  Peer *ewa;
  VideoWait video;

  if (skip_without_keyring ())
    return;

  server = start_class_server ();
  key = kibitz_test_teacher_token ("Ewa", "--secret", SECRET, NULL);
  ewa = peer_spawn (server, "Maths 7b", "Ewa", key);
  e = peer_wait (ewa, "joined", 30);
  g_assert_nonnull (e);
  g_assert_cmpstr (json_object_get_string_member (e, "role"), ==, "teacher");
  peer_send (ewa, "invite 600");
  e = peer_wait (ewa, "invite", 20);
  g_assert_nonnull (e);
  code = json_object_get_string_member (e, "code");
  invite_url = json_object_get_string_member (e, "url");
  g_assert_nonnull (strstr (invite_url, "/j/"));
  base = g_strndup (invite_url, strstr (invite_url, "/j/") - invite_url);
  escaped_base = g_uri_escape_string (base, NULL, FALSE);
  escaped_code = g_uri_escape_string (code, NULL, FALSE);
  uri = g_strdup_printf ("kibitz:join?server=%s&invite=%s", escaped_base, escaped_code);
  g_test_message ("opening %s", uri);

  /* As the desktop hands the link to a running app. */
  application = kibitz_application_new ();
  g_assert_true (g_application_register (G_APPLICATION (application), NULL, &error));
  g_assert_no_error (error);
  file = g_file_new_for_uri (uri);
  g_application_open (G_APPLICATION (application), &file, 1, "");
  g_assert_nonnull (gtk_application_get_windows (GTK_APPLICATION (application)));
  window = KIBITZ_WINDOW (gtk_application_get_windows (GTK_APPLICATION (application))->data);
  lobby = lobby_of (window);

  g_assert_cmpstr (text_of (lobby_child (window, "server_row")), ==, base);
  g_assert_cmpstr (kibitz_lobby_page_get_invite (KIBITZ_LOBBY_PAGE (lobby)), ==, code);
  g_assert_true (gtk_widget_get_visible (lobby_child (window, "invite_group")));
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (lobby_child (window,
                                                                                    "invite_row"))),
                   ==, "Invited to the class “maths 7b”");
  g_assert_false (gtk_widget_get_visible (lobby_child (window, "room_row")));
  g_assert_false (gtk_widget_get_visible (lobby_child (window, "link_problem_label")));
  g_assert_true (kibitz_test_spin_until (name_row_has_focus, window, 5000));

  gtk_editable_set_text (GTK_EDITABLE (lobby_child (window, "name_row")), "Zofia");
  g_assert_true (gtk_widget_activate_action (lobby, "lobby.join", NULL));
  g_assert_true (joined_as (window, "student", 30));
  g_assert_cmpuint (peer_knocks_from (ewa, "Zofia"), ==, 0);
  video = (VideoWait) { window, "Ewa" };
  g_assert_true (kibitz_test_spin_until (shows_video_of, &video, WAIT_SECONDS * 1000));

  /* Back in the lobby, the invite dropped: the room stays, and Join knocks. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (kibitz_window_get_call_page (window)),
                                             "call.leave", NULL));
  g_assert_true (gtk_widget_activate_action (lobby, "lobby.drop-invite", NULL));
  g_assert_null (kibitz_lobby_page_get_invite (KIBITZ_LOBBY_PAGE (lobby)));
  g_assert_true (gtk_widget_get_visible (lobby_child (window, "room_row")));
  g_assert_cmpstr (text_of (lobby_child (window, "room_row")), ==, "maths 7b");
  g_assert_true (gtk_widget_activate_action (lobby, "lobby.join", NULL));
  {
    gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

    while (peer_knocks_from (ewa, "Zofia") == 0 && g_get_monotonic_time () < deadline)
      kibitz_test_spin (20);
  }
  g_assert_cmpuint (peer_knocks_from (ewa, "Zofia"), ==, 1);
  g_assert_nonnull (call_of (window));
  g_assert_null (kibitz_call_get_role (call_of (window)));

  peer_send (ewa, "admit all");
  g_assert_true (joined_as (window, "student", 30));
  g_assert_true (kibitz_test_spin_until (shows_video_of, &video, WAIT_SECONDS * 1000));

  close_window (window);
  g_clear_object (&application);
  peer_stop (ewa);
}

/* --- (d) Bad links ------------------------------------------------------------------------ */

static void
assert_link_refused (KibitzWindow *window,
                     const char   *link)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KibitzJoinLink) parsed = kibitz_join_link_parse (link, &error);
  GtkWidget *problem = lobby_child (window, "link_problem_label");
  g_autofree char *server = g_strdup (text_of (lobby_child (window, "server_row")));
  g_autofree char *room = g_strdup (text_of (lobby_child (window, "room_row")));

  g_assert_null (parsed);
  g_assert_false (kibitz_window_open_link (window, link));
  g_test_message ("%s: %s", link, gtk_label_get_text (GTK_LABEL (problem)));
  g_assert_true (gtk_widget_get_visible (problem));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (problem)), ==, error->message);
  /* Nothing else changed. */
  g_assert_cmpstr (text_of (lobby_child (window, "server_row")), ==, server);
  g_assert_cmpstr (text_of (lobby_child (window, "room_row")), ==, room);
  g_assert_null (kibitz_lobby_page_get_invite (KIBITZ_LOBBY_PAGE (lobby_of (window))));
}

static char *
base64url (const char *text)
{
  g_autofree char *encoded = g_base64_encode ((const guchar *) text, strlen (text));

  g_strdelimit (encoded, "+", '-');
  g_strdelimit (encoded, "/", '_');
  return g_strndup (encoded, strcspn (encoded, "="));
}

/* A link that does not open a class, names a server that is not http(s)
 * or carries a broken invite: the lobby says which, changes nothing else,
 * and still joins. An invite link pasted into the room's row turns into the
 * invite (and its server). */
static void
test_bad_links (void)
{
  const char * const bad[] = {
    "kibitz:call?server=http%3A%2F%2F127.0.0.1%3A1&invite=x",
    "kibitz:join?server=ftp%3A%2F%2Fschool.example&room=maths",
    "kibitz:join?server=javascript%3Aalert(1)&room=maths",
    "kibitz:join?invite=abc",
    "kibitz:join?server=http%3A%2F%2F127.0.0.1%3A1&invite=not-an-invite",
    "kibitz:join?server=http%3A%2F%2F127.0.0.1%3A1",
    "https://school.example/welcome",
  };
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (NULL);
  g_autofree char *url = g_strdup_printf ("http://%s", server->http);
  g_autofree char *room_key = base64url ("maths 7b");
  g_autofree char *pasted = g_strdup_printf ("http://127.0.0.1:1/j/%s.1700000000000.1800000000."
                                             "0123456789abcdef0123456789abcdef", room_key);
  g_autofree char *code = g_strdup (strstr (pasted, "/j/") + 3);
  g_autoptr(GHashTable) sentences = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  KibitzWindow *window;
  GtkWidget *lobby;

  if (skip_without_keyring ())
    return;

  window = new_window ();
  lobby = lobby_of (window);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      assert_link_refused (window, bad[i]);
      g_hash_table_add (sentences, g_strdup (gtk_label_get_text (GTK_LABEL (
                                     lobby_child (window, "link_problem_label")))));
    }
  g_assert_cmpuint (g_hash_table_size (sentences), >=, 5);

  gtk_editable_set_text (GTK_EDITABLE (lobby_child (window, "room_row")), pasted);
  g_assert_cmpstr (kibitz_lobby_page_get_invite (KIBITZ_LOBBY_PAGE (lobby)), ==, code);
  g_assert_cmpstr (text_of (lobby_child (window, "server_row")), ==, "http://127.0.0.1:1");
  g_assert_cmpstr (text_of (lobby_child (window, "room_row")), ==, "maths 7b");
  g_assert_false (gtk_widget_get_visible (lobby_child (window, "link_problem_label")));
  g_assert_true (gtk_widget_activate_action (lobby, "lobby.drop-invite", NULL));
  g_assert_null (kibitz_lobby_page_get_invite (KIBITZ_LOBBY_PAGE (lobby)));

  /* A room with dots in its name is a room, not an invite. */
  gtk_editable_set_text (GTK_EDITABLE (lobby_child (window, "room_row")), "bWF0aHM.7.b");
  g_assert_null (kibitz_lobby_page_get_invite (KIBITZ_LOBBY_PAGE (lobby)));

  /* And the lobby still joins (an open server: no key, no invite needed). */
  gtk_editable_set_text (GTK_EDITABLE (lobby_child (window, "server_row")), url);
  gtk_editable_set_text (GTK_EDITABLE (lobby_child (window, "room_row")), "After the bad links");
  gtk_editable_set_text (GTK_EDITABLE (lobby_child (window, "name_row")), "Zofia");
  g_assert_true (gtk_widget_activate_action (lobby, "lobby.join", NULL));
  g_assert_true (joined_as (window, "member", 30));

  close_window (window);
}

/* --- Without a keyring ------------------------------------------------------------------- */

/* The keyring goes away (as on a desktop without one): Preferences say so
 * in a sentence, and joining goes on without a key. Runs last. */
static void
test_keyring_unavailable (void)
{
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (NULL);
  g_autofree char *url = g_strdup_printf ("http://%s", server->http);
  g_autofree char *key = kibitz_test_teacher_token ("Ewa", "--secret", SECRET, NULL);
  g_autofree char *found = NULL;
  g_autoptr(GError) error = NULL;
  KibitzPreferencesWindow *preferences;
  KibitzWindow *window;

  if (skip_without_keyring ())
    return;

  kibitz_test_keyring_stop_daemon (keyring);
  found = lookup_key (url, &error);
  g_assert_null (found);
  g_assert_error (error, KIBITZ_TEACHER_KEY_ERROR, KIBITZ_TEACHER_KEY_ERROR_UNAVAILABLE);

  window = new_window ();
  gtk_editable_set_text (GTK_EDITABLE (lobby_child (window, "server_row")), url);
  preferences = open_preferences (window);
  assert_status (preferences, error->message);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (status_label (preferences)), "error"));
  save_in_preferences (preferences, key);
  kibitz_test_spin (500);
  assert_status (preferences, error->message);
  close_window (preferences);

  kibitz_window_join (window, url, "No keyring", "Zofia");
  g_assert_true (joined_as (window, "member", 30));
  close_window (window);
}

static gboolean
name_has_owner (const char *name)
{
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GVariant) reply = NULL;
  gboolean owned = FALSE;

  if (bus == NULL)
    return FALSE;
  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", name), G_VARIANT_TYPE ("(b)"),
                                       G_DBUS_CALL_FLAGS_NONE, 5000, NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &owned);
  return owned;
}

static gboolean
reaped (GSubprocess *process)
{
  return g_subprocess_get_identifier (process) == NULL;
}

/* What the desktop does with a kibitz: link while Kibitz runs: a second
 * `kibitz` hands it to the running one and exits with 0, and the running
 * one goes on. (The release build's second instance used to crash on its
 * way out, GStreamer gone while its DTLS key was being made: a race this
 * ASan build does not lose reliably, so this test guards the hand-over, and
 * build-aux/screenshots, which does it with the release build, the crash.) */
static void
test_second_instance_hands_over (void)
{
  const char *app = g_getenv ("KIBITZ_APP_BIN");
  g_autoptr(GSubprocess) running = NULL;
  g_autoptr(GSubprocess) second = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *link = NULL;
  gint64 deadline;

  if (skip_without_keyring ())
    return;
  g_assert_nonnull (app);

  running = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, app, NULL);
  g_assert_no_error (error);
  deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (!name_has_owner (APPLICATION_ID))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_assert_false (reaped (running));
      g_usleep (100 * 1000);
    }

  link = g_strdup_printf ("kibitz:join?server=http%%3A%%2F%%2F127.0.0.1%%3A8080&invite=%s",
                          "bWF0aHMgN2I.1767225600000.1798761600.0123456789abcdef0123456789abcdef");
  second = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, app, link, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait (second, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (second));
  g_assert_cmpint (g_subprocess_get_exit_status (second), ==, 0);

  /* The running one took the link and runs on. */
  kibitz_test_spin (500);
  g_assert_false (reaped (running));
  g_subprocess_send_signal (running, SIGTERM);
  g_subprocess_wait (running, NULL, NULL);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (name_has_owner (APPLICATION_ID) && g_get_monotonic_time () < deadline)
    g_usleep (100 * 1000);
}

int
main (int    argc,
      char **argv)
{
  int status;

  /* Before anything in this process connects to a session bus. */
  keyring = kibitz_test_keyring_start (&no_keyring);
  gtk_test_init (&argc, &argv, NULL);
  kibitz_test_tolerate_upstream_critical ();
  adw_init ();
  kibitz_process_init ();
  gst_init (NULL, NULL);
  kibitz_register_resource ();
  if (keyring == NULL)
    g_test_message ("%s", no_keyring);

  g_test_add_func ("/app-teacher/link/a-second-kibitz-hands-the-link-over",
                   test_second_instance_hands_over);
  g_test_add_func ("/app-teacher/teacher-key/shape-and-server", test_key_shape_and_server);
  g_test_add_func ("/app-teacher/preferences/save-find-remove", test_preferences_save_find_remove);
  g_test_add_func ("/app-teacher/join/stored-key-makes-the-app-the-teacher",
                   test_join_with_stored_key);
  g_test_add_func ("/app-teacher/link/kibitz-link-fills-the-lobby-then-joins", test_kibitz_link);
  g_test_add_func ("/app-teacher/link/bad-links-are-said-and-the-lobby-still-works",
                   test_bad_links);
  g_test_add_func ("/app-teacher/keyring/unavailable-is-said-and-joins-without",
                   test_keyring_unavailable);

  status = g_test_run ();
  kibitz_test_keyring_stop (keyring);
  g_free (no_keyring);
  kibitz_peer_finish_dtls ();
  gst_deinit ();
  return status;
}
