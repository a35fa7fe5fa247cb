/* test-coturn-config.c: deploy/coturn.conf run by Debian's turnserver on
 * loopback, with kibitz-server publishing it (--turn none --ice-server) and
 * coturn's own client relaying with the credentials of a real welcome.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <glib/gstdio.h>

#include "kibitz-test-server.h"

/* The one line the relay test drops: turnutils_uclient -y relays between two
 * allocations on 127.0.0.1. Every other line of the deny list stays, so a
 * range that wrongly covers 127.0.0.1 fails the test.
 */
#define LOOPBACK_DENY "denied-peer-ip=127.0.0.0-127.255.255.255"

typedef struct {
  char        *dir;
  char        *log;
  guint16      port;
  GSubprocess *process;
} Coturn;

static gboolean
is_overridden (const char *line,
               gboolean    keep_loopback_deny)
{
  /* Where the test must differ from a real deployment: loopback only, a free
   * port, the test's secret, files in a temporary directory, no syslog.
   */
  const char * const keys[] = { "listening-ip", "listening-port", "relay-ip", "external-ip",
                                "static-auth-secret", "syslog", "log-file", "userdb", "pidfile",
                                "cert", "pkey", NULL };
  g_autofree char *key = g_strstrip (g_strndup (line, strcspn (line, "=")));

  if (!keep_loopback_deny && g_str_equal (line, LOOPBACK_DENY))
    return TRUE;

  return g_strv_contains (keys, key);
}

static char *
adapted_config (const Coturn *coturn,
                const char   *secret,
                gboolean      keep_loopback_deny)
{
  g_autofree char *source = g_build_filename (g_getenv ("KIBITZ_SOURCE_DIR"), "deploy",
                                              "coturn.conf", NULL);
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  guint kept = 0;

  g_file_get_contents (source, &text, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      const char *line = g_strstrip (lines[i]);

      if (*line == '\0' || *line == '#' || is_overridden (line, keep_loopback_deny))
        continue;
      g_string_append_printf (out, "%s\n", line);
      kept++;
    }
  /* The shipped file must keep what the issue asks of it. */
  g_assert_nonnull (strstr (out->str, "use-auth-secret\n"));
  g_assert_nonnull (strstr (out->str, "no-multicast-peers\n"));
  g_assert_nonnull (strstr (out->str, "denied-peer-ip=10.0.0.0-10.255.255.255\n"));
  g_assert_nonnull (strstr (out->str, "denied-peer-ip=fc00::-fdff:"));
  g_assert_cmpuint (kept, >, 30);

  g_string_append_printf (out,
                          "listening-ip=127.0.0.1\n"
                          "relay-ip=127.0.0.1\n"
                          "listening-port=%u\n"
                          "static-auth-secret=%s\n"
                          "userdb=%s/turndb\n"
                          "log-file=%s\n"
                          "simple-log\n"
                          "pidfile=%s/turnserver.pid\n"
                          /* coturn refuses loopback peers before it reads
                           * any list; the peers of this test are loopback. */
                          "allow-loopback-peers\n",
                          coturn->port, secret, coturn->dir, coturn->log, coturn->dir);

  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* A port free for both UDP and TCP on 127.0.0.1 (coturn takes both). */
static guint16
free_port (void)
{
  for (guint attempt = 0; attempt < 50; attempt++)
    {
      g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
      g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
      g_autoptr(GSocket) udp = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
                                             G_SOCKET_PROTOCOL_UDP, NULL);
      g_autoptr(GSocket) tcp = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                             G_SOCKET_PROTOCOL_TCP, NULL);
      g_autoptr(GSocketAddress) bound = NULL;
      g_autoptr(GSocketAddress) same = NULL;
      guint16 port;

      if (!g_socket_bind (udp, any, FALSE, NULL))
        continue;
      bound = g_socket_get_local_address (udp, NULL);
      port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
      same = g_inet_socket_address_new (loopback, port);
      if (g_socket_bind (tcp, same, TRUE, NULL))
        return port;
    }

  g_error ("no free port on 127.0.0.1");
}

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static gboolean
coturn_answers (guint16 port)
{
  g_autofree char *port_text = g_strdup_printf ("%u", port);
  const char *argv[] = { "timeout", "1", "turnutils_stunclient", "-p", port_text, "127.0.0.1",
                         NULL };
  g_autoptr(GError) error = NULL;
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
                G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);

  return g_spawn_check_wait_status (status, NULL);
}

static char *
coturn_log (Coturn *coturn)
{
  g_autofree char *text = NULL;

  g_file_get_contents (coturn->log, &text, NULL, NULL);
  return text ? g_steal_pointer (&text) : g_strdup ("");
}

/* turnserver under `timeout` (a safety net: it dies after 120 s whatever
 * happens) and PR_SET_PDEATHSIG (it dies with the test).
 */
static Coturn *
coturn_start (const char *secret,
              gboolean    keep_loopback_deny)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GError) error = NULL;
  g_autofree char *config = NULL;
  g_autofree char *config_path = NULL;
  Coturn *coturn = g_new0 (Coturn, 1);
  guint attempt;

  coturn->dir = g_dir_make_tmp ("kibitz-coturn-XXXXXX", &error);
  g_assert_no_error (error);
  coturn->log = g_build_filename (coturn->dir, "turnserver.log", NULL);
  coturn->port = free_port ();
  config = adapted_config (coturn, secret, keep_loopback_deny);
  config_path = g_build_filename (coturn->dir, "turnserver.conf", NULL);
  g_file_set_contents (config_path, config, -1, &error);
  g_assert_no_error (error);

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  coturn->process = g_subprocess_launcher_spawn (launcher, &error, "timeout", "120", "turnserver",
                                                 "-c", config_path, "--no-tls", "--no-dtls", NULL);
  g_assert_no_error (error);

  for (attempt = 0; !coturn_answers (coturn->port); attempt++)
    {
      if (attempt == 50 || g_subprocess_get_identifier (coturn->process) == NULL)
        {
          g_autofree char *log = coturn_log (coturn);

          g_error ("turnserver did not answer on 127.0.0.1:%u:\n%s", coturn->port, log);
        }
      g_usleep (100 * 1000);
    }

  return coturn;
}

static void
remove_dir (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)))
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      g_unlink (child);
    }
  g_rmdir (path);
}

/* Stops this test's own turnserver, by the process it started. */
static void
coturn_stop (Coturn *coturn)
{
  g_autoptr(GError) error = NULL;

  if (coturn == NULL)
    return;

  g_subprocess_send_signal (coturn->process, SIGTERM);
  g_subprocess_wait (coturn->process, NULL, &error);
  g_assert_no_error (error);
  if (g_test_failed ())
    {
      g_autofree char *log = coturn_log (coturn);

      g_test_message ("turnserver log:\n%s", log);
    }

  g_clear_object (&coturn->process);
  remove_dir (coturn->dir);
  g_free (coturn->dir);
  g_free (coturn->log);
  g_free (coturn);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Coturn, coturn_stop)

/* kibitz-server without its own relay, publishing coturn. */
static KibitzTestServer *
kibitz_start (const Coturn *coturn,
              const char   *secret,
              char        **turn_url)
{
  g_autofree char *url = g_strdup_printf ("turn:127.0.0.1:%u?transport=udp", coturn->port);
  const char * const args[] = { "--http", "127.0.0.1:0", "--secret", secret, "--turn", "none",
                                "--ice-server", url, NULL };
  KibitzTestServer *server = kibitz_test_server_start (args);

  g_assert_null (server->turn);
  *turn_url = g_steal_pointer (&url);
  return server;
}

static int
run_uclient (const Coturn *coturn,
             JsonObject   *turn,
             char        **output)
{
  g_autofree char *port = g_strdup_printf ("%u", coturn->port);
  const char *argv[] = { "timeout", "60", "turnutils_uclient", "-y", "-n", "100", "-m", "1",
                         "-l", "200", "-u", json_object_get_string_member (turn, "username"),
                         "-w", json_object_get_string_member (turn, "credential"),
                         "-p", port, "127.0.0.1", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                &status, &error);
  g_assert_no_error (error);
  *output = g_strconcat (out, err, NULL);

  return status;
}

/* The TURN entry of a welcome: the coturn URL, with REST credentials. */
static JsonObject *
turn_entry (JsonObject *welcome,
            const char *turn_url)
{
  JsonArray *servers = json_object_get_array_member (welcome, "ice_servers");
  JsonObject *turn;
  JsonArray *urls;

  g_assert_cmpuint (json_array_get_length (servers), ==, 1);
  turn = json_array_get_object_element (servers, 0);
  urls = json_object_get_array_member (turn, "urls");
  g_assert_cmpuint (json_array_get_length (urls), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (urls, 0), ==, turn_url);
  g_assert_true (json_object_has_member (turn, "username"));
  g_assert_true (json_object_has_member (turn, "credential"));

  return turn;
}

static gboolean
have_coturn (void)
{
  g_autofree char *server = g_find_program_in_path ("turnserver");
  g_autofree char *client = g_find_program_in_path ("turnutils_uclient");

  if (server == NULL || client == NULL)
    {
      g_test_skip ("coturn is not installed (apt install coturn)");
      return FALSE;
    }

  return TRUE;
}

/* Ada joins a room on @server and relays through coturn with the TURN
 * credentials of her welcome (the entry for @turn_url); returns uclient's
 * wait status, its output in @output. */
static int
relay_as_ada (Coturn            *coturn,
              KibitzTestServer  *server,
              const char        *turn_url,
              char             **output)
{
  g_autoptr(KibitzTestClient) a = kibitz_test_client_connect (server);
  g_autoptr(JsonObject) welcome = kibitz_test_client_join (a, "Chemistry", "Ada", NULL);
  int status = run_uclient (coturn, turn_entry (welcome, turn_url), output);

  g_test_message ("%s", *output);
  return status;
}

static void
test_relays (void)
{
  g_autoptr(Coturn) coturn = NULL;
  g_autoptr(KibitzTestServer) server = NULL;
  g_autofree char *turn_url = NULL;
  g_autofree char *config_url = NULL;
  g_autofree char *config = NULL;
  g_autofree char *output = NULL;
  int status;

  if (!have_coturn ())
    return;

  coturn = coturn_start ("shared-secret", FALSE);
  server = kibitz_start (coturn, "shared-secret", &turn_url);

  /* /v1/config points at coturn too. */
  config_url = kibitz_test_server_url (server, "/v1/config");
  config = kibitz_test_http_get (config_url, NULL, NULL);
  g_assert_nonnull (strstr (config, "127.0.0.1:"));
  g_assert_nonnull (strstr (config, "?transport=udp"));

  status = relay_as_ada (coturn, server, turn_url, &output);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (output, "Total lost packets 0 (0.000000%)"));
}

/* The deny list is live: with its loopback line kept, the same relay is
 * refused, and coturn names the range.
 */
static void
test_denies_loopback (void)
{
  g_autoptr(Coturn) coturn = NULL;
  g_autoptr(KibitzTestServer) server = NULL;
  g_autofree char *turn_url = NULL;
  g_autofree char *output = NULL;
  g_autofree char *log = NULL;
  int status;

  if (!have_coturn ())
    return;

  coturn = coturn_start ("shared-secret", TRUE);
  server = kibitz_start (coturn, "shared-secret", &turn_url);
  status = relay_as_ada (coturn, server, turn_url, &output);
  g_assert_false (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (output, "403"));

  log = coturn_log (coturn);
  g_assert_nonnull (strstr (log, "denied in the range: 127.0.0.0-127.255.255.255"));
}

/* Another secret than coturn's: every credential is refused. */
static void
test_wrong_secret (void)
{
  g_autoptr(Coturn) coturn = NULL;
  g_autoptr(KibitzTestServer) server = NULL;
  g_autofree char *turn_url = NULL;
  g_autofree char *output = NULL;
  int status;

  if (!have_coturn ())
    return;

  coturn = coturn_start ("coturn-secret", FALSE);
  server = kibitz_start (coturn, "another-secret", &turn_url);
  status = relay_as_ada (coturn, server, turn_url, &output);
  g_assert_false (g_spawn_check_wait_status (status, NULL));
  g_assert_null (strstr (output, "Total lost packets"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/coturn/relays-with-kibitz-credentials", test_relays);
  g_test_add_func ("/server/coturn/denies-loopback-peers", test_denies_loopback);
  g_test_add_func ("/server/coturn/refuses-another-secret", test_wrong_secret);

  return g_test_run ();
}
