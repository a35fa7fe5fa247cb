#!/usr/bin/env python3
# test-browser.py: a real Chromium running web/kibitz-web.html in a class with kibitz-peers.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Everything runs in a private network namespace that has only `lo` (the script
# re-executes itself under `unshare --net`), so neither Chromium nor libnice can
# use this machine's other addresses; the page is also told to send only
# 127.0.0.1 candidates, and the test checks every candidate that went either way.
#
# Per case: kibitz-server, a loopback HTTP server that serves web/ and receives
# the page's status reports (POST /report), one kibitz-peer that joins before
# the browser (so the browser offers to it), headless Chromium, and one
# kibitz-peer that joins after it (so it offers to the browser). Then: every
# kibitz-peer decoded the browser's video and received its audio (when the
# browser sends them), and the browser decoded video and received audio from
# every kibitz-peer. TAP output; a TAP skip when Chromium is not installed.
#
# One more case caps a kibitz-peer's download (tc on lo, for UDP to the
# 127.0.0.2 it alone gathers on) while the browser sends it video: Chromium
# must adapt to the transport-cc feedback Kibitz sends back, so the picture
# keeps moving instead of freezing in a queue.

import http.server
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

SOURCE_DIR = os.environ.get('KIBITZ_SOURCE_DIR', os.path.join(os.path.dirname(__file__), '..', '..'))
WEB_DIR = os.path.join(SOURCE_DIR, 'web')
# Upper bounds only: a case ends as soon as every link showed media both ways.
PEER_LIMIT_SECONDS = 200
CASE_SECONDS = 150
LOOPBACK = '127.0.0.1'


def log(*args):
    print('#', *args, flush=True)


def enter_private_network():
    """Re-run this script in a new network namespace with only lo, up."""
    if os.environ.get('KIBITZ_INTEROP_NETNS') == '1':
        subprocess.run(['ip', 'link', 'set', 'lo', 'up'], check=True)
        return
    if shutil.which('unshare') is None or os.geteuid() != 0:
        print('1..0 # SKIP needs root and unshare for a private network namespace')
        sys.exit(0)
    env = dict(os.environ, KIBITZ_INTEROP_NETNS='1')
    result = subprocess.run(['unshare', '--net', '--', sys.executable] + sys.argv, env=env)
    sys.exit(result.returncode)


class Reports:
    """What the page POSTed: the latest status and, per remote name, the highest counts seen."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latest = {}
        self.best = {}
        self.shown = set()   # whose shared screen the page showed large, ever

    def add(self, status):
        with self.lock:
            self.latest = status
            if status.get('screenShown'):
                self.shown.add(status['screenShown'])
            for peer in status.get('peers', {}).values():
                best = self.best.setdefault(peer.get('name'), {})
                for key in ('framesDecoded', 'audioPackets', 'videoPackets', 'screenFramesDecoded'):
                    best[key] = max(best.get(key, 0), peer.get(key) or 0)
                if peer.get('connectionState') == 'connected':
                    best['connected'] = True
                    best['localAddress'] = peer.get('localAddress')
                    best['remoteAddress'] = peer.get('remoteAddress')

    def snapshot(self):
        with self.lock:
            return json.loads(json.dumps(self.latest)), json.loads(json.dumps(self.best))


def start_http(reports):
    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=WEB_DIR, **kwargs)

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
            try:
                reports.add(json.loads(body))
            except ValueError:
                pass
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer((LOOPBACK, 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def start_kibitz_server():
    process = subprocess.Popen([os.environ['KIBITZ_SERVER_BIN'], '--http', LOOPBACK + ':0',
                                '--secret', 'interop-secret', '--turn', LOOPBACK + ':0',
                                '--room-policy', 'open'],
                               stdout=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        parts = line.split()
        if len(parts) == 3 and parts[0] == 'listening' and parts[1] == 'http':
            return process, 'http://' + parts[2]
    process.kill()
    raise RuntimeError('kibitz-server did not print its http listener')


class PeerProcess:
    """A kibitz-peer whose stdout events and stderr lines are read as they come."""

    def __init__(self, server_url, room, name, extra=(), address=LOOPBACK):
        # A long --duration only bounds it: the test ends it with SIGTERM (it then
        # leaves and prints its summary) once everything was seen.
        argv = [os.environ['KIBITZ_PEER_BIN'], '--server', server_url, '--room', room, '--name', name,
                '--duration', str(PEER_LIMIT_SECONDS), '--ice-address', address,
                '--width', '320', '--height', '240'] + list(extra)
        self.name = name
        self.events = []
        self.errors = []
        self.lock = threading.Lock()
        self.process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        logs = os.environ.get('KIBITZ_INTEROP_LOGS')
        # KIBITZ_INTEROP_LOGS=DIR keeps each peer's whole stderr there, for a diagnosis.
        self.log_file = open(os.path.join(logs, '%s-%s.log' % (room, name)), 'w') if logs else None
        self.readers = [threading.Thread(target=self._read_events, daemon=True),
                        threading.Thread(target=self._read_errors, daemon=True)]
        for reader in self.readers:
            reader.start()

    def _read_events(self):
        for line in self.process.stdout:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            with self.lock:
                self.events.append(event)

    def _read_errors(self):
        for line in self.process.stderr:
            self.errors.append(line.rstrip('\n'))
            if self.log_file:
                self.log_file.write(line)

    def saw(self, event_name, peer_name):
        with self.lock:
            return any(e.get('event') == event_name and e.get('name') == peer_name for e in self.events)

    def finish(self):
        """SIGTERM, then the summary (None if it printed none) and the exit status."""
        if self.process.poll() is None:
            self.process.terminate()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for reader in self.readers:
            reader.join(timeout=10)
        if self.log_file:
            self.log_file.close()
        with self.lock:
            summaries = [e for e in self.events if e.get('event') == 'summary']
        return (summaries[-1] if summaries else None), self.process.returncode

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()

    def report_lines(self):
        """Its warnings and any sanitizer report, whole."""
        lines, inside = [], False
        for line in self.errors:
            if 'Sanitizer' in line or 'runtime error' in line:
                inside = True
            if inside or 'WARN' in line or 'rror' in line:
                lines.append(line)
        return lines[-200:]


def chromium_binary():
    for name in (os.environ.get('KIBITZ_CHROMIUM'), 'chromium', 'chromium-browser', 'google-chrome'):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


def start_chromium(binary, url, profile):
    argv = [binary, '--headless=new', '--no-sandbox', '--no-first-run', '--disable-gpu',
            '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
            '--disable-background-networking', '--allow-loopback-in-peer-connection',
            '--autoplay-policy=no-user-gesture-required',
            # Raw addresses, not mDNS names, in host candidates even without getUserMedia.
            '--disable-features=WebRtcHideLocalIpsWithMdns',
            '--user-data-dir=' + profile, url]
    # Its own process group, so the whole browser (zygote, renderers) ends with it.
    return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def stop_chromium(process):
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()


def wait_for(predicate, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    return False


def candidate_address(line):
    fields = line.split()
    return fields[4] if len(fields) > 4 else ''


def run_case(chromium, server_url, room, video, audio, screens=False):
    """Returns a list of failure sentences (empty when the case passed).

    With screens, First shares a test screen from the start and the browser
    shares a drawn one (the page's screen=test: headless Chromium has no
    screen to pick); every screen must reach everyone: the browser's through
    its offer to First and its answer to Second, First's into the page."""
    reports = Reports()
    web = start_http(reports)
    failures = []
    profile = tempfile.mkdtemp(prefix='kibitz-interop-')
    browser = None
    peers = {}
    summaries = {}
    try:
        url = ('http://%s:%d/kibitz-web.html?autojoin=1&server=%s&room=%s&name=Browser'
               '&video=%d&audio=%d&ice-address=%s&report=/report'
               % (LOOPBACK, web.server_address[1], server_url, room, video, audio, LOOPBACK))
        if screens:
            url += '&share=1&screen=test'
        peers['First'] = PeerProcess(server_url, room, 'First', ['--screen', 'test'] if screens else ())
        # The browser joins second, so it offers to First ('joined' has no name).
        wait_for(lambda: peers['First'].saw('joined', None), 60)
        browser = start_chromium(chromium, url, profile)
        if not wait_for(lambda: reports.snapshot()[0].get('id'), 60):
            failures.append('the browser did not join (no welcome in its reports)')
        peers['Second'] = PeerProcess(server_url, room, 'Second')

        def everything_seen():
            best = reports.snapshot()[1]
            for name, peer in peers.items():
                counts = best.get(name, {})
                if counts.get('framesDecoded', 0) <= 10 or counts.get('audioPackets', 0) <= 10:
                    return False
                if not peer.saw('first-frame' if video else 'connected', 'Browser'):
                    return False
                if screens and not peer.saw('first-screen-frame', 'Browser'):
                    return False
            if screens and best.get('First', {}).get('screenFramesDecoded', 0) <= 10:
                return False
            return True
        if wait_for(everything_seen, CASE_SECONDS):
            time.sleep(3)   # audio from the browser has no event of its own: let some flow
        else:
            failures.append('not every link showed media within %d s' % CASE_SECONDS)
        for name, peer in peers.items():
            summaries[name], status = peer.finish()
            if status != 0:
                failures.append('kibitz-peer %s exited with status %d' % (name, status))
        latest, best = reports.snapshot()
    finally:
        if browser:
            stop_chromium(browser)
        for peer in peers.values():
            peer.kill()
        web.shutdown()
        web.server_close()
        shutil.rmtree(profile, ignore_errors=True)

    for line in latest.get('log', []):
        log('page: %s' % line)
    log('browser status:', json.dumps({k: latest.get(k) for k in ('id', 'camera', 'microphone', 'errors', 'restarts', 'sharing', 'screenShown')}))
    if screens and reports.shown != {'First'}:
        failures.append('the page did not show First\'s screen large, and only it (it showed %s)'
                        % (sorted(reports.shown) or 'nothing'))
    if screens and not latest.get('sharing'):
        failures.append('the page is not sharing its screen')
    if latest.get('restarts'):
        # Not a failure (the protocol's recovery did its job), but worth a look.
        log('NOTE: links rebuilt after no connection for 30 s:', ', '.join(latest['restarts']))
    log('browser best counts:', json.dumps(best))
    for name, summary in summaries.items():
        if summary is None:
            failures.append('kibitz-peer %s printed no summary' % name)
            continue
        entry = next((p for p in summary['peers'] if p.get('name') == 'Browser'), None)
        log('%s saw the browser as' % name, json.dumps(entry))
        if entry is None:
            failures.append('kibitz-peer %s has no link to the browser' % name)
            continue
        if not entry.get('connected'):
            failures.append('kibitz-peer %s never connected to the browser: %s' % (name, entry.get('error')))
        if video and entry.get('frames_decoded', 0) <= 0:
            failures.append('kibitz-peer %s decoded no video from the browser' % name)
        if audio and entry.get('audio_packets', 0) <= 0:
            failures.append('kibitz-peer %s received no audio from the browser' % name)
        counts = best.get(name, {})
        if screens:
            if entry.get('screen_frames_decoded', 0) <= 0 or not entry.get('screen'):
                failures.append('kibitz-peer %s did not see the browser\'s shared screen' % name)
            if name == 'First' and counts.get('screenFramesDecoded', 0) <= 0:
                failures.append('the browser decoded no screen frames from First')
            if name == 'Second' and counts.get('screenFramesDecoded', 0) > 0:
                failures.append('the browser decoded screen frames from Second, who shares nothing')
        if counts.get('framesDecoded', 0) <= 0:
            failures.append('the browser decoded no video from %s' % name)
        if counts.get('audioPackets', 0) <= 0:
            failures.append('the browser received no audio from %s' % name)
    if failures:
        for name, peer in peers.items():
            for line in peer.report_lines():
                log('%s stderr: %s' % (name, line))
    if latest.get('errors'):
        failures.append('the page reported errors: %s' % '; '.join(latest['errors']))

    sent = latest.get('candidatesSent', [])
    received = latest.get('candidatesReceived', [])
    if not sent:
        failures.append('the browser sent no candidates')
    for line in sent + received:
        if candidate_address(line) != LOOPBACK:
            failures.append('a candidate off loopback went over signaling: %s' % line)
    for counts in best.values():
        for key in ('localAddress', 'remoteAddress'):
            if counts.get(key) not in (None, LOOPBACK):
                failures.append('the browser selected a pair off loopback: %s' % counts.get(key))
    log('candidates sent by the browser:', len(sent), 'received:', len(received),
        'dropped by its filter:', len(latest.get('candidatesDropped', [])))
    return failures


# The capped case: a download like a slow home line (a 16 kB queue in front of
# it, as bench/quality's tbf), and how long Chromium may take to find it.
CAP_KBIT = 200
SLOW_ADDRESS = '127.0.0.2'
ADAPT_SECONDS = 15
MEASURE_SECONDS = 20


def cap_download(kbit):
    """Only UDP to SLOW_ADDRESS goes through the slow class; signaling (TCP)
    and everyone else's media stay fast."""
    for cmd in (['qdisc', 'add', 'dev', 'lo', 'root', 'handle', '1:', 'htb', 'default', '10',
                 'r2q', '1000'],
                ['class', 'add', 'dev', 'lo', 'parent', '1:', 'classid', '1:10', 'htb',
                 'rate', '10gbit'],
                ['class', 'add', 'dev', 'lo', 'parent', '1:', 'classid', '1:20', 'htb',
                 'rate', '%dkbit' % kbit, 'ceil', '%dkbit' % kbit],
                ['qdisc', 'add', 'dev', 'lo', 'parent', '1:20', 'bfifo', 'limit', '16000'],
                ['filter', 'add', 'dev', 'lo', 'parent', '1:', 'protocol', 'ip', 'prio', '1',
                 'u32', 'match', 'ip', 'dst', SLOW_ADDRESS + '/32', 'match', 'ip', 'protocol',
                 '17', '0xff', 'flowid', '1:20']):
        subprocess.run(['tc'] + cmd, check=True)


def uncap():
    subprocess.run(['tc', 'qdisc', 'del', 'dev', 'lo', 'root'], check=False)


def stats_rows(path):
    rows = []
    try:
        with open(path) as f:
            for line in f:
                try:
                    rows.append(json.loads(line))
                except ValueError:
                    pass
    except OSError:
        pass
    return rows


def from_browser(row):
    return next((p for p in row['peers'] if p.get('name') == 'Browser'), None)


def run_capped_case(chromium, server_url, room):
    """The browser sends to Slow over a 500 kbit download. Slow must decode
    it at half the frame rate it had before the cap or better, with no freeze
    over 2 s once Chromium had ADAPT_SECONDS to adapt, and keep its sound."""
    reports = Reports()
    web = start_http(reports)
    failures = []
    profile = tempfile.mkdtemp(prefix='kibitz-interop-')
    stats = os.path.join(profile, 'slow.stats')
    browser = None
    slow = None
    try:
        url = ('http://%s:%d/kibitz-web.html?autojoin=1&server=%s&room=%s&name=Browser'
               '&video=1&audio=1&ice-address=%s&report=/report'
               % (LOOPBACK, web.server_address[1], server_url, room, LOOPBACK))
        slow = PeerProcess(server_url, room, 'Slow', ['--stats', stats], address=SLOW_ADDRESS)
        wait_for(lambda: slow.saw('joined', None), 60)
        browser = start_chromium(chromium, url, profile)
        if not wait_for(lambda: slow.saw('first-frame', 'Browser'), CASE_SECONDS):
            failures.append('Slow decoded no video from the browser within %d s' % CASE_SECONDS)
            return failures
        # Uncapped for a while: the frame rate to hold on to, and what the
        # browser sends when nothing holds it back.
        time.sleep(5)
        bytes_open = sum(p.get('bytesSent', 0) for p in reports.snapshot()[0].get('peers', {}).values())
        time.sleep(5)
        kbps_open = (sum(p.get('bytesSent', 0) for p in reports.snapshot()[0].get('peers', {}).values())
                     - bytes_open) * 8 / 1000 / 5
        before = [from_browser(r) for r in stats_rows(stats)[-6:]]
        before = [e for e in before if e]
        fps_before = (before[-1]['frames_decoded'] - before[0]['frames_decoded']) / max(len(before) - 1, 1)
        log('before the cap: Slow decodes the browser at %.1f fps; it sends %.0f kbps'
            % (fps_before, kbps_open))
        cap_download(CAP_KBIT)
        time.sleep(ADAPT_SECONDS)
        start = len(stats_rows(stats))
        bytes_at_start = sum(p.get('bytesSent', 0) for p in reports.snapshot()[0].get('peers', {}).values())
        time.sleep(MEASURE_SECONDS)
        rows = [from_browser(r) for r in stats_rows(stats)[start:]]
        rows = [e for e in rows if e]
        bytes_at_end = sum(p.get('bytesSent', 0) for p in reports.snapshot()[0].get('peers', {}).values())
        if len(rows) < MEASURE_SECONDS // 2:
            failures.append('Slow wrote %d stats rows in %d s' % (len(rows), MEASURE_SECONDS))
            return failures
        seconds = len(rows) - 1
        fps = (rows[-1]['frames_decoded'] - rows[0]['frames_decoded']) / seconds
        audio = (rows[-1]['audio_packets'] - rows[0]['audio_packets']) / seconds
        freeze = max(e.get('freeze_ms', 0) for e in rows[1:]) / 1000.0
        kbps = (bytes_at_end - bytes_at_start) * 8 / 1000 / MEASURE_SECONDS
        log('over a %d kbit download: %.1f fps (%.0f%% of %.1f), longest freeze %.1f s, '
            '%.0f audio packets/s, %dx%d; the browser sent %.0f kbps'
            % (CAP_KBIT, fps, 100 * fps / max(fps_before, 0.1), fps_before, freeze, audio,
               rows[-1].get('received_width', 0), rows[-1].get('received_height', 0), kbps))
        if fps_before < 10:
            failures.append('Slow decoded the browser at only %.1f fps before the cap' % fps_before)
        if fps < 0.5 * fps_before:
            failures.append('over the capped download Slow decoded the browser at %.1f fps, '
                            'less than half of %.1f before: Chromium did not adapt'
                            % (fps, fps_before))
        if freeze > 2.0:
            failures.append('the browser\'s video froze at Slow for %.1f s over the capped download'
                            % freeze)
        if audio < 0.9 * 50:
            failures.append('Slow received %.0f of the browser\'s 50 audio packets/s' % audio)
    finally:
        uncap()
        if browser:
            stop_chromium(browser)
        if slow:
            summary, status = slow.finish()
            if status != 0:
                failures.append('kibitz-peer Slow exited with status %d' % status)
            if failures:
                for line in slow.report_lines():
                    log('Slow stderr: %s' % line)
        web.shutdown()
        web.server_close()
        shutil.rmtree(profile, ignore_errors=True)
    return failures


def main():
    enter_private_network()
    chromium = chromium_binary()
    if chromium is None:
        print('1..0 # SKIP Chromium is not installed (apt install chromium)')
        return 0

    cases = [
        ('browser with camera and microphone', 'interop-av', 1, 1),
        ('browser without a camera (audio, video receive-only)', 'interop-audio', 0, 1),
        ('browser without camera or microphone (receive-only)', 'interop-recvonly', 0, 0),
        ('browser and kibitz-peer share screens', 'interop-screens', 1, 1, True),
        ('the browser\'s video adapts to a kibitz-peer on a slow download', 'interop-capped'),
    ]
    # KIBITZ_INTEROP_ONLY=interop-recvonly,interop-recvonly runs just those (to chase a flake).
    only = os.environ.get('KIBITZ_INTEROP_ONLY')
    if only:
        cases = [next(c for c in cases if c[1] == room) for room in only.split(',')]
    server, server_url = start_kibitz_server()
    status = 0
    print('1..%d' % len(cases), flush=True)
    try:
        for number, (title, room, *rest) in enumerate(cases, 1):
            started = time.monotonic()
            if rest:
                failures = run_case(chromium, server_url, '%s-%d' % (room, number), *rest)
            else:
                failures = run_capped_case(chromium, server_url, '%s-%d' % (room, number))
            log('%s took %.1f s' % (title, time.monotonic() - started))
            for failure in failures:
                log('FAILED:', failure)
            print('%s %d - %s' % ('not ok' if failures else 'ok', number, title), flush=True)
            if failures:
                status = 1
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    return status


if __name__ == '__main__':
    sys.exit(main())
