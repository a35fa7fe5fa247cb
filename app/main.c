/* main.c: kibitz, the desktop app.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "kibitz-process.h"

#include <locale.h>
#include <glib/gi18n.h>
#include <gst/gst.h>

#include "kibitz-application.h"
#include "kibitz-peer.h"
#include "kibitz-resources.h"

int
main (int    argc,
      char **argv)
{
  g_autoptr(KibitzApplication) application = NULL;
  int status;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  kibitz_process_init ();
  gst_init (NULL, NULL);
  kibitz_register_resource ();

  application = kibitz_application_new ();
  status = g_application_run (G_APPLICATION (application), argc, argv);

  g_clear_object (&application);
  kibitz_peer_finish_dtls ();
  gst_deinit ();
  return status;
}
