/* fuzz-signal-scan.c: libFuzzer target for the relay's fast path.
 *
 * Whenever kibitz_signal_scan() takes a text (valid UTF-8, as the WebSocket
 * layer guarantees), json-glib must read it as a “signal” with the same
 * “to”, and write its “data” back as exactly the bytes the fast path sends:
 * otherwise the fast path would relay something the general path would not.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <json-glib/json-glib.h>

#include "kibitz-signal-scan.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static void
check (gboolean    condition,
       const char *what)
{
  if (!condition)
    {
      g_printerr ("fuzz-signal-scan: %s\n", what);
      abort ();
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  const char *text = (const char *) data;
  g_autoptr(JsonParser) parser = NULL;
  g_autofree char *to = NULL;
  g_autofree char *written = NULL;
  g_autoptr(GString) relayed = NULL;
  KibitzSignalScan scan;
  JsonNode *root;
  JsonObject *object;

  if (!g_utf8_validate_len (text, size, NULL) || !kibitz_signal_scan (text, size, &scan))
    return 0;

  parser = json_parser_new_immutable ();
  check (json_parser_load_from_data (parser, text, size, NULL), "json-glib refuses the text");
  root = json_parser_get_root (parser);
  check (root != NULL && JSON_NODE_HOLDS_OBJECT (root), "not an object for json-glib");
  object = json_node_get_object (root);
  check (g_strcmp0 (json_object_get_string_member_with_default (object, "type", ""), "signal") == 0,
         "not a signal for json-glib");
  to = g_strndup (scan.to, scan.to_length);
  check (g_strcmp0 (json_object_get_string_member_with_default (object, "to", ""), to) == 0,
         "another “to” for json-glib");
  check (json_object_get_object_member (object, "data") != NULL, "no “data” object for json-glib");
  written = json_to_string (json_object_get_member (object, "data"), FALSE);
  relayed = g_string_new (NULL);
  kibitz_signal_scan_append_data (&scan, relayed);
  check (g_str_equal (written, relayed->str), "json-glib writes “data” differently");

  return 0;
}
