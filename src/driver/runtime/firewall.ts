/**
 * The runtime's access to our nftables table: every batch goes through one
 * queue (so a "table is empty, drop it" decision cannot race with another
 * network's apply in the same process), and the table itself is removed
 * when the last network with rules stops, so a namespace with no running
 * network holds nothing of ours. Batches come from src/plan/firewall.ts;
 * each is one atomic `nft -j -f` transaction. Batches queued while one
 * runs are merged into the next transaction (group commit); a merged
 * transaction that fails is retried batch by batch, so each network still
 * succeeds or fails on its own.
 */
import type { Nftables, NftObject } from '../../host/nft.js';
import {
  BASE_CHAINS as BASE_CHAIN_LIST,
  ELEMENT_HOLDERS as ELEMENT_HOLDER_LIST,
  NFT_FAMILY,
  NFT_TABLE,
  planFirewallTeardown,
  removeBeforeApply,
} from '../../plan/firewall.js';

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

type Job =
  | { kind: 'apply'; bridge: string; withBase: readonly NftObject[]; networkOnly: readonly NftObject[] }
  | { kind: 'replace'; bridge: string; remove: readonly NftObject[]; apply: readonly NftObject[] }
  | { kind: 'remove'; bridge: string; remove: readonly NftObject[] };

interface Queued {
  job: Job;
  resolve: () => void;
  reject: (e: unknown) => void;
}

export class FirewallControl {
  private readonly pending: Queued[] = [];
  private draining = false;
  /** Bridges whose rules this process applied or adopted. */
  private readonly active = new Set<string>();
  /** Whether this process has built the table's base chains (they stay until the table is dropped). */
  private baseBuilt = false;

  constructor(private readonly nft: Nftables) {}

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
    if (job.kind === 'remove') this.active.delete(job.bridge);
    else {
      this.baseBuilt = true;
      this.active.add(job.bridge);
    }
  }

  /**
   * One transaction at a time. Whatever was queued meanwhile goes into the
   * next transaction together (a commit that deletes anything waits for an
   * RCU grace period, ~16 ms here, so 16 stops at once cost one wait instead
   * of 16). If a merged transaction fails, nothing of it was applied and its
   * jobs are retried one by one, so only the faulty one fails.
   */
  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0);
        const jobs = batch.map((q) => q.job);
        const outcome: (unknown | undefined)[] = batch.map(() => undefined);
        const commands = this.commandsOf(jobs);
        try {
          if (commands.length > 0) await this.nft.apply(commands);
          for (const j of jobs) this.done(j);
        } catch (e) {
          if (batch.length === 1) outcome[0] = e;
          else {
            for (const [i, j] of jobs.entries()) {
              try {
                const own = this.commandsOf([j]);
                if (own.length > 0) await this.nft.apply(own);
                this.done(j);
              } catch (err) {
                outcome[i] = err;
              }
            }
          }
        }
        if (jobs.some((j, i) => j.kind === 'remove' && outcome[i] === undefined)) {
          await this.dropIfIdle().catch((e: unknown) => {
            for (const [i, j] of jobs.entries()) if (j.kind === 'remove' && outcome[i] === undefined) outcome[i] = e;
          });
        }
        batch.forEach((q, i) => {
          if (outcome[i] === undefined) q.resolve();
          else q.reject(outcome[i]);
        });
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

  /**
   * Apply a network's rules (idempotent): `withBase` the first time in this
   * process (it also rebuilds the base chains), `networkOnly` afterwards.
   */
  apply(bridge: string, withBase: readonly NftObject[], networkOnly: readonly NftObject[] = withBase): Promise<void> {
    return this.enqueue({ kind: 'apply', bridge, withBase, networkOnly });
  }

  /** Remove a network's old rules and apply new ones (with the base) in one transaction. */
  replace(bridge: string, remove: readonly NftObject[], apply: readonly NftObject[]): Promise<void> {
    return this.enqueue({ kind: 'replace', bridge, remove, apply });
  }

  /** Remove a network's rules; drop the whole table when no network has rules any more. */
  remove(bridge: string, remove: readonly NftObject[]): Promise<void> {
    return this.enqueue({ kind: 'remove', bridge, remove });
  }
}
