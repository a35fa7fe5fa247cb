/* test-forwarded.c: which client address and which forwarded values the
 * server believes, without sockets (test-proxy.c does it with a server).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "kibitz-forwarded.h"

static void
assert_client (KibitzForwarded *forwarded,
               const char      *peer,
               const char      *forwarded_for,
               const char      *expected)
{
  g_autofree char *client = kibitz_forwarded_client_address (forwarded, peer, forwarded_for);

  g_assert_cmpstr (client, ==, expected);
}

static void
test_client_address (void)
{
  const char * const trusted[] = { "127.0.0.1", "10.0.0.0/24", "fd00::/64", "nonsense", NULL };
  g_autoptr(KibitzForwarded) forwarded = kibitz_forwarded_new (trusted);

  /* Straight from a client: its own address, whatever it sends. */
  assert_client (forwarded, "198.51.100.7", "203.0.113.1", "198.51.100.7");
  /* From the proxy: the address the proxy saw. */
  assert_client (forwarded, "127.0.0.1", "198.51.100.7", "198.51.100.7");
  assert_client (forwarded, "127.0.0.1", " 198.51.100.7 ", "198.51.100.7");
  /* An IPv4 proxy on a dual-stack socket. */
  assert_client (forwarded, "::ffff:127.0.0.1", "198.51.100.7", "198.51.100.7");
  /* Two proxies; the client's own left-most claim is not believed. */
  assert_client (forwarded, "10.0.0.5", "1.2.3.4, 198.51.100.7, 127.0.0.1", "198.51.100.7");
  assert_client (forwarded, "fd00::2", "2001:db8::7, fd00::1", "2001:db8::7");
  /* Nothing usable: the proxy's own address counts. */
  assert_client (forwarded, "127.0.0.1", NULL, "127.0.0.1");
  assert_client (forwarded, "127.0.0.1", "unknown", "127.0.0.1");
  assert_client (forwarded, "127.0.0.1", "127.0.0.1, 10.0.0.9", "127.0.0.1");
  assert_client (forwarded, NULL, "198.51.100.7", "unknown");
}

static void
test_nobody_trusted (void)
{
  g_autoptr(KibitzForwarded) forwarded = kibitz_forwarded_new (NULL);

  g_assert_false (kibitz_forwarded_is_trusted (forwarded, "127.0.0.1"));
  assert_client (forwarded, "127.0.0.1", "198.51.100.7", "127.0.0.1");
}

static void
test_values (void)
{
  g_autofree char *first = kibitz_forwarded_first_value ("https, http");
  g_autofree char *single = kibitz_forwarded_first_value (" https ");
  g_autofree char *empty = kibitz_forwarded_first_value (" , http");

  g_assert_cmpstr (first, ==, "https");
  g_assert_cmpstr (single, ==, "https");
  g_assert_null (empty);
  g_assert_null (kibitz_forwarded_first_value (NULL));

  g_assert_true (kibitz_forwarded_is_plain_host ("class.school.example"));
  g_assert_true (kibitz_forwarded_is_plain_host ("class.school.example:8443"));
  g_assert_true (kibitz_forwarded_is_plain_host ("[2001:db8::1]:443"));
  g_assert_false (kibitz_forwarded_is_plain_host ("evil.example/x"));
  g_assert_false (kibitz_forwarded_is_plain_host ("a\"b"));
  g_assert_false (kibitz_forwarded_is_plain_host ("a b"));
  g_assert_false (kibitz_forwarded_is_plain_host (""));
  g_assert_false (kibitz_forwarded_is_plain_host (NULL));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/forwarded/client-address", test_client_address);
  g_test_add_func ("/server/forwarded/nobody-trusted", test_nobody_trusted);
  g_test_add_func ("/server/forwarded/values", test_values);

  return g_test_run ();
}
