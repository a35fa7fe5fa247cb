/* kibitz-signaling-server-private.h: what kibitz-signaling-server.c (the
 * WebSocket side, listening, the room transport) shares with
 * kibitz-signaling-http.c (the plain HTTP endpoints). Include from these two
 * files only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

#include "kibitz-class-scope.h"
#include "kibitz-forwarded.h"
#include "kibitz-http-listener.h"
#include "kibitz-ice-config.h"
#include "kibitz-rooms.h"
#include "kibitz-signaling-server.h"
#include "kibitz-ws-conn.h"

G_BEGIN_DECLS

typedef struct {
  KibitzSignalingServer   *server;
  KibitzWsConn            *ws;
  KibitzRoomsClient       *client;
  char                    *address;
  gpointer                 http;      /* the listener's count of it */
} Connection;

typedef struct {
  KibitzMetricsFunc func;
  gpointer          user_data;
} MetricsSource;

struct _KibitzSignalingServer {
  GObject              parent_instance;

  KibitzServerConfig  *config;
  SoupServer          *soup;
  KibitzHttpListener  *http;                /* owns the listening socket */
  GTlsCertificate     *tls;                 /* --tls-cert, or NULL */
  KibitzRooms         *rooms;
  KibitzIceConfig      ice;
  char                *scheme;              /* "http" or "https" */
  GPtrArray           *listening;           /* "http 127.0.0.1:8080" */
  char                *published_host_port; /* for /v1/config URLs, or NULL */
  char                *public_signaling_url; /* from --public-url, or NULL */
  KibitzForwarded     *forwarded;           /* --trusted-proxy */
  KibitzWsLoop        *ws_loop;             /* every WebSocket after the upgrade */
  GHashTable          *connections;         /* Connection * set */
  GHashTable          *per_address;         /* address -> count */
  GArray              *metrics;             /* MetricsSource */
  guint                tick_id;
  guint64              refused_connections;
  char                *revoked_path;        /* the state directory's revoked teacher tokens */
  KibitzClassScope    *scope;               /* who is in which class, for the relay */
  gint64               revoked_mtime;
};

/* A response with a text body. */
void      kibitz_signaling_set_text           (SoupServerMessage     *msg,
                                               guint                  status,
                                               const char            *content_type,
                                               const char            *text);
/* The request came straight from a proxy we were told to believe. */
gboolean  kibitz_signaling_from_trusted_proxy (KibitzSignalingServer *self,
                                               SoupServerMessage     *msg);
/* Who asked: the TCP peer, or behind a trusted proxy its X-Forwarded-For. */
char     *kibitz_signaling_client_address (KibitzSignalingServer *self,
                                           SoupServerMessage     *msg);
/* The first value of a forwarding header, or NULL. */
char     *kibitz_signaling_forwarded_value    (SoupServerMessage     *msg,
                                               const char            *name);

/* kibitz-signaling-http.c: /v1/config, /metrics, /healthz, /j/..., and a
 * "not found" for everything else. */
void      kibitz_signaling_http_add_handlers  (KibitzSignalingServer *self);

G_END_DECLS
