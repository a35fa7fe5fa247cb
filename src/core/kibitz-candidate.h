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
  char    *transport;   /* "udp" or "tcp" */
  char    *type;        /* "host", "srflx", "prflx" or "relay" */
} KibitzCandidate;

/* Parses "candidate:…" (or "a=candidate:…"). A garbage line gives a GError
 * (KIBITZ_CORE_ERROR_BAD_CANDIDATE) that says what is wrong. */
KibitzCandidate *kibitz_candidate_parse (const char       *line,
                                         GError          **error);
void             kibitz_candidate_free  (KibitzCandidate  *candidate);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KibitzCandidate, kibitz_candidate_free)

G_END_DECLS
