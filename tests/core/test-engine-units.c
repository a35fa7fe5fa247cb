/* test-engine-units.c: the call engine's parts that need no media: the class
 * bitrate plan, the candidate parser, stats replies and element errors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"
#include "kibitz-process.h"

#include <string.h>

#include "kibitz-candidate.h"
#include "kibitz-core-error.h"
#include "kibitz-media-source.h"
#include "kibitz-call.h"
#include "kibitz-source-setting.h"
#include "kibitz-stats.h"

#include <gst/app/gstappsink.h>

#include <gst/webrtc/webrtc.h>

static void
test_plan_budget_is_shared (void)
{
  for (guint n = 1; n <= 19; n++)
    {
      int w, h, fps, kbps;

      kibitz_media_plan_for_class (n, 2500, &w, &h, &fps, &kbps);
      g_assert_cmpint (kbps, >=, 100);
      g_assert_cmpint (kbps, <=, 2000);
      /* Within budget unless the floor keeps a huge class watchable. */
      if (kbps > 100)
        g_assert_cmpint ((kbps + 32) * (int) n, <=, 2500);
      g_assert_cmpint (fps, >=, 15);
    }
}

static void
test_plan_steps_down (void)
{
  int w, h, fps, kbps, prev_w = G_MAXINT, prev_kbps = G_MAXINT;
  int w15, h15;

  for (guint n = 1; n <= 19; n++)
    {
      kibitz_media_plan_for_class (n, 2500, &w, &h, &fps, &kbps);
      g_assert_cmpint (w, <=, prev_w);
      g_assert_cmpint (kbps, <=, prev_kbps);
      g_assert_cmpint (w * 3, ==, h * 4);
      prev_w = w;
      prev_kbps = kbps;
    }

  kibitz_media_plan_for_class (1, 2500, &w, &h, &fps, &kbps);
  g_assert_cmpint (w, ==, 960);
  g_assert_cmpint (kbps, ==, 2000);   /* clamped */
  kibitz_media_plan_for_class (5, 2500, &w, &h, &fps, &kbps);
  g_assert_cmpint (w, ==, 480);
  g_assert_cmpint (fps, ==, 30);
  /* A 15-person class: 14 connections fit in 2.5 Mbps at 320x240. */
  kibitz_media_plan_for_class (14, 2500, &w15, &h15, &fps, &kbps);
  g_assert_cmpint (w15, ==, 320);
  g_assert_cmpint (h15, ==, 240);
  g_assert_cmpint (fps, ==, 15);
  g_assert_cmpint ((kbps + 32) * 14, <=, 2500);
}

static void
test_plan_zero_and_budget (void)
{
  int w, h, fps, kbps, w1, h1, fps1, kbps1;

  kibitz_media_plan_for_class (0, 0, &w, &h, &fps, &kbps);
  kibitz_media_plan_for_class (1, KIBITZ_DEFAULT_UPLOAD_BUDGET_KBPS, &w1, &h1, &fps1, &kbps1);
  g_assert_cmpint (w, ==, w1);
  g_assert_cmpint (kbps, ==, kbps1);

  kibitz_media_plan_for_class (4, 10000, &w, &h, &fps, &kbps);
  g_assert_cmpint (w, ==, 960);
  kibitz_media_plan_for_class (4, 500, &w, &h, &fps, &kbps);
  g_assert_cmpint (kbps, ==, 100);    /* floor */
  g_assert_cmpint (w, ==, 160);
}

static void
test_candidate_good (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KibitzCandidate) c =
    kibitz_candidate_parse ("a=candidate:1 1 UDP 2015363327 127.0.0.1 40000 typ host", &error);

  g_assert_no_error (error);
  g_assert_cmpstr (c->address, ==, "127.0.0.1");
  g_assert_cmpuint (c->port, ==, 40000);
  g_assert_cmpstr (c->transport, ==, "udp");
  g_assert_cmpstr (c->type, ==, "host");

  g_clear_pointer (&c, kibitz_candidate_free);
  c = kibitz_candidate_parse ("candidate:842163049 1 udp 1677729535 203.0.113.7 61000 typ srflx "
                              "raddr 10.0.0.2 rport 61000 generation 0", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (c->type, ==, "srflx");

  g_clear_pointer (&c, kibitz_candidate_free);
  c = kibitz_candidate_parse ("candidate:1 1 udp 2113937151 4b1c2f0e-1b7f.local 55000 typ host",
                              &error);
  g_assert_no_error (error);
}

static void
test_candidate_garbage (void)
{
  const char *bad[] = {
    "garbage",
    "candidate:",
    "candidate:1 1 udp 1 127.0.0.1 40000 typ",
    "candidate:1 x udp 1 127.0.0.1 40000 typ host",
    "candidate:1 1 sctp 1 127.0.0.1 40000 typ host",
    "candidate:1 1 udp 1 127.0.0.1 70000 typ host",
    "candidate:1 1 udp 1 not/an/address 4000 typ host",
    "candidate:1 1 udp 1 127.0.0.1 4000 type host",
    "candidate:1 1 udp 1 127.0.0.1 4000 typ martian",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(KibitzCandidate) c = kibitz_candidate_parse (bad[i], &error);

      g_assert_null (c);
      g_assert_error (error, KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_BAD_CANDIDATE);
    }
}

static void
test_missing_element_names_package (void)
{
  g_autoptr(GError) error = NULL;
  GstElement *e = kibitz_make_element ("kibitz-no-such-element", NULL, &error);

  g_assert_null (e);
  g_assert_error (error, KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_MISSING_ELEMENT);
  g_assert_nonnull (strstr (error->message, "kibitz-no-such-element"));
  g_clear_error (&error);

  {
    const char * const present[] = { "webrtcbin", "vp8enc", "textoverlay", NULL };
    const char * const missing[] = { "videotestsrc", "kibitz-no-such-element", NULL };

    g_assert_true (kibitz_require_elements (present, &error));
    g_assert_no_error (error);
    g_assert_false (kibitz_require_elements (missing, &error));
    g_assert_error (error, KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_MISSING_ELEMENT);
    g_assert_nonnull (strstr (error->message, "kibitz-no-such-element"));
  }

  g_assert_cmpstr (kibitz_element_package ("textoverlay"), ==, "gstreamer1.0-x");
  g_assert_cmpstr (kibitz_element_package ("webrtcbin"), ==, "gstreamer1.0-plugins-bad");
}

static GstStructure *
stat (const char         *name,
      GstWebRTCStatsType  type)
{
  return gst_structure_new (name, "type", GST_TYPE_WEBRTC_STATS_TYPE, type, NULL);
}

static void
test_stats_from_reply (void)
{
  g_autoptr(KibitzStats) previous = kibitz_stats_new ();
  g_autoptr(KibitzStats) stats = kibitz_stats_new ();
  GstStructure *reply = gst_structure_new_empty ("application/x-webrtc-stats");
  GstStructure *in = stat ("inbound-rtp", GST_WEBRTC_STATS_INBOUND_RTP);
  GstStructure *out = stat ("outbound-rtp", GST_WEBRTC_STATS_OUTBOUND_RTP);
  GstStructure *rr = stat ("remote-inbound-rtp", GST_WEBRTC_STATS_REMOTE_INBOUND_RTP);

  /* 1.22 mixes counter types: uint64 bytes, int64 losses, double seconds. */
  gst_structure_set (in, "bytes-received", G_TYPE_UINT64, (guint64) 126000,
                     "packets-received", G_TYPE_UINT64, (guint64) 100,
                     "packets-lost", G_TYPE_INT64, (gint64) 3, NULL);
  gst_structure_set (out, "bytes-sent", G_TYPE_UINT64, (guint64) 250000, NULL);
  gst_structure_set (rr, "round-trip-time", G_TYPE_DOUBLE, 0.042, NULL);
  gst_structure_set (reply, "in", GST_TYPE_STRUCTURE, in, "out", GST_TYPE_STRUCTURE, out,
                     "rr", GST_TYPE_STRUCTURE, rr, NULL);
  gst_structure_free (in);
  gst_structure_free (out);
  gst_structure_free (rr);

  previous->timestamp_us = 1000000;
  previous->bytes_received = 1000;
  previous->bytes_sent = 0;
  stats->timestamp_us = 2000000;
  kibitz_stats_read_reply (stats, reply, previous);
  gst_structure_free (reply);

  g_assert_cmpuint (stats->bytes_received, ==, 126000);
  g_assert_cmpuint (stats->packets_received, ==, 100);
  g_assert_cmpint (stats->packets_lost, ==, 3);
  g_assert_cmpfloat_with_epsilon (stats->rtt_ms, 42.0, 0.001);
  g_assert_cmpfloat_with_epsilon (stats->bitrate_in_kbps, 1000.0, 0.001);
  g_assert_cmpfloat_with_epsilon (stats->bitrate_out_kbps, 2000.0, 0.001);
}

static void
test_stats_candidate_types_and_json (void)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new ();
  g_autoptr(KibitzStats) stats = kibitz_stats_new ();
  g_autoptr(JsonNode) node = NULL;
  JsonObject *o;

  g_ptr_array_add (lines, (gpointer) "candidate:1 1 UDP 2015363327 127.0.0.1 40000 typ host");
  g_ptr_array_add (lines, (gpointer) "candidate:2 1 UDP 16777215 127.0.0.1 50123 typ relay "
                                     "raddr 127.0.0.1 rport 40000");
  g_assert_cmpstr (kibitz_stats_candidate_type (lines, "127.0.0.1", 50123), ==, "relay");
  g_assert_cmpstr (kibitz_stats_candidate_type (lines, "127.0.0.1", 40000), ==, "host");
  g_assert_null (kibitz_stats_candidate_type (lines, "127.0.0.1", 40001));

  /* libnice 0.1.21's relay candidates: type preference 30 over UDP, 20 over
   * TCP/TLS, local preference (1 << 13) + (TURN server index << 6). */
  {
    const struct { const char *line; const char *transport; } relays[] = {
      { "candidate:3 1 UDP 505413887 10.0.0.5 49152 typ relay raddr 10.0.1.2 rport 41000", "udp" },
      { "candidate:4 1 UDP 337658111 10.0.0.5 49153 typ relay raddr 10.0.1.2 rport 41001", "tcp" },
      { "candidate:1 1 UDP 2015363327 127.0.0.1 40000 typ host", NULL },
      { "candidate:5 1 UDP 16777215 127.0.0.1 50123 typ relay", NULL },
    };

    for (guint i = 0; i < G_N_ELEMENTS (relays); i++)
      {
        g_autoptr(KibitzCandidate) c = kibitz_candidate_parse (relays[i].line, NULL);

        g_assert_nonnull (c);
        g_assert_cmpstr (kibitz_candidate_relay_transport (c), ==, relays[i].transport);
      }
  }

  stats->connected = TRUE;
  stats->local_candidate_type = g_strdup ("relay");
  stats->frames_decoded = 42;
  node = kibitz_stats_to_json (stats);
  o = json_node_get_object (node);
  g_assert_true (json_object_get_boolean_member (o, "connected"));
  g_assert_cmpstr (json_object_get_string_member (o, "local_candidate"), ==, "relay");
  g_assert_true (json_object_get_null_member (o, "relay_transport"));
  g_assert_true (json_object_get_null_member (o, "remote_candidate"));
  g_assert_true (json_object_get_null_member (o, "rtt_ms"));
  g_assert_true (json_object_get_null_member (o, "first_frame_ms"));
  g_assert_cmpint (json_object_get_int_member (o, "frames_decoded"), ==, 42);
  for (guint i = 0; i < 2; i++)
    g_assert_true (json_object_has_member (o, i ? "bitrate_out_kbps" : "packets_lost"));
}

/* The rules for a device setting, in one place: automatic takes the
 * environment, then the system default; "none" has no camera to preview. */
static void
test_source_setting_rules (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *saved = g_strdup (g_getenv ("KIBITZ_VIDEO_SOURCE"));
  g_autofree char *saved_audio = g_strdup (g_getenv ("KIBITZ_AUDIO_SOURCE"));
  GstElement *sink, *preview;

  /* The test suite sets both to test sources; the rules are about a
   * machine where neither is set. */
  g_unsetenv ("KIBITZ_VIDEO_SOURCE");
  g_unsetenv ("KIBITZ_AUDIO_SOURCE");
  g_assert_cmpstr (kibitz_source_setting_resolve (NULL, KIBITZ_MEDIA_KIND_VIDEO), ==, "autovideosrc");
  g_assert_cmpstr (kibitz_source_setting_resolve ("", KIBITZ_MEDIA_KIND_AUDIO), ==, "autoaudiosrc");
  g_setenv ("KIBITZ_VIDEO_SOURCE", "none", TRUE);
  g_assert_true (kibitz_source_setting_is_none (NULL, KIBITZ_MEDIA_KIND_VIDEO));
  g_assert_false (kibitz_source_setting_is_none ("test", KIBITZ_MEDIA_KIND_VIDEO));
  g_assert_true (kibitz_source_setting_is_test ("videotestsrc", KIBITZ_MEDIA_KIND_VIDEO));
  g_assert_false (kibitz_source_setting_is_test ("videotestsrc", KIBITZ_MEDIA_KIND_AUDIO));

  sink = gst_element_factory_make ("fakesink", NULL);
  preview = kibitz_video_preview_new (NULL, sink, &error);
  g_assert_error (error, KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_NO_DEVICE);
  g_assert_null (preview);
  g_clear_error (&error);

  sink = gst_element_factory_make ("fakesink", NULL);
  preview = kibitz_video_preview_new ("no-such-element-kibitz", sink, &error);
  g_assert_error (error, KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_MISSING_ELEMENT);
  g_assert_null (preview);

  if (saved != NULL)
    g_setenv ("KIBITZ_VIDEO_SOURCE", saved, TRUE);
  else
    g_unsetenv ("KIBITZ_VIDEO_SOURCE");
  if (saved_audio != NULL)
    g_setenv ("KIBITZ_AUDIO_SOURCE", saved_audio, TRUE);
}

/* The lobby's preview of a setting delivers small frames of that source. */
static void
test_source_setting_preview (void)
{
  g_autoptr(GError) error = NULL;
  GstElement *sink = gst_element_factory_make ("appsink", NULL);
  g_autoptr(GstElement) preview = NULL;
  g_autoptr(GstSample) sample = NULL;
  GstStructure *s;
  int width = 0;

  g_object_set (sink, "sync", FALSE, NULL);
  preview = kibitz_video_preview_new ("test", sink, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gst_element_set_state (preview, GST_STATE_PLAYING), !=,
                   GST_STATE_CHANGE_FAILURE);
  sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), 10 * GST_SECOND);
  g_assert_nonnull (sample);
  s = gst_caps_get_structure (gst_sample_get_caps (sample), 0);
  g_assert_true (gst_structure_get_int (s, "width", &width));
  g_assert_cmpint (width, ==, 320);
  gst_element_set_state (preview, GST_STATE_NULL);
}

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 guint      *count)
{
  (*count)++;
}

/* The call keeps the controls: set before start they say how it begins,
 * and each change is notified once. */
static void
test_call_controls_before_start (void)
{
  KibitzCallOptions options = { .server_url = "http://127.0.0.1:9", .room = "r", .name = "n" };
  g_autoptr(KibitzCall) call = kibitz_call_new (&options);
  guint camera_notes = 0, hand_notes = 0;
  gboolean camera;

  g_signal_connect (call, "notify::camera-enabled", G_CALLBACK (count_notify_cb), &camera_notes);
  g_signal_connect (call, "notify::hand-raised", G_CALLBACK (count_notify_cb), &hand_notes);
  g_assert_true (kibitz_call_get_camera_enabled (call));
  g_object_set (call, "camera-enabled", FALSE, NULL);
  g_object_set (call, "camera-enabled", FALSE, NULL);
  kibitz_call_set_hand_raised (call, TRUE);
  g_object_get (call, "camera-enabled", &camera, NULL);
  g_assert_false (camera);
  g_assert_true (kibitz_call_get_hand_raised (call));
  g_assert_true (kibitz_call_get_microphone_enabled (call));
  g_assert_cmpuint (camera_notes, ==, 1);
  g_assert_cmpuint (hand_notes, ==, 1);
}

int
main (int argc, char *argv[])
{
  kibitz_process_init ();
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/plan/budget-is-shared", test_plan_budget_is_shared);
  g_test_add_func ("/core/plan/resolution-steps-down", test_plan_steps_down);
  g_test_add_func ("/core/plan/zero-peers-and-other-budgets", test_plan_zero_and_budget);
  g_test_add_func ("/core/candidate/good-lines-parse", test_candidate_good);
  g_test_add_func ("/core/candidate/garbage-is-refused", test_candidate_garbage);
  g_test_add_func ("/core/stats/counters-and-bitrates-from-reply", test_stats_from_reply);
  g_test_add_func ("/core/stats/candidate-types-and-json", test_stats_candidate_types_and_json);
  g_test_add_func ("/core/elements/missing-element-names-package",
                   test_missing_element_names_package);
  g_test_add_func ("/core/source-setting/rules", test_source_setting_rules);
  g_test_add_func ("/core/source-setting/preview-shows-the-source", test_source_setting_preview);
  g_test_add_func ("/core/call/controls-before-start", test_call_controls_before_start);

  return g_test_run ();
}
