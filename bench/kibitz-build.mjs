// bench/kibitz-build.mjs: the release kibitz-server the node benchmarks
// (bench/signaling, bench/chess/move-rtt) run: configured without sanitizers
// and the client if the build directory is new, built once per run.
//
// SPDX-License-Identifier: GPL-3.0-or-later

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
let built = null;

/* @buildDir is relative to the checkout (default _build/bench). */
export function kibitzServerBinary (buildDir) {
  if (built) return built;
  const dir = path.resolve(root, buildDir || '_build/bench');
  const run = (argv) => {
    const r = spawnSync('timeout', argv, { cwd: root, stdio: ['ignore', process.stderr, 'inherit'] });
    if (r.status !== 0) throw new Error(`${argv.slice(1).join(' ')} failed`);
  };
  if (!fs.existsSync(path.join(dir, 'build.ninja')))
    run(['600', 'meson', 'setup', dir, '--buildtype=release', '-Dclient=disabled', '-Db_sanitize=none']);
  run(['900', 'ninja', '-C', dir, 'src/server/kibitz-server']);
  built = path.join(dir, 'src/server/kibitz-server');
  return built;
}
