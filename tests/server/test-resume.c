/* test-resume.c: resume tokens across dropped sockets and server restarts.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>

#include "kibitz-test-server.h"
#include "kibitz-test-util.h"

static const char *
string_member (JsonObject *object,
               const char *member)
{
  return json_object_get_string_member (object, member);
}

static void
assert_signal (KibitzTestClient *from,
               const char       *to_id,
               KibitzTestClient *to,
               const char       *expected_from)
{
  g_autoptr(JsonObject) signal = NULL;

  kibitz_test_client_send (from, "{\"type\":\"signal\",\"to\":\"%s\",\"data\":{\"n\":1}}", to_id);
  signal = kibitz_test_client_wait (to, "signal", 5000);
  g_assert_nonnull (signal);
  g_assert_cmpstr (string_member (signal, "from"), ==, expected_from);
}

static void
test_resume_after_drop (void)
{
  const char * const args[] = { "--http", "127.0.0.1:0", "--secret", "s", NULL };
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (args);
  g_autoptr(KibitzTestClient) a = kibitz_test_client_connect (server);
  g_autoptr(KibitzTestClient) b = kibitz_test_client_connect (server);
  g_autoptr(KibitzTestClient) a2 = NULL;
  g_autoptr(JsonObject) wa = kibitz_test_client_join (a, "room", "Ada", NULL);
  g_autoptr(JsonObject) wb = kibitz_test_client_join (b, "room", "Bartek", NULL);
  g_autoptr(JsonObject) wa2 = NULL;
  g_autoptr(JsonObject) pending = NULL;
  g_autofree char *token = g_strdup (string_member (wa, "resume"));

  g_clear_pointer (&a, kibitz_test_client_free);
  kibitz_test_spin (300);

  /* A signal sent while Ada is away waits for her. */
  kibitz_test_client_send (b, "{\"type\":\"signal\",\"to\":\"%s\",\"data\":{\"sdp\":{\"type\":"
                           "\"offer\",\"sdp\":\"v=0\"}}}", string_member (wa, "id"));
  kibitz_test_client_assert_no (b, "error", 200);

  a2 = kibitz_test_client_connect (server);
  wa2 = kibitz_test_client_join (a2, "room", "Ada", token);
  g_assert_cmpstr (string_member (wa2, "id"), ==, string_member (wa, "id"));
  g_assert_true (json_object_get_boolean_member (wa2, "resumed"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (wa2, "peers")), ==, 1);
  g_assert_true (json_object_has_member (wa2, "ice_servers"));

  pending = kibitz_test_client_wait (a2, "signal", 5000);
  g_assert_nonnull (pending);
  g_assert_cmpstr (string_member (pending, "from"), ==, string_member (wb, "id"));

  /* Bartek never saw Ada leave or come back. */
  kibitz_test_client_assert_no (b, "left", 200);
  kibitz_test_client_assert_no (b, "joined", 200);
  assert_signal (b, string_member (wa, "id"), a2, string_member (wb, "id"));
  assert_signal (a2, string_member (wb, "id"), b, string_member (wa, "id"));
}

/* A token dies with `leave`: replayed afterwards (by Ada, or by whoever
 * copied it) it gives a new id, and Bartek sees a newcomer, not Ada back. */
static void
test_dead_after_leave (void)
{
  const char * const args[] = { "--http", "127.0.0.1:0", "--secret", "s", NULL };
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (args);
  g_autoptr(KibitzTestClient) a = kibitz_test_client_connect (server);
  g_autoptr(KibitzTestClient) b = kibitz_test_client_connect (server);
  g_autoptr(KibitzTestClient) thief = NULL;
  g_autoptr(JsonObject) wa = kibitz_test_client_join (a, "room", "Ada", NULL);
  g_autoptr(JsonObject) wb = kibitz_test_client_join (b, "room", "Bartek", NULL);
  g_autoptr(JsonObject) left = NULL;
  g_autoptr(JsonObject) joined = NULL;
  g_autoptr(JsonObject) wt = NULL;

  kibitz_test_client_send (a, "{\"type\":\"leave\"}");
  left = kibitz_test_client_wait (b, "left", 5000);
  g_assert_nonnull (left);
  g_assert_cmpstr (string_member (left, "reason"), ==, "leave");

  thief = kibitz_test_client_connect (server);
  wt = kibitz_test_client_join (thief, "room", "Ada", string_member (wa, "resume"));
  g_assert_nonnull (wt);
  g_assert_false (json_object_get_boolean_member (wt, "resumed"));
  g_assert_cmpstr (string_member (wt, "id"), !=, string_member (wa, "id"));
  joined = kibitz_test_client_wait (b, "joined", 5000);
  g_assert_nonnull (joined);
  g_assert_cmpstr (string_member (json_object_get_object_member (joined, "peer"), "id"), ==,
                   string_member (wt, "id"));
}

static void
test_replaced (void)
{
  const char * const args[] = { "--http", "127.0.0.1:0", "--secret", "s", NULL };
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (args);
  g_autoptr(KibitzTestClient) a = kibitz_test_client_connect (server);
  g_autoptr(KibitzTestClient) a2 = kibitz_test_client_connect (server);
  g_autoptr(KibitzTestClient) b = kibitz_test_client_connect (server);
  g_autoptr(JsonObject) wa = kibitz_test_client_join (a, "room", "Ada", NULL);
  g_autoptr(JsonObject) wb = kibitz_test_client_join (b, "room", "Bartek", NULL);
  g_autoptr(JsonObject) wa2 = kibitz_test_client_join (a2, "room", "Ada", string_member (wa, "resume"));

  kibitz_test_expect_error (a, "replaced");
  g_assert_true (kibitz_test_client_wait_closed (a, 5000));
  g_assert_cmpstr (string_member (wa2, "id"), ==, string_member (wa, "id"));
  g_assert_true (json_object_get_boolean_member (wa2, "resumed"));
  kibitz_test_client_assert_no (b, "left", 300);
  assert_signal (b, string_member (wa, "id"), a2, string_member (wb, "id"));
}

static void
test_forged_token (void)
{
  const char * const args[] = { "--http", "127.0.0.1:0", "--secret", "s", NULL };
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (args);
  g_autoptr(KibitzTestClient) a = kibitz_test_client_connect (server);
  g_autoptr(KibitzTestClient) b = kibitz_test_client_connect (server);
  g_autoptr(KibitzTestClient) c = kibitz_test_client_connect (server);
  g_autoptr(JsonObject) wa = kibitz_test_client_join (a, "room", "Ada", NULL);
  g_autofree char *forged = g_strdup_printf ("%s.99999999999.0000", string_member (wa, "id"));
  g_autoptr(JsonObject) wb = kibitz_test_client_join (b, "room", "Mallory", forged);
  g_autoptr(JsonObject) wc = NULL;

  /* A bad token is a fresh join: a new id, Ada untouched. */
  g_assert_cmpstr (string_member (wb, "id"), !=, string_member (wa, "id"));
  g_assert_false (json_object_get_boolean_member (wb, "resumed"));
  kibitz_test_client_assert_no (a, "error", 200);

  /* A token for another room does not carry the id across. */
  wc = kibitz_test_client_join (c, "other room", "Ada", string_member (wa, "resume"));
  g_assert_cmpstr (string_member (wc, "id"), !=, string_member (wa, "id"));
}

static void
test_restart_same_secret (void)
{
  const char * const args[] = { "--http", "127.0.0.1:0", "--secret", "restart-secret", NULL };
  g_autoptr(KibitzTestServer) first = kibitz_test_server_start (args);
  g_autoptr(KibitzTestServer) second = NULL;
  g_autoptr(KibitzTestClient) a = kibitz_test_client_connect (first);
  g_autoptr(KibitzTestClient) b = kibitz_test_client_connect (first);
  g_autoptr(JsonObject) wa = kibitz_test_client_join (a, "room", "Ada", NULL);
  g_autoptr(JsonObject) wb = kibitz_test_client_join (b, "room", "Bartek", NULL);
  g_autoptr(JsonObject) wa2 = NULL;
  g_autoptr(JsonObject) wb2 = NULL;
  g_autoptr(JsonObject) joined = NULL;

  kibitz_test_server_kill (first);
  g_assert_true (kibitz_test_client_wait_closed (a, 5000));
  g_clear_pointer (&a, kibitz_test_client_free);
  g_clear_pointer (&b, kibitz_test_client_free);

  second = kibitz_test_server_start (args);
  a = kibitz_test_client_connect (second);
  wa2 = kibitz_test_client_join (a, "room", "Ada", string_member (wa, "resume"));
  g_assert_cmpstr (string_member (wa2, "id"), ==, string_member (wa, "id"));
  g_assert_true (json_object_get_boolean_member (wa2, "resumed"));

  b = kibitz_test_client_connect (second);
  wb2 = kibitz_test_client_join (b, "room", "Bartek", string_member (wb, "resume"));
  g_assert_cmpstr (string_member (wb2, "id"), ==, string_member (wb, "id"));

  /* The restarted server knew nobody: it announces Bartek's return. */
  joined = kibitz_test_client_wait (a, "joined", 5000);
  g_assert_nonnull (joined);
  g_assert_cmpstr (string_member (json_object_get_object_member (joined, "peer"), "id"), ==,
                   string_member (wb, "id"));
  assert_signal (a, string_member (wb, "id"), b, string_member (wa, "id"));
}

/* Without --secret, the secret is made once and kept in the state directory. */
static void
test_secret_persists (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("kibitz-state-XXXXXX", &error);
  g_autofree char *secret_path = g_build_filename (dir, "secret", NULL);
  const char * const args[] = { "--http", "127.0.0.1:0", "--state-dir", dir, NULL };
  g_autoptr(KibitzTestServer) first = kibitz_test_server_start (args);
  g_autoptr(KibitzTestServer) second = NULL;
  g_autoptr(KibitzTestClient) a = kibitz_test_client_connect (first);
  g_autoptr(JsonObject) wa = kibitz_test_client_join (a, "room", "Ada", NULL);
  g_autoptr(JsonObject) wa2 = NULL;
  GStatBuf st;

  g_assert_no_error (error);
  g_assert_cmpint (g_stat (secret_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (st.st_size, >=, 32);

  kibitz_test_server_stop (first);
  g_clear_pointer (&a, kibitz_test_client_free);

  second = kibitz_test_server_start (args);
  a = kibitz_test_client_connect (second);
  wa2 = kibitz_test_client_join (a, "room", "Ada", string_member (wa, "resume"));
  g_assert_cmpstr (string_member (wa2, "id"), ==, string_member (wa, "id"));
  g_assert_true (json_object_get_boolean_member (wa2, "resumed"));

  g_unlink (secret_path);
  g_rmdir (dir);
}

/* Each welcome's token retires the one before: a copy of Ada's first token
 * is worthless once she has come back with it, and that holds after the
 * server is killed and restarted on the same state directory. After `leave`
 * even her last token is dead, restart or not.
 */
static void
test_rotation (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("kibitz-rotation-XXXXXX", &error);
  const char * const args[] = { "--http", "127.0.0.1:0", "--secret", "s", "--state-dir", dir,
                                NULL };
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (args);
  g_autoptr(KibitzTestServer) again = NULL;
  g_autoptr(KibitzTestClient) a = kibitz_test_client_connect (server);
  g_autoptr(KibitzTestClient) b = kibitz_test_client_connect (server);
  g_autoptr(KibitzTestClient) thief = NULL;
  g_autoptr(JsonObject) wa = kibitz_test_client_join (a, "room", "Ada", NULL);
  g_autoptr(JsonObject) wb = kibitz_test_client_join (b, "room", "Bartek", NULL);
  g_autoptr(JsonObject) wa2 = NULL;
  g_autoptr(JsonObject) wa3 = NULL;
  g_autoptr(JsonObject) wa4 = NULL;
  g_autoptr(JsonObject) wt = NULL;
  g_autoptr(JsonObject) wt2 = NULL;
  g_autoptr(JsonObject) left = NULL;

  /* Ada drops and comes back with her token: a new one in the welcome. */
  g_clear_pointer (&a, kibitz_test_client_free);
  kibitz_test_spin (300);
  a = kibitz_test_client_connect (server);
  wa2 = kibitz_test_client_join (a, "room", "Ada", string_member (wa, "resume"));
  g_assert_true (json_object_get_boolean_member (wa2, "resumed"));
  g_assert_cmpstr (string_member (wa2, "resume"), !=, string_member (wa, "resume"));

  /* The copy of the first one is a stranger's join, and Ada stays. */
  thief = kibitz_test_client_connect (server);
  wt = kibitz_test_client_join (thief, "room", "Ada", string_member (wa, "resume"));
  g_assert_false (json_object_get_boolean_member (wt, "resumed"));
  g_assert_cmpstr (string_member (wt, "id"), !=, string_member (wa, "id"));
  kibitz_test_client_assert_no (a, "error", 300);
  g_assert_false (a->closed);
  g_clear_pointer (&thief, kibitz_test_client_free);

  /* Killed and restarted: the first token is still dead, the second works. */
  kibitz_test_server_kill (server);
  g_clear_pointer (&a, kibitz_test_client_free);
  g_clear_pointer (&b, kibitz_test_client_free);
  again = kibitz_test_server_start (args);
  thief = kibitz_test_client_connect (again);
  wt2 = kibitz_test_client_join (thief, "room", "Ada", string_member (wa, "resume"));
  g_assert_false (json_object_get_boolean_member (wt2, "resumed"));
  a = kibitz_test_client_connect (again);
  wa3 = kibitz_test_client_join (a, "room", "Ada", string_member (wa2, "resume"));
  g_assert_true (json_object_get_boolean_member (wa3, "resumed"));
  g_assert_cmpstr (string_member (wa3, "id"), ==, string_member (wa, "id"));

  /* leave retires the last one too, for good. */
  b = kibitz_test_client_connect (again);
  g_clear_pointer (&wb, json_object_unref);
  wb = kibitz_test_client_join (b, "room", "Bartek", NULL);
  kibitz_test_client_send (a, "{\"type\":\"leave\"}");
  left = kibitz_test_client_wait (b, "left", 5000);
  g_assert_nonnull (left);
  kibitz_test_server_kill (again);
  g_clear_pointer (&again, kibitz_test_server_free);
  g_clear_pointer (&a, kibitz_test_client_free);
  g_clear_pointer (&b, kibitz_test_client_free);
  g_clear_pointer (&thief, kibitz_test_client_free);
  again = kibitz_test_server_start (args);
  a = kibitz_test_client_connect (again);
  wa4 = kibitz_test_client_join (a, "room", "Ada", string_member (wa3, "resume"));
  g_assert_false (json_object_get_boolean_member (wa4, "resumed"));

  kibitz_test_client_free (g_steal_pointer (&a));
  kibitz_test_server_stop (again);
  kibitz_test_remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/resume/after-drop", test_resume_after_drop);
  g_test_add_func ("/server/resume/replaced", test_replaced);
  g_test_add_func ("/server/resume/dead-after-leave", test_dead_after_leave);
  g_test_add_func ("/server/resume/forged-token", test_forged_token);
  g_test_add_func ("/server/resume/restart-same-secret", test_restart_same_secret);
  g_test_add_func ("/server/resume/secret-persists", test_secret_persists);
  g_test_add_func ("/server/resume/rotation", test_rotation);

  return g_test_run ();
}
