#!/usr/bin/env python3
# scenarios.py SCENARIO: one scenario of the network lab (docs/resilience.md).
# Exit 0 on success, 1 on failure, 77 (skipped) without CAP_NET_ADMIN.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from netlab import fail, frames_rising, log, run  # noqa: E402

DIRECT = ("host", "srflx", "prflx")


def names_of(peers):
    return [p.name for p in peers]


def wait_all_decoding(peers, timeout, since=0.0, label="video"):
    """Waits until every peer decodes video of every other; returns the time
    it took (s) from `since`."""
    start = since or time.monotonic()
    deadline = time.monotonic() + timeout
    base = {(p.name, n): p.frames_from(n) if since else 0
            for p in peers for n in names_of(peers) if n != p.name}
    while time.monotonic() < deadline:
        missing = [(p.name, n) for p in peers for n in names_of(peers)
                   if n != p.name and p.frames_from(n) <= base[(p.name, n)]]
        if not missing:
            return time.monotonic() - start
        for p in peers:
            if p.proc.poll() is not None:
                fail("%s exited early (%s):\n%s" % (p.name, p.proc.returncode, p.stderr_tail()))
        time.sleep(0.25)
    fail("%s not decoded within %d s: %s" % (label, timeout,
         ", ".join("%s<-%s" % m for m in missing)))


def finish(peers, timeout=60):
    for p in peers:
        p.wait(timeout)
    for p in peers:
        if p.summary() is None:
            fail("%s printed no summary:\n%s" % (p.name, p.stderr_tail()))


def pair_candidates(a, b):
    e = a.remote(b.name)
    return e.get("local_candidate"), e.get("remote_candidate")


def check_all_received(peers):
    for p in peers:
        for q in peers:
            if p is q:
                continue
            e = p.remote(q.name)
            if e["frames_decoded"] <= 0:
                fail("%s decoded no video of %s: %s" % (p.name, q.name, e))


# 1. Everyone behind NATs with STUN: all links direct, no media relayed.
def nat_direct(lab):
    names = ["ada", "bartek", "celina"]
    for n in names:
        lab.add_host(n, "nat")
    lab.start_server()
    peers = [lab.peer(n, n, "nat direct", 22) for n in names]
    took = wait_all_decoding(peers, 30)
    log("every pair decoding after %.1f s" % took)
    finish(peers)
    check_all_received(peers)
    for p in peers:
        for q in peers:
            if p is not q:
                local, remote = pair_candidates(p, q)
                if local not in DIRECT or remote not in DIRECT:
                    fail("%s<->%s is not direct: %s/%s" % (p.name, q.name, local, remote))
    relayed = lab.relayed_bytes()
    log("relayed bytes on the server: %d" % relayed)
    # ICE may still send a few connectivity checks over a relay pair before it
    # settles on a direct one; media (tens of kB per second) must not follow.
    if relayed > 30000:
        fail("the server relayed %d bytes in a call with only direct links" % relayed)


# 2. P = 5, T = 2 in blocking networks: K = T(P - (T+1)/2) = 7 relayed links.
def blocked_relay(lab):
    names = ["ada", "bartek", "celina", "dawid", "ewa"]
    blocked = {"dawid", "ewa"}
    for n in names:
        lab.add_host(n, "blocked" if n in blocked else "nat")
    lab.start_server()
    before = lab.relayed_bytes()
    peers = [lab.peer(n, n, "blocked relay", 35) for n in names]
    took = wait_all_decoding(peers, 45)
    log("every pair of 5 decoding after %.1f s" % took)
    during = lab.relayed_bytes()
    finish(peers, 90)
    check_all_received(peers)
    relayed_links = 0
    for i, p in enumerate(peers):
        for q in peers[i + 1:]:
            sides = pair_candidates(p, q) + pair_candidates(q, p)
            uses_relay = "relay" in sides
            should = p.name in blocked or q.name in blocked
            log("%s<->%s: %s" % (p.name, q.name, "/".join(str(s) for s in sides)))
            if uses_relay != should:
                fail("%s<->%s %s a relay candidate: %s" % (p.name, q.name,
                     "uses" if uses_relay else "does not use", sides))
            relayed_links += uses_relay
    P, T = len(names), len(blocked)
    K = T * (P - (T + 1) / 2)
    log("relayed links: %d (K = %g)" % (relayed_links, K))
    if relayed_links != K:
        fail("%d relayed links, expected K = %g" % (relayed_links, K))
    after = lab.relayed_bytes()
    log("server relayed bytes: %d before, %d during, %d after" % (before, during, after))
    if after - before < 200000:
        fail("the server's relayed-bytes metric grew by only %d bytes" % (after - before))


# 3. A peer whose network drops all UDP reaches the others through TURN over TCP.
def tcp_only(lab):
    lab.add_host("ada", "nat")
    lab.add_host("tomasz", "tcp-only")
    lab.start_server()
    peers = [lab.peer("ada", "ada", "tcp only", 20), lab.peer("tomasz", "tomasz", "tcp only", 20)]
    took = wait_all_decoding(peers, 30)
    tcp = lab.metrics().get("kibitz_turn_tcp_connections", 0)
    log("decoding both ways after %.1f s; TURN TCP connections: %d" % (took, tcp))
    finish(peers)
    check_all_received(peers)
    local, remote = pair_candidates(peers[1], peers[0])
    if local != "relay":
        fail("the TCP-only peer's link is %s/%s, not relayed" % (local, remote))
    if tcp < 1:
        fail("no TURN TCP connection was open during the call")
    if lab.relayed_bytes() < 100000:
        fail("the server relayed only %d bytes" % lab.relayed_bytes())


# 7. A peer killed without a word is reported gone within 35 s; the rest flow on.
def vanish(lab):
    names = ["ada", "bartek", "celina"]
    for n in names:
        lab.add_host(n, "nat")
    lab.start_server()
    peers = [lab.peer(n, n, "vanish", 75) for n in names]
    wait_all_decoding(peers, 30)
    victim = peers[2]
    survivors = peers[:2]
    # Cable pulled, then the process gone: the server sees no FIN at all.
    h = lab.hosts[victim.name]
    from netlab import sh
    sh("ip", "-n", h["router"], "link", "set", "lan", "down")
    killed = time.monotonic()
    victim.kill(signal.SIGKILL)
    log("%s cut off and killed" % victim.name)
    gone = {}
    stalls = {}
    deadline = killed + 40
    while time.monotonic() < deadline and len(gone) < len(survivors):
        s = frames_rising(survivors, names_of(survivors), 0, 2.0, 0.5)
        for k, v in s.items():
            stalls[k] = max(stalls.get(k, 0), v)
        for p in survivors:
            ev = p.find(lambda e: e.get("event") == "peer-left" and e.get("name") == victim.name)
            if ev and p.name not in gone:
                gone[p.name] = ev[0][0] - killed
    for p in survivors:
        if p.name not in gone:
            fail("%s did not report %s gone within 40 s" % (p.name, victim.name))
        log("%s reported %s gone after %.1f s" % (p.name, victim.name, gone[p.name]))
        if gone[p.name] > 35:
            fail("%s took %.1f s to report %s gone (limit 35 s)" % (p.name, gone[p.name], victim.name))
    worst = max(stalls.values()) if stalls else 0
    log("longest stall between the survivors: %.1f s" % worst)
    if worst > 5:
        fail("the survivors' video stalled for %.1f s while %s vanished" % (worst, victim.name))
    for p in survivors:
        p.kill(signal.SIGTERM)
    finish(survivors)
    for p in survivors:
        if not p.remote(victim.name)["left"]:
            fail("%s's summary does not show %s as left" % (p.name, victim.name))


SCENARIOS = {
    "nat-direct": nat_direct,
    "blocked-relay": blocked_relay,
    "tcp-only": tcp_only,
    "vanish": vanish,
}

if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in SCENARIOS:
        print("usage: scenarios.py {%s}" % ",".join(SCENARIOS), file=sys.stderr)
        sys.exit(2)
    sys.exit(run(SCENARIOS[sys.argv[1]], sys.argv[1]))
