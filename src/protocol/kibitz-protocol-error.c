/* kibitz-protocol-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "kibitz-protocol-error.h"

G_DEFINE_QUARK (kibitz-protocol-error-quark, kibitz_protocol_error)

static const char * const codes[KIBITZ_PROTOCOL_N_ERRORS] = {
  [KIBITZ_PROTOCOL_ERROR_BAD_REQUEST] = "bad-request",
  [KIBITZ_PROTOCOL_ERROR_NOT_JOINED] = "not-joined",
  [KIBITZ_PROTOCOL_ERROR_ALREADY_JOINED] = "already-joined",
  [KIBITZ_PROTOCOL_ERROR_UNKNOWN_TYPE] = "unknown-type",
  [KIBITZ_PROTOCOL_ERROR_UNKNOWN_PEER] = "unknown-peer",
  [KIBITZ_PROTOCOL_ERROR_ROOM_FULL] = "room-full",
  [KIBITZ_PROTOCOL_ERROR_TOO_LARGE] = "too-large",
  [KIBITZ_PROTOCOL_ERROR_RATE_LIMITED] = "rate-limited",
  [KIBITZ_PROTOCOL_ERROR_BAD_ROOM] = "bad-room",
  [KIBITZ_PROTOCOL_ERROR_BAD_NAME] = "bad-name",
  [KIBITZ_PROTOCOL_ERROR_REPLACED] = "replaced",
  [KIBITZ_PROTOCOL_ERROR_ILLEGAL_MOVE] = "illegal-move",
  [KIBITZ_PROTOCOL_ERROR_BAD_FEN] = "bad-fen",
  [KIBITZ_PROTOCOL_ERROR_BAD_PGN] = "bad-pgn",
  [KIBITZ_PROTOCOL_ERROR_FORBIDDEN] = "forbidden",
  [KIBITZ_PROTOCOL_ERROR_NOT_ADMITTED] = "not-admitted",
  [KIBITZ_PROTOCOL_ERROR_ROOM_LOCKED] = "room-locked",
  [KIBITZ_PROTOCOL_ERROR_DENIED] = "denied",
  [KIBITZ_PROTOCOL_ERROR_BAD_TOKEN] = "bad-token",
};

const char *
kibitz_protocol_error_to_code (KibitzProtocolError error)
{
  if ((guint) error >= G_N_ELEMENTS (codes))
    return "bad-request";

  return codes[error];
}

gboolean
kibitz_protocol_error_from_code (const char          *code,
                                 KibitzProtocolError *error)
{
  for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
    {
      if (g_strcmp0 (code, codes[i]) == 0)
        {
          *error = i;
          return TRUE;
        }
    }

  return FALSE;
}
