/* kibitz-test-app.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "kibitz-test-app.h"

#include <X11/extensions/XTest.h>
#include <X11/keysym.h>
#include <gdk/x11/gdkx.h>

#include "kibitz-test-server.h"

gboolean
kibitz_test_texture_has_light (GdkTexture *texture)
{
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  gsize stride = (gsize) width * 4;
  g_autofree guchar *data = g_malloc (stride * height);
  guint bright = 0;

  gdk_texture_download (texture, data, stride);
  for (gsize i = 0; i < stride * height; i += 4)
    if (data[i] > 48 || data[i + 1] > 48 || data[i + 2] > 48)
      bright++;
  return bright > (guint) (width * height / 10);
}

/* (@x, @y) of @widget in the root window's coordinates. */
static gboolean
root_point (GtkWidget *widget,
            double     x,
            double     y,
            int       *root_x,
            int       *root_y)
{
  GtkNative *native = gtk_widget_get_native (widget);
  Display *display = gdk_x11_display_get_xdisplay (gtk_widget_get_display (widget));
  double native_x, native_y, surface_x, surface_y;
  Window child;

  if (native == NULL ||
      !gtk_widget_translate_coordinates (widget, GTK_WIDGET (native), x, y, &native_x, &native_y))
    return FALSE;
  gtk_native_get_surface_transform (native, &surface_x, &surface_y);
  return XTranslateCoordinates (display, gdk_x11_surface_get_xid (gtk_native_get_surface (native)),
                                DefaultRootWindow (display), (int) (native_x + surface_x),
                                (int) (native_y + surface_y), root_x, root_y, &child);
}

static void
modifier_keys (Display        *display,
               GdkModifierType modifiers,
               gboolean        down)
{
  static const struct { GdkModifierType mask; KeySym key; } keys[] = {
    { GDK_SHIFT_MASK, XK_Shift_L }, { GDK_CONTROL_MASK, XK_Control_L }, { GDK_ALT_MASK, XK_Alt_L },
  };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    if (modifiers & keys[i].mask)
      XTestFakeKeyEvent (display, XKeysymToKeycode (display, keys[i].key), down, CurrentTime);
  XFlush (display);
  kibitz_test_spin (60);
}

/* The X display of @widget, where XTest can send input; NULL where not. */
static Display *
xtest_display (GtkWidget *widget)
{
  GdkDisplay *gdk_display = gtk_widget_get_display (widget);
  Display *display;
  int event, error, major, minor;

  if (!GDK_IS_X11_DISPLAY (gdk_display))
    return NULL;
  display = gdk_x11_display_get_xdisplay (gdk_display);
  return XTestQueryExtension (display, &event, &error, &major, &minor) ? display : NULL;
}

gboolean
kibitz_test_pointer_drag (GtkWidget      *widget,
                          guint           button,
                          GdkModifierType modifiers,
                          double          x1,
                          double          y1,
                          double          x2,
                          double          y2)
{
  Display *display = xtest_display (widget);
  int root_x, root_y;
  const guint steps = 8;

  if (display == NULL)
    return FALSE;

  modifier_keys (display, modifiers, True);
  for (guint i = 0; i <= steps + 1; i++)
    {
      /* Step 0 presses, the steps move, the last one releases. */
      double t = MIN (i, steps) / (double) steps;

      if (!root_point (widget, x1 + (x2 - x1) * t, y1 + (y2 - y1) * t, &root_x, &root_y))
        return FALSE;
      XTestFakeMotionEvent (display, -1, root_x, root_y, CurrentTime);
      if (i == 0)
        {
          XFlush (display);
          kibitz_test_spin (60);
          XTestFakeButtonEvent (display, button, True, CurrentTime);
        }
      else if (i == steps + 1)
        XTestFakeButtonEvent (display, button, False, CurrentTime);
      XFlush (display);
      kibitz_test_spin (40);
    }
  modifier_keys (display, modifiers, False);
  kibitz_test_spin (100);
  return TRUE;
}

gboolean
kibitz_test_key (GtkWidget      *widget,
                 guint           keyval,
                 GdkModifierType modifiers)
{
  Display *display = xtest_display (widget);
  KeyCode code;

  /* GDK's key values are X keysyms. */
  if (display == NULL || (code = XKeysymToKeycode (display, keyval)) == 0)
    return FALSE;

  modifier_keys (display, modifiers, True);
  XTestFakeKeyEvent (display, code, True, CurrentTime);
  XTestFakeKeyEvent (display, code, False, CurrentTime);
  XFlush (display);
  kibitz_test_spin (60);
  modifier_keys (display, modifiers, False);
  kibitz_test_spin (100);
  return TRUE;
}
