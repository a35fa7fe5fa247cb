/* kibitz-turn-server.h: the built-in STUN/TURN relay (RFC 8489, RFC 8656).
 *
 * STUN Binding and TURN over UDP and TCP on one port, plus optional extra TCP
 * listeners. Everything (control and relayed data) runs on one thread of its
 * own with epoll and recvmmsg/sendmmsg; the caller's main loop is never
 * touched. Credentials follow the TURN REST API scheme of /v1/config.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "kibitz-stun-message.h"

G_BEGIN_DECLS

#define KIBITZ_TURN_SERVER_ERROR (kibitz_turn_server_error_quark ())

typedef enum {
  KIBITZ_TURN_SERVER_ERROR_INVALID,
  KIBITZ_TURN_SERVER_ERROR_BIND,
  KIBITZ_TURN_SERVER_ERROR_STATE,
} KibitzTurnServerError;

/* Who may relay to whom beyond the deny list: the room scope of
 * protocol.md §4, kept by the signaling side. Called on the relay thread
 * (thread-safe, and quick: at authentication and CreatePermission/ChannelBind,
 * never per packet). @id is the username's id part (a peer id). */
typedef struct {
  /* FALSE: @id's credentials no longer work (removed, its class ended, or
   * never in a class). Answered with 401. */
  gboolean (*id_allowed)   (const char              *id,
                            gpointer                 user_data);
  /* TRUE if @peer belongs to @id's class: a member's signaling address, or
   * (when @owner is not NULL) the relay address of an allocation of this
   * server made with @owner's credentials. Else 403. */
  gboolean (*peer_allowed) (const char              *id,
                            const KibitzStunAddress *peer,
                            const char              *owner,
                            gpointer                 user_data);
  /* TRUE: @id was removed or its class ended, so its allocations end now
   * rather than at their next refresh (asked once a second per allocation;
   * NULL: never). */
  gboolean (*id_voided)    (const char              *id,
                            gpointer                 user_data);
  /* @id's room (newly allocated), or NULL: for the per-room quota and the
   * per-room bytes; one string per room (Kibitz gives its display name). */
  char    *(*room_of)      (const char              *id,
                            gpointer                 user_data);
  gpointer   user_data;
} KibitzTurnScope;

/* Every string is copied by kibitz_turn_server_new(); NULL or 0 means the
 * default given beside it. */
typedef struct {
  const char        *listen_host;      /* "127.0.0.1", "::", "0.0.0.0" ... ("0.0.0.0") */
  guint16            listen_port;      /* UDP and TCP; 0 picks a free port (the caller
                                          passes 3478 for the default) */
  const char * const *extra_tcp;       /* "HOST:PORT" extra TCP listeners, NULL-terminated */
  const char        *secret;           /* the REST API shared secret (required) */
  const char        *realm;            /* ("kibitz") */
  const char * const *relay_ips;       /* at most one per family (the listen address) */
  const char        *external_ip;      /* advertised instead of the relay address (NAT) */
  guint16            relay_port_min;   /* (49152) */
  guint16            relay_port_max;   /* (65535) */
  guint              user_quota;       /* allocations per username id (64) */
  guint              room_quota;       /* allocations of one room's ids together, when
                                          the scope knows rooms (1280) */
  guint              address_quota;    /* allocations from one client address,
                                          IPv6 by /64 (2560) */
  guint              total_quota;      /* allocations in all (10000) */
  guint              usage_keep;       /* seconds an id without allocations keeps its
                                          own byte record before it goes to the
                                          room's total (300) */
  guint              default_lifetime; /* seconds (600) */
  guint              max_lifetime;     /* seconds (3600) */
  guint              nonce_lifetime;   /* seconds before a nonce goes stale (600) */
  const char * const *allow_peers;     /* CIDRs relayed to despite the deny list */
  const KibitzTurnScope *scope;        /* NULL: anyone the deny list allows (copied) */
} KibitzTurnConfig;

/* Counters since the server started; "current" ones are gauges. */
typedef struct {
  guint64 allocations;          /* current */
  guint64 allocations_total;
  guint64 permissions;          /* current */
  guint64 channels;             /* current */
  guint64 packets_to_peers;
  guint64 bytes_to_peers;       /* payload bytes */
  guint64 packets_from_peers;
  guint64 bytes_from_peers;
  guint64 internal_packets;     /* of packets_to_peers: to another allocation of this
                                   server, handed over without a socket (each is also
                                   in packets_from_peers when that allocation takes it) */
  guint64 binding_requests;
  guint64 auth_failures;        /* 401 to bad credentials (not the first challenge), 441 */
  guint64 stale_nonces;         /* 438 answers */
  guint64 denied_peers;         /* 403 answers */
  guint64 quota_rejections;     /* 486 answers */
  guint64 tcp_connections;      /* current */
  guint64 tcp_refused;          /* closed at accept: per-address limit, out of descriptors */
  guint64 tcp_cut;              /* closed for a frame not finished in time or to make room */
  guint64 usage_records;        /* current: per-id byte records, until they retire */
} KibitzTurnMetrics;

/* Called for each username id (the part after "expiry:"; the peer id of the
 * credentials in welcome) with the payload bytes relayed for it so far. */
typedef void (*KibitzTurnUsageFunc) (const char *id,
                                     guint64     bytes_to_peers,
                                     guint64     bytes_from_peers,
                                     gpointer    user_data);

typedef struct _KibitzTurnServer KibitzTurnServer;

GQuark            kibitz_turn_server_error_quark  (void);

KibitzTurnServer *kibitz_turn_server_new          (const KibitzTurnConfig  *config,
                                                   GError                 **error);
gboolean          kibitz_turn_server_start        (KibitzTurnServer        *self,
                                                   GError                 **error);
void              kibitz_turn_server_stop         (KibitzTurnServer        *self);
void              kibitz_turn_server_free         (KibitzTurnServer        *self);

/* "ADDR:PORT" (IPv6 in brackets) of what is bound, valid after _new(). */
char  *kibitz_turn_server_get_udp_address         (KibitzTurnServer *self) G_GNUC_WARN_UNUSED_RESULT;
char  *kibitz_turn_server_get_tcp_address         (KibitzTurnServer *self) G_GNUC_WARN_UNUSED_RESULT;
GStrv  kibitz_turn_server_get_extra_tcp_addresses (KibitzTurnServer *self) G_GNUC_WARN_UNUSED_RESULT;
guint16           kibitz_turn_server_get_port     (KibitzTurnServer        *self);

/* Thread-safe: the relay thread keeps counting while these read. */
void              kibitz_turn_server_get_metrics  (KibitzTurnServer        *self,
                                                   KibitzTurnMetrics       *metrics);
void              kibitz_turn_server_foreach_usage (KibitzTurnServer       *self,
                                                    KibitzTurnUsageFunc     func,
                                                    gpointer                user_data);
/* Relayed bytes per room key (the scope's room_of), ids still recorded and
 * retired ones together: a room is there while it has allocations or
 * records, and for 12 x usage_keep after. */
void              kibitz_turn_server_foreach_room  (KibitzTurnServer       *self,
                                                    KibitzTurnUsageFunc     func,
                                                    gpointer                user_data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KibitzTurnServer, kibitz_turn_server_free)

G_END_DECLS
