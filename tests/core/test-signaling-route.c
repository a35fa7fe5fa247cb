/* test-signaling-route.c: the room a client puts in ?room= on the signaling
 * URL, which a load balancer hashes (`hash $arg_room consistent`): everyone
 * in a class must send the same string however they typed the room's name,
 * or one class could be split across two servers.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <libsoup/soup.h>

#include "kibitz-signaling.h"

typedef struct {
  SoupServer *server;
  char       *url;
  GPtrArray  *rooms;    /* the ?room= of every request, decoded */
} Balancer;

static void
ws_handler (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  Balancer *balancer = user_data;
  const char *room = query ? g_hash_table_lookup (query, "room") : NULL;

  g_ptr_array_add (balancer->rooms, g_strdup (room ? room : "(none)"));
  /* Not a WebSocket server: the client retries later, which is fine here. */
  soup_server_message_set_status (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, NULL);
}

static void
balancer_start (Balancer *balancer)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) local = NULL;
  GSList *listeners;

  balancer->rooms = g_ptr_array_new_with_free_func (g_free);
  balancer->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (balancer->server, "/v1/ws", ws_handler, balancer, NULL);
  soup_server_listen (balancer->server, address, 0, &error);
  g_assert_no_error (error);

  /* Not soup_server_get_uris: libsoup 3.2 leaks an address there. */
  listeners = soup_server_get_listeners (balancer->server);
  local = g_socket_get_local_address (listeners->data, &error);
  g_assert_no_error (error);
  balancer->url = g_strdup_printf ("ws://127.0.0.1:%u/v1/ws",
                                   g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local)));
  g_slist_free (listeners);
}

static void
balancer_stop (Balancer *balancer)
{
  soup_server_disconnect (balancer->server);
  g_assert_finalize_object (g_steal_pointer (&balancer->server));
  g_clear_pointer (&balancer->rooms, g_ptr_array_unref);
  g_clear_pointer (&balancer->url, g_free);
}

/* What one client, joining @room, puts in ?room=. */
static char *
routed_room (Balancer   *balancer,
             const char *room)
{
  g_autoptr(KibitzSignaling) signaling = kibitz_signaling_new (balancer->url, room, "Ada");
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  guint before = balancer->rooms->len;

  kibitz_signaling_start (signaling);
  while (balancer->rooms->len == before && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (balancer->rooms->len, >, before);

  return g_strdup (g_ptr_array_index (balancer->rooms, before));
}

static void
test_room_key_in_query (void)
{
  Balancer balancer = { 0 };
  g_autofree char *typed = NULL;
  g_autofree char *shouted = NULL;
  g_autofree char *wide = NULL;
  g_autofree char *polish = NULL;

  balancer_start (&balancer);
  typed = routed_room (&balancer, "Maths 7b");
  shouted = routed_room (&balancer, "  MATHS 7B ");
  wide = routed_room (&balancer, "Ｍａｔｈｓ ７ｂ");   /* full-width, NFKC folds it */
  polish = routed_room (&balancer, "Język Polski");

  g_assert_cmpstr (typed, ==, "maths 7b");
  g_assert_cmpstr (shouted, ==, "maths 7b");
  g_assert_cmpstr (wide, ==, "maths 7b");
  g_assert_cmpstr (polish, ==, "język polski");

  balancer_stop (&balancer);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/signaling/room-key-in-query", test_room_key_in_query);

  return g_test_run ();
}
