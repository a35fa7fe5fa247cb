#!/usr/bin/env python3
"""Glass-to-glass latency on loopback.

Two kibitz-peers with --latency-probe: each draws its send time (the
machine's monotonic clock, in ms) into every frame as black and white blocks
just before encoding; the other reads it back when the decoded frame is
rendered by a sink that syncs to the clock, as a display does. Everything
between the camera and the screen counts: encode, packetize, SRTP, the
network (loopback here), the jitter buffer, depacketize, decode, convert,
and the sink's wait. Capture and display themselves are not in it.

Jitter buffer settings (webrtcbin `latency`) alternate within each round:
GStreamer's default (200 ms), Kibitz's default (100 ms) and a tight one
(30 ms), each with the engine's default rendering (a frame is shown as soon
as it is decoded: the jitter buffer only waits for lost packets) and with
--sync-latency (sinks wait out the pipeline latency, as a media player
does). Reports the median and p95 over every frame of every round.

    bench/latency/run.py [--rounds 3] [--duration 15] [--latencies 200,100,30]
    bench/latency/run.py --quick      # CI smoke: 1 round, 100 ms only, 320x240, 6 s

Exits 1 when a run measured no frame at all (video did not flow, or the
probe could not read its stamps back); the figures are never judged.

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


def start_server(binary, tmp):
    log = open(os.path.join(tmp, "server.log"), "w+")
    proc = subprocess.Popen([binary, "--http", "127.0.0.1:0", "--turn", "none", "--secret", "bench",
                             "--room-policy", "open"],
                            stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 10
    while time.time() < deadline:
        log.seek(0)
        m = re.search(r"listening http (\S+)", log.read())
        if m:
            return proc, "http://" + m.group(1)
        time.sleep(0.1)
    raise SystemExit("kibitz-server did not start")


def one_run(peer_bin, url, latency, sync, args, room):
    procs = []
    for name in ("left", "right"):
        procs.append(subprocess.Popen(
            [peer_bin, "--server", url, "--room", room, "--name", name, "--ice-address", "127.0.0.1",
             "--duration", str(args.duration), "--latency", str(latency), "--latency-probe",
             "--width", str(args.width), "--height", str(args.height)]
            + (["--sync-latency"] if sync else []),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True))
    medians, p95s, samples = [], [], 0
    for p in procs:
        out, _ = p.communicate(timeout=args.duration + 60)
        for line in out.splitlines():
            event = json.loads(line)
            if event.get("event") != "summary":
                continue
            for peer in event["peers"]:
                lat = peer.get("latency_ms")
                if lat:
                    medians.append(lat["median"])
                    p95s.append(lat["p95"])
                    samples += lat["samples"]
    return {"latency_setting_ms": latency, "render": "sync" if sync else "asap",
            "medians": medians, "p95s": p95s, "samples": samples}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--duration", type=int, default=15)
    ap.add_argument("--latencies", default="200,100,30")
    ap.add_argument("--width", type=int, default=640)
    ap.add_argument("--height", type=int, default=480)
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "_build", "bench-mesh"))
    ap.add_argument("--peer")
    ap.add_argument("--server")
    ap.add_argument("--quick", action="store_true",
                    help="CI smoke: 1 round, 100 ms only, 320x240, 6 s per setting")
    args = ap.parse_args()
    if args.quick:
        args.rounds, args.duration, args.latencies, args.width, args.height = 1, 6, "100", 320, 240

    server_bin, peer_bin = ((args.server, args.peer) if args.server and args.peer
                            else build(args.build_dir))
    latencies = [int(x) for x in args.latencies.split(",")]
    started = datetime.datetime.now(datetime.timezone.utc)
    load_before = os.getloadavg()[0]
    tmp = tempfile.mkdtemp(prefix="kibitz-latency-")
    server, url = start_server(server_bin, tmp)
    runs = []
    try:
        for rnd in range(args.rounds):
            order = latencies if rnd % 2 == 0 else list(reversed(latencies))
            for latency in order:
                for sync in ((False, True) if rnd % 2 == 0 else (True, False)):
                    r = one_run(peer_bin, url, latency, sync, args,
                                f"latency-{os.getpid()}-{rnd}-{latency}-{int(sync)}")
                    r["round"] = rnd + 1
                    runs.append(r)
                    print(json.dumps(r), flush=True)
    finally:
        server.terminate()
        server.wait(10)
        subprocess.run(["rm", "-rf", tmp])

    print(f"\nGlass-to-glass latency, {started:%Y-%m-%d %H:%M} UTC; {platform.node()}, "
          f"{os.cpu_count()} cores, load average before {load_before:.1f} after "
          f"{os.getloadavg()[0]:.1f}; {args.rounds} rounds of {args.duration} s, "
          f"{args.width}x{args.height}, both directions; command: bench/latency/run.py "
          f"{' '.join(sys.argv[1:])}")
    print("| jitter buffer (webrtcbin latency) | rendering | median of medians, ms | median p95, ms | frames measured |")
    print("|---|---|---|---|---|")
    for latency in latencies:
        for render in ("asap", "sync"):
            rs = [r for r in runs if r["latency_setting_ms"] == latency and r["render"] == render]
            med = [m for r in rs for m in r["medians"]]
            p95 = [m for r in rs for m in r["p95s"]]
            n = sum(r["samples"] for r in rs)
            fmt = lambda v: f"{statistics.median(v):.1f}" if v else "–"
            label = "as decoded (default)" if render == "asap" else "--sync-latency"
            print(f"| {latency} ms | {label} | {fmt(med)} | {fmt(p95)} | {n} |")
    empty = [r for r in runs if r["samples"] == 0]
    for r in empty:
        print(f"bench/latency: round {r['round']}, jitter buffer {r['latency_setting_ms']} ms, "
              f"rendering {r['render']}: no frame's stamp was read back (did video flow?)",
              file=sys.stderr)
    return 1 if empty else 0


if __name__ == "__main__":
    sys.exit(main())
