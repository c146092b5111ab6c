/*
 * A new connection's request, taken as it arrives: the HTTP front has the kernel hand over a
 * connection only once its client has sent something (TCP_DEFER_ACCEPT, nginx's `deferred`), then
 * reads what has come without waiting. So a request head is usually whole the moment the
 * connection is accepted, and it is answered without starting Node's stream reading, a timer or
 * listeners for it.
 *
 *   deferAccept(fd, seconds) -> 0, or -errno   on a listening socket: connections that send
 *                                              nothing are handed over after `seconds` anyway
 *   readWaiting(fd, buffer)  -> bytes read into buffer (0: the client closed its side), or -errno
 *                              (-EAGAIN: nothing has arrived yet)
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <node_api.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "napi-util.h"
#include "request-arrival.h"

static napi_value defer_accept(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value args[2];
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  int32_t fd = -1, seconds = -1;
  if (argc < 2 || napi_get_value_int32(env, args[0], &fd) != napi_ok || napi_get_value_int32(env, args[1], &seconds) != napi_ok || fd < 0 || seconds < 0) {
    napi_throw_type_error(env, NULL, "deferAccept(fd, seconds) takes a descriptor and a number of seconds");
    return NULL;
  }
  int value = seconds;
  return js_number(env, setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &value, sizeof value) == 0 ? 0 : -errno);
}

static napi_value read_waiting(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value args[2];
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  int32_t fd = -1;
  bool is_buffer = false;
  if (argc < 2 || napi_get_value_int32(env, args[0], &fd) != napi_ok || fd < 0 || napi_is_buffer(env, args[1], &is_buffer) != napi_ok || !is_buffer) {
    napi_throw_type_error(env, NULL, "readWaiting(fd, buffer) takes a descriptor and a Buffer");
    return NULL;
  }
  void *data;
  size_t length;
  napi_get_buffer_info(env, args[1], &data, &length);
  ssize_t got;
  do got = recv(fd, data, length, MSG_DONTWAIT);
  while (got < 0 && errno == EINTR);
  return js_number(env, got < 0 ? -errno : (double)got);
}

void request_arrival_register(napi_env env, napi_value exports) {
  napi_property_descriptor methods[] = {
      {"deferAccept", NULL, defer_accept, NULL, NULL, NULL, napi_default, NULL},
      {"readWaiting", NULL, read_waiting, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, 2, methods);
}
