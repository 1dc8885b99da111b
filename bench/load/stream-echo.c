// Closed-loop echo load over TCP in C (epoll): the same load as stream-echo.ts at a fraction of its CPU per message, so one load core can saturate one server core.
// Usage: stream-echo <host> <port> <connections> <window> <seconds> <request as hex>; every reply is the request echoed.
// Prints one JSON LoadResult: {"messages":N,"seconds":S,"errors":E}.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct conn {
  int fd;
  int live;
  int checked;
  /* Bytes of the current reply read so far (replies all have the request's size). */
  long partial;
  /* Request bytes still to write, and where in the request stream the next one starts. */
  long owed;
  long sent;
  /* Whether EPOLLOUT is asked for: changed only when that changes, so a message costs no epoll_ctl. */
  int wants_out;
};

static unsigned char request[4096];
static long size;
static unsigned char *block;
static long block_len;
static long errors;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int parse_hex(const char *hex) {
  long n = (long)strlen(hex) / 2;
  if (n <= 0 || n > (long)sizeof request) return -1;
  for (long i = 0; i < n; i++) {
    unsigned int byte;
    if (sscanf(hex + 2 * i, "%2x", &byte) != 1) return -1;
    request[i] = (unsigned char)byte;
  }
  size = n;
  return 0;
}

/* Writes what the connection owes; false when the socket failed. Partial writes wait for EPOLLOUT. */
static int flush(int epoll, struct conn *c) {
  while (c->owed > 0) {
    long from = c->sent % size;
    long n = c->owed < block_len - from ? c->owed : block_len - from;
    ssize_t w = send(c->fd, block + from, (size_t)n, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EAGAIN) break;
      return 0;
    }
    c->owed -= w;
    c->sent += w;
  }
  int wants_out = c->owed > 0;
  if (wants_out != c->wants_out) {
    struct epoll_event ev = {.events = EPOLLIN | (wants_out ? EPOLLOUT : 0), .data.ptr = c};
    epoll_ctl(epoll, EPOLL_CTL_MOD, c->fd, &ev);
    c->wants_out = wants_out;
  }
  return 1;
}

int main(int argc, char **argv) {
  if (argc != 7 || parse_hex(argv[6]) != 0) {
    fprintf(stderr, "usage: stream-echo <host> <port> <connections> <window> <seconds> <request hex>\n");
    return 2;
  }
  int port = atoi(argv[2]), connections = atoi(argv[3]), window = atoi(argv[4]);
  double seconds = atof(argv[5]);
  block_len = size * (window + 1);
  block = malloc((size_t)block_len);
  for (long i = 0; i < window + 1; i++) memcpy(block + i * size, request, (size_t)size);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
  inet_pton(AF_INET, argv[1], &addr.sin_addr);
  int epoll = epoll_create1(0);
  struct conn *conns = calloc((size_t)connections, sizeof *conns);
  int live = 0;
  for (int i = 0; i < connections; i++) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
      errors++;
      close(fd);
      continue;
    }
    fcntl(fd, F_SETFL, O_NONBLOCK);
    conns[i] = (struct conn){.fd = fd, .live = 1, .owed = size * window};
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &conns[i]};
    epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &ev);
    live++;
  }
  if (live == 0) {
    fprintf(stderr, "no connection to port %d\n", port);
    return 1;
  }
  for (int i = 0; i < connections; i++)
    if (conns[i].live && !flush(epoll, &conns[i])) errors++;
  long messages = 0;
  unsigned char buffer[65536];
  struct epoll_event events[256];
  double started = now(), deadline = started + seconds;
  double t = started;
  while (t < deadline) {
    int ms = (int)((deadline - t) * 1000) + 1;
    int n = epoll_wait(epoll, events, 256, ms);
    for (int e = 0; e < n; e++) {
      struct conn *c = events[e].data.ptr;
      if (!c->live) continue;
      if (events[e].events & EPOLLOUT && !flush(epoll, c)) goto failed;
      if (!(events[e].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) continue;
      ssize_t r = recv(c->fd, buffer, sizeof buffer, 0);
      if (r < 0 && errno == EAGAIN) continue;
      if (r <= 0) goto failed;
      if (!c->checked && r >= size) {
        c->checked = 1;
        if (memcmp(buffer, request, (size_t)size) != 0) errors++;
      }
      c->partial += r;
      long fresh = c->partial / size;
      c->partial -= fresh * size;
      messages += fresh;
      c->owed += fresh * size;
      if (!flush(epoll, c)) goto failed;
      continue;
    failed:
      errors++;
      c->live = 0;
      epoll_ctl(epoll, EPOLL_CTL_DEL, c->fd, NULL);
    }
    t = now();
  }
  printf("{\"messages\":%ld,\"seconds\":%.6f,\"errors\":%ld}\n", messages, t - started, errors);
  return 0;
}
