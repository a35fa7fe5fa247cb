/* kibitz-connection-window.h: the app's own webrtc-internals. For each
 * remote participant: connection state, direct or relayed, addresses, RTT,
 * bitrate in and out, loss; and a Copy button for support.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "kibitz-call.h"

G_BEGIN_DECLS

#define KIBITZ_TYPE_CONNECTION_WINDOW (kibitz_connection_window_get_type ())
G_DECLARE_FINAL_TYPE (KibitzConnectionWindow, kibitz_connection_window, KIBITZ,
                      CONNECTION_WINDOW, AdwWindow)

GtkWindow *kibitz_connection_window_new    (KibitzCall *call);

/* The same facts as plain text, one paragraph per participant (what Copy
 * puts on the clipboard). Untranslated field names would be easier for
 * support, but a parent reads it first: it is translated. */
char      *kibitz_connection_report        (KibitzCall *call);

G_END_DECLS
