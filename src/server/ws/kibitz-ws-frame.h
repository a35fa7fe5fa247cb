/* kibitz-ws-frame.h: the RFC 6455 framing of the signaling socket, server side.
 *
 * A parser that takes the bytes a client sent, in pieces of any size, and
 * hands out whole messages and control frames; and a header writer for the
 * server's own (unmasked) frames. No I/O here: kibitz-ws-conn.c owns the
 * sockets, and the fuzzer drives the parser alone.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define KIBITZ_WS_ERROR (kibitz_ws_error_quark ())

/* The error codes are the close codes a peer is sent (RFC 6455 §7.4.1). */
typedef enum {
  KIBITZ_WS_ERROR_PROTOCOL  = 1002,
  KIBITZ_WS_ERROR_BAD_DATA  = 1007,
  KIBITZ_WS_ERROR_TOO_LARGE = 1009,
} KibitzWsError;

typedef enum {
  KIBITZ_WS_OPCODE_CONTINUATION = 0x0,
  KIBITZ_WS_OPCODE_TEXT         = 0x1,
  KIBITZ_WS_OPCODE_BINARY       = 0x2,
  KIBITZ_WS_OPCODE_CLOSE        = 0x8,
  KIBITZ_WS_OPCODE_PING         = 0x9,
  KIBITZ_WS_OPCODE_PONG         = 0xa,
} KibitzWsOpcode;

#define KIBITZ_WS_CONTROL_MAX   125
#define KIBITZ_WS_HEADER_MAX    10   /* a server frame: unmasked */

/* A whole message (text, binary) or control frame (close, ping, pong).
 * @payload is unmasked, and valid only during the call.
 */
typedef void (*KibitzWsFrameFunc) (KibitzWsOpcode  opcode,
                                   const guint8   *payload,
                                   gsize           length,
                                   gpointer        user_data);

typedef struct {
  guint64     limit;            /* the largest message, counting every fragment */
  GByteArray *message;          /* a fragmented message being put together */
  guint8     *control;          /* a control frame split over reads */
  guint64     message_size;     /* bytes of the message so far */
  guint64     frame_left;       /* payload bytes of this frame still to come */
  guint64     frame_at;         /* payload bytes of this frame seen (for the mask) */
  guint8      header[14];
  guint8      header_len;
  guint8      message_opcode;   /* text or binary while a message is open, else 0 */
  guint8      frame_opcode;
  guint8      mask[4];
  guint       frame_fin : 1;
  guint       in_payload : 1;
  guint       failed : 1;
} KibitzWsParser;

GQuark   kibitz_ws_error_quark       (void);

void     kibitz_ws_parser_init       (KibitzWsParser     *parser,
                                      guint64             limit);
void     kibitz_ws_parser_clear      (KibitzWsParser     *parser);
gboolean kibitz_ws_parser_feed       (KibitzWsParser     *parser,
                                      guint8             *data,
                                      gsize               length,
                                      KibitzWsFrameFunc   func,
                                      gpointer            user_data,
                                      GError            **error);

gsize    kibitz_ws_frame_header      (guint8              header[KIBITZ_WS_HEADER_MAX],
                                      KibitzWsOpcode      opcode,
                                      gsize               length);
gboolean kibitz_ws_close_code_valid  (guint               code);
gboolean kibitz_ws_utf8_validate     (const guint8       *text,
                                      gsize               length);

G_END_DECLS
