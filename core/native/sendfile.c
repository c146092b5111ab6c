/*
 * sendfile(2) for JavaScript: the kernel copies a file's pages to a socket, with no copy through
 * the process (what nginx does for static files). The socket is non-blocking: a call sends what
 * the socket's buffer takes now.
 *
 *   sendfile(outFd, inFd, offset, count) -> bytes sent (>= 0), or -errno (-EAGAIN: the socket's
 *                                          buffer is full; try again later)
 */
#include <errno.h>
#include <node_api.h>
#include <sys/sendfile.h>
#include <sys/types.h>

#include "napi-util.h"
#include "sendfile.h"

static napi_value send_file(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value args[4];
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  int32_t out_fd = -1, in_fd = -1;
  int64_t offset = -1, count = -1;
  if (argc < 4 || napi_get_value_int32(env, args[0], &out_fd) != napi_ok || napi_get_value_int32(env, args[1], &in_fd) != napi_ok ||
      napi_get_value_int64(env, args[2], &offset) != napi_ok || napi_get_value_int64(env, args[3], &count) != napi_ok || out_fd < 0 || in_fd < 0 || offset < 0 ||
      count < 0) {
    napi_throw_type_error(env, NULL, "sendfile(outFd, inFd, offset, count) takes two descriptors and two non-negative integers");
    return NULL;
  }
  off_t position = (off_t)offset;
  ssize_t sent = sendfile(out_fd, in_fd, &position, (size_t)count);
  return js_number(env, sent < 0 ? -errno : (double)sent);
}

void sendfile_register(napi_env env, napi_value exports) {
  napi_property_descriptor methods[] = {
      {"sendfile", NULL, send_file, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, 1, methods);
}
