/**
 * Lease events: tell subscribers when a network's DHCP leases change.
 *
 * Design: ONE fs.watch (a single inotify instance and watch, whatever the
 * number of networks) on the dnsmasq state directory, STATE/dnsmasq, where
 * the runtime keeps each network's files. A change to a file is mapped to
 * the network whose file stem or bridge the file name starts with (STEM.leases,
 * BRIDGE.status, ...); a file that names no network (say, one lease file
 * shared by several networks) refreshes every active network. Refreshes are
 * debounced per network, then `runtime.leases` is read and diffed against
 * the last snapshot, keyed by MAC and address:
 *   - a lease not seen before → `add`;
 *   - a known lease whose expiry, hostname or client id changed → `old`
 *     (dnsmasq's word for a renewal);
 *   - a lease that is gone or expired → `del`.
 * A network's snapshot is taken silently when it starts or is adopted and
 * dropped when it stops, so starting and stopping emit no lease events
 * (Started/Stopped say it). The watch starts with the first subscriber, so
 * a driver nobody listens to reads no lease files. If the directory cannot
 * be watched, the watcher polls every `pollMs` instead.
 * dnsmasq's own config files (.conf, .hostsfile, .addnhosts, .pid) and temp
 * files are not lease files and are ignored.
 */
import { watch, mkdirSync, type FSWatcher } from 'node:fs';
import type { DhcpLease, LeaseEvent } from '../../contract/network-api.js';
import { errorText, type DriverLogger } from '../common/log.js';
import { fileStem } from '../../util/file-stem.js';
import type { NetworkObject } from './objects.js';

interface LeaseWatcherOptions {
  dir: string;
  logger: DriverLogger;
  /** Active networks. */
  networks: () => Iterable<NetworkObject>;
  /** The network's current, unexpired leases. */
  read: (obj: NetworkObject) => Promise<DhcpLease[]>;
  emit: (event: LeaseEvent) => void;
  now?: () => number;
  debounceMs?: number;
  pollMs?: number;
}

const IGNORED = /\.(conf|hostsfile|addnhosts|pid|tmp)$/;

const leaseKey = (l: DhcpLease): string => `${l.mac.toLowerCase()}|${l.ipAddress}`;

const sameLease = (a: DhcpLease, b: DhcpLease): boolean =>
  a.expiryTime === b.expiryTime && a.hostname === b.hostname && a.clientId === b.clientId && a.iaid === b.iaid;

interface Tracked {
  leases: Map<string, DhcpLease>;
  timer?: NodeJS.Timeout | undefined;
  running: boolean;
  again: boolean;
}

export class LeaseWatcher {
  private watcher: FSWatcher | undefined;
  private poller: NodeJS.Timeout | undefined;
  private readonly tracked = new Map<NetworkObject, Tracked>();
  private started = false;
  private closed = false;
  private readonly now: () => number;
  private readonly debounceMs: number;
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly options: LeaseWatcherOptions) {
    this.now = options.now ?? Date.now;
    this.debounceMs = options.debounceMs ?? 50;
  }

  get running(): boolean {
    return this.started && !this.closed;
  }

  /** Start watching and take a silent snapshot of every active network. */
  async start(): Promise<void> {
    if (this.started || this.closed) return;
    this.started = true;
    const { dir, logger } = this.options;
    try {
      mkdirSync(dir, { recursive: true });
      this.watcher = watch(dir, { persistent: false }, (_type, filename) => this.onFile(filename ?? undefined));
      this.watcher.on('error', (err) => {
        logger.warn({ err: errorText(err), dir }, 'lease watch failed; polling instead');
        this.watcher?.close();
        this.watcher = undefined;
        this.startPolling();
      });
    } catch (err) {
      logger.warn({ err: errorText(err), dir }, 'cannot watch the dnsmasq directory; polling instead');
      this.startPolling();
    }
    await Promise.all([...this.options.networks()].map((obj) => this.prime(obj)));
  }

  private startPolling(): void {
    if (this.poller !== undefined || this.closed) return;
    this.poller = setInterval(() => this.refreshAll(), this.options.pollMs ?? 5000);
    this.poller.unref();
  }

  /** Take a network's snapshot without events (it started or was adopted). */
  async prime(obj: NetworkObject): Promise<void> {
    if (!this.running) return;
    const t: Tracked = { leases: new Map(), running: false, again: false };
    this.tracked.set(obj, t);
    try {
      for (const l of await this.options.read(obj)) t.leases.set(leaseKey(l), l);
    } catch (err) {
      this.options.logger.debug({ err: errorText(err), network: obj.name }, 'cannot read leases');
    }
  }

  /** Forget a network that stopped. */
  forget(obj: NetworkObject): void {
    const t = this.tracked.get(obj);
    if (t?.timer !== undefined) clearTimeout(t.timer);
    this.tracked.delete(obj);
  }

  private onFile(filename: string | undefined): void {
    if (this.closed) return;
    if (filename === undefined) return this.refreshAll();
    const name = filename.replace(/^\./, '');
    if (IGNORED.test(name)) return;
    let matched = false;
    for (const obj of this.tracked.keys()) {
      const bridge = obj.def.bridge.name;
      const stem = fileStem(obj.name);
      if (
        name === stem ||
        name.startsWith(`${stem}.`) ||
        (bridge !== undefined && bridge !== '' && (name === bridge || name.startsWith(`${bridge}.`)))
      ) {
        matched = true;
        this.schedule(obj);
      }
    }
    if (!matched) this.refreshAll();
  }

  private refreshAll(): void {
    for (const obj of this.tracked.keys()) this.schedule(obj);
  }

  private schedule(obj: NetworkObject): void {
    const t = this.tracked.get(obj);
    if (t === undefined || t.timer !== undefined) return;
    t.timer = setTimeout(() => {
      t.timer = undefined;
      this.track(this.refresh(obj, t));
    }, this.debounceMs);
  }

  private track(p: Promise<void>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  private async refresh(obj: NetworkObject, t: Tracked): Promise<void> {
    if (t.running) {
      t.again = true;
      return;
    }
    t.running = true;
    try {
      do {
        t.again = false;
        let current: DhcpLease[];
        try {
          current = await this.options.read(obj);
        } catch (err) {
          this.options.logger.debug({ err: errorText(err), network: obj.name }, 'cannot read leases');
          return;
        }
        if (this.tracked.get(obj) !== t || this.closed) return;
        this.diff(obj, t, current);
      } while (t.again);
    } finally {
      t.running = false;
    }
  }

  private diff(obj: NetworkObject, t: Tracked, current: DhcpLease[]): void {
    const network = { name: obj.name, uuid: obj.uuid };
    const next = new Map<string, DhcpLease>();
    for (const l of current) next.set(leaseKey(l), l);
    for (const [key, lease] of next) {
      const before = t.leases.get(key);
      if (before === undefined) this.options.emit({ kind: 'lease', action: 'add', network, lease, time: this.now() });
      else if (!sameLease(before, lease)) this.options.emit({ kind: 'lease', action: 'old', network, lease, time: this.now() });
    }
    for (const [key, lease] of t.leases) {
      if (!next.has(key)) this.options.emit({ kind: 'lease', action: 'del', network, lease, time: this.now() });
    }
    t.leases = next;
  }

  /** Wait until no refresh is scheduled or running (tests). */
  async settle(): Promise<void> {
    for (;;) {
      const timers = [...this.tracked.values()].some((t) => t.timer !== undefined);
      if (!timers && this.pending.size === 0) return;
      await new Promise((r) => setTimeout(r, this.debounceMs));
      await Promise.all([...this.pending]);
    }
  }

  close(): void {
    this.closed = true;
    this.watcher?.close();
    this.watcher = undefined;
    if (this.poller !== undefined) clearInterval(this.poller);
    for (const t of this.tracked.values()) if (t.timer !== undefined) clearTimeout(t.timer);
    this.tracked.clear();
  }
}
