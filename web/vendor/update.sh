#!/bin/sh
# web/vendor/update.sh: copy the pinned chessground and chess.js releases from
# the npm registry into web/vendor/ (see README.md).
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -eu
CHESSGROUND=9.2.1
CHESSJS=1.4.0
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent "chessground@$CHESSGROUND" "chess.js@$CHESSJS" >/dev/null
mkdir cg cj
tar xzf "chessground-$CHESSGROUND.tgz" -C cg
tar xzf "chess.js-$CHESSJS.tgz" -C cj
cp cg/package/dist/chessground.min.js "$here/"
# Not chessground.cburnett.css: the page draws the team's own pieces
# (app/pieces/, web/kibitz-web.css), as the app does.
cat cg/package/assets/chessground.base.css cg/package/assets/chessground.brown.css \
    > "$here/chessground.css"
cp cg/package/LICENSE "$here/LICENSE.chessground"
sed '/sourceMappingURL=chess.js.map/d' cj/package/dist/esm/chess.js > "$here/chess.js"
cp cj/package/LICENSE "$here/LICENSE.chess.js"
