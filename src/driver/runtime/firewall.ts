/**
 * The runtime's access to our nftables table: every batch goes through one
 * queue (so a "table is empty, drop it" decision cannot race with another
 * network's apply in the same process), and the table itself is removed
 * `lingerMs` after the last network with rules stopped (and at close), so
 * a namespace with no running network soon holds nothing of ours, while a
 * network stopped and started again neither drops and rebuilds the table
 * nor ends and starts its watch. Batches come from src/plan/firewall.ts;
 * each is one atomic `nft -j -f` transaction. Batches queued while one
 * runs are merged into the next transaction (group commit); a merged
 * transaction that fails is retried batch by batch, so each network still
 * succeeds or fails on its own.
 *
 * Isolation never silently disappears (docs/network-runtime.md, "When
 * someone else changes the table"):
 * - A network's batch without the base requires it (BASE_MARK_SET): after
 *   `nft flush ruleset` it fails as a whole, and is run again with the
 *   base, so a start never answers success with its chains unhooked.
 * - While the table is there, it is watched (nft monitor in the
 *   namespace, Nftables.watchTable): after a transaction that touched it
 *   and was not ours, or after the watch was down, the table is listed and
 *   compared with what our batches made (firewall-check.ts); what is
 *   missing is re-applied in one transaction: the base, and every network
 *   that lost something. The networks concerned are reported degraded, then
 *   repaired (onHealth); a repair that fails is retried, 1 s, 2 s, … 30 s.
 */
import type { Nftables, NftObject, TableWatch } from '../../host/nft.js';
import {
  BASE_CHAINS as BASE_CHAIN_LIST,
  ELEMENT_HOLDERS as ELEMENT_HOLDER_LIST,
  NFT_FAMILY,
  NFT_TABLE,
  planFirewallTeardown,
  removeBeforeApply,
} from '../../plan/firewall.js';
import { baseCommands } from '../../plan/firewall-layout.js';
import { expectationOf, findDamage } from './firewall-check.js';

const BASE_CHAINS = new Set(BASE_CHAIN_LIST);
const ELEMENT_HOLDERS = new Set(ELEMENT_HOLDER_LIST);

/** Whether a listing of our table holds nothing of any network: no network chain, no map or set element. */
export function tableIsIdle(objects: readonly NftObject[]): boolean {
  for (const o of objects) {
    const chain = o.chain as { name?: unknown } | undefined;
    if (chain && typeof chain.name === 'string' && !BASE_CHAINS.has(chain.name)) return false;
    // `nft -j list` puts elements inside their map or set; a listing may also carry them as element objects.
    const element = o.element as { elem?: unknown } | undefined;
    if (element && Array.isArray(element.elem) && element.elem.length > 0) return false;
    const holder = (o.map ?? o.set) as { name?: unknown; elem?: unknown } | undefined;
    if (holder && typeof holder.name === 'string') {
      if (!ELEMENT_HOLDERS.has(holder.name)) return false;
      if (Array.isArray(holder.elem) && holder.elem.length > 0) return false;
    }
  }
  return true;
}

/** A network's rules were found missing ('degraded'), or are back ('repaired'). */
interface FirewallHealth {
  /** The network, as the caller named it when applying its rules. */
  owner: string;
  state: 'degraded' | 'repaired';
  /** What was missing or changed, for the log and the API. */
  reason: string;
}

type Job =
  | { kind: 'apply'; bridge: string; owner: string; withBase: readonly NftObject[]; networkOnly: readonly NftObject[]; again?: MakeBatch }
  | { kind: 'replace'; bridge: string; owner: string; remove: readonly NftObject[]; apply: readonly NftObject[]; networkOnly: readonly NftObject[] }
  | { kind: 'remove'; bridge: string; remove: readonly NftObject[] };

interface Queued {
  job: Job;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/** Makes a network's batch again, the same as it was applied (the planner, from the network's live def). */
export type MakeBatch = () => readonly NftObject[];

interface ActiveRules {
  owner: string;
  /**
   * The network's batch that needs the base (what a repair re-applies), needed only when someone else
   * changed the table: the caller's way to make it again when it gave one (nothing kept per network
   * but a closure), else its JSON text, one string instead of ~300 objects (bench/README.md, "Issue 17").
   */
  networkOnly: string | MakeBatch;
}

interface FirewallControlOptions {
  /** Watch the table for others' changes (default true where the Nftables can). */
  watch?: boolean;
  /** Non-fatal problems (a repair that failed, the watch that could not run). */
  onWarning?: (message: string) => void;
  /** How long to gather others' transactions before a check (ms; default 25). */
  checkDelayMs?: number;
  /** How long the table and its watch outlive the last network with rules (ms; default LINGER_MS; 0: not at all). */
  lingerMs?: number;
}

/** The table's stay after the last network stopped: long enough for a restart or the next start of a script. */
export const LINGER_MS = 30_000;

const RETRY_MS = { first: 1000, max: 30_000 };

export class FirewallControl {
  private readonly pending: Queued[] = [];
  private draining = false;
  /** Bridges whose rules this process applied or adopted. */
  private readonly active = new Map<string, ActiveRules>();
  /** Whether this process has built the table's base chains (they stay until the table is dropped, or someone removes them). */
  private baseBuilt = false;
  private readonly baseExpect = expectationOf(baseCommands());
  private watch: TableWatch | undefined;
  /** Set while no network has rules and the table lingers: its end drops the table and ends the watch. */
  private lingerTimer: NodeJS.Timeout | undefined;
  /** The linger is over (or the control closes): the next drain drops the table if idle and ends the watch. */
  private lingerOver = false;
  private readonly lingerWaiters: (() => void)[] = [];
  private checkTimer: NodeJS.Timeout | undefined;
  private checkWanted = false;
  private retryMs = RETRY_MS.first;
  /** Bridges reported degraded and not yet repaired. */
  private readonly degraded = new Set<string>();
  private readonly healthListeners = new Set<(h: FirewallHealth) => void>();
  private readonly checkWaiters: (() => void)[] = [];
  private closed = false;

  constructor(
    private readonly nft: Nftables,
    private readonly options: FirewallControlOptions = {},
  ) {}

  /** Be told when a network's rules go missing and come back. */
  onHealth(listener: (h: FirewallHealth) => void): () => void {
    this.healthListeners.add(listener);
    return () => this.healthListeners.delete(listener);
  }

  /**
   * Stop watching; running networks' rules stay. A table lingering with no network is dropped first
   * (when idle). Resolves once that is done and the watch has ended; never rejects.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.checkTimer !== undefined) clearTimeout(this.checkTimer);
    this.checkTimer = undefined;
    if (this.lingerTimer !== undefined) {
      clearTimeout(this.lingerTimer);
      this.lingerTimer = undefined;
      await this.endLinger();
    }
    this.closed = true;
    await this.endWatch();
  }

  /** End the watch, if any; resolves once its monitor has ended. */
  private async endWatch(): Promise<void> {
    const watch = this.watch;
    this.watch = undefined;
    await watch?.close();
  }

  /** Drop the table if idle and end the watch, after whatever is queued; resolves once done. */
  private endLinger(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.lingerWaiters.push(resolve);
      this.lingerOver = true;
      if (!this.draining) void this.drain();
    });
  }

  private enqueue(job: Job): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ job, resolve, reject });
      if (!this.draining) void this.drain();
    });
  }

  /** The commands of jobs run together, given whether the base chains exist before them. */
  private commandsOf(jobs: readonly Job[]): NftObject[] {
    let base = this.baseBuilt;
    const out: NftObject[] = [];
    for (const j of jobs) {
      if (j.kind === 'apply') out.push(...(base ? j.networkOnly : j.withBase));
      else if (j.kind === 'replace') out.push(...removeBeforeApply(j.remove, j.apply), ...j.apply);
      else out.push(...j.remove);
      if (j.kind !== 'remove') base = true;
    }
    return out;
  }

  private done(job: Job): void {
    if (job.kind === 'remove') {
      this.active.delete(job.bridge);
      this.degraded.delete(job.bridge);
    } else {
      this.baseBuilt = true;
      const again = job.kind === 'apply' ? job.again : undefined;
      this.active.set(job.bridge, { owner: job.owner, networkOnly: again ?? JSON.stringify(job.networkOnly) });
    }
  }

  /** Run jobs' commands as one transaction; if that relied on the base and failed, it may be gone: once more with it. */
  private async runTogether(jobs: readonly Job[]): Promise<void> {
    const reliedOnBase = this.baseBuilt && jobs.some((j) => j.kind === 'apply' && j.networkOnly !== j.withBase);
    const commands = this.commandsOf(jobs);
    if (commands.length === 0) return;
    try {
      await this.nft.apply(commands);
    } catch (e) {
      if (!reliedOnBase) throw e;
      this.baseBuilt = false;
      await this.nft.apply(this.commandsOf(jobs));
      // The base was gone: whoever removed it took the other networks' rules too.
      this.options.onWarning?.('the nftables table inet virtnet had lost its base chains (changed outside virtnetd); rebuilt them');
      this.wantCheck();
    }
  }

  /**
   * One transaction at a time. Whatever was queued meanwhile goes into the
   * next transaction together (a commit that deletes anything waits for an
   * RCU grace period, ~16 ms here, so 16 stops at once cost one wait instead
   * of 16). If a merged transaction fails, nothing of it was applied and its
   * jobs are retried one by one, so only the faulty one fails. A check of
   * the table, when asked for, runs after the changes queued before it.
   */
  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.pending.length > 0 || this.checkWanted || this.lingerOver) {
        const batch = this.pending.splice(0);
        const jobs = batch.map((q) => q.job);
        const outcome: (unknown | undefined)[] = batch.map(() => undefined);
        if (jobs.length > 0) {
          try {
            await this.runTogether(jobs);
            for (const j of jobs) this.done(j);
          } catch (e) {
            if (batch.length === 1) outcome[0] = e;
            else {
              for (const [i, j] of jobs.entries()) {
                try {
                  await this.runTogether([j]);
                  this.done(j);
                } catch (err) {
                  outcome[i] = err;
                }
              }
            }
          }
          if (this.lingerMs() === 0 && jobs.some((j, i) => j.kind === 'remove' && outcome[i] === undefined)) {
            await this.dropIfIdle().catch((e: unknown) => {
              for (const [i, j] of jobs.entries()) if (j.kind === 'remove' && outcome[i] === undefined) outcome[i] = e;
            });
          }
          await this.afterChange();
          batch.forEach((q, i) => {
            if (outcome[i] === undefined) q.resolve();
            else q.reject(outcome[i]);
          });
        }
        if (this.lingerOver && this.pending.length === 0) {
          this.lingerOver = false;
          const waiters = this.lingerWaiters.splice(0);
          if (this.active.size === 0) {
            await this.dropIfIdle().catch((e: unknown) => {
              this.options.onWarning?.(`cannot remove the idle nftables table inet virtnet: ${(e as Error).message}`);
            });
            await this.endWatch();
          }
          for (const w of waiters) w();
        }
        if (this.checkWanted && this.pending.length === 0) {
          this.checkWanted = false;
          const waiters = this.checkWaiters.splice(0);
          await this.checkAndRepair();
          for (const w of waiters) w();
        }
      }
    } finally {
      this.draining = false;
    }
  }

  /** Drop the whole table when no network of this process has rules and it holds nothing of any network. */
  private async dropIfIdle(): Promise<void> {
    if (this.active.size > 0) return;
    const objects = await this.nft.listTable(NFT_FAMILY, NFT_TABLE);
    if (objects !== undefined && tableIsIdle(objects)) {
      await this.nft.apply(planFirewallTeardown().nftables);
      this.baseBuilt = false;
    }
  }

  // ---- watching the table ---------------------------------------------------

  private lingerMs(): number {
    return this.options.lingerMs ?? LINGER_MS;
  }

  /**
   * After changes: watch while any network has rules; once none has, the
   * table and its watch linger for lingerMs (a start meanwhile finds both),
   * then the table is dropped if idle and the watch ends. Without a linger
   * the table was dropped already, and the watch ends now. An idle daemon
   * runs no monitor and holds nothing of ours in the namespace.
   */
  private async afterChange(): Promise<void> {
    if (this.closed) return;
    if (this.active.size > 0) {
      if (this.lingerTimer !== undefined) clearTimeout(this.lingerTimer);
      this.lingerTimer = undefined;
      if (this.options.watch !== false && this.nft.watchTable !== undefined) {
        this.watch ??= this.nft.watchTable(NFT_FAMILY, NFT_TABLE, () => this.wantCheck());
      }
      return;
    }
    if (this.lingerMs() === 0) {
      await this.endWatch();
      return;
    }
    if (this.lingerTimer === undefined && (this.baseBuilt || this.watch !== undefined)) {
      this.lingerTimer = setTimeout(() => {
        this.lingerTimer = undefined;
        void this.endLinger();
      }, this.lingerMs());
      this.lingerTimer.unref();
    }
  }

  /** A check soon (others' transactions come in bursts: one check for the burst). */
  private wantCheck(delayMs = this.options.checkDelayMs ?? 25): void {
    if (this.closed || this.checkTimer !== undefined) return;
    this.checkTimer = setTimeout(() => {
      this.checkTimer = undefined;
      this.checkWanted = true;
      if (!this.draining) void this.drain();
    }, delayMs);
    this.checkTimer.unref();
  }

  /** Check the table now (tests); resolves once it is checked and, if needed, repaired. */
  check(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.checkWaiters.push(resolve);
      this.checkWanted = true;
      if (!this.draining) void this.drain();
    });
  }

  private emit(h: FirewallHealth): void {
    for (const l of [...this.healthListeners]) {
      try {
        l(h);
      } catch {
        /* a listener's problem is its own */
      }
    }
  }

  /** List the table, compare it with what our batches made, re-apply what is missing (the base and every network that lost something). */
  private async checkAndRepair(): Promise<void> {
    if (this.active.size === 0) return;
    let hit: Map<string, string>;
    const batches = new Map(
      [...this.active].map(([bridge, a]) => [
        bridge,
        typeof a.networkOnly === 'string' ? (JSON.parse(a.networkOnly) as NftObject[]) : [...a.networkOnly()],
      ]),
    );
    const expected = new Map([...batches].map(([bridge, batch]) => [bridge, expectationOf(batch)]));
    try {
      const listing = await this.nft.listTable(NFT_FAMILY, NFT_TABLE);
      const damage = findDamage(listing, this.baseExpect, expected);
      hit = new Map();
      for (const bridge of this.active.keys()) {
        const lacks = [...new Set([...damage.base, ...(damage.networks.get(bridge) ?? [])])];
        if (lacks.length > 0) hit.set(bridge, lacks.slice(0, 3).join('; ') + (lacks.length > 3 ? `; and ${lacks.length - 3} more` : ''));
      }
      if (damage.base.length > 0) this.baseBuilt = false;
    } catch (e) {
      this.options.onWarning?.(`cannot check the nftables table inet virtnet: ${(e as Error).message}`);
      this.retryLater();
      return;
    }
    if (hit.size === 0) {
      this.retryMs = RETRY_MS.first;
      return;
    }
    for (const [bridge, reason] of hit) {
      if (this.degraded.has(bridge)) continue;
      this.degraded.add(bridge);
      const owner = this.active.get(bridge)?.owner ?? bridge;
      this.options.onWarning?.(`network '${owner}': its firewall rules were changed outside virtnetd (${reason}); re-applying them`);
      this.emit({ owner, state: 'degraded', reason: `firewall rules changed outside virtnetd: ${reason}` });
    }
    const bridges = [...hit.keys()];
    const chains = bridges.flatMap((b) => [...(expected.get(b)?.chains.keys() ?? [])]);
    try {
      await this.nft.apply([...baseCommands(chains), ...bridges.flatMap((b) => batches.get(b) ?? [])]);
      this.baseBuilt = true;
    } catch (e) {
      const owners = bridges.map((b) => `'${this.active.get(b)?.owner ?? b}'`).join(', ');
      this.options.onWarning?.(`cannot re-apply the firewall rules of ${owners}: ${(e as Error).message}`);
      this.retryLater();
      return;
    }
    this.retryMs = RETRY_MS.first;
    for (const bridge of hit.keys()) {
      this.degraded.delete(bridge);
      const owner = this.active.get(bridge)?.owner ?? bridge;
      this.emit({ owner, state: 'repaired', reason: 'firewall rules re-applied' });
    }
  }

  private retryLater(): void {
    const wait = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MS.max);
    this.wantCheck(wait);
  }

  // ---- the jobs ---------------------------------------------------------------

  /**
   * Apply a network's rules (idempotent): `withBase` the first time in this
   * process (it also rebuilds the base chains), `networkOnly` afterwards.
   * `owner` names the network in health reports; `again`, when given, makes `networkOnly` again for
   * a repair, so that nothing of the batch is kept while the network runs.
   */
  apply(
    bridge: string,
    withBase: readonly NftObject[],
    networkOnly: readonly NftObject[] = withBase,
    owner: string = bridge,
    again?: MakeBatch,
  ): Promise<void> {
    return this.enqueue({ kind: 'apply', bridge, owner, withBase, networkOnly, ...(again ? { again } : {}) });
  }

  /** Remove a network's old rules and apply new ones (with the base) in one transaction. */
  replace(
    bridge: string,
    remove: readonly NftObject[],
    apply: readonly NftObject[],
    networkOnly: readonly NftObject[] = apply,
    owner: string = bridge,
  ): Promise<void> {
    return this.enqueue({ kind: 'replace', bridge, owner, remove, apply, networkOnly });
  }

  /** Remove a network's rules; drop the whole table when no network has rules any more. */
  remove(bridge: string, remove: readonly NftObject[]): Promise<void> {
    return this.enqueue({ kind: 'remove', bridge, remove });
  }
}
