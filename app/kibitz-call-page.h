/* kibitz-call-page.h: the grid of participants in one joined room.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "kibitz-call.h"
#include "kibitz-join-request.h"
#include "kibitz-participant-tile.h"

G_BEGIN_DECLS

/* Signals: ::closed () when the user left, or went back after a failure.
 * Properties (and the stateful actions call.microphone, call.camera,
 * call.hand, call.chat): microphone-enabled, camera-enabled, hand-raised,
 * chat-open. */
#define KIBITZ_TYPE_CALL_PAGE (kibitz_call_page_get_type ())
G_DECLARE_FINAL_TYPE (KibitzCallPage, kibitz_call_page, KIBITZ, CALL_PAGE, GtkWidget)

/* Joins the class the lobby asked for (copied), leaving any call before. */
void                   kibitz_call_page_join          (KibitzCallPage          *self,
                                                       const KibitzJoinRequest *request);
void                   kibitz_call_page_send_chat     (KibitzCallPage *self,
                                                       const char     *text);
/* Every chat message of this call so far, as "name: text" lines. */
const char            *kibitz_call_page_get_chat_log  (KibitzCallPage *self);
/* Remote audio buffers that reached the speakers (through the echo probe). */
guint64                kibitz_call_page_get_audio_buffers_played (KibitzCallPage *self);
/* The call in progress, or NULL. */
KibitzCall            *kibitz_call_page_get_call      (KibitzCallPage *self);
void                   kibitz_call_page_leave         (KibitzCallPage *self);
/* The tile of a remote participant called name, or NULL. */
KibitzParticipantTile *kibitz_call_page_find_tile     (KibitzCallPage *self,
                                                       const char     *name);
KibitzParticipantTile *kibitz_call_page_get_self_tile (KibitzCallPage *self);
guint                  kibitz_call_page_get_n_remote  (KibitzCallPage *self);
/* The engine's sentence when the call failed, else NULL. */
const char            *kibitz_call_page_get_error     (KibitzCallPage *self);

G_END_DECLS
