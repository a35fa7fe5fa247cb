#!/usr/bin/env python3
# check-app-id.py: one application id everywhere (issue 7): meson.build's
# application_id names the desktop file, its Icon, the metainfo id and
# launchable, the icons, the GSettings schema id and path, the GResource
# prefix and every resource path in app/, and the Flatpak manifest; the
# gettext domain is the same in meson, the schema and the metainfo.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: check-app-id.py SOURCE_DIR

import os
import re
import sys
import xml.etree.ElementTree as ET

source_dir = os.path.abspath(sys.argv[1])
problems = []


def read(*parts):
    with open(os.path.join(source_dir, *parts), encoding="utf-8") as f:
        return f.read()


def expect(condition, text):
    if not condition:
        problems.append(text)


top = read("meson.build")
app_id = re.search(r"application_id\s*=\s*'([^']+)'", top).group(1)
domain = re.search(r"project\(\s*'([^']+)'", top).group(1)
resource_path = "/" + app_id.replace(".", "/")

expect(re.fullmatch(r"[a-z]+(\.[a-z][a-z0-9_-]*)+\.[A-Za-z][A-Za-z0-9]*", app_id) is not None,
       f"{app_id} is not a reverse-DNS application id")
expect(f"set_quoted('GETTEXT_PACKAGE', '{domain}')" in top,
       f"config.h's GETTEXT_PACKAGE is not the project name {domain!r}")

desktop = read("data", app_id + ".desktop.in")
expect(re.search(r"^Icon=" + re.escape(app_id) + "$", desktop, re.M),
       f"data/{app_id}.desktop.in: Icon is not {app_id}")
expect(re.search(r"^Exec=kibitz\b", desktop, re.M), "the desktop file does not run kibitz")

metainfo = ET.fromstring(read("data", app_id + ".metainfo.xml.in"))
expect(metainfo.findtext("id") == app_id, f"metainfo <id> is {metainfo.findtext('id')!r}")
expect(metainfo.findtext("launchable") == app_id + ".desktop", "metainfo <launchable> is not the desktop file")
expect(metainfo.findtext("translation") == domain, f"metainfo <translation> is not {domain!r}")
for shot in metainfo.iter("image"):
    name = os.path.basename(shot.text or "")
    expect(os.path.exists(os.path.join(source_dir, "docs", "screenshots", name)),
           f"metainfo screenshot {shot.text} has no docs/screenshots/{name}")

schemas = ET.fromstring(read("data", app_id + ".gschema.xml"))
schema = schemas.find("schema")
expect(schemas.get("gettext-domain") == domain, f"the schema's gettext-domain is not {domain!r}")
expect(schema.get("id") == app_id, f"schema id is {schema.get('id')!r}")
expect(schema.get("path") == resource_path + "/", f"schema path is {schema.get('path')!r}")

for kind, name, size in (("scalable", app_id + ".svg", None),
                         ("symbolic", app_id + "-symbolic.svg", "0 0 16 16")):
    path = os.path.join(source_dir, "data", "icons", "hicolor", kind, "apps", name)
    try:
        svg = ET.parse(path).getroot()
        expect(svg.tag == "{http://www.w3.org/2000/svg}svg", f"{name} is not an SVG")
        if size:
            expect(svg.get("viewBox") == size, f"{name} is not drawn on a 16x16 grid")
    except (OSError, ET.ParseError) as error:
        problems.append(f"{name}: {error}")

gresource = ET.fromstring(read("app", "kibitz.gresource.xml"))
for resource in gresource.iter("gresource"):
    expect(resource.get("prefix") == resource_path, f"GResource prefix is {resource.get('prefix')!r}")

for name in sorted(os.listdir(os.path.join(source_dir, "app"))):
    if name.endswith(".c"):
        for path in re.findall(r'"(/[a-z]+/[a-z]+/[^"]*)"', read("app", name)):
            if path.startswith(("/io/", "/org/", "/com/")):
                expect(path.startswith(resource_path + "/") or path == resource_path,
                       f"app/{name}: resource path {path} is not under {resource_path}")
application = read("app", "kibitz-application.c")
expect('"application-id", APPLICATION_ID' in application,
       "kibitz-application.c does not take its id from config.h's APPLICATION_ID")

expect(os.path.exists(os.path.join(source_dir, "flatpak", app_id + ".json")),
       f"flatpak/{app_id}.json is missing")
expect("pl" in read("po", "LINGUAS").split(), "po/LINGUAS does not list pl")

for line in problems:
    print(line, file=sys.stderr)
if not problems:
    print(f"{app_id}: desktop file, metainfo, icons, schema, resources and manifest agree")
sys.exit(1 if problems else 0)
