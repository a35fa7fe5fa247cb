#!/bin/sh
# bench/signaling/smoke.sh: the CI smoke of the signaling benchmark: one round of
# bench.mjs --quick (500 idle connections, 20 relaying pairs at 200 and 1000
# messages/s, one class start), kibitz-server and the PeerJS server alternating,
# well under a minute. Exits non-zero only when a server does not relay (or a
# workload fails); speed and memory are printed, never judged.
#
# Usage: bench/signaling/smoke.sh [--kibitz-server PATH | --build-dir DIR]
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -eu
here=$(cd "$(dirname "$0")" && pwd)
exec timeout -k 10 120 "$here/run.sh" --quick "$@"
