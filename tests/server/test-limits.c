/* test-limits.c: the attacks of issue 16 on the listeners, each bounded, each
 * asserting that a polite client is still served: idle floods, running out
 * of descriptors, slow requests, request bodies and ambiguous framing,
 * TURN over TCP.
 *
 * Attackers use 127.0.0.2-9, the polite client 127.0.0.1.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "kibitz-test-raw.h"
#include "kibitz-test-server.h"

static guint16
port_of (const char *host_port)
{
  return (guint16) g_ascii_strtoull (strrchr (host_port, ':') + 1, NULL, 10);
}

/* A TCP connection from 127.0.0.@from, blocking unless @nonblocking. */
static int
connect_from (int      from,
              guint16  port,
              gboolean nonblocking)
{
  struct sockaddr_in source = { .sin_family = AF_INET };
  struct sockaddr_in target = { .sin_family = AF_INET, .sin_port = htons (port) };
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC | (nonblocking ? SOCK_NONBLOCK : 0), 0);
  g_autofree char *ip = g_strdup_printf ("127.0.0.%d", from);

  g_assert_cmpint (fd, >=, 0);
  inet_pton (AF_INET, ip, &source.sin_addr);
  inet_pton (AF_INET, "127.0.0.1", &target.sin_addr);
  g_assert_cmpint (bind (fd, (struct sockaddr *) &source, sizeof source), ==, 0);
  if (connect (fd, (struct sockaddr *) &target, sizeof target) != 0)
    g_assert_cmpint (errno, ==, EINPROGRESS);

  return fd;
}

static GArray *
flood (guint16 port,
       guint   count)
{
  GArray *fds = g_array_new (FALSE, FALSE, sizeof (int));

  for (guint i = 0; i < count; i++)
    {
      int fd = connect_from (2 + i % 8, port, TRUE);

      g_array_append_val (fds, fd);
    }
  /* Let the server accept what it will. */
  kibitz_test_spin (500);

  return fds;
}

static void
close_all (GArray *fds)
{
  for (guint i = 0; i < fds->len; i++)
    close (g_array_index (fds, int, i));
  g_array_unref (fds);
}

/* What the server sent before closing (or before @timeout_ms). */
static char *
read_all (int   fd,
          guint timeout_ms,
          gboolean *closed)
{
  GString *out = g_string_new (NULL);
  gint64 deadline = g_get_monotonic_time () + timeout_ms * 1000;

  *closed = FALSE;
  while (g_get_monotonic_time () < deadline)
    {
      struct pollfd poll_fd = { fd, POLLIN, 0 };
      char buffer[4096];
      ssize_t n;

      if (poll (&poll_fd, 1, 100) <= 0)
        continue;
      n = recv (fd, buffer, sizeof buffer, MSG_DONTWAIT);
      if (n == 0 || (n < 0 && errno != EAGAIN))
        {
          *closed = TRUE;
          break;
        }
      if (n > 0)
        g_string_append_len (out, buffer, n);
    }

  return g_string_free (out, FALSE);
}

static char *
exchange_from (int               from,
               KibitzTestServer *server,
               const char       *request,
               gsize             length)
{
  int fd = connect_from (from, port_of (server->http), FALSE);
  gboolean closed;
  char *response;

  g_assert_cmpint (send (fd, request, length, MSG_NOSIGNAL), ==, (gssize) length);
  response = read_all (fd, 5000, &closed);
  g_assert_true (closed);
  close (fd);

  return response;
}

static char *
exchange (KibitzTestServer *server,
          const char       *request,
          gsize             length)
{
  return exchange_from (1, server, request, length);
}

static void
assert_served (KibitzTestServer *server)
{
  g_autofree char *url = kibitz_test_server_url (server, "/healthz");
  g_autoptr(KibitzTestClient) client = kibitz_test_client_connect (server);
  guint status = 0;
  g_autofree char *body = kibitz_test_http_get (url, &status, NULL);
  g_autoptr(JsonObject) welcome = kibitz_test_client_join (client, "polite", "Polite", NULL);

  g_assert_cmpuint (status, ==, 200);
  g_assert_nonnull (welcome);
}

/* 600 idle sockets against a server of 256 descriptors (128 connections):
 * the oldest give way, the polite client is served. Per-address limits
 * answer 503.
 */
static void
test_idle_flood (void)
{
  const char * const args[] = { "--max-connections-per-address", "40", NULL };
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start_limited (args, 256);
  GArray *fds = flood (port_of (server->http), 600);
  int extra;
  gboolean closed;
  g_autofree char *refused = NULL;

  assert_served (server);
  g_assert_cmpuint (kibitz_test_metric (server, "kibitz_http_evicted_total"), >, 0);
  g_assert_cmpuint (kibitz_test_metric (server, "kibitz_http_connections"), <=,
                    kibitz_test_metric (server, "kibitz_http_connections_limit") + 8);
  close_all (fds);
  kibitz_test_spin (500);

  /* 40 per address: number 41 from one address hears why. */
  fds = g_array_new (FALSE, FALSE, sizeof (int));
  for (guint i = 0; i < 40; i++)
    {
      int fd = connect_from (10, port_of (server->http), TRUE);

      g_array_append_val (fds, fd);
    }
  kibitz_test_spin (500);
  extra = connect_from (10, port_of (server->http), FALSE);
  refused = read_all (extra, 5000, &closed);
  g_assert_true (g_str_has_prefix (refused, "HTTP/1.1 503"));
  g_assert_nonnull (strstr (refused, "too many connections"));
  close (extra);
  g_assert_cmpuint (kibitz_test_metric (server, "kibitz_http_refused_total{reason=\"address\"}"),
                    >, 0);

  close_all (fds);
  assert_served (server);
}

/* The relay's TCP connections take the descriptors the HTTP listener
 * would need: accept fails with EMFILE. The listener answers 503 and
 * serves again as soon as descriptors come back (libsoup's own listener
 * stopped for good here).
 */
static void
test_out_of_descriptors (void)
{
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start_limited (NULL, 256);
  GArray *turn = flood (port_of (server->turn), 250);
  GArray *http = flood (port_of (server->http), 40);
  int fd;
  gboolean closed;
  g_autofree char *refused = NULL;

  fd = connect_from (1, port_of (server->http), FALSE);
  refused = read_all (fd, 5000, &closed);
  close (fd);
  g_assert_true (g_str_has_prefix (refused, "HTTP/1.1 503"));

  close_all (turn);
  close_all (http);
  kibitz_test_spin (500);
  assert_served (server);
  g_assert_cmpuint (
    kibitz_test_metric (server, "kibitz_http_refused_total{reason=\"descriptors\"}"), >, 0);
}

/* Slowloris and a stalled body are cut at the request deadline (10 s),
 * without a response; the polite client is served meanwhile.
 */
static void
test_slow_requests (void)
{
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (NULL);
  static const char head[] = "GET /healthz HTTP/1.1\r\nHo";
  static const char body[] = "POST /v1/config HTTP/1.1\r\nHost: x\r\n"
                             "Content-Length: 1000000000\r\n\r\nabc";
  int slow = connect_from (2, port_of (server->http), FALSE);
  int stalled = connect_from (3, port_of (server->http), FALSE);
  gint64 start = g_get_monotonic_time ();
  gboolean closed;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;

  g_autoptr(KibitzTestClient) participant = kibitz_test_client_connect (server);
  g_autoptr(JsonObject) welcome = kibitz_test_client_join (participant, "steady", "Ada", NULL);

  g_assert_nonnull (welcome);
  g_assert_cmpint (send (slow, head, strlen (head), 0), >, 0);
  g_assert_cmpint (send (stalled, body, strlen (body), 0), >, 0);
  assert_served (server);

  first = read_all (slow, 20000, &closed);
  g_assert_true (closed);
  g_assert_cmpstr (first, ==, "");
  second = read_all (stalled, 5000, &closed);
  g_assert_true (closed);
  g_assert_cmpint ((g_get_monotonic_time () - start) / G_USEC_PER_SEC, <, 20);
  close (slow);
  close (stalled);
  g_assert_cmpuint (kibitz_test_metric (server, "kibitz_http_timeouts_total"), ==, 2);

  /* A WebSocket has no such deadline: the participant is still in. */
  g_assert_false (participant->closed);
  kibitz_test_client_send (participant, "{\"type\":\"chat\",\"text\":\"still here\"}");
  kibitz_test_client_assert_no (participant, "error", 300);
  g_assert_false (participant->closed);
}

/* No endpoint takes a body; framing two parsers could read two ways is
 * refused, and nothing pipelined behind it is served.
 */
static void
test_bodies_and_framing (void)
{
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (NULL);
  g_autoptr(GString) big = g_string_new ("POST /v1/config HTTP/1.1\r\nHost: x\r\n"
                                         "Content-Length: 4000000\r\n\r\n");
  static const char chunked[] = "POST /healthz HTTP/1.1\r\nHost: x\r\n"
                                "Transfer-Encoding: chunked\r\n\r\nzzzz\r\n\r\n"
                                "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
  static const char both[] = "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                             "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
                             "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
  /* libsoup 3.2 answers these itself but leaks the request target each time;
   * the server must refuse them first (LeakSanitizer checks at exit). */
  static const char * const bad_heads[] = {
    "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
    "Content-Length: abc\r\n\r\n",
    "Content-Length: 0\r\nContent-Length: 0\r\n\r\n",
    "transfer-encoding: identity\r\n\r\n",
  };
  g_autofree char *target = g_strnfill (8000, 'a');
  g_autofree char *huge = g_strdup_printf ("GET /%s%s%s HTTP/1.1\r\nHost: x\r\n\r\n", target,
                                           target, target);
  g_autofree char *refused_huge = NULL;
  g_autofree char *refused_big = NULL;
  g_autofree char *refused_chunked = NULL;
  g_autofree char *refused_both = NULL;

  for (guint i = 0; i < 4000000 / 64; i++)
    g_string_append (big, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
  refused_big = exchange (server, big->str, big->len);
  g_assert_true (g_str_has_prefix (refused_big, "HTTP/1.1 413"));
  g_assert_nonnull (strstr (refused_big, "takes no request bodies"));

  refused_chunked = exchange (server, chunked, strlen (chunked));
  g_assert_true (g_str_has_prefix (refused_chunked, "HTTP/1.1 413"));
  g_assert_null (strstr (refused_chunked, "kibitz_"));
  g_assert_null (strstr (refused_chunked + 1, "HTTP/1.1"));

  refused_both = exchange (server, both, strlen (both));
  g_assert_true (g_str_has_prefix (refused_both, "HTTP/1.1 400"));
  g_assert_nonnull (strstr (refused_both, "Bad body framing"));
  g_assert_null (strstr (refused_both, "kibitz_"));

  for (guint i = 0; i < G_N_ELEMENTS (bad_heads); i++)
    {
      g_autofree char *request = g_strconcat ("POST /", target, " HTTP/1.1\r\nHost: x\r\n",
                                              bad_heads[i], NULL);
      g_autofree char *answer = exchange (server, request, strlen (request));

      g_assert_true (g_str_has_prefix (answer, "HTTP/1.1 400"));
      g_assert_nonnull (strstr (answer, "Bad body framing"));
    }
  refused_huge = exchange (server, huge, strlen (huge));
  g_assert_true (g_str_has_prefix (refused_huge, "HTTP/1.1 431"));

  g_assert_cmpuint (kibitz_test_metric (server, "kibitz_http_bodies_refused_total"), ==, 2);
  g_assert_cmpuint (kibitz_test_metric (server, "kibitz_http_bad_heads_total"), ==,
                    G_N_ELEMENTS (bad_heads) + 2);
  assert_served (server);
}

/* A STUN Binding request over TCP, answered with a Binding success. */
static gboolean
turn_tcp_binding_answered (guint16 port)
{
  static const guint8 binding[20] = { 0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42,
                                      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
  int fd = connect_from (1, port, FALSE);
  gboolean closed;
  g_autofree char *answer = NULL;
  gboolean answered;

  g_assert_cmpint (send (fd, binding, sizeof binding, MSG_NOSIGNAL), ==, sizeof binding);
  answer = read_all (fd, 1000, &closed);
  answered = (guint8) answer[0] == 0x01 && (guint8) answer[1] == 0x01;
  close (fd);

  return answered;
}

/* TURN over TCP: a per-address limit, and a frame that trickles in is cut
 * after 5 s however often its bytes arrive.
 */
static void
test_turn_tcp (void)
{
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (NULL);
  guint16 port = port_of (server->turn);
  static const guint8 header[] = { 0x00, 0x03, 0x1f, 0x40, 0x21, 0x12, 0xa4, 0x42 };
  g_autoptr(GArray) fds = g_array_new (FALSE, FALSE, sizeof (int));
  guint cut = 0;
  int slow;
  gboolean closed = FALSE;
  gint64 start;

  for (guint i = 0; i < 300; i++)
    {
      int fd = connect_from (2, port, TRUE);

      g_array_append_val (fds, fd);
    }
  /* A busy machine may drop SYNs past the backlog: wait for all to arrive. */
  for (guint i = 0; i < 150; i++)
    {
      if (kibitz_test_metric (server, "kibitz_turn_tcp_connections") +
          kibitz_test_metric (server, "kibitz_turn_tcp_refused_total") >= 300)
        break;
      kibitz_test_spin (100);
    }
  g_assert_cmpuint (kibitz_test_metric (server, "kibitz_turn_tcp_connections"), ==, 256);
  g_assert_cmpuint (kibitz_test_metric (server, "kibitz_turn_tcp_refused_total"), ==, 44);
  kibitz_test_spin (200);
  for (guint i = 0; i < fds->len; i++)
    {
      int fd = g_array_index (fds, int, i);
      char byte;

      if (recv (fd, &byte, 1, MSG_DONTWAIT) == 0 || errno == ECONNRESET)
        cut++;
      close (fd);
    }
  g_assert_cmpuint (cut, ==, 300 - 256);
  g_assert_true (turn_tcp_binding_answered (port));

  /* A header announcing 8,000 bytes, then one byte a second. */
  slow = connect_from (3, port, FALSE);
  g_assert_cmpint (send (slow, header, sizeof header, MSG_NOSIGNAL), ==, sizeof header);
  start = g_get_monotonic_time ();
  for (guint i = 0; i < 15 && !closed; i++)
    {
      g_autofree char *nothing = NULL;

      if (send (slow, "x", 1, MSG_NOSIGNAL) != 1)
        break;
      nothing = read_all (slow, 1000, &closed);
    }
  g_assert_true (closed);
  g_assert_cmpint ((g_get_monotonic_time () - start) / G_USEC_PER_SEC, <=, 8);
  close (slow);
  g_assert_true (turn_tcp_binding_answered (port));
  g_assert_cmpuint (kibitz_test_metric (server, "kibitz_turn_tcp_cut_total"), ==, 1);
}

static char *
get_metrics_as (KibitzTestServer *server,
                int               from,
                const char       *headers)
{
  g_autofree char *request = g_strdup_printf ("GET /metrics HTTP/1.1\r\nHost: x\r\n%s\r\n",
                                              headers);

  return exchange_from (from, server, request, strlen (request));
}

/* /metrics names rooms: the operator reads it from the server itself or
 * with the token; a visitor through the (trusted) proxy is refused.
 */
static void
test_metrics_for_operator (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("kibitz-metrics-XXXXXX", &error);
  g_autofree char *token_file = g_build_filename (dir, "metrics-token", NULL);
  g_autoptr(KibitzTestServer) server = NULL;
  g_autofree char *own = NULL;
  g_autofree char *visitor = NULL;
  g_autofree char *wrong = NULL;
  g_autofree char *monitor = NULL;

  g_assert_true (g_file_set_contents (token_file, "0123456789abcdef0123\n", -1, &error));
  {
    const char * const args[] = { "--metrics-token-file", token_file,
                                  "--trusted-proxy", "127.0.0.3", NULL };

    server = kibitz_test_server_start (args);
  }

  own = get_metrics_as (server, 1, "");
  g_assert_true (g_str_has_prefix (own, "HTTP/1.1 200"));
  g_assert_nonnull (strstr (own, "kibitz_rooms "));

  visitor = get_metrics_as (server, 3, "X-Forwarded-For: 203.0.113.7\r\n");
  g_assert_true (g_str_has_prefix (visitor, "HTTP/1.1 403"));
  g_assert_nonnull (strstr (visitor, "for the server's operator"));
  g_assert_null (strstr (visitor, "kibitz_"));

  wrong = get_metrics_as (server, 3, "X-Forwarded-For: 203.0.113.7\r\n"
                                     "Authorization: Bearer 0123456789abcdef0124\r\n");
  g_assert_true (g_str_has_prefix (wrong, "HTTP/1.1 403"));

  monitor = get_metrics_as (server, 3, "X-Forwarded-For: 203.0.113.7\r\n"
                                       "Authorization: Bearer 0123456789abcdef0123\r\n");
  g_assert_true (g_str_has_prefix (monitor, "HTTP/1.1 200"));
  g_assert_nonnull (strstr (monitor, "kibitz_rooms "));

  g_unlink (token_file);
  g_rmdir (dir);
}

/* A hand-made client that joins, reads its welcome and then nothing. */
static GSocketConnection *
reader_that_never_reads (KibitzTestServer  *server,
                         const char        *room,
                         char             **id)
{
  GSocketConnection *raw = kibitz_raw_ws_connect (server->http);
  g_autofree char *join = g_strdup_printf ("{\"type\":\"join\",\"room\":\"%s\","
                                           "\"name\":\"Sleepy\"}", room);
  g_autoptr(GError) error = NULL;

  g_assert_true (kibitz_raw_ws_send_frame (raw, TRUE, 0x1, (const guint8 *) join,
                                           strlen (join), &error));
  *id = NULL;
  while (*id == NULL)
    {
      g_autofree char *payload = NULL;
      g_autoptr(JsonParser) parser = json_parser_new ();
      guint8 opcode;
      JsonObject *object;

      g_assert_cmpint (kibitz_raw_ws_read_frame (raw, 5000, &opcode, &payload), ==,
                       KIBITZ_RAW_FRAME);
      if (opcode != 0x1 || !json_parser_load_from_data (parser, payload, -1, NULL))
        continue;
      object = json_node_get_object (json_parser_get_root (parser));
      if (g_strcmp0 (json_object_get_string_member_with_default (object, "type", ""),
                     "welcome") == 0)
        *id = g_strdup (json_object_get_string_member (object, "id"));
    }

  return raw;
}

/* Eight sockets that never read, four senders sending each 9.6 MB of signals
 * (the kernel's buffers take about 4 MB of it):
 * under the 8 MiB of one socket, but together past the server's ceiling for
 * queued bytes, so the sleepers are dropped; the senders and a reading
 * participant carry on.
 */
static void
test_readers_that_never_read (void)
{
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (NULL);
  g_autoptr(GPtrArray) sleepers = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) senders = g_ptr_array_new_with_free_func (
    (GDestroyNotify) kibitz_test_client_free);
  g_autoptr(KibitzTestClient) reader = kibitz_test_client_connect (server);
  g_autoptr(JsonObject) wr = kibitz_test_client_join (reader, "flood", "Reader", NULL);
  g_autoptr(JsonObject) chat = NULL;
  g_autofree char *pad = g_strnfill (60000, 'x');

  for (guint i = 0; i < 8; i++)
    {
      char *id;

      g_ptr_array_add (sleepers, reader_that_never_reads (server, "flood", &id));
      g_ptr_array_add (ids, id);
    }
  for (guint i = 0; i < 4; i++)
    {
      KibitzTestClient *sender = kibitz_test_client_connect (server);
      g_autoptr(JsonObject) welcome = kibitz_test_client_join (sender, "flood", "Sender", NULL);

      g_assert_nonnull (welcome);
      g_ptr_array_add (senders, sender);
    }

  /* 160 signals of 60 KB for each sleeper (1,280 in all, 320 per sender). */
  for (guint i = 0; i < 1280; i++)
    kibitz_test_client_send (g_ptr_array_index (senders, i % 4),
                             "{\"type\":\"signal\",\"to\":\"%s\",\"data\":{\"pad\":\"%s\"}}",
                             (const char *) g_ptr_array_index (ids, i % 8), pad);

  /* The sleepers ping, so only their queues can get them dropped. */
  for (guint i = 0; i < 40 && kibitz_test_metric (server, "kibitz_messages_received_total") <
                                1280 + 13; i++)
    {
      for (guint j = 0; j < sleepers->len; j++)
        kibitz_raw_ws_send_frame (g_ptr_array_index (sleepers, j), TRUE, 0x9,
                                  (const guint8 *) "hi", 2, NULL);
      kibitz_test_spin (500);
    }
  g_assert_cmpuint (kibitz_test_metric (server, "kibitz_messages_received_total"), >=, 1280 + 13);
  kibitz_test_spin (500);

  /* Everything relayed to them would be 45 MB waiting; the ceiling holds it
   * to 32 MiB (and a message) by dropping the slowest. */
  g_test_message ("%" G_GUINT64_FORMAT " connections, %" G_GUINT64_FORMAT " bytes queued",
                  kibitz_test_metric (server, "kibitz_connections"),
                  kibitz_test_metric (server, "kibitz_ws_queued_bytes"));
  g_assert_cmpuint (kibitz_test_metric (server, "kibitz_ws_queued_bytes"), <=,
                    32 * 1024 * 1024 + 65536);
  g_assert_cmpuint (kibitz_test_metric (server, "kibitz_connections"), <, 13);

  for (guint i = 0; i < senders->len; i++)
    g_assert_false (((KibitzTestClient *) g_ptr_array_index (senders, i))->closed);
  kibitz_test_client_send (g_ptr_array_index (senders, 0),
                           "{\"type\":\"chat\",\"text\":\"still here\"}");
  chat = kibitz_test_client_wait (reader, "chat", 5000);
  g_assert_nonnull (chat);
}

/* Nine participants drop at once and a tenth sends each of them 1.8 MB of
 * signals while they are away: what waits for them is bounded by the room
 * (4 MiB), not only by each peer (1 MiB each, 9 MiB).
 */
static void
test_pending_for_dropped_peers (void)
{
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (NULL);
  g_autoptr(KibitzTestClient) sender = kibitz_test_client_connect (server);
  g_autoptr(JsonObject) ws = kibitz_test_client_join (sender, "drops", "Sender", NULL);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) tokens = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *pad = g_strnfill (60000, 'x');
  guint delivered = 0;

  for (guint i = 0; i < 9; i++)
    {
      KibitzTestClient *client = kibitz_test_client_connect (server);
      g_autoptr(JsonObject) welcome = kibitz_test_client_join (client, "drops", "Away", NULL);

      g_ptr_array_add (ids, g_strdup (json_object_get_string_member (welcome, "id")));
      g_ptr_array_add (tokens, g_strdup (json_object_get_string_member (welcome, "resume")));
      kibitz_test_client_free (client);
    }
  kibitz_test_spin (500);

  for (guint i = 0; i < 9 * 30; i++)
    kibitz_test_client_send (sender,
                             "{\"type\":\"signal\",\"to\":\"%s\",\"data\":{\"pad\":\"%s\"}}",
                             (const char *) g_ptr_array_index (ids, i % 9), pad);
  kibitz_test_client_assert_no (sender, "error", 2000);

  for (guint i = 0; i < 9; i++)
    {
      g_autoptr(KibitzTestClient) back = kibitz_test_client_connect (server);
      g_autoptr(JsonObject) welcome = kibitz_test_client_join (back, "drops", "Away",
                                                              g_ptr_array_index (tokens, i));
      JsonObject *signal;

      g_assert_true (json_object_get_boolean_member (welcome, "resumed"));
      while ((signal = kibitz_test_client_wait (back, "signal", 1000)) != NULL)
        {
          delivered++;
          json_object_unref (signal);
        }
    }

  /* 4 MiB of 60 KB signals: 69 at most; with only the per-peer limit, 153. */
  g_test_message ("%u signals waited for the nine", delivered);
  g_assert_cmpuint (delivered, >, 30);
  g_assert_cmpuint (delivered, <=, 70);
  g_assert_false (sender->closed);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/limits/idle-flood", test_idle_flood);
  g_test_add_func ("/server/limits/out-of-descriptors", test_out_of_descriptors);
  g_test_add_func ("/server/limits/slow-requests", test_slow_requests);
  g_test_add_func ("/server/limits/bodies-and-framing", test_bodies_and_framing);
  g_test_add_func ("/server/limits/turn-tcp", test_turn_tcp);
  g_test_add_func ("/server/limits/metrics-for-operator", test_metrics_for_operator);
  g_test_add_func ("/server/limits/readers-that-never-read", test_readers_that_never_read);
  g_test_add_func ("/server/limits/pending-for-dropped-peers", test_pending_for_dropped_peers);

  return g_test_run ();
}
