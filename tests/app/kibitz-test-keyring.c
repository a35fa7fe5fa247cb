/* kibitz-test-keyring.c
 *
 * gnome-keyring-daemon --unlock reads the login keyring's password on
 * stdin, creates the keyring under $XDG_DATA_HOME/keyrings when there is
 * none, unlocks it and makes it the default collection: what a desktop
 * session does at login. --components=secrets leaves out the SSH and PKCS#11
 * agents; --foreground keeps it our child, so it is stopped by its pid.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "kibitz-test-keyring.h"
#include "kibitz-test-util.h"

#define KEYRING_PASSWORD "kibitz-test-keyring"
#define READY_SECONDS 20

struct _KibitzTestKeyring
{
  char        *dir;
  GSubprocess *bus;
  GSubprocess *daemon;
};

/* A test that aborts must not leave a bus or a keyring running. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static GSubprocessLauncher *
launcher_new (GSubprocessFlags flags)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (flags);

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  return launcher;
}

static void
stop_process (GSubprocess **process)
{
  if (*process == NULL)
    return;
  g_subprocess_send_signal (*process, SIGTERM);
  g_subprocess_wait (*process, NULL, NULL);
  g_clear_object (process);
}

/* A session bus that only listens in our directory and activates nothing:
 * a Secret Service can only be the one we start. */
static char *
start_bus (KibitzTestKeyring  *self,
           GError            **error)
{
  g_autofree char *config_path = g_build_filename (self->dir, "bus.conf", NULL);
  g_autofree char *config_arg = g_strconcat ("--config-file=", config_path, NULL);
  g_autofree char *config = g_markup_printf_escaped (
    "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
    " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
    "<busconfig>\n"
    "  <type>session</type>\n"
    "  <listen>unix:dir=%s</listen>\n"
    "  <auth>EXTERNAL</auth>\n"
    "  <policy context=\"default\">\n"
    "    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
    "    <allow eavesdrop=\"true\"/>\n"
    "    <allow own=\"*\"/>\n"
    "  </policy>\n"
    "</busconfig>\n", self->dir);
  g_autoptr(GSubprocessLauncher) launcher = launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GDataInputStream) out = NULL;
  char *address;

  if (!g_file_set_contents (config_path, config, -1, error))
    return NULL;
  self->bus = g_subprocess_launcher_spawn (launcher, error, "dbus-daemon", config_arg,
                                           "--print-address=1", "--nofork", NULL);
  if (self->bus == NULL)
    return NULL;
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (self->bus));
  address = g_data_input_stream_read_line_utf8 (out, NULL, NULL, error);
  if (address == NULL && error != NULL && *error == NULL)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "dbus-daemon printed no address");
  return address ? g_strstrip (address) : NULL;
}

static gboolean
start_daemon (KibitzTestKeyring  *self,
              const char         *bus_address,
              GError            **error)
{
  g_autoptr(GSubprocessLauncher) launcher = launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                                          G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  const char *dirs[][2] = {
    { "HOME", "home" }, { "XDG_DATA_HOME", "data" }, { "XDG_CONFIG_HOME", "config" },
    { "XDG_CACHE_HOME", "cache" }, { "XDG_RUNTIME_DIR", "run" },
  };
  g_autofree char *log = g_build_filename (self->dir, "gnome-keyring.log", NULL);
  GOutputStream *in;

  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *path = g_build_filename (self->dir, dirs[i][1], NULL);

      g_mkdir_with_parents (path, 0700);
      g_subprocess_launcher_setenv (launcher, dirs[i][0], path, TRUE);
    }
  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", bus_address, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_set_stderr_file_path (launcher, log);

  self->daemon = g_subprocess_launcher_spawn (launcher, error, "gnome-keyring-daemon",
                                              "--foreground", "--unlock", "--components=secrets",
                                              NULL);
  if (self->daemon == NULL)
    return FALSE;
  in = g_subprocess_get_stdin_pipe (self->daemon);
  return g_output_stream_write_all (in, KEYRING_PASSWORD, strlen (KEYRING_PASSWORD), NULL, NULL,
                                    error) &&
         g_output_stream_close (in, NULL, error);
}

/* Ready once the Secret Service answers with a default collection (the
 * unlocked login keyring), which is where the app stores keys. */
static gboolean
wait_until_ready (KibitzTestKeyring  *self,
                  const char         *bus_address,
                  GError            **error)
{
  g_autoptr(GDBusConnection) bus = NULL;
  gint64 deadline = g_get_monotonic_time () + READY_SECONDS * G_USEC_PER_SEC;

  bus = g_dbus_connection_new_for_address_sync (bus_address,
                                                G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                NULL, NULL, error);
  if (bus == NULL)
    return FALSE;

  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr(GVariant) reply = NULL;
      const char *path = "/";

      reply = g_dbus_connection_call_sync (bus, "org.freedesktop.secrets", "/org/freedesktop/secrets",
                                           "org.freedesktop.Secret.Service", "ReadAlias",
                                           g_variant_new ("(s)", "default"), G_VARIANT_TYPE ("(o)"),
                                           G_DBUS_CALL_FLAGS_NO_AUTO_START, 1000, NULL, NULL);
      if (reply != NULL)
        g_variant_get (reply, "(&o)", &path);
      if (!g_str_equal (path, "/"))
        {
          g_dbus_connection_close_sync (bus, NULL, NULL);
          return TRUE;
        }
      g_usleep (50 * 1000);
    }

  g_dbus_connection_close_sync (bus, NULL, NULL);
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       "gnome-keyring-daemon did not offer an unlocked login keyring");
  return FALSE;
}

static void
stop_all (KibitzTestKeyring *self)
{
  stop_process (&self->daemon);
  stop_process (&self->bus);
  if (self->dir != NULL)
    kibitz_test_remove_tree (self->dir);
  g_free (self->dir);
  g_free (self);
}

KibitzTestKeyring *
kibitz_test_keyring_start (char **why_not)
{
  g_autofree char *bus_program = g_find_program_in_path ("dbus-daemon");
  g_autofree char *keyring_program = g_find_program_in_path ("gnome-keyring-daemon");
  KibitzTestKeyring *self;
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;

  if (bus_program == NULL || keyring_program == NULL)
    {
      *why_not = g_strdup ("no Secret Service to test with: dbus-daemon and gnome-keyring-daemon "
                           "are needed (Debian: dbus, gnome-keyring; build-aux/deps installs them)");
      return NULL;
    }

  self = g_new0 (KibitzTestKeyring, 1);
  self->dir = g_dir_make_tmp ("kibitz-keyring-XXXXXX", &error);
  if (self->dir != NULL && (address = start_bus (self, &error)) != NULL &&
      start_daemon (self, address, &error) && wait_until_ready (self, address, &error))
    {
      g_setenv ("DBUS_SESSION_BUS_ADDRESS", address, TRUE);
      g_unsetenv ("DBUS_STARTER_ADDRESS");
      g_unsetenv ("DBUS_STARTER_BUS_TYPE");
      return self;
    }

  {
    g_autofree char *log_path = self->dir ? g_build_filename (self->dir, "gnome-keyring.log", NULL)
                                          : NULL;
    g_autofree char *log = NULL;

    if (log_path != NULL)
      g_file_get_contents (log_path, &log, NULL, NULL);
    *why_not = g_strdup_printf ("no Secret Service to test with: %s%s%s", error->message,
                                log && *log ? "; gnome-keyring-daemon said: " : "", log ? log : "");
  }
  stop_all (self);
  return NULL;
}

void
kibitz_test_keyring_stop_daemon (KibitzTestKeyring *self)
{
  stop_process (&self->daemon);
}

void
kibitz_test_keyring_stop (KibitzTestKeyring *self)
{
  g_autoptr(GDBusConnection) session = NULL;

  if (self == NULL)
    return;

  /* GLib ends a process whose session bus goes away: ours is going on purpose. */
  session = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  if (session != NULL)
    g_dbus_connection_set_exit_on_close (session, FALSE);
  stop_all (self);
}
