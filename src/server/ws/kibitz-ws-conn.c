/* kibitz-ws-conn.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-ws"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include <glib-unix.h>

#include "kibitz-ws-conn.h"
#include "kibitz-ws-frame.h"

#define MAX_EVENTS         256
#define READ_BUFFER        (64 * 1024)
/* Plain sockets: reads per wake-up before the next connection's turn. */
#define MAX_READS          4
#define MAX_ROUNDS         8
/* How long a closing socket may take to answer our close frame. */
#define CLOSE_TIMEOUT_USEC (5 * G_USEC_PER_SEC)
/* What a client that stops reading may leave waiting in its queue (a room's
 * worth of offers is well under 1 MiB) before it is dropped.
 */
#define MAX_QUEUED         (8 * 1024 * 1024)
/* What all sockets together may have queued: past it, a socket holding more
 * than SLOW_SHARE is dropped at its next message, so a broadcast to peers
 * that never read cannot turn one sender's upload into hundreds of
 * megabytes. Readers that keep up hold next to nothing.
 */
#define MAX_QUEUED_TOTAL   (32 * 1024 * 1024)
#define SLOW_SHARE         (256 * 1024)

struct _KibitzWsLoop {
  KibitzWsCallbacks  callbacks;
  int                epoll_fd;
  guint              source_id;
  guint              reap_id;
  gboolean           in_dispatch;
  GPtrArray         *dead;                /* KibitzWsConn *, to report and free */
  gsize              queued;              /* bytes in every socket's out buffer */
  guint8             buffer[READ_BUFFER];
};

struct _KibitzWsConn {
  KibitzWsLoop   *loop;
  gpointer        user_data;
  GIOStream      *tls;                /* the GTlsConnection's stream, or NULL: plain TCP */
  int             fd;
  guint32         events;
  KibitzWsParser  parser;
  GByteArray     *out;                /* what the socket could not take yet */
  gsize           out_at;
  GByteArray     *early;              /* read before the hand-over, parsed at start */
  gint64          last_seen;
  gint64          next_ping;
  gint64          close_deadline;
  guint           reading : 1;
  guint           close_sent : 1;
  guint           close_received : 1;
  guint           finish_after_flush : 1;
  guint           dead : 1;
};

static void conn_finish (KibitzWsConn *conn);

/* I/O on either kind of socket: bytes moved, 0 when full/empty (or EOF when
 * reading, told apart by @eof), -1 when the connection is broken.
 */
static gssize
raw_read (KibitzWsConn *conn,
          guint8       *buffer,
          gsize         size,
          gboolean     *eof)
{
  *eof = FALSE;
  if (conn->tls)
    {
      g_autoptr(GError) error = NULL;
      GInputStream *in = g_io_stream_get_input_stream (conn->tls);
      gssize n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (in), buffer,
                                                           size, NULL, &error);

      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        return 0;
      if (n < 0)
        g_debug ("TLS read failed: %s", error->message);
      *eof = n == 0;
      return n;
    }
  else
    {
      gssize n = recv (conn->fd, buffer, size, MSG_DONTWAIT);

      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return 0;
      *eof = n == 0;
      return n;
    }
}

static gssize
raw_write (KibitzWsConn *conn,
           const guint8 *head,
           gsize         head_length,
           const guint8 *body,
           gsize         body_length)
{
  if (conn->tls)
    {
      g_autoptr(GError) error = NULL;
      GOutputStream *out = g_io_stream_get_output_stream (conn->tls);
      GOutputVector vectors[2] = { { head, head_length }, { body, body_length } };
      gsize written = 0;

      switch (g_pollable_output_stream_writev_nonblocking (G_POLLABLE_OUTPUT_STREAM (out), vectors,
                                                           body_length ? 2 : 1, &written,
                                                           NULL, &error))
        {
        case G_POLLABLE_RETURN_OK:
          return written;
        case G_POLLABLE_RETURN_WOULD_BLOCK:
          return 0;
        case G_POLLABLE_RETURN_FAILED:
        default:
          g_debug ("TLS write failed: %s", error ? error->message : "?");
          return -1;
        }
    }
  else
    {
      struct iovec iov[2] = { { (void *) head, head_length }, { (void *) body, body_length } };
      struct msghdr msg = { .msg_iov = iov, .msg_iovlen = body_length ? 2 : 1 };
      gssize n = sendmsg (conn->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);

      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return 0;
      return n;
    }
}

static void
update_events (KibitzWsConn *conn)
{
  guint32 events = (conn->reading ? EPOLLIN : 0) | (conn->out ? EPOLLOUT : 0);
  struct epoll_event event = { .events = events, .data.ptr = conn };

  if (conn->dead || events == conn->events)
    return;

  conn->events = events;
  epoll_ctl (conn->loop->epoll_fd, EPOLL_CTL_MOD, conn->fd, &event);
}

static void
stop_reading (KibitzWsConn *conn)
{
  conn->reading = FALSE;
  update_events (conn);
}

/* Everything queued went out. */
static void
flushed (KibitzWsConn *conn)
{
  if (conn->finish_after_flush)
    {
      conn_finish (conn);
      return;
    }

  /* A client we stopped reading cannot send its close frame: end our side,
   * so it sees the end at once instead of waiting for a timeout.
   */
  if (conn->close_sent && !conn->reading && conn->tls == NULL)
    shutdown (conn->fd, SHUT_WR);
}

static void
queue (KibitzWsConn *conn,
       const guint8 *data,
       gsize         length)
{
  if (length == 0)
    return;
  if (conn->out == NULL)
    {
      conn->out = g_byte_array_sized_new (MAX (length, 4096));
      conn->out_at = 0;
    }
  g_byte_array_append (conn->out, data, length);
  conn->loop->queued += length;
}

static void
clear_out (KibitzWsConn *conn)
{
  if (conn->out == NULL)
    return;
  conn->loop->queued -= conn->out->len;
  g_clear_pointer (&conn->out, g_byte_array_unref);
}

/* Stuck with more than its share (or more than its own limit). */
static gboolean
too_slow (KibitzWsConn *conn)
{
  gsize waiting = conn->out ? conn->out->len - conn->out_at : 0;

  return waiting > MAX_QUEUED ||
         (conn->loop->queued > MAX_QUEUED_TOTAL && waiting > SLOW_SHARE);
}

static void
conn_flush (KibitzWsConn *conn)
{
  while (conn->out != NULL)
    {
      gssize n = raw_write (conn, conn->out->data + conn->out_at, conn->out->len - conn->out_at,
                            NULL, 0);

      if (n < 0)
        {
          conn_finish (conn);
          return;
        }
      if (n == 0)
        return;

      conn->out_at += n;
      if (conn->out_at == conn->out->len)
        {
          clear_out (conn);
          update_events (conn);
          flushed (conn);
        }
    }
}

static void
send_frame (KibitzWsConn   *conn,
            KibitzWsOpcode  opcode,
            const guint8   *payload,
            gsize           length)
{
  guint8 header[KIBITZ_WS_HEADER_MAX];
  gsize header_length = kibitz_ws_frame_header (header, opcode, length);
  gssize n = 0;

  if (conn->dead || conn->close_sent)
    return;

  if (conn->out == NULL)
    {
      n = raw_write (conn, header, header_length, payload, length);
      if (n < 0)
        {
          conn_finish (conn);
          return;
        }
      if ((gsize) n == header_length + length)
        return;
    }

  if (too_slow (conn))
    {
      g_debug ("dropping a WebSocket that reads nothing: %u bytes queued (%" G_GSIZE_FORMAT
               " in all)", conn->out->len, conn->loop->queued);
      conn_finish (conn);
      return;
    }

  if ((gsize) n < header_length)
    {
      queue (conn, header + n, header_length - n);
      queue (conn, payload, length);
    }
  else
    {
      queue (conn, payload + (n - header_length), length - (n - header_length));
    }
  update_events (conn);
}

/* Cuts @reason to fit a close frame (123 bytes), at a character boundary. */
static gsize
close_reason_length (const char *reason)
{
  gsize length = reason ? strlen (reason) : 0;

  if (length <= KIBITZ_WS_CONTROL_MAX - 2)
    return length;

  length = KIBITZ_WS_CONTROL_MAX - 2;
  while (length > 0 && (reason[length] & 0xc0) == 0x80)
    length--;
  return length;
}

void
kibitz_ws_conn_close (KibitzWsConn *conn,
                      gushort       code,
                      const char   *reason)
{
  guint8 payload[KIBITZ_WS_CONTROL_MAX];
  gsize length = 0;

  if (conn->dead || conn->close_sent)
    return;

  if (code != 0)
    {
      payload[0] = code >> 8;
      payload[1] = code & 0xff;
      length = close_reason_length (reason);
      if (length > 0)
        memcpy (payload + 2, reason, length);
      length += 2;
    }

  send_frame (conn, KIBITZ_WS_OPCODE_CLOSE, payload, length);
  if (conn->dead)
    return;

  conn->close_sent = TRUE;
  conn->close_deadline = g_get_monotonic_time () + CLOSE_TIMEOUT_USEC;
  if (conn->close_received)
    conn->finish_after_flush = TRUE;
  if (conn->out == NULL)
    flushed (conn);
}

static void
close_received (KibitzWsConn *conn,
                const guint8 *payload,
                gsize         length)
{
  conn->close_received = TRUE;
  stop_reading (conn);

  /* The handshake is complete: ours went first. */
  if (conn->close_sent)
    {
      if (conn->out == NULL)
        conn_finish (conn);
      else
        conn->finish_after_flush = TRUE;
      return;
    }

  /* Answer with the same code (RFC 6455 §5.5.1), then hang up. */
  kibitz_ws_conn_close (conn, length >= 2 ? (payload[0] << 8) | payload[1] : 0, NULL);
}

static void
frame_cb (KibitzWsOpcode  opcode,
          const guint8   *payload,
          gsize           length,
          gpointer        user_data)
{
  KibitzWsConn *conn = user_data;

  if (conn->dead || conn->close_received)
    return;

  switch (opcode)
    {
    case KIBITZ_WS_OPCODE_TEXT:
    case KIBITZ_WS_OPCODE_BINARY:
      /* After our close frame, messages are read only to reach the client's. */
      if (!conn->close_sent)
        conn->loop->callbacks.message (conn, opcode == KIBITZ_WS_OPCODE_TEXT,
                                       (const char *) payload, length, conn->user_data);
      break;
    case KIBITZ_WS_OPCODE_PING:
      send_frame (conn, KIBITZ_WS_OPCODE_PONG, payload, length);
      break;
    case KIBITZ_WS_OPCODE_CLOSE:
      close_received (conn, payload, length);
      break;
    case KIBITZ_WS_OPCODE_PONG:
    case KIBITZ_WS_OPCODE_CONTINUATION:
    default:
      break;
    }
}

static void
conn_feed (KibitzWsConn *conn,
           guint8       *data,
           gsize         length)
{
  g_autoptr(GError) error = NULL;

  conn->last_seen = g_get_monotonic_time ();
  if (kibitz_ws_parser_feed (&conn->parser, data, length, frame_cb, conn, &error))
    return;

  g_debug ("closing a WebSocket: %s", error->message);
  stop_reading (conn);
  if (conn->dead || conn->close_sent || conn->close_received)
    return;

  conn->loop->callbacks.failed (conn, error, conn->user_data);
  kibitz_ws_conn_close (conn, error->code, error->message);
}

static void
conn_read (KibitzWsConn *conn)
{
  guint8 *buffer = conn->loop->buffer;

  for (guint i = 0; conn->reading && !conn->dead; i++)
    {
      gboolean eof;
      gssize n = raw_read (conn, buffer, READ_BUFFER, &eof);

      if (n < 0 || eof)
        {
          conn_finish (conn);
          return;
        }
      if (n == 0)
        return;

      conn_feed (conn, buffer, n);
      /* TLS keeps decrypted bytes that epoll cannot see: read it dry. */
      if (conn->tls == NULL && ((gsize) n < READ_BUFFER || i + 1 >= MAX_READS))
        return;
    }
}

static void
reap (KibitzWsLoop *loop)
{
  while (loop->dead->len > 0)
    {
      KibitzWsConn *conn = g_ptr_array_steal_index_fast (loop->dead, loop->dead->len - 1);

      loop->callbacks.closed (conn, conn->user_data);
    }
}

static gboolean
reap_cb (gpointer user_data)
{
  KibitzWsLoop *loop = user_data;

  loop->reap_id = 0;
  reap (loop);

  return G_SOURCE_REMOVE;
}

/* The stream under @stream: GTlsConnection calls it "base-io-stream",
 * libsoup's SoupIOStream "base-iostream".
 */
static GIOStream *
base_stream (GIOStream *stream)
{
  static const char * const names[] = { "base-io-stream", "base-iostream" };
  GObjectClass *klass = G_OBJECT_GET_CLASS (stream);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      GIOStream *base = NULL;

      if (g_object_class_find_property (klass, names[i]) == NULL)
        continue;
      /* @stream holds it for as long as it lives. */
      g_object_get (stream, names[i], &base, NULL);
      if (base)
        g_object_unref (base);
      return base;
    }

  return NULL;
}

GSocket *
kibitz_ws_stream_socket (GIOStream *stream)
{
  GSocket *socket = g_object_get_data (G_OBJECT (stream), "GSocket");

  for (; socket == NULL && stream != NULL; stream = base_stream (stream))
    {
      if (G_IS_SOCKET_CONNECTION (stream))
        return g_socket_connection_get_socket (G_SOCKET_CONNECTION (stream));
    }

  return socket;
}

static gboolean
is_tls (GIOStream *stream)
{
  for (; stream != NULL; stream = base_stream (stream))
    {
      if (G_IS_TLS_CONNECTION (stream))
        return TRUE;
    }

  return FALSE;
}

/* The socket is closed; the owner hears of it at the end of the dispatch. */
static void
conn_finish (KibitzWsConn *conn)
{
  KibitzWsLoop *loop = conn->loop;

  if (conn->dead)
    return;

  conn->dead = TRUE;
  conn->reading = FALSE;
  epoll_ctl (loop->epoll_fd, EPOLL_CTL_DEL, conn->fd, NULL);
  if (conn->tls)
    {
      GSocket *socket = kibitz_ws_stream_socket (conn->tls);

      /* TLS says goodbye in a record: do not wait long for a full socket. */
      if (socket)
        g_socket_set_timeout (socket, 1);
      g_io_stream_close (conn->tls, NULL, NULL);
      g_clear_object (&conn->tls);
    }
  else
    {
      /* End the connection itself, not just this descriptor: a copy of it
       * anywhere (a child process, a stray GSocket) must not keep it open.
       */
      shutdown (conn->fd, SHUT_RDWR);
      close (conn->fd);
    }
  conn->fd = -1;
  clear_out (conn);

  g_ptr_array_add (loop->dead, conn);
  if (!loop->in_dispatch && loop->reap_id == 0)
    loop->reap_id = g_idle_add (reap_cb, loop);
}

static gboolean
dispatch_cb (int          fd,
             GIOCondition condition,
             gpointer     user_data)
{
  KibitzWsLoop *loop = user_data;
  struct epoll_event events[MAX_EVENTS];

  loop->in_dispatch = TRUE;
  /* Under load more sockets are ready by the time a batch is done: ask
   * epoll again (a few times, so the main context's other sources still
   * run) instead of going back through the main loop's poll().
   */
  for (guint round = 0; round < MAX_ROUNDS; round++)
    {
      int n = epoll_wait (loop->epoll_fd, events, MAX_EVENTS, 0);

      for (int i = 0; i < n; i++)
        {
          KibitzWsConn *conn = events[i].data.ptr;
          guint32 ready = events[i].events;

          if (!conn->dead && (ready & EPOLLOUT))
            conn_flush (conn);
          if (conn->dead || !(ready & (EPOLLIN | EPOLLHUP | EPOLLERR)))
            continue;
          if (conn->reading)
            conn_read (conn);
          else if (ready & (EPOLLHUP | EPOLLERR))
            conn_finish (conn);
        }
      if (n <= 0)
        break;
    }
  loop->in_dispatch = FALSE;
  reap (loop);

  return G_SOURCE_CONTINUE;
}

KibitzWsLoop *
kibitz_ws_loop_new (const KibitzWsCallbacks  *callbacks,
                    GError                  **error)
{
  int epoll_fd = epoll_create1 (EPOLL_CLOEXEC);
  KibitzWsLoop *loop;

  if (epoll_fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "Cannot create an epoll set for the WebSockets: %s", g_strerror (saved));
      return NULL;
    }

  loop = g_new0 (KibitzWsLoop, 1);
  loop->callbacks = *callbacks;
  loop->epoll_fd = epoll_fd;
  loop->dead = g_ptr_array_new ();
  loop->source_id = g_unix_fd_add (epoll_fd, G_IO_IN, dispatch_cb, loop);

  return loop;
}

/* Every connection must have been freed first. */
gsize
kibitz_ws_loop_queued (KibitzWsLoop *loop)
{
  return loop->queued;
}

void
kibitz_ws_loop_free (KibitzWsLoop *loop)
{
  g_clear_handle_id (&loop->source_id, g_source_remove);
  g_clear_handle_id (&loop->reap_id, g_source_remove);
  reap (loop);
  g_ptr_array_unref (loop->dead);
  close (loop->epoll_fd);
  g_free (loop);
}

/* Plain TCP: what libsoup read ahead (and what else is there, up to one
 * read buffer beyond it), then the bare file descriptor; the GIO objects can
 * go. The bound matters: a client that floods right after the upgrade
 * keeps this loop fed as fast as it reads, and before the bound the server
 * took in tens of megabytes here, past the parser's message limit
 * (tests/server continuation-flood failed one run in three on it).
 */
static gboolean
take_plain (KibitzWsConn  *conn,
            GIOStream     *stream,
            GSocket       *socket,
            GError       **error)
{
  GInputStream *in = g_io_stream_get_input_stream (stream);

  while (conn->early == NULL || conn->early->len < READ_BUFFER)
    {
      g_autoptr(GError) local_error = NULL;
      gssize n;

      if (!G_IS_POLLABLE_INPUT_STREAM (in))
        break;
      n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (in),
                                                    conn->loop->buffer, READ_BUFFER, NULL,
                                                    &local_error);
      if (n < 0 && g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        break;
      if (n < 0)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (n == 0)
        break;
      if (conn->early == NULL)
        conn->early = g_byte_array_new ();
      g_byte_array_append (conn->early, conn->loop->buffer, n);
    }

  conn->fd = fcntl (g_socket_get_fd (socket), F_DUPFD_CLOEXEC, 0);
  if (conn->fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "Cannot take over the WebSocket's socket: %s", g_strerror (saved));
      return FALSE;
    }

  /* Our copy keeps the connection; the original descriptor goes now. */
  g_io_stream_close (stream, NULL, NULL);

  return TRUE;
}

/* Takes over @stream, which soup_server_message_steal_connection() gave:
 * the caller may drop its reference. Call kibitz_ws_conn_start() next.
 */
KibitzWsConn *
kibitz_ws_conn_new (KibitzWsLoop  *loop,
                    GIOStream     *stream,
                    guint64        max_message_size,
                    gpointer       user_data,
                    GError       **error)
{
  KibitzWsConn *conn = g_new0 (KibitzWsConn, 1);
  GSocket *socket = kibitz_ws_stream_socket (stream);
  struct epoll_event event = { .events = EPOLLIN, .data.ptr = conn };

  conn->loop = loop;
  conn->user_data = user_data;
  conn->fd = -1;
  conn->reading = TRUE;
  conn->events = EPOLLIN;
  conn->last_seen = g_get_monotonic_time ();
  kibitz_ws_parser_init (&conn->parser, max_message_size);

  if (socket == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           "The WebSocket's stream has no socket to take over");
      goto failed;
    }

  if (is_tls (stream))
    {
      conn->tls = g_object_ref (stream);
      conn->fd = g_socket_get_fd (socket);
    }
  else if (!take_plain (conn, stream, socket, error))
    {
      goto failed;
    }

  if (epoll_ctl (loop->epoll_fd, EPOLL_CTL_ADD, conn->fd, &event) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "Cannot watch the WebSocket's socket: %s", g_strerror (saved));
      goto failed;
    }

  return conn;

failed:
  if (conn->fd >= 0 && conn->tls == NULL)
    close (conn->fd);
  g_clear_object (&conn->tls);
  g_clear_pointer (&conn->early, g_byte_array_unref);
  kibitz_ws_parser_clear (&conn->parser);
  g_free (conn);
  return NULL;
}

/* Parses what came with the upgrade; from here on callbacks may come. */
void
kibitz_ws_conn_start (KibitzWsConn *conn)
{
  g_autoptr(GByteArray) early = g_steal_pointer (&conn->early);

  if (early)
    conn_feed (conn, early->data, early->len);
  if (conn->tls && conn->reading && !conn->dead)
    conn_read (conn);
}

void
kibitz_ws_conn_free (KibitzWsConn *conn)
{
  conn_finish (conn);
  g_ptr_array_remove_fast (conn->loop->dead, conn);
  g_clear_pointer (&conn->early, g_byte_array_unref);
  kibitz_ws_parser_clear (&conn->parser);
  g_free (conn);
}

gboolean
kibitz_ws_conn_is_open (KibitzWsConn *conn)
{
  return !conn->dead && !conn->close_sent && !conn->close_received;
}

void
kibitz_ws_conn_send_text (KibitzWsConn *conn,
                          const char   *text,
                          gsize         length)
{
  if (kibitz_ws_conn_is_open (conn))
    send_frame (conn, KIBITZ_WS_OPCODE_TEXT, (const guint8 *) text, length);
}

gint64
kibitz_ws_conn_last_seen (KibitzWsConn *conn)
{
  return conn->last_seen;
}

/* Once a second from the owner: pings, and gives up on a close handshake
 * the client never finishes.
 */
void
kibitz_ws_conn_tick (KibitzWsConn *conn,
                     gint64        now,
                     gint64        ping_interval)
{
  if (conn->dead)
    return;

  if (conn->close_sent)
    {
      if (now >= conn->close_deadline)
        conn_finish (conn);
      return;
    }

  if (conn->next_ping == 0)
    {
      conn->next_ping = now + ping_interval;
    }
  else if (now >= conn->next_ping && !conn->close_received)
    {
      send_frame (conn, KIBITZ_WS_OPCODE_PING, NULL, 0);
      conn->next_ping = now + ping_interval;
    }
}
