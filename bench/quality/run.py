#!/usr/bin/env python3
"""Video over home connections: the fixed plan against congestion control.

Classes in the network lab (tests/net/netlab.py: every pupil behind a NAT
router of their own, all links direct). One pupil, the subject, has a capped
line (`tc tbf`, 16 kB burst, 100 ms queue, on the router's WAN side for the
upload, its LAN side for the download); everyone else's line is open. The
subject sends 640x480 at 30 fps and decodes everything. The others send
320x240 (640x480 when the subject's download is capped, so that what they
send it can fill the line) and count the frames they receive without
decoding them (KIBITZ_DECODE_VIDEO=0), as bench/mesh does, so that a 2-core
machine holds the class; their frame rates and freezes are counted at the
depayloader.

Each case runs with `--congestion-control off` (the fixed plan: one stream
for all, the budget split evenly) and `on`, alternating which goes first,
for several rounds. Over a window after a warm-up it reports, from the
peers' --stats files:

- up: the frame rate at which the others receive the subject, as a share of
  the median rate between two uncapped pupils; the longest freeze of the
  subject's video at any receiver (its longest pause between two frames); the
  picture size the subject sent; its upload.
- down: the frame rate at which the subject receives the others, as a share
  of the uncapped median; the longest freeze; the sizes it received.
- audio: the lowest share of the 50 packets/s any receiver got of anyone.

With --class-of-20 it runs issue 14's large class instead: a teacher on an
open line who sends 640x480, and 19 pupils, each on a 3 Mbit upload and a
10 Mbit download, who send 320x240 and show each other as 160x120
thumbnails (kibitz-peer --view: they tell each sender so) and the teacher
full size. Pupils' microphones are off (`--audio none`: they send silence,
as a muted pupil in a class where the teacher speaks; --pupil-audio test
gives everyone a tone). Nobody decodes (twenty decoders would measure the
2-core CPU, not the network). It reports the teacher's video at every pupil (frame
rate, size, longest freeze) and the slowest classmate's (every pupil must
see every classmate move).

Needs root (network namespaces); traffic stays inside them.

    bench/quality/run.py                 # classes of 5 and 12, 4 cases, 3 rounds
    bench/quality/run.py --quick         # smoke: class of 5, 1 Mbit up, 1 round
    bench/quality/run.py --class-of-20   # the large class, both modes, 3 rounds

SPDX-License-Identifier: GPL-3.0-or-later
"""

import argparse
import datetime
import json
import os
import platform
import signal
import statistics
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "bench"))
sys.path.insert(0, os.path.join(ROOT, "tests", "net"))
from kibitz_build import build  # noqa: E402
import netlab  # noqa: E402
import quality  # noqa: E402

# name: (upload kbit/s, download kbit/s) of the subject's line
CASES = {
    "up-1mbit": (1000, None),
    "up-2mbit": (2000, None),
    "up-3mbit": (3000, None),
    "down-2mbit": (None, 2000),
}
SUBJECT = "subject"


def one_run(bins, n, case, mode, args):
    up, down = CASES[case]
    lab = netlab.Lab("quality")
    lab.server_bin, lab.peer_bin = bins
    result = {"P": n, "case": case, "mode": mode}
    try:
        names = [SUBJECT] + quality.NAMES[:n - 1]
        for name in names:
            lab.add_host(name, "nat")
        quality.cap(lab, SUBJECT, up, down)
        lab.start_server()
        peers = []
        for name in names:
            size = ("640", "480") if name == SUBJECT or down else ("320", "240")
            env = {} if name == SUBJECT else {"KIBITZ_DECODE_VIDEO": "0"}
            peers.append(lab.peer(name, name, "quality", quality.LONG,
                                  ["--width", size[0], "--height", size[1],
                                   "--congestion-control", mode], env))
        # The uncapped pupils must see each other; the subject's video may
        # never come (the fixed plan on 1 Mbit): that is a result, 0 fps.
        quality.wait_decoding([p for p in peers if p.name != SUBJECT], args.connect_timeout)
        start, end = measured_window(peers, args)
        w = quality.window(peers, start, end)
        subject = next(p for p in peers if p.name == SUBJECT)
        sent = [(t, e) for t, e in subject.stats() if start <= t <= end]
        quality.stop(peers)
        result.update(measure(w, sent, subject.summary() or {}))
    except BaseException as e:
        record_error(result, e)
    finally:
        lab.cleanup()
    return result


def measured_window(peers, args):
    """The warm-up, then the window measured: its (start, end)."""
    quality.run_for(peers, args.warmup)
    start = time.monotonic()
    quality.run_for(peers, args.window)
    return start, time.monotonic()


def record_error(result, e):
    """A run that failed is a result too; Ctrl+C still ends the benchmark."""
    result["error"] = "%s: %s" % (type(e).__name__, e)
    if isinstance(e, KeyboardInterrupt):
        raise e


def sent_by(sent):
    """From a sender's stats rows over the window: its upload in kbit/s and
    the picture sizes its links were sent at the end."""
    (t0, first), (t1, last) = sent[0], sent[-1]
    upload = sum(last[n]["bytes_sent"] - first[n].get("bytes_sent", 0)
                 for n in last if n in first) * 8 / 1000 / (t1 - t0)
    sizes = sorted({"%dx%d" % (e["send"]["width"], e["send"]["height"])
                    for e in last.values() if "send" in e})
    return upload, sizes


TEACHER = "teacher"
PUPIL_LINE = (3000, 10000)


def class20_run(bins, n, mode, args):
    """The large class: the teacher joins first (in an open room the first
    who came goes first), then every pupil at once."""
    lab = netlab.Lab("class20")
    lab.server_bin, lab.peer_bin = bins
    result = {"P": n, "case": "class-of-%d" % n, "mode": mode}
    try:
        pupils = quality.NAMES[:n - 1]
        lab.add_host(TEACHER, "nat")
        for name in pupils:
            lab.add_host(name, "nat")
            quality.cap(lab, name, *PUPIL_LINE)
        lab.start_server()
        env = {"KIBITZ_DECODE_VIDEO": "0"}
        common = ["--congestion-control", mode, "--view", "160x120"]
        teacher = lab.peer(TEACHER, TEACHER, "class20", quality.LONG,
                           ["--width", "640", "--height", "480"] + common, env)
        if teacher.wait_event(lambda e: e.get("event") == "joined", 30) is None:
            raise RuntimeError("the teacher did not join:\n" + teacher.stderr_tail())
        pupil = ["--width", "320", "--height", "240", "--audio", args.pupil_audio] + common
        peers = [teacher] + [lab.peer(name, name, "class20", quality.LONG, pupil, env)
                             for name in pupils]
        wait_everyone(peers, args.connect_timeout)
        start, end = measured_window(peers, args)
        w = quality.window(peers, start, end)
        sent = [(t, e) for t, e in teacher.stats() if start <= t <= end]
        quality.stop(peers)
        result.update(measure_class(w, sent, pupils))
    except BaseException as e:
        record_error(result, e)
    finally:
        lab.cleanup()
    return result


def wait_everyone(peers, timeout):
    """Until every peer has frames from every other (each stats file read
    once a round: 20 peers polled pair by pair would read 380 files)."""
    deadline = time.monotonic() + timeout
    while True:
        missing = []
        for p in peers:
            if p.proc.poll() is not None:
                raise RuntimeError("%s exited early:\n%s" % (p.name, p.stderr_tail()))
            rows = p.stats()
            last = rows[-1][1] if rows else {}
            missing += ["%s<-%s" % (p.name, q.name) for q in peers
                        if q is not p and last.get(q.name, {}).get("frames_decoded", 0) <= 0]
        if not missing:
            return
        if time.monotonic() > deadline:
            raise RuntimeError("no video within %d s: %d pairs, %s"
                               % (timeout, len(missing), ", ".join(missing[:8])))
        time.sleep(2)


def measure_class(w, sent, pupils):
    """The teacher at every pupil; the slowest classmate at each pupil."""
    teacher = [w[(p, TEACHER)] for p in pupils]
    mates = [w[(p, q)] for p in pupils for q in pupils if p != q]
    upload, sizes = sent_by(sent)
    return {
        "teacher_fps_median": round(statistics.median(r["fps"] for r in teacher), 1),
        "teacher_fps_min": round(min(r["fps"] for r in teacher), 1),
        "teacher_freeze_s": round(max(r["freeze"] for r in teacher), 1),
        "teacher_sizes": sorted({"%dx%d" % r["size"] for r in teacher}),
        "teacher_sent": sizes,
        "teacher_upload_kbps": round(upload),
        "mates_fps_median": round(statistics.median(r["fps"] for r in mates), 1),
        "mates_fps_min": round(min(r["fps"] for r in mates), 1),
        "mates_freeze_s": round(max(r["freeze"] for r in mates), 1),
        "mates_sizes": sorted({"%dx%d" % r["size"] for r in mates}),
        "audio_min_share": round(min(r["audio"] for r in w.values()) / 50.0, 3),
    }


def class_table(results):
    lines = ["| P | mode | the teacher at a pupil: fps median / worst | its longest freeze, s | "
             "size received | teacher sent | teacher's upload kbps | classmates: fps median / "
             "worst pair | their longest freeze, s | their size | audio (worst share) | runs |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for mode in ("off", "on"):
        rs = [r for r in results if r["mode"] == mode and "error" not in r]
        bad = sum(1 for r in results if r["mode"] == mode and "error" in r)
        if not rs:
            lines.append("| – | %s | – | – | – | – | – | – | – | – | – | 0 (%d failed) |"
                         % (mode, bad))
            continue

        def med(key):
            return statistics.median(r[key] for r in rs)

        def union(key):
            return ", ".join(sorted({s for r in rs for s in r[key]}))
        lines.append("| %d | %s | %.1f / %.1f | %.1f | %s | %s | %d | %.1f / %.1f | %.1f | %s | "
                     "%.3f | %d%s |" % (
                         rs[0]["P"], mode, med("teacher_fps_median"), med("teacher_fps_min"),
                         med("teacher_freeze_s"), union("teacher_sizes"), union("teacher_sent"),
                         med("teacher_upload_kbps"), med("mates_fps_median"),
                         med("mates_fps_min"), med("mates_freeze_s"), union("mates_sizes"),
                         med("audio_min_share"), len(rs), " (%d failed)" % bad if bad else ""))
    return "\n".join(lines)


def measure(w, sent, summary):
    plain = [r["fps"] for (rx, tx), r in w.items() if SUBJECT not in (rx, tx)]
    base = statistics.median(plain)
    up = [r for (rx, tx), r in w.items() if tx == SUBJECT]
    down = [r for (rx, tx), r in w.items() if rx == SUBJECT]
    upload, sizes = sent_by(sent)
    if not sizes and "video_plan" in summary:
        sizes = ["%dx%d" % (summary["video_plan"]["width"], summary["video_plan"]["height"])]
    return {
        "uncapped_fps": round(base, 1),
        "up_fps_ratio": round(statistics.median(r["fps"] for r in up) / base, 2),
        "up_min_fps_ratio": round(min(r["fps"] for r in up) / base, 2),
        "up_freeze_s": round(max(r["freeze"] for r in up), 1),
        "sent_sizes": sizes,
        "upload_kbps": round(upload),
        "down_fps_ratio": round(statistics.median(r["fps"] for r in down) / base, 2),
        "down_min_fps_ratio": round(min(r["fps"] for r in down) / base, 2),
        "down_freeze_s": round(max(r["freeze"] for r in down), 1),
        "received_sizes": sorted({"%dx%d" % r["size"] for r in down}),
        "audio_min_share": round(min(r["audio"] for r in w.values()) / 50.0, 3),
    }


def table(results, classes, cases):
    lines = ["| P | line | mode | fps of the subject at others (median / worst, share of uncapped) | "
             "longest freeze of the subject, s | sent | upload kbps | fps the subject "
             "receives (median / worst) | its longest freeze, s | audio (worst share) | runs |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for n in classes:
        for case in cases:
            for mode in ("off", "on"):
                rs = [r for r in results if r["P"] == n and r["case"] == case and r["mode"] == mode
                      and "error" not in r]
                bad = sum(1 for r in results if r["P"] == n and r["case"] == case
                          and r["mode"] == mode and "error" in r)
                if not rs:
                    lines.append("| %d | %s | %s | – | – | – | – | – | – | – | 0 (%d failed) |"
                                 % (n, case, mode, bad))
                    continue

                def med(key):
                    return statistics.median(r[key] for r in rs)
                sizes = sorted({s for r in rs for s in r["sent_sizes"]})
                lines.append("| %d | %s | %s | %.2f / %.2f | %.1f | %s | %d | %.2f / %.2f | %.1f | "
                             "%.3f | %d%s |" % (
                                 n, case, mode, med("up_fps_ratio"), med("up_min_fps_ratio"),
                                 med("up_freeze_s"), ", ".join(sizes), med("upload_kbps"),
                                 med("down_fps_ratio"), med("down_min_fps_ratio"),
                                 med("down_freeze_s"), med("audio_min_share"), len(rs),
                                 " (%d failed)" % bad if bad else ""))
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--class-of-20", dest="class20", action="store_true",
                    help="the large class (a teacher and 19 pupils on 3 / 10 Mbit lines) "
                         "instead of the capped subject")
    ap.add_argument("--class-size", type=int, default=20,
                    help="with --class-of-20: how many, teacher included")
    ap.add_argument("--pupil-audio", default="none",
                    help="with --class-of-20: the pupils' microphones, none (muted, as in a "
                         "class: the teacher speaks) or test (everyone's sound)")
    ap.add_argument("--modes", default="off,on",
                    help="the fixed plan (off), congestion control (on), or both")
    ap.add_argument("--quick", action="store_true",
                    help="smoke: class of 5, 1 Mbit up, both modes, one round, short window")
    ap.add_argument("--classes", default="5,12")
    ap.add_argument("--cases", default=",".join(CASES))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--window", type=float, default=20.0)
    ap.add_argument("--warmup", type=float, default=15.0)
    ap.add_argument("--connect-timeout", type=float, default=90.0)
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "_build", "bench-mesh"))
    ap.add_argument("--peer", help="an existing kibitz-peer (with --server)")
    ap.add_argument("--server", help="an existing kibitz-server (with --peer)")
    ap.add_argument("--results", default=os.path.join(ROOT, "bench", "results"))
    args = ap.parse_args()
    if args.quick:
        args.classes, args.cases, args.rounds, args.window, args.warmup = \
            "5", "up-1mbit", 1, 8.0, 8.0
    ok, why = netlab.have_net_admin()
    if not ok:
        print("SKIP: %s" % why)
        return 77

    classes = [int(c) for c in args.classes.split(",")]
    cases = args.cases.split(",")
    bins = (os.path.abspath(args.server), os.path.abspath(args.peer)) \
        if args.server and args.peer else build(args.build_dir)
    os.environ.setdefault("KIBITZ_VIDEO_SOURCE", "videotestsrc")
    os.environ.setdefault("KIBITZ_AUDIO_SOURCE", "audiotestsrc")
    os.environ.setdefault("KIBITZ_AUDIO_SINK", "fakesink")
    load_before = os.getloadavg()
    started = datetime.datetime.now(datetime.timezone.utc)
    results = []
    if args.class20:
        args.connect_timeout = max(args.connect_timeout, 180.0)
    for rnd in range(args.rounds if args.class20 else 0):
        for mode in (("off", "on") if rnd % 2 == 0 else ("on", "off")):
            if mode not in args.modes.split(","):
                continue
            r = class20_run(bins, args.class_size, mode, args)
            r["round"] = rnd + 1
            results.append(r)
            print(json.dumps(r), flush=True)
    for rnd in range(0 if args.class20 else args.rounds):
        for n in classes:
            for i, case in enumerate(cases):
                modes = ("off", "on") if (rnd + i) % 2 == 0 else ("on", "off")
                for mode in modes:
                    if mode not in args.modes.split(","):
                        continue
                    r = one_run(bins, n, case, mode, args)
                    r["round"] = rnd + 1
                    results.append(r)
                    print(json.dumps(r), flush=True)

    text = class_table(results) if args.class20 else table(results, classes, cases)
    header = ("Quality benchmark, %s UTC; %s, %d cores, load average before %.1f after %.1f; "
              "%d round(s), %.0f s window after %.0f s; command: bench/quality/run.py %s"
              % (started.strftime("%Y-%m-%d %H:%M"), platform.node(), os.cpu_count(),
                 load_before[0], os.getloadavg()[0], args.rounds, args.window, args.warmup,
                 " ".join(sys.argv[1:])))
    print()
    print(header)
    print(text)
    if not args.quick:
        os.makedirs(args.results, exist_ok=True)
        stamp = started.strftime("%Y%m%dT%H%M%SZ")
        with open(os.path.join(args.results, "quality-%s.json" % stamp), "w") as f:
            json.dump({"header": header, "runs": results}, f, indent=1)
        with open(os.path.join(args.results, "quality-%s.md" % stamp), "w") as f:
            f.write(header + "\n\n" + text + "\n")
    failed = [r for r in results if "error" in r]
    for r in failed:
        print("FAILED: P=%d %s %s: %s" % (r["P"], r["case"], r["mode"], r["error"]),
              file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(1))
    sys.exit(main())
