/* kibitz-ice-config.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "kibitz-ice-config.h"
#include "kibitz-turn-credentials.h"

static JsonArray *
strv_to_array (GStrv strv)
{
  JsonArray *array = json_array_new ();

  for (guint i = 0; strv && strv[i]; i++)
    json_array_add_string_element (array, strv[i]);

  return array;
}

/* STUN URLs form one entry without credentials; TURN URLs one entry with
 * REST API credentials whose opaque part is @id (a peer id after “join”, so
 * the relay can account relayed bytes per room), or without any when @id is
 * NULL (/v1/config under the room scope of protocol.md §4).
 */
JsonArray *
kibitz_ice_config_build (const KibitzIceConfig *config,
                         const char            *id,
                         gint64                 now_unix)
{
  JsonArray *servers = json_array_new ();

  if (config->stun_urls && config->stun_urls[0])
    {
      JsonObject *stun = json_object_new ();

      json_object_set_array_member (stun, "urls", strv_to_array (config->stun_urls));
      json_array_add_object_element (servers, stun);
    }

  if (config->turn_urls && config->turn_urls[0])
    {
      JsonObject *turn = json_object_new ();

      json_object_set_array_member (turn, "urls", strv_to_array (config->turn_urls));
      if (id != NULL)
        {
          g_autofree char *username = kibitz_turn_username (now_unix + config->credential_ttl, id);
          g_autofree char *password = kibitz_turn_password (config->secret, username);

          json_object_set_string_member (turn, "username", username);
          json_object_set_string_member (turn, "credential", password);
        }
      json_array_add_object_element (servers, turn);
    }

  return servers;
}
