/* test-stun-vectors.c: RFC 5769's test vectors, parsed and rebuilt byte for byte.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "kibitz-stun-auth.h"
#include "kibitz-stun-message.h"
#include "stun-test-vectors.h"

static const char short_term_password[] = "VOkJxbRl1RmTxUk/WvJxBt";

static void
assert_text (const KibitzStunMessage *message,
             guint16                  type,
             const char              *expected)
{
  const char *text = NULL;
  gsize length = 0;

  g_assert_true (kibitz_stun_message_get_text (message, type, &text, &length));
  g_assert_cmpmem (text, length, expected, strlen (expected));
}

/* Writers pad with zeros; two of RFC 5769's messages pad with spaces. Overwrite
 * the padding of the last attribute so the rebuilt bytes can match. */
static void
pad_last_attribute_with_spaces (KibitzStunWriter *writer,
                                gsize             value_length)
{
  gsize padding = (4 - value_length % 4) % 4;

  memset (writer->buffer + writer->length - padding, ' ', padding);
}

static void
test_sample_request (void)
{
  KibitzStunMessage message;
  KibitzStunWriter writer;
  guint8 buffer[256];
  guint32 priority = 0;
  guint64 tie_breaker = 0;
  gsize length;

  g_assert_cmpint (kibitz_stun_message_parse (&message, rfc5769_request,
                                              sizeof rfc5769_request),
                   ==, KIBITZ_STUN_PARSE_OK);
  g_assert_cmpuint (message.method, ==, KIBITZ_STUN_METHOD_BINDING);
  g_assert_cmpuint (message.klass, ==, KIBITZ_STUN_CLASS_REQUEST);
  g_assert_cmpmem (message.transaction_id, 12, rfc5769_request + 8, 12);
  assert_text (&message, KIBITZ_STUN_ATTR_SOFTWARE, "STUN test client");
  assert_text (&message, KIBITZ_STUN_ATTR_USERNAME, "evtj:h6vY");
  g_assert_true (kibitz_stun_message_get_uint32 (&message, KIBITZ_STUN_ATTR_PRIORITY, &priority));
  g_assert_cmphex (priority, ==, 0x6e0001ff);
  g_assert_true (kibitz_stun_message_get_uint64 (&message, KIBITZ_STUN_ATTR_ICE_CONTROLLED,
                                                 &tie_breaker));
  g_assert_cmphex (tie_breaker, ==, G_GUINT64_CONSTANT (0x932ff9b151263b36));

  g_assert_true (kibitz_stun_message_check_fingerprint (&message));
  g_assert_true (kibitz_stun_message_check_integrity (&message,
                                                      (const guint8 *) short_term_password,
                                                      strlen (short_term_password)));
  g_assert_false (kibitz_stun_message_check_integrity (&message, (const guint8 *) "wrong", 5));

  kibitz_stun_writer_init (&writer, buffer, sizeof buffer, KIBITZ_STUN_METHOD_BINDING,
                           KIBITZ_STUN_CLASS_REQUEST, rfc5769_request + 8);
  kibitz_stun_writer_add_text (&writer, KIBITZ_STUN_ATTR_SOFTWARE, "STUN test client");
  kibitz_stun_writer_add_uint32 (&writer, KIBITZ_STUN_ATTR_PRIORITY, 0x6e0001ff);
  kibitz_stun_writer_add_uint64 (&writer, KIBITZ_STUN_ATTR_ICE_CONTROLLED,
                                 G_GUINT64_CONSTANT (0x932ff9b151263b36));
  kibitz_stun_writer_add_text (&writer, KIBITZ_STUN_ATTR_USERNAME, "evtj:h6vY");
  pad_last_attribute_with_spaces (&writer, strlen ("evtj:h6vY"));
  kibitz_stun_writer_add_integrity (&writer, (const guint8 *) short_term_password,
                                    strlen (short_term_password));
  kibitz_stun_writer_add_fingerprint (&writer);
  length = kibitz_stun_writer_finish (&writer);
  g_assert_cmpmem (buffer, length, rfc5769_request, sizeof rfc5769_request);
}

static void
check_response (const guint8            *vector,
                gsize                    vector_length,
                const KibitzStunAddress *expected)
{
  KibitzStunMessage message;
  KibitzStunWriter writer;
  KibitzStunAddress mapped;
  guint8 buffer[256];
  gsize length;

  g_assert_cmpint (kibitz_stun_message_parse (&message, vector, vector_length),
                   ==, KIBITZ_STUN_PARSE_OK);
  g_assert_cmpuint (message.method, ==, KIBITZ_STUN_METHOD_BINDING);
  g_assert_cmpuint (message.klass, ==, KIBITZ_STUN_CLASS_SUCCESS);
  assert_text (&message, KIBITZ_STUN_ATTR_SOFTWARE, "test vector");
  g_assert_true (kibitz_stun_message_get_xor_address (&message,
                                                      KIBITZ_STUN_ATTR_XOR_MAPPED_ADDRESS,
                                                      &mapped));
  g_assert_true (kibitz_stun_address_equal (&mapped, expected));
  g_assert_true (kibitz_stun_message_check_integrity (&message,
                                                      (const guint8 *) short_term_password,
                                                      strlen (short_term_password)));

  kibitz_stun_writer_init (&writer, buffer, sizeof buffer, KIBITZ_STUN_METHOD_BINDING,
                           KIBITZ_STUN_CLASS_SUCCESS, vector + 8);
  kibitz_stun_writer_add_text (&writer, KIBITZ_STUN_ATTR_SOFTWARE, "test vector");
  pad_last_attribute_with_spaces (&writer, strlen ("test vector"));
  kibitz_stun_writer_add_xor_address (&writer, KIBITZ_STUN_ATTR_XOR_MAPPED_ADDRESS, expected);
  kibitz_stun_writer_add_integrity (&writer, (const guint8 *) short_term_password,
                                    strlen (short_term_password));
  kibitz_stun_writer_add_fingerprint (&writer);
  length = kibitz_stun_writer_finish (&writer);
  g_assert_cmpmem (buffer, length, vector, vector_length);
}

static void
test_ipv4_response (void)
{
  KibitzStunAddress expected = {
    .family = KIBITZ_STUN_FAMILY_IPV4, .port = 32853, .addr = { 192, 0, 2, 1 },
  };
  g_autofree char *text = kibitz_stun_address_to_string (&expected);

  g_assert_cmpstr (text, ==, "192.0.2.1:32853");
  check_response (rfc5769_ipv4_response, sizeof rfc5769_ipv4_response, &expected);
}

static void
test_ipv6_response (void)
{
  KibitzStunAddress expected = {
    .family = KIBITZ_STUN_FAMILY_IPV6, .port = 32853,
    .addr = { 0x20, 0x01, 0x0d, 0xb8, 0x12, 0x34, 0x56, 0x78,
              0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77 },
  };
  g_autofree char *text = kibitz_stun_address_to_string (&expected);

  g_assert_cmpstr (text, ==, "[2001:db8:1234:5678:11:2233:4455:6677]:32853");
  check_response (rfc5769_ipv6_response, sizeof rfc5769_ipv6_response, &expected);
}

/* RFC 5769 §2.4. The password "The<U+00AD>M<U+00AA>tr<U+2168>" is "TheMatrIX"
 * after SASLprep, and that is what the key is made of. */
static void
test_long_term_request (void)
{
  static const char username[] = "\u30de\u30c8\u30ea\u30c3\u30af\u30b9";
  static const char nonce[] = "f//499k954d6OL34oL9FSTvy64sA";
  KibitzStunMessage message;
  KibitzStunWriter writer;
  guint8 key[KIBITZ_STUN_LONG_TERM_KEY_SIZE];
  guint8 buffer[256];
  gsize length;

  g_assert_cmpint (kibitz_stun_message_parse (&message, rfc5769_long_term_request,
                                              sizeof rfc5769_long_term_request),
                   ==, KIBITZ_STUN_PARSE_OK);
  assert_text (&message, KIBITZ_STUN_ATTR_USERNAME, username);
  assert_text (&message, KIBITZ_STUN_ATTR_NONCE, nonce);
  assert_text (&message, KIBITZ_STUN_ATTR_REALM, "example.org");
  g_assert_false (kibitz_stun_message_has (&message, KIBITZ_STUN_ATTR_FINGERPRINT));
  g_assert_false (kibitz_stun_message_check_fingerprint (&message));

  kibitz_stun_long_term_key (username, strlen (username), "example.org", 11,
                             "TheMatrIX", 9, key);
  g_assert_true (kibitz_stun_message_check_integrity (&message, key, sizeof key));
  kibitz_stun_long_term_key (username, strlen (username), "example.org", 11,
                             "TheMatrix", 9, key);
  g_assert_false (kibitz_stun_message_check_integrity (&message, key, sizeof key));

  kibitz_stun_long_term_key (username, strlen (username), "example.org", 11,
                             "TheMatrIX", 9, key);
  kibitz_stun_writer_init (&writer, buffer, sizeof buffer, KIBITZ_STUN_METHOD_BINDING,
                           KIBITZ_STUN_CLASS_REQUEST, rfc5769_long_term_request + 8);
  kibitz_stun_writer_add_text (&writer, KIBITZ_STUN_ATTR_USERNAME, username);
  kibitz_stun_writer_add_text (&writer, KIBITZ_STUN_ATTR_NONCE, nonce);
  kibitz_stun_writer_add_text (&writer, KIBITZ_STUN_ATTR_REALM, "example.org");
  kibitz_stun_writer_add_integrity (&writer, key, sizeof key);
  length = kibitz_stun_writer_finish (&writer);
  g_assert_cmpmem (buffer, length, rfc5769_long_term_request, sizeof rfc5769_long_term_request);
}

/* The standard check value of CRC-32 ("123456789" -> 0xCBF43926). */
static void
test_crc32_check_value (void)
{
  g_assert_cmphex (kibitz_stun_crc32 (0, (const guint8 *) "123456789", 9), ==, 0xcbf43926);
  g_assert_cmphex (kibitz_stun_crc32 (kibitz_stun_crc32 (0, (const guint8 *) "1234", 4),
                                      (const guint8 *) "56789", 5), ==, 0xcbf43926);
}

/* CRC-32 catches every single-bit error: a message with any one bit flipped
 * is refused, unless the flip hid the FINGERPRINT itself (a valid message may
 * have none), for example by growing the attribute before it over the rest. */
static void
test_every_bit_flip_is_refused (void)
{
  const struct { const guint8 *data; gsize length; } vectors[] = {
    { rfc5769_request, sizeof rfc5769_request },
    { rfc5769_ipv4_response, sizeof rfc5769_ipv4_response },
    { rfc5769_ipv6_response, sizeof rfc5769_ipv6_response },
  };
  gsize v, i;
  int bit, refused = 0, hidden = 0;

  for (v = 0; v < G_N_ELEMENTS (vectors); v++)
    {
      g_autofree guint8 *copy = g_memdup2 (vectors[v].data, vectors[v].length);

      for (i = 0; i < vectors[v].length; i++)
        for (bit = 0; bit < 8; bit++)
          {
            KibitzStunMessage message;

            copy[i] ^= 1 << bit;
            if (kibitz_stun_message_parse (&message, copy, vectors[v].length) ==
                KIBITZ_STUN_PARSE_OK)
              {
                g_assert_false (kibitz_stun_message_has (&message, KIBITZ_STUN_ATTR_FINGERPRINT));
                hidden++;
              }
            else
              {
                refused++;
              }
            copy[i] ^= 1 << bit;
          }
    }

  g_assert_cmpint (refused, >, 20 * hidden);
}

/* The long-term vector has no FINGERPRINT: a flipped bit in the covered part
 * must still break MESSAGE-INTEGRITY (when the message still parses). */
static void
test_every_bit_flip_breaks_integrity (void)
{
  static const char username[] = "\u30de\u30c8\u30ea\u30c3\u30af\u30b9";
  g_autofree guint8 *copy = g_memdup2 (rfc5769_long_term_request,
                                       sizeof rfc5769_long_term_request);
  guint8 key[KIBITZ_STUN_LONG_TERM_KEY_SIZE];
  gsize i;
  int bit, parsed = 0;

  kibitz_stun_long_term_key (username, strlen (username), "example.org", 11,
                             "TheMatrIX", 9, key);
  for (i = 0; i < sizeof rfc5769_long_term_request; i++)
    for (bit = 0; bit < 8; bit++)
      {
        KibitzStunMessage message;

        copy[i] ^= 1 << bit;
        if (kibitz_stun_message_parse (&message, copy, sizeof rfc5769_long_term_request) ==
            KIBITZ_STUN_PARSE_OK)
          {
            parsed++;
            g_assert_false (kibitz_stun_message_check_integrity (&message, key, sizeof key));
          }
        copy[i] ^= 1 << bit;
      }

  g_assert_cmpint (parsed, >, 500);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/stun/rfc5769/sample-request", test_sample_request);
  g_test_add_func ("/stun/rfc5769/ipv4-response", test_ipv4_response);
  g_test_add_func ("/stun/rfc5769/ipv6-response", test_ipv6_response);
  g_test_add_func ("/stun/rfc5769/long-term-request", test_long_term_request);
  g_test_add_func ("/stun/crc32/check-value", test_crc32_check_value);
  g_test_add_func ("/stun/rfc5769/every-bit-flip-is-refused", test_every_bit_flip_is_refused);
  g_test_add_func ("/stun/rfc5769/every-bit-flip-breaks-integrity",
                   test_every_bit_flip_breaks_integrity);

  return g_test_run ();
}
