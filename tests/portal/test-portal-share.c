/* test-portal-share.c: a screen share through the real ScreenCast portal
 * with the app's own code (app/kibitz-screen-portal.c): the share starts
 * without a dialog (run-portal-test configures the portal backend to pick
 * its output), and frames of that desktop are counted from the portal's
 * PipeWire stream, as the engine would send them.
 *
 * Prints "frames N" and exits 0 when frames came; otherwise the sentence
 * the app would show, and 1.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gst/gst.h>

#include "kibitz-screen-portal.h"

#define FRAMES_WANTED 10
#define TIMEOUT_S 30

typedef struct {
  GMainLoop  *loop;
  GstElement *source;
  GError     *error;
  guint       frames;
} Run;

static void
started_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      data)
{
  Run *run = data;

  run->source = kibitz_screen_portal_start_finish (KIBITZ_SCREEN_PORTAL (object), result, NULL,
                                                   &run->error);
  g_main_loop_quit (run->loop);
}

static GstPadProbeReturn
count_cb (GstPad          *pad,
          GstPadProbeInfo *info,
          gpointer         data)
{
  Run *run = data;

  if (g_atomic_int_add (&run->frames, 1) + 1 >= FRAMES_WANTED)
    g_main_loop_quit (run->loop);
  return GST_PAD_PROBE_OK;
}

static gboolean
timeout_cb (gpointer data)
{
  g_main_loop_quit (((Run *) data)->loop);
  return G_SOURCE_REMOVE;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(KibitzScreenPortal) portal = NULL;
  g_autoptr(GstElement) pipeline = NULL;
  g_autoptr(GstPad) pad = NULL;
  Run run = { 0 };
  GstElement *sink;
  guint timeout;

  gst_init (&argc, &argv);
  run.loop = g_main_loop_new (NULL, FALSE);
  portal = kibitz_screen_portal_new ();
  timeout = g_timeout_add_seconds (TIMEOUT_S, timeout_cb, &run);
  kibitz_screen_portal_start (portal, NULL, NULL, NULL, started_cb, &run);
  g_main_loop_run (run.loop);
  if (run.source == NULL)
    {
      g_print ("Screen sharing did not start: %s\n",
               run.error != NULL ? run.error->message : "no answer from the portal in time");
      g_clear_error (&run.error);
      g_main_loop_unref (run.loop);
      return 1;
    }

  pipeline = gst_object_ref_sink (gst_pipeline_new ("portal"));
  sink = gst_element_factory_make ("fakesink", NULL);
  gst_bin_add_many (GST_BIN (pipeline), run.source, sink, NULL);
  if (!gst_element_link (run.source, sink))
    {
      g_print ("could not link the portal's stream\n");
      g_main_loop_unref (run.loop);
      return 1;
    }
  pad = gst_element_get_static_pad (sink, "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, count_cb, &run, NULL);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  g_source_remove (timeout);
  g_timeout_add_seconds (TIMEOUT_S, timeout_cb, &run);
  g_main_loop_run (run.loop);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  kibitz_screen_portal_close (portal);
  g_print ("frames %u\n", g_atomic_int_get (&run.frames));
  g_main_loop_unref (run.loop);
  return g_atomic_int_get (&run.frames) > 0 ? 0 : 1;
}
