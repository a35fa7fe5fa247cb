/* kibitz-http-listener.c: accepts HTTP/WebSocket connections for libsoup.
 *
 * libsoup 3.2 accepts on its own listening socket, and when accept() fails
 * (EMFILE when descriptors run out) its watch returns G_SOURCE_REMOVE: the
 * server never accepts again until restarted. It also holds a connection for
 * as long as the client likes, from any number of sockets per address, and
 * buffers any request body whole. So the server owns the socket: it accepts,
 * applies the limits a front-end proxy would, and hands each admitted
 * connection to libsoup with soup_server_accept_iostream().
 *
 * Without listeners of its own libsoup closes a connection after its response
 * (no keep-alive), so every plain HTTP connection carries one request and
 * lives at most request_timeout seconds; WebSockets are exempt once upgraded.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-server"
#define _GNU_SOURCE  /* accept4 */

#include "config.h"

#include "kibitz-http-listener.h"
#include "kibitz-ws-conn.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define ACCEPT_BATCH        64
#define PAUSE_MSEC          100
#define LOG_INTERVAL_USEC   (60 * G_USEC_PER_SEC)
#define MAX_DESCRIPTORS     (1 << 20)
#define HEAD_MAX            16384

typedef struct {
  KibitzHttpListener *owner;
  GSocket            *socket;
  GSource            *source;
  guint               pause_id;
} Listening;

typedef struct {
  KibitzHttpListener *owner;
  GSocketConnection  *connection;  /* not owned: a weak reference */
  GSocket            *socket;      /* its socket, the key in tracked */
  char               *address;
  gint64              deadline;    /* 0 once cut */
  gboolean            cut;         /* shut down, waiting for libsoup to let go */
  gboolean            exempt;      /* a trusted proxy: no per-address limit */
  GSocket            *inner;       /* TLS: libsoup's end of the socketpair, a key in inner */
} Tracked;

/* TLS ends here: the decrypted bytes go through a socketpair to libsoup,
 * whose end then takes the plain path (the head checked in the kernel's
 * buffer before libsoup parses it, which it could not be inside TLS). */
typedef struct {
  KibitzHttpListener *owner;
  GSocketConnection  *tcp;         /* keeps the client's connection (and Tracked) */
  GIOStream          *tls;
  GSocketConnection  *ours;        /* our end of the socketpair */
  GCancellable       *cancellable;
  guint               running;     /* directions still copying */
} Pump;

/* A plain HTTP connection whose request head has not all arrived yet. */
typedef struct {
  KibitzHttpListener *owner;
  GSocketConnection  *connection;
  GSource            *source;
  GSocketAddress     *local;     /* the client's connection's, for libsoup */
  GSocketAddress     *remote;
  gboolean            draining;  /* refused: reading to the end before closing */
} Head;

struct _KibitzHttpListener {
  SoupServer       *soup;
  KibitzHttpLimits  limits;
  GTlsCertificate  *tls;
  KibitzForwarded  *trusted;
  GPtrArray        *listening;    /* Listening */
  GHashTable       *tracked;      /* GSocket * -> Tracked, until upgraded */
  GHashTable       *per_address;  /* address -> count */
  GHashTable       *heads;        /* Head set */
  GHashTable       *inner;        /* GSocket * (libsoup's end of a TLS pair) -> Tracked */
  GHashTable       *pumps;        /* Pump set */
  guint             open;
  guint             n_websockets;
  guint             cut;
  guint             tick_id;
  gulong            started_id;
  int               spare_fd;     /* given up to accept and refuse when descriptors run out */
  gint64            last_log;

  guint64           accepted;
  guint64           refused_full;
  guint64           refused_address;
  guint64           refused_descriptors;
  guint64           timed_out;
  guint64           evicted;
  guint64           bodies_refused;
  guint64           heads_refused;
};

static const char refusal[] =
  "HTTP/1.1 503 Service Unavailable\r\n"
  "Content-Type: text/plain\r\n"
  "Retry-After: 5\r\n"
  "Connection: close\r\n"
  "Content-Length: 72\r\n"
  "\r\n"
  "kibitz-server is busy: too many connections. Try again in a few seconds\n";

guint
kibitz_raise_descriptor_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) != 0)
    return 1024;

  if (limit.rlim_cur < limit.rlim_max)
    {
      rlim_t wanted = MIN (limit.rlim_max, (rlim_t) MAX_DESCRIPTORS);

      if (wanted > limit.rlim_cur)
        {
          struct rlimit raised = { wanted, limit.rlim_max };

          if (setrlimit (RLIMIT_NOFILE, &raised) == 0)
            limit.rlim_cur = wanted;
        }
    }

  return (guint) MIN (limit.rlim_cur, (rlim_t) MAX_DESCRIPTORS);
}

void
kibitz_address_count_change (GHashTable *counts,
                             const char *address,
                             int         delta)
{
  guint count = GPOINTER_TO_UINT (g_hash_table_lookup (counts, address)) + delta;

  if (count == 0)
    g_hash_table_remove (counts, address);
  else
    g_hash_table_insert (counts, g_strdup (address), GUINT_TO_POINTER (count));
}

/* The connection object is gone: libsoup (or the WebSocket loop) let it go. */
static void
tracked_released (gpointer  user_data,
                  GObject  *where_the_object_was)
{
  Tracked *tracked = user_data;
  KibitzHttpListener *self = tracked->owner;

  g_hash_table_steal (self->tracked, tracked->socket);
  if (tracked->inner != NULL)
    g_hash_table_remove (self->inner, tracked->inner);
  self->open--;
  if (tracked->cut)
    self->cut--;
  kibitz_address_count_change (self->per_address, tracked->address, -1);
  g_free (tracked->address);
  g_free (tracked);
}

/* libsoup sees the end of the stream and lets the connection go. */
static void
cut (KibitzHttpListener *self,
     Tracked            *tracked)
{
  tracked->cut = TRUE;
  tracked->deadline = 0;
  self->cut++;
  g_socket_shutdown (tracked->socket, TRUE, TRUE, NULL);
}

static const char *
busiest_address (KibitzHttpListener *self)
{
  GHashTableIter iter;
  gpointer address, count;
  const char *busiest = NULL;
  guint most = 0;

  g_hash_table_iter_init (&iter, self->per_address);
  while (g_hash_table_iter_next (&iter, &address, &count))
    {
      if (GPOINTER_TO_UINT (count) > most)
        {
          most = GPOINTER_TO_UINT (count);
          busiest = address;
        }
    }

  return busiest;
}

/* The oldest plain HTTP connection, from @address if it has one. */
static Tracked *
oldest_pending (KibitzHttpListener *self,
                const char         *address)
{
  GHashTableIter iter;
  Tracked *tracked, *oldest = NULL, *oldest_there = NULL;

  g_hash_table_iter_init (&iter, self->tracked);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &tracked))
    {
      if (tracked->cut)
        continue;
      if (oldest == NULL || tracked->deadline < oldest->deadline)
        oldest = tracked;
      if (g_strcmp0 (tracked->address, address) == 0 &&
          (oldest_there == NULL || tracked->deadline < oldest_there->deadline))
        oldest_there = tracked;
    }

  return oldest_there ? oldest_there : oldest;
}

/* Full: the oldest unfinished request of whoever holds most connections
 * gives way, so a flood of idle sockets cannot keep a participant out (a
 * real request needs milliseconds). Only WebSockets are never cut for room.
 */
static gboolean
make_room (KibitzHttpListener *self)
{
  guint live = self->open - self->cut;
  guint pending = live - self->n_websockets;
  Tracked *victim;

  if (live < self->limits.max_connections &&
      pending < self->limits.max_connections - self->limits.reserve)
    return TRUE;

  victim = oldest_pending (self, busiest_address (self));
  if (victim == NULL)
    return FALSE;

  self->evicted++;
  cut (self, victim);

  return TRUE;
}

/* Best effort, never blocking: a refused client reads why before the close. */
static void
refuse (KibitzHttpListener *self,
        int                 fd)
{
  if (self->tls == NULL)
    (void) send (fd, refusal, sizeof refusal - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
  close (fd);
}

static char *
remote_address (int fd)
{
  struct sockaddr_storage storage;
  socklen_t len = sizeof storage;
  g_autoptr(GSocketAddress) address = NULL;

  if (getpeername (fd, (struct sockaddr *) &storage, &len) != 0)
    return NULL;
  address = g_socket_address_new_from_native (&storage, len);
  if (!G_IS_INET_SOCKET_ADDRESS (address))
    return NULL;

  return g_inet_address_to_string (
    g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address)));
}

static Tracked *
find_tracked (KibitzHttpListener *self,
              GSocket            *socket)
{
  Tracked *tracked = g_hash_table_lookup (self->tracked, socket);

  return tracked ? tracked : g_hash_table_lookup (self->inner, socket);
}

static const char head_too_large[] =
  "HTTP/1.1 431 Request Header Fields Too Large\r\n"
  "Content-Type: text/plain\r\n"
  "Connection: close\r\n"
  "Content-Length: 51\r\n"
  "\r\n"
  "The request head is over 16 KiB: send a shorter one\n";

static const char bad_framing[] =
  "HTTP/1.1 400 Bad Request\r\n"
  "Content-Type: text/plain\r\n"
  "Connection: close\r\n"
  "Content-Length: 104\r\n"
  "\r\n"
  "Bad body framing: Content-Length must be one number, Transfer-Encoding only \"chunked\", "
  "never both.\n";

static gboolean
header_is (const char *line,
           gsize       length,
           const char *name)
{
  gsize n = strlen (name);

  return length > n && line[n] == ':' && g_ascii_strncasecmp (line, name, n) == 0;
}

/* The value of a header line, without the blanks around it. */
static char *
header_value (const char *line,
              gsize       length)
{
  const char *colon = memchr (line, ':', length);

  return g_strstrip (g_strndup (colon + 1, line + length - colon - 1));
}

/* The framing rules of RFC 9112 §6 that libsoup 3.2 does not keep, or keeps
 * at a price: one Content-Length of digits, Transfer-Encoding only
 * "chunked", and never both. libsoup answers an unknown Transfer-Encoding or
 * a Content-Length it cannot read itself, but leaks the request target each
 * time (30 KB a request: 1,500 requests held 44 MB), so such heads never
 * reach it. */
static gboolean
framing_ok (const char *head,
            gsize       length)
{
  const char *line = memchr (head, '\n', length);
  const char *end = head + length;
  guint lengths = 0, codings = 0;

  while (line != NULL && ++line < end)
    {
      const char *next = memchr (line, '\n', end - line);
      gsize n = (next ? next : end) - line;

      if (n > 0 && line[n - 1] == '\r')
        n--;
      if (header_is (line, n, "Content-Length"))
        {
          g_autofree char *value = header_value (line, n);

          if (++lengths > 1 || *value == '\0' || strspn (value, "0123456789") != strlen (value) ||
              strlen (value) > 18)
            return FALSE;
        }
      else if (header_is (line, n, "Transfer-Encoding"))
        {
          g_autofree char *value = header_value (line, n);

          if (++codings > 1 || g_ascii_strcasecmp (value, "chunked") != 0)
            return FALSE;
        }
      line = next;
    }

  return lengths + codings <= 1;
}

static void
head_free (Head *head)
{
  g_source_destroy (head->source);
  g_source_unref (head->source);
  g_object_unref (head->connection);  /* the last reference unless handed over */
  g_clear_object (&head->local);
  g_clear_object (&head->remote);
  g_free (head);
}

/* Answers, then reads what the client still sends until it closes (or the
 * request deadline): closing with unread bytes would send a reset that can
 * destroy the answer before the client reads it. */
static void
head_refuse (KibitzHttpListener *self,
             Head               *head,
             const char         *answer,
             gsize               length)
{
  int fd = g_socket_get_fd (g_socket_connection_get_socket (head->connection));
  int one = 1;

  self->heads_refused++;
  (void) send (fd, answer, length, MSG_DONTWAIT | MSG_NOSIGNAL);
  shutdown (fd, SHUT_WR);
  setsockopt (fd, SOL_SOCKET, SO_RCVLOWAT, &one, sizeof one);
  head->draining = TRUE;
}

static void
head_hand_over (KibitzHttpListener *self,
                Head               *head)
{
  GSocket *socket = g_socket_connection_get_socket (head->connection);
  g_autoptr(GError) error = NULL;
  int one = 1;

  setsockopt (g_socket_get_fd (socket), SOL_SOCKET, SO_RCVLOWAT, &one, sizeof one);
  if (!soup_server_accept_iostream (self->soup, G_IO_STREAM (head->connection), head->local,
                                    head->remote, &error))
    g_message ("Cannot serve a connection: %s", error->message);
  g_hash_table_remove (self->heads, head);
}

/* The head is looked at where it lies, in the kernel's buffer (MSG_PEEK), so
 * libsoup reads it as it came. SO_RCVLOWAT makes the socket readable again
 * only when more arrives, not for the bytes already seen. */
static gboolean
head_ready_cb (GSocket      *socket,
               GIOCondition  condition,
               gpointer      user_data)
{
  static char buffer[HEAD_MAX];
  Head *head = user_data;
  KibitzHttpListener *self = head->owner;
  Tracked *tracked = find_tracked (self, socket);
  int fd = g_socket_get_fd (socket);
  const char *crlf, *lf;
  gssize n;
  int wanted;

  if (tracked == NULL || tracked->cut || (condition & (G_IO_HUP | G_IO_ERR)))
    {
      g_hash_table_remove (self->heads, head);
      return G_SOURCE_REMOVE;
    }

  n = recv (fd, buffer, sizeof buffer, head->draining ? MSG_DONTWAIT : MSG_PEEK | MSG_DONTWAIT);
  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return G_SOURCE_CONTINUE;
  if (n <= 0)
    {
      g_hash_table_remove (self->heads, head);
      return G_SOURCE_REMOVE;
    }
  if (head->draining)
    return G_SOURCE_CONTINUE;

  crlf = g_strstr_len (buffer, n, "\r\n\r\n");
  lf = g_strstr_len (buffer, n, "\n\n");  /* bare LF heads, which libsoup takes too */
  if (crlf != NULL || lf != NULL)
    {
      const char *end = crlf == NULL ? lf : lf == NULL ? crlf : MIN (crlf, lf);

      if (framing_ok (buffer, end - buffer))
        {
          head_hand_over (self, head);
          return G_SOURCE_REMOVE;
        }
      head_refuse (self, head, bad_framing, sizeof bad_framing - 1);
      return G_SOURCE_CONTINUE;
    }
  if (n == sizeof buffer)
    {
      head_refuse (self, head, head_too_large, sizeof head_too_large - 1);
      return G_SOURCE_CONTINUE;
    }

  wanted = n + 1;
  setsockopt (fd, SOL_SOCKET, SO_RCVLOWAT, &wanted, sizeof wanted);
  return G_SOURCE_CONTINUE;
}

/* Plain HTTP (or the plain end of a TLS pair): the head is checked before
 * libsoup parses it. Takes @connection. */
static void
wait_for_head (KibitzHttpListener *self,
               GSocketConnection  *connection,
               GSocketAddress     *local,
               GSocketAddress     *remote)
{
  Head *head = g_new0 (Head, 1);

  head->owner = self;
  head->connection = connection;
  head->local = local ? g_object_ref (local) : NULL;
  head->remote = remote ? g_object_ref (remote) : NULL;
  head->source = g_socket_create_source (g_socket_connection_get_socket (connection), G_IO_IN, NULL);
  g_source_set_callback (head->source, (GSourceFunc) (GCallback) head_ready_cb, head, NULL);
  g_source_attach (head->source, NULL);
  g_hash_table_add (self->heads, head);
}

#define PUMP_CHUNK 16384

static void
pump_done (Pump *pump)
{
  if (--pump->running > 0)
    return;
  if (pump->owner != NULL)
    g_hash_table_remove (pump->owner->pumps, pump);
  g_cancellable_cancel (pump->cancellable);
  g_io_stream_close (pump->tls, NULL, NULL);
  g_io_stream_close (G_IO_STREAM (pump->ours), NULL, NULL);
  g_clear_object (&pump->ours);
  g_clear_object (&pump->tls);
  g_clear_object (&pump->cancellable);
  g_clear_object (&pump->tcp);  /* the last reference: Tracked is released */
  g_free (pump);
}

typedef struct {
  Pump          *pump;
  GInputStream  *from;
  GOutputStream *to;
  gboolean       to_client;   /* libsoup -> TLS */
  guint8         buffer[PUMP_CHUNK];
} Direction;

static void pump_read (Direction *direction);

/* One direction has ended: tell the other side, and let go. */
static void
direction_end (Direction *direction)
{
  Pump *pump = direction->pump;

  if (direction->to_client)
    /* libsoup (or the WebSocket loop) closed its end: so does TLS. */
    g_cancellable_cancel (pump->cancellable);
  else
    /* The client is done sending: libsoup sees the end of its request. */
    g_socket_shutdown (g_socket_connection_get_socket (pump->ours), FALSE, TRUE, NULL);
  g_free (direction);
  pump_done (pump);
}

static void
pump_written_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Direction *direction = user_data;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL))
    {
      g_cancellable_cancel (direction->pump->cancellable);
      direction_end (direction);
      return;
    }
  pump_read (direction);
}

static void
pump_read_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Direction *direction = user_data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);

  if (n <= 0)
    {
      direction_end (direction);
      return;
    }
  g_output_stream_write_all_async (direction->to, direction->buffer, n, G_PRIORITY_DEFAULT,
                                   direction->pump->cancellable, pump_written_cb, direction);
}

static void
pump_read (Direction *direction)
{
  g_input_stream_read_async (direction->from, direction->buffer, sizeof direction->buffer,
                             G_PRIORITY_DEFAULT, direction->pump->cancellable, pump_read_cb,
                             direction);
}

static void
pump_start (Pump    *pump,
            gboolean to_client)
{
  Direction *direction = g_new0 (Direction, 1);
  GIOStream *ours = G_IO_STREAM (pump->ours);

  direction->pump = pump;
  direction->to_client = to_client;
  direction->from = to_client ? g_io_stream_get_input_stream (ours)
                              : g_io_stream_get_input_stream (pump->tls);
  direction->to = to_client ? g_io_stream_get_output_stream (pump->tls)
                            : g_io_stream_get_output_stream (ours);
  pump->running++;
  pump_read (direction);
}

static void
handshake_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Pump *pump = user_data;
  KibitzHttpListener *self = pump->owner;
  GSocket *client = g_socket_connection_get_socket (pump->tcp);
  Tracked *tracked = self ? g_hash_table_lookup (self->tracked, client) : NULL;
  g_autoptr(GSocketAddress) local = g_socket_get_local_address (client, NULL);
  g_autoptr(GSocketAddress) remote = g_socket_get_remote_address (client, NULL);
  g_autoptr(GSocket) ours = NULL;
  g_autoptr(GSocket) theirs = NULL;
  g_autoptr(GError) error = NULL;
  int fds[2];

  if (!g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, &error) ||
      tracked == NULL || tracked->cut ||
      socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, fds) != 0)
    {
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("TLS handshake failed: %s", error->message);
      pump->running = 1;
      pump_done (pump);
      return;
    }

  ours = g_socket_new_from_fd (fds[0], NULL);
  theirs = g_socket_new_from_fd (fds[1], NULL);
  if (ours == NULL || theirs == NULL)
    {
      if (ours == NULL)
        close (fds[0]);
      if (theirs == NULL)
        close (fds[1]);
      pump->running = 1;
      pump_done (pump);
      return;
    }
  pump->ours = g_socket_connection_factory_create_connection (ours);
  tracked->inner = theirs;
  g_hash_table_insert (self->inner, theirs, tracked);
  pump_start (pump, FALSE);
  pump_start (pump, TRUE);
  wait_for_head (self, g_socket_connection_factory_create_connection (theirs), local, remote);
}

static void
hand_to_soup (KibitzHttpListener *self,
              GSocket            *socket,
              char               *address,
              gboolean            exempt)
{
  g_autoptr(GSocketConnection) connection = g_socket_connection_factory_create_connection (socket);
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GSocketAddress) local = g_socket_get_local_address (socket, NULL);
  g_autoptr(GSocketAddress) remote = g_socket_get_remote_address (socket, NULL);
  g_autoptr(GError) error = NULL;
  Tracked *tracked = g_new0 (Tracked, 1);

  tracked->owner = self;
  tracked->connection = connection;
  tracked->socket = socket;
  tracked->address = address;
  tracked->exempt = exempt;
  tracked->deadline = g_get_monotonic_time () + self->limits.request_timeout * G_USEC_PER_SEC;
  g_hash_table_insert (self->tracked, socket, tracked);
  g_object_weak_ref (G_OBJECT (connection), tracked_released, tracked);
  self->open++;
  self->accepted++;
  kibitz_address_count_change (self->per_address, address, +1);

  if (self->tls != NULL)
    {
      Pump *pump;

      stream = G_IO_STREAM (g_tls_server_connection_new (G_IO_STREAM (connection), self->tls,
                                                         &error));
      if (stream == NULL)
        {
          g_message ("Cannot start TLS for %s: %s", address, error->message);
          return;
        }
      pump = g_new0 (Pump, 1);
      pump->owner = self;
      pump->tcp = g_steal_pointer (&connection);
      pump->tls = g_steal_pointer (&stream);
      pump->cancellable = g_cancellable_new ();
      g_hash_table_add (self->pumps, pump);
      g_tls_connection_handshake_async (G_TLS_CONNECTION (pump->tls), G_PRIORITY_DEFAULT,
                                        pump->cancellable, handshake_cb, pump);
      return;
    }

  wait_for_head (self, g_steal_pointer (&connection), local, remote);
}

static void
admit (KibitzHttpListener *self,
       int                 fd)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GError) error = NULL;
  char *address = remote_address (fd);
  gboolean exempt;

  if (address == NULL)
    {
      close (fd);
      return;
    }

  exempt = kibitz_forwarded_is_trusted (self->trusted, address);
  if (!exempt && GPOINTER_TO_UINT (g_hash_table_lookup (self->per_address, address)) >=
      self->limits.max_per_address)
    {
      self->refused_address++;
      refuse (self, fd);
      g_free (address);
      return;
    }

  if (!make_room (self))
    {
      self->refused_full++;
      refuse (self, fd);
      g_free (address);
      return;
    }

  socket = g_socket_new_from_fd (fd, &error);
  if (socket == NULL)
    {
      g_message ("Cannot use an accepted connection from %s: %s", address, error->message);
      close (fd);
      g_free (address);
      return;
    }
  /* libsoup sets this on sockets it accepts itself, not on streams handed to
   * it: without it Nagle holds small signals back for tens of milliseconds
   * (bench/signaling's burst p99 went from 2 to 45 ms). */
  g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, TRUE, NULL);

  hand_to_soup (self, socket, address, exempt);
}

static gboolean accept_ready (GSocket      *socket,
                              GIOCondition  condition,
                              gpointer      user_data);

static void
watch (Listening *listening)
{
  listening->source = g_socket_create_source (listening->socket, G_IO_IN, NULL);
  g_source_set_callback (listening->source, (GSourceFunc) (GCallback) accept_ready, listening,
                         NULL);
  g_source_attach (listening->source, NULL);
}

static gboolean
resume_cb (gpointer user_data)
{
  Listening *listening = user_data;

  listening->pause_id = 0;
  watch (listening);

  return G_SOURCE_REMOVE;
}

/* Out of descriptors (ours or the system's): accept with the spare one and
 * refuse, so the client hears why instead of waiting in the queue, and try
 * again shortly. The limit itself was raised at start; this is what is left.
 */
static gboolean
out_of_descriptors (Listening *listening,
                    int        error)
{
  KibitzHttpListener *self = listening->owner;
  gint64 now = g_get_monotonic_time ();
  gboolean refused = FALSE;

  if (now - self->last_log > LOG_INTERVAL_USEC)
    {
      g_warning ("Cannot accept connections: %s. Refusing new ones until some close "
                 "(%u open; raise LimitNOFILE or ulimit -n)", g_strerror (error), self->open);
      self->last_log = now;
    }

  if (self->spare_fd >= 0)
    {
      int fd;

      close (self->spare_fd);
      fd = accept4 (g_socket_get_fd (listening->socket), NULL, NULL, SOCK_CLOEXEC);
      if (fd >= 0)
        {
          self->refused_descriptors++;
          refuse (self, fd);
          refused = TRUE;
        }
      self->spare_fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
    }

  return refused && self->spare_fd >= 0;
}

static gboolean
accept_ready (GSocket      *socket,
              GIOCondition  condition,
              gpointer      user_data)
{
  Listening *listening = user_data;
  KibitzHttpListener *self = listening->owner;

  for (int i = 0; i < ACCEPT_BATCH; i++)
    {
      int fd = accept4 (g_socket_get_fd (socket), NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

      if (fd >= 0)
        {
          admit (self, fd);
          continue;
        }

      switch (errno)
        {
        case EAGAIN:
          return G_SOURCE_CONTINUE;
        case EINTR:
        case ECONNABORTED:
        case EPROTO:
        case EPERM:
          continue;
        case EMFILE:
        case ENFILE:
        case ENOBUFS:
        case ENOMEM:
          if (out_of_descriptors (listening, errno))
            continue;
          break;
        default:
          g_warning ("Cannot accept connections: %s; trying again", g_strerror (errno));
          break;
        }

      /* Never give up the socket: wait a little and listen again. */
      g_source_destroy (listening->source);
      g_clear_pointer (&listening->source, g_source_unref);
      listening->pause_id = g_timeout_add (PAUSE_MSEC, resume_cb, listening);
      return G_SOURCE_REMOVE;
    }

  return G_SOURCE_CONTINUE;
}

/* Cut plain HTTP connections past their deadline: a slow or silent client
 * (slowloris, a stalled body) holds a socket for seconds, not forever.
 */
static gboolean
tick_cb (gpointer user_data)
{
  KibitzHttpListener *self = user_data;
  gint64 now = g_get_monotonic_time ();
  GHashTableIter iter;
  Tracked *tracked;

  g_hash_table_iter_init (&iter, self->tracked);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &tracked))
    {
      if (tracked->deadline == 0 || now < tracked->deadline)
        continue;
      self->timed_out++;
      cut (self, tracked);
    }

  return G_SOURCE_CONTINUE;
}

/* No Kibitz endpoint takes a body: refuse one before it is stored, and any
 * framing that two parsers could read two ways (plain HTTP heads were checked
 * before, in head_ready_cb; this is the line behind the server's own TLS,
 * where libsoup itself refuses codings other than chunked).
 */
static void
got_headers_cb (SoupServerMessage  *msg,
                KibitzHttpListener *self)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *coding = soup_message_headers_get_list (headers, "Transfer-Encoding");
  const char *length = soup_message_headers_get_one (headers, "Content-Length");
  const char *text;
  guint status;

  if (coding != NULL && length != NULL)
    {
      status = SOUP_STATUS_BAD_REQUEST;
      text = "A request cannot have both Content-Length and Transfer-Encoding.\n";
    }
  else if (coding != NULL || soup_message_headers_get_content_length (headers) > 0)
    {
      status = SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE;
      text = "kibitz-server takes no request bodies: send GET requests without one.\n";
    }
  else
    return;

  self->bodies_refused++;
  /* What still arrives is read and dropped, within the request deadline. */
  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection",
                                "close");
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, text, strlen (text));
}

static void
request_started_cb (SoupServer         *soup,
                    SoupServerMessage  *msg,
                    KibitzHttpListener *self)
{
  g_signal_connect (msg, "got-headers", G_CALLBACK (got_headers_cb), self);
}

KibitzHttpListener *
kibitz_http_listener_new (SoupServer             *soup,
                          const KibitzHttpLimits *limits,
                          GTlsCertificate        *tls,
                          KibitzForwarded        *trusted)
{
  KibitzHttpListener *self = g_new0 (KibitzHttpListener, 1);

  self->soup = g_object_ref (soup);
  self->limits = *limits;
  if (self->limits.reserve >= self->limits.max_connections)
    self->limits.reserve = self->limits.max_connections / 2;
  self->tls = tls ? g_object_ref (tls) : NULL;
  self->trusted = trusted;
  self->listening = g_ptr_array_new ();
  self->tracked = g_hash_table_new (NULL, NULL);
  self->heads = g_hash_table_new_full (NULL, NULL, (GDestroyNotify) head_free, NULL);
  self->inner = g_hash_table_new (NULL, NULL);
  self->pumps = g_hash_table_new (NULL, NULL);
  self->per_address = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->spare_fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  self->started_id = g_signal_connect (soup, "request-started", G_CALLBACK (request_started_cb),
                                       self);
  self->tick_id = g_timeout_add_seconds (1, tick_cb, self);

  return self;
}

gboolean
kibitz_http_listener_listen (KibitzHttpListener  *self,
                             GSocketAddress      *address,
                             int                  backlog,
                             GError             **error)
{
  g_autoptr(GSocket) socket = g_socket_new (g_socket_address_get_family (address),
                                            G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  Listening *listening;

  if (socket == NULL)
    return FALSE;

  g_socket_set_listen_backlog (socket, backlog);
  if (!g_socket_bind (socket, address, TRUE, error) || !g_socket_listen (socket, error))
    return FALSE;

  listening = g_new0 (Listening, 1);
  listening->owner = self;
  listening->socket = g_steal_pointer (&socket);
  g_ptr_array_add (self->listening, listening);
  watch (listening);

  return TRUE;
}

GList *
kibitz_http_listener_addresses (KibitzHttpListener *self)
{
  GList *addresses = NULL;

  for (guint i = 0; i < self->listening->len; i++)
    {
      Listening *listening = g_ptr_array_index (self->listening, i);
      GSocketAddress *address = g_socket_get_local_address (listening->socket, NULL);

      if (address != NULL)
        addresses = g_list_append (addresses, address);
    }

  return addresses;
}

gpointer
kibitz_http_listener_upgraded (KibitzHttpListener *self,
                               GIOStream          *stream)
{
  GSocket *socket = self ? kibitz_ws_stream_socket (stream) : NULL;
  Tracked *tracked = socket ? find_tracked (self, socket) : NULL;

  /* NULL after shutdown, while the last requests finish. */
  if (tracked == NULL)
    return NULL;

  /* The WebSocket loop takes the descriptor over and lets the stream go.
   * From here only the total counts it (per address, the WebSocket side
   * does, with X-Forwarded-For behind a proxy and a protocol error that says
   * why), so nothing is kept per WebSocket: the handle is the listener. */
  g_object_weak_unref (G_OBJECT (tracked->connection), tracked_released, tracked);
  g_hash_table_remove (self->tracked, tracked->socket);
  if (tracked->inner != NULL)
    g_hash_table_remove (self->inner, tracked->inner);
  kibitz_address_count_change (self->per_address, tracked->address, -1);
  if (tracked->cut)
    self->cut--;
  g_free (tracked->address);
  g_free (tracked);
  self->n_websockets++;

  return self;
}

void
kibitz_http_listener_closed (KibitzHttpListener *self,
                             gpointer            handle)
{
  if (self == NULL || handle != self)
    return;

  self->open--;
  self->n_websockets--;
}

void
kibitz_http_listener_metrics (KibitzHttpListener *self,
                              GString            *out)
{
  g_string_append_printf (
    out,
    "# HELP kibitz_http_connections Open HTTP and WebSocket connections.\n"
    "# TYPE kibitz_http_connections gauge\n"
    "kibitz_http_connections %u\n"
    "# HELP kibitz_http_connections_limit Connections the server admits at once.\n"
    "# TYPE kibitz_http_connections_limit gauge\n"
    "kibitz_http_connections_limit %u\n"
    "# HELP kibitz_http_accepted_total Connections accepted.\n"
    "# TYPE kibitz_http_accepted_total counter\n"
    "kibitz_http_accepted_total %" G_GUINT64_FORMAT "\n"
    "# HELP kibitz_http_refused_total Connections refused with 503, by reason.\n"
    "# TYPE kibitz_http_refused_total counter\n"
    "kibitz_http_refused_total{reason=\"full\"} %" G_GUINT64_FORMAT "\n"
    "kibitz_http_refused_total{reason=\"address\"} %" G_GUINT64_FORMAT "\n"
    "kibitz_http_refused_total{reason=\"descriptors\"} %" G_GUINT64_FORMAT "\n"
    "# HELP kibitz_http_evicted_total Unfinished requests cut to make room for new connections.\n"
    "# TYPE kibitz_http_evicted_total counter\n"
    "kibitz_http_evicted_total %" G_GUINT64_FORMAT "\n"
    "# HELP kibitz_http_timeouts_total Connections cut for not finishing a request in time.\n"
    "# TYPE kibitz_http_timeouts_total counter\n"
    "kibitz_http_timeouts_total %" G_GUINT64_FORMAT "\n"
    "# HELP kibitz_http_bodies_refused_total Requests refused for carrying a body.\n"
    "# TYPE kibitz_http_bodies_refused_total counter\n"
    "kibitz_http_bodies_refused_total %" G_GUINT64_FORMAT "\n"
    "# HELP kibitz_http_bad_heads_total Request heads refused before parsing: bad body "
    "framing (400) or over 16 KiB (431).\n"
    "# TYPE kibitz_http_bad_heads_total counter\n"
    "kibitz_http_bad_heads_total %" G_GUINT64_FORMAT "\n",
    self->open, self->limits.max_connections, self->accepted, self->refused_full,
    self->refused_address, self->refused_descriptors, self->evicted, self->timed_out,
    self->bodies_refused, self->heads_refused);
}

void
kibitz_http_listener_free (KibitzHttpListener *self)
{
  GHashTableIter iter;
  Tracked *tracked;
  Pump *pump;

  if (self == NULL)
    return;

  g_clear_handle_id (&self->tick_id, g_source_remove);
  g_clear_signal_handler (&self->started_id, self->soup);
  for (guint i = 0; i < self->listening->len; i++)
    {
      Listening *listening = g_ptr_array_index (self->listening, i);

      if (listening->source != NULL)
        g_source_destroy (listening->source);
      g_clear_pointer (&listening->source, g_source_unref);
      g_clear_handle_id (&listening->pause_id, g_source_remove);
      g_socket_close (listening->socket, NULL);
      g_object_unref (listening->socket);
      g_free (listening);
    }
  g_ptr_array_unref (self->listening);
  g_hash_table_unref (self->heads);
  /* TLS connections still copying end on their own, without us. */
  g_hash_table_iter_init (&iter, self->pumps);
  while (g_hash_table_iter_next (&iter, (gpointer *) &pump, NULL))
    {
      pump->owner = NULL;
      g_cancellable_cancel (pump->cancellable);
    }
  g_hash_table_unref (self->pumps);
  g_hash_table_unref (self->inner);

  /* Connections may outlive us (in libsoup or the WebSocket loop). */
  g_hash_table_iter_init (&iter, self->tracked);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &tracked))
    {
      g_object_weak_unref (G_OBJECT (tracked->connection), tracked_released, tracked);
      g_free (tracked->address);
      g_free (tracked);
    }
  g_hash_table_unref (self->tracked);
  g_hash_table_unref (self->per_address);
  if (self->spare_fd >= 0)
    close (self->spare_fd);
  g_clear_object (&self->tls);
  g_object_unref (self->soup);
  g_free (self);
}
