/* kibitz-core-error.h: the call engine's error domain and element helpers.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define KIBITZ_CORE_ERROR (kibitz_core_error_quark ())

typedef enum {
  KIBITZ_CORE_ERROR_MISSING_ELEMENT,   /* a GStreamer plugin is not installed */
  KIBITZ_CORE_ERROR_PIPELINE,          /* linking or a state change failed */
  KIBITZ_CORE_ERROR_BAD_SDP,           /* a remote description we cannot use */
  KIBITZ_CORE_ERROR_BAD_CANDIDATE,     /* a remote ICE candidate we cannot parse */
  KIBITZ_CORE_ERROR_NEGOTIATION,       /* webrtcbin refused an offer or answer */
  KIBITZ_CORE_ERROR_CONNECTION,        /* ICE or DTLS failed */
  KIBITZ_CORE_ERROR_STREAM,            /* a bus error inside a peer's elements */
  KIBITZ_CORE_ERROR_CLOSED,            /* the peer was closed */
  KIBITZ_CORE_ERROR_SERVER,            /* the Kibitz server refused or could not be reached */
  KIBITZ_CORE_ERROR_NO_DEVICE,         /* the setting says "none": there is nothing to show */
  KIBITZ_CORE_ERROR_FORBIDDEN,         /* a teacher has not allowed it */
} KibitzCoreError;

GQuark      kibitz_core_error_quark     (void);

/* The Debian package that ships a GStreamer element, or NULL if unknown. */
const char *kibitz_element_package      (const char  *factory);

/* gst_element_factory_make() that says which Debian package to install. */
GstElement *kibitz_make_element         (const char  *factory,
                                         const char  *name,
                                         GError     **error);

/* Checks that every factory exists without making one; the error names the
 * first missing element and its package. */
gboolean    kibitz_require_elements     (const char * const *factories,
                                         GError            **error);

G_END_DECLS
