/* kibitz-call-page-board.c: the call page's part of the shared board
 * (protocol.md §5): the server's state into the KibitzBoardView, the user's
 * moves and navigation out to the call.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz"

#include "config.h"

#include <glib/gi18n.h>

#include "kibitz-call-page-private.h"
#include "kibitz-chess-position.h"

/* Teachers and movers move; in an open room ("member") everyone. */
static gboolean
may_move (KibitzCallPage *self,
          JsonObject     *board)
{
  const char *role = kibitz_call_get_role (self->call);
  const char *id = kibitz_call_get_id (self->call);
  JsonArray *movers = json_object_has_member (board, "movers")
                      ? json_object_get_array_member (board, "movers") : NULL;

  if (g_strcmp0 (role, "teacher") == 0 || g_strcmp0 (role, "member") == 0)
    return TRUE;
  for (guint i = 0; movers != NULL && id != NULL && i < json_array_get_length (movers); i++)
    if (g_strcmp0 (json_array_get_string_element (movers, i), id) == 0)
      return TRUE;
  return FALSE;
}

static void
show_board (KibitzCallPage *self)
{
  JsonObject *board = kibitz_call_get_board (self->call);
  const char *role;
  gboolean fresh;

  if (board == NULL)
    return;
  role = kibitz_call_get_role (self->call);
  kibitz_board_view_set_state (self->board_view, board, may_move (self, board),
                               g_strcmp0 (role, "teacher") == 0 || g_strcmp0 (role, "member") == 0);

  /* A class whose board is in use shows it once, unasked; after that the
   * button is the user's. */
  fresh = json_array_get_length (json_object_get_array_member (board, "moves")) == 0 &&
          g_strcmp0 (json_object_get_string_member_with_default (board, "start_fen", ""),
                     KIBITZ_CHESS_START_FEN) == 0;
  if (!fresh && !self->board_shown)
    {
      self->board_shown = TRUE;
      gtk_toggle_button_set_active (self->board_button, TRUE);
    }
}

static void
board_changed_cb (KibitzCall     *call,
                  JsonObject     *state,
                  KibitzCallPage *self)
{
  JsonNode *movers = json_object_get_member (state, "movers");
  g_autofree char *seen = movers != NULL ? json_to_string (movers, FALSE) : g_strdup ("");

  show_board (self);
  /* Who may move shows on the tiles and in the teacher's menus: redone when
   * the list changes, not on every move. */
  if (g_strcmp0 (seen, self->board_movers) != 0)
    {
      g_free (self->board_movers);
      self->board_movers = g_steal_pointer (&seen);
      kibitz_call_page_sync_class (self);
    }
}

static void
server_error_cb (KibitzCall     *call,
                 const char     *code,
                 const char     *message,
                 KibitzCallPage *self)
{
  /* A refused move: say why, and put the board back as the server has it. */
  if (g_strcmp0 (code, "illegal-move") == 0 || g_strcmp0 (code, "bad-fen") == 0 ||
      g_strcmp0 (code, "bad-pgn") == 0)
    {
      kibitz_call_page_toast (self, message);
      show_board (self);
    }
}

static void
move_cb (KibitzBoardView *view,
         const char      *uci,
         KibitzCallPage  *self)
{
  if (self->call != NULL)
    kibitz_call_board_move (self->call, uci);
}

static void
view_cb (KibitzBoardView *view,
         guint            ply,
         KibitzCallPage  *self)
{
  if (self->call != NULL)
    kibitz_call_board_view (self->call, ply);
}

static void
shapes_cb (KibitzBoardView *view,
           JsonArray       *shapes,
           KibitzCallPage  *self)
{
  if (self->call != NULL)
    kibitz_call_board_set_shapes (self->call, shapes);
}

static void
set_game_cb (KibitzBoardView *view,
             const char      *fen,
             const char      *pgn,
             KibitzCallPage  *self)
{
  if (self->call != NULL)
    kibitz_call_board_set_game (self->call, fen, pgn);
}

void
kibitz_call_page_connect_board (KibitzCallPage *self)
{
  self->board_shown = FALSE;
  g_clear_pointer (&self->board_movers, g_free);
  g_signal_connect (self->call, "board-changed", G_CALLBACK (board_changed_cb), self);
  g_signal_connect (self->call, "server-error", G_CALLBACK (server_error_cb), self);
}

/* With the board shown, the board takes the room and the class becomes a
 * strip of tiles beside it, the teacher's near the top (tiles.c puts them
 * right after our own); hidden, the tiles have the page to themselves. */
static void
board_button_cb (KibitzCallPage *self)
{
  gboolean shown = gtk_toggle_button_get_active (self->board_button);

  gtk_widget_set_hexpand (self->board_revealer, shown);
  gtk_widget_set_hexpand (self->video_scroller, !shown);
  kibitz_call_page_layout_grid (self);
}

void
kibitz_call_page_init_board (KibitzCallPage *self)
{
  g_signal_connect_swapped (self->board_button, "notify::active", G_CALLBACK (board_button_cb), self);
  board_button_cb (self);
  g_signal_connect (self->board_view, "move", G_CALLBACK (move_cb), self);
  g_signal_connect (self->board_view, "view", G_CALLBACK (view_cb), self);
  g_signal_connect (self->board_view, "set-game", G_CALLBACK (set_game_cb), self);
  g_signal_connect (self->board_view, "shapes", G_CALLBACK (shapes_cb), self);
}
