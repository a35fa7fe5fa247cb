/* kibitz-class-scope.c
 *
 * One mutex guards everything: the relay asks only when a permission or a
 * channel is made or a request is authenticated, never per packet, so it is
 * never contended in a way that shows.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-server"

#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "kibitz-class-scope.h"

#define VOIDED_MAX 100000

/* IPs as g_inet_address_to_string() writes them: almost every member has
 * one, so it is kept inline; a member that moved networks has more. */
typedef struct {
  char      *room;
  char      *address;
  GPtrArray *more;        /* char *, or NULL */
} Member;

static gboolean
member_has_address (Member     *member,
                    const char *ip)
{
  if (g_strcmp0 (member->address, ip) == 0)
    return TRUE;
  for (guint i = 0; member->more != NULL && i < member->more->len; i++)
    if (g_str_equal (g_ptr_array_index (member->more, i), ip))
      return TRUE;
  return FALSE;
}

struct _KibitzClassScope {
  GMutex           lock;
  GHashTable      *members;   /* peer id -> Member */
  GHashTable      *voided;    /* peer ids */
  KibitzTurnScope  turn;
};

static void
member_free (Member *member)
{
  g_free (member->room);
  g_free (member->address);
  if (member->more != NULL)
    g_ptr_array_unref (member->more);
  g_free (member);
}

/* "::ffff:192.0.2.1" is 192.0.2.1: a server bound to :: sees IPv4 clients so. */
static char *
normalize_address (const char *address)
{
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (address);

  if (inet == NULL)
    return g_strdup (address);
  if (g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6)
    {
      const guint8 *bytes = g_inet_address_to_bytes (inet);
      static const guint8 mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

      if (memcmp (bytes, mapped, sizeof mapped) == 0)
        {
          g_autoptr(GInetAddress) v4 = g_inet_address_new_from_bytes (bytes + 12,
                                                                      G_SOCKET_FAMILY_IPV4);

          return g_inet_address_to_string (v4);
        }
    }
  return g_inet_address_to_string (inet);
}

static char *
stun_address_ip (const KibitzStunAddress *peer)
{
  g_autoptr(GInetAddress) inet = NULL;
  g_autofree char *text = NULL;

  inet = g_inet_address_new_from_bytes (peer->addr, peer->family == KIBITZ_STUN_FAMILY_IPV4
                                                    ? G_SOCKET_FAMILY_IPV4 : G_SOCKET_FAMILY_IPV6);
  text = g_inet_address_to_string (inet);
  return normalize_address (text);
}

static gboolean
scope_id_allowed (const char *id,
                  gpointer    user_data)
{
  KibitzClassScope *self = user_data;
  gboolean allowed;

  g_mutex_lock (&self->lock);
  allowed = !g_hash_table_contains (self->voided, id) && g_hash_table_contains (self->members, id);
  g_mutex_unlock (&self->lock);
  return allowed;
}

static gboolean
scope_id_voided (const char *id,
                 gpointer    user_data)
{
  KibitzClassScope *self = user_data;
  gboolean voided;

  g_mutex_lock (&self->lock);
  voided = g_hash_table_contains (self->voided, id);
  g_mutex_unlock (&self->lock);
  return voided;
}

static char *
scope_room_of (const char *id,
               gpointer    user_data)
{
  KibitzClassScope *self = user_data;
  Member *member;
  char *room = NULL;

  g_mutex_lock (&self->lock);
  member = g_hash_table_lookup (self->members, id);
  if (member != NULL)
    room = g_strdup (member->room);
  g_mutex_unlock (&self->lock);
  return room;
}

static gboolean
scope_peer_allowed (const char              *id,
                    const KibitzStunAddress *peer,
                    const char              *owner,
                    gpointer                 user_data)
{
  KibitzClassScope *self = user_data;
  g_autofree char *ip = stun_address_ip (peer);
  gboolean allowed = FALSE;
  Member *member, *other;
  GHashTableIter iter;

  g_mutex_lock (&self->lock);
  member = g_hash_table_lookup (self->members, id);
  if (member != NULL && owner != NULL && (other = g_hash_table_lookup (self->members, owner)))
    allowed = g_str_equal (other->room, member->room);

  /* At most a few hundred members on a server: a walk is cheaper than an
   * index kept up to date at every join. */
  if (member != NULL && !allowed)
    {
      g_hash_table_iter_init (&iter, self->members);
      while (!allowed && g_hash_table_iter_next (&iter, NULL, (gpointer *) &other))
        allowed = g_str_equal (other->room, member->room) && member_has_address (other, ip);
    }
  g_mutex_unlock (&self->lock);
  g_debug ("relay scope: %s (%s) to %s (owner %s): %s", id, member ? member->room : "none", ip,
           owner ? owner : "none", allowed ? "allowed" : "refused");
  return allowed;
}

KibitzClassScope *
kibitz_class_scope_new (void)
{
  KibitzClassScope *self = g_new0 (KibitzClassScope, 1);

  g_mutex_init (&self->lock);
  self->members = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) member_free);
  self->voided = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->turn.id_allowed = scope_id_allowed;
  self->turn.peer_allowed = scope_peer_allowed;
  self->turn.id_voided = scope_id_voided;
  self->turn.room_of = scope_room_of;
  self->turn.user_data = self;
  return self;
}

void
kibitz_class_scope_free (KibitzClassScope *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->members);
  g_hash_table_unref (self->voided);
  g_mutex_clear (&self->lock);
  g_free (self);
}

void
kibitz_class_scope_join (KibitzClassScope *self,
                         const char       *peer_id,
                         const char       *room,
                         const char       *address)
{
  g_autofree char *ip = address ? normalize_address (address) : NULL;
  Member *member;

  g_mutex_lock (&self->lock);
  member = g_hash_table_lookup (self->members, peer_id);
  if (member == NULL)
    {
      member = g_new0 (Member, 1);
      g_hash_table_insert (self->members, g_strdup (peer_id), member);
    }
  if (g_strcmp0 (member->room, room) != 0)
    {
      g_free (member->room);
      member->room = g_strdup (room);
    }
  if (ip != NULL && member->address == NULL)
    member->address = g_steal_pointer (&ip);
  else if (ip != NULL && !member_has_address (member, ip))
    {
      if (member->more == NULL)
        member->more = g_ptr_array_new_with_free_func (g_free);
      g_ptr_array_add (member->more, g_steal_pointer (&ip));
    }
  g_mutex_unlock (&self->lock);
}

void
kibitz_class_scope_leave (KibitzClassScope *self,
                          const char       *peer_id)
{
  g_mutex_lock (&self->lock);
  g_hash_table_remove (self->members, peer_id);
  g_mutex_unlock (&self->lock);
}

void
kibitz_class_scope_void (KibitzClassScope *self,
                         const char       *peer_id)
{
  g_mutex_lock (&self->lock);
  if (g_hash_table_size (self->voided) >= VOIDED_MAX)
    g_hash_table_remove_all (self->voided);
  g_hash_table_add (self->voided, g_strdup (peer_id));
  g_hash_table_remove (self->members, peer_id);
  g_mutex_unlock (&self->lock);
}

const KibitzTurnScope *
kibitz_class_scope_for_turn (KibitzClassScope *self)
{
  return &self->turn;
}
