#ifndef FLOWCAST_SENDFILE_H
#define FLOWCAST_SENDFILE_H
#include <node_api.h>

/* Add sendfile(outFd, inFd, offset, count) to `exports`. */
void sendfile_register(napi_env env, napi_value exports);

#endif
