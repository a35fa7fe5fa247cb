/* test-stun-message.c: round trips of every attribute, hostile input, framing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "kibitz-stun-auth.h"
#include "kibitz-stun-message.h"
#include "stun-test-vectors.h"

static const guint8 tid[KIBITZ_STUN_TRANSACTION_ID_SIZE] = {
  1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
};

static const KibitzStunAddress peer4 = {
  .family = KIBITZ_STUN_FAMILY_IPV4, .port = 5004, .addr = { 203, 0, 113, 7 },
};
static const KibitzStunAddress peer6 = {
  .family = KIBITZ_STUN_FAMILY_IPV6, .port = 65535,
  .addr = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef },
};

static const guint8 key[] = "0123456789abcdef";

static KibitzStunParseStatus
parse (KibitzStunMessage *message,
       const guint8      *data,
       gsize              length)
{
  return kibitz_stun_message_parse (message, data, length);
}

/* A raw attribute appender, to build messages the writer would refuse. */
static gsize
append_raw (guint8     *buffer,
            gsize       length,
            guint16     type,
            guint16     claimed_length,
            const void *value,
            gsize       value_length)
{
  buffer[length] = type >> 8;
  buffer[length + 1] = type & 0xFF;
  buffer[length + 2] = claimed_length >> 8;
  buffer[length + 3] = claimed_length & 0xFF;
  memcpy (buffer + length + 4, value, value_length);
  length += 4 + value_length;
  buffer[2] = (length - 20) >> 8;
  buffer[3] = (length - 20) & 0xFF;
  return length;
}

static gsize
raw_header (guint8 *buffer)
{
  KibitzStunWriter writer;

  kibitz_stun_writer_init (&writer, buffer, 20, KIBITZ_STUN_METHOD_ALLOCATE,
                           KIBITZ_STUN_CLASS_REQUEST, tid);
  return kibitz_stun_writer_finish (&writer);
}

/* Round trips */

static void
test_round_trip_every_attribute (void)
{
  static const guint8 data[] = { 'h', 'e', 'l', 'l', 'o' };
  static const guint16 unknown[] = { 0x0031, 0x7777, 0x0002 };
  KibitzStunMessage message;
  KibitzStunWriter writer;
  KibitzStunAddress address;
  guint8 buffer[1024];
  const char *text;
  const guint8 *bytes;
  gsize length, n = 0;
  guint16 types[8], channel = 0;
  guint32 lifetime = 0;
  guint64 token = 0;
  guint8 byte = 0;
  gboolean reserve = FALSE;
  int code = 0;

  kibitz_stun_writer_init (&writer, buffer, sizeof buffer, KIBITZ_STUN_METHOD_ALLOCATE,
                           KIBITZ_STUN_CLASS_ERROR, tid);
  kibitz_stun_writer_add_xor_address (&writer, KIBITZ_STUN_ATTR_XOR_PEER_ADDRESS, &peer4);
  kibitz_stun_writer_add_xor_address (&writer, KIBITZ_STUN_ATTR_XOR_RELAYED_ADDRESS, &peer6);
  kibitz_stun_writer_add_xor_address (&writer, KIBITZ_STUN_ATTR_XOR_MAPPED_ADDRESS, &peer6);
  kibitz_stun_writer_add_address (&writer, KIBITZ_STUN_ATTR_MAPPED_ADDRESS, &peer4);
  kibitz_stun_writer_add_error_code (&writer, 438, "Stale Nonce");
  kibitz_stun_writer_add_text (&writer, KIBITZ_STUN_ATTR_NONCE, "nonce-1");
  kibitz_stun_writer_add_text (&writer, KIBITZ_STUN_ATTR_REALM, "kibitz.example");
  kibitz_stun_writer_add_text (&writer, KIBITZ_STUN_ATTR_USERNAME, "1764000000:p-4f1c");
  kibitz_stun_writer_add_text (&writer, KIBITZ_STUN_ATTR_SOFTWARE, "Kibitz");
  kibitz_stun_writer_add_uint32 (&writer, KIBITZ_STUN_ATTR_LIFETIME, 600);
  kibitz_stun_writer_add_channel_number (&writer, 0x4001);
  kibitz_stun_writer_add (&writer, KIBITZ_STUN_ATTR_DATA, data, sizeof data);
  kibitz_stun_writer_add_requested_transport (&writer, 17);
  kibitz_stun_writer_add_requested_family (&writer, KIBITZ_STUN_FAMILY_IPV6);
  kibitz_stun_writer_add (&writer, KIBITZ_STUN_ATTR_DONT_FRAGMENT, NULL, 0);
  kibitz_stun_writer_add_even_port (&writer, TRUE);
  kibitz_stun_writer_add_uint64 (&writer, KIBITZ_STUN_ATTR_RESERVATION_TOKEN,
                                 G_GUINT64_CONSTANT (0x0102030405060708));
  kibitz_stun_writer_add_unknown_attributes (&writer, unknown, G_N_ELEMENTS (unknown));
  kibitz_stun_writer_add_integrity (&writer, key, 16);
  kibitz_stun_writer_add_fingerprint (&writer);
  length = kibitz_stun_writer_finish (&writer);
  g_assert_cmpuint (length, >, 0);
  g_assert_cmpuint (length % 4, ==, 0);

  g_assert_cmpint (parse (&message, buffer, length), ==, KIBITZ_STUN_PARSE_OK);
  g_assert_cmpuint (message.method, ==, KIBITZ_STUN_METHOD_ALLOCATE);
  g_assert_cmpuint (message.klass, ==, KIBITZ_STUN_CLASS_ERROR);
  g_assert_cmpuint (message.n_unknown, ==, 0);
  g_assert_true (kibitz_stun_message_check_integrity (&message, key, 16));
  g_assert_true (kibitz_stun_message_check_fingerprint (&message));

  g_assert_true (kibitz_stun_message_get_xor_address (&message, KIBITZ_STUN_ATTR_XOR_PEER_ADDRESS,
                                                      &address));
  g_assert_true (kibitz_stun_address_equal (&address, &peer4));
  g_assert_true (kibitz_stun_message_get_xor_address (&message,
                                                      KIBITZ_STUN_ATTR_XOR_RELAYED_ADDRESS,
                                                      &address));
  g_assert_true (kibitz_stun_address_equal (&address, &peer6));
  g_assert_true (kibitz_stun_message_get_xor_address (&message,
                                                      KIBITZ_STUN_ATTR_XOR_MAPPED_ADDRESS,
                                                      &address));
  g_assert_true (kibitz_stun_address_equal (&address, &peer6));
  /* The xored value on the wire is not the plain address. */
  g_assert_true (kibitz_stun_message_get_address (&message, KIBITZ_STUN_ATTR_XOR_MAPPED_ADDRESS,
                                                  &address));
  g_assert_false (kibitz_stun_address_equal (&address, &peer6));
  g_assert_true (kibitz_stun_message_get_address (&message, KIBITZ_STUN_ATTR_MAPPED_ADDRESS,
                                                  &address));
  g_assert_true (kibitz_stun_address_equal (&address, &peer4));

  g_assert_true (kibitz_stun_message_get_error_code (&message, &code, &text, &n));
  g_assert_cmpint (code, ==, 438);
  g_assert_cmpmem (text, n, "Stale Nonce", 11);
  g_assert_true (kibitz_stun_message_get_text (&message, KIBITZ_STUN_ATTR_NONCE, &text, &n));
  g_assert_cmpmem (text, n, "nonce-1", 7);
  g_assert_true (kibitz_stun_message_get_text (&message, KIBITZ_STUN_ATTR_REALM, &text, &n));
  g_assert_cmpmem (text, n, "kibitz.example", 14);
  g_assert_true (kibitz_stun_message_get_text (&message, KIBITZ_STUN_ATTR_USERNAME, &text, &n));
  g_assert_cmpmem (text, n, "1764000000:p-4f1c", 17);
  g_assert_true (kibitz_stun_message_get_text (&message, KIBITZ_STUN_ATTR_SOFTWARE, &text, &n));
  g_assert_cmpmem (text, n, "Kibitz", 6);
  g_assert_true (kibitz_stun_message_get_uint32 (&message, KIBITZ_STUN_ATTR_LIFETIME, &lifetime));
  g_assert_cmpuint (lifetime, ==, 600);
  g_assert_true (kibitz_stun_message_get_channel_number (&message, &channel));
  g_assert_cmphex (channel, ==, 0x4001);
  g_assert_true (kibitz_stun_message_get_bytes (&message, KIBITZ_STUN_ATTR_DATA, &bytes, &n));
  g_assert_cmpmem (bytes, n, data, sizeof data);
  g_assert_true (kibitz_stun_message_get_requested_transport (&message, &byte));
  g_assert_cmpuint (byte, ==, 17);
  g_assert_true (kibitz_stun_message_get_requested_family (&message, &byte));
  g_assert_cmpuint (byte, ==, KIBITZ_STUN_FAMILY_IPV6);
  g_assert_true (kibitz_stun_message_has (&message, KIBITZ_STUN_ATTR_DONT_FRAGMENT));
  g_assert_true (kibitz_stun_message_get_even_port (&message, &reserve));
  g_assert_true (reserve);
  g_assert_true (kibitz_stun_message_get_uint64 (&message, KIBITZ_STUN_ATTR_RESERVATION_TOKEN,
                                                 &token));
  g_assert_cmphex (token, ==, G_GUINT64_CONSTANT (0x0102030405060708));
  g_assert_true (kibitz_stun_message_get_unknown_attributes (&message, types, 8, &n));
  g_assert_cmpmem (types, n * sizeof (guint16), unknown, sizeof unknown);
}

static void
test_iterator_order (void)
{
  static const guint16 expected[] = {
    KIBITZ_STUN_ATTR_USERNAME, KIBITZ_STUN_ATTR_LIFETIME, 0x9999,
    KIBITZ_STUN_ATTR_MESSAGE_INTEGRITY, KIBITZ_STUN_ATTR_FINGERPRINT,
  };
  KibitzStunMessage message;
  KibitzStunWriter writer;
  KibitzStunAttrIter iter;
  KibitzStunAttr attr;
  guint8 buffer[256];
  gsize length, n = 0;

  kibitz_stun_writer_init (&writer, buffer, sizeof buffer, KIBITZ_STUN_METHOD_REFRESH,
                           KIBITZ_STUN_CLASS_REQUEST, tid);
  kibitz_stun_writer_add_text (&writer, KIBITZ_STUN_ATTR_USERNAME, "u");
  kibitz_stun_writer_add_uint32 (&writer, KIBITZ_STUN_ATTR_LIFETIME, 0);
  kibitz_stun_writer_add_uint32 (&writer, 0x9999, 7);
  kibitz_stun_writer_add_integrity (&writer, key, 16);
  /* After MESSAGE-INTEGRITY: ignored, but the FINGERPRINT still counts. */
  kibitz_stun_writer_add_uint32 (&writer, KIBITZ_STUN_ATTR_CHANNEL_NUMBER, 0x40000000);
  kibitz_stun_writer_add_fingerprint (&writer);
  length = kibitz_stun_writer_finish (&writer);

  g_assert_cmpint (parse (&message, buffer, length), ==, KIBITZ_STUN_PARSE_OK);
  kibitz_stun_attr_iter_init (&iter, &message);
  while (kibitz_stun_attr_iter_next (&iter, &attr))
    {
      g_assert_cmpuint (n, <, G_N_ELEMENTS (expected));
      g_assert_cmphex (attr.type, ==, expected[n]);
      n++;
    }
  g_assert_cmpuint (n, ==, G_N_ELEMENTS (expected));
  g_assert_true (kibitz_stun_message_has (&message, 0x9999));
  g_assert_false (kibitz_stun_message_has (&message, KIBITZ_STUN_ATTR_CHANNEL_NUMBER));
}

static void
test_writer_overflow_is_sticky (void)
{
  KibitzStunWriter writer;
  guint8 buffer[32];

  kibitz_stun_writer_init (&writer, buffer, sizeof buffer, KIBITZ_STUN_METHOD_BINDING,
                           KIBITZ_STUN_CLASS_REQUEST, tid);
  g_assert_true (kibitz_stun_writer_add_uint32 (&writer, KIBITZ_STUN_ATTR_LIFETIME, 1));
  g_assert_cmpuint (kibitz_stun_writer_finish (&writer), ==, 28);
  g_assert_false (kibitz_stun_writer_add_uint32 (&writer, KIBITZ_STUN_ATTR_LIFETIME, 1));
  g_assert_false (kibitz_stun_writer_add (&writer, KIBITZ_STUN_ATTR_DONT_FRAGMENT, NULL, 0));
  g_assert_cmpuint (kibitz_stun_writer_finish (&writer), ==, 0);

  kibitz_stun_writer_init (&writer, buffer, 19, KIBITZ_STUN_METHOD_BINDING,
                           KIBITZ_STUN_CLASS_REQUEST, tid);
  g_assert_cmpuint (kibitz_stun_writer_finish (&writer), ==, 0);

  kibitz_stun_writer_init (&writer, buffer, sizeof buffer, KIBITZ_STUN_METHOD_BINDING,
                           KIBITZ_STUN_CLASS_ERROR, tid);
  g_assert_false (kibitz_stun_writer_add_error_code (&writer, 200, "not an error"));
  g_assert_cmpuint (kibitz_stun_writer_finish (&writer), ==, 0);
}

/* Every method and class survives the bit interleaving of the type field. */
static void
test_method_and_class_encoding (void)
{
  static const guint16 methods[] = { 0x001, 0x003, 0x004, 0x006, 0x007, 0x008, 0x009, 0xFFF };
  gsize m;
  int klass;

  for (m = 0; m < G_N_ELEMENTS (methods); m++)
    for (klass = 0; klass < 4; klass++)
      {
        KibitzStunMessage message;
        KibitzStunWriter writer;
        guint8 buffer[20];

        kibitz_stun_writer_init (&writer, buffer, sizeof buffer, methods[m], klass, tid);
        g_assert_cmpint (parse (&message, buffer, kibitz_stun_writer_finish (&writer)),
                         ==, KIBITZ_STUN_PARSE_OK);
        g_assert_cmphex (message.method, ==, methods[m]);
        g_assert_cmpint (message.klass, ==, klass);
      }

  /* Allocate request is 0x0003, Data indication 0x0017, Allocate error 0x0113. */
  {
    KibitzStunWriter writer;
    guint8 buffer[20];

    kibitz_stun_writer_init (&writer, buffer, 20, KIBITZ_STUN_METHOD_DATA,
                             KIBITZ_STUN_CLASS_INDICATION, tid);
    g_assert_cmphex ((buffer[0] << 8) | buffer[1], ==, 0x0017);
    kibitz_stun_writer_init (&writer, buffer, 20, KIBITZ_STUN_METHOD_ALLOCATE,
                             KIBITZ_STUN_CLASS_ERROR, tid);
    g_assert_cmphex ((buffer[0] << 8) | buffer[1], ==, 0x0113);
  }
}

/* Hostile input */

static void
test_truncated_header (void)
{
  KibitzStunMessage message;
  gsize length;

  for (length = 0; length < KIBITZ_STUN_HEADER_SIZE; length++)
    g_assert_cmpint (parse (&message, rfc5769_request, length), ==, KIBITZ_STUN_PARSE_TRUNCATED);
}

static void
test_truncated_body (void)
{
  KibitzStunMessage message;
  gsize length;

  for (length = KIBITZ_STUN_HEADER_SIZE; length < sizeof rfc5769_request; length++)
    g_assert_cmpint (parse (&message, rfc5769_request, length), ==, KIBITZ_STUN_PARSE_TRUNCATED);
}

static void
test_trailing_bytes (void)
{
  KibitzStunMessage message;
  guint8 buffer[sizeof rfc5769_ipv4_response + 4] = { 0 };

  memcpy (buffer, rfc5769_ipv4_response, sizeof rfc5769_ipv4_response);
  g_assert_cmpint (parse (&message, buffer, sizeof buffer), ==, KIBITZ_STUN_PARSE_BAD_LENGTH);
}

static void
test_wrong_cookie (void)
{
  KibitzStunMessage message;
  guint8 buffer[sizeof rfc5769_ipv4_response];

  memcpy (buffer, rfc5769_ipv4_response, sizeof buffer);
  buffer[7] ^= 0x01;
  g_assert_cmpint (parse (&message, buffer, sizeof buffer), ==, KIBITZ_STUN_PARSE_BAD_COOKIE);
  g_assert_false (kibitz_stun_message_is_stun (buffer, sizeof buffer));
}

static void
test_first_bits_not_zero (void)
{
  KibitzStunMessage message;
  guint8 buffer[sizeof rfc5769_ipv4_response];
  int bits;

  for (bits = 1; bits < 4; bits++)
    {
      memcpy (buffer, rfc5769_ipv4_response, sizeof buffer);
      buffer[0] |= bits << 6;
      g_assert_cmpint (parse (&message, buffer, sizeof buffer), ==, KIBITZ_STUN_PARSE_NOT_STUN);
    }
}

static void
test_length_not_multiple_of_four (void)
{
  KibitzStunMessage message;
  guint8 buffer[64];
  gsize length = raw_header (buffer);

  /* A 5-byte attribute without its 3 bytes of padding. */
  length = append_raw (buffer, length, KIBITZ_STUN_ATTR_USERNAME, 5, "abcde", 5);
  g_assert_cmpint (parse (&message, buffer, length), ==, KIBITZ_STUN_PARSE_BAD_LENGTH);
}

static void
test_attribute_past_the_end (void)
{
  KibitzStunMessage message;
  guint8 buffer[64];
  gsize length = raw_header (buffer);

  length = append_raw (buffer, length, KIBITZ_STUN_ATTR_LIFETIME, 4, "\0\0\0\x10", 4);
  length = append_raw (buffer, length, KIBITZ_STUN_ATTR_USERNAME, 0xFFF0, "abcd", 4);
  g_assert_cmpint (parse (&message, buffer, length), ==, KIBITZ_STUN_PARSE_ATTR_OVERFLOW);

  /* The padding of a 5-byte value would run 3 bytes past the end. */
  length = raw_header (buffer);
  length = append_raw (buffer, length, KIBITZ_STUN_ATTR_USERNAME, 5, "abcd", 4);
  g_assert_cmpint (parse (&message, buffer, length), ==, KIBITZ_STUN_PARSE_ATTR_OVERFLOW);
}

static void
test_duplicate_attributes_first_wins (void)
{
  KibitzStunMessage message;
  KibitzStunWriter writer;
  KibitzStunAddress address;
  guint8 buffer[256];
  guint32 lifetime = 0;
  const char *text;
  gsize length, n;

  kibitz_stun_writer_init (&writer, buffer, sizeof buffer, KIBITZ_STUN_METHOD_REFRESH,
                           KIBITZ_STUN_CLASS_REQUEST, tid);
  kibitz_stun_writer_add_uint32 (&writer, KIBITZ_STUN_ATTR_LIFETIME, 100);
  kibitz_stun_writer_add_uint32 (&writer, KIBITZ_STUN_ATTR_LIFETIME, 200);
  kibitz_stun_writer_add_xor_address (&writer, KIBITZ_STUN_ATTR_XOR_PEER_ADDRESS, &peer4);
  kibitz_stun_writer_add_xor_address (&writer, KIBITZ_STUN_ATTR_XOR_PEER_ADDRESS, &peer6);
  kibitz_stun_writer_add_text (&writer, KIBITZ_STUN_ATTR_SOFTWARE, "first");
  kibitz_stun_writer_add_text (&writer, KIBITZ_STUN_ATTR_SOFTWARE, "second");
  length = kibitz_stun_writer_finish (&writer);

  g_assert_cmpint (parse (&message, buffer, length), ==, KIBITZ_STUN_PARSE_OK);
  g_assert_true (kibitz_stun_message_get_uint32 (&message, KIBITZ_STUN_ATTR_LIFETIME, &lifetime));
  g_assert_cmpuint (lifetime, ==, 100);
  g_assert_true (kibitz_stun_message_get_xor_address (&message, KIBITZ_STUN_ATTR_XOR_PEER_ADDRESS,
                                                      &address));
  g_assert_true (kibitz_stun_address_equal (&address, &peer4));
  g_assert_true (kibitz_stun_message_get_text (&message, KIBITZ_STUN_ATTR_SOFTWARE, &text, &n));
  g_assert_cmpmem (text, n, "first", 5);
}

static void
test_attributes_after_integrity_are_ignored (void)
{
  KibitzStunMessage message;
  KibitzStunWriter writer;
  guint8 buffer[256];
  guint32 lifetime = 0;
  gsize length;

  kibitz_stun_writer_init (&writer, buffer, sizeof buffer, KIBITZ_STUN_METHOD_REFRESH,
                           KIBITZ_STUN_CLASS_REQUEST, tid);
  kibitz_stun_writer_add_uint32 (&writer, KIBITZ_STUN_ATTR_PRIORITY, 1);
  kibitz_stun_writer_add_integrity (&writer, key, 16);
  kibitz_stun_writer_add_uint32 (&writer, KIBITZ_STUN_ATTR_LIFETIME, 0);
  kibitz_stun_writer_add_uint32 (&writer, 0x0077, 0);  /* unknown, comprehension-required */
  kibitz_stun_writer_add_integrity (&writer, (const guint8 *) "other", 5);
  length = kibitz_stun_writer_finish (&writer);

  g_assert_cmpint (parse (&message, buffer, length), ==, KIBITZ_STUN_PARSE_OK);
  g_assert_false (kibitz_stun_message_get_uint32 (&message, KIBITZ_STUN_ATTR_LIFETIME, &lifetime));
  g_assert_cmpuint (message.n_unknown, ==, 0);
  /* The first MESSAGE-INTEGRITY is the one checked, over what precedes it. */
  g_assert_true (kibitz_stun_message_check_integrity (&message, key, 16));
  g_assert_false (kibitz_stun_message_check_integrity (&message, (const guint8 *) "other", 5));
}

static void
test_fingerprint_must_be_last (void)
{
  KibitzStunMessage message;
  KibitzStunWriter writer;
  guint8 buffer[256];
  gsize length;

  kibitz_stun_writer_init (&writer, buffer, sizeof buffer, KIBITZ_STUN_METHOD_BINDING,
                           KIBITZ_STUN_CLASS_REQUEST, tid);
  kibitz_stun_writer_add_fingerprint (&writer);
  kibitz_stun_writer_add_uint32 (&writer, KIBITZ_STUN_ATTR_PRIORITY, 1);
  length = kibitz_stun_writer_finish (&writer);
  g_assert_cmpint (parse (&message, buffer, length), ==, KIBITZ_STUN_PARSE_BAD_FINGERPRINT_ATTR);

  kibitz_stun_writer_init (&writer, buffer, sizeof buffer, KIBITZ_STUN_METHOD_BINDING,
                           KIBITZ_STUN_CLASS_REQUEST, tid);
  kibitz_stun_writer_add (&writer, KIBITZ_STUN_ATTR_FINGERPRINT, "\0\0\0\0\0\0\0\0", 8);
  length = kibitz_stun_writer_finish (&writer);
  g_assert_cmpint (parse (&message, buffer, length), ==, KIBITZ_STUN_PARSE_BAD_FINGERPRINT_ATTR);
}

static void
test_wrong_fingerprint (void)
{
  KibitzStunMessage message;
  guint8 buffer[sizeof rfc5769_ipv4_response];

  memcpy (buffer, rfc5769_ipv4_response, sizeof buffer);
  buffer[sizeof buffer - 1] ^= 0x80;
  g_assert_cmpint (parse (&message, buffer, sizeof buffer), ==, KIBITZ_STUN_PARSE_BAD_FINGERPRINT);
}

static void
test_integrity_of_wrong_size (void)
{
  KibitzStunMessage message;
  KibitzStunWriter writer;
  guint8 buffer[256];
  guint8 zeros[24] = { 0 };
  gsize length;

  kibitz_stun_writer_init (&writer, buffer, sizeof buffer, KIBITZ_STUN_METHOD_BINDING,
                           KIBITZ_STUN_CLASS_REQUEST, tid);
  kibitz_stun_writer_add (&writer, KIBITZ_STUN_ATTR_MESSAGE_INTEGRITY, zeros, 16);
  length = kibitz_stun_writer_finish (&writer);
  g_assert_cmpint (parse (&message, buffer, length), ==, KIBITZ_STUN_PARSE_BAD_INTEGRITY_ATTR);

  /* No MESSAGE-INTEGRITY at all: nothing to check, so the check fails. */
  kibitz_stun_writer_init (&writer, buffer, sizeof buffer, KIBITZ_STUN_METHOD_BINDING,
                           KIBITZ_STUN_CLASS_REQUEST, tid);
  length = kibitz_stun_writer_finish (&writer);
  g_assert_cmpint (parse (&message, buffer, length), ==, KIBITZ_STUN_PARSE_OK);
  g_assert_false (kibitz_stun_message_check_integrity (&message, key, 16));
}

static void
test_unknown_comprehension_required (void)
{
  KibitzStunMessage message;
  KibitzStunWriter writer;
  guint8 buffer[512];
  gsize length;
  guint16 type;

  kibitz_stun_writer_init (&writer, buffer, sizeof buffer, KIBITZ_STUN_METHOD_ALLOCATE,
                           KIBITZ_STUN_CLASS_REQUEST, tid);
  kibitz_stun_writer_add_uint32 (&writer, 0x0030, 0);
  kibitz_stun_writer_add_uint32 (&writer, 0x0030, 0);   /* reported once */
  kibitz_stun_writer_add_uint32 (&writer, 0xC001, 0);   /* comprehension-optional: fine */
  kibitz_stun_writer_add_uint32 (&writer, 0x7FFF, 0);
  length = kibitz_stun_writer_finish (&writer);

  g_assert_cmpint (parse (&message, buffer, length), ==, KIBITZ_STUN_PARSE_OK);
  g_assert_cmpuint (message.n_unknown, ==, 2);
  g_assert_cmphex (message.unknown[0], ==, 0x0030);
  g_assert_cmphex (message.unknown[1], ==, 0x7FFF);

  /* More than fit: all are counted, the first ones are kept. */
  kibitz_stun_writer_init (&writer, buffer, sizeof buffer, KIBITZ_STUN_METHOD_ALLOCATE,
                           KIBITZ_STUN_CLASS_REQUEST, tid);
  for (type = 0x0040; type < 0x0040 + 2 * KIBITZ_STUN_MAX_UNKNOWN; type++)
    kibitz_stun_writer_add (&writer, type, NULL, 0);
  length = kibitz_stun_writer_finish (&writer);
  g_assert_cmpint (parse (&message, buffer, length), ==, KIBITZ_STUN_PARSE_OK);
  g_assert_cmpuint (message.n_unknown, ==, 2 * KIBITZ_STUN_MAX_UNKNOWN);
  g_assert_cmphex (message.unknown[KIBITZ_STUN_MAX_UNKNOWN - 1], ==,
                   0x0040 + KIBITZ_STUN_MAX_UNKNOWN - 1);
}

static void
test_malformed_attribute_values (void)
{
  KibitzStunMessage message;
  KibitzStunAddress address;
  guint8 buffer[2048];
  guint8 big[600];
  gsize length = raw_header (buffer);
  const char *text;
  guint16 channel;
  guint32 lifetime;
  guint64 token;
  guint8 byte;
  gboolean reserve;
  gsize n;
  int code;

  /* An IPv4 family with an IPv6 length, and an unknown family. */
  length = append_raw (buffer, length, KIBITZ_STUN_ATTR_XOR_PEER_ADDRESS, 20,
                       "\0\x01\0\x01" "0123456789abcdef", 20);
  length = append_raw (buffer, length, KIBITZ_STUN_ATTR_XOR_RELAYED_ADDRESS, 8,
                       "\0\x03\0\x01" "0123", 8);
  length = append_raw (buffer, length, KIBITZ_STUN_ATTR_MAPPED_ADDRESS, 2, "\0\x01\0\0", 4);
  length = append_raw (buffer, length, KIBITZ_STUN_ATTR_LIFETIME, 2, "\0\x01\0\0", 4);
  length = append_raw (buffer, length, KIBITZ_STUN_ATTR_CHANNEL_NUMBER, 2, "\x40\0\0\0", 4);
  length = append_raw (buffer, length, KIBITZ_STUN_ATTR_ERROR_CODE, 4, "\0\0\x07\x01", 4);
  length = append_raw (buffer, length, KIBITZ_STUN_ATTR_REQUESTED_TRANSPORT, 1, "\x11\0\0\0", 4);
  length = append_raw (buffer, length, KIBITZ_STUN_ATTR_REQUESTED_ADDRESS_FAMILY, 8,
                       "\x01\0\0\0\0\0\0\0", 8);
  length = append_raw (buffer, length, KIBITZ_STUN_ATTR_EVEN_PORT, 4, "\x80\0\0\0", 4);
  length = append_raw (buffer, length, KIBITZ_STUN_ATTR_NONCE, 4, "\xff\xfe\0\0", 4);
  length = append_raw (buffer, length, KIBITZ_STUN_ATTR_UNKNOWN_ATTRIBUTES, 3, "\0\x30\0\0", 4);
  memset (big, 'a', sizeof big);
  length = append_raw (buffer, length, KIBITZ_STUN_ATTR_USERNAME, 600, big, 600);
  g_assert_cmpint (parse (&message, buffer, length), ==, KIBITZ_STUN_PARSE_OK);

  g_assert_false (kibitz_stun_message_get_xor_address (&message,
                                                       KIBITZ_STUN_ATTR_XOR_PEER_ADDRESS,
                                                       &address));
  g_assert_false (kibitz_stun_message_get_xor_address (&message,
                                                       KIBITZ_STUN_ATTR_XOR_RELAYED_ADDRESS,
                                                       &address));
  g_assert_false (kibitz_stun_message_get_address (&message, KIBITZ_STUN_ATTR_MAPPED_ADDRESS,
                                                   &address));
  g_assert_false (kibitz_stun_message_get_uint32 (&message, KIBITZ_STUN_ATTR_LIFETIME, &lifetime));
  g_assert_false (kibitz_stun_message_get_channel_number (&message, &channel));
  g_assert_false (kibitz_stun_message_get_error_code (&message, &code, &text, &n));
  g_assert_false (kibitz_stun_message_get_requested_transport (&message, &byte));
  g_assert_false (kibitz_stun_message_get_requested_family (&message, &byte));
  g_assert_false (kibitz_stun_message_get_even_port (&message, &reserve));
  g_assert_false (kibitz_stun_message_get_text (&message, KIBITZ_STUN_ATTR_NONCE, &text, &n));
  g_assert_false (kibitz_stun_message_get_unknown_attributes (&message, &channel, 1, &n));
  g_assert_false (kibitz_stun_message_get_text (&message, KIBITZ_STUN_ATTR_USERNAME, &text, &n));
  /* Absent attributes. */
  g_assert_false (kibitz_stun_message_get_text (&message, KIBITZ_STUN_ATTR_REALM, &text, &n));
  g_assert_false (kibitz_stun_message_get_uint64 (&message, KIBITZ_STUN_ATTR_RESERVATION_TOKEN,
                                                  &token));
}

static void
test_sockaddr_round_trip (void)
{
  const KibitzStunAddress *addresses[] = { &peer4, &peer6 };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (addresses); i++)
    {
      struct sockaddr_storage storage;
      KibitzStunAddress back;
      socklen_t len = kibitz_stun_address_to_sockaddr (addresses[i], &storage);

      g_assert_cmpuint (len, >, 0);
      g_assert_true (kibitz_stun_address_from_sockaddr (&back, (struct sockaddr *) &storage, len));
      g_assert_true (kibitz_stun_address_equal (&back, addresses[i]));
      g_assert_false (kibitz_stun_address_from_sockaddr (&back, (struct sockaddr *) &storage, 2));
    }
}

/* Framing */

static void
test_channel_data_udp (void)
{
  static const guint8 frame[] = { 0x40, 0x01, 0x00, 0x03, 'a', 'b', 'c' };
  static const guint8 padded[] = { 0x40, 0x01, 0x00, 0x03, 'a', 'b', 'c', 0 };
  const guint8 *payload;
  guint8 buffer[16];
  guint16 channel = 0;
  gsize n = 0, frame_length;

  g_assert_true (kibitz_stun_channel_data_parse (frame, sizeof frame, FALSE, &channel,
                                                 &payload, &n));
  g_assert_cmphex (channel, ==, 0x4001);
  g_assert_cmpmem (payload, n, "abc", 3);
  g_assert_true (kibitz_stun_channel_data_parse (padded, sizeof padded, FALSE, &channel,
                                                 &payload, &n));
  g_assert_cmpmem (payload, n, "abc", 3);
  g_assert_false (kibitz_stun_channel_data_parse (frame, sizeof frame - 1, FALSE, &channel,
                                                  &payload, &n));
  g_assert_false (kibitz_stun_channel_data_parse (frame, 3, FALSE, &channel, &payload, &n));
  g_assert_false (kibitz_stun_channel_data_parse (rfc5769_request, sizeof rfc5769_request, FALSE,
                                                  &channel, &payload, &n));

  g_assert_cmpint (kibitz_stun_frame_peek (frame, sizeof frame, FALSE, &frame_length),
                   ==, KIBITZ_STUN_FRAME_CHANNEL_DATA);
  g_assert_cmpuint (frame_length, ==, 7);
  g_assert_cmpint (kibitz_stun_frame_peek (frame, 2, FALSE, &frame_length),
                   ==, KIBITZ_STUN_FRAME_INVALID);

  g_assert_cmpuint (kibitz_stun_channel_data_write (buffer, sizeof buffer, FALSE, 0x4001,
                                                    (const guint8 *) "abc", 3), ==, 7);
  g_assert_cmpmem (buffer, 7, frame, sizeof frame);
  g_assert_cmpuint (kibitz_stun_channel_data_write (buffer, 6, FALSE, 0x4001,
                                                    (const guint8 *) "abc", 3), ==, 0);
  g_assert_cmpuint (kibitz_stun_channel_data_write (buffer, sizeof buffer, FALSE, 0x3FFF,
                                                    (const guint8 *) "abc", 3), ==, 0);
}

static void
test_channel_data_tcp_padding (void)
{
  static const guint8 stream[] = {
    0x40, 0x02, 0x00, 0x05, 'h', 'e', 'l', 'l', 'o', 0, 0, 0,   /* padded to 12 */
    0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42,             /* then a STUN header */
  };
  const guint8 *payload;
  guint8 buffer[16];
  guint16 channel = 0;
  gsize n = 0, frame_length = 0, i;

  g_assert_cmpint (kibitz_stun_frame_peek (stream, sizeof stream, TRUE, &frame_length),
                   ==, KIBITZ_STUN_FRAME_CHANNEL_DATA);
  g_assert_cmpuint (frame_length, ==, 12);
  g_assert_true (kibitz_stun_channel_data_parse (stream, 12, TRUE, &channel, &payload, &n));
  g_assert_cmphex (channel, ==, 0x4002);
  g_assert_cmpmem (payload, n, "hello", 5);
  /* Over TCP the padding is part of the frame. */
  g_assert_false (kibitz_stun_channel_data_parse (stream, 9, TRUE, &channel, &payload, &n));

  for (i = 0; i < 4; i++)
    g_assert_cmpint (kibitz_stun_frame_peek (stream, i, TRUE, &frame_length),
                     ==, KIBITZ_STUN_FRAME_NEED_MORE);
  for (i = 4; i < 12; i++)
    {
      g_assert_cmpint (kibitz_stun_frame_peek (stream, i, TRUE, &frame_length),
                       ==, KIBITZ_STUN_FRAME_NEED_MORE);
      g_assert_cmpuint (frame_length, ==, 12);
    }

  g_assert_cmpint (kibitz_stun_frame_peek (stream + 12, 8, TRUE, &frame_length),
                   ==, KIBITZ_STUN_FRAME_NEED_MORE);
  g_assert_cmpuint (frame_length, ==, 20);

  g_assert_cmpuint (kibitz_stun_channel_data_write (buffer, sizeof buffer, TRUE, 0x4002,
                                                    (const guint8 *) "hello", 5), ==, 12);
  g_assert_cmpmem (buffer, 12, stream, 12);
}

static void
test_frame_peek_stun (void)
{
  guint8 bad[20];
  gsize frame_length = 0;

  g_assert_cmpint (kibitz_stun_frame_peek (rfc5769_request, sizeof rfc5769_request, TRUE,
                                           &frame_length), ==, KIBITZ_STUN_FRAME_STUN);
  g_assert_cmpuint (frame_length, ==, sizeof rfc5769_request);

  memcpy (bad, rfc5769_request, sizeof bad);
  bad[4] = 0;
  g_assert_cmpint (kibitz_stun_frame_peek (bad, sizeof bad, TRUE, &frame_length),
                   ==, KIBITZ_STUN_FRAME_INVALID);
  memcpy (bad, rfc5769_request, sizeof bad);
  bad[3] = 0x57;
  g_assert_cmpint (kibitz_stun_frame_peek (bad, sizeof bad, TRUE, &frame_length),
                   ==, KIBITZ_STUN_FRAME_INVALID);
  bad[0] = 0x80;
  g_assert_cmpint (kibitz_stun_frame_peek (bad, sizeof bad, TRUE, &frame_length),
                   ==, KIBITZ_STUN_FRAME_INVALID);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/stun/message/round-trip-every-attribute", test_round_trip_every_attribute);
  g_test_add_func ("/stun/message/iterator-order", test_iterator_order);
  g_test_add_func ("/stun/message/writer-overflow-is-sticky", test_writer_overflow_is_sticky);
  g_test_add_func ("/stun/message/method-and-class-encoding", test_method_and_class_encoding);
  g_test_add_func ("/stun/message/sockaddr-round-trip", test_sockaddr_round_trip);
  g_test_add_func ("/stun/malformed/truncated-header", test_truncated_header);
  g_test_add_func ("/stun/malformed/truncated-body", test_truncated_body);
  g_test_add_func ("/stun/malformed/trailing-bytes", test_trailing_bytes);
  g_test_add_func ("/stun/malformed/wrong-cookie", test_wrong_cookie);
  g_test_add_func ("/stun/malformed/first-bits-not-zero", test_first_bits_not_zero);
  g_test_add_func ("/stun/malformed/length-not-multiple-of-four",
                   test_length_not_multiple_of_four);
  g_test_add_func ("/stun/malformed/attribute-past-the-end", test_attribute_past_the_end);
  g_test_add_func ("/stun/malformed/duplicate-attributes-first-wins",
                   test_duplicate_attributes_first_wins);
  g_test_add_func ("/stun/malformed/attributes-after-integrity-are-ignored",
                   test_attributes_after_integrity_are_ignored);
  g_test_add_func ("/stun/malformed/fingerprint-must-be-last", test_fingerprint_must_be_last);
  g_test_add_func ("/stun/malformed/wrong-fingerprint", test_wrong_fingerprint);
  g_test_add_func ("/stun/malformed/integrity-of-wrong-size", test_integrity_of_wrong_size);
  g_test_add_func ("/stun/malformed/unknown-comprehension-required",
                   test_unknown_comprehension_required);
  g_test_add_func ("/stun/malformed/attribute-values", test_malformed_attribute_values);
  g_test_add_func ("/stun/framing/channel-data-udp", test_channel_data_udp);
  g_test_add_func ("/stun/framing/channel-data-tcp-padding", test_channel_data_tcp_padding);
  g_test_add_func ("/stun/framing/peek-stun", test_frame_peek_stun);

  return g_test_run ();
}
