/* kibitz-join-request.h: everything a call needs from the lobby, handed over
 * in one step.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct {
  char *server_url;   /* http(s)://host:port of kibitz-server */
  char *room;
  char *name;
  char *video;        /* a source setting (kibitz-source-setting.h); NULL: automatic */
  char *audio;
  char *invite;        /* an invite code (protocol.md §4); NULL: none */
  char *teacher_token; /* the user's teacher key for this server; NULL: none */
} KibitzJoinRequest;

#define KIBITZ_TYPE_JOIN_REQUEST (kibitz_join_request_get_type ())

GType              kibitz_join_request_get_type (void) G_GNUC_CONST;
KibitzJoinRequest *kibitz_join_request_new      (const char              *server_url,
                                                 const char              *room,
                                                 const char              *name,
                                                 const char              *video,
                                                 const char              *audio);
KibitzJoinRequest *kibitz_join_request_copy     (const KibitzJoinRequest *request);
void               kibitz_join_request_free     (KibitzJoinRequest       *request);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KibitzJoinRequest, kibitz_join_request_free)

G_END_DECLS
