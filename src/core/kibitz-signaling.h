/* kibitz-signaling.h: the client side of protocol.md §2.
 *
 * Joins a room over a WebSocket and stays joined: when the socket drops or
 * the server falls silent for 15 s it reconnects (backoff capped at 3 s, plus
 * jitter) and joins again with its resume token, so the same id comes back
 * and peer-to-peer media never notices. Messages to peers sent while
 * reconnecting wait and go out after the next welcome.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "kibitz-message.h"

G_BEGIN_DECLS

typedef enum {
  KIBITZ_SIGNALING_IDLE,
  KIBITZ_SIGNALING_CONNECTING,
  KIBITZ_SIGNALING_JOINED,
  KIBITZ_SIGNALING_RECONNECTING,
  KIBITZ_SIGNALING_CLOSED,
  KIBITZ_SIGNALING_WAITING,      /* in a class's waiting room (protocol.md §4) */
} KibitzSignalingState;

/* Why a class sent us away (the ::failed error's domain, beside
 * KIBITZ_PROTOCOL_ERROR for refused joins). */
#define KIBITZ_SIGNALING_ERROR (kibitz_signaling_error_quark ())
typedef enum {
  KIBITZ_SIGNALING_ERROR_REMOVED,
  KIBITZ_SIGNALING_ERROR_ENDED,
} KibitzSignalingError;

GQuark kibitz_signaling_error_quark (void);

/* Signals (main thread):
 *   ::welcome      (JsonObject *welcome)         every welcome, resumed or not
 *   ::peer-joined  (JsonObject *peer)            {id, name, state}
 *   ::peer-left    (const char *id, const char *reason)
 *   ::signal       (const char *from, JsonObject *data)
 *   ::state        (JsonObject *message)         {from, audio?, video?, hand?}
 *   ::chat         (JsonObject *message)         {from, name, text, ts}
 *   ::board        (JsonObject *message)         {seq, start_fen, moves, ply, shapes, movers, result}
 *   ::class        (const char *type, JsonObject *message)   §4: waiting, knock,
 *                  withdrawn, room_state, muted, invite, removed, ended
 *   ::server-error (const char *code, const char *message)   e.g. unknown-peer
 *   ::failed       (const GError *error)         fatal: room full, bad name, denied,
 *                  room locked (KIBITZ_PROTOCOL_ERROR), removed, ended
 *                  (KIBITZ_SIGNALING_ERROR)
 * and notify::state. */
#define KIBITZ_TYPE_SIGNALING (kibitz_signaling_get_type ())
G_DECLARE_FINAL_TYPE (KibitzSignaling, kibitz_signaling, KIBITZ, SIGNALING, GObject)

KibitzSignaling     *kibitz_signaling_new            (const char      *url,
                                                      const char      *room,
                                                      const char      *name);
/* What lets us into a class (§4): a teacher key, an invite code; either
 * may be NULL. Sent with every join; set before starting. */
void                 kibitz_signaling_set_admission  (KibitzSignaling *self,
                                                      const char      *teacher,
                                                      const char      *invite);
void                 kibitz_signaling_start          (KibitzSignaling *self);
void                 kibitz_signaling_reconnect_now  (KibitzSignaling *self);
void                 kibitz_signaling_send_signal    (KibitzSignaling *self,
                                                      const char      *to,
                                                      JsonObject      *data);
void                 kibitz_signaling_send_state     (KibitzSignaling *self,
                                                      JsonObject      *state);
void                 kibitz_signaling_send_chat      (KibitzSignaling *self,
                                                      const char      *text);
/* A request of §4 or §5 (move, board-set..., admit, lock...): @members go
 * into a message of @type. */
void                 kibitz_signaling_send_request   (KibitzSignaling   *self,
                                                      KibitzMessageType  type,
                                                      JsonObject        *members);
void                 kibitz_signaling_leave          (KibitzSignaling *self);

KibitzSignalingState kibitz_signaling_get_state      (KibitzSignaling *self);
const char          *kibitz_signaling_get_id         (KibitzSignaling *self);
guint                kibitz_signaling_get_reconnects (KibitzSignaling *self);

G_END_DECLS
