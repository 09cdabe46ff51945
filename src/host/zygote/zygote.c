/*
 * virtnet-zygote.so: preloaded into one process of a program (dnsmasq), it
 * makes that process a zygote that forks the program's daemons instead of
 * each being exec'd (src/host/zygote.ts starts it; docs/network-runtime.md
 * says why). Its constructor runs after the dynamic linker has loaded and
 * relocated the program's libraries and before the program's main(); there
 * it serves requests, and each fork returns from the constructor into
 * main() with the request's argument, sharing the relocated pages.
 *
 * Active only when VIRTNET_ZYGOTE_DIR is set (removed from the environment,
 * with LD_PRELOAD, before anything else): the private directory of the
 * job files, removed at end of input. argv[1] is a placeholder whose length
 * is the room for the argument. Requests on stdin, one line each,
 * tab-separated:
 *
 *   ID \t NETNS \t OUT \t ERR \t ARG
 *
 * NETNS is a network namespace handle to enter (empty: stay), OUT and ERR
 * the files for the program's stdout and stderr, ARG its one argument.
 * Answers on stdout, as src/host/job-server.ts expects them: "ready" once,
 * then "ID pid PID" when the program's process exists and "ID STATUS" when
 * it has ended (128+N for signal N), or "ID refused REASON" when the job
 * could not become the program (a fork, a descriptor or the namespace
 * failed): the program never ran, and virtnetd starts it another way. End of
 * input ends the zygote; the processes it started live on.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static void say(const char *fmt, long id, long value) {
  char line[64];
  int n = snprintf(line, sizeof line, fmt, id, value);
  if (n > 0 && write(STDOUT_FILENO, line, (size_t)n) < 0) _exit(1);
}

/* One line on `fd`, in one write (a pipe keeps it whole). */
static void refuse(int fd, long id, const char *what, int err) {
  char line[512];
  int n = snprintf(line, sizeof line, "%ld refused %s: %s\n", id, what, strerror(err));
  if (n <= 0) return;
  if ((size_t)n >= sizeof line) {
    n = sizeof line - 1;
    line[n - 1] = '\n';
  }
  if (write(fd, line, (size_t)n) < 0) return;
}

static int redirect(int target, const char *path, int flags) {
  int fd = open(path, flags | O_CLOEXEC, 0600);
  if (fd < 0 || dup2(fd, target) < 0) return -1;
  close(fd);
  return 0;
}

/*
 * In the forked program, before main(): descriptors, namespace, argument,
 * signals. What fails is refused on the answer pipe (a copy of stdout kept
 * until the end), so the job is started another way.
 */
static void become(long id, char **argv, size_t room, const char *netns, const char *out, const char *err, const char *arg) {
  int report = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
  if (report < 0) {
    refuse(STDOUT_FILENO, id, "dup", errno);
    _exit(126);
  }
#define REFUSE(what)                \
  do {                              \
    refuse(report, id, what, errno); \
    _exit(126);                     \
  } while (0)
  if (redirect(STDERR_FILENO, err, O_WRONLY | O_CREAT | O_TRUNC) < 0) REFUSE(err);
  if (redirect(STDOUT_FILENO, out, O_WRONLY | O_CREAT | O_TRUNC) < 0) REFUSE(out);
  if (redirect(STDIN_FILENO, "/dev/null", O_RDONLY) < 0) REFUSE("/dev/null");
  if (*netns) {
    int fd = open(netns, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) REFUSE(netns);
    close(fd);
  }
  size_t len = strlen(arg);
  if (len >= room) {
    errno = E2BIG;
    REFUSE("argument");
  }
#undef REFUSE
  /* The program must not hold the answer pipe: virtnetd waits for it to close. */
  close(report);
  /* Into the original argument area, so /proc/PID/cmdline shows it (ps drops the NUL padding). */
  memset(argv[1], 0, room);
  memcpy(argv[1], arg, len);
  prctl(PR_SET_MM, PR_SET_MM_ARG_END, (unsigned long)(argv[1] + len + 1), 0, 0);
  signal(SIGCHLD, SIG_DFL);
  signal(SIGPIPE, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
}

/* End of input: the job files left by jobs that never finished, and the directory. */
static void remove_dir(const char *path) {
  DIR *d = opendir(path);
  if (d != NULL) {
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
      if (e->d_name[0] != '.') unlinkat(dirfd(d), e->d_name, 0);
    }
    closedir(d);
  }
  rmdir(path);
}

__attribute__((constructor)) static void zygote(int argc, char **argv) {
  const char *set = getenv("VIRTNET_ZYGOTE_DIR");
  if (set == NULL) return;
  char *dir = strdup(set);
  unsetenv("VIRTNET_ZYGOTE_DIR");
  unsetenv("LD_PRELOAD");
  if (dir == NULL || argc != 2) _exit(2);
  size_t room = strlen(argv[1]) + 1;
  /* Waiters are reaped by the kernel; a vanished reader ends a waiter, not the program. */
  signal(SIGCHLD, SIG_IGN);
  signal(SIGPIPE, SIG_IGN);
  if (write(STDOUT_FILENO, "ready\n", 6) != 6) _exit(1);
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  while ((n = getline(&line, &cap, stdin)) > 0) {
    if (line[n - 1] == '\n') line[n - 1] = '\0';
    char *rest = line;
    char *id = strsep(&rest, "\t");
    char *netns = strsep(&rest, "\t");
    char *out = strsep(&rest, "\t");
    char *err = strsep(&rest, "\t");
    char *arg = strsep(&rest, "\t");
    if (arg == NULL || rest != NULL) continue;
    long job = strtol(id, NULL, 10);
    pid_t waiter = fork();
    if (waiter < 0) {
      refuse(STDOUT_FILENO, job, "fork", errno);
      continue;
    }
    if (waiter > 0) continue;
    /* The waiter: fork the program, report its pid, then its status. */
    signal(SIGCHLD, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    pid_t program = fork();
    if (program == 0) {
      free(dir);
      become(job, argv, room, netns, out, err, arg);
      return; /* into the program's main() */
    }
    if (program < 0) {
      refuse(STDOUT_FILENO, job, "fork", errno);
      _exit(0);
    }
    say("%ld pid %ld\n", job, (long)program);
    int status = 126 << 8;
    while (waitpid(program, &status, 0) < 0 && errno == EINTR) {
    }
    say("%ld %ld\n", job, WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status));
    _exit(0);
  }
  remove_dir(dir);
  _exit(0);
}
