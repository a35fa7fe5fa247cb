/* kibitz-process.c: what a process running the call engine sets up first.
 *
 * OpenSSL, which GStreamer's DTLS elements use for every link, registers
 * OPENSSL_cleanup() with atexit() when it is first initialised. That frees
 * its global state while GStreamer or libnice threads may still be inside
 * OpenSSL after main() returns: a kibitz-peer of the net-cap-drop class (five
 * peers, ASan build, CI on 2026-12-06) died with SIGSEGV inside
 * OPENSSL_cleanup() in the exit handlers, after its call had ended. The
 * process's memory goes with it anyway, so the handler is never registered:
 * OPENSSL_INIT_NO_ATEXIT on the first initialisation (libdatachannel, a
 * WebRTC library, does the same for the same race).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "kibitz-process.h"

#include <openssl/crypto.h>

void
kibitz_process_init (void)
{
  if (!OPENSSL_init_crypto (OPENSSL_INIT_NO_ATEXIT, NULL))
    g_warning ("OpenSSL could not be initialised: the DTLS of every link may fail");
}
