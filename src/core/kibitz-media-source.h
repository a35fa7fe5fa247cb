/* kibitz-media-source.h: the local camera and microphone, encoded once and
 * fanned out to every remote peer through a tee.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gst/gst.h>

#include "kibitz-rate-control.h"

G_BEGIN_DECLS

typedef enum {
  KIBITZ_MEDIA_KIND_AUDIO,
  KIBITZ_MEDIA_KIND_VIDEO,
  KIBITZ_MEDIA_KIND_SCREEN,  /* a shared screen: video on the link's second video m-line */
} KibitzMediaKind;

typedef enum {
  KIBITZ_ENCODER_SHARED,     /* one encoder for all peers (the default) */
  KIBITZ_ENCODER_PER_PEER,   /* one video encoder per connection, as browsers do (audio: once) */
} KibitzEncoderMode;

#define KIBITZ_DEFAULT_UPLOAD_BUDGET_KBPS 2500
/* With congestion control the uplink is measured: the budget only caps it. */
#define KIBITZ_ADAPTIVE_UPLOAD_BUDGET_KBPS 10000
#define KIBITZ_VIDEO_PAYLOAD_TYPE 96
#define KIBITZ_AUDIO_PAYLOAD_TYPE 97
/* The shared screen: VP8 too, on a payload type of its own so that the
 * bundled streams are told apart by it as well as by SSRC. */
#define KIBITZ_SCREEN_PAYLOAD_TYPE 98
/* Transport-wide congestion control (draft-holmer-rmcat-transport-wide-cc-
 * extensions-01): every packet carries a sequence number all streams of the
 * link share, and the receiver reports when each arrived. 3 is the id
 * browsers use too. */
#define KIBITZ_TWCC_URI "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"
#define KIBITZ_TWCC_EXT_ID 3

/* How one link's stream of a kind is sent: what the negotiation decided. */
typedef struct {
  guint payload_type;
  guint twcc_ext_id;     /* 0: the remote side does not do TWCC */
} KibitzRtpFormat;

typedef struct {
  const char        *display_name;   /* drawn on the test video and the slate */
  const char        *video;          /* NULL: $KIBITZ_VIDEO_SOURCE, else autovideosrc */
  const char        *audio;          /* NULL: $KIBITZ_AUDIO_SOURCE, else autoaudiosrc */
  KibitzEncoderMode  encoder;
  int                max_width;      /* 0: 640 */
  int                max_height;     /* 0: 480 */
  int                upload_budget_kbps; /* 0: KIBITZ_DEFAULT_UPLOAD_BUDGET_KBPS */
  gboolean           stamp_frames;   /* draw the send time into each frame (kibitz-frame-stamp.h) */
  gboolean           adaptive;       /* a rate control drives the tiers (the call's); else
                                      * the class plan sets one stream for all */
  gboolean           echo_cancellation;  /* webrtcdsp after the microphone (not after
                                          * "test"/"none"); a webrtcechoprobe named
                                          * KIBITZ_ECHO_PROBE_NAME must exist in the
                                          * process, before what plays remote audio */
} KibitzMediaSourceOptions;

#define KIBITZ_ECHO_PROBE_NAME "kibitz-echo-probe"

/* The video plan for a class: what each of n_remote connections gets when they
 * share budget_kbps of upload (audio included). Pure; resolution steps down as
 * the class grows. */
void kibitz_media_plan_for_class (guint  n_remote,
                                  guint  budget_kbps,
                                  int   *width,
                                  int   *height,
                                  int   *fps,
                                  int   *video_kbps);

/* Opaque handle of one peer's branch (queue -> [encoder] -> payloader -> pad). */
typedef struct _KibitzMediaBranch KibitzMediaBranch;

typedef void (*KibitzBranchRemovedFunc) (gpointer user_data);

#define KIBITZ_TYPE_MEDIA_SOURCE (kibitz_media_source_get_type ())
G_DECLARE_FINAL_TYPE (KibitzMediaSource, kibitz_media_source, KIBITZ, MEDIA_SOURCE, GObject)

/* Main thread only (the global default main context). Close every KibitzPeer
 * using a media source before dropping the last reference to it.
 *
 * Video and audio sources accept "test" (a test pattern with the name drawn on
 * it, a tone), "none" (a "camera off" slate at 5 fps, silence), a device path
 * (/dev/video0), an element name or a gst-launch bin description. */
KibitzMediaSource *kibitz_media_source_new (GstElement                     *pipeline,
                                            const KibitzMediaSourceOptions *options,
                                            GError                        **error) G_GNUC_WARN_UNUSED_RESULT;

/* Links a new branch to sink_pad (a webrtcbin sink pad), payloading as
 * format says. Main thread only. */
KibitzMediaBranch *kibitz_media_source_add_branch    (KibitzMediaSource       *self,
                                                      KibitzMediaKind          kind,
                                                      const KibitzRtpFormat   *format,
                                                      GstPad                  *sink_pad,
                                                      GError                 **error);
/* Unlinks the branch through a blocking probe on its tee pad, then removes its
 * elements; done (may be NULL) runs on the main context afterwards. */
void               kibitz_media_source_remove_branch (KibitzMediaSource       *self,
                                                      KibitzMediaBranch       *branch,
                                                      KibitzBranchRemovedFunc  done,
                                                      gpointer                 user_data);
gboolean           kibitz_media_branch_owns          (KibitzMediaBranch       *branch,
                                                      GstObject               *object);
guint              kibitz_media_branch_get_payload_type (KibitzMediaBranch    *branch);

/* Tiers (shared encoder): which tier and temporal layers a link's branch is
 * sent (main thread); a tier's encoder bitrate, 0 stopping it; with one
 * encoder per link, the link's own bitrate. Without a rate control (the call
 * adapts; tests of the media source alone do not) every link is on the high
 * tier and the class plan sets it, as before tiers. */
void               kibitz_media_branch_set_tier      (KibitzMediaBranch       *branch,
                                                      KibitzTier               tier,
                                                      guint                    layer);
KibitzTier         kibitz_media_branch_get_tier      (KibitzMediaBranch       *branch);
guint              kibitz_media_branch_get_layer     (KibitzMediaBranch       *branch);
void               kibitz_media_branch_set_kbps      (KibitzMediaBranch       *branch,
                                                      guint                    kbps);
/* Asks the link's tier for a keyframe: at most one a second per link, one
 * per 500 ms per tier. Any thread. */
void               kibitz_media_branch_request_keyframe (KibitzMediaBranch    *branch);
void               kibitz_media_source_set_tier_kbps (KibitzMediaSource       *self,
                                                      KibitzTier               tier,
                                                      guint                    kbps);
guint              kibitz_media_source_get_tier_kbps (KibitzMediaSource       *self,
                                                      KibitzTier               tier);
void               kibitz_media_source_get_tier_size (KibitzMediaSource       *self,
                                                      KibitzTier               tier,
                                                      int                     *width,
                                                      int                     *height);
int                kibitz_media_source_get_tier_fps  (KibitzMediaSource       *self,
                                                      KibitzTier               tier);
gboolean           kibitz_media_source_is_adaptive   (KibitzMediaSource       *self);

/* Thread-safe; at most one forced keyframe per 500 ms reaches each tier. */
void               kibitz_media_source_request_keyframe (KibitzMediaSource    *self);
guint              kibitz_media_source_get_keyframes_forced (KibitzMediaSource *self);
guint              kibitz_media_source_get_keyframes_requested (KibitzMediaSource *self);

guint              kibitz_media_source_get_n_encoders (KibitzMediaSource      *self);
guint              kibitz_media_source_get_n_branches (KibitzMediaSource      *self,
                                                       KibitzMediaKind         kind);
void               kibitz_media_source_set_upload_budget (KibitzMediaSource   *self,
                                                          int                  kbps);
void               kibitz_media_source_get_plan      (KibitzMediaSource       *self,
                                                      int                     *width,
                                                      int                     *height,
                                                      int                     *fps,
                                                      int                     *video_kbps);
/* Camera and microphone switch locally, never renegotiating: with the camera
 * off the slate is sent (and the camera device stopped); a muted microphone
 * sends silence. A source made with "none" cannot be switched on. Each setter
 * returns the state now in effect. Main thread only. */
gboolean           kibitz_media_source_has_camera    (KibitzMediaSource       *self);
gboolean           kibitz_media_source_get_camera_enabled (KibitzMediaSource  *self);
gboolean           kibitz_media_source_set_camera_enabled (KibitzMediaSource  *self,
                                                           gboolean            enabled);
gboolean           kibitz_media_source_has_microphone (KibitzMediaSource      *self);
gboolean           kibitz_media_source_get_microphone_enabled (KibitzMediaSource *self);
gboolean           kibitz_media_source_set_microphone_enabled (KibitzMediaSource *self,
                                                               gboolean           enabled);
gboolean           kibitz_media_source_owns          (KibitzMediaSource       *self,
                                                      GstObject               *object);
/* Shows what this source sends (the raw video, before the tiers) in sink, a
 * floating reference taken; its own branch, so a slow display never holds up
 * a peer. One self-view per source. Main thread only. */
gboolean           kibitz_media_source_add_self_view (KibitzMediaSource       *self,
                                                      GstElement              *sink,
                                                      GError                 **error);
/* The shared screen (kibitz-media-screen.c): its own encoder and tee, tuned
 * for text (sharp, few frames), on every link's third m-line from the first
 * offer; nothing flows while nobody shares, so a share starts and stops
 * without renegotiating. source (a floating reference taken) is a live
 * video source: kibitz_screen_source_new(), or the portal's pipewiresrc.
 * Sharing again replaces the source. Main thread only. */
gboolean           kibitz_media_source_share_screen  (KibitzMediaSource       *self,
                                                      GstElement              *source,
                                                      GError                 **error);
void               kibitz_media_source_stop_screen   (KibitzMediaSource       *self);
gboolean           kibitz_media_source_get_screen_shared (KibitzMediaSource   *self);
/* What the screen is encoded at now (the plan for the class's budget). */
void               kibitz_media_source_get_screen_plan (KibitzMediaSource     *self,
                                                        int                   *width,
                                                        int                   *height,
                                                        int                   *fps,
                                                        int                   *kbps);
/* With a rate control: the screen's bitrate (its size and rate follow). */
void               kibitz_media_source_set_screen_kbps (KibitzMediaSource     *self,
                                                        int                    kbps);
/* Frames the screen encoder produced (a test can see a share flow). */
guint64            kibitz_media_source_get_screen_frames (KibitzMediaSource   *self);

/* The microphone goes through an echo canceller (a real microphone with
 * echo_cancellation set and the plugin installed). */
gboolean           kibitz_media_source_has_echo_canceller (KibitzMediaSource  *self);

G_END_DECLS
