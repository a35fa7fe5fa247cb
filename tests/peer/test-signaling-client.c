/* test-signaling-client.c: KibitzSignaling against a real kibitz-server that
 * drops sockets and restarts.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "kibitz-protocol-error.h"
#include "kibitz-signaling.h"
#include "kibitz-test-server.h"

typedef struct {
  guint       welcomes;
  gboolean    resumed;
  char       *id;
  GPtrArray  *signals;   /* JsonObject * (data) */
  GError     *failure;
} Seen;

static void
welcome_cb (KibitzSignaling *signaling,
            JsonObject      *welcome,
            Seen            *seen)
{
  seen->welcomes++;
  seen->resumed = json_object_get_boolean_member (welcome, "resumed");
  g_free (seen->id);
  seen->id = g_strdup (json_object_get_string_member (welcome, "id"));
}

static void
signal_cb (KibitzSignaling *signaling,
           const char      *from,
           JsonObject      *data,
           Seen            *seen)
{
  g_ptr_array_add (seen->signals, json_object_ref (data));
}

static void
failed_cb (KibitzSignaling *signaling,
           const GError    *error,
           Seen            *seen)
{
  seen->failure = g_error_copy (error);
}

static void
seen_clear (Seen *seen)
{
  g_free (seen->id);
  g_ptr_array_unref (seen->signals);
  g_clear_error (&seen->failure);
}

static KibitzSignaling *
start_client (KibitzTestServer *server,
              const char       *room,
              const char       *name,
              Seen             *seen)
{
  g_autofree char *url = kibitz_test_server_url (server, "/v1/ws");
  KibitzSignaling *signaling = kibitz_signaling_new (url, room, name);

  seen->signals = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_signal_connect (signaling, "welcome", G_CALLBACK (welcome_cb), seen);
  g_signal_connect (signaling, "signal", G_CALLBACK (signal_cb), seen);
  g_signal_connect (signaling, "failed", G_CALLBACK (failed_cb), seen);
  kibitz_signaling_start (signaling);

  return signaling;
}

static gboolean
welcomes_at_least_2 (gpointer data)
{
  return ((Seen *) data)->welcomes >= 2;
}

static gboolean
welcomed (gpointer data)
{
  return ((Seen *) data)->welcomes >= 1;
}

static gboolean
has_signal (gpointer data)
{
  return ((Seen *) data)->signals->len > 0;
}

static guint16
free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, address, TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);

  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/* The server dies (SIGKILL) and comes back on the same address with the same
 * secret: the client reconnects by itself within the 3 s backoff cap and gets
 * its id back. (A signal queued meanwhile may reach the new server before its
 * addressee is back, and is then refused as unknown-peer: the call layer
 * renegotiates such links; see outbox-across-reconnect for the queue.)
 */
static void
test_server_restart (void)
{
  g_autofree char *http = g_strdup_printf ("127.0.0.1:%u", free_port ());
  const char * const args[] = { "--http", http, "--secret", "restart", NULL };
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (args);
  Seen a = { 0 }, b = { 0 };
  g_autoptr(KibitzSignaling) sa = start_client (server, "room", "Ada", &a);
  g_autoptr(KibitzSignaling) sb = start_client (server, "room", "Bartek", &b);
  g_autofree char *a_id = NULL;
  gint64 killed_at, back_at;

  g_assert_true (kibitz_test_spin_until (welcomed, &a, 5000));
  g_assert_true (kibitz_test_spin_until (welcomed, &b, 5000));
  a_id = g_strdup (a.id);

  kibitz_test_server_kill (server);
  killed_at = g_get_monotonic_time ();
  kibitz_test_spin (500);

  kibitz_test_server_free (g_steal_pointer (&server));
  server = kibitz_test_server_start (args);
  g_assert_true (kibitz_test_spin_until (welcomes_at_least_2, &a, 10000));
  g_assert_true (kibitz_test_spin_until (welcomes_at_least_2, &b, 10000));
  back_at = g_get_monotonic_time ();
  g_test_message ("both back on signaling %.1f s after the kill", (back_at - killed_at) / 1e6);

  g_assert_true (a.resumed);
  g_assert_cmpstr (a.id, ==, a_id);
  g_assert_cmpuint (kibitz_signaling_get_reconnects (sa), >=, 1);
  g_assert_null (a.failure);

  g_clear_object (&sa);
  g_clear_object (&sb);
  seen_clear (&a);
  seen_clear (&b);
}

/* A message sent while the socket is down waits and goes out after the
 * resumed welcome, in order.
 */
static void
test_outbox_across_reconnect (void)
{
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (NULL);
  Seen a = { 0 }, b = { 0 };
  g_autoptr(KibitzSignaling) sa = start_client (server, "room", "Ada", &a);
  g_autoptr(KibitzSignaling) sb = start_client (server, "room", "Bartek", &b);
  g_autofree char *b_id = NULL;

  g_assert_true (kibitz_test_spin_until (welcomed, &a, 5000));
  g_assert_true (kibitz_test_spin_until (welcomed, &b, 5000));
  b_id = g_strdup (b.id);

  /* As after a network change: drop the socket, then talk at once. */
  kibitz_signaling_reconnect_now (sa);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(JsonObject) data = json_object_new ();

      json_object_set_int_member (data, "n", i);
      kibitz_signaling_send_signal (sa, b_id, data);
    }

  g_assert_true (kibitz_test_spin_until (welcomes_at_least_2, &a, 10000));
  g_assert_true (a.resumed);
  kibitz_test_spin_until (has_signal, &b, 5000);
  kibitz_test_spin (500);
  g_assert_cmpuint (b.signals->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpint (json_object_get_int_member (g_ptr_array_index (b.signals, i), "n"), ==, i);
  g_assert_cmpuint (b.welcomes, ==, 1);

  g_clear_object (&sa);
  g_clear_object (&sb);
  seen_clear (&a);
  seen_clear (&b);
}

/* A full room is final: no reconnect loop, one clear error. */
static void
test_room_full_is_final (void)
{
  const char * const args[] = { "--max-room-size", "1", NULL };
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (args);
  Seen a = { 0 }, b = { 0 };
  g_autoptr(KibitzSignaling) sa = start_client (server, "room", "Ada", &a);
  g_autoptr(KibitzSignaling) sb = NULL;

  g_assert_true (kibitz_test_spin_until (welcomed, &a, 5000));
  sb = start_client (server, "room", "Bartek", &b);
  kibitz_test_spin (2000);
  g_assert_nonnull (b.failure);
  g_assert_error (b.failure, KIBITZ_PROTOCOL_ERROR, KIBITZ_PROTOCOL_ERROR_ROOM_FULL);
  g_test_message ("%s", b.failure->message);
  g_assert_cmpint (kibitz_signaling_get_state (sb), ==, KIBITZ_SIGNALING_CLOSED);
  g_assert_cmpuint (kibitz_signaling_get_reconnects (sb), ==, 0);

  g_clear_object (&sa);
  g_clear_object (&sb);
  seen_clear (&a);
  seen_clear (&b);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/peer/signaling-client/server-restart", test_server_restart);
  g_test_add_func ("/peer/signaling-client/outbox-across-reconnect", test_outbox_across_reconnect);
  g_test_add_func ("/peer/signaling-client/room-full-is-final", test_room_full_is_final);

  return g_test_run ();
}
