/* kibitz-join-request.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "kibitz-join-request.h"

G_DEFINE_BOXED_TYPE (KibitzJoinRequest, kibitz_join_request, kibitz_join_request_copy,
                     kibitz_join_request_free)

static char *
dup_or_null (const char *text)
{
  return (text != NULL && text[0] != '\0') ? g_strdup (text) : NULL;
}

KibitzJoinRequest *
kibitz_join_request_new (const char *server_url,
                         const char *room,
                         const char *name,
                         const char *video,
                         const char *audio)
{
  KibitzJoinRequest *request = g_new0 (KibitzJoinRequest, 1);

  request->server_url = g_strdup (server_url);
  request->room = g_strdup (room);
  request->name = g_strdup (name);
  request->video = dup_or_null (video);
  request->audio = dup_or_null (audio);
  return request;
}

KibitzJoinRequest *
kibitz_join_request_copy (const KibitzJoinRequest *request)
{
  KibitzJoinRequest *copy = kibitz_join_request_new (request->server_url, request->room,
                                                      request->name, request->video,
                                                      request->audio);

  copy->invite = g_strdup (request->invite);
  copy->teacher_token = g_strdup (request->teacher_token);
  return copy;
}

void
kibitz_join_request_free (KibitzJoinRequest *request)
{
  if (request == NULL)
    return;
  g_free (request->server_url);
  g_free (request->room);
  g_free (request->name);
  g_free (request->video);
  g_free (request->audio);
  g_free (request->invite);
  g_free (request->teacher_token);
  g_free (request);
}
