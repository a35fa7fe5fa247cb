/* fuzz-stun.c: libFuzzer target for the STUN/TURN codec.
 *
 * Every input goes through the framing helpers and the parser. A message that
 * parses is read through every getter, written again attribute by attribute,
 * parsed again (it must come back identical), then signed with
 * MESSAGE-INTEGRITY and FINGERPRINT, which must verify.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kibitz-stun-auth.h"
#include "kibitz-stun-message.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static guint8 rebuilt[KIBITZ_STUN_MAX_MESSAGE_SIZE + 64];

static const guint8 key[] = "fuzzing-key-0123";
static const guint8 wrong_key[] = "fuzzing-key-0124";

static void
check (gboolean    condition,
       const char *what)
{
  if (!condition)
    {
      g_printerr ("fuzz-stun: %s\n", what);
      abort ();
    }
}

static void
read_every_getter (const KibitzStunMessage *message)
{
  static const guint16 address_types[] = {
    KIBITZ_STUN_ATTR_MAPPED_ADDRESS, KIBITZ_STUN_ATTR_XOR_MAPPED_ADDRESS,
    KIBITZ_STUN_ATTR_XOR_PEER_ADDRESS, KIBITZ_STUN_ATTR_XOR_RELAYED_ADDRESS,
  };
  static const guint16 text_types[] = {
    KIBITZ_STUN_ATTR_USERNAME, KIBITZ_STUN_ATTR_REALM, KIBITZ_STUN_ATTR_NONCE,
    KIBITZ_STUN_ATTR_SOFTWARE,
  };
  KibitzStunAddress address;
  const char *text;
  const guint8 *bytes;
  guint16 types[16], channel;
  guint32 u32;
  guint64 u64;
  guint8 byte;
  gboolean flag;
  gsize i, n;
  int code;

  for (i = 0; i < G_N_ELEMENTS (address_types); i++)
    {
      if (kibitz_stun_message_get_xor_address (message, address_types[i], &address))
        {
          struct sockaddr_storage storage;
          socklen_t len = kibitz_stun_address_to_sockaddr (&address, &storage);
          KibitzStunAddress back;

          check (len > 0, "a decoded address has no sockaddr form");
          check (kibitz_stun_address_from_sockaddr (&back, (struct sockaddr *) &storage, len) &&
                 kibitz_stun_address_equal (&back, &address), "sockaddr round trip differs");
        }
      kibitz_stun_message_get_address (message, address_types[i], &address);
    }
  for (i = 0; i < G_N_ELEMENTS (text_types); i++)
    if (kibitz_stun_message_get_text (message, text_types[i], &text, &n))
      check (g_utf8_validate_len (text, n, NULL), "text is not UTF-8");

  kibitz_stun_message_get_error_code (message, &code, &text, &n);
  kibitz_stun_message_get_uint32 (message, KIBITZ_STUN_ATTR_LIFETIME, &u32);
  kibitz_stun_message_get_uint64 (message, KIBITZ_STUN_ATTR_RESERVATION_TOKEN, &u64);
  kibitz_stun_message_get_bytes (message, KIBITZ_STUN_ATTR_DATA, &bytes, &n);
  kibitz_stun_message_get_channel_number (message, &channel);
  kibitz_stun_message_get_requested_transport (message, &byte);
  kibitz_stun_message_get_requested_family (message, &byte);
  kibitz_stun_message_get_even_port (message, &flag);
  kibitz_stun_message_get_unknown_attributes (message, types, G_N_ELEMENTS (types), &n);
}

static gboolean
same_attributes (const KibitzStunMessage *a,
                 const KibitzStunMessage *b)
{
  KibitzStunAttrIter ia, ib;
  KibitzStunAttr x, y;

  kibitz_stun_attr_iter_init (&ia, a);
  kibitz_stun_attr_iter_init (&ib, b);
  for (;;)
    {
      gboolean more_a = kibitz_stun_attr_iter_next (&ia, &x);
      gboolean more_b = kibitz_stun_attr_iter_next (&ib, &y);

      if (more_a != more_b)
        return FALSE;
      if (!more_a)
        return TRUE;
      if (x.type != y.type || x.length != y.length || memcmp (x.value, y.value, x.length) != 0)
        return FALSE;
    }
}

static void
rebuild_and_sign (const KibitzStunMessage *message)
{
  KibitzStunMessage copy, signed_copy;
  KibitzStunWriter writer;
  KibitzStunAttrIter iter;
  KibitzStunAttr attr;
  gsize length;

  kibitz_stun_writer_init (&writer, rebuilt, sizeof rebuilt, message->method, message->klass,
                           message->transaction_id);
  kibitz_stun_attr_iter_init (&iter, message);
  while (kibitz_stun_attr_iter_next (&iter, &attr))
    if (attr.type != KIBITZ_STUN_ATTR_MESSAGE_INTEGRITY &&
        attr.type != KIBITZ_STUN_ATTR_FINGERPRINT)
      kibitz_stun_writer_add (&writer, attr.type, attr.value, attr.length);
  length = kibitz_stun_writer_finish (&writer);
  check (length > 0, "a parsed message could not be written again");

  check (kibitz_stun_message_parse (&copy, rebuilt, length) == KIBITZ_STUN_PARSE_OK,
         "a rewritten message does not parse");
  check (copy.method == message->method && copy.klass == message->klass,
         "the rewritten message changed its type");
  check (copy.n_unknown == message->n_unknown, "the unknown attributes changed");

  if (!kibitz_stun_writer_add_integrity (&writer, key, sizeof key) ||
      !kibitz_stun_writer_add_fingerprint (&writer))
    return;  /* Too big for two more attributes: nothing to sign. */

  length = kibitz_stun_writer_finish (&writer);
  check (kibitz_stun_message_parse (&signed_copy, rebuilt, length) == KIBITZ_STUN_PARSE_OK,
         "a signed message does not parse");
  check (kibitz_stun_message_check_integrity (&signed_copy, key, sizeof key),
         "MESSAGE-INTEGRITY does not verify");
  check (!kibitz_stun_message_check_integrity (&signed_copy, wrong_key, sizeof wrong_key),
         "MESSAGE-INTEGRITY verifies with the wrong key");
  check (kibitz_stun_message_check_fingerprint (&signed_copy), "FINGERPRINT does not verify");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  KibitzStunMessage message, again;
  const guint8 *payload;
  guint16 channel;
  gsize frame_length, payload_length;

  kibitz_stun_frame_peek (data, size, TRUE, &frame_length);
  if (kibitz_stun_frame_peek (data, size, FALSE, &frame_length) == KIBITZ_STUN_FRAME_CHANNEL_DATA)
    check (kibitz_stun_channel_data_parse (data, size, FALSE, &channel, &payload,
                                           &payload_length), "a peeked ChannelData does not parse");
  kibitz_stun_channel_data_parse (data, size, TRUE, &channel, &payload, &payload_length);

  if (kibitz_stun_message_parse (&message, data, size) != KIBITZ_STUN_PARSE_OK)
    return 0;

  read_every_getter (&message);
  rebuild_and_sign (&message);

  /* The rewritten message, without MESSAGE-INTEGRITY and FINGERPRINT, keeps
   * the original's attributes in order. */
  if (message.integrity_offset == 0 && message.fingerprint_offset == 0)
    {
      KibitzStunWriter writer;
      KibitzStunAttrIter iter;
      KibitzStunAttr attr;
      gsize length;

      kibitz_stun_writer_init (&writer, rebuilt, sizeof rebuilt, message.method, message.klass,
                               message.transaction_id);
      kibitz_stun_attr_iter_init (&iter, &message);
      while (kibitz_stun_attr_iter_next (&iter, &attr))
        kibitz_stun_writer_add (&writer, attr.type, attr.value, attr.length);
      length = kibitz_stun_writer_finish (&writer);
      check (length == size, "the rewritten message changed size");
      check (kibitz_stun_message_parse (&again, rebuilt, length) == KIBITZ_STUN_PARSE_OK &&
             same_attributes (&message, &again), "the rewritten message differs");
    }

  return 0;
}
