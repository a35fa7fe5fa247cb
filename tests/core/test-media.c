/* test-media.c: participants with real pipelines and webrtcbins in one
 * process, signaling wired directly, ICE on 127.0.0.1 only. Every assertion is
 * about media that flowed (decoded frames, audio buffers).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"
#include "kibitz-process.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sys/prctl.h>
#include <gst/gst.h>
#include <gst/video/video.h>
#include <gst/webrtc/webrtc.h>
#include <gst/sdp/sdp.h>

#include "kibitz-core-error.h"
#include "kibitz-ice-servers.h"
#include "kibitz-turn-credentials.h"
#include "kibitz-media-source.h"
#include "kibitz-peer.h"
#include "kibitz-source-setting.h"

#include "../common/kibitz-test-upstream.h"

#define FLOW_TIMEOUT_S 30

#ifdef __SANITIZE_ADDRESS__
/* GLib and GStreamer are built without frame pointers: only the slow unwinder
 * gives leak stacks deep enough for tests/lsan.supp's narrow entries to match. */
const char *__asan_default_options (void);
const char *
__asan_default_options (void)
{
  return "fast_unwind_on_malloc=0";
}
#endif

typedef struct {
  char              *name;
  GstElement        *pipeline;
  KibitzMediaSource *media;
  GHashTable        *peers;      /* remote name -> KibitzPeer */
  guint              bus_watch;
  guint              foreign_errors;
  KibitzPeerOptions  peer_options;
} Participant;

typedef struct {
  Participant *to;
  char        *from;
} Wire;

static void
wire_free (gpointer data,
           GClosure *closure)
{
  Wire *w = data;

  g_free (w->from);
  g_free (w);
}

static gboolean
bus_cb (GstBus     *bus,
        GstMessage *message,
        gpointer    data)
{
  Participant *p = data;
  GHashTableIter iter;
  gpointer peer;

  if (GST_MESSAGE_TYPE (message) != GST_MESSAGE_ERROR)
    return G_SOURCE_CONTINUE;

  g_hash_table_iter_init (&iter, p->peers);
  while (g_hash_table_iter_next (&iter, NULL, &peer))
    if (kibitz_peer_handle_message (peer, message))
      return G_SOURCE_CONTINUE;

  {
    g_autoptr(GError) error = NULL;
    gst_message_parse_error (message, &error, NULL);
    g_test_message ("%s: error outside any peer from %s: %s", p->name,
                    GST_MESSAGE_SRC_NAME (message), error->message);
    p->foreign_errors++;
  }
  return G_SOURCE_CONTINUE;
}

static Participant *
participant_new_with (const char                     *name,
                      const KibitzMediaSourceOptions *options)
{
  Participant *p = g_new0 (Participant, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GstBus) bus = NULL;

  p->name = g_strdup (name);
  p->pipeline = gst_object_ref_sink (gst_pipeline_new (name));
  p->peers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  p->media = kibitz_media_source_new (p->pipeline, options, &error);
  g_assert_no_error (error);
  g_assert_nonnull (p->media);

  bus = gst_element_get_bus (p->pipeline);
  p->bus_watch = gst_bus_add_watch (bus, bus_cb, p);
  g_assert_cmpint (gst_element_set_state (p->pipeline, GST_STATE_PLAYING), !=,
                   GST_STATE_CHANGE_FAILURE);
  return p;
}

static Participant *
participant_new_full (const char        *name,
                      const char        *video,
                      const char        *audio,
                      KibitzEncoderMode  mode)
{
  KibitzMediaSourceOptions options = {
    .display_name = name,
    .video = video,
    .audio = audio,
    .encoder = mode,
    .max_width = 320,
    .max_height = 240,
  };

  return participant_new_with (name, &options);
}

static Participant *
participant_new (const char *name)
{
  return participant_new_full (name, NULL, NULL, KIBITZ_ENCODER_SHARED);
}

static KibitzPeer *
peer_of (Participant *p,
         Participant *remote)
{
  return g_hash_table_lookup (p->peers, remote->name);
}

static void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * G_TIME_SPAN_MILLISECOND;

  while (g_get_monotonic_time () < end)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (5 * G_TIME_SPAN_MILLISECOND);
    }
}

typedef gboolean (*Condition) (gpointer data);

static gboolean
wait_for (Condition cond,
          gpointer  data,
          guint     timeout_s)
{
  gint64 end = g_get_monotonic_time () + timeout_s * G_TIME_SPAN_SECOND;

  while (g_get_monotonic_time () < end)
    {
      if (cond (data))
        return TRUE;
      spin (20);
    }
  return cond (data);
}

static void
closed_cb (KibitzPeer *peer,
           gpointer    data)
{
  (*(guint *) data)++;
}

static gboolean
counter_reached (gpointer data)
{
  guint *c = data;

  return c[0] >= c[1];
}

/* Closes every peer (waiting for ::closed) and frees the participant. */
static void
participant_free (Participant *p)
{
  GHashTableIter iter;
  gpointer peer;
  guint counter[2] = { 0, g_hash_table_size (p->peers) };

  g_hash_table_iter_init (&iter, p->peers);
  while (g_hash_table_iter_next (&iter, NULL, &peer))
    {
      g_signal_connect (peer, "closed", G_CALLBACK (closed_cb), counter);
      kibitz_peer_close (peer);
    }
  g_assert_true (wait_for (counter_reached, counter, 10));
  g_hash_table_unref (p->peers);

  gst_element_set_state (p->pipeline, GST_STATE_NULL);
  g_assert_finalize_object (p->media);
  g_source_remove (p->bus_watch);
  gst_object_unref (p->pipeline);
  g_free (p->name);
  g_free (p);
}

/* --- Signaling, wired directly ---------------------------------------------------------- */

static void
local_description_cb (KibitzPeer *peer,
                      const char *type,
                      const char *sdp,
                      Wire       *w)
{
  KibitzPeer *remote = g_hash_table_lookup (w->to->peers, w->from);
  g_autoptr(GError) error = NULL;

  if (g_getenv ("KIBITZ_TEST_DUMP_SDP") != NULL)
    g_test_message ("%s -> %s %s:\n%s", w->from, w->to->name, type, sdp);
  if (remote != NULL && !kibitz_peer_set_remote_description (remote, type, sdp, &error))
    g_test_message ("%s could not take the %s of %s: %s", w->to->name, type, w->from,
                    error->message);
}

static void
ice_candidate_cb (KibitzPeer *peer,
                  guint       mline,
                  const char *candidate,
                  Wire       *w)
{
  KibitzPeer *remote = g_hash_table_lookup (w->to->peers, w->from);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_str_has_prefix (candidate, "candidate:"));
  /* Loopback only: anything else would mean gathering escaped the restriction. */
  g_assert_nonnull (strstr (candidate, " 127.0.0.1 "));
  if (remote != NULL && !kibitz_peer_add_remote_candidate (remote, mline, candidate, &error))
    g_test_message ("%s could not take a candidate of %s: %s", w->to->name, w->from,
                    error->message);
}

static KibitzPeer *
add_peer (Participant *p,
          Participant *remote)
{
  g_autoptr(GError) error = NULL;
  KibitzPeer *peer = kibitz_peer_new (remote->name, p->pipeline, p->media, &p->peer_options,
                                      &error);
  Wire *w = g_new0 (Wire, 1);

  g_assert_no_error (error);
  g_hash_table_insert (p->peers, g_strdup (remote->name), peer);

  w->to = remote;
  w->from = g_strdup (p->name);
  g_signal_connect_data (peer, "local-description", G_CALLBACK (local_description_cb), w,
                         wire_free, 0);
  g_signal_connect (peer, "ice-candidate", G_CALLBACK (ice_candidate_cb), w);
  return peer;
}

/* The newcomer offers (protocol.md). */
static void
connect_pair (Participant *newcomer,
              Participant *existing)
{
  g_autoptr(GError) error = NULL;
  KibitzPeer *offerer = add_peer (newcomer, existing);

  add_peer (existing, newcomer);
  g_assert_true (kibitz_peer_create_offer (offerer, &error));
  g_assert_no_error (error);
}

static void
remove_peer (Participant *p,
             Participant *remote)
{
  KibitzPeer *peer = peer_of (p, remote);
  guint counter[2] = { 0, 1 };

  g_assert_nonnull (peer);
  g_signal_connect (peer, "closed", G_CALLBACK (closed_cb), counter);
  kibitz_peer_close (peer);
  g_assert_true (wait_for (counter_reached, counter, 10));
  g_hash_table_remove (p->peers, remote->name);
}

/* --- Flow conditions ----------------------------------------------------------------------- */

typedef struct {
  Participant **ps;
  guint         n;
  guint64       frames;
  guint64       audio;
} Mesh;

static gboolean
mesh_flows (gpointer data)
{
  Mesh *m = data;

  for (guint i = 0; i < m->n; i++)
    for (guint j = 0; j < m->n; j++)
      {
        KibitzPeer *peer;

        if (i == j)
          continue;
        peer = peer_of (m->ps[i], m->ps[j]);
        if (peer == NULL || kibitz_peer_get_frames_decoded (peer) < m->frames ||
            kibitz_peer_get_audio_packets (peer) < m->audio)
          return FALSE;
      }
  return TRUE;
}

static void
report_mesh (Mesh *m)
{
  for (guint i = 0; i < m->n; i++)
    for (guint j = 0; j < m->n; j++)
      {
        KibitzPeer *peer;

        if (i == j || !(peer = peer_of (m->ps[i], m->ps[j])))
          continue;
        g_test_message ("%s <- %s: state %d, %" G_GUINT64_FORMAT " frames, %" G_GUINT64_FORMAT
                        " audio buffers, first frame after %" G_GINT64_FORMAT " ms",
                        m->ps[i]->name, m->ps[j]->name, kibitz_peer_get_state (peer),
                        kibitz_peer_get_frames_decoded (peer),
                        kibitz_peer_get_audio_packets (peer),
                        kibitz_peer_get_first_frame_ms (peer));
      }
}

static void
assert_mesh_flows (Mesh *m)
{
  gboolean ok = wait_for (mesh_flows, m, FLOW_TIMEOUT_S);

  report_mesh (m);
  g_assert_true (ok);
}

/* --- Tests ----------------------------------------------------------------------------------- */

typedef struct {
  KibitzPeer *peer;
} StatsWait;

static gboolean
stats_ready (gpointer data)
{
  const KibitzStats *st = kibitz_peer_get_stats (data);

  return st != NULL && st->local_candidate_type != NULL && st->bitrate_in_kbps > 0 &&
         st->bitrate_out_kbps > 0 && st->rtt_ms >= 0;
}

/* Says which part of the stats never came, so a failure names it. */
static gboolean
wait_for_stats (KibitzPeer *peer)
{
  const KibitzStats *st;

  kibitz_peer_start_stats (peer, 250);
  if (wait_for (stats_ready, peer, 15))
    return TRUE;
  st = kibitz_peer_get_stats (peer);
  g_test_message ("stats never ready: %s, candidate %s, in %.0f kbps, out %.0f kbps, rtt %.1f ms",
                  st != NULL ? "have stats" : "no stats",
                  st != NULL ? st->local_candidate_type : "-",
                  st != NULL ? st->bitrate_in_kbps : 0, st != NULL ? st->bitrate_out_kbps : 0,
                  st != NULL ? st->rtt_ms : -1);
  return FALSE;
}

static void
assert_host_stats (KibitzPeer *peer,
                   const char *what)
{
  const KibitzStats *st;
  gboolean ok;

  ok = wait_for_stats (peer);
  st = kibitz_peer_get_stats (peer);
  g_assert_nonnull (st);
  g_test_message ("%s stats: connected %d, pair %s %s:%u <-> %s %s:%u, rtt %.1f ms, in %.0f kbps, "
                  "out %.0f kbps, lost %" G_GINT64_FORMAT ", frames %" G_GUINT64_FORMAT
                  ", first frame %" G_GINT64_FORMAT " ms", what, st->connected,
                  st->local_candidate_type, st->local_address, st->local_port,
                  st->remote_candidate_type, st->remote_address, st->remote_port,
                  st->rtt_ms, st->bitrate_in_kbps, st->bitrate_out_kbps, st->packets_lost,
                  st->frames_decoded, st->first_frame_ms);
  g_assert_true (ok);
  g_assert_true (st->connected);
  /* Loopback only, no STUN/TURN: both ends on 127.0.0.1, direct: host
   * candidates, or prflx when a connectivity check beat the candidate it
   * came from through signaling (a busy machine: seen in CI). */
  g_assert_true (g_str_equal (st->local_candidate_type, "host") ||
                 g_str_equal (st->local_candidate_type, "prflx"));
  g_assert_true (g_str_equal (st->remote_candidate_type, "host") ||
                 g_str_equal (st->remote_candidate_type, "prflx"));
  g_assert_cmpstr (st->local_address, ==, "127.0.0.1");
  g_assert_cmpstr (st->remote_address, ==, "127.0.0.1");
  g_assert_cmpuint (st->frames_decoded, >, 0);
}

static void
test_two_participants (void)
{
  Participant *a = participant_new ("alice");
  Participant *b = participant_new ("bob");
  Participant *ps[] = { a, b };
  Mesh m = { ps, 2, 30, 50 };

  connect_pair (b, a);
  assert_mesh_flows (&m);
  g_assert_cmpint (kibitz_peer_get_state (peer_of (a, b)), ==, KIBITZ_PEER_STATE_CONNECTED);
  g_assert_cmpint (kibitz_peer_get_state (peer_of (b, a)), ==, KIBITZ_PEER_STATE_CONNECTED);
  g_assert_cmpint (kibitz_peer_get_first_frame_ms (peer_of (a, b)), >, 0);
  assert_host_stats (peer_of (a, b), "alice <- bob");
  assert_host_stats (peer_of (b, a), "bob <- alice");
  g_assert_cmpuint (a->foreign_errors + b->foreign_errors, ==, 0);

  participant_free (b);
  participant_free (a);
}

typedef struct {
  KibitzPeer *peer;
  guint64     target;
} Rising;

static gboolean
frames_reach (gpointer data)
{
  Rising *r = data;

  return kibitz_peer_get_frames_decoded (r->peer) >= r->target &&
         kibitz_peer_get_audio_packets (r->peer) > 0;
}

static void
assert_keeps_rising (KibitzPeer *peer,
                     const char *what)
{
  Rising r = { peer, kibitz_peer_get_frames_decoded (peer) + 20 };
  guint64 audio_before = kibitz_peer_get_audio_packets (peer);
  gboolean ok = wait_for (frames_reach, &r, 10);

  g_test_message ("%s: %" G_GUINT64_FORMAT " frames (wanted %" G_GUINT64_FORMAT "), audio %"
                  G_GUINT64_FORMAT " -> %" G_GUINT64_FORMAT, what,
                  kibitz_peer_get_frames_decoded (peer), r.target, audio_before,
                  kibitz_peer_get_audio_packets (peer));
  g_assert_true (ok);
  g_assert_cmpuint (kibitz_peer_get_audio_packets (peer), >, audio_before);
}

static void
mesh_then_leave (KibitzEncoderMode mode)
{
  Participant *a = participant_new_full ("ada", NULL, NULL, mode);
  Participant *b = participant_new_full ("ben", NULL, NULL, mode);
  Participant *c = participant_new_full ("cleo", NULL, NULL, mode);
  Participant *ps[] = { a, b, c };
  Mesh m = { ps, 3, 30, 50 };
  Mesh m2 = { ps, 2, 0, 0 };

  connect_pair (b, a);
  connect_pair (c, a);
  connect_pair (c, b);
  assert_mesh_flows (&m);

  for (guint i = 0; i < 3; i++)
    {
      g_assert_cmpuint (kibitz_media_source_get_n_branches (ps[i]->media,
                                                             KIBITZ_MEDIA_KIND_VIDEO), ==, 2);
      /* Encode once: two encoders (video, audio) whatever the class size;
       * per peer, a video encoder per connection and audio once. */
      g_assert_cmpuint (kibitz_media_source_get_n_encoders (ps[i]->media), ==,
                        mode == KIBITZ_ENCODER_SHARED ? 2 : 3);
    }

  /* cleo leaves: everyone drops their connection with her. */
  remove_peer (a, c);
  remove_peer (b, c);
  participant_free (c);

  g_assert_cmpuint (kibitz_media_source_get_n_branches (a->media, KIBITZ_MEDIA_KIND_VIDEO), ==, 1);
  g_assert_cmpuint (kibitz_media_source_get_n_branches (b->media, KIBITZ_MEDIA_KIND_VIDEO), ==, 1);
  g_assert_cmpuint (kibitz_media_source_get_n_encoders (a->media), ==, 2);
  assert_keeps_rising (peer_of (a, b), "ada <- ben after cleo left");
  assert_keeps_rising (peer_of (b, a), "ben <- ada after cleo left");
  report_mesh (&m2);
  g_assert_cmpuint (a->foreign_errors + b->foreign_errors, ==, 0);

  participant_free (b);
  participant_free (a);
}

static void
test_three_shared_then_leave (void)
{
  mesh_then_leave (KIBITZ_ENCODER_SHARED);
}

static void
test_three_per_peer_then_leave (void)
{
  mesh_then_leave (KIBITZ_ENCODER_PER_PEER);
}

static void
failed_cb (KibitzPeer   *peer,
           const GError *error,
           gpointer      data)
{
  GError **out = data;

  g_assert_null (*out);
  *out = g_error_copy (error);
}

static gboolean
error_set (gpointer data)
{
  return *(GError **) data != NULL;
}

static gboolean
peer_connected (gpointer data)
{
  return kibitz_peer_get_state (data) == KIBITZ_PEER_STATE_CONNECTED;
}

static void
test_garbage_fails_one_peer (void)
{
  Participant *a = participant_new ("amy");
  Participant *b = participant_new ("bo");
  Participant *m = participant_new ("mallory");
  Participant *ps[] = { a, b };
  Mesh mesh = { ps, 2, 20, 20 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) sdp_failure = NULL;
  g_autoptr(GError) ice_failure = NULL;
  g_autoptr(GError) bus_failure = NULL;
  g_autoptr(GError) refused_failure = NULL;
  KibitzPeer *garbage_sdp, *garbage_ice, *bus, *refused;
  Participant x = { .name = (char *) "x" };
  Participant z = { .name = (char *) "z" };
  Participant y = { .name = (char *) "y" };

  connect_pair (b, a);
  assert_mesh_flows (&mesh);

  /* A garbage offer. */
  garbage_sdp = add_peer (a, &x);
  g_signal_connect (garbage_sdp, "failed", G_CALLBACK (failed_cb), &sdp_failure);
  g_assert_false (kibitz_peer_set_remote_description (garbage_sdp, "offer",
                                                      "this is not SDP at all\r\n", &error));
  g_assert_error (error, KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_BAD_SDP);
  g_test_message ("garbage SDP: %s", error->message);
  g_assert_error (sdp_failure, KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_BAD_SDP);
  g_assert_cmpint (kibitz_peer_get_state (garbage_sdp), ==, KIBITZ_PEER_STATE_FAILED);
  g_clear_error (&error);

  /* SDP that parses but that webrtcbin itself refuses (no ICE credentials,
   * no DTLS fingerprint): the failure comes back through its promise. */
  refused = add_peer (a, &z);
  g_signal_connect (refused, "failed", G_CALLBACK (failed_cb), &refused_failure);
  g_assert_true (kibitz_peer_set_remote_description (refused, "offer",
                                                     "v=0\r\no=- 1 0 IN IP4 0.0.0.0\r\ns=-\r\n"
                                                     "t=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
                                                     "c=IN IP4 0.0.0.0\r\na=sendrecv\r\n"
                                                     "a=rtpmap:111 OPUS/48000/2\r\na=mid:0\r\n",
                                                     &error));
  g_assert_no_error (error);
  g_assert_true (wait_for (error_set, &refused_failure, 5));
  g_assert_error (refused_failure, KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_NEGOTIATION);
  g_test_message ("SDP refused by webrtcbin: %s", refused_failure->message);

  /* A working connection with mallory, then a garbage candidate on it. */
  connect_pair (m, a);
  garbage_ice = peer_of (a, m);
  g_assert_true (wait_for (peer_connected, garbage_ice, FLOW_TIMEOUT_S));
  g_signal_connect (garbage_ice, "failed", G_CALLBACK (failed_cb), &ice_failure);
  g_assert_false (kibitz_peer_add_remote_candidate (garbage_ice, 0,
                                                    "candidate:0 1 UDP 1 127.0.0.1 99999 typ host",
                                                    &error));
  g_assert_error (error, KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_BAD_CANDIDATE);
  g_test_message ("garbage candidate: %s", error->message);
  g_assert_error (ice_failure, KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_BAD_CANDIDATE);
  g_clear_error (&error);

  /* A bus error inside one peer's webrtcbin is routed to that peer only. */
  bus = add_peer (a, &y);
  g_signal_connect (bus, "failed", G_CALLBACK (failed_cb), &bus_failure);
  {
    GstElement *webrtcbin = kibitz_peer_get_webrtcbin (bus);
    GError *e = g_error_new (GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED, "simulated DTLS failure");

    gst_element_post_message (webrtcbin, gst_message_new_error (GST_OBJECT (webrtcbin), e, "test"));
    g_error_free (e);
  }
  g_assert_true (wait_for (error_set, &bus_failure, 5));
  g_assert_error (bus_failure, KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_STREAM);
  g_test_message ("bus error: %s", bus_failure->message);

  /* The good connection never noticed. */
  g_assert_cmpint (kibitz_peer_get_state (peer_of (a, b)), ==, KIBITZ_PEER_STATE_CONNECTED);
  assert_keeps_rising (peer_of (a, b), "amy <- bo while other peers failed");
  assert_keeps_rising (peer_of (b, a), "bo <- amy while other peers failed");

  /* The failed ones go; the good one still flows. */
  remove_peer (a, &x);
  remove_peer (a, &y);
  remove_peer (a, &z);
  remove_peer (a, m);
  remove_peer (m, a);
  assert_keeps_rising (peer_of (a, b), "amy <- bo after the failed peers were closed");
  g_assert_cmpuint (a->foreign_errors + b->foreign_errors, ==, 0);

  participant_free (m);
  participant_free (b);
  participant_free (a);
}

static void
test_no_devices_sends_placeholder (void)
{
  Participant *a = participant_new ("ann");
  Participant *n = participant_new_full ("nocam", "none", "none", KIBITZ_ENCODER_SHARED);
  Participant *ps[] = { a, n };
  /* The slate runs at 5 fps: 10 frames is two seconds of it. */
  Mesh m = { ps, 2, 10, 50 };
  int fps;

  connect_pair (n, a);
  assert_mesh_flows (&m);
  kibitz_media_source_get_plan (n->media, NULL, NULL, &fps, NULL);
  g_assert_cmpint (fps, ==, 5);

  participant_free (n);
  participant_free (a);
}

/* --- Keyframes and the class plan ----------------------------------------------------------- */

static GstPadProbeReturn
count_keyframes_cb (GstPad          *pad,
                    GstPadProbeInfo *info,
                    gpointer         data)
{
  if (!GST_BUFFER_FLAG_IS_SET (GST_PAD_PROBE_INFO_BUFFER (info), GST_BUFFER_FLAG_DELTA_UNIT))
    g_atomic_int_inc ((int *) data);
  return GST_PAD_PROBE_OK;
}

/* What rtpsession does with a PLI or FIR: an upstream GstForceKeyUnit into
 * each of the participant's branches. */
static void
request_keyframes_from_every_peer (Participant *p)
{
  GHashTableIter iter;
  gpointer peer;

  g_hash_table_iter_init (&iter, p->peers);
  while (g_hash_table_iter_next (&iter, NULL, &peer))
    {
      GstElement *webrtcbin = kibitz_peer_get_webrtcbin (peer);

      for (GList *l = GST_ELEMENT (webrtcbin)->sinkpads; l != NULL; l = l->next)
        {
          g_autoptr(GstPad) upstream = gst_pad_get_peer (l->data);

          if (upstream != NULL)
            gst_pad_send_event (upstream,
                                gst_video_event_new_upstream_force_key_unit (GST_CLOCK_TIME_NONE,
                                                                             TRUE, 0));
        }
    }
}

static void
test_keyframes_coalesced (void)
{
  Participant *a = participant_new ("kay");
  Participant *b = participant_new ("kim");
  Participant *c = participant_new ("kit");
  Participant *ps[] = { a, b, c };
  Mesh m = { ps, 3, 30, 50 };
  g_autoptr(GstElement) encoder = gst_bin_get_by_name (GST_BIN (a->pipeline),
                                                       "local-video-encoder");
  g_autoptr(GstPad) pad = gst_element_get_static_pad (encoder, "src");
  int keyframes = 0, flood_start, flood_keyframes;
  guint requests = 0;
  gint64 end;

  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, count_keyframes_cb, &keyframes, NULL);
  connect_pair (b, a);
  connect_pair (c, a);
  connect_pair (c, b);
  assert_mesh_flows (&m);

  /* Two peers asking every 20 ms for 2 s: 200 requests. */
  spin (600);
  flood_start = g_atomic_int_get (&keyframes);
  end = g_get_monotonic_time () + 2 * G_TIME_SPAN_SECOND;
  while (g_get_monotonic_time () < end)
    {
      request_keyframes_from_every_peer (a);
      requests += 2;
      spin (20);
    }
  spin (100);
  flood_keyframes = g_atomic_int_get (&keyframes) - flood_start;
  g_test_message ("%u keyframe requests in 2 s -> %d keyframes encoded (%u requested, %u forced)",
                  requests, flood_keyframes, kibitz_media_source_get_keyframes_requested (a->media),
                  kibitz_media_source_get_keyframes_forced (a->media));
  /* Honoured, but at most one per 500 ms (plus the encoder's own periodic one). */
  g_assert_cmpint (flood_keyframes, >=, 3);
  g_assert_cmpint (flood_keyframes, <=, 6);
  assert_keeps_rising (peer_of (b, a), "kim <- kay after the keyframe flood");

  participant_free (c);
  participant_free (b);
  participant_free (a);
}

typedef struct {
  KibitzPeer *peer;
  int         width;
} SizeWait;

static gboolean
size_is (gpointer data)
{
  SizeWait *w = data;
  int width = 0, height = 0;

  return kibitz_peer_get_video_size (w->peer, &width, &height) && width == w->width;
}

static void
test_class_growth_steps_down (void)
{
  KibitzMediaSourceOptions options = {
    .video = "test", .audio = "test", .max_width = 640, .max_height = 480,
    /* 900 kbps: one connection gets 640x480, two get 480x360 each. */
    .upload_budget_kbps = 900,
  };
  Participant *a, *b, *c;
  Participant *ps[3];
  Mesh m2 = { ps, 2, 30, 50 };
  Mesh m3 = { ps, 3, 30, 50 };
  SizeWait w;
  int width, height, fps, kbps;

  options.display_name = "gus";
  a = participant_new_with ("gus", &options);
  options.display_name = "gil";
  b = participant_new_with ("gil", &options);
  options.display_name = "gwen";
  c = participant_new_with ("gwen", &options);
  ps[0] = a, ps[1] = b, ps[2] = c;

  connect_pair (b, a);
  assert_mesh_flows (&m2);
  w.peer = peer_of (b, a);
  w.width = 640;
  g_assert_true (wait_for (size_is, &w, 10));
  kibitz_media_source_get_plan (a->media, &width, &height, &fps, &kbps);
  g_test_message ("one connection: %dx%d@%d, %d kbps", width, height, fps, kbps);

  connect_pair (c, a);
  connect_pair (c, b);
  assert_mesh_flows (&m3);
  kibitz_media_source_get_plan (a->media, &width, &height, &fps, &kbps);
  g_test_message ("two connections: %dx%d@%d, %d kbps", width, height, fps, kbps);
  g_assert_cmpint (width, ==, 480);
  w.width = 480;
  g_assert_true (wait_for (size_is, &w, 10));
  assert_keeps_rising (peer_of (b, a), "gil <- gus at 480x360");

  participant_free (c);
  participant_free (b);
  participant_free (a);
}

/* --- A browser without a camera: a bare webrtcbin offering receive-only --------------------- */

typedef struct {
  GstElement *pipeline;
  GstElement *webrtc;
  GObject    *ice;
  GMutex      lock;
  GPtrArray  *streams;     /* KibitzRemoteStream, appended from pad-added */
  KibitzPeer *answerer;    /* the Kibitz participant's peer for this browser */
} Browser;

static void
browser_pad_added_cb (GstElement *webrtc,
                      GstPad     *pad,
                      Browser    *br)
{
  g_autoptr(GError) error = NULL;
  KibitzRemoteStream *stream;

  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC)
    return;
  stream = kibitz_remote_stream_new (br->pipeline, pad, NULL, FALSE, &error);
  g_assert_no_error (error);
  g_mutex_lock (&br->lock);
  g_ptr_array_add (br->streams, stream);
  g_mutex_unlock (&br->lock);
}

typedef struct {
  Browser *br;
  guint    mline;
  char    *candidate;
} BrowserCandidate;

static gboolean
browser_candidate_idle (gpointer data)
{
  BrowserCandidate *bc = data;
  g_autoptr(GError) error = NULL;

  if (!kibitz_peer_add_remote_candidate (bc->br->answerer, bc->mline, bc->candidate, &error))
    g_test_message ("browser candidate refused: %s", error->message);
  g_free (bc->candidate);
  g_free (bc);
  return G_SOURCE_REMOVE;
}

static void
browser_ice_candidate_cb (GstElement *webrtc,
                          guint       mline,
                          char       *candidate,
                          Browser    *br)
{
  BrowserCandidate *bc = g_new0 (BrowserCandidate, 1);

  bc->br = br;
  bc->mline = mline;
  bc->candidate = g_strdup (candidate);
  g_idle_add (browser_candidate_idle, bc);
}

static void
answer_to_browser_cb (KibitzPeer *peer,
                      const char *type,
                      const char *sdp,
                      Browser    *br)
{
  GstSDPMessage *message = NULL;
  g_autoptr(GstWebRTCSessionDescription) desc = NULL;
  g_autoptr(GstPromise) promise = gst_promise_new ();

  if (g_getenv ("KIBITZ_TEST_DUMP_SDP") != NULL)
    g_test_message ("answer to the browser:\n%s", sdp);
  g_assert_cmpstr (type, ==, "answer");
  g_assert_cmpint (gst_sdp_message_new_from_text (sdp, &message), ==, GST_SDP_OK);
  desc = gst_webrtc_session_description_new (GST_WEBRTC_SDP_TYPE_ANSWER, message);
  g_signal_emit_by_name (br->webrtc, "set-remote-description", desc, promise);
  gst_promise_wait (promise);
}

static void
candidate_to_browser_cb (KibitzPeer *peer,
                         guint       mline,
                         const char *candidate,
                         Browser    *br)
{
  g_signal_emit_by_name (br->webrtc, "add-ice-candidate", mline, candidate);
}

static void
browser_add_recvonly (Browser    *br,
                      const char *caps_string)
{
  g_autoptr(GstCaps) caps = gst_caps_from_string (caps_string);
  g_autoptr(GstWebRTCRTPTransceiver) trans = NULL;

  g_signal_emit_by_name (br->webrtc, "add-transceiver",
                         GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY, caps, &trans);
  g_assert_nonnull (trans);
}

static Browser *
browser_new (gboolean with_video)
{
  Browser *br = g_new0 (Browser, 1);
  g_autoptr(GObject) agent = NULL;
  gboolean ok = FALSE;

  g_mutex_init (&br->lock);
  br->streams = g_ptr_array_new_with_free_func (g_object_unref);
  br->pipeline = gst_object_ref_sink (gst_pipeline_new ("browser"));
  br->webrtc = gst_element_factory_make ("webrtcbin", "browser-webrtc");
  g_object_set (br->webrtc, "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, NULL);
  gst_bin_add (GST_BIN (br->pipeline), br->webrtc);

  g_object_get (br->webrtc, "ice-agent", &br->ice, NULL);
  g_object_get (br->ice, "agent", &agent, NULL);
  g_object_set (agent, "upnp", FALSE, NULL);
  g_signal_emit_by_name (br->ice, "add-local-ip-address", "127.0.0.1", &ok);
  g_assert_true (ok);

  /* Browser-ish payload types, so the answerer has to adopt them. */
  browser_add_recvonly (br, "application/x-rtp,media=audio,encoding-name=OPUS,"
                            "clock-rate=48000,payload=111");
  if (with_video)
    browser_add_recvonly (br, "application/x-rtp,media=video,encoding-name=VP8,"
                              "clock-rate=90000,payload=120");

  g_signal_connect (br->webrtc, "pad-added", G_CALLBACK (browser_pad_added_cb), br);
  g_signal_connect (br->webrtc, "on-ice-candidate", G_CALLBACK (browser_ice_candidate_cb), br);
  g_assert_cmpint (gst_element_set_state (br->pipeline, GST_STATE_PLAYING), !=,
                   GST_STATE_CHANGE_FAILURE);
  return br;
}

static char *
browser_offer (Browser *br)
{
  g_autoptr(GstPromise) promise = gst_promise_new ();
  g_autoptr(GstPromise) set = gst_promise_new ();
  g_autoptr(GstWebRTCSessionDescription) offer = NULL;

  g_signal_emit_by_name (br->webrtc, "create-offer", NULL, promise);
  g_assert_cmpint (gst_promise_wait (promise), ==, GST_PROMISE_RESULT_REPLIED);
  gst_structure_get (gst_promise_get_reply (promise), "offer",
                     GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &offer, NULL);
  g_assert_nonnull (offer);
  g_signal_emit_by_name (br->webrtc, "set-local-description", offer, set);
  gst_promise_wait (set);
  return gst_sdp_message_as_text (offer->sdp);
}

static void
browser_free (Browser *br)
{
  g_signal_handlers_disconnect_by_data (br->webrtc, br);
  gst_element_set_state (br->pipeline, GST_STATE_NULL);
  g_clear_object (&br->ice);
  gst_object_unref (br->pipeline);
  g_ptr_array_unref (br->streams);
  g_mutex_clear (&br->lock);
  g_free (br);
}

typedef struct {
  Browser         *br;
  KibitzMediaKind  kind;
  guint64          count;
} BrowserWait;

static guint64
browser_count (Browser         *br,
               KibitzMediaKind  kind)
{
  guint64 n = 0;

  g_mutex_lock (&br->lock);
  for (guint i = 0; i < br->streams->len; i++)
    if (kibitz_remote_stream_get_kind (g_ptr_array_index (br->streams, i)) == kind)
      n += kibitz_remote_stream_get_count (g_ptr_array_index (br->streams, i));
  g_mutex_unlock (&br->lock);
  return n;
}

static gboolean
browser_received (gpointer data)
{
  BrowserWait *w = data;

  return browser_count (w->br, w->kind) >= w->count;
}

static void
browser_receives_from_kibitz (gboolean with_video)
{
  Participant *a = participant_new ("teacher");
  Browser *br = browser_new (with_video);
  Participant pseudo = { .name = (char *) "browser" };
  g_autoptr(GError) error = NULL;
  g_autofree char *offer = browser_offer (br);
  BrowserWait audio = { br, KIBITZ_MEDIA_KIND_AUDIO, 50 };
  BrowserWait video = { br, KIBITZ_MEDIA_KIND_VIDEO, 30 };
  KibitzPeer *peer;

  if (g_getenv ("KIBITZ_TEST_DUMP_SDP") != NULL)
    g_test_message ("browser offer:\n%s", offer);
  peer = kibitz_peer_new (pseudo.name, a->pipeline, a->media, NULL, &error);
  g_assert_no_error (error);
  g_hash_table_insert (a->peers, g_strdup (pseudo.name), peer);
  br->answerer = peer;
  g_signal_connect (peer, "local-description", G_CALLBACK (answer_to_browser_cb), br);
  g_signal_connect (peer, "ice-candidate", G_CALLBACK (candidate_to_browser_cb), br);

  g_assert_true (kibitz_peer_set_remote_description (peer, "offer", offer, &error));
  g_assert_no_error (error);

  g_assert_true (wait_for (browser_received, &audio, FLOW_TIMEOUT_S));
  if (with_video)
    g_assert_true (wait_for (browser_received, &video, FLOW_TIMEOUT_S));
  g_test_message ("the browser decoded %" G_GUINT64_FORMAT " frames and %" G_GUINT64_FORMAT
                  " audio buffers from Kibitz; peer state %d",
                  browser_count (br, KIBITZ_MEDIA_KIND_VIDEO),
                  browser_count (br, KIBITZ_MEDIA_KIND_AUDIO), kibitz_peer_get_state (peer));
  g_assert_cmpint (kibitz_peer_get_state (peer), ==, KIBITZ_PEER_STATE_CONNECTED);
  if (!with_video)
    g_assert_cmpuint (browser_count (br, KIBITZ_MEDIA_KIND_VIDEO), ==, 0);
  /* It sends nothing, and that is fine. */
  g_assert_cmpuint (kibitz_peer_get_frames_decoded (peer), ==, 0);

  participant_free (a);
  browser_free (br);
}

static void
test_browser_recvonly (void)
{
  browser_receives_from_kibitz (TRUE);
}

static void
test_browser_audio_only (void)
{
  browser_receives_from_kibitz (FALSE);
}

/* --- Relay through a real TURN server (coturn) on 127.0.0.1 ---------------------------- */

static guint
free_udp_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
                                            G_SOCKET_PROTOCOL_UDP, NULL);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, any, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/* coturn must not outlive a test that aborts half-way. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static GSubprocess *
start_coturn (const char *dir,
              guint       port,
              const char *secret)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *listening = g_strdup_printf ("--listening-port=%u", port);
  g_autofree char *min_port = g_strdup_printf ("--min-port=%u", 50000 + port % 5000);
  g_autofree char *max_port = g_strdup_printf ("--max-port=%u", 50000 + port % 5000 + 200);
  g_autofree char *auth = g_strdup_printf ("--static-auth-secret=%s", secret);
  g_autofree char *db = g_strdup_printf ("--userdb=%s/turndb", dir);
  g_autofree char *pid = g_strdup_printf ("--pidfile=%s/turnserver.pid", dir);
  g_autofree char *log = g_strdup_printf ("%s/turnserver.log", dir);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  GSubprocess *turn;

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  g_subprocess_launcher_set_stdout_file_path (launcher, log);
  g_subprocess_launcher_set_stderr_file_path (launcher, log);
  turn = g_subprocess_launcher_spawn (launcher, &error, "turnserver", "-n", "--no-cli",
                                      "--no-tls", "--no-dtls", "--listening-ip=127.0.0.1",
                                      "--relay-ip=127.0.0.1", listening, min_port, max_port,
                                      "--use-auth-secret", auth, "--realm=kibitz.test",
                                      "--allow-loopback-peers", "--log-file=stdout",
                                      "--simple-log", db, pid, NULL);
  g_assert_no_error (error);
  return turn;
}

static void
test_relay_only (void)
{
  g_autofree char *path = g_find_program_in_path ("turnserver");
  g_autofree char *dir = NULL;
  g_autoptr(GSubprocess) turn = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *username = NULL;
  g_autofree char *password = NULL;
  g_autofree char *json = NULL;
  g_autofree char *stun = NULL;
  g_auto(GStrv) turn_uris = NULL;
  Participant *a, *b;
  Participant *ps[2];
  Mesh m = { ps, 2, 30, 50 };
  guint port;

  if (path == NULL)
    {
      g_test_skip ("coturn (turnserver) is not installed");
      return;
    }

  dir = g_dir_make_tmp ("kibitz-turn-XXXXXX", &error);
  g_assert_no_error (error);
  port = free_udp_port ();
  turn = start_coturn (dir, port, "kibitz-test-secret");

  /* What the signaling server hands out: REST credentials whose user has a
   * colon and whose password is base64 (+ / =), both percent-escaped here. */
  username = kibitz_turn_username (g_get_real_time () / G_USEC_PER_SEC + 3600, "p-4f1c");
  password = kibitz_turn_password ("kibitz-test-secret", username);
  json = g_strdup_printf ("[{\"urls\": [\"turn:127.0.0.1:%u?transport=udp\"],"
                          " \"username\": \"%s\", \"credential\": \"%s\"}]",
                          port, username, password);
  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  g_assert_true (kibitz_ice_servers_to_webrtc (json_node_get_array (json_parser_get_root (parser)),
                                               &stun, &turn_uris, &error));
  g_assert_no_error (error);
  g_test_message ("TURN URI: %s", turn_uris[0]);

  spin (1000);   /* coturn binds within a second */
  a = participant_new ("rhea");
  b = participant_new ("rolf");
  ps[0] = a;
  ps[1] = b;
  for (guint i = 0; i < 2; i++)
    {
      ps[i]->peer_options.turn_servers = (const char * const *) turn_uris;
      ps[i]->peer_options.relay_only = TRUE;
    }

  connect_pair (b, a);
  assert_mesh_flows (&m);

  for (guint i = 0; i < 2; i++)
    {
      KibitzPeer *peer = peer_of (ps[i], ps[1 - i]);
      const KibitzStats *st;

      g_assert_true (wait_for_stats (peer));
      st = kibitz_peer_get_stats (peer);
      g_test_message ("%s: pair %s %s:%u <-> %s %s:%u, rtt %.1f ms, in %.0f kbps", ps[i]->name,
                      st->local_candidate_type, st->local_address, st->local_port,
                      st->remote_candidate_type, st->remote_address, st->remote_port,
                      st->rtt_ms, st->bitrate_in_kbps);
      g_assert_cmpstr (st->local_candidate_type, ==, "relay");
      g_assert_cmpstr (st->remote_candidate_type, ==, "relay");
      for (guint j = 0; j < kibitz_peer_get_local_candidates (peer)->len; j++)
        g_assert_nonnull (strstr (g_ptr_array_index (kibitz_peer_get_local_candidates (peer), j),
                                  " typ relay"));
    }

  participant_free (b);
  participant_free (a);
  g_subprocess_force_exit (turn);
  g_subprocess_wait (turn, NULL, NULL);
  {
    const char *files[] = { "turnserver.log", "turndb", "turnserver.pid" };

    for (guint i = 0; i < G_N_ELEMENTS (files); i++)
      {
        g_autofree char *file = g_build_filename (dir, files[i], NULL);

        g_unlink (file);
      }
    g_rmdir (dir);
  }
}

/* --- The shared screen --------------------------------------------------------------------- */

static void
count_description_cb (KibitzPeer *peer,
                      const char *type,
                      const char *sdp,
                      guint      *count)
{
  (*count)++;
}

typedef struct {
  KibitzPeer *peer;
  guint64     target;
} ScreenRising;

static gboolean
screen_frames_reach (gpointer data)
{
  ScreenRising *r = data;

  return kibitz_peer_get_screen_frames (r->peer) >= r->target;
}

/* Every other participant decodes the sharer's screen, rising by 10 frames. */
static void
assert_screen_rises (Participant **viewers,
                     guint         n,
                     Participant  *sharer,
                     const char   *what)
{
  for (guint i = 0; i < n; i++)
    {
      KibitzPeer *peer = peer_of (viewers[i], sharer);
      ScreenRising r = { peer, kibitz_peer_get_screen_frames (peer) + 10 };
      gboolean ok = wait_for (screen_frames_reach, &r, 15);

      g_test_message ("%s: %s decoded %" G_GUINT64_FORMAT " screen frames of %s (%"
                      G_GUINT64_FORMAT " sent)", what, viewers[i]->name,
                      kibitz_peer_get_screen_frames (peer), sharer->name,
                      kibitz_media_source_get_screen_frames (sharer->media));
      g_assert_true (ok);
    }
}

static void
share_test_screen (Participant *p)
{
  g_autoptr(GError) error = NULL;
  GstElement *source = kibitz_screen_source_new ("test", p->name, &error);

  g_assert_no_error (error);
  g_assert_true (kibitz_media_source_share_screen (p->media, source, &error));
  g_assert_no_error (error);
  g_assert_true (kibitz_media_source_get_screen_shared (p->media));
}

/* A class of three where one shares a screen while its camera runs: both
 * others decode the camera and the screen; stopping stops the screen and
 * nothing else; the share is toggled three times and no link ever makes a
 * new offer or answer (the screen's m-line was there from the first). */
static void
screen_share_toggles (KibitzEncoderMode sharer_mode)
{
  Participant *a = participant_new_full ("alice", NULL, NULL, sharer_mode);
  Participant *b = participant_new ("bob");
  Participant *c = participant_new ("carol");
  Participant *ps[] = { a, b, c };
  Participant *viewers[] = { b, c };
  Mesh m = { ps, 3, 20, 30 };
  guint descriptions = 0;
  int width, height, fps, kbps;

  connect_pair (b, a);
  connect_pair (c, a);
  connect_pair (c, b);
  for (guint i = 0; i < 3; i++)
    for (guint j = 0; j < 3; j++)
      if (i != j)
        g_signal_connect (peer_of (ps[i], ps[j]), "local-description",
                          G_CALLBACK (count_description_cb), &descriptions);
  assert_mesh_flows (&m);
  /* Nobody shares yet: the screen's m-line carries nothing. */
  g_assert_cmpuint (kibitz_peer_get_screen_frames (peer_of (b, a)), ==, 0);
  g_assert_cmpuint (kibitz_media_source_get_screen_frames (a->media), ==, 0);

  for (guint round = 0; round < 3; round++)
    {
      g_autofree char *what = g_strdup_printf ("share %u", round + 1);
      guint64 stopped_at;

      share_test_screen (a);
      assert_screen_rises (viewers, 2, a, what);
      /* The camera goes on beside it. */
      assert_keeps_rising (peer_of (b, a), "bob <- alice's camera while sharing");
      kibitz_media_source_get_screen_plan (a->media, &width, &height, &fps, &kbps);
      g_assert_cmpint (width, >=, 1280);
      g_assert_cmpint (fps, >=, 5);
      g_assert_cmpint (kbps, >, 0);

      kibitz_media_source_stop_screen (a->media);
      g_assert_false (kibitz_media_source_get_screen_shared (a->media));
      spin (1500);
      stopped_at = kibitz_peer_get_screen_frames (peer_of (b, a));
      spin (1500);
      g_test_message ("after stop %u: bob decoded %" G_GUINT64_FORMAT " -> %" G_GUINT64_FORMAT,
                      round + 1, stopped_at, kibitz_peer_get_screen_frames (peer_of (b, a)));
      g_assert_cmpuint (kibitz_peer_get_screen_frames (peer_of (b, a)), ==, stopped_at);
      assert_keeps_rising (peer_of (c, a), "carol <- alice's camera after the share");
    }

  /* One offer and one answer per pair, from the start: never again. */
  g_assert_cmpuint (descriptions, ==, 6);

  /* A newcomer while a share runs gets it too (its link is made with the
   * screen flowing). */
  share_test_screen (a);
  assert_screen_rises (viewers, 1, a, "share 4");
  {
    Participant *d = participant_new ("dave");
    Participant *newcomer[] = { d };

    connect_pair (d, a);
    assert_screen_rises (newcomer, 1, a, "share 4, newcomer");
    assert_keeps_rising (peer_of (d, a), "dave <- alice's camera");
    kibitz_media_source_stop_screen (a->media);
    remove_peer (a, d);
    participant_free (d);
  }
  /* Only alice shared. */
  g_assert_cmpuint (kibitz_peer_get_screen_frames (peer_of (a, b)), ==, 0);
  g_assert_cmpuint (kibitz_peer_get_screen_frames (peer_of (c, b)), ==, 0);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpuint (ps[i]->foreign_errors, ==, 0);

  participant_free (c);
  participant_free (b);
  participant_free (a);
}

static void
test_screen_share_toggles (void)
{
  screen_share_toggles (KIBITZ_ENCODER_SHARED);
}

static void
test_screen_share_per_peer_camera (void)
{
  screen_share_toggles (KIBITZ_ENCODER_PER_PEER);
}

/* The screen is served before the camera: sharing takes its part of the
 * class's budget from the camera's plan, stopping gives it back. */
static void
test_screen_takes_budget_first (void)
{
  KibitzMediaSourceOptions options = { .display_name = "alice", .video = "test",
                                       .audio = "test", .upload_budget_kbps = 1000 };
  Participant *a = participant_new_with ("alice", &options);
  int before, during, after, screen;

  kibitz_media_source_get_plan (a->media, NULL, NULL, NULL, &before);
  share_test_screen (a);
  kibitz_media_source_get_plan (a->media, NULL, NULL, NULL, &during);
  kibitz_media_source_get_screen_plan (a->media, NULL, NULL, NULL, &screen);
  kibitz_media_source_stop_screen (a->media);
  kibitz_media_source_get_plan (a->media, NULL, NULL, NULL, &after);
  g_test_message ("camera %d kbps, %d with a screen of %d kbps, %d after", before, during,
                  screen, after);
  g_assert_cmpint (screen, >, during);
  g_assert_cmpint (during, <, before);
  g_assert_cmpint (after, ==, before);
  participant_free (a);
}

int
main (int argc, char *argv[])
{
  int ret;

  kibitz_process_init ();
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  kibitz_test_tolerate_upstream_critical ();

  g_test_add_func ("/core/media/two-participants-both-directions", test_two_participants);
  g_test_add_func ("/core/media/three-shared-encoder-then-one-leaves", test_three_shared_then_leave);
  g_test_add_func ("/core/media/three-per-peer-encoder-then-one-leaves",
                   test_three_per_peer_then_leave);
  g_test_add_func ("/core/media/garbage-fails-one-peer-only", test_garbage_fails_one_peer);
  g_test_add_func ("/core/media/no-devices-send-placeholders", test_no_devices_sends_placeholder);
  g_test_add_func ("/core/media/relay-only-through-coturn", test_relay_only);
  g_test_add_func ("/core/media/browser-recvonly-offer-is-answered", test_browser_recvonly);
  g_test_add_func ("/core/media/browser-audio-only-offer-is-answered", test_browser_audio_only);
  g_test_add_func ("/core/media/keyframe-requests-are-coalesced", test_keyframes_coalesced);
  g_test_add_func ("/core/media/class-growth-steps-resolution-down", test_class_growth_steps_down);
  g_test_add_func ("/core/media/screen-share-toggles-without-renegotiation",
                   test_screen_share_toggles);
  g_test_add_func ("/core/media/screen-share-beside-per-peer-camera",
                   test_screen_share_per_peer_camera);
  g_test_add_func ("/core/media/screen-takes-budget-first", test_screen_takes_budget_first);

  ret = g_test_run ();
  /* Joins GStreamer's idle pool threads, so per-thread library state (OpenSSL's
   * DRBGs and error queues, made by the DTLS elements) is freed before LSan looks. */
  kibitz_peer_finish_dtls ();
  gst_deinit ();
  return ret;
}
