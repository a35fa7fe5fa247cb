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

/* Fills the lobby for a class: the server (NULL: keep the row's), the
 * room, and an invite code (NULL: none) that then decides the room and is
 * shown as "Invited to the class …" until the user drops it. The name
 * field takes the focus unless a name is remembered, else Join does. */
void        kibitz_lobby_page_fill             (KibitzLobbyPage *self,
                                                const char      *server_url,
                                                const char      *room,
                                                const char      *invite);
/* A kibitz: link or an invite link (kibitz-join-link.h) fills the lobby;
 * anything else leaves it as it was and says why in the lobby. */
gboolean    kibitz_lobby_page_open_link        (KibitzLobbyPage *self,
                                                const char      *text);
/* The server's address as typed (trimmed). */
char       *kibitz_lobby_page_get_server       (KibitzLobbyPage *self) G_GNUC_WARN_UNUSED_RESULT;
/* The invite code a Join would use, or NULL. */
const char *kibitz_lobby_page_get_invite       (KibitzLobbyPage *self);

/* Lets go of the camera (the call is about to open it); the preview starts
 * again when the lobby is shown again. */
void        kibitz_lobby_page_stop_preview     (KibitzLobbyPage *self);

/* The app's settings; in memory when the schema is not installed (running
 * from the build tree). */
GSettings *kibitz_settings_new (void) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
