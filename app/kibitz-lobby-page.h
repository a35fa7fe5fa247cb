/* kibitz-lobby-page.h: name, room and server, camera and microphone with a
 * live preview, recent rooms, then Join.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "kibitz-join-request.h"

G_BEGIN_DECLS

/* Signals: ::join (KibitzJoinRequest *): everything the call needs, at once. */
#define KIBITZ_TYPE_LOBBY_PAGE (kibitz_lobby_page_get_type ())
G_DECLARE_FINAL_TYPE (KibitzLobbyPage, kibitz_lobby_page, KIBITZ, LOBBY_PAGE, GtkWidget)

/* The chosen camera and microphone as engine sources: NULL for automatic
 * ($KIBITZ_VIDEO_SOURCE / $KIBITZ_AUDIO_SOURCE, else the system default),
 * "none", or an element with its device (e.g. "pulsesrc device=\"…\""). */
const char *kibitz_lobby_page_get_video_device (KibitzLobbyPage *self);
const char *kibitz_lobby_page_get_audio_device (KibitzLobbyPage *self);

/* A request to join room on server_url as name with the chosen devices. */
KibitzJoinRequest *kibitz_lobby_page_make_request (KibitzLobbyPage *self,
                                                   const char      *server_url,
                                                   const char      *room,
                                                   const char      *name) G_GNUC_WARN_UNUSED_RESULT;

/* Lets go of the camera (the call is about to open it); the preview starts
 * again when the lobby is shown again. */
void        kibitz_lobby_page_stop_preview     (KibitzLobbyPage *self);

/* The app's settings; in memory when the schema is not installed (running
 * from the build tree). */
GSettings *kibitz_settings_new (void) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
