/* kibitz-chess.h: the rules of chess for Kibitz's shared board.
 *
 * Debian 12 packages no chess rules library for C: it has engines (stockfish,
 * which our tests use as an oracle) and programs, but nothing to link against,
 * so Kibitz has its own. It depends on GLib only, because kibitz-server uses
 * it to check every move on the wire and must build without GTK or GStreamer.
 *
 *   kibitz-chess-position.h  a position: FEN in and out, legal moves, perft
 *   kibitz-chess-notation.h  moves in SAN and UCI
 *   kibitz-chess-game.h      a game: moves, how it ends, shapes, PGN
 *
 * docs/chess.md explains the design and the rules decisions.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kibitz-chess-position.h"
#include "kibitz-chess-notation.h"
#include "kibitz-chess-game.h"
