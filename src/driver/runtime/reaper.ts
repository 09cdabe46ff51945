/**
 * Bridge deletions of concurrent network stops, gathered into one kernel
 * request (group commit).
 *
 * Deleting a bridge is the slowest part of a stop: the kernel waits for two
 * RCU barriers per `ip link del` (~35 ms here), and separate requests queue
 * behind RTNL one after the other, so 16 stops in flight are no faster than
 * 16 in a row. Deleting several bridges in one request (a link group, see
 * src/host/link-delete.ts) costs one barrier per bridge plus one, about
 * half. So while a deletion runs, the links of other stops wait and then go
 * together; and when more stops are expected — announced ones that have
 * not handed in their links yet, or as many as went together last time (a
 * caller running N stops at a time starts the next N the moment a group
 * finishes, and they arrive a few milliseconds apart) — the first one waits
 * up to `lingerMs` for them.
 *
 * A stop that is alone goes at once: after a group of one nothing waits
 * for company that is not coming, so stops run one after the other pay
 * nothing.
 *
 * A stop also learns when a link of its own no longer forwards (`closed`),
 * so that it removes the network's firewall rules only then: from the
 * host's link watch (the kernel closes every link of a group deletion
 * first), else when its deletion is over.
 */
import type { LinkWatch } from '../../host/host.js';
import type { RevertFailure, RevertResult } from '../../host/link-transaction.js';

interface Request {
  names: readonly string[];
  resolve: (failures: RevertFailure[]) => void;
  reject: (e: unknown) => void;
}

/** A stop's promise to hand in its links (or to withdraw). */
interface ReaperTicket {
  /** Delete these links with whatever else is pending; the failures that concern them. */
  delete(names: readonly string[]): Promise<RevertFailure[]>;
  /** This stop has no links to delete after all (idempotent; a no-op after delete). */
  withdraw(): void;
  /**
   * Resolves once the link `name` no longer forwards: the host's watch saw
   * it closed or deleted, or this stop's deletion is over (whatever its
   * outcome), or the stop withdrew. Ask before handing the links in.
   */
  closed(name: string): Promise<void>;
}

interface LinkReaperOptions {
  /** How long a deletion waits for announced stops to hand in their links (ms; default 10). */
  lingerMs?: number;
  /** The host's watch of links closing (host.ts); without one, a link counts as closed when its deletion is over. */
  watchClosing?: (onClosed: (name: string) => void) => LinkWatch;
  /** How long the watch outlives the last stop (ms; default 10 s): stops in a row share one watch. */
  watchIdleMs?: number;
}

export class LinkReaper {
  private pending: Request[] = [];
  private running = false;
  /** Announced stops that have neither handed in their links nor withdrawn. */
  private expected = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Requests in the last deletion: how many to expect next time. */
  private lastGroup = 1;
  private readonly lingerMs: number;
  /** Tickets whose deletion is not over (nor withdrawn). */
  private unfinished = 0;
  private watch: LinkWatch | undefined;
  private watchIdle: NodeJS.Timeout | undefined;
  /** Stops waiting for a link to close, by link name. */
  private readonly closing = new Map<string, Set<() => void>>();

  constructor(
    private readonly deleteLinks: (names: readonly string[]) => Promise<RevertResult>,
    private readonly options: LinkReaperOptions = {},
  ) {
    this.lingerMs = options.lingerMs ?? 10;
  }

  /** A stop begins: its links are worth waiting for (briefly). */
  announce(): ReaperTicket {
    this.expected++;
    this.unfinished++;
    this.keepWatching();
    let open = true;
    let resolveFinished: () => void = () => {};
    const finished = new Promise<void>((resolve) => (resolveFinished = resolve));
    let over = false;
    const finish = (): void => {
      if (over) return;
      over = true;
      resolveFinished();
      this.unfinished--;
      if (this.unfinished === 0) this.idleWatch();
    };
    const close = (): void => {
      if (!open) return;
      open = false;
      this.expected--;
    };
    return {
      delete: (names) => {
        close();
        const done = this.submit(names);
        done.then(finish, finish);
        return done;
      },
      withdraw: () => {
        if (!open) return;
        close();
        finish();
        this.kick();
      },
      closed: (name) => this.whenClosed(name, finished),
    };
  }

  /** End the watch (at the runtime's close). */
  async close(): Promise<void> {
    if (this.watchIdle !== undefined) clearTimeout(this.watchIdle);
    this.watchIdle = undefined;
    const watch = this.watch;
    this.watch = undefined;
    await watch?.close();
  }

  private whenClosed(name: string, finished: Promise<void>): Promise<void> {
    const waiters = this.closing.get(name) ?? new Set<() => void>();
    this.closing.set(name, waiters);
    let seen: () => void = () => {};
    const closedNow = new Promise<void>((resolve) => (seen = resolve));
    waiters.add(seen);
    return Promise.race([closedNow, finished]).finally(() => {
      waiters.delete(seen);
      if (waiters.size === 0 && this.closing.get(name) === waiters) this.closing.delete(name);
    });
  }

  private keepWatching(): void {
    if (this.watchIdle !== undefined) clearTimeout(this.watchIdle);
    this.watchIdle = undefined;
    this.watch ??= this.options.watchClosing?.((name) => {
      for (const seen of this.closing.get(name) ?? []) seen();
    });
  }

  private idleWatch(): void {
    if (this.watch === undefined || this.watchIdle !== undefined) return;
    this.watchIdle = setTimeout(() => {
      this.watchIdle = undefined;
      void this.close();
    }, this.options.watchIdleMs ?? 10_000);
    this.watchIdle.unref();
  }

  /** Delete links with whatever else is pending (no waiting for anyone). */
  submit(names: readonly string[]): Promise<RevertFailure[]> {
    if (names.length === 0) {
      this.kick();
      return Promise.resolve([]);
    }
    return new Promise<RevertFailure[]>((resolve, reject) => {
      this.pending.push({ names, resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    if (this.running || this.pending.length === 0) return;
    if (this.expected > 0 || this.pending.length < this.lastGroup) {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        void this.flush();
      }, this.lingerMs);
      return;
    }
    void this.flush();
  }

  private async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.running || this.pending.length === 0) return;
    this.running = true;
    const batch = this.pending;
    this.pending = [];
    this.lastGroup = batch.length;
    try {
      const result = await this.deleteLinks(batch.flatMap((r) => r.names));
      for (const r of batch) {
        const mine = new Set(r.names);
        r.resolve(result.failures.filter((f) => f.line.args[0] === 'link' && mine.has(f.line.args[3] ?? '')));
      }
    } catch (e) {
      for (const r of batch) r.reject(e);
    } finally {
      this.running = false;
      this.kick();
    }
  }
}
