/*
 * virtnet-read-advice.node: a Node-API addon with one function,
 *
 *   adviseRandomRead() -> number
 *
 * which tells the kernel that the calling process reads the file it runs
 * (node's binary, /proc/self/exe) at random: madvise(MADV_RANDOM) on each of
 * that file's mappings listed in /proc/self/maps. A page of it faulted in
 * again after the idle page-out (src/host/pageout.ts) is then read alone,
 * without the read-ahead window around it, which the kernel would map into
 * the process too. Returns how many mappings were advised; throws an Error
 * with `code` (the errno name) and `syscall` when /proc/self/exe or
 * /proc/self/maps cannot be read or madvise refuses.
 */
#define NAPI_VERSION 8
#include <node_api.h>

#include "../napi-error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const char *errno_name(int e) {
  switch (e) {
  case ENOENT: return "ENOENT";
  case EACCES: return "EACCES";
  case EPERM: return "EPERM";
  case EINVAL: return "EINVAL";
  case ENOMEM: return "ENOMEM";
  case EAGAIN: return "EAGAIN";
  case EMFILE: return "EMFILE";
  default: return "EOTHER";
  }
}

static napi_value throw_errno(napi_env env, const char *syscall_name, int err) {
  char text[160];
  snprintf(text, sizeof text, "%s failed: %s", syscall_name, strerror(err));
  return throw_syscall_error(env, syscall_name, errno_name(err), text);
}

static napi_value advise_random_read(napi_env env, napi_callback_info info) {
  (void)info;
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n < 0) return throw_errno(env, "readlink", errno);
  exe[n] = '\0';
  FILE *maps = fopen("/proc/self/maps", "re");
  if (!maps) return throw_errno(env, "open", errno);
  int advised = 0;
  char line[4096 + 128];
  while (fgets(line, sizeof line, maps)) {
    unsigned long start, stop;
    int name = 0;
    if (sscanf(line, "%lx-%lx %*s %*s %*s %*s %n", &start, &stop, &name) < 2 || name == 0) continue;
    char *file = line + name;
    file[strcspn(file, "\n")] = '\0';
    if (strcmp(file, exe) != 0) continue;
    if (madvise((void *)start, stop - start, MADV_RANDOM) != 0) {
      int err = errno;
      fclose(maps);
      return throw_errno(env, "madvise", err);
    }
    advised++;
  }
  fclose(maps);
  napi_value result;
  napi_create_int32(env, advised, &result);
  return result;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "adviseRandomRead", NAPI_AUTO_LENGTH, advise_random_read, NULL, &fn);
  napi_set_named_property(env, exports, "adviseRandomRead", fn);
  return exports;
}
