#!/usr/bin/env node
// bench/signaling/bench.mjs: kibitz-server against the PeerJS server (npm `peer`),
// one load generator for both, loopback only. See docs/benchmarks.md and --help.
//
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Workloads, each on a freshly started server, servers alternating every round:
//   idle   N idle, registered WebSocket connections (Kibitz: joined, rooms of 20;
//          PeerJS: OPEN); the server's VmRSS before and after, per connection.
//   relay  P pairs, one side sends 2 KB messages to the other; the rate ramps up
//          in steps; the highest rate whose p99 delivery latency stays under
//          20 ms with nothing lost. The load comes from relaygen.c (built here
//          with cc on first use): one epoll loop in C, a few microseconds a
//          message, so that on a two-core machine the generator leaves the
//          servers room. --generator node uses this script's own clients
//          instead (a full core at 60,000 messages/s); with it, --generators G
//          spreads the pairs over G worker threads.
//   burst  a class start: 20 clients join one class within one second; each
//          newcomer offers (2 KB) to everyone already there, who answers (2 KB);
//          both sides trickle 3 candidates. p99 of the message delivery latency,
//          and the time from the first join to the last message.
// Every loop is bounded in count and time.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';
import { kibitzServerBinary } from '../kibitz-build.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/* --- Options ------------------------------------------------------------ */

const defaults = {
  rounds: 3,
  workloads: 'idle,relay,burst',
  servers: 'kibitz,peerjs',
  idle: 10000,
  pairs: 500,
  generator: 'c',
  generators: 1,
  rates: '2000,4000,6000,8000,10000,12000,15000,18000,21000,25000,30000,35000,40000,45000,50000,55000,60000,' +
         '70000,80000,90000,100000,110000,120000,130000,140000,150000',
  stepSeconds: 3,
  classes: 5,
  classSize: 20,
  json: '',
  idleWindow: 10,
  kibitzServer: '',
  baseServer: '',
  buildDir: '',
};

function usage () {
  console.log(`usage: bench.mjs [--quick] [--rounds N] [--workloads idle,relay,burst]
       [--servers kibitz,peerjs] [--idle N] [--pairs P] [--generator c|node] [--generators G]
       [--rates R1,R2,...]
       [--step-seconds S] [--classes C] [--class-size N] [--idle-window S] [--json FILE]
       [--kibitz-server PATH | --build-dir DIR] [--base-server PATH]
  --servers takes kibitz, peerjs and kibitz-base (the kibitz-server at --base-server,
  for a before/after comparison in one run)`);
}

function parseOptions (argv) {
  const o = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help') { usage(); process.exit(0); }
    if (arg === '--quick') {
      Object.assign(o, { rounds: 1, idle: 500, pairs: 20, generators: 1, rates: '200,1000', stepSeconds: 1, classes: 1,
                         idleWindow: 2 });
      continue;
    }
    const m = arg.match(/^--([a-z-]+)(?:=(.*))?$/);
    if (!m) throw new Error(`unknown argument ${arg}`);
    const key = m[1].replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    if (!(key in defaults)) throw new Error(`unknown option --${m[1]}`);
    const value = m[2] !== undefined ? m[2] : argv[++i];
    o[key] = typeof defaults[key] === 'number' ? Number(value) : value;
  }
  return o;
}

const opts = parseOptions(process.argv.slice(2));

/* --- Servers ------------------------------------------------------------- */

/* kibitz-server as the checkout has it: --kibitz-server PATH as given, or
 * built in --build-dir (default _build/bench, configured as a release build
 * without sanitizers if it is not configured yet), once per run. */
function kibitzBinary () {
  return opts.kibitzServer || kibitzServerBinary(opts.buildDir);
}

function freePort () {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
    s.on('error', reject);
  });
}

async function waitListening (port, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const ok = await new Promise((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => { c.destroy(); resolve(true); });
      c.on('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`nothing listens on 127.0.0.1:${port} after ${ms} ms`);
}

async function startServer (kind) {
  const port = await freePort();
  let child;
  const state = fs.mkdtempSync(path.join(os.tmpdir(), 'kibitz-bench-'));
  if (kind === 'kibitz' || kind === 'kibitz-base') {
    /* kibitz-base: another build (--base-server), e.g. before a change, in
     * the same run; one from before protocol.md §4 knows no --room-policy,
     * one after it needs open rooms (the generator joins by name). */
    const binary = kind === 'kibitz' ? kibitzBinary() : opts.baseServer;
    if (!binary) throw new Error('--servers kibitz-base needs --base-server PATH');
    const help = spawnSync(binary, ['--help'], { encoding: 'utf8' }).stdout || '';
    child = spawn(binary, ['--http', `127.0.0.1:${port}`, '--secret', 'bench-secret',
      ...(help.includes('--room-policy') ? ['--room-policy', 'open'] : []),
      '--turn', 'none', '--state-dir', state, '--max-connections-per-address', '30000'],
    { stdio: ['ignore', 'ignore', 'inherit'] });
  } else {
    // The PeerJS CLI as shipped; its stdout (a line per connection) goes nowhere.
    child = spawn(process.execPath, [path.join(here, 'node_modules/peer/dist/bin/peerjs.js'),
      '--host', '127.0.0.1', '--port', String(port), '--concurrent_limit', '30000'],
    { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  await waitListening(port, 15000);
  await sleep(500);
  const protocol = kind.startsWith('kibitz') ? 'kibitz' : 'peerjs';
  const url = protocol === 'kibitz' ? `ws://127.0.0.1:${port}/v1/ws` : `ws://127.0.0.1:${port}/peerjs`;
  return { kind, protocol, child, pid: child.pid, url, state };
}

async function stopServer (server) {
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  await Promise.race([exited, sleep(5000)]);
  if (server.child.exitCode === null && server.child.signalCode === null) {
    server.child.kill('SIGKILL');
    await exited;
  }
  fs.rmSync(server.state, { recursive: true, force: true });
}

function rssKiB (pid) {
  const m = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
  return m ? Number(m[1]) : NaN;
}

function cpuSeconds (pid) {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; /* utime + stime, in USER_HZ */
}

/* --- One client, either protocol ----------------------------------------- */

let clientSerial = 0;

// Each client has its own loopback source address (127.0.0.2..127.0.0.201), so
// neither the per-address limit nor the ephemeral ports bind.
function sourceAddress (n) {
  return `127.0.0.${2 + (n % 200)}`;
}

class Client {
  constructor (server, room) {
    this.server = server;
    this.kind = server.protocol;
    this.room = room;
    this.serial = clientSerial++;
    this.id = null;
    this.peers = [];
    this.onSignal = null;
    this.onError = null;
  }

  open (timeoutMs = 120000) {
    return new Promise((resolve, reject) => {
      let url;
      if (this.kind === 'kibitz') {
        url = `${this.server.url}?room=${encodeURIComponent(this.room)}`;
      } else {
        this.id = `c${this.serial}x${Math.random().toString(36).slice(2, 10)}`;
        url = `${this.server.url}?key=peerjs&id=${this.id}&token=t${this.serial}`;
      }
      const timer = setTimeout(() => reject(new Error(`${this.kind}: no welcome within ${timeoutMs} ms`)), timeoutMs);
      const ws = new WebSocket(url, { perMessageDeflate: false, localAddress: sourceAddress(this.serial) });
      this.ws = ws;
      ws.on('open', () => {
        if (this.kind === 'kibitz')
          ws.send(JSON.stringify({ type: 'join', room: this.room, name: `c${this.serial}` }));
      });
      ws.on('error', (e) => { clearTimeout(timer); reject(e); });
      ws.on('message', (raw) => {
        const text = raw.toString();
        /* Relayed signals carry the "t" stamp; everything else is control. */
        if (text.includes('"t":')) {
          if (this.onSignal) this.onSignal(text);
          return;
        }
        let message;
        try { message = JSON.parse(text); } catch { return; }
        if (message.type === 'welcome') {
          this.id = message.id;
          this.peers = message.peers.map((p) => p.id);
          clearTimeout(timer);
          resolve(this);
        } else if (message.type === 'OPEN') {
          clearTimeout(timer);
          resolve(this);
        } else if (message.type === 'error' || message.type === 'ERROR' || message.type === 'ID-TAKEN') {
          if (this.onError) this.onError(message);
          clearTimeout(timer);
          reject(new Error(`${this.kind}: ${text}`));
        }
      });
    });
  }

  // `body` is the JSON text of the payload: Kibitz relays it as `data`,
  // PeerJS as `payload` of an OFFER, ANSWER or CANDIDATE.
  send (to, kind, body) {
    if (this.kind === 'kibitz')
      this.ws.send(`{"type":"signal","to":"${to}","data":${body}}`);
    else
      this.ws.send(`{"type":"${kind}","dst":"${to}","payload":${body}}`);
  }

  close () {
    if (this.ws) this.ws.terminate();
  }
}

function fromOf (client, text) {
  const m = text.match(client.kind === 'kibitz' ? /"from":"([^"]+)"/ : /"src":"([^"]+)"/);
  return m ? m[1] : null;
}

const stampRe = /"t":([0-9.]+)/;
const stampOf = (text) => Number(text.match(stampRe)[1]);
const kindRe = /"k":"([a-z]+)"/;

async function openMany (server, count, roomOf, batch = 250, deadline = Infinity) {
  const clients = [];
  for (let i = 0; i < count && performance.now() < deadline; i += batch) {
    const part = [];
    for (let j = i; j < Math.min(count, i + batch); j++)
      part.push(new Client(server, roomOf(j)).open());
    clients.push(...await Promise.all(part));
  }
  return clients;
}

function percentile (values, p) {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.ceil(p / 100 * sorted.length) - 1)];
}

const median = (values) => percentile(values, 50);

/* --- Workloads ----------------------------------------------------------- */

async function idle (server) {
  const before = rssKiB(server.pid);
  const started = performance.now();
  const cpu0 = cpuSeconds(server.pid);
  /* 100 connecting at a time: a steady stream, not a flood of SYNs. */
  /* Bounded: whatever is connected after 5 minutes is measured (and said). */
  const clients = await openMany(server, opts.idle, (i) => `idle-${Math.floor(i / 20)}`, 100,
                                 started + 300000);
  const connectSeconds = (performance.now() - started) / 1000;
  const connectCpu = cpuSeconds(server.pid) - cpu0;
  await sleep(2000);
  const after = rssKiB(server.pid);
  /* What holding them costs: the server's CPU over 10 s of nothing happening
   * but its own keepalive (Kibitz pings every 5 s; PeerJS checks every 300 ms). */
  const cpu1 = cpuSeconds(server.pid);
  await sleep(opts.idleWindow * 1000);
  const idleCpuPercent = (cpuSeconds(server.pid) - cpu1) * 100 / opts.idleWindow;
  for (const c of clients) c.close();
  await sleep(500);
  return { connections: clients.length, rss_before_kib: before, rss_after_kib: after,
           kib_per_connection: (after - before) / clients.length, connect_seconds: connectSeconds,
           connect_cpu_ms_per_connection: connectCpu * 1000 / clients.length,
           idle_cpu_percent: idleCpuPercent };
}

/* One generator's share of the relay pairs, paced on its own: the main thread
 * alone, or each of --generators worker threads (so that the generator is not
 * what saturates at high rates; the same for both servers). */
class RelayShare {
  constructor (server, first, count) {
    this.server = server;
    this.first = first;
    this.count = count;
    this.pairs = [];
    this.errors = 0;
    this.current = null;
  }

  async open () {
    for (let i = this.first; i < this.first + this.count; i++) {
      const a = await new Client(this.server, `relay-${i}`).open();
      const b = await new Client(this.server, `relay-${i}`).open();
      a.onError = b.onError = () => { this.errors++; };
      b.onSignal = (text) => {
        const now = performance.now();
        if (this.current && text.includes(this.current.tag)) this.current.latencies.push(now - stampOf(text));
      };
      this.pairs.push([a, b]);
    }
    return this;
  }

  async step (rate, tag, stepSeconds) {
    const blob = 'x'.repeat(2000);
    const step = { tag: `"s":"${tag}"`, sent: 0, latencies: [] };
    const prefix = `{"k":"offer","s":"${tag}","sdp":"${blob}","t":`;
    this.current = step;
    const start = performance.now();
    const end = start + stepSeconds * 1000;
    let next = 0;
    /* Paced every 5 ms: send what is due, round robin over the pairs. */
    while (performance.now() < end) {
      const due = Math.floor((performance.now() - start) / 1000 * rate);
      while (step.sent < due) {
        const [a, b] = this.pairs[next];
        next = (next + 1) % this.pairs.length;
        a.send(b.id, 'OFFER', prefix + performance.now().toFixed(3) + '}');
        step.sent++;
      }
      await sleep(5);
    }
    /* Stragglers: up to 2 s more; a message later than that counts as lost. */
    const drainEnd = performance.now() + 2000;
    while (step.latencies.length < step.sent && performance.now() < drainEnd) await sleep(10);
    this.current = null;
    return { sent: step.sent, latencies: step.latencies, errors: this.errors };
  }

  close () {
    for (const [a, b] of this.pairs) { a.close(); b.close(); }
  }
}

/* The shares, local or in worker threads, behind one interface. */
async function openRelayShares (server) {
  const n = Math.max(1, opts.generators);
  const counts = Array.from({ length: n }, (_, i) => Math.floor(opts.pairs / n) + (i < opts.pairs % n ? 1 : 0));
  if (n === 1) {
    const share = await new RelayShare(server, 0, opts.pairs).open();
    return [{ step: (rate, tag) => share.step(rate, tag, opts.stepSeconds), close: () => share.close() }];
  }
  let first = 0;
  return Promise.all(counts.map((count) => {
    const worker = new Worker(fileURLToPath(import.meta.url), {
      workerData: { server: { kind: server.kind, protocol: server.protocol, url: server.url },
        first, count } });
    first += count;
    let pending = null;
    worker.on('message', (m) => { if (pending) { const p = pending; pending = null; p(m); } });
    const ask = (m) => new Promise((resolve) => { pending = resolve; worker.postMessage(m); });
    return new Promise((resolve, reject) => {
      pending = () => resolve({
        step: (rate, tag) => ask({ rate, tag, stepSeconds: opts.stepSeconds }),
        close: () => ask({ close: true }).then(() => worker.terminate()),
      });
      worker.once('error', reject);
    });
  }));
}

async function relayWorker () {
  const { server, first, count } = workerData;
  clientSerial = first * 2;
  const share = await new RelayShare(server, first, count).open();
  parentPort.postMessage({ ready: true });
  parentPort.on('message', async (m) => {
    if (m.close) {
      share.close();
      await sleep(200);
      parentPort.postMessage({ closed: true });
      return;
    }
    parentPort.postMessage(await share.step(m.rate, m.tag, m.stepSeconds));
  });
}

/* The C generator (relaygen.c), built with cc when missing or older than its
 * source, into bench/signaling/.build (ignored by git). */
function relaygenBinary () {
  const source = path.join(here, 'relaygen.c');
  const binary = path.join(here, '.build', 'relaygen');
  if (!fs.existsSync(binary) || fs.statSync(binary).mtimeMs < fs.statSync(source).mtimeMs) {
    fs.mkdirSync(path.dirname(binary), { recursive: true });
    const built = spawnSync(process.env.CC || 'cc', ['-O2', '-Wall', '-o', binary, source], { stdio: 'inherit' });
    if (built.status !== 0)
      throw new Error('could not build bench/signaling/relaygen.c: is a C compiler installed (build-aux/deps)?');
  }
  return binary;
}

/* relaygen runs the pairs; this process keeps the ladder and the server's CPU. */
async function openRelaygen (server) {
  const child = spawn(relaygenBinary(), ['--kind', server.protocol, '--port', new URL(server.url).port,
    '--pairs', String(opts.pairs)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const lines = [];
  let buffered = '';
  let waiting = null;
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (data) => {
    buffered += data;
    for (let i; (i = buffered.indexOf('\n')) >= 0; buffered = buffered.slice(i + 1))
      lines.push(buffered.slice(0, i));
    if (waiting && lines.length) waiting();
  });
  exited.then(() => { if (waiting) waiting(); });
  /* The next line it prints, within @ms; it exiting or staying silent is an error. */
  const nextLine = async (ms) => {
    const deadline = performance.now() + ms;
    while (!lines.length) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`relaygen exited (${child.exitCode ?? child.signalCode}); its messages are above`);
      if (performance.now() > deadline) throw new Error(`relaygen said nothing for ${ms} ms`);
      await Promise.race([new Promise((resolve) => { waiting = resolve; }), sleep(Math.min(1000, ms))]);
      waiting = null;
    }
    return lines.shift();
  };
  const quit = async () => {
    if (child.exitCode === null && child.signalCode === null) child.stdin.end('quit\n');
    await Promise.race([exited, sleep(5000)]);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  };
  try {
    const ready = await nextLine(180000);
    if (ready !== 'ready') throw new Error(`relaygen: ${ready}`);
  } catch (e) {
    await quit();
    throw e;
  }
  return {
    step: async (rate, tag) => {
      child.stdin.write(`step ${rate} ${tag} ${opts.stepSeconds}\n`);
      return JSON.parse(await nextLine(opts.stepSeconds * 1000 + 30000));
    },
    close: quit,
  };
}

/* bench.mjs's own clients (--generator node), in one or more threads. */
async function openNodeGenerator (server) {
  const shares = await openRelayShares(server);
  const n = shares.length;
  return {
    step: async (rate, tag) => {
      const genCpu0 = process.cpuUsage();   /* every thread of this process */
      const parts = await Promise.all(shares.map((s) => s.step(rate / n, tag)));
      const gen = process.cpuUsage(genCpu0);
      const latencies = parts.flatMap((p) => p.latencies);
      return { sent: parts.reduce((t, p) => t + p.sent, 0), received: latencies.length,
               p50_ms: percentile(latencies, 50), p99_ms: percentile(latencies, 99),
               errors: parts.reduce((t, p) => t + p.errors, 0),
               generator_cpu_s: (gen.user + gen.system) / 1e6 };
    },
    close: () => Promise.all(shares.map((s) => s.close())),
  };
}

async function relay (server) {
  const generator = opts.generator === 'node' ? await openNodeGenerator(server) : await openRelaygen(server);
  const steps = [];
  let best = 0;
  const rates = opts.rates.split(',').map(Number);
  let retried = false;
  try {
    for (let index = 0; index < rates.length; index++) {
      const rate = rates[index];
      const attempt = retried ? 'b' : 'a';
      const cpu0 = cpuSeconds(server.pid);
      const m = await generator.step(rate, `r${rate}${attempt}`);
      const serverCpu = cpuSeconds(server.pid) - cpu0;
      const lost = m.sent - m.received;
      const p99 = lost > m.sent * 0.01 ? Infinity : m.p99_ms;
      const result = { rate, sent: m.sent, lost, p50_ms: m.p50_ms, p99_ms: p99,
                       server_cpu_s: serverCpu, server_cpu_ms_per_1000: serverCpu * 1e6 / m.sent,
                       generator_cpu_s: m.generator_cpu_s, rate_limited: m.errors };
      steps.push(result);
      if (lost > 0 || !(p99 < 20) || m.errors > 0) {
        /* The machine is shared: a step that misses gets one more try. */
        if (retried || m.errors > 0 || lost > m.sent * 0.01)
          break;
        retried = true;
        index--;
        await sleep(1000);
        continue;
      }
      retried = false;
      best = rate;
    }
  } finally {
    await generator.close();
  }
  await sleep(500);
  /* CPU per message at the first rate and at 40,000/s (both servers pass
   * it): noise from a busy machine moves latency a lot and CPU time little. */
  const at40k = steps.find((s) => s.rate === 40000 && s.lost === 0);
  return { pairs: opts.pairs, generator: opts.generator, generators: opts.generator === 'node' ? opts.generators : 1,
           best_rate: best, cpu_ms_per_1000_at_first_rate: steps[0].server_cpu_ms_per_1000,
           cpu_ms_per_1000_at_40000: at40k ? at40k.server_cpu_ms_per_1000 : undefined, steps };
}

async function oneClass (server, name) {
  const blob = 'x'.repeat(2000);
  const candidate = `candidate:1 1 udp 2122260223 127.0.0.1 5000${'0'.repeat(120)} typ host`;
  const latencies = [];
  const joinMs = [];
  const clients = [];
  let received = 0;
  let lastReceive = 0;
  let errors = 0;
  const roster = [];
  const expected = opts.classSize * (opts.classSize - 1) / 2 * 8;
  const payload = (k, body) => `{"k":"${k}",${body},"t":${performance.now().toFixed(3)}}`;
  const trickle = (client, to) => {
    for (let i = 0; i < 3; i++) client.send(to, 'CANDIDATE', payload('ice', `"ice":{"candidate":"${candidate}","sdpMLineIndex":0}`));
  };
  const start = performance.now();
  const joins = [];
  for (let k = 0; k < opts.classSize; k++) {
    const at = start + k * 1000 / opts.classSize;
    await sleep(Math.max(0, at - performance.now()));
    const client = new Client(server, name);
    const t0 = performance.now();
    client.onError = () => { errors++; };
    client.onSignal = (text) => {
      const now = performance.now();
      latencies.push(now - stampOf(text));
      received++;
      lastReceive = now;
      if (text.match(kindRe)[1] === 'offer') {
        const from = fromOf(client, text);
        client.send(from, 'ANSWER', payload('answer', `"sdp":{"type":"answer","sdp":"${blob}"}`));
        trickle(client, from);
      }
    };
    joins.push(client.open().then(() => {
      joinMs.push(performance.now() - t0);
      /* Kibitz lists the room in `welcome`; a PeerJS app keeps its own roster. */
      const others = client.kind === 'kibitz' ? client.peers : roster.slice();
      roster.push(client.id);
      for (const to of others) {
        client.send(to, 'OFFER', payload('offer', `"sdp":{"type":"offer","sdp":"${blob}"}`));
        trickle(client, to);
      }
    }));
    clients.push(client);
  }
  await Promise.all(joins);
  const deadline = performance.now() + 10000;
  while (received < expected && performance.now() < deadline) await sleep(10);
  for (const c of clients) c.close();
  return { latencies, joinMs, expected, received, errors, completion_ms: lastReceive - start };
}

async function burst (server) {
  const all = [];
  const joins = [];
  const classes = [];
  const cpu0 = cpuSeconds(server.pid);
  for (let c = 0; c < opts.classes; c++) {
    const r = await oneClass(server, `burst-${c}-${Math.random().toString(36).slice(2, 8)}`);
    all.push(...r.latencies);
    joins.push(...r.joinMs);
    classes.push({ received: r.received, expected: r.expected, errors: r.errors, completion_ms: r.completion_ms });
    await sleep(300);
  }
  const cpu = cpuSeconds(server.pid) - cpu0;
  return { classes: classes.length, messages: all.length, server_cpu_s: cpu,
           lost: classes.reduce((s, c) => s + c.expected - c.received, 0),
           p50_ms: percentile(all, 50), p99_ms: percentile(all, 99), join_p99_ms: percentile(joins, 99),
           completion_ms_median: median(classes.map((c) => c.completion_ms)) };
}

/* --- Driver -------------------------------------------------------------- */

const workloads = { idle, relay, burst };

async function main () {
  const servers = opts.servers.split(',');
  const results = [];
  console.log(`# bench/signaling ${new Date().toISOString()} nproc=${os.cpus().length} ` +
              `load=${os.loadavg().map((l) => l.toFixed(2)).join(',')} kibitz-server=${kibitzBinary()}`);
  for (let round = 1; round <= opts.rounds; round++) {
    /* Alternate who goes first, so a trend in machine load hits both alike. */
    const order = round % 2 ? servers : servers.slice().reverse();
    for (const workload of opts.workloads.split(',')) {
      for (const kind of order) {
        const server = await startServer(kind);
        let result;
        try {
          result = await Promise.race([workloads[workload](server),
            sleep(600000).then(() => { throw new Error('workload ran over 10 minutes'); })]);
        } catch (e) {
          result = { error: e.message };
        } finally {
          await stopServer(server);
        }
        results.push({ round, workload, server: kind, ...result });
        console.log(JSON.stringify({ round, workload, server: kind, ...result, steps: undefined }));
        if (result.steps)
          for (const s of result.steps) console.log('#   ', JSON.stringify(s));
      }
    }
  }
  summarize(results, servers);
  const json = opts.json || path.join(here, '..', 'results',
    `signaling-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}Z.json`);
  fs.mkdirSync(path.dirname(json), { recursive: true });
  fs.writeFileSync(json, JSON.stringify({ date: new Date().toISOString(), nproc: os.cpus().length,
    loadavg_at_end: os.loadavg(), argv: process.argv.slice(2), results }, null, 1));
  console.log(`# raw results: ${json}`);
  return judge(results);
}

// Exit status: 1 only when a server did not do its job (a workload failed, the
// first relay step lost messages, a class start lost messages); speed is never judged.
function judge (results) {
  let failed = false;
  for (const r of results) {
    let why = r.error;
    if (!why && r.workload === 'relay' && (!r.steps.length || r.steps[0].sent === 0 || r.steps[0].lost > 0))
      why = 'messages were not relayed at the lowest rate';
    if (!why && r.workload === 'burst' && r.lost > 0)
      why = `${r.lost} signaling messages of a class start were not delivered`;
    if (why) {
      console.error(`bench/signaling: ${r.server} failed ${r.workload} in round ${r.round}: ${why}`);
      failed = true;
    }
  }
  return failed ? 1 : 0;
}

function summarize (results, servers) {
  const metrics = [
    ['idle', 'kib_per_connection', 'lower'],
    ['idle', 'connect_cpu_ms_per_connection', 'lower'],
    ['idle', 'idle_cpu_percent', 'lower'],
    ['relay', 'best_rate', 'higher'],
    ['relay', 'cpu_ms_per_1000_at_first_rate', 'lower'],
    ['relay', 'cpu_ms_per_1000_at_40000', 'lower'],
    ['burst', 'p99_ms', 'lower'],
    ['burst', 'server_cpu_s', 'lower'],
  ];
  console.log('# medians over rounds');
  for (const [workload, metric, better] of metrics) {
    const values = {};
    for (const kind of servers) {
      const v = results.filter((r) => r.workload === workload && r.server === kind && !r.error).map((r) => r[metric]).filter((v) => v !== undefined);
      if (v.length) values[kind] = { median: median(v), all: v };
    }
    if (!Object.keys(values).length) continue;
    const line = { workload, metric, better };
    for (const [k, v] of Object.entries(values)) line[k] = v;
    if (values.kibitz && values.peerjs)
      line.ratio_kibitz_over_peerjs = values.kibitz.median / values.peerjs.median;
    if (values.kibitz && values['kibitz-base'])
      line.ratio_kibitz_over_base = values.kibitz.median / values['kibitz-base'].median;
    console.log(JSON.stringify(line));
  }
}

if (isMainThread)
  main().then((code) => process.exit(code), (e) => { console.error(e); process.exit(2); });
else
  relayWorker().catch((e) => { console.error(e); process.exit(2); });
