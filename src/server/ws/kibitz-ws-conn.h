/* kibitz-ws-conn.h: the signaling WebSockets after the HTTP upgrade.
 *
 * libsoup answers the upgrade; then a KibitzWsConn takes the socket over. All
 * of them share one epoll file descriptor, which sits in the GMainContext as a
 * single source: a wake-up costs what is ready, not one poll entry and one
 * GSource per connection. A plain TCP connection keeps only its file
 * descriptor (no GIO objects); a TLS one keeps its GTlsConnection.
 *
 * Callbacks come from the main context. Nothing is freed under a caller: a
 * connection whose socket is gone is reported through `closed` at the end of
 * the current dispatch, and only then freed with kibitz_ws_conn_free().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _KibitzWsLoop KibitzWsLoop;
typedef struct _KibitzWsConn KibitzWsConn;

typedef struct {
  /* A whole text or binary message. */
  void (*message) (KibitzWsConn *conn,
                   gboolean      text,
                   const char   *data,
                   gsize         length,
                   gpointer      user_data);
  /* The client broke RFC 6455 or the size limit (KIBITZ_WS_ERROR, whose code
   * is the close code): the connection reads no more. The callback closes it
   * with kibitz_ws_conn_close(), after saying why if it wants.
   */
  void (*failed)  (KibitzWsConn *conn,
                   const GError *error,
                   gpointer      user_data);
  /* The socket is gone: free @conn with kibitz_ws_conn_free(). */
  void (*closed)  (KibitzWsConn *conn,
                   gpointer      user_data);
} KibitzWsCallbacks;

KibitzWsLoop *kibitz_ws_loop_new         (const KibitzWsCallbacks *callbacks,
                                          GError                 **error);
void          kibitz_ws_loop_free        (KibitzWsLoop            *loop);
/* Bytes waiting in every socket's queue for clients slower than the server. */
gsize         kibitz_ws_loop_queued      (KibitzWsLoop            *loop);

/* The socket under a stream libsoup handed over (through its own wrapper and
 * TLS), or NULL. */
GSocket      *kibitz_ws_stream_socket    (GIOStream               *stream);
KibitzWsConn *kibitz_ws_conn_new         (KibitzWsLoop            *loop,
                                          GIOStream               *stream,
                                          guint64                  max_message_size,
                                          gpointer                 user_data,
                                          GError                 **error);
void          kibitz_ws_conn_start       (KibitzWsConn            *conn);
void          kibitz_ws_conn_free        (KibitzWsConn            *conn);

gboolean      kibitz_ws_conn_is_open     (KibitzWsConn            *conn);
void          kibitz_ws_conn_send_text   (KibitzWsConn            *conn,
                                          const char              *text,
                                          gsize                    length);
void          kibitz_ws_conn_close       (KibitzWsConn            *conn,
                                          gushort                  code,
                                          const char              *reason);
gint64        kibitz_ws_conn_last_seen   (KibitzWsConn            *conn);
void          kibitz_ws_conn_tick        (KibitzWsConn            *conn,
                                          gint64                   now,
                                          gint64                   ping_interval);

G_END_DECLS
