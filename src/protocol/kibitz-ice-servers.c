/* kibitz-ice-servers.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "kibitz-ice-servers.h"
#include "kibitz-protocol-error.h"

#define STUN_DEFAULT_PORT 3478
#define TURNS_DEFAULT_PORT 5349

static gboolean
bad_url (GError    **error,
         const char *url,
         const char *why)
{
  g_set_error (error, KIBITZ_PROTOCOL_ERROR, KIBITZ_PROTOCOL_ERROR_BAD_REQUEST,
               "ICE server URL “%s” %s", url, why);
  return FALSE;
}

/* Splits "host[:port]" or "[v6]:port" into host and port. */
static gboolean
parse_host_port (const char  *url,
                 const char  *hostport,
                 guint        default_port,
                 char       **host,
                 guint       *port,
                 GError     **error)
{
  const char *port_str = NULL;
  g_autofree char *h = NULL;

  if (hostport[0] == '[')
    {
      const char *end = strchr (hostport, ']');

      if (end == NULL || end == hostport + 1)
        return bad_url (error, url, "has a malformed IPv6 address");
      h = g_strndup (hostport, end - hostport + 1);
      if (end[1] == ':')
        port_str = end + 2;
      else if (end[1] != '\0')
        return bad_url (error, url, "has junk after the IPv6 address");
    }
  else
    {
      const char *colon = strchr (hostport, ':');

      h = colon ? g_strndup (hostport, colon - hostport) : g_strdup (hostport);
      port_str = colon ? colon + 1 : NULL;
    }

  if (h[0] == '\0')
    return bad_url (error, url, "has no host");

  *port = default_port;
  if (port_str != NULL)
    {
      char *end = NULL;
      guint64 p = g_ascii_strtoull (port_str, &end, 10);

      if (port_str[0] == '\0' || *end != '\0' || p == 0 || p > 65535)
        return bad_url (error, url, "has an invalid port");
      *port = (guint) p;
    }

  *host = g_steal_pointer (&h);
  return TRUE;
}

/* Only `transport=udp|tcp` survives: webrtcbin rejects any other query key. */
static gboolean
parse_transport (const char  *url,
                 const char  *query,
                 const char **transport,
                 GError     **error)
{
  g_auto(GStrv) params = g_strsplit (query, "&", -1);

  for (guint i = 0; params[i] != NULL; i++)
    {
      if (g_str_equal (params[i], "transport=udp"))
        *transport = "udp";
      else if (g_str_equal (params[i], "transport=tcp"))
        *transport = "tcp";
      else if (g_str_has_prefix (params[i], "transport="))
        return bad_url (error, url, "has a transport other than udp or tcp");
    }

  return TRUE;
}

static char *
escape (const char *s)
{
  /* No reserved characters allowed: ':' '+' '/' '=' '@' all become %XX. */
  return g_uri_escape_string (s, NULL, FALSE);
}

char *
kibitz_ice_server_url_to_webrtc (const char  *url,
                                 const char  *username,
                                 const char  *credential,
                                 GError     **error)
{
  g_autofree char *rest = NULL;
  g_autofree char *host = NULL;
  g_autofree char *user = NULL;
  g_autofree char *pass = NULL;
  const char *scheme;
  const char *transport;
  char *query;
  guint default_port;
  guint port;

  g_return_val_if_fail (url != NULL, NULL);

  if (g_str_has_prefix (url, "stun:"))
    scheme = "stun", default_port = STUN_DEFAULT_PORT, transport = NULL;
  else if (g_str_has_prefix (url, "turn:"))
    scheme = "turn", default_port = STUN_DEFAULT_PORT, transport = "udp";
  else if (g_str_has_prefix (url, "turns:"))
    scheme = "turns", default_port = TURNS_DEFAULT_PORT, transport = "tcp";
  else
    {
      bad_url (error, url, "has an unknown scheme");
      return NULL;
    }

  rest = g_strdup (url + strlen (scheme) + 1);
  /* Browsers accept "stun://host" too; be as lenient. */
  if (g_str_has_prefix (rest, "//"))
    memmove (rest, rest + 2, strlen (rest + 2) + 1);

  if ((query = strchr (rest, '?')) != NULL)
    {
      *query++ = '\0';
      if (g_str_equal (scheme, "stun"))
        query = NULL;
      else if (!parse_transport (url, query, &transport, error))
        return NULL;
    }

  if (!parse_host_port (url, rest, default_port, &host, &port, error))
    return NULL;

  if (g_str_equal (scheme, "stun"))
    return g_strdup_printf ("stun://%s:%u", host, port);

  if (username == NULL || credential == NULL || username[0] == '\0')
    {
      bad_url (error, url, "needs a username and a credential");
      return NULL;
    }

  user = escape (username);
  pass = escape (credential);
  return g_strdup_printf ("%s://%s:%s@%s:%u?transport=%s", scheme, user, pass, host, port,
                          transport);
}

static gboolean
convert_server (JsonObject *server,
                char      **stun_uri,
                GPtrArray  *turn,
                GError    **error)
{
  JsonNode *urls_node = json_object_get_member (server, "urls");
  const char *username = NULL;
  const char *credential = NULL;
  g_autoptr(GPtrArray) urls = g_ptr_array_new ();

  if (json_object_has_member (server, "username"))
    username = json_object_get_string_member_with_default (server, "username", NULL);
  if (json_object_has_member (server, "credential"))
    credential = json_object_get_string_member_with_default (server, "credential", NULL);

  /* protocol.md says urls is always an array; RTCIceServer also allows a string. */
  if (urls_node != NULL && JSON_NODE_HOLDS_VALUE (urls_node) &&
      json_node_get_value_type (urls_node) == G_TYPE_STRING)
    g_ptr_array_add (urls, (gpointer) json_node_get_string (urls_node));
  else if (urls_node != NULL && JSON_NODE_HOLDS_ARRAY (urls_node))
    {
      JsonArray *array = json_node_get_array (urls_node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *n = json_array_get_element (array, i);

          if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
            {
              g_set_error (error, KIBITZ_PROTOCOL_ERROR, KIBITZ_PROTOCOL_ERROR_BAD_REQUEST,
                           "ICE server “urls” must hold strings");
              return FALSE;
            }
          g_ptr_array_add (urls, (gpointer) json_node_get_string (n));
        }
    }
  else
    {
      g_set_error (error, KIBITZ_PROTOCOL_ERROR, KIBITZ_PROTOCOL_ERROR_BAD_REQUEST,
                   "an ICE server needs “urls”, an array of strings");
      return FALSE;
    }

  for (guint i = 0; i < urls->len; i++)
    {
      const char *url = g_ptr_array_index (urls, i);
      char *uri;

      if (!g_str_has_prefix (url, "stun:") && !g_str_has_prefix (url, "turn:") &&
          !g_str_has_prefix (url, "turns:"))
        continue;
      if (g_str_has_prefix (url, "stun:") && *stun_uri != NULL)
        continue;
      /* A server whose relay belongs to the class (protocol.md §4) lists its
       * TURN URLs in /v1/config without credentials, which only the welcome
       * carries: nothing to use yet, not an error. */
      if (!g_str_has_prefix (url, "stun:") && username == NULL && credential == NULL)
        continue;
      if (!(uri = kibitz_ice_server_url_to_webrtc (url, username, credential, error)))
        return FALSE;
      if (g_str_has_prefix (uri, "stun:"))
        *stun_uri = uri;
      else
        g_ptr_array_add (turn, uri);
    }

  return TRUE;
}

gboolean
kibitz_ice_servers_to_webrtc (JsonArray  *ice_servers,
                              char      **stun_uri,
                              GStrv      *turn_uris,
                              GError    **error)
{
  g_autoptr(GPtrArray) turn = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *stun = NULL;

  g_return_val_if_fail (stun_uri != NULL && turn_uris != NULL, FALSE);

  for (guint i = 0; ice_servers != NULL && i < json_array_get_length (ice_servers); i++)
    {
      JsonNode *n = json_array_get_element (ice_servers, i);

      if (!JSON_NODE_HOLDS_OBJECT (n))
        {
          g_set_error (error, KIBITZ_PROTOCOL_ERROR, KIBITZ_PROTOCOL_ERROR_BAD_REQUEST,
                       "“ice_servers” must hold objects");
          return FALSE;
        }
      if (!convert_server (json_node_get_object (n), &stun, turn, error))
        return FALSE;
    }

  g_ptr_array_add (turn, NULL);
  *stun_uri = g_steal_pointer (&stun);
  *turn_uris = (GStrv) g_ptr_array_steal (turn, NULL);
  return TRUE;
}
