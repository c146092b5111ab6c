/*
 * Files to many sockets with sendfile(2), driven by readiness as nginx does, with no JavaScript
 * per listener and per wake-up: a sender owns an epoll set of the sockets it serves (each a dup of
 * the connection's descriptor, so a descriptor number never changes hands under it) and libuv
 * watches that set. When sockets have room, one callback sends to every ready socket, each in a
 * loop of sendfile calls until the socket is full (a short send) or its range is done; finished and
 * failed transfers go back to JavaScript in one call per wake-up. A transfer costs 56 bytes here
 * (and its response head until that is sent) and nothing more in the process.
 *
 *   createFileSender(onDone) -> sender   onDone(ids: Int32Array, sent: Float64Array,
 *                                        errors: Int32Array): transfers that ended, with the bytes
 *                                        sent by each, and 0 (the whole range) or -errno
 *   senderAdd(sender, socketFd, fileFd, start, end[, head]) -> id   bytes [start, end) of the
 *                                        file, after `head` (a Buffer: the response head) when given;
 *                                        both descriptors are duplicated (the caller may close its own)
 *   senderCancel(sender, id) -> bytes sent, or -1 when the transfer is no longer there; the
 *                                        socket's dup is closed (onDone is not called for it)
 *   senderClose(sender)                  cancel all, stop watching
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#include <uv.h>

#include "file-sender.h"
#include "napi-util.h"

#define MAX_EVENTS 256
/* Bytes a transfer keeps queued on its socket unsent, at most (TCP_NOTSENT_LOWAT; see add()). */
#define UNSENT_LOW_WATER (128 * 1024)
/* The most one sendfile call is asked for: the kernel's own limit for one call. */
#define MAX_CALL 0x7ffff000L

typedef struct {
  int socket; /* -1: the slot is free */
  int file;
  /* The response head, written before the file's bytes (freed once sent). */
  char *head;
  uint32_t head_length;
  uint32_t head_sent;
  off_t position;
  off_t end;
  off_t start;
  uint32_t generation;
  int32_t next_free;
} Transfer;

typedef struct {
  napi_env env;
  napi_ref on_done;
  napi_async_context async;
  uv_poll_t poll;
  int epoll;
  int closed;
  Transfer *transfers;
  int32_t capacity;
  int32_t first_free;
  /* Transfers that ended during one wake-up: reported together. */
  int32_t *done_ids;
  double *done_sent;
  int32_t *done_errors;
  int32_t done_count;
  int32_t done_capacity;
} Sender;

static uint64_t event_key(int32_t slot, uint32_t generation) { return ((uint64_t)generation << 32) | (uint32_t)slot; }

/* An id a JavaScript number holds exactly: slot and generation (24 bits of it). */
static int32_t transfer_id(int32_t slot, uint32_t generation) { return (int32_t)(((generation & 0x7f) << 24) | (uint32_t)slot); }

static Transfer *find(Sender *sender, int32_t id) {
  int32_t slot = id & 0xffffff;
  if (id < 0 || slot >= sender->capacity) return NULL;
  Transfer *t = &sender->transfers[slot];
  if (t->socket < 0 || (int32_t)(t->generation & 0x7f) != ((id >> 24) & 0x7f)) return NULL;
  return t;
}

static void release(Sender *sender, int32_t slot) {
  Transfer *t = &sender->transfers[slot];
  /* Out of the set first: the connection's own descriptor (Node's) may keep it open. */
  epoll_ctl(sender->epoll, EPOLL_CTL_DEL, t->socket, NULL);
  close(t->socket);
  close(t->file);
  free(t->head);
  t->head = NULL;
  t->socket = -1;
  t->file = -1;
  t->generation++;
  t->next_free = sender->first_free;
  sender->first_free = slot;
}

static int grow(Sender *sender) {
  int32_t capacity = sender->capacity ? sender->capacity * 2 : 64;
  if (capacity > 0xffffff) return 0;
  Transfer *more = realloc(sender->transfers, sizeof(Transfer) * (size_t)capacity);
  if (!more) return 0;
  for (int32_t i = capacity - 1; i >= sender->capacity; i--) {
    more[i].socket = -1;
    more[i].file = -1;
    more[i].head = NULL;
    more[i].generation = 0;
    more[i].next_free = i == capacity - 1 ? sender->first_free : i + 1;
  }
  sender->first_free = sender->capacity;
  sender->transfers = more;
  sender->capacity = capacity;
  return 1;
}

static void note_done(Sender *sender, int32_t id, double sent, int32_t error) {
  if (sender->done_count == sender->done_capacity) {
    int32_t capacity = sender->done_capacity ? sender->done_capacity * 2 : 64;
    int32_t *ids = realloc(sender->done_ids, sizeof(int32_t) * (size_t)capacity);
    if (ids) sender->done_ids = ids;
    double *sents = realloc(sender->done_sent, sizeof(double) * (size_t)capacity);
    if (sents) sender->done_sent = sents;
    int32_t *errors = realloc(sender->done_errors, sizeof(int32_t) * (size_t)capacity);
    if (errors) sender->done_errors = errors;
    if (!ids || !sents || !errors) return; /* out of memory: the transfer is still released */
    sender->done_capacity = capacity;
  }
  sender->done_ids[sender->done_count] = id;
  sender->done_sent[sender->done_count] = sent;
  sender->done_errors[sender->done_count] = error;
  sender->done_count++;
}

/* Whether the file is now shorter than the transfer's position (it was cut while being sent). */
static bool file_ended(const Transfer *t) {
  struct stat st;
  return fstat(t->file, &st) == 0 && st.st_size <= t->position;
}

/* Send until the socket is full or the range is done; 1 when the transfer ended (noted). */
static int pump(Sender *sender, int32_t slot) {
  Transfer *t = &sender->transfers[slot];
  while (t->head) {
    /* MSG_MORE: the head goes out in one packet with the start of the file. */
    ssize_t sent = send(t->socket, t->head + t->head_sent, t->head_length - t->head_sent, MSG_NOSIGNAL | (t->position < t->end ? MSG_MORE : 0));
    if (sent > 0) {
      t->head_sent += (uint32_t)sent;
      if (t->head_sent == t->head_length) {
        free(t->head);
        t->head = NULL;
      }
      continue;
    }
    if (sent < 0 && errno == EINTR) continue;
    if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
    note_done(sender, transfer_id(slot, t->generation), 0, -errno);
    release(sender, slot);
    return 1;
  }
  while (t->position < t->end) {
    off_t left = t->end - t->position;
    size_t asked = (size_t)(left < MAX_CALL ? left : MAX_CALL);
    ssize_t sent = sendfile(t->socket, t->file, &t->position, asked);
    /*
     * Fewer bytes than asked: the socket is full (its next EPOLLOUT edge comes when the client has
     * read), unless the file ended early. Asking again would only be refused (EAGAIN), and a refused
     * sendfile still reads the file's pages first: about half the calls, as nginx also knows.
     */
    if (sent > 0 && (size_t)sent < asked && t->position < t->end && !file_ended(t)) return 0;
    if (sent > 0) continue;
    if (sent < 0 && errno == EINTR) continue;
    if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
    /* 0: the file ended before the range (it was cut); else the client is gone. */
    note_done(sender, transfer_id(slot, t->generation), (double)(t->position - t->start), sent == 0 ? -EIO : -errno);
    release(sender, slot);
    return 1;
  }
  note_done(sender, transfer_id(slot, t->generation), (double)(t->position - t->start), 0);
  release(sender, slot);
  return 1;
}

static void report(Sender *sender) {
  if (sender->done_count == 0) return;
  napi_env env = sender->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  int32_t count = sender->done_count;
  napi_value ids_buffer, sent_buffer, errors_buffer, argv[3], callback, global;
  void *data;
  napi_create_arraybuffer(env, sizeof(int32_t) * (size_t)count, &data, &ids_buffer);
  memcpy(data, sender->done_ids, sizeof(int32_t) * (size_t)count);
  napi_create_typedarray(env, napi_int32_array, (size_t)count, ids_buffer, 0, &argv[0]);
  napi_create_arraybuffer(env, sizeof(double) * (size_t)count, &data, &sent_buffer);
  memcpy(data, sender->done_sent, sizeof(double) * (size_t)count);
  napi_create_typedarray(env, napi_float64_array, (size_t)count, sent_buffer, 0, &argv[1]);
  napi_create_arraybuffer(env, sizeof(int32_t) * (size_t)count, &data, &errors_buffer);
  memcpy(data, sender->done_errors, sizeof(int32_t) * (size_t)count);
  napi_create_typedarray(env, napi_int32_array, (size_t)count, errors_buffer, 0, &argv[2]);
  sender->done_count = 0;
  napi_get_reference_value(env, sender->on_done, &callback);
  napi_get_global(env, &global);
  napi_value result;
  if (napi_make_callback(env, sender->async, global, callback, 3, argv, &result) == napi_pending_exception) {
    napi_value exception;
    napi_get_and_clear_last_exception(env, &exception);
    napi_fatal_exception(env, exception);
  }
  napi_close_handle_scope(env, scope);
}

static void on_ready(uv_poll_t *poll, int status, int events) {
  (void)status;
  (void)events;
  Sender *sender = poll->data;
  struct epoll_event ready[MAX_EVENTS];
  int n;
  do {
    n = epoll_wait(sender->epoll, ready, MAX_EVENTS, 0);
    for (int i = 0; i < n; i++) {
      int32_t slot = (int32_t)(ready[i].data.u64 & 0xffffffff);
      uint32_t generation = (uint32_t)(ready[i].data.u64 >> 32);
      if (slot >= sender->capacity || sender->transfers[slot].socket < 0 || sender->transfers[slot].generation != generation) continue;
      pump(sender, slot);
    }
  } while (n == MAX_EVENTS);
  report(sender);
}

static Sender *sender_arg(napi_env env, napi_value value) {
  Sender *sender = NULL;
  if (napi_get_value_external(env, value, (void **)&sender) != napi_ok || !sender || sender->closed) {
    napi_throw_type_error(env, NULL, "an open file sender is required");
    return NULL;
  }
  return sender;
}

static void close_all(Sender *sender) {
  if (sender->closed) return;
  sender->closed = 1;
  for (int32_t i = 0; i < sender->capacity; i++)
    if (sender->transfers[i].socket >= 0) release(sender, i);
  uv_poll_stop(&sender->poll);
}

static void free_sender(uv_handle_t *handle) {
  Sender *sender = handle->data;
  close(sender->epoll);
  free(sender->transfers);
  free(sender->done_ids);
  free(sender->done_sent);
  free(sender->done_errors);
  free(sender);
}

static void finalize(napi_env env, void *data, void *hint) {
  (void)hint;
  Sender *sender = data;
  close_all(sender);
  napi_delete_reference(env, sender->on_done);
  napi_async_destroy(env, sender->async);
  uv_close((uv_handle_t *)&sender->poll, free_sender);
}

static napi_value create(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value args[1], name, result;
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  napi_valuetype type;
  if (argc < 1 || napi_typeof(env, args[0], &type) != napi_ok || type != napi_function) {
    napi_throw_type_error(env, NULL, "createFileSender(onDone) takes a function");
    return NULL;
  }
  struct uv_loop_s *loop;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) {
    napi_throw_error(env, NULL, "no event loop");
    return NULL;
  }
  Sender *sender = calloc(1, sizeof(Sender));
  if (!sender) {
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  sender->env = env;
  sender->first_free = -1;
  sender->epoll = epoll_create1(EPOLL_CLOEXEC);
  if (sender->epoll < 0 || uv_poll_init(loop, &sender->poll, sender->epoll) != 0) {
    if (sender->epoll >= 0) close(sender->epoll);
    free(sender);
    napi_throw_error(env, NULL, "could not watch sockets (epoll)");
    return NULL;
  }
  sender->poll.data = sender;
  uv_poll_start(&sender->poll, UV_READABLE, on_ready);
  /* The connections keep the process alive, not the watch. */
  uv_unref((uv_handle_t *)&sender->poll);
  napi_create_reference(env, args[0], 1, &sender->on_done);
  napi_create_string_utf8(env, "flowcast:file-sender", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &sender->async);
  napi_create_external(env, sender, finalize, NULL, &result);
  return result;
}

static napi_value add(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value args[6];
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  if (argc < 5) {
    napi_throw_type_error(env, NULL, "senderAdd(sender, socketFd, fileFd, start, end)");
    return NULL;
  }
  Sender *sender = sender_arg(env, args[0]);
  if (!sender) return NULL;
  int32_t socket_fd = -1, file_fd = -1;
  int64_t start = -1, end = -1;
  if (napi_get_value_int32(env, args[1], &socket_fd) != napi_ok || napi_get_value_int32(env, args[2], &file_fd) != napi_ok ||
      napi_get_value_int64(env, args[3], &start) != napi_ok || napi_get_value_int64(env, args[4], &end) != napi_ok || socket_fd < 0 || file_fd < 0 ||
      start < 0 || end < start) {
    napi_throw_type_error(env, NULL, "senderAdd takes two descriptors and a range start <= end");
    return NULL;
  }
  if (sender->first_free < 0 && !grow(sender)) {
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  int s = fcntl(socket_fd, F_DUPFD_CLOEXEC, 0);
  int f = s < 0 ? -1 : fcntl(file_fd, F_DUPFD_CLOEXEC, 0);
  if (s < 0 || f < 0) {
    int error = errno;
    if (s >= 0) close(s);
    napi_throw_error(env, NULL, error == EMFILE ? "too many open files (raise the open-file limit)" : strerror(error));
    return NULL;
  }
  int flags = fcntl(s, F_GETFL);
  if (flags >= 0 && !(flags & O_NONBLOCK)) fcntl(s, F_SETFL, flags | O_NONBLOCK);
  char *head = NULL;
  size_t head_length = 0;
  bool is_buffer = false;
  if (argc >= 6 && napi_is_buffer(env, args[5], &is_buffer) == napi_ok && is_buffer) {
    void *data;
    napi_get_buffer_info(env, args[5], &data, &head_length);
    if (head_length > 0 && head_length < UINT32_MAX) {
      head = malloc(head_length);
      if (head) memcpy(head, data, head_length);
    }
    if (head_length > 0 && !head) {
      close(s);
      close(f);
      napi_throw_error(env, NULL, "out of memory");
      return NULL;
    }
  }
  int32_t slot = sender->first_free;
  Transfer *t = &sender->transfers[slot];
  sender->first_free = t->next_free;
  t->head = head;
  t->head_length = (uint32_t)head_length;
  t->head_sent = 0;
  t->socket = s;
  t->file = f;
  t->start = (off_t)start;
  t->position = (off_t)start;
  t->end = (off_t)end;
  /*
   * Keep at most UNSENT_LOW_WATER bytes queued unsent: the socket reports room only below it. A
   * listener taking a recording at its stream rate otherwise has its send buffer filled, which
   * the kernel grows up to tcp_wmem's maximum (4 MB by default): 5,000 such listeners had 356 KB
   * each queued on average, 1.7 GB in all, enough to put TCP under memory pressure, where packets
   * are dropped and sent again (bench/README.md, the archive). Data in flight is not limited, so
   * a fast download still fills its path. Best effort: a socket that refuses it is served as is.
   */
  int unsent = UNSENT_LOW_WATER;
  setsockopt(s, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &unsent, sizeof unsent);
  /* Edge-triggered: a socket that has room now is reported at once, then each time room frees up. */
  struct epoll_event event = {.events = EPOLLOUT | EPOLLET, .data.u64 = event_key(slot, t->generation)};
  if (epoll_ctl(sender->epoll, EPOLL_CTL_ADD, s, &event) != 0) {
    int error = errno;
    release(sender, slot);
    napi_throw_error(env, NULL, strerror(error));
    return NULL;
  }
  return js_number(env, transfer_id(slot, t->generation));
}

static napi_value cancel(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value args[2];
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  if (argc < 2) {
    napi_throw_type_error(env, NULL, "senderCancel(sender, id)");
    return NULL;
  }
  Sender *sender = NULL;
  if (napi_get_value_external(env, args[0], (void **)&sender) != napi_ok || !sender) {
    napi_throw_type_error(env, NULL, "a file sender is required");
    return NULL;
  }
  int32_t id = -1;
  napi_get_value_int32(env, args[1], &id);
  Transfer *t = sender->closed ? NULL : find(sender, id);
  if (!t) return js_number(env, -1);
  double sent = (double)(t->position - t->start);
  release(sender, id & 0xffffff);
  return js_number(env, sent);
}

static napi_value close_sender(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value args[1];
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  Sender *sender = NULL;
  if (argc < 1 || napi_get_value_external(env, args[0], (void **)&sender) != napi_ok || !sender) {
    napi_throw_type_error(env, NULL, "senderClose(sender)");
    return NULL;
  }
  close_all(sender);
  return NULL;
}

void file_sender_register(napi_env env, napi_value exports) {
  napi_property_descriptor methods[] = {
      {"createFileSender", NULL, create, NULL, NULL, NULL, napi_default, NULL},
      {"senderAdd", NULL, add, NULL, NULL, NULL, napi_default, NULL},
      {"senderCancel", NULL, cancel, NULL, NULL, NULL, napi_default, NULL},
      {"senderClose", NULL, close_sender, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, 4, methods);
}
