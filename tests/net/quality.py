#!/usr/bin/env python3
# quality.py SCENARIO: video over home connections (docs/resilience.md):
# classes in the network lab where one pupil's upload or download is capped
# with `tc tbf` (a home router's queue in front of a slow line), or where the
# cap falls in the middle of the class. Asserts on what every receiver
# decoded: frame rates and the longest freeze. bench/quality/run.py runs the
# same classes with more pupils and both rate modes side by side.
# Exit 0 on success, 1 on failure, 77 (skipped) without CAP_NET_ADMIN.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from netlab import fail, log, run, sh  # noqa: E402

NAMES = ["ada", "bartek", "celina", "dawid", "ewa", "filip", "gosia", "henryk",
         "iga", "jan", "kasia", "leon", "marta", "nina", "olek", "piotr", "renata",
         "stefan", "tola", "urszula"]
# Peers run until the scenario ends them (SIGTERM); this only bounds them.
LONG = 300


def cap(lab, name, up_kbit=None, down_kbit=None):
    """A home line: its upload (the router's WAN side) and download (its LAN
    side) limited by a token bucket with a 100 ms queue, as a DSL modem's."""
    router = lab.hosts[name]["router"]
    for dev, kbit in (("wan", up_kbit), ("lan", down_kbit)):
        if kbit is None:
            continue
        sh("ip", "netns", "exec", router, "tc", "qdisc", "replace", "dev", dev, "root", "tbf",
           "rate", "%dkbit" % kbit, "burst", "16kb", "latency", "100ms")


def light_pupil():
    """Five kibitz-peers at 320x240 must not starve each other of the
    2-core machine's CPU: a busy sender looks like congestion on every link
    and nothing of the network is measured. So the pupils count the frames
    that arrive whole at the depayloader instead of decoding them
    (KIBITZ_DECODE_VIDEO=0, as bench/mesh's load peers), and run ASan with
    its fast unwinder and without leak checks (the suite's slow unwinder
    makes each about six times slower at allocating; leaks are checked in the
    core and peer suites' smaller classes, and tests/peer/test-class.c does
    the same)."""
    env = {"KIBITZ_DECODE_VIDEO": "0"}
    options = os.environ.get("ASAN_OPTIONS")
    if options is not None:
        kept = [o for o in options.split(":")
                if o and not o.startswith(("fast_unwind_on_malloc", "detect_leaks"))]
        env["ASAN_OPTIONS"] = ":".join(kept + ["detect_leaks=0"])
    return env


def home_class(lab, n, room, extra=(), caps=None, size=(320, 240)):
    """n pupils, each behind a NAT router of their own; `caps` maps a name to
    (upload, download) in kbit/s. Returns the peers once everyone decodes
    everyone."""
    names = NAMES[:n]
    for name in names:
        lab.add_host(name, "nat")
    for name, (up, down) in (caps or {}).items():
        cap(lab, name, up, down)
    lab.start_server()
    argv = ["--width", str(size[0]), "--height", str(size[1]), "--congestion-control", "on"] \
        + list(extra)
    peers = [lab.peer(name, name, room, LONG, argv, light_pupil()) for name in names]
    wait_decoding(peers, 90)
    return peers


def wait_decoding(peers, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        missing = [(p.name, q.name) for p in peers for q in peers
                   if p is not q and p.frames_from(q.name) <= 0]
        if not missing:
            return
        for p in peers:
            if p.proc.poll() is not None:
                fail("%s exited early (%s):\n%s" % (p.name, p.proc.returncode, p.stderr_tail()))
        time.sleep(0.5)
    fail("no video within %d s: %s" % (timeout, ", ".join("%s<-%s" % m for m in missing)))


def window(peers, start, end):
    """Per (receiver, sender) over [start, end] (monotonic seconds), from
    the stats files: frames per second, the longest freeze (s) and the
    decoded size at the end."""
    out = {}
    for p in peers:
        rows = [(t, e) for t, e in p.stats() if start <= t <= end]
        for q in peers:
            if p is q:
                continue
            series = [(t, e[q.name]) for t, e in rows if q.name in e]
            if len(series) < 2:
                out[(p.name, q.name)] = {"fps": 0.0, "freeze": end - start, "size": (0, 0),
                                         "audio": 0.0}
                continue
            (t0, first), (t1, last) = series[0], series[-1]
            frames = last["frames_decoded"] - first["frames_decoded"]
            audio = last["audio_packets"] - first["audio_packets"]
            freeze = max(e.get("freeze_ms", 0) for t, e in series[1:]) / 1000.0
            out[(p.name, q.name)] = {
                "fps": frames / (t1 - t0),
                "audio": audio / (t1 - t0),
                "freeze": freeze,
                "size": (last.get("received_width", 0), last.get("received_height", 0)),
            }
    return out


def run_for(peers, seconds):
    """Lets the class run; fails early if a peer dies."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for p in peers:
            if p.proc.poll() is not None:
                fail("%s exited early (%s):\n%s" % (p.name, p.proc.returncode, p.stderr_tail()))
        time.sleep(0.5)


def stop(peers):
    for p in peers:
        p.kill(signal.SIGTERM)
    for p in peers:
        p.wait(60)
    for p in peers:
        if p.proc.returncode != 0:
            fail("%s exited with %s:\n%s" % (p.name, p.proc.returncode, p.stderr_tail(60)))


def report(result, label=""):
    for (rx, tx), r in sorted(result.items()):
        log("%s%s <- %s: %.1f fps, longest freeze %.1f s, %dx%d, %.0f audio packets/s"
            % (label, rx, tx, r["fps"], r["freeze"], r["size"][0], r["size"][1], r["audio"]))


# Issue 14's goals, held against what this machine does by itself. Five
# ASan peers on 2 cores freeze uncapped pairs too now and then (0.3 to 11 s
# in CI runs before 2026-12-07), so a freeze of the capped pupil may be as
# long as FREEZE_GOAL, or as the worst uncapped pair's plus FREEZE_SLACK when
# the CPU alone froze someone longer. Until the trendline estimator
# (docs/quality.md) the capped pupil's video froze for 5.6 to 8.1 s in a CI
# run where uncapped pairs froze 0.4 s, and these held only a 10 s ceiling
# and 0.4 of the rate; on a quiet machine it now freezes 0.0 to 1.6 s.
FREEZE_SLACK = 2.0
FREEZE_GOAL = 2.0
# After the cap falls: video from that pupil flows again within 5 s.
RECOVERY_GOAL = 5.0
# The capped pupil's frame rate against the uncapped pairs' median: the fixed
# plan gave 0; the goal is half.
MIN_RATIO = 0.5


def freeze_allowed(result, subject, goal=FREEZE_GOAL):
    noise = max([r["freeze"] for (rx, tx), r in result.items() if subject not in (rx, tx)]
                or [0.0])
    return max(goal, noise + FREEZE_SLACK), noise


def median(values):
    values = sorted(values)
    return values[len(values) // 2]


def judge(result, subject, min_ratio, direction="from"):
    """Video `from` the subject (or `to` it) against the uncapped pairs that
    share the other end: what the same receiver gets from everyone else
    (`from`), or what everyone else gets from the same sender (`to`). A pupil
    whose own CPU is starved sends less to everyone, capped line or not (one
    CI run: dawid's sound reached every receiver at 40-46 packets/s against
    49-55 from the others), and a starved receiver takes less from everyone;
    comparing with the same other end leaves only what the capped line did.
    Video: at least min_ratio of that frame rate, no freeze longer than
    freeze_allowed(); sound over the capped line at least 95 % of it (decoded
    audio buffers a second: a late packet counts as lost). Issue 14's goal is
    98 %; on this machine five pupils' own CPU already costs uncapped pairs
    1-3 % now and then, so 95 % is what a test can hold without flaking; the
    figures are logged."""
    plain = [r["fps"] for (rx, tx), r in result.items() if subject not in (rx, tx)]
    allowed, noise = freeze_allowed(result, subject)
    log("uncapped pairs: median %.1f fps, longest freeze %.1f s; %s's may freeze %.1f s"
        % (median(plain), noise, subject, allowed))
    idx = 1 if direction == "from" else 0
    for key, r in sorted(result.items()):
        if key[idx] != subject:
            continue
        # The other end of this pair, and the uncapped pairs it is part of.
        other = key[1 - idx]
        peers = [v for (rx, tx), v in result.items()
                 if subject not in (rx, tx) and (rx, tx)[1 - idx] == other]
        base = median(v["fps"] for v in peers)
        base_audio = median(v["audio"] for v in peers)
        side = "%s gets from the others" % other if direction == "from" \
            else "the others get from %s" % other
        if r["fps"] < min_ratio * base:
            fail("%s receives %s at %.1f fps, under %.2f of the %.1f fps %s"
                 % (key[0], key[1], r["fps"], min_ratio, base, side))
        if r["freeze"] > allowed:
            fail("%s's video of %s froze for %.1f s (at most %.1f s allowed: uncapped pairs "
                 "froze up to %.1f s)" % (key[0], key[1], r["freeze"], allowed, noise))
        if r["audio"] < 0.95 * base_audio:
            fail("%s receives %.1f audio packets/s of %s, under 95 %% of the %.1f %s"
                 % (key[0], r["audio"], key[1], base_audio, side))


def capped_pupil(lab, room, up, down, direction):
    """A class of five where ewa's line is capped: 15 s to settle, then 20 s
    judged, video `from` ewa (upload) or `to` ewa (download)."""
    peers = home_class(lab, 5, room, caps={"ewa": (up, down)})
    run_for(peers, 15)
    start = time.monotonic()
    run_for(peers, 20)
    result = window(peers, start, time.monotonic())
    stop(peers)
    report(result)
    judge(result, "ewa", MIN_RATIO, direction)


# A pupil on a 1 Mbit upload in a class of five: everyone still sees them.
def uplink_1mbit(lab):
    capped_pupil(lab, "one mbit up", 1000, None, "from")


# A pupil on a 1 Mbit download (at 320x240 the fixed plan sent each
# receiver 4 x 276 kbps of video and 200 of sound): they still see everyone.
def downlink_1mbit(lab):
    capped_pupil(lab, "one mbit down", None, 1000, "to")


# The cap falls from 5 to 1 Mbit mid-class: that pupil's video is back
# within 5 s at every receiver (or the CPU's own freezes plus 2 s), and
# then keeps flowing.
def cap_drop(lab):
    peers = home_class(lab, 5, "cap drop", caps={"ewa": (5000, None)})
    run_for(peers, 10)
    dropped = time.monotonic()
    cap(lab, "ewa", 1000, None)
    run_for(peers, 25)
    end = time.monotonic()
    after = window(peers, dropped, end)
    settled = window(peers, end - 10, end)
    stop(peers)
    report(after, "after the drop: ")
    allowed, noise = freeze_allowed(after, "ewa", RECOVERY_GOAL)
    for (rx, tx), r in sorted(after.items()):
        if tx == "ewa" and r["freeze"] > allowed:
            fail("%s saw ewa's video freeze for %.1f s after the cap fell (at most %.1f s: "
                 "uncapped pairs froze up to %.1f s)" % (rx, r["freeze"], allowed, noise))
    judge(settled, "ewa", MIN_RATIO, "from")


SCENARIOS = {
    "uplink-1mbit": uplink_1mbit,
    "downlink-1mbit": downlink_1mbit,
    "cap-drop": cap_drop,
}

if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in SCENARIOS:
        print("usage: quality.py {%s}" % ",".join(SCENARIOS), file=sys.stderr)
        sys.exit(2)
    sys.exit(run(SCENARIOS[sys.argv[1]], sys.argv[1]))
