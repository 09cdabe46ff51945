/*
 * For virtnet's Node-API addons (client/unix-request, host/pageout/read-advice):
 * throw an Error whose `code` and `syscall` are set as node:net's and node:fs's
 * errors have them. Returns NULL for the caller to return.
 */
#ifndef VIRTNET_NAPI_ERROR_H
#define VIRTNET_NAPI_ERROR_H
#include <node_api.h>

static napi_value throw_syscall_error(napi_env env, const char *syscall, const char *code, const char *message) {
  napi_value c, m, s, e;
  napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &c);
  napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &m);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &s);
  napi_create_error(env, c, m, &e);
  napi_set_named_property(env, e, "syscall", s);
  napi_throw(env, e);
  return NULL;
}
#endif
