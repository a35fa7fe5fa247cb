/* kibitz-join-link.h: the links that open a class in the app: the
 * `kibitz:` URI of an invite page's "Open in the Kibitz app"
 * (kibitz:join?server=URL&invite=CODE, or &room=NAME without an invite), and
 * an invite link as the teacher shares it (https://server/…/j/CODE).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define KIBITZ_JOIN_LINK_ERROR (kibitz_join_link_error_quark ())

typedef enum {
  KIBITZ_JOIN_LINK_ERROR_INVALID,
} KibitzJoinLinkError;

typedef struct {
  char *server_url;   /* as the link gives it: http(s)://host[:port][/base] */
  char *room;         /* the room the invite names, or the one the link names */
  char *invite;       /* the invite code; NULL: none */
} KibitzJoinLink;

GQuark          kibitz_join_link_error_quark (void);

/* NULL with a sentence for the person when text is not such a link. */
KibitzJoinLink *kibitz_join_link_parse       (const char     *text,
                                              GError        **error) G_GNUC_WARN_UNUSED_RESULT;
void            kibitz_join_link_free        (KibitzJoinLink *link);

/* scheme://host[:port] of an http:// or https:// address, lower case,
 * without the default port, a path or a trailing slash; NULL for anything
 * else. One server, however its address is written. */
char           *kibitz_server_origin         (const char     *url) G_GNUC_WARN_UNUSED_RESULT;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KibitzJoinLink, kibitz_join_link_free)

G_END_DECLS
