/* kibitz-window.h: the lobby, then the call.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "kibitz-call-page.h"

G_BEGIN_DECLS

#define KIBITZ_TYPE_WINDOW (kibitz_window_get_type ())
G_DECLARE_FINAL_TYPE (KibitzWindow, kibitz_window, KIBITZ, WINDOW, AdwApplicationWindow)

KibitzWindow   *kibitz_window_new           (GtkApplication *application);
void            kibitz_window_join          (KibitzWindow   *self,
                                             const char     *server_url,
                                             const char     *room,
                                             const char     *name);
KibitzCallPage *kibitz_window_get_call_page (KibitzWindow   *self);

G_END_DECLS
