/* kibitz-forwarded.h: what a reverse proxy tells us about the client
 * (X-Forwarded-Proto, -Host, -For), believed only from trusted proxies.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _KibitzForwarded KibitzForwarded;

/* @trusted_proxies: addresses or CIDR ranges, already checked by the
 * configuration (an entry that does not parse is skipped). */
KibitzForwarded *kibitz_forwarded_new            (const char * const *trusted_proxies);
void             kibitz_forwarded_free           (KibitzForwarded    *self);

gboolean         kibitz_forwarded_is_trusted     (KibitzForwarded    *self,
                                                  const char         *address);
char            *kibitz_forwarded_client_address (KibitzForwarded    *self,
                                                  const char         *peer,
                                                  const char         *forwarded_for);
char            *kibitz_forwarded_first_value    (const char         *header);
gboolean         kibitz_forwarded_is_plain_host  (const char         *host);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KibitzForwarded, kibitz_forwarded_free)

G_END_DECLS
