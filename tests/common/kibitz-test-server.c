/* kibitz-test-server.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "kibitz-test-server.h"

/* The main-loop helpers */

static gboolean
deadline_passed (gint64 deadline)
{
  return g_get_monotonic_time () >= deadline;
}

gboolean
kibitz_test_spin_until (gboolean (*predicate) (gpointer),
                        gpointer   data,
                        guint      timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!predicate (data))
    {
      if (deadline_passed (deadline))
        return FALSE;
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }

  return TRUE;
}

static gboolean
never (gpointer data)
{
  return FALSE;
}

void
kibitz_test_spin (guint ms)
{
  kibitz_test_spin_until (never, NULL, ms);
}

/* Runs a command (found in PATH) to completion; fails the test if it fails.
 * Returns its stdout and stderr together.
 */
char *
kibitz_test_run (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s failed:\n%s\n%s", argv[0], out, err);

  return g_strconcat (out, err, NULL);
}

/* The server process */

static const char *
server_binary (void)
{
  const char *path = g_getenv ("KIBITZ_SERVER_BIN");

  g_assert_nonnull (path);
  return path;
}

/* A test that aborts must not leave its server running (and holding the
 * test's stderr open, which would make the test runner wait forever).
 */
static void
die_with_parent (gpointer user_data)
{
  guint nofile = GPOINTER_TO_UINT (user_data);

  prctl (PR_SET_PDEATHSIG, SIGKILL);
  if (nofile > 0)
    {
      struct rlimit limit = { nofile, nofile };

      setrlimit (RLIMIT_NOFILE, &limit);
    }
}

KibitzTestServer *
kibitz_test_server_start (const char * const *args)
{
  return kibitz_test_server_start_limited (args, 0);
}

/* With at most @nofile descriptors, as `prlimit --nofile=N` (0: inherited). */
KibitzTestServer *
kibitz_test_server_start_limited (const char * const *args,
                                  guint               nofile)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GStrvBuilder) lines = g_strv_builder_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  KibitzTestServer *server = g_new0 (KibitzTestServer, 1);

  g_ptr_array_add (argv, (char *) server_binary ());
  for (guint i = 0; args && args[i]; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  /* Tests run side by side: free ports unless told otherwise. */
  if (args == NULL || !g_strv_contains (args, "--http"))
    {
      g_ptr_array_add (argv, (char *) "--http");
      g_ptr_array_add (argv, (char *) "127.0.0.1:0");
    }
  if (args == NULL || (!g_strv_contains (args, "--secret") && !g_strv_contains (args, "--state-dir")))
    {
      g_ptr_array_add (argv, (char *) "--secret");
      g_ptr_array_add (argv, (char *) "test-secret");
    }
  if (args == NULL || !g_strv_contains (args, "--turn"))
    {
      g_ptr_array_add (argv, (char *) "--turn");
      g_ptr_array_add (argv, (char *) "127.0.0.1:0");
    }
  /* Tests of §2 and §5 speak to open rooms; the tests of §4's classes ask
   * for the default policy by name. */
  if (args == NULL || !g_strv_contains (args, "--room-policy"))
    {
      g_ptr_array_add (argv, (char *) "--room-policy");
      g_ptr_array_add (argv, (char *) "open");
    }
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, GUINT_TO_POINTER (nofile),
                                         NULL);

  /* LeakSanitizer's tracer crashes at exit in a process that loaded
   * glib-networking's GnuTLS backend when unwinding slowly (which the
   * suppression of libsoup's leak needs). Leaks on the same code paths are
   * checked by every test without TLS.
   */
  if (args && g_strv_contains (args, "--tls-cert") && g_getenv ("ASAN_OPTIONS"))
    {
      g_autofree char *asan = g_strconcat (g_getenv ("ASAN_OPTIONS"), ":detect_leaks=0", NULL);

      g_subprocess_launcher_setenv (launcher, "ASAN_OPTIONS", asan, TRUE);
    }
  server->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata,
                                                  &error);
  g_assert_no_error (error);

  /* The http line comes last, after any TURN listeners. */
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->process));
  while (server->http == NULL)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
      g_auto(GStrv) parts = NULL;

      g_assert_no_error (error);
      if (line == NULL)
        g_error ("kibitz-server exited before printing its listening lines");

      g_strv_builder_add (lines, line);
      parts = g_strsplit (line, " ", 3);
      if (g_strv_length (parts) == 3 && g_str_equal (parts[1], "turn-udp"))
        server->turn = g_strdup (parts[2]);
      if (g_strv_length (parts) == 3 && g_str_equal (parts[0], "listening") &&
          (g_str_equal (parts[1], "http") || g_str_equal (parts[1], "https")))
        {
          server->scheme = g_strdup (parts[1]);
          server->http = g_strdup (parts[2]);
        }
    }
  server->lines = g_strv_builder_end (lines);

  return server;
}

static void
wait_process (KibitzTestServer *server)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_wait (server->process, NULL, &error);
  g_assert_no_error (error);
}

void
kibitz_test_server_stop (KibitzTestServer *server)
{
  g_subprocess_send_signal (server->process, SIGTERM);
  wait_process (server);
}

void
kibitz_test_server_kill (KibitzTestServer *server)
{
  g_subprocess_force_exit (server->process);
  wait_process (server);
}

void
kibitz_test_server_free (KibitzTestServer *server)
{
  if (server == NULL)
    return;

  /* A clean exit after SIGTERM also proves that the sanitizers, when built
   * in, found no leak and no error in the server during the test.
   */
  if (g_subprocess_get_identifier (server->process) != NULL)
    {
      kibitz_test_server_stop (server);
      g_assert_true (g_subprocess_get_if_exited (server->process));
      g_assert_cmpint (g_subprocess_get_exit_status (server->process), ==, 0);
    }

  g_clear_object (&server->process);
  g_strfreev (server->lines);
  g_free (server->turn);
  g_free (server->http);
  g_free (server->scheme);
  g_free (server);
}

char *
kibitz_test_server_url (KibitzTestServer *server,
                        const char       *path)
{
  const char *scheme = server->scheme;

  if (g_str_has_prefix (path, "/v1/ws"))
    scheme = g_str_equal (server->scheme, "https") ? "wss" : "ws";

  return g_strdup_printf ("%s://%s%s", scheme, server->http, path);
}

static gboolean
accept_any_certificate_cb (SoupMessage          *msg,
                           GTlsCertificate      *certificate,
                           GTlsCertificateFlags  errors,
                           gpointer              user_data)
{
  return TRUE;
}

static void
add_request_headers (SoupMessage        *msg,
                     const char * const *pairs)
{
  for (guint i = 0; pairs && pairs[i] && pairs[i + 1]; i += 2)
    soup_message_headers_append (soup_message_get_request_headers (msg), pairs[i], pairs[i + 1]);
}

char *
kibitz_test_http_get (const char          *url,
                      guint               *status,
                      SoupMessageHeaders **headers)
{
  return kibitz_test_http_get_full (url, NULL, status, headers);
}

/* @request_headers: NULL-terminated name, value, name, value... */
char *
kibitz_test_http_get_full (const char          *url,
                           const char * const  *request_headers,
                           guint               *status,
                           SoupMessageHeaders **headers)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;

  add_request_headers (msg, request_headers);
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_any_certificate_cb), NULL);
  body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);

  if (status)
    *status = soup_message_get_status (msg);
  if (headers)
    *headers = soup_message_headers_ref (soup_message_get_response_headers (msg));

  return g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
}

guint64
kibitz_test_metric (KibitzTestServer *server,
                    const char       *name)
{
  g_autofree char *url = kibitz_test_server_url (server, "/metrics");
  g_autofree char *text = kibitz_test_http_get (url, NULL, NULL);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  gsize name_len = strlen (name);

  for (guint i = 0; lines[i]; i++)
    {
      if (strncmp (lines[i], name, name_len) == 0 && lines[i][name_len] == ' ')
        return g_ascii_strtoull (lines[i] + name_len + 1, NULL, 10);
    }

  g_error ("metric %s not found in /metrics", name);
}

/* WebSocket clients */

static void
client_message_cb (SoupWebsocketConnection *ws,
                   SoupWebsocketDataType    type,
                   GBytes                  *message,
                   KibitzTestClient        *client)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  gsize length;
  const char *data = g_bytes_get_data (message, &length);

  json_parser_load_from_data (parser, data, length, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  g_queue_push_tail (&client->received,
                     json_object_ref (json_node_get_object (json_parser_get_root (parser))));
}

static void
client_closed_cb (SoupWebsocketConnection *ws,
                  KibitzTestClient        *client)
{
  client->closed = TRUE;
  client->close_code = soup_websocket_connection_get_close_code (ws);
}

typedef struct {
  SoupWebsocketConnection *ws;
  GError                  *error;
  gboolean                 done;
} ConnectData;

static void
connected_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  ConnectData *data = user_data;

  data->ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &data->error);
  data->done = TRUE;
}

static gboolean
connect_done (gpointer data)
{
  return ((ConnectData *) data)->done;
}

KibitzTestClient *
kibitz_test_client_connect_url (const char  *url,
                                const char  *origin,
                                GError     **error)
{
  return kibitz_test_client_connect_full (url, origin, NULL, error);
}

/* @request_headers: NULL-terminated name, value, name, value... */
KibitzTestClient *
kibitz_test_client_connect_full (const char          *url,
                                 const char          *origin,
                                 const char * const  *request_headers,
                                 GError             **error)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  ConnectData data = { 0 };
  KibitzTestClient *client;

  add_request_headers (msg, request_headers);
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_any_certificate_cb), NULL);
  soup_session_websocket_connect_async (session, msg, origin, NULL, G_PRIORITY_DEFAULT, NULL,
                                        connected_cb, &data);
  g_assert_true (kibitz_test_spin_until (connect_done, &data, 10000));
  if (data.ws == NULL)
    {
      g_propagate_error (error, data.error);
      return NULL;
    }

  client = g_new0 (KibitzTestClient, 1);
  client->ws = data.ws;
  soup_websocket_connection_set_max_incoming_payload_size (client->ws, 0);
  g_signal_connect (client->ws, "message", G_CALLBACK (client_message_cb), client);
  g_signal_connect (client->ws, "closed", G_CALLBACK (client_closed_cb), client);

  return client;
}

KibitzTestClient *
kibitz_test_client_connect (KibitzTestServer *server)
{
  g_autofree char *url = kibitz_test_server_url (server, "/v1/ws");
  g_autoptr(GError) error = NULL;
  KibitzTestClient *client = kibitz_test_client_connect_url (url, NULL, &error);

  g_assert_no_error (error);
  return client;
}

void
kibitz_test_client_send (KibitzTestClient *client,
                         const char       *format,
                         ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  soup_websocket_connection_send_text (client->ws, text);
}

typedef struct {
  KibitzTestClient *client;
  const char       *type;
  JsonObject       *found;
} WaitData;

static gboolean
find_message (gpointer user_data)
{
  WaitData *data = user_data;

  for (GList *l = data->client->received.head; l; l = l->next)
    {
      JsonObject *object = l->data;

      if (g_strcmp0 (json_object_get_string_member_with_default (object, "type", ""),
                     data->type) == 0)
        {
          data->found = object;
          g_queue_delete_link (&data->client->received, l);
          return TRUE;
        }
    }

  return FALSE;
}

/* Returns (and removes) the first received message of @type, waiting for it. */
JsonObject *
kibitz_test_client_wait (KibitzTestClient *client,
                         const char       *type,
                         guint             timeout_ms)
{
  WaitData data = { client, type, NULL };

  kibitz_test_spin_until (find_message, &data, timeout_ms);

  return data.found;
}

void
kibitz_test_client_assert_no (KibitzTestClient *client,
                              const char       *type,
                              guint             ms)
{
  g_autoptr(JsonObject) object = kibitz_test_client_wait (client, type, ms);

  if (object != NULL)
    {
      g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), object);
      g_autofree char *text = json_to_string (node, FALSE);

      g_error ("unexpected message: %s", text);
    }
}

void
kibitz_test_expect_error (KibitzTestClient *client,
                          const char       *code)
{
  g_autoptr(JsonObject) error = kibitz_test_client_wait (client, "error", 5000);

  g_assert_nonnull (error);
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, code);
  g_assert_true (strlen (json_object_get_string_member (error, "message")) > 10);
}

JsonObject *
kibitz_test_client_join (KibitzTestClient *client,
                         const char       *room,
                         const char       *name,
                         const char       *resume)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  JsonObject *welcome;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "join");
  json_builder_set_member_name (builder, "room");
  json_builder_add_string_value (builder, room);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, name);
  if (resume)
    {
      json_builder_set_member_name (builder, "resume");
      json_builder_add_string_value (builder, resume);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);

  soup_websocket_connection_send_text (client->ws, text);
  welcome = kibitz_test_client_wait (client, "welcome", 5000);
  g_assert_nonnull (welcome);

  return welcome;
}

static gboolean
client_closed (gpointer data)
{
  return ((KibitzTestClient *) data)->closed;
}

gboolean
kibitz_test_client_wait_closed (KibitzTestClient *client,
                                guint             timeout_ms)
{
  return kibitz_test_spin_until (client_closed, client, timeout_ms);
}

void
kibitz_test_client_free (KibitzTestClient *client)
{
  if (client == NULL)
    return;

  g_signal_handlers_disconnect_by_data (client->ws, client);
  if (soup_websocket_connection_get_state (client->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (client->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  g_clear_object (&client->ws);
  g_queue_clear_full (&client->received, (GDestroyNotify) json_object_unref);
  g_free (client);
}
