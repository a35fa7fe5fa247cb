/* kibitz-candidate.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <gio/gio.h>

#include "kibitz-candidate.h"
#include "kibitz-core-error.h"

static gboolean
parse_uint (const char *s,
            guint64     max,
            guint64    *out)
{
  char *end = NULL;

  if (s[0] == '\0' || !g_ascii_isdigit (s[0]))
    return FALSE;
  *out = g_ascii_strtoull (s, &end, 10);
  return *end == '\0' && *out <= max;
}

static gboolean
is_host_name (const char *s)
{
  if (s[0] == '\0' || strlen (s) > 253)
    return FALSE;
  for (const char *p = s; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '.')
      return FALSE;
  return TRUE;
}

static KibitzCandidate *
bad (GError    **error,
     const char *line,
     const char *why)
{
  g_set_error (error, KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_BAD_CANDIDATE,
               "Bad ICE candidate “%.80s”: %s", line, why);
  return NULL;
}

KibitzCandidate *
kibitz_candidate_parse (const char  *line,
                        GError     **error)
{
  g_autoptr(KibitzCandidate) c = NULL;
  g_auto(GStrv) f = NULL;
  const char *s = line;
  guint64 v;

  if (line == NULL)
    return bad (error, "", "missing");
  if (g_str_has_prefix (s, "a="))
    s += 2;
  if (!g_str_has_prefix (s, "candidate:"))
    return bad (error, line, "it does not start with “candidate:”");

  f = g_strsplit (s + strlen ("candidate:"), " ", -1);
  if (g_strv_length (f) < 8)
    return bad (error, line, "it has fewer than 8 fields");
  if (f[0][0] == '\0')
    return bad (error, line, "the foundation is empty");

  c = g_new0 (KibitzCandidate, 1);
  if (!parse_uint (f[1], 256, &v) || v == 0)
    return bad (error, line, "the component is not a number from 1 to 256");
  c->component = (guint) v;
  if (g_ascii_strcasecmp (f[2], "udp") != 0 && g_ascii_strcasecmp (f[2], "tcp") != 0)
    return bad (error, line, "the transport is neither UDP nor TCP");
  c->transport = g_ascii_strdown (f[2], -1);
  if (!parse_uint (f[3], G_MAXUINT32, &v))
    return bad (error, line, "the priority is not a number");
  c->priority = (guint32) v;
  if (!g_hostname_is_ip_address (f[4]) && !is_host_name (f[4]))
    return bad (error, line, "the address is neither an IP address nor a host name");
  c->address = g_strdup (f[4]);
  if (!parse_uint (f[5], 65535, &v))
    return bad (error, line, "the port is not a number from 0 to 65535");
  c->port = (guint) v;
  if (!g_str_equal (f[6], "typ"))
    return bad (error, line, "“typ” is missing");
  if (!g_str_equal (f[7], "host") && !g_str_equal (f[7], "srflx") &&
      !g_str_equal (f[7], "prflx") && !g_str_equal (f[7], "relay"))
    return bad (error, line, "the type is not host, srflx, prflx or relay");
  c->type = g_strdup (f[7]);

  return g_steal_pointer (&c);
}

/* libnice 0.1.21 agent/candidate-priv.h: NICE_CANDIDATE_TYPE_PREF_RELAYED_UDP
 * and NICE_CANDIDATE_TYPE_PREF_RELAYED. */
#define NICE_TYPE_PREF_RELAYED_UDP 30
#define NICE_TYPE_PREF_RELAYED     20

const char *
kibitz_candidate_relay_transport (const KibitzCandidate *candidate)
{
  g_return_val_if_fail (candidate != NULL, NULL);

  if (!g_str_equal (candidate->type, "relay"))
    return NULL;
  switch (candidate->priority >> 24)
    {
    case NICE_TYPE_PREF_RELAYED_UDP:
      return "udp";
    case NICE_TYPE_PREF_RELAYED:
      return "tcp";
    default:
      return NULL;
    }
}

void
kibitz_candidate_free (KibitzCandidate *candidate)
{
  if (candidate == NULL)
    return;
  g_free (candidate->address);
  g_free (candidate->transport);
  g_free (candidate->type);
  g_free (candidate);
}
