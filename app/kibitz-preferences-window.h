/* kibitz-preferences-window.h: Preferences. "Teaching": the teacher key
 * for a server, saved in and removed from the keyring.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define KIBITZ_TYPE_PREFERENCES_WINDOW (kibitz_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (KibitzPreferencesWindow, kibitz_preferences_window, KIBITZ,
                      PREFERENCES_WINDOW, AdwPreferencesWindow)

/* server_url: the server the key is for at first (the lobby's). */
KibitzPreferencesWindow *kibitz_preferences_window_new (GtkWindow  *parent,
                                                        const char *server_url);

G_END_DECLS
