/* kibitz-http-listener.h: the HTTP/WebSocket listening socket, owned here
 * rather than by libsoup, so that running out of descriptors, slow clients and
 * floods from one address cannot stop the server (issue 16).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

#include "kibitz-forwarded.h"

G_BEGIN_DECLS

typedef struct {
  guint max_connections;  /* open at once, WebSockets included */
  guint reserve;          /* the last ones, kept for connections that became WebSockets */
  guint max_per_address;  /* from one address (trusted proxies exempt) */
  guint request_timeout;  /* seconds a connection may take to send and be answered */
} KibitzHttpLimits;

typedef struct _KibitzHttpListener KibitzHttpListener;

KibitzHttpListener *kibitz_http_listener_new       (SoupServer              *soup,
                                                    const KibitzHttpLimits  *limits,
                                                    GTlsCertificate         *tls,
                                                    KibitzForwarded         *trusted);
void                kibitz_http_listener_free      (KibitzHttpListener      *self);
gboolean            kibitz_http_listener_listen    (KibitzHttpListener      *self,
                                                    GSocketAddress          *address,
                                                    int                      backlog,
                                                    GError                 **error);
/* The bound address of each listening socket. */
GList              *kibitz_http_listener_addresses (KibitzHttpListener      *self);
/* @stream, stolen from libsoup, became a WebSocket: no deadline from now on,
 * counted until kibitz_http_listener_closed() with the handle returned. */
gpointer            kibitz_http_listener_upgraded  (KibitzHttpListener      *self,
                                                    GIOStream               *stream);
void                kibitz_http_listener_closed    (KibitzHttpListener      *self,
                                                    gpointer                 handle);
void                kibitz_http_listener_metrics   (KibitzHttpListener      *self,
                                                    GString                 *out);

/* Adds @delta to @address's count in @counts (address -> guint, keys owned),
 * dropping it at 0. */
void                kibitz_address_count_change    (GHashTable              *counts,
                                                    const char              *address,
                                                    int                      delta);

/* Raises the soft descriptor limit to the hard one; returns the limit now in force. */
guint               kibitz_raise_descriptor_limit  (void);

G_END_DECLS
