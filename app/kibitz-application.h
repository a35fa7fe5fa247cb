/* kibitz-application.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define KIBITZ_TYPE_APPLICATION (kibitz_application_get_type ())
G_DECLARE_FINAL_TYPE (KibitzApplication, kibitz_application, KIBITZ, APPLICATION, AdwApplication)

KibitzApplication *kibitz_application_new (void);

G_END_DECLS
