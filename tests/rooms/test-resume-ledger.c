/* test-resume-ledger.c: the current resume token of each id, in memory and in
 * the state directory's file shared by servers.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>

#include "kibitz-resume-ledger.h"

#define NOW 1800000000

static char *
temp_path (char **dir)
{
  g_autoptr(GError) error = NULL;

  *dir = g_dir_make_tmp ("kibitz-ledger-XXXXXX", &error);
  g_assert_no_error (error);

  return g_build_filename (*dir, "resume-tokens", NULL);
}

static void
test_rotation_in_memory (void)
{
  KibitzResumeLedger *ledger = kibitz_resume_ledger_new (NULL, NOW);
  gint64 first = kibitz_resume_ledger_issue (ledger, "p-1", NOW + 100);
  gint64 second = kibitz_resume_ledger_issue (ledger, "p-1", NOW + 100);

  /* Issued in the same second: still two different tokens. */
  g_assert_cmpint (first, ==, NOW + 100);
  g_assert_cmpint (second, ==, NOW + 101);
  g_assert_false (kibitz_resume_ledger_is_current (ledger, "p-1", first));
  g_assert_true (kibitz_resume_ledger_is_current (ledger, "p-1", second));
  g_assert_false (kibitz_resume_ledger_is_current (ledger, "p-2", second));

  kibitz_resume_ledger_forget (ledger, "p-1");
  g_assert_false (kibitz_resume_ledger_is_current (ledger, "p-1", second));
  kibitz_resume_ledger_free (ledger);
}

/* Two servers on one state directory, a restart, a rewrite, stray lines. */
static void
test_file (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = temp_path (&dir);
  KibitzResumeLedger *a = kibitz_resume_ledger_new (path, NOW);
  KibitzResumeLedger *b = kibitz_resume_ledger_new (path, NOW);
  KibitzResumeLedger *restarted;
  g_autofree char *contents = NULL;
  gint64 ada, bartek, gone;

  ada = kibitz_resume_ledger_issue (a, "p-ada", NOW + 100);
  ada = kibitz_resume_ledger_issue (a, "p-ada", NOW + 200);
  bartek = kibitz_resume_ledger_issue (b, "p-bartek", NOW + 100);
  gone = kibitz_resume_ledger_issue (a, "p-gone", NOW + 100);
  kibitz_resume_ledger_forget (a, "p-gone");
  kibitz_resume_ledger_issue (a, "p-old", NOW - 10);

  /* Garbage appended by hand is skipped. */
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  {
    g_autofree char *more = g_strconcat (contents, "nonsense\n p-x 5\np-y zz\n", NULL);

    g_assert_true (g_file_set_contents (path, more, -1, NULL));
  }

  restarted = kibitz_resume_ledger_new (path, NOW);
  g_assert_true (kibitz_resume_ledger_is_current (restarted, "p-ada", ada));
  g_assert_false (kibitz_resume_ledger_is_current (restarted, "p-ada", NOW + 100));
  g_assert_true (kibitz_resume_ledger_is_current (restarted, "p-bartek", bartek));
  g_assert_false (kibitz_resume_ledger_is_current (restarted, "p-gone", gone));
  /* Expired on load. */
  g_assert_cmpuint (kibitz_resume_ledger_size (restarted), ==, 2);
  kibitz_resume_ledger_free (restarted);

  kibitz_resume_ledger_free (a);
  kibitz_resume_ledger_free (b);
  g_unlink (path);
  g_rmdir (dir);
}

/* Thousands of rotations: the file is rewritten, nobody's current token is
 * lost, including those of another server that only appended. */
static void
test_compaction (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = temp_path (&dir);
  KibitzResumeLedger *a = kibitz_resume_ledger_new (path, NOW);
  KibitzResumeLedger *b = kibitz_resume_ledger_new (path, NOW);
  KibitzResumeLedger *restarted;
  gint64 ada = 0, bartek;
  GStatBuf st;

  bartek = kibitz_resume_ledger_issue (b, "p-bartek", NOW + 100000);
  for (guint i = 0; i < 20000; i++)
    {
      ada = kibitz_resume_ledger_issue (a, "p-ada", NOW + 100000);
      if (i % 1000 == 0)
        kibitz_resume_ledger_tick (a, NOW + 61 * (i / 1000 + 1));
    }
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_test_message ("%" G_GOFFSET_FORMAT " bytes after 20,000 tokens", (goffset) st.st_size);
  g_assert_cmpint (st.st_size, <, 2 * 256 * 1024 + 4096);

  restarted = kibitz_resume_ledger_new (path, NOW);
  g_assert_true (kibitz_resume_ledger_is_current (restarted, "p-ada", ada));
  g_assert_true (kibitz_resume_ledger_is_current (restarted, "p-bartek", bartek));
  kibitz_resume_ledger_free (restarted);

  kibitz_resume_ledger_free (a);
  kibitz_resume_ledger_free (b);
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/rooms/resume-ledger/rotation-in-memory", test_rotation_in_memory);
  g_test_add_func ("/rooms/resume-ledger/file", test_file);
  g_test_add_func ("/rooms/resume-ledger/compaction", test_compaction);

  return g_test_run ();
}
