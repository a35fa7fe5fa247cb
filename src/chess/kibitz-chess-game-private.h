/* kibitz-chess-game-private.h: what the game shares with the PGN reader and
 * writer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kibitz-chess-private.h"

G_BEGIN_DECLS

struct _KibitzChessGame {
  char      *start_fen;
  GArray    *plies;  /* one Ply (position and the move to it) per ply, from 0 */
  GPtrArray *sans;   /* one SAN per move, NULL-terminated */
  GArray    *shapes; /* KibitzChessShape */
  GPtrArray *tags;   /* name, value, name, value... */
};

void     _kibitz_chess_game_append        (KibitzChessGame       *game,
                                           const KibitzChessMove *move);
gboolean _kibitz_chess_tag_name_is_valid  (const char            *name);

G_END_DECLS
