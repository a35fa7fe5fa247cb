#!/usr/bin/env python3
"""bench/chess/perft.py: kibitz-chess perft against stockfish's go perft.

Both count the leaves of the standard perft positions (chessprogramming.org,
"Perft Results"), one thread each, in turns (kibitz-chess, stockfish,
kibitz-chess, ...) for several rounds, and the medians are compared. The
counts must agree with the published ones, so a fast wrong answer cannot win.

kibitz-chess is built from this checkout (release, no sanitizers) in its own
build directory; stockfish is Debian's package. stockfish is timed from
`go perft` to its "Nodes searched" line, so its start-up (loading its
network) is not counted; kibitz-chess is timed as a whole process, whose
start-up is under a millisecond.

    bench/chess/perft.py                 # 3 rounds, about 30 seconds
    bench/chess/perft.py --quick         # shallower, a few seconds (a smoke test)

SPDX-License-Identifier: GPL-3.0-or-later
"""

import argparse
import datetime
import os
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

# name, FEN, depth, published leaf count, and the depth and count for --quick.
POSITIONS = [
    ("start", "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1",
     6, 119060324, 4, 197281),
    ("kiwipete", "r3k2r/p1ppqpb1/bn2pnp1/3PN3/1p2P3/2N2Q1p/PPPBBPPP/R3K2R w KQkq - 0 1",
     5, 193690690, 3, 97862),
    ("position3", "8/2p5/3p4/KP5r/1R3p1k/8/4P1P1/8 w - - 0 1",
     7, 178633661, 5, 674624),
    ("position4", "r3k2r/Pppp1ppp/1b3nbN/nP6/BBP1P3/q4N2/Pp1P2PP/R2Q1RK1 w kq - 0 1",
     5, 15833292, 4, 422333),
    ("position5", "rnbq1k1r/pp1Pbppp/2p5/8/2B5/8/PPP1NnPP/RNBQK2R w KQ - 1 8",
     5, 89941194, 3, 62379),
]


def build(build_dir):
    """Configures build_dir if needed and builds kibitz-chess; returns its path."""
    if not os.path.exists(os.path.join(build_dir, "build.ninja")):
        subprocess.run(["timeout", "600", "meson", "setup", build_dir, "--buildtype=release",
                        "-Db_sanitize=none", "-Dclient=disabled"], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
    subprocess.run(["timeout", "600", "ninja", "-C", build_dir, "src/chess/kibitz-chess"],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return os.path.join(ROOT, build_dir, "src", "chess", "kibitz-chess")


def find_stockfish():
    path = shutil.which("stockfish") or "/usr/games/stockfish"
    if not os.access(path, os.X_OK):
        sys.exit("stockfish is not installed: apt-get install stockfish (or build-aux/deps)")
    return path


def time_kibitz(binary, fen, depth):
    start = time.monotonic()
    out = subprocess.run(["timeout", "600", binary, "perft", fen, str(depth)], check=True,
                         capture_output=True, text=True).stdout
    return time.monotonic() - start, int(out.split()[-1])


def time_stockfish(binary, fen, depth):
    process = subprocess.Popen([binary], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        process.stdin.write("position fen %s\nisready\n" % fen)
        process.stdin.flush()
        while process.stdout.readline().strip() != "readyok":
            pass
        start = time.monotonic()
        process.stdin.write("go perft %d\n" % depth)
        process.stdin.flush()
        while True:
            line = process.stdout.readline()
            if not line:
                sys.exit("stockfish stopped before answering go perft")
            if line.startswith("Nodes searched:"):
                elapsed = time.monotonic() - start
                nodes = int(line.split(":")[1])
                break
        process.stdin.write("quit\n")
        process.stdin.flush()
    finally:
        process.wait(timeout=60)
    return elapsed, nodes


def run(args):
    kibitz = args.kibitz_chess or build(args.build_dir)
    stockfish = find_stockfish()
    times = {name: {"kibitz": [], "stockfish": []} for name, *_ in POSITIONS}
    for round_number in range(args.rounds):
        for name, fen, depth, nodes, quick_depth, quick_nodes in POSITIONS:
            if args.quick:
                depth, nodes = quick_depth, quick_nodes
            runners = [("kibitz", time_kibitz, kibitz), ("stockfish", time_stockfish, stockfish)]
            if round_number % 2:
                runners.reverse()
            for who, timer, binary in runners:
                elapsed, counted = timer(binary, fen, depth)
                if counted != nodes:
                    sys.exit("%s counts %d leaves in %s at depth %d, not %d"
                             % (who, counted, name, depth, nodes))
                times[name][who].append(elapsed)
                print("round %d  %-10s %-9s %7.3f s" % (round_number + 1, name, who, elapsed),
                      file=sys.stderr)
    return times


def report(times, args):
    lines = ["| position | depth | leaves | kibitz-chess s | Mnodes/s | stockfish s | Mnodes/s "
             "| stockfish / kibitz |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, fen, depth, nodes, quick_depth, quick_nodes in POSITIONS:
        if args.quick:
            depth, nodes = quick_depth, quick_nodes
        ours = statistics.median(times[name]["kibitz"])
        theirs = statistics.median(times[name]["stockfish"])
        lines.append("| %s | %d | %s | %.2f | %.1f | %.2f | %.1f | %.1f× |"
                     % (name, depth, format(nodes, ","), ours, nodes / ours / 1e6, theirs,
                        nodes / theirs / 1e6, ours / theirs))
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="shallow depths, one round")
    parser.add_argument("--build-dir", default="_build/bench-chess")
    parser.add_argument("--kibitz-chess", help="use this binary instead of building one")
    args = parser.parse_args()
    if args.quick:
        args.rounds = 1
    table = report(run(args), args)
    header = "%s UTC, %d round(s), medians\n\n" % (
        datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M"), args.rounds)
    print(header + table)
    results = os.path.join(ROOT, "bench", "results")
    os.makedirs(results, exist_ok=True)
    with open(os.path.join(results, "chess-perft.md"), "w") as out:
        out.write(header + table + "\n")


if __name__ == "__main__":
    main()
