/* kibitz-peer-address-policy.c
 *
 * By default the relay refuses every address that is not a public unicast
 * one: a TURN server reachable from the Internet must not become a way into
 * the network it sits in (coturn's "denied-peer-ip" advice and CVE-2020-26262).
 * IPv6 forms that embed an IPv4 address are judged by the embedded address or
 * refused outright.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-turn"

#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include "kibitz-peer-address-policy.h"

#define MAX_RANGES 64
#define MAX_SELF   8

typedef struct {
  guint8 family;
  guint8 prefix_length;
  guint8 addr[16];
} Range;

struct _KibitzPeerAddressPolicy {
  Range             allowed[MAX_RANGES];
  guint             n_allowed;
  KibitzStunAddress self[MAX_SELF];
  guint             n_self;
};

G_DEFINE_QUARK (kibitz-peer-address-policy-error-quark, kibitz_peer_address_policy_error)

/* IPv4 ranges that are not public unicast (RFC 6890 and friends). */
static const struct { guint32 network; guint prefix_length; } forbidden_v4[] = {
  { 0x00000000,  8 },  /* "this network", 0.0.0.0 */
  { 0x0A000000,  8 },  /* private */
  { 0x64400000, 10 },  /* CGNAT shared space */
  { 0x7F000000,  8 },  /* loopback */
  { 0xA9FE0000, 16 },  /* link-local */
  { 0xAC100000, 12 },  /* private */
  { 0xC0000000, 24 },  /* IETF protocol assignments */
  { 0xC0000200, 24 },  /* TEST-NET-1 */
  { 0xC0586300, 24 },  /* 6to4 relay anycast */
  { 0xC0A80000, 16 },  /* private */
  { 0xC6120000, 15 },  /* benchmarking */
  { 0xC6336400, 24 },  /* TEST-NET-2 */
  { 0xCB007100, 24 },  /* TEST-NET-3 */
  { 0xE0000000,  4 },  /* multicast */
  { 0xF0000000,  4 },  /* reserved, and 255.255.255.255 broadcast */
};

static gboolean
prefix_matches (const guint8 *addr,
                const guint8 *network,
                guint         prefix_length)
{
  guint whole = prefix_length / 8, bits = prefix_length % 8;

  if (memcmp (addr, network, whole) != 0)
    return FALSE;
  if (bits == 0)
    return TRUE;
  return ((addr[whole] ^ network[whole]) & (0xFF << (8 - bits))) == 0;
}

static gboolean
v4_is_forbidden (const guint8 *addr)
{
  guint32 value = ((guint32) addr[0] << 24) | (addr[1] << 16) | (addr[2] << 8) | addr[3];
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (forbidden_v4); i++)
    {
      guint32 mask = 0xFFFFFFFFu << (32 - forbidden_v4[i].prefix_length);

      if ((value & mask) == forbidden_v4[i].network)
        return TRUE;
    }
  return FALSE;
}

static gboolean
v6_has_prefix (const guint8 *addr,
               const char   *network,
               guint         prefix_length)
{
  guint8 bytes[16];

  if (inet_pton (AF_INET6, network, bytes) != 1)
    g_assert_not_reached ();
  return prefix_matches (addr, bytes, prefix_length);
}

static gboolean
v6_is_forbidden (const guint8 *addr)
{
  static const char * const always[] = {
    "::", "::ffff:0:0", "64:ff9b:1::", "100::", "2001::", "2001:2::", "2001:10::",
    "2001:db8::", "fc00::", "fe80::", "fec0::", "ff00::",
  };
  static const guint always_length[] = { 96, 96, 48, 64, 32, 48, 28, 32, 7, 10, 10, 8 };
  gsize i;

  G_STATIC_ASSERT (G_N_ELEMENTS (always) == G_N_ELEMENTS (always_length));

  /* Every IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d, which
   * covers :: and ::1) address, NAT64's local-use range, the discard prefix,
   * Teredo (which embeds an IPv4 address), benchmarking, ORCHID,
   * documentation, unique local, link-local, site-local and multicast. */
  for (i = 0; i < G_N_ELEMENTS (always); i++)
    if (v6_has_prefix (addr, always[i], always_length[i]))
      return TRUE;

  /* NAT64 (64:ff9b::a.b.c.d) and 6to4 (2002:aabb:ccdd::) reach an IPv4
   * address: judge that one. */
  if (v6_has_prefix (addr, "64:ff9b::", 96))
    return v4_is_forbidden (addr + 12);
  if (v6_has_prefix (addr, "2002::", 16))
    return v4_is_forbidden (addr + 2);

  return FALSE;
}

gboolean
kibitz_peer_address_is_forbidden (const KibitzStunAddress *peer)
{
  if (peer->family == KIBITZ_STUN_FAMILY_IPV4)
    return v4_is_forbidden (peer->addr);
  if (peer->family == KIBITZ_STUN_FAMILY_IPV6)
    return v6_is_forbidden (peer->addr);
  return TRUE;
}

KibitzPeerAddressPolicy *
kibitz_peer_address_policy_new (void)
{
  return g_new0 (KibitzPeerAddressPolicy, 1);
}

void
kibitz_peer_address_policy_free (KibitzPeerAddressPolicy *policy)
{
  g_free (policy);
}

/* Accepts "192.0.2.0/24", "fd00::/8", or a bare address (a single host). */
gboolean
kibitz_peer_address_policy_allow (KibitzPeerAddressPolicy  *policy,
                                  const char               *cidr,
                                  GError                  **error)
{
  g_autofree char *host = NULL;
  const char *slash = strchr (cidr, '/');
  Range range = { 0 };
  guint64 prefix_length;
  guint max;

  if (policy->n_allowed == MAX_RANGES)
    {
      g_set_error (error, KIBITZ_PEER_ADDRESS_POLICY_ERROR,
                   KIBITZ_PEER_ADDRESS_POLICY_ERROR_INVALID,
                   "Too many allowed peer ranges: at most %d can be given", MAX_RANGES);
      return FALSE;
    }

  host = slash ? g_strndup (cidr, slash - cidr) : g_strdup (cidr);
  if (inet_pton (AF_INET, host, range.addr) == 1)
    range.family = KIBITZ_STUN_FAMILY_IPV4;
  else if (inet_pton (AF_INET6, host, range.addr) == 1)
    range.family = KIBITZ_STUN_FAMILY_IPV6;
  else
    goto invalid;

  max = range.family == KIBITZ_STUN_FAMILY_IPV4 ? 32 : 128;
  if (slash == NULL)
    prefix_length = max;
  else if (!g_ascii_string_to_unsigned (slash + 1, 10, 0, max, &prefix_length, NULL))
    goto invalid;

  range.prefix_length = prefix_length;
  policy->allowed[policy->n_allowed++] = range;
  return TRUE;

invalid:
  g_set_error (error, KIBITZ_PEER_ADDRESS_POLICY_ERROR, KIBITZ_PEER_ADDRESS_POLICY_ERROR_INVALID,
               "“%s” is not an address range: write it like 127.0.0.0/8, 192.0.2.7 or fd00::/8",
               cidr);
  return FALSE;
}

/* The relay's own addresses: permissions to them are accepted so that two
 * clients of this server can reach each other relay to relay (coturn#584). */
void
kibitz_peer_address_policy_add_self (KibitzPeerAddressPolicy *policy,
                                     const KibitzStunAddress *address)
{
  guint i;

  for (i = 0; i < policy->n_self; i++)
    if (policy->self[i].family == address->family &&
        memcmp (policy->self[i].addr, address->addr, 16) == 0)
      return;

  if (policy->n_self < MAX_SELF)
    {
      policy->self[policy->n_self] = *address;
      policy->self[policy->n_self].port = 0;
      policy->n_self++;
    }
}

KibitzPeerVerdict
kibitz_peer_address_policy_check (const KibitzPeerAddressPolicy *policy,
                                  const KibitzStunAddress       *peer)
{
  guint i;

  for (i = 0; i < policy->n_allowed; i++)
    if (policy->allowed[i].family == peer->family &&
        prefix_matches (peer->addr, policy->allowed[i].addr, policy->allowed[i].prefix_length))
      return KIBITZ_PEER_ALLOWED;

  for (i = 0; i < policy->n_self; i++)
    if (policy->self[i].family == peer->family &&
        memcmp (policy->self[i].addr, peer->addr,
                peer->family == KIBITZ_STUN_FAMILY_IPV4 ? 4 : 16) == 0)
      return KIBITZ_PEER_SELF;

  return kibitz_peer_address_is_forbidden (peer) ? KIBITZ_PEER_DENIED : KIBITZ_PEER_ALLOWED;
}
