/* kibitz-participant-tile.h: one person in the call grid.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "kibitz-video-paintable.h"

G_BEGIN_DECLS

#define KIBITZ_TYPE_PARTICIPANT_TILE (kibitz_participant_tile_get_type ())
G_DECLARE_FINAL_TYPE (KibitzParticipantTile, kibitz_participant_tile, KIBITZ, PARTICIPANT_TILE,
                      GtkWidget)

GtkWidget            *kibitz_participant_tile_new           (const char            *id,
                                                             const char            *name);
const char           *kibitz_participant_tile_get_id        (KibitzParticipantTile *self);
const char           *kibitz_participant_tile_get_name      (KibitzParticipantTile *self);
void                  kibitz_participant_tile_set_name      (KibitzParticipantTile *self,
                                                             const char            *name);
/* The initials come from this name (the self tile is labelled "You"). */
void                  kibitz_participant_tile_set_avatar_name (KibitzParticipantTile *self,
                                                               const char            *name);
KibitzVideoPaintable *kibitz_participant_tile_get_paintable (KibitzParticipantTile *self);
/* FALSE: the participant's camera is off; show initials even if frames come. */
void                  kibitz_participant_tile_set_video_on  (KibitzParticipantTile *self,
                                                             gboolean               video_on);

typedef enum {
  KIBITZ_TILE_BADGE_NONE       = 0,
  KIBITZ_TILE_BADGE_MIC_OFF    = 1 << 0,
  KIBITZ_TILE_BADGE_CAMERA_OFF = 1 << 1,
  KIBITZ_TILE_BADGE_HAND       = 1 << 2,
  KIBITZ_TILE_BADGE_RELAYED    = 1 << 3,
  KIBITZ_TILE_BADGE_TEACHER    = 1 << 4,
  KIBITZ_TILE_BADGE_MOVER      = 1 << 5,
} KibitzTileBadges;

/* The participant's announced state: badges for a muted microphone, a
 * camera that is off (initials instead of video) and a raised hand. */
void                  kibitz_participant_tile_set_state     (KibitzParticipantTile *self,
                                                             gboolean               audio,
                                                             gboolean               video,
                                                             gboolean               hand);
/* TRUE: the link to this participant goes through a TURN relay. */
void                  kibitz_participant_tile_set_relayed   (KibitzParticipantTile *self,
                                                             gboolean               relayed);
/* A class with a teacher (protocol.md §4): the raised hand's place in the
 * queue (0: none), a "Teacher" badge, and the teacher's menu for this
 * participant (NULL: none). The place reads 0 while the hand is down. */
void                  kibitz_participant_tile_set_hand_place (KibitzParticipantTile *self,
                                                              guint                  place);
guint                 kibitz_participant_tile_get_hand_place (KibitzParticipantTile *self);
void                  kibitz_participant_tile_set_teacher   (KibitzParticipantTile *self,
                                                             gboolean               teacher);
/* The teacher lets this participant move on the shared board (§5). */
void                  kibitz_participant_tile_set_mover     (KibitzParticipantTile *self,
                                                             gboolean               mover);
void                  kibitz_participant_tile_set_menu      (KibitzParticipantTile *self,
                                                             GMenuModel            *menu);
GMenuModel           *kibitz_participant_tile_get_menu      (KibitzParticipantTile *self);
void                  kibitz_participant_tile_set_large     (KibitzParticipantTile *self,
                                                             gboolean               large);
/* The badges shown now. */
KibitzTileBadges      kibitz_participant_tile_get_badges    (KibitzParticipantTile *self);

G_END_DECLS
