/* kibitz-peer-private.h: what the kibitz-peer*.c files share.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gst/webrtc/webrtc.h>

#include "kibitz-peer.h"
#include "kibitz-rate-control.h"
#include "kibitz-stats.h"

G_BEGIN_DECLS

typedef struct {
  guint  mline;
  char  *candidate;
} PendingCandidate;

struct _KibitzPeer
{
  GObject             parent_instance;

  char               *id;
  GMainContext       *context;
  GstElement         *pipeline;
  GstElement         *webrtcbin;
  GstObject          *ice;             /* the ice-agent: add-local-ip-address needs it alive */
  KibitzMediaSource  *media;
  KibitzMediaBranch  *video_branch;
  KibitzMediaBranch  *audio_branch;
  KibitzMediaBranch  *screen_branch;
  int                 screen_mline;    /* the m-line of the shared screen; -1: none */

  KibitzPeerState     state;
  GError             *error;
  gboolean            offerer;
  gboolean            remote_silent;   /* its description sends no media (recvonly) */
  gboolean            remote_set;
  gboolean            closing;
  guint               pending_removals;
  guint               agent_close_id;  /* timeout while TURN allocations are released */
  gint64              created;

  guint               stats_id;        /* the poll timer */
  guint               stats_interval_ms;
  GstPromise         *stats_promise;   /* in flight */
  KibitzStats        *stats;           /* the latest snapshot */

  GArray             *pending_candidates;
  GPtrArray          *local_candidates;
  GPtrArray          *remote_candidates;

  GMutex              lock;            /* streams and audio_muted, touched by pad-added */
  gboolean            audio_muted;     /* its announced audio is off: play silence */
  GPtrArray          *streams;

  KibitzSinkFactory   sink_factory;
  gpointer            sink_data;
  GDestroyNotify      sink_destroy;

  /* kibitz-peer-congestion.c: the path's estimate, fed on the RTCP thread. */
  GMutex              rate_lock;
  KibitzLinkEstimator estimator;
  guint               twcc_reports;
  GObject            *twcc_session;    /* rtpbin's session 0, while connected */
  gulong              twcc_handler;
  GstPad             *twcc_pad;        /* its send_rtp_sink: the reports' packets */
  gulong              twcc_probe;
};

enum {
  SIGNAL_LOCAL_DESCRIPTION,
  SIGNAL_ICE_CANDIDATE,
  SIGNAL_ICE_GATHERING_DONE,
  SIGNAL_REMOTE_STREAM_ADDED,
  SIGNAL_FAILED,
  SIGNAL_CLOSED,
  SIGNAL_STATS,
  N_SIGNALS
};

extern guint kibitz_peer_signals[N_SIGNALS];

GST_DEBUG_CATEGORY_EXTERN (kibitz_peer_debug);
void        kibitz_peer_debug_init    (void);

typedef void (*PeerFunc) (KibitzPeer *self,
                          gpointer    data);

/* Runs func (self, data) in the peer's main context, never in the caller's
 * thread unless that thread owns the context; skipped once the peer closes. */
void        kibitz_peer_hop           (KibitzPeer      *self,
                                       PeerFunc         func,
                                       gpointer         data,
                                       GDestroyNotify   free_data);
void        kibitz_peer_set_state     (KibitzPeer      *self,
                                       KibitzPeerState  state);
/* Takes error; only this peer fails. */
void        kibitz_peer_fail          (KibitzPeer      *self,
                                       GError          *error);
gboolean    kibitz_peer_fail_now      (KibitzPeer      *self,
                                       GError         **error,
                                       GError          *local_error);
gboolean    kibitz_peer_check_usable  (KibitzPeer      *self,
                                       GError         **error);

/* A promise whose reply reaches func (self, promise) in the main context. */
GstPromise *kibitz_peer_promise       (KibitzPeer      *self,
                                       PeerFunc         func);
gboolean    kibitz_peer_promise_reply (GstPromise          *promise,
                                       const char          *what,
                                       const GstStructure **reply,
                                       GError             **error);

/* kibitz-peer-webrtcbin.c */
gboolean    kibitz_peer_configure_webrtcbin (KibitzPeer              *self,
                                             const KibitzPeerOptions *options,
                                             GError                 **error);

/* kibitz-peer-teardown.c: takes the webrtcbin out of the pipeline at once. */
void        kibitz_peer_remove_webrtcbin (KibitzPeer     *self);

/* kibitz-peer-congestion.c */
void        kibitz_peer_congestion_init  (KibitzPeer     *self);
/* After the webrtcbin stopped: its RTCP thread no longer notifies. */
void        kibitz_peer_congestion_stop  (KibitzPeer     *self);
void        kibitz_peer_congestion_clear (KibitzPeer     *self);
void        kibitz_peer_congestion_watch (KibitzPeer     *self);

/* kibitz-peer-stats.c */
void        kibitz_peer_stats_teardown (KibitzPeer     *self);

G_END_DECLS
