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
 */
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
}

export class LinkReaper {
  private pending: Request[] = [];
  private running = false;
  /** Announced stops that have neither handed in their links nor withdrawn. */
  private expected = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Requests in the last deletion: how many to expect next time. */
  private lastGroup = 1;

  constructor(
    private readonly deleteLinks: (names: readonly string[]) => Promise<RevertResult>,
    /** How long a deletion waits for announced stops to hand in their links. */
    private readonly lingerMs = 10,
  ) {}

  /** A stop begins: its links are worth waiting for (briefly). */
  announce(): ReaperTicket {
    this.expected++;
    let open = true;
    const close = (): void => {
      if (!open) return;
      open = false;
      this.expected--;
    };
    return {
      delete: (names) => {
        close();
        return this.submit(names);
      },
      withdraw: () => {
        close();
        this.kick();
      },
    };
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
