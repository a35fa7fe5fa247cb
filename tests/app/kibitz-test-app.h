/* kibitz-test-app.h: what the app's test programs share besides tests/common
 * (which runs the main loop: kibitz_test_spin_until): looking at what a
 * texture shows.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* TRUE if a tenth of the texture's pixels are clearly not black (video, not
 * an empty frame). */
gboolean kibitz_test_texture_has_light (GdkTexture *texture);

G_END_DECLS
