/* kibitz-test-turn-client.c: a small blocking TURN client made of the codec,
 * for the relay's tests. Every wait is bounded.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "kibitz-stun-auth.h"
#include "kibitz-test-turn-client.h"
#include "kibitz-turn-credentials.h"

KibitzStunAddress
kibitz_test_address (const char *ip,
                     guint16     port)
{
  KibitzStunAddress address = { 0 };

  if (inet_pton (AF_INET, ip, address.addr) == 1)
    address.family = KIBITZ_STUN_FAMILY_IPV4;
  else if (inet_pton (AF_INET6, ip, address.addr) == 1)
    address.family = KIBITZ_STUN_FAMILY_IPV6;
  else
    g_error ("bad test address %s", ip);
  address.port = port;
  return address;
}

KibitzTestTurnClient *
kibitz_test_turn_client_new (gboolean tcp,
                             guint16  port)
{
  return kibitz_test_turn_client_new_from (tcp, port, NULL);
}

/* From @local_ip (another loopback address, such as 127.0.0.2), or NULL. */
KibitzTestTurnClient *
kibitz_test_turn_client_new_from (gboolean    tcp,
                                  guint16     port,
                                  const char *local_ip)
{
  KibitzTestTurnClient *client = g_new0 (KibitzTestTurnClient, 1);
  KibitzStunAddress server = kibitz_test_address ("127.0.0.1", port);
  struct sockaddr_storage storage;
  socklen_t length;

  client->tcp = tcp;
  client->fd = socket (AF_INET, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
  g_assert_cmpint (client->fd, >=, 0);
  if (local_ip != NULL)
    {
      KibitzStunAddress local = kibitz_test_address (local_ip, 0);

      length = kibitz_stun_address_to_sockaddr (&local, &storage);
      g_assert_cmpint (bind (client->fd, (struct sockaddr *) &storage, length), ==, 0);
    }
  length = kibitz_stun_address_to_sockaddr (&server, &storage);
  g_assert_cmpint (connect (client->fd, (struct sockaddr *) &storage, length), ==, 0);

  length = sizeof storage;
  getsockname (client->fd, (struct sockaddr *) &storage, &length);
  kibitz_stun_address_from_sockaddr (&client->local, (struct sockaddr *) &storage, length);
  return client;
}

void
kibitz_test_turn_client_free (KibitzTestTurnClient *client)
{
  close (client->fd);
  g_free (client->username);
  g_free (client->password);
  g_free (client);
}

void
kibitz_test_turn_client_set_credentials (KibitzTestTurnClient *client,
                                         const char           *secret,
                                         gint64                expiry,
                                         const char           *id)
{
  g_free (client->username);
  g_free (client->password);
  client->username = kibitz_turn_username (expiry, id);
  client->password = kibitz_turn_password (secret, client->username);
}

void
kibitz_test_turn_client_send (KibitzTestTurnClient *client,
                              const guint8         *data,
                              gsize                 length)
{
  g_assert_cmpint (send (client->fd, data, length, 0), ==, (gssize) length);
}

/* Returns the next datagram or TCP frame, or NULL after the timeout. */
const guint8 *
kibitz_test_turn_client_receive (KibitzTestTurnClient *client,
                                 int                   timeout_ms)
{
  struct pollfd pfd = { .fd = client->fd, .events = POLLIN };
  gint64 deadline = g_get_monotonic_time () + timeout_ms * 1000;

  if (client->tcp && client->frame_length > 0)
    {
      memmove (client->buffer, client->buffer + client->frame_length,
               client->buffered - client->frame_length);
      client->buffered -= client->frame_length;
      client->frame_length = 0;
    }

  for (;;)
    {
      gint64 left = (deadline - g_get_monotonic_time ()) / 1000;
      gssize n;

      if (client->tcp)
        {
          gsize frame_length = 0;
          KibitzStunFrameKind kind = kibitz_stun_frame_peek (client->buffer, client->buffered,
                                                             TRUE, &frame_length);

          g_assert_cmpint (kind, !=, KIBITZ_STUN_FRAME_INVALID);
          if (kind != KIBITZ_STUN_FRAME_NEED_MORE)
            {
              client->frame_length = frame_length;
              return client->buffer;
            }
        }

      if (left <= 0 || poll (&pfd, 1, left) <= 0)
        return NULL;

      n = recv (client->fd, client->buffer + client->buffered,
                sizeof client->buffer - client->buffered, 0);
      if (n <= 0)
        return NULL;
      if (!client->tcp)
        {
          client->frame_length = n;
          return client->buffer;
        }
      client->buffered += n;
    }
}

/* Sends a request and waits for the response with the same transaction id. */
KibitzStunMessage *
kibitz_test_turn_client_transact (KibitzTestTurnClient *client,
                                  KibitzStunWriter     *writer)
{
  gsize length = kibitz_stun_writer_finish (writer);
  guint8 transaction_id[KIBITZ_STUN_TRANSACTION_ID_SIZE];
  int attempts;

  g_assert_cmpuint (length, >, 0);
  memcpy (transaction_id, writer->buffer + 8, sizeof transaction_id);
  kibitz_test_turn_client_send (client, writer->buffer, length);

  for (attempts = 0; attempts < 100; attempts++)
    {
      const guint8 *data = kibitz_test_turn_client_receive (client, KIBITZ_TEST_TURN_TIMEOUT_MS);

      g_assert_nonnull (data);
      if (kibitz_stun_message_parse (&client->message, data, client->frame_length) ==
          KIBITZ_STUN_PARSE_OK &&
          memcmp (client->message.transaction_id, transaction_id, sizeof transaction_id) == 0)
        return &client->message;
    }
  g_assert_not_reached ();
}

void
kibitz_test_turn_begin (KibitzStunWriter *writer,
                        guint8           *buffer,
                        gsize             capacity,
                        guint16           method,
                        KibitzStunClass   klass)
{
  guint8 transaction_id[KIBITZ_STUN_TRANSACTION_ID_SIZE];
  gsize i;

  for (i = 0; i < sizeof transaction_id; i++)
    transaction_id[i] = g_random_int ();
  kibitz_stun_writer_init (writer, buffer, capacity, method, klass, transaction_id);
}

/* Adds the long-term credentials and signs. */
void
kibitz_test_turn_client_sign (KibitzTestTurnClient *client,
                              KibitzStunWriter     *writer)
{
  kibitz_stun_writer_add_text (writer, KIBITZ_STUN_ATTR_USERNAME, client->username);
  kibitz_stun_writer_add_text (writer, KIBITZ_STUN_ATTR_REALM, client->realm);
  kibitz_stun_writer_add_text (writer, KIBITZ_STUN_ATTR_NONCE, client->nonce);
  kibitz_stun_long_term_key (client->username, strlen (client->username),
                             client->realm, strlen (client->realm),
                             client->password, strlen (client->password), client->key);
  kibitz_stun_writer_add_integrity (writer, client->key, sizeof client->key);
  kibitz_stun_writer_add_fingerprint (writer);
}

int
kibitz_test_turn_error_code (const KibitzStunMessage *message)
{
  int code = 0;

  if (message->klass != KIBITZ_STUN_CLASS_ERROR)
    return 0;
  g_assert_true (kibitz_stun_message_get_error_code (message, &code, NULL, NULL));
  return code;
}

/* Takes REALM and NONCE from a 401 or 438 answer. */
void
kibitz_test_turn_client_learn_nonce (KibitzTestTurnClient    *client,
                                     const KibitzStunMessage *message)
{
  const char *text;
  gsize length;

  g_assert_true (kibitz_stun_message_get_text (message, KIBITZ_STUN_ATTR_REALM, &text, &length));
  g_assert_cmpuint (length, <, sizeof client->realm);
  memcpy (client->realm, text, length);
  client->realm[length] = '\0';
  g_assert_true (kibitz_stun_message_get_text (message, KIBITZ_STUN_ATTR_NONCE, &text, &length));
  g_assert_cmpuint (length, <, sizeof client->nonce);
  memcpy (client->nonce, text, length);
  client->nonce[length] = '\0';
}

/* Higher-level steps shared by the tests. */

gint64
kibitz_test_turn_in_an_hour (void)
{
  return g_get_real_time () / G_USEC_PER_SEC + 3600;
}

/* Allocate, answering the first 401 as a real client does. Returns the final
 * answer (success or error). */
KibitzStunMessage *
kibitz_test_turn_allocate_with_family (KibitzTestTurnClient *client,
                                       guint8                family)
{
  KibitzStunMessage *answer;
  KibitzStunWriter writer;
  guint8 buffer[512];

  kibitz_test_turn_begin (&writer, buffer, sizeof buffer, KIBITZ_STUN_METHOD_ALLOCATE,
                     KIBITZ_STUN_CLASS_REQUEST);
  kibitz_stun_writer_add_requested_transport (&writer, 17);
  answer = kibitz_test_turn_client_transact (client, &writer);
  g_assert_cmpint (kibitz_test_turn_error_code (answer), ==, 401);
  g_assert_false (kibitz_stun_message_has (answer, KIBITZ_STUN_ATTR_MESSAGE_INTEGRITY));
  kibitz_test_turn_client_learn_nonce (client, answer);

  kibitz_test_turn_begin (&writer, buffer, sizeof buffer, KIBITZ_STUN_METHOD_ALLOCATE,
                     KIBITZ_STUN_CLASS_REQUEST);
  kibitz_stun_writer_add_requested_transport (&writer, 17);
  if (family != 0)
    kibitz_stun_writer_add_requested_family (&writer, family);
  kibitz_stun_writer_add (&writer, KIBITZ_STUN_ATTR_DONT_FRAGMENT, NULL, 0);
  kibitz_test_turn_client_sign (client, &writer);
  return kibitz_test_turn_client_transact (client, &writer);
}

KibitzStunMessage *
kibitz_test_turn_allocate (KibitzTestTurnClient *client)
{
  return kibitz_test_turn_allocate_with_family (client, 0);
}

void
kibitz_test_turn_assert_allocated (KibitzTestTurnClient *client,
                                   KibitzStunMessage    *answer,
                                   KibitzStunAddress    *relayed)
{
  KibitzStunAddress mapped;
  guint32 lifetime = 0;

  g_assert_cmpint (kibitz_test_turn_error_code (answer), ==, 0);
  g_assert_cmpuint (answer->klass, ==, KIBITZ_STUN_CLASS_SUCCESS);
  g_assert_true (kibitz_stun_message_check_integrity (answer, client->key, sizeof client->key));
  g_assert_true (kibitz_stun_message_get_xor_address (answer, KIBITZ_STUN_ATTR_XOR_RELAYED_ADDRESS,
                                                      relayed));
  g_assert_true (kibitz_stun_message_get_xor_address (answer, KIBITZ_STUN_ATTR_XOR_MAPPED_ADDRESS,
                                                      &mapped));
  g_assert_true (kibitz_stun_address_equal (&mapped, &client->local));
  g_assert_true (kibitz_stun_message_get_uint32 (answer, KIBITZ_STUN_ATTR_LIFETIME, &lifetime));
  g_assert_cmpuint (lifetime, ==, 600);
  g_assert_cmpuint (relayed->port, >=, 49152);
}

static int
peer_request (KibitzTestTurnClient    *client,
              guint16                  method,
              const KibitzStunAddress *peer,
              guint16                  channel)
{
  KibitzStunMessage *answer;
  KibitzStunWriter writer;
  guint8 buffer[512];

  kibitz_test_turn_begin (&writer, buffer, sizeof buffer, method, KIBITZ_STUN_CLASS_REQUEST);
  if (channel != 0)
    kibitz_stun_writer_add_channel_number (&writer, channel);
  kibitz_stun_writer_add_xor_address (&writer, KIBITZ_STUN_ATTR_XOR_PEER_ADDRESS, peer);
  kibitz_test_turn_client_sign (client, &writer);
  answer = kibitz_test_turn_client_transact (client, &writer);
  if (answer->klass == KIBITZ_STUN_CLASS_SUCCESS)
    g_assert_true (kibitz_stun_message_check_integrity (answer, client->key, sizeof client->key));
  return kibitz_test_turn_error_code (answer);
}

int
kibitz_test_turn_create_permission (KibitzTestTurnClient    *client,
                                    const KibitzStunAddress *peer)
{
  return peer_request (client, KIBITZ_STUN_METHOD_CREATE_PERMISSION, peer, 0);
}

int
kibitz_test_turn_channel_bind (KibitzTestTurnClient    *client,
                               guint16                  channel,
                               const KibitzStunAddress *peer)
{
  return peer_request (client, KIBITZ_STUN_METHOD_CHANNEL_BIND, peer, channel);
}

int
kibitz_test_udp_socket (KibitzStunAddress *bound)
{
  KibitzStunAddress address = kibitz_test_address ("127.0.0.1", 0);
  struct sockaddr_storage storage;
  socklen_t length = kibitz_stun_address_to_sockaddr (&address, &storage);
  int fd = socket (AF_INET, SOCK_DGRAM, 0);

  g_assert_cmpint (bind (fd, (struct sockaddr *) &storage, length), ==, 0);
  length = sizeof storage;
  getsockname (fd, (struct sockaddr *) &storage, &length);
  kibitz_stun_address_from_sockaddr (bound, (struct sockaddr *) &storage, length);
  return fd;
}

gssize
kibitz_test_udp_receive (int                fd,
                         guint8            *buffer,
                         gsize              capacity,
                         KibitzStunAddress *from,
                         int                timeout_ms)
{
  struct pollfd pfd = { .fd = fd, .events = POLLIN };
  struct sockaddr_storage storage;
  socklen_t length = sizeof storage;
  gssize n;

  if (poll (&pfd, 1, timeout_ms) <= 0)
    return -1;
  n = recvfrom (fd, buffer, capacity, 0, (struct sockaddr *) &storage, &length);
  if (from != NULL)
    kibitz_stun_address_from_sockaddr (from, (struct sockaddr *) &storage, length);
  return n;
}

void
kibitz_test_udp_send (int                      fd,
                      const KibitzStunAddress *to,
                      const void              *data,
                      gsize                    length)
{
  struct sockaddr_storage storage;
  socklen_t storage_length = kibitz_stun_address_to_sockaddr (to, &storage);

  g_assert_cmpint (sendto (fd, data, length, 0, (struct sockaddr *) &storage, storage_length),
                   ==, (gssize) length);
}

void
kibitz_test_turn_send_indication (KibitzTestTurnClient    *client,
                                  const KibitzStunAddress *peer,
                                  const char              *text)
{
  KibitzStunWriter writer;
  guint8 buffer[512];

  kibitz_test_turn_begin (&writer, buffer, sizeof buffer, KIBITZ_STUN_METHOD_SEND,
                     KIBITZ_STUN_CLASS_INDICATION);
  kibitz_stun_writer_add_xor_address (&writer, KIBITZ_STUN_ATTR_XOR_PEER_ADDRESS, peer);
  kibitz_stun_writer_add (&writer, KIBITZ_STUN_ATTR_DATA, text, strlen (text));
  kibitz_test_turn_client_send (client, buffer, kibitz_stun_writer_finish (&writer));
}

/* Waits for a Data indication and checks its peer and payload. */
void
kibitz_test_turn_expect_data_indication (KibitzTestTurnClient    *client,
                                         const KibitzStunAddress *peer,
                                         const char              *text)
{
  const guint8 *frame = kibitz_test_turn_client_receive (client, KIBITZ_TEST_TURN_TIMEOUT_MS);
  KibitzStunMessage message;
  KibitzStunAddress from;
  const guint8 *data;
  gsize length;

  g_assert_nonnull (frame);
  g_assert_cmpint (kibitz_stun_message_parse (&message, frame, client->frame_length),
                   ==, KIBITZ_STUN_PARSE_OK);
  g_assert_cmpuint (message.method, ==, KIBITZ_STUN_METHOD_DATA);
  g_assert_cmpuint (message.klass, ==, KIBITZ_STUN_CLASS_INDICATION);
  g_assert_true (kibitz_stun_message_get_xor_address (&message, KIBITZ_STUN_ATTR_XOR_PEER_ADDRESS,
                                                      &from));
  g_assert_true (kibitz_stun_address_equal (&from, peer));
  g_assert_true (kibitz_stun_message_get_bytes (&message, KIBITZ_STUN_ATTR_DATA, &data, &length));
  g_assert_cmpmem (data, length, text, strlen (text));
}

void
kibitz_test_turn_expect_channel_data (KibitzTestTurnClient *client,
                                      guint16               channel,
                                      const char           *text)
{
  const guint8 *frame = kibitz_test_turn_client_receive (client, KIBITZ_TEST_TURN_TIMEOUT_MS);
  const guint8 *payload;
  guint16 number = 0;
  gsize length;

  g_assert_nonnull (frame);
  g_assert_true (kibitz_stun_channel_data_parse (frame, client->frame_length, client->tcp,
                                                 &number, &payload, &length));
  g_assert_cmphex (number, ==, channel);
  g_assert_cmpmem (payload, length, text, strlen (text));
}
