/* kibitz-chess-private.h: what the library's files share and callers do not.
 *
 * Inside, squares are 0x88 indices (rank * 16 + file): a square is off the
 * board exactly when `square & 0x88` is not zero, so walking a ray needs no
 * table of edges. Moves keep the public 0-63 numbering.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kibitz-chess.h"

G_BEGIN_DECLS

#define SQ88(square64) ((square64) + ((square64) & ~7))
#define SQ64(square88) (((square88) + ((square88) & 7)) >> 1)
#define ON_BOARD(square88) (!((square88) & 0x88))
#define RANK88(square88) ((square88) >> 4)
#define FILE88(square88) ((square88) & 7)

/* Off the board, so never equal to a square a move reaches. */
#define NO_SQUARE 0x7F

#define PIECE(color, type) ((guint8) ((color) << 3 | (type)))
#define BIT(square64) (G_GUINT64_CONSTANT (1) << (square64))

/* What a SAN or UCI text asks for, before it is matched to a move. */
typedef struct {
  int      piece;      /* a KibitzChessPieceType, or 0 when any (UCI) */
  int      from;       /* 0-63, or -1 when not given */
  int      from_file;  /* 0-7, or -1 when not given */
  int      from_rank;  /* 0-7, or -1 when not given */
  int      to;         /* 0-63 */
  int      promotion;  /* a KibitzChessPieceType, or 0 */
  int      castle;     /* 0, 1 for O-O, 2 for O-O-O */
  gboolean capture;    /* an "x": only the messages use it */
} KibitzChessQuery;

extern const char *const _kibitz_chess_piece_names[7];
extern const char *const _kibitz_chess_color_names[2];

gboolean _kibitz_chess_square_attacked    (const KibitzChessPosition *position,
                                           int                        square88,
                                           int                        by_color,
                                           int                        ignore88);
int      _kibitz_chess_pseudo_legal_moves (const KibitzChessPosition *position,
                                           KibitzChessMove           *moves);
void     _kibitz_chess_do_move            (KibitzChessPosition       *position,
                                           const KibitzChessMove     *move);
gboolean _kibitz_chess_leaves_king_safe   (const KibitzChessPosition *position,
                                           const KibitzChessMove     *move);

/* SAN of a move known to be legal, given the position's legal moves (for
 * disambiguation) into san, which has room for 16 bytes.
 */
void     _kibitz_chess_write_san          (const KibitzChessPosition *position,
                                           const KibitzChessMove     *move,
                                           const KibitzChessMove     *legal,
                                           int                        n_legal,
                                           char                      *san);

/* Like kibitz_chess_move_from_san(), but an _ILLEGAL_MOVE message gives only
 * the reason ("the knight on g1 is pinned"), for the PGN reader's own prefix.
 */
gboolean _kibitz_chess_read_san           (const KibitzChessPosition *position,
                                           const char                *san,
                                           KibitzChessMove           *move,
                                           GError                   **error);

gboolean _kibitz_chess_query_matches      (const KibitzChessPosition *position,
                                           const KibitzChessQuery    *query,
                                           const KibitzChessMove     *move,
                                           gboolean                   with_promotion);

/* Why no legal move is what query asks for, as the end of a sentence: "the
 * knight on g1 is pinned".
 */
char    *_kibitz_chess_explain_illegal    (const KibitzChessPosition *position,
                                           const KibitzChessQuery    *query);

/* text as a short, valid UTF-8 string to quote in an error message. */
char    *_kibitz_chess_quote              (const char                *text,
                                           gssize                     length);

G_END_DECLS
