/* kibitz-board.h: a room's shared chessboard (protocol.md §5), without the
 * room: the game (src/chess checks every move), the ply everyone sees, the
 * shapes, the movers and the change counter, and the state as JSON.
 *
 * Every failure is a KIBITZ_PROTOCOL_ERROR a client can be sent as it is:
 * illegal-move, bad-fen, bad-pgn or bad-request, with a sentence saying why.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* protocol.md §5's limits. */
#define KIBITZ_BOARD_MAX_MOVES  1000
#define KIBITZ_BOARD_MAX_SHAPES 32
#define KIBITZ_BOARD_MAX_SIZE   (64 * 1024)
/* Not in the protocol: a class has at most 20 members, so 64 ids of at most
 * 64 bytes are room enough for a list of those who may move. */
#define KIBITZ_BOARD_MAX_MOVERS 64

typedef struct _KibitzBoard KibitzBoard;

/* The start position; max_moves 0 means KIBITZ_BOARD_MAX_MOVES. */
KibitzBoard *kibitz_board_new           (guint         max_moves) G_GNUC_WARN_UNUSED_RESULT;
/* A board saved by kibitz_board_to_json(), every move checked again. */
KibitzBoard *kibitz_board_new_from_json (JsonObject   *object,
                                         guint         max_moves,
                                         GError      **error) G_GNUC_WARN_UNUSED_RESULT;
void         kibitz_board_free          (KibitzBoard  *board);

/* {seq, start_fen, moves, ply, shapes, movers, result}: welcome.board, and
 * the message `board` without its type. */
JsonObject  *kibitz_board_to_json       (const KibitzBoard *board) G_GNUC_WARN_UNUSED_RESULT;
guint64      kibitz_board_get_seq       (const KibitzBoard *board);
gboolean     kibitz_board_is_mover      (const KibitzBoard *board,
                                         const char        *peer_id);

/* The changes; each that succeeds adds one to seq. */
gboolean     kibitz_board_move          (KibitzBoard  *board,
                                         const char   *san,
                                         const char   *uci,
                                         GError      **error);
gboolean     kibitz_board_set_fen       (KibitzBoard  *board,
                                         const char   *fen,
                                         GError      **error);
gboolean     kibitz_board_set_pgn       (KibitzBoard  *board,
                                         const char   *pgn,
                                         GError      **error);
gboolean     kibitz_board_view          (KibitzBoard  *board,
                                         gint64        ply,
                                         GError      **error);
gboolean     kibitz_board_set_shapes    (KibitzBoard  *board,
                                         JsonArray    *shapes,
                                         GError      **error);
gboolean     kibitz_board_set_movers    (KibitzBoard  *board,
                                         JsonArray    *movers,
                                         GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KibitzBoard, kibitz_board_free)

G_END_DECLS
