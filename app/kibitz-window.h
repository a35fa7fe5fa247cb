/* kibitz-window.h: the lobby, then the call.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "kibitz-call-page.h"

G_BEGIN_DECLS

/* Actions: win.preferences (Preferences, with the lobby's server), win.about,
 * win.fullscreen. */
#define KIBITZ_TYPE_WINDOW (kibitz_window_get_type ())
G_DECLARE_FINAL_TYPE (KibitzWindow, kibitz_window, KIBITZ, WINDOW, AdwApplicationWindow)

KibitzWindow   *kibitz_window_new           (GtkApplication *application);
/* As if the user joined from the lobby: with the devices chosen there and
 * the teacher key the keyring has for server_url (looked up first). */
void            kibitz_window_join          (KibitzWindow   *self,
                                             const char     *server_url,
                                             const char     *room,
                                             const char     *name);
/* The same with an invite code (NULL: none). */
void            kibitz_window_join_invited  (KibitzWindow   *self,
                                             const char     *server_url,
                                             const char     *room,
                                             const char     *name,
                                             const char     *invite);
/* A teacher key for every join of this run, instead of the keyring's (not
 * stored: `kibitz --teacher-key`); NULL: the keyring's again. */
void            kibitz_window_set_teacher_key (KibitzWindow *self,
                                               const char   *key);
/* A kibitz: link or an invite link: the lobby filled in for that class, or
 * a sentence in the lobby saying what is wrong with it (FALSE). */
gboolean        kibitz_window_open_link     (KibitzWindow   *self,
                                             const char     *link);
/* The lobby filled in for a class (kibitz_lobby_page_fill()). */
void            kibitz_window_fill_lobby    (KibitzWindow   *self,
                                             const char     *server_url,
                                             const char     *room,
                                             const char     *invite);
KibitzCallPage *kibitz_window_get_call_page (KibitzWindow   *self);

G_END_DECLS
