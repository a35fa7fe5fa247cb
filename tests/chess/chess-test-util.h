/* chess-test-util.h: random games for the chess tests, repeatable by seed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kibitz-chess.h"

G_BEGIN_DECLS

/* A game of random legal moves from the start position, until it ends or
 * reaches max_plies.
 */
KibitzChessGame *chess_test_random_game      (GRand *rand,
                                              guint  max_plies);

/* n positions that still have moves, from random games of a fixed seed, as
 * FENs: they are positions no test writes down, in every phase of a game.
 */
GPtrArray       *chess_test_random_positions (guint32 seed,
                                              guint   n);

G_END_DECLS
