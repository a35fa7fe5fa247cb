#!/usr/bin/env python3
"""What a shared screen costs its sender, and what the class receives.

A class of three on loopback: the subject (640x480 camera) and two viewers
that count what they receive without decoding it (KIBITZ_DECODE_VIDEO=0),
so the 2-core machine is not the limit. Three cases, alternating, several
rounds, medians:

- camera: the subject's camera alone (the reference);
- slides: camera and a 1920x1080 screen at 15 fps that is still but for a
  clock (a slide, a worksheet, a chessboard: what classes share);
- motion: camera and a 1920x1080 screen in constant motion (a video played
  on the shared screen: the worst case).

Per run: the subject's CPU seconds per minute (utime + stime from
/proc/PID/stat over a steady window), what it sent per link (kbps), the
screen's size and frame rate as a viewer received it, and the camera's
frame rate at that viewer (the screen must not starve it).

    bench/screen/run.py                  # 3 rounds, 20 s windows
    bench/screen/run.py --quick          # one round, short windows

SPDX-License-Identifier: GPL-3.0-or-later
"""

import argparse
import datetime
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "bench"))
from kibitz_build import build  # noqa: E402

# The process, server and stats helpers of the mesh benchmark.
_spec = importlib.util.spec_from_file_location("bench_mesh", os.path.join(ROOT, "bench", "mesh", "run.py"))
mesh = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mesh)

SCREENS = {
    "camera": None,
    "slides": "videotestsrc is-live=true pattern=smpte ! "
              "video/x-raw,width=1920,height=1080,framerate=15/1 ! clockoverlay",
    "motion": "videotestsrc is-live=true pattern=ball motion=sweep animation-mode=running-time ! "
              "video/x-raw,width=1920,height=1080,framerate=15/1 ! videoconvert",
}


def entry(stats, name):
    for p in (stats or {}).get("peers", []):
        if p["name"] == name:
            return p
    return {}


def one_run(bins, server, case, args, run_id):
    _, peer_bin = bins
    tmp = tempfile.mkdtemp(prefix=f"kibitz-screen-{case}-")
    room = f"screen-{run_id}"
    viewers = [mesh.spawn(peer_bin, server, room, f"viewer{i + 1}", tmp,
                          ["--width", "160", "--height", "120", "--upload-kbps", "400"],
                          env={"KIBITZ_DECODE_VIDEO": "0"}) for i in range(2)]
    time.sleep(1.5)
    extra = ["--width", "640", "--height", "480", "--upload-kbps", str(args.upload_kbps),
             "--congestion-control", args.congestion_control]
    if SCREENS[case]:
        extra += ["--screen", SCREENS[case]]
    subject = mesh.spawn(peer_bin, server, room, "subject", tmp, extra)
    pid = subject["proc"].pid
    result = {"case": case}
    try:
        deadline = time.time() + args.connect_timeout
        while time.time() < deadline:
            seen = entry(mesh.last_stats(viewers[0]["stats"]), "subject")
            if seen.get("frames_decoded", 0) > 0 and \
               (not SCREENS[case] or seen.get("screen_frames_decoded", 0) > 0):
                break
            time.sleep(0.25)
        else:
            result["error"] = f"the subject's media did not arrive within {args.connect_timeout} s"
        if "error" not in result:
            time.sleep(args.warmup)
            before = entry(mesh.last_stats(viewers[0]["stats"]), "subject")
            t0, c0 = time.time(), mesh.cpu_seconds(pid)
            time.sleep(args.window)
            t1, c1 = time.time(), mesh.cpu_seconds(pid)
            after = entry(mesh.last_stats(viewers[0]["stats"]), "subject")
            sent = mesh.last_stats(subject["stats"])
            result["cpu_s_per_min"] = (c1 - c0) / (t1 - t0) * 60
            result["camera_fps"] = (after["frames_decoded"] - before["frames_decoded"]) / (t1 - t0)
            result["screen_fps"] = (after.get("screen_frames_decoded", 0) -
                                    before.get("screen_frames_decoded", 0)) / (t1 - t0)
            # Stats lines come once a second: the rate is the link's latest.
            result["sent_kbps_per_link"] = statistics.mean(
                p.get("bitrate_out_kbps", 0) for p in sent.get("peers", []))
    finally:
        mesh.leave([subject] + viewers)
    summary = mesh.summary_of(subject)
    if summary:
        result["camera_plan"] = summary.get("video_plan")
    elif "error" not in result:
        result["error"] = "the subject printed no summary"
    for p in [subject] + viewers:
        p["out"].close()
    if "error" not in result:
        subprocess.run(["rm", "-rf", tmp])
    else:
        result["logs"] = tmp
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--window", type=float, default=20.0)
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--connect-timeout", type=float, default=45.0)
    parser.add_argument("--upload-kbps", type=int, default=2500)
    # The figures in docs/benchmarks.md were measured on the fixed plan.
    parser.add_argument("--congestion-control", choices=("on", "off"), default="off")
    parser.add_argument("--build-dir", default=os.path.join(ROOT, "_build", "bench-mesh"))
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.window, args.warmup = 1, 6.0, 2.0

    bins = build(args.build_dir)
    server = mesh.Server(bins[0], tempfile.mkdtemp(prefix="kibitz-screen-server-"))
    runs = []
    try:
        for r in range(args.rounds):
            for case in SCREENS:
                result = one_run(bins, server, case, args, f"{r}-{case}-{os.getpid()}")
                print(json.dumps(result), flush=True)
                runs.append(result)
    finally:
        server.stop()

    failed = [r for r in runs if "error" in r]
    table = {}
    for case in SCREENS:
        ok = [r for r in runs if r["case"] == case and "error" not in r]
        if ok:
            table[case] = {key: statistics.median(r[key] for r in ok)
                           for key in ("cpu_s_per_min", "sent_kbps_per_link", "camera_fps",
                                       "screen_fps")}
            table[case]["runs"] = len(ok)
    print("\ncase     CPU s/min  sent kbps/link  camera fps  screen fps  (medians)")
    for case, row in table.items():
        print(f"{case:8} {row['cpu_s_per_min']:9.1f}  {row['sent_kbps_per_link']:14.0f}"
              f"  {row['camera_fps']:10.1f}  {row['screen_fps']:10.1f}")
    out = {"date": datetime.datetime.utcnow().isoformat() + "Z", "machine": platform.node(),
           "cores": os.cpu_count(), "upload_kbps": args.upload_kbps, "rounds": args.rounds,
           "window_s": args.window, "medians": table, "runs": runs}
    os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
    path = os.path.join(ROOT, "bench", "results",
                        "screen-" + datetime.datetime.utcnow().strftime("%Y%m%dT%H%M%SZ") + ".json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
    print("written", os.path.relpath(path, ROOT))
    return 1 if failed or len(table) < len(SCREENS) else 0


if __name__ == "__main__":
    sys.exit(main())
