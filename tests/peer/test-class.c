/* test-class.c: real classes of kibitz-peer processes on a real kibitz-server,
 * ICE on 127.0.0.1 only. Assertions read what flowed from the peers' summaries.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "kibitz-test-peer.h"

/* Classes of three and more: see kibitz_test_peer_light_sanitizer(). */
static void
run_class (guint n)
{
  static const char * const names[] = { "Ada", "Bartek", "Celina", "Dawid", "Ewa" };
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (NULL);
  g_autofree char *expect = g_strdup_printf ("--expect-peers=%u", n - 1);
  const char * const extra[] = { expect, NULL };
  KibitzTestPeer *class[5];
  const char *local;

  kibitz_test_peer_light_sanitizer (n >= 3);
  for (guint i = 0; i < n; i++)
    class[i] = kibitz_test_peer_spawn (server, "Chess 101", names[i], 10 + 2 * n, extra);
  kibitz_test_peer_light_sanitizer (FALSE);
  for (guint i = 0; i < n; i++)
    kibitz_test_peer_finish (class[i]);

  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpint (class[i]->status, ==, 0);
      for (guint j = 0; j < n; j++)
        {
          if (i == j)
            continue;
          kibitz_test_peer_assert_received (class[i], names[j]);
          /* Direct on loopback: `host`, or `prflx` when a connectivity
           * check beat the candidate it came from through signaling (a
           * busy machine: seen in CI); never through a relay. */
          local = json_object_get_string_member (kibitz_test_peer_summary_of (class[i], names[j]),
                                                 "local_candidate");
          g_assert_true (g_strcmp0 (local, "host") == 0 || g_strcmp0 (local, "prflx") == 0);
        }
    }

  for (guint i = 0; i < n; i++)
    kibitz_test_peer_free (class[i]);
}

static void
test_class_of_2 (void)
{
  run_class (2);
}

static void
test_class_of_3 (void)
{
  run_class (3);
}

static void
test_class_of_5 (void)
{
  run_class (5);
}

/* A large class's grid (kibitz-peer --view): everyone is shown as a 160x120
 * thumbnail but the one who goes first (in an open room, the first who
 * came), and told so. Whoever joined first, the others receive it larger
 * than a thumbnail, and each other at 160x120 at most: nobody is sent
 * pixels that are never seen. */
static void
test_thumbnails (void)
{
  static const char * const names[] = { "Ada", "Bartek", "Celina" };
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (NULL);
  const char * const extra[] = { "--expect-peers=2", "--view=160x120", NULL };
  KibitzTestPeer *class[3];
  guint small = 0, large = 0;
  const char *large_sender = NULL;

  kibitz_test_peer_light_sanitizer (TRUE);
  for (guint i = 0; i < 3; i++)
    class[i] = kibitz_test_peer_spawn (server, "Thumbnails", names[i], 20, extra);
  kibitz_test_peer_light_sanitizer (FALSE);
  for (guint i = 0; i < 3; i++)
    kibitz_test_peer_finish (class[i]);

  for (guint i = 0; i < 3; i++)
    {
      g_assert_cmpint (class[i]->status, ==, 0);
      for (guint j = 0; j < 3; j++)
        {
          JsonObject *other;
          gint64 width;

          if (i == j)
            continue;
          other = kibitz_test_peer_summary_of (class[i], names[j]);
          width = json_object_get_int_member_with_default (other, "received_width", 0);
          g_test_message ("%s receives %s at %" G_GINT64_FORMAT " pixels wide", names[i],
                          names[j], width);
          g_assert_cmpint (width, >, 0);
          if (width <= 160)
            {
              small++;
              continue;
            }
          large++;
          g_assert_true (large_sender == NULL || g_str_equal (large_sender, names[j]));
          large_sender = names[j];
        }
    }
  /* The first who came, at both others; the other two pairs' four ends
   * as thumbnails. */
  g_assert_cmpuint (large, ==, 2);
  g_assert_cmpuint (small, ==, 4);

  for (guint i = 0; i < 3; i++)
    kibitz_test_peer_free (class[i]);
}

/* Relay only: both peers may use nothing but relay candidates from the
 * built-in TURN. The selected pair reads as relay on both sides, the server
 * counts the class's relayed bytes under the room's name, and hands the
 * packets from one relay to the other over inside itself.
 */
static void
run_relay_only (const char * const *args,
                const char         *room)
{
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (args);
  const char * const extra[] = { "--expect-peers=1", "--relay-only", NULL };
  g_autoptr(KibitzTestPeer) a = kibitz_test_peer_spawn (server, room, "Ada", 14, extra);
  g_autoptr(KibitzTestPeer) b = kibitz_test_peer_spawn (server, room, "Bartek", 14, extra);
  g_autofree char *room_metric = g_strdup_printf ("kibitz_turn_room_bytes_total{room=\"%s\","
                                                  "direction=\"to_peers\"}", room);
  guint64 room_bytes, internal;

  kibitz_test_peer_finish (a);
  kibitz_test_peer_finish (b);
  g_assert_cmpint (a->status, ==, 0);
  g_assert_cmpint (b->status, ==, 0);
  for (guint i = 0; i < 2; i++)
    {
      KibitzTestPeer *p = i == 0 ? a : b;
      JsonObject *other = kibitz_test_peer_summary_of (p, i == 0 ? "Bartek" : "Ada");

      g_assert_cmpstr (json_object_get_string_member (other, "local_candidate"), ==, "relay");
      g_assert_cmpstr (json_object_get_string_member (other, "remote_candidate"), ==, "relay");
      g_assert_cmpint (json_object_get_int_member (other, "frames_decoded"), >, 0);
    }

  room_bytes = kibitz_test_metric (server, room_metric);
  g_test_message ("relayed for the class: %" G_GUINT64_FORMAT " bytes to peers", room_bytes);
  g_assert_cmpuint (room_bytes, >, 100000);

  /* Both ends are allocations of this server: the relay hands the media
   * over inside itself, and the frames above were decoded from it. */
  internal = kibitz_test_metric (server, "kibitz_turn_internal_packets_total");
  g_test_message ("handed over inside the relay: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
                  " packets to peers", internal,
                  kibitz_test_metric (server, "kibitz_turn_packets_to_peers_total"));
  g_assert_cmpuint (internal, >, 1000);
}

static void
test_relay_only (void)
{
  const char * const args[] = { "--allow-peer", "127.0.0.0/8", NULL };

  run_relay_only (args, "Relayed class");
}

/* The same behind a 1:1 NAT, as on a cloud VM: the relay sockets are bound
 * to 127.0.0.1 and advertised as --external-ip 127.0.0.2, where the clients
 * reach the TURN port (the NAT's job, done here by listening there). Each
 * client permits the other's advertised relay address and must see
 * packets come from it, not from the address inside: before the relay
 * presented them so, these two never connected.
 */
static void
test_relay_only_behind_nat (void)
{
  const char * const args[] = { "--turn", "127.0.0.2:0", "--relay-ip", "127.0.0.1",
                                "--external-ip", "127.0.0.2", NULL };

  run_relay_only (args, "Relayed class behind NAT");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/peer/class/of-2", test_class_of_2);
  g_test_add_func ("/peer/class/of-3", test_class_of_3);
  g_test_add_func ("/peer/class/of-5", test_class_of_5);
  g_test_add_func ("/peer/class/thumbnails", test_thumbnails);
  g_test_add_func ("/peer/class/relay-only", test_relay_only);
  g_test_add_func ("/peer/class/relay-only-behind-nat", test_relay_only_behind_nat);

  return g_test_run ();
}
