/* kibitz-stun-attributes.c: typed attribute getters and the message writer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-stun"

#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include "kibitz-stun-message.h"
#include "kibitz-stun-private.h"

#define PAD4(n) (((n) + 3u) & ~(gsize) 3u)

/* Getters */

static gboolean
decode_address (const KibitzStunAttr *attr,
                KibitzStunAddress    *address)
{
  if (attr->length < 4)
    return FALSE;

  memset (address, 0, sizeof *address);
  address->family = attr->value[1];
  address->port = kibitz_stun_read16 (attr->value + 2);

  if (address->family == KIBITZ_STUN_FAMILY_IPV4 && attr->length == 8)
    memcpy (address->addr, attr->value + 4, 4);
  else if (address->family == KIBITZ_STUN_FAMILY_IPV6 && attr->length == 20)
    memcpy (address->addr, attr->value + 4, 16);
  else
    return FALSE;

  return TRUE;
}

/* XOR-MAPPED-ADDRESS and friends: the port is xored with the top half of the
 * magic cookie, the address with the cookie followed by the transaction id. */
static void
xor_address (KibitzStunAddress *address,
             const guint8      *transaction_id)
{
  guint8 mask[16];
  gsize i, n = address->family == KIBITZ_STUN_FAMILY_IPV4 ? 4 : 16;

  kibitz_stun_write32 (mask, KIBITZ_STUN_MAGIC_COOKIE);
  memcpy (mask + 4, transaction_id, KIBITZ_STUN_TRANSACTION_ID_SIZE);

  address->port ^= KIBITZ_STUN_MAGIC_COOKIE >> 16;
  for (i = 0; i < n; i++)
    address->addr[i] ^= mask[i];
}

gboolean
kibitz_stun_attr_get_xor_address (const KibitzStunAttr *attr,
                                  const guint8         *transaction_id,
                                  KibitzStunAddress    *address)
{
  if (!decode_address (attr, address))
    return FALSE;

  xor_address (address, transaction_id);
  return TRUE;
}

gboolean
kibitz_stun_message_get_address (const KibitzStunMessage *message,
                                 guint16                  type,
                                 KibitzStunAddress       *address)
{
  KibitzStunAttr attr;

  return kibitz_stun_message_find (message, type, &attr) && decode_address (&attr, address);
}

gboolean
kibitz_stun_message_get_xor_address (const KibitzStunMessage *message,
                                     guint16                  type,
                                     KibitzStunAddress       *address)
{
  if (!kibitz_stun_message_get_address (message, type, address))
    return FALSE;

  xor_address (address, message->transaction_id);
  return TRUE;
}

gboolean
kibitz_stun_message_get_uint32 (const KibitzStunMessage *message,
                                guint16                  type,
                                guint32                 *value)
{
  KibitzStunAttr attr;

  if (!kibitz_stun_message_find (message, type, &attr) || attr.length != 4)
    return FALSE;

  *value = kibitz_stun_read32 (attr.value);
  return TRUE;
}

gboolean
kibitz_stun_message_get_uint64 (const KibitzStunMessage *message,
                                guint16                  type,
                                guint64                 *value)
{
  KibitzStunAttr attr;

  if (!kibitz_stun_message_find (message, type, &attr) || attr.length != 8)
    return FALSE;

  *value = ((guint64) kibitz_stun_read32 (attr.value) << 32) | kibitz_stun_read32 (attr.value + 4);
  return TRUE;
}

gboolean
kibitz_stun_message_get_bytes (const KibitzStunMessage  *message,
                               guint16                   type,
                               const guint8            **value,
                               gsize                    *length)
{
  KibitzStunAttr attr;

  if (!kibitz_stun_message_find (message, type, &attr))
    return FALSE;

  *value = attr.value;
  *length = attr.length;
  return TRUE;
}

/* USERNAME, REALM, NONCE and SOFTWARE: UTF-8 within RFC 8489's limits. The
 * text is not NUL-terminated: it points into the message. */
gboolean
kibitz_stun_message_get_text (const KibitzStunMessage  *message,
                              guint16                   type,
                              const char              **text,
                              gsize                    *length)
{
  KibitzStunAttr attr;
  gsize max = type == KIBITZ_STUN_ATTR_USERNAME ? KIBITZ_STUN_MAX_USERNAME : KIBITZ_STUN_MAX_TEXT;

  if (!kibitz_stun_message_find (message, type, &attr) || attr.length > max)
    return FALSE;
  if (!g_utf8_validate_len ((const char *) attr.value, attr.length, NULL))
    return FALSE;

  *text = (const char *) attr.value;
  *length = attr.length;
  return TRUE;
}

gboolean
kibitz_stun_message_get_error_code (const KibitzStunMessage  *message,
                                    int                      *code,
                                    const char              **reason,
                                    gsize                    *reason_length)
{
  KibitzStunAttr attr;
  int klass, number;

  if (!kibitz_stun_message_find (message, KIBITZ_STUN_ATTR_ERROR_CODE, &attr) ||
      attr.length < 4 || attr.length - 4 > KIBITZ_STUN_MAX_TEXT)
    return FALSE;

  klass = attr.value[2] & 0x07;
  number = attr.value[3];
  if (klass < 3 || klass > 6 || number > 99)
    return FALSE;
  if (!g_utf8_validate_len ((const char *) attr.value + 4, attr.length - 4, NULL))
    return FALSE;

  *code = klass * 100 + number;
  if (reason)
    *reason = (const char *) attr.value + 4;
  if (reason_length)
    *reason_length = attr.length - 4;
  return TRUE;
}

gboolean
kibitz_stun_message_get_channel_number (const KibitzStunMessage *message,
                                        guint16                 *channel)
{
  KibitzStunAttr attr;

  if (!kibitz_stun_message_find (message, KIBITZ_STUN_ATTR_CHANNEL_NUMBER, &attr) ||
      attr.length != 4)
    return FALSE;

  *channel = kibitz_stun_read16 (attr.value);
  return TRUE;
}

/* REQUESTED-TRANSPORT and REQUESTED-ADDRESS-FAMILY: one byte, then three RFFU. */
static gboolean
get_first_byte_of_four (const KibitzStunMessage *message,
                        guint16                  type,
                        guint8                  *value)
{
  KibitzStunAttr attr;

  if (!kibitz_stun_message_find (message, type, &attr) || attr.length != 4)
    return FALSE;

  *value = attr.value[0];
  return TRUE;
}

gboolean
kibitz_stun_message_get_requested_transport (const KibitzStunMessage *message,
                                             guint8                  *protocol)
{
  return get_first_byte_of_four (message, KIBITZ_STUN_ATTR_REQUESTED_TRANSPORT, protocol);
}

gboolean
kibitz_stun_message_get_requested_family (const KibitzStunMessage *message,
                                          guint8                  *family)
{
  return get_first_byte_of_four (message, KIBITZ_STUN_ATTR_REQUESTED_ADDRESS_FAMILY, family);
}

gboolean
kibitz_stun_message_get_even_port (const KibitzStunMessage *message,
                                   gboolean                *reserve_next)
{
  KibitzStunAttr attr;

  if (!kibitz_stun_message_find (message, KIBITZ_STUN_ATTR_EVEN_PORT, &attr) ||
      attr.length != 1)
    return FALSE;

  *reserve_next = (attr.value[0] & 0x80) != 0;
  return TRUE;
}

gboolean
kibitz_stun_message_get_unknown_attributes (const KibitzStunMessage *message,
                                            guint16                 *types,
                                            gsize                    max_types,
                                            gsize                   *n_types)
{
  KibitzStunAttr attr;
  gsize i;

  if (!kibitz_stun_message_find (message, KIBITZ_STUN_ATTR_UNKNOWN_ATTRIBUTES, &attr) ||
      attr.length % 2 != 0)
    return FALSE;

  *n_types = MIN (max_types, attr.length / 2u);
  for (i = 0; i < *n_types; i++)
    types[i] = kibitz_stun_read16 (attr.value + 2 * i);
  return TRUE;
}

/* Writer */

void
kibitz_stun_writer_init (KibitzStunWriter *writer,
                         guint8           *buffer,
                         gsize             capacity,
                         guint16           method,
                         KibitzStunClass   klass,
                         const guint8     *transaction_id)
{
  guint16 type;

  writer->buffer = buffer;
  writer->capacity = MIN (capacity, (gsize) KIBITZ_STUN_MAX_MESSAGE_SIZE);
  writer->length = 0;
  writer->overflow = capacity < KIBITZ_STUN_HEADER_SIZE;
  if (writer->overflow)
    return;

  type = (method & 0x000F) | ((method & 0x0070) << 1) | ((method & 0x0F80) << 2) |
         ((klass & 0x1) << 4) | ((klass & 0x2) << 7);
  kibitz_stun_write16 (buffer, type);
  kibitz_stun_write16 (buffer + 2, 0);
  kibitz_stun_write32 (buffer + 4, KIBITZ_STUN_MAGIC_COOKIE);
  memcpy (buffer + 8, transaction_id, KIBITZ_STUN_TRANSACTION_ID_SIZE);
  writer->length = KIBITZ_STUN_HEADER_SIZE;
}

/* Reserves an attribute of @length bytes (plus zero padding), keeps the
 * header's length field current, and returns where the value goes, or NULL.
 * The value is left as it is: the relay uses this to wrap a payload that
 * already sits in place in a Data indication. */
guint8 *
kibitz_stun_writer_reserve (KibitzStunWriter *writer,
                            guint16           type,
                            gsize             length)
{
  guint8 *attr;
  gsize padded = PAD4 (length);

  if (writer->overflow || length > 0xFFFF || writer->capacity - writer->length < 4 + padded)
    {
      writer->overflow = TRUE;
      return NULL;
    }

  attr = writer->buffer + writer->length;
  kibitz_stun_write16 (attr, type);
  kibitz_stun_write16 (attr + 2, length);
  memset (attr + 4 + length, 0, padded - length);
  writer->length += 4 + padded;
  kibitz_stun_write16 (writer->buffer + 2, writer->length - KIBITZ_STUN_HEADER_SIZE);

  return attr + 4;
}

gboolean
kibitz_stun_writer_add (KibitzStunWriter *writer,
                        guint16           type,
                        const void       *value,
                        gsize             length)
{
  guint8 *dest = kibitz_stun_writer_reserve (writer, type, length);

  if (dest == NULL)
    return FALSE;
  if (length > 0)
    memcpy (dest, value, length);
  return TRUE;
}

gboolean
kibitz_stun_writer_add_uint32 (KibitzStunWriter *writer,
                               guint16           type,
                               guint32           value)
{
  guint8 *dest = kibitz_stun_writer_reserve (writer, type, 4);

  if (dest == NULL)
    return FALSE;
  kibitz_stun_write32 (dest, value);
  return TRUE;
}

gboolean
kibitz_stun_writer_add_uint64 (KibitzStunWriter *writer,
                               guint16           type,
                               guint64           value)
{
  guint8 *dest = kibitz_stun_writer_reserve (writer, type, 8);

  if (dest == NULL)
    return FALSE;
  kibitz_stun_write32 (dest, value >> 32);
  kibitz_stun_write32 (dest + 4, value & 0xFFFFFFFFu);
  return TRUE;
}

gboolean
kibitz_stun_writer_add_text (KibitzStunWriter *writer,
                             guint16           type,
                             const char       *text)
{
  return kibitz_stun_writer_add (writer, type, text, strlen (text));
}

static gboolean
write_address (KibitzStunWriter        *writer,
               guint16                  type,
               const KibitzStunAddress *address)
{
  gsize n = address->family == KIBITZ_STUN_FAMILY_IPV4 ? 4 : 16;
  guint8 *dest;

  if (address->family != KIBITZ_STUN_FAMILY_IPV4 && address->family != KIBITZ_STUN_FAMILY_IPV6)
    {
      writer->overflow = TRUE;
      return FALSE;
    }

  dest = kibitz_stun_writer_reserve (writer, type, 4 + n);
  if (dest == NULL)
    return FALSE;
  dest[0] = 0;
  dest[1] = address->family;
  kibitz_stun_write16 (dest + 2, address->port);
  memcpy (dest + 4, address->addr, n);
  return TRUE;
}

gboolean
kibitz_stun_writer_add_address (KibitzStunWriter        *writer,
                                guint16                  type,
                                const KibitzStunAddress *address)
{
  return write_address (writer, type, address);
}

gboolean
kibitz_stun_writer_add_xor_address (KibitzStunWriter        *writer,
                                    guint16                  type,
                                    const KibitzStunAddress *address)
{
  KibitzStunAddress xored = *address;

  if (writer->overflow)
    return FALSE;
  xor_address (&xored, writer->buffer + 8);
  return write_address (writer, type, &xored);
}

gboolean
kibitz_stun_writer_add_error_code (KibitzStunWriter *writer,
                                   int               code,
                                   const char       *reason)
{
  gsize reason_length = strlen (reason);
  guint8 *dest;

  if (code < 300 || code > 699 || reason_length > KIBITZ_STUN_MAX_TEXT)
    {
      writer->overflow = TRUE;
      return FALSE;
    }

  dest = kibitz_stun_writer_reserve (writer, KIBITZ_STUN_ATTR_ERROR_CODE, 4 + reason_length);
  if (dest == NULL)
    return FALSE;
  dest[0] = 0;
  dest[1] = 0;
  dest[2] = code / 100;
  dest[3] = code % 100;
  memcpy (dest + 4, reason, reason_length);
  return TRUE;
}

gboolean
kibitz_stun_writer_add_channel_number (KibitzStunWriter *writer,
                                       guint16           channel)
{
  return kibitz_stun_writer_add_uint32 (writer, KIBITZ_STUN_ATTR_CHANNEL_NUMBER,
                                        (guint32) channel << 16);
}

gboolean
kibitz_stun_writer_add_requested_transport (KibitzStunWriter *writer,
                                            guint8            protocol)
{
  return kibitz_stun_writer_add_uint32 (writer, KIBITZ_STUN_ATTR_REQUESTED_TRANSPORT,
                                        (guint32) protocol << 24);
}

gboolean
kibitz_stun_writer_add_requested_family (KibitzStunWriter *writer,
                                         guint8            family)
{
  return kibitz_stun_writer_add_uint32 (writer, KIBITZ_STUN_ATTR_REQUESTED_ADDRESS_FAMILY,
                                        (guint32) family << 24);
}

gboolean
kibitz_stun_writer_add_even_port (KibitzStunWriter *writer,
                                  gboolean          reserve_next)
{
  guint8 value = reserve_next ? 0x80 : 0;

  return kibitz_stun_writer_add (writer, KIBITZ_STUN_ATTR_EVEN_PORT, &value, 1);
}

gboolean
kibitz_stun_writer_add_unknown_attributes (KibitzStunWriter *writer,
                                           const guint16    *types,
                                           gsize             n_types)
{
  guint8 *dest = kibitz_stun_writer_reserve (writer, KIBITZ_STUN_ATTR_UNKNOWN_ATTRIBUTES, 2 * n_types);
  gsize i;

  if (dest == NULL)
    return FALSE;
  for (i = 0; i < n_types; i++)
    kibitz_stun_write16 (dest + 2 * i, types[i]);
  return TRUE;
}

/* Returns the length of the finished message, or 0 when anything did not fit. */
gsize
kibitz_stun_writer_finish (KibitzStunWriter *writer)
{
  return writer->overflow ? 0 : writer->length;
}

/* Addresses */

gboolean
kibitz_stun_address_from_sockaddr (KibitzStunAddress     *address,
                                   const struct sockaddr *sa,
                                   socklen_t              sa_len)
{
  memset (address, 0, sizeof *address);

  if (sa->sa_family == AF_INET && sa_len >= sizeof (struct sockaddr_in))
    {
      const struct sockaddr_in *sin = (const struct sockaddr_in *) sa;

      address->family = KIBITZ_STUN_FAMILY_IPV4;
      address->port = ntohs (sin->sin_port);
      memcpy (address->addr, &sin->sin_addr, 4);
      return TRUE;
    }

  if (sa->sa_family == AF_INET6 && sa_len >= sizeof (struct sockaddr_in6))
    {
      const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *) sa;

      address->family = KIBITZ_STUN_FAMILY_IPV6;
      address->port = ntohs (sin6->sin6_port);
      memcpy (address->addr, &sin6->sin6_addr, 16);
      return TRUE;
    }

  return FALSE;
}

socklen_t
kibitz_stun_address_to_sockaddr (const KibitzStunAddress *address,
                                 struct sockaddr_storage *storage)
{
  memset (storage, 0, sizeof *storage);

  if (address->family == KIBITZ_STUN_FAMILY_IPV4)
    {
      struct sockaddr_in *sin = (struct sockaddr_in *) storage;

      sin->sin_family = AF_INET;
      sin->sin_port = htons (address->port);
      memcpy (&sin->sin_addr, address->addr, 4);
      return sizeof *sin;
    }

  if (address->family == KIBITZ_STUN_FAMILY_IPV6)
    {
      struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) storage;

      sin6->sin6_family = AF_INET6;
      sin6->sin6_port = htons (address->port);
      memcpy (&sin6->sin6_addr, address->addr, 16);
      return sizeof *sin6;
    }

  return 0;
}

gboolean
kibitz_stun_address_equal (const KibitzStunAddress *a,
                           const KibitzStunAddress *b)
{
  gsize n = a->family == KIBITZ_STUN_FAMILY_IPV4 ? 4 : 16;

  return a->family == b->family && a->port == b->port && memcmp (a->addr, b->addr, n) == 0;
}

char *
kibitz_stun_address_to_string (const KibitzStunAddress *address)
{
  char text[INET6_ADDRSTRLEN] = "";

  if (address->family == KIBITZ_STUN_FAMILY_IPV4)
    {
      inet_ntop (AF_INET, address->addr, text, sizeof text);
      return g_strdup_printf ("%s:%u", text, address->port);
    }

  inet_ntop (AF_INET6, address->addr, text, sizeof text);
  return g_strdup_printf ("[%s]:%u", text, address->port);
}
