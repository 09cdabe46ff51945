/**
 * dnsmasq's own log (log-facility=STATE/dnsmasq/NAME.log, opened by dnsmasq
 * as root before it drops privileges) carried into virtnet's log, so that
 * nothing dnsmasq complains about goes unseen:
 *
 * - at start, `startupProblems` waits (briefly) until dnsmasq has read the
 *   files virtnet wrote for it and returns the errors it logged about them
 *   (an unreadable hostsfile, a bad line), so the start fails with them;
 * - while networks run, `DnsmasqLogFollower` reads what a log gained each
 *   time it changes and hands every line on, marked error, warning or
 *   neither. A log past 1 MiB is emptied (dnsmasq appends: it goes on at
 *   the new end).
 *
 * Lines look like "Dec  6 17:45:52 dnsmasq[16132]: cannot read /x: Permission denied".
 */
import { type FSWatcher, watch } from 'node:fs';
import { type FileHandle, open, stat, truncate } from 'node:fs/promises';
import { basename, dirname } from 'node:path';

type DnsmasqLogLevel = 'error' | 'warning' | 'info';

export interface DnsmasqLogLine {
  level: DnsmasqLogLevel;
  /** The message, without the time and the "dnsmasq[PID]: " tag. */
  message: string;
}

const LINE = /^\w{3} [ \d]\d \d\d:\d\d:\d\d (dnsmasq(?:-\w+)?)\[\d+\]: (.*)$/;
const ERROR = /^(failed to |cannot |bad |error|illegal |unknown )|: (Permission denied|No such file or directory)$| at line \d+ of /;
/** Warnings dnsmasq gives for what virtnet asked for (an isolated network has no upstream servers). */
const EXPECTED = /^warning: no upstream servers configured$/;

/** The level of one dnsmasq log message. */
export function levelOf(message: string): DnsmasqLogLevel {
  if (ERROR.test(message)) return 'error';
  if (message.startsWith('warning:') && !EXPECTED.test(message)) return 'warning';
  return 'info';
}

/** The messages of a piece of log text (lines in dnsmasq's format; others as they are). */
export function parseLog(text: string): DnsmasqLogLine[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const message = LINE.exec(l)?.[2] ?? l;
      return { level: levelOf(message), message };
    });
}

/** The size of a file, 0 when it is not there. */
export async function sizeOf(path: string): Promise<number> {
  return stat(path).then(
    (s) => s.size,
    () => 0,
  );
}

async function readFrom(path: string, offset: number): Promise<{ text: string; end: number }> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch {
    return { text: '', end: offset };
  }
  try {
    const { size } = await fh.stat();
    if (size < offset) offset = 0; // emptied under us
    if (size === offset) return { text: '', end: offset };
    const buf = Buffer.alloc(size - offset);
    const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
    const text = buf.subarray(0, bytesRead).toString('utf8');
    // Only whole lines: the rest is read next time.
    const cut = text.lastIndexOf('\n') + 1;
    return { text: text.slice(0, cut), end: offset + Buffer.byteLength(text.slice(0, cut)) };
  } finally {
    await fh.close();
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * After dnsmasq started (its log was `offset` bytes long before), wait
 * until it has logged about each of `files` (read, or could not), at most
 * `timeoutMs`, and return the errors it logged since.
 */
export async function startupProblems(logPath: string, offset: number, files: readonly string[], timeoutMs = 2000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  for (;;) {
    text = (await readFrom(logPath, offset)).text;
    if (files.every((f) => text.includes(` ${f}`)) || Date.now() > deadline) break;
    await sleep(10);
  }
  return parseLog(text)
    .filter((l) => l.level === 'error')
    .map((l) => l.message);
}

const MAX_LOG_BYTES = 1024 * 1024;

/**
 * Follows the logs of running dnsmasqs and hands their new lines on. Once
 * started, a log is read when it changes: one inotify watch on the directory
 * of the logs (fs.watch), so 200 idle networks cost nothing between their
 * log lines. Where the watch cannot be had (no inotify, its limits reached),
 * every log is read every `intervalMs` instead.
 */
export class DnsmasqLogFollower {
  private readonly offsets = new Map<string, { path: string; offset: number }>();
  /** Each network's read under way, and whether its log changed again meanwhile. */
  private readonly reads = new Map<string, { done: Promise<void>; again: boolean }>();
  private readonly watchers = new Map<string, FSWatcher>();
  private following = false;
  private intervalMs = 2000;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;

  constructor(private readonly onLine: (network: string, line: DnsmasqLogLine) => void) {}

  /** Follow a network's log from `offset` (default: its current end). */
  async follow(network: string, path: string, offset?: number): Promise<void> {
    this.offsets.set(network, { path, offset: offset ?? (await sizeOf(path)) });
    if (this.following) this.watchDirOf(path);
  }

  /** Hand on what is left, then stop following a network's log. */
  async unfollow(network: string): Promise<void> {
    await this.read(network);
    this.offsets.delete(network);
  }

  /** Read a network's log now, after the read under way if there is one (never two at once: both would hand on the same lines). */
  private read(network: string): Promise<void> {
    const current = this.reads.get(network);
    if (current !== undefined) {
      current.again = true;
      return current.done;
    }
    const state = { done: Promise.resolve(), again: false };
    state.done = (async () => {
      do {
        state.again = false;
        await this.pollOne(network).catch(() => undefined);
      } while (state.again);
      this.reads.delete(network);
    })();
    this.reads.set(network, state);
    return state.done;
  }

  private async pollOne(network: string): Promise<void> {
    const entry = this.offsets.get(network);
    if (entry === undefined) return;
    const { text, end } = await readFrom(entry.path, entry.offset);
    entry.offset = end;
    for (const line of parseLog(text)) this.onLine(network, line);
    if (end > MAX_LOG_BYTES) {
      await truncate(entry.path, 0).catch(() => undefined);
      entry.offset = 0;
    }
  }

  /** Read every followed log once. */
  poll(): Promise<void> {
    this.polling ??= (async () => {
      for (const network of [...this.offsets.keys()]) await this.read(network);
    })().finally(() => {
      this.polling = undefined;
    });
    return this.polling;
  }

  /** A file of `dir` changed (`file`; undefined when inotify lost track): read the logs it may be. */
  private changed(dir: string, file: string | undefined): void {
    for (const [network, { path }] of this.offsets) {
      if (dirname(path) === dir && (file === undefined || basename(path) === file)) void this.read(network);
    }
  }

  /** Watch the directory of a log, once; if that cannot be done, read every log every interval instead. */
  private watchDirOf(path: string): void {
    const dir = dirname(path);
    if (this.watchers.has(dir) || this.timer !== undefined) return;
    try {
      const watcher = watch(dir, { persistent: false }, (_event, file) => this.changed(dir, file ?? undefined));
      watcher.on('error', () => this.pollInstead());
      this.watchers.set(dir, watcher);
    } catch {
      this.pollInstead();
    }
  }

  private pollInstead(): void {
    this.closeWatchers();
    if (this.timer !== undefined || !this.following) return;
    this.timer = setInterval(() => void this.poll(), this.intervalMs);
    this.timer.unref();
    void this.poll();
  }

  private closeWatchers(): void {
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }

  /** Follow changes until stop(): each log's directory watched, or every log read every `intervalMs`; neither keeps a process alive. */
  start(intervalMs = 2000): void {
    if (this.following) return;
    this.following = true;
    this.intervalMs = intervalMs;
    for (const { path } of this.offsets.values()) this.watchDirOf(path);
  }

  stop(): void {
    this.following = false;
    this.closeWatchers();
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
