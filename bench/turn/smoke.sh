#!/bin/sh
# bench/turn/smoke.sh: the CI smoke of the TURN benchmark. Runs bench/turn/run.py
# --quick (one round of the five workloads at small counts, paced, kibitz-server
# and coturn alternating, about a minute; the last one sends to turnutils_peer
# instead of client to client) and exits non-zero only when a server
# fails to relay or loses packets: a run that loses packets is tried twice more
# before it counts. Timing and CPU numbers are printed, never judged.
#
# Usage: bench/turn/smoke.sh [--server PATH | --build-dir DIR]
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -eu
here=$(cd "$(dirname "$0")" && pwd)
exec timeout -k 10 600 /usr/bin/python3 "$here/run.py" --quick "$@"
