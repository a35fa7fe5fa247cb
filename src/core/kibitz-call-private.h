/* kibitz-call-private.h: what kibitz-call.c (the call: signaling, media,
 * the public API) and kibitz-call-links.c (one link per participant: its
 * peer, negotiation, candidates and the dead-link watchdog) share.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gst/gst.h>
#include <json-glib/json-glib.h>

#include "kibitz-call.h"
#include "kibitz-config.h"
#include "kibitz-signaling.h"

G_BEGIN_DECLS

#define STATS_INTERVAL_MS     1000
#define RELAY_CANDIDATE_DELAY_MS 1500
/* Dead links (DESIGN.md: GStreamer 1.22 with libnice 0.1.21 may never say
 * "failed"): no inbound media for this long while the peer is in the room
 * means the link is dead, and it is rebuilt. A link that never carried media
 * gets longer, for its setup on a busy machine. */
#define LINK_STALL_USEC       (5 * G_USEC_PER_SEC)
/* ...unless ICE still says connected: then a busy machine gets longer. */
#define LINK_STALL_ICE_UP_USEC (8 * G_USEC_PER_SEC)
#define LINK_SETUP_USEC       (20 * G_USEC_PER_SEC)
/* Between rebuilds of one link: 1 s, 2 s, 4 s... up to 30 s. */
#define REBUILD_BACKOFF_FIRST_USEC  (1 * G_USEC_PER_SEC)
#define REBUILD_BACKOFF_CAP_USEC    (30 * G_USEC_PER_SEC)
/* After this many rebuilds without media, try the relay only. */
#define RELAY_ONLY_AFTER      3
/* An offerer that rebuilt this recently ignores a request to rebuild. */
#define RESTART_IGNORE_USEC   (3 * G_USEC_PER_SEC)

typedef struct {
  guint   mline;
  char   *candidate;
} PendingCandidate;

/* Private part of a participant. */
typedef struct {
  KibitzParticipant  public;
  gint64             peer_created_at;    /* monotonic, of the current peer */
  guint64            frames_base;        /* counts of earlier, closed peers */
  guint64            audio_base;
  guint64            screen_base;
  guint64            audible_base;
  guint              freezes_base;
  gboolean           first_frame_seen;
  gboolean           screen_frame_seen;  /* of its current share */
  guint64            screen_frames_at_share; /* screen_frames when it said it shares */
  guint              connected_polls;    /* stats polls waiting for the selected pair */
  gint64             awaiting_until;     /* after a resumed welcome; 0: not awaited */
  guint64            inbound_count;      /* frames + audio packets, at alive_at */
  gint64             alive_at;           /* monotonic: last inbound media, or (re)build */
  gboolean           carried_media;      /* the current link delivered something */
  KibitzPeerState    state_seen;         /* progress in setting up counts as life */
  guint              keyframe_pokes;     /* keyframes still to force for a new link */
  gint64             next_poke;          /* monotonic */
  guint              failures;           /* rebuilds since media last flowed */
  gint64             next_rebuild;       /* monotonic: not before; 0: any time */
  GQueue             pending;            /* PendingCandidate *, before the offer */
  int                shown_width;        /* the view we last told it */
  int                shown_height;
  guint              arrival;            /* its place in our welcome's list, from 1:
                                          * there when we came; 0: came after us */
} Participant;

struct _KibitzCall {
  GObject             parent_instance;

  char               *server_url;
  char               *room;
  char               *name;
  char               *teacher_token;
  char               *invite;
  char               *video;
  char               *audio;
  GStrv               ice_addresses;
  KibitzCallOptions   options;

  GCancellable       *cancellable;
  KibitzConfig       *config;
  GstElement         *pipeline;
  guint               bus_watch_id;
  KibitzMediaSource  *media;
  KibitzSignaling    *signaling;
  char               *stun;
  GStrv               turns;
  GPtrArray          *participants;      /* Participant *, in order of arrival */
  GPtrArray          *closing;           /* KibitzPeer * waiting for ::closed */
  gint64              joined_at;
  guint               refresh_id;
  KibitzSinkFactory   sink_factory;
  gpointer            sink_data;
  gboolean            failed;
  GPtrArray          *held;              /* HeldCandidate *, sent when removed */
  gint64              relay_held_until;  /* monotonic */
  char               *addresses;         /* the local addresses, last seen */
  gint64              addresses_polled;  /* monotonic */
  /* The call controls (kibitz-call-controls.c): what the user asked for,
   * and what is in effect (a source "none" keeps its control off). */
  gboolean            want_camera;
  gboolean            want_microphone;
  gboolean            camera_enabled;
  gboolean            microphone_enabled;
  gboolean            hand_raised;
  gboolean            screen_shared;
  GstElement         *self_view;         /* a sink waiting for the media, or NULL */

  /* kibitz-call-rate.c */
  KibitzUplinkEstimator uplink;
  char               *priority_id;       /* the teacher's or spotlighted participant */
  gint64              held_back_since;   /* most links get less than their views
                                          * allow (monotonic); 0: not now */

  /* kibitz-call-board.c */
  JsonObject         *board;             /* the server's latest state, or NULL */
  char               *board_fen;         /* the position it shows, or NULL */
  GPtrArray          *board_pending;     /* requests before the signaling existed */

  /* kibitz-call-class.c */
  char               *role;              /* "teacher", "student", "member"; NULL before welcome */
  JsonObject         *room_state;        /* the latest room_state, or NULL */
  JsonArray          *waiting;           /* teachers: {id, name} knocking, oldest first */
  gboolean            announced_audio;   /* the `audio` of our last `state` (since the welcome) */
};

enum {
  SIGNAL_JOINED,
  SIGNAL_PARTICIPANT_JOINED,
  SIGNAL_PARTICIPANT_CONNECTED,
  SIGNAL_FIRST_FRAME,
  SIGNAL_FIRST_SCREEN_FRAME,
  SIGNAL_PARTICIPANT_LEFT,
  SIGNAL_PARTICIPANT_FAILED,
  SIGNAL_PARTICIPANT_STATE,
  SIGNAL_REMOTE_STREAM_ADDED,
  SIGNAL_CHAT,
  SIGNAL_BOARD_CHANGED,
  SIGNAL_CLASS_MESSAGE,
  SIGNAL_SERVER_ERROR,
  SIGNAL_FAILED,
  N_SIGNALS
};

extern guint kibitz_call_signals[N_SIGNALS];

/* kibitz-call-controls.c */
void kibitz_call_install_properties (GObjectClass *object_class);
/* The media exists now: it takes the controls and the self-view. */
void kibitz_call_apply_controls (KibitzCall *self);
void kibitz_call_send_own_state (KibitzCall *self);

/* kibitz-call-board.c */
void kibitz_call_board_take  (KibitzCall *self,
                              JsonObject *message);
void kibitz_call_board_flush (KibitzCall *self);
/* A request of §4 or §5 to the server, kept in order until the signaling exists. */
void kibitz_call_send_request (KibitzCall        *self,
                               KibitzMessageType  type,
                               JsonObject        *members);

/* kibitz-call-class.c */
void kibitz_call_class_welcome (KibitzCall *self,
                                JsonObject *welcome);
void kibitz_call_class_cb      (KibitzSignaling *signaling,
                                const char      *type,
                                JsonObject      *message,
                                KibitzCall      *self);
gboolean kibitz_call_class_own_state (KibitzCall *self,
                                      JsonObject *message);

/* kibitz-call-rate.c */
void     kibitz_call_rate_init   (KibitzCall  *self);
void     kibitz_call_rate_update (KibitzCall  *self,
                                  gint64       now);
gboolean kibitz_call_take_view   (KibitzCall  *self,
                                  Participant *p,
                                  JsonObject  *data);

void kibitz_call_apply_state (Participant *p,
                              JsonObject  *state);
gboolean kibitz_call_class_may_not_unmute (KibitzCall *self);
void kibitz_call_class_joined (KibitzCall *self,
                               const char *id);
void kibitz_call_apply_role (Participant *p,
                             JsonObject  *entry);
void kibitz_call_close_peer (KibitzCall  *self,
                             Participant *p);
Participant *kibitz_call_ensure_participant (KibitzCall *self,
                                             const char *id,
                                             const char *name);
Participant *kibitz_call_find_participant (KibitzCall *self,
                                           const char *id);
gboolean kibitz_call_has_live_peer (Participant *p);
void kibitz_call_held_candidate_free (gpointer data);
void kibitz_call_make_peer (KibitzCall  *self,
                            Participant *p,
                            gboolean     offerer);
void kibitz_call_participant_free (Participant *p);
void kibitz_call_participant_leaves (KibitzCall  *self,
                                     Participant *p,
                                     const char  *reason);
void kibitz_call_rebuild_link (KibitzCall  *self,
                               Participant *p,
                               const char  *why);
void kibitz_call_signal_cb (KibitzSignaling *signaling,
                            const char      *from,
                            JsonObject      *data,
                            KibitzCall      *self);
void kibitz_call_suspect_link (Participant *p);
void kibitz_call_update_from_peer (KibitzCall  *self,
                                   Participant *p);
void kibitz_call_watch_link (KibitzCall  *self,
                             Participant *p,
                             gint64       now);

G_END_DECLS
