/* kibitz-candidate.h: the parts of an ICE candidate line we check and report.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  char    *address;     /* an IP address or a host name (mDNS) */
  guint    port;
  guint    component;
  guint32  priority;
  char    *transport;   /* "udp" or "tcp" */
  char    *type;        /* "host", "srflx", "prflx" or "relay" */
} KibitzCandidate;

/* Parses "candidate:…" (or "a=candidate:…"). A garbage line gives a GError
 * (KIBITZ_CORE_ERROR_BAD_CANDIDATE) that says what is wrong. */
KibitzCandidate *kibitz_candidate_parse (const char       *line,
                                         GError          **error);
void             kibitz_candidate_free  (KibitzCandidate  *candidate);

/* For a relay candidate that OUR agent (libnice) gathered: how it reaches the
 * TURN server, "udp" or "tcp" (TCP or TLS), read from the type preference
 * libnice puts in the priority (30 for TURN over UDP, 20 otherwise). NULL for
 * any other candidate. Other agents encode this differently: never use it on
 * a remote candidate. */
const char      *kibitz_candidate_relay_transport (const KibitzCandidate *candidate);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KibitzCandidate, kibitz_candidate_free)

G_END_DECLS
