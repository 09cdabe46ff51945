/**
 * The runtime's access to our nftables table: every batch goes through one
 * queue (so a "table is empty, drop it" decision cannot race with another
 * network's apply in the same process), and the table itself is removed
 * when the last network with rules stops, so a namespace with no running
 * network holds nothing of ours. Batches come from src/plan/firewall.ts;
 * each is one atomic `nft -j -f` transaction.
 */
import type { Nftables, NftObject } from '../host/nft.js';
import {
  DHCP_CSUM_SET,
  FORWARD_CHAIN,
  FWD_IN_MAP,
  FWD_OUT_MAP,
  NAT4_MAP,
  NAT6_MAP,
  NFT_FAMILY,
  NFT_TABLE,
  OUTPUT_CHAIN,
  POSTROUTING_CHAIN,
  planFirewallTeardown,
} from '../plan/firewall.js';

const BASE_CHAINS = new Set([FORWARD_CHAIN, POSTROUTING_CHAIN, OUTPUT_CHAIN]);
const ELEMENT_HOLDERS = new Set([FWD_IN_MAP, FWD_OUT_MAP, NAT4_MAP, NAT6_MAP, DHCP_CSUM_SET]);

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

export class FirewallControl {
  private queue: Promise<unknown> = Promise.resolve();
  /** Bridges whose rules this process applied or adopted. */
  private readonly active = new Set<string>();
  /** Whether this process has built the table's base chains (they stay until the table is dropped). */
  private baseBuilt = false;

  constructor(private readonly nft: Nftables) {}

  private run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => {});
    return next;
  }

  /**
   * Apply a network's rules (idempotent): `withBase` the first time in this
   * process (it also rebuilds the base chains), `networkOnly` afterwards.
   */
  apply(bridge: string, withBase: readonly NftObject[], networkOnly: readonly NftObject[] = withBase): Promise<void> {
    return this.run(async () => {
      await this.nft.apply(this.baseBuilt ? networkOnly : withBase);
      this.baseBuilt = true;
      this.active.add(bridge);
    });
  }

  /** Remove a network's old rules and apply new ones (with the base) in one transaction. */
  replace(bridge: string, remove: readonly NftObject[], apply: readonly NftObject[]): Promise<void> {
    return this.run(async () => {
      await this.nft.apply([...remove, ...apply]);
      this.baseBuilt = true;
      this.active.add(bridge);
    });
  }

  /** Remove a network's rules; drop the whole table when no network has rules any more. */
  remove(bridge: string, remove: readonly NftObject[]): Promise<void> {
    return this.run(async () => {
      if (remove.length > 0) await this.nft.apply(remove);
      this.active.delete(bridge);
      if (this.active.size > 0) return;
      const objects = await this.nft.listTable(NFT_FAMILY, NFT_TABLE);
      if (objects !== undefined && tableIsIdle(objects)) {
        await this.nft.apply(planFirewallTeardown().nftables);
        this.baseBuilt = false;
      }
    });
  }
}
