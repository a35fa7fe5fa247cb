/* kibitz-signal-scan.h: the relay's fast path for “signal”.
 *
 * Most of what the server relays is “signal” (SDP and ICE candidates). The
 * general path parses each one into a json-glib tree and writes a new one
 * (about half of the server's user-space time when relaying). This scanner
 * checks a message in one pass instead and says where “to” and “data” are, so
 * the relayed text can be put together from the original bytes. It answers
 * yes only when that text is byte for byte what json-glib would write (no
 * whitespace inside “data”, no \u or \/ escapes, no repeated member names;
 * doubles are written again as json-glib writes them); anything else takes the general path, which also reports
 * every error.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define KIBITZ_SIGNAL_SCAN_MAX_NUMBERS 16

typedef struct {
  const char *to;            /* the peer id, not NUL-terminated */
  gsize       to_length;
  const char *data;          /* the “data” object's text */
  gsize       data_length;
  /* Doubles in “data” that json-glib writes with other digits (0.1 becomes
   * 0.10000000000000001): kibitz_signal_scan_append_data() rewrites them.
   */
  guint       n_numbers;
  const char *numbers[KIBITZ_SIGNAL_SCAN_MAX_NUMBERS];
  gsize       number_lengths[KIBITZ_SIGNAL_SCAN_MAX_NUMBERS];
} KibitzSignalScan;

gboolean kibitz_signal_scan          (const char             *text,
                                      gsize                   length,
                                      KibitzSignalScan       *scan);
void     kibitz_signal_scan_append_data (const KibitzSignalScan *scan,
                                      GString                *out);
gboolean kibitz_signal_id_is_plain   (const char       *id);

G_END_DECLS
