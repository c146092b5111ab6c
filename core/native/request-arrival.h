#ifndef FLOWCAST_REQUEST_ARRIVAL_H
#define FLOWCAST_REQUEST_ARRIVAL_H
#include <node_api.h>

/* Add deferAccept(fd, seconds) and readWaiting(fd, buffer) to `exports`. */
void request_arrival_register(napi_env env, napi_value exports);

#endif
