/*
 * The listener side of streamer-http's fan-out, without a Node socket per listener: the streamer
 * adopts an accepted connection's file descriptor (a dup; the JS socket is then destroyed) and
 * writes the shared stream buffers to it with non-blocking sendmsg. A Node socket costs about
 * 10 KB of memory; a descriptor costs nothing outside the kernel.
 *
 *   adopt(fd) -> fd          dup with close-on-exec, non-blocking
 *   send(fd, buffers, skip)  -> bytes written (>= 0), or -errno (-EAGAIN: the kernel queue is full;
 *                               -EPIPE or -ECONNRESET: the listener is gone)
 *   tcpState(fd, out)        out[0] = bytes the peer acknowledged, out[1] = the receive window
 *                            it advertises, -1 when the kernel does not say (before 6.2); from
 *                            TCP_INFO. Returns 0 or -errno.
 *   peerClosed(fd) -> bool   the peer is gone: it reset the connection. A FIN alone is not a
 *                            departure: a client may shut down its sending side once its request
 *                            is out and still read (a client that closed outright resets the
 *                            connection when the next data reaches it)
 *   sendMany(fds, buffers, out)  the same buffers to many connections, one call per write slice:
 *                            to each fd, sendmsg until all is taken or the kernel refuses more;
 *                            out[2i] = bytes it took, out[2i+1] = 0, or -errno of the refusal
 *                            (-EAGAIN: full; -EPIPE, -ECONNRESET: gone). fds an Int32Array, out a
 *                            Float64Array of 2 × fds.length, at most 256 buffers
 *   tcpStates(fds, out)      the same for many connections at once, one call per sweep slice:
 *                            fds an Int32Array, out a Float64Array of 3 × fds.length:
 *                            out[3i] acknowledged, out[3i+1] window (-1 unknown), out[3i+2] 1 when
 *                            the connection is gone (reset: the TCP state is CLOSE; or an error),
 *                            0 while it is open or only half-closed (CLOSE_WAIT)
 *   trimMemory() -> bool     give the C heap's free pages back to the system (malloc_trim):
 *                            accepting thousands of connections leaves freed memory behind in
 *                            the process that glibc keeps
 *   close(fd)
 *   abort(fd)                close with a reset (SO_LINGER 0): what is still queued for the peer
 *                            is discarded at once
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <stddef.h>
#include <node_api.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "napi-util.h" /* core/native: shared with core's addon */

#define MAX_IOV 256
/* The kernel's TCP_CLOSE_WAIT (include/net/tcp_states.h): linux/tcp.h does not name the states. */
#define STATE_CLOSE_WAIT 8
#define STATE_CLOSE 7

/* A file descriptor argument, or -1 after throwing. */
static int fd_arg(napi_env env, napi_callback_info info, size_t want, napi_value *args) {
  return int_arg(env, info, want, args, 0, "a file descriptor is required");
}

static napi_value adopt(napi_env env, napi_callback_info info) {
  napi_value args[1];
  int fd = fd_arg(env, info, 1, args);
  if (fd < 0) return NULL;
  int copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) return js_number(env, -errno);
  int flags = fcntl(copy, F_GETFL);
  if (flags >= 0) fcntl(copy, F_SETFL, flags | O_NONBLOCK);
  return js_number(env, copy);
}

static napi_value send_buffers(napi_env env, napi_callback_info info) {
  napi_value args[3];
  int fd = fd_arg(env, info, 3, args);
  if (fd < 0) return NULL;
  uint32_t count = 0;
  if (napi_get_array_length(env, args[1], &count) != napi_ok) {
    napi_throw_type_error(env, NULL, "buffers must be an array of Buffers");
    return NULL;
  }
  int64_t skip = 0;
  napi_get_value_int64(env, args[2], &skip);
  struct iovec iov[MAX_IOV];
  int n = 0;
  for (uint32_t i = 0; i < count && n < MAX_IOV; i++) {
    napi_value element;
    void *data;
    size_t length;
    napi_get_element(env, args[1], i, &element);
    if (napi_get_buffer_info(env, element, &data, &length) != napi_ok) {
      napi_throw_type_error(env, NULL, "buffers must be an array of Buffers");
      return NULL;
    }
    if (skip >= (int64_t)length) {
      skip -= (int64_t)length;
      continue;
    }
    iov[n].iov_base = (char *)data + skip;
    iov[n].iov_len = length - (size_t)skip;
    skip = 0;
    n++;
  }
  if (n == 0) return js_number(env, 0);
  struct msghdr message = {0};
  message.msg_iov = iov;
  message.msg_iovlen = n;
  ssize_t written = sendmsg(fd, &message, MSG_NOSIGNAL | MSG_DONTWAIT);
  return js_number(env, written < 0 ? -errno : (double)written);
}

static napi_value send_many(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value args[3];
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  napi_typedarray_type fd_type, out_type;
  size_t count = 0, out_length = 0;
  void *fd_data = NULL, *out_data = NULL;
  uint32_t buffer_count = 0;
  if (argc < 3 || napi_get_typedarray_info(env, args[0], &fd_type, &count, &fd_data, NULL, NULL) != napi_ok || fd_type != napi_int32_array ||
      napi_get_array_length(env, args[1], &buffer_count) != napi_ok || buffer_count > MAX_IOV ||
      napi_get_typedarray_info(env, args[2], &out_type, &out_length, &out_data, NULL, NULL) != napi_ok || out_type != napi_float64_array || out_length < count * 2) {
    napi_throw_type_error(env, NULL, "sendMany needs an Int32Array of descriptors, an array of at most 256 Buffers and a Float64Array twice as long as the descriptors");
    return NULL;
  }
  struct iovec all[MAX_IOV];
  size_t total = 0;
  for (uint32_t i = 0; i < buffer_count; i++) {
    napi_value element;
    napi_get_element(env, args[1], i, &element);
    if (napi_get_buffer_info(env, element, &all[i].iov_base, &all[i].iov_len) != napi_ok) {
      napi_throw_type_error(env, NULL, "buffers must be an array of Buffers");
      return NULL;
    }
    total += all[i].iov_len;
  }
  const int32_t *fds = fd_data;
  double *out = out_data;
  struct iovec iov[MAX_IOV];
  for (size_t f = 0; f < count; f++) {
    size_t sent = 0;
    int error = 0;
    while (sent < total) {
      /* The iovec from byte `sent` on. */
      size_t skip = sent;
      int n = 0;
      for (uint32_t i = 0; i < buffer_count; i++) {
        if (skip >= all[i].iov_len) {
          skip -= all[i].iov_len;
          continue;
        }
        iov[n].iov_base = (char *)all[i].iov_base + skip;
        iov[n].iov_len = all[i].iov_len - skip;
        skip = 0;
        n++;
      }
      struct msghdr message = {0};
      message.msg_iov = iov;
      message.msg_iovlen = n;
      ssize_t written = sendmsg(fds[f], &message, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (written < 0) {
        error = -errno;
        break;
      }
      if (written == 0) break;
      sent += (size_t)written;
    }
    out[2 * f] = (double)sent;
    out[2 * f + 1] = error;
  }
  return js_number(env, 0);
}

static napi_value tcp_state(napi_env env, napi_callback_info info) {
  napi_value args[2];
  int fd = fd_arg(env, info, 2, args);
  if (fd < 0) return NULL;
  napi_typedarray_type type;
  size_t length = 0;
  void *data = NULL;
  if (napi_get_typedarray_info(env, args[1], &type, &length, &data, NULL, NULL) != napi_ok || type != napi_float64_array || length < 2) {
    napi_throw_type_error(env, NULL, "out must be a Float64Array of 2");
    return NULL;
  }
  struct tcp_info tcp;
  socklen_t size = sizeof(tcp);
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &tcp, &size) < 0) return js_number(env, -errno);
  /* tcp_info only grows at its end: an older kernel gives a shorter one. */
  if (size < offsetof(struct tcp_info, tcpi_bytes_acked) + sizeof(tcp.tcpi_bytes_acked)) return js_number(env, -ENOTSUP);
  int has_window = size >= offsetof(struct tcp_info, tcpi_snd_wnd) + sizeof(tcp.tcpi_snd_wnd);
  double *out = data;
  out[0] = (double)tcp.tcpi_bytes_acked;
  out[1] = has_window ? (double)tcp.tcpi_snd_wnd : -1;
  return js_number(env, 0);
}

static napi_value tcp_states(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value args[2];
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  napi_typedarray_type fd_type, out_type;
  size_t count = 0, out_length = 0;
  void *fd_data = NULL, *out_data = NULL;
  if (argc < 2 || napi_get_typedarray_info(env, args[0], &fd_type, &count, &fd_data, NULL, NULL) != napi_ok || fd_type != napi_int32_array ||
      napi_get_typedarray_info(env, args[1], &out_type, &out_length, &out_data, NULL, NULL) != napi_ok || out_type != napi_float64_array || out_length < count * 3) {
    napi_throw_type_error(env, NULL, "tcpStates needs an Int32Array of descriptors and a Float64Array three times as long");
    return NULL;
  }
  const int32_t *fds = fd_data;
  double *out = out_data;
  for (size_t i = 0; i < count; i++) {
    struct tcp_info tcp;
    socklen_t size = sizeof(tcp);
    double *o = out + 3 * i;
    if (getsockopt(fds[i], IPPROTO_TCP, TCP_INFO, &tcp, &size) < 0 || size < offsetof(struct tcp_info, tcpi_bytes_acked) + sizeof(tcp.tcpi_bytes_acked)) {
      o[0] = -1;
      o[1] = -1;
      o[2] = 1;
      continue;
    }
    o[0] = (double)tcp.tcpi_bytes_acked;
    o[1] = size >= offsetof(struct tcp_info, tcpi_snd_wnd) + sizeof(tcp.tcpi_snd_wnd) ? (double)tcp.tcpi_snd_wnd : -1;
    /* A reset (either way) leaves the socket in CLOSE; a FIN alone in CLOSE_WAIT, still a listener. */
    o[2] = tcp.tcpi_state == STATE_CLOSE ? 1 : 0;
  }
  return js_number(env, 0);
}

static napi_value peer_closed(napi_env env, napi_callback_info info) {
  napi_value args[1];
  int fd = fd_arg(env, info, 1, args);
  if (fd < 0) return NULL;
  char byte;
  ssize_t got = recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  int closed = got < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
  if (got == 0) {
    /* End of input: a FIN (half-closed, still writable: CLOSE_WAIT), or a reset whose error an
       earlier call already took (the connection is then CLOSE). */
    struct tcp_info tcp;
    socklen_t size = sizeof(tcp);
    closed = getsockopt(fd, IPPROTO_TCP, TCP_INFO, &tcp, &size) < 0 || tcp.tcpi_state != STATE_CLOSE_WAIT;
  }
  napi_value result;
  napi_get_boolean(env, closed, &result);
  return result;
}

static napi_value close_fd(napi_env env, napi_callback_info info) {
  napi_value args[1];
  int fd = fd_arg(env, info, 1, args);
  if (fd < 0) return NULL;
  return js_number(env, close(fd) < 0 ? -errno : 0);
}

/* A listener dropped for falling behind has a full send queue that it is not taking. A plain close
   would leave that queue, and the connection, to the kernel (orphaned in FIN-WAIT-1) for as long
   as the peer keeps answering zero-window probes: minutes. A reset frees both now; the peer can
   still read what it had already received. */
static napi_value abort_fd(napi_env env, napi_callback_info info) {
  napi_value args[1];
  int fd = fd_arg(env, info, 1, args);
  if (fd < 0) return NULL;
  struct linger reset = {.l_onoff = 1, .l_linger = 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
  return js_number(env, close(fd) < 0 ? -errno : 0);
}

static napi_value trim_memory(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result;
  napi_get_boolean(env, malloc_trim(0) != 0, &result);
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor methods[] = {
      {"adopt", NULL, adopt, NULL, NULL, NULL, napi_default, NULL},
      {"send", NULL, send_buffers, NULL, NULL, NULL, napi_default, NULL},
      {"tcpState", NULL, tcp_state, NULL, NULL, NULL, napi_default, NULL},
      {"sendMany", NULL, send_many, NULL, NULL, NULL, napi_default, NULL},
      {"tcpStates", NULL, tcp_states, NULL, NULL, NULL, napi_default, NULL},
      {"peerClosed", NULL, peer_closed, NULL, NULL, NULL, napi_default, NULL},
      {"trimMemory", NULL, trim_memory, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, close_fd, NULL, NULL, NULL, napi_default, NULL},
      {"abort", NULL, abort_fd, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof(methods) / sizeof(methods[0]), methods);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
