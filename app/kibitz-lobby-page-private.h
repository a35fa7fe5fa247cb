/* kibitz-lobby-page-private.h: what kibitz-lobby-page.c (devices, preview,
 * recent rooms, Join) and kibitz-lobby-page-invite.c (invites and links)
 * share.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>
#include <gst/gst.h>

#include "kibitz-lobby-page.h"
#include "kibitz-video-paintable.h"

G_BEGIN_DECLS

struct _KibitzLobbyPage
{
  GtkWidget    parent_instance;

  GtkLabel    *intro_label;
  GtkLabel    *link_problem_label;
  GtkWidget   *invite_group;
  AdwActionRow *invite_row;
  AdwEntryRow *name_row;
  AdwEntryRow *room_row;
  AdwEntryRow *server_row;
  GtkWidget   *join_button;
  AdwComboRow *camera_row;
  AdwComboRow *microphone_row;
  GtkStack    *preview_stack;
  GtkPicture  *preview_picture;
  GtkLabel    *preview_label;
  GtkWidget   *recent_group;
  GtkListBox  *recent_list;

  GSettings   *settings;
  char        *invite;        /* the invite code the user was given; NULL: none */
  gboolean     filling;       /* the rows are being filled from a link */
  GPtrArray   *video_specs;   /* parallel to camera_row's model: "" automatic, "none", … */
  GPtrArray   *audio_specs;
  char        *chosen_video;  /* what the user chose (or saved), present or not */
  char        *chosen_audio;
  GstDeviceMonitor *monitor;  /* cameras and microphones, while the lobby is mapped */
  guint        monitor_watch;
  guint        refill_id;

  GstElement  *preview;
  guint        preview_watch;
  KibitzVideoPaintable *preview_paintable;
};

gboolean kibitz_lobby_page_is_blank           (const char      *text);
void     kibitz_lobby_page_update_join        (KibitzLobbyPage *self);

/* kibitz-lobby-page-invite.c */
void     kibitz_lobby_page_class_init_invite  (GtkWidgetClass  *widget_class);
/* A sentence above the fields about the last link (NULL: none). */
void     kibitz_lobby_page_show_link_problem  (KibitzLobbyPage *self,
                                               const char      *sentence);

G_END_DECLS
