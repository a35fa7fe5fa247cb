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
KibitzVideoPaintable *kibitz_participant_tile_get_paintable (KibitzParticipantTile *self);
/* FALSE: the participant's camera is off; show initials even if frames come. */
void                  kibitz_participant_tile_set_video_on  (KibitzParticipantTile *self,
                                                             gboolean               video_on);

G_END_DECLS
