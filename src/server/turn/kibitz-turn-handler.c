/* kibitz-turn-handler.c: STUN Binding and the TURN methods (RFC 8656 §7-§12)
 * with long-term credentials in the TURN REST API scheme; Send indications
 * and ChannelData go on to kibitz-turn-data.c. Relay thread only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* recvmmsg, sendmmsg, accept4 */
#define _GNU_SOURCE

#define G_LOG_DOMAIN "kibitz-turn"

#include "config.h"

#include <string.h>

#include "kibitz-stun-auth.h"
#include "kibitz-turn-credentials.h"
#include "kibitz-turn-server-private.h"

#define SOFTWARE "Kibitz " PACKAGE_VERSION
#define NONCE_LENGTH 32
#define UDP_PROTOCOL 17

typedef struct {
  KibitzTurnServer        *server;
  Listener                *listener;
  TcpConnection           *connection;
  const KibitzStunAddress *client;
  const KibitzStunMessage *request;
  gboolean                 fingerprint;  /* answer with one when the request had one */
  gboolean                 signed_;      /* authenticated: sign the answer */
  guint8                   key[KIBITZ_STUN_LONG_TERM_KEY_SIZE];
  char                     username[KIBITZ_STUN_MAX_USERNAME + 1];
  char                    *id;           /* the username's id part, once authenticated */
} Context;

static void
context_clear (Context *ctx)
{
  g_clear_pointer (&ctx->id, g_free);
}

/* Nonces are "<expiry, 16 hex digits><first 8 bytes of HMAC(key, expiry), hex>":
 * the server keeps no state for them, and one goes stale when its time passes. */
static void
make_nonce (KibitzTurnServer *server,
            char              nonce[NONCE_LENGTH + 1])
{
  g_autoptr(GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA1, server->nonce_key,
                                      sizeof server->nonce_key);
  gint64 expiry = g_get_real_time () / G_USEC_PER_SEC + server->nonce_lifetime;
  guint8 digest[20];
  gsize digest_length = sizeof digest, i;

  g_snprintf (nonce, 17, "%016" G_GINT64_MODIFIER "x", expiry);
  g_hmac_update (hmac, (const guchar *) nonce, 16);
  g_hmac_get_digest (hmac, digest, &digest_length);
  for (i = 0; i < 8; i++)
    g_snprintf (nonce + 16 + 2 * i, 3, "%02x", digest[i]);
}

static gboolean
nonce_is_valid (KibitzTurnServer *server,
                const char       *nonce,
                gsize             length)
{
  char expected[NONCE_LENGTH + 1];
  char prefix[17];
  g_autoptr(GHmac) hmac = NULL;
  guint8 digest[20];
  gsize digest_length = sizeof digest, i;
  guint64 expiry;
  guint8 diff = 0;

  if (length != NONCE_LENGTH)
    return FALSE;

  memcpy (prefix, nonce, 16);
  prefix[16] = '\0';
  if (!g_ascii_string_to_unsigned (prefix, 16, 0, G_MAXINT64, &expiry, NULL) ||
      (gint64) expiry < g_get_real_time () / G_USEC_PER_SEC)
    return FALSE;

  hmac = g_hmac_new (G_CHECKSUM_SHA1, server->nonce_key, sizeof server->nonce_key);
  g_hmac_update (hmac, (const guchar *) prefix, 16);
  g_hmac_get_digest (hmac, digest, &digest_length);
  for (i = 0; i < 8; i++)
    g_snprintf (expected + 2 * i, 3, "%02x", digest[i]);
  for (i = 0; i < 16; i++)
    diff |= expected[i] ^ nonce[16 + i];

  return diff == 0;
}

/* Responses */

static void
begin_response (Context          *ctx,
                KibitzStunWriter *writer,
                KibitzStunClass   klass)
{
  kibitz_stun_writer_init (writer, ctx->server->response, sizeof ctx->server->response,
                           ctx->request->method, klass, ctx->request->transaction_id);
}

static void
finish_response (Context          *ctx,
                 KibitzStunWriter *writer)
{
  gsize length;

  kibitz_stun_writer_add_text (writer, KIBITZ_STUN_ATTR_SOFTWARE, SOFTWARE);
  if (ctx->signed_)
    kibitz_stun_writer_add_integrity (writer, ctx->key, sizeof ctx->key);
  if (ctx->fingerprint)
    kibitz_stun_writer_add_fingerprint (writer);

  length = kibitz_stun_writer_finish (writer);
  if (length == 0)
    {
      g_debug ("A response did not fit in %zu bytes", sizeof ctx->server->response);
      return;
    }

  turn_send_to_client (ctx->server, ctx->listener, ctx->connection, ctx->client,
                       ctx->server->response, length, FALSE);
}

static void
respond_error (Context    *ctx,
               int         code,
               const char *reason)
{
  KibitzStunWriter writer;

  begin_response (ctx, &writer, KIBITZ_STUN_CLASS_ERROR);
  kibitz_stun_writer_add_error_code (&writer, code, reason);

  if (code == KIBITZ_STUN_ERROR_UNKNOWN_ATTRIBUTE)
    kibitz_stun_writer_add_unknown_attributes (&writer, ctx->request->unknown,
                                               MIN (ctx->request->n_unknown,
                                                    KIBITZ_STUN_MAX_UNKNOWN));

  if (code == KIBITZ_STUN_ERROR_UNAUTHORIZED || code == KIBITZ_STUN_ERROR_STALE_NONCE)
    {
      char nonce[NONCE_LENGTH + 1];

      make_nonce (ctx->server, nonce);
      kibitz_stun_writer_add_text (&writer, KIBITZ_STUN_ATTR_REALM, ctx->server->realm);
      kibitz_stun_writer_add_text (&writer, KIBITZ_STUN_ATTR_NONCE, nonce);
    }

  finish_response (ctx, &writer);
}

/* RFC 8489 §9.2.4, in its order. On failure the answer is sent already. */
static gboolean
authenticate (Context    *ctx,
              Allocation *allocation)
{
  KibitzTurnServer *server = ctx->server;
  const char *username, *realm, *nonce;
  gsize username_length, realm_length, nonce_length;
  g_autofree char *password = NULL;
  gint64 expiry = 0;

  if (ctx->request->integrity_offset == 0)
    {
      respond_error (ctx, KIBITZ_STUN_ERROR_UNAUTHORIZED, "Unauthorized");
      return FALSE;
    }

  if (!kibitz_stun_message_get_text (ctx->request, KIBITZ_STUN_ATTR_USERNAME,
                                     &username, &username_length) ||
      !kibitz_stun_message_get_text (ctx->request, KIBITZ_STUN_ATTR_REALM,
                                     &realm, &realm_length) ||
      !kibitz_stun_message_get_text (ctx->request, KIBITZ_STUN_ATTR_NONCE,
                                     &nonce, &nonce_length))
    {
      respond_error (ctx, KIBITZ_STUN_ERROR_BAD_REQUEST, "Bad Request");
      return FALSE;
    }

  if (!nonce_is_valid (server, nonce, nonce_length))
    {
      TURN_COUNT (server, stale_nonces, 1);
      respond_error (ctx, KIBITZ_STUN_ERROR_STALE_NONCE, "Stale Nonce");
      return FALSE;
    }

  memcpy (ctx->username, username, username_length);
  ctx->username[username_length] = '\0';
  if (strlen (ctx->username) != username_length ||
      !kibitz_turn_username_parse (ctx->username, &expiry, &ctx->id) ||
      expiry < g_get_real_time () / G_USEC_PER_SEC)
    {
      TURN_COUNT (server, auth_failures, 1);
      respond_error (ctx, KIBITZ_STUN_ERROR_UNAUTHORIZED, "Unauthorized");
      return FALSE;
    }

  password = kibitz_turn_password (server->secret, ctx->username);
  kibitz_stun_long_term_key (ctx->username, username_length, server->realm,
                             strlen (server->realm), password, strlen (password), ctx->key);
  if (!kibitz_stun_message_check_integrity (ctx->request, ctx->key, sizeof ctx->key))
    {
      TURN_COUNT (server, auth_failures, 1);
      respond_error (ctx, KIBITZ_STUN_ERROR_UNAUTHORIZED, "Unauthorized");
      return FALSE;
    }

  /* Credentials of a peer that was removed, or whose class ended. */
  if (server->scope.id_allowed != NULL &&
      !server->scope.id_allowed (ctx->id, server->scope.user_data))
    {
      TURN_COUNT (server, auth_failures, 1);
      respond_error (ctx, KIBITZ_STUN_ERROR_UNAUTHORIZED, "Unauthorized");
      return FALSE;
    }

  ctx->signed_ = TRUE;
  if (allocation != NULL && g_strcmp0 (allocation->username, ctx->username) != 0)
    {
      TURN_COUNT (server, auth_failures, 1);
      respond_error (ctx, KIBITZ_STUN_ERROR_WRONG_CREDENTIALS, "Wrong Credentials");
      return FALSE;
    }

  return TRUE;
}

static Allocation *
find_allocation (Context *ctx)
{
  if (ctx->connection != NULL)
    return ctx->connection->allocation;
  return turn_allocation_find_udp (ctx->server, ctx->listener, ctx->client);
}

/* Binding */

static void
handle_binding (Context *ctx)
{
  KibitzStunWriter writer;

  TURN_COUNT (ctx->server, binding_requests, 1);
  begin_response (ctx, &writer, KIBITZ_STUN_CLASS_SUCCESS);
  kibitz_stun_writer_add_xor_address (&writer, KIBITZ_STUN_ATTR_XOR_MAPPED_ADDRESS, ctx->client);
  finish_response (ctx, &writer);
}

/* Allocate */

static void
respond_allocated (Context    *ctx,
                   Allocation *allocation)
{
  KibitzStunWriter writer;

  begin_response (ctx, &writer, KIBITZ_STUN_CLASS_SUCCESS);
  kibitz_stun_writer_add_xor_address (&writer, KIBITZ_STUN_ATTR_XOR_RELAYED_ADDRESS,
                                      &allocation->advertised);
  kibitz_stun_writer_add_uint32 (&writer, KIBITZ_STUN_ATTR_LIFETIME,
                                 MAX (allocation->expires - ctx->server->now, 0));
  if (allocation->reservation_token != 0)
    kibitz_stun_writer_add_uint64 (&writer, KIBITZ_STUN_ATTR_RESERVATION_TOKEN,
                                   allocation->reservation_token);
  kibitz_stun_writer_add_xor_address (&writer, KIBITZ_STUN_ATTR_XOR_MAPPED_ADDRESS, ctx->client);
  finish_response (ctx, &writer);
}

static guint
clamp_lifetime (KibitzTurnServer        *server,
                const KibitzStunMessage *request)
{
  guint32 requested;

  if (!kibitz_stun_message_get_uint32 (request, KIBITZ_STUN_ATTR_LIFETIME, &requested))
    return server->default_lifetime;

  return MAX (MIN (requested, server->max_lifetime), server->default_lifetime);
}

/* Checks the attributes of an Allocate; returns 0 or the error to answer. */
static int
check_allocate (Context  *ctx,
                guint8   *family,
                gboolean *even_port,
                gboolean *reserve_next,
                guint64  *token)
{
  const KibitzStunMessage *request = ctx->request;
  gboolean has_family, has_even_port, has_token;
  guint8 protocol;

  if (!kibitz_stun_message_get_requested_transport (request, &protocol))
    return KIBITZ_STUN_ERROR_BAD_REQUEST;
  if (protocol != UDP_PROTOCOL)
    return KIBITZ_STUN_ERROR_UNSUPPORTED_TRANSPORT_PROTOCOL;

  has_family = kibitz_stun_message_has (request, KIBITZ_STUN_ATTR_REQUESTED_ADDRESS_FAMILY);
  has_even_port = kibitz_stun_message_has (request, KIBITZ_STUN_ATTR_EVEN_PORT);
  has_token = kibitz_stun_message_has (request, KIBITZ_STUN_ATTR_RESERVATION_TOKEN);

  if (has_token && (has_even_port || has_family))
    return KIBITZ_STUN_ERROR_BAD_REQUEST;
  if (has_even_port && !kibitz_stun_message_get_even_port (request, reserve_next))
    return KIBITZ_STUN_ERROR_BAD_REQUEST;
  if (has_token && !kibitz_stun_message_get_uint64 (request, KIBITZ_STUN_ATTR_RESERVATION_TOKEN,
                                                    token))
    return KIBITZ_STUN_ERROR_BAD_REQUEST;
  *even_port = has_even_port;

  if (has_family)
    {
      if (!kibitz_stun_message_get_requested_family (request, family))
        return KIBITZ_STUN_ERROR_BAD_REQUEST;
      if (*family != KIBITZ_STUN_FAMILY_IPV4 && *family != KIBITZ_STUN_FAMILY_IPV6)
        return KIBITZ_STUN_ERROR_ADDRESS_FAMILY_NOT_SUPPORTED;
    }
  else
    {
      /* IPv4 by default (RFC 8656 §7.2), or IPv6 on a server that has only that. */
      *family = ctx->server->relay_ip[0].family != 0 ? KIBITZ_STUN_FAMILY_IPV4
                                                     : KIBITZ_STUN_FAMILY_IPV6;
    }

  return 0;
}

static void
handle_allocate (Context *ctx)
{
  KibitzTurnServer *server = ctx->server;
  Allocation *allocation = find_allocation (ctx);
  gboolean even_port = FALSE, reserve_next = FALSE;
  guint64 token = 0;
  guint8 family = 0;
  Usage *usage;
  g_autofree char *room = NULL;
  int code;

  if (!authenticate (ctx, allocation))
    return;

  if (allocation != NULL)
    {
      /* A retransmitted Allocate gets the same answer; another one is a mismatch. */
      if (memcmp (allocation->transaction_id, ctx->request->transaction_id,
                  KIBITZ_STUN_TRANSACTION_ID_SIZE) == 0)
        respond_allocated (ctx, allocation);
      else
        respond_error (ctx, KIBITZ_STUN_ERROR_ALLOCATION_MISMATCH, "Allocation Mismatch");
      return;
    }

  code = check_allocate (ctx, &family, &even_port, &reserve_next, &token);
  if (code != 0)
    {
      respond_error (ctx, code, code == KIBITZ_STUN_ERROR_BAD_REQUEST ? "Bad Request"
                                : code == KIBITZ_STUN_ERROR_ADDRESS_FAMILY_NOT_SUPPORTED
                                ? "Address Family not Supported"
                                : "Unsupported Transport Protocol");
      return;
    }

  usage = turn_usage_get (server, ctx->id);
  if (server->scope.room_of != NULL)
    room = server->scope.room_of (ctx->id, server->scope.user_data);
  if (turn_quota_reached (server, usage, room, ctx->client))
    {
      TURN_COUNT (server, quota_rejections, 1);
      respond_error (ctx, KIBITZ_STUN_ERROR_ALLOCATION_QUOTA_REACHED, "Allocation Quota Reached");
      return;
    }

  allocation = turn_allocation_new (server, ctx->listener, ctx->connection, ctx->client, family,
                                    even_port, reserve_next, token, &code);
  if (allocation == NULL)
    {
      respond_error (ctx, code, code == KIBITZ_STUN_ERROR_ADDRESS_FAMILY_NOT_SUPPORTED
                                ? "Address Family not Supported" : "Insufficient Capacity");
      return;
    }

  allocation->username = g_strdup (ctx->username);
  memcpy (allocation->key_md5, ctx->key, sizeof ctx->key);
  memcpy (allocation->transaction_id, ctx->request->transaction_id,
          KIBITZ_STUN_TRANSACTION_ID_SIZE);
  turn_allocation_attach (server, allocation, usage, room, ctx->client);
  allocation->expires = server->now + clamp_lifetime (server, ctx->request);

  g_debug ("Allocated a relay for “%s”", ctx->username);
  respond_allocated (ctx, allocation);
}

/* Refresh */

static void
handle_refresh (Context *ctx)
{
  KibitzTurnServer *server = ctx->server;
  Allocation *allocation = find_allocation (ctx);
  KibitzStunWriter writer;
  guint32 requested = 0;
  guint8 family;
  guint lifetime;

  if (!authenticate (ctx, allocation))
    return;
  if (allocation == NULL)
    {
      respond_error (ctx, KIBITZ_STUN_ERROR_ALLOCATION_MISMATCH, "Allocation Mismatch");
      return;
    }
  if (kibitz_stun_message_get_requested_family (ctx->request, &family) &&
      family != allocation->relay.family)
    {
      respond_error (ctx, KIBITZ_STUN_ERROR_PEER_ADDRESS_FAMILY_MISMATCH,
                     "Peer Address Family Mismatch");
      return;
    }

  if (kibitz_stun_message_get_uint32 (ctx->request, KIBITZ_STUN_ATTR_LIFETIME, &requested) &&
      requested == 0)
    {
      lifetime = 0;
      turn_allocation_free (server, allocation);
    }
  else
    {
      lifetime = clamp_lifetime (server, ctx->request);
      allocation->expires = server->now + lifetime;
    }

  begin_response (ctx, &writer, KIBITZ_STUN_CLASS_SUCCESS);
  kibitz_stun_writer_add_uint32 (&writer, KIBITZ_STUN_ATTR_LIFETIME, lifetime);
  finish_response (ctx, &writer);
}

/* CreatePermission and ChannelBind */

/* Returns 0 when @allocation may relay to @peer, else the error to answer. */
static int
check_peer (KibitzTurnServer        *server,
            Allocation              *allocation,
            const KibitzStunAddress *peer,
            gboolean                *self)
{
  KibitzPeerVerdict verdict;

  if (peer->family != allocation->relay.family)
    return KIBITZ_STUN_ERROR_PEER_ADDRESS_FAMILY_MISMATCH;

  /* The room scope first: the deny list and --allow-peer only narrow it. */
  if (server->scope.peer_allowed != NULL)
    {
      Allocation *owner = NULL;

      if (turn_same_ip (&allocation->relay, peer) || turn_same_ip (&server->external_ip, peer))
        {
          KibitzStunAddress relay = allocation->relay;

          relay.port = peer->port;
          owner = turn_allocation_find_by_relay (server, &relay);
        }
      if (!server->scope.peer_allowed (allocation->usage->id, peer,
                                       owner ? owner->usage->id : NULL, server->scope.user_data))
        {
          TURN_COUNT (server, denied_peers, 1);
          return KIBITZ_STUN_ERROR_FORBIDDEN;
        }
    }

  /* The address this server is advertised at (--external-ip) means its own
   * relay even inside an --allow-peer range: sent to as an ordinary peer,
   * it would leave through the kernel for an address outside the NAT. */
  if (turn_same_ip (&server->external_ip, peer))
    {
      *self = TRUE;
      return 0;
    }

  verdict = kibitz_peer_address_policy_check (server->policy, peer);
  if (verdict == KIBITZ_PEER_DENIED)
    {
      TURN_COUNT (server, denied_peers, 1);
      return KIBITZ_STUN_ERROR_FORBIDDEN;
    }

  *self = verdict == KIBITZ_PEER_SELF;
  return 0;
}

static const char *
reason_for (int code)
{
  switch (code)
    {
    case KIBITZ_STUN_ERROR_BAD_REQUEST: return "Bad Request";
    case KIBITZ_STUN_ERROR_FORBIDDEN: return "Forbidden";
    case KIBITZ_STUN_ERROR_PEER_ADDRESS_FAMILY_MISMATCH: return "Peer Address Family Mismatch";
    case KIBITZ_STUN_ERROR_INSUFFICIENT_CAPACITY: return "Insufficient Capacity";
    default: return "Server Error";
    }
}

static void
handle_create_permission (Context *ctx)
{
  KibitzStunAddress peers[TURN_MAX_PERMISSIONS];
  gboolean self[TURN_MAX_PERMISSIONS];
  Allocation *allocation = find_allocation (ctx);
  KibitzStunAttrIter iter;
  KibitzStunAttr attr;
  KibitzStunWriter writer;
  guint n = 0, i;
  int code = 0;

  if (!authenticate (ctx, allocation))
    return;
  if (allocation == NULL)
    {
      respond_error (ctx, KIBITZ_STUN_ERROR_ALLOCATION_MISMATCH, "Allocation Mismatch");
      return;
    }

  /* All or nothing: every XOR-PEER-ADDRESS is checked before any is installed. */
  kibitz_stun_attr_iter_init (&iter, ctx->request);
  while (code == 0 && kibitz_stun_attr_iter_next (&iter, &attr))
    {
      if (attr.type != KIBITZ_STUN_ATTR_XOR_PEER_ADDRESS)
        continue;
      if (n == TURN_MAX_PERMISSIONS)
        code = KIBITZ_STUN_ERROR_INSUFFICIENT_CAPACITY;
      else if (!kibitz_stun_attr_get_xor_address (&attr, ctx->request->transaction_id, &peers[n]))
        code = KIBITZ_STUN_ERROR_BAD_REQUEST;
      else
        code = check_peer (ctx->server, allocation, &peers[n], &self[n]);
      n++;
    }

  if (code == 0 && n == 0)
    code = KIBITZ_STUN_ERROR_BAD_REQUEST;
  for (i = 0; code == 0 && i < n; i++)
    if (!turn_allocation_add_permission (ctx->server, allocation, &peers[i], self[i]))
      code = KIBITZ_STUN_ERROR_INSUFFICIENT_CAPACITY;

  if (code != 0)
    {
      respond_error (ctx, code, reason_for (code));
      return;
    }

  begin_response (ctx, &writer, KIBITZ_STUN_CLASS_SUCCESS);
  finish_response (ctx, &writer);
}

static void
handle_channel_bind (Context *ctx)
{
  Allocation *allocation = find_allocation (ctx);
  KibitzStunAddress peer;
  KibitzStunWriter writer;
  gboolean self = FALSE;
  guint16 number = 0;
  int code;

  if (!authenticate (ctx, allocation))
    return;
  if (allocation == NULL)
    {
      respond_error (ctx, KIBITZ_STUN_ERROR_ALLOCATION_MISMATCH, "Allocation Mismatch");
      return;
    }

  if (!kibitz_stun_message_get_channel_number (ctx->request, &number) ||
      number < KIBITZ_STUN_CHANNEL_MIN || number > TURN_CHANNEL_MAX_RFC5766 ||
      !kibitz_stun_message_get_xor_address (ctx->request, KIBITZ_STUN_ATTR_XOR_PEER_ADDRESS,
                                            &peer))
    code = KIBITZ_STUN_ERROR_BAD_REQUEST;
  else
    code = check_peer (ctx->server, allocation, &peer, &self);

  if (code == 0)
    code = turn_allocation_bind_channel (ctx->server, allocation, number, &peer);
  if (code == 0 && !turn_allocation_add_permission (ctx->server, allocation, &peer, self))
    code = KIBITZ_STUN_ERROR_INSUFFICIENT_CAPACITY;

  if (code != 0)
    {
      respond_error (ctx, code, reason_for (code));
      return;
    }

  begin_response (ctx, &writer, KIBITZ_STUN_CLASS_SUCCESS);
  finish_response (ctx, &writer);
}

/* Dispatch */

void
turn_handle_stun (KibitzTurnServer        *server,
                  Listener                *listener,
                  TcpConnection           *connection,
                  const KibitzStunAddress *client,
                  const guint8            *data,
                  gsize                    length)
{
  KibitzStunMessage request;
  Context ctx = { 0 };

  if (kibitz_stun_message_parse (&request, data, length) != KIBITZ_STUN_PARSE_OK)
    return;

  ctx.server = server;
  ctx.listener = listener;
  ctx.connection = connection;
  ctx.client = client;
  ctx.request = &request;
  ctx.fingerprint = request.fingerprint_offset != 0;

  if (request.klass == KIBITZ_STUN_CLASS_INDICATION)
    {
      if (request.method == KIBITZ_STUN_METHOD_SEND)
        turn_handle_send (server, find_allocation (&ctx), &request);
      return;
    }
  if (request.klass != KIBITZ_STUN_CLASS_REQUEST)
    return;

  if (request.n_unknown > 0)
    {
      respond_error (&ctx, KIBITZ_STUN_ERROR_UNKNOWN_ATTRIBUTE, "Unknown Attribute");
      return;
    }

  switch (request.method)
    {
    case KIBITZ_STUN_METHOD_BINDING:
      handle_binding (&ctx);
      break;
    case KIBITZ_STUN_METHOD_ALLOCATE:
      handle_allocate (&ctx);
      break;
    case KIBITZ_STUN_METHOD_REFRESH:
      handle_refresh (&ctx);
      break;
    case KIBITZ_STUN_METHOD_CREATE_PERMISSION:
      handle_create_permission (&ctx);
      break;
    case KIBITZ_STUN_METHOD_CHANNEL_BIND:
      handle_channel_bind (&ctx);
      break;
    default:
      respond_error (&ctx, KIBITZ_STUN_ERROR_BAD_REQUEST, "Bad Request");
      break;
    }

  context_clear (&ctx);
}
