/* kibitz-peer-tool.h: what the files of kibitz-peer (the program) share:
 * main.c (start-up and the call's events), kibitz-peer-options.c (the
 * command line), kibitz-peer-commands.c (stdin), kibitz-peer-output.c (the
 * JSON lines), kibitz-peer-latency.c (--latency-probe) and
 * kibitz-peer-demo.c (--pgn).
 *
 * "Peer" here is this program's own participant; the call engine's
 * KibitzPeer is one link to a remote participant.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <stdio.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "kibitz-call.h"
#include "kibitz-chess-game.h"

G_BEGIN_DECLS

typedef struct {
  char       *server;
  char       *room;
  char       *name;
  char       *video;
  char       *audio;
  char       *screen;               /* --screen: share this from joining */
  char       *encoder;
  char       *stats_path;
  char       *say;
  char       *teacher_token;
  char       *invite;
  GStrv       ice_addresses;
  gboolean    relay_only;
  gboolean    raise_hand;
  gboolean    ignore_mute;
  int         duration;
  int         expect_peers;
  int         latency;
  int         upload_kbps;
  int         width;
  int         height;
  gboolean    latency_probe;
  gboolean    sync_latency;
  char       *congestion_control;   /* "on" (default) or "off": the fixed plan */
  char       *pgn_path;             /* --pgn: a game to play on the board */
  int         move_every;           /* --move-every: seconds between its moves */
  char       *view;                 /* --view WxH: how large we show the others */
  int         view_width;           /* parsed from it; 0: not told */
  int         view_height;
} Options;

typedef struct {
  Options     options;
  KibitzCall *call;
  GMainLoop  *loop;
  FILE       *stats;
  int         exit_code;
  char       *failure;
  guint       stats_id;
  GMutex      latency_lock;
  GHashTable *latency;  /* remote id -> GArray of double ms; with --latency-probe */
  GHashTable *sharing;  /* ids of the participants sharing a screen, as last told */
  int         plan[4];  /* what we sent while in the call: width, height, fps, kbps */
  GDataInputStream *commands;
  GCancellable     *cancellable;
  KibitzChessGame  *demo_game;   /* --pgn */
  guint             demo_id;
  guint             demo_rest;      /* ticks since the game's last move */
  gboolean          demo_started;   /* the board has shown the game */
  gboolean          demo_requested; /* we asked for the game's start */
  gboolean          demo_waiting;   /* the board left the game */
} Peer;

/* kibitz-peer-options.c */
gboolean    tool_parse_options          (Options                  *options,
                                         int                      *argc,
                                         char                   ***argv,
                                         GError                  **error);
void        tool_options_clear          (Options                  *options);

/* kibitz-peer-demo.c: --pgn FILE --move-every SECONDS. */
gboolean    tool_demo_load              (Peer                     *peer,
                                         GError                  **error);
void        tool_demo_start             (Peer                     *peer);
void        tool_demo_stop              (Peer                     *peer);

/* kibitz-peer-commands.c: reads stdin until its end or the cancellable. */
void        tool_start_commands         (Peer                     *peer);
/* Shares --screen (or the test picture), or stops; FALSE with an error event. */
gboolean    tool_share_screen           (Peer                     *peer,
                                         gboolean                  on);

/* kibitz-peer-output.c */
JsonBuilder *tool_begin_event           (const char               *event);
void        tool_print_event            (JsonBuilder              *builder);
void        tool_emit_participant_event (const char               *event,
                                         const KibitzParticipant  *p);
void        tool_emit_joined            (const char               *id,
                                         const char               *room,
                                         const char               *role,
                                         gboolean                  resumed);
void        tool_emit_state             (const KibitzParticipant  *p);
void        tool_emit_share             (const KibitzParticipant  *p);
void        tool_emit_chat              (JsonObject               *message);
void        tool_emit_board             (JsonObject               *state,
                                         const char               *fen);
void        tool_emit_class             (const char               *type,
                                         JsonObject               *message);
void        tool_emit_server_error      (const char               *code,
                                         const char               *message);
void        tool_emit_self_state        (Peer                     *peer);
void        tool_emit_error             (const KibitzParticipant  *p,
                                         const char               *message);
void        tool_write_stats            (Peer                     *peer);
void        tool_check_expectation      (Peer                     *peer);
void        tool_print_summary          (Peer                     *peer);

/* kibitz-peer-latency.c */
GstElement *tool_latency_sink_factory   (KibitzPeer               *remote,
                                         KibitzMediaKind           kind,
                                         gpointer                  user_data);
void        tool_add_latency            (JsonBuilder              *builder,
                                         Peer                     *peer,
                                         const KibitzParticipant  *p);

G_END_DECLS
