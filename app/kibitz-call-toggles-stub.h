/* kibitz-call-toggles-stub.h: TEMPORARY. The engine's toggle API is being
 * added to src/core/kibitz-call.h on main with exactly these signatures.
 * Delete this file and kibitz-call-toggles-stub.c (and their lines in
 * app/meson.build and the #include in kibitz-call-page.c) when merging.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kibitz-call.h"

G_BEGIN_DECLS

void     kibitz_call_set_camera_enabled     (KibitzCall *self,
                                             gboolean    enabled);
gboolean kibitz_call_get_camera_enabled     (KibitzCall *self);
void     kibitz_call_set_microphone_enabled (KibitzCall *self,
                                             gboolean    enabled);
gboolean kibitz_call_get_microphone_enabled (KibitzCall *self);
void     kibitz_call_set_hand_raised        (KibitzCall *self,
                                             gboolean    raised);
gboolean kibitz_call_get_hand_raised        (KibitzCall *self);

G_END_DECLS
