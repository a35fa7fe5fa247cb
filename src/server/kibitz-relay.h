/* kibitz-relay.h: the built-in STUN/TURN relay as part of kibitz-server.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kibitz-server-config.h"
#include "kibitz-signaling-server.h"
#include "kibitz-turn-server.h"

G_BEGIN_DECLS

KibitzTurnServer *kibitz_relay_start (const KibitzServerConfig  *config,
                                      KibitzSignalingServer     *signaling,
                                      GPtrArray                 *listening,
                                      GError                   **error);

G_END_DECLS
