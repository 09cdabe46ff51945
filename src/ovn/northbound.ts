/**
 * One OVN northbound database as the OVN runtime talks to it: a connection
 * made on first use and again after it drops, the rows of a network read by
 * their tag in one transaction, transactions retried when their optimistic
 * guard (a `wait` on what was read) fails because another host wrote in
 * between, and a wait until ovn-northd has turned the change into flows.
 */
import type { OvsdbClient } from '../ovsdb/client.js';
import { LazyConnection, type Connect } from '../ovsdb/lazy-connection.js';
import { OvsdbError } from '../ovsdb/errors.js';
import { mutate, select, type Operation } from '../ovsdb/operations.js';
import { rowUuid, stringMap, type Row } from '../ovsdb/values.js';
import { existingRow, type ExistingRow } from './nb-reconcile.js';
import { NB_TABLES, TAG_NETWORK, type NbTable } from './nb-plan.js';

export const NB_DB = 'OVN_Northbound';

/** How many times a transaction whose guard failed is tried again. */
const RETRIES = 8;

export class Northbound {
  private readonly connection: LazyConnection;

  constructor(
    readonly remote: string,
    connect?: Connect,
  ) {
    this.connection = new LazyConnection(remote, connect);
  }

  private db(): Promise<OvsdbClient> {
    return this.connection.get();
  }

  async transact<const Ops extends readonly Operation[]>(ops: Ops) {
    return (await this.db()).transact(NB_DB, ops);
  }

  /** Rows of `table` whose external_ids include `ids`. */
  async rowsTagged(table: NbTable, ids: Record<string, string>): Promise<readonly Row[]> {
    const [r] = await this.transact([select(table, [['external_ids', 'includes', stringMap(ids)]])]);
    return r.rows;
  }

  /** Every row tagged with the network's UUID, in every table a network uses. */
  async networkRows(uuid: string): Promise<ExistingRow[]> {
    const where = [['external_ids', 'includes', stringMap({ [TAG_NETWORK]: uuid })]] as const;
    const results = await this.transact(NB_TABLES.map((t) => select(t, where)));
    return NB_TABLES.flatMap((t, i) => (results[i] as { rows: readonly Row[] }).rows.map((row) => existingRow(t, row)));
  }

  /**
   * Run `attempt` (read, then write with a guard on what it read) until its
   * transaction goes through; a failed guard means another host changed the
   * rows in between, so it reads again.
   */
  async optimistic<T>(attempt: () => Promise<T>): Promise<T> {
    for (let i = 0; ; i++) {
      try {
        return await attempt();
      } catch (e) {
        const raced = e instanceof OvsdbError && e.failure === 'transaction' && e.error === 'timed out';
        if (!raced || i >= RETRIES) throw e;
        await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * (i + 1)));
      }
    }
  }

  /**
   * Bump NB_Global.nb_cfg and wait (at most `timeoutMs`) until ovn-northd
   * has carried everything before it into the southbound database
   * (`ovn-nbctl --wait=sb`). Resolves false on timeout.
   */
  async syncSouthbound(timeoutMs = 5000): Promise<boolean> {
    const [, r] = await this.transact([mutate('NB_Global', [], [['nb_cfg', '+=', 1]]), select('NB_Global', [], ['_uuid', 'nb_cfg'])]);
    const row = r.rows[0];
    if (row === undefined) return false;
    const target = Number(row.nb_cfg);
    const uuid = rowUuid(row);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const [now] = await this.transact([select('NB_Global', [['_uuid', '==', uuid]], ['sb_cfg'])]);
      if (Number(now.rows[0]?.sb_cfg ?? 0) >= target) return true;
      if (Date.now() > deadline) return false;
      await new Promise((res) => setTimeout(res, 10));
    }
  }

  close(): void {
    this.connection.close();
  }
}
