/* kibitz-protocol-error.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define KIBITZ_PROTOCOL_ERROR (kibitz_protocol_error_quark ())

/* One value per wire error code of protocol.md §2, §4 and §5, in the same order. */
typedef enum {
  KIBITZ_PROTOCOL_ERROR_BAD_REQUEST,
  KIBITZ_PROTOCOL_ERROR_NOT_JOINED,
  KIBITZ_PROTOCOL_ERROR_ALREADY_JOINED,
  KIBITZ_PROTOCOL_ERROR_UNKNOWN_TYPE,
  KIBITZ_PROTOCOL_ERROR_UNKNOWN_PEER,
  KIBITZ_PROTOCOL_ERROR_ROOM_FULL,
  KIBITZ_PROTOCOL_ERROR_TOO_LARGE,
  KIBITZ_PROTOCOL_ERROR_RATE_LIMITED,
  KIBITZ_PROTOCOL_ERROR_BAD_ROOM,
  KIBITZ_PROTOCOL_ERROR_BAD_NAME,
  KIBITZ_PROTOCOL_ERROR_REPLACED,
  KIBITZ_PROTOCOL_ERROR_ILLEGAL_MOVE,
  KIBITZ_PROTOCOL_ERROR_BAD_FEN,
  KIBITZ_PROTOCOL_ERROR_BAD_PGN,
  KIBITZ_PROTOCOL_ERROR_FORBIDDEN,
  /* Classes with a teacher, §4 */
  KIBITZ_PROTOCOL_ERROR_NOT_ADMITTED,
  KIBITZ_PROTOCOL_ERROR_ROOM_LOCKED,
  KIBITZ_PROTOCOL_ERROR_DENIED,
  KIBITZ_PROTOCOL_ERROR_BAD_TOKEN,
} KibitzProtocolError;

#define KIBITZ_PROTOCOL_N_ERRORS (KIBITZ_PROTOCOL_ERROR_BAD_TOKEN + 1)

GQuark      kibitz_protocol_error_quark     (void);
const char *kibitz_protocol_error_to_code   (KibitzProtocolError  error);
gboolean    kibitz_protocol_error_from_code (const char          *code,
                                             KibitzProtocolError *error);

G_END_DECLS
