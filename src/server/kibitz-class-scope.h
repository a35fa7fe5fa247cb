/* kibitz-class-scope.h: who belongs to which class, for the relay (the room
 * scope of protocol.md §4). The room logic tells it (main thread) who joined
 * from which address, who left and whose credentials are void; the TURN
 * relay asks it (its own thread) whether an id may relay to an address.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "kibitz-turn-server.h"

G_BEGIN_DECLS

typedef struct _KibitzClassScope KibitzClassScope;

KibitzClassScope      *kibitz_class_scope_new    (void);
void                   kibitz_class_scope_free   (KibitzClassScope *self);
/* @peer_id is in the room named @room (its display name: one per room, and
 * the relay's label for the room's bytes) and speaks to the signaling server
 * from @address (an IP; a peer may add more: a new network). */
void                   kibitz_class_scope_join   (KibitzClassScope *self,
                                                  const char       *peer_id,
                                                  const char       *room,
                                                  const char       *address);
void                   kibitz_class_scope_leave  (KibitzClassScope *self,
                                                  const char       *peer_id);
/* Its credentials no longer work (removed, the class ended). */
void                   kibitz_class_scope_void   (KibitzClassScope *self,
                                                  const char       *peer_id);
/* The relay's view of it; valid as long as @self. */
const KibitzTurnScope *kibitz_class_scope_for_turn (KibitzClassScope *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KibitzClassScope, kibitz_class_scope_free)

G_END_DECLS
