/* test-class.c: classes with a teacher (protocol.md §4) on a real
 * kibitz-server in its default policy, over real WebSockets on loopback:
 * keys made and revoked with the server's own commands, a stranger who
 * waits and is let in, an invite link, who may touch the board.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "kibitz-test-server.h"
#include "kibitz-test-util.h"
#include "kibitz-test-turn-client.h"

typedef struct {
  KibitzTestServer *server;
  char             *dir;
} ClassServer;

/* The default policy, its secret kept in a state directory of its own (as
 * an operator's server would), so the commands below find it there. */
static ClassServer
class_server_start_full (const char *extra)
{
  g_autoptr(GError) error = NULL;
  ClassServer cs = { NULL, g_dir_make_tmp ("kibitz-class-XXXXXX", &error) };
  /* Loopback is where the members are: allowed past the deny list, so that
   * only the room scope decides. The relay has an address of its own, as on
   * a real server, so that a relay address is not also a member's. */
  const char * const args[] = { "--state-dir", cs.dir, "--room-policy", "teacher",
                                "--allow-peer", "127.0.0.0/8", "--relay-ip", "127.0.0.3",
                                extra, NULL };

  g_assert_no_error (error);
  cs.server = kibitz_test_server_start (args);
  return cs;
}

static ClassServer
class_server_start (void)
{
  return class_server_start_full (NULL);
}

static void
class_server_clear (ClassServer *cs)
{
  kibitz_test_server_free (cs->server);
  kibitz_test_remove_tree (cs->dir);
  g_free (cs->dir);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ClassServer, class_server_clear)

/* A TURN client of the server's relay with the credentials of @welcome. */
static KibitzTestTurnClient *
turn_client_for (ClassServer *cs,
                 JsonObject  *welcome)
{
  JsonArray *servers = json_object_get_array_member (welcome, "ice_servers");
  JsonObject *turn = json_array_get_object_element (servers, json_array_get_length (servers) - 1);
  KibitzTestTurnClient *client =
    kibitz_test_turn_client_new (FALSE, atoi (strrchr (cs->server->turn, ':') + 1));

  client->username = g_strdup (json_object_get_string_member (turn, "username"));
  client->password = g_strdup (json_object_get_string_member (turn, "credential"));
  return client;
}

/* A key for name, valid 30 days, signed with the secret in state_dir. */
static char *
teacher_token (const char *state_dir,
               const char *name)
{
  return kibitz_test_teacher_token (name, "--days", "30", "--state-dir", state_dir, NULL);
}

static JsonObject *
join_with (KibitzTestClient *client,
           const char       *name,
           const char       *member,
           const char       *value)
{
  kibitz_test_client_send (client, "{\"type\":\"join\",\"room\":\"Chess 101\",\"name\":\"%s\","
                           "\"%s\":\"%s\"}", name, member, value);
  return kibitz_test_client_wait (client, "welcome", 5000);
}

static void
test_waiting_room_and_invite (void)
{
  g_auto(ClassServer) cs = class_server_start ();
  g_autofree char *token = teacher_token (cs.dir, "Pani Ewa");
  g_autoptr(KibitzTestClient) teacher = kibitz_test_client_connect (cs.server);
  g_autoptr(KibitzTestClient) stranger = kibitz_test_client_connect (cs.server);
  g_autoptr(KibitzTestClient) invited = kibitz_test_client_connect (cs.server);
  g_autoptr(JsonObject) welcome = join_with (teacher, "Ewa", "teacher", token);
  g_autoptr(JsonObject) waiting = NULL;
  g_autoptr(JsonObject) knock = NULL;
  g_autoptr(JsonObject) admitted = NULL;
  g_autoptr(JsonObject) invite = NULL;
  g_autoptr(JsonObject) student = NULL;
  g_autofree char *base = kibitz_test_server_url (cs.server, "/j/");
  const char *id;

  g_assert_nonnull (welcome);
  g_assert_cmpstr (json_object_get_string_member (welcome, "role"), ==, "teacher");
  g_assert_nonnull (json_object_get_object_member (welcome, "room_state"));

  /* A stranger who heard the name waits, with nothing of the class. */
  kibitz_test_client_send (stranger, "{\"type\":\"join\",\"room\":\"chess 101\",\"name\":\"Kuba\"}");
  waiting = kibitz_test_client_wait (stranger, "waiting", 5000);
  g_assert_nonnull (waiting);
  g_assert_cmpstr (json_object_get_string_member (waiting, "reason"), ==, "no-invite");
  id = json_object_get_string_member (waiting, "id");
  knock = kibitz_test_client_wait (teacher, "knock", 5000);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (knock, "peer"),
                                                  "id"), ==, id);
  kibitz_test_client_send (stranger, "{\"type\":\"chat\",\"text\":\"let me in\"}");
  kibitz_test_expect_error (stranger, "not-admitted");

  kibitz_test_client_send (teacher, "{\"type\":\"admit\",\"id\":\"%s\"}", id);
  admitted = kibitz_test_client_wait (stranger, "welcome", 5000);
  g_assert_nonnull (admitted);
  g_assert_cmpstr (json_object_get_string_member (admitted, "role"), ==, "student");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (admitted, "peers")),
                    ==, 1);

  /* An invite link lets its holder straight in; it points at this server. */
  kibitz_test_client_send (teacher, "{\"type\":\"invite\",\"ttl\":600}");
  invite = kibitz_test_client_wait (teacher, "invite", 5000);
  g_assert_nonnull (invite);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (invite, "url"), base));
  student = join_with (invited, "Ola", "invite", json_object_get_string_member (invite, "code"));
  g_assert_nonnull (student);
  g_assert_cmpstr (json_object_get_string_member (student, "role"), ==, "student");
  g_assert_cmpuint (kibitz_test_metric (cs.server, "kibitz_admits_total"), ==, 1);
}

static void
test_revoked_and_foreign_keys (void)
{
  g_auto(ClassServer) cs = class_server_start ();
  g_autofree char *token = teacher_token (cs.dir, "Pan Marek");
  g_autofree char *other_dir = g_dir_make_tmp ("kibitz-other-XXXXXX", NULL);
  g_autofree char *foreign = teacher_token (other_dir, "Mallory");
  g_autoptr(KibitzTestClient) first = kibitz_test_client_connect (cs.server);
  g_autoptr(KibitzTestClient) forger = kibitz_test_client_connect (cs.server);
  g_autoptr(JsonObject) welcome = join_with (first, "Marek", "teacher", token);
  g_autoptr(JsonObject) forged = NULL;
  g_autoptr(JsonObject) waits = NULL;
  const char * const revoke[] = { g_getenv ("KIBITZ_SERVER_BIN"), "revoke-token", token,
                                  "--state-dir", cs.dir, NULL };
  g_autofree char *revoked = NULL;
  gboolean refused = FALSE;

  g_assert_nonnull (welcome);

  /* A key signed with another server's secret: refused, and the join waits. */
  kibitz_test_client_send (forger, "{\"type\":\"join\",\"room\":\"Chess 101\","
                           "\"name\":\"Mallory\",\"teacher\":\"%s\"}", foreign);
  kibitz_test_expect_error (forger, "bad-token");
  waits = kibitz_test_client_wait (forger, "waiting", 5000);
  g_assert_nonnull (waits);
  forged = kibitz_test_client_wait (first, "knock", 5000);
  g_assert_nonnull (forged);

  /* Revoked while the server runs: it stops working within a few seconds. */
  revoked = kibitz_test_run (revoke);
  for (guint attempt = 0; attempt < 10 && !refused; attempt++)
    {
      g_autoptr(KibitzTestClient) again = kibitz_test_client_connect (cs.server);
      g_autoptr(JsonObject) back = NULL;

      kibitz_test_spin (500);
      kibitz_test_client_send (again, "{\"type\":\"join\",\"room\":\"Chess 101\","
                               "\"name\":\"Marek\",\"teacher\":\"%s\"}", token);
      back = kibitz_test_client_wait (again, "waiting", 3000);
      refused = back != NULL;
    }
  g_assert_true (refused);

  kibitz_test_remove_tree (other_dir);
}

static void
test_board_belongs_to_the_teacher (void)
{
  g_auto(ClassServer) cs = class_server_start ();
  g_autofree char *token = teacher_token (cs.dir, "Pani Ewa");
  g_autoptr(KibitzTestClient) teacher = kibitz_test_client_connect (cs.server);
  g_autoptr(KibitzTestClient) pupil = kibitz_test_client_connect (cs.server);
  g_autoptr(JsonObject) welcome = join_with (teacher, "Ewa", "teacher", token);
  g_autoptr(JsonObject) invite = NULL;
  g_autoptr(JsonObject) student = NULL;
  g_autoptr(JsonObject) board = NULL;

  kibitz_test_client_send (teacher, "{\"type\":\"invite\"}");
  invite = kibitz_test_client_wait (teacher, "invite", 5000);
  student = join_with (pupil, "Kuba", "invite", json_object_get_string_member (invite, "code"));
  g_assert_nonnull (student);

  kibitz_test_client_send (pupil, "{\"type\":\"move\",\"san\":\"e4\"}");
  kibitz_test_expect_error (pupil, "forbidden");
  kibitz_test_client_send (pupil, "{\"type\":\"board-set\",\"fen\":\"8/8/8/8/8/8/8/K6k w - - 0 1\"}");
  kibitz_test_expect_error (pupil, "forbidden");

  /* The teacher lets the pupil move. */
  kibitz_test_client_send (teacher, "{\"type\":\"board-movers\",\"movers\":[\"%s\"]}",
                           json_object_get_string_member (student, "id"));
  json_object_unref (kibitz_test_client_wait (pupil, "board", 5000));
  kibitz_test_client_send (pupil, "{\"type\":\"move\",\"san\":\"e4\"}");
  board = kibitz_test_client_wait (teacher, "board", 5000);
  g_assert_nonnull (board);
  while (board && json_array_get_length (json_object_get_array_member (board, "moves")) == 0)
    {
      json_object_unref (board);
      board = kibitz_test_client_wait (teacher, "board", 5000);
    }
  g_assert_nonnull (board);
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (board, "moves"), 0),
                   ==, "e4");
}

/* protocol.md §4, "TURN belongs to the class": a pupil's credentials relay
 * to its classmates (their relay addresses here, the addresses they reach
 * the server from) and to nobody else, and die when the pupil is removed. */
static void
test_relay_belongs_to_the_class (void)
{
  g_auto(ClassServer) cs = class_server_start ();
  g_autofree char *token = teacher_token (cs.dir, "Pani Ewa");
  g_autoptr(KibitzTestClient) teacher = kibitz_test_client_connect (cs.server);
  g_autoptr(KibitzTestClient) pupil = kibitz_test_client_connect (cs.server);
  g_autoptr(KibitzTestClient) other = kibitz_test_client_connect (cs.server);
  g_autoptr(KibitzTestClient) stranger = kibitz_test_client_connect (cs.server);
  g_autoptr(JsonObject) teacher_welcome = join_with (teacher, "Ewa", "teacher", token);
  g_autoptr(JsonObject) invite = NULL;
  g_autoptr(JsonObject) pupil_welcome = NULL;
  g_autoptr(JsonObject) other_welcome = NULL;
  g_autoptr(JsonObject) waiting = NULL;
  g_autoptr(JsonObject) removed = NULL;
  g_autoptr(KibitzTestTurnClient) pupil_turn = NULL;
  g_autoptr(KibitzTestTurnClient) teacher_turn = NULL;
  g_autoptr(KibitzTestTurnClient) other_turn = NULL;
  KibitzStunAddress pupil_relay, teacher_relay, other_relay;
  KibitzStunAddress member = kibitz_test_address ("127.0.0.1", 40000);
  KibitzStunAddress outsider = kibitz_test_address ("127.0.0.2", 40000);
  KibitzStunAddress classmate_address;
  int classmate;

  kibitz_test_client_send (teacher, "{\"type\":\"invite\"}");
  invite = kibitz_test_client_wait (teacher, "invite", 5000);
  pupil_welcome = join_with (pupil, "Kuba", "invite", json_object_get_string_member (invite, "code"));
  g_assert_nonnull (pupil_welcome);
  /* Another class, on its own teacher's key. */
  kibitz_test_client_send (other, "{\"type\":\"join\",\"room\":\"Chess 102\",\"name\":\"Marek\","
                           "\"teacher\":\"%s\"}", token);
  other_welcome = kibitz_test_client_wait (other, "welcome", 5000);
  g_assert_nonnull (other_welcome);
  /* Who waits gets no way into the relay. */
  kibitz_test_client_send (stranger, "{\"type\":\"join\",\"room\":\"Chess 101\",\"name\":\"X\"}");
  waiting = kibitz_test_client_wait (stranger, "waiting", 5000);
  g_assert_false (json_object_has_member (waiting, "ice_servers"));

  teacher_turn = turn_client_for (&cs, teacher_welcome);
  pupil_turn = turn_client_for (&cs, pupil_welcome);
  other_turn = turn_client_for (&cs, other_welcome);
  kibitz_test_turn_assert_allocated (teacher_turn, kibitz_test_turn_allocate (teacher_turn),
                                     &teacher_relay);
  kibitz_test_turn_assert_allocated (pupil_turn, kibitz_test_turn_allocate (pupil_turn),
                                     &pupil_relay);
  kibitz_test_turn_assert_allocated (other_turn, kibitz_test_turn_allocate (other_turn),
                                     &other_relay);

  /* Classmates: the teacher's relay address, and where members connect from. */
  g_assert_cmpint (kibitz_test_turn_create_permission (pupil_turn, &teacher_relay), ==, 0);
  g_assert_cmpint (kibitz_test_turn_channel_bind (pupil_turn, 0x4001, &teacher_relay), ==, 0);
  g_assert_cmpint (kibitz_test_turn_create_permission (teacher_turn, &pupil_relay), ==, 0);
  g_assert_cmpint (kibitz_test_turn_create_permission (pupil_turn, &member), ==, 0);
  /* Not the class: another class's relay address, an address no member
   * uses (though --allow-peer allows it). */
  g_assert_cmpint (kibitz_test_turn_create_permission (pupil_turn, &other_relay), ==, 403);
  g_assert_cmpint (kibitz_test_turn_channel_bind (pupil_turn, 0x4002, &other_relay), ==, 403);
  g_assert_cmpint (kibitz_test_turn_create_permission (pupil_turn, &outsider), ==, 403);
  g_assert_cmpint (kibitz_test_turn_create_permission (other_turn, &teacher_relay), ==, 403);

  /* A classmate at a member's address reaches the pupil through the relay. */
  classmate = kibitz_test_udp_socket (&classmate_address);
  g_assert_cmpint (kibitz_test_turn_create_permission (pupil_turn, &classmate_address), ==, 0);
  kibitz_test_udp_send (classmate, &pupil_relay, "before", 6);
  kibitz_test_turn_expect_data_indication (pupil_turn, &classmate_address, "before");

  /* Removed: its credentials no longer work, and its live allocation stops
   * relaying at once (the relay's next once-a-second sweep), not when it
   * would have expired. */
  kibitz_test_client_send (teacher, "{\"type\":\"remove\",\"id\":\"%s\"}",
                           json_object_get_string_member (pupil_welcome, "id"));
  removed = kibitz_test_client_wait (pupil, "removed", 5000);
  g_assert_nonnull (removed);
  kibitz_test_spin (200);
  g_assert_cmpint (kibitz_test_turn_create_permission (pupil_turn, &teacher_relay), ==, 401);
  g_usleep (2200 * 1000);
  while (kibitz_test_turn_client_receive (pupil_turn, 100) != NULL)
    ;
  kibitz_test_udp_send (classmate, &pupil_relay, "after", 5);
  g_assert_null (kibitz_test_turn_client_receive (pupil_turn, 1000));
  close (classmate);
  /* The teacher's still do. */
  g_assert_cmpint (kibitz_test_turn_create_permission (teacher_turn, &member), ==, 0);
  g_assert_cmpuint (kibitz_test_metric (cs.server, "kibitz_turn_allocations"), ==, 2);

  /* A member who leaves: the same, at once (issue 16: relay resources
   * belong to people in a class), so only the other class's allocation is
   * left within a few sweeps. */
  kibitz_test_client_send (teacher, "{\"type\":\"leave\"}");
  {
    gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

    while (kibitz_test_metric (cs.server, "kibitz_turn_allocations") != 1)
      {
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_usleep (100 * 1000);
      }
  }
  g_assert_cmpint (kibitz_test_turn_create_permission (teacher_turn, &member), ==, 401);
}

static KibitzTestClient *
connect_forwarded (ClassServer *cs,
                   const char  *forwarded_for)
{
  g_autofree char *url = kibitz_test_server_url (cs->server, "/v1/ws");
  g_autoptr(GError) error = NULL;
  KibitzTestClient *client = kibitz_test_client_connect_full (
    url, NULL, (const char * const[]) { "X-Forwarded-For", forwarded_for, NULL }, &error);

  g_assert_no_error (error);
  return client;
}

/* Behind a proxy (--trusted-proxy), a member's address is the one the proxy
 * forwarded, not the proxy's: the relay lets a pupil reach the teacher's
 * real address and not the proxy's, nor an address no member has. */
static void
test_relay_follows_forwarded_addresses (void)
{
  g_auto(ClassServer) cs = class_server_start_full ("--trusted-proxy=127.0.0.1");
  g_autofree char *token = teacher_token (cs.dir, "Pani Ewa");
  g_autoptr(KibitzTestClient) teacher = connect_forwarded (&cs, "127.0.0.5");
  g_autoptr(KibitzTestClient) pupil = connect_forwarded (&cs, "127.0.0.7");
  g_autoptr(JsonObject) teacher_welcome = join_with (teacher, "Ewa", "teacher", token);
  g_autoptr(JsonObject) invite = NULL;
  g_autoptr(JsonObject) pupil_welcome = NULL;
  g_autoptr(KibitzTestTurnClient) pupil_turn = NULL;
  KibitzStunAddress pupil_relay;
  KibitzStunAddress teacher_home = kibitz_test_address ("127.0.0.5", 40000);
  KibitzStunAddress proxy = kibitz_test_address ("127.0.0.1", 40000);
  KibitzStunAddress nobody = kibitz_test_address ("127.0.0.6", 40000);

  g_assert_nonnull (teacher_welcome);
  kibitz_test_client_send (teacher, "{\"type\":\"invite\"}");
  invite = kibitz_test_client_wait (teacher, "invite", 5000);
  pupil_welcome = join_with (pupil, "Kuba", "invite", json_object_get_string_member (invite, "code"));
  g_assert_nonnull (pupil_welcome);

  pupil_turn = turn_client_for (&cs, pupil_welcome);
  kibitz_test_turn_assert_allocated (pupil_turn, kibitz_test_turn_allocate (pupil_turn),
                                     &pupil_relay);
  g_assert_cmpint (kibitz_test_turn_create_permission (pupil_turn, &teacher_home), ==, 0);
  g_assert_cmpint (kibitz_test_turn_create_permission (pupil_turn, &proxy), ==, 403);
  g_assert_cmpint (kibitz_test_turn_create_permission (pupil_turn, &nobody), ==, 403);
}

/* One class cannot take the relay: with --room-quota 3 and --user-quota 2,
 * Ada's third allocation and Bartek's second are refused (486) while a
 * member of another room still gets one; when Ada leaves, her allocations
 * end within the relay's once-a-second sweep and Bartek gets his. */
static void
test_relay_quota_per_room (void)
{
  const char * const args[] = { "--room-quota", "3", "--user-quota", "2", NULL };
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (args);
  ClassServer cs = { server, NULL };
  g_autoptr(KibitzTestClient) ada = kibitz_test_client_connect (server);
  g_autoptr(KibitzTestClient) bartek = kibitz_test_client_connect (server);
  g_autoptr(KibitzTestClient) cyprian = kibitz_test_client_connect (server);
  g_autoptr(JsonObject) wa = kibitz_test_client_join (ada, "Quota", "Ada", NULL);
  g_autoptr(JsonObject) wb = kibitz_test_client_join (bartek, "Quota", "Bartek", NULL);
  g_autoptr(JsonObject) wc = kibitz_test_client_join (cyprian, "Elsewhere", "Cyprian", NULL);
  g_autoptr(JsonObject) left = NULL;
  KibitzTestTurnClient *turns[6];
  KibitzStunAddress relayed;
  int refused = 0;

  for (guint i = 0; i < 3; i++)
    {
      turns[i] = turn_client_for (&cs, wa);
      if (i < 2)
        kibitz_test_turn_assert_allocated (turns[i], kibitz_test_turn_allocate (turns[i]),
                                           &relayed);
      else
        g_assert_cmpint (kibitz_test_turn_error_code (kibitz_test_turn_allocate (turns[i])), ==,
                         486);
    }
  turns[3] = turn_client_for (&cs, wb);
  kibitz_test_turn_assert_allocated (turns[3], kibitz_test_turn_allocate (turns[3]), &relayed);
  turns[4] = turn_client_for (&cs, wb);
  g_assert_cmpint (kibitz_test_turn_error_code (kibitz_test_turn_allocate (turns[4])), ==, 486);
  turns[5] = turn_client_for (&cs, wc);
  kibitz_test_turn_assert_allocated (turns[5], kibitz_test_turn_allocate (turns[5]), &relayed);
  g_assert_cmpuint (kibitz_test_metric (server, "kibitz_turn_allocations"), ==, 4);

  kibitz_test_client_send (ada, "{\"type\":\"leave\"}");
  left = kibitz_test_client_wait (bartek, "left", 5000);
  g_assert_nonnull (left);
  for (guint i = 0; i < 30 && kibitz_test_metric (server, "kibitz_turn_allocations") > 2; i++)
    kibitz_test_spin (100);
  g_assert_cmpuint (kibitz_test_metric (server, "kibitz_turn_allocations"), ==, 2);

  kibitz_test_turn_client_free (turns[4]);
  turns[4] = turn_client_for (&cs, wb);
  refused = kibitz_test_turn_error_code (kibitz_test_turn_allocate (turns[4]));
  g_assert_cmpint (refused, ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (turns); i++)
    kibitz_test_turn_client_free (turns[i]);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/class/waiting-room-and-invite", test_waiting_room_and_invite);
  g_test_add_func ("/server/class/revoked-and-foreign-keys", test_revoked_and_foreign_keys);
  g_test_add_func ("/server/class/board-belongs-to-the-teacher", test_board_belongs_to_the_teacher);
  g_test_add_func ("/server/class/relay-belongs-to-the-class", test_relay_belongs_to_the_class);
  g_test_add_func ("/server/class/relay-quota-per-room", test_relay_quota_per_room);
  g_test_add_func ("/server/class/relay-follows-forwarded-addresses",
                   test_relay_follows_forwarded_addresses);

  return g_test_run ();
}
