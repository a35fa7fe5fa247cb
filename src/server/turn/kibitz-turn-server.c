/* kibitz-turn-server.c: configuration, listening sockets, starting and
 * stopping the relay thread (kibitz-turn-relay.c), metrics.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* recvmmsg, sendmmsg, accept4 */
#define _GNU_SOURCE

#define G_LOG_DOMAIN "kibitz-turn"

#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <unistd.h>

#include "kibitz-turn-server-private.h"

G_DEFINE_QUARK (kibitz-turn-server-error-quark, kibitz_turn_server_error)

/* Setting up */

static gboolean
parse_ip (const char        *text,
          KibitzStunAddress *address)
{
  memset (address, 0, sizeof *address);
  if (inet_pton (AF_INET, text, address->addr) == 1)
    address->family = KIBITZ_STUN_FAMILY_IPV4;
  else if (inet_pton (AF_INET6, text, address->addr) == 1)
    address->family = KIBITZ_STUN_FAMILY_IPV6;
  else
    return FALSE;
  return TRUE;
}

/* "HOST:PORT" or "[V6]:PORT". */
static gboolean
parse_ip_port (const char        *text,
               KibitzStunAddress *address)
{
  g_autofree char *host = NULL;
  const char *colon = strrchr (text, ':');
  guint64 port;

  if (colon == NULL || !g_ascii_string_to_unsigned (colon + 1, 10, 0, 65535, &port, NULL))
    return FALSE;
  if (text[0] == '[' && colon > text + 1 && colon[-1] == ']')
    host = g_strndup (text + 1, colon - text - 2);
  else
    host = g_strndup (text, colon - text);

  if (!parse_ip (host, address))
    return FALSE;
  address->port = port;
  return TRUE;
}

static int
open_socket (KibitzTurnServer  *self,
             KibitzStunAddress *address,
             int                type,
             GError           **error)
{
  struct sockaddr_storage storage;
  socklen_t length = kibitz_stun_address_to_sockaddr (address, &storage);
  int fd = socket (storage.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int on = 1, size = 4 << 20;
  g_autofree char *text = kibitz_stun_address_to_string (address);

  if (fd < 0)
    goto failed;

  /* Only TCP: on UDP it would let a second server share the port silently. */
  if (type == SOCK_STREAM)
    setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  if (storage.ss_family == AF_INET6)
    setsockopt (fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
  if (type == SOCK_DGRAM)
    {
      setsockopt (fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
      setsockopt (fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    }

  /* A backlog as the HTTP listener's: everyone behind a UDP-blocking school
   * firewall reconnecting at once would otherwise wait for SYN retransmits. */
  if (bind (fd, (struct sockaddr *) &storage, length) != 0 ||
      (type == SOCK_STREAM && listen (fd, 4096) != 0))
    goto failed;

  length = sizeof storage;
  getsockname (fd, (struct sockaddr *) &storage, &length);
  kibitz_stun_address_from_sockaddr (address, (struct sockaddr *) &storage, length);
  return fd;

failed:
  g_set_error (error, KIBITZ_TURN_SERVER_ERROR, KIBITZ_TURN_SERVER_ERROR_BIND,
               "Could not listen for TURN (%s) on %s: %s; is another TURN server running there?",
               type == SOCK_DGRAM ? "UDP" : "TCP", text, g_strerror (errno));
  if (fd >= 0)
    close (fd);
  return -1;
}

static gboolean
watch (KibitzTurnServer *self,
       Endpoint         *endpoint)
{
  struct epoll_event event = { .events = EPOLLIN };

  event.data.ptr = endpoint;
  return epoll_ctl (self->epoll_fd, EPOLL_CTL_ADD, endpoint->fd, &event) == 0;
}

static Listener *
listener_new (KibitzTurnServer        *self,
              EndpointKind             kind,
              const KibitzStunAddress *address,
              GError                 **error)
{
  g_autofree Listener *listener = g_new0 (Listener, 1);

  listener->endpoint.kind = kind;
  listener->local = *address;
  listener->endpoint.fd = open_socket (self, &listener->local,
                                       kind == ENDPOINT_UDP_LISTENER ? SOCK_DGRAM : SOCK_STREAM,
                                       error);
  if (listener->endpoint.fd < 0)
    return NULL;

  watch (self, &listener->endpoint);
  return g_steal_pointer (&listener);
}

static void
listener_free (gpointer data)
{
  Listener *listener = data;

  if (listener->endpoint.fd >= 0)
    close (listener->endpoint.fd);
  g_free (listener);
}

/* UDP and TCP on the same port; with port 0 the UDP port picked by the
 * kernel may be taken for TCP, so try a few. */
static gboolean
open_main_listeners (KibitzTurnServer        *self,
                     const KibitzStunAddress *address,
                     GError                 **error)
{
  int attempt;

  for (attempt = 0; attempt < 16; attempt++)
    {
      g_autoptr(GError) local_error = NULL;
      KibitzStunAddress udp_address = *address;
      Listener *udp, *tcp;

      udp = listener_new (self, ENDPOINT_UDP_LISTENER, &udp_address, error);
      if (udp == NULL)
        return FALSE;

      tcp = listener_new (self, ENDPOINT_TCP_LISTENER, &udp->local, &local_error);
      if (tcp != NULL)
        {
          self->udp = udp;
          g_ptr_array_add (self->tcp_listeners, tcp);
          return TRUE;
        }

      epoll_ctl (self->epoll_fd, EPOLL_CTL_DEL, udp->endpoint.fd, NULL);
      listener_free (udp);
      if (address->port != 0)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }

  g_set_error (error, KIBITZ_TURN_SERVER_ERROR, KIBITZ_TURN_SERVER_ERROR_BIND,
               "Could not find a port free for both UDP and TCP: give one with --turn");
  return FALSE;
}

static gboolean invalid (GError    **error,
                         const char *format,
                         ...) G_GNUC_PRINTF (2, 3);

static gboolean
invalid (GError    **error,
         const char *format,
         ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error_literal (error, KIBITZ_TURN_SERVER_ERROR, KIBITZ_TURN_SERVER_ERROR_INVALID, message);
  return FALSE;
}

static gboolean
configure (KibitzTurnServer       *self,
           const KibitzTurnConfig *config,
           KibitzStunAddress      *listen,
           GError                **error)
{
  const char * const *iter;

  if (config->secret == NULL || config->secret[0] == '\0')
    return invalid (error, "The TURN relay needs the shared secret of the REST API credentials");
  if (!parse_ip (config->listen_host ? config->listen_host : "0.0.0.0", listen))
    return invalid (error, "“%s” is not an IP address to listen for TURN on", config->listen_host);
  listen->port = config->listen_port;

  self->secret = g_strdup (config->secret);
  if (config->scope != NULL)
    self->scope = *config->scope;
  self->realm = g_strdup (config->realm ? config->realm : "kibitz");
  self->relay_port_min = config->relay_port_min ? config->relay_port_min : 49152;
  self->relay_port_max = config->relay_port_max ? config->relay_port_max : 65535;
  self->user_quota = config->user_quota ? config->user_quota : 64;
  self->room_quota = config->room_quota ? config->room_quota : 1280;
  self->address_quota = config->address_quota ? config->address_quota : 2560;
  self->total_quota = config->total_quota ? config->total_quota : 10000;
  self->usage_keep = config->usage_keep ? config->usage_keep : 300;
  self->default_lifetime = config->default_lifetime ? config->default_lifetime : 600;
  self->max_lifetime = MAX (config->max_lifetime ? config->max_lifetime : 3600,
                            self->default_lifetime);
  self->nonce_lifetime = config->nonce_lifetime ? config->nonce_lifetime : 600;
  if (self->relay_port_min > self->relay_port_max)
    return invalid (error, "The relay port range is empty: give it as MIN-MAX with MIN <= MAX");

  for (iter = config->relay_ips; iter && *iter; iter++)
    {
      KibitzStunAddress ip;

      if (!parse_ip (*iter, &ip))
        return invalid (error, "“%s” is not an IP address to relay from", *iter);
      if (self->relay_ip[ip.family - 1].family != 0)
        return invalid (error, "“%s”: give at most one relay address per address family", *iter);
      self->relay_ip[ip.family - 1] = ip;
    }
  if (config->relay_ips == NULL || config->relay_ips[0] == NULL)
    self->relay_ip[listen->family - 1] = *listen;

  if (config->external_ip && !parse_ip (config->external_ip, &self->external_ip))
    return invalid (error, "“%s” is not an external IP address", config->external_ip);

  for (int i = 0; i < 2; i++)
    if (self->relay_ip[i].family != 0 && turn_address_is_unspecified (&self->relay_ip[i]) &&
        self->external_ip.family != self->relay_ip[i].family)
      return invalid (error, "Listening for TURN on every address needs --relay-ip (the "
                      "address clients reach the relay at) or --external-ip");

  self->policy = kibitz_peer_address_policy_new ();
  for (iter = config->allow_peers; iter && *iter; iter++)
    if (!kibitz_peer_address_policy_allow (self->policy, *iter, error))
      return FALSE;
  for (int i = 0; i < 2; i++)
    if (self->relay_ip[i].family != 0)
      kibitz_peer_address_policy_add_self (self->policy, &self->relay_ip[i]);
  if (self->external_ip.family != 0)
    kibitz_peer_address_policy_add_self (self->policy, &self->external_ip);

  return TRUE;
}

static guint
client_key_hash (gconstpointer data)
{
  const guint8 *bytes = data;
  guint hash = 2166136261u;
  gsize i;

  G_STATIC_ASSERT (sizeof (ClientKey) % sizeof (gpointer) == 0);
  for (i = 0; i < sizeof (ClientKey); i++)
    hash = (hash ^ bytes[i]) * 16777619u;
  return hash;
}

static gboolean
client_key_equal (gconstpointer a,
                  gconstpointer b)
{
  return memcmp (a, b, sizeof (ClientKey)) == 0;
}

static void
usage_free (gpointer data)
{
  Usage *usage = data;

  g_free (usage->id);
  g_free (usage);
}

KibitzTurnServer *
kibitz_turn_server_new (const KibitzTurnConfig  *config,
                        GError                 **error)
{
  g_autoptr(KibitzTurnServer) self = g_new0 (KibitzTurnServer, 1);
  KibitzStunAddress listen;
  const char * const *iter;

  self->epoll_fd = -1;
  self->wake.fd = -1;
  self->tcp_listeners = g_ptr_array_new_with_free_func (listener_free);
  self->by_client = g_hash_table_new (client_key_hash, client_key_equal);
  self->by_relay_port = g_hash_table_new (NULL, NULL);
  self->connections = g_hash_table_new (NULL, NULL);
  self->per_ip = g_hash_table_new_full (turn_ip_hash, turn_ip_equal, g_free, NULL);
  self->per_room = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, turn_room_free);
  self->per_address = g_hash_table_new_full (turn_ip_hash, turn_ip_equal, g_free, NULL);
  self->spare_fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  self->closed = g_ptr_array_new ();
  self->deferred = g_ptr_array_new_with_free_func (g_free);
  self->reservations = g_array_new (FALSE, FALSE, sizeof (Reservation));
  self->usage = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, usage_free);
  g_mutex_init (&self->usage_lock);
  self->buffers = g_malloc (TURN_BATCH * TURN_BUFFER_SIZE);
  self->random_state = g_random_int () | 1;
  self->now = g_get_monotonic_time () / G_USEC_PER_SEC;
  if (getrandom (self->nonce_key, sizeof self->nonce_key, 0) != sizeof self->nonce_key)
    for (gsize i = 0; i < sizeof self->nonce_key; i++)
      self->nonce_key[i] = g_random_int ();

  if (!configure (self, config, &listen, error))
    return NULL;

  self->epoll_fd = epoll_create1 (EPOLL_CLOEXEC);
  self->wake.kind = ENDPOINT_WAKE;
  self->wake.fd = eventfd (0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (self->epoll_fd < 0 || self->wake.fd < 0 || !watch (self, &self->wake))
    {
      g_set_error (error, KIBITZ_TURN_SERVER_ERROR, KIBITZ_TURN_SERVER_ERROR_BIND,
                   "Could not set up the TURN relay's event loop: %s", g_strerror (errno));
      return NULL;
    }

  if (!open_main_listeners (self, &listen, error))
    return NULL;

  for (iter = config->extra_tcp; iter && *iter; iter++)
    {
      KibitzStunAddress address;
      Listener *listener;

      if (!parse_ip_port (*iter, &address))
        {
          invalid (error, "“%s” is not an address and port for TCP: write it like 0.0.0.0:443",
                   *iter);
          return NULL;
        }
      listener = listener_new (self, ENDPOINT_TCP_LISTENER, &address, error);
      if (listener == NULL)
        return NULL;
      g_ptr_array_add (self->tcp_listeners, listener);
    }

  return g_steal_pointer (&self);
}

gboolean
kibitz_turn_server_start (KibitzTurnServer  *self,
                          GError           **error)
{
  if (self->thread != NULL)
    {
      g_set_error (error, KIBITZ_TURN_SERVER_ERROR, KIBITZ_TURN_SERVER_ERROR_STATE,
                   "The TURN relay is running already");
      return FALSE;
    }

  self->running = TRUE;
  self->thread = g_thread_try_new ("kibitz-turn", turn_relay_thread, self, error);
  if (self->thread == NULL)
    {
      self->running = FALSE;
      return FALSE;
    }
  return TRUE;
}

void
kibitz_turn_server_stop (KibitzTurnServer *self)
{
  guint64 one = 1;

  if (self->thread == NULL)
    return;

  if (write (self->wake.fd, &one, sizeof one) < 0)
    g_warning ("Could not wake the TURN relay thread: %s", g_strerror (errno));
  g_thread_join (g_steal_pointer (&self->thread));
}

void
kibitz_turn_server_free (KibitzTurnServer *self)
{
  g_autoptr(GPtrArray) allocations = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  if (self == NULL)
    return;

  kibitz_turn_server_stop (self);

  g_hash_table_iter_init (&iter, self->connections);
  while (g_hash_table_iter_next (&iter, &value, NULL))
    turn_connection_schedule_close (self, value);
  for (guint i = 0; i < self->closed->len; i++)
    turn_connection_close (self, g_ptr_array_index (self->closed, i));

  g_hash_table_iter_init (&iter, self->by_relay_port);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (allocations, value);
  for (guint i = 0; i < allocations->len; i++)
    turn_allocation_free (self, g_ptr_array_index (allocations, i));
  turn_reservations_clear (self);

  g_clear_pointer (&self->deferred, g_ptr_array_unref);
  g_clear_pointer (&self->closed, g_ptr_array_unref);
  g_clear_pointer (&self->tcp_listeners, g_ptr_array_unref);
  g_clear_pointer (&self->udp, listener_free);
  if (self->wake.fd >= 0)
    close (self->wake.fd);
  if (self->epoll_fd >= 0)
    close (self->epoll_fd);

  g_hash_table_unref (self->by_client);
  g_hash_table_unref (self->by_relay_port);
  g_hash_table_unref (self->connections);
  g_hash_table_unref (self->per_ip);
  g_hash_table_unref (self->usage);
  g_hash_table_unref (self->per_room);
  g_hash_table_unref (self->per_address);
  if (self->spare_fd >= 0)
    close (self->spare_fd);
  g_array_unref (self->reservations);
  g_mutex_clear (&self->usage_lock);
  g_clear_pointer (&self->policy, kibitz_peer_address_policy_free);
  g_free (self->buffers);
  g_free (self->secret);
  g_free (self->realm);
  g_free (self);
}

/* Reading back */

char *
kibitz_turn_server_get_udp_address (KibitzTurnServer *self)
{
  return kibitz_stun_address_to_string (&self->udp->local);
}

char *
kibitz_turn_server_get_tcp_address (KibitzTurnServer *self)
{
  Listener *listener = g_ptr_array_index (self->tcp_listeners, 0);

  return kibitz_stun_address_to_string (&listener->local);
}

GStrv
kibitz_turn_server_get_extra_tcp_addresses (KibitzTurnServer *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 1; i < self->tcp_listeners->len; i++)
    {
      Listener *listener = g_ptr_array_index (self->tcp_listeners, i);

      g_autofree char *text = kibitz_stun_address_to_string (&listener->local);

      g_strv_builder_add (builder, text);
    }
  return g_strv_builder_end (builder);
}

guint16
kibitz_turn_server_get_port (KibitzTurnServer *self)
{
  return self->udp->local.port;
}

void
kibitz_turn_server_get_metrics (KibitzTurnServer  *self,
                                KibitzTurnMetrics *metrics)
{
  const guint64 *from = (const guint64 *) &self->metrics;
  guint64 *to = (guint64 *) metrics;

  G_STATIC_ASSERT (sizeof (KibitzTurnMetrics) % sizeof (guint64) == 0);
  for (gsize i = 0; i < sizeof (KibitzTurnMetrics) / sizeof (guint64); i++)
    to[i] = __atomic_load_n (&from[i], __ATOMIC_RELAXED);
}

void
kibitz_turn_server_foreach_usage (KibitzTurnServer    *self,
                                  KibitzTurnUsageFunc  func,
                                  gpointer             user_data)
{
  GHashTableIter iter;
  gpointer value;

  g_mutex_lock (&self->usage_lock);
  g_hash_table_iter_init (&iter, self->usage);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Usage *usage = value;

      func (usage->id, __atomic_load_n (&usage->bytes_to_peers, __ATOMIC_RELAXED),
            __atomic_load_n (&usage->bytes_from_peers, __ATOMIC_RELAXED), user_data);
    }
  g_mutex_unlock (&self->usage_lock);
}

typedef struct {
  char    *key;
  guint64  to_peers;
  guint64  from_peers;
} RoomSum;

static void
room_sum_clear (gpointer data)
{
  g_free (((RoomSum *) data)->key);
}

void
kibitz_turn_server_foreach_room (KibitzTurnServer    *self,
                                 KibitzTurnUsageFunc  func,
                                 gpointer             user_data)
{
  g_autoptr(GArray) sums = g_array_new (FALSE, TRUE, sizeof (RoomSum));
  g_autoptr(GHashTable) index = g_hash_table_new (NULL, NULL);  /* TurnRoom* -> index + 1 */
  GHashTableIter iter;
  gpointer value;

  g_array_set_clear_func (sums, room_sum_clear);

  g_mutex_lock (&self->usage_lock);
  g_hash_table_iter_init (&iter, self->per_room);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      TurnRoom *room = value;
      RoomSum sum = { g_strdup (room->key), room->retired_to_peers, room->retired_from_peers };

      g_array_append_val (sums, sum);
      g_hash_table_insert (index, room, GUINT_TO_POINTER (sums->len));
    }
  g_hash_table_iter_init (&iter, self->usage);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Usage *usage = value;
      guint i = GPOINTER_TO_UINT (g_hash_table_lookup (index, usage->room));
      RoomSum *sum;

      if (usage->room == NULL || i == 0)
        continue;
      sum = &g_array_index (sums, RoomSum, i - 1);
      sum->to_peers += __atomic_load_n (&usage->bytes_to_peers, __ATOMIC_RELAXED);
      sum->from_peers += __atomic_load_n (&usage->bytes_from_peers, __ATOMIC_RELAXED);
    }
  g_mutex_unlock (&self->usage_lock);

  /* Outside the lock: the relay thread need not wait for what @func does. */
  for (guint i = 0; i < sums->len; i++)
    {
      RoomSum *sum = &g_array_index (sums, RoomSum, i);

      func (sum->key, sum->to_peers, sum->from_peers, user_data);
    }
}
