/* kibitz-peer.h: one remote participant = one webrtcbin in the shared pipeline.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gst/gst.h>

#include "kibitz-media-source.h"
#include "kibitz-rate-control.h"
#include "kibitz-remote-stream.h"
#include "kibitz-stats.h"

G_BEGIN_DECLS

typedef enum {
  KIBITZ_PEER_STATE_NEW,          /* nothing negotiated yet */
  KIBITZ_PEER_STATE_NEGOTIATING,  /* an offer is out or being answered */
  KIBITZ_PEER_STATE_CONNECTING,   /* both descriptions set, ICE/DTLS under way */
  KIBITZ_PEER_STATE_CONNECTED,    /* ICE connected */
  KIBITZ_PEER_STATE_FAILED,       /* see kibitz_peer_get_error(); close or rebuild it */
  KIBITZ_PEER_STATE_CLOSED,
} KibitzPeerState;

#define KIBITZ_TYPE_PEER_STATE (kibitz_peer_state_get_type ())
GType kibitz_peer_state_get_type (void);

#define KIBITZ_DEFAULT_LATENCY_MS 100

typedef struct {
  const char         *stun_server;    /* stun://host:port, or NULL */
  const char * const *turn_servers;   /* turn(s)://user:pass@host:port?transport=…, or NULL */
  const char * const *ice_addresses;  /* NULL: $KIBITZ_ICE_ADDRESSES (comma separated) */
  gboolean            relay_only;     /* ice-transport-policy=relay */
  guint               latency_ms;     /* jitter buffer; 0: KIBITZ_DEFAULT_LATENCY_MS */
} KibitzPeerOptions;

/* Signals (all in the main thread):
 *   ::local-description (const char *type, const char *sdp)  send as {"sdp": {type, sdp}}
 *   ::ice-candidate     (guint mline, const char *candidate) send as {"ice": {...}}
 *   ::ice-gathering-done ()                                  send {"ice": null}
 *   ::remote-stream-added (KibitzRemoteStream *stream)
 *   ::failed            (const GError *error)                close or rebuild the peer
 *   ::closed            ()                                   after kibitz_peer_close()
 *   ::stats             (const KibitzStats *stats)
 * and notify::state. */
#define KIBITZ_TYPE_PEER (kibitz_peer_get_type ())
G_DECLARE_FINAL_TYPE (KibitzPeer, kibitz_peer, KIBITZ, PEER, GObject)

/* Called in a streaming thread when a remote track appears; returns the sink
 * (floating) for it, or NULL for the default counting fakesink. */
typedef GstElement *(*KibitzSinkFactory) (KibitzPeer      *peer,
                                          KibitzMediaKind  kind,
                                          gpointer         user_data);

/* A peer lives in the main thread (the global default main context): every
 * method is called there and every signal is emitted there, whatever thread
 * webrtcbin used. Negotiation is one offer/answer per peer; to renegotiate,
 * close it and make a new one. */
KibitzPeer     *kibitz_peer_new                   (const char               *id,
                                                   GstElement               *pipeline,
                                                   KibitzMediaSource        *media,
                                                   const KibitzPeerOptions  *options,
                                                   GError                  **error) G_GNUC_WARN_UNUSED_RESULT;
/* Before negotiation starts. */
void            kibitz_peer_set_sink_factory      (KibitzPeer               *self,
                                                   KibitzSinkFactory         factory,
                                                   gpointer                  user_data,
                                                   GDestroyNotify            destroy);

/* Negotiation: the answers arrive as ::local-description, candidates as
 * ::ice-candidate (then ::ice-gathering-done once). Errors fail the peer
 * (::failed) and are returned as well when they are found synchronously. */
gboolean        kibitz_peer_create_offer          (KibitzPeer               *self,
                                                   GError                  **error);
gboolean        kibitz_peer_set_remote_description (KibitzPeer              *self,
                                                    const char              *type,
                                                    const char              *sdp,
                                                    GError                 **error);
/* Buffered until the remote description is set. An empty candidate (end of
 * candidates) is accepted and ignored. */
gboolean        kibitz_peer_add_remote_candidate  (KibitzPeer               *self,
                                                   guint                     mline,
                                                   const char               *candidate,
                                                   GError                  **error);

/* Routes a bus ERROR to this peer if its source is one of the peer's
 * elements; returns TRUE if it was ours (the peer then fails). */
gboolean        kibitz_peer_handle_message        (KibitzPeer               *self,
                                                   GstMessage               *message);

/* Stops stats, unlinks the tee branches through blocking probes, sets the
 * webrtcbin to NULL and removes it; ::closed is emitted when done. */
void            kibitz_peer_close                 (KibitzPeer               *self);

/* Polls webrtcbin's get-stats every interval_ms; each snapshot arrives as
 * ::stats and stays readable through kibitz_peer_get_stats(). Stopped by
 * kibitz_peer_close() before anything is torn down. */
void            kibitz_peer_start_stats           (KibitzPeer               *self,
                                                   guint                     interval_ms);
void            kibitz_peer_stop_stats            (KibitzPeer               *self);
/* One poll now (no-op if one is in flight). */
void            kibitz_peer_poll_stats            (KibitzPeer               *self);
/* The latest snapshot, or NULL before the first one. */
const KibitzStats *kibitz_peer_get_stats          (KibitzPeer               *self);

const char     *kibitz_peer_get_id                (KibitzPeer               *self);
KibitzPeerState kibitz_peer_get_state             (KibitzPeer               *self);
const GError   *kibitz_peer_get_error             (KibitzPeer               *self);
gboolean        kibitz_peer_is_offerer            (KibitzPeer               *self);
GstElement     *kibitz_peer_get_webrtcbin         (KibitzPeer               *self);
/* FALSE once the remote description sends no media at all (recvonly). */
gboolean        kibitz_peer_get_remote_sends_media (KibitzPeer              *self);
/* Counters from the remote streams; thread-safe reads. */
guint64         kibitz_peer_get_frames_decoded    (KibitzPeer               *self);
guint64         kibitz_peer_get_audio_packets     (KibitzPeer               *self);
guint64         kibitz_peer_get_audio_audible     (KibitzPeer               *self);
/* Frames decoded from its shared screen (the link's screen m-line). */
guint64         kibitz_peer_get_screen_frames     (KibitzPeer               *self);
void            kibitz_peer_set_audio_muted       (KibitzPeer               *self,
                                                   gboolean                  muted);
/* The size of the latest decoded remote video; FALSE before the first frame. */
gboolean        kibitz_peer_get_video_size        (KibitzPeer               *self,
                                                   int                      *width,
                                                   int                      *height);
/* Pauses in its decoded video (kibitz_remote_stream_get_freezes()). */
void            kibitz_peer_get_video_freezes     (KibitzPeer               *self,
                                                   gint64                    since,
                                                   gint64                   *recent_us,
                                                   gint64                   *longest_us,
                                                   guint                    *freezes);
/* Milliseconds from kibitz_peer_new() to the first decoded video frame; -1 if none. */
gint64          kibitz_peer_get_first_frame_ms    (KibitzPeer               *self);
/* Candidate lines (without "a=") gathered locally / received, in order. */
GPtrArray      *kibitz_peer_get_local_candidates  (KibitzPeer               *self);
GPtrArray      *kibitz_peer_get_remote_candidates (KibitzPeer               *self);

/* The latest estimate of what this link's path carries (a copy), and how
 * many TWCC reports fed it. Any thread. */
void            kibitz_peer_get_congestion        (KibitzPeer          *self,
                                                   KibitzLinkEstimator *estimator,
                                                   guint               *reports);
/* Main thread, now and then (a link silent for seconds counts as stalled). */
void            kibitz_peer_congestion_tick       (KibitzPeer          *self,
                                                   gint64               now_us);

/* Which tier and temporal layers this link is sent, and (one encoder per
 * link) its bitrate. Main thread. FALSE before the link has a video branch. */
void            kibitz_peer_set_video_tier        (KibitzPeer          *self,
                                                   KibitzTier           tier,
                                                   guint                layer,
                                                   guint                kbps);
gboolean        kibitz_peer_get_video_tier        (KibitzPeer          *self,
                                                   KibitzTier          *tier,
                                                   guint               *layer);

/* Makes the process's DTLS key in the background (once), so that the first
 * link does not wait for it. Any thread; returns at once. */
void            kibitz_peer_prepare_dtls          (void);
void            kibitz_peer_finish_dtls           (void);

G_END_DECLS
