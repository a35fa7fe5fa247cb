/* kibitz-chess-position.c: the board, FEN in and out, and making a move.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-chess"

#include "config.h"

#include <string.h>

#include "kibitz-chess-private.h"

G_DEFINE_QUARK (kibitz-chess-error-quark, kibitz_chess_error)

const char *const _kibitz_chess_piece_names[7] = {
  "nothing", "pawn", "knight", "bishop", "rook", "queen", "king",
};
const char *const _kibitz_chess_color_names[2] = { "white", "black" };

static const char piece_letters[] = " PNBRQK";

/* The clocks stop at the largest numbers a FEN may give them, so that every
 * position a game reaches can be written as a FEN that reads back.
 */
#define MAX_HALFMOVE G_MAXUINT16
#define MAX_FULLMOVE 999999

/* The castling rights a move loses when it leaves or reaches a square:
 * moving a king or a rook, or capturing a rook at home.
 */
static const guint8 castling_lost[128] = {
  [0x00] = KIBITZ_CHESS_CASTLE_WHITE_QUEENSIDE,
  [0x04] = KIBITZ_CHESS_CASTLE_WHITE_KINGSIDE | KIBITZ_CHESS_CASTLE_WHITE_QUEENSIDE,
  [0x07] = KIBITZ_CHESS_CASTLE_WHITE_KINGSIDE,
  [0x70] = KIBITZ_CHESS_CASTLE_BLACK_QUEENSIDE,
  [0x74] = KIBITZ_CHESS_CASTLE_BLACK_KINGSIDE | KIBITZ_CHESS_CASTLE_BLACK_QUEENSIDE,
  [0x77] = KIBITZ_CHESS_CASTLE_BLACK_KINGSIDE,
};

int
kibitz_chess_square_from_name (const char *name)
{
  if (name == NULL || name[0] < 'a' || name[0] > 'h' || name[1] < '1' || name[1] > '8' ||
      name[2] != '\0')
    return -1;
  return KIBITZ_CHESS_SQUARE (name[0] - 'a', name[1] - '1');
}

void
kibitz_chess_square_to_name (int  square,
                             char name[3])
{
  g_return_if_fail (square >= 0 && square < 64);

  name[0] = 'a' + KIBITZ_CHESS_SQUARE_FILE (square);
  name[1] = '1' + KIBITZ_CHESS_SQUARE_RANK (square);
  name[2] = '\0';
}

char *
_kibitz_chess_quote (const char *text,
                     gssize      length)
{
  g_autofree char *valid = g_utf8_make_valid (text, length);

  /* Long enough for any FEN or move a person writes; longer input is not one. */
  if (g_utf8_strlen (valid, -1) <= 90)
    return g_steal_pointer (&valid);
  *g_utf8_offset_to_pointer (valid, 87) = '\0';
  return g_strconcat (valid, "…", NULL);
}

static void
put_piece (KibitzChessPosition *pos,
           int                  square88,
           guint8               piece)
{
  pos->board[square88] = piece;
  pos->occupied[piece >> 3] |= BIT (SQ64 (square88));
  if ((piece & 7) == KIBITZ_CHESS_KING)
    pos->king[piece >> 3] = square88;
}

static void
remove_piece (KibitzChessPosition *pos,
              int                  square88)
{
  guint8 piece = pos->board[square88];

  pos->occupied[piece >> 3] &= ~BIT (SQ64 (square88));
  pos->board[square88] = KIBITZ_CHESS_EMPTY;
}

static void
clear_position (KibitzChessPosition *pos)
{
  memset (pos, 0, sizeof *pos);
  pos->king[0] = pos->king[1] = NO_SQUARE;
  pos->ep = NO_SQUARE;
  pos->fullmove = 1;
}

static gboolean
fen_error (GError     **error,
           const char  *format,
           ...) G_GNUC_PRINTF (2, 3);

static gboolean
fen_error (GError     **error,
           const char  *format,
           ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (KIBITZ_CHESS_ERROR, KIBITZ_CHESS_ERROR_BAD_FEN,
                                                format, args));
  va_end (args);
  return FALSE;
}

static guint8
piece_from_letter (char letter)
{
  const char *found;

  if (letter == '\0' || letter == ' ')
    return KIBITZ_CHESS_EMPTY;
  if ((found = strchr (piece_letters, g_ascii_toupper (letter))) == NULL)
    return KIBITZ_CHESS_EMPTY;
  return PIECE (g_ascii_islower (letter) ? KIBITZ_CHESS_BLACK : KIBITZ_CHESS_WHITE,
                found - piece_letters);
}

static gboolean
bad_letter (const char  *p,
            int          rank,
            GError     **error)
{
  g_autofree char *quoted = _kibitz_chess_quote (p, strnlen (p, g_utf8_skip[*(const guchar *) p]));

  return fen_error (error, "“%s” in rank %d of the FEN is not a piece: pieces are "
                    "K, Q, R, B, N and P, in lowercase for black", quoted, rank + 1);
}

/* Reads the board, rank 8 first, files a to h in each rank. */
static gboolean
parse_placement (KibitzChessPosition  *pos,
                 const char           *text,
                 GError              **error)
{
  int rank = 7, file = 0;

  for (const char *p = text;; p++)
    {
      if (*p == '/' || *p == '\0')
        {
          if (file != 8)
            return fen_error (error, "rank %d of the FEN has %d squares, not 8", rank + 1, file);
          if (*p == '\0')
            break;
          if (rank == 0)
            return fen_error (error, "the FEN's board has more than 8 ranks");
          rank--;
          file = 0;
          continue;
        }
      if (*p >= '1' && *p <= '8')
        file += *p - '0';
      else if (piece_from_letter (*p) == KIBITZ_CHESS_EMPTY)
        return bad_letter (p, rank, error);
      else if (file < 8)
        put_piece (pos, rank * 16 + file++, piece_from_letter (*p));
      else
        file++;
      if (file > 8)
        return fen_error (error, "rank %d of the FEN has more than 8 squares", rank + 1);
    }
  if (rank != 0)
    return fen_error (error, "the FEN's board has %d ranks, not 8", 8 - rank);
  return TRUE;
}

static gboolean
parse_side (KibitzChessPosition  *pos,
            const char           *text,
            GError              **error)
{
  g_autofree char *quoted = NULL;

  if (strcmp (text, "w") == 0 || strcmp (text, "b") == 0)
    {
      pos->side = text[0] == 'w' ? KIBITZ_CHESS_WHITE : KIBITZ_CHESS_BLACK;
      return TRUE;
    }
  quoted = _kibitz_chess_quote (text, -1);
  return fen_error (error, "the side to move in a FEN is “w” or “b”, not “%s”", quoted);
}

static gboolean
parse_castling (KibitzChessPosition  *pos,
                const char           *text,
                GError              **error)
{
  static const char letters[] = "KQkq";
  g_autofree char *quoted = _kibitz_chess_quote (text, -1);

  if (strcmp (text, "-") == 0)
    return TRUE;
  for (const char *p = text; *p; p++)
    {
      const char *found = strchr (letters, *p);
      guint8 right;

      if (found == NULL)
        return fen_error (error, "the castling rights “%s” are not “-” or some of “KQkq”", quoted);
      right = 1 << (found - letters);
      if (pos->castling & right)
        return fen_error (error, "the castling rights “%s” name %c twice", quoted, *p);
      pos->castling |= right;
    }
  return TRUE;
}

static gboolean
parse_en_passant (KibitzChessPosition  *pos,
                  const char           *text,
                  GError              **error)
{
  g_autofree char *quoted = NULL;
  int square;

  if (strcmp (text, "-") == 0)
    return TRUE;
  if ((square = kibitz_chess_square_from_name (text)) >= 0)
    {
      pos->ep = SQ88 (square);
      return TRUE;
    }
  quoted = _kibitz_chess_quote (text, -1);
  return fen_error (error, "the en-passant field of a FEN is a square like “e3” or “-”, not “%s”",
                    quoted);
}

static gboolean
parse_number (const char *text,
              guint       max,
              guint      *value)
{
  guint64 number;

  if (!g_ascii_isdigit (text[0]) || strlen (text) > 9 ||
      !g_ascii_string_to_unsigned (text, 10, 0, max, &number, NULL))
    return FALSE;
  *value = number;
  return TRUE;
}

static gboolean
parse_clocks (KibitzChessPosition  *pos,
              const char           *halfmove,
              const char           *fullmove,
              GError              **error)
{
  g_autofree char *quoted = NULL;
  guint value;

  if (!parse_number (halfmove, MAX_HALFMOVE, &value))
    {
      quoted = _kibitz_chess_quote (halfmove, -1);
      return fen_error (error, "the FEN's halfmove clock “%s” is not a number of moves "
                        "from 0 to 65535", quoted);
    }
  pos->halfmove = value;
  if (!parse_number (fullmove, MAX_FULLMOVE, &value) || value == 0)
    {
      quoted = _kibitz_chess_quote (fullmove, -1);
      return fen_error (error, "the FEN's move number “%s” is not a number from 1 to %d",
                        quoted, MAX_FULLMOVE);
    }
  pos->fullmove = value;
  return TRUE;
}

static const char *
count_word (int n)
{
  static const char *const words[] = { "no", "one", "two", "three", "four" };

  return n < (int) G_N_ELEMENTS (words) ? words[n] : "more than four";
}

static gboolean
check_side_material (const KibitzChessPosition  *pos,
                     int                         color,
                     GError                    **error)
{
  const char *name = _kibitz_chess_color_names[color];
  int kings = 0, pawns = 0, pieces = 0;

  for (int sq = 0; sq < 128; sq++)
    {
      guint8 piece = pos->board[sq];
      char square[3];

      if (!ON_BOARD (sq) || piece == KIBITZ_CHESS_EMPTY || (piece >> 3) != color)
        continue;
      pieces++;
      kings += (piece & 7) == KIBITZ_CHESS_KING;
      pawns += (piece & 7) == KIBITZ_CHESS_PAWN;
      kibitz_chess_square_to_name (SQ64 (sq), square);
      if ((piece & 7) == KIBITZ_CHESS_PAWN && (RANK88 (sq) == 0 || RANK88 (sq) == 7))
        return fen_error (error, "the FEN has a %s pawn on %s: pawns never stand on the first "
                          "or the last rank", name, square);
    }
  if (kings != 1)
    return fen_error (error, "the FEN has %s %s king%s: each side has exactly one",
                      count_word (kings), name, kings > 1 ? "s" : "");
  if (pawns > 8)
    return fen_error (error, "the FEN has %d %s pawns: a side has at most 8", pawns, name);
  if (pieces > 16)
    return fen_error (error, "the FEN has %d %s pieces: a side has at most 16", pieces, name);
  return TRUE;
}

/* Each castling right needs its king and its rook still at home. */
static gboolean
check_castling (const KibitzChessPosition  *pos,
                GError                    **error)
{
  static const char letters[] = "KQkq";
  static const int rook_files[] = { 7, 0, 7, 0 };

  for (int i = 0; i < 4; i++)
    {
      int color = i / 2, home = color * 0x70;
      char square[3];

      if (!(pos->castling & (1 << i)))
        continue;
      if (pos->board[home + 4] != PIECE (color, KIBITZ_CHESS_KING))
        return fen_error (error, "castling right %c but the %s king is not on e%d", letters[i],
                          _kibitz_chess_color_names[color], color ? 8 : 1);
      kibitz_chess_square_to_name (SQ64 (home + rook_files[i]), square);
      if (pos->board[home + rook_files[i]] != PIECE (color, KIBITZ_CHESS_ROOK))
        return fen_error (error, "castling right %c but the %s rook is not on %s", letters[i],
                          _kibitz_chess_color_names[color], square);
    }
  return TRUE;
}

/* An en-passant square says the other side's pawn has just moved two
 * squares past it: the pawn must be there, and the squares it crossed empty.
 */
static gboolean
check_en_passant (const KibitzChessPosition  *pos,
                  GError                    **error)
{
  int them = pos->side ^ 1, ahead = them == KIBITZ_CHESS_WHITE ? 16 : -16;
  int ep = pos->ep, rank = pos->side == KIBITZ_CHESS_WHITE ? 5 : 2;
  char square[3], pawn[3], start[3];

  if (ep == NO_SQUARE)
    return TRUE;
  kibitz_chess_square_to_name (SQ64 (ep), square);
  if (RANK88 (ep) != rank)
    return fen_error (error, "the en-passant square %s does not fit %s to move: it would be "
                      "on rank %d", square, _kibitz_chess_color_names[pos->side], rank + 1);
  kibitz_chess_square_to_name (SQ64 (ep + ahead), pawn);
  kibitz_chess_square_to_name (SQ64 (ep - ahead), start);
  if (pos->board[ep + ahead] != PIECE (them, KIBITZ_CHESS_PAWN) ||
      pos->board[ep] != KIBITZ_CHESS_EMPTY || pos->board[ep - ahead] != KIBITZ_CHESS_EMPTY)
    return fen_error (error, "the en-passant square %s needs a %s pawn on %s that has just "
                      "moved from %s, over an empty %s", square, _kibitz_chess_color_names[them],
                      pawn, start, square);
  return TRUE;
}

static gboolean
check_not_to_move (const KibitzChessPosition  *pos,
                   GError                    **error)
{
  int them = pos->side ^ 1;
  char square[3];

  if (!_kibitz_chess_square_attacked (pos, pos->king[them], pos->side, NO_SQUARE))
    return TRUE;
  kibitz_chess_square_to_name (SQ64 (pos->king[them]), square);
  return fen_error (error, "the side not to move is in check: the %s king on %s is attacked, "
                    "so it cannot be %s's turn", _kibitz_chess_color_names[them], square,
                    _kibitz_chess_color_names[pos->side]);
}

static char **
split_fields (const char *fen,
              guint      *n_fields)
{
  g_auto(GStrv) parts = g_strsplit_set (fen, " \t\r\n", -1);
  GPtrArray *fields = g_ptr_array_new ();

  for (guint i = 0; parts[i] != NULL; i++)
    if (parts[i][0] != '\0')
      g_ptr_array_add (fields, g_strdup (parts[i]));
  *n_fields = fields->len;
  g_ptr_array_add (fields, NULL);
  return (char **) g_ptr_array_free (fields, FALSE);
}

gboolean
kibitz_chess_position_init_from_fen (KibitzChessPosition  *position,
                                     const char           *fen,
                                     GError              **error)
{
  g_auto(GStrv) fields = NULL;
  KibitzChessPosition pos;
  guint n;

  g_return_val_if_fail (position != NULL, FALSE);
  g_return_val_if_fail (fen != NULL, FALSE);

  fields = split_fields (fen, &n);
  if (n != 4 && n != 6)
    return fen_error (error, "a FEN has 6 fields separated by spaces (or 4, without the "
                      "clocks), not %u", n);
  clear_position (&pos);
  if (!parse_placement (&pos, fields[0], error) ||
      !parse_side (&pos, fields[1], error) ||
      !parse_castling (&pos, fields[2], error) ||
      !parse_en_passant (&pos, fields[3], error) ||
      (n == 6 && !parse_clocks (&pos, fields[4], fields[5], error)) ||
      !check_side_material (&pos, KIBITZ_CHESS_WHITE, error) ||
      !check_side_material (&pos, KIBITZ_CHESS_BLACK, error) ||
      !check_castling (&pos, error) ||
      !check_en_passant (&pos, error) ||
      !check_not_to_move (&pos, error))
    return FALSE;

  *position = pos;
  return TRUE;
}

void
kibitz_chess_position_init_start (KibitzChessPosition *position)
{
  gboolean ok = kibitz_chess_position_init_from_fen (position, KIBITZ_CHESS_START_FEN, NULL);

  g_assert (ok);
}

KibitzChessPosition *
kibitz_chess_position_new_from_fen (const char  *fen,
                                    GError     **error)
{
  KibitzChessPosition pos;

  if (!kibitz_chess_position_init_from_fen (&pos, fen, error))
    return NULL;
  return g_memdup2 (&pos, sizeof pos);
}

KibitzChessPosition *
kibitz_chess_position_copy (const KibitzChessPosition *position)
{
  return g_memdup2 (position, sizeof *position);
}

void
kibitz_chess_position_free (KibitzChessPosition *position)
{
  g_free (position);
}

static void
append_placement (GString                   *fen,
                  const KibitzChessPosition *pos)
{
  for (int rank = 7; rank >= 0; rank--)
    {
      int empty = 0;

      for (int file = 0; file < 8; file++)
        {
          guint8 piece = pos->board[rank * 16 + file];

          if (piece == KIBITZ_CHESS_EMPTY)
            {
              empty++;
              continue;
            }
          if (empty > 0)
            g_string_append_c (fen, '0' + empty);
          empty = 0;
          g_string_append_c (fen, (piece >> 3) ? g_ascii_tolower (piece_letters[piece & 7])
                                               : piece_letters[piece & 7]);
        }
      if (empty > 0)
        g_string_append_c (fen, '0' + empty);
      if (rank > 0)
        g_string_append_c (fen, '/');
    }
}

char *
kibitz_chess_position_to_fen (const KibitzChessPosition *position)
{
  GString *fen = g_string_sized_new (90);
  char square[3];

  append_placement (fen, position);
  g_string_append (fen, position->side == KIBITZ_CHESS_WHITE ? " w " : " b ");
  for (int i = 0; i < 4; i++)
    if (position->castling & (1 << i))
      g_string_append_c (fen, "KQkq"[i]);
  if (position->castling == 0)
    g_string_append_c (fen, '-');
  if (position->ep == NO_SQUARE)
    g_string_append (fen, " -");
  else
    {
      kibitz_chess_square_to_name (SQ64 (position->ep), square);
      g_string_append_printf (fen, " %s", square);
    }
  g_string_append_printf (fen, " %u %u", position->halfmove, position->fullmove);
  return g_string_free (fen, FALSE);
}

gboolean
kibitz_chess_position_equal (const KibitzChessPosition *a,
                             const KibitzChessPosition *b)
{
  return memcmp (a->board, b->board, sizeof a->board) == 0 && a->side == b->side &&
         a->castling == b->castling && a->ep == b->ep && a->halfmove == b->halfmove &&
         a->fullmove == b->fullmove;
}

/* FIDE 9.2.3: the same pieces on the same squares, the same side to move and
 * the same possible moves, so castling rights count, and an en-passant square
 * only when a capture there is actually legal.
 */
gboolean
kibitz_chess_position_same_for_repetition (const KibitzChessPosition *a,
                                           const KibitzChessPosition *b)
{
  return memcmp (a->board, b->board, sizeof a->board) == 0 && a->side == b->side &&
         a->castling == b->castling &&
         kibitz_chess_position_get_legal_en_passant (a) ==
         kibitz_chess_position_get_legal_en_passant (b);
}

KibitzChessPiece
kibitz_chess_position_get_piece (const KibitzChessPosition *position,
                                 int                        square)
{
  g_return_val_if_fail (square >= 0 && square < 64, KIBITZ_CHESS_EMPTY);

  return position->board[SQ88 (square)];
}

KibitzChessColor
kibitz_chess_position_get_side_to_move (const KibitzChessPosition *position)
{
  return position->side;
}

guint
kibitz_chess_position_get_castling (const KibitzChessPosition *position)
{
  return position->castling;
}

/* The square behind a pawn that has just moved two, whether or not a pawn
 * can capture there, or -1.
 */
int
kibitz_chess_position_get_en_passant (const KibitzChessPosition *position)
{
  return position->ep == NO_SQUARE ? -1 : SQ64 (position->ep);
}

guint
kibitz_chess_position_get_halfmove_clock (const KibitzChessPosition *position)
{
  return position->halfmove;
}

guint
kibitz_chess_position_get_fullmove_number (const KibitzChessPosition *position)
{
  return position->fullmove;
}

gboolean
kibitz_chess_position_in_check (const KibitzChessPosition *position)
{
  return _kibitz_chess_square_attacked (position, position->king[position->side],
                                        position->side ^ 1, NO_SQUARE);
}

/* The positions where no sequence of legal moves can mate (FIDE 5.2.2), among
 * those simple enough to know by counting: bare kings, a lone knight, and
 * bishops all on squares of one colour (whoever owns them).
 */
gboolean
kibitz_chess_position_is_insufficient_material (const KibitzChessPosition *position)
{
  int knights = 0, bishop_colors = 0;

  for (int sq = 0; sq < 128; sq++)
    {
      int type = position->board[sq] & 7;

      if (!ON_BOARD (sq) || type == KIBITZ_CHESS_EMPTY || type == KIBITZ_CHESS_KING)
        continue;
      if (type == KIBITZ_CHESS_KNIGHT)
        knights++;
      else if (type == KIBITZ_CHESS_BISHOP)
        bishop_colors |= 1 << ((RANK88 (sq) + FILE88 (sq)) & 1);
      else
        return FALSE;
    }
  if (knights == 0)
    return bishop_colors != 3;
  return knights == 1 && bishop_colors == 0;
}

void
_kibitz_chess_do_move (KibitzChessPosition   *pos,
                       const KibitzChessMove *move)
{
  int from = SQ88 (move->from), to = SQ88 (move->to);
  int us = pos->side;
  guint8 piece = pos->board[from];
  int type = piece & 7;

  if (pos->halfmove < MAX_HALFMOVE)
    pos->halfmove++;
  if (pos->board[to] != KIBITZ_CHESS_EMPTY)
    {
      remove_piece (pos, to);
      pos->halfmove = 0;
    }
  if (type == KIBITZ_CHESS_PAWN)
    {
      pos->halfmove = 0;
      if (to == pos->ep)
        remove_piece (pos, RANK88 (from) * 16 + FILE88 (to));
      if (move->promotion)
        piece = PIECE (us, move->promotion);
    }
  remove_piece (pos, from);
  put_piece (pos, to, piece);
  if (type == KIBITZ_CHESS_KING && (to - from == 2 || from - to == 2))
    {
      int rook_from = to > from ? from + 3 : from - 4, rook_to = (from + to) / 2;

      put_piece (pos, rook_to, pos->board[rook_from]);
      remove_piece (pos, rook_from);
    }
  pos->castling &= ~(castling_lost[from] | castling_lost[to]);
  pos->ep = type == KIBITZ_CHESS_PAWN && (to - from == 32 || from - to == 32) ? (from + to) / 2
                                                                              : NO_SQUARE;
  pos->side = us ^ 1;
  if (us == KIBITZ_CHESS_BLACK && pos->fullmove < MAX_FULLMOVE)
    pos->fullmove++;
}

/* Only for moves from kibitz_chess_position_legal_moves() (or found with
 * kibitz_chess_position_find_move()): use play_move() for anything else.
 */
void
kibitz_chess_position_make_move (KibitzChessPosition   *position,
                                 const KibitzChessMove *move)
{
  g_return_if_fail (move->from < 64 && move->to < 64);
  g_return_if_fail (position->board[SQ88 (move->from)] != KIBITZ_CHESS_EMPTY);

  _kibitz_chess_do_move (position, move);
}
