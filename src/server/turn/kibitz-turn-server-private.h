/* kibitz-turn-server-private.h: the relay's state, shared by its files. Only
 * the relay thread touches it, except where a comment says otherwise.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <string.h>
#include <sys/socket.h>

#include "kibitz-peer-address-policy.h"
#include "kibitz-stun-message.h"
#include "kibitz-turn-server.h"

G_BEGIN_DECLS

#define TURN_MAX_PERMISSIONS   64
#define TURN_MAX_CHANNELS      64
#define TURN_PERMISSION_LIFETIME 300
#define TURN_CHANNEL_LIFETIME    600
#define TURN_RESERVATION_LIFETIME 30
#define TURN_TCP_FRAME_MAX     8192
#define TURN_TCP_WRITE_MAX     (256 * 1024)
#define TURN_TCP_IDLE_SECONDS  60
#define TURN_MAX_TCP_CONNECTIONS 8192
#define TURN_TCP_PER_ADDRESS   256  /* a school behind one NAT address fits */
#define TURN_TCP_FRAME_SECONDS 5    /* to send the rest of a started frame */
#define TURN_MAX_RESERVATIONS  1024
/* RFC 8656 narrowed channels to 0x4000-0x4FFF, but RFC 5766 clients (coturn's
 * turnutils_uclient among them) still pick numbers up to 0x7FFF. */
#define TURN_CHANNEL_MAX_RFC5766 0x7FFF
#define TURN_BATCH             32
#define TURN_HEADROOM          64
#define TURN_BUFFER_SIZE       (TURN_HEADROOM + 65536 + 8)

typedef enum {
  ENDPOINT_WAKE,
  ENDPOINT_UDP_LISTENER,
  ENDPOINT_TCP_LISTENER,
  ENDPOINT_TCP_CONNECTION,
  ENDPOINT_RELAY,
} EndpointKind;

/* The first member of everything registered with epoll. */
typedef struct {
  EndpointKind kind;
  int          fd;
} Endpoint;

typedef struct {
  Endpoint          endpoint;
  KibitzStunAddress local;
} Listener;

typedef struct _Allocation Allocation;

typedef struct {
  Endpoint          endpoint;
  Listener         *listener;
  KibitzStunAddress client;
  Allocation       *allocation;
  gint64            last_active;
  gint64            frame_started;  /* when a partial frame arrived, or 0 */
  guint8            read_buffer[TURN_TCP_FRAME_MAX];
  gsize             read_length;
  guint8           *write_buffer;
  gsize             write_length;
  gsize             write_capacity;
  gboolean          closing;
} TcpConnection;

/* A room whose ids allocated here: its allocations (for the room quota) and
 * the bytes of its ids whose records were retired. Relay thread; the table
 * and the retired bytes change under usage_lock, which /metrics takes. */
typedef struct {
  char    *key;
  guint    allocations;
  guint    ids;             /* Usage records pointing here */
  guint64  retired_to_peers;
  guint64  retired_from_peers;
  gint64   idle_since;      /* when allocations and ids last reached 0 */
} TurnRoom;

/* Relayed bytes per username id, so that /metrics can sum a class. Once an
 * id has had no allocation for usage_keep seconds, its bytes go to its room
 * and the record is freed (an attacker's ids do not pile up). Counters are
 * atomic; the table changes under usage_lock. */
typedef struct {
  char     *id;
  guint64   bytes_to_peers;
  guint64   bytes_from_peers;
  guint     allocations;     /* relay thread only */
  gint64    idle_since;      /* relay thread only: when allocations reached 0 */
  TurnRoom *room;            /* the id's room, once known, or NULL */
} Usage;

typedef struct {
  KibitzStunAddress peer;    /* the port is not part of a permission */
  gint64            expires;
  gboolean          self;    /* one of our relay addresses */
} Permission;

typedef struct {
  guint16           number;
  KibitzStunAddress peer;
  gint64            expires;
} Channel;

/* The 5-tuple of an allocation over UDP: listener and client address. */
typedef struct {
  Listener         *listener;
  KibitzStunAddress client;
} ClientKey;

struct _Allocation {
  Endpoint          endpoint;    /* the relay socket */
  ClientKey         key;
  TcpConnection    *connection;  /* NULL over UDP */
  KibitzStunAddress relay;       /* what the relay socket is bound to */
  KibitzStunAddress advertised;  /* XOR-RELAYED-ADDRESS: the external address if any */
  gint64            expires;
  char             *username;
  guint8            key_md5[16];
  Usage            *usage;
  TurnRoom         *room;        /* for the per-room quota, or NULL */
  KibitzStunAddress quota_address; /* the client's, counted in per_address */
  guint8            transaction_id[KIBITZ_STUN_TRANSACTION_ID_SIZE];
  guint64           reservation_token;  /* the one handed out with this allocation, or 0 */
  Permission        permissions[TURN_MAX_PERMISSIONS];
  guint             n_permissions;
  Channel           channels[TURN_MAX_CHANNELS];
  guint             n_channels;
};

/* A port kept free for a later Allocate with RESERVATION-TOKEN (EVEN-PORT R). */
typedef struct {
  guint64           token;
  int               fd;
  KibitzStunAddress relay;
  gint64            expires;
} Reservation;

/* One packet waiting in the send batch. */
typedef struct {
  int                     fd;
  struct sockaddr_storage address;
  socklen_t               address_length;
  struct iovec            iov;
} Outgoing;

struct _KibitzTurnServer {
  /* Configuration. */
  char                    *secret;
  char                    *realm;
  KibitzStunAddress        relay_ip[2];       /* [0] IPv4, [1] IPv6; family 0 if none */
  KibitzStunAddress        external_ip;       /* family 0 if none */
  guint16                  relay_port_min;
  guint16                  relay_port_max;
  guint                    user_quota;
  guint                    room_quota;
  guint                    address_quota;
  guint                    total_quota;
  guint                    usage_keep;
  guint                    default_lifetime;
  guint                    max_lifetime;
  guint                    nonce_lifetime;
  KibitzPeerAddressPolicy *policy;
  KibitzTurnScope          scope;             /* all NULL: no room scope */
  guint8                   nonce_key[20];

  /* Sockets. */
  int                      epoll_fd;
  Endpoint                 wake;              /* an eventfd */
  Listener                *udp;
  GPtrArray               *tcp_listeners;     /* Listener*, the first on the main port */
  GThread                 *thread;
  gboolean                 running;

  /* Relay thread state. */
  GHashTable              *by_client;         /* ClientKey* -> Allocation* (UDP) */
  GHashTable              *by_relay_port;     /* family << 16 | port -> Allocation* */
  GHashTable              *connections;       /* TcpConnection* set */
  GHashTable              *per_ip;            /* KibitzStunAddress* (port 0) -> count */
  GHashTable              *per_room;          /* room key -> TurnRoom* (usage_lock) */
  GHashTable              *per_address;       /* quota address -> allocations */
  int                      spare_fd;          /* given up to accept and refuse at EMFILE */
  GPtrArray               *closed;            /* TcpConnection* to close after the events */
  GPtrArray               *deferred;          /* memory to free after the events (g_free) */
  GArray                  *reservations;      /* Reservation */
  guint                    n_allocations;
  gint64                   now;               /* monotonic seconds, once per wake-up */
  gint64                   last_sweep;
  gint64                   last_usage_sweep;
  guint32                  random_state;

  /* Send and receive batches. */
  guint8                  *buffers;           /* TURN_BATCH * TURN_BUFFER_SIZE */
  struct mmsghdr           in_messages[TURN_BATCH];
  struct iovec             in_iov[TURN_BATCH];
  struct sockaddr_storage  in_addresses[TURN_BATCH];
  Outgoing                 out[TURN_BATCH];
  guint                    n_out;
  guint8                   response[2048];
  guint8                   scratch[TURN_HEADROOM + 65536 + 8];  /* internal delivery of TCP data */

  /* Shared with other threads. */
  KibitzTurnMetrics        metrics;           /* atomic */
  GMutex                   usage_lock;
  GHashTable              *usage;             /* id -> Usage* */
};

#define TURN_COUNT(server, field, n) \
  __atomic_add_fetch (&(server)->metrics.field, (guint64) (n), __ATOMIC_RELAXED)
#define TURN_UNCOUNT(server, field, n) \
  __atomic_sub_fetch (&(server)->metrics.field, (guint64) (n), __ATOMIC_RELAXED)

/* TRUE when @data points into the UDP receive buffers, which keep
 * TURN_HEADROOM bytes free before each datagram and 8 after it. */
static inline gboolean
turn_in_receive_buffers (const KibitzTurnServer *server,
                         const guint8           *data)
{
  return data >= server->buffers && data < server->buffers + TURN_BATCH * TURN_BUFFER_SIZE;
}

/* TRUE when @a and @b have the same family and IP address (ports aside). */
static inline gboolean
turn_same_ip (const KibitzStunAddress *a,
              const KibitzStunAddress *b)
{
  return a->family == b->family &&
         memcmp (a->addr, b->addr, a->family == KIBITZ_STUN_FAMILY_IPV4 ? 4 : 16) == 0;
}

/* TRUE for 0.0.0.0 and ::, the wildcard addresses. */
static inline gboolean
turn_address_is_unspecified (const KibitzStunAddress *address)
{
  static const guint8 zeros[16] = { 0 };

  return memcmp (address->addr, zeros, address->family == KIBITZ_STUN_FAMILY_IPV4 ? 4 : 16) == 0;
}

/* kibitz-turn-allocation.c */
Allocation *turn_allocation_find_udp      (KibitzTurnServer        *server,
                                           Listener                *listener,
                                           const KibitzStunAddress *client);
Allocation *turn_allocation_find_by_relay (KibitzTurnServer        *server,
                                           const KibitzStunAddress *relay);
Allocation *turn_allocation_new           (KibitzTurnServer        *server,
                                           Listener                *listener,
                                           TcpConnection           *connection,
                                           const KibitzStunAddress *client,
                                           guint8                   family,
                                           gboolean                 even_port,
                                           gboolean                 reserve_next,
                                           guint64                  reservation_token,
                                           int                     *error_code);
void        turn_allocation_free          (KibitzTurnServer        *server,
                                           Allocation              *allocation);
Permission *turn_allocation_find_permission (Allocation            *allocation,
                                             const KibitzStunAddress *peer,
                                             gint64                  now);
gboolean    turn_allocation_add_permission (KibitzTurnServer       *server,
                                            Allocation             *allocation,
                                            const KibitzStunAddress *peer,
                                            gboolean                self);
Channel    *turn_allocation_find_channel  (Allocation              *allocation,
                                           guint16                  number,
                                           gint64                   now);
Channel    *turn_allocation_find_channel_by_peer (Allocation       *allocation,
                                                  const KibitzStunAddress *peer,
                                                  gint64            now);
int         turn_allocation_bind_channel  (KibitzTurnServer        *server,
                                           Allocation              *allocation,
                                           guint16                  number,
                                           const KibitzStunAddress *peer);
void        turn_allocation_sweep         (KibitzTurnServer        *server);
gboolean    turn_quota_reached            (KibitzTurnServer        *server,
                                           Usage                   *usage,
                                           const char              *room_key,
                                           const KibitzStunAddress *client);
void        turn_allocation_attach        (KibitzTurnServer        *server,
                                           Allocation              *allocation,
                                           Usage                   *usage,
                                           const char              *room_key,
                                           const KibitzStunAddress *client);
void        turn_room_free                (gpointer                 data);
Usage      *turn_usage_get                (KibitzTurnServer        *server,
                                           const char              *id);
void        turn_reservations_clear       (KibitzTurnServer        *server);

/* kibitz-turn-handler.c */
void        turn_handle_stun              (KibitzTurnServer        *server,
                                           Listener                *listener,
                                           TcpConnection           *connection,
                                           const KibitzStunAddress *client,
                                           const guint8            *data,
                                           gsize                    length);

/* kibitz-turn-data.c */
void        turn_handle_send              (KibitzTurnServer        *server,
                                           Allocation              *allocation,
                                           const KibitzStunMessage *indication);
void        turn_handle_channel_data      (KibitzTurnServer        *server,
                                           Allocation              *allocation,
                                           const guint8            *data,
                                           gsize                    length,
                                           gboolean                 stream);
void        turn_relay_from_peer          (KibitzTurnServer        *server,
                                           Allocation              *allocation,
                                           const KibitzStunAddress *peer,
                                           guint8                  *payload,
                                           gsize                    length);

/* kibitz-turn-relay.c */
gpointer    turn_relay_thread             (gpointer                 data);
/* Hash, equality and counts of client IP addresses (ports aside), for
 * per_ip and per_address. */
guint       turn_ip_hash                  (gconstpointer            key);
gboolean    turn_ip_equal                 (gconstpointer            a,
                                           gconstpointer            b);
guint       turn_ip_count                 (GHashTable              *counts,
                                           const KibitzStunAddress *client);
void        turn_ip_count_change          (GHashTable              *counts,
                                           const KibitzStunAddress *client,
                                           int                      delta);
void        turn_connection_schedule_close (KibitzTurnServer       *server,
                                            TcpConnection          *connection);
void        turn_send_to_client           (KibitzTurnServer        *server,
                                           Listener                *listener,
                                           TcpConnection           *connection,
                                           const KibitzStunAddress *client,
                                           const guint8            *data,
                                           gsize                    length,
                                           gboolean                 batch);
void        turn_send_to_peer             (KibitzTurnServer        *server,
                                           Allocation              *allocation,
                                           const KibitzStunAddress *peer,
                                           const guint8            *data,
                                           gsize                    length);
void        turn_flush                    (KibitzTurnServer        *server);
void        turn_connection_close         (KibitzTurnServer        *server,
                                           TcpConnection           *connection);

G_END_DECLS
