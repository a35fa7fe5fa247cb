/* fuzz-ws-frame.c: libFuzzer target for the WebSocket frame parser.
 *
 * Every input is parsed twice: in one piece, and cut into pieces whose sizes
 * come from the input itself. Both must give the same messages and control
 * frames and end the same way (a parser that depends on how TCP cut the bytes
 * is a bug). Whatever comes out must respect the rules the server relies on:
 * text is valid UTF-8, a message fits the limit, a control frame 125 bytes.
 * The input as a whole also goes through the word-at-a-time UTF-8 check,
 * which must agree with GLib's.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kibitz-ws-frame.h"

#define LIMIT 1000

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static void
check (gboolean    condition,
       const char *what)
{
  if (!condition)
    {
      g_printerr ("fuzz-ws-frame: %s\n", what);
      abort ();
    }
}

static void
frame_cb (KibitzWsOpcode  opcode,
          const guint8   *payload,
          gsize           length,
          gpointer        user_data)
{
  GString *log = user_data;

  if (opcode == KIBITZ_WS_OPCODE_TEXT)
    check (g_utf8_validate_len ((const char *) payload, length, NULL), "text is not UTF-8");
  if (opcode & 0x08)
    check (length <= KIBITZ_WS_CONTROL_MAX, "control frame over 125 bytes");
  else
    check (length <= LIMIT, "message over the limit");

  g_string_append_printf (log, "%x:%" G_GSIZE_FORMAT ":", opcode, length);
  g_string_append_len (log, (const char *) payload, length);
  g_string_append_c (log, '|');
}

/* Returns the log of everything parsed, ending with the error code, if any. */
static GString *
parse (const uint8_t *data,
       size_t         size,
       gboolean       in_pieces)
{
  g_autofree guint8 *copy = g_memdup2 (data, size);
  GString *log = g_string_new (NULL);
  KibitzWsParser parser;
  gsize at = 0;
  guint seed = size ? data[0] : 0;

  kibitz_ws_parser_init (&parser, LIMIT);
  while (at < size || size == 0)
    {
      g_autoptr(GError) error = NULL;
      gsize piece = size - at;

      if (in_pieces)
        {
          seed = seed * 1103515245 + 12345;
          piece = MIN (piece, 1 + (seed >> 16) % 17);
        }
      if (!kibitz_ws_parser_feed (&parser, copy + at, piece, frame_cb, log, &error))
        {
          check (error != NULL && error->domain == KIBITZ_WS_ERROR, "failure without an error");
          g_string_append_printf (log, "error %d", error->code);
          break;
        }
      check (error == NULL, "an error on success");
      at += piece;
      if (size == 0)
        break;
    }
  kibitz_ws_parser_clear (&parser);

  return log;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GString) whole = parse (data, size, FALSE);
  g_autoptr(GString) pieces = parse (data, size, TRUE);

  check (g_string_equal (whole, pieces), "the result depends on how the bytes were cut");
  /* The word-at-a-time UTF-8 check must agree with GLib's on anything. */
  check (kibitz_ws_utf8_validate (data, size) == g_utf8_validate_len ((const char *) data, size, NULL),
         "kibitz_ws_utf8_validate() and g_utf8_validate_len() disagree");
  if (size > 1)
    check (kibitz_ws_utf8_validate (data + 1, size - 1) ==
           g_utf8_validate_len ((const char *) data + 1, size - 1, NULL),
           "kibitz_ws_utf8_validate() and g_utf8_validate_len() disagree (unaligned)");

  return 0;
}
