/* kibitz-call-toggles-stub.c: TEMPORARY stand-in for the engine's toggles.
 *
 * It only remembers the three flags on the call and broadcasts them as a
 * `state` message; it does not switch the devices. The real functions (in
 * src/core/kibitz-call.c on main) also swap device <-> placeholder. Delete
 * this file when merging main's toggles.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "kibitz-call-toggles-stub.h"

/* Stored inverted, so that "no data" means the default (on, on, down). */
#define CAMERA_OFF "kibitz-stub-camera-off"
#define MIC_OFF    "kibitz-stub-microphone-off"
#define HAND_UP    "kibitz-stub-hand-up"

static gboolean
get_flag (KibitzCall *self,
          const char *key)
{
  return GPOINTER_TO_INT (g_object_get_data (G_OBJECT (self), key));
}

static void
set_flag_and_send (KibitzCall *self,
                   const char *key,
                   gboolean    value)
{
  g_autoptr(JsonObject) state = json_object_new ();

  g_object_set_data (G_OBJECT (self), key, GINT_TO_POINTER (!!value));
  json_object_set_boolean_member (state, "audio", !get_flag (self, MIC_OFF));
  json_object_set_boolean_member (state, "video", !get_flag (self, CAMERA_OFF));
  json_object_set_boolean_member (state, "hand", get_flag (self, HAND_UP));
  kibitz_call_send_state (self, state);
}

void
kibitz_call_set_camera_enabled (KibitzCall *self,
                                gboolean    enabled)
{
  g_return_if_fail (KIBITZ_IS_CALL (self));
  set_flag_and_send (self, CAMERA_OFF, !enabled);
}

gboolean
kibitz_call_get_camera_enabled (KibitzCall *self)
{
  g_return_val_if_fail (KIBITZ_IS_CALL (self), FALSE);
  return !get_flag (self, CAMERA_OFF);
}

void
kibitz_call_set_microphone_enabled (KibitzCall *self,
                                    gboolean    enabled)
{
  g_return_if_fail (KIBITZ_IS_CALL (self));
  set_flag_and_send (self, MIC_OFF, !enabled);
}

gboolean
kibitz_call_get_microphone_enabled (KibitzCall *self)
{
  g_return_val_if_fail (KIBITZ_IS_CALL (self), FALSE);
  return !get_flag (self, MIC_OFF);
}

void
kibitz_call_set_hand_raised (KibitzCall *self,
                             gboolean    raised)
{
  g_return_if_fail (KIBITZ_IS_CALL (self));
  set_flag_and_send (self, HAND_UP, raised);
}

gboolean
kibitz_call_get_hand_raised (KibitzCall *self)
{
  g_return_val_if_fail (KIBITZ_IS_CALL (self), FALSE);
  return get_flag (self, HAND_UP);
}
