/* kibitz-call-page-private.h: what the call page's files share:
 * kibitz-call-page.c (joining, leaving, failures, the public API),
 * kibitz-call-page-tiles.c (the grid of participants and the self-view),
 * kibitz-call-page-chat.c (the chat), kibitz-call-page-controls.c (the
 * controls, bound to the call's properties, and the actions) and
 * kibitz-call-page-class.c (a class with a teacher: waiting, the teacher's
 * panel and menus, hands in order, the spotlight) and
 * kibitz-call-page-screen.c (sharing a screen, and the class's shown large).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "kibitz-audio-output.h"
#include "kibitz-board-view.h"
#include "kibitz-call-page.h"

G_BEGIN_DECLS

struct _KibitzCallPage
{
  GtkWidget              parent_instance;

  GtkStack              *stack;
  AdwToastOverlay       *toast_overlay;
  GtkFlowBox            *grid;
  AdwStatusPage         *status_page;
  AdwFlap               *flap;
  GtkToggleButton       *microphone_button;
  GtkToggleButton       *camera_button;
  GtkToggleButton       *hand_button;
  GtkStack              *chat_stack;
  GtkListBox            *chat_list;
  GtkEntry              *chat_entry;
  AdwStatusPage         *waiting_page;
  GtkToggleButton       *class_button;
  GtkRevealer           *class_revealer;
  GtkListBox            *waiting_list;
  GtkLabel              *waiting_heading;
  GtkSwitch             *lock_switch;
  GtkSwitch             *unmute_switch;
  GtkBox                *spotlight_box;
  KibitzBoardView       *board_view;
  GtkToggleButton       *board_button;
  GtkWidget             *board_revealer;
  GtkWidget             *video_scroller;
  GtkToggleButton       *share_button;
  GtkWidget             *screen_box;
  GtkPicture            *screen_picture;
  GtkLabel              *screen_caption;

  KibitzCall            *call;
  KibitzAudioOutput     *audio_output;
  GHashTable            *tiles;      /* participant id -> KibitzParticipantTile */
  GHashTable            *lost;       /* ids whose link failed, until it connects again */
  KibitzParticipantTile *self_tile;
  char                  *error;
  GString               *chat_log;   /* "name: text" lines, oldest first */
  guint                  badge_id;
  gint64                 slow_told_at; /* the "your connection is slow" toast */
  KibitzParticipantTile *spotlit;    /* in spotlight_box, not in the grid */
  gboolean               class_syncing; /* switches follow room_state, not the user */
  gboolean               ending;     /* we pressed End Class */
  gboolean               board_shown; /* shown once for a board in use */
  char                  *board_movers; /* the movers last shown, as JSON */
  GHashTable            *knock_toasts; /* waiting id -> its "is waiting" AdwToast */
  GHashTable            *screens;    /* participant id -> KibitzVideoPaintable of its screen */
  char                  *screen_shown; /* whose screen is large, or NULL */
  GSettings             *settings;   /* the portal's restore token */
  GCancellable          *share_cancellable;
  struct _KibitzScreenPortal *portal; /* once a share was asked for */

  /* The call owns the controls while it runs; these are only the user's
   * last choices, carried into the next call (a retry without a broken
   * device, or the next class). */
  gboolean               carry_microphone;
  gboolean               carry_camera;
  gboolean               carry_hand;

  /* The last join, kept to join again without a broken device. */
  KibitzJoinRequest     *request;
  gboolean               dropped_video;
  gboolean               dropped_audio;
};

enum {
  PROP_0,
  PROP_MICROPHONE_ENABLED,
  PROP_CAMERA_ENABLED,
  PROP_HAND_RAISED,
  PROP_CHAT_OPEN,
  N_PROPS
};

extern GParamSpec *kibitz_call_page_properties[N_PROPS];

void kibitz_call_page_toast          (KibitzCallPage *self,
                                      const char     *title);

/* kibitz-call-page-tiles.c */
void kibitz_call_page_connect_tiles  (KibitzCallPage *self);
void kibitz_call_page_add_self_tile  (KibitzCallPage *self);
void kibitz_call_page_clear_grid     (KibitzCallPage *self);
void kibitz_call_page_layout_grid    (KibitzCallPage *self);
gboolean kibitz_call_page_update_badges_cb (gpointer user_data);

/* kibitz-call-page-chat.c */
void kibitz_call_page_connect_chat   (KibitzCallPage *self);
void kibitz_call_page_clear_chat     (KibitzCallPage *self);
void kibitz_call_page_chat_entry_activate_cb (KibitzCallPage *self);
void kibitz_call_page_send_chat_action (GtkWidget  *widget,
                                        const char *action_name,
                                        GVariant   *parameter);

/* kibitz-call-page-board.c */
void kibitz_call_page_connect_board  (KibitzCallPage *self);
void kibitz_call_page_init_board     (KibitzCallPage *self);

/* kibitz-call-page-class.c */
void kibitz_call_page_connect_class  (KibitzCallPage *self);
void kibitz_call_page_install_class  (GtkWidgetClass *widget_class);
void kibitz_call_page_sync_class     (KibitzCallPage *self);
void kibitz_call_page_class_tile_added (KibitzCallPage        *self,
                                        KibitzParticipantTile *tile,
                                        KibitzParticipant     *p);
void kibitz_call_page_class_tile_removed (KibitzCallPage        *self,
                                          KibitzParticipantTile *tile);
void kibitz_call_page_clear_class    (KibitzCallPage *self);
gboolean kibitz_call_page_may_unmute (KibitzCallPage *self);

/* kibitz-call-page-screen.c */
void kibitz_call_page_connect_screen (KibitzCallPage *self);
void kibitz_call_page_install_screen (GtkWidgetClass *widget_class);
void kibitz_call_page_sync_screen    (KibitzCallPage *self);
void kibitz_call_page_sync_share     (KibitzCallPage *self);
void kibitz_call_page_clear_screen   (KibitzCallPage *self);
void kibitz_call_page_finalize_screen (KibitzCallPage *self);
gboolean kibitz_call_page_may_share  (KibitzCallPage *self);
void kibitz_call_page_screen_stream  (KibitzCallPage     *self,
                                      KibitzParticipant  *p,
                                      KibitzRemoteStream *stream);

/* kibitz-call-page-controls.c */
void kibitz_call_page_bind_controls  (KibitzCallPage *self);
void kibitz_call_page_sync_controls  (KibitzCallPage *self);
void kibitz_call_page_install_controls (GtkWidgetClass *widget_class);
void kibitz_call_page_add_shortcuts  (KibitzCallPage *self);
gboolean kibitz_call_page_get_control (KibitzCallPage *self,
                                       guint           prop_id);
void kibitz_call_page_set_control    (KibitzCallPage *self,
                                      guint           prop_id,
                                      gboolean        value);

G_END_DECLS
