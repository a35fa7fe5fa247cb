/* kibitz-screen-portal.h: a screen or window from the desktop's ScreenCast
 * portal, as a GStreamer source.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>
#include <gst/gst.h>

G_BEGIN_DECLS

#define KIBITZ_TYPE_SCREEN_PORTAL (kibitz_screen_portal_get_type ())
G_DECLARE_FINAL_TYPE (KibitzScreenPortal, kibitz_screen_portal, KIBITZ, SCREEN_PORTAL, GObject)

/* One share at a time. Signals: ::closed () the desktop ended the share
 * (its own "stop sharing", the shared window closed). */
KibitzScreenPortal *kibitz_screen_portal_new          (void);
/* Asks the portal for a monitor or a window (its own dialog, skipped when
 * restore_token is still good), cursor drawn in. */
void                kibitz_screen_portal_start        (KibitzScreenPortal  *self,
                                                       GtkWindow           *parent,
                                                       const char          *restore_token,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
/* A floating live source (pipewiresrc on the portal's stream) and the token
 * for the next share (may be NULL). On failure the error's message is a
 * sentence for the user (the technical error goes to the log);
 * G_IO_ERROR_CANCELLED when the user cancelled the desktop's dialog. */
GstElement         *kibitz_screen_portal_start_finish (KibitzScreenPortal  *self,
                                                       GAsyncResult        *result,
                                                       char               **restore_token,
                                                       GError             **error);
/* Ends the share in the desktop too (its indicator goes). */
void                kibitz_screen_portal_close        (KibitzScreenPortal  *self);

G_END_DECLS
