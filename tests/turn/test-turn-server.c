/* test-turn-server.c: the TURN relay over real sockets on 127.0.0.1, with the
 * codec as the client.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <unistd.h>

#include "kibitz-stun-auth.h"
#include "kibitz-test-turn-client.h"
#include "kibitz-turn-server.h"

#define SECRET "test-secret"

typedef struct {
  KibitzTurnServer *server;
  guint16           port;
} Fixture;

static const char * const loopback_allowed[] = { "127.0.0.0/8", NULL };

static void
fixture_start (Fixture            *fixture,
               const char * const *allow_peers,
               guint               user_quota)
{
  g_autoptr(GError) error = NULL;
  KibitzTurnConfig config = {
    .listen_host = "127.0.0.1",
    .listen_port = 0,
    .secret = SECRET,
    .realm = "kibitz-test",
    .user_quota = user_quota,
    .allow_peers = allow_peers,
  };

  fixture->server = kibitz_turn_server_new (&config, &error);
  g_assert_no_error (error);
  g_assert_true (kibitz_turn_server_start (fixture->server, &error));
  g_assert_no_error (error);
  fixture->port = kibitz_turn_server_get_port (fixture->server);
  g_assert_cmpuint (fixture->port, >, 0);
}

static void
setup_allowed (Fixture       *fixture,
               gconstpointer  data)
{
  fixture_start (fixture, loopback_allowed, 0);
}

static void
setup_default (Fixture       *fixture,
               gconstpointer  data)
{
  fixture_start (fixture, NULL, 0);
}

static void
setup_quota_one (Fixture       *fixture,
                 gconstpointer  data)
{
  fixture_start (fixture, loopback_allowed, 1);
}

static void
teardown (Fixture       *fixture,
          gconstpointer  data)
{
  kibitz_turn_server_free (fixture->server);
}

/* A relay of its own for a test that needs another configuration. */
static KibitzTurnServer *
server_start (const KibitzTurnConfig *config)
{
  g_autoptr(GError) error = NULL;
  KibitzTurnServer *server = kibitz_turn_server_new (config, &error);

  g_assert_no_error (error);
  g_assert_true (kibitz_turn_server_start (server, &error));
  g_assert_no_error (error);
  return server;
}

/* A Refresh with LIFETIME 0: the client gives its allocation up. */
static void
release_allocation (KibitzTestTurnClient *client)
{
  KibitzStunWriter writer;
  guint8 buffer[256];

  kibitz_test_turn_begin (&writer, buffer, sizeof buffer, KIBITZ_STUN_METHOD_REFRESH,
                          KIBITZ_STUN_CLASS_REQUEST);
  kibitz_stun_writer_add_uint32 (&writer, KIBITZ_STUN_ATTR_LIFETIME, 0);
  kibitz_test_turn_client_sign (client, &writer);
  g_assert_cmpint (kibitz_test_turn_error_code (kibitz_test_turn_client_transact (client, &writer)),
                   ==, 0);
}

static void
test_binding (Fixture       *fixture,
              gconstpointer  data)
{
  gboolean tcp = GPOINTER_TO_INT (data);
  g_autoptr(KibitzTestTurnClient) client = kibitz_test_turn_client_new (tcp, fixture->port);
  KibitzStunMessage *answer;
  KibitzStunWriter writer;
  KibitzStunAddress mapped;
  KibitzTurnMetrics metrics;
  guint8 buffer[128];

  kibitz_test_turn_begin (&writer, buffer, sizeof buffer, KIBITZ_STUN_METHOD_BINDING,
                          KIBITZ_STUN_CLASS_REQUEST);
  kibitz_stun_writer_add_fingerprint (&writer);
  answer = kibitz_test_turn_client_transact (client, &writer);

  g_assert_cmpuint (answer->klass, ==, KIBITZ_STUN_CLASS_SUCCESS);
  g_assert_true (kibitz_stun_message_check_fingerprint (answer));
  g_assert_true (kibitz_stun_message_get_xor_address (answer, KIBITZ_STUN_ATTR_XOR_MAPPED_ADDRESS,
                                                      &mapped));
  g_assert_true (kibitz_stun_address_equal (&mapped, &client->local));

  kibitz_turn_server_get_metrics (fixture->server, &metrics);
  g_assert_cmpuint (metrics.binding_requests, ==, 1);
}

typedef struct {
  const char *id;
  guint64     to_peers;
  guint64     from_peers;
} UsageLookup;

static void
find_usage_cb (const char *id,
               guint64     to_peers,
               guint64     from_peers,
               gpointer    user_data)
{
  UsageLookup *lookup = user_data;

  if (g_str_equal (id, lookup->id))
    {
      lookup->to_peers = to_peers;
      lookup->from_peers = from_peers;
    }
}

/* The whole life of an allocation: permission, Send and Data indications,
 * a channel both ways, metrics, and a Refresh to zero. */
static void
test_relay (Fixture       *fixture,
            gconstpointer  data)
{
  gboolean tcp = GPOINTER_TO_INT (data);
  g_autoptr(KibitzTestTurnClient) client = kibitz_test_turn_client_new (tcp, fixture->port);
  KibitzStunAddress relayed, peer, from;
  KibitzTurnMetrics metrics;
  UsageLookup usage = { .id = "p-relay" };
  guint8 buffer[512];
  int peer_fd = kibitz_test_udp_socket (&peer);
  gssize n;

  kibitz_test_turn_client_set_credentials (client, SECRET, kibitz_test_turn_in_an_hour (),
                                           "p-relay");
  kibitz_test_turn_assert_allocated (client, kibitz_test_turn_allocate (client), &relayed);

  /* Nothing reaches the peer, nor the client, before a permission. */
  kibitz_test_turn_send_indication (client, &peer, "too early");
  g_assert_cmpint (kibitz_test_udp_receive (peer_fd, buffer, sizeof buffer, NULL, 200), ==, -1);

  g_assert_cmpint (kibitz_test_turn_create_permission (client, &peer), ==, 0);
  kibitz_test_turn_send_indication (client, &peer, "hello peer");
  n = kibitz_test_udp_receive (peer_fd, buffer, sizeof buffer, &from, KIBITZ_TEST_TURN_TIMEOUT_MS);
  g_assert_cmpmem (buffer, n, "hello peer", 10);
  g_assert_true (kibitz_stun_address_equal (&from, &relayed));

  kibitz_test_udp_send (peer_fd, &relayed, "hello client", 12);
  kibitz_test_turn_expect_data_indication (client, &peer, "hello client");

  g_assert_cmpint (kibitz_test_turn_channel_bind (client, 0x4000, &peer), ==, 0);
  n = kibitz_stun_channel_data_write (buffer, sizeof buffer, tcp, 0x4000,
                                      (const guint8 *) "on channel", 10);
  kibitz_test_turn_client_send (client, buffer, n);
  n = kibitz_test_udp_receive (peer_fd, buffer, sizeof buffer, NULL, KIBITZ_TEST_TURN_TIMEOUT_MS);
  g_assert_cmpmem (buffer, n, "on channel", 10);
  kibitz_test_udp_send (peer_fd, &relayed, "back on channel", 15);
  kibitz_test_turn_expect_channel_data (client, 0x4000, "back on channel");

  kibitz_turn_server_get_metrics (fixture->server, &metrics);
  g_assert_cmpuint (metrics.allocations, ==, 1);
  g_assert_cmpuint (metrics.permissions, ==, 1);
  g_assert_cmpuint (metrics.channels, ==, 1);
  g_assert_cmpuint (metrics.packets_to_peers, ==, 2);
  g_assert_cmpuint (metrics.bytes_to_peers, ==, 20);
  g_assert_cmpuint (metrics.packets_from_peers, ==, 2);
  g_assert_cmpuint (metrics.bytes_from_peers, ==, 27);
  g_assert_cmpuint (metrics.internal_packets, ==, 0);  /* a plain socket: the kernel's path */
  kibitz_turn_server_foreach_usage (fixture->server, find_usage_cb, &usage);
  g_assert_cmpuint (usage.to_peers, ==, 20);
  g_assert_cmpuint (usage.from_peers, ==, 27);

  release_allocation (client);

  kibitz_turn_server_get_metrics (fixture->server, &metrics);
  g_assert_cmpuint (metrics.allocations, ==, 0);
  g_assert_cmpuint (metrics.permissions, ==, 0);
  g_assert_cmpuint (metrics.allocations_total, ==, 1);
  close (peer_fd);
}

static void
test_wrong_credentials (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(KibitzTestTurnClient) client = kibitz_test_turn_client_new (FALSE, fixture->port);
  KibitzTurnMetrics metrics;

  kibitz_test_turn_client_set_credentials (client, "not-the-secret", kibitz_test_turn_in_an_hour (),
                                           "p-1");
  g_assert_cmpint (kibitz_test_turn_error_code (kibitz_test_turn_allocate (client)), ==, 401);

  /* An expired REST username, even with the right password. */
  kibitz_test_turn_client_set_credentials (client, SECRET, g_get_real_time () / G_USEC_PER_SEC - 10,
                                           "p-1");
  g_assert_cmpint (kibitz_test_turn_error_code (kibitz_test_turn_allocate (client)), ==, 401);

  kibitz_turn_server_get_metrics (fixture->server, &metrics);
  g_assert_cmpuint (metrics.auth_failures, ==, 2);
  g_assert_cmpuint (metrics.allocations, ==, 0);
}

static void
test_stale_nonce (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(KibitzTestTurnClient) client = kibitz_test_turn_client_new (FALSE, fixture->port);
  KibitzStunMessage *answer;
  KibitzStunAddress relayed;
  KibitzStunWriter writer;
  guint8 buffer[512];

  kibitz_test_turn_client_set_credentials (client, SECRET, kibitz_test_turn_in_an_hour (),
                                           "p-nonce");
  kibitz_test_turn_assert_allocated (client, kibitz_test_turn_allocate (client), &relayed);

  /* A nonce whose expiry has passed (or was tampered with) is stale. */
  memcpy (client->nonce, "0000000000000001", 16);
  kibitz_test_turn_begin (&writer, buffer, sizeof buffer, KIBITZ_STUN_METHOD_REFRESH,
                          KIBITZ_STUN_CLASS_REQUEST);
  kibitz_test_turn_client_sign (client, &writer);
  answer = kibitz_test_turn_client_transact (client, &writer);
  g_assert_cmpint (kibitz_test_turn_error_code (answer), ==, 438);
  kibitz_test_turn_client_learn_nonce (client, answer);

  kibitz_test_turn_begin (&writer, buffer, sizeof buffer, KIBITZ_STUN_METHOD_REFRESH,
                          KIBITZ_STUN_CLASS_REQUEST);
  kibitz_test_turn_client_sign (client, &writer);
  g_assert_cmpint (kibitz_test_turn_error_code (kibitz_test_turn_client_transact (client, &writer)),
                   ==, 0);
}

static void
test_denied_peers (Fixture       *fixture,
                   gconstpointer  data)
{
  static const char * const denied[] = {
    /* Not 127.0.0.1: that is the relay address here, exempt. */
    "127.0.0.2", "127.255.255.254", "10.0.0.1", "172.16.5.4", "192.168.0.1",
    "169.254.169.254", "100.64.0.1",
    "0.0.0.0", "224.0.0.1", "255.255.255.255", "240.0.0.1",
  };
  g_autoptr(KibitzTestTurnClient) client = kibitz_test_turn_client_new (FALSE, fixture->port);
  KibitzStunAddress relayed, peer;
  KibitzTurnMetrics metrics;
  gsize i;

  kibitz_test_turn_client_set_credentials (client, SECRET, kibitz_test_turn_in_an_hour (),
                                           "p-denied");
  kibitz_test_turn_assert_allocated (client, kibitz_test_turn_allocate (client), &relayed);

  for (i = 0; i < G_N_ELEMENTS (denied); i++)
    {
      peer = kibitz_test_address (denied[i], 9);
      g_assert_cmpint (kibitz_test_turn_create_permission (client, &peer), ==, 403);
      g_assert_cmpint (kibitz_test_turn_channel_bind (client, 0x4001, &peer), ==, 403);
    }

  /* IPv6 forms on an IPv4 allocation: a family mismatch first. */
  peer = kibitz_test_address ("::ffff:127.0.0.1", 9);
  g_assert_cmpint (kibitz_test_turn_create_permission (client, &peer), ==, 443);
  peer = kibitz_test_address ("2001:4860:4860::8888", 9);
  g_assert_cmpint (kibitz_test_turn_create_permission (client, &peer), ==, 443);

  /* A public address is fine, and our own relay address is exempt. */
  peer = kibitz_test_address ("8.8.8.8", 9);
  g_assert_cmpint (kibitz_test_turn_create_permission (client, &peer), ==, 0);
  g_assert_cmpint (kibitz_test_turn_create_permission (client, &relayed), ==, 0);

  kibitz_turn_server_get_metrics (fixture->server, &metrics);
  g_assert_cmpuint (metrics.denied_peers, ==, 2 * G_N_ELEMENTS (denied));
}

/* A client of the server on @port holding an allocation (of @family, 0 for
 * the default) as participant @id; its relayed address goes to @relay. */
static KibitzTestTurnClient *
allocated_client (gboolean           tcp,
                  guint16            port,
                  const char        *id,
                  guint8             family,
                  KibitzStunAddress *relay)
{
  KibitzTestTurnClient *client = kibitz_test_turn_client_new (tcp, port);

  kibitz_test_turn_client_set_credentials (client, SECRET, kibitz_test_turn_in_an_hour (), id);
  kibitz_test_turn_assert_allocated (client, kibitz_test_turn_allocate_with_family (client, family),
                                     relay);
  return client;
}

/* Alice and bob permit each other's relay address, and a Send indication
 * each way reaches the other as a Data indication from the sender's relay
 * address. */
static void
indications_both_ways (KibitzTestTurnClient    *alice,
                       const KibitzStunAddress *alice_relay,
                       KibitzTestTurnClient    *bob,
                       const KibitzStunAddress *bob_relay)
{
  g_assert_cmpint (kibitz_test_turn_create_permission (alice, bob_relay), ==, 0);
  g_assert_cmpint (kibitz_test_turn_create_permission (bob, alice_relay), ==, 0);
  kibitz_test_turn_send_indication (alice, bob_relay, "hi bob");
  kibitz_test_turn_expect_data_indication (bob, alice_relay, "hi bob");
  kibitz_test_turn_send_indication (bob, alice_relay, "hi alice");
  kibitz_test_turn_expect_data_indication (alice, bob_relay, "hi alice");
}

/* Relay to relay: two clients of this server talk through both relays while
 * loopback is otherwise forbidden; other ports on the relay address stay shut. */
static void
test_self_relay (Fixture       *fixture,
                 gconstpointer  data)
{
  KibitzStunAddress alice_relay, bob_relay, other;
  g_autoptr(KibitzTestTurnClient) alice = allocated_client (FALSE, fixture->port, "p-alice", 0,
                                                            &alice_relay);
  g_autoptr(KibitzTestTurnClient) bob = allocated_client (FALSE, fixture->port, "p-bob", 0,
                                                          &bob_relay);
  KibitzTurnMetrics metrics;
  guint8 buffer[256];
  int other_fd = kibitz_test_udp_socket (&other);

  indications_both_ways (alice, &alice_relay, bob, &bob_relay);

  /* The permission to 127.0.0.1 is for relays only: a plain socket on the
   * same address gets nothing. */
  kibitz_test_turn_send_indication (alice, &other, "not for you");
  g_assert_cmpint (kibitz_test_udp_receive (other_fd, buffer, sizeof buffer, NULL, 300), ==, -1);
  close (other_fd);

  /* Relay to relay went inside the server. */
  kibitz_turn_server_get_metrics (fixture->server, &metrics);
  g_assert_cmpuint (metrics.internal_packets, ==, 2);
  g_assert_cmpuint (metrics.packets_from_peers, ==, 2);
}

/* Sends two ChannelData frames at once: over TCP in one segment, so that the
 * relay handles them in one read. */
static void
send_two_channel_data (KibitzTestTurnClient *client,
                       guint16               channel,
                       const char           *first,
                       const char           *second)
{
  guint8 buffer[256];
  gsize n = kibitz_stun_channel_data_write (buffer, sizeof buffer, client->tcp, channel,
                                            (const guint8 *) first, strlen (first));
  gsize m = kibitz_stun_channel_data_write (buffer + n, sizeof buffer - n, client->tcp, channel,
                                            (const guint8 *) second, strlen (second));

  if (client->tcp)
    {
      kibitz_test_turn_client_send (client, buffer, n + m);
    }
  else
    {
      kibitz_test_turn_client_send (client, buffer, n);
      kibitz_test_turn_client_send (client, buffer + n, m);
    }
}

/* Two clients of one server relay to each other, as in a class where both
 * need TURN: the relay hands their packets over inside itself instead of
 * through two relay sockets, and what each client sees is what the kernel's
 * path gives: the other's relay address as the peer, the receiver's own
 * channel numbers, its permissions, the counters per username. Alice is over
 * TCP in the -tcp variant, bob and carol over UDP. */
static void
test_internal_delivery (Fixture       *fixture,
                        gconstpointer  data)
{
  gboolean tcp = GPOINTER_TO_INT (data);
  KibitzStunAddress alice_relay, bob_relay, carol_relay;
  g_autoptr(KibitzTestTurnClient) alice = allocated_client (tcp, fixture->port, "p-alice", 0,
                                                            &alice_relay);
  g_autoptr(KibitzTestTurnClient) bob = allocated_client (FALSE, fixture->port, "p-bob", 0,
                                                          &bob_relay);
  g_autoptr(KibitzTestTurnClient) carol = allocated_client (FALSE, fixture->port, "p-carol", 0,
                                                            &carol_relay);
  UsageLookup alice_usage = { .id = "p-alice" }, bob_usage = { .id = "p-bob" };
  UsageLookup carol_usage = { .id = "p-carol" };
  KibitzTurnMetrics metrics;
  KibitzStunWriter writer;
  guint8 buffer[256];
  gsize n;

  /* Send indications both ways arrive as Data indications. */
  indications_both_ways (alice, &alice_relay, bob, &bob_relay);

  /* ChannelData both ways, each side on its own channel number. */
  g_assert_cmpint (kibitz_test_turn_channel_bind (alice, 0x4000, &bob_relay), ==, 0);
  g_assert_cmpint (kibitz_test_turn_channel_bind (bob, 0x4abc, &alice_relay), ==, 0);
  n = kibitz_stun_channel_data_write (buffer, sizeof buffer, tcp, 0x4000,
                                      (const guint8 *) "on channel", 10);
  kibitz_test_turn_client_send (alice, buffer, n);
  kibitz_test_turn_expect_channel_data (bob, 0x4abc, "on channel");
  n = kibitz_stun_channel_data_write (buffer, sizeof buffer, FALSE, 0x4abc,
                                      (const guint8 *) "channel back", 12);
  kibitz_test_turn_client_send (bob, buffer, n);
  kibitz_test_turn_expect_channel_data (alice, 0x4000, "channel back");
  send_two_channel_data (alice, 0x4000, "one", "two");
  kibitz_test_turn_expect_channel_data (bob, 0x4abc, "one");
  kibitz_test_turn_expect_channel_data (bob, 0x4abc, "two");

  /* Carol has no permission for alice: what alice sends her is dropped, by
   * Send indication and on a channel, until carol makes one. The first thing
   * carol receives is the packet after it. */
  g_assert_cmpint (kibitz_test_turn_create_permission (alice, &carol_relay), ==, 0);
  g_assert_cmpint (kibitz_test_turn_channel_bind (alice, 0x4001, &carol_relay), ==, 0);
  kibitz_test_turn_send_indication (alice, &carol_relay, "no permission");
  n = kibitz_stun_channel_data_write (buffer, sizeof buffer, tcp, 0x4001,
                                      (const guint8 *) "still none", 10);
  kibitz_test_turn_client_send (alice, buffer, n);
  /* A round trip on alice's own socket: over TCP, the server might otherwise
   * read carol's request (another socket) before alice's frames. */
  kibitz_test_turn_begin (&writer, buffer, sizeof buffer, KIBITZ_STUN_METHOD_BINDING,
                          KIBITZ_STUN_CLASS_REQUEST);
  g_assert_cmpint (kibitz_test_turn_error_code (kibitz_test_turn_client_transact (alice, &writer)),
                   ==, 0);
  g_assert_cmpint (kibitz_test_turn_create_permission (carol, &alice_relay), ==, 0);
  kibitz_test_turn_send_indication (alice, &carol_relay, "now yes");
  kibitz_test_turn_expect_data_indication (carol, &alice_relay, "now yes");

  kibitz_turn_server_get_metrics (fixture->server, &metrics);
  g_assert_cmpuint (metrics.internal_packets, ==, 9);
  g_assert_cmpuint (metrics.packets_to_peers, ==, 9);
  g_assert_cmpuint (metrics.packets_from_peers, ==, 7);
  g_assert_cmpuint (metrics.bytes_to_peers, ==, 72);
  g_assert_cmpuint (metrics.bytes_from_peers, ==, 49);
  kibitz_turn_server_foreach_usage (fixture->server, find_usage_cb, &alice_usage);
  kibitz_turn_server_foreach_usage (fixture->server, find_usage_cb, &bob_usage);
  kibitz_turn_server_foreach_usage (fixture->server, find_usage_cb, &carol_usage);
  g_assert_cmpuint (alice_usage.to_peers, ==, 52);
  g_assert_cmpuint (alice_usage.from_peers, ==, 20);
  g_assert_cmpuint (bob_usage.to_peers, ==, 20);
  g_assert_cmpuint (bob_usage.from_peers, ==, 22);
  g_assert_cmpuint (carol_usage.to_peers, ==, 0);
  g_assert_cmpuint (carol_usage.from_peers, ==, 7);
}

static void
test_quota (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(KibitzTestTurnClient) first = kibitz_test_turn_client_new (FALSE, fixture->port);
  g_autoptr(KibitzTestTurnClient) second = kibitz_test_turn_client_new (FALSE, fixture->port);
  g_autoptr(KibitzTestTurnClient) other_user = kibitz_test_turn_client_new (FALSE, fixture->port);
  KibitzStunAddress relayed;
  KibitzTurnMetrics metrics;

  kibitz_test_turn_client_set_credentials (first, SECRET, kibitz_test_turn_in_an_hour (),
                                           "p-quota");
  kibitz_test_turn_client_set_credentials (second, SECRET, kibitz_test_turn_in_an_hour () + 1,
                                           "p-quota");
  kibitz_test_turn_client_set_credentials (other_user, SECRET, kibitz_test_turn_in_an_hour (),
                                           "p-other");
  kibitz_test_turn_assert_allocated (first, kibitz_test_turn_allocate (first), &relayed);
  g_assert_cmpint (kibitz_test_turn_error_code (kibitz_test_turn_allocate (second)), ==, 486);
  kibitz_test_turn_assert_allocated (other_user, kibitz_test_turn_allocate (other_user), &relayed);

  kibitz_turn_server_get_metrics (fixture->server, &metrics);
  g_assert_cmpuint (metrics.quota_rejections, ==, 1);
}

static void
test_allocation_mismatch (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(KibitzTestTurnClient) client = kibitz_test_turn_client_new (FALSE, fixture->port);
  KibitzStunAddress relayed;
  KibitzStunWriter writer;
  guint8 buffer[512];

  kibitz_test_turn_client_set_credentials (client, SECRET, kibitz_test_turn_in_an_hour (),
                                           "p-mismatch");
  kibitz_test_turn_assert_allocated (client, kibitz_test_turn_allocate (client), &relayed);

  kibitz_test_turn_begin (&writer, buffer, sizeof buffer, KIBITZ_STUN_METHOD_ALLOCATE,
                          KIBITZ_STUN_CLASS_REQUEST);
  kibitz_stun_writer_add_requested_transport (&writer, 17);
  kibitz_test_turn_client_sign (client, &writer);
  g_assert_cmpint (kibitz_test_turn_error_code (kibitz_test_turn_client_transact (client, &writer)),
                   ==, 437);

  /* Another user on the same 5-tuple: wrong credentials. */
  kibitz_test_turn_client_set_credentials (client, SECRET, kibitz_test_turn_in_an_hour (),
                                           "p-intruder");
  kibitz_test_turn_begin (&writer, buffer, sizeof buffer, KIBITZ_STUN_METHOD_REFRESH,
                          KIBITZ_STUN_CLASS_REQUEST);
  kibitz_test_turn_client_sign (client, &writer);
  g_assert_cmpint (kibitz_test_turn_error_code (kibitz_test_turn_client_transact (client, &writer)),
                   ==, 441);
}

static void
test_bad_requests (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(KibitzTestTurnClient) client = kibitz_test_turn_client_new (FALSE, fixture->port);
  KibitzStunMessage *answer;
  KibitzStunAddress relayed, peer;
  KibitzStunWriter writer;
  guint8 buffer[512];
  guint16 unknown[4];
  gsize n = 0;

  /* An unknown comprehension-required attribute: 420, listing it. */
  kibitz_test_turn_begin (&writer, buffer, sizeof buffer, KIBITZ_STUN_METHOD_BINDING,
                          KIBITZ_STUN_CLASS_REQUEST);
  kibitz_stun_writer_add_uint32 (&writer, 0x0031, 0);
  answer = kibitz_test_turn_client_transact (client, &writer);
  g_assert_cmpint (kibitz_test_turn_error_code (answer), ==, 420);
  g_assert_true (kibitz_stun_message_get_unknown_attributes (answer, unknown, 4, &n));
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmphex (unknown[0], ==, 0x0031);

  kibitz_test_turn_client_set_credentials (client, SECRET, kibitz_test_turn_in_an_hour (), "p-bad");

  /* TCP relaying is not offered: 442. */
  answer = kibitz_test_turn_allocate (client);
  kibitz_test_turn_assert_allocated (client, answer, &relayed);

  /* Refresh and friends before any allocation on another 5-tuple: 437. */
  {
    g_autoptr(KibitzTestTurnClient) stranger = kibitz_test_turn_client_new (FALSE, fixture->port);

    memcpy (stranger->realm, client->realm, sizeof client->realm);
    memcpy (stranger->nonce, client->nonce, sizeof client->nonce);
    kibitz_test_turn_client_set_credentials (stranger, SECRET, kibitz_test_turn_in_an_hour (),
                                             "p-bad");
    peer = kibitz_test_address ("127.0.0.1", 9);
    g_assert_cmpint (kibitz_test_turn_create_permission (stranger, &peer), ==, 437);

    kibitz_test_turn_begin (&writer, buffer, sizeof buffer, KIBITZ_STUN_METHOD_ALLOCATE,
                            KIBITZ_STUN_CLASS_REQUEST);
    kibitz_stun_writer_add_requested_transport (&writer, 6);
    kibitz_test_turn_client_sign (stranger, &writer);
    g_assert_cmpint (kibitz_test_turn_error_code (kibitz_test_turn_client_transact (stranger, &writer)),
                     ==, 442);

    kibitz_test_turn_begin (&writer, buffer, sizeof buffer, KIBITZ_STUN_METHOD_ALLOCATE,
                            KIBITZ_STUN_CLASS_REQUEST);
    kibitz_test_turn_client_sign (stranger, &writer);
    g_assert_cmpint (kibitz_test_turn_error_code (kibitz_test_turn_client_transact (stranger, &writer)),
                     ==, 400);

    /* No IPv6 relay address on this server. */
    kibitz_test_turn_begin (&writer, buffer, sizeof buffer, KIBITZ_STUN_METHOD_ALLOCATE,
                            KIBITZ_STUN_CLASS_REQUEST);
    kibitz_stun_writer_add_requested_transport (&writer, 17);
    kibitz_stun_writer_add_requested_family (&writer, KIBITZ_STUN_FAMILY_IPV6);
    kibitz_test_turn_client_sign (stranger, &writer);
    g_assert_cmpint (kibitz_test_turn_error_code (kibitz_test_turn_client_transact (stranger, &writer)),
                     ==, 440);
  }

  /* Channel numbers outside 0x4000-0x7FFF (RFC 5766's range, which RFC 8656
   * narrowed), and a peer bound twice. */
  peer = kibitz_test_address ("127.0.0.1", 9);
  g_assert_cmpint (kibitz_test_turn_channel_bind (client, 0x3FFF, &peer), ==, 400);
  g_assert_cmpint (kibitz_test_turn_channel_bind (client, 0x8000, &peer), ==, 400);
  g_assert_cmpint (kibitz_test_turn_channel_bind (client, 0x4FFF, &peer), ==, 0);
  g_assert_cmpint (kibitz_test_turn_channel_bind (client, 0x4FFF, &peer), ==, 0);
  g_assert_cmpint (kibitz_test_turn_channel_bind (client, 0x4ABC, &peer), ==, 400);

  /* Garbage on the port changes nothing. */
  kibitz_test_turn_client_send (client, (const guint8 *) "GET / HTTP/1.1\r\n\r\n", 18);
  kibitz_test_turn_begin (&writer, buffer, sizeof buffer, KIBITZ_STUN_METHOD_BINDING,
                          KIBITZ_STUN_CLASS_REQUEST);
  g_assert_cmpint (kibitz_test_turn_client_transact (client, &writer)->klass, ==,
                   KIBITZ_STUN_CLASS_SUCCESS);
}

static void
test_even_port_reservation (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(KibitzTestTurnClient) first = kibitz_test_turn_client_new (FALSE, fixture->port);
  g_autoptr(KibitzTestTurnClient) second = kibitz_test_turn_client_new (FALSE, fixture->port);
  KibitzStunMessage *answer;
  KibitzStunAddress relayed, second_relayed;
  KibitzStunWriter writer;
  guint8 buffer[512];
  guint64 token = 0;
  int attempt;

  kibitz_test_turn_client_set_credentials (first, SECRET, kibitz_test_turn_in_an_hour (), "p-even");
  kibitz_test_turn_client_set_credentials (second, SECRET, kibitz_test_turn_in_an_hour (),
                                           "p-even");
  kibitz_test_turn_allocate (first);  /* learns the nonce; this one has no EVEN-PORT */

  /* The next port may be taken by chance: try a few allocations. */
  for (attempt = 0; attempt < 10 && token == 0; attempt++)
    {
      g_autoptr(KibitzTestTurnClient) client = kibitz_test_turn_client_new (FALSE, fixture->port);

      kibitz_test_turn_client_set_credentials (client, SECRET, kibitz_test_turn_in_an_hour (),
                                               "p-even");
      memcpy (client->realm, first->realm, sizeof first->realm);
      memcpy (client->nonce, first->nonce, sizeof first->nonce);
      kibitz_test_turn_begin (&writer, buffer, sizeof buffer, KIBITZ_STUN_METHOD_ALLOCATE,
                              KIBITZ_STUN_CLASS_REQUEST);
      kibitz_stun_writer_add_requested_transport (&writer, 17);
      kibitz_stun_writer_add_even_port (&writer, TRUE);
      kibitz_test_turn_client_sign (client, &writer);
      answer = kibitz_test_turn_client_transact (client, &writer);
      g_assert_cmpint (kibitz_test_turn_error_code (answer), ==, 0);
      g_assert_true (kibitz_stun_message_get_xor_address (answer,
                                                          KIBITZ_STUN_ATTR_XOR_RELAYED_ADDRESS,
                                                          &relayed));
      g_assert_cmpuint (relayed.port % 2, ==, 0);
      kibitz_stun_message_get_uint64 (answer, KIBITZ_STUN_ATTR_RESERVATION_TOKEN, &token);
    }
  g_assert_cmpuint (token, !=, 0);

  memcpy (second->realm, first->realm, sizeof first->realm);
  memcpy (second->nonce, first->nonce, sizeof first->nonce);
  kibitz_test_turn_begin (&writer, buffer, sizeof buffer, KIBITZ_STUN_METHOD_ALLOCATE,
                          KIBITZ_STUN_CLASS_REQUEST);
  kibitz_stun_writer_add_requested_transport (&writer, 17);
  kibitz_stun_writer_add_uint64 (&writer, KIBITZ_STUN_ATTR_RESERVATION_TOKEN, token);
  kibitz_test_turn_client_sign (second, &writer);
  answer = kibitz_test_turn_client_transact (second, &writer);
  g_assert_cmpint (kibitz_test_turn_error_code (answer), ==, 0);
  g_assert_true (kibitz_stun_message_get_xor_address (answer, KIBITZ_STUN_ATTR_XOR_RELAYED_ADDRESS,
                                                      &second_relayed));
  g_assert_cmpuint (second_relayed.port, ==, relayed.port + 1);
}

/* One address cannot fill the relay, whatever credentials it brings: with
 * --address-quota 3, a fourth id from 127.0.0.1 gets 486 while 127.0.0.2 is
 * served; a freed allocation gives its place back. */
static void
test_address_quota (void)
{
  KibitzTurnConfig config = { .listen_host = "127.0.0.1", .secret = SECRET, .address_quota = 3 };
  g_autoptr(KibitzTurnServer) server = server_start (&config);
  guint16 port = kibitz_turn_server_get_port (server);
  KibitzTestTurnClient *clients[4];
  g_autoptr(KibitzTestTurnClient) elsewhere = NULL;
  KibitzStunAddress relayed;
  KibitzTurnMetrics metrics;

  for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
    {
      g_autofree char *id = g_strdup_printf ("anonymous-%u", i);

      clients[i] = kibitz_test_turn_client_new (i % 2 == 1, port);
      kibitz_test_turn_client_set_credentials (clients[i], SECRET, kibitz_test_turn_in_an_hour (),
                                               id);
      if (i < 3)
        kibitz_test_turn_assert_allocated (clients[i], kibitz_test_turn_allocate (clients[i]),
                                           &relayed);
    }
  g_assert_cmpint (kibitz_test_turn_error_code (kibitz_test_turn_allocate (clients[3])), ==, 486);

  elsewhere = kibitz_test_turn_client_new_from (FALSE, port, "127.0.0.2");
  kibitz_test_turn_client_set_credentials (elsewhere, SECRET, kibitz_test_turn_in_an_hour (),
                                           "anonymous-elsewhere");
  kibitz_test_turn_assert_allocated (elsewhere, kibitz_test_turn_allocate (elsewhere), &relayed);

  /* The first gives its allocation up: the fourth now gets one. */
  release_allocation (clients[0]);
  kibitz_test_turn_assert_allocated (clients[3], kibitz_test_turn_allocate (clients[3]), &relayed);

  kibitz_turn_server_get_metrics (server, &metrics);
  g_assert_cmpuint (metrics.allocations, ==, 4);
  g_assert_cmpuint (metrics.quota_rejections, ==, 1);
  for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
    kibitz_test_turn_client_free (clients[i]);
}

static char *
room_of_test (const char *id,
              gpointer    user_data)
{
  return g_strdup ("Room A");
}

typedef struct {
  guint64 to_peers;
  guint   rooms;
} RoomLookup;

static void
find_room_cb (const char *room,
              guint64     to_peers,
              guint64     from_peers,
              gpointer    user_data)
{
  RoomLookup *lookup = user_data;

  g_assert_cmpstr (room, ==, "Room A");
  lookup->to_peers = to_peers;
  lookup->rooms++;
}

static void
count_usage_cb (const char *id,
                guint64     to_peers,
                guint64     from_peers,
                gpointer    user_data)
{
  (*(guint *) user_data)++;
}

static void
relay_and_free (KibitzTestTurnClient *client,
                int                   peer_fd,
                const KibitzStunAddress *peer,
                const char           *text)
{
  KibitzStunAddress relayed;
  guint8 buffer[256];

  kibitz_test_turn_assert_allocated (client, kibitz_test_turn_allocate (client), &relayed);
  g_assert_cmpint (kibitz_test_turn_create_permission (client, peer), ==, 0);
  kibitz_test_turn_send_indication (client, peer, text);
  g_assert_cmpint (kibitz_test_udp_receive (peer_fd, buffer, sizeof buffer, NULL,
                                            KIBITZ_TEST_TURN_TIMEOUT_MS), ==, strlen (text));
  release_allocation (client);
}

/* Per-id byte records do not pile up: an id without allocations for
 * usage_keep seconds gives its bytes to its room and its record goes; the
 * room's total keeps counting across that. */
static void
test_usage_expiry (void)
{
  KibitzTurnScope scope = { .room_of = room_of_test };
  KibitzTurnConfig config = {
    .listen_host = "127.0.0.1",
    .secret = SECRET,
    .allow_peers = loopback_allowed,
    .usage_keep = 1,
    .scope = &scope,
  };
  g_autoptr(KibitzTurnServer) server = server_start (&config);
  g_autoptr(KibitzTestTurnClient) first = NULL;
  g_autoptr(KibitzTestTurnClient) second = NULL;
  KibitzTurnMetrics metrics;
  KibitzStunAddress peer;
  RoomLookup room = { 0 };
  int peer_fd = kibitz_test_udp_socket (&peer);
  guint records = 0;

  first = kibitz_test_turn_client_new (FALSE, kibitz_turn_server_get_port (server));
  second = kibitz_test_turn_client_new (FALSE, kibitz_turn_server_get_port (server));
  kibitz_test_turn_client_set_credentials (first, SECRET, kibitz_test_turn_in_an_hour (),
                                           "p-first");
  kibitz_test_turn_client_set_credentials (second, SECRET, kibitz_test_turn_in_an_hour (),
                                           "p-second");

  relay_and_free (first, peer_fd, &peer, "ten bytes!");
  kibitz_turn_server_get_metrics (server, &metrics);
  g_assert_cmpuint (metrics.usage_records, ==, 1);

  /* The sweep runs once a second; give it three. */
  g_usleep (3 * G_USEC_PER_SEC);
  kibitz_turn_server_get_metrics (server, &metrics);
  g_assert_cmpuint (metrics.usage_records, ==, 0);
  kibitz_turn_server_foreach_usage (server, count_usage_cb, &records);
  g_assert_cmpuint (records, ==, 0);
  kibitz_turn_server_foreach_room (server, find_room_cb, &room);
  g_assert_cmpuint (room.rooms, ==, 1);
  g_assert_cmpuint (room.to_peers, ==, 10);

  relay_and_free (second, peer_fd, &peer, "five!");
  room = (RoomLookup) { 0 };
  kibitz_turn_server_foreach_room (server, find_room_cb, &room);
  g_assert_cmpuint (room.to_peers, ==, 15);
  close (peer_fd);
}

/* Allocations and nonces run out: one-second lifetimes, real waiting. */
static void
test_expiry (void)
{
  KibitzTurnConfig config = {
    .listen_host = "127.0.0.1",
    .secret = SECRET,
    .default_lifetime = 1,
    .max_lifetime = 1,
    .nonce_lifetime = 1,
  };
  g_autoptr(KibitzTurnServer) server = server_start (&config);
  g_autoptr(KibitzTestTurnClient) client = NULL;
  KibitzStunMessage *answer;
  KibitzTurnMetrics metrics;
  KibitzStunWriter writer;
  guint8 buffer[512];
  guint32 lifetime = 0;

  client = kibitz_test_turn_client_new (FALSE, kibitz_turn_server_get_port (server));
  kibitz_test_turn_client_set_credentials (client, SECRET, kibitz_test_turn_in_an_hour (),
                                           "p-expiry");

  answer = kibitz_test_turn_allocate (client);
  g_assert_cmpint (kibitz_test_turn_error_code (answer), ==, 0);
  g_assert_true (kibitz_stun_message_get_uint32 (answer, KIBITZ_STUN_ATTR_LIFETIME, &lifetime));
  g_assert_cmpuint (lifetime, ==, 1);
  kibitz_turn_server_get_metrics (server, &metrics);
  g_assert_cmpuint (metrics.allocations, ==, 1);

  g_usleep (2500 * 1000);
  kibitz_turn_server_get_metrics (server, &metrics);
  g_assert_cmpuint (metrics.allocations, ==, 0);

  /* The nonce went stale too; with a fresh one, there is no allocation left. */
  kibitz_test_turn_begin (&writer, buffer, sizeof buffer, KIBITZ_STUN_METHOD_REFRESH,
                          KIBITZ_STUN_CLASS_REQUEST);
  kibitz_test_turn_client_sign (client, &writer);
  answer = kibitz_test_turn_client_transact (client, &writer);
  g_assert_cmpint (kibitz_test_turn_error_code (answer), ==, 438);
  kibitz_test_turn_client_learn_nonce (client, answer);
  kibitz_test_turn_begin (&writer, buffer, sizeof buffer, KIBITZ_STUN_METHOD_REFRESH,
                          KIBITZ_STUN_CLASS_REQUEST);
  kibitz_test_turn_client_sign (client, &writer);
  g_assert_cmpint (kibitz_test_turn_error_code (kibitz_test_turn_client_transact (client, &writer)),
                   ==, 437);
}

/* An IPv4 client asks for an IPv6 relay (REQUESTED-ADDRESS-FAMILY) and
 * reaches an IPv6 peer through it. */
static void
test_ipv6_relay (void)
{
  static const char * const relay_ips[] = { "127.0.0.1", "::1", NULL };
  static const char * const allow[] = { "::1", NULL };
  g_autoptr(GError) error = NULL;
  KibitzTurnConfig config = {
    .listen_host = "127.0.0.1",
    .secret = SECRET,
    .relay_ips = relay_ips,
    .allow_peers = allow,
  };
  g_autoptr(KibitzTurnServer) server = kibitz_turn_server_new (&config, &error);
  g_autoptr(KibitzTestTurnClient) client = NULL;
  KibitzStunAddress relayed, peer = kibitz_test_address ("::1", 0), from, v4_peer;
  struct sockaddr_storage storage;
  socklen_t length;
  guint8 buffer[256];
  int peer_fd;
  gssize n;

  g_assert_no_error (error);
  g_assert_true (kibitz_turn_server_start (server, &error));

  peer_fd = socket (AF_INET6, SOCK_DGRAM, 0);
  length = kibitz_stun_address_to_sockaddr (&peer, &storage);
  if (bind (peer_fd, (struct sockaddr *) &storage, length) != 0)
    {
      close (peer_fd);
      g_test_skip ("No IPv6 loopback here");
      return;
    }
  length = sizeof storage;
  getsockname (peer_fd, (struct sockaddr *) &storage, &length);
  kibitz_stun_address_from_sockaddr (&peer, (struct sockaddr *) &storage, length);

  client = kibitz_test_turn_client_new (FALSE, kibitz_turn_server_get_port (server));
  kibitz_test_turn_client_set_credentials (client, SECRET, kibitz_test_turn_in_an_hour (), "p-six");
  kibitz_test_turn_assert_allocated (client,
                                     kibitz_test_turn_allocate_with_family (client,
                                                                            KIBITZ_STUN_FAMILY_IPV6),
                                     &relayed);
  g_assert_cmpuint (relayed.family, ==, KIBITZ_STUN_FAMILY_IPV6);

  v4_peer = kibitz_test_address ("8.8.8.8", 53);
  g_assert_cmpint (kibitz_test_turn_create_permission (client, &v4_peer), ==, 443);

  /* Loopback and private IPv4 in every IPv6 encoding, and IPv6's own. */
  {
    static const char * const denied[] = {
      "::ffff:127.0.0.1", "::127.0.0.1", "::ffff:10.0.0.1", "64:ff9b::7f00:1",
      "64:ff9b::a9fe:a9fe", "2002:7f00:1::1", "2002:c0a8:1::1", "fe80::1", "fc00::1",
      "fd00::1", "ff02::1", "::", "::2",
    };
    gsize i;

    for (i = 0; i < G_N_ELEMENTS (denied); i++)
      {
        KibitzStunAddress address = kibitz_test_address (denied[i], 9);

        g_assert_cmpint (kibitz_test_turn_create_permission (client, &address), ==, 403);
      }
  }
  g_assert_cmpint (kibitz_test_turn_create_permission (client, &peer), ==, 0);
  kibitz_test_turn_send_indication (client, &peer, "over six");
  n = kibitz_test_udp_receive (peer_fd, buffer, sizeof buffer, &from, KIBITZ_TEST_TURN_TIMEOUT_MS);
  g_assert_cmpmem (buffer, n, "over six", 8);
  g_assert_true (kibitz_stun_address_equal (&from, &relayed));
  kibitz_test_udp_send (peer_fd, &relayed, "back over six", 13);
  kibitz_test_turn_expect_data_indication (client, &peer, "back over six");
  close (peer_fd);
}

static gboolean
have_ipv6_loopback (void)
{
  KibitzStunAddress address = kibitz_test_address ("::1", 0);
  struct sockaddr_storage storage;
  socklen_t length = kibitz_stun_address_to_sockaddr (&address, &storage);
  int fd = socket (AF_INET6, SOCK_DGRAM, 0);
  gboolean ok = fd >= 0 && bind (fd, (struct sockaddr *) &storage, length) == 0;

  if (fd >= 0)
    close (fd);
  return ok;
}

/* Two IPv6 relays of one server on ::1 (the clients over IPv4) reach each
 * other inside the server, with the IPv6 relay addresses as peers. */
static void
test_internal_delivery_ipv6 (void)
{
  static const char * const relay_ips[] = { "127.0.0.1", "::1", NULL };
  g_autoptr(GError) error = NULL;
  KibitzTurnConfig config = {
    .listen_host = "127.0.0.1",
    .secret = SECRET,
    .relay_ips = relay_ips,
  };
  g_autoptr(KibitzTurnServer) server = NULL;
  g_autoptr(KibitzTestTurnClient) alice = NULL;
  g_autoptr(KibitzTestTurnClient) bob = NULL;
  KibitzStunAddress alice_relay, bob_relay;
  KibitzTurnMetrics metrics;
  guint8 buffer[256];
  gsize n;

  if (!have_ipv6_loopback ())
    {
      g_test_skip ("No IPv6 loopback here");
      return;
    }

  server = kibitz_turn_server_new (&config, &error);
  g_assert_no_error (error);
  g_assert_true (kibitz_turn_server_start (server, &error));
  alice = allocated_client (FALSE, kibitz_turn_server_get_port (server), "p-alice6",
                            KIBITZ_STUN_FAMILY_IPV6, &alice_relay);
  bob = allocated_client (FALSE, kibitz_turn_server_get_port (server), "p-bob6",
                          KIBITZ_STUN_FAMILY_IPV6, &bob_relay);
  g_assert_cmpuint (alice_relay.family, ==, KIBITZ_STUN_FAMILY_IPV6);

  g_assert_cmpint (kibitz_test_turn_create_permission (alice, &bob_relay), ==, 0);
  g_assert_cmpint (kibitz_test_turn_channel_bind (bob, 0x4002, &alice_relay), ==, 0);
  kibitz_test_turn_send_indication (alice, &bob_relay, "over six");
  kibitz_test_turn_expect_channel_data (bob, 0x4002, "over six");
  n = kibitz_stun_channel_data_write (buffer, sizeof buffer, FALSE, 0x4002,
                                      (const guint8 *) "back over six", 13);
  kibitz_test_turn_client_send (bob, buffer, n);
  kibitz_test_turn_expect_data_indication (alice, &bob_relay, "back over six");

  kibitz_turn_server_get_metrics (server, &metrics);
  g_assert_cmpuint (metrics.internal_packets, ==, 2);
  g_assert_cmpuint (metrics.packets_from_peers, ==, 2);
}

/* Behind NAT (--external-ip other than the relay address): two clients who
 * know each other by their advertised relay addresses, as ICE tells them,
 * permit those and reach each other; each sees the other's advertised
 * address as the source, in Data indications and through its channel. */
static void
test_internal_delivery_external_ip (gconstpointer data)
{
  /* An --allow-peer range that holds the external address changes nothing:
   * that address still means this server's relay. */
  static const char * const allowed[] = { "127.0.0.0/8", NULL };
  g_autoptr(GError) error = NULL;
  KibitzTurnConfig config = {
    .listen_host = "127.0.0.1",
    .secret = SECRET,
    .external_ip = "127.0.0.2",
    .allow_peers = GPOINTER_TO_INT (data) ? allowed : NULL,
  };
  g_autoptr(KibitzTurnServer) server = kibitz_turn_server_new (&config, &error);
  g_autoptr(KibitzTestTurnClient) alice = NULL;
  g_autoptr(KibitzTestTurnClient) bob = NULL;
  KibitzStunAddress alice_relay, bob_relay, external = kibitz_test_address ("127.0.0.2", 0);
  KibitzTurnMetrics metrics;
  guint8 buffer[256];
  gsize n;

  g_assert_no_error (error);
  g_assert_true (kibitz_turn_server_start (server, &error));
  alice = allocated_client (FALSE, kibitz_turn_server_get_port (server), "p-alice", 0, &alice_relay);
  bob = allocated_client (FALSE, kibitz_turn_server_get_port (server), "p-bob", 0, &bob_relay);
  g_assert_cmpmem (alice_relay.addr, 4, external.addr, 4);
  g_assert_cmpmem (bob_relay.addr, 4, external.addr, 4);

  indications_both_ways (alice, &alice_relay, bob, &bob_relay);

  g_assert_cmpint (kibitz_test_turn_channel_bind (bob, 0x4003, &alice_relay), ==, 0);
  n = kibitz_stun_channel_data_write (buffer, sizeof buffer, FALSE, 0x4003,
                                      (const guint8 *) "and back", 8);
  kibitz_test_turn_client_send (bob, buffer, n);
  kibitz_test_turn_expect_data_indication (alice, &bob_relay, "and back");
  kibitz_test_turn_send_indication (alice, &bob_relay, "on the channel");
  kibitz_test_turn_expect_channel_data (bob, 0x4003, "on the channel");

  kibitz_turn_server_get_metrics (server, &metrics);
  g_assert_cmpuint (metrics.internal_packets, ==, 4);
  g_assert_cmpuint (metrics.packets_from_peers, ==, 4);
}

/* Relay sockets bound to the wildcard address (--relay-ip 0.0.0.0 with an
 * external address): the kernel picks the source address a peer sees, so
 * relay to relay keeps going through the kernel, and still works: the
 * receiver sees the sender's advertised address (127.0.0.2 here), not the
 * loopback address the kernel sent from. */
static void
test_wildcard_relay_uses_kernel (void)
{
  static const char * const relay_ips[] = { "0.0.0.0", NULL };
  g_autoptr(GError) error = NULL;
  KibitzTurnConfig config = {
    .listen_host = "127.0.0.1",
    .secret = SECRET,
    .relay_ips = relay_ips,
    .external_ip = "127.0.0.2",
  };
  g_autoptr(KibitzTurnServer) server = kibitz_turn_server_new (&config, &error);
  g_autoptr(KibitzTestTurnClient) alice = NULL;
  g_autoptr(KibitzTestTurnClient) bob = NULL;
  KibitzStunAddress alice_relay, bob_relay;
  KibitzTurnMetrics metrics;

  g_assert_no_error (error);
  g_assert_true (kibitz_turn_server_start (server, &error));
  alice = allocated_client (FALSE, kibitz_turn_server_get_port (server), "p-alice", 0, &alice_relay);
  bob = allocated_client (FALSE, kibitz_turn_server_get_port (server), "p-bob", 0, &bob_relay);

  indications_both_ways (alice, &alice_relay, bob, &bob_relay);

  kibitz_turn_server_get_metrics (server, &metrics);
  g_assert_cmpuint (metrics.internal_packets, ==, 0);
  g_assert_cmpuint (metrics.packets_from_peers, ==, 2);
}

static void
test_bound_addresses (void)
{
  g_autoptr(GError) error = NULL;
  static const char * const extra[] = { "127.0.0.1:0", NULL };
  KibitzTurnConfig config = {
    .listen_host = "127.0.0.1",
    .secret = SECRET,
    .extra_tcp = extra,
  };
  g_autoptr(KibitzTurnServer) server = kibitz_turn_server_new (&config, &error);
  g_autofree char *udp = NULL, *tcp = NULL, *expected = NULL;
  g_auto(GStrv) extra_bound = NULL;

  g_assert_no_error (error);
  udp = kibitz_turn_server_get_udp_address (server);
  tcp = kibitz_turn_server_get_tcp_address (server);
  expected = g_strdup_printf ("127.0.0.1:%u", kibitz_turn_server_get_port (server));
  g_assert_cmpstr (udp, ==, expected);
  g_assert_cmpstr (tcp, ==, expected);
  extra_bound = kibitz_turn_server_get_extra_tcp_addresses (server);
  g_assert_cmpuint (g_strv_length (extra_bound), ==, 1);
  g_assert_true (g_str_has_prefix (extra_bound[0], "127.0.0.1:"));
  g_assert_cmpstr (extra_bound[0], !=, "127.0.0.1:0");
}

static void
test_config_errors (void)
{
  static const char * const bad_peer[] = { "not-a-range", NULL };
  KibitzTurnConfig no_secret = { .listen_host = "127.0.0.1" };
  KibitzTurnConfig wildcard = { .listen_host = "0.0.0.0", .secret = SECRET };
  KibitzTurnConfig bad_allow = { .listen_host = "127.0.0.1", .secret = SECRET,
                                 .allow_peers = bad_peer };
  const KibitzTurnConfig *configs[] = { &no_secret, &wildcard, &bad_allow };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (configs); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(KibitzTurnServer) server = kibitz_turn_server_new (configs[i], &error);

      g_assert_null (server);
      g_assert_nonnull (error);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, data, setup, func) \
  g_test_add (path, Fixture, GINT_TO_POINTER (data), setup, func, teardown)

  ADD ("/turn/server/binding-udp", FALSE, setup_default, test_binding);
  ADD ("/turn/server/binding-tcp", TRUE, setup_default, test_binding);
  ADD ("/turn/server/relay-udp", FALSE, setup_allowed, test_relay);
  ADD ("/turn/server/relay-tcp", TRUE, setup_allowed, test_relay);
  ADD ("/turn/server/wrong-credentials", FALSE, setup_default, test_wrong_credentials);
  ADD ("/turn/server/stale-nonce", FALSE, setup_default, test_stale_nonce);
  ADD ("/turn/server/denied-peers", FALSE, setup_default, test_denied_peers);
  ADD ("/turn/server/self-relay", FALSE, setup_default, test_self_relay);
  ADD ("/turn/server/internal-delivery-udp", FALSE, setup_allowed, test_internal_delivery);
  ADD ("/turn/server/internal-delivery-tcp", TRUE, setup_allowed, test_internal_delivery);
  ADD ("/turn/server/quota", FALSE, setup_quota_one, test_quota);
  ADD ("/turn/server/allocation-mismatch", FALSE, setup_default, test_allocation_mismatch);
  ADD ("/turn/server/bad-requests", FALSE, setup_allowed, test_bad_requests);
  ADD ("/turn/server/even-port-reservation", FALSE, setup_default, test_even_port_reservation);
  g_test_add_func ("/turn/server/ipv6-relay", test_ipv6_relay);
  g_test_add_func ("/turn/server/internal-delivery-ipv6", test_internal_delivery_ipv6);
  g_test_add_data_func ("/turn/server/internal-delivery-external-ip", GINT_TO_POINTER (FALSE),
                        test_internal_delivery_external_ip);
  g_test_add_data_func ("/turn/server/internal-delivery-external-ip-allowed", GINT_TO_POINTER (TRUE),
                        test_internal_delivery_external_ip);
  g_test_add_func ("/turn/server/wildcard-relay-uses-kernel", test_wildcard_relay_uses_kernel);
  g_test_add_func ("/turn/server/expiry", test_expiry);
  g_test_add_func ("/turn/server/address-quota", test_address_quota);
  g_test_add_func ("/turn/server/usage-expiry", test_usage_expiry);
  g_test_add_func ("/turn/server/bound-addresses", test_bound_addresses);
  g_test_add_func ("/turn/server/config-errors", test_config_errors);

  return g_test_run ();
}
