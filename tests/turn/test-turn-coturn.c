/* test-turn-coturn.c: coturn's own clients against our relay (Debian package
 * "coturn"): turnutils_stunclient, and turnutils_uclient over UDP and TCP,
 * with channels and with Send indications, client to client and to a peer,
 * with REST API credentials. Each run must lose nothing. And the other way
 * round: our codec as the client of coturn's turnserver. Skipped when coturn
 * is not installed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "kibitz-test-turn-client.h"
#include "kibitz-turn-server.h"

#define SECRET "coturn-interop-secret"

typedef struct {
  KibitzTurnServer *server;
  char             *port;
} Fixture;

static gboolean
have_tools (void)
{
  g_autofree char *uclient = g_find_program_in_path ("turnutils_uclient");
  g_autofree char *stunclient = g_find_program_in_path ("turnutils_stunclient");
  g_autofree char *peer = g_find_program_in_path ("turnutils_peer");
  g_autofree char *timeout = g_find_program_in_path ("timeout");
  g_autofree char *turnserver = g_find_program_in_path ("turnserver");

  return uclient && stunclient && peer && timeout && turnserver;
}

static void
setup (Fixture       *fixture,
       gconstpointer  data)
{
  static const char * const loopback[] = { "127.0.0.0/8", NULL };
  g_autoptr(GError) error = NULL;
  KibitzTurnConfig config = {
    .listen_host = "127.0.0.1",
    .secret = SECRET,
    .allow_peers = GPOINTER_TO_INT (data) ? loopback : NULL,
  };

  fixture->server = kibitz_turn_server_new (&config, &error);
  g_assert_no_error (error);
  g_assert_true (kibitz_turn_server_start (fixture->server, &error));
  fixture->port = g_strdup_printf ("%u", kibitz_turn_server_get_port (fixture->server));
}

static void
teardown (Fixture       *fixture,
          gconstpointer  data)
{
  kibitz_turn_server_free (fixture->server);
  g_free (fixture->port);
}

/* Runs a tool under timeout(1) and returns what it printed. */
static char *
run (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) full = g_ptr_array_new ();
  g_autofree char *out = NULL, *err = NULL;
  int status = 0;

  g_ptr_array_add (full, (gpointer) "timeout");
  g_ptr_array_add (full, (gpointer) "30");
  for (; *argv; argv++)
    g_ptr_array_add (full, (gpointer) *argv);
  g_ptr_array_add (full, NULL);

  g_spawn_sync (NULL, (char **) full->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                &out, &err, &status, &error);
  g_assert_no_error (error);
  g_test_message ("%s", out);
  return g_strconcat (out, err, NULL);
}

static void
assert_no_loss (const char *output,
                const char *what)
{
  if (strstr (output, "Total lost packets 0 (0.000000%)") == NULL ||
      strstr (output, "tot_send_msgs=200, tot_recv_msgs=200") == NULL)
    g_error ("turnutils_uclient %s lost packets or failed:\n%s", what, output);
}

static void
test_stunclient (Fixture       *fixture,
                 gconstpointer  data)
{
  const char * const argv[] = { "turnutils_stunclient", "-p", fixture->port, "127.0.0.1", NULL };
  g_autofree char *output = NULL;

  if (!have_tools ())
    {
      g_test_skip ("coturn's tools are not installed (apt install coturn)");
      return;
    }

  output = run (argv);
  g_assert_nonnull (strstr (output, "UDP reflexive addr: 127.0.0.1:"));
}

/* Two clients of ours talk relay to relay (-y), which also proves the
 * self-relay exemption: loopback is forbidden in this fixture. Every packet
 * goes from one allocation to the other inside the relay (over UDP and TCP,
 * with channels and with Send indications), and arrives. */
static void
test_client_to_client (Fixture       *fixture,
                       gconstpointer  data)
{
  static const char * const variants[][3] = {
    { NULL }, { "-s", NULL }, { "-t", NULL }, { "-t", "-s", NULL }, { "-g", NULL },
  };
  gsize v;

  if (!have_tools ())
    {
      g_test_skip ("coturn's tools are not installed (apt install coturn)");
      return;
    }

  for (v = 0; v < G_N_ELEMENTS (variants); v++)
    {
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) argv = NULL;
      g_autofree char *output = NULL, *what = NULL;
      const char * const *flag;
      KibitzTurnMetrics before, after;

      g_strv_builder_add_many (builder, "turnutils_uclient", "-y", "-n", "50", "-m", "4",
                               "-W", SECRET, "-u", "p-coturn", "-p", fixture->port, NULL);
      for (flag = variants[v]; *flag; flag++)
        g_strv_builder_add (builder, *flag);
      g_strv_builder_add (builder, "127.0.0.1");
      argv = g_strv_builder_end (builder);

      what = g_strjoinv (" ", argv);
      kibitz_turn_server_get_metrics (fixture->server, &before);
      output = run ((const char * const *) argv);
      assert_no_loss (output, what);
      kibitz_turn_server_get_metrics (fixture->server, &after);
      g_assert_cmpuint (after.internal_packets - before.internal_packets, ==, 200);
      g_assert_cmpuint (after.packets_to_peers - before.packets_to_peers, ==, 200);
      g_assert_cmpuint (after.packets_from_peers - before.packets_from_peers, ==, 200);
    }
}

/* To a peer (turnutils_peer) on loopback, which the fixture allows. */
static void
test_to_peer (Fixture       *fixture,
              gconstpointer  data)
{
  static const char * const variants[][3] = { { NULL }, { "-s", NULL }, { "-t", NULL } };
  g_autoptr(GError) error = NULL;
  g_autofree char *peer_port = NULL;
  const char *peer_argv[] = { "turnutils_peer", "-L", "127.0.0.1", "-p", NULL, NULL };
  GPid peer_pid;
  gsize v;

  if (!have_tools ())
    {
      g_test_skip ("coturn's tools are not installed (apt install coturn)");
      return;
    }

  /* A port next to ours, which is free with high probability. */
  peer_port = g_strdup_printf ("%u", kibitz_turn_server_get_port (fixture->server) + 17);
  peer_argv[4] = peer_port;
  g_spawn_async (NULL, (char **) peer_argv, NULL,
                 G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL |
                 G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &peer_pid, &error);
  g_assert_no_error (error);
  g_usleep (300 * 1000);

  for (v = 0; v < G_N_ELEMENTS (variants); v++)
    {
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) argv = NULL;
      g_autofree char *output = NULL, *what = NULL;
      const char * const *flag;

      g_strv_builder_add_many (builder, "turnutils_uclient", "-e", "127.0.0.1", "-r", peer_port,
                               "-n", "50", "-m", "4", "-W", SECRET, "-u", "p-coturn",
                               "-p", fixture->port, NULL);
      for (flag = variants[v]; *flag; flag++)
        g_strv_builder_add (builder, *flag);
      g_strv_builder_add (builder, "127.0.0.1");
      argv = g_strv_builder_end (builder);

      what = g_strjoinv (" ", argv);
      output = run ((const char * const *) argv);
      assert_no_loss (output, what);
    }

  /* A peer that is not one of our allocations: every packet took the kernel. */
  {
    KibitzTurnMetrics metrics;

    kibitz_turn_server_get_metrics (fixture->server, &metrics);
    g_assert_cmpuint (metrics.packets_to_peers, >=, 600);
    g_assert_cmpuint (metrics.internal_packets, ==, 0);
  }

  kill (peer_pid, SIGTERM);
  waitpid (peer_pid, NULL, 0);
  g_spawn_close_pid (peer_pid);
}

static guint16
free_port (void)
{
  KibitzStunAddress bound;
  int fd = kibitz_test_udp_socket (&bound);

  close (fd);
  return bound.port;
}

/* Waits until a Binding request to @port is answered (bounded). */
static gboolean
wait_for_stun (guint16 port)
{
  int attempt;

  for (attempt = 0; attempt < 50; attempt++)
    {
      g_autoptr(KibitzTestTurnClient) client = kibitz_test_turn_client_new (FALSE, port);
      KibitzStunWriter writer;
      guint8 buffer[64];

      kibitz_test_turn_begin (&writer, buffer, sizeof buffer, KIBITZ_STUN_METHOD_BINDING,
                              KIBITZ_STUN_CLASS_REQUEST);
      kibitz_test_turn_client_send (client, buffer, kibitz_stun_writer_finish (&writer));
      if (kibitz_test_turn_client_receive (client, 100) != NULL)
        return TRUE;
      /* A refused port answers at once: wait anyway. */
      g_usleep (100 * 1000);
    }
  return FALSE;
}

/* Our codec as a TURN client of coturn's turnserver: allocation, permission,
 * Send and Data indications, a channel both ways, with REST credentials. */
static void
test_our_client_against_turnserver (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL, *port_arg = NULL, *secret_arg = NULL, *db_arg = NULL;
  g_autofree char *pid_arg = NULL;
  g_autoptr(KibitzTestTurnClient) client = NULL;
  KibitzStunAddress relayed, peer, from;
  guint8 buffer[512];
  guint16 port;
  GPid pid;
  gssize n;
  int peer_fd;

  if (!have_tools ())
    {
      g_test_skip ("coturn is not installed (apt install coturn)");
      return;
    }

  dir = g_dir_make_tmp ("kibitz-coturn-XXXXXX", &error);
  g_assert_no_error (error);
  port = free_port ();
  port_arg = g_strdup_printf ("--listening-port=%u", port);
  secret_arg = g_strdup_printf ("--static-auth-secret=%s", SECRET);
  db_arg = g_strdup_printf ("--db=%s/turndb", dir);
  pid_arg = g_strdup_printf ("--pidfile=%s/pid", dir);
  {
    const char *argv[] = {
      "timeout", "60", "turnserver", "-n", "--no-tls", "--no-dtls", "--no-cli",
      "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1", port_arg, "--use-auth-secret",
      secret_arg, "--realm=coturn-test", "--allow-loopback-peers", "--min-port=50000",
      "--max-port=50999", db_arg, pid_arg, "--log-file=stdout", "--simple-log", NULL,
    };

    g_spawn_async (NULL, (char **) argv, NULL,
                   G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
                   G_SPAWN_STDERR_TO_DEV_NULL | G_SPAWN_DO_NOT_REAP_CHILD,
                   NULL, NULL, &pid, &error);
    g_assert_no_error (error);
  }
  g_assert_true (wait_for_stun (port));

  client = kibitz_test_turn_client_new (FALSE, port);
  kibitz_test_turn_client_set_credentials (client, SECRET, kibitz_test_turn_in_an_hour (),
                                           "p-kibitz");
  kibitz_test_turn_assert_allocated (client, kibitz_test_turn_allocate (client), &relayed);
  g_assert_cmpstr (client->realm, ==, "coturn-test");

  peer_fd = kibitz_test_udp_socket (&peer);
  g_assert_cmpint (kibitz_test_turn_create_permission (client, &peer), ==, 0);
  kibitz_test_turn_send_indication (client, &peer, "hello from kibitz");
  n = kibitz_test_udp_receive (peer_fd, buffer, sizeof buffer, &from, KIBITZ_TEST_TURN_TIMEOUT_MS);
  g_assert_cmpmem (buffer, n, "hello from kibitz", 17);
  g_assert_true (kibitz_stun_address_equal (&from, &relayed));

  kibitz_test_udp_send (peer_fd, &relayed, "hello from the peer", 19);
  kibitz_test_turn_expect_data_indication (client, &peer, "hello from the peer");

  g_assert_cmpint (kibitz_test_turn_channel_bind (client, 0x4001, &peer), ==, 0);
  n = kibitz_stun_channel_data_write (buffer, sizeof buffer, FALSE, 0x4001,
                                      (const guint8 *) "on a channel", 12);
  kibitz_test_turn_client_send (client, buffer, n);
  n = kibitz_test_udp_receive (peer_fd, buffer, sizeof buffer, NULL, KIBITZ_TEST_TURN_TIMEOUT_MS);
  g_assert_cmpmem (buffer, n, "on a channel", 12);
  kibitz_test_udp_send (peer_fd, &relayed, "channel back", 12);
  kibitz_test_turn_expect_channel_data (client, 0x4001, "channel back");

  close (peer_fd);
  kill (pid, SIGTERM);
  waitpid (pid, NULL, 0);
  g_spawn_close_pid (pid);
  g_unlink (db_arg + strlen ("--db="));
  g_unlink (pid_arg + strlen ("--pidfile="));
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/turn/coturn/stunclient", Fixture, GINT_TO_POINTER (FALSE), setup,
              test_stunclient, teardown);
  g_test_add ("/turn/coturn/uclient-client-to-client", Fixture, GINT_TO_POINTER (FALSE), setup,
              test_client_to_client, teardown);
  g_test_add ("/turn/coturn/uclient-to-peer", Fixture, GINT_TO_POINTER (TRUE), setup,
              test_to_peer, teardown);
  g_test_add_func ("/turn/coturn/our-client-against-turnserver",
                   test_our_client_against_turnserver);

  return g_test_run ();
}
