/*
 * Core's network addon, apart from the media one so that a process that only routes connections
 * (`flowcast serve`'s manager) loads no GStreamer: taking a new connection's request as it arrives
 * (request-arrival.c) and the file sender (file-sender.c).
 */
#include <node_api.h>

#include "file-sender.h"
#include "request-arrival.h"

static napi_value init(napi_env env, napi_value exports) {
  request_arrival_register(env, exports);
  file_sender_register(env, exports);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
