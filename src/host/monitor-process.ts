/**
 * A long-lived monitor command (`nft monitor`, `ip monitor link`) whose
 * output is read as it comes. It costs one idle process and nothing per
 * second: it wakes only when the kernel reports something.
 *
 * If the process ends (killed, the tool upgraded under it) it is started
 * again, after 0.2 s, then longer waits up to 10 s; `onGap` says that events
 * may have been missed meanwhile, so the owner checks what it cares about.
 * A monitor that cannot be started at all keeps retrying at that pace.
 * Callers start it under `setpriv --pdeathsig`, so it never outlives the
 * daemon, even one that was SIGKILLed.
 */
import { spawn, type ChildProcess } from 'node:child_process';

interface MonitorProcessOptions {
  /** The command line, e.g. ['nsenter', '--net=/run/netns/X', 'nft', 'monitor']. */
  argv: readonly string[];
  /** What it is, for the log ("nft monitor"). */
  what: string;
  /** A reader for one run of the process: given its stdout, chunk by chunk (a restart gets a fresh one). */
  reader: () => (chunk: string) => void;
  /** The process (re)started after not running: events may have been missed. */
  onGap?: () => void;
  /** Why the process stopped or could not start (for the log). */
  onProblem?: (message: string) => void;
  /** First and longest wait before a restart (ms). */
  retryMs?: { first: number; max: number };
}

/** A monitor's output, chunk by chunk, as whole lines (trimmed); a line split across chunks waits for its end. */
export class LineBuffer {
  private buffered = '';

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: string): void {
    this.buffered += chunk;
    for (let nl = this.buffered.indexOf('\n'); nl >= 0; nl = this.buffered.indexOf('\n')) {
      const line = this.buffered.slice(0, nl).trim();
      this.buffered = this.buffered.slice(nl + 1);
      this.onLine(line);
    }
  }
}

export class MonitorProcess {
  private child: ChildProcess | undefined;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private wait: number;
  private everRan = false;

  constructor(private readonly options: MonitorProcessOptions) {
    this.wait = options.retryMs?.first ?? 200;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  start(): void {
    this.stopped = false;
    if (this.child === undefined && this.timer === undefined) this.launch();
  }

  /** Stop it; resolves once the process has ended (SIGTERM, SIGKILL after a second). */
  stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const child = this.child;
    this.child = undefined;
    if (child?.pid === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    const pid = child.pid;
    return new Promise<void>((resolve) => {
      const kill = setTimeout(() => {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }, 1000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        clearTimeout(kill);
        resolve();
      }
    });
  }

  private launch(): void {
    const what = this.options.what;
    const [program, ...args] = this.options.argv as [string, ...string[]];
    let child: ChildProcess;
    try {
      child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    } catch (err) {
      this.retry(`cannot start ${what}: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    this.child = child;
    const read = this.options.reader();
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', read);
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-500)));
    // The monitor must not keep a process alive that has nothing else to do.
    child.unref();
    (child.stdout as unknown as { unref?: () => void } | null)?.unref?.();
    (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();
    let ended = false;
    const end = (why: string): void => {
      if (ended) return;
      ended = true;
      if (this.child === child) this.child = undefined;
      if (!this.stopped) this.retry(why);
    };
    child.on('error', (err) => end(`${what} failed: ${err.message}`));
    child.on('exit', (code, signal) => end(`${what} ended (${signal ?? `exit status ${code}`})${stderr.trim() ? `: ${stderr.trim()}` : ''}`));
    child.on('spawn', () => {
      // Running: anything that happened before now, or while it was down, is unknown to us.
      if (this.everRan) this.options.onGap?.();
      this.everRan = true;
      this.wait = this.options.retryMs?.first ?? 200;
    });
  }

  private retry(why: string): void {
    this.options.onProblem?.(why);
    if (this.stopped) return;
    const wait = this.wait;
    this.wait = Math.min(this.wait * 2, this.options.retryMs?.max ?? 10_000);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.stopped) return;
      // While it was down anything may have happened.
      this.everRan = true;
      this.launch();
    }, wait);
    this.timer.unref();
  }
}
