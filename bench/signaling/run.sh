#!/bin/sh
# bench/signaling/run.sh: kibitz-server against the PeerJS server (npm `peer`,
# pinned in package-lock.json), driven by one load generator (bench.mjs).
# Installs the pinned packages into bench/signaling/node_modules with `npm ci`
# when they are missing, raises the fd limit, then runs bench.mjs with the
# given arguments (see bench.mjs --help; docs/benchmarks.md has the results).
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -eu
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
if [ ! -d node_modules/peer ] || [ ! -d node_modules/ws ]; then
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
# 10,000 idle connections need that many descriptors in each process.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 12000 ]; then
  echo "bench/signaling: the fd limit is $(ulimit -n); the idle workload needs 12000 (ulimit -n)" >&2
fi
exec timeout -k 10 3600 node bench.mjs "$@"
