/*
 * virtnet-unix-request.node: one HTTP request to virtnetd's unix socket in a
 * single blocking step, for the CLI (src/client/unix-request.ts). A Node-API
 * addon, so one build loads in any later Node.js.
 *
 *   request(socketPath: string, bytes: Buffer, onData: (chunk: Buffer) => boolean) -> undefined
 *
 * connects, writes `bytes` (a whole request), and hands each piece it reads
 * to `onData`, until onData says the answer is whole (true) or the daemon
 * closes the connection. A failure throws an Error with `code` (the errno
 * name) and `syscall` ("connect", "write", ...), as node:net's errors have
 * them; what onData throws goes through as it is.
 */
#define NAPI_VERSION 8
#include <node_api.h>

#include "../../host/napi-error.h"

#include <errno.h>
#include <stdio.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static const char *errno_name(int e) {
  switch (e) {
  case ENOENT: return "ENOENT";
  case ECONNREFUSED: return "ECONNREFUSED";
  case EACCES: return "EACCES";
  case EPERM: return "EPERM";
  case ENOTDIR: return "ENOTDIR";
  case ENOTSOCK: return "ENOTSOCK";
  case ENAMETOOLONG: return "ENAMETOOLONG";
  case ECONNRESET: return "ECONNRESET";
  case EPIPE: return "EPIPE";
  case EAGAIN: return "EAGAIN";
  case EMFILE: return "EMFILE";
  case ENFILE: return "ENFILE";
  case ENOMEM: return "ENOMEM";
  case ETIMEDOUT: return "ETIMEDOUT";
  case ELOOP: return "ELOOP";
  case EPROTOTYPE: return "EPROTOTYPE";
  default: return "EIO";
  }
}

/* Throw the Error for `err` in `syscall`; returns NULL for the caller to return. */
static napi_value fail(napi_env env, const char *syscall, int err, const char *path) {
  const char *code = errno_name(err);
  char text[256];
  snprintf(text, sizeof text, "%s %s %s", syscall, code, path);
  return throw_syscall_error(env, syscall, code, text);
}

static napi_value request(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 3) {
    napi_throw_type_error(env, NULL, "request(socketPath, bytes, onData)");
    return NULL;
  }
  struct sockaddr_un addr;
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  size_t path_len = 0;
  /* One byte more than sun_path holds: a longer path is found out, not cut. */
  char path[sizeof addr.sun_path + 1];
  if (napi_get_value_string_utf8(env, argv[0], path, sizeof path, &path_len) != napi_ok) {
    napi_throw_type_error(env, NULL, "the socket path must be a string");
    return NULL;
  }
  if (path_len >= sizeof addr.sun_path) return fail(env, "connect", ENAMETOOLONG, path);
  memcpy(addr.sun_path, path, path_len);
  void *data = NULL;
  size_t len = 0;
  if (napi_get_buffer_info(env, argv[1], &data, &len) != napi_ok) {
    napi_throw_type_error(env, NULL, "the request must be a Buffer");
    return NULL;
  }
  napi_value on_data = argv[2], undefined;
  napi_get_undefined(env, &undefined);

  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail(env, "socket", errno, path);
  int r;
  do r = connect(fd, (struct sockaddr *)&addr, sizeof addr);
  while (r < 0 && errno == EINTR);
  if (r < 0) {
    int e = errno;
    close(fd);
    return fail(env, "connect", e, path);
  }
  for (size_t off = 0; off < len;) {
    ssize_t n = send(fd, (const char *)data + off, len - off, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      close(fd);
      return fail(env, "write", e, path);
    }
    off += (size_t)n;
  }
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      close(fd);
      return fail(env, "read", e, path);
    }
    if (n == 0) break;
    napi_value chunk, whole;
    void *copy;
    bool done = false;
    if (napi_create_buffer_copy(env, (size_t)n, buf, &copy, &chunk) != napi_ok ||
        napi_call_function(env, undefined, on_data, 1, &chunk, &whole) != napi_ok ||
        napi_get_value_bool(env, whole, &done) != napi_ok) {
      /* onData threw (the exception is pending) or did not answer with a boolean */
      close(fd);
      bool pending = false;
      napi_is_exception_pending(env, &pending);
      if (!pending) napi_throw_type_error(env, NULL, "onData must return a boolean");
      return NULL;
    }
    if (done) break;
  }
  close(fd);
  return undefined;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "request", NAPI_AUTO_LENGTH, request, NULL, &fn);
  napi_set_named_property(env, exports, "request", fn);
  return exports;
}
