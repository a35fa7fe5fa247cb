/* kibitz-chess-position.h: a chess position, FEN in and out, legal moves.
 *
 * A position is a plain struct that can live on the stack and be copied with
 * `=`: the game keeps one per ply and perft copies one per node. Squares are
 * numbered 0 (a1) to 63 (h8), file first: KIBITZ_CHESS_SQUARE (4, 3) is e4.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define KIBITZ_CHESS_ERROR (kibitz_chess_error_quark ())

/* Every error of the library is in this domain, with a message a person can
 * act on. The server maps BAD_FEN to `bad-fen`, BAD_PGN and TOO_LARGE to
 * `bad-pgn`, and BAD_MOVE, ILLEGAL_MOVE and GAME_OVER to `illegal-move`.
 */
typedef enum {
  KIBITZ_CHESS_ERROR_BAD_FEN,      /* not a FEN, or not a position that can be played */
  KIBITZ_CHESS_ERROR_BAD_MOVE,     /* malformed or ambiguous SAN/UCI */
  KIBITZ_CHESS_ERROR_ILLEGAL_MOVE, /* well formed, but not legal here */
  KIBITZ_CHESS_ERROR_BAD_PGN,      /* not PGN, or a main-line move is bad */
  KIBITZ_CHESS_ERROR_TOO_LARGE,    /* over the caller's size limit */
  KIBITZ_CHESS_ERROR_GAME_OVER,    /* a move after mate, stalemate or a draw */
} KibitzChessError;

GQuark kibitz_chess_error_quark (void);

#define KIBITZ_CHESS_START_FEN "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1"

/* Room for every move of any position a FEN may describe. Legal positions
 * have at most 218 moves, but a FEN may put 15 queens beside a king (we allow
 * up to 16 pieces a side, placed freely), and 15 × 27 + 8 + 2 < 512.
 */
#define KIBITZ_CHESS_MAX_MOVES 512

#define KIBITZ_CHESS_SQUARE(file, rank) ((rank) * 8 + (file))
#define KIBITZ_CHESS_SQUARE_FILE(square) ((square) & 7)
#define KIBITZ_CHESS_SQUARE_RANK(square) ((square) >> 3)

typedef enum {
  KIBITZ_CHESS_WHITE = 0,
  KIBITZ_CHESS_BLACK = 1,
} KibitzChessColor;

typedef enum {
  KIBITZ_CHESS_NO_PIECE_TYPE = 0,
  KIBITZ_CHESS_PAWN          = 1,
  KIBITZ_CHESS_KNIGHT        = 2,
  KIBITZ_CHESS_BISHOP        = 3,
  KIBITZ_CHESS_ROOK          = 4,
  KIBITZ_CHESS_QUEEN         = 5,
  KIBITZ_CHESS_KING          = 6,
} KibitzChessPieceType;

/* A piece is its type, plus 8 when it is black. */
typedef enum {
  KIBITZ_CHESS_EMPTY        = 0,
  KIBITZ_CHESS_WHITE_PAWN   = 1,
  KIBITZ_CHESS_WHITE_KNIGHT = 2,
  KIBITZ_CHESS_WHITE_BISHOP = 3,
  KIBITZ_CHESS_WHITE_ROOK   = 4,
  KIBITZ_CHESS_WHITE_QUEEN  = 5,
  KIBITZ_CHESS_WHITE_KING   = 6,
  KIBITZ_CHESS_BLACK_PAWN   = 9,
  KIBITZ_CHESS_BLACK_KNIGHT = 10,
  KIBITZ_CHESS_BLACK_BISHOP = 11,
  KIBITZ_CHESS_BLACK_ROOK   = 12,
  KIBITZ_CHESS_BLACK_QUEEN  = 13,
  KIBITZ_CHESS_BLACK_KING   = 14,
} KibitzChessPiece;

#define KIBITZ_CHESS_PIECE_TYPE(piece)  ((KibitzChessPieceType) ((piece) & 7))
#define KIBITZ_CHESS_PIECE_COLOR(piece) ((KibitzChessColor) ((piece) >> 3))

/* Castling rights, as KibitzChessPosition keeps them. */
typedef enum {
  KIBITZ_CHESS_CASTLE_WHITE_KINGSIDE  = 1 << 0,
  KIBITZ_CHESS_CASTLE_WHITE_QUEENSIDE = 1 << 1,
  KIBITZ_CHESS_CASTLE_BLACK_KINGSIDE  = 1 << 2,
  KIBITZ_CHESS_CASTLE_BLACK_QUEENSIDE = 1 << 3,
} KibitzChessCastling;

/* What the move generator knows about a move; kibitz_chess_position_make_move()
 * works them out again, so a move built by hand needs only from, to and
 * promotion.
 */
typedef enum {
  KIBITZ_CHESS_MOVE_CAPTURE     = 1 << 0,
  KIBITZ_CHESS_MOVE_EN_PASSANT  = 1 << 1,
  KIBITZ_CHESS_MOVE_CASTLE      = 1 << 2,
  KIBITZ_CHESS_MOVE_DOUBLE_PUSH = 1 << 3,
} KibitzChessMoveFlags;

typedef struct {
  guint8 from;      /* 0-63; for castling, the king's square */
  guint8 to;        /* 0-63; for castling, the king's destination (g1, c1, g8, c8) */
  guint8 promotion; /* a KibitzChessPieceType, or 0 */
  guint8 flags;     /* KibitzChessMoveFlags */
} KibitzChessMove;

typedef struct _KibitzChessPosition KibitzChessPosition;

struct _KibitzChessPosition {
  /*< private >*/
  guint8  board[128];  /* 0x88: square = rank * 16 + file */
  guint64 occupied[2]; /* by colour, one bit per square 0-63 */
  guint8  king[2];     /* 0x88 squares of the kings */
  guint8  side;
  guint8  castling;
  guint8  ep;          /* 0x88 square behind a pawn that just moved two, or off the board */
  guint16 halfmove;
  guint32 fullmove;
};

/* Squares by name. */
int      kibitz_chess_square_from_name (const char *name);
void     kibitz_chess_square_to_name   (int         square,
                                        char        name[3]);

/* Positions. */
void                 kibitz_chess_position_init_start    (KibitzChessPosition       *position);
gboolean             kibitz_chess_position_init_from_fen (KibitzChessPosition       *position,
                                                          const char                *fen,
                                                          GError                   **error);
KibitzChessPosition *kibitz_chess_position_new_from_fen  (const char                *fen,
                                                          GError                   **error)
                                                          G_GNUC_WARN_UNUSED_RESULT;
KibitzChessPosition *kibitz_chess_position_copy          (const KibitzChessPosition *position)
                                                          G_GNUC_WARN_UNUSED_RESULT;
void                 kibitz_chess_position_free          (KibitzChessPosition       *position);
char                *kibitz_chess_position_to_fen        (const KibitzChessPosition *position)
                                                          G_GNUC_WARN_UNUSED_RESULT;
gboolean             kibitz_chess_position_equal         (const KibitzChessPosition *a,
                                                          const KibitzChessPosition *b);
gboolean kibitz_chess_position_same_for_repetition (const KibitzChessPosition *a,
                                                    const KibitzChessPosition *b);

KibitzChessPiece kibitz_chess_position_get_piece            (const KibitzChessPosition *position,
                                                             int                        square);
KibitzChessColor kibitz_chess_position_get_side_to_move     (const KibitzChessPosition *position);
guint            kibitz_chess_position_get_castling         (const KibitzChessPosition *position);
int              kibitz_chess_position_get_en_passant       (const KibitzChessPosition *position);
int              kibitz_chess_position_get_legal_en_passant (const KibitzChessPosition *position);
guint            kibitz_chess_position_get_halfmove_clock   (const KibitzChessPosition *position);
guint            kibitz_chess_position_get_fullmove_number  (const KibitzChessPosition *position);
gboolean         kibitz_chess_position_in_check            (const KibitzChessPosition *position);
gboolean kibitz_chess_position_is_insufficient_material (const KibitzChessPosition *position);

/* Moves: kibitz_chess_position_legal_moves() fills moves (which has room for
 * KIBITZ_CHESS_MAX_MOVES) and returns how many there are.
 */
int      kibitz_chess_position_legal_moves (const KibitzChessPosition *position,
                                            KibitzChessMove           *moves);
gboolean kibitz_chess_position_find_move   (const KibitzChessPosition *position,
                                            int                        from,
                                            int                        to,
                                            KibitzChessPieceType       promotion,
                                            KibitzChessMove           *move);
void     kibitz_chess_position_make_move   (KibitzChessPosition       *position,
                                            const KibitzChessMove     *move);
gboolean kibitz_chess_position_play_move   (KibitzChessPosition       *position,
                                            const KibitzChessMove     *move,
                                            GError                   **error);
guint64  kibitz_chess_position_perft       (const KibitzChessPosition *position,
                                            int                        depth);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KibitzChessPosition, kibitz_chess_position_free)

G_END_DECLS
