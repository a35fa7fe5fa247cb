/* kibitz-board-view.h: the class's shared chessboard in the app.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define KIBITZ_TYPE_BOARD_VIEW (kibitz_board_view_get_type ())
G_DECLARE_FINAL_TYPE (KibitzBoardView, kibitz_board_view, KIBITZ, BOARD_VIEW, GtkWidget)

/* Signals:
 *   ::move (const char *uci)   the user played a move (not shown until the
 *                              server's next state has it)
 *   ::view (guint ply)         the user asked the class to see that move
 *   ::set-game (const char *fen, const char *pgn)
 *                              a new game from a pasted FEN or an opened
 *                              PGN (one of the two is NULL)
 *   ::shapes (JsonArray *shapes)
 *                              the arrows and marked squares the user drew
 *                              (protocol.md §5's `shapes`), all of them
 * Actions: board.copy-fen, board.paste-fen, board.open-pgn, board.save-pgn,
 * board.clear-shapes, board.flip (the Game menu and Flip Board under the
 * board).
 */
KibitzBoardView *kibitz_board_view_new        (void);
/* The server's state (protocol.md §5); @may_move: teachers, movers and
 * everyone in an open room; @may_navigate: teachers and open rooms. */
void             kibitz_board_view_set_state  (KibitzBoardView *self,
                                               JsonObject      *state,
                                               gboolean         may_move,
                                               gboolean         may_navigate);
void             kibitz_board_view_set_flipped (KibitzBoardView *self,
                                                gboolean         flipped);
/* The arrows and marked squares drawn (the state's shapes, as parsed). */
guint            kibitz_board_view_get_n_shapes (KibitzBoardView *self);
/* The sentence under the board: last move, who is to move, the result. */
const char      *kibitz_board_view_get_summary (KibitzBoardView *self);
/* For tests: a tap on the square named @name ("e2"), as a pointer would. */
void             kibitz_board_view_activate_square (KibitzBoardView *self,
                                                    const char      *name);
/* For tests: the centre of the square named @name in @self's coordinates,
 * where a pointer would press it. */
gboolean         kibitz_board_view_get_square_point (KibitzBoardView *self,
                                                     const char      *name,
                                                     double          *x,
                                                     double          *y);
/* For tests: the result said over the board ("Checkmate: White wins
 * (1-0)"), or NULL while none is shown. */
const char      *kibitz_board_view_get_result_text (KibitzBoardView *self);

G_END_DECLS
