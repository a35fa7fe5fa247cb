/* kibitz-ws-frame.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-ws"

#include "config.h"

#include <string.h>

#include "kibitz-ws-frame.h"

G_DEFINE_QUARK (kibitz-ws-error-quark, kibitz_ws_error)

void
kibitz_ws_parser_init (KibitzWsParser *parser,
                       guint64         limit)
{
  memset (parser, 0, sizeof *parser);
  parser->limit = limit;
}

void
kibitz_ws_parser_clear (KibitzWsParser *parser)
{
  g_clear_pointer (&parser->message, g_byte_array_unref);
  g_clear_pointer (&parser->control, g_free);
}

static guint
header_size (const guint8 *header)
{
  switch (header[1] & 0x7f)
    {
    case 126:
      return 2 + 2 + 4;
    case 127:
      return 2 + 8 + 4;
    default:
      return 2 + 4;
    }
}

static guint64
header_payload_length (const guint8 *header)
{
  guint64 length = header[1] & 0x7f;

  if (length == 126)
    return ((guint64) header[2] << 8) | header[3];

  if (length == 127)
    {
      length = 0;
      for (guint i = 2; i < 10; i++)
        length = (length << 8) | header[i];
    }

  return length;
}

static gboolean
fail (KibitzWsParser  *parser,
      GError         **error,
      KibitzWsError    code,
      const char      *format,
      ...) G_GNUC_PRINTF (4, 5);

static gboolean
fail (KibitzWsParser  *parser,
      GError         **error,
      KibitzWsError    code,
      const char      *format,
      ...)
{
  va_list args;
  char *message;

  parser->failed = TRUE;
  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, KIBITZ_WS_ERROR, code, message);
  g_free (message);

  return FALSE;
}

/* A whole header is in parser->header: check it against RFC 6455 §5.2 and
 * the message limit before a byte of its payload is kept.
 */
static gboolean
start_frame (KibitzWsParser  *parser,
             GError         **error)
{
  const guint8 *header = parser->header;
  guint8 opcode = header[0] & 0x0f;
  gboolean fin = (header[0] & 0x80) != 0;
  guint64 length = header_payload_length (header);
  guint size = header_size (header);

  if (header[0] & 0x70)
    return fail (parser, error, KIBITZ_WS_ERROR_PROTOCOL,
                 "Reserved bits are set, but no extension was agreed");
  if (!(header[1] & 0x80))
    return fail (parser, error, KIBITZ_WS_ERROR_PROTOCOL, "A client's frames must be masked");
  if (length >> 63)
    return fail (parser, error, KIBITZ_WS_ERROR_PROTOCOL, "The frame length is out of range");

  switch (opcode)
    {
    case KIBITZ_WS_OPCODE_CLOSE:
    case KIBITZ_WS_OPCODE_PING:
    case KIBITZ_WS_OPCODE_PONG:
      if (!fin)
        return fail (parser, error, KIBITZ_WS_ERROR_PROTOCOL, "Control frames cannot be fragmented");
      if (length > KIBITZ_WS_CONTROL_MAX)
        return fail (parser, error, KIBITZ_WS_ERROR_PROTOCOL,
                     "A control frame may carry at most 125 bytes, not %" G_GUINT64_FORMAT,
                     length);
      break;
    case KIBITZ_WS_OPCODE_CONTINUATION:
      if (parser->message_opcode == 0)
        return fail (parser, error, KIBITZ_WS_ERROR_PROTOCOL,
                     "A continuation frame came without a message to continue");
      break;
    case KIBITZ_WS_OPCODE_TEXT:
    case KIBITZ_WS_OPCODE_BINARY:
      if (parser->message_opcode != 0)
        return fail (parser, error, KIBITZ_WS_ERROR_PROTOCOL,
                     "A new message started before the previous one ended");
      parser->message_opcode = opcode;
      parser->message_size = 0;
      break;
    default:
      return fail (parser, error, KIBITZ_WS_ERROR_PROTOCOL, "Unknown opcode 0x%x", opcode);
    }

  /* The limit counts every fragment: refuse at the header, before buffering. */
  if (!(opcode & 0x08))
    {
      if (length > parser->limit - parser->message_size)
        {
          guint64 size_so_far = parser->message_size + length;

          return fail (parser, error, KIBITZ_WS_ERROR_TOO_LARGE,
                       "A message may be at most %" G_GUINT64_FORMAT " bytes; this one had at "
                       "least %" G_GUINT64_FORMAT, parser->limit, size_so_far);
        }
      parser->message_size += length;
    }

  parser->frame_opcode = opcode;
  parser->frame_fin = fin;
  parser->frame_left = length;
  parser->frame_at = 0;
  memcpy (parser->mask, header + size - 4, 4);
  parser->header_len = 0;
  parser->in_payload = TRUE;

  return TRUE;
}

static void
unmask (KibitzWsParser *parser,
        guint8         *out,
        const guint8   *in,
        gsize           length)
{
  guint at = parser->frame_at & 3;
  gsize i = 0;

  /* Eight bytes at a time once the mask is aligned with the payload. */
  for (; i < length && ((at + i) & 3) != 0; i++)
    out[i] = in[i] ^ parser->mask[(at + i) & 3];
  if (length - i >= 8)
    {
      guint64 mask8;
      guint8 pattern[8];

      for (guint k = 0; k < 8; k++)
        pattern[k] = parser->mask[k & 3];
      memcpy (&mask8, pattern, 8);
      for (; length - i >= 8; i += 8)
        {
          guint64 word;

          memcpy (&word, in + i, 8);
          word ^= mask8;
          memcpy (out + i, &word, 8);
        }
    }
  for (; i < length; i++)
    out[i] = in[i] ^ parser->mask[(at + i) & 3];

  parser->frame_at += length;
  parser->frame_left -= length;
}

static gboolean
check_close (const guint8  *payload,
             gsize          length,
             KibitzWsParser *parser,
             GError        **error)
{
  guint code;

  if (length == 0)
    return TRUE;
  if (length == 1)
    return fail (parser, error, KIBITZ_WS_ERROR_PROTOCOL, "A close frame cannot carry 1 byte");

  code = (payload[0] << 8) | payload[1];
  if (!kibitz_ws_close_code_valid (code))
    return fail (parser, error, KIBITZ_WS_ERROR_PROTOCOL, "Close code %u is not allowed", code);
  if (!kibitz_ws_utf8_validate (payload + 2, length - 2))
    return fail (parser, error, KIBITZ_WS_ERROR_BAD_DATA,
                 "The close reason is not valid UTF-8");

  return TRUE;
}

#define ONES  G_GUINT64_CONSTANT (0x0101010101010101)
#define HIGHS G_GUINT64_CONSTANT (0x8080808080808080)

/**
 * kibitz_ws_utf8_validate:
 *
 * Whether @text is valid UTF-8 without NUL bytes: exactly what
 * g_utf8_validate_len() accepts, but eight bytes at a time while the text
 * is ASCII (JSON signaling nearly always is), falling back to GLib from the
 * first word holding a byte over 0x7f or a NUL.
 */
gboolean
kibitz_ws_utf8_validate (const guint8 *text,
                         gsize         length)
{
  gsize i = 0;

  for (; length - i >= 8; i += 8)
    {
      guint64 word;

      memcpy (&word, text + i, 8);
      /* A high bit set, or a zero byte (the classic has-zero test). */
      if ((word | ((word - ONES) & ~word)) & HIGHS)
        break;
    }
  for (; i < length && text[i] != 0 && text[i] < 0x80; i++)
    ;

  return i == length || g_utf8_validate_len ((const char *) text + i, length - i, NULL);
}

/* The frame's payload is complete (in @payload when it came in one piece). */
static gboolean
end_frame (KibitzWsParser     *parser,
           const guint8       *payload,
           gsize               length,
           KibitzWsFrameFunc   func,
           gpointer            user_data,
           GError            **error)
{
  KibitzWsOpcode opcode = parser->frame_opcode;

  parser->in_payload = FALSE;

  if (opcode & 0x08)
    {
      if (payload == NULL)
        payload = parser->control;
      if (opcode == KIBITZ_WS_OPCODE_CLOSE && !check_close (payload, length, parser, error))
        return FALSE;
      func (opcode, payload, length, user_data);
      g_clear_pointer (&parser->control, g_free);
      return TRUE;
    }

  if (!parser->frame_fin)
    return TRUE;

  opcode = parser->message_opcode;
  parser->message_opcode = 0;
  if (payload == NULL)
    {
      payload = parser->message ? parser->message->data : (const guint8 *) "";
      length = parser->message ? parser->message->len : 0;
    }

  if (opcode == KIBITZ_WS_OPCODE_TEXT && !kibitz_ws_utf8_validate (payload, length))
    return fail (parser, error, KIBITZ_WS_ERROR_BAD_DATA, "A text message must be valid UTF-8");

  func (opcode, payload, length, user_data);
  g_clear_pointer (&parser->message, g_byte_array_unref);

  return TRUE;
}

/* Takes the payload bytes at hand; returns how many. */
static gsize
take_payload (KibitzWsParser *parser,
              guint8         *data,
              gsize           length)
{
  gsize take = MIN (parser->frame_left, length);

  if (parser->frame_opcode & 0x08)
    {
      if (parser->control == NULL)
        parser->control = g_malloc (KIBITZ_WS_CONTROL_MAX);
      unmask (parser, parser->control + parser->frame_at, data, take);
    }
  else
    {
      guint old;

      if (parser->message == NULL)
        parser->message = g_byte_array_sized_new (MIN (parser->message_size, 4096));
      old = parser->message->len;
      g_byte_array_set_size (parser->message, old + take);
      unmask (parser, parser->message->data + old, data, take);
    }

  return take;
}

/* Whether a frame starting here is whole in @data and alone: then it is
 * unmasked where it lies, without a copy (most messages and every pong).
 */
static gboolean
whole_frame_here (KibitzWsParser *parser,
                  gsize           available)
{
  if (parser->frame_at != 0 || parser->frame_left > available)
    return FALSE;

  if (parser->frame_opcode & 0x08)
    return parser->control == NULL;

  return parser->frame_fin && parser->message == NULL;
}

/* Parses @length bytes (unmasking them in place) and calls @func for every
 * message and control frame they complete. After an error (its code is the
 * close code to send) the parser takes nothing more.
 */
gboolean
kibitz_ws_parser_feed (KibitzWsParser     *parser,
                       guint8             *data,
                       gsize               length,
                       KibitzWsFrameFunc   func,
                       gpointer            user_data,
                       GError            **error)
{
  gsize at = 0;

  if (parser->failed)
    return fail (parser, error, KIBITZ_WS_ERROR_PROTOCOL, "The connection already failed");

  for (;;)
    {
      if (!parser->in_payload)
        {
          while (at < length && (parser->header_len < 2 ||
                                 parser->header_len < header_size (parser->header)))
            parser->header[parser->header_len++] = data[at++];

          if (parser->header_len < 2 || parser->header_len < header_size (parser->header))
            return TRUE;
          if (!start_frame (parser, error))
            return FALSE;
        }

      if (whole_frame_here (parser, length - at))
        {
          gsize frame_length = parser->frame_left;
          guint8 *payload = data + at;

          unmask (parser, payload, payload, frame_length);
          at += frame_length;
          if (!end_frame (parser, payload, frame_length, func, user_data, error))
            return FALSE;
          continue;
        }

      if (parser->frame_left > 0)
        {
          if (at == length)
            return TRUE;
          at += take_payload (parser, data + at, length - at);
        }

      if (parser->frame_left == 0 &&
          !end_frame (parser, NULL, parser->frame_at, func, user_data, error))
        return FALSE;
    }
}

/* A server frame's header: FIN set, never masked. Returns its size. */
gsize
kibitz_ws_frame_header (guint8         header[KIBITZ_WS_HEADER_MAX],
                        KibitzWsOpcode opcode,
                        gsize          length)
{
  header[0] = 0x80 | opcode;
  if (length < 126)
    {
      header[1] = length;
      return 2;
    }

  if (length <= 0xffff)
    {
      header[1] = 126;
      header[2] = length >> 8;
      header[3] = length & 0xff;
      return 4;
    }

  header[1] = 127;
  for (guint i = 0; i < 8; i++)
    header[2 + i] = ((guint64) length >> (56 - 8 * i)) & 0xff;
  return 10;
}

/* RFC 6455 §7.4: the codes a peer may send in a close frame. */
gboolean
kibitz_ws_close_code_valid (guint code)
{
  if (code >= 3000 && code <= 4999)
    return TRUE;

  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011);
}
