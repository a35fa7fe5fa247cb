/* nfq-delay.c: a delay line for the network lab (this kernel has no netem).
 *
 *   nfq-delay QUEUE DELAY_MS SECONDS
 *
 * Takes the packets an iptables `-j NFQUEUE --queue-num QUEUE` rule hands
 * over, holds each for DELAY_MS and then lets it go, in order; exits after
 * SECONDS. Run it inside the namespace whose rule queues the packets.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <poll.h>
#include <sys/socket.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define RING 8192

typedef struct {
  uint32_t id;
  int64_t  due_us;
} Held;

static Held     ring[RING];
static unsigned head, tail;   /* tail - head packets held */
static int64_t  delay_us;
static unsigned long passed, overflowed;

static int64_t
now_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int
packet_cb (struct nfq_q_handle *queue, struct nfgenmsg *msg, struct nfq_data *data, void *user)
{
  struct nfqnl_msg_packet_hdr *header = nfq_get_msg_packet_hdr (data);
  uint32_t id;

  (void) msg;
  (void) user;
  if (header == NULL)
    return 0;
  id = ntohl (header->packet_id);
  if (tail - head >= RING)
    {
      /* Full: let it through at once rather than lose it. */
      overflowed++;
      return nfq_set_verdict (queue, id, NF_ACCEPT, 0, NULL);
    }
  ring[tail % RING].id = id;
  ring[tail % RING].due_us = now_us () + delay_us;
  tail++;
  return 0;
}

int
main (int argc, char **argv)
{
  struct nfq_handle *handle;
  struct nfq_q_handle *queue;
  char buffer[65536] __attribute__ ((aligned));
  int64_t end_us;
  int fd;

  if (argc != 4)
    {
      fprintf (stderr, "usage: nfq-delay QUEUE DELAY_MS SECONDS\n");
      return 2;
    }
  delay_us = atoll (argv[2]) * 1000;
  end_us = now_us () + atoll (argv[3]) * 1000000;

  handle = nfq_open ();
  if (handle == NULL)
    {
      perror ("nfq-delay: nfq_open");
      return 1;
    }
  queue = nfq_create_queue (handle, (uint16_t) atoi (argv[1]), packet_cb, NULL);
  if (queue == NULL)
    {
      perror ("nfq-delay: nfq_create_queue");
      nfq_close (handle);
      return 1;
    }
  nfq_set_mode (queue, NFQNL_COPY_META, 0);
  nfq_set_queue_maxlen (queue, RING);
  fd = nfq_fd (handle);
  printf ("ready\n");
  fflush (stdout);

  while (now_us () < end_us)
    {
      int64_t now = now_us ();
      int timeout_ms = 50;
      struct pollfd pfd = { .fd = fd, .events = POLLIN };

      while (head != tail && ring[head % RING].due_us <= now)
        {
          nfq_set_verdict (queue, ring[head % RING].id, NF_ACCEPT, 0, NULL);
          head++;
          passed++;
        }
      if (head != tail)
        {
          int64_t wait = (ring[head % RING].due_us - now + 999) / 1000;

          timeout_ms = wait < timeout_ms ? (int) wait : timeout_ms;
        }
      if (poll (&pfd, 1, timeout_ms) > 0)
        {
          int n = recv (fd, buffer, sizeof buffer, MSG_DONTWAIT);

          if (n > 0)
            nfq_handle_packet (handle, buffer, n);
          else if (n < 0 && errno == ENOBUFS)
            fprintf (stderr, "nfq-delay: the kernel dropped packets (queue full)\n");
        }
    }

  while (head != tail)
    {
      nfq_set_verdict (queue, ring[head % RING].id, NF_ACCEPT, 0, NULL);
      head++;
      passed++;
    }
  fprintf (stderr, "nfq-delay: %lu packets delayed, %lu passed undelayed (ring full)\n",
           passed, overflowed);
  nfq_destroy_queue (queue);
  nfq_close (handle);
  return 0;
}
