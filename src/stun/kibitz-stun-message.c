/* kibitz-stun-message.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-stun"

#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include "kibitz-stun-auth.h"
#include "kibitz-stun-message.h"
#include "kibitz-stun-private.h"

#define PAD4(n) (((n) + 3u) & ~(gsize) 3u)

/* The slot of each attribute the codec understands in known_offset[], or -1.
 * Anything else below 0x8000 is an unknown comprehension-required attribute. */
static int
known_index (guint16 type)
{
  switch (type)
    {
    case KIBITZ_STUN_ATTR_MAPPED_ADDRESS:           return 0;
    case KIBITZ_STUN_ATTR_USERNAME:                 return 1;
    case KIBITZ_STUN_ATTR_MESSAGE_INTEGRITY:        return 2;
    case KIBITZ_STUN_ATTR_ERROR_CODE:               return 3;
    case KIBITZ_STUN_ATTR_UNKNOWN_ATTRIBUTES:       return 4;
    case KIBITZ_STUN_ATTR_CHANNEL_NUMBER:           return 5;
    case KIBITZ_STUN_ATTR_LIFETIME:                 return 6;
    case KIBITZ_STUN_ATTR_XOR_PEER_ADDRESS:         return 7;
    case KIBITZ_STUN_ATTR_DATA:                     return 8;
    case KIBITZ_STUN_ATTR_REALM:                    return 9;
    case KIBITZ_STUN_ATTR_NONCE:                    return 10;
    case KIBITZ_STUN_ATTR_XOR_RELAYED_ADDRESS:      return 11;
    case KIBITZ_STUN_ATTR_REQUESTED_ADDRESS_FAMILY: return 12;
    case KIBITZ_STUN_ATTR_EVEN_PORT:                return 13;
    case KIBITZ_STUN_ATTR_REQUESTED_TRANSPORT:      return 14;
    case KIBITZ_STUN_ATTR_DONT_FRAGMENT:            return 15;
    case KIBITZ_STUN_ATTR_XOR_MAPPED_ADDRESS:       return 16;
    case KIBITZ_STUN_ATTR_RESERVATION_TOKEN:        return 17;
    case KIBITZ_STUN_ATTR_PRIORITY:                 return 18;
    case KIBITZ_STUN_ATTR_USE_CANDIDATE:            return 19;
    case KIBITZ_STUN_ATTR_SOFTWARE:                 return 20;
    case KIBITZ_STUN_ATTR_FINGERPRINT:              return 21;
    case KIBITZ_STUN_ATTR_ICE_CONTROLLED:           return 22;
    case KIBITZ_STUN_ATTR_ICE_CONTROLLING:          return 23;
    case KIBITZ_STUN_ATTR_ALTERNATE_SERVER:         return 24;
    case KIBITZ_STUN_ATTR_RESPONSE_ORIGIN:          return 25;
    case KIBITZ_STUN_ATTR_OTHER_ADDRESS:            return 26;
    case KIBITZ_STUN_ATTR_ADDITIONAL_ADDRESS_FAMILY: return 27;
    case KIBITZ_STUN_ATTR_ADDRESS_ERROR_CODE:       return 28;
    default:                                        return -1;
    }
}

G_STATIC_ASSERT (29 <= KIBITZ_STUN_KNOWN_ATTR_COUNT);

gboolean
kibitz_stun_attr_is_comprehension_required (guint16 type)
{
  return type < 0x8000;
}

const char *
kibitz_stun_parse_status_to_string (KibitzStunParseStatus status)
{
  switch (status)
    {
    case KIBITZ_STUN_PARSE_OK:
      return "valid STUN message";
    case KIBITZ_STUN_PARSE_TRUNCATED:
      return "the message is shorter than its header or its length field says";
    case KIBITZ_STUN_PARSE_NOT_STUN:
      return "the first two bits are not zero, so this is not a STUN message";
    case KIBITZ_STUN_PARSE_BAD_COOKIE:
      return "the magic cookie is not 0x2112A442 (an RFC 3489 client?)";
    case KIBITZ_STUN_PARSE_BAD_LENGTH:
      return "the length field is not a multiple of 4 or does not match the packet";
    case KIBITZ_STUN_PARSE_ATTR_OVERFLOW:
      return "an attribute runs past the end of the message";
    case KIBITZ_STUN_PARSE_BAD_INTEGRITY_ATTR:
      return "MESSAGE-INTEGRITY is not 20 bytes long";
    case KIBITZ_STUN_PARSE_BAD_FINGERPRINT_ATTR:
      return "FINGERPRINT is not 4 bytes long or is not the last attribute";
    case KIBITZ_STUN_PARSE_BAD_FINGERPRINT:
      return "FINGERPRINT does not match the message";
    default:
      return "unknown parse status";
    }
}

gboolean
kibitz_stun_message_is_stun (const guint8 *data,
                             gsize         length)
{
  return length >= KIBITZ_STUN_HEADER_SIZE &&
         (data[0] & 0xC0) == 0 &&
         kibitz_stun_read32 (data + 4) == KIBITZ_STUN_MAGIC_COOKIE;
}

static void
record_attribute (KibitzStunMessage *message,
                  guint16            type,
                  gsize              offset)
{
  int index = known_index (type);

  if (index >= 0)
    {
      /* Duplicates: the first one wins, as RFC 8489 §14 asks. */
      if (message->known_offset[index] == 0)
        message->known_offset[index] = offset;
      return;
    }

  if (kibitz_stun_attr_is_comprehension_required (type))
    {
      guint i;

      for (i = 0; i < MIN (message->n_unknown, KIBITZ_STUN_MAX_UNKNOWN); i++)
        if (message->unknown[i] == type)
          return;
      if (message->n_unknown < KIBITZ_STUN_MAX_UNKNOWN)
        message->unknown[message->n_unknown] = type;
      message->n_unknown++;
    }
}

/* Walks the attributes once, checking every length against the end of the
 * message before anything is read. Attributes after MESSAGE-INTEGRITY are
 * checked for framing but otherwise ignored, except FINGERPRINT, which must
 * come last. */
static KibitzStunParseStatus
parse_attributes (KibitzStunMessage *message)
{
  const guint8 *data = message->data;
  gsize offset = KIBITZ_STUN_HEADER_SIZE;
  gsize end = message->length;

  while (offset < end)
    {
      guint16 type, length;
      gsize padded;

      if (end - offset < 4)
        return KIBITZ_STUN_PARSE_ATTR_OVERFLOW;

      type = kibitz_stun_read16 (data + offset);
      length = kibitz_stun_read16 (data + offset + 2);
      padded = PAD4 (length);
      if (padded > end - offset - 4)
        return KIBITZ_STUN_PARSE_ATTR_OVERFLOW;

      if (message->fingerprint_offset != 0)
        return KIBITZ_STUN_PARSE_BAD_FINGERPRINT_ATTR;

      if (type == KIBITZ_STUN_ATTR_FINGERPRINT)
        {
          if (length != 4)
            return KIBITZ_STUN_PARSE_BAD_FINGERPRINT_ATTR;
          message->fingerprint_offset = offset;
          record_attribute (message, type, offset);
        }
      else if (message->integrity_offset == 0)
        {
          if (type == KIBITZ_STUN_ATTR_MESSAGE_INTEGRITY)
            {
              if (length != KIBITZ_STUN_INTEGRITY_SIZE)
                return KIBITZ_STUN_PARSE_BAD_INTEGRITY_ATTR;
              message->integrity_offset = offset;
            }
          record_attribute (message, type, offset);
        }

      offset += 4 + padded;
    }

  if (message->integrity_offset != 0)
    message->attrs_end = message->integrity_offset + 4 + KIBITZ_STUN_INTEGRITY_SIZE;
  else if (message->fingerprint_offset != 0)
    message->attrs_end = message->fingerprint_offset;
  else
    message->attrs_end = end;

  return KIBITZ_STUN_PARSE_OK;
}

KibitzStunParseStatus
kibitz_stun_message_parse (KibitzStunMessage *message,
                           const guint8      *data,
                           gsize              length)
{
  KibitzStunParseStatus status;
  gsize body_length;
  guint16 type;

  memset (message, 0, sizeof *message);

  if (length < KIBITZ_STUN_HEADER_SIZE)
    return KIBITZ_STUN_PARSE_TRUNCATED;
  if ((data[0] & 0xC0) != 0)
    return KIBITZ_STUN_PARSE_NOT_STUN;
  if (kibitz_stun_read32 (data + 4) != KIBITZ_STUN_MAGIC_COOKIE)
    return KIBITZ_STUN_PARSE_BAD_COOKIE;

  body_length = kibitz_stun_read16 (data + 2);
  if (body_length % 4 != 0)
    return KIBITZ_STUN_PARSE_BAD_LENGTH;
  if (length < KIBITZ_STUN_HEADER_SIZE + body_length)
    return KIBITZ_STUN_PARSE_TRUNCATED;
  if (length > KIBITZ_STUN_HEADER_SIZE + body_length)
    return KIBITZ_STUN_PARSE_BAD_LENGTH;

  type = kibitz_stun_read16 (data);
  message->data = data;
  message->length = length;
  message->method = (type & 0x000F) | ((type & 0x00E0) >> 1) | ((type & 0x3E00) >> 2);
  message->klass = ((type >> 4) & 0x1) | ((type >> 7) & 0x2);
  message->transaction_id = data + 8;

  status = parse_attributes (message);
  if (status != KIBITZ_STUN_PARSE_OK)
    return status;

  if (message->fingerprint_offset != 0 && !kibitz_stun_message_check_fingerprint (message))
    return KIBITZ_STUN_PARSE_BAD_FINGERPRINT;

  return KIBITZ_STUN_PARSE_OK;
}

static void
attr_at (const KibitzStunMessage *message,
         gsize                    offset,
         KibitzStunAttr          *attr)
{
  attr->type = kibitz_stun_read16 (message->data + offset);
  attr->length = kibitz_stun_read16 (message->data + offset + 2);
  attr->value = message->data + offset + 4;
}

void
kibitz_stun_attr_iter_init (KibitzStunAttrIter      *iter,
                            const KibitzStunMessage *message)
{
  iter->message = message;
  iter->offset = KIBITZ_STUN_HEADER_SIZE;
}

gboolean
kibitz_stun_attr_iter_next (KibitzStunAttrIter *iter,
                            KibitzStunAttr     *attr)
{
  const KibitzStunMessage *message = iter->message;

  if (iter->offset < message->attrs_end)
    {
      attr_at (message, iter->offset, attr);
      iter->offset += 4 + PAD4 (attr->length);
      return TRUE;
    }

  if (message->fingerprint_offset != 0 && iter->offset <= message->fingerprint_offset)
    {
      attr_at (message, message->fingerprint_offset, attr);
      iter->offset = message->length + 1;
      return TRUE;
    }

  return FALSE;
}

gboolean
kibitz_stun_message_find (const KibitzStunMessage *message,
                          guint16                  type,
                          KibitzStunAttr          *attr)
{
  KibitzStunAttrIter iter;
  int index = known_index (type);

  if (index >= 0)
    {
      if (message->known_offset[index] == 0)
        return FALSE;
      attr_at (message, message->known_offset[index], attr);
      return TRUE;
    }

  kibitz_stun_attr_iter_init (&iter, message);
  while (kibitz_stun_attr_iter_next (&iter, attr))
    if (attr->type == type)
      return TRUE;

  return FALSE;
}

gboolean
kibitz_stun_message_has (const KibitzStunMessage *message,
                         guint16                  type)
{
  KibitzStunAttr attr;

  return kibitz_stun_message_find (message, type, &attr);
}

/* Framing */

/* Tells what @data starts with and, once its header is there, how many bytes
 * the whole frame takes (@frame_length). On a stream, ChannelData is padded to a
 * multiple of 4 (RFC 8656 §12.5); in a datagram it need not be. */
KibitzStunFrameKind
kibitz_stun_frame_peek (const guint8 *data,
                        gsize         length,
                        gboolean      stream,
                        gsize        *frame_length)
{
  gsize needed;

  *frame_length = 0;
  if (length < 4)
    return stream ? KIBITZ_STUN_FRAME_NEED_MORE : KIBITZ_STUN_FRAME_INVALID;

  switch (data[0] >> 6)
    {
    case 0:
      needed = KIBITZ_STUN_HEADER_SIZE + kibitz_stun_read16 (data + 2);
      if (needed % 4 != 0)
        return KIBITZ_STUN_FRAME_INVALID;
      if (length >= 8 && kibitz_stun_read32 (data + 4) != KIBITZ_STUN_MAGIC_COOKIE)
        return KIBITZ_STUN_FRAME_INVALID;
      *frame_length = needed;
      return length < needed ? KIBITZ_STUN_FRAME_NEED_MORE : KIBITZ_STUN_FRAME_STUN;

    case 1:
      needed = KIBITZ_STUN_CHANNEL_HEADER_SIZE + kibitz_stun_read16 (data + 2);
      if (stream)
        needed = PAD4 (needed);
      *frame_length = needed;
      return length < needed ? KIBITZ_STUN_FRAME_NEED_MORE : KIBITZ_STUN_FRAME_CHANNEL_DATA;

    default:
      return KIBITZ_STUN_FRAME_INVALID;
    }
}

gboolean
kibitz_stun_channel_data_parse (const guint8  *data,
                                gsize          length,
                                gboolean       stream,
                                guint16       *channel,
                                const guint8 **payload,
                                gsize         *payload_length)
{
  gsize size;

  if (length < KIBITZ_STUN_CHANNEL_HEADER_SIZE || (data[0] & 0xC0) != 0x40)
    return FALSE;

  size = kibitz_stun_read16 (data + 2);
  /* A datagram may carry padding after the payload (or not); a stream frame
   * is exactly the padded size, as kibitz_stun_frame_peek() cut it. */
  if (stream ? length != PAD4 (KIBITZ_STUN_CHANNEL_HEADER_SIZE + size)
             : length < KIBITZ_STUN_CHANNEL_HEADER_SIZE + size)
    return FALSE;

  *channel = kibitz_stun_read16 (data);
  *payload = data + KIBITZ_STUN_CHANNEL_HEADER_SIZE;
  *payload_length = size;
  return TRUE;
}

gsize
kibitz_stun_channel_data_write_header (guint8  *header,
                                       guint16  channel,
                                       gsize    payload_length)
{
  kibitz_stun_write16 (header, channel);
  kibitz_stun_write16 (header + 2, payload_length);
  return KIBITZ_STUN_CHANNEL_HEADER_SIZE;
}

/* Returns the frame's length, or 0 when it does not fit or the channel or
 * length cannot be sent. */
gsize
kibitz_stun_channel_data_write (guint8       *buffer,
                                gsize         capacity,
                                gboolean      stream,
                                guint16       channel,
                                const guint8 *payload,
                                gsize         payload_length)
{
  gsize total = KIBITZ_STUN_CHANNEL_HEADER_SIZE + payload_length;
  gsize padded = stream ? PAD4 (total) : total;

  if (channel < KIBITZ_STUN_CHANNEL_MIN || channel > 0x7FFF || payload_length > 0xFFFF ||
      padded > capacity)
    return 0;

  kibitz_stun_channel_data_write_header (buffer, channel, payload_length);
  memmove (buffer + KIBITZ_STUN_CHANNEL_HEADER_SIZE, payload, payload_length);
  memset (buffer + total, 0, padded - total);
  return padded;
}
