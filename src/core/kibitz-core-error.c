/* kibitz-core-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-core"

#include "config.h"

#include "kibitz-core-error.h"

G_DEFINE_QUARK (kibitz-core-error-quark, kibitz_core_error)

static const struct {
  const char *factory;
  const char *package;
} packages[] = {
  { "videotestsrc", "gstreamer1.0-plugins-base" },
  { "audiotestsrc", "gstreamer1.0-plugins-base" },
  { "videoconvert", "gstreamer1.0-plugins-base" },
  { "videoscale", "gstreamer1.0-plugins-base" },
  { "videorate", "gstreamer1.0-plugins-base" },
  { "audioconvert", "gstreamer1.0-plugins-base" },
  { "audioresample", "gstreamer1.0-plugins-base" },
  { "opusenc", "gstreamer1.0-plugins-base" },
  { "opusdec", "gstreamer1.0-plugins-base" },
  { "appsink", "gstreamer1.0-plugins-base" },
  { "textoverlay", "gstreamer1.0-x" },
  { "ximagesink", "gstreamer1.0-x" },
  { "vp8enc", "gstreamer1.0-plugins-good" },
  { "vp8dec", "gstreamer1.0-plugins-good" },
  { "rtpvp8pay", "gstreamer1.0-plugins-good" },
  { "rtpvp8depay", "gstreamer1.0-plugins-good" },
  { "rtpopuspay", "gstreamer1.0-plugins-good" },
  { "rtpopusdepay", "gstreamer1.0-plugins-good" },
  { "rtpbin", "gstreamer1.0-plugins-good" },
  { "v4l2src", "gstreamer1.0-plugins-good" },
  { "autovideosrc", "gstreamer1.0-plugins-good" },
  { "autoaudiosrc", "gstreamer1.0-plugins-good" },
  { "pulsesrc", "gstreamer1.0-pulseaudio" },
  { "pipewiresrc", "gstreamer1.0-pipewire" },
  { "webrtcbin", "gstreamer1.0-plugins-bad" },
  { "dtlssrtpenc", "gstreamer1.0-plugins-bad" },
  { "dtlssrtpdec", "gstreamer1.0-plugins-bad" },
  { "srtpenc", "gstreamer1.0-plugins-bad" },
  { "nicesrc", "gstreamer1.0-nice" },
  { "nicesink", "gstreamer1.0-nice" },
  { "tee", "libgstreamer1.0-0" },
  { "queue", "libgstreamer1.0-0" },
  { "capsfilter", "libgstreamer1.0-0" },
  { "fakesink", "libgstreamer1.0-0" },
};

const char *
kibitz_element_package (const char *factory)
{
  for (guint i = 0; i < G_N_ELEMENTS (packages); i++)
    if (g_str_equal (packages[i].factory, factory))
      return packages[i].package;
  return NULL;
}

static void
set_missing_error (GError     **error,
                   const char  *factory)
{
  const char *package = kibitz_element_package (factory);

  if (package != NULL)
    g_set_error (error, KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_MISSING_ELEMENT,
                 "The GStreamer element “%s” is missing: install the Debian package %s",
                 factory, package);
  else
    g_set_error (error, KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_MISSING_ELEMENT,
                 "The GStreamer element “%s” is missing: is its plugin installed? "
                 "(gst-inspect-1.0 %s)", factory, factory);
}

gboolean
kibitz_require_elements (const char * const  *factories,
                         GError             **error)
{
  for (guint i = 0; factories[i] != NULL; i++)
    {
      g_autoptr(GstElementFactory) f = gst_element_factory_find (factories[i]);

      if (f == NULL)
        {
          set_missing_error (error, factories[i]);
          return FALSE;
        }
    }
  return TRUE;
}

GstElement *
kibitz_make_element (const char  *factory,
                     const char  *name,
                     GError     **error)
{
  GstElement *element = gst_element_factory_make (factory, name);

  if (element == NULL)
    set_missing_error (error, factory);
  return element;
}
