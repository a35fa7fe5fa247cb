/* kibitz-turn-allocation.c: allocations, their relay sockets, permissions and
 * channels (RFC 8656 §7-§12). Relay thread only.
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
#include <sys/random.h>
#include <unistd.h>

#include "kibitz-turn-credentials.h"
#include "kibitz-turn-server-private.h"

static gpointer
port_key (const KibitzStunAddress *address)
{
  return GUINT_TO_POINTER ((guint) address->family << 16 | address->port);
}

/* Quotas */

/* The address a client's allocations count under: its IP, and for IPv6 its
 * /64, which one subscriber usually holds whole (IPv4-mapped addresses stay
 * whole). */
static void
quota_address (const KibitzStunAddress *client,
               KibitzStunAddress       *address)
{
  static const guint8 mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

  *address = *client;
  address->port = 0;
  if (address->family == KIBITZ_STUN_FAMILY_IPV6 && memcmp (address->addr, mapped, 12) != 0)
    memset (address->addr + 8, 0, 8);
}

/* TRUE when one more allocation for @usage, in @room_key (or NULL), from
 * @client would pass a quota: the participant's, its room's, its address's
 * or the relay's. So no one party fills the relay. */
gboolean
turn_quota_reached (KibitzTurnServer        *server,
                    Usage                   *usage,
                    const char              *room_key,
                    const KibitzStunAddress *client)
{
  KibitzStunAddress address;
  TurnRoom *room;

  if (usage->allocations >= server->user_quota || server->n_allocations >= server->total_quota)
    return TRUE;

  quota_address (client, &address);
  if (turn_ip_count (server->per_address, &address) >= server->address_quota)
    return TRUE;

  /* Only this thread changes per_room: reading it needs no lock. */
  room = room_key != NULL ? g_hash_table_lookup (server->per_room, room_key) : NULL;
  return room != NULL && room->allocations >= server->room_quota;
}

/* Counts @allocation against its participant, room and address. */
void
turn_allocation_attach (KibitzTurnServer        *server,
                        Allocation              *allocation,
                        Usage                   *usage,
                        const char              *room_key,
                        const KibitzStunAddress *client)
{
  allocation->usage = usage;
  usage->allocations++;

  quota_address (client, &allocation->quota_address);
  turn_ip_count_change (server->per_address, &allocation->quota_address, +1);

  if (room_key == NULL)
    return;

  g_mutex_lock (&server->usage_lock);
  allocation->room = g_hash_table_lookup (server->per_room, room_key);
  if (allocation->room == NULL)
    {
      allocation->room = g_new0 (TurnRoom, 1);
      allocation->room->key = g_strdup (room_key);
      g_hash_table_insert (server->per_room, allocation->room->key, allocation->room);
    }
  allocation->room->allocations++;
  if (usage->room == NULL)
    {
      usage->room = allocation->room;
      usage->room->ids++;
    }
  g_mutex_unlock (&server->usage_lock);
}

static void
allocation_detach (KibitzTurnServer *server,
                   Allocation       *allocation)
{
  if (--allocation->usage->allocations == 0)
    allocation->usage->idle_since = server->now;

  turn_ip_count_change (server->per_address, &allocation->quota_address, -1);

  if (allocation->room == NULL)
    return;

  g_mutex_lock (&server->usage_lock);
  if (--allocation->room->allocations == 0 && allocation->room->ids == 0)
    allocation->room->idle_since = server->now;
  g_mutex_unlock (&server->usage_lock);
  allocation->room = NULL;
}

void
turn_room_free (gpointer data)
{
  TurnRoom *room = data;

  g_free (room->key);
  g_free (room);
}

/* Every few seconds: the records of ids without an allocation for
 * usage_keep seconds give their bytes to their room and go; a room with
 * neither allocations nor records goes twelve times later (its series
 * leaves /metrics). */
static void
sweep_usage (KibitzTurnServer *server)
{
  gint64 keep = server->usage_keep;
  GHashTableIter iter;
  gpointer value;

  g_mutex_lock (&server->usage_lock);
  g_hash_table_iter_init (&iter, server->usage);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Usage *usage = value;
      TurnRoom *room = usage->room;

      if (usage->allocations > 0 || server->now - usage->idle_since < keep)
        continue;
      if (room != NULL)
        {
          room->retired_to_peers += usage->bytes_to_peers;
          room->retired_from_peers += usage->bytes_from_peers;
          if (--room->ids == 0 && room->allocations == 0)
            room->idle_since = server->now;
        }
      g_hash_table_iter_remove (&iter);
      TURN_UNCOUNT (server, usage_records, 1);
    }

  g_hash_table_iter_init (&iter, server->per_room);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      TurnRoom *room = value;

      if (room->allocations == 0 && room->ids == 0 && server->now - room->idle_since >= 12 * keep)
        g_hash_table_iter_remove (&iter);
    }
  g_mutex_unlock (&server->usage_lock);
}

Allocation *
turn_allocation_find_udp (KibitzTurnServer        *server,
                          Listener                *listener,
                          const KibitzStunAddress *client)
{
  ClientKey key;

  memset (&key, 0, sizeof key);
  key.listener = listener;
  key.client = *client;
  return g_hash_table_lookup (server->by_client, &key);
}

Allocation *
turn_allocation_find_by_relay (KibitzTurnServer        *server,
                               const KibitzStunAddress *relay)
{
  return g_hash_table_lookup (server->by_relay_port, port_key (relay));
}

/* Binds a UDP socket on @ip at a random port of the relay range (an even one
 * if asked), trying a bounded number of ports. */
static int
bind_relay_socket (KibitzTurnServer  *server,
                   KibitzStunAddress *ip,
                   gboolean           even_port)
{
  guint range = (guint) server->relay_port_max - server->relay_port_min + 1;
  int attempt;

  for (attempt = 0; attempt < 64; attempt++)
    {
      struct sockaddr_storage storage;
      socklen_t length;
      guint16 port = server->relay_port_min + g_random_int_range (0, range);
      int fd, size = 1 << 20;

      if (even_port)
        port &= ~1u;
      if (port < server->relay_port_min)
        continue;

      ip->port = port;
      length = kibitz_stun_address_to_sockaddr (ip, &storage);
      fd = socket (storage.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (fd < 0)
        return -1;
      if (storage.ss_family == AF_INET6)
        {
          int on = 1;
          setsockopt (fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
        }
      if (bind (fd, (struct sockaddr *) &storage, length) == 0)
        {
          setsockopt (fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
          setsockopt (fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
          return fd;
        }
      close (fd);
    }

  return -1;
}

static gboolean
take_reservation (KibitzTurnServer *server,
                  guint64           token,
                  Reservation      *out)
{
  guint i;

  for (i = 0; i < server->reservations->len; i++)
    {
      Reservation *reservation = &g_array_index (server->reservations, Reservation, i);

      if (reservation->token == token)
        {
          *out = *reservation;
          g_array_remove_index_fast (server->reservations, i);
          return TRUE;
        }
    }
  return FALSE;
}

/* EVEN-PORT with R: keep port + 1 bound for a later allocation. */
static guint64
reserve_next_port (KibitzTurnServer        *server,
                   const KibitzStunAddress *relay)
{
  Reservation reservation = { 0 };
  struct sockaddr_storage storage;
  socklen_t length;

  if (server->reservations->len >= TURN_MAX_RESERVATIONS || relay->port == G_MAXUINT16 ||
      relay->port + 1 > server->relay_port_max)
    return 0;

  reservation.relay = *relay;
  reservation.relay.port++;
  length = kibitz_stun_address_to_sockaddr (&reservation.relay, &storage);
  reservation.fd = socket (storage.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (reservation.fd < 0)
    return 0;
  if (bind (reservation.fd, (struct sockaddr *) &storage, length) != 0)
    {
      close (reservation.fd);
      return 0;
    }

  while (reservation.token == 0)
    reservation.token = ((guint64) g_random_int () << 32) | g_random_int ();
  reservation.expires = server->now + TURN_RESERVATION_LIFETIME;
  g_array_append_val (server->reservations, reservation);
  return reservation.token;
}

void
turn_reservations_clear (KibitzTurnServer *server)
{
  guint i;

  for (i = 0; i < server->reservations->len; i++)
    close (g_array_index (server->reservations, Reservation, i).fd);
  g_array_set_size (server->reservations, 0);
}

/* Creates an allocation and its relay socket. On failure returns NULL and
 * sets @error_code to the STUN error to answer with. */
Allocation *
turn_allocation_new (KibitzTurnServer        *server,
                     Listener                *listener,
                     TcpConnection           *connection,
                     const KibitzStunAddress *client,
                     guint8                   family,
                     gboolean                 even_port,
                     gboolean                 reserve_next,
                     guint64                  reservation_token,
                     int                     *error_code)
{
  g_autofree Allocation *allocation = g_new0 (Allocation, 1);
  int index = family == KIBITZ_STUN_FAMILY_IPV4 ? 0 : 1;
  struct epoll_event event = { .events = EPOLLIN };

  if (server->relay_ip[index].family == 0)
    {
      *error_code = KIBITZ_STUN_ERROR_ADDRESS_FAMILY_NOT_SUPPORTED;
      return NULL;
    }

  if (reservation_token != 0)
    {
      Reservation reservation;

      if (!take_reservation (server, reservation_token, &reservation))
        {
          *error_code = KIBITZ_STUN_ERROR_INSUFFICIENT_CAPACITY;
          return NULL;
        }
      allocation->endpoint.fd = reservation.fd;
      allocation->relay = reservation.relay;
    }
  else
    {
      allocation->relay = server->relay_ip[index];
      allocation->endpoint.fd = bind_relay_socket (server, &allocation->relay, even_port);
      if (allocation->endpoint.fd < 0)
        {
          *error_code = KIBITZ_STUN_ERROR_INSUFFICIENT_CAPACITY;
          return NULL;
        }
    }

  allocation->endpoint.kind = ENDPOINT_RELAY;
  allocation->advertised = allocation->relay;
  if (server->external_ip.family == allocation->relay.family)
    memcpy (allocation->advertised.addr, server->external_ip.addr, 16);

  event.data.ptr = &allocation->endpoint;
  if (epoll_ctl (server->epoll_fd, EPOLL_CTL_ADD, allocation->endpoint.fd, &event) != 0)
    {
      close (allocation->endpoint.fd);
      *error_code = KIBITZ_STUN_ERROR_SERVER_ERROR;
      return NULL;
    }

  if (reserve_next)
    allocation->reservation_token = reserve_next_port (server, &allocation->relay);

  memset (&allocation->key, 0, sizeof allocation->key);
  allocation->key.listener = listener;
  allocation->key.client = *client;
  allocation->connection = connection;
  if (connection != NULL)
    connection->allocation = allocation;
  else
    g_hash_table_insert (server->by_client, &allocation->key, allocation);
  g_hash_table_insert (server->by_relay_port, port_key (&allocation->relay), allocation);

  server->n_allocations++;
  TURN_COUNT (server, allocations, 1);
  TURN_COUNT (server, allocations_total, 1);

  return g_steal_pointer (&allocation);
}

/* The memory itself goes at the end of the relay thread's wake-up, since an
 * epoll event of the same wake-up may still point at it. */
void
turn_allocation_free (KibitzTurnServer *server,
                      Allocation       *allocation)
{
  turn_flush (server);
  epoll_ctl (server->epoll_fd, EPOLL_CTL_DEL, allocation->endpoint.fd, NULL);
  close (allocation->endpoint.fd);

  if (allocation->connection != NULL)
    allocation->connection->allocation = NULL;
  else
    g_hash_table_remove (server->by_client, &allocation->key);
  g_hash_table_remove (server->by_relay_port, port_key (&allocation->relay));

  if (allocation->usage != NULL)
    allocation_detach (server, allocation);

  server->n_allocations--;
  TURN_UNCOUNT (server, allocations, 1);
  TURN_UNCOUNT (server, permissions, allocation->n_permissions);
  TURN_UNCOUNT (server, channels, allocation->n_channels);

  g_free (allocation->username);
  allocation->endpoint.fd = -1;
  g_ptr_array_add (server->deferred, allocation);
}

Permission *
turn_allocation_find_permission (Allocation              *allocation,
                                 const KibitzStunAddress *peer,
                                 gint64                   now)
{
  guint i;

  for (i = 0; i < allocation->n_permissions; i++)
    if (turn_same_ip (&allocation->permissions[i].peer, peer) &&
        allocation->permissions[i].expires > now)
      return &allocation->permissions[i];
  return NULL;
}

gboolean
turn_allocation_add_permission (KibitzTurnServer        *server,
                                Allocation              *allocation,
                                const KibitzStunAddress *peer,
                                gboolean                 self)
{
  Permission *permission = NULL;
  guint i;

  for (i = 0; i < allocation->n_permissions; i++)
    if (turn_same_ip (&allocation->permissions[i].peer, peer))
      permission = &allocation->permissions[i];

  if (permission == NULL)
    {
      if (allocation->n_permissions == TURN_MAX_PERMISSIONS)
        return FALSE;
      permission = &allocation->permissions[allocation->n_permissions++];
      TURN_COUNT (server, permissions, 1);
    }

  permission->peer = *peer;
  permission->peer.port = 0;
  permission->self = self;
  permission->expires = server->now + TURN_PERMISSION_LIFETIME;
  return TRUE;
}

Channel *
turn_allocation_find_channel (Allocation *allocation,
                              guint16     number,
                              gint64      now)
{
  guint i;

  for (i = 0; i < allocation->n_channels; i++)
    if (allocation->channels[i].number == number && allocation->channels[i].expires > now)
      return &allocation->channels[i];
  return NULL;
}

Channel *
turn_allocation_find_channel_by_peer (Allocation              *allocation,
                                      const KibitzStunAddress *peer,
                                      gint64                   now)
{
  guint i;

  for (i = 0; i < allocation->n_channels; i++)
    if (kibitz_stun_address_equal (&allocation->channels[i].peer, peer) &&
        allocation->channels[i].expires > now)
      return &allocation->channels[i];
  return NULL;
}

/* RFC 8656 §11.2: a channel and a peer transport address are bound to each
 * other or to nothing else. Returns 0 or the STUN error code. An expired
 * binding stays reserved until the sweep removes it, as §11 asks. */
int
turn_allocation_bind_channel (KibitzTurnServer        *server,
                              Allocation              *allocation,
                              guint16                  number,
                              const KibitzStunAddress *peer)
{
  Channel *channel = NULL;
  guint i;

  for (i = 0; i < allocation->n_channels; i++)
    {
      Channel *candidate = &allocation->channels[i];
      gboolean same_number = candidate->number == number;
      gboolean same_peer = kibitz_stun_address_equal (&candidate->peer, peer);

      if (same_number != same_peer)
        return KIBITZ_STUN_ERROR_BAD_REQUEST;
      if (same_number)
        channel = candidate;
    }

  if (channel == NULL)
    {
      if (allocation->n_channels == TURN_MAX_CHANNELS)
        return KIBITZ_STUN_ERROR_INSUFFICIENT_CAPACITY;
      channel = &allocation->channels[allocation->n_channels++];
      channel->number = number;
      channel->peer = *peer;
      TURN_COUNT (server, channels, 1);
    }

  channel->expires = server->now + TURN_CHANNEL_LIFETIME;
  return 0;
}

static void
sweep_allocation (KibitzTurnServer *server,
                  Allocation       *allocation)
{
  guint i = 0;

  while (i < allocation->n_permissions)
    {
      if (allocation->permissions[i].expires <= server->now)
        {
          allocation->permissions[i] = allocation->permissions[--allocation->n_permissions];
          TURN_UNCOUNT (server, permissions, 1);
        }
      else
        i++;
    }

  i = 0;
  while (i < allocation->n_channels)
    {
      /* Channels stay reserved for 5 minutes after they expire (§12). */
      if (allocation->channels[i].expires + 300 <= server->now)
        {
          allocation->channels[i] = allocation->channels[--allocation->n_channels];
          TURN_UNCOUNT (server, channels, 1);
        }
      else
        i++;
    }
}

/* A removed peer's (or an ended class's) allocation relays nothing more:
 * it goes at once, not at its next refresh, which its credentials would
 * fail anyway. */
static gboolean
is_voided (KibitzTurnServer *server,
           Allocation       *allocation)
{
  g_autofree char *id = NULL;
  gint64 expiry;

  return server->scope.id_voided != NULL &&
         kibitz_turn_username_parse (allocation->username, &expiry, &id) &&
         server->scope.id_voided (id, server->scope.user_data);
}

/* Once a second: expired allocations (and voided ones), permissions,
 * channels, reservations. */
void
turn_allocation_sweep (KibitzTurnServer *server)
{
  g_autoptr(GPtrArray) expired = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;
  guint i = 0;

  g_hash_table_iter_init (&iter, server->by_relay_port);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Allocation *allocation = value;

      if (allocation->expires <= server->now || is_voided (server, allocation))
        g_ptr_array_add (expired, allocation);
      else
        sweep_allocation (server, allocation);
    }

  for (i = 0; i < expired->len; i++)
    turn_allocation_free (server, g_ptr_array_index (expired, i));

  i = 0;
  while (i < server->reservations->len)
    {
      Reservation *reservation = &g_array_index (server->reservations, Reservation, i);

      if (reservation->expires <= server->now)
        {
          close (reservation->fd);
          g_array_remove_index_fast (server->reservations, i);
        }
      else
        i++;
    }

  if (server->now - server->last_usage_sweep >= MIN (server->usage_keep, 10))
    {
      server->last_usage_sweep = server->now;
      sweep_usage (server);
    }
}

Usage *
turn_usage_get (KibitzTurnServer *server,
                const char       *id)
{
  Usage *usage;

  g_mutex_lock (&server->usage_lock);
  usage = g_hash_table_lookup (server->usage, id);
  if (usage == NULL)
    {
      usage = g_new0 (Usage, 1);
      usage->id = g_strdup (id);
      usage->idle_since = server->now;
      g_hash_table_insert (server->usage, usage->id, usage);
      TURN_COUNT (server, usage_records, 1);
    }
  g_mutex_unlock (&server->usage_lock);

  return usage;
}
