/* test-liveness.c: silent sockets and the grace period, in real time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "kibitz-test-raw.h"
#include "kibitz-test-server.h"

/* A client that joins and then never answers a ping: the server drops its
 * socket after 15 s of silence, keeps its slot 15 s more, then tells the
 * room it left with reason "timeout": gone for everyone within 35 s.
 */
static void
test_vanished_peer (void)
{
  const char * const args[] = { "--http", "127.0.0.1:0", "--secret", "s", NULL };
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (args);
  g_autoptr(KibitzTestClient) b = kibitz_test_client_connect (server);
  g_autoptr(JsonObject) wb = kibitz_test_client_join (b, "room", "Bartek", NULL);
  g_autoptr(GSocketConnection) raw = kibitz_raw_ws_connect (server->http);
  g_autoptr(JsonObject) joined = NULL;
  g_autoptr(JsonObject) left = NULL;
  g_autoptr(GError) error = NULL;
  const char *join = "{\"type\":\"join\",\"room\":\"room\",\"name\":\"Zbyszek\"}";
  gint64 silent_since;
  gint64 closed_at = 0;
  gint64 left_at;
  guint pings = 0;

  g_assert_true (kibitz_raw_ws_send_frame (raw, TRUE, 0x1, (const guint8 *) join, strlen (join),
                                           &error));
  joined = kibitz_test_client_wait (b, "joined", 5000);
  g_assert_nonnull (joined);
  silent_since = g_get_monotonic_time ();

  /* Read (and never answer) until the server closes. */
  while (closed_at == 0 && g_get_monotonic_time () - silent_since < 30 * G_USEC_PER_SEC)
    {
      g_autofree char *payload = NULL;
      guint8 opcode = 0;

      /* Keep the main loop turning so the polite client answers its pings. */
      kibitz_test_spin (100);
      switch (kibitz_raw_ws_read_frame (raw, 100, &opcode, &payload))
        {
        case KIBITZ_RAW_TIMEOUT:
          break;
        case KIBITZ_RAW_CLOSED:
          closed_at = g_get_monotonic_time ();
          break;
        case KIBITZ_RAW_FRAME:
          if (opcode == 0x9)
            pings++;
          else if (opcode == 0x8)
            closed_at = g_get_monotonic_time ();
          break;
        }
    }

  g_assert_cmpint (closed_at, >, 0);
  g_test_message ("silent socket closed after %.1f s, %u pings seen",
                  (closed_at - silent_since) / 1e6, pings);
  g_assert_cmpuint (pings, >=, 2);
  g_assert_cmpint (closed_at - silent_since, >=, 14 * G_USEC_PER_SEC);
  g_assert_cmpint (closed_at - silent_since, <=, 18 * G_USEC_PER_SEC);

  /* Nothing yet: the slot is kept for a resume. */
  kibitz_test_client_assert_no (b, "left", 5000);

  left = kibitz_test_client_wait (b, "left", 20000);
  left_at = g_get_monotonic_time ();
  g_assert_nonnull (left);
  g_assert_cmpstr (json_object_get_string_member (left, "reason"), ==, "timeout");
  g_test_message ("left after %.1f s of silence", (left_at - silent_since) / 1e6);
  g_assert_cmpint (left_at - silent_since, <=, 35 * G_USEC_PER_SEC);

  /* A client that answers pings (libsoup does) stays. */
  g_assert_false (b->closed);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/liveness/vanished-peer", test_vanished_peer);

  return g_test_run ();
}
