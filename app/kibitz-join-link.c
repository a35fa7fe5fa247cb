/* kibitz-join-link.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-join-link"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "kibitz-join-link.h"
#include "kibitz-names.h"

G_DEFINE_QUARK (kibitz-join-link-error-quark, kibitz_join_link_error)

char *
kibitz_server_origin (const char *url)
{
  g_autoptr(GUri) uri = NULL;
  g_autofree char *scheme = NULL;
  g_autofree char *host = NULL;
  int port;

  g_return_val_if_fail (url != NULL, NULL);

  if (!(uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL)) || g_uri_get_host (uri) == NULL)
    return NULL;
  scheme = g_ascii_strdown (g_uri_get_scheme (uri), -1);
  host = g_ascii_strdown (g_uri_get_host (uri), -1);
  if (host[0] == '\0' || !(g_str_equal (scheme, "http") || g_str_equal (scheme, "https")))
    return NULL;

  port = g_uri_get_port (uri);
  if ((port == 80 && g_str_equal (scheme, "http")) || (port == 443 && g_str_equal (scheme, "https")))
    port = -1;
  return g_uri_join (G_URI_FLAGS_NONE, scheme, NULL, host, port, "", NULL, NULL);
}

static gpointer
invalid (GError     **error,
         const char  *sentence)
{
  g_set_error_literal (error, KIBITZ_JOIN_LINK_ERROR, KIBITZ_JOIN_LINK_ERROR_INVALID, sentence);
  return NULL;
}

static char *
stripped_or_null (const char *text)
{
  g_autofree char *copy = text ? g_strstrip (g_strdup (text)) : NULL;

  return (copy != NULL && copy[0] != '\0') ? g_steal_pointer (&copy) : NULL;
}

/* The link's server and class; room and invite are the link's own (the
 * invite, code or link, decides the room when there is one). */
static KibitzJoinLink *
make_link (const char  *server,
           const char  *invite,
           const char  *room,
           GError     **error)
{
  g_autoptr(KibitzJoinLink) link = g_new0 (KibitzJoinLink, 1);
  g_autofree char *origin = NULL;

  if (server == NULL || server[0] == '\0')
    return invalid (error, _("This link does not say which server the class is on."));
  if (!(origin = kibitz_server_origin (server)))
    return invalid (error, _("This link names a server that is not an http:// or https:// "
                             "address, so Kibitz does not use it."));
  link->server_url = g_strdup (server);

  if (invite != NULL && invite[0] != '\0')
    {
      link->invite = kibitz_invite_parse (invite, &link->room);
      if (link->invite == NULL)
        return invalid (error, _("This link’s invite is damaged or incomplete. Ask your "
                                 "teacher for the link again."));
      return g_steal_pointer (&link);
    }

  if (!(link->room = stripped_or_null (room)))
    return invalid (error, _("This link names no class: it has neither an invite nor a room."));
  return g_steal_pointer (&link);
}

/* kibitz:join?server=URL&invite=CODE (also kibitz://join?…, as some
 * programs write every link). */
static KibitzJoinLink *
parse_kibitz_uri (const char  *text,
                  GError     **error)
{
  g_autoptr(GUri) uri = g_uri_parse (text, G_URI_FLAGS_ENCODED_QUERY | G_URI_FLAGS_PARSE_RELAXED,
                                     NULL);
  g_autoptr(GHashTable) params = NULL;
  const char *action;

  if (uri == NULL)
    return invalid (error, _("This kibitz: link is damaged: Kibitz cannot read it."));
  action = g_uri_get_host (uri) && g_uri_get_path (uri)[0] == '\0' ? g_uri_get_host (uri)
                                                                   : g_uri_get_path (uri);
  if (g_ascii_strcasecmp (action, "join") != 0)
    return invalid (error, _("This kibitz: link does not open a class (Kibitz knows only "
                             "kibitz:join links)."));
  if (g_uri_get_query (uri) == NULL ||
      !(params = g_uri_parse_params (g_uri_get_query (uri), -1, "&", G_URI_PARAMS_NONE, NULL)))
    return invalid (error, _("This kibitz: link is damaged: Kibitz cannot read it."));

  return make_link (g_hash_table_lookup (params, "server"), g_hash_table_lookup (params, "invite"),
                    g_hash_table_lookup (params, "room"), error);
}

KibitzJoinLink *
kibitz_join_link_parse (const char  *text,
                        GError     **error)
{
  g_autofree char *link = NULL;
  g_autofree char *origin = NULL;
  const char *j;

  g_return_val_if_fail (text != NULL, NULL);

  link = g_strstrip (g_strdup (text));
  if (g_ascii_strncasecmp (link, "kibitz:", strlen ("kibitz:")) == 0)
    return parse_kibitz_uri (link, error);

  /* An invite link as the teacher shares it: the server is what comes before /j/. */
  if ((j = strstr (link, "/j/")) != NULL && (origin = kibitz_server_origin (link)) != NULL)
    {
      g_autofree char *server = g_strndup (link, j - link);

      return make_link (server, link, NULL, error);
    }

  return invalid (error, _("This is not a Kibitz link: it starts with kibitz: or is an "
                           "invite link (…/j/…) from your teacher."));
}

void
kibitz_join_link_free (KibitzJoinLink *link)
{
  if (link == NULL)
    return;
  g_free (link->server_url);
  g_free (link->room);
  g_free (link->invite);
  g_free (link);
}
