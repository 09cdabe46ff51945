/**
 * `nft monitor` in a namespace, read line by line: every committed
 * nftables transaction, with the process that made it. nft prints each
 * changed object as one line ("delete table inet virtnet", "add rule inet
 * virtnet forward …") and ends a transaction with "# new generation N by
 * process PID (COMM)". The monitor costs one idle process and nothing per
 * second; it wakes only when some transaction commits.
 *
 * If the monitor ends (killed, nft upgraded under it) it is started again,
 * after 0.2 s, then longer waits up to 10 s; `onGap` says that transactions
 * may have been missed meanwhile, so the owner checks what it cares about.
 * A monitor that cannot be started at all keeps retrying at that pace.
 * The caller starts it under `setpriv --pdeathsig`, so it never outlives the
 * daemon, even one that was SIGKILLed.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface NftTransaction {
  generation: number;
  /** The process that committed it (0 when nft did not say). */
  pid: number;
  comm: string;
  /** "FAMILY NAME" of every table an object of the transaction belongs to. */
  tables: Set<string>;
}

const OBJECT_LINE = /^(?:add|delete|destroy|replace|insert|flush|reset|update|create) \w+ (ip|ip6|inet|arp|bridge|netdev) ([^\s{]+)/;
const GENERATION_LINE = /^# new generation (\d+) by process (\d+) \(([^)]*)\)/;

/** Reads nft monitor's text, a chunk at a time, into transactions. */
export class NftMonitorParser {
  private buffered = '';
  private tables = new Set<string>();

  constructor(private readonly onTransaction: (t: NftTransaction) => void) {}

  push(chunk: string): void {
    this.buffered += chunk;
    for (let nl = this.buffered.indexOf('\n'); nl >= 0; nl = this.buffered.indexOf('\n')) {
      const line = this.buffered.slice(0, nl).trim();
      this.buffered = this.buffered.slice(nl + 1);
      const gen = GENERATION_LINE.exec(line);
      if (gen) {
        const t: NftTransaction = { generation: Number(gen[1]), pid: Number(gen[2]), comm: gen[3] ?? '', tables: this.tables };
        this.tables = new Set();
        this.onTransaction(t);
        continue;
      }
      const obj = OBJECT_LINE.exec(line);
      if (obj) this.tables.add(`${obj[1]} ${obj[2]}`);
    }
  }
}

interface NftMonitorOptions {
  /** The monitor's command line, e.g. ['nsenter', '--net=/run/netns/X', 'nft', 'monitor']. */
  argv: readonly string[];
  onTransaction: (t: NftTransaction) => void;
  /** The monitor (re)started after not running: transactions may have been missed. */
  onGap: () => void;
  /** Why the monitor stopped or could not start (for the log). */
  onProblem?: (message: string) => void;
  /** First and longest wait before a restart (ms). */
  retryMs?: { first: number; max: number };
}

export class NftMonitor {
  private child: ChildProcess | undefined;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private wait: number;
  private everRan = false;

  constructor(private readonly options: NftMonitorOptions) {
    this.wait = options.retryMs?.first ?? 200;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  start(): void {
    this.stopped = false;
    if (this.child === undefined && this.timer === undefined) this.launch();
  }

  /** Stop it; resolves once the monitor process has ended (SIGTERM, SIGKILL after a second). */
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
    const [program, ...args] = this.options.argv as [string, ...string[]];
    let child: ChildProcess;
    try {
      child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    } catch (err) {
      this.retry(`cannot start nft monitor: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    this.child = child;
    const parser = new NftMonitorParser(this.options.onTransaction);
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => parser.push(chunk));
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
    child.on('error', (err) => end(`nft monitor failed: ${err.message}`));
    child.on('exit', (code, signal) => end(`nft monitor ended (${signal ?? `exit status ${code}`})${stderr.trim() ? `: ${stderr.trim()}` : ''}`));
    child.on('spawn', () => {
      // Running: anything committed before now, or while it was down, is unknown to us.
      if (this.everRan) this.options.onGap();
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
