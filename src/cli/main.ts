/**
 * The `virtnet` process: binds runCli (run-cli.ts) to the real process —
 * stdout/stderr, stdin and its terminal, SIGINT, the environment — and to
 * virtnetd through the HTTP client's `connect`. Everything else lives in
 * modules that tests drive against the daemon's drivers in process.
 */
import { connect } from '../client/index.js';
import type { ConnectOptions } from '../client/types.js';
import { loadUnixRequest } from '../client/unix-request.js';
import { runCli } from './run-cli.js';
import type { ShellIo } from './shell.js';
import { sayWriteFailuresIn, stdoutStream, writeStdout } from './stdout.js';

/** One keypress from a terminal in raw mode (virsh's vshAskReedit does the same). */
function readKey(): Promise<string> {
  const stdin = process.stdin;
  return new Promise((resolve) => {
    const wasRaw = stdin.isRaw;
    stdin.setRawMode(true);
    const done = (text: string): void => {
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      stdin.setRawMode(wasRaw);
      stdin.pause();
      resolve(text);
    };
    const onData = (chunk: Buffer): void => done(chunk.toString('utf8').slice(0, 1));
    const onEnd = (): void => done('');
    stdin.on('data', onData);
    stdin.once('end', onEnd);
    stdin.resume();
  });
}

const io: ShellIo = {
  out: writeStdout,
  err: (text) => {
    process.stderr.write(text);
  },
  // Read when a command needs them: making process.stdin (a stream over /dev/null, a file, a pipe)
  // costs a call ~2 ms of loading modules it otherwise never needs.
  get stdin() {
    return process.stdin;
  },
  get stdinIsTTY() {
    return process.stdin.isTTY === true;
  },
  readKey,
  onInterrupt(handler) {
    process.on('SIGINT', handler);
    return () => process.off('SIGINT', handler);
  },
};

/**
 * Calls to a unix socket in one blocking step, unless a Ctrl-C handler is waiting (net-event): it would
 * wait for the answer. The addon is loaded when the CLI connects: a command without a daemon never loads it.
 */
function withBlockingRequests(options: ConnectOptions): ConnectOptions {
  const request = loadUnixRequest();
  return typeof request === 'function' ? { ...options, blocking: { request, mayBlock: () => process.listenerCount('SIGINT') === 0 } } : options;
}

void runCli(process.argv.slice(2), {
  io,
  connect: (options) => connect(withBlockingRequests(options)),
  env: process.env,
  cwd: process.cwd(),
  get ttyOutput() {
    return stdoutStream();
  },
  exitsAfter: true,
  onLanguage: sayWriteFailuresIn,
}).then((code) => {
  process.exitCode = code;
  // Nothing may keep the process alive after the last command (an event stream, an idle socket).
  setImmediate(() => process.exit(code));
});
