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
# on a pipe (--remote-debugging-pipe: no port to open). Each case checks what
# a parent sees (the page's card or banner, read from the DOM) and what went
# over the wire (the page's tracks and candidates, the teacher's events):
#   1. the invite link: the page joins as a student at once and decodes the
#      teacher's video; `mute all` turns its microphone off;
#   2. students may not unmute (`room unmute off`): the page unmuted before
#      keeps its microphone and can still switch its camera (no `forbidden`);
#      after `mute all` its microphone control is disabled with the reason in
#      sight, a tap does not turn the track on and the teacher sees no unmute;
#      `room unmute on` and `off` again: the control and the banner follow;
#   3. the shared board (protocol.md §5, chessground): the teacher's game
#      shows with its pieces, moves and sentence; a pupil cannot move until
#      made a mover, then plays Bc4 with two taps; arrows and navigation
#      reach the page;
#   4. the same link with a tampered code: the page waits ("invite-invalid"),
#      and `admit all` lets it in, muted (students still may not unmute);
#   5. a mangled link: 404 and the page's "not complete" card;
#   6. denied: another tampered link waits and the teacher `deny`s it;
#   7. locked: after `lock on` a valid invite gets the locked card;
#   8. removed: `remove` shows the removed card; the page does not come back;
#   9. `end`: the ended card (the removed page stays removed);
#   10. relay-only: a second server with --student-relay-only: the page uses
#      relay candidates only and the teacher decodes its video (--stats).
# After a card that ends the call (6-8) the page must not reconnect.
# Screenshots at 390x844 (and 1280x800 for some) go to $KIBITZ_SCREENSHOT_DIR
# if set, else a temporary directory (its path is printed). TAP; a TAP skip
# without Chromium.

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


def start_kibitz_server(state_dir, extra=()):
    process = subprocess.Popen([os.environ['KIBITZ_SERVER_BIN'], '--room-policy', 'teacher',
                                '--state-dir', state_dir, '--http', LOOPBACK + ':0',
                                '--turn', LOOPBACK + ':0', '--allow-peer', '127.0.0.0/8'] + list(extra),
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


def stop_process(process):
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def teacher_token(state_dir):
    result = subprocess.run([os.environ['KIBITZ_SERVER_BIN'], 'teacher-token', '--name', 'T',
                             '--state-dir', state_dir],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, timeout=30, check=True)
    return result.stdout.splitlines()[0].strip()


class Teacher:
    """kibitz-peer with a teacher key; commands on stdin, JSON events on stdout."""

    def __init__(self, server_url, room, key, stats=None):
        argv = [os.environ['KIBITZ_PEER_BIN'], '--server', server_url, '--room', room, '--name', 'Teacher',
                '--teacher-token', key, '--ice-address', LOOPBACK, '--duration', str(PEER_LIMIT_SECONDS),
                '--width', '320', '--height', '240']
        if stats:
            argv += ['--stats', stats]
        self.stats_path = stats
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

    def find(self, name, since=0, where=lambda event: True):
        """The latest `name` event from the mark `since` on that `where` accepts."""
        with self.lock:
            return next((e for e in reversed(self.events[since:]) if e.get('event') == name and where(e)), None)

    def mark(self):
        with self.lock:
            return len(self.events)

    def stats_of(self, name):
        """The latest --stats line's entry for the participant called `name`."""
        try:
            with open(self.stats_path) as stats:
                lines = stats.read().splitlines()
        except OSError:
            return {}
        for line in reversed(lines):
            try:
                peers = json.loads(line).get('peers', [])
            except ValueError:
                continue   # a line being written
            return next((p for p in peers if p.get('name') == name), {})
        return {}

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def state_of(self, peer_id, since=0):
        """The latest announced state of peer_id the teacher printed after `since`."""
        return self.find('state', since, lambda e: e.get('id') == peer_id)


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
        page = Page(self, session, target)
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
    def __init__(self, browser, session, target):
        self.browser = browser
        self.session = session
        self.target = target

    def close(self):
        self.browser.call('Target.closeTarget', {'targetId': self.target})

    def click(self, element_id):
        """A parent's tap: a mouse press and release at the element's middle
        (a disabled button ignores it, as it would a finger)."""
        self.browser.call('Page.bringToFront', session=self.session)
        x, y = self.evaluate('(() => { const r = document.getElementById(%s).getBoundingClientRect();'
                             ' return [r.x + r.width / 2, r.y + r.height / 2]; })()' % json.dumps(element_id))
        for kind in ('mousePressed', 'mouseReleased'):
            self.browser.call('Input.dispatchMouseEvent', {'type': kind, 'x': x, 'y': y, 'button': 'left',
                                                           'clickCount': 1}, session=self.session)

    def card(self):
        """The card a parent sees: its title, its sentence, its buttons."""
        return self.evaluate('''(() => {
            const shown = (id) => document.getElementById(id).checkVisibility();
            const text = (id) => shown(id) ? document.getElementById(id).textContent : null;
            return { view: kibitzStatus().view, card: shown('notice'), call: shown('call'),
                     title: text('notice-title'), text: text('notice-text'),
                     action: text('notice-action'), cancel: shown('cancel') };
        })()''') or {}

    def words(self, key):
        """The page's own sentence for `key` in the language it shows."""
        return self.evaluate('t(%s)' % json.dumps(key))

    def expect_card(self, view, title, text, failures, action=None):
        """The card for `view` is what shows, with these sentences (keys of
        the page's STRINGS), and the call is gone."""
        if not wait_for(lambda: self.status().get('view') == view, 20):
            failures.append('the page shows %s, not %s' % (self.status().get('view'), view))
            return
        card = self.card()
        if not card.get('card') or card.get('call'):
            failures.append('%s: the card is not what shows: %s' % (view, card))
        for key, member in ((title, 'title'), (text, 'text')):
            if card.get(member) != self.words(key):
                failures.append('%s: the %s reads %r, not %r' % (view, member, card.get(member), self.words(key)))
        wanted = self.words(action) if action else None
        if card.get('action') != wanted:
            failures.append('%s: the main button is %r, not %r' % (view, card.get('action'), wanted))
        if card.get('cancel'):
            failures.append('%s: still offers Cancel' % view)

    def expect_no_reconnect(self, what, teacher, since, failures):
        """After a card that ends the call: no socket, no second knock."""
        time.sleep(1.5)   # the first reconnect would come after 250-500 ms
        if self.evaluate('state.ws !== null'):
            failures.append('%s: the page still has a WebSocket' % what)
        if any('reconnecting' in line for line in self.status().get('log', [])):
            failures.append('%s: the page tried to reconnect' % what)
        name = self.status().get('name')
        if teacher.find('knock', since, lambda e: e.get('peer', {}).get('name') == name):
            failures.append('%s: knocked again' % what)
        if teacher.find('peer-joined', since, lambda e: e.get('name') == name):
            failures.append('%s: joined again' % what)

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


TITLES = [
    'invite link: a student at once, video from the teacher, muted',
    'students may not unmute: the microphone stays off, the camera still switches',
    'the shared board: the teacher\'s game shows, a mover plays by clicking, arrows and navigation follow',
    'tampered invite: the waiting room, then admitted, muted',
    'a mangled link: 404 and a friendly card',
    'denied: a tampered link waits, the teacher turns it away',
    'locked: a valid invite meets the locked card',
    'removed: the removed card, and the page does not come back',
    'end: the class is over on every page still in it',
    'relay-only: relay candidates only, and the teacher decodes the page',
]

# The microphone as a parent sees it and as it goes out: the control, the
# sentences about it (the reason only if on screen and not under anything),
# our track and what every connection sends.
MICROPHONE = """(() => {
    const mic = document.getElementById('mic');
    const shown = (id) => document.getElementById(id).checkVisibility() ? document.getElementById(id).textContent : null;
    const inSight = (id) => {
        const box = document.getElementById(id).getBoundingClientRect();
        return box.height > 0 && box.top >= 0 && box.bottom <= innerHeight &&
               [box.top + 1, box.bottom - 1].every((y) =>
                   document.elementFromPoint(box.x + box.width / 2, y) === document.getElementById(id));
    };
    const track = localTrack('audio');
    const senders = [...state.peers.values()].flatMap((p) => p.pc.getSenders())
                                             .filter((s) => s.track && s.track.kind === 'audio');
    return { micOn: state.micOn, track: track ? track.enabled : null,
             sending: senders.map((s) => s.track.enabled), disabled: mic.disabled,
             label: mic.querySelector('.label').textContent, note: shown('mic-note'), noteInSight: inSight('mic-note'),
             banner: shown('banner') };
})()"""


def page_url(url, lang='en'):
    return url + '?ice-address=%s&lang=%s' % (LOOPBACK, lang)


def join_as(page, name):
    page.evaluate('document.getElementById("name").value = %s; document.getElementById("join").click(); true'
                  % json.dumps(name))


def has_line(page, text):
    return any(text in line for line in page.status().get('log', []))


def expect_muted(page, what, failures, note):
    """Off everywhere, the control disabled and the reason under it."""
    mic = page.evaluate(MICROPHONE) or {}
    if mic.get('micOn') or mic.get('track') is not False or any(mic.get('sending', [True])):
        failures.append('%s: the microphone is not off: %s' % (what, mic))
    if not mic.get('disabled'):
        failures.append('%s: the microphone control can be turned on: %s' % (what, mic))
    if mic.get('note') != page.words('unmuteNotAllowed'):
        failures.append('%s: the reason by the control reads %r' % (what, mic.get('note')))
    elif not mic.get('noteInSight'):
        failures.append('%s: the reason by the control is out of sight' % what)
    if note and mic.get('banner') != page.words(note):
        failures.append('%s: the banner reads %r, not %r' % (what, mic.get('banner'), page.words(note)))


def case_invite(browser, teacher, invite, shots):
    failures = []
    status, headers = http_status(invite['url'])
    if status != 200 or not headers.get('Content-Type', '').startswith('text/html'):
        failures.append('GET %s answered %s %s' % (invite['url'], status, headers.get('Content-Type')))
    if 'no-store' not in headers.get('Cache-Control', ''):
        failures.append('the page is cacheable')
    page = browser.open_page(page_url(invite['url']), PHONE)
    if not wait_for(lambda: page.evaluate('document.getElementById("preview").videoWidth > 0'), 20):
        failures.append('the camera preview did not start')
    page.screenshot(shots, 'prejoin', PHONE)
    page.screenshot(shots, 'prejoin', LAPTOP)
    join_as(page, 'Parent')
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
    return page, failures


def case_no_unmute(page, teacher, shots):
    """`room unmute off`, then `mute all`: the page muted (case 1) may
    unmute first; then it keeps its microphone until muted, and after that
    cannot turn it on; it never asks the server for audio: true."""
    failures = []
    me = page.status().get('id')

    def teacher_sees(since, key, value):
        return wait_for(lambda: (teacher.state_of(me, since) or {}).get(key) is value, 10)

    since = teacher.mark()
    page.click('mic')
    if not teacher_sees(since, 'audio', True):
        failures.append('unmuting while students may unmute did not reach the teacher')
    teacher.command('room unmute off')
    if not wait_for(lambda: (page.status().get('roomState') or {}).get('students_may_unmute') is False, 10):
        failures.append('the page did not learn that students may not unmute')
    # Its microphone is still on (only muting turns it off), and the camera
    # switch still works: its state must not ask for audio the server refuses.
    for video in (False, True):
        since = teacher.mark()
        page.click('cam')
        if not teacher_sees(since, 'video', video):
            failures.append('turning the camera %s did not reach the teacher' % ('on' if video else 'off'))
    mic = page.evaluate(MICROPHONE) or {}
    if not (mic.get('micOn') and mic.get('track') and mic.get('sending') and all(mic['sending'])) or mic.get('disabled'):
        failures.append('the microphone that was on did not stay on, with Mute usable: %s' % mic)
    if has_line(page, 'forbidden'):
        failures.append('the page asked for something students may not do')

    since = teacher.mark()
    teacher.command('mute all')
    if not wait_for(lambda: page.status().get('mutedBy') and page.status().get('micOn') is False, 10):
        failures.append('mute all did not turn the microphone off')
    if not teacher_sees(since, 'audio', False):
        failures.append('the teacher does not see the page muted')
    expect_muted(page, 'muted, may not unmute', failures, 'mutedByTeacher')
    # The parent taps the microphone anyway.
    since = teacher.mark()
    page.click('mic')
    time.sleep(1)
    expect_muted(page, 'after a tap on the microphone', failures, 'mutedByTeacher')
    if teacher.find('state', since, lambda e: e.get('id') == me and e.get('audio')):
        failures.append('the teacher sees the page unmuted')
    if has_line(page, 'forbidden'):
        failures.append('the page asked to unmute and the server refused')
    page.screenshot(shots, 'no-unmute', PHONE)
    # Allowed again, and then not: the control and the sentences follow.
    teacher.command('room unmute on')
    if not wait_for(lambda: (page.evaluate(MICROPHONE) or {}).get('disabled') is False, 10):
        failures.append('room unmute on did not enable the microphone control')
    mic = page.evaluate(MICROPHONE) or {}
    if mic.get('micOn') or mic.get('note') is not None or mic.get('banner') != page.words('mutedMayUnmute'):
        failures.append('students may unmute again, but the page shows %s' % mic)
    teacher.command('room unmute off')
    if not wait_for(lambda: (page.evaluate(MICROPHONE) or {}).get('disabled') is True, 10):
        failures.append('room unmute off did not disable the microphone control again')
    expect_muted(page, 'students may not unmute again', failures, 'mutedByTeacher')
    return failures


# The board as a pupil sees it: the panel, the pieces chessground drew, the
# sentence under the board, the move list, the arrows drawn.
BOARD = """(() => {
    const panel = document.getElementById('board-panel');
    return { shown: panel.checkVisibility(),
             pieces: document.querySelectorAll('#board cg-board piece').length,
             info: document.getElementById('board-info').textContent,
             moves: [...document.querySelectorAll('#board-moves button')].map((b) => b.textContent),
             current: document.querySelector('#board-moves button[aria-current]')?.textContent ?? null,
             arrows: document.querySelectorAll('#board svg.cg-shapes g line, #board svg.cg-shapes line').length,
             fen: document.getElementById('board-fen').value,
             fenReadOnly: document.getElementById('board-fen').readOnly,
             setUpShown: document.getElementById('board-set').checkVisibility() };
})()"""

# The team's own pieces: the white king's picture, as the page's style sheet
# names it and as the server serves it.
PIECES = """(async () => {
    const king = document.querySelector('#board piece.king.white');
    const image = king ? getComputedStyle(king).backgroundImage : '';
    const url = (image.match(/url\\("?([^")]*)"?\\)/) || [])[1];
    if (!url)
        return { image };
    const answer = await fetch(url);
    const body = await answer.text();
    return { image, status: answer.status, type: answer.headers.get('Content-Type'), svg: body.includes('<svg') };
})()"""

# Save game (PGN), as a click on it: the download it starts is caught (the
# blob it links to read back; the page's CSP lets no fetch read blob: URLs)
# instead of going to a file.
SAVED_PGN = """(async () => {
    let caught = null, blob = null;
    const click = HTMLAnchorElement.prototype.click;
    const create = URL.createObjectURL;
    HTMLAnchorElement.prototype.click = function () { caught = { href: this.href, name: this.download }; };
    URL.createObjectURL = (object) => { blob = object; return create.call(URL, object); };
    try { document.getElementById('board-save').click(); }
    finally { HTMLAnchorElement.prototype.click = click; URL.createObjectURL = create; }
    if (!caught || !blob)
        return { caught, blob: blob !== null };
    return { name: caught.name, type: blob.type, text: await blob.text() };
})()"""

BC4_FEN = 'r1bqkbnr/pppp1ppp/2n5/4p3/2B1P3/5N2/PPPP1PPP/RNBQK2R b KQkq - 3 3'


def click_square(page, square):
    """A tap on a square of the board (white at the bottom)."""
    left, top, size = page.evaluate('(() => { const r = document.querySelector("#board cg-board")'
                                    '.getBoundingClientRect(); return [r.x, r.y, r.width]; })()')
    file, rank = ord(square[0]) - ord('a'), int(square[1])
    x = left + (file + 0.5) * size / 8
    y = top + (8 - rank + 0.5) * size / 8
    for kind in ('mousePressed', 'mouseReleased'):
        page.browser.call('Input.dispatchMouseEvent', {'type': kind, 'x': x, 'y': y, 'button': 'left',
                                                       'clickCount': 1}, session=page.session)
        time.sleep(0.05)


def case_board(page, teacher, shots):
    """protocol.md §5 from a browser: the teacher sets a game; the page
    shows it; a pupil who may not move cannot; made a mover, the pupil plays
    Bc4 with two taps and everyone's board has it; the teacher's arrow and
    navigation reach the page."""
    failures = []
    me = page.status().get('id')
    page.browser.call('Page.bringToFront', session=page.session)
    page.resize(LAPTOP)

    since = teacher.mark()
    teacher.command('board pgn 1. e4 e5 2. Nf3 Nc6')
    if not wait_for(lambda: teacher.find('board', since, lambda e: len(e.get('moves', [])) == 4), 10):
        failures.append('the teacher\'s game was not set')
    if not wait_for(lambda: (page.evaluate(BOARD) or {}).get('moves', [])[-1:] == ['Nc6'], 15):
        failures.append('the page does not show the game: %s' % page.evaluate(BOARD))
    board = page.evaluate(BOARD) or {}
    if not board.get('shown') or board.get('pieces') != 32:
        failures.append('the board panel is not shown with 32 pieces: %s' % board)
    if board.get('moves') != ['Start', '1. e4', 'e5', '2. Nf3', 'Nc6'] or not board.get('info', '').startswith('After 2... Nc6'):
        failures.append('the move list or the sentence is wrong: %s' % board)
    if 'You may move' in board.get('info', '') or 'Your teacher chooses who moves.' not in board.get('info', ''):
        failures.append('a pupil who is not a mover is not told the teacher chooses: %s' % board.get('info'))

    # Not a mover: two taps move nothing.
    since = teacher.mark()
    click_square(page, 'f1')
    click_square(page, 'c4')
    time.sleep(1.5)
    if teacher.find('board', since):
        failures.append('a pupil who may not move changed the board')

    teacher.command('board movers %s' % me)
    if not wait_for(lambda: 'You may move' in (page.evaluate(BOARD) or {}).get('info', ''), 10):
        failures.append('made a mover, the page does not say so: %s' % page.evaluate(BOARD))
    since = teacher.mark()
    click_square(page, 'f1')
    click_square(page, 'c4')
    if not wait_for(lambda: teacher.find('board', since, lambda e: e.get('moves', [])[-1:] == ['Bc4']), 10):
        failures.append('the pupil\'s taps did not play Bc4: %s' % page.evaluate(BOARD))
    if not wait_for(lambda: (page.evaluate(BOARD) or {}).get('moves', [])[-1:] == ['3. Bc4'], 10):
        failures.append('the page does not show its own move: %s' % page.evaluate(BOARD))

    # The pieces are the team's drawings, served by kibitz-server.
    pieces = page.evaluate(PIECES) or {}
    if 'piece-white-king.svg' not in pieces.get('image', '') or pieces.get('status') != 200 or \
            pieces.get('type') != 'image/svg+xml' or not pieces.get('svg'):
        failures.append('the white king is not the team\'s drawing from the server: %s' % pieces)
    # The position as FEN, read-only for a pupil; Save game gives the PGN.
    board = page.evaluate(BOARD) or {}
    if board.get('fen') != BC4_FEN or not board.get('fenReadOnly') or board.get('setUpShown'):
        failures.append('the FEN field is wrong for a pupil: %s' % board)
    saved = page.evaluate(SAVED_PGN) or {}
    if saved.get('name') != 'game.pgn' or '1. e4 e5 2. Nf3 Nc6 3. Bc4' not in saved.get('text', ''):
        failures.append('Save game did not give the game as PGN: %s' % saved)

    teacher.command('board shapes [{"from":"g8","to":"f6","color":"green"},{"square":"f7","color":"red"}]')
    if not wait_for(lambda: (page.evaluate(BOARD) or {}).get('arrows', 0) >= 1, 10):
        failures.append('the teacher\'s arrow does not show: %s' % page.evaluate(BOARD))
    page.screenshot(shots, 'board', LAPTOP)
    page.screenshot(shots, 'board', PHONE)

    teacher.command('board view 2')
    if not wait_for(lambda: (page.evaluate(BOARD) or {}).get('current') == 'e5', 10):
        failures.append('the teacher\'s navigation does not reach the page: %s' % page.evaluate(BOARD))
    elif 'Showing move 2 of 5' not in (page.evaluate(BOARD) or {}).get('info', ''):
        failures.append('the page does not say which move it shows: %s' % page.evaluate(BOARD))
    if has_line(page, 'forbidden') or has_line(page, 'illegal-move'):
        failures.append('the page sent a request the server refused')
    teacher.command('board movers')

    # A game that ended in mate is said with how it ended.
    teacher.command('board pgn 1. f3 e5 2. g4 Qh4#')
    if not wait_for(lambda: 'Checkmate: Black wins (0-1).' in (page.evaluate(BOARD) or {}).get('info', ''), 10):
        failures.append('the page does not say the mate: %s' % page.evaluate(BOARD))
    return failures


def case_tampered(browser, teacher, url, shots):
    failures = []
    since = teacher.mark()
    page = browser.open_page(page_url(url), PHONE)
    join_as(page, 'Stranger')
    if not wait_for(lambda: page.status().get('view') == 'waiting', 30):
        failures.append('the tampered link did not wait: %s' % page.status().get('view'))
    if page.status().get('waitingReason') != 'invite-invalid':
        failures.append('waiting reason %s' % page.status().get('waitingReason'))
    if not wait_for(lambda: teacher.find('knock', since), 10):
        failures.append('the teacher saw no knock')
    page.screenshot(shots, 'waiting', PHONE)
    page.screenshot(shots, 'waiting', LAPTOP)
    teacher.command('admit all')
    if not wait_for(lambda: page.status().get('view') == 'call', 30):
        failures.append('admit all did not let the page in')
        return page, failures
    if page.status().get('role') != 'student':
        failures.append('admitted with role %s' % page.status().get('role'))
    # Students still may not unmute (case 2): it comes in muted.
    me = page.status().get('id')
    if not wait_for(lambda: (teacher.state_of(me, since) or {}).get('audio') is False, 10):
        failures.append('the teacher does not see the admitted page muted')
    expect_muted(page, 'admitted while students may not unmute', failures, None)
    page.screenshot(shots, 'admitted-muted', PHONE)
    return page, failures


def case_mangled(browser, base, code, shots):
    failures = []
    broken = '%s/j/%s' % (base, code.split('.')[0])
    status, _ = http_status(broken)
    if status != 404:
        failures.append('a mangled link answered %s' % status)
    page = browser.open_page(broken + '?lang=pl', PHONE)
    if not wait_for(lambda: page.status().get('view') == 'bad-link', 15):
        failures.append('the mangled link shows %s' % page.status().get('view'))
    page.screenshot(shots, 'bad-link-pl', PHONE)
    page.close()
    return failures


def case_denied(browser, teacher, url, shots):
    failures = []
    since = teacher.mark()
    page = browser.open_page(page_url(url), PHONE)
    join_as(page, 'Neighbour')
    if not wait_for(lambda: page.status().get('view') == 'waiting', 30):
        failures.append('the tampered link did not wait: %s' % page.status().get('view'))
    card = page.card()
    if card.get('title') != page.words('waitingTitle') or page.words('waitingInvalid') not in (card.get('text') or ''):
        failures.append('the waiting card does not say the link is not valid: %s' % card)
    knock = None
    if wait_for(lambda: teacher.find('knock', since, lambda e: e.get('peer', {}).get('name') == 'Neighbour'), 10):
        knock = teacher.find('knock', since, lambda e: e.get('peer', {}).get('name') == 'Neighbour')
    if not knock:
        failures.append('the teacher saw no knock')
        return page, failures
    since = teacher.mark()
    teacher.command('deny %s' % knock['peer']['id'])
    page.expect_card('denied', 'deniedTitle', 'deniedText', failures)
    page.screenshot(shots, 'denied', PHONE)
    page.expect_no_reconnect('the denied page', teacher, since, failures)
    return page, failures


def case_locked(browser, teacher, invite, watcher, shots):
    failures = []
    teacher.command('lock on')
    if not wait_for(lambda: (watcher.status().get('roomState') or {}).get('locked') is True, 10):
        failures.append('the class did not lock')
    since = teacher.mark()
    page = browser.open_page(page_url(invite['url'], 'pl'), PHONE)
    join_as(page, 'Ola')
    page.expect_card('room-locked', 'lockedTitle', 'lockedText', failures, action='tryAgain')
    page.screenshot(shots, 'locked-pl', PHONE)
    page.expect_no_reconnect('the locked-out page', teacher, since, failures)
    teacher.command('lock off')
    return page, failures


def case_removed(page, teacher, watcher, shots):
    failures = []
    me = page.status().get('id')
    since = teacher.mark()
    teacher.command('remove %s' % me)
    page.expect_card('removed', 'removedTitle', 'removedText', failures)
    page.screenshot(shots, 'removed', PHONE)
    if not wait_for(lambda: teacher.find('peer-left', since, lambda e: e.get('id') == me), 10):
        failures.append('the teacher did not see the removed page leave')
    if not wait_for(lambda: me not in watcher.status().get('peers', {}), 10):
        failures.append('the other page still has a link with the removed one')
    page.expect_no_reconnect('the removed page', teacher, since, failures)
    return failures


def case_end(teacher, page, removed, shots):
    failures = []
    teacher.command('end')
    page.expect_card('ended', 'endedTitle', 'endedText', failures)
    page.screenshot(shots, 'ended', PHONE)
    if removed.status().get('view') != 'removed':
        failures.append('the removed page shows %s' % removed.status().get('view'))
    for name, p in (('invited page', page), ('admitted page', removed)):
        st = p.status()
        check_loopback(st, name, failures)
        for line in st.get('log', [])[-12:]:
            log('%s: %s' % (name, line))
    return failures


def case_relay_only(browser, cleanup):
    """A server with --student-relay-only: the page's connections are
    relay-only, and its video still reaches the teacher through the relay."""
    failures = []
    state_dir = tempfile.mkdtemp(prefix='kibitz-invite-relay-')
    cleanup.append(lambda: shutil.rmtree(state_dir, ignore_errors=True))
    server, base = start_kibitz_server(state_dir, ['--student-relay-only'])
    cleanup.append(lambda: stop_process(server))
    teacher = Teacher(base, 'Relay class', teacher_token(state_dir), os.path.join(state_dir, 'teacher-stats'))
    cleanup.append(teacher.stop)
    teacher.command('invite 600')
    if not wait_for(lambda: teacher.find('invite'), 60):
        raise RuntimeError('the relay-only teacher got no invite')
    page = browser.open_page(page_url(teacher.find('invite')['url']), PHONE)
    join_as(page, 'Parent')
    if not wait_for(lambda: page.status().get('view') == 'call', 30):
        failures.append('the page was not admitted: %s' % page.status().get('view'))
        return failures
    st = page.status()
    me = st.get('id')
    if not st.get('relayOnly'):
        failures.append('the page did not take ice_transport_policy relay from the welcome')

    def via_relay():
        return any(p.get('name') == 'Teacher' and p.get('localCandidate') == 'relay' and
                   (p.get('framesDecoded') or 0) > 10 for p in page.status().get('peers', {}).values())
    if not wait_for(via_relay, 60):
        failures.append('no video from the teacher over a relay pair: %s' % page.status().get('peers'))
    policies = page.evaluate('[...state.peers.values()].map((p) => p.pc.getConfiguration().iceTransportPolicy)')
    if not policies or any(policy != 'relay' for policy in policies):
        failures.append('connections with iceTransportPolicy %s' % policies)
    if not wait_for(lambda: (teacher.stats_of('Parent').get('frames_decoded') or 0) > 10, 30):
        failures.append('the teacher decoded no video from the page: %s' % teacher.stats_of('Parent'))
    connected = teacher.find('connected', 0, lambda e: e.get('id') == me)
    if not connected or connected.get('remote_candidate') != 'relay':
        failures.append("the teacher's link with the page is not through the relay: %s" % connected)
    st = page.status()
    sent = st.get('candidatesSent', [])
    if not sent or any(' typ relay' not in line for line in sent):
        failures.append('the page sent other candidates than relay ones: %s' % sent)
    if any(' typ relay' not in line for line in st.get('candidatesDropped', [])):
        failures.append('the page gathered other candidates than relay ones: %s' % st.get('candidatesDropped'))
    check_loopback(st, 'relay-only page', failures)
    return failures


def run(chromium, shots, results):
    """Appends (title, failures) per case as it ends."""
    cleanup = []   # run backwards at the end, whatever happens
    try:
        state_dir = tempfile.mkdtemp(prefix='kibitz-invite-state-')
        cleanup.append(lambda: shutil.rmtree(state_dir, ignore_errors=True))
        profile = tempfile.mkdtemp(prefix='kibitz-invite-profile-')
        cleanup.append(lambda: shutil.rmtree(profile, ignore_errors=True))
        server, base = start_kibitz_server(state_dir)
        cleanup.append(lambda: stop_process(server))
        teacher = Teacher(base, 'Chess 101', teacher_token(state_dir))
        cleanup.append(teacher.stop)
        if not wait_for(lambda: teacher.find('joined'), 60):
            raise RuntimeError('the teacher did not join')
        teacher.command('invite 600')
        if not wait_for(lambda: teacher.find('invite'), 30):
            raise RuntimeError('the teacher got no invite')
        invite = teacher.find('invite')
        log('invite url:', invite['url'])
        code = invite['code']
        tampered = invite['url'].replace(code, code[:-1] + ('0' if code[-1] != '0' else '1'))
        browser = Browser(chromium, profile)
        cleanup.append(browser.stop)

        page, failures = case_invite(browser, teacher, invite, shots)
        results.append((TITLES[0], failures))
        results.append((TITLES[1], case_no_unmute(page, teacher, shots)))
        results.append((TITLES[2], case_board(page, teacher, shots)))
        page2, failures = case_tampered(browser, teacher, tampered, shots)
        results.append((TITLES[3], failures))
        results.append((TITLES[4], case_mangled(browser, base, code, shots)))
        denied, failures = case_denied(browser, teacher, tampered, shots)
        results.append((TITLES[5], failures))
        denied.close()
        locked, failures = case_locked(browser, teacher, invite, page, shots)
        results.append((TITLES[6], failures))
        locked.close()
        results.append((TITLES[7], case_removed(page2, teacher, page, shots)))
        results.append((TITLES[8], case_end(teacher, page, page2, shots)))
        # This class is over: free the two cores for the next.
        for p in (page, page2):
            p.close()
        teacher.stop()
        stop_process(server)
        results.append((TITLES[9], case_relay_only(browser, cleanup)))
    finally:
        for step in reversed(cleanup):
            step()
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
    print('1..%d' % len(TITLES), flush=True)
    results = []
    try:
        run(chromium, shots, results)
    except (RuntimeError, OSError, ValueError) as error:
        results.append(('stopped by an error', ['%s' % error]))
    status = 0
    for number in range(1, len(TITLES) + 1):
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
