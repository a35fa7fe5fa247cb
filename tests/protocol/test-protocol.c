/* test-protocol.c: names, message parsing and TURN REST credentials.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "kibitz-message.h"
#include "kibitz-names.h"
#include "kibitz-turn-credentials.h"

static void
test_room_names (void)
{
  struct { const char *a, *b; gboolean same; } cases[] = {
    { "Chess 101", "chess 101", TRUE },
    { "Chess 101", "  Chess 101\t", TRUE },
    { "Chess 101", "ＣＨＥＳＳ　１０１", TRUE },         /* full width (NFKC) */
    { "Straße", "STRASSE", TRUE },                     /* case folding */
    { "ﬁsh", "fish", TRUE },                           /* ligature (NFKC) */
    { "Chess 101", "Chess 102", FALSE },
    { "Zajęcia", "Zajecia", FALSE },                   /* accents matter */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *a = kibitz_room_name_normalize (cases[i].a, NULL, &error);
      g_autofree char *b = kibitz_room_name_normalize (cases[i].b, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpint (g_str_equal (a, b), ==, cases[i].same);
    }
}

static void
test_bad_names (void)
{
  g_autofree char *sixty_four = g_strnfill (64, 'x');
  g_autofree char *sixty_five = g_strnfill (65, 'x');
  g_autoptr(GString) polish = g_string_new (NULL);
  const char *bad[] = {
    "", "   ", "a\nb", "tab\there", "bell\007", sixty_five, "\xff\xfe",
    "Ada \u202Erehcaet",          /* a right-to-left override: shows "Ada teacher" */
    "\u2067Ada\u2069",            /* a bidi isolate */
    "Ada\u200B",                   /* a zero-width space */
    "\u200B\u200B",               /* zero-width only */
    "\u3164",                      /* the Hangul filler, alone */
    "Ada\u3164Nowak",              /* and inside */
    "\u2800",                      /* a blank Braille pattern */
    "Ada\U000E0041\U000E0042",    /* tag characters */
    "\u200DAda",                   /* a joiner with nothing before it */
    "\u0301\u0301",               /* combining marks with nothing to mark */
    "\u0422\u0435acher",          /* "Теacher": Cyrillic Т and е before Latin */
    "Pani \u0395wa",               /* a Greek Epsilon in a Latin word */
  };
  /* Real names in one alphabet each, or emoji joined with ZWJ, pass. */
  const char *good[] = {
    "Олена Коваленко", "Ἀλέξανδρος", "Zażółć Gęślą", "Ewa Петренко",
    "\U0001F468\u200D\U0001F3EB Pan Marek", "\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645",
    "José", "李雷",
  };

  /* 64 characters of two bytes each is fine: the limit counts characters. */
  for (guint i = 0; i < 64; i++)
    g_string_append (polish, "ż");

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *key = kibitz_room_name_normalize (bad[i], NULL, &error);
      g_autoptr(GError) name_error = NULL;
      g_autofree char *name = kibitz_display_name_validate (bad[i], &name_error);

      g_assert_null (key);
      g_assert_error (error, KIBITZ_PROTOCOL_ERROR, KIBITZ_PROTOCOL_ERROR_BAD_ROOM);
      g_assert_null (name);
      g_assert_error (name_error, KIBITZ_PROTOCOL_ERROR, KIBITZ_PROTOCOL_ERROR_BAD_NAME);
    }

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *name = kibitz_display_name_validate (good[i], &error);

      g_assert_no_error (error);
      g_assert_cmpstr (name, ==, good[i]);
    }

  {
    g_autoptr(GError) error = NULL;
    g_autofree char *display = NULL;
    g_autofree char *key = kibitz_room_name_normalize (sixty_four, &display, &error);
    g_autofree char *name = kibitz_display_name_validate (polish->str, &error);

    g_assert_no_error (error);
    g_assert_nonnull (key);
    g_assert_cmpstr (name, ==, polish->str);
    g_assert_cmpstr (display, ==, sixty_four);
  }
}

/* A parse error quotes the bytes it choked on, which need not be UTF-8 (the
 * class fuzzer found one): the error sent back must still be JSON. */
static void
test_error_of_bad_bytes (void)
{
  static const char text[] = "{\"00077effft\xdb" "A33c389\"}";
  g_autoptr(GError) error = NULL;
  KibitzMessageType type;
  g_autoptr(JsonObject) object = kibitz_message_parse (text, strlen (text), &type, NULL, &error);
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *wire = NULL;

  g_assert_null (object);
  g_assert_error (error, KIBITZ_PROTOCOL_ERROR, KIBITZ_PROTOCOL_ERROR_BAD_REQUEST);
  reply = kibitz_message_new_error (KIBITZ_PROTOCOL_ERROR_BAD_REQUEST, error->message, "t\xdb");
  wire = kibitz_message_to_string (reply);
  g_assert_true (g_utf8_validate (wire, -1, NULL));
  g_assert_true (json_parser_load_from_data (parser, wire, -1, NULL));
}

static void
test_parse (void)
{
  struct { const char *text; int code; KibitzMessageType type; } cases[] = {
    { "{\"type\":\"join\",\"room\":\"r\",\"name\":\"n\"}", -1, KIBITZ_MESSAGE_JOIN },
    { "{\"type\":\"mystery\"}", -1, KIBITZ_MESSAGE_UNKNOWN },
    { "{\"type\":\"join\"", KIBITZ_PROTOCOL_ERROR_BAD_REQUEST, 0 },
    { "[]", KIBITZ_PROTOCOL_ERROR_BAD_REQUEST, 0 },
    { "null", KIBITZ_PROTOCOL_ERROR_BAD_REQUEST, 0 },
    { "{\"type\":null}", KIBITZ_PROTOCOL_ERROR_BAD_REQUEST, 0 },
    { "", KIBITZ_PROTOCOL_ERROR_BAD_REQUEST, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      KibitzMessageType type = 99;
      g_autoptr(JsonObject) object = kibitz_message_parse (cases[i].text, strlen (cases[i].text),
                                                           &type, NULL, &error);

      if (cases[i].code < 0)
        {
          g_assert_no_error (error);
          g_assert_nonnull (object);
          g_assert_cmpint (type, ==, cases[i].type);
        }
      else
        {
          g_assert_error (error, KIBITZ_PROTOCOL_ERROR, cases[i].code);
          g_assert_null (object);
        }
    }
}

/* What a pupil pastes: the code or the whole link, room key from the code. */
static void
test_invite_parse (void)
{
  /* "maths 7b" in base64url, then issued, expiry and the MAC. */
  const char *code = "bWF0aHMgN2I.1765000000000.3600.0123456789abcdef0123456789abcdef";
  g_autofree char *link = g_strdup_printf ("https://class.example.org/j/%s?room=maths%%207b", code);
  char *room = NULL;
  char *parsed;

  parsed = kibitz_invite_parse (code, &room);
  g_assert_cmpstr (parsed, ==, code);
  g_assert_cmpstr (room, ==, "maths 7b");
  g_clear_pointer (&parsed, g_free);
  g_clear_pointer (&room, g_free);

  parsed = kibitz_invite_parse (link, &room);
  g_assert_cmpstr (parsed, ==, code);
  g_assert_cmpstr (room, ==, "maths 7b");
  g_clear_pointer (&parsed, g_free);
  g_clear_pointer (&room, g_free);

  g_assert_null (kibitz_invite_parse ("", &room));
  g_assert_null (kibitz_invite_parse ("maths 7b", &room));
  g_assert_null (kibitz_invite_parse ("https://class.example.org/j/", &room));
  g_assert_null (kibitz_invite_parse ("!!!.1.2.3", &room));
  g_assert_null (room);
}

static void
test_validate (void)
{
  struct { const char *text; gboolean ok; } cases[] = {
    { "{\"type\":\"signal\",\"to\":\"p\",\"data\":{}}", TRUE },
    { "{\"type\":\"signal\",\"to\":\"p\"}", FALSE },
    { "{\"type\":\"signal\",\"data\":{}}", FALSE },
    { "{\"type\":\"state\"}", TRUE },
    { "{\"type\":\"state\",\"hand\":1}", FALSE },
    { "{\"type\":\"chat\",\"text\":\"ok\",\"extra\":[1]}", TRUE },
    { "{\"type\":\"join\",\"room\":\"r\",\"name\":\"n\",\"resume\":5}", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      KibitzMessageType type;
      g_autoptr(JsonObject) object = kibitz_message_parse (cases[i].text, strlen (cases[i].text),
                                                           &type, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpint (kibitz_message_validate_client (type, object, &error), ==, cases[i].ok);
      if (!cases[i].ok)
        g_assert_error (error, KIBITZ_PROTOCOL_ERROR, KIBITZ_PROTOCOL_ERROR_BAD_REQUEST);
    }
}

/* The vector was computed with:
 * printf %s 1764000000:p-4f1c | openssl dgst -sha1 -hmac kibitz-secret -binary | openssl base64
 */
static void
test_turn_credentials (void)
{
  g_autofree char *username = kibitz_turn_username (1764000000, "p-4f1c");
  g_autofree char *password = kibitz_turn_password ("kibitz-secret", username);
  g_autofree char *id = NULL;
  gint64 expiry = 0;

  g_assert_cmpstr (username, ==, "1764000000:p-4f1c");
  g_assert_cmpstr (password, ==, "ZsUQ4gA6zfvvIXKNrax8kvekvY8=");
  g_assert_true (kibitz_turn_username_parse (username, &expiry, &id));
  g_assert_cmpint (expiry, ==, 1764000000);
  g_assert_cmpstr (id, ==, "p-4f1c");
  g_assert_false (kibitz_turn_username_parse ("alice", NULL, NULL));
  g_assert_false (kibitz_turn_username_parse ("12x:alice", NULL, NULL));
  g_assert_false (kibitz_turn_username_parse (":alice", NULL, NULL));
}

static void
test_error_codes (void)
{
  for (guint i = 0; i < KIBITZ_PROTOCOL_N_ERRORS; i++)
    {
      KibitzProtocolError back;

      g_assert_true (kibitz_protocol_error_from_code (kibitz_protocol_error_to_code (i), &back));
      g_assert_cmpint (back, ==, i);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/protocol/room-names", test_room_names);
  g_test_add_func ("/protocol/bad-names", test_bad_names);
  g_test_add_func ("/protocol/parse", test_parse);
  g_test_add_func ("/protocol/error-of-bad-bytes", test_error_of_bad_bytes);
  g_test_add_func ("/protocol/invite-parse", test_invite_parse);
  g_test_add_func ("/protocol/validate", test_validate);
  g_test_add_func ("/protocol/turn-credentials", test_turn_credentials);
  g_test_add_func ("/protocol/error-codes", test_error_codes);

  return g_test_run ();
}
