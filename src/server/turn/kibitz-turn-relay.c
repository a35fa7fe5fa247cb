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
#include <fcntl.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "kibitz-turn-server-private.h"

#define MAX_EVENTS 64
#define MAX_BATCHES_PER_EVENT 8

/* Sending */

/* UDP GSO: a run of datagrams of one size for one destination goes to the
 * kernel as one message with UDP_SEGMENT, which routes and builds it once.
 * Segments stay at or below what fits a 1500-byte path; anything bigger, and
 * every datagram on a kernel or route that refuses GSO, goes one by one. */
#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#define GSO_MAX_SEGMENT 1452
#define GSO_MAX_BYTES   60000

G_STATIC_ASSERT (TURN_BATCH <= 32);  /* group_by_destination keeps a 32-bit mask */

static gboolean gso_off;  /* set once the kernel or a route refuses GSO */

static gboolean
same_destination (const Outgoing *a,
                  const Outgoing *b)
{
  return a->fd == b->fd && a->address_length == b->address_length &&
         memcmp (&a->address, &b->address, a->address_length) == 0;
}

/* Sends the datagrams of one GSO message one by one. */
static void
send_segments (int                  fd,
               const struct msghdr *gso)
{
  struct mmsghdr messages[TURN_BATCH];
  guint i;
  int sent;

  memset (messages, 0, sizeof (struct mmsghdr) * gso->msg_iovlen);
  for (i = 0; i < gso->msg_iovlen; i++)
    {
      messages[i].msg_hdr.msg_name = gso->msg_name;
      messages[i].msg_hdr.msg_namelen = gso->msg_namelen;
      messages[i].msg_hdr.msg_iov = &gso->msg_iov[i];
      messages[i].msg_hdr.msg_iovlen = 1;
    }
  for (i = 0; i < gso->msg_iovlen; i += sent)
    {
      sent = sendmmsg (fd, messages + i, gso->msg_iovlen - i, MSG_DONTWAIT);
      if (sent <= 0 && errno != EINTR)
        break;
      sent = MAX (sent, 0);
    }
}

/* The control message that gives a GSO run its segment size. */
typedef union {
  char           buffer[CMSG_SPACE (sizeof (guint16))];
  struct cmsghdr align;
} SegmentControl;

/* Puts the indices of the batch's datagrams in @order, grouped by socket and
 * destination, keeping the order of the datagrams of each destination.
 * Returns how many there are. */
static guint
group_by_destination (KibitzTurnServer *self,
                      guint8            order[TURN_BATCH])
{
  guint32 taken = 0;
  guint n = 0, i, j;

  for (i = 0; i < self->n_out; i++)
    {
      if (taken & (1u << i))
        continue;
      for (j = i; j < self->n_out; j++)
        if (!(taken & (1u << j)) && (j == i || same_destination (&self->out[i], &self->out[j])))
          {
            taken |= 1u << j;
            order[n++] = j;
          }
    }

  return n;
}

/* Fills @message with the GSO run (or lone datagram) that starts at
 * order[@k]; returns the index after it. */
static guint
add_run (KibitzTurnServer *self,
         const guint8     *order,
         guint             n,
         guint             k,
         gboolean          gso,
         struct mmsghdr   *message,
         struct iovec     *iovs,
         SegmentControl   *segment_control)
{
  Outgoing *first = &self->out[order[k]];
  struct msghdr *header = &message->msg_hdr;
  gsize size = first->iov.iov_len, total = 0;
  guint segments = 0;

  memset (message, 0, sizeof (struct mmsghdr));
  header->msg_name = &first->address;
  header->msg_namelen = first->address_length;
  header->msg_iov = &iovs[k];

  do
    {
      Outgoing *next = &self->out[order[k]];

      iovs[k] = next->iov;
      total += next->iov.iov_len;
      segments++;
      k++;
      if (next->iov.iov_len < size)
        break;  /* only the last segment may be shorter */
    }
  while (gso && size <= GSO_MAX_SEGMENT && k < n &&
         same_destination (first, &self->out[order[k]]) &&
         self->out[order[k]].iov.iov_len <= size &&
         total + self->out[order[k]].iov.iov_len <= GSO_MAX_BYTES);

  header->msg_iovlen = segments;
  if (segments > 1)
    {
      struct cmsghdr *control;

      header->msg_control = segment_control->buffer;
      header->msg_controllen = sizeof segment_control->buffer;
      control = CMSG_FIRSTHDR (header);
      control->cmsg_level = IPPROTO_UDP;
      control->cmsg_type = UDP_SEGMENT;
      control->cmsg_len = CMSG_LEN (sizeof (guint16));
      *(guint16 *) CMSG_DATA (control) = (guint16) size;
    }

  return k;
}

/* Sends the @count messages of one socket; where GSO fails, for good (the
 * kernel or route cannot do it), the datagrams go one by one. */
static void
send_messages (int             fd,
               struct mmsghdr *messages,
               guint           count)
{
  guint i;
  int sent;

  /* A full socket buffer drops what does not fit, as a router would. */
  for (i = 0; i < count; i += sent)
    {
      sent = sendmmsg (fd, messages + i, count - i, MSG_DONTWAIT);
      if (sent > 0)
        continue;
      sent = 0;
      if (errno == EINTR)
        continue;
      if (messages[i].msg_hdr.msg_controllen == 0 ||
          errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)
        break;
      /* No GSO here (old kernel, no checksum offload, small MTU...):
       * from now on every datagram goes on its own. */
      if (errno == EINVAL || errno == EIO || errno == ENOPROTOOPT || errno == EOPNOTSUPP)
        {
          __atomic_store_n (&gso_off, TRUE, __ATOMIC_RELAXED);
          g_debug ("UDP GSO send failed (%s): sending datagrams one by one",
                   g_strerror (errno));
        }
      send_segments (fd, &messages[i].msg_hdr);
      sent = 1;
    }
}

void
turn_flush (KibitzTurnServer *self)
{
  struct mmsghdr messages[TURN_BATCH];
  struct iovec iovs[TURN_BATCH];
  SegmentControl controls[TURN_BATCH];
  guint8 order[TURN_BATCH];
  gboolean gso = !__atomic_load_n (&gso_off, __ATOMIC_RELAXED);
  guint n = group_by_destination (self, order), start = 0;

  while (start < n)
    {
      int fd = self->out[order[start]].fd;
      guint count = 0, k = start;

      /* One mmsghdr per GSO run (or lone datagram) of this socket. */
      while (k < n && self->out[order[k]].fd == fd)
        {
          k = add_run (self, order, n, k, gso, &messages[count], iovs, &controls[count]);
          count++;
        }

      send_messages (fd, messages, count);
      start = k;
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

guint
turn_ip_hash (gconstpointer key)
{
  const KibitzStunAddress *address = key;
  guint hash = address->family;

  for (gsize i = 0; i < (address->family == KIBITZ_STUN_FAMILY_IPV4 ? 4 : 16); i++)
    hash = hash * 31 + address->addr[i];

  return hash;
}

gboolean
turn_ip_equal (gconstpointer a,
               gconstpointer b)
{
  return turn_same_ip (a, b);
}

/* Counts per client IP (the port is not part of the key): TCP connections
 * in per_ip, allocations in per_address. */
guint
turn_ip_count (GHashTable              *counts,
               const KibitzStunAddress *client)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (counts, client));
}

void
turn_ip_count_change (GHashTable              *counts,
                      const KibitzStunAddress *client,
                      int                      delta)
{
  guint count = turn_ip_count (counts, client) + delta;
  KibitzStunAddress *key;

  if (count == 0)
    {
      g_hash_table_remove (counts, client);
      return;
    }
  key = g_memdup2 (client, sizeof *client);
  key->port = 0;
  g_hash_table_insert (counts, key, GUINT_TO_POINTER (count));
}

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
  turn_ip_count_change (self->per_ip, &connection->client, -1);
  TURN_UNCOUNT (self, tcp_connections, 1);

  g_free (connection->write_buffer);
  g_ptr_array_add (self->deferred, connection);
}

/* Full: the connection without an allocation that was quiet longest gives
 * way (a flood of idle sockets cannot keep a real client out); FALSE when
 * every connection carries an allocation.
 */
static gboolean
make_room (KibitzTurnServer *self)
{
  GHashTableIter iter;
  gpointer key;
  TcpConnection *victim = NULL;

  if (g_hash_table_size (self->connections) < TURN_MAX_TCP_CONNECTIONS)
    return TRUE;

  g_hash_table_iter_init (&iter, self->connections);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      TcpConnection *connection = key;

      if (connection->allocation == NULL && !connection->closing &&
          (victim == NULL || connection->last_active < victim->last_active))
        victim = connection;
    }
  if (victim == NULL)
    return FALSE;

  TURN_COUNT (self, tcp_cut, 1);
  /* Closed now, not after the events: the descriptor is needed at once. */
  victim->closing = TRUE;
  turn_connection_close (self, victim);

  return TRUE;
}

/* Out of descriptors: accept with the spare one and close, so the client
 * hears at once instead of waiting in the queue (and the level-triggered
 * listener does not spin).
 */
static void
refuse_without_descriptors (KibitzTurnServer *self,
                            Listener         *listener)
{
  int fd;

  if (self->spare_fd < 0)
    return;
  close (self->spare_fd);
  fd = accept4 (listener->endpoint.fd, NULL, NULL, SOCK_CLOEXEC);
  if (fd >= 0)
    {
      TURN_COUNT (self, tcp_refused, 1);
      close (fd);
    }
  self->spare_fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
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
      KibitzStunAddress client;
      TcpConnection *connection;
      int fd = accept4 (listener->endpoint.fd, (struct sockaddr *) &storage, &length,
                        SOCK_NONBLOCK | SOCK_CLOEXEC);

      if (fd < 0)
        {
          if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
            refuse_without_descriptors (self, listener);
          if (errno == EINTR || errno == ECONNABORTED)
            continue;
          return;
        }

      kibitz_stun_address_from_sockaddr (&client, (struct sockaddr *) &storage, length);
      if (turn_ip_count (self->per_ip, &client) >= TURN_TCP_PER_ADDRESS || !make_room (self))
        {
          TURN_COUNT (self, tcp_refused, 1);
          close (fd);
          continue;
        }

      connection = g_new0 (TcpConnection, 1);
      connection->endpoint.kind = ENDPOINT_TCP_CONNECTION;
      connection->endpoint.fd = fd;
      connection->listener = listener;
      connection->last_active = self->now;
      connection->client = client;

      event.data.ptr = &connection->endpoint;
      if (epoll_ctl (self->epoll_fd, EPOLL_CTL_ADD, fd, &event) != 0)
        {
          close (fd);
          g_free (connection);
          continue;
        }
      g_hash_table_add (self->connections, connection);
      turn_ip_count_change (self->per_ip, &client, +1);
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

  /* A frame once started must arrive whole within seconds, however slowly
   * its bytes trickle (each one counts as activity for the idle limit). */
  if (connection->read_length == 0)
    connection->frame_started = 0;
  else if (offset > 0 || connection->frame_started == 0)
    connection->frame_started = self->now;
}

/* UDP */

/* Receives into the buffers that no queued datagram points into, so that the
 * send batch can fill up over the events of one wake-up instead of costing a
 * sendmmsg per event: a relay with many quiet allocations wakes up for one or
 * two datagrams per socket. Sets *first to the first slot used. */
static int
receive_batch (KibitzTurnServer *self,
               int               fd,
               guint            *first)
{
  guint i, start = 0;

  for (i = 0; i < self->n_out; i++)
    {
      const guint8 *base = self->out[i].iov.iov_base;

      if (!turn_in_receive_buffers (self, base))
        {
          start = TURN_BATCH;  /* not ours: send now to be safe */
          break;
        }
      start = MAX (start, (guint) ((base - self->buffers) / TURN_BUFFER_SIZE) + 1);
    }
  /* Flush rather than read a short batch. */
  if (start > TURN_BATCH - TURN_BATCH / 4)
    {
      turn_flush (self);
      start = 0;
    }

  for (i = start; i < TURN_BATCH; i++)
    {
      self->in_iov[i].iov_base = self->buffers + i * TURN_BUFFER_SIZE + TURN_HEADROOM;
      self->in_iov[i].iov_len = 65536;
      memset (&self->in_messages[i].msg_hdr, 0, sizeof (struct msghdr));
      self->in_messages[i].msg_hdr.msg_iov = &self->in_iov[i];
      self->in_messages[i].msg_hdr.msg_iovlen = 1;
      self->in_messages[i].msg_hdr.msg_name = &self->in_addresses[i];
      self->in_messages[i].msg_hdr.msg_namelen = sizeof self->in_addresses[i];
    }

  *first = start;
  return recvmmsg (fd, self->in_messages + start, TURN_BATCH - start, MSG_DONTWAIT, NULL);
}

/* What is queued goes out when the batch is full, when the buffers run short,
 * before an allocation or connection closes, and at the end of the wake-up
 * (end_of_wakeup). */
static void
read_udp_listener (KibitzTurnServer *self,
                   Listener         *listener)
{
  guint first;
  int round, n, i;

  for (round = 0; round < MAX_BATCHES_PER_EVENT; round++)
    {
      n = receive_batch (self, listener->endpoint.fd, &first);
      if (n <= 0)
        return;

      for (i = first; i < (int) first + n; i++)
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

      if (n < TURN_BATCH - (int) first)
        return;
    }
}

static void
read_relay (KibitzTurnServer *self,
            Allocation       *allocation)
{
  guint first;
  int round, n, i;

  for (round = 0; round < MAX_BATCHES_PER_EVENT; round++)
    {
      n = receive_batch (self, allocation->endpoint.fd, &first);
      if (n <= 0)
        return;

      for (i = first; i < (int) first + n; i++)
        {
          KibitzStunAddress peer;

          if (kibitz_stun_address_from_sockaddr (&peer, (struct sockaddr *) &self->in_addresses[i],
                                                 self->in_messages[i].msg_hdr.msg_namelen))
            turn_relay_from_peer (self, allocation, &peer, self->in_iov[i].iov_base,
                                  self->in_messages[i].msg_len);
        }

      if (n < TURN_BATCH - (int) first)
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
      else if (connection->frame_started != 0 && !connection->closing &&
               connection->frame_started + TURN_TCP_FRAME_SECONDS <= self->now)
        {
          TURN_COUNT (self, tcp_cut, 1);
          turn_connection_schedule_close (self, connection);
        }
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
