#!/usr/bin/env node
// bench/chess/move-rtt.mjs: how long a move on the shared board takes to go
// round the class (protocol.md §5), next to a chat message of the same class
// over the same sockets: the chat is the server's plain fan-out, so the
// difference is what checking the move and writing the board costs.
//
// One kibitz-server (release build, loopback, an open room, its state
// directory in /tmp), a class of N WebSocket clients (default 20). Client 0
// plays random legal games, chosen with chess.js (an independent rules
// library, npm, BSD-2-Clause): each `move` goes out in UCI and the clock stops
// when the mover gets its `board` back (the move's round trip) and when the
// last of the N has it (the class's). A `chat` from the same client is timed
// the same way between moves. A game that ends, or reaches --plies, is
// replaced by a `board-set` of the start position (not timed).
//
// Every move's board is also checked against chess.js: the server's SAN must
// be the library's, and its result the library's verdict, so a fast wrong
// answer cannot pass. Loops are bounded in count and time.
//
//   bench/chess/move-rtt.sh                   # 3 rounds of 300 moves, class of 20
//   bench/chess/move-rtt.sh --quick           # CI smoke: 1 round, 40 moves
//
// SPDX-License-Identifier: GPL-3.0-or-later

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { Chess } from 'chess.js';
import { kibitzServerBinary } from '../kibitz-build.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const START_FEN = 'rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1';

const opts = { rounds: 3, moves: 300, classSize: 20, plies: 120, kibitzServer: '', buildDir: '',
               json: '', seed: 1 };

function usage () {
  console.log(`usage: move-rtt.mjs [--quick] [--rounds N] [--moves M] [--class-size N] [--plies P]
       [--seed S] [--json FILE] [--kibitz-server PATH | --build-dir DIR]`);
}

for (let i = 2; i < process.argv.length; i++) {
  const arg = process.argv[i];
  if (arg === '--help') { usage(); process.exit(0); }
  if (arg === '--quick') { Object.assign(opts, { rounds: 1, moves: 40 }); continue; }
  const m = arg.match(/^--([a-z-]+)(?:=(.*))?$/);
  if (!m) throw new Error(`unknown argument ${arg}`);
  const key = m[1].replace(/-([a-z])/g, (_, c) => c.toUpperCase());
  if (!(key in opts)) throw new Error(`unknown option --${m[1]}`);
  const value = m[2] !== undefined ? m[2] : process.argv[++i];
  opts[key] = typeof opts[key] === 'number' ? Number(value) : value;
}

/* A small seeded generator, so that a run can be repeated move for move. */
let seed = opts.seed >>> 0 || 1;
function random () {
  seed ^= seed << 13; seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5; seed >>>= 0;
  return seed / 4294967296;
}

function kibitzBinary () {
  return opts.kibitzServer || kibitzServerBinary(opts.buildDir);
}

/* The server prints "listening http ADDR:PORT" once it listens. */
function startServer (binary) {
  const state = fs.mkdtempSync(path.join(os.tmpdir(), 'kibitz-move-rtt-'));
  const child = spawn(binary, ['--http', '127.0.0.1:0', '--secret', 'move-rtt-bench-secret',
    '--room-policy', 'open', '--turn', 'none', '--state-dir', state],
  { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('kibitz-server did not start in 15 s')), 15000);
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/listening http (\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve({ child, state, url: `ws://${m[1]}/v1/ws` });
      }
    });
    child.on('exit', (code) => reject(new Error(`kibitz-server exited (${code}) before listening`)));
  });
}

async function stopServer (server) {
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  await Promise.race([exited, sleep(5000)]);
  if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
  fs.rmSync(server.state, { recursive: true, force: true });
}

function cpuSeconds (pid) {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/* One member of the class: resolves waiters on the board's seq and on chat texts. */
class Member {
  constructor (url, room, n) {
    this.url = url; this.room = room; this.n = n;
    this.seq = -1; this.board = null; this.waiters = [];
  }

  open () {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`member ${this.n}: no welcome in 15 s`)), 15000);
      this.ws = new WebSocket(`${this.url}?room=${encodeURIComponent(this.room)}`, { perMessageDeflate: false });
      this.ws.on('open', () => this.ws.send(JSON.stringify({ type: 'join', room: this.room, name: `m${this.n}` })));
      this.ws.on('error', (e) => { clearTimeout(timer); reject(e); });
      this.ws.on('message', (raw) => {
        const message = JSON.parse(raw.toString());
        if (message.type === 'welcome') {
          this.board = message.board; this.seq = message.board.seq;
          clearTimeout(timer); resolve(this);
        } else if (message.type === 'board') {
          this.board = message; this.seq = message.seq;  /* the state's members, beside type */
        } else if (message.type === 'error') {
          console.error(`member ${this.n}: ${message.code}: ${message.message}`);
        }
        this.waiters = this.waiters.filter((w) => !w.test(message) || (w.resolve(performance.now()), false));
      });
    });
  }

  /* The time @test first holds for a message, from now on (ms clock). */
  when (test, timeoutMs = 5000) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`member ${this.n}: nothing in ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({ test, resolve: (t) => { clearTimeout(timer); resolve(t); } });
    });
  }

  send (object) { this.ws.send(JSON.stringify(object)); }
  close () { this.ws.close(); }
}

function quantile (sorted, q) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function summary (samples) {
  const s = [...samples].sort((a, b) => a - b);
  return { n: s.length, p50: quantile(s, 0.5), p99: quantile(s, 0.99), max: s[s.length - 1] };
}

/* Sends through @mover and waits for every member to see @test; returns the
 * mover's and the class's times in ms. */
async function roundTrip (members, send, test) {
  const waits = members.map((m) => m.when(test));
  const t0 = performance.now();
  send();
  const times = await Promise.all(waits);
  return { self: times[0] - t0, all: Math.max(...times) - t0 };
}

async function round (binary, index) {
  const server = await startServer(binary);
  const members = [];
  const result = { move: { self: [], all: [] }, chat: { self: [], all: [] }, cpu: 0, games: 0, checked: 0 };
  try {
    for (let i = 0; i < opts.classSize; i++)
      members.push(await new Member(server.url, `Move bench ${index}`, i).open());
    const mover = members[0];
    const game = new Chess();
    const cpu0 = cpuSeconds(server.child.pid);
    let chats = 0;

    for (let played = 0; played < opts.moves;) {
      if (game.isGameOver() || game.history().length >= opts.plies) {
        const seq = mover.seq + 1;
        await roundTrip(members, () => mover.send({ type: 'board-set', fen: START_FEN }),
          (m) => m.type === 'board' && m.seq >= seq);
        game.reset();
        result.games++;
      }

      const legal = game.moves({ verbose: true });
      const move = legal[Math.floor(random() * legal.length)];
      const uci = move.from + move.to + (move.promotion || '');
      const seq = mover.seq + 1;
      const t = await roundTrip(members, () => mover.send({ type: 'move', uci }),
        (m) => m.type === 'board' && m.seq >= seq);
      game.move(move);
      played++;
      result.move.self.push(t.self);
      result.move.all.push(t.all);

      /* The server's view must be the library's. */
      const board = mover.board;
      const san = board.moves[board.ply - 1];
      if (san !== move.san)
        throw new Error(`move ${played}: the server wrote ${san}, chess.js ${move.san}`);
      const verdict = game.isCheckmate() ? (game.turn() === 'w' ? '0-1' : '1-0')
        : game.isDraw() ? '1/2-1/2' : null;
      if ((board.result ?? null) !== verdict)
        throw new Error(`move ${played} (${san}): the server says ${board.result}, chess.js ${verdict}`);
      result.checked++;

      const text = `chat ${index}.${chats++}`;
      const c = await roundTrip(members, () => mover.send({ type: 'chat', text }),
        (m) => m.type === 'chat' && m.text === text);
      result.chat.self.push(c.self);
      result.chat.all.push(c.all);
    }
    result.cpu = cpuSeconds(server.child.pid) - cpu0;
  } finally {
    members.forEach((m) => m.close());
    await stopServer(server);
  }
  return result;
}

const fmt = (x) => x.toFixed(2);

async function main () {
  const binary = kibitzBinary();
  const rounds = [];
  const deadline = Date.now() + 30 * 60 * 1000;
  for (let r = 0; r < opts.rounds && Date.now() < deadline; r++) {
    const result = await round(binary, r);
    rounds.push(result);
    const ms = summary(result.move.self), ma = summary(result.move.all);
    const cs = summary(result.chat.self), ca = summary(result.chat.all);
    console.log(`round ${r + 1}: ${ms.n} moves (${result.checked} checked against chess.js, ` +
      `${result.games} games restarted), class of ${opts.classSize}`);
    console.log(`  move round trip   p50 ${fmt(ms.p50)} ms  p99 ${fmt(ms.p99)} ms  max ${fmt(ms.max)} ms;` +
      `  to the whole class p50 ${fmt(ma.p50)}  p99 ${fmt(ma.p99)}  max ${fmt(ma.max)} ms`);
    console.log(`  chat round trip   p50 ${fmt(cs.p50)} ms  p99 ${fmt(cs.p99)} ms  max ${fmt(cs.max)} ms;` +
      `  to the whole class p50 ${fmt(ca.p50)}  p99 ${fmt(ca.p99)}  max ${fmt(ca.max)} ms`);
    console.log(`  server CPU ${fmt(result.cpu * 1000 / (ms.n + cs.n))} ms per message (moves and chats)`);
  }

  const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
  const pick = (f) => median(rounds.map(f));
  const out = {
    date: new Date().toISOString(), host: os.hostname(), cpus: os.cpus().length, options: opts,
    move_self_p50: pick((r) => summary(r.move.self).p50), move_self_p99: pick((r) => summary(r.move.self).p99),
    move_all_p50: pick((r) => summary(r.move.all).p50), move_all_p99: pick((r) => summary(r.move.all).p99),
    chat_self_p50: pick((r) => summary(r.chat.self).p50), chat_self_p99: pick((r) => summary(r.chat.self).p99),
    chat_all_p50: pick((r) => summary(r.chat.all).p50), chat_all_p99: pick((r) => summary(r.chat.all).p99),
  };
  console.log(`median of ${rounds.length} rounds: move p99 ${fmt(out.move_self_p99)} ms (whole class ` +
    `${fmt(out.move_all_p99)} ms), chat p99 ${fmt(out.chat_self_p99)} ms (whole class ${fmt(out.chat_all_p99)} ms); ` +
    `move/chat p99 ${fmt(out.move_all_p99 / out.chat_all_p99)}`);
  if (opts.json) fs.writeFileSync(opts.json, JSON.stringify(out, null, 2) + '\n');
}

main().catch((e) => { console.error(`move-rtt: ${e.message}`); process.exit(1); });
