#!/usr/bin/env python3
"""The mesh client's cost: one participant under test in classes of P.

One kibitz-peer (the subject) sends 640x480 at 30 fps and decodes everyone;
the other P-1 members send small video (160x120) and count what they receive
without decoding it (KIBITZ_DECODE_VIDEO=0), so the 2-core machine is not
the limit. For each class size, the subject runs with the shared encoder
(encode once, fan out) and with one encoder per connection (as browsers do),
alternating, several rounds; the figures are medians.

Per run it reports the subject's CPU seconds per minute (utime + stime from
/proc/PID/stat over a steady window once every link delivers video), its RSS,
the frame rate the others received from it, and the time from its join to
the first decoded frame from every other member (the slowest of them).
Memory per remote peer is the slope of RSS over P - 1.

Loopback only (ICE on 127.0.0.1), every process bounded in time.

    bench/mesh/run.py                  # P = 2,4,6,8; 3 rounds; builds _build/bench-mesh
    bench/mesh/run.py --quick          # CI smoke: P = 3, one round, short window

SPDX-License-Identifier: GPL-3.0-or-later
"""

import argparse
import datetime
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "bench"))
from kibitz_build import build  # noqa: E402
CLK_TCK = os.sysconf("SC_CLK_TCK")
MODES = ("shared", "per-peer")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def last_stats(path):
    try:
        with open(path) as f:
            lines = [l for l in f if l.strip()]
        return json.loads(lines[-1]) if lines else None
    except (OSError, ValueError):
        return None


def frames_from(stats, name):
    for p in (stats or {}).get("peers", []):
        if p["name"] == name:
            return p["frames_decoded"]
    return 0


class Server:
    def __init__(self, binary, tmp):
        self.log = open(os.path.join(tmp, "server.log"), "w+")
        self.proc = subprocess.Popen([binary, "--http", "127.0.0.1:0", "--turn", "none",
                                      "--secret", "bench", "--max-room-size", "32",
                                      "--room-policy", "open"],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 10
        self.url = None
        while time.time() < deadline and self.url is None:
            self.log.seek(0)
            m = re.search(r"listening http (\S+)", self.log.read())
            if m:
                self.url = "http://" + m.group(1)
            else:
                time.sleep(0.1)
        if self.url is None:
            raise SystemExit("kibitz-server did not start")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)
        self.log.close()


def spawn(peer_bin, server, room, name, tmp, extra, env=None, duration=300):
    stats = os.path.join(tmp, name + ".stats")
    out = open(os.path.join(tmp, name + ".out"), "w+")
    err = open(os.path.join(tmp, name + ".err"), "w")
    cmd = [peer_bin, "--server", server.url, "--room", room, "--name", name,
           "--ice-address", "127.0.0.1", "--duration", str(duration), "--stats", stats] + extra
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=out, stderr=err,
                            env=dict(os.environ, **(env or {})))
    return {"name": name, "proc": proc, "stats": stats, "out": out, "err": err}


def summary_of(peer):
    peer["out"].seek(0)
    for line in peer["out"].read().splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if event.get("event") == "summary":
            return event
    return None


def leave(peers):
    for p in peers:
        try:
            p["proc"].stdin.write(b"leave\n")
            p["proc"].stdin.flush()
        except (BrokenPipeError, OSError):
            pass
    for p in peers:
        try:
            p["proc"].wait(20)
        except subprocess.TimeoutExpired:
            p["proc"].kill()
            p["proc"].wait()
        p["err"].close()


def one_run(bins, server, size, mode, args, run_id):
    server_bin, peer_bin = bins
    tmp = tempfile.mkdtemp(prefix=f"kibitz-mesh-{size}-{mode}-")
    room = f"mesh-{run_id}"
    others = []
    for i in range(size - 1):
        others.append(spawn(peer_bin, server, room, f"member{i + 1}", tmp,
                            ["--width", "160", "--height", "120", "--upload-kbps", "400"],
                            env={"KIBITZ_DECODE_VIDEO": "0"}))
    # Let the others form their mesh first: the subject is the newcomer.
    time.sleep(1.0 + 0.3 * size)
    subject = spawn(peer_bin, server, room, "subject", tmp,
                    ["--encoder", mode, "--width", "640", "--height", "480",
                     "--upload-kbps", "20000", "--congestion-control", args.congestion_control])
    pid = subject["proc"].pid
    result = {"P": size, "mode": mode}
    try:
        names = [o["name"] for o in others]
        deadline = time.time() + args.connect_timeout
        while time.time() < deadline:
            s = last_stats(subject["stats"])
            if s and all(frames_from(s, n) > 0 for n in names):
                break
            if subject["proc"].poll() is not None:
                break
            time.sleep(0.25)
        else:
            result["error"] = f"not every member's video arrived within {args.connect_timeout} s"
        if "error" not in result and subject["proc"].poll() is None:
            time.sleep(args.warmup)
            watcher = others[0]["stats"]
            f0 = frames_from(last_stats(watcher), "subject")
            t0, c0 = time.time(), cpu_seconds(pid)
            time.sleep(args.window)
            t1, c1 = time.time(), cpu_seconds(pid)
            f1 = frames_from(last_stats(watcher), "subject")
            result["cpu_s_per_min"] = (c1 - c0) / (t1 - t0) * 60
            result["rss_mb"] = rss_mb(pid)
            # Stats lines come once a second: the count is at most 1 s stale at each end.
            result["sent_fps"] = (f1 - f0) / (t1 - t0)
    finally:
        leave([subject] + others)
    summary = summary_of(subject)
    if summary:
        firsts = [p.get("first_frame_ms") for p in summary["peers"]]
        if firsts and all(f is not None for f in firsts):
            result["first_frame_all_ms"] = max(firsts)
        result["plan"] = summary.get("video_plan")
        received = sum(1 for p in summary["peers"] if p["frames_decoded"] > 0)
        result["peers_with_video"] = received
        # With the rate control on: what each link was sent when the class ended.
        sent = sorted({f'{p["send"].get("tier")} {p["send"].get("width")}x{p["send"].get("height")}'
                       for p in summary["peers"] if isinstance(p.get("send"), dict)})
        if sent:
            result["links_sent"] = sent
    elif "error" not in result:
        result["error"] = "the subject printed no summary"
    for p in [subject] + others:
        p["out"].close()
    if "error" not in result:
        subprocess.run(["rm", "-rf", tmp])
    else:
        result["logs"] = tmp
    return result


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def table(results, sizes):
    rows = ["| P | shared CPU s/min | per-peer CPU s/min | shared/per-peer | shared fps | per-peer fps | "
            "shared RSS MB | per-peer RSS MB | first frame from all, ms (shared / per-peer) |",
            "|---|---|---|---|---|---|---|---|---|"]
    summary = {}
    for size in sizes:
        cell = {}
        for mode in MODES:
            runs = [r for r in results if r["P"] == size and r["mode"] == mode and "error" not in r]
            cell[mode] = {
                "runs": len(runs),
                "cpu_s_per_min": median([r.get("cpu_s_per_min") for r in runs]),
                "sent_fps": median([r.get("sent_fps") for r in runs]),
                "rss_mb": median([r.get("rss_mb") for r in runs]),
                "first_frame_all_ms": median([r.get("first_frame_all_ms") for r in runs]),
            }
        s, p = cell["shared"], cell["per-peer"]
        ratio = (s["cpu_s_per_min"] / p["cpu_s_per_min"]
                 if s["cpu_s_per_min"] and p["cpu_s_per_min"] else None)
        cell["ratio"] = ratio
        summary[size] = cell

        def f(v, fmt="{:.1f}"):
            return fmt.format(v) if v is not None else "–"
        rows.append(f"| {size} | {f(s['cpu_s_per_min'])} | {f(p['cpu_s_per_min'])} | "
                    f"{f(ratio, '{:.2f}')} | {f(s['sent_fps'])} | {f(p['sent_fps'])} | "
                    f"{f(s['rss_mb'], '{:.0f}')} | {f(p['rss_mb'], '{:.0f}')} | "
                    f"{f(s['first_frame_all_ms'], '{:.0f}')} / {f(p['first_frame_all_ms'], '{:.0f}')} |")
    # Memory per remote peer: least-squares slope of RSS over P - 1.
    for mode in MODES:
        pts = [(r["P"] - 1, r["rss_mb"]) for r in results
               if r["mode"] == mode and "rss_mb" in r]
        if len({x for x, _ in pts}) >= 2:
            mx = statistics.mean(x for x, _ in pts)
            my = statistics.mean(y for _, y in pts)
            slope = (sum((x - mx) * (y - my) for x, y in pts) /
                     sum((x - mx) ** 2 for x, _ in pts))
            rows.append(f"\nMemory per remote peer ({mode}): {slope:.1f} MB (slope of RSS over P-1)")
            summary[f"rss_slope_mb_{mode}"] = slope
    return "\n".join(rows), summary


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="CI smoke: P=3, one round, 5 s window")
    ap.add_argument("--sizes", default="2,4,6,8")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--window", type=float, default=20.0, help="seconds of CPU measurement")
    ap.add_argument("--warmup", type=float, default=3.0)
    ap.add_argument("--connect-timeout", type=float, default=60.0)
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "_build", "bench-mesh"))
    ap.add_argument("--peer", help="an existing kibitz-peer (with --server)")
    ap.add_argument("--server", help="an existing kibitz-server (with --peer)")
    ap.add_argument("--results", default=os.path.join(ROOT, "bench", "results"))
    ap.add_argument("--congestion-control", choices=("on", "off"), default="off",
                    help="the subject's rate control: on runs the tiers (issue 14), each link "
                         "on the tier its estimate allows")
    args = ap.parse_args()
    if args.quick:
        args.sizes, args.rounds, args.window, args.warmup = "3", 1, 5.0, 1.0

    sizes = [int(s) for s in args.sizes.split(",")]
    bins = (args.server, args.peer) if args.server and args.peer else build(args.build_dir)
    load_before = os.getloadavg()
    started = datetime.datetime.now(datetime.timezone.utc)
    tmp = tempfile.mkdtemp(prefix="kibitz-mesh-server-")
    server = Server(bins[0], tmp)
    results = []
    run_id = 0
    try:
        for rnd in range(args.rounds):
            for size in sizes:
                modes = MODES if (rnd + size) % 2 == 0 else tuple(reversed(MODES))
                for mode in modes:
                    run_id += 1
                    r = one_run(bins, server, size, mode, args, f"{os.getpid()}-{run_id}")
                    r["round"] = rnd + 1
                    results.append(r)
                    print(json.dumps(r), flush=True)
    finally:
        server.stop()
        subprocess.run(["rm", "-rf", tmp])

    text, summary = table(results, sizes)
    header = (f"Mesh client benchmark, {started:%Y-%m-%d %H:%M} UTC; {platform.node()}, "
              f"{os.cpu_count()} cores, load average before {load_before[0]:.1f} after "
              f"{os.getloadavg()[0]:.1f}; {args.rounds} round(s), {args.window:.0f} s window; "
              f"command: bench/mesh/run.py {' '.join(sys.argv[1:])}")
    print()
    print(header)
    print(text)

    failed = [r for r in results if "error" in r]
    if not args.quick:
        os.makedirs(args.results, exist_ok=True)
        stamp = started.strftime("%Y%m%dT%H%M%SZ")
        with open(os.path.join(args.results, f"mesh-{stamp}.json"), "w") as f:
            json.dump({"header": header, "runs": results,
                       "summary": {str(k): v for k, v in summary.items()}}, f, indent=1)
        with open(os.path.join(args.results, f"mesh-{stamp}.md"), "w") as f:
            f.write(header + "\n\n" + text + "\n")
    for r in failed:
        print(f"FAILED: P={r['P']} {r['mode']}: {r['error']} (logs in {r.get('logs')})",
              file=sys.stderr)
    if args.quick:
        # The smoke fails only when media did not flow in a mode.
        bad = [r for r in results
               if "error" in r or r.get("peers_with_video", 0) < r["P"] - 1 or not r.get("sent_fps")]
        return 1 if bad else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
