/* bench/signaling/relaygen.c: the relay load generator of bench.mjs, in C.
 *
 * The node generator (bench.mjs, `--generator node`) needed a full core at
 * 60,000 messages a second on this two-core machine, so past that rate it
 * measured itself rather than the servers.  This one speaks the same two
 * protocols over plain sockets on one epoll set and costs a few microseconds
 * per message; bench.mjs drives it over stdin/stdout and keeps the ladder,
 * the retries and the server's CPU accounting.
 *
 *   relaygen --kind kibitz|peerjs --port PORT --pairs P
 *
 * It opens P pairs (client i from 127.0.0.(2 + i % 200), like bench.mjs), each
 * pair in its own room (Kibitz: `join`, peer ids from `welcome`) or with its
 * own ids (PeerJS: `OPEN`), answers pings (Kibitz) and sends a HEARTBEAT every
 * 5 s per client (PeerJS drops clients silent for 60 s, as its own client
 * would not be), then prints "ready".  Commands on stdin, one per line:
 *
 *   step RATE TAG SECONDS   send RATE messages a second for SECONDS, round
 *                           robin over the pairs (paced every millisecond), a
 *                           2 KB body stamped with the send time, then wait up
 *                           to 2 s for the stragglers; prints one JSON line:
 *                           sent, received, latencies (p50, p99 in ms), errors,
 *                           the generator's own CPU seconds
 *   quit
 *
 * Every wait is bounded.  Loopback only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { KIND_KIBITZ, KIND_PEERJS };

typedef struct {
  int fd;
  int serial;
  char id[64];            /* our peer id (Kibitz: from `welcome`) */
  char *in;               /* bytes read, not yet parsed */
  size_t in_len, in_cap;
  char *out;              /* bytes to write */
  size_t out_off, out_len, out_cap;
  int want_out;
} Conn;

static int kind;
static int port;
static int npairs;
static Conn *conns;       /* 2 * npairs: conns[2i] sends to conns[2i + 1] */
static int epfd;
static char body[2001];

/* The running step, if any. */
static struct {
  int active;
  char tag[32];
  double *lat;
  size_t nlat, cap;
  long errors;
} step;
static long errors_total;

static void
die (const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  fputs ("relaygen: ", stderr);
  vfprintf (stderr, fmt, ap);
  fputc ('\n', stderr);
  va_end (ap);
  exit (2);
}

static double
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static long long now_us (void);

static double
cpu_seconds (void)
{
  struct rusage ru;
  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
         ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static void *
xrealloc (void *p, size_t n)
{
  p = realloc (p, n);
  if (!p)
    die ("out of memory");
  return p;
}

/* --- Frames ------------------------------------------------------------- */

static uint32_t rng_state = 0x9e3779b9u;

static uint32_t
next_mask (void)
{
  /* xorshift32: a client must mask; the key need not be secret here. */
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 17;
  rng_state ^= rng_state << 5;
  return rng_state;
}

/* Appends one masked frame of OPCODE carrying LEN bytes of DATA to C's
 * output buffer. */
static void
queue_frame (Conn *c, int opcode, const char *data, size_t len)
{
  size_t need = c->out_len + len + 14;
  if (need > c->out_cap) {
    c->out_cap = need * 2;
    c->out = xrealloc (c->out, c->out_cap);
  }
  unsigned char *p = (unsigned char *) c->out + c->out_len;
  *p++ = 0x80 | opcode;
  if (len < 126) {
    *p++ = 0x80 | len;
  } else if (len < 65536) {
    *p++ = 0x80 | 126;
    *p++ = len >> 8;
    *p++ = len & 0xff;
  } else {
    *p++ = 0x80 | 127;
    for (int i = 7; i >= 0; i--)
      *p++ = (uint64_t) len >> (8 * i);
  }
  uint32_t key = next_mask ();
  memcpy (p, &key, 4);
  unsigned char k[4];
  memcpy (k, &key, 4);
  p += 4;
  uint64_t k8;
  memcpy (&k8, k, 4);
  memcpy ((char *) &k8 + 4, k, 4);
  size_t i = 0;
  for (; i + 8 <= len; i += 8) {
    uint64_t w;
    memcpy (&w, data + i, 8);
    w ^= k8;
    memcpy (p + i, &w, 8);
  }
  for (; i < len; i++)
    p[i] = data[i] ^ k[i & 3];
  c->out_len = (p + len) - (unsigned char *) c->out;
}

static void
queue_text (Conn *c, const char *text, size_t len)
{
  queue_frame (c, 1, text, len);
}

/* Writes what C has queued; the rest waits for EPOLLOUT. */
static void
flush_conn (Conn *c)
{
  while (c->out_off < c->out_len) {
    ssize_t n = send (c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      if (errno == EAGAIN) {
        if (!c->want_out) {
          struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT, .data.ptr = c };
          epoll_ctl (epfd, EPOLL_CTL_MOD, c->fd, &ev);
          c->want_out = 1;
        }
        return;
      }
      die ("client %d: send: %s", c->serial, strerror (errno));
    }
    c->out_off += n;
  }
  c->out_off = c->out_len = 0;
  if (c->want_out) {
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
    epoll_ctl (epfd, EPOLL_CTL_MOD, c->fd, &ev);
    c->want_out = 0;
  }
}

/* Called for each complete text frame from the server. */
static void
on_text (Conn *c, const char *text, size_t len, long long t)
{
  /* A relayed signal ends with `"t":STAMP}` (and one more `}` of the
   * envelope); everything else is control. */
  const char *tail = len > 48 ? text + len - 48 : text;
  const char *stamp = memmem (tail, text + len - tail, "\"t\":", 4);
  if (stamp) {
    if (!step.active)
      return;
    /* Only this step's messages count: the tag sits near the start. */
    size_t head = len < 160 ? len : 160;
    char want[48];
    int wl = snprintf (want, sizeof want, "\"s\":\"%s\"", step.tag);
    if (!memmem (text, head, want, wl))
      return;
    long long sent = strtoll (stamp + 4, NULL, 10);
    if (step.nlat == step.cap) {
      step.cap = step.cap ? step.cap * 2 : 65536;
      step.lat = xrealloc (step.lat, step.cap * sizeof *step.lat);
    }
    step.lat[step.nlat++] = (t - sent) / 1000.0;
    return;
  }
  if (memmem (text, len, "\"error\"", 7) || memmem (text, len, "\"ERROR\"", 7) ||
      memmem (text, len, "\"ID-TAKEN\"", 10)) {
    errors_total++;
    if (step.active)
      step.errors++;
    if (errors_total <= 5)
      fprintf (stderr, "relaygen: client %d got %.*s\n", c->serial, (int) (len < 300 ? len : 300), text);
  }
}

/* Parses the complete frames in C's input; returns 0 on close. */
static int
parse_frames (Conn *c, long long t)
{
  size_t off = 0;
  while (c->in_len - off >= 2) {
    unsigned char *p = (unsigned char *) c->in + off;
    int opcode = p[0] & 0x0f;
    uint64_t len = p[1] & 0x7f;
    size_t hdr = 2;
    if (p[1] & 0x80)
      die ("client %d: the server masked a frame", c->serial);
    if (len == 126) {
      if (c->in_len - off < 4)
        break;
      len = (p[2] << 8) | p[3];
      hdr = 4;
    } else if (len == 127) {
      if (c->in_len - off < 10)
        break;
      len = 0;
      for (int i = 0; i < 8; i++)
        len = (len << 8) | p[2 + i];
      hdr = 10;
    }
    if (c->in_len - off < hdr + len)
      break;
    const char *payload = (const char *) p + hdr;
    if (!(p[0] & 0x80))
      die ("client %d: fragmented frames are not expected from the server", c->serial);
    switch (opcode) {
    case 1:
      on_text (c, payload, len, t);
      break;
    case 8:
      fprintf (stderr, "relaygen: client %d: the server closed the connection\n", c->serial);
      return 0;
    case 9:
      queue_frame (c, 10, payload, len);
      flush_conn (c);
      break;
    default:
      break;
    }
    off += hdr + len;
  }
  memmove (c->in, c->in + off, c->in_len - off);
  c->in_len -= off;
  return 1;
}

/* Reads what is there; returns 0 when the server closed the connection. */
static int
read_conn (Conn *c)
{
  for (;;) {
    if (c->in_cap - c->in_len < 65536) {
      c->in_cap = c->in_len + 131072;
      c->in = xrealloc (c->in, c->in_cap);
    }
    ssize_t n = recv (c->fd, c->in + c->in_len, c->in_cap - c->in_len, 0);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      if (errno == EAGAIN)
        return 1;
      fprintf (stderr, "relaygen: client %d: recv: %s\n", c->serial, strerror (errno));
      return 0;
    }
    if (n == 0)
      return 0;
    c->in_len += n;
    if (!parse_frames (c, now_us ()))
      return 0;
    if ((size_t) n < 65536)
      return 1;
  }
}

/* --- Setting up ---------------------------------------------------------- */

/* Blocking read of one text frame during set-up (before epoll). */
static size_t
setup_read_text (Conn *c, char *buf, size_t cap)
{
  for (;;) {
    if (c->in_len >= 2) {
      unsigned char *p = (unsigned char *) c->in;
      size_t len = p[1] & 0x7f, hdr = 2;
      if (len == 126 && c->in_len >= 4) {
        len = (p[2] << 8) | p[3];
        hdr = 4;
      } else if (len >= 126) {
        goto more;
      }
      if (c->in_len >= hdr + len) {
        int opcode = p[0] & 0x0f;
        size_t n = len < cap - 1 ? len : cap - 1;
        memcpy (buf, p + hdr, n);
        buf[n] = 0;
        memmove (c->in, c->in + hdr + len, c->in_len - hdr - len);
        c->in_len -= hdr + len;
        if (opcode == 1)
          return n;
        if (opcode == 8)
          die ("client %d: the server closed the connection during set-up", c->serial);
        continue;
      }
    }
  more:
    if (c->in_cap - c->in_len < 4096) {
      c->in_cap = c->in_len + 65536;
      c->in = xrealloc (c->in, c->in_cap);
    }
    ssize_t n = recv (c->fd, c->in + c->in_len, c->in_cap - c->in_len, 0);
    if (n <= 0)
      die ("client %d: no answer from the server during set-up (%s)", c->serial,
           n == 0 ? "closed" : strerror (errno));
    c->in_len += n;
  }
}

static void
open_conn (Conn *c, int serial, const char *room)
{
  c->serial = serial;
  c->fd = socket (AF_INET, SOCK_STREAM, 0);
  if (c->fd < 0)
    die ("socket: %s", strerror (errno));
  struct sockaddr_in src = { .sin_family = AF_INET };
  src.sin_addr.s_addr = htonl (0x7f000000u | (2 + serial % 200));
  if (bind (c->fd, (struct sockaddr *) &src, sizeof src) < 0)
    die ("bind 127.0.0.%d: %s", 2 + serial % 200, strerror (errno));
  struct timeval tv = { .tv_sec = 20 };
  setsockopt (c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  int one = 1;
  setsockopt (c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  struct sockaddr_in dst = { .sin_family = AF_INET, .sin_port = htons (port) };
  dst.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (connect (c->fd, (struct sockaddr *) &dst, sizeof dst) < 0)
    die ("connect 127.0.0.1:%d: %s", port, strerror (errno));

  char path[256];
  if (kind == KIND_KIBITZ) {
    snprintf (path, sizeof path, "/v1/ws?room=%s", room);
  } else {
    snprintf (c->id, sizeof c->id, "g%dx%08x", serial, next_mask ());
    snprintf (path, sizeof path, "/peerjs?key=peerjs&id=%s&token=t%d", c->id, serial);
  }
  char req[512];
  int n = snprintf (req, sizeof req,
                    "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
                    "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    "Sec-WebSocket-Version: 13\r\n\r\n", path, port);
  if (send (c->fd, req, n, MSG_NOSIGNAL) != n)
    die ("client %d: could not send the upgrade request", serial);
  /* The 101 response, up to the blank line; frames may follow in the same read. */
  c->in_cap = 65536;
  c->in = xrealloc (NULL, c->in_cap);
  c->in_len = 0;
  char *end;
  for (;;) {
    ssize_t r = recv (c->fd, c->in + c->in_len, c->in_cap - 1 - c->in_len, 0);
    if (r <= 0)
      die ("client %d: no upgrade response (%s)", serial, r == 0 ? "closed" : strerror (errno));
    c->in_len += r;
    c->in[c->in_len] = 0;
    if ((end = strstr (c->in, "\r\n\r\n")))
      break;
  }
  if (strncmp (c->in, "HTTP/1.1 101", 12) != 0)
    die ("client %d: upgrade refused: %.*s", serial, (int) strcspn (c->in, "\r"), c->in);
  size_t used = end + 4 - c->in;
  memmove (c->in, c->in + used, c->in_len - used);
  c->in_len -= used;

  char buf[4096];
  if (kind == KIND_KIBITZ) {
    char join[256];
    n = snprintf (join, sizeof join, "{\"type\":\"join\",\"room\":\"%s\",\"name\":\"c%d\"}", room, serial);
    queue_text (c, join, n);
    flush_conn (c);
    for (;;) {
      setup_read_text (c, buf, sizeof buf);
      if (strstr (buf, "\"type\":\"welcome\""))
        break;
      if (strstr (buf, "\"type\":\"error\""))
        die ("client %d: %s", serial, buf);
    }
    char *id = strstr (buf, "\"id\":\"");
    if (!id)
      die ("client %d: welcome without an id: %s", serial, buf);
    id += 6;
    size_t l = strcspn (id, "\"");
    if (l >= sizeof c->id)
      die ("client %d: peer id too long", serial);
    memcpy (c->id, id, l);
    c->id[l] = 0;
  } else {
    for (;;) {
      setup_read_text (c, buf, sizeof buf);
      if (strstr (buf, "\"type\":\"OPEN\""))
        break;
      die ("client %d: %s", serial, buf);
    }
  }
  fcntl (c->fd, F_SETFL, fcntl (c->fd, F_GETFL) | O_NONBLOCK);
  struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
  if (epoll_ctl (epfd, EPOLL_CTL_ADD, c->fd, &ev) < 0)
    die ("epoll_ctl: %s", strerror (errno));
}

/* --- The loop ------------------------------------------------------------ */

static char stdin_buf[256];
static size_t stdin_len;

/* Services sockets for up to TIMEOUT ms (or until stdin has a line, when
 * LINE is given); returns 1 when a line was read into LINE. */
static int
service (int timeout, char *line, size_t cap)
{
  struct epoll_event evs[256];
  int n = epoll_wait (epfd, evs, 256, timeout);
  if (n < 0 && errno != EINTR)
    die ("epoll_wait: %s", strerror (errno));
  int got_line = 0;
  for (int i = 0; i < n; i++) {
    if (evs[i].data.ptr == NULL) {
      ssize_t r = read (0, stdin_buf + stdin_len, sizeof stdin_buf - 1 - stdin_len);
      if (r <= 0)
        exit (0); /* bench.mjs went away */
      stdin_len += r;
      continue;
    }
    Conn *c = evs[i].data.ptr;
    if (evs[i].events & EPOLLOUT)
      flush_conn (c);
    if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
      if (!read_conn (c))
        die ("client %d: the server closed the connection", c->serial);
  }
  if (line) {
    char *nl = memchr (stdin_buf, '\n', stdin_len);
    if (nl) {
      size_t l = nl - stdin_buf;
      size_t k = l < cap - 1 ? l : cap - 1;
      memcpy (line, stdin_buf, k);
      line[k] = 0;
      memmove (stdin_buf, nl + 1, stdin_len - l - 1);
      stdin_len -= l + 1;
      got_line = 1;
    }
  }
  return got_line;
}

static double last_heartbeat;

static void
heartbeats (void)
{
  if (kind != KIND_PEERJS || now_ms () - last_heartbeat < 5000)
    return;
  last_heartbeat = now_ms ();
  for (int i = 0; i < 2 * npairs; i++) {
    queue_text (&conns[i], "{\"type\":\"HEARTBEAT\"}", 20);
    flush_conn (&conns[i]);
  }
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double
percentile (double *sorted, size_t n, double p)
{
  if (n == 0)
    return -1;
  size_t k = (size_t) (p / 100 * n + 0.999999);
  if (k < 1)
    k = 1;
  if (k > n)
    k = n;
  return sorted[k - 1];
}

static long long
now_us (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static void
run_step (double rate, const char *tag, double seconds)
{
  snprintf (step.tag, sizeof step.tag, "%s", tag);
  step.nlat = 0;
  step.errors = 0;
  step.active = 1;
  /* Each pair's message up to its stamp, made once per step. */
  enum { TEXT_MAX = 2300 };
  char *texts = xrealloc (NULL, (size_t) npairs * TEXT_MAX);
  int *lengths = xrealloc (NULL, npairs * sizeof *lengths);
  for (int i = 0; i < npairs; i++)
    lengths[i] = snprintf (texts + (size_t) i * TEXT_MAX, TEXT_MAX - 40,
                           kind == KIND_KIBITZ
                             ? "{\"type\":\"signal\",\"to\":\"%s\",\"data\":{\"k\":\"offer\",\"s\":\"%s\",\"sdp\":\"%s\",\"t\":"
                             : "{\"type\":\"OFFER\",\"dst\":\"%s\",\"payload\":{\"k\":\"offer\",\"s\":\"%s\",\"sdp\":\"%s\",\"t\":",
                           conns[2 * i + 1].id, tag, body);
  double cpu0 = cpu_seconds ();
  double start = now_ms ();
  double end = start + seconds * 1000;
  long sent = 0;
  int next = 0;
  for (;;) {
    double t = now_ms ();
    if (t >= end)
      break;
    long due = (long) ((t - start) / 1000 * rate);
    while (sent < due) {
      Conn *a = &conns[2 * next];
      char *text = texts + (size_t) next * TEXT_MAX;
      /* The send time in microseconds: an integer, as every number in a
       * real offer or candidate is. */
      int m = lengths[next] + sprintf (text + lengths[next], "%lld}}", now_us ());
      queue_text (a, text, m);
      flush_conn (a);
      next = (next + 1) % npairs;
      sent++;
    }
    heartbeats ();
    service (1, NULL, 0);
  }
  /* Stragglers: up to 2 s more; later than that counts as lost. */
  double drain_end = now_ms () + 2000;
  while ((long) step.nlat < sent && now_ms () < drain_end)
    service (10, NULL, 0);
  step.active = 0;
  double cpu = cpu_seconds () - cpu0;
  free (texts);
  free (lengths);
  qsort (step.lat, step.nlat, sizeof *step.lat, cmp_double);
  printf ("{\"sent\":%ld,\"received\":%zu,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"errors\":%ld,"
          "\"generator_cpu_s\":%.3f}\n",
          sent, step.nlat, percentile (step.lat, step.nlat, 50), percentile (step.lat, step.nlat, 99),
          step.errors, cpu);
  fflush (stdout);
}

int
main (int argc, char **argv)
{
  const char *kind_name = NULL;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!strcmp (argv[i], "--kind"))
      kind_name = argv[i + 1];
    else if (!strcmp (argv[i], "--port"))
      port = atoi (argv[i + 1]);
    else if (!strcmp (argv[i], "--pairs"))
      npairs = atoi (argv[i + 1]);
    else
      die ("unknown option %s", argv[i]);
  }
  if (!kind_name || port <= 0 || npairs <= 0)
    die ("usage: relaygen --kind kibitz|peerjs --port PORT --pairs P");
  kind = !strcmp (kind_name, "kibitz") ? KIND_KIBITZ : KIND_PEERJS;
  rng_state ^= (uint32_t) getpid () * 2654435761u;
  memset (body, 'x', 2000);

  epfd = epoll_create1 (EPOLL_CLOEXEC);
  struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
  epoll_ctl (epfd, EPOLL_CTL_ADD, 0, &ev);

  conns = calloc (2 * npairs, sizeof *conns);
  for (int i = 0; i < npairs; i++) {
    char room[32];
    snprintf (room, sizeof room, "relay-%d", i);
    open_conn (&conns[2 * i], 2 * i, room);
    open_conn (&conns[2 * i + 1], 2 * i + 1, room);
  }
  last_heartbeat = now_ms ();
  printf ("ready\n");
  fflush (stdout);

  char line[256];
  double deadline = now_ms () + 3600 * 1000.0; /* bounded, like bench.mjs */
  while (now_ms () < deadline) {
    heartbeats ();
    if (!service (1000, line, sizeof line))
      continue;
    double rate, seconds;
    char tag[32];
    if (sscanf (line, "step %lf %31s %lf", &rate, tag, &seconds) == 3)
      run_step (rate, tag, seconds);
    else if (!strcmp (line, "quit"))
      break;
    else
      die ("unknown command: %s", line);
  }
  for (int i = 0; i < 2 * npairs; i++)
    close (conns[i].fd);
  return 0;
}
