/* kibitz-call-controls.c: the call's camera, microphone and hand, the one
 * place they are kept (the app binds to these properties), and the
 * self-view.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-call"

#include "config.h"

#include "kibitz-call-private.h"
#include "kibitz-core-error.h"

enum {
  PROP_0,
  PROP_CAMERA_ENABLED,
  PROP_MICROPHONE_ENABLED,
  PROP_HAND_RAISED,
  PROP_HAS_CAMERA,
  PROP_HAS_MICROPHONE,
  PROP_SCREEN_SHARED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

void
kibitz_call_send_own_state (KibitzCall *self)
{
  g_autoptr(JsonObject) state = json_object_new ();

  if (self->signaling == NULL)
    return;
  /* A student whose microphone is still on when the teacher says students
   * may not unmute: repeating `audio: true` would have the whole state
   * refused (a camera switched off would go unseen), and says nothing new.
   * A microphone switched on again is said, and refused. */
  if (!(self->microphone_enabled && self->announced_audio &&
        kibitz_call_class_may_not_unmute (self)))
    {
      json_object_set_boolean_member (state, "audio", self->microphone_enabled);
      self->announced_audio = self->microphone_enabled;
    }
  json_object_set_boolean_member (state, "video", self->camera_enabled);
  json_object_set_boolean_member (state, "hand", self->hand_raised);
  json_object_set_boolean_member (state, "screen", self->screen_shared);
  kibitz_signaling_send_state (self->signaling, state);
}

/* Takes what is in effect from the media (or the wishes before there is
 * any), and notifies what changed. */
static void
update_controls (KibitzCall *self)
{
  gboolean camera = self->media ? kibitz_media_source_get_camera_enabled (self->media)
                                : self->want_camera;
  gboolean microphone = self->media ? kibitz_media_source_get_microphone_enabled (self->media)
                                    : self->want_microphone;

  g_object_freeze_notify (G_OBJECT (self));
  if (camera != self->camera_enabled)
    {
      self->camera_enabled = camera;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAMERA_ENABLED]);
    }
  if (microphone != self->microphone_enabled)
    {
      self->microphone_enabled = microphone;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MICROPHONE_ENABLED]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

void
kibitz_call_apply_controls (KibitzCall *self)
{
  g_autoptr(GError) error = NULL;

  kibitz_media_source_set_camera_enabled (self->media, self->want_camera);
  kibitz_media_source_set_microphone_enabled (self->media, self->want_microphone);
  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_CAMERA]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_MICROPHONE]);
  update_controls (self);
  g_object_thaw_notify (G_OBJECT (self));

  if (self->self_view != NULL)
    {
      g_autoptr(GstElement) sink = g_steal_pointer (&self->self_view);

      if (!kibitz_media_source_add_self_view (self->media, sink, &error))
        g_message ("no self-view: %s", error->message);
    }
}

/* Switches locally (device <-> placeholder, never renegotiating) and tells
 * the room with a `state` message. */
void
kibitz_call_set_camera_enabled (KibitzCall *self,
                                gboolean    enabled)
{
  g_return_if_fail (KIBITZ_IS_CALL (self));

  self->want_camera = !!enabled;
  if (self->media != NULL)
    kibitz_media_source_set_camera_enabled (self->media, enabled);
  update_controls (self);
  kibitz_call_send_own_state (self);
}

gboolean
kibitz_call_get_camera_enabled (KibitzCall *self)
{
  g_return_val_if_fail (KIBITZ_IS_CALL (self), FALSE);

  return self->camera_enabled;
}

void
kibitz_call_set_microphone_enabled (KibitzCall *self,
                                    gboolean    enabled)
{
  g_return_if_fail (KIBITZ_IS_CALL (self));

  self->want_microphone = !!enabled;
  if (self->media != NULL)
    kibitz_media_source_set_microphone_enabled (self->media, enabled);
  update_controls (self);
  kibitz_call_send_own_state (self);
}

gboolean
kibitz_call_get_microphone_enabled (KibitzCall *self)
{
  g_return_val_if_fail (KIBITZ_IS_CALL (self), FALSE);

  return self->microphone_enabled;
}

void
kibitz_call_set_hand_raised (KibitzCall *self,
                             gboolean    raised)
{
  g_return_if_fail (KIBITZ_IS_CALL (self));

  raised = !!raised;
  if (raised != self->hand_raised)
    {
      self->hand_raised = raised;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAND_RAISED]);
    }
  kibitz_call_send_own_state (self);
}

gboolean
kibitz_call_get_hand_raised (KibitzCall *self)
{
  g_return_val_if_fail (KIBITZ_IS_CALL (self), FALSE);

  return self->hand_raised;
}

gboolean
kibitz_call_has_camera (KibitzCall *self)
{
  g_return_val_if_fail (KIBITZ_IS_CALL (self), FALSE);

  return self->media == NULL || kibitz_media_source_has_camera (self->media);
}

gboolean
kibitz_call_has_microphone (KibitzCall *self)
{
  g_return_val_if_fail (KIBITZ_IS_CALL (self), FALSE);

  return self->media == NULL || kibitz_media_source_has_microphone (self->media);
}

/* The screen goes out on every link's screen m-line (negotiated from the
 * start: nothing is renegotiated) and the room is told with `state`. */
gboolean
kibitz_call_share_screen (KibitzCall  *self,
                          GstElement  *source,
                          GError     **error)
{
  g_return_val_if_fail (KIBITZ_IS_CALL (self), FALSE);
  g_return_val_if_fail (GST_IS_ELEMENT (source), FALSE);

  if (self->media == NULL)
    {
      gst_object_unref (gst_object_ref_sink (source));
      g_set_error (error, KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_PIPELINE,
                   "The call has not started its media yet: share the screen once it has");
      return FALSE;
    }
  if (!kibitz_call_may_share_screen (self))
    {
      gst_object_unref (gst_object_ref_sink (source));
      g_set_error (error, KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_FORBIDDEN,
                   "The teacher has not allowed you to share your screen: ask them");
      return FALSE;
    }
  if (!kibitz_media_source_share_screen (self->media, source, error))
    return FALSE;
  if (!self->screen_shared)
    {
      self->screen_shared = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCREEN_SHARED]);
    }
  kibitz_call_send_own_state (self);
  return TRUE;
}

void
kibitz_call_stop_screen (KibitzCall *self)
{
  g_return_if_fail (KIBITZ_IS_CALL (self));

  if (!self->screen_shared)
    return;
  if (self->media != NULL)
    kibitz_media_source_stop_screen (self->media);
  self->screen_shared = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCREEN_SHARED]);
  kibitz_call_send_own_state (self);
}

gboolean
kibitz_call_get_screen_shared (KibitzCall *self)
{
  g_return_val_if_fail (KIBITZ_IS_CALL (self), FALSE);

  return self->screen_shared;
}

void
kibitz_call_set_self_view (KibitzCall *self,
                           GstElement *sink)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (KIBITZ_IS_CALL (self));
  g_return_if_fail (GST_IS_ELEMENT (sink));

  if (self->media == NULL)
    {
      g_clear_object (&self->self_view);
      self->self_view = gst_object_ref_sink (sink);
      return;
    }
  if (!kibitz_media_source_add_self_view (self->media, sink, &error))
    g_message ("no self-view: %s", error->message);
}

static void
get_property (GObject    *object,
              guint       prop_id,
              GValue     *value,
              GParamSpec *pspec)
{
  KibitzCall *self = KIBITZ_CALL (object);

  switch (prop_id)
    {
    case PROP_CAMERA_ENABLED:
      g_value_set_boolean (value, self->camera_enabled);
      break;
    case PROP_MICROPHONE_ENABLED:
      g_value_set_boolean (value, self->microphone_enabled);
      break;
    case PROP_HAND_RAISED:
      g_value_set_boolean (value, self->hand_raised);
      break;
    case PROP_HAS_CAMERA:
      g_value_set_boolean (value, kibitz_call_has_camera (self));
      break;
    case PROP_HAS_MICROPHONE:
      g_value_set_boolean (value, kibitz_call_has_microphone (self));
      break;
    case PROP_SCREEN_SHARED:
      g_value_set_boolean (value, self->screen_shared);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
set_property (GObject      *object,
              guint         prop_id,
              const GValue *value,
              GParamSpec   *pspec)
{
  KibitzCall *self = KIBITZ_CALL (object);

  switch (prop_id)
    {
    case PROP_CAMERA_ENABLED:
      kibitz_call_set_camera_enabled (self, g_value_get_boolean (value));
      break;
    case PROP_MICROPHONE_ENABLED:
      kibitz_call_set_microphone_enabled (self, g_value_get_boolean (value));
      break;
    case PROP_HAND_RAISED:
      kibitz_call_set_hand_raised (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

void
kibitz_call_install_properties (GObjectClass *object_class)
{
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->get_property = get_property;
  object_class->set_property = set_property;

  properties[PROP_CAMERA_ENABLED] =
    g_param_spec_boolean ("camera-enabled", NULL, NULL, TRUE, rw);
  properties[PROP_MICROPHONE_ENABLED] =
    g_param_spec_boolean ("microphone-enabled", NULL, NULL, TRUE, rw);
  properties[PROP_HAND_RAISED] =
    g_param_spec_boolean ("hand-raised", NULL, NULL, FALSE, rw);
  properties[PROP_HAS_CAMERA] =
    g_param_spec_boolean ("has-camera", NULL, NULL, TRUE, ro);
  properties[PROP_HAS_MICROPHONE] =
    g_param_spec_boolean ("has-microphone", NULL, NULL, TRUE, ro);
  properties[PROP_SCREEN_SHARED] =
    g_param_spec_boolean ("screen-shared", NULL, NULL, FALSE, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}
