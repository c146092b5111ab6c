#ifndef FLOWCAST_BATCH_SINK_H
#define FLOWCAST_BATCH_SINK_H
#include <glib.h>
#include <node_api.h>

/* Register the flowcastbatchsink element and add its channel functions to `exports`. */
gboolean batch_sink_register(napi_env env, napi_value exports);

#endif
