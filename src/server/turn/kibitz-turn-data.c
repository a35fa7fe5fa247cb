/* kibitz-turn-data.c: the data path between clients and peers (RFC 8656
 * §11-§12): Send indications and ChannelData out to peers that have a
 * permission, what peers send back in as ChannelData or Data indications
 * with the header written in place, and the hand-over between two
 * allocations of this server. Relay thread only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* struct mmsghdr, in the private header */
#define _GNU_SOURCE

#define G_LOG_DOMAIN "kibitz-turn"

#include "config.h"

#include <string.h>

#include "kibitz-turn-server-private.h"

/* The largest UDP payload the kernel sends: bigger ones fail with EMSGSIZE. */
#define MAX_UDP_PAYLOAD_V4 (65535 - 20 - 8)
#define MAX_UDP_PAYLOAD_V6 (65535 - 8)

/* When @target is the bound relay address of an allocation of this server
 * (two participants of a class who both need TURN), runs that allocation's
 * receive path here instead of sending a datagram out of one relay socket and
 * into the other through the kernel: two syscalls, a wake-up and the kernel's
 * UDP path less per packet. The source is @from's relay address as its
 * clients were told it (the bound one, or behind NAT the --external-ip one,
 * which peer_as_advertised() gives a packet of the kernel path too), so the
 * receiver's permission and channel checks and its counters see the same
 * packet.
 * Returns FALSE (nothing done) when the kernel path must take the packet:
 * another destination, a relay socket bound to a wildcard address (the
 * kernel chooses the source), or a datagram too big to be sent. */
static gboolean
deliver_internally (KibitzTurnServer        *server,
                    Allocation              *from,
                    const KibitzStunAddress *target,
                    const guint8            *data,
                    gsize                    length)
{
  Allocation *to;
  guint8 *payload = (guint8 *) data;

  if (turn_address_is_unspecified (&from->relay) ||
      length > (target->family == KIBITZ_STUN_FAMILY_IPV4 ? MAX_UDP_PAYLOAD_V4
                                                          : MAX_UDP_PAYLOAD_V6))
    return FALSE;

  to = turn_allocation_find_by_relay (server, target);
  if (to == NULL || !kibitz_stun_address_equal (&to->relay, target))
    return FALSE;

  TURN_COUNT (server, internal_packets, 1);

  /* The receive path writes its header in front of the payload: a UDP
   * receive buffer has room for it, a TCP connection's read buffer does not
   * (and holds the next frames), so TCP data is copied first. */
  if (!turn_in_receive_buffers (server, data))
    {
      payload = server->scratch + TURN_HEADROOM;
      memcpy (payload, data, length);
    }

  turn_relay_from_peer (server, to, &from->advertised, payload, length);

  /* The send batch may point into the scratch buffer: the next one reuses it. */
  if (payload != data)
    turn_flush (server);
  return TRUE;
}

/* Sends to a peer the client has a permission for. A peer that is one of our
 * own relay addresses only reaches a live allocation of this server. */
static void
relay_to_peer (KibitzTurnServer        *server,
               Allocation              *allocation,
               const KibitzStunAddress *peer,
               const guint8            *data,
               gsize                    length)
{
  Permission *permission = turn_allocation_find_permission (allocation, peer, server->now);
  KibitzStunAddress target = *peer;

  if (permission == NULL || peer->port == 0)
    return;

  if (permission->self)
    {
      int index = target.family == KIBITZ_STUN_FAMILY_IPV4 ? 0 : 1;

      /* The advertised (external) address means the local relay address. */
      memcpy (target.addr, server->relay_ip[index].addr, 16);
      if (turn_allocation_find_by_relay (server, &target) == NULL)
        return;
    }

  TURN_COUNT (server, packets_to_peers, 1);
  TURN_COUNT (server, bytes_to_peers, length);
  if (allocation->usage != NULL)
    __atomic_add_fetch (&allocation->usage->bytes_to_peers, length, __ATOMIC_RELAXED);

  if (!deliver_internally (server, allocation, &target, data, length))
    turn_send_to_peer (server, allocation, &target, data, length);
}

void
turn_handle_send (KibitzTurnServer        *server,
                  Allocation              *allocation,
                  const KibitzStunMessage *indication)
{
  KibitzStunAddress peer;
  const guint8 *data;
  gsize length;

  if (allocation == NULL || indication->n_unknown > 0 ||
      !kibitz_stun_message_get_xor_address (indication, KIBITZ_STUN_ATTR_XOR_PEER_ADDRESS, &peer) ||
      !kibitz_stun_message_get_bytes (indication, KIBITZ_STUN_ATTR_DATA, &data, &length))
    return;

  relay_to_peer (server, allocation, &peer, data, length);
}

void
turn_handle_channel_data (KibitzTurnServer *server,
                          Allocation       *allocation,
                          const guint8     *data,
                          gsize             length,
                          gboolean          stream)
{
  const guint8 *payload;
  gsize payload_length;
  guint16 number;
  Channel *channel;

  if (allocation == NULL ||
      !kibitz_stun_channel_data_parse (data, length, stream, &number, &payload, &payload_length))
    return;

  channel = turn_allocation_find_channel (allocation, number, server->now);
  if (channel != NULL)
    relay_to_peer (server, allocation, &channel->peer, payload, payload_length);
}

static guint32
next_random (KibitzTurnServer *server)
{
  /* xorshift32: Data indications need distinct transaction ids, not secret ones. */
  guint32 state = server->random_state;

  state ^= state << 13;
  state ^= state >> 17;
  state ^= state << 5;
  server->random_state = state;
  return state;
}

/* Relay to relay behind NAT: a packet from another allocation of this
 * server comes from that allocation's bound relay address (inside the NAT),
 * but the receiving client knows it only by the address it was advertised
 * at (--external-ip), which is what its permission, its channel and what
 * ICE expects to see name. Relay sockets on the wildcard address send to
 * this host from a loopback address (the kernel's choice for a destination
 * of 0.0.0.0 or ::), which nobody outside can spoof and nobody else can bind
 * with the port of a live relay socket. Returns the address to present for
 * @peer. */
static const KibitzStunAddress *
peer_as_advertised (KibitzTurnServer        *server,
                    const KibitzStunAddress *peer)
{
  static const guint8 loopback6[16] = { [15] = 1 };
  const KibitzStunAddress *relay_ip;
  gboolean from_relay_ip;
  Allocation *other;

  if (server->external_ip.family != peer->family)
    return peer;
  relay_ip = &server->relay_ip[peer->family == KIBITZ_STUN_FAMILY_IPV4 ? 0 : 1];
  if (relay_ip->family != peer->family)
    return peer;

  if (!turn_address_is_unspecified (relay_ip))
    from_relay_ip = turn_same_ip (relay_ip, peer);
  else if (peer->family == KIBITZ_STUN_FAMILY_IPV4)
    from_relay_ip = peer->addr[0] == 127;
  else
    from_relay_ip = memcmp (peer->addr, loopback6, 16) == 0;
  if (!from_relay_ip)
    return peer;

  /* Found by family and port: the address is the relay IP's. */
  other = turn_allocation_find_by_relay (server, peer);
  if (other == NULL || !turn_same_ip (&other->relay, relay_ip))
    return peer;
  return &other->advertised;
}

/* @payload sits in a buffer with TURN_HEADROOM bytes free before it and 8
 * after it: the ChannelData or Data indication header is written in place. */
void
turn_relay_from_peer (KibitzTurnServer        *server,
                      Allocation              *allocation,
                      const KibitzStunAddress *peer,
                      guint8                  *payload,
                      gsize                    length)
{
  gboolean stream = allocation->connection != NULL;
  Channel *channel;
  guint8 *frame;
  gsize frame_length;

  peer = peer_as_advertised (server, peer);
  if (turn_allocation_find_permission (allocation, peer, server->now) == NULL || length > 0xFFFF)
    return;

  channel = turn_allocation_find_channel_by_peer (allocation, peer, server->now);
  if (channel != NULL)
    {
      frame = payload - KIBITZ_STUN_CHANNEL_HEADER_SIZE;
      kibitz_stun_channel_data_write_header (frame, channel->number, length);
      frame_length = KIBITZ_STUN_CHANNEL_HEADER_SIZE + length;
      if (stream)
        {
          gsize padded = (frame_length + 3) & ~(gsize) 3;

          memset (frame + frame_length, 0, padded - frame_length);
          frame_length = padded;
        }
    }
  else
    {
      KibitzStunWriter writer;
      guint8 transaction_id[KIBITZ_STUN_TRANSACTION_ID_SIZE];
      gsize header = KIBITZ_STUN_HEADER_SIZE + 4 +
                     (peer->family == KIBITZ_STUN_FAMILY_IPV4 ? 8 : 20) + 4;
      guint32 random[3] = { next_random (server), next_random (server), next_random (server) };

      memcpy (transaction_id, random, sizeof transaction_id);
      frame = payload - header;
      kibitz_stun_writer_init (&writer, frame, header + length + 8, KIBITZ_STUN_METHOD_DATA,
                               KIBITZ_STUN_CLASS_INDICATION, transaction_id);
      kibitz_stun_writer_add_xor_address (&writer, KIBITZ_STUN_ATTR_XOR_PEER_ADDRESS, peer);
      if (kibitz_stun_writer_reserve (&writer, KIBITZ_STUN_ATTR_DATA, length) != payload)
        return;
      frame_length = kibitz_stun_writer_finish (&writer);
    }

  TURN_COUNT (server, packets_from_peers, 1);
  TURN_COUNT (server, bytes_from_peers, length);
  if (allocation->usage != NULL)
    __atomic_add_fetch (&allocation->usage->bytes_from_peers, length, __ATOMIC_RELAXED);

  turn_send_to_client (server, allocation->key.listener, allocation->connection,
                       &allocation->key.client, frame, frame_length, TRUE);
}
