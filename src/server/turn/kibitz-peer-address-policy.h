/* kibitz-peer-address-policy.h: which peers the TURN relay may send to.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "kibitz-stun-message.h"

G_BEGIN_DECLS

#define KIBITZ_PEER_ADDRESS_POLICY_ERROR (kibitz_peer_address_policy_error_quark ())

typedef enum {
  KIBITZ_PEER_ADDRESS_POLICY_ERROR_INVALID,
} KibitzPeerAddressPolicyError;

typedef enum {
  KIBITZ_PEER_DENIED,
  KIBITZ_PEER_ALLOWED,
  KIBITZ_PEER_SELF,   /* one of this server's relay addresses: only live allocations */
} KibitzPeerVerdict;

typedef struct _KibitzPeerAddressPolicy KibitzPeerAddressPolicy;

GQuark                   kibitz_peer_address_policy_error_quark (void);

KibitzPeerAddressPolicy *kibitz_peer_address_policy_new        (void);
void                     kibitz_peer_address_policy_free       (KibitzPeerAddressPolicy *policy);
gboolean                 kibitz_peer_address_policy_allow      (KibitzPeerAddressPolicy *policy,
                                                                const char              *cidr,
                                                                GError                 **error);
void                     kibitz_peer_address_policy_add_self   (KibitzPeerAddressPolicy *policy,
                                                                const KibitzStunAddress *address);
KibitzPeerVerdict        kibitz_peer_address_policy_check      (const KibitzPeerAddressPolicy *policy,
                                                                const KibitzStunAddress       *peer);
gboolean                 kibitz_peer_address_is_forbidden      (const KibitzStunAddress *peer);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KibitzPeerAddressPolicy, kibitz_peer_address_policy_free)

G_END_DECLS
