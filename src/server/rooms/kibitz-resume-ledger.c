/* kibitz-resume-ledger.c
 *
 * The file holds lines "ID EXPIRY", the last line for an id winning, EXPIRY 0
 * meaning retired. Each token issued appends a line before its welcome goes
 * out, so a server killed at any moment restarts knowing every token it
 * handed out. Servers sharing a state directory append to the same file
 * under flock(); a rewrite (dropping what expired or was retired) happens in
 * place under the same lock, so nobody's later lines are lost.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-server"

#include "config.h"

#include "kibitz-resume-ledger.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
#include <glib/gstdio.h>

/* Rewrite once the file holds this much more than the live entries. */
#define COMPACT_MIN_BYTES  (256 * 1024)

struct _KibitzResumeLedger {
  GHashTable *current;   /* id -> gint64 * expiry */
  int         fd;        /* -1: in memory only */
  char       *path;
  off_t       base;      /* the file's size after the last rewrite */
  gint64      pruned;    /* unix time of the last walk for expired entries */
};

static void
set_entry (GHashTable *table,
           const char *id,
           gint64      expiry)
{
  gint64 *value;

  if (expiry == 0)
    {
      g_hash_table_remove (table, id);
      return;
    }
  value = g_new (gint64, 1);
  *value = expiry;
  g_hash_table_replace (table, g_strdup (id), value);
}

/* Reads every line of the file into @table (held under the lock). */
static void
read_file (KibitzResumeLedger *self,
           GHashTable         *table)
{
  g_autoptr(GString) text = g_string_new (NULL);
  char buffer[16384];
  g_auto(GStrv) lines = NULL;
  ssize_t n;

  if (lseek (self->fd, 0, SEEK_SET) < 0)
    return;
  while ((n = read (self->fd, buffer, sizeof buffer)) > 0)
    g_string_append_len (text, buffer, n);

  lines = g_strsplit (text->str, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      char *space = strchr (lines[i], ' ');
      char *end = NULL;
      gint64 expiry;

      if (space == NULL || space == lines[i])
        continue;
      *space = '\0';
      expiry = g_ascii_strtoll (space + 1, &end, 10);
      if (end == NULL || *end != '\0' || expiry < 0)
        continue;
      set_entry (table, lines[i], expiry);
    }
}

static void
write_all (int         fd,
           const char *text,
           gsize       length)
{
  while (length > 0)
    {
      ssize_t n = write (fd, text, length);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          g_warning ("Cannot write the resume-token ledger: %s", g_strerror (errno));
          return;
        }
      text += n;
      length -= n;
    }
}

static void
append (KibitzResumeLedger *self,
        const char         *id,
        gint64              expiry)
{
  g_autofree char *line = NULL;

  if (self->fd < 0)
    return;
  line = g_strdup_printf ("%s %" G_GINT64_FORMAT "\n", id, expiry);
  flock (self->fd, LOCK_EX);
  write_all (self->fd, line, strlen (line));
  flock (self->fd, LOCK_UN);
}

/* Everyone's lines merged, without what expired: in place, under the lock. */
static void
compact (KibitzResumeLedger *self,
         gint64              now_unix)
{
  g_autoptr(GHashTable) merged = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GString) out = g_string_new (NULL);
  GHashTableIter iter;
  gpointer id, expiry;

  flock (self->fd, LOCK_EX);
  read_file (self, merged);
  g_hash_table_iter_init (&iter, merged);
  while (g_hash_table_iter_next (&iter, &id, &expiry))
    if (*(gint64 *) expiry >= now_unix)
      g_string_append_printf (out, "%s %" G_GINT64_FORMAT "\n", (char *) id,
                              *(gint64 *) expiry);
  if (ftruncate (self->fd, 0) == 0)
    write_all (self->fd, out->str, out->len);
  flock (self->fd, LOCK_UN);
  self->base = out->len;
}

KibitzResumeLedger *
kibitz_resume_ledger_new (const char *path,
                          gint64      now_unix)
{
  KibitzResumeLedger *self = g_new0 (KibitzResumeLedger, 1);

  self->current = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->fd = -1;
  if (path == NULL)
    return self;

  self->path = g_strdup (path);
  {
    g_autofree char *dir = g_path_get_dirname (path);

    g_mkdir_with_parents (dir, 0700);
  }
  self->fd = open (path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (self->fd < 0)
    {
      g_warning ("Cannot open %s: %s. Resume tokens will not survive a restart",
                 path, g_strerror (errno));
      return self;
    }

  flock (self->fd, LOCK_SH);
  read_file (self, self->current);
  flock (self->fd, LOCK_UN);
  self->base = lseek (self->fd, 0, SEEK_END) / 2;
  kibitz_resume_ledger_tick (self, now_unix);

  return self;
}

void
kibitz_resume_ledger_free (KibitzResumeLedger *self)
{
  if (self == NULL)
    return;
  if (self->fd >= 0)
    close (self->fd);
  g_hash_table_unref (self->current);
  g_free (self->path);
  g_free (self);
}

gint64
kibitz_resume_ledger_issue (KibitzResumeLedger *self,
                            const char         *id,
                            gint64              expiry)
{
  gint64 *current = g_hash_table_lookup (self->current, id);

  if (current != NULL && *current >= expiry)
    expiry = *current + 1;
  set_entry (self->current, id, expiry);
  append (self, id, expiry);

  return expiry;
}

gboolean
kibitz_resume_ledger_is_current (KibitzResumeLedger *self,
                                 const char         *id,
                                 gint64              expiry)
{
  gint64 *current = g_hash_table_lookup (self->current, id);

  return current != NULL && *current == expiry;
}

void
kibitz_resume_ledger_forget (KibitzResumeLedger *self,
                             const char         *id)
{
  if (!g_hash_table_contains (self->current, id))
    return;
  g_hash_table_remove (self->current, id);
  append (self, id, 0);
}

void
kibitz_resume_ledger_tick (KibitzResumeLedger *self,
                           gint64              now_unix)
{
  GHashTableIter iter;
  gpointer expiry;

  if (self->pruned != 0 && now_unix - self->pruned < 60)
    return;
  self->pruned = now_unix;

  g_hash_table_iter_init (&iter, self->current);
  while (g_hash_table_iter_next (&iter, NULL, &expiry))
    if (*(gint64 *) expiry < now_unix)
      g_hash_table_iter_remove (&iter);

  /* Lines of tokens retired since, a few dozen bytes each, pile up. */
  if (self->fd >= 0 && lseek (self->fd, 0, SEEK_END) > 2 * self->base + COMPACT_MIN_BYTES)
    compact (self, now_unix);
}

guint
kibitz_resume_ledger_size (KibitzResumeLedger *self)
{
  return g_hash_table_size (self->current);
}
