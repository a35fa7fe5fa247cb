/* kibitz-test-raw.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "kibitz-test-raw.h"

GSocketConnection *
kibitz_raw_ws_connect (const char *host_port)
{
  g_autoptr(GSocketClient) socket_client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *request = NULL;
  GSocketConnection *connection;
  GInputStream *in;
  char response[4096];
  gsize got = 0;

  connection = g_socket_client_connect_to_host (socket_client, host_port, 0, NULL, &error);
  g_assert_no_error (error);

  request = g_strdup_printf ("GET /v1/ws HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\n"
                             "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                             "Sec-WebSocket-Version: 13\r\n\r\n", host_port);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                             request, strlen (request), NULL, NULL, &error);
  g_assert_no_error (error);

  /* Read the 101 response byte by byte so no frame after it is consumed. */
  in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  while (got < sizeof response - 1)
    {
      gssize n = g_input_stream_read (in, response + got, 1, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpint (n, ==, 1);
      got++;
      if (got >= 4 && memcmp (response + got - 4, "\r\n\r\n", 4) == 0)
        break;
    }
  response[got] = '\0';
  g_assert_true (g_str_has_prefix (response, "HTTP/1.1 101"));

  return connection;
}

gboolean
kibitz_raw_ws_send_frame (GSocketConnection *connection,
                          gboolean           fin,
                          guint8             opcode,
                          const guint8      *payload,
                          gsize              length,
                          GError           **error)
{
  g_autofree guint8 *frame = g_malloc (length + 14);
  const guint8 mask[4] = { 0x12, 0x34, 0x56, 0x78 };
  gsize at = 0;

  frame[at++] = (fin ? 0x80 : 0) | opcode;
  if (length < 126)
    {
      frame[at++] = 0x80 | length;
    }
  else if (length <= 0xffff)
    {
      frame[at++] = 0x80 | 126;
      frame[at++] = length >> 8;
      frame[at++] = length & 0xff;
    }
  else
    {
      frame[at++] = 0x80 | 127;
      for (int shift = 56; shift >= 0; shift -= 8)
        frame[at++] = ((guint64) length >> shift) & 0xff;
    }
  memcpy (frame + at, mask, 4);
  at += 4;
  for (gsize i = 0; i < length; i++)
    frame[at + i] = payload[i] ^ mask[i % 4];

  return g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                                    frame, at + length, NULL, NULL, error);
}

static KibitzRawResult
read_exact (GSocket *socket,
            guint8  *buffer,
            gsize    length,
            gint64   deadline)
{
  gsize got = 0;

  while (got < length)
    {
      g_autoptr(GError) error = NULL;
      gint64 left = deadline - g_get_monotonic_time ();
      gssize n;

      if (left <= 0)
        return KIBITZ_RAW_TIMEOUT;
      if (!g_socket_condition_timed_wait (socket, G_IO_IN, left, NULL, NULL))
        return KIBITZ_RAW_TIMEOUT;
      n = g_socket_receive (socket, (char *) buffer + got, length - got, NULL, &error);
      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        continue;
      if (n <= 0)
        return KIBITZ_RAW_CLOSED;
      got += n;
    }

  return KIBITZ_RAW_FRAME;
}

/* Reads one server frame (pings and close frames too: check @opcode). */
KibitzRawResult
kibitz_raw_ws_read_frame (GSocketConnection  *connection,
                          guint               timeout_ms,
                          guint8             *opcode,
                          char              **payload)
{
  GSocket *socket = g_socket_connection_get_socket (connection);
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  g_autofree char *data = NULL;
  KibitzRawResult result;
  guint8 header[10];
  guint64 length;

  if ((result = read_exact (socket, header, 2, deadline)) != KIBITZ_RAW_FRAME)
    return result;

  length = header[1] & 0x7f;
  if (length == 126)
    {
      if ((result = read_exact (socket, header + 2, 2, deadline)) != KIBITZ_RAW_FRAME)
        return result;
      length = (header[2] << 8) | header[3];
    }
  else if (length == 127)
    {
      if ((result = read_exact (socket, header + 2, 8, deadline)) != KIBITZ_RAW_FRAME)
        return result;
      length = 0;
      for (int i = 2; i < 10; i++)
        length = (length << 8) | header[i];
    }

  g_assert_cmpuint (length, <, 1024 * 1024);
  data = g_malloc0 (length + 1);
  if ((result = read_exact (socket, (guint8 *) data, length, deadline)) != KIBITZ_RAW_FRAME)
    return result;

  *opcode = header[0] & 0x0f;
  if (payload)
    *payload = g_steal_pointer (&data);

  return KIBITZ_RAW_FRAME;
}
