/* kibitz-test-peer.h: kibitz-peer processes for tests ($KIBITZ_PEER_BIN),
 * ICE on 127.0.0.1, 320x240; assertions read what flowed from their
 * summaries (docs/kibitz-peer.md).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "kibitz-test-server.h"

G_BEGIN_DECLS

typedef struct {
  char        *name;
  GSubprocess *process;
  char        *output;
  JsonObject  *summary;
  GPtrArray   *events;    /* JsonObject * */
  int          status;
} KibitzTestPeer;

/* With G_SUBPROCESS_FLAGS_STDIN_PIPE the test can send commands (camera off,
 * chat ...) on the process's stdin; see docs/kibitz-peer.md. */
KibitzTestPeer *kibitz_test_peer_spawn_with_flags (KibitzTestServer   *server,
                                                   const char         *room,
                                                   const char         *name,
                                                   guint               duration,
                                                   const char * const *extra,
                                                   GSubprocessFlags    flags);
KibitzTestPeer *kibitz_test_peer_spawn            (KibitzTestServer   *server,
                                                   const char         *room,
                                                   const char         *name,
                                                   guint               duration,
                                                   const char * const *extra);
/* TRUE: peers spawned from now on run ASan with its fast unwinder and
 * without leak checks (calls of three and more); FALSE: back to the
 * suite's options. */
void            kibitz_test_peer_light_sanitizer  (gboolean            light);
/* Waits for the peer to finish (bounded by its --duration plus slack) and
 * reads its events and summary. */
void            kibitz_test_peer_finish           (KibitzTestPeer     *p);
/* The summary's entry for the remote participant called name, or NULL. */
JsonObject     *kibitz_test_peer_summary_of       (KibitzTestPeer     *p,
                                                   const char         *name);
/* Asserts that receiver got video and audio from sender, connected. */
void            kibitz_test_peer_assert_received  (KibitzTestPeer     *receiver,
                                                   const char         *sender);
/* The frames one participant received from another, at the last stats line
 * written at or before time_ms (from a --stats file). */
gint64          kibitz_test_peer_frames_at        (const char         *stats_path,
                                                   const char         *from_name,
                                                   gint64              time_ms);
gint64          kibitz_test_peer_stat_at          (const char         *stats_path,
                                                   const char         *from_name,
                                                   const char         *member,
                                                   gint64              time_ms);
void            kibitz_test_peer_free             (KibitzTestPeer     *p);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KibitzTestPeer, kibitz_test_peer_free)

G_END_DECLS
