/* kibitz-chess-game.h: a game (a start position and the moves played from
 * it), how it ends, its shapes, and PGN in and out.
 *
 * This is what the shared board of protocol.md §5 keeps: start_fen, the moves
 * in SAN, the result of any ply, and the arrows and marked squares.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kibitz-chess-position.h"

G_BEGIN_DECLS

/* The size limit a caller without one of its own passes to
 * kibitz_chess_game_new_from_pgn(); the server passes 64 KiB.
 */
#define KIBITZ_CHESS_PGN_MAX_DEFAULT (1024 * 1024)

typedef enum {
  KIBITZ_CHESS_RESULT_NONE,
  KIBITZ_CHESS_RESULT_WHITE_WINS,
  KIBITZ_CHESS_RESULT_BLACK_WINS,
  KIBITZ_CHESS_RESULT_DRAW,
} KibitzChessResult;

/* Why a position ends the game. */
typedef enum {
  KIBITZ_CHESS_END_NONE,
  KIBITZ_CHESS_END_CHECKMATE,
  KIBITZ_CHESS_END_STALEMATE,
  KIBITZ_CHESS_END_INSUFFICIENT_MATERIAL,
  KIBITZ_CHESS_END_FIFTY_MOVES,
  KIBITZ_CHESS_END_THREEFOLD_REPETITION,
} KibitzChessEnd;

typedef enum {
  KIBITZ_CHESS_SHAPE_GREEN,
  KIBITZ_CHESS_SHAPE_RED,
  KIBITZ_CHESS_SHAPE_BLUE,
  KIBITZ_CHESS_SHAPE_YELLOW,
} KibitzChessShapeColor;

/* An arrow from one square to another, or a marked square (to == from). */
typedef struct {
  guint8 from;
  guint8 to;
  guint8 color; /* KibitzChessShapeColor */
} KibitzChessShape;

typedef struct _KibitzChessGame KibitzChessGame;

/* "1-0", "0-1", "1/2-1/2", or NULL for KIBITZ_CHESS_RESULT_NONE. */
const char *kibitz_chess_result_to_string      (KibitzChessResult      result);
/* "checkmate", "stalemate", ..., or NULL for KIBITZ_CHESS_END_NONE. */
const char *kibitz_chess_end_to_string         (KibitzChessEnd         end);
/* "green", "red", "blue", "yellow". */
const char *kibitz_chess_shape_color_to_string (KibitzChessShapeColor  color);
gboolean    kibitz_chess_shape_color_from_string (const char            *name,
                                                  KibitzChessShapeColor *color);

KibitzChessGame *kibitz_chess_game_new          (void) G_GNUC_WARN_UNUSED_RESULT;
KibitzChessGame *kibitz_chess_game_new_from_fen (const char  *fen,
                                                 GError     **error) G_GNUC_WARN_UNUSED_RESULT;
void             kibitz_chess_game_free         (KibitzChessGame *game);

/* Plies are counted from the start position: ply 0 is the start, ply
 * get_n_moves() the latest position.
 */
guint                      kibitz_chess_game_get_n_moves   (const KibitzChessGame *game);
const char                *kibitz_chess_game_get_start_fen (const KibitzChessGame *game);
const KibitzChessPosition *kibitz_chess_game_get_position  (const KibitzChessGame *game,
                                                            guint                  ply);
char                      *kibitz_chess_game_get_fen       (const KibitzChessGame *game,
                                                            guint                  ply)
                                                            G_GNUC_WARN_UNUSED_RESULT;
/* The move that leads from ply index to ply index + 1. */
const KibitzChessMove     *kibitz_chess_game_get_move      (const KibitzChessGame *game,
                                                            guint                  index);
/* The moves in SAN, NULL-terminated, owned by the game until it changes. */
const char * const        *kibitz_chess_game_get_san_moves (const KibitzChessGame *game);

/* Play a move in the position at ply, dropping the moves after it (the
 * protocol's `move`). Fails with KIBITZ_CHESS_ERROR_GAME_OVER when the
 * position at ply already ends the game.
 */
gboolean kibitz_chess_game_play_san  (KibitzChessGame       *game,
                                      guint                  ply,
                                      const char            *san,
                                      GError               **error);
gboolean kibitz_chess_game_play_uci  (KibitzChessGame       *game,
                                      guint                  ply,
                                      const char            *uci,
                                      GError               **error);
gboolean kibitz_chess_game_play_move (KibitzChessGame       *game,
                                      guint                  ply,
                                      const KibitzChessMove *move,
                                      GError               **error);
void     kibitz_chess_game_truncate  (KibitzChessGame       *game,
                                      guint                  ply);

/* How the position at ply ends the game, judged by the rules in docs/chess.md
 * (threefold repetition and the fifty-move rule end it at once, with no claim).
 */
KibitzChessEnd    kibitz_chess_game_get_end    (const KibitzChessGame *game,
                                                guint                  ply);
KibitzChessResult kibitz_chess_game_get_result (const KibitzChessGame *game,
                                                guint                  ply);

/* The arrows and marked squares: those of the last position's comments after
 * reading a PGN, written after the last move by kibitz_chess_game_to_pgn().
 */
const KibitzChessShape *kibitz_chess_game_get_shapes (const KibitzChessGame  *game,
                                                      guint                  *n_shapes);
void                    kibitz_chess_game_set_shapes (KibitzChessGame        *game,
                                                      const KibitzChessShape *shapes,
                                                      guint                   n_shapes);

/* PGN tag pairs other than FEN and SetUp, which follow the start position. */
const char *kibitz_chess_game_get_tag (const KibitzChessGame *game,
                                       const char            *name);
void        kibitz_chess_game_set_tag (KibitzChessGame       *game,
                                       const char            *name,
                                       const char            *value);

/* Reads the first game of pgn (length bytes, or up to the nul when length is
 * negative): its tags, its main line, and the shapes of its last position.
 * Inputs over max_length bytes fail with KIBITZ_CHESS_ERROR_TOO_LARGE.
 */
KibitzChessGame *kibitz_chess_game_new_from_pgn (const char            *pgn,
                                                 gssize                 length,
                                                 gsize                  max_length,
                                                 GError               **error)
                                                 G_GNUC_WARN_UNUSED_RESULT;
char            *kibitz_chess_game_to_pgn       (const KibitzChessGame *game)
                                                 G_GNUC_WARN_UNUSED_RESULT;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KibitzChessGame, kibitz_chess_game_free)

G_END_DECLS
