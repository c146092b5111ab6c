/*
 * The floor: the smallest fan-out server we could write, to measure what serving N listeners costs
 * at the least on this machine (bench/README.md, "The floor"). Not a server for anyone to run.
 *
 *   floor PORT WRITE_INTERVAL_MS -- COMMAND ARGS...
 *
 * It runs COMMAND (the benchmark's encode, gst-launch-1.0 … ! fdsink fd=1) with its stdout on a
 * pipe, reads the Ogg stream from it, and serves it on 127.0.0.1:PORT to every GET:
 *
 *   - one thread, one epoll set, non-blocking sockets;
 *   - the Ogg header pages (granule position 0, before any data) go to each new listener after
 *     a fixed HTTP head; then it joins at the next write (writes start on page boundaries);
 *   - the pages that arrive within WRITE_INTERVAL_MS go to each listener in one send(), the
 *     same coalescing as streamer-http's write-interval (one shared buffer, no copy per listener);
 *   - a listener that has not taken the whole previous write when the next one is due is closed,
 *     one that resets is closed when a send fails: no burst, no lag policy, no TCP_INFO, no
 *     logs, no stats. Per listener: its descriptor and one int (bytes of the current write sent).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_FDS (1 << 20)
#define HEAD "HTTP/1.0 200 OK\r\nContent-Type: application/ogg\r\nCache-Control: no-cache, no-store\r\nConnection: close\r\n\r\n"

/* Per descriptor: 0 unused, 1 reading its request, 2 a listener, 3 a listener waiting for the
   stream's headers. `sent`: bytes of `batch` taken; `index`: its place in `listeners`. */
typedef struct {
  uint8_t state;
  uint8_t waiting_out; /* EPOLLOUT asked for */
  int32_t sent;
  int32_t index;
} Slot;

static Slot *slots;
static int *listeners; /* descriptors of states 2 and 3, dense */
static int listener_count;
static int epfd;

/* The stream: header pages, the page being read, the pages of this interval, the write going out. */
static char headers[65536];
static size_t headers_len;
static int data_seen;
static char page[65536 + 282];
static size_t page_len;
static char *pending, *batch;
static size_t pending_len, pending_cap, batch_len;

static void die(const char *what) {
  perror(what);
  exit(1);
}

static void watch(int fd, uint32_t events, int op) {
  struct epoll_event ev = {.events = events, .data.fd = fd};
  if (epoll_ctl(epfd, op, fd, &ev) < 0 && op != EPOLL_CTL_DEL) die("epoll_ctl");
}

static void drop(int fd) {
  if (slots[fd].state >= 2) {
    int last = listeners[--listener_count];
    listeners[slots[fd].index] = last;
    slots[last].index = slots[fd].index;
  }
  slots[fd].state = 0;
  slots[fd].waiting_out = 0;
  close(fd); /* also leaves the epoll set */
}

/* Send what is left of the current write to `fd`; drop it if it is gone. */
static void push(int fd) {
  Slot *s = &slots[fd];
  while ((size_t)s->sent < batch_len) {
    ssize_t n = send(fd, batch + s->sent, batch_len - s->sent, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n > 0) {
      s->sent += n;
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!s->waiting_out) {
        s->waiting_out = 1;
        watch(fd, EPOLLOUT, EPOLL_CTL_MOD);
      }
      return;
    }
    drop(fd);
    return;
  }
  if (s->waiting_out) {
    s->waiting_out = 0;
    watch(fd, 0, EPOLL_CTL_MOD);
  }
}

static void flush_interval(void) {
  if (pending_len == 0) return;
  /* A listener that has not taken the previous write is too slow for the floor: closed. */
  for (int i = listener_count - 1; i >= 0; i--) {
    int fd = listeners[i];
    if (slots[fd].state == 2 && (size_t)slots[fd].sent < batch_len) drop(fd);
  }
  char *t = batch;
  batch = pending;
  batch_len = pending_len;
  pending = t;
  pending_len = 0;
  for (int i = listener_count - 1; i >= 0; i--) {
    int fd = listeners[i];
    if (slots[fd].state != 2) continue;
    slots[fd].sent = 0;
    push(fd); /* may drop it: the last one takes its place, already done */
  }
}

/* Send the HTTP head and the stream headers; it gets data from the next write on. */
static void admit(int fd) {
  struct iovec iov[2] = {{HEAD, sizeof(HEAD) - 1}, {headers, headers_len}};
  struct msghdr msg = {.msg_iov = iov, .msg_iovlen = 2};
  if (sendmsg(fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL) != (ssize_t)(sizeof(HEAD) - 1 + headers_len)) {
    drop(fd);
    return;
  }
  slots[fd].state = 2;
  slots[fd].sent = (int32_t)batch_len;
}

/* A complete Ogg page from the encode. */
static void take_page(void) {
  int64_t granule;
  memcpy(&granule, page + 6, 8);
  if (!data_seen && granule == 0 && headers_len + page_len <= sizeof(headers)) {
    memcpy(headers + headers_len, page, page_len);
    headers_len += page_len;
    return;
  }
  if (!data_seen) {
    data_seen = 1;
    for (int i = listener_count - 1; i >= 0; i--)
      if (slots[listeners[i]].state == 3) admit(listeners[i]);
  }
  if (pending_len + page_len > pending_cap) {
    pending_cap = (pending_len + page_len) * 2;
    if (!(pending = realloc(pending, pending_cap))) die("realloc");
    if (!(batch = realloc(batch, pending_cap))) die("realloc");
  }
  memcpy(pending + pending_len, page, page_len);
  pending_len += page_len;
}

/* Split what the encode wrote into Ogg pages. */
static void read_stream(int fd) {
  for (;;) {
    size_t want = 27;
    if (page_len >= 27) want += (unsigned char)page[26];
    if (page_len >= 27 && page_len >= want) {
      for (int i = 0; i < (unsigned char)page[26]; i++) want += (unsigned char)page[27 + i];
      if (page_len == want) {
        take_page();
        page_len = 0;
        continue;
      }
    }
    ssize_t n = read(fd, page + page_len, want - page_len);
    if (n == 0) {
      fprintf(stderr, "floor: the encode ended\n");
      exit(1);
    }
    if (n < 0) {
      if (errno == EAGAIN) return;
      die("read");
    }
    page_len += n;
    if (page_len >= 4 && memcmp(page, "OggS", 4) != 0) {
      fprintf(stderr, "floor: the encode's output is not Ogg\n");
      exit(1);
    }
  }
}

/* The client's request: wait for the end of its head, then answer with the head and stream headers. */
static void read_request(int fd) {
  char buf[2048];
  ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
  if (n == 0 || (n < 0 && errno != EAGAIN)) {
    drop(fd);
    return;
  }
  if (n < 0 || !memmem(buf, n, "\r\n\r\n", 4)) return; /* a head in one packet, as the load client sends it */
  watch(fd, 0, EPOLL_CTL_MOD);
  slots[fd].index = listener_count;
  listeners[listener_count++] = fd;
  slots[fd].state = 3;
  if (data_seen) admit(fd);
}

int main(int argc, char **argv) {
  if (argc < 5 || strcmp(argv[3], "--") != 0) {
    fprintf(stderr, "usage: floor PORT WRITE_INTERVAL_MS -- COMMAND ARGS...\n");
    return 2;
  }
  int port = atoi(argv[1]), interval = atoi(argv[2]);
  signal(SIGPIPE, SIG_IGN);
  if (!(slots = calloc(MAX_FDS, sizeof(Slot))) || !(listeners = calloc(MAX_FDS, sizeof(int)))) die("calloc");

  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) < 0) die("pipe");
  pid_t child = fork();
  if (child == 0) {
    dup2(pipefd[1], 1);
    execvp(argv[4], argv + 4);
    _exit(127);
  }
  close(pipefd[1]);
  fcntl(pipefd[0], F_SETFL, O_NONBLOCK);

  int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) < 0) die("bind");
  if (listen(lfd, 4096) < 0) die("listen");

  int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  struct itimerspec every = {.it_interval = {interval / 1000, (interval % 1000) * 1000000L}, .it_value = {interval / 1000, (interval % 1000) * 1000000L}};
  if (interval <= 0) every.it_interval.tv_nsec = every.it_value.tv_nsec = 1000000L; /* 0: as often as a millisecond */
  timerfd_settime(tfd, 0, &every, NULL);

  if ((epfd = epoll_create1(EPOLL_CLOEXEC)) < 0) die("epoll_create1");
  watch(lfd, EPOLLIN, EPOLL_CTL_ADD);
  watch(tfd, EPOLLIN, EPOLL_CTL_ADD);
  watch(pipefd[0], EPOLLIN, EPOLL_CTL_ADD);
  fprintf(stderr, "floor: serving on 127.0.0.1:%d, encode pid %d\n", port, child);

  struct epoll_event events[256];
  for (;;) {
    int n = epoll_wait(epfd, events, 256, -1);
    if (n < 0 && errno != EINTR) die("epoll_wait");
    for (int i = 0; i < n; i++) {
      int fd = events[i].data.fd;
      if (fd == lfd) {
        int c;
        while ((c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
          if (c >= MAX_FDS) {
            close(c);
            continue;
          }
          slots[c].state = 1;
          slots[c].waiting_out = 0;
          watch(c, EPOLLIN, EPOLL_CTL_ADD);
        }
      } else if (fd == tfd) {
        uint64_t ticks;
        if (read(tfd, &ticks, sizeof(ticks)) > 0) flush_interval();
      } else if (fd == pipefd[0]) {
        read_stream(fd);
      } else if (slots[fd].state == 1) {
        read_request(fd);
      } else if (slots[fd].state == 2) {
        if (events[i].events & (EPOLLERR | EPOLLHUP)) drop(fd);
        else push(fd);
      }
    }
  }
}
