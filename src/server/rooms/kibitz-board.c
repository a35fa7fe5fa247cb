/* kibitz-board.c: a room's shared chessboard (protocol.md §5).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-rooms"

#include "config.h"

#include <string.h>

#include "kibitz-board.h"
#include "kibitz-chess.h"
#include "kibitz-protocol-error.h"

struct _KibitzBoard {
  KibitzChessGame *game;
  guint            ply;
  guint            max_moves;
  guint64          seq;
  GPtrArray       *movers;   /* char *, peer ids */
};

static void
board_init (KibitzBoard *board,
            guint        max_moves)
{
  board->max_moves = max_moves > 0 ? MIN (max_moves, KIBITZ_BOARD_MAX_MOVES)
                                   : KIBITZ_BOARD_MAX_MOVES;
  board->movers = g_ptr_array_new_with_free_func (g_free);
}

KibitzBoard *
kibitz_board_new (guint max_moves)
{
  KibitzBoard *board = g_new0 (KibitzBoard, 1);

  board_init (board, max_moves);
  board->game = kibitz_chess_game_new ();
  return board;
}

void
kibitz_board_free (KibitzBoard *board)
{
  if (board == NULL)
    return;
  g_clear_pointer (&board->game, kibitz_chess_game_free);
  g_ptr_array_unref (board->movers);
  g_free (board);
}

guint64
kibitz_board_get_seq (const KibitzBoard *board)
{
  return board->seq;
}

gboolean
kibitz_board_is_mover (const KibitzBoard *board,
                       const char        *peer_id)
{
  for (guint i = 0; i < board->movers->len; i++)
    if (g_str_equal (g_ptr_array_index (board->movers, i), peer_id))
      return TRUE;
  return FALSE;
}

/* JSON */

static JsonObject *
shape_to_json (const KibitzChessShape *shape)
{
  JsonObject *object = json_object_new ();
  char from[3], to[3];

  kibitz_chess_square_to_name (shape->from, from);
  kibitz_chess_square_to_name (shape->to, to);
  if (shape->from == shape->to)
    {
      json_object_set_string_member (object, "square", from);
    }
  else
    {
      json_object_set_string_member (object, "from", from);
      json_object_set_string_member (object, "to", to);
    }
  json_object_set_string_member (object, "color",
                                 kibitz_chess_shape_color_to_string (shape->color));
  return object;
}

JsonObject *
kibitz_board_to_json (const KibitzBoard *board)
{
  JsonObject *object = json_object_new ();
  JsonArray *moves = json_array_new ();
  JsonArray *shapes = json_array_new ();
  JsonArray *movers = json_array_new ();
  const char * const *san = kibitz_chess_game_get_san_moves (board->game);
  const KibitzChessShape *shape_list;
  guint n_shapes = 0;
  const char *result;

  for (guint i = 0; san[i] != NULL; i++)
    json_array_add_string_element (moves, san[i]);
  shape_list = kibitz_chess_game_get_shapes (board->game, &n_shapes);
  for (guint i = 0; i < n_shapes; i++)
    json_array_add_object_element (shapes, shape_to_json (&shape_list[i]));
  for (guint i = 0; i < board->movers->len; i++)
    json_array_add_string_element (movers, g_ptr_array_index (board->movers, i));

  json_object_set_int_member (object, "seq", (gint64) board->seq);
  json_object_set_string_member (object, "start_fen",
                                 kibitz_chess_game_get_start_fen (board->game));
  json_object_set_array_member (object, "moves", moves);
  json_object_set_int_member (object, "ply", board->ply);
  json_object_set_array_member (object, "shapes", shapes);
  json_object_set_array_member (object, "movers", movers);
  /* The game's result: its last position's, whatever ply is shown. */
  result = kibitz_chess_result_to_string (
      kibitz_chess_game_get_result (board->game, kibitz_chess_game_get_n_moves (board->game)));
  if (result != NULL)
    json_object_set_string_member (object, "result", result);
  else
    json_object_set_null_member (object, "result");
  return object;
}

static gboolean
bad_request (GError    **error,
             const char *format,
             ...) G_GNUC_PRINTF (2, 3);

static gboolean
bad_request (GError    **error,
             const char *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, KIBITZ_PROTOCOL_ERROR, KIBITZ_PROTOCOL_ERROR_BAD_REQUEST, message);
  return FALSE;
}

static const char *
string_element (JsonArray *array,
                guint      index)
{
  JsonNode *node = json_array_get_element (array, index);

  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
         ? json_node_get_string (node) : NULL;
}

static const char *
object_string (JsonObject *object,
               const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_STRING ? json_node_get_string (node) : NULL;
}

static gboolean
read_square (JsonObject *object,
             const char *member,
             guint       index,
             guint8     *square,
             GError    **error)
{
  int value = kibitz_chess_square_from_name (object_string (object, member));

  if (value < 0)
    return bad_request (error, "Shape %u needs a square “%s” from “a1” to “h8”", index + 1, member);
  *square = value;
  return TRUE;
}

/* An arrow {from, to, color} or a marked square {square, color}. */
static gboolean
read_shape (JsonNode          *node,
            guint              index,
            KibitzChessShape  *shape,
            GError           **error)
{
  JsonObject *object = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  KibitzChessShapeColor color;

  if (object == NULL)
    return bad_request (error, "Shape %u is not an object", index + 1);
  if (!kibitz_chess_shape_color_from_string (object_string (object, "color"), &color))
    return bad_request (error, "Shape %u needs a color: “green”, “red”, “blue” or “yellow”",
                        index + 1);
  shape->color = color;
  if (json_object_has_member (object, "square"))
    {
      if (!read_square (object, "square", index, &shape->from, error))
        return FALSE;
      shape->to = shape->from;
      return TRUE;
    }
  if (!read_square (object, "from", index, &shape->from, error) ||
      !read_square (object, "to", index, &shape->to, error))
    return FALSE;
  if (shape->from == shape->to)
    return bad_request (error, "Shape %u is an arrow from a square to itself; mark the square "
                        "with {square, color} instead", index + 1);
  return TRUE;
}

static gboolean
read_shapes (JsonArray  *array,
             GArray     *out,
             GError    **error)
{
  guint n = json_array_get_length (array);

  if (n > KIBITZ_BOARD_MAX_SHAPES)
    return bad_request (error, "A board has at most %d shapes, not %u",
                        KIBITZ_BOARD_MAX_SHAPES, n);
  for (guint i = 0; i < n; i++)
    {
      KibitzChessShape shape;

      if (!read_shape (json_array_get_element (array, i), i, &shape, error))
        return FALSE;
      g_array_append_val (out, shape);
    }
  return TRUE;
}

static GPtrArray *
read_movers (JsonArray  *array,
             GError    **error)
{
  g_autoptr(GPtrArray) movers = g_ptr_array_new_with_free_func (g_free);
  guint n = json_array_get_length (array);

  if (n > KIBITZ_BOARD_MAX_MOVERS)
    {
      bad_request (error, "At most %d participants may move, not %u", KIBITZ_BOARD_MAX_MOVERS, n);
      return NULL;
    }
  for (guint i = 0; i < n; i++)
    {
      const char *id = string_element (array, i);
      gboolean seen = FALSE;

      if (id == NULL || *id == '\0' || strlen (id) > 64)
        {
          bad_request (error, "“movers” holds participant ids, strings of 1 to 64 bytes");
          return NULL;
        }
      for (guint j = 0; j < movers->len && !seen; j++)
        seen = g_str_equal (g_ptr_array_index (movers, j), id);
      if (!seen)
        g_ptr_array_add (movers, g_strdup (id));
    }
  return g_steal_pointer (&movers);
}

/* Changes */

static gboolean
illegal (GError    **error,
         GError     *chess_error)
{
  g_set_error_literal (error, KIBITZ_PROTOCOL_ERROR, KIBITZ_PROTOCOL_ERROR_ILLEGAL_MOVE,
                       chess_error->message);
  return FALSE;
}

gboolean
kibitz_board_move (KibitzBoard  *board,
                   const char   *san,
                   const char   *uci,
                   GError      **error)
{
  g_autoptr(GError) chess_error = NULL;
  gboolean ok;

  g_return_val_if_fail ((san == NULL) != (uci == NULL), FALSE);

  if (board->ply >= board->max_moves)
    {
      g_set_error (error, KIBITZ_PROTOCOL_ERROR, KIBITZ_PROTOCOL_ERROR_ILLEGAL_MOVE,
                   "This board keeps at most %u moves; set up a new game to go on",
                   board->max_moves);
      return FALSE;
    }
  ok = san != NULL ? kibitz_chess_game_play_san (board->game, board->ply, san, &chess_error)
                   : kibitz_chess_game_play_uci (board->game, board->ply, uci, &chess_error);
  if (!ok)
    return illegal (error, chess_error);

  board->ply++;
  /* Arrows drawn for the position before the move would now point at
   * something else. */
  kibitz_chess_game_set_shapes (board->game, NULL, 0);
  board->seq++;
  return TRUE;
}

/* Shapes beyond the protocol's 32 in a PGN are left out; the rest of the
 * game is kept. */
static void
take_game (KibitzBoard     *board,
           KibitzChessGame *game)
{
  guint n_shapes = 0;
  const KibitzChessShape *shapes = kibitz_chess_game_get_shapes (game, &n_shapes);

  if (n_shapes > KIBITZ_BOARD_MAX_SHAPES)
    {
      g_autofree KibitzChessShape *kept = g_memdup2 (shapes,
                                                     KIBITZ_BOARD_MAX_SHAPES * sizeof *shapes);

      kibitz_chess_game_set_shapes (game, kept, KIBITZ_BOARD_MAX_SHAPES);
    }
  kibitz_chess_game_free (board->game);
  board->game = game;
  board->ply = kibitz_chess_game_get_n_moves (game);
  board->seq++;
}

gboolean
kibitz_board_set_fen (KibitzBoard  *board,
                      const char   *fen,
                      GError      **error)
{
  g_autoptr(GError) chess_error = NULL;
  KibitzChessGame *game = kibitz_chess_game_new_from_fen (fen, &chess_error);

  if (game == NULL)
    {
      g_set_error_literal (error, KIBITZ_PROTOCOL_ERROR, KIBITZ_PROTOCOL_ERROR_BAD_FEN,
                           chess_error->message);
      return FALSE;
    }
  take_game (board, game);
  return TRUE;
}

gboolean
kibitz_board_set_pgn (KibitzBoard  *board,
                      const char   *pgn,
                      GError      **error)
{
  g_autoptr(GError) chess_error = NULL;
  KibitzChessGame *game = kibitz_chess_game_new_from_pgn (pgn, -1, KIBITZ_BOARD_MAX_SIZE,
                                                          &chess_error);

  if (game == NULL)
    {
      g_set_error_literal (error, KIBITZ_PROTOCOL_ERROR, KIBITZ_PROTOCOL_ERROR_BAD_PGN,
                           chess_error->message);
      return FALSE;
    }
  if (kibitz_chess_game_get_n_moves (game) > board->max_moves)
    {
      g_set_error (error, KIBITZ_PROTOCOL_ERROR, KIBITZ_PROTOCOL_ERROR_BAD_PGN,
                   "This game has %u moves; a board keeps at most %u",
                   kibitz_chess_game_get_n_moves (game), board->max_moves);
      kibitz_chess_game_free (game);
      return FALSE;
    }
  take_game (board, game);
  return TRUE;
}

gboolean
kibitz_board_view (KibitzBoard  *board,
                   gint64        ply,
                   GError      **error)
{
  guint n_moves = kibitz_chess_game_get_n_moves (board->game);

  if (ply < 0 || ply > n_moves)
    return bad_request (error, "This game has moves 0 to %u; there is no ply %" G_GINT64_FORMAT,
                        n_moves, ply);
  if ((guint) ply != board->ply)
    kibitz_chess_game_set_shapes (board->game, NULL, 0);
  board->ply = ply;
  board->seq++;
  return TRUE;
}

gboolean
kibitz_board_set_shapes (KibitzBoard  *board,
                         JsonArray    *shapes,
                         GError      **error)
{
  g_autoptr(GArray) list = g_array_new (FALSE, FALSE, sizeof (KibitzChessShape));

  if (!read_shapes (shapes, list, error))
    return FALSE;
  kibitz_chess_game_set_shapes (board->game, (KibitzChessShape *) list->data, list->len);
  board->seq++;
  return TRUE;
}

gboolean
kibitz_board_set_movers (KibitzBoard  *board,
                         JsonArray    *movers,
                         GError      **error)
{
  GPtrArray *list = read_movers (movers, error);

  if (list == NULL)
    return FALSE;
  g_ptr_array_unref (board->movers);
  board->movers = list;
  board->seq++;
  return TRUE;
}

/* Saved boards */

static JsonArray *
array_member (JsonObject *object,
              const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static gint64
int_member (JsonObject *object,
            const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_INT64 ? json_node_get_int (node) : -1;
}

KibitzBoard *
kibitz_board_new_from_json (JsonObject  *object,
                            guint        max_moves,
                            GError     **error)
{
  g_autoptr(KibitzBoard) board = g_new0 (KibitzBoard, 1);
  g_autoptr(GArray) shapes = g_array_new (FALSE, FALSE, sizeof (KibitzChessShape));
  g_autoptr(GPtrArray) movers = NULL;
  JsonArray *moves = array_member (object, "moves");
  JsonArray *shape_list = array_member (object, "shapes");
  JsonArray *mover_list = array_member (object, "movers");
  const char *fen = object_string (object, "start_fen");
  gint64 seq = int_member (object, "seq"), ply = int_member (object, "ply");

  board_init (board, max_moves);
  if (fen == NULL || moves == NULL || shape_list == NULL || mover_list == NULL || seq < 0 ||
      ply < 0)
    {
      bad_request (error, "A saved board needs seq, start_fen, moves, ply, shapes and movers");
      return NULL;
    }
  if (json_array_get_length (moves) > board->max_moves)
    {
      bad_request (error, "A saved board has %u moves; at most %u are kept",
                   json_array_get_length (moves), board->max_moves);
      return NULL;
    }
  if (!(board->game = kibitz_chess_game_new_from_fen (fen, error)))
    return NULL;
  for (guint i = 0; i < json_array_get_length (moves); i++)
    {
      const char *san = string_element (moves, i);

      if (san == NULL)
        {
          bad_request (error, "Move %u of a saved board is not a string", i + 1);
          return NULL;
        }
      if (!kibitz_chess_game_play_san (board->game, i, san, error))
        return NULL;
    }
  if (ply > kibitz_chess_game_get_n_moves (board->game))
    {
      bad_request (error, "A saved board shows ply %" G_GINT64_FORMAT " of %u", ply,
                   kibitz_chess_game_get_n_moves (board->game));
      return NULL;
    }
  if (!read_shapes (shape_list, shapes, error) || !(movers = read_movers (mover_list, error)))
    return NULL;

  kibitz_chess_game_set_shapes (board->game, (KibitzChessShape *) shapes->data, shapes->len);
  g_ptr_array_unref (board->movers);
  board->movers = g_steal_pointer (&movers);
  board->ply = ply;
  board->seq = seq;
  return g_steal_pointer (&board);
}
