/* test-class.c: classes with a teacher (protocol.md §4) in the room logic
 * alone: who gets in, the waiting room, every teacher action and refusal,
 * the hand queue, the unmute rule, tokens that stop working.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "kibitz-class-token.h"
#include "kibitz-message.h"
#include "kibitz-rooms.h"
#include "rooms-fake.h"

#define SECRET "class-secret"

static KibitzRooms *
class_new (guint max_room_size)
{
  KibitzRoomsConfig config = { .secret = SECRET, .max_room_size = max_room_size,
                               .public_base = "https://class.example" };

  return fake_rooms_new (&config);
}

static char *
teacher_token (void)
{
  return kibitz_teacher_token_new (SECRET, "Pani Ewa", fake_now / G_USEC_PER_SEC + 3600);
}

static void
send_join (KibitzRooms *rooms,
           Socket      *socket,
           const char  *name,
           const char  *extra)
{
  g_autofree char *text = g_strdup_printf ("{\"type\":\"join\",\"room\":\"Chess 101\","
                                           "\"name\":\"%s\"%s}", name, extra ? extra : "");

  socket_send (rooms, socket, text);
}

/* Joins with a teacher token; returns the welcome. */
static JsonObject *
join_teacher (KibitzRooms *rooms,
              Socket      *socket,
              const char  *name)
{
  g_autofree char *token = teacher_token ();
  g_autofree char *extra = g_strdup_printf (",\"teacher\":\"%s\"", token);
  JsonObject *welcome;

  send_join (rooms, socket, name, extra);
  welcome = socket_take (socket, "welcome");
  g_assert_nonnull (welcome);
  g_assert_cmpstr (json_object_get_string_member (welcome, "role"), ==, "teacher");
  return welcome;
}

/* Knocks without an invite; returns the waiting id. */
static char *
knock (KibitzRooms *rooms,
       Socket      *socket,
       const char  *name)
{
  g_autoptr(JsonObject) waiting = NULL;

  send_join (rooms, socket, name, NULL);
  waiting = socket_take (socket, "waiting");
  g_assert_nonnull (waiting);
  g_assert_null (socket_take (socket, "welcome"));
  return g_strdup (json_object_get_string_member (waiting, "id"));
}

static void
teacher_says (KibitzRooms *rooms,
              Socket      *teacher,
              const char  *json)
{
  socket_send (rooms, teacher, json);
}

static char *
invite_code (KibitzRooms *rooms,
             Socket      *teacher,
             const char  *request)
{
  g_autoptr(JsonObject) invite = NULL;

  teacher_says (rooms, teacher, request);
  invite = socket_take (teacher, "invite");
  g_assert_nonnull (invite);
  return g_strdup (json_object_get_string_member (invite, "code"));
}

/* Takes the oldest sent message of @type, which must be there. */
static void
assert_got (Socket     *socket,
            const char *type)
{
  g_autoptr(JsonObject) message = socket_take (socket, type);

  g_assert_nonnull (message);
}

/* Takes every sent message of @type; returns the last, or NULL. */
static JsonObject *
take_last (Socket     *socket,
           const char *type)
{
  JsonObject *last = NULL;
  JsonObject *next;

  while ((next = socket_take (socket, type)))
    {
      if (last)
        json_object_unref (last);
      last = next;
    }
  return last;
}

static JsonArray *
hands_of (JsonObject *room_state)
{
  return json_object_get_array_member (room_state, "hands");
}

static void
test_stranger_waits_and_teacher_admits (void)
{
  g_autoptr(KibitzRooms) rooms = class_new (0);
  Socket *teacher = socket_open (rooms);
  Socket *pupil = socket_open (rooms);
  g_autoptr(JsonObject) welcome = join_teacher (rooms, teacher, "Ewa");
  g_autoptr(JsonObject) state = json_object_ref (json_object_get_object_member (welcome,
                                                                                 "room_state"));
  g_autofree char *id = NULL;
  g_autoptr(JsonObject) knocked = NULL;
  g_autoptr(JsonObject) admitted = NULL;
  g_autoptr(JsonObject) joined = NULL;
  g_autofree char *text = NULL;

  g_assert_false (json_object_get_boolean_member (state, "locked"));
  g_assert_true (json_object_get_boolean_member (state, "students_may_unmute"));
  g_assert_true (json_object_get_null_member (state, "spotlight"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (welcome, "waiting")),
                    ==, 0);

  id = knock (rooms, pupil, "Kuba");
  knocked = socket_take (teacher, "knock");
  g_assert_nonnull (knocked);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (knocked, "peer"),
                                                  "name"), ==, "Kuba");
  g_assert_cmpuint (kibitz_rooms_n_waiting (rooms), ==, 1);

  /* A waiting client gets nothing and may do nothing but leave. */
  socket_send (rooms, pupil, "{\"type\":\"chat\",\"text\":\"hello?\"}");
  assert_error (pupil, "not-admitted");
  socket_send (rooms, pupil, "{\"type\":\"state\",\"hand\":true}");
  assert_error (pupil, "not-admitted");
  socket_send (rooms, pupil, "{\"type\":\"join\",\"room\":\"Chess 101\",\"name\":\"K\"}");
  assert_error (pupil, "not-admitted");
  g_assert_null (socket_take (teacher, "chat"));
  text = g_strdup_printf ("{\"type\":\"signal\",\"to\":\"%s\",\"data\":{\"x\":1}}", id);
  teacher_says (rooms, teacher, text);
  assert_error (teacher, "unknown-peer");

  /* Nobody gets in on their own, also not a waiting client whose teacher
   * arrives later: the teacher admits. */
  g_clear_pointer (&text, g_free);
  text = g_strdup_printf ("{\"type\":\"admit\",\"id\":\"%s\"}", id);
  teacher_says (rooms, teacher, text);
  admitted = socket_take (pupil, "welcome");
  g_assert_nonnull (admitted);
  g_assert_cmpstr (json_object_get_string_member (admitted, "id"), ==, id);
  g_assert_cmpstr (json_object_get_string_member (admitted, "role"), ==, "student");
  g_assert_false (json_object_has_member (admitted, "waiting"));
  joined = socket_take (teacher, "joined");
  g_assert_nonnull (joined);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (joined, "peer"),
                                                  "role"), ==, "student");
  g_assert_cmpuint (kibitz_rooms_n_waiting (rooms), ==, 0);

  /* Admitting twice: nobody is waiting under that id any more. */
  teacher_says (rooms, teacher, text);
  assert_error (teacher, "unknown-peer");

  socket_drop (rooms, teacher);
  socket_drop (rooms, pupil);
}

static void
test_teacher_messages_from_others_are_forbidden (void)
{
  static const char * const messages[] = {
    "{\"type\":\"admit\",\"all\":true}", "{\"type\":\"deny\",\"id\":\"p-1\"}",
    "{\"type\":\"lock\",\"locked\":true}", "{\"type\":\"remove\",\"id\":\"p-1\"}",
    "{\"type\":\"mute\",\"all\":true}", "{\"type\":\"room\",\"spotlight\":null}",
    "{\"type\":\"lower-hand\",\"all\":true}", "{\"type\":\"invite\"}", "{\"type\":\"end\"}",
  };
  g_autoptr(KibitzRooms) rooms = class_new (0);
  Socket *teacher = socket_open (rooms);
  Socket *pupil = socket_open (rooms);
  g_autoptr(JsonObject) welcome = join_teacher (rooms, teacher, "Ewa");
  g_autofree char *code = invite_code (rooms, teacher, "{\"type\":\"invite\"}");
  g_autofree char *extra = g_strdup_printf (",\"invite\":\"%s\"", code);
  g_autoptr(JsonObject) student = NULL;
  KibitzRoomsConfig open_config = { .secret = SECRET, .policy = KIBITZ_ROOM_POLICY_OPEN };
  g_autoptr(KibitzRooms) open_rooms = fake_rooms_new (&open_config);
  Socket *member = socket_open (open_rooms);
  g_autofree char *token = teacher_token ();
  g_autofree char *teacher_extra = g_strdup_printf (",\"teacher\":\"%s\"", token);
  g_autoptr(JsonObject) member_welcome = NULL;

  send_join (rooms, pupil, "Kuba", extra);
  student = socket_take (pupil, "welcome");
  g_assert_nonnull (student);
  g_assert_cmpstr (json_object_get_string_member (student, "role"), ==, "student");

  /* An open room has no teachers, whatever token one brings. */
  send_join (open_rooms, member, "Ewa", teacher_extra);
  member_welcome = socket_take (member, "welcome");
  g_assert_cmpstr (json_object_get_string_member (member_welcome, "role"), ==, "member");

  for (guint i = 0; i < G_N_ELEMENTS (messages); i++)
    {
      socket_send (rooms, pupil, messages[i]);
      assert_error (pupil, "forbidden");
      socket_send (open_rooms, member, messages[i]);
      assert_error (member, "forbidden");
    }
  g_assert_null (socket_take (teacher, "room_state"));
  g_assert_false (pupil->closed);

  /* Members that are missing or mistyped are bad requests, not actions. */
  teacher_says (rooms, teacher, "{\"type\":\"admit\"}");
  assert_error (teacher, "bad-request");
  teacher_says (rooms, teacher, "{\"type\":\"lock\",\"locked\":\"yes\"}");
  assert_error (teacher, "bad-request");
  teacher_says (rooms, teacher, "{\"type\":\"invite\",\"ttl\":59}");
  assert_error (teacher, "bad-request");
  teacher_says (rooms, teacher, "{\"type\":\"invite\",\"ttl\":604801}");
  assert_error (teacher, "bad-request");
  teacher_says (rooms, teacher, "{\"type\":\"room\",\"spotlight\":7}");
  assert_error (teacher, "bad-request");
  teacher_says (rooms, teacher, "{\"type\":\"room\",\"spotlight\":\"p-nobody\"}");
  assert_error (teacher, "unknown-peer");

  socket_drop (rooms, teacher);
  socket_drop (rooms, pupil);
  socket_drop (open_rooms, member);
}

static void
test_tokens_that_do_not_verify (void)
{
  g_autoptr(KibitzRooms) rooms = class_new (0);
  Socket *teacher = socket_open (rooms);
  g_autoptr(JsonObject) welcome = join_teacher (rooms, teacher, "Ewa");
  g_autofree char *good = teacher_token ();
  g_autofree char *expired = kibitz_teacher_token_new (SECRET, "Old", fake_now / G_USEC_PER_SEC - 1);
  g_autofree char *foreign = kibitz_teacher_token_new ("other-secret", "Mallory",
                                                       fake_now / G_USEC_PER_SEC + 3600);
  g_autofree char *tampered = g_strdup (good);
  g_autofree char *revoked_id = kibitz_teacher_token_id (good);
  const char *revoked[] = { revoked_id, NULL };
  g_autofree char *other_room = kibitz_invite_code_new (SECRET, "chess 102",
                                                        fake_now / 1000, fake_now / G_USEC_PER_SEC + 60);
  g_autofree char *old_invite = kibitz_invite_code_new (SECRET, "chess 101", fake_now / 1000 - 100,
                                                        fake_now / G_USEC_PER_SEC - 1);
  g_autofree char *forged = kibitz_invite_code_new ("other-secret", "chess 101", fake_now / 1000,
                                                    fake_now / G_USEC_PER_SEC + 60);
  struct { const char *member; const char *value; const char *error; const char *reason; }
  cases[] = {
    { "teacher", expired, "bad-token", "no-invite" },
    { "teacher", foreign, "bad-token", "no-invite" },
    { "teacher", tampered, "bad-token", "no-invite" },
    { "teacher", "kt1", "bad-token", "no-invite" },
    { "invite", other_room, NULL, "invite-invalid" },
    { "invite", old_invite, NULL, "invite-expired" },
    { "invite", forged, NULL, "invite-invalid" },
    { "invite", "....", NULL, "invite-invalid" },
    { "invite", "Y2hlc3MgMTAx.1.99999999999.00", NULL, "invite-invalid" },
  };

  tampered[strlen (tampered) - 1] = tampered[strlen (tampered) - 1] == '0' ? '1' : '0';

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Socket *socket = socket_open (rooms);
      g_autofree char *extra = g_strdup_printf (",\"%s\":\"%s\"", cases[i].member,
                                                cases[i].value);
      g_autoptr(JsonObject) waiting = NULL;

      send_join (rooms, socket, "Stranger", extra);
      if (cases[i].error)
        assert_error (socket, cases[i].error);
      waiting = socket_take (socket, "waiting");
      g_assert_nonnull (waiting);
      g_assert_cmpstr (json_object_get_string_member (waiting, "reason"), ==, cases[i].reason);
      g_assert_null (socket_take (socket, "welcome"));
      socket_drop (rooms, socket);
      g_assert_cmpuint (kibitz_rooms_n_waiting (rooms), ==, 0);
    }

  /* A revoked key stops working; the teacher in the room stays. */
  kibitz_rooms_set_revoked (rooms, revoked);
  {
    Socket *socket = socket_open (rooms);
    g_autofree char *extra = g_strdup_printf (",\"teacher\":\"%s\"", good);
    g_autoptr(JsonObject) withdrawn = NULL;

    send_join (rooms, socket, "Ewa again", extra);
    assert_error (socket, "bad-token");
    assert_got (socket, "waiting");
    socket_drop (rooms, socket);
    withdrawn = socket_take (teacher, "withdrawn");
    g_assert_nonnull (withdrawn);
  }
  g_assert_false (teacher->closed);

  socket_drop (rooms, teacher);
}

static void
test_deny_lock_and_a_full_waiting_room (void)
{
  g_autoptr(KibitzRooms) rooms = class_new (0);
  Socket *teacher = socket_open (rooms);
  Socket *denied = socket_open (rooms);
  g_autoptr(JsonObject) welcome = join_teacher (rooms, teacher, "Ewa");
  g_autofree char *id = knock (rooms, denied, "Troll");
  g_autofree char *text = g_strdup_printf ("{\"type\":\"deny\",\"id\":\"%s\"}", id);
  g_autoptr(JsonObject) state = NULL;
  g_autoptr(GPtrArray) crowd = g_ptr_array_new ();
  g_autofree char *code = invite_code (rooms, teacher, "{\"type\":\"invite\",\"ttl\":600}");
  g_autofree char *invite_extra = g_strdup_printf (",\"invite\":\"%s\"", code);

  teacher_says (rooms, teacher, text);
  assert_error (denied, "denied");
  g_assert_true (denied->closed);
  g_assert_cmpuint (denied->close_code, ==, 1008);
  socket_drop (rooms, denied);

  /* 64 wait; the 65th is told the waiting room is full. */
  for (guint i = 0; i < 65; i++)
    {
      Socket *socket = socket_open (rooms);

      send_join (rooms, socket, "Crowd", NULL);
      g_ptr_array_add (crowd, socket);
    }
  g_assert_cmpuint (kibitz_rooms_n_waiting (rooms), ==, 64);
  assert_error (g_ptr_array_index (crowd, 64), "room-full");

  /* Locked: no waiting room, not even with an invite; a teacher still gets in. */
  teacher_says (rooms, teacher, "{\"type\":\"lock\",\"locked\":true}");
  state = socket_take (teacher, "room_state");
  g_assert_true (json_object_get_boolean_member (state, "locked"));
  {
    Socket *late = socket_open (rooms);
    Socket *invited = socket_open (rooms);
    Socket *co_teacher = socket_open (rooms);
    g_autoptr(JsonObject) co_welcome = NULL;

    send_join (rooms, late, "Late", NULL);
    assert_error (late, "room-locked");
    g_assert_cmpuint (late->close_code, ==, 1008);
    send_join (rooms, invited, "Invited", invite_extra);
    assert_error (invited, "room-locked");
    co_welcome = join_teacher (rooms, co_teacher, "Marek");
    /* A teacher who arrives sees who waits. */
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (co_welcome, "waiting")),
                      ==, 64);
    socket_drop (rooms, late);
    socket_drop (rooms, invited);
    socket_drop (rooms, co_teacher);
  }

  for (guint i = 0; i < crowd->len; i++)
    socket_drop (rooms, g_ptr_array_index (crowd, i));
  g_assert_cmpuint (kibitz_rooms_n_waiting (rooms), ==, 0);
  socket_drop (rooms, teacher);
}

static void
test_admit_all_up_to_the_room_size (void)
{
  g_autoptr(KibitzRooms) rooms = class_new (3);
  Socket *teacher = socket_open (rooms);
  g_autoptr(JsonObject) welcome = join_teacher (rooms, teacher, "Ewa");
  Socket *pupils[3];

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *id = NULL;

      pupils[i] = socket_open (rooms);
      id = knock (rooms, pupils[i], "Pupil");
    }

  teacher_says (rooms, teacher, "{\"type\":\"admit\",\"all\":true}");
  /* Room of three: the teacher and the first two; the third keeps waiting. */
  assert_got (pupils[0], "welcome");
  assert_got (pupils[1], "welcome");
  g_assert_null (socket_take (pupils[2], "welcome"));
  assert_error (teacher, "room-full");
  g_assert_cmpuint (kibitz_rooms_n_waiting (rooms), ==, 1);

  for (guint i = 0; i < 3; i++)
    socket_drop (rooms, pupils[i]);
  socket_drop (rooms, teacher);
}

static void
test_hands_mute_and_spotlight (void)
{
  g_autoptr(KibitzRooms) rooms = class_new (0);
  Socket *teacher = socket_open (rooms);
  Socket *a = socket_open (rooms);
  Socket *b = socket_open (rooms);
  g_autoptr(JsonObject) welcome = join_teacher (rooms, teacher, "Ewa");
  g_autofree char *code = invite_code (rooms, teacher, "{\"type\":\"invite\"}");
  g_autofree char *extra = g_strdup_printf (",\"invite\":\"%s\"", code);
  g_autoptr(JsonObject) wa = NULL;
  g_autoptr(JsonObject) wb = NULL;
  g_autoptr(JsonObject) state = NULL;
  g_autoptr(JsonObject) muted = NULL;
  g_autoptr(JsonObject) forced = NULL;
  g_autofree char *text = NULL;
  const char *ida, *idb;

  send_join (rooms, a, "Ala", extra);
  send_join (rooms, b, "Bartek", extra);
  wa = socket_take (a, "welcome");
  wb = socket_take (b, "welcome");
  ida = json_object_get_string_member (wa, "id");
  idb = json_object_get_string_member (wb, "id");
  g_ptr_array_set_size (teacher->sent, 0);

  /* Hands queue in the order the server saw them go up. */
  socket_send (rooms, b, "{\"type\":\"state\",\"hand\":true}");
  socket_send (rooms, a, "{\"type\":\"state\",\"hand\":true}");
  state = take_last (teacher, "room_state");
  g_assert_cmpuint (json_array_get_length (hands_of (state)), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (hands_of (state), 0), ==, idb);
  g_assert_cmpstr (json_array_get_string_element (hands_of (state), 1), ==, ida);

  /* The teacher lowers Bartek's hand: everyone, Bartek too, sees his state. */
  text = g_strdup_printf ("{\"type\":\"lower-hand\",\"id\":\"%s\"}", idb);
  teacher_says (rooms, teacher, text);
  forced = take_last (b, "state");
  g_assert_nonnull (forced);
  g_assert_cmpstr (json_object_get_string_member (forced, "from"), ==, idb);
  g_assert_false (json_object_get_boolean_member (forced, "hand"));
  g_clear_pointer (&state, json_object_unref);
  state = take_last (a, "room_state");
  g_assert_cmpuint (json_array_get_length (hands_of (state)), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (hands_of (state), 0), ==, ida);

  /* Mute all: the students hear `muted`, the others see audio off. */
  teacher_says (rooms, teacher, "{\"type\":\"mute\",\"all\":true}");
  muted = socket_take (a, "muted");
  g_assert_nonnull (muted);
  g_assert_cmpstr (json_object_get_string_member (muted, "by"), ==,
                   json_object_get_string_member (welcome, "id"));
  assert_got (b, "muted");
  g_assert_null (socket_take (teacher, "muted"));
  g_clear_pointer (&forced, json_object_unref);
  forced = take_last (teacher, "state");
  g_assert_false (json_object_get_boolean_member (forced, "audio"));

  /* Students may unmute, until the teacher says they may not. */
  socket_send (rooms, a, "{\"type\":\"state\",\"audio\":true}");
  g_assert_null (socket_take (a, "error"));
  teacher_says (rooms, teacher, "{\"type\":\"room\",\"students_may_unmute\":false}");
  socket_send (rooms, b, "{\"type\":\"state\",\"audio\":true,\"video\":false}");
  assert_error (b, "forbidden");
  socket_send (rooms, b, "{\"type\":\"state\",\"audio\":false,\"video\":false}");
  g_assert_null (socket_take (b, "error"));

  /* Spotlight, and it goes when its peer goes. */
  g_clear_pointer (&text, g_free);
  text = g_strdup_printf ("{\"type\":\"room\",\"spotlight\":\"%s\"}", ida);
  teacher_says (rooms, teacher, text);
  g_ptr_array_set_size (teacher->sent, 0);
  socket_send (rooms, a, "{\"type\":\"leave\"}");
  g_clear_pointer (&state, json_object_unref);
  state = take_last (teacher, "room_state");
  g_assert_nonnull (state);
  g_assert_true (json_object_get_null_member (state, "spotlight"));
  g_assert_cmpuint (json_array_get_length (hands_of (state)), ==, 0);

  socket_drop (rooms, a);
  socket_drop (rooms, b);
  socket_drop (rooms, teacher);
}

static void
test_removed_pupil_waits_again (void)
{
  g_autoptr(KibitzRooms) rooms = class_new (0);
  Socket *teacher = socket_open (rooms);
  Socket *pupil = socket_open (rooms);
  Socket *back = socket_open (rooms);
  g_autoptr(JsonObject) welcome = join_teacher (rooms, teacher, "Ewa");
  g_autofree char *code = invite_code (rooms, teacher, "{\"type\":\"invite\"}");
  g_autofree char *extra = g_strdup_printf (",\"invite\":\"%s\"", code);
  g_autoptr(JsonObject) admitted = NULL;
  g_autoptr(JsonObject) removed = NULL;
  g_autoptr(JsonObject) left = NULL;
  g_autofree char *text = NULL;
  g_autofree char *resume_extra = NULL;
  g_autofree char *id = NULL;

  send_join (rooms, pupil, "Troll", extra);
  admitted = socket_take (pupil, "welcome");
  id = g_strdup (json_object_get_string_member (admitted, "id"));
  g_assert_false (kibitz_rooms_peer_voided (rooms, id));

  text = g_strdup_printf ("{\"type\":\"remove\",\"id\":\"%s\"}", id);
  teacher_says (rooms, teacher, text);
  removed = socket_take (pupil, "removed");
  g_assert_nonnull (removed);
  g_assert_true (pupil->closed);
  g_assert_cmpuint (pupil->close_code, ==, 1008);
  left = socket_take (teacher, "left");
  g_assert_cmpstr (json_object_get_string_member (left, "reason"), ==, "removed");
  g_assert_true (kibitz_rooms_peer_voided (rooms, id));

  /* Back with its resume token: a stranger again, in the waiting room. */
  resume_extra = g_strdup_printf (",\"resume\":\"%s\"",
                                  json_object_get_string_member (admitted, "resume"));
  send_join (rooms, back, "Troll", resume_extra);
  g_assert_null (socket_take (back, "welcome"));
  assert_got (back, "waiting");

  teacher_says (rooms, teacher, "{\"type\":\"remove\",\"id\":\"p-nobody\"}");
  assert_error (teacher, "unknown-peer");

  socket_drop (rooms, pupil);
  socket_drop (rooms, back);
  socket_drop (rooms, teacher);
}

static void
test_resume_keeps_the_role (void)
{
  g_autoptr(KibitzRooms) rooms = class_new (0);
  Socket *teacher = socket_open (rooms);
  Socket *pupil = socket_open (rooms);
  Socket *again = NULL;
  g_autoptr(JsonObject) welcome = join_teacher (rooms, teacher, "Ewa");
  g_autofree char *code = invite_code (rooms, teacher, "{\"type\":\"invite\"}");
  g_autofree char *extra = g_strdup_printf (",\"invite\":\"%s\"", code);
  g_autoptr(JsonObject) first = NULL;
  g_autoptr(JsonObject) resumed = NULL;
  g_autofree char *resume_extra = NULL;

  send_join (rooms, pupil, "Ala", extra);
  first = socket_take (pupil, "welcome");
  socket_drop (rooms, pupil);

  /* Locked meanwhile: an admitted pupil still comes back. */
  teacher_says (rooms, teacher, "{\"type\":\"lock\",\"locked\":true}");
  again = socket_open (rooms);
  resume_extra = g_strdup_printf (",\"resume\":\"%s\"",
                                  json_object_get_string_member (first, "resume"));
  send_join (rooms, again, "Ala", resume_extra);
  resumed = socket_take (again, "welcome");
  g_assert_nonnull (resumed);
  g_assert_true (json_object_get_boolean_member (resumed, "resumed"));
  g_assert_cmpstr (json_object_get_string_member (resumed, "role"), ==, "student");

  socket_drop (rooms, again);
  socket_drop (rooms, teacher);
}

static void
test_end_voids_the_class (void)
{
  g_autoptr(KibitzRooms) rooms = class_new (0);
  Socket *teacher = socket_open (rooms);
  Socket *pupil = socket_open (rooms);
  Socket *waiting = socket_open (rooms);
  Socket *after = socket_open (rooms);
  Socket *next_teacher = socket_open (rooms);
  Socket *next_pupil = socket_open (rooms);
  g_autoptr(JsonObject) welcome = join_teacher (rooms, teacher, "Ewa");
  g_autofree char *code = invite_code (rooms, teacher, "{\"type\":\"invite\"}");
  g_autofree char *extra = g_strdup_printf (",\"invite\":\"%s\"", code);
  g_autoptr(JsonObject) admitted = NULL;
  g_autoptr(JsonObject) ended = NULL;
  g_autoptr(JsonObject) waiting_after = NULL;
  g_autoptr(JsonObject) next_welcome = NULL;
  g_autofree char *waiting_id = NULL;
  g_autofree char *next_code = NULL;
  g_autofree char *next_extra = NULL;

  send_join (rooms, pupil, "Ala", extra);
  admitted = socket_take (pupil, "welcome");
  waiting_id = knock (rooms, waiting, "Late");

  fake_now += G_USEC_PER_SEC / 100;
  teacher_says (rooms, teacher, "{\"type\":\"end\"}");
  ended = socket_take (pupil, "ended");
  g_assert_nonnull (ended);
  g_assert_cmpuint (pupil->close_code, ==, 1000);
  assert_got (waiting, "ended");
  g_assert_true (waiting->closed);
  assert_got (teacher, "ended");
  g_assert_null (socket_take (teacher, "left"));
  g_assert_cmpuint (kibitz_rooms_n_rooms (rooms), ==, 0);
  g_assert_cmpuint (kibitz_rooms_n_peers (rooms), ==, 0);
  g_assert_true (kibitz_rooms_peer_voided (rooms, json_object_get_string_member (admitted, "id")));

  /* The old invite no longer lets anyone in... */
  fake_now += G_USEC_PER_SEC / 100;
  send_join (rooms, after, "Ala", extra);
  waiting_after = socket_take (after, "waiting");
  g_assert_cmpstr (json_object_get_string_member (waiting_after, "reason"), ==, "invite-invalid");

  /* ...but the next class under the same name gets new ones. */
  next_welcome = join_teacher (rooms, next_teacher, "Ewa");
  next_code = invite_code (rooms, next_teacher, "{\"type\":\"invite\"}");
  next_extra = g_strdup_printf (",\"invite\":\"%s\"", next_code);
  send_join (rooms, next_pupil, "Ala", next_extra);
  assert_got (next_pupil, "welcome");

  socket_drop (rooms, teacher);
  socket_drop (rooms, pupil);
  socket_drop (rooms, waiting);
  socket_drop (rooms, after);
  socket_drop (rooms, next_teacher);
  socket_drop (rooms, next_pupil);
}

static void
test_relay_only_and_invite_url (void)
{
  KibitzRoomsConfig config = { .secret = SECRET, .student_relay_only = TRUE,
                               .public_base = "https://class.example" };
  g_autoptr(KibitzRooms) rooms = fake_rooms_new (&config);
  Socket *teacher = socket_open (rooms);
  Socket *pupil = socket_open (rooms);
  g_autoptr(JsonObject) welcome = join_teacher (rooms, teacher, "Ewa");
  g_autoptr(JsonObject) invite = NULL;
  g_autoptr(JsonObject) student = NULL;
  g_autofree char *extra = NULL;
  g_autofree char *room_key = NULL;
  const char *url;

  g_assert_false (json_object_has_member (welcome, "ice_transport_policy"));
  teacher_says (rooms, teacher, "{\"type\":\"invite\",\"ttl\":3600}");
  invite = socket_take (teacher, "invite");
  url = json_object_get_string_member (invite, "url");
  g_assert_true (g_str_has_prefix (url, "https://class.example/j/"));
  g_assert_cmpstr (url + strlen ("https://class.example/j/"), ==,
                   json_object_get_string_member (invite, "code"));
  g_assert_cmpint (json_object_get_int_member (invite, "expires"), ==,
                   fake_now / G_USEC_PER_SEC + 3600);
  g_assert_cmpint (kibitz_invite_code_verify (SECRET, json_object_get_string_member (invite, "code"),
                                              fake_now / G_USEC_PER_SEC, &room_key, NULL),
                   ==, KIBITZ_TOKEN_VALID);
  g_assert_cmpstr (room_key, ==, "chess 101");

  extra = g_strdup_printf (",\"invite\":\"%s\"", json_object_get_string_member (invite, "code"));
  send_join (rooms, pupil, "Ala", extra);
  student = socket_take (pupil, "welcome");
  g_assert_cmpstr (json_object_get_string_member (student, "ice_transport_policy"), ==, "relay");

  socket_drop (rooms, pupil);
  socket_drop (rooms, teacher);
}

/* Screens (Kibitz's addition to §4): a pupil shares only with the teacher's
 * leave (room_state.sharers); taken back, the pupil's screen is off for
 * everyone at once, whatever its client does; a pupil that leaves leaves
 * the list. Members and teachers share freely. */
static void
test_pupils_share_with_leave (void)
{
  g_autoptr(KibitzRooms) rooms = class_new (0);
  Socket *teacher = socket_open (rooms);
  Socket *a = socket_open (rooms);
  Socket *b = socket_open (rooms);
  g_autoptr(JsonObject) welcome = join_teacher (rooms, teacher, "Ewa");
  g_autofree char *code = invite_code (rooms, teacher, "{\"type\":\"invite\"}");
  g_autofree char *extra = g_strdup_printf (",\"invite\":\"%s\"", code);
  g_autoptr(JsonObject) wa = NULL;
  g_autoptr(JsonObject) state = NULL;
  g_autoptr(JsonObject) shared = NULL;
  g_autoptr(JsonObject) forced = NULL;
  g_autofree char *text = NULL;
  const char *ida;
  JsonArray *sharers;

  send_join (rooms, a, "Ada", extra);
  send_join (rooms, b, "Bartek", extra);
  wa = socket_take (a, "welcome");
  ida = json_object_get_string_member (wa, "id");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                      json_object_get_object_member (wa, "room_state"), "sharers")), ==, 0);

  /* Without leave: refused, and nobody hears of a share. */
  g_ptr_array_set_size (b->sent, 0);
  socket_send (rooms, a, "{\"type\":\"state\",\"screen\":true}");
  assert_error (a, "forbidden");
  g_assert_null (socket_take (b, "state"));

  /* The teacher's own share needs no leave. */
  socket_send (rooms, teacher, "{\"type\":\"state\",\"screen\":true}");
  g_assert_null (socket_take (teacher, "error"));
  shared = take_last (a, "state");
  g_assert_true (json_object_get_boolean_member (shared, "screen"));

  /* With leave: Ada shares, the others see it. */
  text = g_strdup_printf ("{\"type\":\"room\",\"sharers\":[\"%s\",\"%s\"]}", ida, ida);
  teacher_says (rooms, teacher, text);
  state = take_last (b, "room_state");
  sharers = json_object_get_array_member (state, "sharers");
  g_assert_cmpuint (json_array_get_length (sharers), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (sharers, 0), ==, ida);
  g_ptr_array_set_size (b->sent, 0);
  socket_send (rooms, a, "{\"type\":\"state\",\"screen\":true}");
  g_assert_null (socket_take (a, "error"));
  g_clear_pointer (&shared, json_object_unref);
  shared = take_last (b, "state");
  g_assert_cmpstr (json_object_get_string_member (shared, "from"), ==, ida);
  g_assert_true (json_object_get_boolean_member (shared, "screen"));

  /* Taken back: everyone, Ada too, sees her screen off. */
  g_ptr_array_set_size (a->sent, 0);
  g_ptr_array_set_size (b->sent, 0);
  teacher_says (rooms, teacher, "{\"type\":\"room\",\"sharers\":[]}");
  forced = take_last (b, "state");
  g_assert_nonnull (forced);
  g_assert_cmpstr (json_object_get_string_member (forced, "from"), ==, ida);
  g_assert_false (json_object_get_boolean_member (forced, "screen"));
  g_clear_pointer (&forced, json_object_unref);
  forced = take_last (a, "state");
  g_assert_nonnull (forced);
  g_assert_false (json_object_get_boolean_member (forced, "screen"));

  /* A malformed list is a bad request and changes nothing. */
  teacher_says (rooms, teacher, "{\"type\":\"room\",\"sharers\":\"everyone\"}");
  assert_error (teacher, "bad-request");

  socket_drop (rooms, a);
  socket_drop (rooms, b);
  socket_drop (rooms, teacher);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/class/stranger-waits-and-teacher-admits", test_stranger_waits_and_teacher_admits);
  g_test_add_func ("/class/teacher-messages-from-others-are-forbidden",
                   test_teacher_messages_from_others_are_forbidden);
  g_test_add_func ("/class/tokens-that-do-not-verify", test_tokens_that_do_not_verify);
  g_test_add_func ("/class/deny-lock-and-a-full-waiting-room", test_deny_lock_and_a_full_waiting_room);
  g_test_add_func ("/class/admit-all-up-to-the-room-size", test_admit_all_up_to_the_room_size);
  g_test_add_func ("/class/hands-mute-and-spotlight", test_hands_mute_and_spotlight);
  g_test_add_func ("/class/pupils-share-with-leave", test_pupils_share_with_leave);
  g_test_add_func ("/class/removed-pupil-waits-again", test_removed_pupil_waits_again);
  g_test_add_func ("/class/resume-keeps-the-role", test_resume_keeps_the_role);
  g_test_add_func ("/class/end-voids-the-class", test_end_voids_the_class);
  g_test_add_func ("/class/relay-only-and-invite-url", test_relay_only_and_invite_url);

  return g_test_run ();
}
