/* kibitz-source-setting.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-media-source"

#include "config.h"

#include <string.h>

#include "kibitz-core-error.h"
#include "kibitz-source-setting.h"

#define PREVIEW_CAPS "video/x-raw,width=320,height=240"

const char *
kibitz_source_setting_resolve (const char      *setting,
                               KibitzMediaKind  kind)
{
  const char *env = kind == KIBITZ_MEDIA_KIND_VIDEO ? "KIBITZ_VIDEO_SOURCE" : "KIBITZ_AUDIO_SOURCE";

  if (setting != NULL && setting[0] != '\0')
    return setting;
  if (g_getenv (env) != NULL && g_getenv (env)[0] != '\0')
    return g_getenv (env);
  return kind == KIBITZ_MEDIA_KIND_VIDEO ? "autovideosrc" : "autoaudiosrc";
}

gboolean
kibitz_source_setting_is_none (const char      *setting,
                               KibitzMediaKind  kind)
{
  return g_str_equal (kibitz_source_setting_resolve (setting, kind), "none");
}

gboolean
kibitz_source_setting_is_test (const char      *setting,
                               KibitzMediaKind  kind)
{
  const char *spec = kibitz_source_setting_resolve (setting, kind);

  return g_str_equal (spec, "test") ||
         g_str_equal (spec, kind == KIBITZ_MEDIA_KIND_VIDEO ? "videotestsrc" : "audiotestsrc");
}

static void
set_live (GstElement *element)
{
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (element), "is-live") != NULL)
    g_object_set (element, "is-live", TRUE, NULL);
}

/* A device or element chosen by the user: "/dev/video0", "v4l2src",
 * "v4l2src device=…". */
static GstElement *
device_source_new (const char  *spec,
                   const char  *name,
                   GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  GstElement *src;

  if (g_str_has_prefix (spec, "/dev/"))
    {
      if (!(src = kibitz_make_element ("v4l2src", name, error)))
        return NULL;
      g_object_set (src, "device", spec, NULL);
      return src;
    }

  if (strchr (spec, ' ') == NULL && strchr (spec, '!') == NULL)
    {
      if ((src = kibitz_make_element (spec, name, error)))
        set_live (src);
      return src;
    }

  src = gst_parse_bin_from_description (spec, TRUE, &local_error);
  if (src == NULL)
    {
      g_set_error (error, KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_MISSING_ELEMENT,
                   "Cannot use the source “%s”: %s", spec, local_error->message);
      return NULL;
    }
  if (name != NULL)
    gst_object_set_name (GST_OBJECT (src), name);
  return src;
}

static gboolean
add_linked (GstBin      *bin,
            GstElement **chain,
            guint        n,
            GError     **error)
{
  for (guint i = 0; i < n; i++)
    if (chain[i] == NULL)
      {
        for (guint j = 0; j < n; j++)
          if (chain[j] != NULL)
            gst_object_unref (gst_object_ref_sink (chain[j]));
        return FALSE;
      }

  for (guint i = 0; i < n; i++)
    gst_bin_add (bin, chain[i]);
  for (guint i = 0; i + 1 < n; i++)
    if (!gst_element_link (chain[i], chain[i + 1]))
      {
        g_set_error (error, KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_PIPELINE,
                     "Could not link %s to %s", GST_ELEMENT_NAME (chain[i]),
                     GST_ELEMENT_NAME (chain[i + 1]));
        return FALSE;
      }
  return TRUE;
}

/* A live 30 fps test pattern with the name drawn on it. */
static GstElement *
test_pattern_new (const char  *display_name,
                  const char  *name,
                  GError     **error)
{
  g_autoptr(GstElement) bin = gst_object_ref_sink (gst_bin_new (name));
  g_autoptr(GstCaps) caps = gst_caps_from_string ("video/x-raw,framerate=30/1");
  GstElement *chain[3];
  guint n = 2;
  g_autoptr(GstPad) pad = NULL;

  chain[0] = kibitz_make_element ("videotestsrc", NULL, error);
  chain[1] = chain[0] ? kibitz_make_element ("capsfilter", NULL, error) : NULL;
  if (display_name != NULL)
    chain[n++] = chain[1] ? kibitz_make_element ("textoverlay", NULL, error) : NULL;
  if (!add_linked (GST_BIN (bin), chain, n, error))
    return NULL;

  g_object_set (chain[0], "is-live", TRUE, NULL);
  g_object_set (chain[1], "caps", caps, NULL);
  if (display_name != NULL)
    {
      g_object_set (chain[2], "text", display_name, "font-desc", "Sans Bold 24",
                    "shaded-background", TRUE, NULL);
      gst_util_set_object_arg (G_OBJECT (chain[2]), "valignment", "center");
      gst_util_set_object_arg (G_OBJECT (chain[2]), "halignment", "center");
    }
  pad = gst_element_get_static_pad (chain[n - 1], "src");
  gst_element_add_pad (bin, gst_ghost_pad_new ("src", pad));
  return g_steal_pointer (&bin);
}

GstElement *
kibitz_video_source_new (const char  *setting,
                         const char  *display_name,
                         const char  *name,
                         GError     **error)
{
  const char *spec = kibitz_source_setting_resolve (setting, KIBITZ_MEDIA_KIND_VIDEO);
  GstElement *source;

  g_return_val_if_fail (!g_str_equal (spec, "none"), NULL);

  if (kibitz_source_setting_is_test (spec, KIBITZ_MEDIA_KIND_VIDEO))
    source = test_pattern_new (display_name, name, error);
  else
    source = device_source_new (spec, name, error);

  /* Floating, as elements come from their factories. */
  if (source != NULL && !g_object_is_floating (source))
    g_object_force_floating (G_OBJECT (source));
  return source;
}

/* The shared screen's test: a still picture of 1280x720 at 10 fps with
 * "Screen of NAME" and a clock on it, so that it changes every second as a
 * screen with a clock in a corner does. */
static GstElement *
screen_test_new (const char  *display_name,
                 GError     **error)
{
  g_autoptr(GstElement) bin = gst_object_ref_sink (gst_bin_new ("local-screen-source"));
  g_autoptr(GstCaps) caps = gst_caps_from_string ("video/x-raw,width=1280,height=720,"
                                                  "framerate=10/1");
  g_autofree char *text = g_strdup_printf ("Screen of %s", display_name ? display_name : "Kibitz");
  g_autoptr(GstPad) pad = NULL;
  GstElement *chain[4];

  chain[0] = kibitz_make_element ("videotestsrc", NULL, error);
  chain[1] = chain[0] ? kibitz_make_element ("capsfilter", NULL, error) : NULL;
  chain[2] = chain[1] ? kibitz_make_element ("textoverlay", NULL, error) : NULL;
  chain[3] = chain[2] ? kibitz_make_element ("clockoverlay", NULL, error) : NULL;
  if (!add_linked (GST_BIN (bin), chain, G_N_ELEMENTS (chain), error))
    return NULL;

  g_object_set (chain[0], "is-live", TRUE, NULL);
  gst_util_set_object_arg (G_OBJECT (chain[0]), "pattern", "smpte");
  g_object_set (chain[1], "caps", caps, NULL);
  g_object_set (chain[2], "text", text, "font-desc", "Sans Bold 36", "shaded-background", TRUE,
                NULL);
  gst_util_set_object_arg (G_OBJECT (chain[2]), "valignment", "center");
  gst_util_set_object_arg (G_OBJECT (chain[2]), "halignment", "center");
  g_object_set (chain[3], "font-desc", "Monospace 24", "shaded-background", TRUE,
                "time-format", "%H:%M:%S", NULL);
  pad = gst_element_get_static_pad (chain[3], "src");
  gst_element_add_pad (bin, gst_ghost_pad_new ("src", pad));
  return g_steal_pointer (&bin);
}

GstElement *
kibitz_screen_source_new (const char  *setting,
                          const char  *display_name,
                          GError     **error)
{
  GstElement *source;

  g_return_val_if_fail (setting != NULL, NULL);

  if (g_str_equal (setting, "test"))
    source = screen_test_new (display_name, error);
  else
    source = device_source_new (setting, "local-screen-source", error);

  if (source != NULL && !g_object_is_floating (source))
    g_object_force_floating (G_OBJECT (source));
  return source;
}

GstElement *
kibitz_audio_source_new (const char  *setting,
                         const char  *name,
                         GError     **error)
{
  const char *spec = kibitz_source_setting_resolve (setting, KIBITZ_MEDIA_KIND_AUDIO);
  GstElement *source;

  g_return_val_if_fail (!g_str_equal (spec, "none"), NULL);

  if (!kibitz_source_setting_is_test (spec, KIBITZ_MEDIA_KIND_AUDIO))
    return device_source_new (spec, name, error);

  if (!(source = kibitz_make_element ("audiotestsrc", name, error)))
    return NULL;
  g_object_set (source, "is-live", TRUE, "volume", 0.2, NULL);
  return source;
}

GstElement *
kibitz_video_preview_new (const char  *setting,
                          GstElement  *sink,
                          GError     **error)
{
  g_autoptr(GstElement) pipeline = NULL;
  g_autoptr(GstCaps) caps = NULL;
  GstElement *chain[5];

  g_return_val_if_fail (GST_IS_ELEMENT (sink), NULL);

  if (kibitz_source_setting_is_none (setting, KIBITZ_MEDIA_KIND_VIDEO))
    {
      gst_object_unref (gst_object_ref_sink (sink));
      g_set_error (error, KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_NO_DEVICE,
                   "No camera is chosen");
      return NULL;
    }

  pipeline = gst_object_ref_sink (gst_pipeline_new ("lobby-preview"));
  chain[0] = kibitz_video_source_new (setting, NULL, NULL, error);
  chain[1] = chain[0] ? kibitz_make_element ("videoconvert", NULL, error) : NULL;
  chain[2] = chain[1] ? kibitz_make_element ("videoscale", NULL, error) : NULL;
  chain[3] = chain[2] ? kibitz_make_element ("capsfilter", NULL, error) : NULL;
  chain[4] = sink;
  if (!add_linked (GST_BIN (pipeline), chain, G_N_ELEMENTS (chain), error))
    return NULL;

  caps = gst_caps_from_string (PREVIEW_CAPS);
  g_object_set (chain[3], "caps", caps, NULL);
  return g_steal_pointer (&pipeline);
}
