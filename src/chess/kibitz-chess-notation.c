/* kibitz-chess-notation.c: SAN and UCI, read and written.
 *
 * Reading is in two steps: the text becomes a query (a piece, a destination,
 * what the text says about the origin), then the query is matched against the
 * legal moves. No match is an illegal move, with the reason from
 * kibitz-chess-explain.c; two matches are an ambiguous move.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-chess"

#include "config.h"

#include <string.h>

#include "kibitz-chess-private.h"

#define SAN_GENERIC "a move in SAN is like “e4”, “Nf3”, “exd5”, “O-O” or “e8=Q”"

static const char piece_letters[] = " PNBRQK";

static gboolean
bad_move (GError     **error,
          const char  *text,
          const char  *format,
          ...) G_GNUC_PRINTF (3, 4);

/* “text” is not a move: <reason>. */
static gboolean
bad_move (GError     **error,
          const char  *text,
          const char  *format,
          ...)
{
  g_autofree char *quoted = _kibitz_chess_quote (text, -1);
  g_autofree char *reason = NULL;
  va_list args;

  va_start (args, format);
  reason = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, KIBITZ_CHESS_ERROR, KIBITZ_CHESS_ERROR_BAD_MOVE,
               "“%s” is not a move: %s", quoted, reason);
  return FALSE;
}

static int
piece_from_letter (char letter)
{
  const char *found = letter ? strchr (piece_letters + 1, letter) : NULL;

  return found ? found - piece_letters : 0;
}

/* Drops what SAN allows around a move but does not change it: spaces, check
 * and mate signs (right or wrong), annotations like "!?" and "e.p.".
 */
static void
strip_decorations (char *text)
{
  gsize len;

  g_strstrip (text);
  len = strlen (text);
  if (len >= 4 && strcmp (text + len - 4, "e.p.") == 0)
    text[len -= 4] = '\0';
  while (len > 0 && strchr ("+#!? \t", text[len - 1]) != NULL)
    text[--len] = '\0';
}

static gboolean
parse_castling (const char       *text,
                KibitzChessQuery *query)
{
  char normal[8];
  gsize i;

  for (i = 0; text[i] != '\0' && i < sizeof normal - 1; i++)
    normal[i] = strchr ("0o", text[i]) ? 'O' : text[i];
  normal[i] = '\0';
  if (strcmp (normal, "O-O") == 0)
    query->castle = 1;
  else if (strcmp (normal, "O-O-O") == 0)
    query->castle = 2;
  return query->castle != 0;
}

/* Takes a promotion ("=Q", or "Q" right after the rank) off the end. */
static void
parse_promotion (const char        *start,
                 const char       **end,
                 KibitzChessQuery  *query)
{
  const char *last = *end - 1;

  if (last - start < 2 || piece_from_letter (g_ascii_toupper (*last)) < KIBITZ_CHESS_KNIGHT ||
      piece_from_letter (g_ascii_toupper (*last)) > KIBITZ_CHESS_QUEEN)
    return;
  if (last[-1] != '=' && !g_ascii_isdigit (last[-1]))
    return;
  query->promotion = piece_from_letter (g_ascii_toupper (*last));
  *end = last[-1] == '=' ? last - 1 : last;
}

/* The destination, the last two characters: the reasons a person gets
 * wrong ("there is no rank 9") are named.
 */
static gboolean
parse_destination (const char        *text,
                   const char        *start,
                   const char       **end,
                   KibitzChessQuery  *query,
                   GError           **error)
{
  const char *digits = *end;

  while (digits > start && g_ascii_isdigit (digits[-1]))
    digits--;
  if (digits == *end || digits == start)
    return bad_move (error, text, SAN_GENERIC);
  if (*end - digits > 1 || *digits < '1' || *digits > '8')
    return bad_move (error, text, "there is no rank %.*s", (int) MIN (*end - digits, 4), digits);
  if (digits[-1] >= 'i' && digits[-1] <= 'z')
    return bad_move (error, text, "there is no file %c", digits[-1]);
  if (digits[-1] < 'a' || digits[-1] > 'h')
    return bad_move (error, text, SAN_GENERIC);
  query->to = KIBITZ_CHESS_SQUARE (digits[-1] - 'a', *digits - '1');
  *end = digits - 1;
  return TRUE;
}

/* Between the piece and the destination: a file, a rank, an "x", each
 * optional, in that order.
 */
static gboolean
parse_origin (const char        *text,
              const char        *p,
              const char        *end,
              KibitzChessQuery  *query,
              GError           **error)
{
  if (p < end && *p >= 'a' && *p <= 'h')
    query->from_file = *p++ - 'a';
  if (p < end && *p >= '1' && *p <= '8')
    query->from_rank = *p++ - '1';
  if (p < end && (*p == 'x' || *p == ':'))
    {
      query->capture = TRUE;
      p++;
    }
  if (p != end)
    return bad_move (error, text, SAN_GENERIC);
  if (query->piece == KIBITZ_CHESS_PAWN && query->capture && query->from_file < 0)
    return bad_move (error, text, "a pawn capture names the pawn's file, like “exd5”");
  if (query->promotion && query->piece != KIBITZ_CHESS_PAWN)
    return bad_move (error, text, "only pawns promote");
  return TRUE;
}

static gboolean
parse_san (const char        *san,
           KibitzChessQuery  *query,
           GError           **error)
{
  char text[32];
  const char *p, *end;

  *query = (KibitzChessQuery) { .from = -1, .from_file = -1, .from_rank = -1 };
  if (strlen (san) >= sizeof text)
    return bad_move (error, san, "it is too long");
  strcpy (text, san);
  strip_decorations (text);
  if (text[0] == '\0')
    return bad_move (error, san, SAN_GENERIC);
  if (parse_castling (text, query))
    return TRUE;

  p = text;
  query->piece = piece_from_letter (*p) ? piece_from_letter (*p++) : KIBITZ_CHESS_PAWN;
  end = text + strlen (text);
  parse_promotion (p, &end, query);
  if (!parse_destination (san, p, &end, query, error))
    return FALSE;
  return parse_origin (san, p, end, query, error);
}

gboolean
_kibitz_chess_query_matches (const KibitzChessPosition *position,
                             const KibitzChessQuery    *query,
                             const KibitzChessMove     *move,
                             gboolean                   with_promotion)
{
  int type = position->board[SQ88 (move->from)] & 7;

  if (query->castle)
    return (move->flags & KIBITZ_CHESS_MOVE_CASTLE) &&
           (move->to > move->from) == (query->castle == 1);
  /* SAN writes castling as O-O; "Kg1" is a king's step, and never castling. */
  if ((move->flags & KIBITZ_CHESS_MOVE_CASTLE) && query->piece == KIBITZ_CHESS_KING)
    return FALSE;
  return move->to == query->to &&
         (query->piece == 0 || type == query->piece) &&
         (query->from < 0 || move->from == query->from) &&
         (query->from_file < 0 || KIBITZ_CHESS_SQUARE_FILE (move->from) == query->from_file) &&
         (query->from_rank < 0 || KIBITZ_CHESS_SQUARE_RANK (move->from) == query->from_rank) &&
         (!with_promotion || move->promotion == query->promotion);
}

static gboolean
ambiguous (const KibitzChessMove *a,
           const KibitzChessMove *b,
           const char            *text,
           int                    type,
           GError               **error)
{
  char from_a[3], from_b[3], to[3];

  kibitz_chess_square_to_name (a->from, from_a);
  kibitz_chess_square_to_name (b->from, from_b);
  kibitz_chess_square_to_name (a->to, to);
  return bad_move (error, text, "it is ambiguous, since the %ss on %s and %s can both move to %s",
                   _kibitz_chess_piece_names[type], from_a, from_b, to);
}

/* A promotion must say what the pawn becomes, and only the last rank has one. */
static gboolean
check_promotion (const KibitzChessPosition  *pos,
                 const KibitzChessQuery     *query,
                 const KibitzChessMove      *legal,
                 int                         n_legal,
                 const char                 *text,
                 GError                    **error)
{
  int last = pos->side == KIBITZ_CHESS_WHITE ? 7 : 0;

  if (query->promotion && !query->castle && KIBITZ_CHESS_SQUARE_RANK (query->to) != last)
    return bad_move (error, text, "a pawn promotes only on the last rank");
  if (query->promotion)
    return TRUE;
  for (int i = 0; i < n_legal; i++)
    if (legal[i].promotion && _kibitz_chess_query_matches (pos, query, &legal[i], FALSE))
      return bad_move (error, text, "it does not say what the pawn becomes: add =Q, =R, =B or "
                       "=N in SAN, q, r, b or n in UCI");
  return TRUE;
}

static gboolean
find_query (const KibitzChessPosition  *pos,
            const KibitzChessQuery     *query,
            const char                 *text,
            KibitzChessMove            *move,
            GError                    **error)
{
  KibitzChessMove legal[KIBITZ_CHESS_MAX_MOVES];
  int n = kibitz_chess_position_legal_moves (pos, legal), found = -1;
  g_autofree char *reason = NULL;

  if (!check_promotion (pos, query, legal, n, text, error))
    return FALSE;
  for (int i = 0; i < n; i++)
    {
      if (!_kibitz_chess_query_matches (pos, query, &legal[i], TRUE))
        continue;
      if (found >= 0)
        return ambiguous (&legal[found], &legal[i], text,
                          pos->board[SQ88 (legal[i].from)] & 7, error);
      found = i;
    }
  if (found >= 0)
    {
      *move = legal[found];
      return TRUE;
    }
  reason = _kibitz_chess_explain_illegal (pos, query);
  g_set_error_literal (error, KIBITZ_CHESS_ERROR, KIBITZ_CHESS_ERROR_ILLEGAL_MOVE, reason);
  return FALSE;
}

gboolean
_kibitz_chess_read_san (const KibitzChessPosition  *position,
                        const char                 *san,
                        KibitzChessMove            *move,
                        GError                    **error)
{
  KibitzChessQuery query;

  return parse_san (san, &query, error) && find_query (position, &query, san, move, error);
}

static void
prefix_illegal (GError     **error,
                const char  *text)
{
  g_autofree char *quoted = NULL;

  if (error == NULL || !g_error_matches (*error, KIBITZ_CHESS_ERROR,
                                         KIBITZ_CHESS_ERROR_ILLEGAL_MOVE))
    return;
  quoted = _kibitz_chess_quote (text, -1);
  g_prefix_error (error, "“%s” is not legal here: ", quoted);
}

gboolean
kibitz_chess_move_from_san (const KibitzChessPosition  *position,
                            const char                 *san,
                            KibitzChessMove            *move,
                            GError                    **error)
{
  g_return_val_if_fail (position != NULL, FALSE);
  g_return_val_if_fail (san != NULL, FALSE);

  if (_kibitz_chess_read_san (position, san, move, error))
    return TRUE;
  prefix_illegal (error, san);
  return FALSE;
}

static gboolean
parse_uci (const char        *uci,
           KibitzChessQuery  *query,
           GError           **error)
{
  gsize len = strlen (uci);
  char from[3] = { uci[0], len > 1 ? uci[1] : 0, 0 };
  char to[3] = { len > 2 ? uci[2] : 0, len > 3 ? uci[3] : 0, 0 };
  int promotion = len == 5 ? piece_from_letter (g_ascii_toupper (uci[4])) : 0;

  *query = (KibitzChessQuery) { .from_file = -1, .from_rank = -1 };
  query->from = kibitz_chess_square_from_name (from);
  query->to = kibitz_chess_square_from_name (to);
  if ((len != 4 && len != 5) || query->from < 0 || query->to < 0 ||
      (len == 5 && (promotion < KIBITZ_CHESS_KNIGHT || promotion > KIBITZ_CHESS_QUEEN)))
    return bad_move (error, uci, "a move in UCI notation is like “e2e4” or “e7e8q”");
  query->promotion = promotion;
  return TRUE;
}

gboolean
kibitz_chess_move_from_uci (const KibitzChessPosition  *position,
                            const char                 *uci,
                            KibitzChessMove            *move,
                            GError                    **error)
{
  KibitzChessQuery query;

  g_return_val_if_fail (position != NULL, FALSE);
  g_return_val_if_fail (uci != NULL, FALSE);

  if (parse_uci (uci, &query, error) && find_query (position, &query, uci, move, error))
    return TRUE;
  prefix_illegal (error, uci);
  return FALSE;
}

gboolean
kibitz_chess_position_play_move (KibitzChessPosition    *position,
                                 const KibitzChessMove  *move,
                                 GError                **error)
{
  KibitzChessMove legal;
  char uci[6];

  if (move->from > 63 || move->to > 63 || move->promotion == KIBITZ_CHESS_PAWN ||
      move->promotion > KIBITZ_CHESS_QUEEN)
    {
      g_set_error (error, KIBITZ_CHESS_ERROR, KIBITZ_CHESS_ERROR_BAD_MOVE,
                   "a move goes from a square to a square, numbered 0 (a1) to 63 (h8), and "
                   "promotes to a knight, bishop, rook or queen");
      return FALSE;
    }
  kibitz_chess_move_to_uci (move, uci);
  if (!kibitz_chess_move_from_uci (position, uci, &legal, error))
    return FALSE;
  _kibitz_chess_do_move (position, &legal);
  return TRUE;
}

static char *
write_disambiguation (const KibitzChessPosition *pos,
                      const KibitzChessMove     *move,
                      const KibitzChessMove     *legal,
                      int                        n_legal,
                      char                      *p)
{
  guint8 piece = pos->board[SQ88 (move->from)];
  int file = KIBITZ_CHESS_SQUARE_FILE (move->from), rank = KIBITZ_CHESS_SQUARE_RANK (move->from);
  gboolean others = FALSE, same_file = FALSE, same_rank = FALSE;

  for (int i = 0; i < n_legal; i++)
    {
      if (legal[i].to != move->to || legal[i].from == move->from ||
          pos->board[SQ88 (legal[i].from)] != piece)
        continue;
      others = TRUE;
      same_file |= KIBITZ_CHESS_SQUARE_FILE (legal[i].from) == file;
      same_rank |= KIBITZ_CHESS_SQUARE_RANK (legal[i].from) == rank;
    }
  if (others && (!same_file || same_rank))
    *p++ = 'a' + file;
  if (others && same_file)
    *p++ = '1' + rank;
  return p;
}

static char
check_sign (const KibitzChessPosition *pos,
            const KibitzChessMove     *move)
{
  KibitzChessMove replies[KIBITZ_CHESS_MAX_MOVES];
  KibitzChessPosition after = *pos;

  _kibitz_chess_do_move (&after, move);
  if (!kibitz_chess_position_in_check (&after))
    return '\0';
  return kibitz_chess_position_legal_moves (&after, replies) == 0 ? '#' : '+';
}

void
_kibitz_chess_write_san (const KibitzChessPosition *position,
                         const KibitzChessMove     *move,
                         const KibitzChessMove     *legal,
                         int                        n_legal,
                         char                      *san)
{
  int from = SQ88 (move->from), to = SQ88 (move->to), type = position->board[from] & 7;
  gboolean capture = position->board[to] != KIBITZ_CHESS_EMPTY ||
                     (type == KIBITZ_CHESS_PAWN && to == position->ep);
  char *p = san;

  if (move->flags & KIBITZ_CHESS_MOVE_CASTLE)
    p = g_stpcpy (p, to > from ? "O-O" : "O-O-O");
  else
    {
      if (type != KIBITZ_CHESS_PAWN)
        {
          *p++ = piece_letters[type];
          p = write_disambiguation (position, move, legal, n_legal, p);
        }
      else if (capture)
        *p++ = 'a' + FILE88 (from);
      if (capture)
        *p++ = 'x';
      kibitz_chess_square_to_name (move->to, p);
      p += 2;
      if (move->promotion)
        {
          *p++ = '=';
          *p++ = piece_letters[move->promotion];
        }
    }
  *p = check_sign (position, move);
  if (*p != '\0')
    *++p = '\0';
}

char *
kibitz_chess_move_to_san (const KibitzChessPosition *position,
                          const KibitzChessMove     *move)
{
  KibitzChessMove legal[KIBITZ_CHESS_MAX_MOVES];
  int n = kibitz_chess_position_legal_moves (position, legal);
  char san[16];

  for (int i = 0; i < n; i++)
    if (legal[i].from == move->from && legal[i].to == move->to &&
        legal[i].promotion == move->promotion)
      {
        _kibitz_chess_write_san (position, &legal[i], legal, n, san);
        return g_strdup (san);
      }
  return NULL;
}

void
kibitz_chess_move_to_uci (const KibitzChessMove *move,
                          char                   uci[6])
{
  kibitz_chess_square_to_name (move->from & 63, uci);
  kibitz_chess_square_to_name (move->to & 63, uci + 2);
  uci[4] = move->promotion >= KIBITZ_CHESS_KNIGHT && move->promotion <= KIBITZ_CHESS_QUEEN
           ? g_ascii_tolower (piece_letters[move->promotion]) : '\0';
  uci[5] = '\0';
}

char **
kibitz_chess_position_legal_moves_san (const KibitzChessPosition *position)
{
  KibitzChessMove legal[KIBITZ_CHESS_MAX_MOVES];
  int n = kibitz_chess_position_legal_moves (position, legal);
  char **sans = g_new0 (char *, n + 1);

  for (int i = 0; i < n; i++)
    {
      char san[16];

      _kibitz_chess_write_san (position, &legal[i], legal, n, san);
      sans[i] = g_strdup (san);
    }
  return sans;
}

char **
kibitz_chess_position_legal_moves_uci (const KibitzChessPosition *position)
{
  KibitzChessMove legal[KIBITZ_CHESS_MAX_MOVES];
  int n = kibitz_chess_position_legal_moves (position, legal);
  char **ucis = g_new0 (char *, n + 1);

  for (int i = 0; i < n; i++)
    {
      ucis[i] = g_malloc (6);
      kibitz_chess_move_to_uci (&legal[i], ucis[i]);
    }
  return ucis;
}
