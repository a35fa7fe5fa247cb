/* kibitz-test-upstream.h: the one GLib critical that GStreamer 1.22.0 is
 * known to raise by itself, tolerated in tests; every other critical stays
 * fatal.
 *
 * rtpsession's RTCP timer iterates its table of sources and, half-way, drops
 * the session lock to ask for caps; an RTCP packet arriving then adds a
 * source, and the iteration ends with
 *   GLib-CRITICAL: g_hash_table_foreach: assertion 'version == hash_table->version' failed
 * (upstream b9f7ab6052 and 943a53cc51, fixed in 1.22.3; Debian 12 ships
 * 1.22.0). No frame of ours is on that stack, the call goes on (the RTCP
 * round is only cut short), and it shows at the start of a call in about one
 * test run in thirty.
 *
 * g_test_init() makes criticals fatal. GLib 2.74's default handler aborts on
 * a fatal message before any fatal handler is asked, and g_test_run() clears
 * the fatal handler before each test case; so a handler for the "GLib" domain
 * takes the message and installs the fatal handler that g_logv() asks right
 * after it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <string.h>
#include <glib.h>

#define KIBITZ_TEST_UPSTREAM_CRITICAL \
  "g_hash_table_foreach: assertion 'version == hash_table->version' failed"

static inline gboolean
kibitz_test_is_upstream_critical (const char     *domain,
                                  GLogLevelFlags  level,
                                  const char     *message)
{
  return g_strcmp0 (domain, "GLib") == 0 && (level & G_LOG_LEVEL_CRITICAL) &&
         message != NULL && strcmp (message, KIBITZ_TEST_UPSTREAM_CRITICAL) == 0;
}

static inline gboolean
kibitz_test_upstream_fatal_cb (const char     *domain,
                               GLogLevelFlags  level,
                               const char     *message,
                               gpointer        data)
{
  return !kibitz_test_is_upstream_critical (domain, level, message);
}

static inline void
kibitz_test_upstream_log_cb (const char     *domain,
                             GLogLevelFlags  level,
                             const char     *message,
                             gpointer        data)
{
  if (kibitz_test_is_upstream_critical (domain, level, message))
    {
      g_test_log_set_fatal_handler (kibitz_test_upstream_fatal_cb, NULL);
      g_test_message ("tolerated, a known GStreamer 1.22.0 race (rtpsession, fixed in 1.22.3): %s",
                      message);
      return;
    }
  g_log_default_handler (domain, level, message, data);
}

/* Call after g_test_init(). */
static inline void
kibitz_test_tolerate_upstream_critical (void)
{
  g_log_set_handler ("GLib", G_LOG_LEVEL_CRITICAL | G_LOG_FLAG_FATAL | G_LOG_FLAG_RECURSION,
                     kibitz_test_upstream_log_cb, NULL);
}
