/* kibitz-test-server.h: run a real kibitz-server and talk to it, for tests.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct {
  GSubprocess *process;
  char        *http;        /* "127.0.0.1:PORT" */
  char        *turn;        /* the turn-udp listener, or NULL */
  char        *scheme;      /* "http" or "https" */
  GStrv        lines;       /* every "listening ..." line */
} KibitzTestServer;

KibitzTestServer *kibitz_test_server_start   (const char * const *args);
KibitzTestServer *kibitz_test_server_start_limited (const char * const *args,
                                              guint               nofile);
void              kibitz_test_server_stop    (KibitzTestServer   *server);
void              kibitz_test_server_kill    (KibitzTestServer   *server);
void              kibitz_test_server_free    (KibitzTestServer   *server);
char             *kibitz_test_server_url     (KibitzTestServer   *server,
                                              const char         *path);
char             *kibitz_test_http_get       (const char         *url,
                                              guint              *status,
                                              SoupMessageHeaders **headers);
char             *kibitz_test_http_get_full  (const char         *url,
                                              const char * const *request_headers,
                                              guint              *status,
                                              SoupMessageHeaders **headers);
guint64           kibitz_test_metric         (KibitzTestServer   *server,
                                              const char         *name);

typedef struct {
  SoupWebsocketConnection *ws;
  GQueue                   received;   /* JsonObject * */
  gboolean                 closed;
  gushort                  close_code;
} KibitzTestClient;

KibitzTestClient *kibitz_test_client_connect (KibitzTestServer   *server);
KibitzTestClient *kibitz_test_client_connect_url (const char     *url,
                                              const char         *origin,
                                              GError            **error);
KibitzTestClient *kibitz_test_client_connect_full (const char     *url,
                                              const char         *origin,
                                              const char * const *request_headers,
                                              GError            **error);
void              kibitz_test_client_send    (KibitzTestClient   *client,
                                              const char         *format,
                                              ...) G_GNUC_PRINTF (2, 3);
JsonObject       *kibitz_test_client_wait    (KibitzTestClient   *client,
                                              const char         *type,
                                              guint               timeout_ms);
JsonObject       *kibitz_test_client_join    (KibitzTestClient   *client,
                                              const char         *room,
                                              const char         *name,
                                              const char         *resume);
gboolean          kibitz_test_client_wait_closed (KibitzTestClient *client,
                                              guint               timeout_ms);
void              kibitz_test_client_assert_no (KibitzTestClient *client,
                                              const char         *type,
                                              guint               ms);
void              kibitz_test_client_free    (KibitzTestClient   *client);
void              kibitz_test_expect_error   (KibitzTestClient   *client,
                                              const char         *code);

char             *kibitz_test_run            (const char * const *argv);
void              kibitz_test_spin           (guint               ms);
gboolean          kibitz_test_spin_until     (gboolean          (*predicate) (gpointer),
                                              gpointer            data,
                                              guint               timeout_ms);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KibitzTestServer, kibitz_test_server_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KibitzTestClient, kibitz_test_client_free)

G_END_DECLS
