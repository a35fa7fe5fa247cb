#!/usr/bin/env python3
# test-invite-page.py: the page behind an invite link (protocol.md §4), served
# by kibitz-server itself at /j/<code>, in a real headless Chromium.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Network isolation as in test-browser.py: the script re-executes itself under
# `unshare --net` (only `lo`), the page is told to send only 127.0.0.1
# candidates, and the test checks every candidate that went either way.
#
# One kibitz-server in `teacher` policy, one teacher (kibitz-peer with a key,
# driven through its stdin), one Chromium driven through the DevTools protocol
# on a pipe (--remote-debugging-pipe: no port to open). Cases:
#   1. the invite link: the page joins as a student at once and decodes the
#      teacher's video; `mute all` turns its microphone off;
#   2. the same link with a tampered code: the page waits ("invite-invalid"),
#      and `admit all` lets it in;
#   3. a mangled link: 404 and the page's "not complete" card;
#   4. `end`: both pages show the ended card.
# Screenshots at 390x844 and 1280x800 go to $KIBITZ_SCREENSHOT_DIR if set,
# else a temporary directory (its path is printed). TAP; a TAP skip without
# Chromium.

import base64
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

LOOPBACK = '127.0.0.1'
PEER_LIMIT_SECONDS = 240
PHONE = (390, 844)
LAPTOP = (1280, 800)


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


def chromium_binary():
    for name in (os.environ.get('KIBITZ_CHROMIUM'), 'chromium', 'chromium-browser', 'google-chrome'):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


def wait_for(predicate, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    return False


def start_kibitz_server(state_dir):
    process = subprocess.Popen([os.environ['KIBITZ_SERVER_BIN'], '--room-policy', 'teacher',
                                '--state-dir', state_dir, '--http', LOOPBACK + ':0',
                                '--turn', LOOPBACK + ':0', '--allow-peer', '127.0.0.0/8'],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        parts = line.split()
        if len(parts) == 3 and parts[0] == 'listening' and parts[1] == 'http':
            # Keep reading, so the server never blocks on a full pipe.
            threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()
            return process, 'http://' + parts[2]
    process.kill()
    process.wait()
    raise RuntimeError('kibitz-server did not print its http listener')


def teacher_token(state_dir):
    result = subprocess.run([os.environ['KIBITZ_SERVER_BIN'], 'teacher-token', '--name', 'T',
                             '--state-dir', state_dir],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, timeout=30, check=True)
    return result.stdout.splitlines()[0].strip()


class Teacher:
    """kibitz-peer with a teacher key; commands on stdin, JSON events on stdout."""

    def __init__(self, server_url, room, key):
        argv = [os.environ['KIBITZ_PEER_BIN'], '--server', server_url, '--room', room, '--name', 'Teacher',
                '--teacher-token', key, '--ice-address', LOOPBACK, '--duration', str(PEER_LIMIT_SECONDS),
                '--width', '320', '--height', '240']
        self.events = []
        self.lock = threading.Lock()
        self.process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, text=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            with self.lock:
                self.events.append(event)

    def command(self, line):
        log('teacher <', line)
        self.process.stdin.write(line + '\n')
        self.process.stdin.flush()

    def find(self, name):
        with self.lock:
            return next((e for e in reversed(self.events) if e.get('event') == name), None)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Browser:
    """Headless Chromium driven over --remote-debugging-pipe (fd 3 in, fd 4 out)."""

    def __init__(self, binary, profile):
        to_browser_r, self.to_browser = os.pipe()
        self.from_browser, from_browser_w = os.pipe()
        args = ['--headless=new', '--no-sandbox', '--no-first-run', '--disable-gpu',
                '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
                '--disable-background-networking', '--allow-loopback-in-peer-connection',
                '--autoplay-policy=no-user-gesture-required',
                '--disable-features=WebRtcHideLocalIpsWithMdns',
                '--hide-scrollbars', '--remote-debugging-pipe',
                '--user-data-dir=' + profile, 'about:blank']
        # The shell puts the pipes where Chromium looks for them.
        self.process = subprocess.Popen(
            ['sh', '-c', 'exec "$0" "$@" 3<&%d 4>&%d' % (to_browser_r, from_browser_w), binary] + args,
            pass_fds=(to_browser_r, from_browser_w), stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self.next_id = 0
        self.replies = {}
        self.cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        buffer = b''
        while True:
            chunk = os.read(self.from_browser, 65536)
            if not chunk:
                break
            buffer += chunk
            while b'\0' in buffer:
                raw, buffer = buffer.split(b'\0', 1)
                message = json.loads(raw)
                if 'id' in message:
                    with self.cond:
                        self.replies[message['id']] = message
                        self.cond.notify_all()

    def call(self, method, params=None, session=None, timeout=30):
        with self.cond:
            self.next_id += 1
            number = self.next_id
        message = {'id': number, 'method': method, 'params': params or {}}
        if session:
            message['sessionId'] = session
        os.write(self.to_browser, json.dumps(message).encode() + b'\0')
        with self.cond:
            if not self.cond.wait_for(lambda: number in self.replies, timeout):
                raise RuntimeError('DevTools did not answer %s' % method)
            reply = self.replies.pop(number)
        if 'error' in reply:
            raise RuntimeError('%s: %s' % (method, reply['error']))
        return reply.get('result', {})

    def open_page(self, url, size):
        target = self.call('Target.createTarget', {'url': 'about:blank'})['targetId']
        session = self.call('Target.attachToTarget', {'targetId': target, 'flatten': True})['sessionId']
        page = Page(self, session)
        page.resize(size)
        self.call('Page.enable', session=session)
        self.call('Page.navigate', {'url': url}, session=session)
        if not wait_for(lambda: page.evaluate('location.href !== "about:blank" && document.readyState === "complete"'
                                              ' && !!window.kibitzStatus'), 20):
            raise RuntimeError('%s did not load' % url)
        return page

    def stop(self):
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait()
        os.close(self.to_browser)


class Page:
    def __init__(self, browser, session):
        self.browser = browser
        self.session = session

    def resize(self, size):
        width, height = size
        self.browser.call('Emulation.setDeviceMetricsOverride',
                          {'width': width, 'height': height, 'deviceScaleFactor': 1,
                           'mobile': width < 600}, session=self.session)

    def evaluate(self, expression):
        result = self.browser.call('Runtime.evaluate', {'expression': expression, 'returnByValue': True,
                                                        'awaitPromise': True}, session=self.session)
        return result.get('result', {}).get('value')

    def status(self):
        """The page's report (window.kibitzStatus(), what it POSTs with ?report=)."""
        try:
            return json.loads(self.evaluate('window.kibitzStatus ? JSON.stringify(window.kibitzStatus()) : "{}"'))
        except (RuntimeError, TypeError, ValueError):
            return {}

    def screenshot(self, directory, name, size):
        # A background tab paints no frames, and a screenshot waits for one.
        self.browser.call('Page.bringToFront', session=self.session)
        self.resize(size)
        time.sleep(0.7)   # a layout and a few video frames at the new size
        data = self.browser.call('Page.captureScreenshot', {'format': 'png'}, session=self.session)['data']
        path = os.path.join(directory, '%s-%dx%d.png' % (name, size[0], size[1]))
        with open(path, 'wb') as out:
            out.write(base64.b64decode(data))
        log('screenshot', path)
        return path


def http_status(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.headers


def candidate_address(line):
    fields = line.split()
    return fields[4] if len(fields) > 4 else ''


def check_loopback(status, what, failures):
    for line in status.get('candidatesSent', []) + status.get('candidatesReceived', []):
        if candidate_address(line) != LOOPBACK:
            failures.append('%s: a candidate off loopback went over signaling: %s' % (what, line))
    for peer in status.get('peers', {}).values():
        for key in ('localAddress', 'remoteAddress'):
            if peer.get(key) not in (None, LOOPBACK):
                failures.append('%s: selected a pair off loopback: %s' % (what, peer.get(key)))
    if status.get('errors'):
        failures.append('%s reported errors: %s' % (what, '; '.join(status['errors'])))


def run(chromium, shots, results):
    """Appends (title, failures) per case as it ends."""
    state_dir = tempfile.mkdtemp(prefix='kibitz-invite-state-')
    profile = tempfile.mkdtemp(prefix='kibitz-invite-profile-')
    server = teacher = browser = None
    try:
        server, base = start_kibitz_server(state_dir)
        teacher = Teacher(base, 'Chess 101', teacher_token(state_dir))
        if not wait_for(lambda: teacher.find('joined'), 60):
            raise RuntimeError('the teacher did not join')
        teacher.command('invite 600')
        if not wait_for(lambda: teacher.find('invite'), 30):
            raise RuntimeError('the teacher got no invite')
        invite = teacher.find('invite')
        log('invite url:', invite['url'])
        browser = Browser(chromium, profile)

        # 1. The link as a parent gets it.
        failures = []
        status, headers = http_status(invite['url'])
        if status != 200 or not headers.get('Content-Type', '').startswith('text/html'):
            failures.append('GET %s answered %s %s' % (invite['url'], status, headers.get('Content-Type')))
        if 'no-store' not in headers.get('Cache-Control', ''):
            failures.append('the page is cacheable')
        page = browser.open_page(invite['url'] + '?ice-address=%s&lang=en' % LOOPBACK, PHONE)
        if not wait_for(lambda: page.evaluate('document.getElementById("preview").videoWidth > 0'), 20):
            failures.append('the camera preview did not start')
        page.screenshot(shots, 'prejoin', PHONE)
        page.screenshot(shots, 'prejoin', LAPTOP)
        page.evaluate('document.getElementById("name").value = "Parent"; document.getElementById("join").click(); true')
        if not wait_for(lambda: page.status().get('view') == 'call', 30):
            failures.append('the page was not admitted: %s' % page.status().get('view'))
        st = page.status()
        if st.get('role') != 'student':
            failures.append('role %s, not student' % st.get('role'))

        def teacher_video():
            peers = page.status().get('peers', {}).values()
            return any(p.get('name') == 'Teacher' and (p.get('framesDecoded') or 0) > 10 for p in peers)
        if not wait_for(teacher_video, 90):
            failures.append("the page decoded no video from the teacher")
        page.screenshot(shots, 'call', LAPTOP)
        page.screenshot(shots, 'call', PHONE)
        teacher.command('mute all')
        if not wait_for(lambda: page.status().get('mutedBy') and page.status().get('micOn') is False, 20):
            failures.append('mute all did not turn the microphone off')
        page.screenshot(shots, 'muted', PHONE)
        results.append(('invite link: a student at once, video from the teacher, muted', failures))

        # 2. A tampered code: same room, broken signature: the waiting room.
        failures = []
        code = invite['code']
        tampered = code[:-1] + ('0' if code[-1] != '0' else '1')
        url2 = invite['url'].replace(code, tampered)
        page2 = browser.open_page(url2 + '?ice-address=%s&lang=en' % LOOPBACK, PHONE)
        page2.evaluate('document.getElementById("name").value = "Stranger"; document.getElementById("join").click(); true')
        if not wait_for(lambda: page2.status().get('view') == 'waiting', 30):
            failures.append('the tampered link did not wait: %s' % page2.status().get('view'))
        if page2.status().get('waitingReason') != 'invite-invalid':
            failures.append('waiting reason %s' % page2.status().get('waitingReason'))
        if not wait_for(lambda: teacher.find('knock'), 10):
            failures.append('the teacher saw no knock')
        page2.screenshot(shots, 'waiting', PHONE)
        page2.screenshot(shots, 'waiting', LAPTOP)
        teacher.command('admit all')
        if not wait_for(lambda: page2.status().get('view') == 'call', 30):
            failures.append('admit all did not let the page in')
        elif page2.status().get('role') != 'student':
            failures.append('admitted with role %s' % page2.status().get('role'))
        results.append(('tampered invite: the waiting room, then admitted', failures))

        # 3. A link cut off in a text message.
        failures = []
        broken = '%s/j/%s' % (base, code.split('.')[0])
        status, _ = http_status(broken)
        if status != 404:
            failures.append('a mangled link answered %s' % status)
        page3 = browser.open_page(broken + '?lang=pl', PHONE)
        if not wait_for(lambda: page3.status().get('view') == 'bad-link', 15):
            failures.append('the mangled link shows %s' % page3.status().get('view'))
        page3.screenshot(shots, 'bad-link-pl', PHONE)
        results.append(('a mangled link: 404 and a friendly card', failures))

        # 4. The end of the class.
        failures = []
        teacher.command('end')
        for name, p in (('invited page', page), ('admitted page', page2)):
            if not wait_for(lambda: p.status().get('view') == 'ended', 20):
                failures.append('%s shows %s, not ended' % (name, p.status().get('view')))
        page.screenshot(shots, 'ended', PHONE)
        for name, p in (('invited page', page), ('admitted page', page2)):
            st = p.status()
            check_loopback(st, name, failures)
            for line in st.get('log', [])[-12:]:
                log('%s: %s' % (name, line))
        results.append(('end: the class is over on every page', failures))
    finally:
        if browser:
            browser.stop()
        if teacher:
            teacher.stop()
        if server:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        shutil.rmtree(profile, ignore_errors=True)
        shutil.rmtree(state_dir, ignore_errors=True)
    return results


def main():
    enter_private_network()
    chromium = chromium_binary()
    if chromium is None:
        print('1..0 # SKIP Chromium is not installed (apt install chromium)')
        return 0
    shots = os.environ.get('KIBITZ_SCREENSHOT_DIR') or tempfile.mkdtemp(prefix='kibitz-invite-shots-')
    os.makedirs(shots, exist_ok=True)
    log('screenshots in', shots)
    print('1..4', flush=True)
    results = []
    try:
        run(chromium, shots, results)
    except (RuntimeError, OSError, ValueError) as error:
        results.append(('stopped by an error', ['%s' % error]))
    status = 0
    for number in range(1, 5):
        if number <= len(results):
            title, failures = results[number - 1]
        else:
            title, failures = 'not reached', ['an earlier case stopped the test']
        for failure in failures:
            log('FAILED:', failure)
        print('%s %d - %s' % ('not ok' if failures else 'ok', number, title), flush=True)
        if failures:
            status = 1
    return status


if __name__ == '__main__':
    sys.exit(main())
