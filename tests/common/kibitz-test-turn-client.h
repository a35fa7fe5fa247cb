/* kibitz-test-turn-client.h: a small blocking TURN client made of the codec,
 * for the relay's tests. Every wait is bounded; every failure is a test
 * assertion.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "kibitz-stun-message.h"

G_BEGIN_DECLS

/* How long a test waits for an answer or a relayed packet. */
#define KIBITZ_TEST_TURN_TIMEOUT_MS 2000

typedef struct {
  int               fd;
  gboolean          tcp;
  KibitzStunAddress local;
  guint8            buffer[70000];
  gsize             buffered;      /* TCP: bytes read but not consumed */
  gsize             frame_length;  /* length of the last frame returned */
  KibitzStunMessage message;       /* the last response */
  char             *username;
  char             *password;
  char              realm[256];
  char              nonce[256];
  guint8            key[16];
} KibitzTestTurnClient;

KibitzStunAddress     kibitz_test_address                     (const char              *ip,
                                                               guint16                  port);

/* A client of the relay under test, over UDP or TCP to 127.0.0.1. */
KibitzTestTurnClient *kibitz_test_turn_client_new             (gboolean                 tcp,
                                                               guint16                  port);
KibitzTestTurnClient *kibitz_test_turn_client_new_from        (gboolean                 tcp,
                                                               guint16                  port,
                                                               const char              *local_ip);
void                  kibitz_test_turn_client_free            (KibitzTestTurnClient    *client);
void                  kibitz_test_turn_client_set_credentials (KibitzTestTurnClient    *client,
                                                               const char              *secret,
                                                               gint64                   expiry,
                                                               const char              *id);
void                  kibitz_test_turn_client_send            (KibitzTestTurnClient    *client,
                                                               const guint8            *data,
                                                               gsize                    length);
const guint8         *kibitz_test_turn_client_receive         (KibitzTestTurnClient    *client,
                                                               int                      timeout_ms);
KibitzStunMessage    *kibitz_test_turn_client_transact        (KibitzTestTurnClient    *client,
                                                               KibitzStunWriter        *writer);

/* Requests: begin, sign, send with kibitz_test_turn_client_transact(). */
void                  kibitz_test_turn_begin                  (KibitzStunWriter        *writer,
                                                               guint8                  *buffer,
                                                               gsize                    capacity,
                                                               guint16                  method,
                                                               KibitzStunClass          klass);
void                  kibitz_test_turn_client_sign            (KibitzTestTurnClient    *client,
                                                               KibitzStunWriter        *writer);
int                   kibitz_test_turn_error_code             (const KibitzStunMessage *message);
void                  kibitz_test_turn_client_learn_nonce     (KibitzTestTurnClient    *client,
                                                               const KibitzStunMessage *message);

/* Higher-level steps shared by the tests. */
gint64                kibitz_test_turn_in_an_hour             (void);
KibitzStunMessage    *kibitz_test_turn_allocate_with_family   (KibitzTestTurnClient    *client,
                                                               guint8                   family);
KibitzStunMessage    *kibitz_test_turn_allocate               (KibitzTestTurnClient    *client);
void                  kibitz_test_turn_assert_allocated       (KibitzTestTurnClient    *client,
                                                               KibitzStunMessage       *answer,
                                                               KibitzStunAddress       *relayed);
int                   kibitz_test_turn_create_permission      (KibitzTestTurnClient    *client,
                                                               const KibitzStunAddress *peer);
int                   kibitz_test_turn_channel_bind           (KibitzTestTurnClient    *client,
                                                               guint16                  channel,
                                                               const KibitzStunAddress *peer);

/* A peer: a plain UDP socket on 127.0.0.1. */
int                   kibitz_test_udp_socket                  (KibitzStunAddress       *bound);
gssize                kibitz_test_udp_receive                 (int                      fd,
                                                               guint8                  *buffer,
                                                               gsize                    capacity,
                                                               KibitzStunAddress       *from,
                                                               int                      timeout_ms);
void                  kibitz_test_udp_send                    (int                      fd,
                                                               const KibitzStunAddress *to,
                                                               const void              *data,
                                                               gsize                    length);

/* Data between a client and its peers. */
void                  kibitz_test_turn_send_indication        (KibitzTestTurnClient    *client,
                                                               const KibitzStunAddress *peer,
                                                               const char              *text);
void                  kibitz_test_turn_expect_data_indication (KibitzTestTurnClient    *client,
                                                               const KibitzStunAddress *peer,
                                                               const char              *text);
void                  kibitz_test_turn_expect_channel_data    (KibitzTestTurnClient    *client,
                                                               guint16                  channel,
                                                               const char              *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KibitzTestTurnClient, kibitz_test_turn_client_free)

G_END_DECLS
