/* kibitz-ice-servers.h: browser-style RTCIceServer JSON -> webrtcbin URIs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Converts an `ice_servers` array (protocol.md §1) into what webrtcbin takes:
 * one `stun://host:port` (the first STUN URL; webrtcbin has room for one) and a
 * list of `turn://user:pass@host:port?transport=udp|tcp` (or `turns://`) with
 * user and password percent-escaped. URLs of unknown schemes are skipped, and
 * so are TURN URLs of an entry without username and credential (a server
 * whose relay belongs to the class lists them so in /v1/config, protocol.md
 * §4); a username without a credential is an error.
 * Either output may be empty: *stun_uri NULL, *turn_uris an empty vector. */
gboolean kibitz_ice_servers_to_webrtc (JsonArray   *ice_servers,
                                       char       **stun_uri,
                                       GStrv       *turn_uris,
                                       GError     **error);

/* Converts one RTCIceServer URL ("stun:h:p", "turn:h:p?transport=tcp", ...).
 * username/credential are needed for turn(s): and ignored for stun:. */
char    *kibitz_ice_server_url_to_webrtc (const char  *url,
                                          const char  *username,
                                          const char  *credential,
                                          GError     **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
