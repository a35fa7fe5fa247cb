#!/bin/sh
# Runs a libFuzzer target for a while (the STUN codec's; with TARGET
# fuzz-ws-frame the WebSocket frame parser's, with fuzz-signal-scan the
# relay fast path's, with fuzz-fen, fuzz-san or fuzz-pgn the chess
# library's, with fuzz-board the rooms' shared board, with fuzz-class a class with a
# teacher), starting from the seed corpus
# checked in beside this script (which it leaves untouched).
#
#   CC=clang meson setup BUILD_DIR -Dfuzzing=true -Db_sanitize=address -Db_lundef=false
#   ninja -C BUILD_DIR
#   tests/fuzz/run-fuzz.sh BUILD_DIR [SECONDS] [fuzz-stun|fuzz-ws-frame|fuzz-signal-scan|fuzz-fen|fuzz-san|fuzz-pgn|fuzz-board|fuzz-class]
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -eu

if [ $# -lt 1 ]; then
  echo "usage: $0 BUILD_DIR [SECONDS] [fuzz-stun|fuzz-ws-frame|fuzz-signal-scan|fuzz-fen|fuzz-san|fuzz-pgn|fuzz-board|fuzz-class]" >&2
  exit 2
fi

build_dir=$1
seconds=${2:-30}
here=$(cd "$(dirname "$0")" && pwd)
target=${3:-fuzz-stun}
case $target in
  fuzz-stun) corpus=stun ;;
  fuzz-ws-frame) corpus=ws-frame ;;
  fuzz-signal-scan) corpus=signal-scan ;;
  fuzz-fen) corpus=fen ;;
  fuzz-san) corpus=san ;;
  fuzz-pgn) corpus=pgn ;;
  fuzz-board) corpus=board ;;
  fuzz-class) corpus=class ;;
  *) echo "unknown fuzz target $target" >&2; exit 2 ;;
esac
fuzzer=$build_dir/tests/fuzz/$target

if [ ! -x "$fuzzer" ]; then
  echo "$fuzzer is missing: configure $build_dir with CC=clang -Dfuzzing=true" \
       "-Db_sanitize=address -Db_lundef=false, then run ninja" >&2
  exit 2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
mkdir "$work/corpus"
cp "$here"/corpus/"$corpus"/* "$work/corpus/"

# A crash leaves its input in $build_dir (crash-*), for the CI to keep.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} \
  "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
            -artifact_prefix="$build_dir/" -print_final_stats=1 \
            "$work/corpus"
