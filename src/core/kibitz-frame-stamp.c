/* kibitz-frame-stamp.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "kibitz-frame-stamp.h"

/* 48 bits: a marker byte, 32 bits of milliseconds (wrapping every 49 days,
 * which a latency of seconds never notices), a checksum byte. */
#define MARKER 0xA5
#define N_BITS 48
#define BLOCK 16
#define WHITE 235
#define BLACK 16

static guint8
checksum (guint32 ms)
{
  return (guint8) (0x5A ^ (ms & 0xff) ^ ((ms >> 8) & 0xff) ^ ((ms >> 16) & 0xff) ^ (ms >> 24));
}

static gboolean
stampable (GstVideoFrame *frame)
{
  int width = GST_VIDEO_FRAME_WIDTH (frame);
  int per_row = width / BLOCK;

  return GST_VIDEO_FRAME_FORMAT (frame) == GST_VIDEO_FORMAT_I420 && width >= 160 &&
         GST_VIDEO_FRAME_HEIGHT (frame) >= (N_BITS + per_row - 1) / per_row * BLOCK;
}

void
kibitz_frame_stamp_write (GstVideoFrame *frame,
                          gint64         time_ms)
{
  guint32 ms = (guint32) time_ms;
  guint64 bits = ((guint64) MARKER << 40) | ((guint64) ms << 8) | checksum (ms);
  guint8 *luma;
  int stride, per_row;

  if (!stampable (frame))
    return;
  luma = GST_VIDEO_FRAME_PLANE_DATA (frame, 0);
  stride = GST_VIDEO_FRAME_PLANE_STRIDE (frame, 0);
  per_row = GST_VIDEO_FRAME_WIDTH (frame) / BLOCK;

  for (int i = 0; i < N_BITS; i++)
    {
      guint8 value = (bits >> (N_BITS - 1 - i)) & 1 ? WHITE : BLACK;
      int x0 = (i % per_row) * BLOCK, y0 = (i / per_row) * BLOCK;

      for (int y = y0; y < y0 + BLOCK; y++)
        memset (luma + (gsize) y * stride + x0, value, BLOCK);
    }
}

gboolean
kibitz_frame_stamp_read (GstVideoFrame *frame,
                         gint64        *time_ms)
{
  guint64 bits = 0;
  const guint8 *luma;
  int stride, per_row;
  guint32 ms;

  if (!stampable (frame))
    return FALSE;
  luma = GST_VIDEO_FRAME_PLANE_DATA (frame, 0);
  stride = GST_VIDEO_FRAME_PLANE_STRIDE (frame, 0);
  per_row = GST_VIDEO_FRAME_WIDTH (frame) / BLOCK;

  for (int i = 0; i < N_BITS; i++)
    {
      int x0 = (i % per_row) * BLOCK + BLOCK / 4, y0 = (i / per_row) * BLOCK + BLOCK / 4;
      guint sum = 0;

      /* The middle of the block: its edges blur in the codec. */
      for (int y = y0; y < y0 + BLOCK / 2; y++)
        for (int x = x0; x < x0 + BLOCK / 2; x++)
          sum += luma[(gsize) y * stride + x];
      bits = bits << 1 | (sum / (BLOCK * BLOCK / 4) > (WHITE + BLACK) / 2);
    }

  ms = (guint32) (bits >> 8);
  if ((bits >> 40) != MARKER || (bits & 0xff) != checksum (ms))
    return FALSE;
  /* Unwrap against now: the stamp is from the recent past. */
  *time_ms = (g_get_monotonic_time () / 1000 & ~(gint64) G_MAXUINT32) | ms;
  if (*time_ms > g_get_monotonic_time () / 1000 + 1000)
    *time_ms -= (gint64) G_MAXUINT32 + 1;
  return TRUE;
}
