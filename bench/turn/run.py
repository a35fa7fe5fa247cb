#!/usr/bin/python3
"""The kibitz-server TURN relay against coturn, side by side.

Both servers run on 127.0.0.1 with free ports and are driven by the same
turnutils_uclient workloads, alternating kibitz and coturn run by run. For each
run: server CPU seconds (utime+stime of /proc/PID/stat, before and after),
packets relayed (uclient's tot_send_msgs + tot_recv_msgs; for kibitz also its
/metrics counters), CPU microseconds per relayed packet, loss, jitter, wall time.
Then a bounded ramp of parallel uclient processes finds the highest loss-free
rate of each server.

Most workloads use uclient -y (client to client: both ends are allocations on
the server under test, which kibitz-server hands over inside itself). The
workloads ending in "-peer" send to coturn's turnutils_peer echo server
instead (uclient -e 127.0.0.1 -r PORT), so every packet leaves and enters
through a relay socket on both servers.

    bench/turn/run.py                # 5 rounds, builds _build/bench
    bench/turn/run.py --quick        # CI smoke, one round, small counts (< 60 s)
    bench/turn/run.py --server PATH  # take an existing kibitz-server
    bench/turn/run.sh ...            # the same; bench/turn/smoke.sh is --quick for CI

Standard library only. Loopback only; every process is wrapped in `timeout`
and killed by PID at the end; the temporary directory is removed.
"""

import argparse
import atexit
import base64
import datetime
import json
import os
import platform
import re
import select
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SECRET = "bench-secret"
USER = "benchuser"
TICKS = os.sysconf("SC_CLK_TCK")

# name, uclient clients (-m), messages each (-n), bytes (-l), interval ms (-z),
# and whether the other end is turnutils_peer (else uclient -y).
FULL_WORKLOADS = [
    ("1x100k-120B-z0", 1, 100000, 120, 0, False),
    ("10x20k-120B-z0", 10, 20000, 120, 0, False),
    ("10x10k-1200B-z0", 10, 10000, 1200, 0, False),
    ("190x1000-1000B-z10", 190, 1000, 1000, 10, False),
    # The class again with the far end off the relay: no relay-to-relay
    # hand-over. turnutils_peer is one single-threaded process: its CPU is not
    # counted, and the class's 19,000 packets/s are well within what it echoes.
    ("190x1000-1000B-z10-peer", 190, 1000, 1000, 10, True),
]
# The smoke keeps the shapes but paces the senders (-z > 0): at -z 0 uclient
# overruns its own socket buffers now and then, and the smoke must only fail
# when a server does.
QUICK_WORKLOADS = [
    ("1x1000-120B-z1", 1, 1000, 120, 1, False),
    ("10x200-120B-z2", 10, 200, 120, 2, False),
    ("10x200-1200B-z2", 10, 200, 1200, 2, False),
    ("20x50-1000B-z10", 20, 50, 1000, 10, False),
    ("20x50-1000B-z10-peer", 20, 50, 1000, 10, True),
]
# The ramp: parallel uclient processes, each -m RAMP_M at -z RAMP_Z.
RAMP_M, RAMP_Z, RAMP_L = 10, 2, 200

children = []          # Popen objects of every `timeout` wrapper we started
tmpdir = None


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def child_pid(pid):
    """The PID of the process `timeout` (PID pid) runs."""
    for _ in range(200):
        try:
            with open(f"/proc/{pid}/task/{pid}/children") as f:
                kids = f.read().split()
            if kids:
                return int(kids[0])
        except OSError:
            return None
        time.sleep(0.01)
    return None


def stop(proc, grace=3.0):
    if proc.poll() is not None:
        return
    inner = child_pid(proc.pid)
    for pid in (proc.pid, inner):       # timeout forwards SIGTERM to its child
        if pid:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        for pid in (inner, proc.pid):
            if pid:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        proc.wait()


def cleanup():
    for proc in children:
        try:
            stop(proc)
        except Exception as e:   # keep going: every process must be stopped
            log("cleanup:", e)
    if tmpdir and os.path.isdir(tmpdir):
        shutil.rmtree(tmpdir, ignore_errors=True)


def on_signal(signum, frame):
    cleanup()
    sys.exit(128 + signum)


def spawn(argv, limit, **kw):
    proc = subprocess.Popen(["timeout", "-k", "5", str(int(limit))] + argv, **kw)
    children.append(proc)
    return proc


def unspawn(proc):
    """Stops a process spawn() started and forgets it."""
    stop(proc)
    children.remove(proc)


def wait_answering(proc, name, answers, not_answering, deadline):
    """Waits until answers() while proc runs; raises when it exits or the deadline passes."""
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited early (rc {proc.returncode})")
        if answers():
            return
        time.sleep(0.05)
    raise RuntimeError(f"{name} {not_answering}")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # fields[0] is field 3 (state): utime is field 14, stime field 15
    return int(fields[11]) / TICKS, int(fields[12]) / TICKS


def free_port():
    """A port free for both UDP and TCP on 127.0.0.1."""
    for _ in range(100):
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind(("127.0.0.1", 0))
        port = u.getsockname()[1]
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            t.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
        finally:
            u.close()
            t.close()
    raise RuntimeError("no free port")


def stun_ping(port, timeout=0.2):
    """True when a STUN Binding request to 127.0.0.1:port is answered."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    try:
        tid = os.urandom(12)
        s.sendto(struct.pack("!HHI", 0x0001, 0, 0x2112A442) + tid, ("127.0.0.1", port))
        data = s.recv(2048)
        return len(data) >= 20 and data[8:20] == tid
    except OSError:
        return False
    finally:
        s.close()


class Server:
    def __init__(self, name, work):
        self.name, self.work = name, work
        self.proc = self.pid = self.port = self.http = None

    def cpu(self):
        return cpu_seconds(self.pid)

    def metrics(self):
        return None

    def stop(self):
        if self.proc:
            unspawn(self.proc)
            self.proc = None

    def _wait_ready(self, deadline):
        wait_answering(self.proc, self.name, lambda: stun_ping(self.port),
                       f"did not answer STUN on {self.port}", deadline)


class Kibitz(Server):
    def __init__(self, binary, work, relay_ports, limit, name="kibitz"):
        super().__init__(name, work)
        self.binary, self.relay_ports, self.limit = binary, relay_ports, limit

    def start(self):
        self.port = self.http = self.pid = None
        state = os.path.join(self.work, self.name + "-state")
        os.makedirs(state, exist_ok=True)
        err = open(os.path.join(self.work, self.name + ".err"), "ab")
        self.proc = spawn([self.binary, "--http", "127.0.0.1:0", "--turn", "127.0.0.1:0",
                           "--secret", SECRET, "--allow-peer", "127.0.0.0/8",
                           *self.extra_args(),
                           # uclient -W gives every session the same username id
                           "--user-quota", "10000",
                           "--relay-ports", "%d-%d" % self.relay_ports,
                           "--state-dir", state],
                          self.limit, stdout=subprocess.PIPE, stderr=err)
        err.close()
        deadline = time.monotonic() + 10
        buf = b""
        while time.monotonic() < deadline and self.http is None:
            r, _, _ = select.select([self.proc.stdout], [], [], 0.2)
            if r:
                chunk = os.read(self.proc.stdout.fileno(), 4096)
                if not chunk:
                    break
                buf += chunk
                m = re.search(rb"listening turn-udp 127\.0\.0\.1:(\d+)", buf)
                if m:
                    self.port = int(m.group(1))
                m = re.search(rb"listening https? (127\.0\.0\.1:\d+)", buf)
                if m:
                    self.http = m.group(1).decode()
        if self.port is None or self.http is None:
            raise RuntimeError("kibitz-server did not print its listeners: %r" % buf)
        self.pid = child_pid(self.proc.pid)
        self._wait_ready(deadline)

    def extra_args(self):
        # uclient takes its credentials from the secret, as from /v1/config
        # before protocol.md §4: the version-1 scope.
        return ["--relay-scope", "any"]

    def metrics(self):
        with urllib.request.urlopen(f"http://{self.http}/metrics", timeout=5) as r:
            text = r.read().decode()
        out = {}
        for key in ("packets_to_peers_total", "packets_from_peers_total", "allocations_total",
                    "internal_packets_total"):
            m = re.search(r"^kibitz_turn_%s (\d+)" % key, text, re.M)
            # 0 for a kibitz-server from before relay-to-relay hand-over
            out[key] = int(m.group(1)) if m else 0
        return out


class Member:
    """A participant of a room on kibitz-server, over a minimal WebSocket
    client (standard library only): its welcome's TURN credentials are what a
    room-scoped relay accepts. It stays in the room (a frame every 4 s, what
    the server sends is drained) until closed."""

    def __init__(self, http, room):
        self.sock = socket.create_connection(tuple(http.rsplit(":", 1)), timeout=10)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET /v1/ws?room={room} HTTP/1.1\r\nHost: {http}\r\n"
                           "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                           f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise RuntimeError("kibitz-server closed the WebSocket handshake")
            head += chunk
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise RuntimeError("no WebSocket upgrade: %r" % head[:200])
        self.buf = head.split(b"\r\n\r\n", 1)[1]
        self.lock = threading.Lock()
        self.send(json.dumps({"type": "join", "room": room, "name": "bench"}))
        welcome = None
        while welcome is None:
            message = json.loads(self.recv_text())
            if message.get("type") == "welcome":
                welcome = message
        turn = [s for s in welcome["ice_servers"] if "username" in s][0]
        self.username, self.credential = turn["username"], turn["credential"]
        self.running = True
        self.thread = threading.Thread(target=self._keep, daemon=True)
        self.thread.start()

    def send(self, text):
        data = text.encode()
        mask = os.urandom(4)
        header = bytes([0x81]) + (bytes([0x80 | len(data)]) if len(data) < 126
                                  else bytes([0x80 | 126]) + struct.pack("!H", len(data)))
        with self.lock:
            self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def _read(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise RuntimeError("kibitz-server closed the WebSocket")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def recv_text(self):
        while True:
            b0, b1 = self._read(2)
            length = b1 & 0x7F
            if length == 126:
                length = struct.unpack("!H", self._read(2))[0]
            elif length == 127:
                length = struct.unpack("!Q", self._read(8))[0]
            payload = self._read(length)
            if b0 & 0x0F == 0x1:
                return payload.decode()

    def _keep(self):
        next_beat = time.monotonic()
        while self.running:
            if time.monotonic() >= next_beat:
                try:
                    self.send('{"type":"state","hand":false}')
                except OSError:
                    return
                next_beat = time.monotonic() + 4
            r, _, _ = select.select([self.sock], [], [], 0.5)
            if r:
                try:
                    if not self.sock.recv(65536):
                        return
                except OSError:
                    return

    def close(self):
        self.running = False
        self.thread.join(timeout=2)
        self.sock.close()


class KibitzRoom(Kibitz):
    """kibitz-server with the relay's room scope (protocol.md §4, the default):
    uclient uses the credentials of a room member's welcome, and every
    permission is checked against the class."""

    def __init__(self, binary, work, relay_ports, limit):
        super().__init__(binary, work, relay_ports, limit)
        self.name = "kibitz-room"
        self.member = None

    def extra_args(self):
        return ["--room-policy", "open"]

    def start(self):
        super().start()
        self.member = Member(self.http, "bench")
        self.creds = (self.member.username, self.member.credential)

    def stop(self):
        if self.member:
            self.member.close()
            self.member = None
        super().stop()


class Coturn(Server):
    def __init__(self, work, relay_ports, limit):
        super().__init__("coturn", work)
        self.relay_ports, self.limit = relay_ports, limit

    def start(self):
        self.port = free_port()
        d = tempfile.mkdtemp(prefix="coturn-", dir=self.work)
        out = open(os.path.join(d, "stdout"), "wb")
        self.proc = spawn(["turnserver", "-n", "--use-auth-secret",
                           "--static-auth-secret=" + SECRET, "--realm", "bench",
                           "--allow-loopback-peers", "--no-tls", "--no-dtls", "--no-cli",
                           "--listening-ip", "127.0.0.1", "--relay-ip", "127.0.0.1",
                           "-p", str(self.port),
                           "--min-port", str(self.relay_ports[0]),
                           "--max-port", str(self.relay_ports[1]),
                           "--userdb", os.path.join(d, "turndb"),
                           "--log-file", os.path.join(d, "turn.log"), "--simple-log",
                           "--pidfile", os.path.join(d, "turn.pid")],
                          self.limit, stdout=out, stderr=subprocess.STDOUT)
        out.close()
        self.pid = child_pid(self.proc.pid)
        self._wait_ready(time.monotonic() + 15)


UCLIENT_TOTALS = re.compile(r"start_mclient: tot_send_msgs=(\d+), tot_recv_msgs=(\d+)")
UCLIENT_LOST = re.compile(r"Total lost packets (\d+) \(([\d.]+)%\), total send dropped (\d+)")
UCLIENT_JITTER = re.compile(r"Average jitter ([\d.]+) ms")


def uclient_argv(port, m, n, length, z, peer_port=None, creds=None):
    far_end = ["-e", "127.0.0.1", "-r", str(peer_port)] if peer_port else ["-y"]
    auth = ["-u", creds[0], "-w", creds[1]] if creds else ["-W", SECRET, "-u", USER]
    return ["turnutils_uclient"] + far_end + [
        "-c"] + auth + ["-p", str(port),
        "-m", str(m), "-n", str(n), "-l", str(length), "-z", str(z), "127.0.0.1"]


class EchoPeer:
    """coturn's turnutils_peer on 127.0.0.1: echoes every datagram back."""

    def __init__(self, limit):
        self.limit, self.proc, self.port = limit, None, None

    def start(self):
        self.port = free_port()
        self.proc = spawn(["turnutils_peer", "-L", "127.0.0.1", "-p", str(self.port)], self.limit,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_answering(self.proc, "turnutils_peer", lambda: echoes(self.port),
                       f"did not echo on {self.port}", time.monotonic() + 10)

    def stop(self):
        if self.proc:
            unspawn(self.proc)
            self.proc = None


def echoes(port, timeout=0.2):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    try:
        s.sendto(b"ping", ("127.0.0.1", port))
        return s.recv(64) == b"ping"
    except OSError:
        return False
    finally:
        s.close()


def parse_uclient(text, rc):
    totals = UCLIENT_TOTALS.findall(text)
    lost = UCLIENT_LOST.search(text)
    jitter = UCLIENT_JITTER.search(text)
    return {
        "rc": rc,
        "sent": int(totals[-1][0]) if totals else 0,
        "received": int(totals[-1][1]) if totals else 0,
        "lost": int(lost.group(1)) if lost else None,
        "loss_pct": float(lost.group(2)) if lost else None,
        "send_dropped": int(lost.group(3)) if lost else None,
        "jitter_ms": float(jitter.group(1)) if jitter else None,
    }


def run_clients(server, specs, limit, peer_port=None):
    """Runs one uclient per spec at once against server; returns the measurement."""
    before_m = server.metrics()
    u0, s0 = server.cpu()
    t0 = time.monotonic()
    procs = [spawn(uclient_argv(server.port, *spec, peer_port=peer_port,
                                creds=getattr(server, "creds", None)), limit,
                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for spec in specs]
    outs = []
    for p in procs:
        out, _ = p.communicate()
        children.remove(p)
        text = out.decode(errors="replace")
        outs.append(parse_uclient(text, p.returncode))
        if p.returncode != 0:
            outs[-1]["tail"] = text[-800:]
    wall = time.monotonic() - t0
    u1, s1 = server.cpu()
    after_m = server.metrics()
    res = {
        "server": server.name, "processes": len(specs), "wall_s": round(wall, 3),
        "utime_s": round(u1 - u0, 3), "stime_s": round(s1 - s0, 3),
        "cpu_s": round((u1 - u0) + (s1 - s0), 3),
        "rc": max(o["rc"] for o in outs),
        "sent": sum(o["sent"] for o in outs), "received": sum(o["received"] for o in outs),
        "lost": sum(o["lost"] if o["lost"] is not None else 0 for o in outs),
        "send_dropped": sum(o["send_dropped"] or 0 for o in outs),
        "parsed": all(o["lost"] is not None for o in outs),
        "jitter_ms": round(statistics.mean(o["jitter_ms"] for o in outs
                                           if o["jitter_ms"] is not None), 3)
        if any(o["jitter_ms"] is not None for o in outs) else None,
    }
    tails = [o["tail"] for o in outs if "tail" in o]
    if tails:
        res["failed_uclient_output"] = tails[0]
    res["relayed"] = res["sent"] + res["received"]
    res["loss_pct"] = round(100.0 * res["lost"] / res["sent"], 4) if res["sent"] else None
    if before_m and after_m:
        # where packets went missing: to_peers < sent means the server did not
        # get (or refused) them from clients; from_peers < to_peers means a relay
        # socket dropped them; received < from_peers means the client did.
        res["to_peers"] = after_m["packets_to_peers_total"] - before_m["packets_to_peers_total"]
        res["from_peers"] = after_m["packets_from_peers_total"] - before_m["packets_from_peers_total"]
        res["metrics_relayed"] = res["to_peers"] + res["from_peers"]
        res["internal"] = after_m["internal_packets_total"] - before_m["internal_packets_total"]
    res["cpu_us_per_packet"] = round(1e6 * res["cpu_s"] / res["relayed"], 3) if res["relayed"] else None
    res["ok"] = res["rc"] == 0 and res["parsed"] and res["received"] > 0
    return res


def build(build_dir):
    if not os.path.exists(os.path.join(build_dir, "build.ninja")):
        subprocess.run(["timeout", "600", "meson", "setup", build_dir, "-Dclient=disabled",
                        "--buildtype=release", "-Db_sanitize=none"],
                       cwd=ROOT, check=True, stdout=sys.stderr)
    subprocess.run(["timeout", "900", "ninja", "-C", build_dir, "src/server/kibitz-server"],
                   cwd=ROOT, check=True, stdout=sys.stderr)
    return os.path.join(build_dir, "src", "server", "kibitz-server")


def machine():
    model = ""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout
        m = re.search(r"^Model name:\s*(.+)$", out, re.M)
        model = m.group(1).strip() if m else ""
    except (OSError, subprocess.TimeoutExpired):
        pass
    coturn = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "coturn"],
                            capture_output=True, text=True).stdout
    return {"nproc": os.cpu_count(), "cpu": model, "kernel": platform.release(),
            "coturn": coturn, "loadavg_at_start": os.getloadavg()}


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def summarize(runs, ramp, workloads, rounds, names):
    """Medians per workload and server; the CPU-per-packet ratio is the first
    server's over the second's."""
    table = []
    for name, *_ in workloads:
        row = {"workload": name}
        for srv in names:
            rs = [r for r in runs if r["workload"] == name and r["server"] == srv]
            row[srv] = {
                "runs": len(rs), "failed": sum(not r["ok"] for r in rs),
                "cpu_s": median(r["cpu_s"] for r in rs),
                "relayed": median(r["relayed"] for r in rs),
                "cpu_us_per_packet": median(r["cpu_us_per_packet"] for r in rs),
                "loss_pct": median(r["loss_pct"] for r in rs),
                "max_loss_pct": max((r["loss_pct"] or 0) for r in rs) if rs else None,
                "lost_total": sum(r["lost"] for r in rs),
                "jitter_ms": median(r["jitter_ms"] for r in rs),
                "wall_s": median(r["wall_s"] for r in rs),
                "internal": median(r.get("internal") for r in rs),
            }
        k, c = row[names[0]]["cpu_us_per_packet"], row[names[1]]["cpu_us_per_packet"]
        row["ratio_cpu_per_packet"] = round(k / c, 3) if k and c else None
        table.append(row)
    ramp_summary = {}
    for srv in names:
        best = [r["best_loss_free_pps"] for r in ramp if r["server"] == srv]
        ramp_summary[srv] = {"best_loss_free_pps_per_round": best,
                             "median_best_loss_free_pps": median(best)}
    return table, ramp_summary


def fmt(v, nd=2):
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.{nd}f}"
    return str(v)


def markdown(result):
    t, ramp = result["table"], result["ramp_summary"]
    names = result["servers"]
    lines = [f"TURN relay: {names[0]} vs {names[1]} (coturn {result['machine']['coturn']}; "
             f"{result['date']}, {result['rounds']} round(s), medians)", "",
             "| workload | server | CPU s | relayed pkts | CPU µs/pkt | loss % (median / max) "
             f"| jitter ms | wall s | handed over inside | {names[0]}/{names[1]} CPU per pkt |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for row in t:
        for srv in names:
            s = row[srv]
            ratio = fmt(row["ratio_cpu_per_packet"], 3) if srv == names[0] else ""
            fail = f" ({s['failed']} failed)" if s["failed"] else ""
            lines.append(f"| {row['workload']} | {srv}{fail} | {fmt(s['cpu_s'])} | "
                         f"{fmt(None if s['relayed'] is None else int(s['relayed']))} | "
                         f"{fmt(s['cpu_us_per_packet'])} | "
                         f"{fmt(s['loss_pct'], 3)} / {fmt(s['max_loss_pct'], 3)} | "
                         f"{fmt(s['jitter_ms'], 3)} | {fmt(s['wall_s'], 1)} | "
                         f"{fmt(None if s['internal'] is None else int(s['internal']))} | {ratio} |")
    if not result["ramp"]:
        return "\n".join(lines) + "\n"
    lines += ["", f"Ramp ({RAMP_M} sessions per uclient process at -z {RAMP_Z}, "
              f"{RAMP_L} B; offered relayed packets/s; stop at first loss):", "",
              "| server | highest loss-free rate per round | median |", "|---|---|---:|"]
    for srv in names:
        r = ramp[srv]
        lines.append(f"| {srv} | {', '.join(fmt(x) for x in r['best_loss_free_pps_per_round'])} "
                     f"| {fmt(r['median_best_loss_free_pps'])} |")
    return "\n".join(lines) + "\n"


def main():
    global tmpdir
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="one round, small counts (CI smoke)")
    ap.add_argument("--rounds", type=int, help="rounds (default 5, 1 with --quick)")
    ap.add_argument("--ramp-rounds", type=int, help="ramp rounds (default 3, 1 with --quick)")
    ap.add_argument("--server", help="an existing kibitz-server binary (else build one)")
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "_build", "bench"))
    ap.add_argument("--results", default=os.path.join(ROOT, "bench", "results"))
    ap.add_argument("--only", help="comma-separated workload names")
    ap.add_argument("--no-ramp", action="store_true")
    ap.add_argument("--retries", type=int, default=2,
                    help="with --quick: runs again a run that lost packets, up to N times")
    ap.add_argument("--ramp", action="store_true", help="run the ramp with --quick too")
    ap.add_argument("--servers", default="kibitz,coturn",
                    help="which to compare: kibitz (relay scope any), kibitz-room (the room "
                         "scope of protocol.md §4, with a room member's credentials), coturn, "
                         "kibitz-base (--base-server, scope any: the build before a change)")
    ap.add_argument("--base-server", help="the kibitz-server binary that kibitz-base runs")
    args = ap.parse_args()

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)
    atexit.register(cleanup)

    rounds = args.rounds or (1 if args.quick else 5)
    ramp_rounds = args.ramp_rounds or (1 if args.quick else 3)
    workloads = QUICK_WORKLOADS if args.quick else FULL_WORKLOADS
    if args.only:
        keep = args.only.split(",")
        workloads = [w for w in workloads if w[0] in keep]
    ramp_levels = [2] if args.quick else [4, 8, 16, 24]
    ramp_n = 250 if args.quick else 2000
    binary = os.path.abspath(args.server) if args.server else build(args.build_dir)
    for tool in ("turnserver", "turnutils_uclient", "timeout"):
        if not shutil.which(tool):
            sys.exit(f"{tool} not found (apt install coturn)")

    host = machine()
    tmpdir = tempfile.mkdtemp(prefix="kibitz-turn-bench-")
    known = {"kibitz": lambda: Kibitz(binary, tmpdir, (30000, 34999), 3600),
             "coturn": lambda: Coturn(tmpdir, (35000, 39999), 3600),
             "kibitz-room": lambda: KibitzRoom(binary, tmpdir, (40000, 44999), 3600),
             "kibitz-base": lambda: Kibitz(os.path.abspath(args.base_server), tmpdir,
                                           (45000, 49999), 3600, "kibitz-base")}
    names = args.servers.split(",")
    if len(names) != 2 or any(n not in known for n in names):
        sys.exit("--servers takes two of kibitz, kibitz-room, coturn, kibitz-base")
    if "kibitz-base" in names and not args.base_server:
        sys.exit("kibitz-base needs --base-server BINARY")
    servers = [known[n]() for n in names]
    limit = 120 if args.quick else 300           # per uclient run
    started = time.monotonic()
    runs, ramp = [], []

    # Full runs start a fresh server for every run; the smoke keeps one of each.
    persistent = args.quick
    if persistent:
        for srv in servers:
            srv.start()

    echo = None
    if any(w[5] for w in workloads):
        if not shutil.which("turnutils_peer"):
            sys.exit("turnutils_peer not found (apt install coturn)")
        echo = EchoPeer(3600)
        echo.start()

    def one(server, specs, tag, peer_port=None):
        if not persistent:
            server.start()
        try:
            r = run_clients(server, specs, limit, peer_port)
            # The smoke runs on busy CI machines: a run that loses packets is
            # tried again, and only a server that loses them every time fails.
            attempts = [r]
            while args.quick and tag["workload"] != "ramp" and len(attempts) <= args.retries \
                    and not (r["ok"] and r["lost"] == 0 and r["send_dropped"] == 0):
                log(f"retrying {server.name} {tag['workload']}: {r['lost']} lost, rc {r['rc']}")
                r = run_clients(server, specs, limit, peer_port)
                attempts.append(r)
            if len(attempts) > 1:
                r["earlier_attempts"] = attempts[:-1]
        finally:
            if not persistent:
                server.stop()
        r.update(tag)
        log(json.dumps(r))
        return r

    for rnd in range(rounds):
        for name, m, n, length, z, peer in workloads:
            order = servers if rnd % 2 == 0 else servers[::-1]
            for srv in order:
                runs.append(one(srv, [(m, n, length, z)], {"workload": name, "round": rnd},
                                echo.port if peer else None))

    if not args.no_ramp and (args.ramp or not args.quick):
        for rnd in range(ramp_rounds):
            state = {s.name: {"server": s.name, "round": rnd, "levels": [],
                              "best_loss_free_pps": 0} for s in servers}
            for level in ramp_levels:
                order = servers if (rnd + level) % 2 == 0 else servers[::-1]
                for srv in order:
                    st = state[srv.name]
                    if st.get("stopped"):
                        continue
                    offered = level * RAMP_M * 2 * 1000 // RAMP_Z
                    r = one(srv, [(RAMP_M, ramp_n, RAMP_L, RAMP_Z)] * level,
                            {"workload": "ramp", "round": rnd, "level": level,
                             "offered_pps": offered})
                    st["levels"].append(r)
                    if r["ok"] and r["lost"] == 0 and r["send_dropped"] == 0:
                        st["best_loss_free_pps"] = offered
                    else:
                        st["stopped"] = True
            ramp += list(state.values())

    for srv in servers:
        srv.stop()
    if echo:
        echo.stop()
    table, ramp_summary = summarize(runs, ramp, workloads, rounds, names)
    result = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": " ".join([os.path.relpath(sys.argv[0], ROOT)] + sys.argv[1:]),
        "machine": host, "quick": args.quick, "rounds": rounds, "servers": names,
        "ramp_rounds": ramp_rounds, "ramp_levels": ramp_levels,
        "ramp_uclient": {"m": RAMP_M, "n": ramp_n, "l": RAMP_L, "z": RAMP_Z},
        "uclient_flags": "-y -c -W SECRET -u benchuser (kibitz-room: -u/-w of a member's welcome)",
        "kibitz_binary": binary, "duration_s": round(time.monotonic() - started, 1),
        "table": table, "ramp_summary": ramp_summary, "runs": runs, "ramp": ramp,
    }
    result["machine"]["loadavg_at_end"] = os.getloadavg()
    md = markdown(result)
    os.makedirs(args.results, exist_ok=True)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    base = os.path.join(args.results, f"turn-{'quick-' if args.quick else ''}{stamp}")
    with open(base + ".json", "w") as f:
        json.dump(result, f, indent=1)
    with open(base + ".md", "w") as f:
        f.write(md)
    print(md)
    print(f"raw: {base}.json")
    print(f"took {result['duration_s']} s")

    # Exit status for the smoke test: 1 when a server failed to relay or lost packets.
    bad = [r for r in runs if not r["ok"] or r["lost"] or r["send_dropped"]]
    for r in bad:
        log(f"FAIL: {r['server']} {r['workload']} round {r['round']}: rc={r['rc']} "
            f"sent={r['sent']} received={r['received']} lost={r['lost']}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
