#!/bin/sh
# bench/turn/run.sh: the TURN relay against coturn; see run.py --help.
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu
exec /usr/bin/python3 "$(cd "$(dirname "$0")" && pwd)/run.py" "$@"
