/* kibitz-board-view.c: the class's shared chessboard in the app
 * (protocol.md §5).
 *
 * Sixty-four buttons in a grid, each with the team's own piece drawing
 * (app/pieces/, drawn sharp at whatever size the board has: the board grows
 * with the window) and a name for a screen reader ("e4, white pawn"), so
 * the board is usable from the keyboard (Tab, arrows, Space) as from the
 * pointer: a tap on a piece of the side to move shows its legal targets, a
 * tap on a target plays it (a pawn on the last rank asks for its piece);
 * a piece can also be dragged to its target. A right drag draws an arrow
 * (or, released on the same square, marks it) as on lichess: green, red with
 * Shift or Ctrl, blue with Alt, yellow with both; the same shape again takes
 * it away (from the keyboard: M and A on the focused square). The view never moves a piece itself: it emits ::move or
 * ::shapes, and shows the server's next state, so every participant sees
 * the same board. Legal moves come from src/chess.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz"

#include "config.h"

#include "kibitz-board-view.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "kibitz-chess-game.h"
#include "kibitz-chess-notation.h"
#include "kibitz-piece-paintable.h"

/* The protocol's limit: a new shape beyond it pushes out the oldest. */
#define MAX_SHAPES 32
/* How far (pixels) a pressed piece moves before it is being dragged. */
#define DRAG_THRESHOLD 6

struct _KibitzBoardView {
  GtkWidget        parent_instance;

  GtkWidget       *box;
  GtkWidget       *grid;
  GtkWidget       *overlay;
  GtkGesture      *move_gesture;   /* primary-button drags */
  GtkWidget       *squares[64];
  GtkWidget       *images[64];     /* GtkPicture */
  GdkPaintable    *pieces[16];     /* by KibitzChessPiece */
  GtkWidget       *drag_image;     /* the piece under the pointer */
  GtkWidget       *result_label;   /* "Checkmate: White wins", over the board */
  GtkWidget       *summary_label;
  GtkWidget       *moves;
  GtkWidget       *moves_scroller;
  GtkWidget       *promotion;      /* a popover: which piece */
  GtkWidget       *shapes_area;    /* arrows and marked squares, over the grid */
  GArray          *shapes;         /* Shape, from the server's state */
  int              drag_from;      /* the square of a piece pressed, or -1 */
  gboolean         dragging;       /* ... and moved past DRAG_THRESHOLD */
  int              drawing_color;  /* a right drag's colour, or -1 */
  int              drawing_from;
  int              drawing_to;     /* -1: the square itself */

  KibitzChessGame *game;           /* the server's game, or NULL */
  guint            ply;            /* the move shown */
  char            *result;
  gboolean         may_move;
  gboolean         may_draw;       /* as may_move, also after the game ended */
  gboolean         may_navigate;
  gboolean         flipped;
  int              selected;       /* a square, or -1 */
  int              promotion_from;
  int              promotion_to;
  GStrv            legal;          /* UCI moves in the shown position */
  char            *summary;
};

typedef struct {
  int from;    /* the marked square, or an arrow's tail */
  int to;      /* an arrow's head, or -1 */
  int color;   /* index in shape_colors */
} Shape;

/* green, red, blue, yellow: protocol.md §5's colours, lichess's shades */
static const GdkRGBA shape_colors[] = {
  { 0.08, 0.47, 0.11, 0.8 }, { 0.53, 0.13, 0.10, 0.8 },
  { 0.00, 0.19, 0.53, 0.8 }, { 0.90, 0.62, 0.00, 0.8 },
};
static const char * const shape_color_names[] = { "green", "red", "blue", "yellow" };

G_DEFINE_FINAL_TYPE (KibitzBoardView, kibitz_board_view, GTK_TYPE_WIDGET)

enum {
  SIGNAL_MOVE,
  SIGNAL_VIEW,
  SIGNAL_SET_GAME,
  SIGNAL_SHAPES,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char * const piece_names[] = {
  NULL, "pawn", "knight", "bishop", "rook", "queen", "king",
};

static void update_actions (KibitzBoardView *self);
static void follow_last_move (KibitzBoardView *self);

static const KibitzChessPosition *
shown_position (KibitzBoardView *self)
{
  return self->game ? kibitz_chess_game_get_position (self->game, self->ply) : NULL;
}

static KibitzChessPiece
piece_at (KibitzBoardView *self,
          int              square)
{
  const KibitzChessPosition *position = shown_position (self);

  return position ? kibitz_chess_position_get_piece (position, square) : KIBITZ_CHESS_EMPTY;
}

/* "e4, white pawn", for a screen reader. */
static char *
square_label (KibitzBoardView *self,
              int              square,
              KibitzChessPiece piece,
              gboolean         target)
{
  /* Translators: the pieces as a screen reader names them on a square. */
  static const char * const white[] = { NULL, N_("white pawn"), N_("white knight"),
                                        N_("white bishop"), N_("white rook"), N_("white queen"),
                                        N_("white king") };
  static const char * const black[] = { NULL, N_("black pawn"), N_("black knight"),
                                        N_("black bishop"), N_("black rook"), N_("black queen"),
                                        N_("black king") };
  KibitzChessPieceType type = KIBITZ_CHESS_PIECE_TYPE (piece);
  char name[3];
  GString *label = g_string_new (NULL);

  kibitz_chess_square_to_name (square, name);
  g_string_append (label, name);
  g_string_append (label, ", ");
  if (piece == KIBITZ_CHESS_EMPTY)
    g_string_append (label, _("empty"));
  else
    g_string_append (label, gettext ((KIBITZ_CHESS_PIECE_COLOR (piece) == KIBITZ_CHESS_WHITE
                                      ? white : black)[type]));
  if (square == self->selected)
    g_string_append_printf (label, ", %s", _("selected"));
  if (target)
    g_string_append_printf (label, ", %s", _("a legal move"));
  return g_string_free (label, FALSE);
}

static gboolean
is_target (KibitzBoardView *self,
           int              from,
           int              to)
{
  char uci[5];

  if (from < 0 || self->legal == NULL)
    return FALSE;
  kibitz_chess_square_to_name (from, uci);
  kibitz_chess_square_to_name (to, uci + 2);
  for (guint i = 0; self->legal[i]; i++)
    if (strncmp (self->legal[i], uci, 4) == 0)
      return TRUE;
  return FALSE;
}

static void
update_squares (KibitzBoardView *self)
{
  const KibitzChessPosition *position = shown_position (self);
  const KibitzChessMove *last = NULL;
  int check = -1;

  if (self->game != NULL && self->ply > 0)
    last = kibitz_chess_game_get_move (self->game, self->ply - 1);
  if (position != NULL && kibitz_chess_position_in_check (position))
    {
      KibitzChessPiece king = kibitz_chess_position_get_side_to_move (position) == KIBITZ_CHESS_WHITE
                              ? KIBITZ_CHESS_WHITE_KING : KIBITZ_CHESS_BLACK_KING;

      for (int square = 0; square < 64 && check < 0; square++)
        if (kibitz_chess_position_get_piece (position, square) == king)
          check = square;
    }

  for (int square = 0; square < 64; square++)
    {
      GtkWidget *button = self->squares[square];
      KibitzChessPiece piece = piece_at (self, square);
      gboolean target = is_target (self, self->selected, square);
      g_autofree char *label = square_label (self, square, piece, target);

      /* A dragged piece is under the pointer, not on its square. */
      gtk_picture_set_paintable (GTK_PICTURE (self->images[square]),
                                 self->dragging && square == self->drag_from
                                 ? NULL : self->pieces[piece]);
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);

      if (last != NULL && (square == last->from || square == last->to))
        gtk_widget_add_css_class (button, "last-move");
      else
        gtk_widget_remove_css_class (button, "last-move");
      if (square == self->selected)
        gtk_widget_add_css_class (button, "selected");
      else
        gtk_widget_remove_css_class (button, "selected");
      if (target)
        gtk_widget_add_css_class (button, piece == KIBITZ_CHESS_EMPTY ? "target" : "target-capture");
      else
        {
          gtk_widget_remove_css_class (button, "target");
          gtk_widget_remove_css_class (button, "target-capture");
        }
      if (square == check)
        gtk_widget_add_css_class (button, "check");
      else
        gtk_widget_remove_css_class (button, "check");
    }
}

/* The centre of @square in the drawing area, as the grid shows it. */
static void
square_centre (KibitzBoardView *self,
               int              square,
               double           size,
               double          *x,
               double          *y)
{
  int file = KIBITZ_CHESS_SQUARE_FILE (square);
  int rank = KIBITZ_CHESS_SQUARE_RANK (square);
  int column = self->flipped ? 7 - file : file;
  int row = self->flipped ? rank : 7 - rank;

  *x = (column + 0.5) * size;
  *y = (row + 0.5) * size;
}

static void
draw_shapes (GtkDrawingArea *area,
             cairo_t        *cr,
             int             width,
             int             height,
             gpointer        user_data)
{
  KibitzBoardView *self = user_data;
  double size = MIN (width, height) / 8.0;
  Shape drawing = { self->drawing_from, self->drawing_to, self->drawing_color };

  /* The shapes, and the one a right drag is drawing, last. */
  for (guint i = 0; i <= self->shapes->len; i++)
    {
      const Shape *shape = i < self->shapes->len ? &g_array_index (self->shapes, Shape, i) : &drawing;
      double x1, y1, x2, y2, angle, head = size * 0.42;

      if (shape->color < 0)
        continue;

      gdk_cairo_set_source_rgba (cr, &shape_colors[shape->color]);
      square_centre (self, shape->from, size, &x1, &y1);
      if (shape->to < 0)
        {
          cairo_set_line_width (cr, size * 0.08);
          cairo_arc (cr, x1, y1, size * 0.44, 0, 2 * G_PI);
          cairo_stroke (cr);
          continue;
        }
      square_centre (self, shape->to, size, &x2, &y2);
      angle = atan2 (y2 - y1, x2 - x1);
      /* The shaft stops where the head begins. */
      cairo_set_line_width (cr, size * 0.16);
      cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
      cairo_move_to (cr, x1, y1);
      cairo_line_to (cr, x2 - head * cos (angle), y2 - head * sin (angle));
      cairo_stroke (cr);
      cairo_move_to (cr, x2, y2);
      cairo_line_to (cr, x2 - head * cos (angle - 0.5), y2 - head * sin (angle - 0.5));
      cairo_line_to (cr, x2 - head * cos (angle + 0.5), y2 - head * sin (angle + 0.5));
      cairo_close_path (cr);
      cairo_fill (cr);
    }
}

/* The state's shapes; one that does not parse is left out (the server
 * checked them). */
static void
read_shapes (KibitzBoardView *self,
             JsonObject      *state)
{
  JsonArray *shapes = json_object_has_member (state, "shapes")
                      ? json_object_get_array_member (state, "shapes") : NULL;

  g_array_set_size (self->shapes, 0);
  for (guint i = 0; shapes != NULL && i < json_array_get_length (shapes); i++)
    {
      JsonNode *node = json_array_get_element (shapes, i);
      JsonObject *object = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *color, *square, *from, *to;
      Shape shape = { -1, -1, -1 };

      if (object == NULL)
        continue;
      color = json_object_get_string_member_with_default (object, "color", "");
      square = json_object_get_string_member_with_default (object, "square", NULL);
      from = json_object_get_string_member_with_default (object, "from", NULL);
      to = json_object_get_string_member_with_default (object, "to", NULL);
      for (guint c = 0; c < G_N_ELEMENTS (shape_color_names); c++)
        if (g_str_equal (color, shape_color_names[c]))
          shape.color = c;
      shape.from = kibitz_chess_square_from_name (square ? square : from ? from : "");
      shape.to = square ? -1 : kibitz_chess_square_from_name (to ? to : "");
      if (shape.color >= 0 && shape.from >= 0 && (square != NULL || shape.to >= 0))
        g_array_append_val (self->shapes, shape);
    }
  gtk_widget_queue_draw (self->shapes_area);
  update_actions (self);
}

static void
place_squares (KibitzBoardView *self)
{
  for (int square = 0; square < 64; square++)
    {
      int file = KIBITZ_CHESS_SQUARE_FILE (square);
      int rank = KIBITZ_CHESS_SQUARE_RANK (square);
      int column = self->flipped ? 7 - file : file;
      int row = self->flipped ? rank : 7 - rank;

      if (gtk_widget_get_parent (self->squares[square]) != NULL)
        gtk_grid_remove (GTK_GRID (self->grid), self->squares[square]);
      gtk_grid_attach (GTK_GRID (self->grid), self->squares[square], column, row, 1, 1);
    }
  if (self->shapes_area != NULL)
    gtk_widget_queue_draw (self->shapes_area);
}

/* The move number of ply @ply (1 is the first move played) and whether
 * White made it, counted from the start position's side and fullmove
 * number: a game set up at move 40 with Black to move starts at "40...". */
static guint
move_number (KibitzBoardView *self,
             guint            ply,
             gboolean        *white)
{
  const KibitzChessPosition *start = kibitz_chess_game_get_position (self->game, 0);
  guint black_first = kibitz_chess_position_get_side_to_move (start) == KIBITZ_CHESS_BLACK;
  guint half = ply - 1 + black_first;

  *white = half % 2 == 0;
  return MAX (kibitz_chess_position_get_fullmove_number (start), 1) + half / 2;
}

/* How the game ended, said whole: "Checkmate: White wins (1-0)". The reason
 * comes from the final position; a result without one there (a resignation
 * or an agreed draw in a PGN) is said by who won. */
static char *
result_sentence (KibitzBoardView *self)
{
  guint total = kibitz_chess_game_get_n_moves (self->game);
  KibitzChessEnd end = kibitz_chess_game_get_end (self->game, total);
  const char *who;

  if (g_strcmp0 (self->result, "1-0") == 0)
    who = _("White wins");
  else if (g_strcmp0 (self->result, "0-1") == 0)
    who = _("Black wins");
  else
    who = _("a draw");

  switch (end)
    {
    case KIBITZ_CHESS_END_CHECKMATE:
      /* Translators: "Checkmate: White wins (1-0)". */
      return g_strdup_printf (_("Checkmate: %s (%s)"), who, self->result);
    case KIBITZ_CHESS_END_STALEMATE:
      return g_strdup_printf (_("Stalemate: %s (%s)"), who, self->result);
    case KIBITZ_CHESS_END_INSUFFICIENT_MATERIAL:
      return g_strdup_printf (_("Neither side can mate: %s (%s)"), who, self->result);
    case KIBITZ_CHESS_END_FIFTY_MOVES:
      return g_strdup_printf (_("Fifty moves without a capture or a pawn move: %s (%s)"), who,
                              self->result);
    case KIBITZ_CHESS_END_THREEFOLD_REPETITION:
      return g_strdup_printf (_("The same position three times: %s (%s)"), who, self->result);
    case KIBITZ_CHESS_END_NONE:
    default:
      /* Translators: "Game over: Black wins (0-1)". */
      return g_strdup_printf (_("Game over: %s (%s)"), who, self->result);
    }
}

static void
update_summary (KibitzBoardView *self)
{
  const KibitzChessPosition *position = shown_position (self);
  const char * const *san = self->game ? kibitz_chess_game_get_san_moves (self->game) : NULL;
  guint total = self->game ? kibitz_chess_game_get_n_moves (self->game) : 0;
  GString *text = g_string_new (NULL);

  if (position == NULL)
    {
      g_free (self->summary);
      self->summary = g_strdup (_("The class has no board yet."));
      gtk_label_set_text (GTK_LABEL (self->summary_label), self->summary);
      g_string_free (text, TRUE);
      gtk_widget_set_visible (self->result_label, FALSE);
      return;
    }

  if (self->ply > 0)
    {
      gboolean white;
      guint number = move_number (self, self->ply, &white);

      /* Translators: "After 2... Nc6:" — the move number, dots and the move. */
      g_string_append_printf (text, _("After %u%s %s:"), number, white ? "." : "...",
                              san[self->ply - 1]);
    }
  else
    g_string_append (text, _("Start position:"));
  g_string_append_c (text, ' ');
  if (self->result != NULL && self->ply == total)
    {
      g_autofree char *sentence = result_sentence (self);

      g_string_append_printf (text, "%s.", sentence);
      gtk_label_set_text (GTK_LABEL (self->result_label), sentence);
    }
  else
    {
      gboolean white = kibitz_chess_position_get_side_to_move (position) == KIBITZ_CHESS_WHITE;

      g_string_append (text, white ? _("White to move") : _("Black to move"));
      if (kibitz_chess_position_in_check (position))
        g_string_append (text, _(", in check"));
      g_string_append_c (text, '.');
    }
  if (self->ply < total)
    {
      g_string_append_c (text, ' ');
      g_string_append_printf (text, _("Showing move %u of %u."), self->ply, total);
    }
  if (self->may_move)
    {
      g_string_append_c (text, ' ');
      g_string_append (text, _("You may move."));
    }
  else if (!self->may_draw && !self->may_navigate)
    {
      /* A pupil whose taps do nothing is told why. */
      g_string_append_c (text, ' ');
      g_string_append (text, _("Your teacher chooses who moves."));
    }

  gtk_widget_set_visible (self->result_label, self->result != NULL && self->ply == total);
  g_free (self->summary);
  self->summary = g_string_free (text, FALSE);
  gtk_label_set_text (GTK_LABEL (self->summary_label), self->summary);
}

static void
move_button_clicked_cb (GtkButton       *button,
                        KibitzBoardView *self)
{
  guint ply = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "ply"));

  if (self->may_navigate)
    g_signal_emit (self, signals[SIGNAL_VIEW], 0, ply);
}

static void
update_moves (KibitzBoardView *self)
{
  const char * const *san = self->game ? kibitz_chess_game_get_san_moves (self->game) : NULL;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (self->moves)) != NULL)
    gtk_flow_box_remove (GTK_FLOW_BOX (self->moves), child);

  for (guint ply = 0; self->game != NULL && ply <= kibitz_chess_game_get_n_moves (self->game); ply++)
    {
      gboolean white = TRUE;
      guint number = ply > 0 ? move_number (self, ply, &white) : 0;
      g_autofree char *label = ply == 0 ? g_strdup (_("Start"))
                               : white ? g_strdup_printf ("%u. %s", number, san[ply - 1])
                               : ply == 1 ? g_strdup_printf ("%u... %s", number, san[ply - 1])
                               : g_strdup (san[ply - 1]);
      GtkWidget *button = gtk_button_new_with_label (label);

      g_object_set_data (G_OBJECT (button), "ply", GUINT_TO_POINTER (ply));
      gtk_widget_add_css_class (button, "flat");
      gtk_widget_add_css_class (button, "board-move");
      if (ply == self->ply)
        gtk_widget_add_css_class (button, "current");
      gtk_widget_set_sensitive (button, self->may_navigate || ply == self->ply);
      g_signal_connect (button, "clicked", G_CALLBACK (move_button_clicked_cb), self);
      gtk_flow_box_append (GTK_FLOW_BOX (self->moves), button);
    }
  if (self->result != NULL)
    gtk_flow_box_append (GTK_FLOW_BOX (self->moves), gtk_label_new (self->result));
  follow_last_move (self);
}

static void
play (KibitzBoardView *self,
      int              from,
      int              to,
      char             promotion)
{
  char uci[6] = { 0 };

  kibitz_chess_square_to_name (from, uci);
  kibitz_chess_square_to_name (to, uci + 2);
  uci[4] = promotion;
  self->selected = -1;
  update_squares (self);
  g_signal_emit (self, signals[SIGNAL_MOVE], 0, uci);
}

static void
promotion_clicked_cb (GtkButton       *button,
                      KibitzBoardView *self)
{
  const char *piece = g_object_get_data (G_OBJECT (button), "piece");

  gtk_popover_popdown (GTK_POPOVER (self->promotion));
  play (self, self->promotion_from, self->promotion_to, piece[0]);
}

static gboolean
needs_promotion (KibitzBoardView *self,
                 int              from,
                 int              to)
{
  char uci[6] = { 0 };

  kibitz_chess_square_to_name (from, uci);
  kibitz_chess_square_to_name (to, uci + 2);
  uci[4] = 'q';
  return self->legal != NULL && g_strv_contains ((const char * const *) self->legal, uci);
}

/* A legal move from @from to @to, tapped or dropped: played, or for a pawn
 * on the last rank, the piece asked for first. */
static void
play_or_promote (KibitzBoardView *self,
                 int              from,
                 int              to)
{
  if (needs_promotion (self, from, to))
    {
      self->selected = from;
      self->promotion_from = from;
      self->promotion_to = to;
      update_squares (self);
      gtk_widget_unparent (self->promotion);
      gtk_widget_set_parent (self->promotion, self->squares[to]);
      gtk_popover_popup (GTK_POPOVER (self->promotion));
      return;
    }
  play (self, from, to, 0);
}

/* Whether the piece on @square is one the user may pick up now. */
static gboolean
is_movable (KibitzBoardView *self,
            int              square)
{
  const KibitzChessPosition *position = shown_position (self);
  KibitzChessPiece piece = piece_at (self, square);

  return self->may_move && position != NULL && piece != KIBITZ_CHESS_EMPTY &&
         KIBITZ_CHESS_PIECE_COLOR (piece) == kibitz_chess_position_get_side_to_move (position);
}

static void
square_clicked (KibitzBoardView *self,
                int              square)
{
  if (!self->may_move || shown_position (self) == NULL)
    return;

  if (is_target (self, self->selected, square))
    {
      play_or_promote (self, self->selected, square);
      return;
    }

  if (square != self->selected && is_movable (self, square))
    self->selected = square;
  else
    self->selected = -1;
  update_squares (self);
}

static void
square_clicked_cb (GtkButton       *button,
                   KibitzBoardView *self)
{
  square_clicked (self, GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "square")));
}

/* The square under the point (@x, @y) of the board's overlay, or -1. */
static int
square_at (KibitzBoardView *self,
           double           x,
           double           y)
{
  double size = MIN (gtk_widget_get_width (self->overlay), gtk_widget_get_height (self->overlay)) / 8.0;
  int column, row;

  if (size <= 0 || x < 0 || y < 0)
    return -1;
  column = (int) (x / size);
  row = (int) (y / size);
  if (column > 7 || row > 7)
    return -1;
  return self->flipped ? KIBITZ_CHESS_SQUARE (7 - column, row)
                       : KIBITZ_CHESS_SQUARE (column, 7 - row);
}

/* --- Dragging a piece (the primary button) --- */

static void
place_drag_image (KibitzBoardView *self,
                  double           x,
                  double           y)
{
  double size = MIN (gtk_widget_get_width (self->overlay), gtk_widget_get_height (self->overlay)) / 8.0;

  gtk_widget_set_size_request (self->drag_image, (int) size, (int) size);
  gtk_widget_set_margin_start (self->drag_image, (int) MAX (x - size / 2, 0));
  gtk_widget_set_margin_top (self->drag_image, (int) MAX (y - size / 2, 0));
}

static void
drag_begin_cb (GtkGestureDrag  *gesture,
               double           x,
               double           y,
               KibitzBoardView *self)
{
  int square = square_at (self, x, y);

  self->dragging = FALSE;
  self->drag_from = square >= 0 && is_movable (self, square) ? square : -1;
  /* Not a piece to move: the press is the square button's (a tap). */
  if (self->drag_from < 0)
    gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
}

static void
drag_update_cb (GtkGestureDrag  *gesture,
                double           dx,
                double           dy,
                KibitzBoardView *self)
{
  double x, y;

  if (self->drag_from < 0 || !gtk_gesture_drag_get_start_point (gesture, &x, &y))
    return;
  if (!self->dragging)
    {
      if (hypot (dx, dy) < DRAG_THRESHOLD)
        return;
      /* A drag, not a tap: the square button does not get a click. */
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
      self->dragging = TRUE;
      self->selected = self->drag_from;
      gtk_picture_set_paintable (GTK_PICTURE (self->drag_image),
                                 self->pieces[piece_at (self, self->drag_from)]);
      gtk_widget_set_visible (self->drag_image, TRUE);
      update_squares (self);
    }
  place_drag_image (self, x + dx, y + dy);
}

static void
drag_stop (KibitzBoardView *self)
{
  self->dragging = FALSE;
  self->drag_from = -1;
  gtk_widget_set_visible (self->drag_image, FALSE);
  gtk_picture_set_paintable (GTK_PICTURE (self->drag_image), NULL);
}

static void
drag_end_cb (GtkGestureDrag  *gesture,
             double           dx,
             double           dy,
             KibitzBoardView *self)
{
  int from = self->drag_from;
  double x, y;
  int to;

  if (!self->dragging || !gtk_gesture_drag_get_start_point (gesture, &x, &y))
    {
      self->drag_from = -1;
      return;
    }
  to = square_at (self, x + dx, y + dy);
  drag_stop (self);
  if (to >= 0 && is_target (self, from, to))
    play_or_promote (self, from, to);
  else
    {
      /* Put back; dropped on its own square it stays picked up, as a tap. */
      self->selected = to == from ? from : -1;
      update_squares (self);
    }
}

static void
drag_cancel_cb (GtkGesture       *gesture,
                GdkEventSequence *sequence,
                KibitzBoardView  *self)
{
  if (self->dragging)
    {
      drag_stop (self);
      self->selected = -1;
      update_squares (self);
    }
  self->drag_from = -1;
}

/* --- Drawing arrows and marked squares (the secondary button) --- */

static JsonArray *
shapes_to_json (GArray *shapes)
{
  JsonArray *array = json_array_new ();

  for (guint i = 0; i < shapes->len; i++)
    {
      const Shape *shape = &g_array_index (shapes, Shape, i);
      JsonObject *object = json_object_new ();
      char from[3], to[3];

      kibitz_chess_square_to_name (shape->from, from);
      if (shape->to < 0)
        json_object_set_string_member (object, "square", from);
      else
        {
          kibitz_chess_square_to_name (shape->to, to);
          json_object_set_string_member (object, "from", from);
          json_object_set_string_member (object, "to", to);
        }
      json_object_set_string_member (object, "color", shape_color_names[shape->color]);
      json_array_add_object_element (array, object);
    }
  return array;
}

/* Sends the class @shapes; shown at once, and again by the server's state. */
static void
send_shapes (KibitzBoardView *self,
             GArray          *shapes)
{
  g_autoptr(JsonArray) array = shapes_to_json (shapes);

  if (shapes != self->shapes)
    {
      g_array_set_size (self->shapes, 0);
      g_array_append_vals (self->shapes, shapes->data, shapes->len);
    }
  gtk_widget_queue_draw (self->shapes_area);
  g_signal_emit (self, signals[SIGNAL_SHAPES], 0, array);
}

/* lichess's keys: Shift or Ctrl red, Alt blue, both yellow, else green. */
static int
color_of_modifiers (GdkModifierType state)
{
  gboolean red = (state & (GDK_SHIFT_MASK | GDK_CONTROL_MASK)) != 0;
  gboolean blue = (state & GDK_ALT_MASK) != 0;

  return red && blue ? 3 : red ? 1 : blue ? 2 : 0;
}

/* A shape begins on @square (drawn as a ring until it has a head). */
static void
begin_drawing (KibitzBoardView *self,
               int              square,
               int              color)
{
  self->drawing_color = color;
  self->drawing_from = square;
  self->drawing_to = -1;
  gtk_widget_queue_draw (self->shapes_area);
}

static void
draw_begin_cb (GtkGestureDrag  *gesture,
               double           x,
               double           y,
               KibitzBoardView *self)
{
  int square = square_at (self, x, y);
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (gesture));

  if (!self->may_draw || square < 0)
    {
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  begin_drawing (self, square, color_of_modifiers (state));
}

static void
draw_update_cb (GtkGestureDrag  *gesture,
                double           dx,
                double           dy,
                KibitzBoardView *self)
{
  double x, y;
  int to;

  if (self->drawing_color < 0 || !gtk_gesture_drag_get_start_point (gesture, &x, &y))
    return;
  to = square_at (self, x + dx, y + dy);
  to = to == self->drawing_from ? -1 : to;
  if (to != self->drawing_to)
    {
      self->drawing_to = to;
      gtk_widget_queue_draw (self->shapes_area);
    }
}

/* The same shape again takes it away; in another colour, recolours it. */
static void
toggle_shape (KibitzBoardView *self,
              Shape            drawn)
{
  g_autoptr(GArray) shapes = g_array_copy (self->shapes);
  gboolean found = FALSE;

  for (guint i = 0; i < shapes->len && !found; i++)
    {
      Shape *shape = &g_array_index (shapes, Shape, i);

      if (shape->from != drawn.from || shape->to != drawn.to)
        continue;
      found = TRUE;
      if (shape->color == drawn.color)
        g_array_remove_index (shapes, i);
      else
        shape->color = drawn.color;
    }
  if (!found)
    {
      if (shapes->len >= MAX_SHAPES)
        g_array_remove_index (shapes, 0);
      g_array_append_val (shapes, drawn);
    }
  send_shapes (self, shapes);
}

static void
draw_end_cb (GtkGestureDrag  *gesture,
             double           dx,
             double           dy,
             KibitzBoardView *self)
{
  Shape drawn = { self->drawing_from, self->drawing_to, self->drawing_color };

  self->drawing_color = -1;
  gtk_widget_queue_draw (self->shapes_area);
  if (drawn.color >= 0)
    toggle_shape (self, drawn);
}

static void
draw_cancel_cb (GtkGesture       *gesture,
                GdkEventSequence *sequence,
                KibitzBoardView  *self)
{
  self->drawing_color = -1;
  gtk_widget_queue_draw (self->shapes_area);
}

/* --- Drawing from the keyboard ---
 * On a focused square, M marks it (again: takes the mark away), A begins an
 * arrow there (shown as a ring) and A on another square ends it, Escape
 * forgets it; Shift, Ctrl and Alt pick the colour as with the pointer. */
static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                KibitzBoardView       *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  guint key = gdk_keyval_to_lower (keyval);
  int square = -1;

  for (int i = 0; i < 64 && focus != NULL; i++)
    if (self->squares[i] == focus)
      square = i;
  if (square < 0 || !self->may_draw)
    return FALSE;

  if (key == GDK_KEY_Escape && self->drawing_color >= 0)
    {
      self->drawing_color = -1;
      gtk_widget_queue_draw (self->shapes_area);
      return TRUE;
    }
  if (key == GDK_KEY_m)
    {
      Shape mark = { square, -1, color_of_modifiers (state) };

      self->drawing_color = -1;
      toggle_shape (self, mark);
      return TRUE;
    }
  if (key == GDK_KEY_a)
    {
      if (self->drawing_color >= 0 && self->drawing_from != square)
        {
          Shape arrow = { self->drawing_from, square, self->drawing_color };

          self->drawing_color = -1;
          gtk_widget_queue_draw (self->shapes_area);
          toggle_shape (self, arrow);
        }
      else
        begin_drawing (self, square, color_of_modifiers (state));
      return TRUE;
    }
  return FALSE;
}

static GtkWidget *
make_promotion (KibitzBoardView *self)
{
  static const struct { const char *piece; const char *icon; const char *label; } choices[] = {
    { "q", "kibitz-piece-white-queen", N_("Queen") },
    { "r", "kibitz-piece-white-rook", N_("Rook") },
    { "b", "kibitz-piece-white-bishop", N_("Bishop") },
    { "n", "kibitz-piece-white-knight", N_("Knight") },
  };
  GtkWidget *popover = gtk_popover_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

  for (guint i = 0; i < G_N_ELEMENTS (choices); i++)
    {
      GtkWidget *button = gtk_button_new_from_icon_name (choices[i].icon);

      gtk_widget_set_tooltip_text (button, gettext (choices[i].label));
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      gettext (choices[i].label), -1);
      g_object_set_data (G_OBJECT (button), "piece", (gpointer) choices[i].piece);
      g_signal_connect (button, "clicked", G_CALLBACK (promotion_clicked_cb), self);
      gtk_box_append (GTK_BOX (box), button);
    }
  gtk_popover_set_child (GTK_POPOVER (popover), box);
  gtk_widget_set_parent (popover, GTK_WIDGET (self));
  return popover;
}

/* Board tools: FEN through the clipboard, PGN through files (a file chooser
 * that is the portal's inside a Flatpak). Setting a game is a request like a
 * move: the server checks it (bad-fen, bad-pgn) and answers everyone. */

static void
copy_fen_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  KibitzBoardView *self = KIBITZ_BOARD_VIEW (widget);
  g_autofree char *fen = NULL;

  if (self->game == NULL)
    return;
  fen = kibitz_chess_game_get_fen (self->game, self->ply);
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), fen);
}

static void
paste_fen_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(KibitzBoardView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, &error);

  if (text == NULL)
    {
      g_message ("Nothing to paste as a position: %s", error ? error->message : "no text");
      return;
    }
  g_strstrip (text);
  g_signal_emit (self, signals[SIGNAL_SET_GAME], 0, text, NULL);
}

static void
paste_fen_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (widget), NULL, paste_fen_cb,
                                 g_object_ref (widget));
}

/* The protocol's board-set limit: a longer file is refused here, with the
 * reason, instead of by the server. */
#define PGN_MAX (64 * 1024)

static void
pgn_loaded_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(KibitzBoardView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_load_contents_finish (G_FILE (source), result, &contents, &length, NULL, &error))
    {
      g_message ("Cannot read the PGN file: %s", error->message);
      return;
    }
  if (length > PGN_MAX || memchr (contents, '\0', length) != NULL)
    {
      g_message ("The PGN file is over 64 KiB or not text: not sent");
      return;
    }
  g_signal_emit (self, signals[SIGNAL_SET_GAME], 0, NULL, contents);
}

static void
open_response_cb (GtkNativeDialog *dialog,
                  int              response,
                  KibitzBoardView *self)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  if (file != NULL)
    g_file_load_contents_async (file, NULL, pgn_loaded_cb, g_object_ref (self));
  g_object_unref (dialog);
}

static GtkFileFilter *
pgn_filter (void)
{
  GtkFileFilter *filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("Chess games (PGN)"));
  gtk_file_filter_add_pattern (filter, "*.pgn");
  gtk_file_filter_add_pattern (filter, "*.PGN");
  gtk_file_filter_add_mime_type (filter, "application/x-chess-pgn");
  return filter;
}

static void
open_pgn_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *dialog =
    gtk_file_chooser_native_new (_("Open a Game"), GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                 GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  g_autoptr(GtkFileFilter) filter = pgn_filter ();

  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  g_signal_connect (dialog, "response", G_CALLBACK (open_response_cb), widget);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
save_response_cb (GtkNativeDialog *dialog,
                  int              response,
                  KibitzBoardView *self)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pgn = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  if (file != NULL && self->game != NULL)
    {
      pgn = kibitz_chess_game_to_pgn (self->game);
      if (!g_file_replace_contents (file, pgn, strlen (pgn), NULL, FALSE, G_FILE_CREATE_NONE, NULL,
                                    NULL, &error))
        g_message ("Cannot save the game: %s", error->message);
    }
  g_object_unref (dialog);
}

static void
save_pgn_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *dialog =
    gtk_file_chooser_native_new (_("Save the Game"), GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                 GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  g_autoptr(GtkFileFilter) filter = pgn_filter ();

  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  /* Translators: the suggested file name of a saved game. */
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), _("game.pgn"));
  g_signal_connect (dialog, "response", G_CALLBACK (save_response_cb), widget);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
flip_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  KibitzBoardView *self = KIBITZ_BOARD_VIEW (widget);

  kibitz_board_view_set_flipped (self, !self->flipped);
}

static void
clear_shapes_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  KibitzBoardView *self = KIBITZ_BOARD_VIEW (widget);

  g_array_set_size (self->shapes, 0);
  send_shapes (self, self->shapes);
}

static void
update_actions (KibitzBoardView *self)
{
  GtkWidget *widget = GTK_WIDGET (self);

  gtk_widget_action_set_enabled (widget, "board.clear-shapes", self->may_draw && self->shapes->len > 0);

  gtk_widget_action_set_enabled (widget, "board.copy-fen", self->game != NULL);
  gtk_widget_action_set_enabled (widget, "board.save-pgn", self->game != NULL);
  gtk_widget_action_set_enabled (widget, "board.paste-fen", self->may_navigate);
  gtk_widget_action_set_enabled (widget, "board.open-pgn", self->may_navigate);
}

static void
kibitz_board_view_dispose (GObject *object)
{
  KibitzBoardView *self = KIBITZ_BOARD_VIEW (object);

  g_clear_pointer (&self->promotion, gtk_widget_unparent);
  g_clear_pointer (&self->box, gtk_widget_unparent);
  G_OBJECT_CLASS (kibitz_board_view_parent_class)->dispose (object);
}

static void
kibitz_board_view_finalize (GObject *object)
{
  KibitzBoardView *self = KIBITZ_BOARD_VIEW (object);

  g_clear_pointer (&self->game, kibitz_chess_game_free);
  g_clear_pointer (&self->legal, g_strfreev);
  g_clear_pointer (&self->shapes, g_array_unref);
  for (guint i = 0; i < G_N_ELEMENTS (self->pieces); i++)
    g_clear_object (&self->pieces[i]);
  g_free (self->result);
  g_free (self->summary);
  G_OBJECT_CLASS (kibitz_board_view_parent_class)->finalize (object);
}

static void
kibitz_board_view_class_init (KibitzBoardViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kibitz_board_view_dispose;
  object_class->finalize = kibitz_board_view_finalize;

  signals[SIGNAL_MOVE] = g_signal_new ("move", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_VIEW] = g_signal_new ("view", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
  signals[SIGNAL_SET_GAME] = g_signal_new ("set-game", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                           0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING,
                                           G_TYPE_STRING);
  signals[SIGNAL_SHAPES] = g_signal_new ("shapes", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 1, JSON_TYPE_ARRAY);

  gtk_widget_class_install_action (widget_class, "board.copy-fen", NULL, copy_fen_action);
  gtk_widget_class_install_action (widget_class, "board.paste-fen", NULL, paste_fen_action);
  gtk_widget_class_install_action (widget_class, "board.open-pgn", NULL, open_pgn_action);
  gtk_widget_class_install_action (widget_class, "board.save-pgn", NULL, save_pgn_action);
  gtk_widget_class_install_action (widget_class, "board.flip", NULL, flip_action);
  gtk_widget_class_install_action (widget_class, "board.clear-shapes", NULL, clear_shapes_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "kibitz-board");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

/* The move list shows its end while the board shows the last move. */
static void
follow_last_move (KibitzBoardView *self)
{
  GtkAdjustment *adjustment =
    gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (self->moves_scroller));

  if (self->game != NULL && self->ply == kibitz_chess_game_get_n_moves (self->game))
    gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment) -
                                          gtk_adjustment_get_page_size (adjustment));
}

static void
scale_factor_cb (KibitzBoardView *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (self->pieces); i++)
    if (self->pieces[i] != NULL)
      kibitz_piece_paintable_set_scale (KIBITZ_PIECE_PAINTABLE (self->pieces[i]),
                                        gtk_widget_get_scale_factor (GTK_WIDGET (self)));
}

static void
kibitz_board_view_init (KibitzBoardView *self)
{
  GtkWidget *frame, *tools, *flip, *game_button;
  GtkAdjustment *adjustment;
  GtkGesture *draw_gesture;
  GtkEventController *key;
  g_autoptr(GMenu) menu = NULL;
  g_autoptr(GMenu) drawings = NULL;

  self->selected = -1;
  self->drag_from = -1;
  self->drawing_color = -1;
  for (KibitzChessPiece piece = 0; piece < G_N_ELEMENTS (self->pieces); piece++)
    {
      KibitzChessPieceType type = KIBITZ_CHESS_PIECE_TYPE (piece);
      g_autofree char *icon = NULL;

      if (type < 1 || type >= G_N_ELEMENTS (piece_names))
        continue;
      icon = g_strdup_printf ("kibitz-piece-%s-%s",
                              KIBITZ_CHESS_PIECE_COLOR (piece) == KIBITZ_CHESS_WHITE ? "white" : "black",
                              piece_names[type]);
      self->pieces[piece] = kibitz_piece_paintable_new (icon);
    }

  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Shared chessboard"), -1);

  self->grid = gtk_grid_new ();
  gtk_grid_set_row_homogeneous (GTK_GRID (self->grid), TRUE);
  gtk_grid_set_column_homogeneous (GTK_GRID (self->grid), TRUE);
  gtk_widget_add_css_class (self->grid, "board-grid");
  frame = gtk_aspect_frame_new (0.5, 0.5, 1.0, FALSE);
  gtk_widget_set_vexpand (frame, TRUE);
  self->overlay = gtk_overlay_new ();
  gtk_overlay_set_child (GTK_OVERLAY (self->overlay), self->grid);
  self->shapes = g_array_new (FALSE, FALSE, sizeof (Shape));
  self->shapes_area = gtk_drawing_area_new ();
  gtk_widget_set_can_target (self->shapes_area, FALSE);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (self->shapes_area), draw_shapes, self, NULL);
  gtk_overlay_add_overlay (GTK_OVERLAY (self->overlay), self->shapes_area);

  self->drag_image = gtk_picture_new ();
  gtk_widget_set_can_target (self->drag_image, FALSE);
  gtk_widget_set_halign (self->drag_image, GTK_ALIGN_START);
  gtk_widget_set_valign (self->drag_image, GTK_ALIGN_START);
  gtk_widget_set_visible (self->drag_image, FALSE);
  gtk_overlay_add_overlay (GTK_OVERLAY (self->overlay), self->drag_image);

  self->result_label = gtk_label_new (NULL);
  gtk_label_set_justify (GTK_LABEL (self->result_label), GTK_JUSTIFY_CENTER);
  gtk_label_set_wrap (GTK_LABEL (self->result_label), TRUE);
  gtk_widget_set_can_target (self->result_label, FALSE);
  gtk_widget_set_halign (self->result_label, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (self->result_label, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (self->result_label, "board-result");
  gtk_widget_set_visible (self->result_label, FALSE);
  gtk_overlay_add_overlay (GTK_OVERLAY (self->overlay), self->result_label);

  /* Captured before the square buttons see the press: a drag is ours, a
   * tap stays theirs (drag_begin_cb gives it back). */
  self->move_gesture = gtk_gesture_drag_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (self->move_gesture), GDK_BUTTON_PRIMARY);
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (self->move_gesture),
                                              GTK_PHASE_CAPTURE);
  g_signal_connect (self->move_gesture, "drag-begin", G_CALLBACK (drag_begin_cb), self);
  g_signal_connect (self->move_gesture, "drag-update", G_CALLBACK (drag_update_cb), self);
  g_signal_connect (self->move_gesture, "drag-end", G_CALLBACK (drag_end_cb), self);
  g_signal_connect (self->move_gesture, "cancel", G_CALLBACK (drag_cancel_cb), self);
  gtk_widget_add_controller (self->overlay, GTK_EVENT_CONTROLLER (self->move_gesture));

  key = gtk_event_controller_key_new ();
  g_signal_connect (key, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (self->grid, key);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->grid), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  _("On a square, M marks it and A begins or ends an arrow; "
                                    "Shift or Ctrl for red, Alt for blue, both for yellow."), -1);

  draw_gesture = gtk_gesture_drag_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (draw_gesture), GDK_BUTTON_SECONDARY);
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (draw_gesture), GTK_PHASE_CAPTURE);
  g_signal_connect (draw_gesture, "drag-begin", G_CALLBACK (draw_begin_cb), self);
  g_signal_connect (draw_gesture, "drag-update", G_CALLBACK (draw_update_cb), self);
  g_signal_connect (draw_gesture, "drag-end", G_CALLBACK (draw_end_cb), self);
  g_signal_connect (draw_gesture, "cancel", G_CALLBACK (draw_cancel_cb), self);
  gtk_widget_add_controller (self->overlay, GTK_EVENT_CONTROLLER (draw_gesture));

  gtk_aspect_frame_set_child (GTK_ASPECT_FRAME (frame), self->overlay);
  gtk_box_append (GTK_BOX (self->box), frame);

  for (int square = 0; square < 64; square++)
    {
      GtkWidget *button = gtk_button_new ();
      gboolean light = (KIBITZ_CHESS_SQUARE_FILE (square) + KIBITZ_CHESS_SQUARE_RANK (square)) % 2;

      self->images[square] = gtk_picture_new ();
      gtk_picture_set_can_shrink (GTK_PICTURE (self->images[square]), TRUE);
      gtk_button_set_child (GTK_BUTTON (button), self->images[square]);
      gtk_widget_add_css_class (button, "board-square");
      gtk_widget_add_css_class (button, light ? "light" : "dark");
      g_object_set_data (G_OBJECT (button), "square", GINT_TO_POINTER (square));
      g_signal_connect (button, "clicked", G_CALLBACK (square_clicked_cb), self);
      self->squares[square] = button;
    }
  place_squares (self);

  self->summary_label = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (self->summary_label), TRUE);
  gtk_widget_add_css_class (self->summary_label, "heading");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->summary_label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Board status"), -1);
  gtk_box_append (GTK_BOX (self->box), self->summary_label);

  tools = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_halign (tools, GTK_ALIGN_CENTER);
  flip = gtk_button_new_with_mnemonic (_("_Flip Board"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (flip), "board.flip");
  gtk_box_append (GTK_BOX (tools), flip);
  menu = g_menu_new ();
  g_menu_append (menu, _("_Copy Position (FEN)"), "board.copy-fen");
  g_menu_append (menu, _("_Paste Position (FEN)"), "board.paste-fen");
  g_menu_append (menu, _("_Open Game (PGN)…"), "board.open-pgn");
  g_menu_append (menu, _("_Save Game (PGN)…"), "board.save-pgn");
  drawings = g_menu_new ();
  g_menu_append (drawings, _("C_lear Arrows and Marks"), "board.clear-shapes");
  g_menu_append_section (menu, NULL, G_MENU_MODEL (drawings));
  game_button = gtk_menu_button_new ();
  gtk_menu_button_set_label (GTK_MENU_BUTTON (game_button), _("Game"));
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (game_button), G_MENU_MODEL (menu));
  gtk_box_append (GTK_BOX (tools), game_button);
  gtk_box_append (GTK_BOX (self->box), tools);

  self->moves = gtk_flow_box_new ();
  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (self->moves), GTK_SELECTION_NONE);
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (self->moves), 12);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->moves), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Moves"), -1);
  /* A fixed height that scrolls, following the last move: the board keeps
   * the room however long the game. */
  self->moves_scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->moves_scroller), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (self->moves_scroller), 88);
  gtk_widget_set_valign (self->moves, GTK_ALIGN_START);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->moves_scroller), self->moves);
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (self->moves_scroller));
  g_signal_connect_swapped (adjustment, "notify::upper", G_CALLBACK (follow_last_move), self);
  gtk_box_append (GTK_BOX (self->box), self->moves_scroller);

  self->promotion = make_promotion (self);
  g_signal_connect (self, "notify::scale-factor", G_CALLBACK (scale_factor_cb), NULL);
  update_summary (self);
  update_actions (self);
}

KibitzBoardView *
kibitz_board_view_new (void)
{
  return g_object_new (KIBITZ_TYPE_BOARD_VIEW, NULL);
}

void
kibitz_board_view_set_state (KibitzBoardView *self,
                             JsonObject      *state,
                             gboolean         may_move,
                             gboolean         may_navigate)
{
  g_autoptr(KibitzChessGame) game = NULL;
  g_autoptr(GError) error = NULL;
  const char *start_fen;
  JsonArray *moves;
  JsonNode *result;
  gint64 ply;

  g_return_if_fail (KIBITZ_IS_BOARD_VIEW (self));

  start_fen = json_object_get_string_member_with_default (state, "start_fen", NULL);
  moves = json_object_has_member (state, "moves") ? json_object_get_array_member (state, "moves") : NULL;
  ply = json_object_get_int_member_with_default (state, "ply", 0);
  if (start_fen == NULL || moves == NULL || (game = kibitz_chess_game_new_from_fen (start_fen, &error)) == NULL)
    {
      g_warning ("The board's state has no playable start: %s", error ? error->message : "no start_fen");
      return;
    }
  for (guint i = 0; i < json_array_get_length (moves); i++)
    {
      const char *san = json_array_get_string_element (moves, i);

      if (san == NULL || !kibitz_chess_game_play_san (game, i, san, &error))
        {
          g_warning ("The board's moves do not replay (move %u): %s", i + 1,
                     error ? error->message : "not a string");
          return;
        }
    }
  if (ply < 0 || ply > (gint64) kibitz_chess_game_get_n_moves (game))
    return;

  g_clear_pointer (&self->game, kibitz_chess_game_free);
  self->game = g_steal_pointer (&game);
  self->ply = (guint) ply;
  result = json_object_get_member (state, "result");
  g_free (self->result);
  self->result = result && JSON_NODE_HOLDS_VALUE (result) ? g_strdup (json_node_get_string (result)) : NULL;
  self->may_move = may_move && !(self->result != NULL && self->ply == kibitz_chess_game_get_n_moves (self->game));
  self->may_draw = may_move;
  self->may_navigate = may_navigate;
  self->selected = -1;
  /* A piece in the air belongs to the position it was picked up in. */
  if (self->dragging)
    gtk_event_controller_reset (GTK_EVENT_CONTROLLER (self->move_gesture));
  drag_stop (self);
  g_clear_pointer (&self->legal, g_strfreev);
  self->legal = kibitz_chess_position_legal_moves_uci (shown_position (self));

  update_squares (self);
  update_summary (self);
  update_moves (self);
  update_actions (self);
  read_shapes (self, state);
}

void
kibitz_board_view_set_flipped (KibitzBoardView *self,
                               gboolean         flipped)
{
  g_return_if_fail (KIBITZ_IS_BOARD_VIEW (self));

  self->flipped = flipped;
  place_squares (self);
}

guint
kibitz_board_view_get_n_shapes (KibitzBoardView *self)
{
  g_return_val_if_fail (KIBITZ_IS_BOARD_VIEW (self), 0);

  return self->shapes->len;
}

const char *
kibitz_board_view_get_summary (KibitzBoardView *self)
{
  g_return_val_if_fail (KIBITZ_IS_BOARD_VIEW (self), NULL);

  return self->summary;
}

void
kibitz_board_view_activate_square (KibitzBoardView *self,
                                   const char      *name)
{
  int square = kibitz_chess_square_from_name (name);

  g_return_if_fail (KIBITZ_IS_BOARD_VIEW (self));
  g_return_if_fail (square >= 0);

  gtk_widget_activate (self->squares[square]);
}

gboolean
kibitz_board_view_get_square_point (KibitzBoardView *self,
                                    const char      *name,
                                    double          *x,
                                    double          *y)
{
  int square = kibitz_chess_square_from_name (name);
  double size;

  g_return_val_if_fail (KIBITZ_IS_BOARD_VIEW (self), FALSE);
  g_return_val_if_fail (square >= 0, FALSE);

  size = MIN (gtk_widget_get_width (self->overlay), gtk_widget_get_height (self->overlay)) / 8.0;
  square_centre (self, square, size, x, y);
  return gtk_widget_translate_coordinates (self->overlay, GTK_WIDGET (self), *x, *y, x, y);
}

const char *
kibitz_board_view_get_result_text (KibitzBoardView *self)
{
  g_return_val_if_fail (KIBITZ_IS_BOARD_VIEW (self), NULL);

  return gtk_widget_get_visible (self->result_label)
         ? gtk_label_get_text (GTK_LABEL (self->result_label)) : NULL;
}
