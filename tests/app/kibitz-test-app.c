/* kibitz-test-app.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "kibitz-test-app.h"

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
