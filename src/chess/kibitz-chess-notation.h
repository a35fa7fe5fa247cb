/* kibitz-chess-notation.h: moves as text, in SAN ("Nxf3+") and UCI ("e7e8q").
 *
 * Reading is tolerant where people are: "0-0" for "O-O", trailing "!?", "+"
 * or "#" whether right or not, "e8Q" for "e8=Q". Writing is canonical SAN,
 * with the least disambiguation and the right check or mate sign.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kibitz-chess-position.h"

G_BEGIN_DECLS

/* Fails with KIBITZ_CHESS_ERROR_BAD_MOVE when the text does not name exactly
 * one move (malformed, or ambiguous), and with _ILLEGAL_MOVE, saying why, when
 * it names a move that is not legal in the position.
 */
gboolean kibitz_chess_move_from_san (const KibitzChessPosition *position,
                                     const char                *san,
                                     KibitzChessMove           *move,
                                     GError                   **error);
gboolean kibitz_chess_move_from_uci (const KibitzChessPosition *position,
                                     const char                *uci,
                                     KibitzChessMove           *move,
                                     GError                   **error);

/* NULL when the move is not legal in the position. */
char    *kibitz_chess_move_to_san   (const KibitzChessPosition *position,
                                     const KibitzChessMove     *move) G_GNUC_WARN_UNUSED_RESULT;

/* UCI needs no position; uci has room for the promotion letter and the nul. */
void     kibitz_chess_move_to_uci   (const KibitzChessMove     *move,
                                     char                       uci[6]);

/* The legal moves of a position, in the order of
 * kibitz_chess_position_legal_moves(), as a NULL-terminated array.
 */
char   **kibitz_chess_position_legal_moves_san (const KibitzChessPosition *position)
                                                G_GNUC_WARN_UNUSED_RESULT;
char   **kibitz_chess_position_legal_moves_uci (const KibitzChessPosition *position)
                                                G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
