/* kibitz-piece-paintable.c: a chess piece drawn sharp at any size.
 *
 * The board grows with the window, so its pieces cannot be a GtkImage (a
 * fixed pixel size, which is also its minimum) nor one GtkIconPaintable
 * scaled by a GtkPicture (an SVG rendered once at the size looked up, then
 * stretched: blurred on a large board). This paintable has no size of its
 * own and asks the icon theme for the piece's SVG (app/pieces/) at the size
 * it is drawn, which the theme renders and caches.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "kibitz-piece-paintable.h"

#include <math.h>

struct _KibitzPiecePaintable {
  GObject  parent_instance;

  char    *icon_name;
  int      scale;
};

static void kibitz_piece_paintable_iface_init (GdkPaintableInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (KibitzPiecePaintable, kibitz_piece_paintable, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (GDK_TYPE_PAINTABLE,
                                                      kibitz_piece_paintable_iface_init))

static void
kibitz_piece_paintable_snapshot (GdkPaintable *paintable,
                                 GdkSnapshot  *snapshot,
                                 double        width,
                                 double        height)
{
  KibitzPiecePaintable *self = KIBITZ_PIECE_PAINTABLE (paintable);
  GdkDisplay *display = gdk_display_get_default ();
  double size = MIN (width, height);
  g_autoptr(GtkIconPaintable) icon = NULL;

  if (display == NULL || size < 1)
    return;
  icon = gtk_icon_theme_lookup_icon (gtk_icon_theme_get_for_display (display), self->icon_name,
                                     NULL, (int) ceil (size), self->scale, GTK_TEXT_DIR_NONE, 0);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT ((width - size) / 2, (height - size) / 2));
  gdk_paintable_snapshot (GDK_PAINTABLE (icon), snapshot, size, size);
  gtk_snapshot_restore (snapshot);
}

static GdkPaintableFlags
kibitz_piece_paintable_get_flags (GdkPaintable *paintable)
{
  return GDK_PAINTABLE_STATIC_SIZE;
}

static void
kibitz_piece_paintable_iface_init (GdkPaintableInterface *iface)
{
  iface->snapshot = kibitz_piece_paintable_snapshot;
  iface->get_flags = kibitz_piece_paintable_get_flags;
}

static void
kibitz_piece_paintable_finalize (GObject *object)
{
  KibitzPiecePaintable *self = KIBITZ_PIECE_PAINTABLE (object);

  g_free (self->icon_name);
  G_OBJECT_CLASS (kibitz_piece_paintable_parent_class)->finalize (object);
}

static void
kibitz_piece_paintable_class_init (KibitzPiecePaintableClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = kibitz_piece_paintable_finalize;
}

static void
kibitz_piece_paintable_init (KibitzPiecePaintable *self)
{
  self->scale = 1;
}

GdkPaintable *
kibitz_piece_paintable_new (const char *icon_name)
{
  KibitzPiecePaintable *self = g_object_new (KIBITZ_TYPE_PIECE_PAINTABLE, NULL);

  self->icon_name = g_strdup (icon_name);
  return GDK_PAINTABLE (self);
}

void
kibitz_piece_paintable_set_scale (KibitzPiecePaintable *self,
                                  int                   scale)
{
  g_return_if_fail (KIBITZ_IS_PIECE_PAINTABLE (self));

  if (scale < 1 || scale == self->scale)
    return;
  self->scale = scale;
  gdk_paintable_invalidate_contents (GDK_PAINTABLE (self));
}
