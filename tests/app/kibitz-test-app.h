/* kibitz-test-app.h: what the app's test programs share besides tests/common
 * (which runs the main loop: kibitz_test_spin_until): looking at what a
 * texture shows, and a real pointer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* TRUE if a tenth of the texture's pixels are clearly not black (video, not
 * an empty frame). */
gboolean kibitz_test_texture_has_light (GdkTexture *texture);

/* A real pointer: presses @button at (@x1, @y1) of @widget, moves to
 * (@x2, @y2) in steps and releases it there, holding @modifiers (Shift,
 * Control, Alt) meanwhile. The events go through the X server (XTest, as
 * xdotool does), so GTK's own event handling and gestures see them as a
 * user's. FALSE, with nothing done, where the display is not X11 or has no
 * XTest: the caller skips. */
gboolean kibitz_test_pointer_drag (GtkWidget      *widget,
                                   guint           button,
                                   GdkModifierType modifiers,
                                   double          x1,
                                   double          y1,
                                   double          x2,
                                   double          y2);

/* A real key press and release (@keyval, e.g. GDK_KEY_m) with @modifiers
 * held, through the X server as kibitz_test_pointer_drag()'s pointer; it
 * goes where the keyboard focus is. FALSE where there is no X11 with XTest. */
gboolean kibitz_test_key          (GtkWidget      *widget,
                                   guint           keyval,
                                   GdkModifierType modifiers);

G_END_DECLS
