/* kibitz-test-util.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "kibitz-test-server.h"
#include "kibitz-test-util.h"

void
kibitz_test_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)))
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        kibitz_test_remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

char *
kibitz_test_teacher_token (const char *name,
                           ...)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  const char *arg;
  va_list args;
  char *out;
  char *newline;

  g_strv_builder_add_many (builder, g_getenv ("KIBITZ_SERVER_BIN"), "teacher-token", "--name",
                           name, NULL);
  va_start (args, name);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_strv_builder_add (builder, arg);
  va_end (args);
  argv = g_strv_builder_end (builder);

  out = kibitz_test_run ((const char * const *) argv);
  newline = strchr (out, '\n');
  if (newline != NULL)
    *newline = '\0';
  g_assert_true (g_str_has_prefix (out, "kt1."));
  return out;
}
