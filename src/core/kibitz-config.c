/* kibitz-config.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-config"

#include "config.h"

#include <string.h>
#include <libsoup/soup.h>

#include "kibitz-config.h"
#include "kibitz-core-error.h"
#include "kibitz-message.h"

void
kibitz_config_free (KibitzConfig *config)
{
  if (config == NULL)
    return;

  g_free (config->server_url);
  g_free (config->signaling_url);
  g_clear_pointer (&config->ice_servers, json_array_unref);
  g_free (config);
}

static GError *
config_error (const char *server_url,
              const char *what)
{
  return g_error_new (KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_SERVER,
                      "%s does not look like a Kibitz server: %s", server_url, what);
}

KibitzConfig *
kibitz_config_parse (const char  *server_url,
                     const char  *json,
                     gsize        length,
                     GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(KibitzConfig) config = g_new0 (KibitzConfig, 1);
  JsonNode *root;
  JsonObject *object;
  JsonNode *servers;
  const char *signaling;

  if (!json_parser_load_from_data (parser, json, length, NULL) ||
      !(root = json_parser_get_root (parser)) || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_propagate_error (error, config_error (server_url, "/v1/config is not a JSON object"));
      return NULL;
    }

  object = json_node_get_object (root);
  signaling = kibitz_json_get_string (object, "signaling");
  servers = json_object_get_member (object, "ice_servers");
  if (signaling == NULL || !(g_str_has_prefix (signaling, "ws://") ||
                             g_str_has_prefix (signaling, "wss://")))
    {
      g_propagate_error (error, config_error (server_url, "no ws:// or wss:// “signaling” URL"));
      return NULL;
    }

  config->server_url = g_strdup (server_url);
  config->signaling_url = g_strdup (signaling);
  config->ice_servers = servers && JSON_NODE_HOLDS_ARRAY (servers)
                        ? json_array_ref (json_node_get_array (servers)) : json_array_new ();
  config->max_room_size = json_object_get_int_member_with_default (object, "max_room_size", 20);

  return g_steal_pointer (&config);
}

/* "host:8080", "http://host:8080/", "ws://host:8080/v1/ws" all name one server. */
static char *
normalize_server_url (const char *url)
{
  g_autofree char *base = NULL;
  g_autofree char *trimmed = g_strdup (url);
  gsize len;

  g_strstrip (trimmed);
  if (g_str_has_prefix (trimmed, "ws://"))
    base = g_strconcat ("http://", trimmed + 5, NULL);
  else if (g_str_has_prefix (trimmed, "wss://"))
    base = g_strconcat ("https://", trimmed + 6, NULL);
  else if (!g_str_has_prefix (trimmed, "http://") && !g_str_has_prefix (trimmed, "https://"))
    base = g_strconcat ("http://", trimmed, NULL);
  else
    base = g_strdup (trimmed);

  if (g_str_has_suffix (base, "/v1/ws"))
    base[strlen (base) - 6] = '\0';
  len = strlen (base);
  while (len > 0 && base[len - 1] == '/')
    base[--len] = '\0';

  return g_steal_pointer (&base);
}

static void
config_read_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  const char *server_url = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  KibitzConfig *config;
  gsize length;
  const char *data;

  if (body == NULL)
    {
      g_task_return_new_error (task, KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_SERVER,
                               "Cannot reach the Kibitz server at %s: %s. Check the address "
                               "and your network connection.", server_url, error->message);
      return;
    }

  if (soup_message_get_status (msg) != SOUP_STATUS_OK)
    {
      g_task_return_new_error (task, KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_SERVER,
                               "The server at %s answered %u %s to /v1/config: is it a Kibitz "
                               "server?", server_url, soup_message_get_status (msg),
                               soup_message_get_reason_phrase (msg));
      return;
    }

  data = g_bytes_get_data (body, &length);
  config = kibitz_config_parse (server_url, data, length, &error);
  if (config == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, config, (GDestroyNotify) kibitz_config_free);
}

void
kibitz_config_load_async (const char          *server_url,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 10, NULL);
  g_autofree char *base = normalize_server_url (server_url);
  g_autofree char *url = g_strconcat (base, "/v1/config", NULL);
  g_autoptr(SoupMessage) msg = NULL;
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, kibitz_config_load_async);
  g_task_set_task_data (task, g_steal_pointer (&base), g_free);

  msg = soup_message_new ("GET", url);
  if (msg == NULL)
    {
      g_task_return_new_error (task, KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_SERVER,
                               "“%s” is not a server address: write it like "
                               "http://127.0.0.1:8080", server_url);
      g_object_unref (task);
      return;
    }

  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, cancellable,
                                    config_read_cb, task);
}

KibitzConfig *
kibitz_config_load_finish (GAsyncResult  *result,
                           GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
