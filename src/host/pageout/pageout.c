/*
 * virtnet-pageout PID [DELAY_MS]: asks the kernel to page out the clean
 * file-backed pages of process PID (its program's and libraries' code and
 * read-only data), with process_madvise(MADV_PAGEOUT) on each read-only
 * mapping of a file listed in /proc/PID/maps. Anonymous memory, writable
 * mappings (a library's relocated data), [heap], [stack], [vdso] and the
 * like, devices, memfd and SysV shared memory are left alone. The kernel
 * pages out only the pages no other process maps; those PID touches again
 * come back from the page cache (or the file). virtnetd runs it on itself
 * once idle (src/host/pageout.ts; docs/architecture.md, Memory).
 *
 * It first asks the kernel whether it can be done at all (a process_madvise
 * call that advises nothing): if not, one line on stderr,
 * "virtnet-pageout: STEP: ERRNO-NAME (text)" (ENOSYS: no process_madvise,
 * Linux < 5.10; EINVAL: no MADV_PAGEOUT; EPERM: not allowed), and exit
 * status 1. Otherwise it prints "paging out PID", exits 0 and leaves the
 * work to a child of its own, detached from its output, that waits DELAY_MS
 * (default 0) first: PID (virtnetd) handles this process's end meanwhile,
 * and the code it runs for that is not brought straight back. Needs a C
 * compiler at build time only (scripts/build-native.mjs).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_process_madvise
#define SYS_process_madvise 440
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

static const char *errno_name(int err) {
  switch (err) {
  case ENOSYS: return "ENOSYS";
  case EINVAL: return "EINVAL";
  case EPERM: return "EPERM";
  case EACCES: return "EACCES";
  case ESRCH: return "ESRCH";
  case ENOENT: return "ENOENT";
  default: return "EOTHER";
  }
}

static int fail(const char *step, int err) {
  fprintf(stderr, "virtnet-pageout: %s: %s (%s)\n", step, errno_name(err), strerror(err));
  return 1;
}

/* A read-only mapping of a regular file: not anonymous, not [heap] and the like, not writable. */
static int clean_file_mapping(const char *perms, unsigned long inode, const char *path) {
  if (inode == 0 || path[0] != '/' || perms[1] == 'w') return 0;
  return strncmp(path, "/dev/", 5) != 0 && strncmp(path, "/memfd:", 7) != 0 && strncmp(path, "/SYSV", 5) != 0;
}

/* Page out each clean file mapping of the process behind `pidfd`. */
static void page_out(long pid, int pidfd) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%ld/maps", pid);
  FILE *maps = fopen(path, "re");
  if (!maps) return;
  char line[4096 + 128];
  while (fgets(line, sizeof line, maps)) {
    unsigned long start, stop, inode;
    char perms[5];
    int name = 0;
    if (sscanf(line, "%lx-%lx %4s %*s %*s %lu %n", &start, &stop, perms, &inode, &name) < 4 || name == 0) continue;
    char *file = line + name;
    file[strcspn(file, "\n")] = '\0';
    if (!clean_file_mapping(perms, inode, file)) continue;
    struct iovec range = {(void *)start, stop - start};
    /* A mapping gone since maps was read (ENOMEM), or locked (EINVAL): skipped. */
    syscall(SYS_process_madvise, pidfd, &range, 1, MADV_PAGEOUT, 0);
  }
  fclose(maps);
}

int main(int argc, char **argv) {
  char *end = NULL;
  long pid = argc >= 2 ? strtol(argv[1], &end, 10) : 0;
  if (argc < 2 || argc > 3 || *end != '\0' || pid <= 0) {
    fputs("usage: virtnet-pageout PID [DELAY_MS]\n", stderr);
    return 2;
  }
  long delay_ms = argc == 3 ? strtol(argv[2], &end, 10) : 0;
  if (*end != '\0' || delay_ms < 0 || delay_ms > 60000) {
    fputs("usage: virtnet-pageout PID [DELAY_MS]\n", stderr);
    return 2;
  }
  int pidfd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
  if (pidfd < 0) return fail("pidfd_open", errno);
  /* Advises nothing: can it be done at all? */
  struct iovec none = {0};
  if (syscall(SYS_process_madvise, pidfd, &none, 0, MADV_PAGEOUT, 0) < 0) return fail("process_madvise", errno);

  pid_t worker = fork();
  if (worker < 0) return fail("fork", errno);
  if (worker > 0) {
    printf("paging out %ld\n", pid);
    return 0;
  }
  /* The worker: off the caller's pipes (it sees this helper end now), then the work. */
  int null = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null >= 0) {
    dup2(null, STDIN_FILENO);
    dup2(null, STDOUT_FILENO);
    dup2(null, STDERR_FILENO);
  }
  setsid();
  struct timespec delay = {delay_ms / 1000, (delay_ms % 1000) * 1000000L};
  nanosleep(&delay, NULL);
  page_out(pid, pidfd);
  return 0;
}
