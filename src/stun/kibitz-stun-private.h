/* kibitz-stun-private.h: byte-order helpers shared by the codec's files.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

static inline guint16
kibitz_stun_read16 (const guint8 *p)
{
  return (guint16) ((p[0] << 8) | p[1]);
}

static inline guint32
kibitz_stun_read32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static inline void
kibitz_stun_write16 (guint8  *p,
                     guint16  value)
{
  p[0] = value >> 8;
  p[1] = value & 0xFF;
}

static inline void
kibitz_stun_write32 (guint8  *p,
                     guint32  value)
{
  p[0] = value >> 24;
  p[1] = (value >> 16) & 0xFF;
  p[2] = (value >> 8) & 0xFF;
  p[3] = value & 0xFF;
}

G_END_DECLS
