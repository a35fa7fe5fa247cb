/* kibitz-peer-commands.c: commands read from stdin, one per line
 * (docs/kibitz-peer.md).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-peer-tool"

#include "config.h"

#include <string.h>
#include <gio/gunixinputstream.h>

#include "kibitz-peer-tool.h"
#include "kibitz-source-setting.h"

/* "board fen FEN", "board pgn PGN" (on one line), "board view PLY",
 * "board shapes JSON-ARRAY", "board movers [ID...]". FALSE: not one of them. */
static gboolean
run_board_command (Peer       *peer,
                   const char *arg)
{
  const char *value = strchr (arg, ' ') ? strchr (arg, ' ') + 1 : "";
  char *end = NULL;
  guint64 ply;

  if (g_str_has_prefix (arg, "fen ") && value[0] != '\0')
    kibitz_call_board_set_game (peer->call, value, NULL);
  else if (g_str_has_prefix (arg, "pgn ") && value[0] != '\0')
    kibitz_call_board_set_game (peer->call, NULL, value);
  else if (g_str_has_prefix (arg, "view ") &&
           (ply = g_ascii_strtoull (value, &end, 10), end != value && *end == '\0') &&
           ply <= G_MAXUINT)
    kibitz_call_board_view (peer->call, (guint) ply);
  else if (g_str_has_prefix (arg, "shapes "))
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonNode *root;

      if (!json_parser_load_from_data (parser, value, -1, NULL) ||
          !(root = json_parser_get_root (parser)) || !JSON_NODE_HOLDS_ARRAY (root))
        return FALSE;
      kibitz_call_board_set_shapes (peer->call, json_node_get_array (root));
    }
  else if (g_str_equal (arg, "movers") || g_str_has_prefix (arg, "movers "))
    {
      g_auto(GStrv) ids = g_strsplit_set (value, " ", -1);
      g_autoptr(GPtrArray) kept = g_ptr_array_new ();

      for (guint i = 0; ids[i] != NULL; i++)
        if (ids[i][0] != '\0')
          g_ptr_array_add (kept, ids[i]);
      g_ptr_array_add (kept, NULL);
      kibitz_call_board_set_movers (peer->call, (const char * const *) kept->pdata);
    }
  else
    return FALSE;
  return TRUE;
}

/* A teacher's commands (protocol.md §4): "admit ID|all", "deny ID",
 * "lock on|off", "remove ID", "mute ID|all", "room unmute on|off",
 * "room spotlight ID|none", "room sharers [ID ...]", "lower-hand ID|all",
 * "invite [TTL]", "end".
 * FALSE: not one of them. */
static gboolean
run_class_command (Peer       *peer,
                   const char *command,
                   const char *arg)
{
  g_autoptr(JsonObject) members = json_object_new ();
  gboolean target = arg[0] != '\0' && strchr (arg, ' ') == NULL;
  KibitzMessageType type;

  if (g_str_has_prefix (command, "admit ") && target)
    type = KIBITZ_MESSAGE_ADMIT;
  else if (g_str_has_prefix (command, "mute ") && target)
    type = KIBITZ_MESSAGE_MUTE;
  else if (g_str_has_prefix (command, "lower-hand ") && target)
    type = KIBITZ_MESSAGE_LOWER_HAND;
  else if (g_str_has_prefix (command, "deny ") && target)
    type = KIBITZ_MESSAGE_DENY;
  else if (g_str_has_prefix (command, "remove ") && target)
    type = KIBITZ_MESSAGE_REMOVE;
  else if (g_str_has_prefix (command, "lock ") && (g_str_equal (arg, "on") || g_str_equal (arg, "off")))
    {
      json_object_set_boolean_member (members, "locked", g_str_equal (arg, "on"));
      kibitz_call_send_class (peer->call, KIBITZ_MESSAGE_LOCK, members);
      return TRUE;
    }
  else if (g_str_equal (arg, "unmute on") || g_str_equal (arg, "unmute off"))
    {
      if (!g_str_has_prefix (command, "room "))
        return FALSE;
      json_object_set_boolean_member (members, "students_may_unmute", g_str_equal (arg, "unmute on"));
      kibitz_call_send_class (peer->call, KIBITZ_MESSAGE_ROOM, members);
      return TRUE;
    }
  else if (g_str_has_prefix (command, "room spotlight ") && strlen (arg) > strlen ("spotlight "))
    {
      const char *who = arg + strlen ("spotlight ");

      if (g_str_equal (who, "none"))
        json_object_set_null_member (members, "spotlight");
      else
        json_object_set_string_member (members, "spotlight", who);
      kibitz_call_send_class (peer->call, KIBITZ_MESSAGE_ROOM, members);
      return TRUE;
    }
  else if (g_str_equal (command, "room sharers") || g_str_has_prefix (command, "room sharers "))
    {
      g_auto(GStrv) ids = g_strsplit (command + strlen ("room sharers"), " ", -1);
      JsonArray *sharers = json_array_new ();

      for (guint i = 0; ids[i] != NULL; i++)
        if (ids[i][0] != '\0')
          json_array_add_string_element (sharers, ids[i]);
      json_object_set_array_member (members, "sharers", sharers);
      kibitz_call_send_class (peer->call, KIBITZ_MESSAGE_ROOM, members);
      return TRUE;
    }
  else if (g_str_equal (command, "invite") || g_str_has_prefix (command, "invite "))
    {
      char *end = NULL;
      gint64 ttl = arg[0] ? g_ascii_strtoll (arg, &end, 10) : 0;

      if (arg[0] && (end == arg || *end != '\0'))
        return FALSE;
      if (ttl > 0)
        json_object_set_int_member (members, "ttl", ttl);
      kibitz_call_send_class (peer->call, KIBITZ_MESSAGE_INVITE, members);
      return TRUE;
    }
  else if (g_str_equal (command, "end"))
    {
      kibitz_call_send_class (peer->call, KIBITZ_MESSAGE_END, members);
      return TRUE;
    }
  else
    return FALSE;

  /* admit, mute, lower-hand take "all"; deny and remove an id. */
  if (g_str_equal (arg, "all") && type != KIBITZ_MESSAGE_DENY && type != KIBITZ_MESSAGE_REMOVE)
    json_object_set_boolean_member (members, "all", TRUE);
  else
    json_object_set_string_member (members, "id", arg);
  kibitz_call_send_class (peer->call, type, members);
  return TRUE;
}

gboolean
tool_share_screen (Peer     *peer,
                   gboolean  on)
{
  g_autoptr(GError) error = NULL;
  GstElement *source;

  if (!on)
    {
      kibitz_call_stop_screen (peer->call);
      return TRUE;
    }
  source = kibitz_screen_source_new (peer->options.screen ? peer->options.screen : "test",
                                     peer->options.name, &error);
  if (source == NULL || !kibitz_call_share_screen (peer->call, source, &error))
    {
      g_autofree char *message = g_strdup_printf ("cannot share the screen: %s", error->message);

      tool_emit_error (NULL, message);
      return FALSE;
    }
  return TRUE;
}

/* One command from stdin: "camera on|off", "mic on|off", "hand up|down", "share on|off",
 * "chat TEXT", "move SAN|UCI", "board ...", "leave". Unknown lines get an
 * error event. */
static void
run_command (Peer       *peer,
             const char *line)
{
  g_autofree char *copy = g_strstrip (g_strdup (line));
  const char *arg = strchr (copy, ' ') ? strchr (copy, ' ') + 1 : "";
  gboolean on = g_str_equal (arg, "on") || g_str_equal (arg, "up");
  gboolean off = g_str_equal (arg, "off") || g_str_equal (arg, "down");

  if (copy[0] == '\0')
    return;
  if (g_str_has_prefix (copy, "camera ") && (on || off))
    kibitz_call_set_camera_enabled (peer->call, on);
  else if (g_str_has_prefix (copy, "mic ") && (on || off))
    kibitz_call_set_microphone_enabled (peer->call, on);
  else if (g_str_has_prefix (copy, "hand ") && (on || off))
    kibitz_call_set_hand_raised (peer->call, on);
  else if (g_str_has_prefix (copy, "share ") && (on || off))
    {
      if (!tool_share_screen (peer, on))
        return;
    }
  else if (g_str_has_prefix (copy, "chat ") && arg[0] != '\0')
    {
      kibitz_call_send_chat (peer->call, arg);
      return;
    }
  else if (g_str_has_prefix (copy, "move ") && arg[0] != '\0')
    {
      kibitz_call_board_move (peer->call, arg);
      return;
    }
  else if (g_str_has_prefix (copy, "board ") && run_board_command (peer, arg))
    return;
  /* The short forms "fen FEN", "pgn PGN", "view PLY". */
  else if ((g_str_has_prefix (copy, "fen ") || g_str_has_prefix (copy, "pgn ") ||
            g_str_has_prefix (copy, "view ")) && run_board_command (peer, copy))
    return;
  else if (run_class_command (peer, copy, arg))
    return;
  else if (g_str_equal (copy, "leave"))
    {
      g_main_loop_quit (peer->loop);
      return;
    }
  else
    {
      g_autofree char *message = g_strdup_printf ("unknown command “%s”: try camera on|off, "
                                                  "mic on|off, hand up|down, share on|off, chat TEXT, move SAN|UCI, "
                                                  "board fen|pgn|view|shapes|movers ..., fen FEN, view PLY, "
                                                  "admit ID|all, "
                                                  "deny ID, lock on|off, remove ID, mute ID|all, "
                                                  "room unmute on|off, room spotlight ID|none, "
                                                  "room sharers [ID ...], "
                                                  "lower-hand ID|all, invite [TTL], end, leave",
                                                  copy);
      tool_emit_error (NULL, message);
      return;
    }
  tool_emit_self_state (peer);
}

static void
command_read_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Peer *peer = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (peer->commands, result,
                                                                      NULL, &error);

  if (line == NULL)
    {
      /* End of input (or /dev/null) leaves the call running. */
      if (error && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_printerr ("kibitz-peer: cannot read commands: %s\n", error->message);
      return;
    }
  run_command (peer, line);
  g_data_input_stream_read_line_async (peer->commands, G_PRIORITY_DEFAULT, peer->cancellable,
                                       command_read_cb, peer);
}

void
tool_start_commands (Peer *peer)
{
  g_autoptr(GInputStream) in = g_unix_input_stream_new (0, FALSE);

  peer->commands = g_data_input_stream_new (in);
  g_data_input_stream_read_line_async (peer->commands, G_PRIORITY_DEFAULT, peer->cancellable,
                                       command_read_cb, peer);
}
