#!/bin/sh
# bench/chess/move-rtt.sh: the move round trip on the shared board, next to a
# chat message (see move-rtt.mjs). Installs the pinned npm packages (ws,
# chess.js) into bench/chess/node_modules with `npm ci` when they are missing.
#
#   bench/chess/move-rtt.sh [--quick] [--kibitz-server PATH] [--rounds N] ...
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -eu
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
if [ ! -d node_modules/chess.js ] || [ ! -d node_modules/ws ]; then
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
exec timeout -k 10 1800 node move-rtt.mjs "$@"
