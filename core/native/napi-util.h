#ifndef FLOWCAST_NAPI_UTIL_H
#define FLOWCAST_NAPI_UTIL_H
/* Small N-API helpers shared by the addon's files. */
#include <node_api.h>
#include <stdint.h>

static inline napi_value js_number(napi_env env, double value) {
  napi_value result;
  napi_create_double(env, value, &result);
  return result;
}

/*
 * Read up to `want` arguments into `args`; the first must be an integer of at least `min`.
 * Returns it, or throws a TypeError naming `what` and returns min - 1.
 */
static inline int32_t int_arg(napi_env env, napi_callback_info info, size_t want, napi_value *args, int32_t min, const char *what) {
  size_t argc = want;
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  int32_t value = min - 1;
  if (argc < 1 || napi_get_value_int32(env, args[0], &value) != napi_ok || value < min) {
    napi_throw_type_error(env, NULL, what);
    return min - 1;
  }
  return value;
}

#endif
