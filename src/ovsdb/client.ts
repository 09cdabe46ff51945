/**
 * OvsdbClient: the RFC 7047 methods a manager needs, typed — list_dbs,
 * get_schema, transact (a tuple of operations gives the tuple of their
 * results, or one OvsdbError naming the operation that failed), monitor with
 * its `update` notifications, monitor_cancel and echo.
 */
import { OvsdbError } from './errors.js';
import { decodeResult, encodeOperation, type Operation, type ResultsOf } from './operations.js';
import { RpcConnection, type RpcOptions } from './rpc.js';
import { parseSchema, type DatabaseSchema } from './schema.js';
import { decodeRow, type Json, type Row } from './values.js';

export interface MonitorSelect {
  initial?: boolean;
  insert?: boolean;
  delete?: boolean;
  modify?: boolean;
}

/** What to watch in one table: some columns (default all) and some kinds of change (default all). */
export interface MonitorRequest {
  columns?: readonly string[];
  select?: MonitorSelect;
}

/** One row's change: `old` absent for an insert, `new` absent for a delete (RFC 7047 §4.1.6). */
export interface RowUpdate {
  readonly old?: Row;
  readonly new?: Row;
}

/** Table name to row UUID to change. */
export type TableUpdates = ReadonlyMap<string, ReadonlyMap<string, RowUpdate>>;

export interface Monitor {
  /** The rows as they were when the monitor started (the `initial` selection). */
  readonly initial: TableUpdates;
  /** Stop the notifications (monitor_cancel); a closed connection counts as cancelled. */
  cancel(): Promise<void>;
}

function decodeTableUpdates(j: Json): TableUpdates {
  const out = new Map<string, Map<string, RowUpdate>>();
  for (const [table, rows] of Object.entries((j ?? {}) as Record<string, Json>)) {
    const m = new Map<string, RowUpdate>();
    for (const [uuid, change] of Object.entries((rows ?? {}) as Record<string, Json>)) {
      const c = change as { old?: Json; new?: Json };
      const u: { old?: Row; new?: Row } = {};
      if (c.old !== undefined) u.old = decodeRow(c.old);
      if (c.new !== undefined) u.new = decodeRow(c.new);
      m.set(uuid, u);
    }
    out.set(table, m);
  }
  return out;
}

let monitorCounter = 0;

export class OvsdbClient {
  private readonly monitors = new Map<string, (updates: TableUpdates) => void>();
  private rpc!: RpcConnection;

  private constructor() {}

  /** Connect to `unix:PATH` or `tcp:HOST:PORT`. */
  static async connect(remote: string, options: RpcOptions = {}): Promise<OvsdbClient> {
    const client = new OvsdbClient();
    client.rpc = await RpcConnection.open(remote, (method, params) => client.notified(method, params), options);
    return client;
  }

  get remote(): string {
    return this.rpc.remote;
  }

  get closed(): boolean {
    return this.rpc.closed;
  }

  /** Called once when the connection ends (by close(), by the server, or on an error). */
  onClose(handler: (reason: OvsdbError) => void): void {
    this.rpc.onClose(handler);
  }

  close(): void {
    this.rpc.close();
  }

  async listDbs(): Promise<string[]> {
    const r = await this.rpc.request('list_dbs', []);
    if (!Array.isArray(r)) throw new OvsdbError('protocol', `list_dbs returned ${JSON.stringify(r)}`);
    return r.map(String);
  }

  async getSchema(db: string): Promise<DatabaseSchema> {
    return parseSchema(await this.rpc.request('get_schema', [db]));
  }

  /** The server's liveness check: resolves with what was sent. */
  async echo(...params: Json[]): Promise<Json> {
    return this.rpc.request('echo', params);
  }

  /**
   * Run operations as one atomic transaction. Resolves with each operation's
   * result, or rejects with an OvsdbError ('transaction') for the first
   * failed operation (or the commit), and nothing is changed.
   */
  async transact<const Ops extends readonly Operation[]>(db: string, ops: Ops, options: { timeoutMs?: number } = {}): Promise<ResultsOf<Ops>> {
    const reply = await this.rpc.request('transact', [db, ...ops.map(encodeOperation)], options);
    if (!Array.isArray(reply)) throw new OvsdbError('protocol', `transact returned ${JSON.stringify(reply)}`);
    const results = reply as readonly Json[];
    for (let i = 0; i < results.length; i++) {
      const r = results[i] as { error?: Json; details?: Json } | null;
      if (r && typeof r === 'object' && typeof r.error === 'string') {
        const details = typeof r.details === 'string' ? r.details : undefined;
        const what =
          i < ops.length ? `operation ${i} (${ops[i]!.op}${'table' in ops[i]! ? ` ${(ops[i] as { table: string }).table}` : ''})` : 'commit';
        throw new OvsdbError(
          'transaction',
          `OVSDB transaction on ${db} failed at ${what}: ${r.error}${details ? `: ${details}` : ''}`,
          r.error,
          details,
          i,
        );
      }
    }
    if (results.length < ops.length) throw new OvsdbError('protocol', `transact returned ${results.length} results for ${ops.length} operations`);
    return ops.map((op, i) => decodeResult(op, results[i] as Json)) as ResultsOf<Ops>;
  }

  /**
   * Watch tables: resolves once the server has sent the initial rows; every
   * later change arrives as one call of `onUpdate` per committed transaction.
   */
  async monitor(db: string, requests: Readonly<Record<string, MonitorRequest>>, onUpdate: (updates: TableUpdates) => void): Promise<Monitor> {
    const id = `virtnet-${process.pid}-${++monitorCounter}`;
    const wire: Record<string, Json> = {};
    for (const [table, r] of Object.entries(requests)) {
      wire[table] = { ...(r.columns ? { columns: [...r.columns] } : {}), ...(r.select ? { select: { ...r.select } } : {}) };
    }
    this.monitors.set(id, onUpdate);
    let initial: TableUpdates;
    try {
      initial = decodeTableUpdates(await this.rpc.request('monitor', [db, id, wire]));
    } catch (e) {
      this.monitors.delete(id);
      throw e;
    }
    return {
      initial,
      cancel: async () => {
        if (!this.monitors.delete(id) || this.rpc.closed) return;
        await this.rpc.request('monitor_cancel', [id]);
      },
    };
  }

  private notified(method: string, params: Json): void {
    if (method !== 'update' || !Array.isArray(params)) return;
    const handler = this.monitors.get(String(params[0]));
    if (handler === undefined) return;
    let updates: TableUpdates;
    try {
      updates = decodeTableUpdates(params[1] as Json);
    } catch (e) {
      this.rpc.abort(`sent an update that is not OVSDB data: ${(e as Error).message}`);
      return;
    }
    handler(updates);
  }
}
