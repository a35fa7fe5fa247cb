#!/usr/bin/env python3
# check-flatpak-manifest.py: keep flatpak/io.github.kibitz.Kibitz.json in step
# with the tree, without a Flatpak runtime (this machine cannot download one).
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: check-flatpak-manifest.py SOURCE_DIR [MANIFEST]
#
# Checks: the JSON parses; the app id is the tree's (meson.build's
# application_id, the file name); runtime and SDK are GNOME's; the command is
# an executable the tree builds and installs; every -D option of the app
# module is a real option of meson_options.txt with a valid value; every file
# the manifest names exists; finish-args stay inside an allow-list and never
# reach the Secret Service directly (the teacher key goes through the Secret
# portal); every download is pinned (sha256, or a git commit). Each problem
# is one line on stderr; the exit status is 1 when there is any.

import json
import os
import re
import sys

# What Kibitz may ask for, and why (docs/flatpak.md says the same).
ALLOWED_FINISH_ARGS = {
    "--share=network": "signaling, STUN/TURN and media",
    "--share=ipc": "X11 shared memory for the fallback-x11 socket",
    "--socket=wayland": "the window",
    "--socket=fallback-x11": "the window where there is no Wayland",
    "--socket=pulseaudio": "microphone and speakers (PipeWire serves it too)",
    "--device=dri": "GPU rendering",
    "--device=all": "cameras (/dev/video*): GTK 4.8 has no camera portal helper",
    "--env=GST_PLUGIN_PATH=/app/lib/gstreamer-1.0": "the GStreamer plugins built into /app",
}

# What Kibitz must not ask for, with the reason said when it does.
FORBIDDEN_FINISH_ARGS = {
    "--talk-name=org.freedesktop.secrets":
        "the teacher key goes to the keyring through the Secret portal, which libsecret "
        "uses by itself inside a Flatpak; the Secret Service's own bus name would hand the "
        "app every secret of the user's keyring",
    "--own-name=org.freedesktop.secrets":
        "Kibitz is not a keyring",
}

MESON_BUILTINS = {
    "buildtype", "prefix", "libdir", "optimization", "debug", "werror", "warning_level",
    "default_library", "b_lto", "b_ndebug", "b_sanitize", "b_lundef", "b_pie", "wrap_mode",
}

problems = []


def problem(text):
    problems.append(text)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def meson_options(source_dir):
    """name -> (type, choices) from meson_options.txt."""
    text = read(os.path.join(source_dir, "meson_options.txt"))
    options = {}
    for match in re.finditer(r"option\(\s*'([^']+)'\s*,\s*type\s*:\s*'([^']+)'(.*?)\)\s*$",
                             text, re.S | re.M):
        name, kind, rest = match.groups()
        choices = re.findall(r"'([^']+)'", re.search(r"choices\s*:\s*\[(.*?)\]", rest, re.S)
                             .group(1)) if "choices" in rest else None
        options[name] = (kind, choices)
    return options


def installed_executables(source_dir):
    names = set()
    for root, dirs, files in os.walk(source_dir):
        dirs[:] = [d for d in dirs if not d.startswith((".", "_build"))]
        if "meson.build" in files:
            text = read(os.path.join(root, "meson.build"))
            for match in re.finditer(r"executable\(\s*'([^']+)'(.*?)\n\)", text, re.S):
                if re.search(r"install\s*:\s*true", match.group(2)):
                    names.add(match.group(1))
    return names


def check_option(arg, options, where):
    if not arg.startswith("-D"):
        name = arg.lstrip("-").split("=", 1)[0]
        if name not in MESON_BUILTINS:
            problem(f"{where}: {arg} is not a meson option this tree knows")
        return
    name, _, value = arg[2:].partition("=")
    if name in MESON_BUILTINS:
        return
    if name not in options:
        problem(f"{where}: -D{name} is not in meson_options.txt (options: {', '.join(sorted(options))})")
        return
    kind, choices = options[name]
    valid = {"feature": ["enabled", "disabled", "auto"], "boolean": ["true", "false"],
             "combo": choices or []}.get(kind)
    if valid is not None and value not in valid:
        problem(f"{where}: -D{name}={value} is not one of {', '.join(valid)}")


def check_source(source, manifest_dir, where):
    kind = source.get("type")
    if kind in ("archive", "file") and "url" in source:
        if not re.fullmatch(r"[0-9a-f]{64}", source.get("sha256", "")):
            problem(f"{where}: {source['url']} is not pinned by a sha256 (64 hex digits)")
        if not source["url"].startswith("https://"):
            problem(f"{where}: {source['url']} is not an https:// URL")
    elif kind == "git":
        if not re.fullmatch(r"[0-9a-f]{40}", source.get("commit", "")):
            problem(f"{where}: git source {source.get('url')} is not pinned by a commit")
    elif kind in ("dir", "file", "patch", "archive"):
        for path in [source.get("path")] + source.get("paths", []):
            if path and not os.path.exists(os.path.join(manifest_dir, path)):
                problem(f"{where}: {path} does not exist (relative to {manifest_dir})")
    elif kind not in ("shell", "script"):
        problem(f"{where}: unknown source type {kind!r}")


def main():
    source_dir = os.path.abspath(sys.argv[1])
    app_id = re.search(r"application_id\s*=\s*'([^']+)'",
                       read(os.path.join(source_dir, "meson.build"))).group(1)
    path = sys.argv[2] if len(sys.argv) > 2 else os.path.join(source_dir, "flatpak", app_id + ".json")
    manifest_dir = os.path.dirname(os.path.abspath(path))

    try:
        manifest = json.loads(read(path))
    except (OSError, ValueError) as error:
        print(f"{path}: cannot read the manifest: {error}", file=sys.stderr)
        return 1

    manifest_id = manifest.get("id", manifest.get("app-id"))
    if manifest_id != app_id:
        problem(f"id is {manifest_id!r}; meson.build's application_id is {app_id!r}")
    if os.path.basename(path) != app_id + ".json":
        problem(f"the file should be named {app_id}.json")
    if manifest.get("runtime") != "org.gnome.Platform" or manifest.get("sdk") != "org.gnome.Sdk":
        problem("runtime and sdk must be org.gnome.Platform and org.gnome.Sdk")
    if not re.fullmatch(r"\d+", str(manifest.get("runtime-version", ""))):
        problem(f"runtime-version {manifest.get('runtime-version')!r} is not a GNOME release like 46")

    command = manifest.get("command")
    if command not in installed_executables(source_dir):
        problem(f"command {command!r} is not an installed executable of the tree's meson.build files")

    for arg in manifest.get("finish-args", []):
        if arg in FORBIDDEN_FINISH_ARGS:
            problem(f"finish-args: {arg} must not be there: {FORBIDDEN_FINISH_ARGS[arg]}")
        elif arg not in ALLOWED_FINISH_ARGS:
            problem(f"finish-args: {arg} is not in the allow-list of tests/data/check-flatpak-manifest.py")
    for needed in ("--share=network", "--socket=wayland", "--socket=fallback-x11",
                   "--socket=pulseaudio", "--device=dri"):
        if needed not in manifest.get("finish-args", []):
            problem(f"finish-args: {needed} is missing; the app cannot work without it")

    modules = manifest.get("modules", [])
    names = [m.get("name") for m in modules if isinstance(m, dict)]
    if len(names) != len(set(names)):
        problem("module names are not unique")
    options = meson_options(source_dir)
    for module in modules:
        if isinstance(module, str):
            if not os.path.exists(os.path.join(manifest_dir, module)):
                problem(f"module file {module} does not exist")
            continue
        where = f"module {module.get('name')}"
        if not module.get("sources"):
            problem(f"{where}: has no sources")
        for source in module.get("sources", []):
            check_source(source, manifest_dir, where)

    app = modules[-1] if modules and isinstance(modules[-1], dict) else {}
    if app.get("name") != command or app.get("buildsystem") != "meson":
        problem(f"the last module must be the app, {command!r}, built with meson")
    else:
        for arg in app.get("config-opts", []):
            check_option(arg, options, f"module {command}")
        sources = app.get("sources", [])
        if not any(s.get("type") == "dir" and
                   os.path.realpath(os.path.join(manifest_dir, s.get("path", ""))) == source_dir
                   for s in sources):
            problem(f"module {command} must build this tree (a dir source pointing at it)")
        if not app.get("run-tests"):
            problem(f"module {command} must run its tests (run-tests: true)")
        for text in app.get("test-commands", []):
            for suite in re.findall(r"--(?:no-)?suite[ =](\S+)", text):
                suite = suite.strip("'\"")
                if not re.search(r"suite\s*:\s*'" + re.escape(suite) + "'",
                                 "\n".join(read(os.path.join(r, "meson.build"))
                                           for r, d, f in os.walk(os.path.join(source_dir, "tests"))
                                           if "meson.build" in f) +
                                 read(os.path.join(source_dir, "data", "meson.build"))):
                    problem(f"module {command}: test suite {suite!r} does not exist")

    for line in problems:
        print(f"{os.path.relpath(path, source_dir)}: {line}", file=sys.stderr)
    if not problems:
        print(f"{os.path.relpath(path, source_dir)}: {len(modules)} modules, "
              f"{sum(len(m.get('sources', [])) for m in modules if isinstance(m, dict))} sources, "
              f"all pinned; {len(manifest.get('finish-args', []))} finish-args allowed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
