/* kibitz-piece-paintable.h: a chess piece drawn sharp at any size.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define KIBITZ_TYPE_PIECE_PAINTABLE (kibitz_piece_paintable_get_type ())
G_DECLARE_FINAL_TYPE (KibitzPiecePaintable, kibitz_piece_paintable, KIBITZ, PIECE_PAINTABLE, GObject)

/* @icon_name: one of the app's piece icons ("kibitz-piece-white-king"). */
GdkPaintable *kibitz_piece_paintable_new             (const char           *icon_name);
/* The display's scale, so a HiDPI screen gets its pixels. */
void          kibitz_piece_paintable_set_scale       (KibitzPiecePaintable *self,
                                                      int                   scale);

G_END_DECLS
