# netlab.py: the network lab of the `net` test suite.
#
# Builds small virtual networks from network namespaces, veth pairs and
# nftables, runs the real kibitz-server and kibitz-peer binaries inside them,
# and reads what actually flowed from the peers' JSON lines and stats files
# and from the server's /metrics. Everything it creates carries the test's
# pid in its name and is removed again at exit, also when a test fails.
# Traffic never leaves the namespaces.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import atexit
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

SKIP = 77

# The "public" segment: a bridge in the namespace that also holds the server.
PUBLIC_NET = "10.0.0"
SERVER_IP = PUBLIC_NET + ".1"
COTURN_IP = PUBLIC_NET + ".2"
SECRET = "net-lab-shared-secret"


def log(*args):
    print("#", *args, flush=True)


def fail(message):
    raise AssertionError(message)


def have_net_admin():
    """True if this process may create network namespaces."""
    if shutil.which("ip") is None or shutil.which("nft") is None:
        return False, "ip (iproute2) or nft (nftables) is not installed"
    if os.geteuid() != 0:
        return False, "needs root (CAP_NET_ADMIN) to build network namespaces"
    name = "kzprobe%d" % os.getpid()
    r = subprocess.run(["ip", "netns", "add", name], capture_output=True, text=True)
    if r.returncode != 0:
        return False, "cannot create a network namespace: " + r.stderr.strip()
    subprocess.run(["ip", "netns", "del", name], capture_output=True)
    return True, ""


def sh(*cmd, input=None, check=True):
    r = subprocess.run(list(cmd), input=input, capture_output=True, text=True)
    if check and r.returncode != 0:
        fail("%s failed (%d): %s" % (" ".join(cmd), r.returncode, r.stderr.strip()))
    return r


class Process:
    """A child process in a namespace; its stdout is read line by line as
    JSON events (with the time they arrived)."""

    def __init__(self, lab, ns, argv, name, env=None):
        self.name = name
        self.events = []
        self.lines = []
        self.stderr_path = os.path.join(lab.dir, name + ".stderr")
        self.stderr = open(self.stderr_path, "w")
        self.stdout_log = open(os.path.join(lab.dir, name + ".stdout"), "w")
        self.t0 = time.monotonic()
        full = ["ip", "netns", "exec", ns] + argv
        self.proc = subprocess.Popen(full, stdout=subprocess.PIPE, stderr=self.stderr,
                                     stdin=subprocess.DEVNULL, text=True, env=env,
                                     start_new_session=True)
        self.lock = threading.Lock()
        self.cond = threading.Condition(self.lock)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        for line in self.proc.stdout:
            now = time.monotonic()
            line = line.rstrip("\n")
            self.stdout_log.write("%.3f %s\n" % (now - self.t0, line))
            self.stdout_log.flush()
            with self.cond:
                self.lines.append((now, line))
                try:
                    obj = json.loads(line)
                    if isinstance(obj, dict):
                        self.events.append((now, obj))
                except ValueError:
                    pass
                self.cond.notify_all()
        with self.cond:
            self.cond.notify_all()

    def wait_line(self, predicate, timeout):
        deadline = time.monotonic() + timeout
        with self.cond:
            seen = 0
            while True:
                while seen < len(self.lines):
                    t, line = self.lines[seen]
                    seen += 1
                    if predicate(line):
                        return t, line
                left = deadline - time.monotonic()
                if left <= 0 or (self.proc.poll() is not None and seen == len(self.lines)
                                 and not self.thread.is_alive()):
                    return None
                self.cond.wait(min(left, 0.2))

    def find(self, predicate, since=0.0):
        with self.lock:
            return [(t, e) for t, e in self.events if t >= since and predicate(e)]

    def wait_event(self, predicate, timeout, since=0.0):
        deadline = time.monotonic() + timeout
        while True:
            found = self.find(predicate, since)
            if found:
                return found[0]
            if time.monotonic() > deadline or self.proc.poll() is not None:
                found = self.find(predicate, since)
                return found[0] if found else None
            with self.cond:
                self.cond.wait(0.2)

    def kill(self, sig=signal.SIGKILL):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                pass

    def wait(self, timeout):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            self.proc.wait(5)
            fail("%s did not exit within %d s" % (self.name, timeout))

    def stderr_tail(self, n=25):
        try:
            with open(self.stderr_path, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""


class Peer(Process):
    def __init__(self, lab, ns, name, room, duration, extra=(), env=None):
        self.stats_path = os.path.join(lab.dir, name + ".stats")
        argv = [lab.peer_bin, "--server", "http://%s:8080" % SERVER_IP, "--room", room,
                "--name", name, "--duration", str(duration), "--stats", self.stats_path,
                "--width", "160", "--height", "120"] + list(extra)
        super().__init__(lab, ns, argv, name, env=dict(lab.env, **(env or {})))

    def summary(self):
        found = self.find(lambda e: e.get("event") == "summary")
        return found[-1][1] if found else None

    def remote(self, name):
        s = self.summary()
        if s is None:
            fail("%s printed no summary; its stderr ends with:\n%s" % (self.name, self.stderr_tail()))
        for p in s["peers"]:
            if p["name"] == name:
                return p
        fail("%s's summary has no entry for %s: %s" % (self.name, name, json.dumps(s)))

    def stats(self):
        """[(time_s, {name: entry})] from the stats file, time in monotonic seconds."""
        out = []
        offset = time.monotonic() - time.time()
        try:
            with open(self.stats_path) as f:
                for line in f:
                    try:
                        obj = json.loads(line)
                    except ValueError:
                        continue
                    out.append((obj["time_ms"] / 1000.0 + offset,
                                {p["name"]: p for p in obj["peers"]}))
        except OSError:
            pass
        return out

    def frames_from(self, name):
        """The latest frames_decoded of one remote, from the stats file."""
        rows = self.stats()
        for t, peers in reversed(rows):
            if name in peers:
                return peers[name]["frames_decoded"]
        return 0

    def joined_id(self, since=0.0):
        found = self.find(lambda e: e.get("event") == "joined", since)
        return found[-1][1]["id"] if found else None


class Lab:
    def __init__(self, scenario):
        ok, why = have_net_admin()
        if not ok:
            print("SKIP %s: %s" % (scenario, why), flush=True)
            sys.exit(SKIP)
        self.scenario = scenario
        self.tag = "kz%d" % os.getpid()
        self.namespaces = []
        self.processes = []
        self.hosts = {}
        self.dir = tempfile.mkdtemp(prefix="kibitz-net-%s-" % scenario)
        self.server_bin = os.environ.get("KIBITZ_SERVER_BIN", "kibitz-server")
        self.peer_bin = os.environ.get("KIBITZ_PEER_BIN", "kibitz-peer")
        self.env = dict(os.environ)
        # Inside a namespace every address is the lab's own: gather on all.
        self.env.pop("KIBITZ_ICE_ADDRESSES", None)
        self.env.setdefault("G_MESSAGES_DEBUG", "")
        self.server = None
        self.keep = os.environ.get("KIBITZ_NET_KEEP") == "1"
        atexit.register(self.cleanup)
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, self._on_signal)
        self.public = self.add_ns("pub")
        sh("ip", "-n", self.public, "link", "add", "br0", "type", "bridge")
        sh("ip", "-n", self.public, "addr", "add", SERVER_IP + "/24", "dev", "br0")
        sh("ip", "-n", self.public, "addr", "add", COTURN_IP + "/24", "dev", "br0")
        sh("ip", "-n", self.public, "link", "set", "br0", "up")
        self.routers = 0

    def _on_signal(self, signum, frame):
        self.cleanup()
        sys.exit(1)

    def add_ns(self, role):
        name = "%s-%s" % (self.tag, role)
        sh("ip", "netns", "add", name)
        self.namespaces.append(name)
        sh("ip", "-n", name, "link", "set", "lo", "up")
        return name

    def add_host(self, name, kind="nat"):
        """A client host `name` behind its own router on the public segment.
        kind: nat (masquerade), blocked (only the TURN server's address is
        reachable), tcp-only (all UDP dropped). Returns the host's namespace."""
        self.routers += 1
        i = self.routers
        router = self.add_ns("r%d" % i)
        host = self.add_ns("h%d" % i)
        wan_ip = "%s.%d" % (PUBLIC_NET, 10 + i)
        sh("ip", "link", "add", "wan", "netns", router, "type", "veth",
           "peer", "name", "p%d" % i, "netns", self.public)
        sh("ip", "-n", self.public, "link", "set", "p%d" % i, "master", "br0")
        sh("ip", "-n", self.public, "link", "set", "p%d" % i, "up")
        sh("ip", "-n", router, "addr", "add", wan_ip + "/24", "dev", "wan")
        sh("ip", "-n", router, "link", "set", "wan", "up")
        sh("ip", "link", "add", "lan", "netns", router, "type", "veth",
           "peer", "name", "eth0", "netns", host)
        lan = "10.%d.%d" % (100 + i, 0)
        sh("ip", "-n", router, "addr", "add", lan + ".1/24", "dev", "lan")
        sh("ip", "-n", router, "link", "set", "lan", "up")
        sh("ip", "-n", host, "addr", "add", lan + ".2/24", "dev", "eth0")
        sh("ip", "-n", host, "link", "set", "eth0", "up")
        sh("ip", "-n", host, "route", "add", "default", "via", lan + ".1")
        sh("ip", "netns", "exec", router, "sysctl", "-qw", "net.ipv4.ip_forward=1")
        rules = ["table ip nat { chain postrouting { type nat hook postrouting priority srcnat; "
                 "policy accept; oifname \"wan\" masquerade; }; }",
                 # Like a home router: unsolicited packets to the router itself are
                 # dropped silently (no ICMP, and no conntrack entry that would
                 # make the next outgoing mapping change its port).
                 "table inet guard { chain input { type filter hook input priority filter; "
                 "policy accept; iifname \"wan\" ct state new drop; }; }"]
        if kind == "blocked":
            rules.append("table inet fw { chain forward { type filter hook forward priority filter; "
                         "policy drop; ct state established,related accept; "
                         "iifname \"lan\" ip daddr %s accept; }; }" % SERVER_IP)
        elif kind == "blocked-coturn":
            rules.append("table inet fw { chain forward { type filter hook forward priority filter; "
                         "policy drop; ct state established,related accept; "
                         "iifname \"lan\" ip daddr { %s, %s } accept; }; }" % (SERVER_IP, COTURN_IP))
        elif kind == "tcp-only":
            rules.append("table inet fw { chain forward { type filter hook forward priority filter; "
                         "policy accept; meta l4proto udp counter drop; }; }")
        elif kind != "nat":
            fail("unknown network kind " + kind)
        sh("ip", "netns", "exec", router, "nft", "-f", "-", input="\n".join(rules) + "\n")
        self.hosts[name] = {"host": host, "router": router, "index": i, "lan": lan,
                            "kind": kind}
        return host

    def move_host(self, name, new_prefix):
        """Moves a host to a new subnet (a laptop going from cable to Wi-Fi):
        its old address disappears, a new one appears, the route follows."""
        h = self.hosts[name]
        sh("ip", "-n", h["host"], "addr", "flush", "dev", "eth0")
        sh("ip", "-n", h["router"], "addr", "add", new_prefix + ".1/24", "dev", "lan")
        sh("ip", "-n", h["host"], "addr", "add", new_prefix + ".2/24", "dev", "eth0")
        sh("ip", "-n", h["host"], "route", "replace", "default", "via", new_prefix + ".1")
        sh("ip", "-n", h["router"], "addr", "del", h["lan"] + ".1/24", "dev", "lan")
        h["lan"] = new_prefix

    def nft(self, name, rules):
        sh("ip", "netns", "exec", self.hosts[name]["router"], "nft", "-f", "-", input=rules)

    def start_server(self, extra=(), state_dir=None):
        if state_dir is None:
            state_dir = os.path.join(self.dir, "server-state")
            os.makedirs(state_dir, exist_ok=True)
        self.server_state = state_dir
        argv = [self.server_bin, "--http", SERVER_IP + ":8080", "--secret", SECRET,
                "--room-policy", "open",
                "--state-dir", state_dir, "--allow-peer", PUBLIC_NET + ".0/24"] + list(extra)
        server = Process(self, self.public, argv, "server-%d" % len(self.processes), env=self.env)
        self.processes.append(server)
        if server.wait_line(lambda l: l.startswith("listening http"), 20) is None:
            fail("kibitz-server did not start:\n" + server.stderr_tail())
        self.server = server
        return server

    def metrics(self):
        """The server's /metrics as {name_with_labels: value}, fetched from
        inside the public namespace."""
        r = sh("ip", "netns", "exec", self.public, sys.executable, "-c",
               "import urllib.request,sys;"
               "sys.stdout.write(urllib.request.urlopen('http://%s:8080/metrics',timeout=5)"
               ".read().decode())" % SERVER_IP, check=False)
        out = {}
        for line in r.stdout.splitlines():
            if line.startswith("#") or " " not in line:
                continue
            key, value = line.rsplit(" ", 1)
            try:
                out[key] = float(value)
            except ValueError:
                pass
        return out

    def relayed_bytes(self):
        m = self.metrics()
        return m.get("kibitz_turn_bytes_to_peers_total", 0) + m.get("kibitz_turn_bytes_from_peers_total", 0)

    def peer(self, host, name, room, duration, extra=(), env=None):
        p = Peer(self, self.hosts[host]["host"], name, room, duration, extra, env)
        self.processes.append(p)
        return p

    def process(self, ns, argv, name):
        p = Process(self, ns, argv, name, env=self.env)
        self.processes.append(p)
        return p

    def cleanup(self):
        for p in self.processes:
            p.kill()
        for p in self.processes:
            try:
                p.proc.wait(5)
            except subprocess.TimeoutExpired:
                pass
            p.stderr.close()
        self.processes = []
        for ns in reversed(self.namespaces):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        self.namespaces = []
        if not self.keep and os.path.isdir(self.dir):
            shutil.rmtree(self.dir, ignore_errors=True)

    def dump(self):
        for p in self.processes:
            log("---- %s (stderr tail) ----" % p.name)
            for line in p.stderr_tail(40).splitlines():
                log(line)


def frames_rising(peers, names, window, duration, interval=1.0):
    """Samples every peer's frame counters of every other name for
    `duration` seconds; returns the longest time (s) any one counter stood
    still, per (receiver, sender)."""
    last = {}
    stalls = {}
    start = time.monotonic()
    while time.monotonic() - start < duration:
        now = time.monotonic()
        for p in peers:
            for n in names:
                if n == p.name:
                    continue
                f = p.frames_from(n)
                key = (p.name, n)
                if key not in last or f > last[key][0]:
                    if key in last:
                        stalls[key] = max(stalls.get(key, 0), now - last[key][1])
                    last[key] = (f, now)
        time.sleep(interval)
    now = time.monotonic()
    for key, (f, t) in last.items():
        stalls[key] = max(stalls.get(key, 0), now - t)
    return stalls


def run(scenario_fn, name):
    """Runs one scenario as a one-test TAP stream; cleans up in every case."""
    lab = Lab(name)
    try:
        scenario_fn(lab)
    except BaseException as e:
        lab.dump()
        for line in ("%s: %s" % (type(e).__name__, e)).splitlines():
            log(line)
        print("FAIL %s" % name, flush=True)
        lab.cleanup()
        return 1
    print("PASS %s" % name, flush=True)
    lab.cleanup()
    return 0
