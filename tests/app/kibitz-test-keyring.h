/* kibitz-test-keyring.h: a real Secret Service for the app's tests, apart
 * from the tester's own: a private D-Bus session bus of the test's own
 * (no service files, so nothing is ever activated on it) and
 * gnome-keyring-daemon with an unlocked login keyring in a temporary home.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _KibitzTestKeyring KibitzTestKeyring;

/* Starts both and points this process's session bus at the private one
 * (call it before anything connects to a session bus). NULL, with a
 * sentence in why_not, when it cannot (a program missing, a daemon that
 * does not come up). */
KibitzTestKeyring *kibitz_test_keyring_start       (char              **why_not);
/* The keyring goes away, the bus stays: as on a desktop without one. */
void               kibitz_test_keyring_stop_daemon (KibitzTestKeyring  *keyring);
/* Stops both (the session connection of this process stays, closed) and
 * removes the temporary home. */
void               kibitz_test_keyring_stop        (KibitzTestKeyring  *keyring);

G_END_DECLS
