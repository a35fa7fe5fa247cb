/* kibitz-board-store.h: each room's board in a file of its own in the
 * server's state directory, so a restarted server shows every class the
 * position it left.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kibitz-board.h"

G_BEGIN_DECLS

/* The board saved for the room, or NULL when there is none (or it cannot be
 * read: that is logged, and the class starts from a fresh board). */
KibitzBoard *kibitz_board_store_load (const char        *dir,
                                      const char        *room_key) G_GNUC_WARN_UNUSED_RESULT;
/* Replaces the room's file atomically; a failure is logged, the class goes on. */
void         kibitz_board_store_save (const char        *dir,
                                      const char        *room_key,
                                      const KibitzBoard *board);

G_END_DECLS
