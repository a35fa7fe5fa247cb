/* kibitz-board-store.c: boards as files, one per room: boards/<sha256 of the
 * room key>.json holding {"room": key, "board": kibitz_board_to_json()}.
 *
 * Written with a rename (never half a file) but without fsync: moves come at
 * a person's pace, shapes up to the rate limit's 200 a second, and a
 * power cut may lose the last few of them, not the board.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-rooms"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "kibitz-board-store.h"

static char *
board_path (const char *dir,
            const char *room_key)
{
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, room_key, -1);
  g_autofree char *name = g_strconcat (hash, ".json", NULL);

  return g_build_filename (dir, name, NULL);
}

KibitzBoard *
kibitz_board_store_load (const char *dir,
                         const char *room_key)
{
  g_autofree char *path = board_path (dir, room_key);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root, *room;
  JsonObject *object, *board_object;
  KibitzBoard *board;
  gsize length;

  if (!g_file_get_contents (path, &text, &length, &error))
    {
      if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_warning ("Cannot read the board of a room from %s (%s); it starts afresh",
                   path, error->message);
      return NULL;
    }
  if (!json_parser_load_from_data (parser, text, length, &error) ||
      !(root = json_parser_get_root (parser)) || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_warning ("The board saved in %s is not a JSON object (%s); the room starts afresh",
                 path, error ? error->message : "another value");
      return NULL;
    }
  object = json_node_get_object (root);
  room = json_object_get_member (object, "room");
  if (room == NULL || !JSON_NODE_HOLDS_VALUE (room) ||
      json_node_get_value_type (room) != G_TYPE_STRING ||
      g_strcmp0 (json_node_get_string (room), room_key) != 0 ||
      !json_object_has_member (object, "board") ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "board")))
    {
      g_warning ("%s holds no board of this room; the room starts afresh", path);
      return NULL;
    }
  board_object = json_object_get_object_member (object, "board");
  if (!(board = kibitz_board_new_from_json (board_object, 0, &error)))
    g_warning ("The board saved in %s cannot be played again (%s); the room starts afresh",
               path, error->message);
  return board;
}

/* A new file beside @path, then renamed over it: never half a file, and no
 * fsync. g_file_set_contents_full() would not do: with
 * G_FILE_SET_CONTENTS_CONSISTENT it fsyncs before the rename whenever the
 * file exists (on every file system but btrfs), which made a move's round
 * trip 7 ms at p99 in a class of 20 on ext4 (bench/chess/move-rtt.mjs); with
 * G_FILE_SET_CONTENTS_NONE GLib 2.74 writes in place without truncating, so
 * a shorter board left the end of the longer one behind it (test-app saw
 * such a file). ext4's auto_da_alloc writes the data before a rename over an
 * existing file commits. */
static gboolean
write_and_rename (const char  *path,
                  const char  *text,
                  GError     **error)
{
  g_autofree char *temporary = g_strconcat (path, ".new", NULL);
  gsize length = strlen (text), written = 0;
  int fd = g_open (temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

  if (fd < 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "%s", g_strerror (errno));
      return FALSE;
    }
  while (written < length)
    {
      gssize n = write (fd, text + written, length - written);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;

          close (fd);
          g_unlink (temporary);
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), "%s", g_strerror (saved));
          return FALSE;
        }
      written += n;
    }
  if (close (fd) != 0 || g_rename (temporary, path) != 0)
    {
      int saved = errno;

      g_unlink (temporary);
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), "%s", g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

void
kibitz_board_store_save (const char        *dir,
                         const char        *room_key,
                         const KibitzBoard *board)
{
  g_autofree char *path = board_path (dir, room_key);
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  json_object_set_string_member (object, "room", room_key);
  json_object_set_object_member (object, "board", kibitz_board_to_json (board));
  json_node_set_object (root, object);
  text = json_to_string (root, FALSE);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_warning ("Cannot make %s for the rooms' boards (%s); this board is not kept across "
                 "a restart", dir, g_strerror (errno));
      return;
    }
  if (!write_and_rename (path, text, &error))
    g_warning ("Cannot save a room's board in %s (%s); it is not kept across a restart",
               path, error->message);
}
