/* Core's native addon: the flowcastbatchsink element and its channels (batch-sink.c), sendfile (sendfile.c) and the file sender (file-sender.c). */
#include <node_api.h>

#include "batch-sink.h"
#include "file-sender.h"
#include "sendfile.h"

static napi_value init(napi_env env, napi_value exports) {
  if (!batch_sink_register(env, exports)) return NULL;
  sendfile_register(env, exports);
  file_sender_register(env, exports);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
