/* test-peer-address-policy.c: the relay's deny list, in every encoding.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <arpa/inet.h>

#include "kibitz-peer-address-policy.h"

static KibitzStunAddress
address (const char *text)
{
  KibitzStunAddress result = { 0 };

  if (inet_pton (AF_INET, text, result.addr) == 1)
    result.family = KIBITZ_STUN_FAMILY_IPV4;
  else if (inet_pton (AF_INET6, text, result.addr) == 1)
    result.family = KIBITZ_STUN_FAMILY_IPV6;
  else
    g_error ("bad test address %s", text);
  result.port = 5000;
  return result;
}

static void
test_forbidden_by_default (void)
{
  static const char * const forbidden[] = {
    "0.0.0.0", "0.1.2.3", "10.0.0.1", "10.255.255.255", "100.64.0.1", "100.127.255.254",
    "127.0.0.1", "127.255.255.255", "169.254.169.254", "172.16.0.1", "172.31.255.255",
    "192.0.0.8", "192.0.2.1", "192.88.99.1", "192.168.1.1", "198.18.0.1", "198.19.255.255",
    "198.51.100.1", "203.0.113.1", "224.0.0.1", "239.255.255.250", "240.0.0.1",
    "255.255.255.255",
    "::", "::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:8.8.8.8", "::127.0.0.1",
    "::10.0.0.1", "64:ff9b::127.0.0.1", "64:ff9b::a00:1", "64:ff9b::169.254.169.254",
    "64:ff9b:1::1", "2002:7f00:1::1", "2002:a00:1::", "2002:c0a8:101::1", "2001::1",
    "2001:db8::1", "fc00::1", "fd12:3456::1", "fe80::1", "febf::1", "fec0::1", "ff02::1",
    "ff0e::1", "100::1",
  };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (forbidden); i++)
    {
      KibitzStunAddress peer = address (forbidden[i]);

      if (!kibitz_peer_address_is_forbidden (&peer))
        g_error ("%s should be forbidden", forbidden[i]);
    }
}

static void
test_public_addresses_are_allowed (void)
{
  static const char * const allowed[] = {
    "8.8.8.8", "1.1.1.1", "11.0.0.1", "100.63.255.255", "100.128.0.0", "172.15.255.255",
    "172.32.0.0", "192.167.255.255", "193.0.0.1", "223.255.255.255",
    "2001:4860:4860::8888", "2606:4700::1111", "64:ff9b::808:808", "2002:808:808::1",
  };
  g_autoptr(KibitzPeerAddressPolicy) policy = kibitz_peer_address_policy_new ();
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (allowed); i++)
    {
      KibitzStunAddress peer = address (allowed[i]);

      if (kibitz_peer_address_is_forbidden (&peer))
        g_error ("%s should be allowed", allowed[i]);
      g_assert_cmpint (kibitz_peer_address_policy_check (policy, &peer), ==, KIBITZ_PEER_ALLOWED);
    }
}

static void
test_allow_ranges (void)
{
  g_autoptr(KibitzPeerAddressPolicy) policy = kibitz_peer_address_policy_new ();
  g_autoptr(GError) error = NULL;
  KibitzStunAddress peer;

  g_assert_true (kibitz_peer_address_policy_allow (policy, "127.0.0.0/8", &error));
  g_assert_true (kibitz_peer_address_policy_allow (policy, "10.1.2.3", &error));
  g_assert_true (kibitz_peer_address_policy_allow (policy, "fd00::/8", &error));
  g_assert_no_error (error);

  peer = address ("127.4.5.6");
  g_assert_cmpint (kibitz_peer_address_policy_check (policy, &peer), ==, KIBITZ_PEER_ALLOWED);
  peer = address ("10.1.2.3");
  g_assert_cmpint (kibitz_peer_address_policy_check (policy, &peer), ==, KIBITZ_PEER_ALLOWED);
  peer = address ("10.1.2.4");
  g_assert_cmpint (kibitz_peer_address_policy_check (policy, &peer), ==, KIBITZ_PEER_DENIED);
  peer = address ("fd99::1");
  g_assert_cmpint (kibitz_peer_address_policy_check (policy, &peer), ==, KIBITZ_PEER_ALLOWED);
  /* An allowed IPv4 range does not open its IPv4-mapped form. */
  peer = address ("::ffff:127.0.0.1");
  g_assert_cmpint (kibitz_peer_address_policy_check (policy, &peer), ==, KIBITZ_PEER_DENIED);

  g_assert_false (kibitz_peer_address_policy_allow (policy, "127.0.0.0/33", &error));
  g_assert_error (error, KIBITZ_PEER_ADDRESS_POLICY_ERROR, KIBITZ_PEER_ADDRESS_POLICY_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (kibitz_peer_address_policy_allow (policy, "localhost", &error));
  g_assert_error (error, KIBITZ_PEER_ADDRESS_POLICY_ERROR, KIBITZ_PEER_ADDRESS_POLICY_ERROR_INVALID);
}

static void
test_self_is_exempt (void)
{
  g_autoptr(KibitzPeerAddressPolicy) policy = kibitz_peer_address_policy_new ();
  g_autoptr(GError) error = NULL;
  KibitzStunAddress self = address ("127.0.0.1"), peer;

  kibitz_peer_address_policy_add_self (policy, &self);
  peer = address ("127.0.0.1");
  g_assert_cmpint (kibitz_peer_address_policy_check (policy, &peer), ==, KIBITZ_PEER_SELF);
  peer = address ("127.0.0.2");
  g_assert_cmpint (kibitz_peer_address_policy_check (policy, &peer), ==, KIBITZ_PEER_DENIED);

  /* An allowed range that covers it wins: any port then. */
  g_assert_true (kibitz_peer_address_policy_allow (policy, "127.0.0.0/8", &error));
  peer = address ("127.0.0.1");
  g_assert_cmpint (kibitz_peer_address_policy_check (policy, &peer), ==, KIBITZ_PEER_ALLOWED);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/turn/peer-policy/forbidden-by-default", test_forbidden_by_default);
  g_test_add_func ("/turn/peer-policy/public-addresses-are-allowed",
                   test_public_addresses_are_allowed);
  g_test_add_func ("/turn/peer-policy/allow-ranges", test_allow_ranges);
  g_test_add_func ("/turn/peer-policy/self-is-exempt", test_self_is_exempt);

  return g_test_run ();
}
