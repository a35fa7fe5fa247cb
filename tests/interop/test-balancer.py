#!/usr/bin/env python3
# test-balancer.py: two kibitz-servers behind Debian's nginx, as
# docs/deploy.md sections 5 B and 11 describe them ("Rooms across servers").
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# nginx runs from a temporary directory of its own (configuration, pid file,
# logs and temporary paths; `nginx -p DIR -c DIR/nginx.conf -e DIR/error.log
# -g 'daemon off;'`), listening on 127.0.0.1 only, with
#     upstream kibitz { hash $arg_room consistent; server A; server B; }
# and the WebSocket and X-Forwarded-* headers of section 5 B. Both servers
# share one --secret, trust nginx (--trusted-proxy 127.0.0.1) and publish
# nginx's address (--public-url), in the default `teacher` room policy, with
# --turn none (section 11: the relay does not go through the balancer; on
# loopback nobody needs one). A system nginx is never used nor touched.
# As root the script re-executes itself in a private network namespace (only
# `lo`); otherwise everything still binds to 127.0.0.1 alone.
#
# Cases (TAP):
#   1. one class through nginx: a teacher (kibitz-peer with a teacher key), a
#      pupil with the teacher's invite link, a pupil who types the room name
#      differently (" maths 7B " for "Maths 7b", admitted from the waiting room),
#      the invite page /j/<code> in headless Chromium and the GTK app under
#      xvfb-run ("MATHS 7B", admitted): all in, all on one server (each
#      server's own /metrics), video decoded by every kibitz-peer from the
#      others, the page in the call; `end` leaves no room anywhere. The page
#      and the app are left out, with a note, without Chromium or
#      xvfb-run/KIBITZ_APP_BIN.
#   2. 16 classes (a teacher and an admitted pupil each, plain WebSocket
#      clients through nginx): every server gets classes, each class's two
#      members meet on one server (the pupil's welcome lists the teacher; the
#      servers' /metrics; nginx's own access log of upstreams).
#   3. one teacher key, made once, makes a teacher on server A and on server B
#      (directly); a revoked key (revoke-token, the file copied to the other
#      server's state directory as docs/deploy.md says) and a forged one get
#      `bad-token` on both, and wait.
#   4. an invite made on server A is honoured by server B (directly): the
#      pupil joins as a student; a tampered code waits, "invite-invalid".
#
# Environment: KIBITZ_SERVER_BIN, KIBITZ_PEER_BIN (required), KIBITZ_APP_BIN
# (optional), KIBITZ_NGINX (optional, default: nginx on PATH or
# /usr/sbin/nginx), KIBITZ_CHROMIUM (optional).

import base64
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
import urllib.error
import urllib.parse
import urllib.request

LOOPBACK = '127.0.0.1'
PEER_LIMIT_SECONDS = 200          # kibitz-peers end by themselves after this
N_CLASSES = 16                    # case 2; all on one of two servers: ~2**-15
CLASS_ROOM = 'Maths 7b'

# Processes started in a session of their own (Chromium, xvfb-run and what it
# runs): killed by process group, also from the SIGTERM handler.
SESSIONS = []


def log(*args):
    print('#', *args, flush=True)


# Each case has a time budget (CASES); every wait ends with it, so that a case
# that goes wrong leaves time to the others and the TAP lines come out before
# meson's timeout (300 s) whatever hangs.
budget_end = [float('inf')]


def until(seconds):
    return min(time.monotonic() + seconds, budget_end[0])


def wait_for(predicate, seconds, step=0.25):
    deadline = until(seconds)
    while True:
        if predicate():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(step)


def enter_private_network():
    """As root: re-run this script in a network namespace with only lo."""
    if os.environ.get('KIBITZ_INTEROP_NETNS') == '1':
        subprocess.run(['ip', 'link', 'set', 'lo', 'up'], check=True)
        return True
    if shutil.which('unshare') is None or shutil.which('ip') is None or os.geteuid() != 0:
        return False
    env = dict(os.environ, KIBITZ_INTEROP_NETNS='1')
    child = subprocess.Popen(['unshare', '--net', '--', sys.executable] + sys.argv, env=env)

    def forward(signum, frame):
        # (meson signals the whole process group, a lone `kill` only us.)
        child.send_signal(signum)
    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    sys.exit(child.wait())


def find_nginx():
    for name in (os.environ.get('KIBITZ_NGINX'), 'nginx', '/usr/sbin/nginx'):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


def chromium_binary():
    for name in (os.environ.get('KIBITZ_CHROMIUM'), 'chromium', 'chromium-browser', 'google-chrome'):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


def free_port():
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def room_key(name):
    """The room's normalized form, as Kibitz clients put it in ?room= (the
    server's rule: NFKC, case folding, NFKC; docs/deploy.md section 11)."""
    return unicodedata.normalize('NFKC', unicodedata.normalize('NFKC', name.strip()).casefold())


def room_query(name):
    # g_uri_escape_string (key, NULL, FALSE): everything but A-Z a-z 0-9 - . _ ~
    return urllib.parse.quote(room_key(name), safe='')


def stop_process(process, seconds=10):
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def stop_session(process, seconds=10):
    """A process started with start_new_session, and everything in its group."""
    if process is None:
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        try:
            process.wait(timeout=seconds)
            # The leader is gone; make sure its group is too.
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            break
        except subprocess.TimeoutExpired:
            continue
    if process.poll() is None:
        process.wait()
    if process in SESSIONS:
        SESSIONS.remove(process)


def group_members(pgid):
    """[(pid, command name)] of the processes in process group pgid."""
    members = []
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % entry) as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(')') + 2:].split()
        if int(fields[2]) == pgid:
            members.append((int(entry), stat[stat.index('(') + 1:stat.rindex(')')]))
    return members


def stop_app(process, binary, seconds=15):
    """The app first, so that xvfb-run stops its Xvfb and removes its files
    as it does when the command ends; then whatever is left of the group."""
    for pid, name in group_members(process.pid):
        if name == os.path.basename(binary)[:15]:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        pass
    stop_session(process)


def on_sigterm(signum, frame):
    # meson's timeout: SIGTERM to our process group, SIGKILL half a second
    # later. Our own sessions are not in that group: take them down first.
    for process in list(SESSIONS):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    raise SystemExit(143)


def tail(path, lines=15):
    try:
        with open(path, errors='replace') as f:
            return f.read().splitlines()[-lines:]
    except OSError:
        return []


# --- kibitz-server and nginx ------------------------------------------------

class Server:
    def __init__(self, name, work, secret, public_url):
        self.name = name
        self.state_dir = os.path.join(work, 'state-' + name)
        os.makedirs(self.state_dir)
        self.log_path = os.path.join(work, 'server-%s.log' % name)
        self.log_file = open(self.log_path, 'w')
        self.process = subprocess.Popen(
            [os.environ['KIBITZ_SERVER_BIN'], '--secret', secret, '--state-dir', self.state_dir,
             '--http', LOOPBACK + ':0', '--turn', 'none', '--trusted-proxy', LOOPBACK,
             '--public-url', public_url],
            stdout=subprocess.PIPE, stderr=self.log_file, text=True)
        self.address = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            parts = line.split()
            if len(parts) == 3 and parts[0] == 'listening' and parts[1] == 'http':
                self.address = parts[2]
                break
        if self.address is None:
            stop_process(self.process)
            raise RuntimeError('kibitz-server %s did not print its http listener: %s'
                               % (name, ' | '.join(tail(self.log_path, 5))))
        # Keep reading, so the server never blocks on a full pipe.
        threading.Thread(target=lambda: [None for _ in self.process.stdout], daemon=True).start()
        self.host, port = self.address.rsplit(':', 1)
        self.port = int(port)

    def metrics(self):
        """Its own /metrics, straight from the server (not through nginx)."""
        with urllib.request.urlopen('http://%s/metrics' % self.address, timeout=10) as response:
            text = response.read().decode()
        values = {}
        for line in text.splitlines():
            m = re.match(r'^(kibitz_\w+) (\d+)$', line)
            if m:
                values[m.group(1)] = int(m.group(2))
        return values

    def stop(self):
        stop_process(self.process)
        self.log_file.close()


NGINX_CONF = '''\
# test-balancer.py: docs/deploy.md sections 5 B and 11, on loopback, without TLS.
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log info;

events {{
    worker_connections 512;
}}

http {{
    log_format rooms '$request_uri room=$arg_room upstream=$upstream_addr status=$status';
    access_log {dir}/access.log rooms;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;

    upstream kibitz {{
        hash $arg_room consistent;
        server {a};
        server {b};
    }}

    server {{
        listen {listen};
        server_name {host};

        location / {{
            proxy_pass http://kibitz;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_read_timeout 60s;
        }}

        location /metrics {{
            allow 127.0.0.1;
            deny all;
            proxy_pass http://kibitz;
        }}
    }}
}}
'''


class Nginx:
    def __init__(self, binary, work, port, servers):
        self.dir = os.path.join(work, 'nginx')
        os.makedirs(self.dir)
        # As root the workers run as nobody: they must reach their temporary
        # directories (nginx makes those itself, theirs), nothing else.
        os.chmod(work, 0o711)
        os.chmod(self.dir, 0o711)
        self.port = port
        self.base = 'http://%s:%d' % (LOOPBACK, port)
        conf = os.path.join(self.dir, 'nginx.conf')
        with open(conf, 'w') as f:
            f.write(NGINX_CONF.format(dir=self.dir, listen='%s:%d' % (LOOPBACK, port), host=LOOPBACK,
                                      a=servers[0].address, b=servers[1].address))
        self.error_log = os.path.join(self.dir, 'error.log')
        self.access_log = os.path.join(self.dir, 'access.log')
        check = subprocess.run([binary, '-t', '-p', self.dir + '/', '-c', conf, '-e', self.error_log],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=30)
        if check.returncode != 0:
            raise RuntimeError('nginx -t: %s' % check.stdout.strip())
        self.process = subprocess.Popen([binary, '-p', self.dir + '/', '-c', conf, '-e', self.error_log,
                                         '-g', 'daemon off;'],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def up():
            if self.process.poll() is not None:
                raise RuntimeError('nginx exited: %s' % ' | '.join(tail(self.error_log, 5)))
            try:
                with urllib.request.urlopen(self.base + '/healthz', timeout=5) as response:
                    return response.status == 200
            except (OSError, urllib.error.URLError):
                return False
        if not wait_for(up, 15):
            raise RuntimeError('nginx does not answer on %s' % self.base)

    def log_size(self):
        try:
            return os.path.getsize(self.access_log)
        except OSError:
            return 0

    def websockets(self, since=0):
        """[(?room= exactly as nginx hashed it, upstream)] of the WebSockets
        nginx has finished with (one is logged when it closes), from byte
        `since` of the access log on."""
        found = []
        try:
            with open(self.access_log, 'rb') as f:
                f.seek(since)
                for line in f.read().decode(errors='replace').splitlines():
                    m = re.match(r'^/v1/ws\?\S* room=(\S*) upstream=(\S+) status=(\d+)', line)
                    if m:
                        found.append((m.group(1), m.group(2)))
        except OSError:
            pass
        return found

    def stop(self):
        stop_process(self.process)


# --- A plain WebSocket client, standard library only ------------------------

class WsClient:
    """protocol.md over RFC 6455: JSON text frames; answers pings; keeps every
    message it got (self.messages) for wait()."""

    def __init__(self, address, path, timeout=10):
        host, port = address.rsplit(':', 1)
        self.sock = socket.create_connection((host, int(port)), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(('GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n'
                           'Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n'
                           % (path, address, key)).encode())
        head = b''
        while b'\r\n\r\n' not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise RuntimeError('%s closed the WebSocket handshake' % address)
            head += chunk
            if len(head) > 65536:
                raise RuntimeError('%s sent an endless handshake' % address)
        head, self.buf = head.split(b'\r\n\r\n', 1)
        lines = head.decode('latin-1').split('\r\n')
        if ' 101 ' not in lines[0] + ' ':
            raise RuntimeError('%s%s: no WebSocket upgrade: %s' % (address, path, lines[0]))
        accept = base64.b64encode(hashlib.sha1((key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11')
                                               .encode()).digest()).decode()
        if not any(l.lower().startswith('sec-websocket-accept:') and l.split(':', 1)[1].strip() == accept
                   for l in lines[1:]):
            raise RuntimeError('%s: a wrong Sec-WebSocket-Accept' % address)
        self.sock.settimeout(None)
        self.send_lock = threading.Lock()
        self.cond = threading.Condition()
        self.messages = []
        self.closed = False
        threading.Thread(target=self._read_loop, daemon=True).start()

    def _frame(self, opcode, data):
        mask = os.urandom(4)
        n = len(data)
        if n < 126:
            header = struct.pack('!BB', 0x80 | opcode, 0x80 | n)
        elif n < 65536:
            header = struct.pack('!BBH', 0x80 | opcode, 0x80 | 126, n)
        else:
            header = struct.pack('!BBQ', 0x80 | opcode, 0x80 | 127, n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        with self.send_lock:
            self.sock.sendall(header + mask + masked)

    def send(self, message):
        self._frame(0x1, json.dumps(message).encode())

    def _read(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def _read_loop(self):
        fragments = b''
        try:
            while True:
                b0, b1 = self._read(2)
                length = b1 & 0x7F
                if length == 126:
                    length = struct.unpack('!H', self._read(2))[0]
                elif length == 127:
                    length = struct.unpack('!Q', self._read(8))[0]
                payload = self._read(length)
                opcode = b0 & 0x0F
                if opcode == 0x9:
                    self._frame(0xA, payload)
                elif opcode == 0x8:
                    break
                elif opcode in (0x1, 0x0):
                    fragments += payload
                    if b0 & 0x80:
                        message = json.loads(fragments.decode())
                        fragments = b''
                        with self.cond:
                            self.messages.append(message)
                            self.cond.notify_all()
        except (OSError, EOFError, ValueError):
            pass
        with self.cond:
            self.closed = True
            self.cond.notify_all()

    def wait(self, predicate, seconds):
        """The first message (old or new) that predicate accepts, or None."""
        deadline = until(seconds)
        with self.cond:
            while True:
                for message in self.messages:
                    if predicate(message):
                        return message
                left = deadline - time.monotonic()
                if self.closed or left <= 0:
                    return None
                self.cond.wait(left)

    def wait_type(self, types, seconds):
        if isinstance(types, str):
            types = (types,)
        return self.wait(lambda m: m.get('type') in types, seconds)

    def close(self):
        try:
            self.send({'type': 'leave'})
        except OSError:
            pass
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


def ws_join(address, room, name, teacher=None, invite=None):
    join = {'type': 'join', 'room': room, 'name': name}
    if teacher:
        join['teacher'] = teacher
    if invite:
        join['invite'] = invite
    client = WsClient(address, '/v1/ws?room=' + room_query(room))
    client.send(join)
    return client


# --- kibitz-peer ------------------------------------------------------------

class Peer:
    """kibitz-peer; commands on stdin, JSON events on stdout, --stats file."""

    def __init__(self, work, server_url, name, room=None, teacher=None, invite=None):
        self.name = name
        self.stats_path = os.path.join(work, 'stats-%s.jsonl' % name)
        self.log_path = os.path.join(work, 'peer-%s.log' % name)
        argv = [os.environ['KIBITZ_PEER_BIN'], '--server', server_url, '--name', name,
                '--ice-address', LOOPBACK, '--duration', str(PEER_LIMIT_SECONDS),
                '--width', '320', '--height', '240', '--stats', self.stats_path]
        if room:
            argv += ['--room', room]
        if teacher:
            argv += ['--teacher-token', teacher]
        if invite:
            argv += ['--invite', invite]
        self.events = []
        self.lock = threading.Lock()
        self.log_file = open(self.log_path, 'w')
        self.process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=self.log_file, text=True)
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
        log('%s < %s' % (self.name, line))
        self.process.stdin.write(line + '\n')
        self.process.stdin.flush()

    def find(self, name, predicate=lambda e: True):
        with self.lock:
            return next((e for e in self.events if e.get('event') == name and predicate(e)), None)

    def stats(self):
        """{remote name: its entry} from the last line of the --stats file."""
        try:
            with open(self.stats_path) as f:
                lines = f.read().splitlines()
        except OSError:
            return {}
        for line in reversed(lines):
            try:
                return {p.get('name'): p for p in json.loads(line).get('peers', [])}
            except ValueError:
                continue
        return {}

    def frames_from(self, name):
        return (self.stats().get(name) or {}).get('frames_decoded') or 0

    def stop(self):
        if self.process.poll() is None:
            try:
                self.process.stdin.close()
            except OSError:
                pass
            self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log_file.close()


# --- The invite page in headless Chromium (as in test-invite-page.py) -------

class Browser:
    """Headless Chromium driven over --remote-debugging-pipe (fd 3 in, fd 4 out)."""

    def __init__(self, binary, profile, log_file):
        to_browser_r, self.to_browser = os.pipe()
        self.from_browser, from_browser_w = os.pipe()
        args = ['--headless=new', '--no-sandbox', '--no-first-run', '--disable-gpu',
                '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
                '--disable-background-networking', '--allow-loopback-in-peer-connection',
                '--autoplay-policy=no-user-gesture-required',
                '--disable-features=WebRtcHideLocalIpsWithMdns',
                '--hide-scrollbars', '--remote-debugging-pipe',
                '--user-data-dir=' + profile, 'about:blank']
        # bash, not sh: dash takes only one-digit descriptors, and ours are
        # not that low here.
        self.process = subprocess.Popen(
            ['bash', '-c', 'exec "$0" "$@" 3<&%d 4>&%d' % (to_browser_r, from_browser_w), binary] + args,
            pass_fds=(to_browser_r, from_browser_w), stdout=subprocess.DEVNULL,
            stderr=log_file, start_new_session=True)
        SESSIONS.append(self.process)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self.next_id = 0
        self.replies = {}
        self.cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        buffer = b''
        while True:
            try:
                chunk = os.read(self.from_browser, 65536)
            except OSError:
                break
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

    def open_page(self, url):
        target = self.call('Target.createTarget', {'url': 'about:blank'})['targetId']
        session = self.call('Target.attachToTarget', {'targetId': target, 'flatten': True})['sessionId']
        page = Page(self, session)
        self.call('Emulation.setDeviceMetricsOverride',
                  {'width': 640, 'height': 480, 'deviceScaleFactor': 1, 'mobile': False}, session=session)
        self.call('Page.enable', session=session)
        self.call('Page.navigate', {'url': url}, session=session)
        if not wait_for(lambda: page.evaluate('location.href !== "about:blank" && document.readyState === "complete"'
                                              ' && !!window.kibitzStatus'), 30):
            raise RuntimeError('%s did not load' % url)
        return page

    def stop(self):
        stop_session(self.process)
        os.close(self.to_browser)
        os.close(self.from_browser)


class Page:
    def __init__(self, browser, session):
        self.browser = browser
        self.session = session

    def evaluate(self, expression):
        result = self.browser.call('Runtime.evaluate', {'expression': expression, 'returnByValue': True,
                                                        'awaitPromise': True}, session=self.session)
        return result.get('result', {}).get('value')

    def status(self):
        try:
            return json.loads(self.evaluate('window.kibitzStatus ? JSON.stringify(window.kibitzStatus()) : "{}"'))
        except (RuntimeError, TypeError, ValueError):
            return {}

    def frames_from(self, name):
        peers = self.status().get('peers', {}).values()
        return max([p.get('framesDecoded') or 0 for p in peers if p.get('name') == name] or [0])


# --- The GTK app under xvfb-run ----------------------------------------------

def app_usable():
    binary = os.environ.get('KIBITZ_APP_BIN')
    if not binary or not os.access(binary, os.X_OK):
        return None, 'KIBITZ_APP_BIN is not set or not built'
    if shutil.which('xvfb-run') is None:
        return None, 'xvfb-run is not installed'
    return binary, None


def start_app(binary, work, server_url, room, name):
    log_path = os.path.join(work, 'app.log')
    argv = ['xvfb-run', '-a', '-s', '-screen 0 1024x768x24']
    # A session bus of its own: the app is a GApplication, and without a bus
    # GLib would try to autolaunch one that nobody stops.
    if shutil.which('dbus-run-session'):
        argv += ['dbus-run-session', '--']
    argv += [binary, '--server', server_url, '--room', room, '--name', name]
    log_file = open(log_path, 'w')
    process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT,
                               start_new_session=True)
    log_file.close()
    SESSIONS.append(process)
    return process, log_path


# --- The cases ----------------------------------------------------------------

def teacher_token(secret, name):
    result = subprocess.run([os.environ['KIBITZ_SERVER_BIN'], 'teacher-token', '--name', name,
                             '--secret', secret],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=30)
    if result.returncode != 0 or not result.stdout.strip():
        raise RuntimeError('teacher-token failed: %s' % result.stderr.strip())
    return result.stdout.splitlines()[0].strip()


def where(servers):
    """[(server, its metrics)] straight from each server."""
    return [(s, s.metrics()) for s in servers]


def case_one_class(ctx, failures, notes):
    """A class's members always meet on one server."""
    servers, nginx, work, token = ctx['servers'], ctx['nginx'], ctx['work'], ctx['token']
    peers = []
    browser = app = None
    log_start = nginx.log_size()
    members = 1
    try:
        # Clients are told the balancer's address, not a server's.
        with urllib.request.urlopen(nginx.base + '/v1/config', timeout=10) as response:
            signaling = json.loads(response.read()).get('signaling')
        if signaling != 'ws://%s:%d/v1/ws' % (LOOPBACK, nginx.port):
            failures.append('/v1/config through nginx publishes %s' % signaling)

        teacher = Peer(work, nginx.base, 'Teacher', room=CLASS_ROOM, teacher=token)
        peers.append(teacher)
        if not wait_for(lambda: teacher.find('joined') or teacher.process.poll() is not None, 60):
            raise RuntimeError('the teacher did not join through nginx')
        joined = teacher.find('joined')
        if joined is None:
            raise RuntimeError('the teacher exited: %s' % ' | '.join(tail(teacher.log_path, 5)))
        if joined.get('role') != 'teacher':
            failures.append('the teacher key gave role %s through nginx' % joined.get('role'))
        teacher.command('invite 600')
        if not wait_for(lambda: teacher.find('invite'), 30):
            raise RuntimeError('the teacher got no invite')
        link = teacher.find('invite')['url']
        log('invite link:', link)
        if not link.startswith(nginx.base + '/j/'):
            failures.append('the invite link %s is not on the public address %s' % (link, nginx.base))

        # The pupils: one follows the link, one types the room's name.
        invited = Peer(work, nginx.base, 'Invited', invite=link)
        typed = Peer(work, nginx.base, 'Typed', room=' maths 7B ')
        peers += [invited, typed]
        expected = {'Invited': 'student', 'Typed': 'student'}

        if wait_for(lambda: teacher.find('knock', lambda e: e.get('peer', {}).get('name') == 'Typed'), 45):
            teacher.command('admit all')
        else:
            failures.append('the teacher saw no knock from the pupil who typed " maths 7B "%s'
                            % (' (it waits elsewhere)' if typed.find('waiting') else ''))
        if not wait_for(lambda: typed.find('waiting'), 5):
            failures.append('the pupil without an invite did not wait first')

        # The invite page, in Chromium.
        page = None
        chromium = chromium_binary()
        if chromium is None:
            notes.append('the invite page is left out: Chromium is not installed')
        else:
            profile = os.path.join(work, 'chromium-profile')
            os.makedirs(profile)
            browser_log = os.path.join(work, 'chromium.log')
            with open(browser_log, 'w') as f:
                browser = Browser(chromium, profile, f)
            page = browser.open_page(link + '?ice-address=%s&lang=en' % LOOPBACK)
            page.evaluate('document.getElementById("name").value = "Page"; '
                          'document.getElementById("join").click(); true')
            expected['Page'] = 'student'

        # The app, which knocks.
        app_bin, why = app_usable()
        if app_bin is None:
            notes.append('the app is left out: %s' % why)
        else:
            app, app_log = start_app(app_bin, work, nginx.base, 'MATHS 7B', 'App')
            expected['App'] = 'student'
            if wait_for(lambda: teacher.find('knock', lambda e: e.get('peer', {}).get('name') == 'App')
                        or app.poll() is not None, 90) and app.poll() is None:
                teacher.command('admit all')
            else:
                failures.append('the teacher saw no knock from the app (%s): %s'
                                % ('exited %s' % app.returncode if app.poll() is not None else 'running',
                                   ' | '.join(tail(app_log, 8))))

        # Everyone in, as the teacher sees it.
        def in_class():
            return all(teacher.find('peer-joined', lambda e, n=n: e.get('name') == n) for n in expected)
        if not wait_for(in_class, 60):
            missing = [n for n in expected if not teacher.find('peer-joined', lambda e, n=n: e.get('name') == n)]
            failures.append('the teacher never saw %s join' % ', '.join(missing))
        for name, role in expected.items():
            event = teacher.find('peer-joined', lambda e, n=name: e.get('name') == n)
            if event and event.get('role') != role:
                failures.append('%s joined as %s, not %s' % (name, event.get('role'), role))
        for peer in (invited, typed):
            event = peer.find('joined')
            if event is None:
                failures.append('%s never got its welcome' % peer.name)
            elif event.get('role') != 'student':
                failures.append('%s got role %s' % (peer.name, event.get('role')))
        if invited.find('waiting'):
            failures.append('the pupil with the invite link had to wait: %s' % invited.find('waiting'))

        # One room, on one server: each server's own /metrics.
        members = 1 + len(expected)
        counts = where(servers)
        for server, m in counts:
            log('server %s: rooms %s, peers %s, waiting %s'
                % (server.name, m.get('kibitz_rooms'), m.get('kibitz_peers'), m.get('kibitz_waiting')))
        holding = [s for s, m in counts if m.get('kibitz_rooms', 0) > 0]
        if len(holding) != 1:
            failures.append('the class is on %d servers, not one' % len(holding))
        for server, m in counts:
            if server in holding:
                if m.get('kibitz_rooms') != 1 or m.get('kibitz_peers') != members:
                    failures.append('server %s holds %s rooms with %s peers, not 1 room with %d'
                                    % (server.name, m.get('kibitz_rooms'), m.get('kibitz_peers'), members))
            if m.get('kibitz_waiting', 0) != 0:
                failures.append('server %s still has %d clients waiting'
                                % (server.name, m['kibitz_waiting']))

        # Media: every kibitz-peer decodes the others' video; the teacher the
        # page's and the app's; the page the teacher's.
        kibitz_peers = [teacher, invited, typed]
        wanted = [(p, q.name) for p in kibitz_peers for q in kibitz_peers if p is not q]
        wanted += [(teacher, n) for n in ('Page', 'App') if n in expected]

        def flowing():
            ok = all(p.frames_from(n) >= 10 for p, n in wanted)
            return ok and (page is None or page.frames_from('Teacher') >= 10)
        if not wait_for(flowing, 90, step=1):
            for p, n in wanted:
                if p.frames_from(n) < 10:
                    failures.append('%s decoded %d frames from %s' % (p.name, p.frames_from(n), n))
            if page is not None and page.frames_from('Teacher') < 10:
                failures.append('the page decoded %d frames from the teacher' % page.frames_from('Teacher'))
        else:
            log('video decoded: ' + ', '.join('%s<-%s %d' % (p.name, n, p.frames_from(n)) for p, n in wanted))

        if page is not None:
            st = page.status()
            if st.get('view') != 'call' or st.get('role') != 'student':
                failures.append('the page shows %s (role %s), not the call as a student'
                                % (st.get('view'), st.get('role')))

        # The end of the class: nothing is left on either server.
        teacher.command('end')
        if page is not None and not wait_for(lambda: page.status().get('view') == 'ended', 20):
            failures.append('the page shows %s after the end' % page.status().get('view'))
        if not wait_for(lambda: all(m.get('kibitz_rooms') == 0 for _, m in where(servers)), 20, step=0.5):
            failures.append('rooms left after the end: %s'
                            % ', '.join('%s %s' % (s.name, m.get('kibitz_rooms')) for s, m in where(servers)))
    finally:
        if browser:
            browser.stop()
        if app:
            stop_app(app, app_bin)
        for p in peers:
            p.stop()
        if failures or sys.exc_info()[0] is not None:
            for p in peers:
                for line in tail(p.log_path, 6):
                    log('%s: %s' % (p.name, line))
            for name in ('chromium', 'app'):
                for line in tail(os.path.join(work, name + '.log'), 8):
                    log('%s: %s' % (name, line))

    # nginx's view: every member's WebSocket carried the same ?room=, byte
    # for byte (what the hash sees; a different spelling could land on the
    # right server by luck), and went to one server.
    wait_for(lambda: len(nginx.websockets(log_start)) >= members, 10)
    sockets = nginx.websockets(log_start)
    log('WebSockets of the class: %s' % ', '.join(sorted({'room=%s -> %s' % s for s in sockets})))
    if len(sockets) < members:
        failures.append('nginx logged %d WebSockets for %d members' % (len(sockets), members))
    if {room for room, _ in sockets} != {room_query(CLASS_ROOM)}:
        failures.append('the members sent different ?room=: %s' % sorted({room for room, _ in sockets}))
    if len({upstream for _, upstream in sockets}) != 1:
        failures.append('nginx sent the class to %s' % sorted({upstream for _, upstream in sockets}))


def case_many_classes(ctx, failures, notes):
    """Several classes spread over both servers, each on one."""
    servers, nginx, token = ctx['servers'], ctx['nginx'], ctx['token']
    public = '%s:%d' % (LOOPBACK, nginx.port)
    clients = []
    log_start = nginx.log_size()
    try:
        teachers = {}
        for i in range(1, N_CLASSES + 1):
            room = 'Class %d' % i
            teachers[room] = ws_join(public, room, 'Teacher %d' % i, teacher=token)
            clients.append(teachers[room])
        for room, t in teachers.items():
            welcome = t.wait_type(('welcome', 'error', 'waiting'), 20)
            if not welcome or welcome.get('type') != 'welcome' or welcome.get('role') != 'teacher':
                raise RuntimeError('the teacher of %s did not join: %s' % (room, welcome))
        pupils = {}
        for room in teachers:
            # The pupil types the name its own way: "CLASS 3" for "Class 3".
            pupils[room] = ws_join(public, room.upper(), 'Pupil ' + room.split()[1])
            clients.append(pupils[room])
        for room, p in pupils.items():
            t = teachers[room]
            waiting = p.wait_type(('waiting', 'welcome', 'error'), 20)
            if not waiting or waiting.get('type') != 'waiting':
                failures.append('the pupil of %s got %s, not waiting' % (room, waiting))
                continue
            knock = t.wait(lambda m: m.get('type') == 'knock' and m['peer']['id'] == waiting['id'], 20)
            if knock is None:
                failures.append('the teacher of %s heard no knock: the pupil waits on another server' % room)
                continue
            t.send({'type': 'admit', 'id': waiting['id']})
        for room, p in pupils.items():
            welcome = p.wait_type('welcome', 20)
            if welcome is None:
                if not any('%s' % room in f for f in failures):
                    failures.append('the pupil of %s was never let in' % room)
                continue
            ids = [x.get('id') for x in welcome.get('peers', [])]
            teacher_id = teachers[room].wait_type('welcome', 1)['id']
            if welcome.get('role') != 'student' or teacher_id not in ids:
                failures.append('the pupil of %s: role %s, peers %s (the teacher is %s)'
                                % (room, welcome.get('role'), ids, teacher_id))

        counts = where(servers)
        total = 0
        for server, m in counts:
            log('server %s: %s classes, %s peers' % (server.name, m.get('kibitz_rooms'), m.get('kibitz_peers')))
            total += m.get('kibitz_rooms', 0)
            if m.get('kibitz_rooms', 0) < 1:
                failures.append('server %s got no class' % server.name)
            if m.get('kibitz_peers') != 2 * m.get('kibitz_rooms', 0):
                failures.append('server %s: %s peers in %s classes of two'
                                % (server.name, m.get('kibitz_peers'), m.get('kibitz_rooms')))
        if total != N_CLASSES:
            failures.append('%d rooms on the servers for %d classes: some class is split' % (total, N_CLASSES))
        by_server = {s.address: m.get('kibitz_rooms', 0) for s, m in counts}
    finally:
        for c in clients:
            c.close()

    # nginx's own view: where each class's two WebSockets went.
    keys = [room_query('Class %d' % i) for i in range(1, N_CLASSES + 1)]

    def upstreams():
        found = {}
        for room, upstream in nginx.websockets(log_start):
            found.setdefault(room, []).append(upstream)
        return found
    wait_for(lambda: all(len(upstreams().get(k, [])) >= 2 for k in keys), 10)
    found = upstreams()
    per_upstream = {}
    for key in keys:
        ups = set(found.get(key, []))
        if len(found.get(key, [])) != 2 or len(ups) != 1:
            failures.append('nginx logged the WebSockets of "%s" to %s' % (key, found.get(key, 'nowhere')))
        for u in ups:
            per_upstream[u] = per_upstream.get(u, 0) + 1
    log('nginx upstreams: %s' % ', '.join('%s %d classes' % kv for kv in sorted(per_upstream.items())))
    if not failures and per_upstream != by_server:
        failures.append('nginx log %s and server metrics %s disagree' % (per_upstream, by_server))


def case_token_on_both(ctx, failures, notes):
    """One teacher key works on both servers; a revoked or forged one on neither."""
    servers, token, secret = ctx['servers'], ctx['token'], ctx['secret']

    def try_key(server, key, room):
        client = ws_join(server.address, room, 'Someone', teacher=key)
        try:
            first = client.wait_type(('welcome', 'error', 'waiting'), 15)
            follow = None
            if first and first.get('type') == 'error':
                follow = client.wait_type(('welcome', 'waiting'), 10)
            return first, follow
        finally:
            client.close()

    for server in servers:
        first, _ = try_key(server, token, 'Token check')
        if not first or first.get('type') != 'welcome' or first.get('role') != 'teacher':
            failures.append('the teacher key on server %s: %s' % (server.name, first))

    # A second key, for a teacher who leaves: it works, then it is revoked
    # on A and the file copied to B (docs/deploy.md, "Teachers and who gets in").
    former = teacher_token(secret, 'Former teacher')
    for server in servers:
        first, _ = try_key(server, former, 'Token check')
        if not first or first.get('role') != 'teacher':
            failures.append('the second key before its revocation, on server %s: %s' % (server.name, first))
    result = subprocess.run([os.environ['KIBITZ_SERVER_BIN'], 'revoke-token', former, '--secret', secret,
                             '--state-dir', servers[0].state_dir],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=30)
    if result.returncode != 0:
        failures.append('revoke-token: %s' % result.stderr.strip())
        return
    shutil.copy(os.path.join(servers[0].state_dir, 'revoked-teacher-tokens'),
                os.path.join(servers[1].state_dir, 'revoked-teacher-tokens'))

    forged = token[:-1] + ('A' if token[-1] != 'A' else 'B')
    for label, key in (('revoked', former), ('forged', forged)):
        for server in servers:
            outcome = {}

            def refused(server=server, key=key):
                outcome['first'], outcome['follow'] = try_key(server, key, 'Token check')
                return outcome['first'] and outcome['first'].get('code') == 'bad-token'
            # The servers read the revocation file within a second.
            if not wait_for(refused, 10, step=0.5):
                failures.append('the %s key on server %s: %s' % (label, server.name, outcome.get('first')))
            elif not outcome['follow'] or outcome['follow'].get('type') != 'waiting':
                failures.append('after bad-token on server %s the %s key got %s, not the waiting room'
                                % (server.name, label, outcome['follow']))
    # And the first key is still good.
    for server in servers:
        first, _ = try_key(server, token, 'Token check')
        if not first or first.get('role') != 'teacher':
            failures.append('the teacher key after revoking another, on server %s: %s' % (server.name, first))


def case_invite_other_server(ctx, failures, notes):
    """An invite made on A lets a pupil in on B."""
    servers, token, nginx = ctx['servers'], ctx['token'], ctx['nginx']
    a, b = servers
    clients = []
    try:
        teacher = ws_join(a.address, 'Physics 8a', 'Teacher', teacher=token)
        clients.append(teacher)
        welcome = teacher.wait_type(('welcome', 'error'), 15)
        if not welcome or welcome.get('type') != 'welcome':
            raise RuntimeError('the teacher did not join server A: %s' % welcome)
        teacher.send({'type': 'invite', 'ttl': 600})
        invite = teacher.wait_type(('invite', 'error'), 15)
        if not invite or invite.get('type') != 'invite':
            raise RuntimeError('no invite from server A: %s' % invite)
        if not invite.get('url', '').startswith(nginx.base + '/j/'):
            failures.append('server A made the link %s, not one on %s' % (invite.get('url'), nginx.base))

        pupil = ws_join(b.address, 'physics 8A', 'Pupil', invite=invite['code'])
        clients.append(pupil)
        answer = pupil.wait_type(('welcome', 'waiting', 'error'), 15)
        # protocol.md section 4: a valid invite joins at once, as a student.
        if not answer or answer.get('type') != 'welcome' or answer.get('role') != 'student':
            failures.append("server B did not honour server A's invite: %s" % answer)
        else:
            log('server B let the pupil in with the invite from A: role %s' % answer['role'])

        code = invite['code']
        tampered = code[:-1] + ('0' if code[-1] != '0' else '1')
        stranger = ws_join(b.address, 'physics 8A', 'Stranger', invite=tampered)
        clients.append(stranger)
        answer = stranger.wait_type(('welcome', 'waiting', 'error'), 15)
        if not answer or answer.get('type') != 'waiting' or answer.get('reason') != 'invite-invalid':
            failures.append('a tampered invite on server B got %s, not waiting (invite-invalid)' % answer)
    finally:
        for c in clients:
            c.close()


# (title, function, time budget in seconds: 250 in all)
CASES = [
    ('a class meets on one server: teacher, invited pupil, "maths 7B", invite page, app',
     case_one_class, 160),
    ('%d classes spread over both servers, each on one' % N_CLASSES, case_many_classes, 40),
    ('one teacher key works on both servers; revoked and forged keys on neither', case_token_on_both, 30),
    ("an invite made on server A lets a pupil in on server B", case_invite_other_server, 20),
]


def main():
    private = enter_private_network()
    signal.signal(signal.SIGTERM, on_sigterm)
    for var in ('KIBITZ_SERVER_BIN', 'KIBITZ_PEER_BIN'):
        if not os.environ.get(var):
            print('1..0 # SKIP %s is not set (run through meson test)' % var)
            return 0
    nginx_bin = find_nginx()
    if nginx_bin is None:
        print('1..0 # SKIP nginx is not installed (build-aux/deps installs it)')
        return 0

    print('1..%d' % len(CASES), flush=True)
    log('network:', 'a private namespace (lo only)' if private else 'the host\'s, loopback only')
    work = tempfile.mkdtemp(prefix='kibitz-balancer-')
    servers = []
    nginx = None
    results = []
    started = time.monotonic()
    try:
        try:
            secret = base64.b64encode(os.urandom(24)).decode()
            port = free_port()
            public = 'http://%s:%d' % (LOOPBACK, port)
            servers = [Server('A', work, secret, public), Server('B', work, secret, public)]
            nginx = Nginx(nginx_bin, work, port, servers)
            log('nginx %s in front of A %s and B %s' % (nginx.base, servers[0].address, servers[1].address))
            # The teacher key, made once for every case.
            ctx = {'servers': servers, 'nginx': nginx, 'work': work, 'secret': secret,
                   'token': teacher_token(secret, 'Ewa Nowak')}
        except (RuntimeError, OSError, subprocess.SubprocessError) as error:
            results.append(('setting up', ['%s' % error], []))
            ctx = None
        for title, case, budget in CASES:
            if ctx is None:
                break
            failures, notes = [], []
            t0 = time.monotonic()
            budget_end[0] = t0 + budget
            try:
                case(ctx, failures, notes)
            except (RuntimeError, OSError, ValueError, KeyError, TypeError) as error:
                failures.append('stopped: %s' % error)
            log('%s: %.1f s' % (title, time.monotonic() - t0))
            results.append((title, failures, notes))
    finally:
        if nginx:
            nginx.stop()
            if any(f for _, f, _ in results):
                for line in tail(nginx.error_log, 10):
                    log('nginx:', line)
        for s in servers:
            s.stop()
            if any(f for _, f, _ in results):
                for line in tail(s.log_path, 8):
                    log('server %s: %s' % (s.name, line))
        shutil.rmtree(work, ignore_errors=True)

    status = 0
    if results and results[0][0] == 'setting up':
        results = [(CASES[0][0], results[0][1], [])]
    for number, (title, _, _) in enumerate(CASES, 1):
        if number <= len(results):
            title, failures, notes = results[number - 1]
        else:
            failures, notes = ['not reached'], []
        for note in notes:
            log('note:', note)
        for failure in failures:
            log('FAILED:', failure)
        print('%s %d - %s' % ('not ok' if failures else 'ok', number, title), flush=True)
        if failures:
            status = 1
    log('took %.1f s' % (time.monotonic() - started))
    return status


if __name__ == '__main__':
    sys.exit(main())
