/* kibitz-forwarded.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "kibitz-forwarded.h"

struct _KibitzForwarded {
  GPtrArray *trusted;    /* GInetAddressMask * */
};

KibitzForwarded *
kibitz_forwarded_new (const char * const *trusted_proxies)
{
  KibitzForwarded *self = g_new0 (KibitzForwarded, 1);

  self->trusted = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; trusted_proxies && trusted_proxies[i]; i++)
    {
      GInetAddressMask *mask = g_inet_address_mask_new_from_string (trusted_proxies[i], NULL);

      if (mask)
        g_ptr_array_add (self->trusted, mask);
    }

  return self;
}

void
kibitz_forwarded_free (KibitzForwarded *self)
{
  if (self == NULL)
    return;

  g_ptr_array_unref (self->trusted);
  g_free (self);
}

/* An IPv4 client on a dual-stack socket shows up as ::ffff:a.b.c.d. */
static GInetAddress *
parse_address (const char *text)
{
  static const guint8 v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
  g_autoptr(GInetAddress) address = text ? g_inet_address_new_from_string (text) : NULL;
  const guint8 *bytes;

  if (address == NULL || g_inet_address_get_family (address) != G_SOCKET_FAMILY_IPV6)
    return g_steal_pointer (&address);

  bytes = g_inet_address_to_bytes (address);
  if (memcmp (bytes, v4_mapped, sizeof v4_mapped) != 0)
    return g_steal_pointer (&address);

  return g_inet_address_new_from_bytes (bytes + 12, G_SOCKET_FAMILY_IPV4);
}

static gboolean
matches (KibitzForwarded *self,
         GInetAddress    *address)
{
  for (guint i = 0; i < self->trusted->len; i++)
    {
      if (g_inet_address_mask_matches (g_ptr_array_index (self->trusted, i), address))
        return TRUE;
    }

  return FALSE;
}

gboolean
kibitz_forwarded_is_trusted (KibitzForwarded *self,
                             const char      *address)
{
  g_autoptr(GInetAddress) parsed = NULL;

  if (self->trusted->len == 0)
    return FALSE;

  parsed = parse_address (address);
  return parsed != NULL && matches (self, parsed);
}

/* The client's address for the per-address limit. From a trusted proxy: the
 * right-most X-Forwarded-For entry that is not itself a trusted proxy
 * (entries further left are whatever the client chose to send); a malformed
 * entry stops the walk, and the proxy's own address counts. Otherwise @peer.
 */
char *
kibitz_forwarded_client_address (KibitzForwarded *self,
                                 const char      *peer,
                                 const char      *forwarded_for)
{
  g_auto(GStrv) hops = NULL;

  if (peer == NULL)
    return g_strdup ("unknown");
  if (forwarded_for == NULL || !kibitz_forwarded_is_trusted (self, peer))
    return g_strdup (peer);

  hops = g_strsplit (forwarded_for, ",", -1);
  for (guint i = g_strv_length (hops); i > 0; i--)
    {
      g_autoptr(GInetAddress) address = parse_address (g_strstrip (hops[i - 1]));

      if (address == NULL)
        break;
      if (!matches (self, address))
        return g_inet_address_to_string (address);
    }

  return g_strdup (peer);
}

/* The first value of a forwarded header ("https, http" after two proxies:
 * the first is what the client used), trimmed; NULL when absent or empty.
 */
char *
kibitz_forwarded_first_value (const char *header)
{
  g_auto(GStrv) parts = NULL;

  if (header == NULL)
    return NULL;

  parts = g_strsplit (header, ",", 2);
  if (parts[0] == NULL)
    return NULL;

  g_strstrip (parts[0]);
  return parts[0][0] ? g_strdup (parts[0]) : NULL;
}

/* A host[:port] fit to put into a URL: no spaces, slashes or quotes. */
gboolean
kibitz_forwarded_is_plain_host (const char *host)
{
  if (host == NULL || *host == '\0')
    return FALSE;

  for (const char *p = host; *p; p++)
    {
      if (!g_ascii_isalnum (*p) && !strchr (".-_:[]", *p))
        return FALSE;
    }

  return TRUE;
}
