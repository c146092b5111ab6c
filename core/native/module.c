/* Core's media addon: the flowcastbatchsink element and its channels (batch-sink.c). Loading it starts GStreamer. */
#include <node_api.h>

#include "batch-sink.h"

static napi_value init(napi_env env, napi_value exports) {
  if (!batch_sink_register(env, exports)) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
