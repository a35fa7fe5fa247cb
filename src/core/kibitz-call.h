/* kibitz-call.h: one joined room. Turns signaling events into peers (one
 * webrtcbin each) that share one local media source.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gst/gst.h>
#include <json-glib/json-glib.h>

#include "kibitz-media-source.h"
#include "kibitz-message.h"
#include "kibitz-peer.h"
#include "kibitz-rate-control.h"
#include "kibitz-stats.h"

G_BEGIN_DECLS

typedef struct {
  const char               *server_url;     /* http://host:port of kibitz-server */
  const char               *room;
  const char               *name;
  const char               *teacher_token;  /* protocol.md §4; NULL: none */
  const char               *invite;         /* an invite code; NULL: none */
  KibitzMediaSourceOptions  media;          /* display_name is ignored: name is drawn */
  const char * const       *ice_addresses;  /* NULL: $KIBITZ_ICE_ADDRESSES */
  gboolean                  relay_only;
  guint                     latency_ms;     /* 0: the engine's default */
  gboolean                  sync_latency;   /* sinks wait out the jitter buffer's latency */
  gboolean                  congestion_control; /* each link's tier and bitrate follow
                                                 * what its path carries (docs/quality.md);
                                                 * off: one stream for all at the class plan */
} KibitzCallOptions;

/* What the rate control does with one link (kibitz-call-rate.c). */
typedef struct {
  guint           estimate_kbps;  /* what its path carries, as far as we can tell */
  KibitzLinkState state;
  guint           video_kbps;     /* its share of our uplink for video */
  KibitzTier      tier;           /* what it is sent */
  guint           layer;          /* temporal layers 0..layer */
  int             sent_width;     /* the tier's size; 0 without video */
  int             sent_height;
  int             sent_fps;
  int             view_width;     /* how large it shows us (its `view`); 0: unknown */
  int             view_height;
  gint64          tier_changed_at;
} KibitzLinkRate;

/* What the call knows of one remote participant, kept after it left. */
typedef struct {
  char        *id;
  char        *name;
  char        *role;           /* "teacher", "student", "member" (§4); NULL: not said */
  KibitzPeer  *peer;           /* NULL before negotiation and after leaving */
  gboolean     offerer;        /* we made (or will make) the offer */
  gboolean     connected;      /* ICE connected at least once */
  gboolean     left;
  char        *left_reason;
  gboolean     audio;
  gboolean     video;
  gboolean     hand;
  gboolean     screen;         /* sharing its screen, as it says (`state.screen`) */
  KibitzStats *last_stats;     /* the latest snapshot, kept after the peer closed */
  guint64      frames_decoded; /* totals over every webrtcbin this participant had */
  guint64      audio_packets;
  guint64      screen_frames;  /* frames decoded from its shared screen */
  guint64      audio_audible;  /* of them, played with sound: not silence, not
                                * silenced for an announced `audio: false` */
  gint64       first_frame_ms; /* from our join to its first decoded frame; -1: none */
  char        *local_candidate;
  char        *remote_candidate;
  const char  *relay_transport; /* "udp"/"tcp" when our side is "relay", else NULL */
  GError      *error;          /* why its connection failed, if it did */
  guint        rebuilds;       /* links rebuilt (dead link, network change, restart) */
  KibitzLinkRate rate;         /* what we send it (adaptive calls) */
  guint        freeze_ms;      /* its video's longest pause in the last second */
  guint        longest_freeze_ms; /* ... in the whole call */
  guint        freezes;        /* pauses of 500 ms or more */
  int          received_width; /* the size of its video we decode; 0: none yet */
  int          received_height;
} KibitzParticipant;

/* Signals (main thread):
 *   ::joined           (const char *id, gboolean resumed)
 *   ::participant-joined (KibitzParticipant *)
 *   ::participant-connected (KibitzParticipant *)
 *   ::first-frame      (KibitzParticipant *)
 *   ::first-screen-frame (KibitzParticipant *)  of each share it starts
 *   ::participant-left (KibitzParticipant *)
 *   ::participant-failed (KibitzParticipant *, const GError *)   that link only
 *   ::participant-state (KibitzParticipant *)                     audio/video/hand/screen
 *   ::remote-stream-added (KibitzParticipant *, KibitzRemoteStream *)
 *   ::chat             (JsonObject *message)
 *   ::board-changed    (JsonObject *state)  the shared board: {seq, start_fen,
 *       moves, ply, shapes, movers, result} (protocol.md §5), from the welcome
 *       and every change; kibitz_call_get_board_fen() is its position
 *   ::class-message    (const char *type, JsonObject *message)  protocol.md §4:
 *       waiting, knock, withdrawn, room_state, muted (the microphone is
 *       already off), invite, removed and ended (::failed follows)
 *   ::server-error     (const char *code, const char *message)  a request of
 *       ours refused (illegal-move, bad-fen, forbidden...); the call goes on
 *   ::failed           (const GError *)   the whole call: server unreachable, room full
 *
 * Properties (main thread; the one place the call controls are kept, so
 * the app binds to them):
 *   camera-enabled, microphone-enabled  switch locally (device <-> "camera
 *       off" slate / silence, never renegotiating) and tell the room with a
 *       `state` message. Settable before start (how the call begins) and
 *       after; a source "none" (or one that failed) keeps them off.
 *   hand-raised  announced to the room.
 *   has-camera, has-microphone (read-only)  FALSE once the media runs
 *       without that device. */
#define KIBITZ_TYPE_CALL (kibitz_call_get_type ())
G_DECLARE_FINAL_TYPE (KibitzCall, kibitz_call, KIBITZ, CALL, GObject)

KibitzCall        *kibitz_call_new              (const KibitzCallOptions *options);
void               kibitz_call_start            (KibitzCall              *self);
void               kibitz_call_leave            (KibitzCall              *self);
void               kibitz_call_set_sink_factory (KibitzCall              *self,
                                                 KibitzSinkFactory        factory,
                                                 gpointer                 user_data);
void               kibitz_call_send_state       (KibitzCall              *self,
                                                 JsonObject              *state);
void               kibitz_call_set_camera_enabled     (KibitzCall        *self,
                                                       gboolean           enabled);
gboolean           kibitz_call_get_camera_enabled     (KibitzCall        *self);
void               kibitz_call_set_microphone_enabled (KibitzCall        *self,
                                                       gboolean           enabled);
gboolean           kibitz_call_get_microphone_enabled (KibitzCall        *self);
void               kibitz_call_set_hand_raised        (KibitzCall        *self,
                                                       gboolean           raised);
gboolean           kibitz_call_get_hand_raised        (KibitzCall        *self);
gboolean           kibitz_call_has_camera             (KibitzCall        *self);
gboolean           kibitz_call_has_microphone         (KibitzCall        *self);
/* Shows what we send in sink (a floating reference is taken), from the
 * engine's own branch: set before start, it is linked when the media runs. */
void               kibitz_call_set_self_view          (KibitzCall        *self,
                                                       GstElement        *sink);
/* Shares a screen (source: a floating live video source, from
 * kibitz_screen_source_new() or the portal) with everyone, on the stream
 * every link already carries; stopping keeps the links as they are.
 * Property screen-shared (read-only). Main thread, once the call runs. */
gboolean           kibitz_call_share_screen     (KibitzCall              *self,
                                                 GstElement              *source,
                                                 GError                 **error);
void               kibitz_call_stop_screen      (KibitzCall              *self);
gboolean           kibitz_call_get_screen_shared (KibitzCall             *self);
/* Teachers and members may; a student once a teacher lists it in
 * room_state.sharers (docs/protocol.md). */
gboolean           kibitz_call_may_share_screen (KibitzCall              *self);
void               kibitz_call_send_chat        (KibitzCall              *self,
                                                 const char              *text);

/* The shared board (kibitz-call-board.c). Requests go to the server, which
 * answers everyone with ::board-changed or us with ::server-error. */
JsonObject        *kibitz_call_get_board        (KibitzCall              *self);
const char        *kibitz_call_get_board_fen    (KibitzCall              *self);
void               kibitz_call_board_move       (KibitzCall              *self,
                                                 const char              *move);
void               kibitz_call_board_set_game   (KibitzCall              *self,
                                                 const char              *fen,
                                                 const char              *pgn);
void               kibitz_call_board_view       (KibitzCall              *self,
                                                 guint                    ply);
void               kibitz_call_board_set_shapes (KibitzCall              *self,
                                                 JsonArray               *shapes);
void               kibitz_call_board_set_movers (KibitzCall              *self,
                                                 const char * const      *ids);

/* Classes with a teacher (kibitz-call-class.c). The role from the welcome
 * ("teacher", "student", "member"; NULL before it), the latest room_state
 * ({locked, students_may_unmute, spotlight, hands}; NULL before it). */
const char        *kibitz_call_get_role         (KibitzCall              *self);
JsonObject        *kibitz_call_get_room_state   (KibitzCall              *self);
JsonArray         *kibitz_call_get_waiting      (KibitzCall              *self);
void               kibitz_call_send_class       (KibitzCall              *self,
                                                 KibitzMessageType        type,
                                                 JsonObject              *members);

const char        *kibitz_call_get_id           (KibitzCall              *self);
const char        *kibitz_call_get_room         (KibitzCall              *self);
GPtrArray         *kibitz_call_get_participants (KibitzCall              *self);
KibitzMediaSource *kibitz_call_get_media        (KibitzCall              *self);
void               kibitz_call_refresh          (KibitzCall              *self);

/* Congestion control (kibitz-call-rate.c), with options.congestion_control. The
 * participant whose link goes first when the uplink is short (the teacher's
 * or the spotlighted; NULL: the first participant who was there), and whether
 * a participant is that one. How large we show a participant, told to it so
 * that it sends no more than that. */
gboolean           kibitz_call_is_adaptive      (KibitzCall              *self);
void               kibitz_call_set_priority     (KibitzCall              *self,
                                                 const char              *peer_id);
gboolean           kibitz_call_goes_first       (KibitzCall              *self,
                                                 const char              *peer_id);
void               kibitz_call_set_view         (KibitzCall              *self,
                                                 const char              *peer_id,
                                                 int                      width,
                                                 int                      height);
guint              kibitz_call_get_uplink_kbps  (KibitzCall              *self);
/* For 5 s or more most participants got less of our video than they show
 * us at: our connection is the limit ("others see you in low quality"). */
gboolean           kibitz_call_is_held_back     (KibitzCall              *self);

G_END_DECLS
