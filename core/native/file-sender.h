#ifndef FLOWCAST_FILE_SENDER_H
#define FLOWCAST_FILE_SENDER_H
#include <node_api.h>

/* Add createFileSender, senderAdd, senderCancel and senderClose to `exports` (file-sender.c). */
void file_sender_register(napi_env env, napi_value exports);

#endif
