/* kibitz-peer-options.c: the command line.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-peer-tool"

#include "config.h"

#include <string.h>

#include <gst/gst.h>

#include "kibitz-names.h"
#include "kibitz-peer-tool.h"

/* A link as the teacher sent it, or its code. The invite names the room
 * (docs/protocol.md): --room may be left out. */
static gboolean
resolve_invite (Options  *options,
                GError  **error)
{
  if (options->invite != NULL)
    {
      g_autofree char *room = NULL;
      char *code = kibitz_invite_parse (options->invite, &room);

      if (code == NULL)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "--invite %s is not an invite link or code", options->invite);
          return FALSE;
        }
      g_free (options->invite);
      options->invite = code;
      if (options->room == NULL)
        options->room = g_steal_pointer (&room);
    }
  return TRUE;
}

/* What the options cannot say by their types. */
static gboolean
check_options (Options  *options,
               GError  **error)
{
  if (!options->server || !options->room || !options->name)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           "--server, --room (or --invite) and --name are needed");
      return FALSE;
    }

  if (options->congestion_control && !g_str_equal (options->congestion_control, "on") &&
      !g_str_equal (options->congestion_control, "off"))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--congestion-control must be on or off, not “%s”",
                   options->congestion_control);
      return FALSE;
    }

  if (options->move_every != 0 && options->pgn_path == NULL)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--move-every needs --pgn, the game to play");
      return FALSE;
    }
  if (options->move_every < 0 || options->move_every > 3600)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--move-every takes 1 to 3600 seconds, not %d", options->move_every);
      return FALSE;
    }
  if (options->pgn_path != NULL && options->move_every == 0)
    options->move_every = 3;

  if (options->view != NULL)
    {
      char *end = NULL;
      gint64 width = g_ascii_strtoll (options->view, &end, 10);
      gint64 height = end != NULL && *end == 'x' ? g_ascii_strtoll (end + 1, &end, 10) : 0;

      if (*end != '\0' || width < 16 || height < 16 || width > 8192 || height > 8192)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "--view takes a size such as 160x120 (16 to 8192 pixels each way), "
                       "not “%s”", options->view);
          return FALSE;
        }
      options->view_width = width;
      options->view_height = height;
    }

  if (options->encoder && !g_str_equal (options->encoder, "shared") &&
      !g_str_equal (options->encoder, "per-peer"))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--encoder must be shared or per-peer, not “%s”", options->encoder);
      return FALSE;
    }

  return TRUE;
}

gboolean
tool_parse_options (Options   *options,
                    int       *argc,
                    char    ***argv,
                    GError   **error)
{
  const GOptionEntry entries[] = {
    { "server", 0, 0, G_OPTION_ARG_STRING, &options->server,
      "kibitz-server to use, e.g. http://127.0.0.1:8080", "URL" },
    { "room", 0, 0, G_OPTION_ARG_STRING, &options->room, "Room to join", "ROOM" },
    { "name", 0, 0, G_OPTION_ARG_STRING, &options->name, "Display name", "NAME" },
    { "teacher-token", 0, 0, G_OPTION_ARG_STRING, &options->teacher_token,
      "Join as a teacher with this key (from kibitz-server teacher-token)", "KEY" },
    { "invite", 0, 0, G_OPTION_ARG_STRING, &options->invite,
      "Join with this invite: its code, or the whole link (…/j/CODE)", "CODE" },
    { "video", 0, 0, G_OPTION_ARG_STRING, &options->video,
      "test (default), none, a device such as /dev/video0, or a GStreamer element", "SOURCE" },
    { "audio", 0, 0, G_OPTION_ARG_STRING, &options->audio,
      "test (default), none, or a GStreamer element", "SOURCE" },
    { "screen", 0, 0, G_OPTION_ARG_STRING, &options->screen,
      "Share a screen from joining: test (a still picture with a clock), or a GStreamer "
      "element such as ximagesrc (stdin: share on|off)", "SOURCE" },
    { "encoder", 0, 0, G_OPTION_ARG_STRING, &options->encoder,
      "shared (default: encode once for everyone) or per-peer (one encoder per connection)",
      "MODE" },
    { "relay-only", 0, 0, G_OPTION_ARG_NONE, &options->relay_only,
      "Use only TURN relay candidates", NULL },
    { "ice-address", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options->ice_addresses,
      "Gather ICE candidates only on this local address (repeatable)", "ADDR" },
    { "duration", 0, 0, G_OPTION_ARG_INT, &options->duration,
      "Leave after this many seconds (default: run until SIGTERM or Ctrl+C)", "SECONDS" },
    { "expect-peers", 0, 0, G_OPTION_ARG_INT, &options->expect_peers,
      "Exit 0 only if at least N peers delivered video and audio", "N" },
    { "stats", 0, 0, G_OPTION_ARG_FILENAME, &options->stats_path,
      "Append a JSON line of per-peer stats to FILE every second", "FILE" },
    { "latency", 0, 0, G_OPTION_ARG_INT, &options->latency,
      "Jitter buffer latency in milliseconds", "MS" },
    { "width", 0, 0, G_OPTION_ARG_INT, &options->width,
      "Largest video width to send (default 640)", "PIXELS" },
    { "height", 0, 0, G_OPTION_ARG_INT, &options->height,
      "Largest video height to send (default 480)", "PIXELS" },
    { "sync-latency", 0, 0, G_OPTION_ARG_NONE, &options->sync_latency,
      "Render incoming media after the jitter buffer's latency (as a player would) "
      "instead of as soon as it is decoded", NULL },
    { "latency-probe", 0, 0, G_OPTION_ARG_NONE, &options->latency_probe,
      "Draw the send time into our video and measure the glass-to-glass latency of everyone's",
      NULL },
    { "upload-kbps", 0, 0, G_OPTION_ARG_INT, &options->upload_kbps,
      "Upload budget shared by all connections (default 2500)", "KBPS" },
    { "ignore-mute", 0, 0, G_OPTION_ARG_NONE, &options->ignore_mute,
      "Switch the microphone back on whenever a teacher mutes us, as a client that does "
      "not care would (for tests: the others must not hear it)", NULL },
    { "say", 0, 0, G_OPTION_ARG_STRING, &options->say,
      "Write TEXT in the chat each time someone joins", "TEXT" },
    { "raise-hand", 0, 0, G_OPTION_ARG_NONE, &options->raise_hand,
      "Raise the hand (a state message) on joining", NULL },
    { "congestion-control", 0, 0, G_OPTION_ARG_STRING, &options->congestion_control,
      "on (default): each link's bitrate, tier and frame rate follow what its path carries; "
      "off: one stream for all at the class plan", "on|off" },
    { "view", 0, 0, G_OPTION_ARG_STRING, &options->view,
      "Show everyone at this size, as a large class's grid of thumbnails, but the one whose "
      "video goes first (the teacher, the spotlighted, or in an open room the first who "
      "came), and tell them so: they send no more than that", "WxH" },
    { "pgn", 0, 0, G_OPTION_ARG_FILENAME, &options->pgn_path,
      "Play this game on the room's board, one move every --move-every seconds "
      "(a demo teacher)", "FILE" },
    { "move-every", 0, 0, G_OPTION_ARG_INT, &options->move_every,
      "Seconds between the --pgn game's moves (default 3)", "SECONDS" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— a headless Kibitz participant");

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_group (context, gst_init_get_option_group ());
  if (!g_option_context_parse (context, argc, argv, error))
    return FALSE;

  return resolve_invite (options, error) && check_options (options, error);
}

void
tool_options_clear (Options *options)
{
  g_free (options->server);
  g_free (options->room);
  g_free (options->name);
  g_free (options->video);
  g_free (options->audio);
  g_free (options->screen);
  g_free (options->encoder);
  g_free (options->stats_path);
  g_free (options->say);
  g_free (options->pgn_path);
  g_free (options->teacher_token);
  g_free (options->invite);
  g_free (options->congestion_control);
  g_free (options->view);
  g_strfreev (options->ice_addresses);
}
