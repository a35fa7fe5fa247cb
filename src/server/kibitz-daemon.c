/* kibitz-daemon.c: kibitz-server as a daemon: reads the configuration,
 * starts the signaling front and the TURN relay, prints the "listening" lines
 * and runs until SIGTERM or SIGINT. The relay's URLs go into /v1/config and
 * welcome, its counters (and relayed bytes per room) into /metrics.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-server"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib-unix.h>

#include "kibitz-daemon.h"
#include "kibitz-server-config.h"
#include "kibitz-signaling-server.h"
#include "kibitz-turn-server.h"

typedef struct {
  KibitzTurnServer      *turn;
  gint64                 start_time;   /* Unix seconds: where the counters start */
} RelayMetrics;

/* The host clients should use: --public-host (without a port), else
 * --external-ip, else the address the relay listens on.
 */
static char *
published_host (const KibitzServerConfig *config,
                const char               *listen_host)
{
  g_autofree char *host = NULL;
  guint16 port;

  if (config->public_host)
    {
      if (kibitz_parse_host_port (config->public_host, &host, &port, NULL))
        return g_steal_pointer (&host);
      return g_strdup (config->public_host);
    }

  return g_strdup (config->external_ip ? config->external_ip : listen_host);
}

static char *
url_for (const char *scheme,
         const char *host,
         const char *address,
         const char *transport)
{
  g_autofree char *ignored = NULL;
  g_autofree char *host_port = NULL;
  guint16 port = 0;

  kibitz_parse_host_port (address, &ignored, &port, NULL);
  host_port = kibitz_format_host_port (host, port);

  if (transport)
    return g_strdup_printf ("%s:%s?transport=%s", scheme, host_port, transport);

  return g_strdup_printf ("%s:%s", scheme, host_port);
}

static void
append_label_value (GString    *out,
                    const char *value)
{
  for (const char *p = value; *p; p++)
    {
      if (*p == '\\' || *p == '"')
        g_string_append_c (out, '\\');
      if (*p == '\n')
        g_string_append (out, "\\n");
      else
        g_string_append_c (out, *p);
    }
}

static void
room_bytes_cb (const char *room,
               guint64     to_peers,
               guint64     from_peers,
               gpointer    user_data)
{
  GString *out = user_data;

  g_string_append (out, "kibitz_turn_room_bytes_total{room=\"");
  append_label_value (out, room);
  g_string_append_printf (out, "\",direction=\"to_peers\"} %" G_GUINT64_FORMAT "\n", to_peers);
  g_string_append (out, "kibitz_turn_room_bytes_total{room=\"");
  append_label_value (out, room);
  g_string_append_printf (out, "\",direction=\"from_peers\"} %" G_GUINT64_FORMAT "\n",
                          from_peers);
}

static void
relay_metrics_cb (GString  *out,
                  gpointer  user_data)
{
  RelayMetrics *metrics = user_data;
  KibitzTurnMetrics m;

  kibitz_turn_server_get_metrics (metrics->turn, &m);
  kibitz_metrics_append (out, "kibitz_turn_allocations", "gauge", "Live TURN allocations.", m.allocations);
  kibitz_metrics_append (out, "kibitz_turn_allocations_total", "counter", "TURN allocations made.",
                m.allocations_total);
  kibitz_metrics_append (out, "kibitz_turn_permissions", "gauge", "Live TURN permissions.", m.permissions);
  kibitz_metrics_append (out, "kibitz_turn_channels", "gauge", "Live TURN channel bindings.", m.channels);
  kibitz_metrics_append (out, "kibitz_turn_packets_to_peers_total", "counter",
                "Packets relayed from clients to peers.", m.packets_to_peers);
  kibitz_metrics_append (out, "kibitz_turn_bytes_to_peers_total", "counter",
                "Payload bytes relayed from clients to peers.", m.bytes_to_peers);
  kibitz_metrics_append (out, "kibitz_turn_packets_from_peers_total", "counter",
                "Packets relayed from peers to clients.", m.packets_from_peers);
  kibitz_metrics_append (out, "kibitz_turn_bytes_from_peers_total", "counter",
                "Payload bytes relayed from peers to clients.", m.bytes_from_peers);
  kibitz_metrics_append (out, "kibitz_turn_internal_packets_total", "counter",
                "Of the packets to peers, those whose peer was another allocation of this "
                "relay: handed over inside the relay, not through the kernel.",
                m.internal_packets);
  kibitz_metrics_append (out, "kibitz_turn_binding_requests_total", "counter", "STUN Binding requests.",
                m.binding_requests);
  kibitz_metrics_append (out, "kibitz_turn_auth_failures_total", "counter",
                "Requests refused for bad or expired credentials.", m.auth_failures);
  kibitz_metrics_append (out, "kibitz_turn_stale_nonces_total", "counter", "438 Stale Nonce answers.",
                m.stale_nonces);
  kibitz_metrics_append (out, "kibitz_turn_denied_peers_total", "counter",
                "Requests refused for a forbidden peer address.", m.denied_peers);
  kibitz_metrics_append (out, "kibitz_turn_quota_rejections_total", "counter",
                "486 Allocation Quota Reached answers.", m.quota_rejections);
  kibitz_metrics_append (out, "kibitz_turn_tcp_connections", "gauge", "Open TURN TCP connections.",
                m.tcp_connections);
  kibitz_metrics_append (out, "kibitz_turn_tcp_refused_total", "counter",
                "TURN TCP connections closed at accept (per-address limit, no descriptors).",
                m.tcp_refused);
  kibitz_metrics_append (out, "kibitz_turn_tcp_cut_total", "counter",
                "TURN TCP connections cut: a frame not finished in 5 s, or room for a new one.",
                m.tcp_cut);
  kibitz_metrics_append (out, "kibitz_turn_start_time_seconds", "gauge",
                "Unix time the relay started: its counters cover the time since.",
                metrics->start_time);
  kibitz_metrics_append (out, "kibitz_turn_usage_records", "gauge",
                "Per-participant byte records kept (an id's go to its room's total "
                "5 minutes after its last allocation).", m.usage_records);

  g_string_append (out, "# HELP kibitz_turn_room_bytes_total Payload bytes relayed for the "
                        "participants of a room (the article's TURN cost, per class).\n"
                        "# TYPE kibitz_turn_room_bytes_total counter\n");
  kibitz_turn_server_foreach_room (metrics->turn, room_bytes_cb, out);
}

static void
add_listener (GPtrArray    *listening,
              GStrvBuilder *urls,
              const char   *kind,
              const char   *address,
              const char   *host,
              const char   *transport)
{
  g_autofree char *url = url_for ("turn", host, address, transport);

  g_ptr_array_add (listening, g_strdup_printf ("%s %s", kind, address));
  g_strv_builder_add (urls, url);
}

/* Starts the relay; adds its "turn-udp"/"turn-tcp" listener descriptions to
 * @listening (printed before the http line) and its URLs to what clients get.
 */
static KibitzTurnServer *
start_turn_relay (const KibitzServerConfig  *config,
                  KibitzSignalingServer     *signaling,
                  GPtrArray                 *listening,
                  GError                   **error)
{
  KibitzTurnConfig turn_config = {
    .listen_host = config->turn_host ? config->turn_host : config->http_host,
    .listen_port = config->turn_port,
    .extra_tcp = (const char * const *) config->turn_tcp,
    .secret = config->secret,
    .realm = config->realm,
    .relay_ips = (const char * const *) config->relay_ips,
    .external_ip = config->external_ip,
    .relay_port_min = config->relay_port_min,
    .relay_port_max = config->relay_port_max,
    .user_quota = config->user_quota,
    .room_quota = config->room_quota,
    .address_quota = config->address_quota,
    .allow_peers = (const char * const *) config->allow_peers,
    .scope = config->relay_scope_any ? NULL : kibitz_signaling_server_get_turn_scope (signaling),
  };
  g_autoptr(KibitzTurnServer) turn = NULL;
  g_autoptr(GStrvBuilder) stun_urls = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) turn_urls = g_strv_builder_new ();
  g_autofree char *udp = NULL;
  g_autofree char *tcp = NULL;
  g_autofree char *host = NULL;
  g_autofree char *stun_url = NULL;
  g_auto(GStrv) extra = NULL;
  g_auto(GStrv) stun = NULL;
  g_auto(GStrv) turns = NULL;
  RelayMetrics *metrics;

  turn = kibitz_turn_server_new (&turn_config, error);
  if (turn == NULL || !kibitz_turn_server_start (turn, error))
    {
      g_prefix_error (error, "Cannot start the STUN/TURN relay: ");
      return NULL;
    }

  udp = kibitz_turn_server_get_udp_address (turn);
  tcp = kibitz_turn_server_get_tcp_address (turn);
  extra = kibitz_turn_server_get_extra_tcp_addresses (turn);
  host = published_host (config, turn_config.listen_host);

  stun_url = url_for ("stun", host, udp, NULL);
  g_strv_builder_add (stun_urls, stun_url);
  add_listener (listening, turn_urls, "turn-udp", udp, host, "udp");
  add_listener (listening, turn_urls, "turn-tcp", tcp, host, "tcp");
  for (guint i = 0; extra && extra[i]; i++)
    add_listener (listening, turn_urls, "turn-tcp", extra[i], host, "tcp");

  stun = g_strv_builder_end (stun_urls);
  turns = g_strv_builder_end (turn_urls);
  kibitz_signaling_server_set_ice_urls (signaling, (const char * const *) stun,
                                        (const char * const *) turns);

  metrics = g_new0 (RelayMetrics, 1);
  metrics->turn = turn;
  metrics->start_time = g_get_real_time () / G_USEC_PER_SEC;
  kibitz_signaling_server_add_metrics (signaling, relay_metrics_cb, metrics);
  g_object_set_data_full (G_OBJECT (signaling), "kibitz-relay-metrics", metrics, g_free);

  return g_steal_pointer (&turn);
}

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);

  return G_SOURCE_REMOVE;
}

int
kibitz_daemon_run (int    argc,
                   char **argv)
{
  g_autoptr(KibitzServerConfig) config = kibitz_server_config_new ();
  g_autoptr(KibitzSignalingServer) signaling = NULL;
  g_autoptr(KibitzTurnServer) turn = NULL;
  g_autoptr(GPtrArray) listening = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;

  if (!kibitz_server_config_parse_args (config, &argc, &argv, &error) ||
      !kibitz_server_config_ensure_secret (config, &error))
    {
      g_printerr ("kibitz-server: %s\n", error->message);
      return 2;
    }

  /* Before the listening lines: a script may signal as soon as it reads them. */
  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGTERM, quit_cb, loop);
  g_unix_signal_add (SIGINT, quit_cb, loop);

  signaling = kibitz_signaling_server_new (config);
  if ((config->turn_enabled &&
       !(turn = start_turn_relay (config, signaling, listening, &error))) ||
      !kibitz_signaling_server_listen (signaling, &error))
    {
      g_printerr ("kibitz-server: %s\n", error->message);
      return 1;
    }

  /* Scripts wait for these lines: all of them, flushed, before serving; the
   * relay's come before the http line.
   */
  lines = kibitz_signaling_server_listening (signaling);
  for (guint i = 0; lines[i]; i++)
    g_ptr_array_add (listening, g_strdup (lines[i]));
  for (guint i = 0; i < listening->len; i++)
    {
      printf ("listening %s\n", (char *) g_ptr_array_index (listening, i));
      fflush (stdout);
    }

  g_main_loop_run (loop);

  g_message ("shutting down");
  kibitz_signaling_server_shutdown (signaling);
  if (turn)
    kibitz_turn_server_stop (turn);

  return 0;
}
