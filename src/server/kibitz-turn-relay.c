/* kibitz-turn-relay.c: the relay thread: its event loop and the data path.
 *
 * One thread owns every socket: the UDP and TCP listeners, the TCP client
 * connections and one UDP relay socket per allocation, all in one epoll set.
 * UDP is read and written in batches (recvmmsg/sendmmsg) into buffers
 * allocated once, with room before each payload so that ChannelData and Data
 * indication headers are written in place: relaying allocates nothing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* recvmmsg, sendmmsg, accept4 */
#define _GNU_SOURCE

#define G_LOG_DOMAIN "kibitz-turn"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "kibitz-turn-server-private.h"

#define MAX_EVENTS 64
#define MAX_BATCHES_PER_EVENT 8

/* Sending */

void
turn_flush (KibitzTurnServer *self)
{
  struct mmsghdr messages[TURN_BATCH];
  guint start = 0;

  while (start < self->n_out)
    {
      int fd = self->out[start].fd;
      guint end = start, i;
      int sent;

      while (end < self->n_out && self->out[end].fd == fd)
        end++;

      memset (messages, 0, sizeof (struct mmsghdr) * (end - start));
      for (i = start; i < end; i++)
        {
          struct msghdr *header = &messages[i - start].msg_hdr;

          header->msg_name = &self->out[i].address;
          header->msg_namelen = self->out[i].address_length;
          header->msg_iov = &self->out[i].iov;
          header->msg_iovlen = 1;
        }

      /* A full socket buffer drops what does not fit, as a router would. */
      for (i = 0; i < end - start; i += MAX (sent, 1))
        {
          sent = sendmmsg (fd, messages + i, end - start - i, MSG_DONTWAIT);
          if (sent < 0 && errno != EINTR)
            break;
        }

      start = end;
    }

  self->n_out = 0;
}

static void
queue_datagram (KibitzTurnServer        *self,
                int                      fd,
                const KibitzStunAddress *to,
                const guint8            *data,
                gsize                    length)
{
  Outgoing *out;

  if (self->n_out == TURN_BATCH)
    turn_flush (self);

  out = &self->out[self->n_out++];
  out->fd = fd;
  out->address_length = kibitz_stun_address_to_sockaddr (to, &out->address);
  out->iov.iov_base = (void *) data;
  out->iov.iov_len = length;
}

static void
connection_watch_output (KibitzTurnServer *self,
                         TcpConnection    *connection,
                         gboolean          watch)
{
  struct epoll_event event = { .events = EPOLLIN | (watch ? EPOLLOUT : 0) };

  event.data.ptr = &connection->endpoint;
  epoll_ctl (self->epoll_fd, EPOLL_CTL_MOD, connection->endpoint.fd, &event);
}

void
turn_connection_schedule_close (KibitzTurnServer *self,
                           TcpConnection    *connection)
{
  if (connection->closing)
    return;
  connection->closing = TRUE;
  g_ptr_array_add (self->closed, connection);
}

/* Writes a whole frame or none of it: a slow TCP client loses frames, like a
 * UDP one, instead of holding up the thread. */
static void
connection_write (KibitzTurnServer *self,
                  TcpConnection    *connection,
                  const guint8     *data,
                  gsize             length)
{
  ssize_t written = 0;

  if (connection->closing)
    return;

  if (connection->write_length == 0)
    {
      written = send (connection->endpoint.fd, data, length, MSG_DONTWAIT | MSG_NOSIGNAL);
      if (written < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        {
          turn_connection_schedule_close (self, connection);
          return;
        }
      written = MAX (written, 0);
      if ((gsize) written == length)
        return;
    }
  else if (connection->write_length + length > TURN_TCP_WRITE_MAX)
    {
      return;
    }

  if (connection->write_length + length - written > connection->write_capacity)
    {
      connection->write_capacity = MIN (MAX (connection->write_length + length - written,
                                             connection->write_capacity * 2),
                                        (gsize) TURN_TCP_WRITE_MAX + 65536);
      connection->write_buffer = g_realloc (connection->write_buffer, connection->write_capacity);
    }
  memcpy (connection->write_buffer + connection->write_length, data + written, length - written);
  if (connection->write_length == 0)
    connection_watch_output (self, connection, TRUE);
  connection->write_length += length - written;
}

static void
connection_flush_output (KibitzTurnServer *self,
                         TcpConnection    *connection)
{
  ssize_t written = send (connection->endpoint.fd, connection->write_buffer,
                          connection->write_length, MSG_DONTWAIT | MSG_NOSIGNAL);

  if (written < 0)
    {
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        turn_connection_schedule_close (self, connection);
      return;
    }

  memmove (connection->write_buffer, connection->write_buffer + written,
           connection->write_length - written);
  connection->write_length -= written;
  if (connection->write_length == 0)
    connection_watch_output (self, connection, FALSE);
}

void
turn_send_to_client (KibitzTurnServer        *self,
                     Listener                *listener,
                     TcpConnection           *connection,
                     const KibitzStunAddress *client,
                     const guint8            *data,
                     gsize                    length,
                     gboolean                 batch)
{
  if (connection != NULL)
    {
      connection_write (self, connection, data, length);
    }
  else if (batch)
    {
      queue_datagram (self, listener->endpoint.fd, client, data, length);
    }
  else
    {
      struct sockaddr_storage storage;
      socklen_t storage_length = kibitz_stun_address_to_sockaddr (client, &storage);

      sendto (listener->endpoint.fd, data, length, MSG_DONTWAIT,
              (struct sockaddr *) &storage, storage_length);
    }
}

void
turn_send_to_peer (KibitzTurnServer        *self,
                   Allocation              *allocation,
                   const KibitzStunAddress *peer,
                   const guint8            *data,
                   gsize                    length)
{
  queue_datagram (self, allocation->endpoint.fd, peer, data, length);
}

/* TCP connections */

void
turn_connection_close (KibitzTurnServer *self,
                       TcpConnection    *connection)
{
  turn_flush (self);
  if (connection->allocation != NULL)
    turn_allocation_free (self, connection->allocation);

  epoll_ctl (self->epoll_fd, EPOLL_CTL_DEL, connection->endpoint.fd, NULL);
  close (connection->endpoint.fd);
  connection->endpoint.fd = -1;
  g_hash_table_remove (self->connections, connection);
  TURN_UNCOUNT (self, tcp_connections, 1);

  g_free (connection->write_buffer);
  g_ptr_array_add (self->deferred, connection);
}

static void
accept_connections (KibitzTurnServer *self,
                    Listener         *listener)
{
  int i;

  for (i = 0; i < 64; i++)
    {
      struct sockaddr_storage storage;
      socklen_t length = sizeof storage;
      struct epoll_event event = { .events = EPOLLIN };
      TcpConnection *connection;
      int fd = accept4 (listener->endpoint.fd, (struct sockaddr *) &storage, &length,
                        SOCK_NONBLOCK | SOCK_CLOEXEC);

      if (fd < 0)
        return;

      if (g_hash_table_size (self->connections) >= TURN_MAX_TCP_CONNECTIONS)
        {
          close (fd);
          continue;
        }

      connection = g_new0 (TcpConnection, 1);
      connection->endpoint.kind = ENDPOINT_TCP_CONNECTION;
      connection->endpoint.fd = fd;
      connection->listener = listener;
      connection->last_active = self->now;
      kibitz_stun_address_from_sockaddr (&connection->client, (struct sockaddr *) &storage, length);

      event.data.ptr = &connection->endpoint;
      if (epoll_ctl (self->epoll_fd, EPOLL_CTL_ADD, fd, &event) != 0)
        {
          close (fd);
          g_free (connection);
          continue;
        }
      g_hash_table_add (self->connections, connection);
      TURN_COUNT (self, tcp_connections, 1);
    }
}

static void
read_connection (KibitzTurnServer *self,
                 TcpConnection    *connection)
{
  gsize offset = 0;
  ssize_t n;

  n = recv (connection->endpoint.fd, connection->read_buffer + connection->read_length,
            sizeof connection->read_buffer - connection->read_length, MSG_DONTWAIT);
  if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
    {
      turn_connection_schedule_close (self, connection);
      return;
    }
  if (n < 0)
    return;

  connection->read_length += n;
  connection->last_active = self->now;

  while (!connection->closing && offset < connection->read_length)
    {
      const guint8 *frame = connection->read_buffer + offset;
      gsize available = connection->read_length - offset, frame_length = 0;

      switch (kibitz_stun_frame_peek (frame, available, TRUE, &frame_length))
        {
        case KIBITZ_STUN_FRAME_STUN:
          turn_handle_stun (self, connection->listener, connection, &connection->client,
                            frame, frame_length);
          break;
        case KIBITZ_STUN_FRAME_CHANNEL_DATA:
          turn_handle_channel_data (self, connection->allocation, frame, frame_length, TRUE);
          break;
        case KIBITZ_STUN_FRAME_NEED_MORE:
          if (frame_length > sizeof connection->read_buffer)
            turn_connection_schedule_close (self, connection);
          frame_length = 0;
          break;
        case KIBITZ_STUN_FRAME_INVALID:
        default:
          turn_connection_schedule_close (self, connection);
          frame_length = 0;
          break;
        }

      if (frame_length == 0)
        break;
      offset += frame_length;
    }

  /* The send batch may point into the read buffer: send it before moving. */
  turn_flush (self);
  memmove (connection->read_buffer, connection->read_buffer + offset,
           connection->read_length - offset);
  connection->read_length -= offset;
}

/* UDP */

static int
receive_batch (KibitzTurnServer *self,
               int               fd)
{
  guint i;

  for (i = 0; i < TURN_BATCH; i++)
    {
      self->in_iov[i].iov_base = self->buffers + i * TURN_BUFFER_SIZE + TURN_HEADROOM;
      self->in_iov[i].iov_len = 65536;
      memset (&self->in_messages[i].msg_hdr, 0, sizeof (struct msghdr));
      self->in_messages[i].msg_hdr.msg_iov = &self->in_iov[i];
      self->in_messages[i].msg_hdr.msg_iovlen = 1;
      self->in_messages[i].msg_hdr.msg_name = &self->in_addresses[i];
      self->in_messages[i].msg_hdr.msg_namelen = sizeof self->in_addresses[i];
    }

  return recvmmsg (fd, self->in_messages, TURN_BATCH, MSG_DONTWAIT, NULL);
}

static void
read_udp_listener (KibitzTurnServer *self,
                   Listener         *listener)
{
  int round, n, i;

  for (round = 0; round < MAX_BATCHES_PER_EVENT; round++)
    {
      n = receive_batch (self, listener->endpoint.fd);
      if (n <= 0)
        return;

      for (i = 0; i < n; i++)
        {
          const guint8 *data = self->in_iov[i].iov_base;
          gsize length = self->in_messages[i].msg_len, frame_length;
          KibitzStunAddress client;

          if (!kibitz_stun_address_from_sockaddr (&client,
                                                  (struct sockaddr *) &self->in_addresses[i],
                                                  self->in_messages[i].msg_hdr.msg_namelen))
            continue;

          if (kibitz_stun_frame_peek (data, length, FALSE, &frame_length) ==
              KIBITZ_STUN_FRAME_CHANNEL_DATA)
            turn_handle_channel_data (self, turn_allocation_find_udp (self, listener, &client),
                                      data, length, FALSE);
          else
            turn_handle_stun (self, listener, NULL, &client, data, length);
        }

      turn_flush (self);
      if (n < TURN_BATCH)
        return;
    }
}

static void
read_relay (KibitzTurnServer *self,
            Allocation       *allocation)
{
  int round, n, i;

  for (round = 0; round < MAX_BATCHES_PER_EVENT; round++)
    {
      n = receive_batch (self, allocation->endpoint.fd);
      if (n <= 0)
        return;

      for (i = 0; i < n; i++)
        {
          KibitzStunAddress peer;

          if (kibitz_stun_address_from_sockaddr (&peer, (struct sockaddr *) &self->in_addresses[i],
                                                 self->in_messages[i].msg_hdr.msg_namelen))
            turn_relay_from_peer (self, allocation, &peer, self->in_iov[i].iov_base,
                                  self->in_messages[i].msg_len);
        }

      turn_flush (self);
      if (n < TURN_BATCH)
        return;
    }
}

/* The loop */

static void
sweep_connections (KibitzTurnServer *self)
{
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, self->connections);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      TcpConnection *connection = key;

      if (connection->allocation == NULL &&
          connection->last_active + TURN_TCP_IDLE_SECONDS <= self->now)
        turn_connection_schedule_close (self, connection);
    }
}

static void
end_of_wakeup (KibitzTurnServer *self)
{
  guint i;

  turn_flush (self);

  if (self->now != self->last_sweep)
    {
      self->last_sweep = self->now;
      turn_allocation_sweep (self);
      sweep_connections (self);
    }

  for (i = 0; i < self->closed->len; i++)
    turn_connection_close (self, g_ptr_array_index (self->closed, i));
  g_ptr_array_set_size (self->closed, 0);

  /* Only now, with no epoll event left that could point at them. */
  g_ptr_array_set_size (self->deferred, 0);
}

static void
dispatch (KibitzTurnServer   *self,
          struct epoll_event *event)
{
  Endpoint *endpoint = event->data.ptr;

  if (endpoint->fd < 0)
    return;  /* closed earlier in this wake-up */

  switch (endpoint->kind)
    {
    case ENDPOINT_WAKE:
      {
        guint64 value;

        if (read (endpoint->fd, &value, sizeof value) < 0)
          break;
        self->running = FALSE;
      }
      break;

    case ENDPOINT_UDP_LISTENER:
      read_udp_listener (self, (Listener *) endpoint);
      break;

    case ENDPOINT_TCP_LISTENER:
      accept_connections (self, (Listener *) endpoint);
      break;

    case ENDPOINT_TCP_CONNECTION:
      {
        TcpConnection *connection = (TcpConnection *) endpoint;

        if (event->events & EPOLLOUT && connection->write_length > 0)
          connection_flush_output (self, connection);
        if (event->events & (EPOLLIN | EPOLLHUP | EPOLLERR))
          read_connection (self, connection);
      }
      break;

    case ENDPOINT_RELAY:
      read_relay (self, (Allocation *) endpoint);
      break;

    default:
      break;
    }
}

gpointer
turn_relay_thread (gpointer data)
{
  KibitzTurnServer *self = data;
  struct epoll_event events[MAX_EVENTS];

  while (self->running)
    {
      int n = epoll_wait (self->epoll_fd, events, MAX_EVENTS, 1000);
      int i;

      self->now = g_get_monotonic_time () / G_USEC_PER_SEC;
      for (i = 0; i < n; i++)
        dispatch (self, &events[i]);
      end_of_wakeup (self);
    }

  return NULL;
}
