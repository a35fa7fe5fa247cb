/* kibitz-participant-tile.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-participant-tile"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "kibitz-participant-tile.h"

struct _KibitzParticipantTile
{
  GtkWidget             parent_instance;

  GtkOverlay           *overlay;
  GtkStack             *stack;
  AdwAvatar            *avatar;
  GtkPicture           *picture;
  GtkLabel             *name_label;
  GtkWidget            *hand_badge;
  GtkLabel             *hand_position;
  GtkWidget            *teacher_badge;
  GtkWidget            *mover_badge;
  GtkMenuButton        *menu_button;
  GtkWidget            *mic_badge;
  GtkWidget            *camera_badge;
  GtkWidget            *relay_badge;

  char                 *id;
  char                 *name;
  KibitzVideoPaintable *paintable;
  gboolean              video_on;
  guint                 hand_place;
};

G_DEFINE_FINAL_TYPE (KibitzParticipantTile, kibitz_participant_tile, GTK_TYPE_WIDGET)

/* Initials until decoded video arrives, and whenever the camera is off. */
static void
update_stack (KibitzParticipantTile *self)
{
  gboolean video = self->video_on && kibitz_video_paintable_get_n_frames (self->paintable) > 0;

  gtk_stack_set_visible_child_name (self->stack, video ? "video" : "initials");
}

static void
contents_changed_cb (KibitzParticipantTile *self)
{
  if (kibitz_video_paintable_get_n_frames (self->paintable) == 1)
    update_stack (self);
}

void
kibitz_participant_tile_set_video_on (KibitzParticipantTile *self,
                                      gboolean               video_on)
{
  g_return_if_fail (KIBITZ_IS_PARTICIPANT_TILE (self));

  self->video_on = !!video_on;
  update_stack (self);
}

void
kibitz_participant_tile_set_state (KibitzParticipantTile *self,
                                   gboolean               audio,
                                   gboolean               video,
                                   gboolean               hand)
{
  g_return_if_fail (KIBITZ_IS_PARTICIPANT_TILE (self));

  gtk_widget_set_visible (self->mic_badge, !audio);
  gtk_widget_set_visible (self->camera_badge, !video);
  gtk_widget_set_visible (self->hand_badge, hand);
  kibitz_participant_tile_set_video_on (self, video);
}

void
kibitz_participant_tile_set_relayed (KibitzParticipantTile *self,
                                     gboolean               relayed)
{
  g_return_if_fail (KIBITZ_IS_PARTICIPANT_TILE (self));

  gtk_widget_set_visible (self->relay_badge, relayed);
}

/* Where this hand is in the class's queue (room_state.hands): 1 speaks
 * first. 0: not in a queue (an open room shows the hand alone). */
void
kibitz_participant_tile_set_hand_place (KibitzParticipantTile *self,
                                        guint                  place)
{
  g_autofree char *text = NULL;
  g_autofree char *description = NULL;

  g_return_if_fail (KIBITZ_IS_PARTICIPANT_TILE (self));

  self->hand_place = place;
  text = g_strdup_printf ("%u", place);
  gtk_label_set_text (self->hand_position, text);
  gtk_widget_set_visible (GTK_WIDGET (self->hand_position), place > 0);
  /* Translators: a raised hand's place in the queue of raised hands */
  description = place > 0 ? g_strdup_printf (_("Hand raised, number %u in the queue"), place)
                          : g_strdup (_("Hand raised"));
  gtk_widget_set_tooltip_text (self->hand_badge, description);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->hand_badge),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, description, -1);
}

guint
kibitz_participant_tile_get_hand_place (KibitzParticipantTile *self)
{
  g_return_val_if_fail (KIBITZ_IS_PARTICIPANT_TILE (self), 0);

  return gtk_widget_get_visible (self->hand_badge) ? self->hand_place : 0;
}

void
kibitz_participant_tile_set_teacher (KibitzParticipantTile *self,
                                     gboolean               teacher)
{
  g_return_if_fail (KIBITZ_IS_PARTICIPANT_TILE (self));

  gtk_widget_set_visible (self->teacher_badge, teacher);
}

void
kibitz_participant_tile_set_mover (KibitzParticipantTile *self,
                                   gboolean               mover)
{
  g_return_if_fail (KIBITZ_IS_PARTICIPANT_TILE (self));

  gtk_widget_set_visible (self->mover_badge, mover);
}

/* What a teacher can do to this participant; NULL: nothing (no button). */
void
kibitz_participant_tile_set_menu (KibitzParticipantTile *self,
                                  GMenuModel            *menu)
{
  g_return_if_fail (KIBITZ_IS_PARTICIPANT_TILE (self));

  gtk_menu_button_set_menu_model (self->menu_button, menu);
  gtk_widget_set_visible (GTK_WIDGET (self->menu_button), menu != NULL);
}

/* In the spotlight: large, and the whole picture (not cropped to the tile). */
void
kibitz_participant_tile_set_large (KibitzParticipantTile *self,
                                   gboolean               large)
{
  g_return_if_fail (KIBITZ_IS_PARTICIPANT_TILE (self));

  gtk_widget_set_size_request (GTK_WIDGET (self), 240, large ? 400 : 180);
  gtk_picture_set_content_fit (self->picture, large ? GTK_CONTENT_FIT_CONTAIN
                                                    : GTK_CONTENT_FIT_COVER);
  if (large)
    gtk_widget_add_css_class (GTK_WIDGET (self), "spotlight");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "spotlight");
}

GMenuModel *
kibitz_participant_tile_get_menu (KibitzParticipantTile *self)
{
  g_return_val_if_fail (KIBITZ_IS_PARTICIPANT_TILE (self), NULL);

  return gtk_menu_button_get_menu_model (self->menu_button);
}

KibitzTileBadges
kibitz_participant_tile_get_badges (KibitzParticipantTile *self)
{
  KibitzTileBadges badges = KIBITZ_TILE_BADGE_NONE;

  g_return_val_if_fail (KIBITZ_IS_PARTICIPANT_TILE (self), KIBITZ_TILE_BADGE_NONE);

  if (gtk_widget_get_visible (self->mic_badge))
    badges |= KIBITZ_TILE_BADGE_MIC_OFF;
  if (gtk_widget_get_visible (self->camera_badge))
    badges |= KIBITZ_TILE_BADGE_CAMERA_OFF;
  if (gtk_widget_get_visible (self->hand_badge))
    badges |= KIBITZ_TILE_BADGE_HAND;
  if (gtk_widget_get_visible (self->relay_badge))
    badges |= KIBITZ_TILE_BADGE_RELAYED;
  if (gtk_widget_get_visible (self->teacher_badge))
    badges |= KIBITZ_TILE_BADGE_TEACHER;
  if (gtk_widget_get_visible (self->mover_badge))
    badges |= KIBITZ_TILE_BADGE_MOVER;
  return badges;
}

void
kibitz_participant_tile_set_name (KibitzParticipantTile *self,
                                  const char            *name)
{
  g_return_if_fail (KIBITZ_IS_PARTICIPANT_TILE (self));

  if (g_strcmp0 (self->name, name) != 0)
    {
      g_free (self->name);
      self->name = g_strdup (name);
      gtk_label_set_text (self->name_label, name);
      adw_avatar_set_text (self->avatar, name);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
    }
}

void
kibitz_participant_tile_set_avatar_name (KibitzParticipantTile *self,
                                         const char            *name)
{
  g_return_if_fail (KIBITZ_IS_PARTICIPANT_TILE (self));

  adw_avatar_set_text (self->avatar, name);
}

const char *
kibitz_participant_tile_get_id (KibitzParticipantTile *self)
{
  g_return_val_if_fail (KIBITZ_IS_PARTICIPANT_TILE (self), NULL);

  return self->id;
}

const char *
kibitz_participant_tile_get_name (KibitzParticipantTile *self)
{
  g_return_val_if_fail (KIBITZ_IS_PARTICIPANT_TILE (self), NULL);

  return self->name;
}

KibitzVideoPaintable *
kibitz_participant_tile_get_paintable (KibitzParticipantTile *self)
{
  g_return_val_if_fail (KIBITZ_IS_PARTICIPANT_TILE (self), NULL);

  return self->paintable;
}

static void
kibitz_participant_tile_dispose (GObject *object)
{
  KibitzParticipantTile *self = KIBITZ_PARTICIPANT_TILE (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), KIBITZ_TYPE_PARTICIPANT_TILE);
  g_clear_object (&self->paintable);

  G_OBJECT_CLASS (kibitz_participant_tile_parent_class)->dispose (object);
}

static void
kibitz_participant_tile_finalize (GObject *object)
{
  KibitzParticipantTile *self = KIBITZ_PARTICIPANT_TILE (object);

  g_free (self->id);
  g_free (self->name);

  G_OBJECT_CLASS (kibitz_participant_tile_parent_class)->finalize (object);
}

static void
kibitz_participant_tile_class_init (KibitzParticipantTileClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kibitz_participant_tile_dispose;
  object_class->finalize = kibitz_participant_tile_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/kibitz/Kibitz/kibitz-participant-tile.ui");
  gtk_widget_class_bind_template_child (widget_class, KibitzParticipantTile, overlay);
  gtk_widget_class_bind_template_child (widget_class, KibitzParticipantTile, stack);
  gtk_widget_class_bind_template_child (widget_class, KibitzParticipantTile, avatar);
  gtk_widget_class_bind_template_child (widget_class, KibitzParticipantTile, picture);
  gtk_widget_class_bind_template_child (widget_class, KibitzParticipantTile, name_label);
  gtk_widget_class_bind_template_child (widget_class, KibitzParticipantTile, hand_badge);
  gtk_widget_class_bind_template_child (widget_class, KibitzParticipantTile, hand_position);
  gtk_widget_class_bind_template_child (widget_class, KibitzParticipantTile, teacher_badge);
  gtk_widget_class_bind_template_child (widget_class, KibitzParticipantTile, mover_badge);
  gtk_widget_class_bind_template_child (widget_class, KibitzParticipantTile, menu_button);
  gtk_widget_class_bind_template_child (widget_class, KibitzParticipantTile, mic_badge);
  gtk_widget_class_bind_template_child (widget_class, KibitzParticipantTile, camera_badge);
  gtk_widget_class_bind_template_child (widget_class, KibitzParticipantTile, relay_badge);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
kibitz_participant_tile_init (KibitzParticipantTile *self)
{
  g_type_ensure (ADW_TYPE_AVATAR);
  gtk_widget_init_template (GTK_WIDGET (self));

  self->video_on = TRUE;
  self->paintable = kibitz_video_paintable_new ();
  gtk_picture_set_paintable (self->picture, GDK_PAINTABLE (self->paintable));
  g_signal_connect_object (self->paintable, "invalidate-contents",
                           G_CALLBACK (contents_changed_cb), self, G_CONNECT_SWAPPED);
}

GtkWidget *
kibitz_participant_tile_new (const char *id,
                             const char *name)
{
  KibitzParticipantTile *self = g_object_new (KIBITZ_TYPE_PARTICIPANT_TILE, NULL);

  self->id = g_strdup (id);
  kibitz_participant_tile_set_name (self, name);
  return GTK_WIDGET (self);
}
