/* kibitz-process.h: what a process running the call engine sets up first.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Call before gst_init() and before anything else that may use OpenSSL. */
void kibitz_process_init (void);

G_END_DECLS
