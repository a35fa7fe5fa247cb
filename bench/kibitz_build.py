"""A release build of kibitz-server and kibitz-peer for the client benchmarks
(bench/mesh, bench/latency).

SPDX-License-Identifier: GPL-3.0-or-later
"""

import os
import subprocess

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


def build(build_dir):
    """Configures build_dir if needed, builds both programs, returns their paths."""
    if not os.path.exists(os.path.join(build_dir, "build.ninja")):
        subprocess.run(["timeout", "600", "meson", "setup", build_dir, "--buildtype=release",
                        "-Db_sanitize=none"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["timeout", "900", "ninja", "-C", build_dir, "src/server/kibitz-server",
                    "src/peer/kibitz-peer"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return (os.path.join(build_dir, "src", "server", "kibitz-server"),
            os.path.join(build_dir, "src", "peer", "kibitz-peer"))
