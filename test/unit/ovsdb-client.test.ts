/**
 * The OVSDB client against a real ovsdb-server (started in a private
 * directory over a small schema of the test's own), and against a scripted
 * peer for what a real server does only now and then (its own echo
 * requests, messages cut at odd places, dropping the connection).
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OvsdbClient } from '../../src/ovsdb/client.js';
import { OvsdbError } from '../../src/ovsdb/errors.js';
import { JsonSplitter } from '../../src/ovsdb/framing.js';
import { byUuid, del, insert, mutate, select, update } from '../../src/ovsdb/operations.js';
import { parseRemote } from '../../src/ovsdb/rpc.js';
import { columnShape } from '../../src/ovsdb/schema.js';
import { NamedUuid, Uuid, rowUuid, stringMap, stringMapOf, stringOf, stringsOf, optionalOf, uuidsOf, type Row } from '../../src/ovsdb/values.js';
import { startOvsdbServer, type TestOvsdbServer } from '../support/ovsdb-server.js';
import { pollUntil } from '../support/poll.js';
import { rejectionOf } from './support/vir-error.js';

const SCHEMA = {
  name: 'Lab',
  version: '1.0.0',
  tables: {
    Switch: {
      columns: {
        name: { type: 'string' },
        ports: { type: { key: { type: 'uuid', refTable: 'Port' }, min: 0, max: 'unlimited' } },
        external_ids: { type: { key: 'string', value: 'string', min: 0, max: 'unlimited' } },
        enabled: { type: { key: 'boolean', min: 0, max: 1 } },
        tag: { type: { key: { type: 'integer', minInteger: 1, maxInteger: 4095 }, min: 0, max: 1 } },
      },
      isRoot: true,
      indexes: [['name']],
    },
    Port: {
      columns: {
        name: { type: 'string' },
        addresses: { type: { key: 'string', min: 0, max: 'unlimited' } },
      },
    },
  },
};

let server: TestOvsdbServer;
let client: OvsdbClient;

beforeAll(async () => {
  server = await startOvsdbServer(SCHEMA);
  client = await OvsdbClient.connect(server.remote);
});
afterAll(async () => {
  client?.close();
  await server?.stop();
});

async function switches(): Promise<Row[]> {
  const [r] = await client.transact('Lab', [select('Switch', [])]);
  return [...r.rows];
}

describe('OvsdbClient against ovsdb-server', () => {
  it('lists the databases and reads the schema with each column in its shape', async () => {
    expect((await client.listDbs()).sort()).toEqual(['Lab', '_Server']);
    const schema = await client.getSchema('Lab');
    expect(schema.name).toBe('Lab');
    const cols = schema.tables.Switch!.columns;
    expect(columnShape(cols.name!.type)).toBe('atom');
    expect(columnShape(cols.ports!.type)).toBe('set');
    expect(cols.ports!.type.key.refTable).toBe('Port');
    expect(columnShape(cols.external_ids!.type)).toBe('map');
    expect(columnShape(cols.enabled!.type)).toBe('optional');
    expect(schema.tables.Switch!.isRoot).toBe(true);
  });

  it('inserts rows that refer to each other by uuid-name in one transaction and reads every kind of value back', async () => {
    const [p1, p2, sw] = await client.transact('Lab', [
      insert('Port', { name: 'p1', addresses: ['52:54:00:00:00:01 10.0.0.11', '52:54:00:00:00:01 fd00::11'] }, 'p1'),
      insert('Port', { name: 'p2', addresses: [] }, 'p2'),
      insert('Switch', {
        name: 'sw-a',
        ports: [new NamedUuid('p1'), new NamedUuid('p2')],
        external_ids: stringMap({ 'virtnet-network': 'a', 'x y': 'é "q"' }),
        enabled: true,
        tag: 7,
      }),
    ]);
    expect(p1.uuid).toBeInstanceOf(Uuid);
    const [{ rows }] = await client.transact('Lab', [select('Switch', [byUuid(sw.uuid)])]);
    const row = rows[0]!;
    expect(rowUuid(row).value).toBe(sw.uuid.value);
    expect(stringOf(row.name)).toBe('sw-a');
    expect(
      uuidsOf(row.ports)
        .map((u) => u.value)
        .sort(),
    ).toEqual([p1.uuid.value, p2.uuid.value].sort());
    expect(stringMapOf(row.external_ids)).toEqual({ 'virtnet-network': 'a', 'x y': 'é "q"' });
    expect(optionalOf(row.enabled)).toBe(true);
    expect(optionalOf(row.tag)).toBe(7);
    const [ports] = await client.transact('Lab', [select('Port', [['name', '==', 'p1']], ['addresses'])]);
    expect(stringsOf(ports.rows[0]!.addresses).sort()).toEqual(['52:54:00:00:00:01 10.0.0.11', '52:54:00:00:00:01 fd00::11']);
    expect(Object.keys(ports.rows[0]!)).toEqual(['addresses']);
  });

  it('counts what update, mutate and delete touched, and conditions match on map contents', async () => {
    await client.transact('Lab', [
      insert('Switch', { name: 'sw-b', external_ids: stringMap({ 'virtnet-network': 'b' }) }),
      insert('Switch', { name: 'sw-c', external_ids: stringMap({ owner: 'someone-else' }) }),
    ]);
    const ours = ['external_ids', 'includes', stringMap({ 'virtnet-network': 'b' })] as const;
    const [u, m, none] = await client.transact('Lab', [
      update('Switch', [ours], { tag: 42 }),
      mutate('Switch', [ours], [['external_ids', 'insert', stringMap({ extra: '1' })]]),
      update('Switch', [['name', '==', 'nobody']], { tag: 1 }),
    ]);
    expect([u.count, m.count, none.count]).toEqual([1, 1, 0]);
    const b = (await switches()).find((r) => stringOf(r.name) === 'sw-b')!;
    expect(optionalOf(b.tag)).toBe(42);
    expect(stringMapOf(b.external_ids)).toEqual({ 'virtnet-network': 'b', extra: '1' });
    const [d] = await client.transact('Lab', [del('Switch', [['external_ids', 'includes', stringMap({ owner: 'someone-else' })]])]);
    expect(d.count).toBe(1);
    expect((await switches()).map((r) => stringOf(r.name))).not.toContain('sw-c');
  });

  it('a failed operation fails the whole transaction with its index and OVSDB error, changing nothing', async () => {
    const before = (await switches()).length;
    const e = await rejectionOf(client.transact('Lab', [insert('Switch', { name: 'sw-new' }), insert('Switch', { name: 'sw-a' })]));
    expect(e).toBeInstanceOf(OvsdbError);
    const err = e as OvsdbError;
    // A duplicate index is found at commit, after the operations.
    expect(err.failure).toBe('transaction');
    expect(err.error).toBe('constraint violation');
    expect(err.operation).toBe(2);
    expect(err.message).toMatch(/^operation failed: OVSDB transaction on Lab failed at commit: constraint violation/);
    expect((await switches()).length).toBe(before);

    const bad = (await rejectionOf(client.transact('Lab', [insert('Switch', { name: 'sw-x', tag: 5000 })]))) as OvsdbError;
    expect(bad.operation).toBe(0);
    expect(bad.error).toBe('constraint violation');
    expect(bad.message).toContain('operation 0 (insert Switch)');
  });

  it('answers an unknown database with an rpc error, not a hang', async () => {
    const e = (await rejectionOf(client.getSchema('Nope'))) as OvsdbError;
    expect(e.failure).toBe('rpc');
    expect(e.error).toBe('unknown database');
  });

  it('monitors a table: initial rows, then one update per transaction, and none after cancel', async () => {
    const seen: { table: string; uuid: string; old?: Row; new?: Row }[][] = [];
    const monitor = await client.monitor('Lab', { Switch: { columns: ['name', 'tag'] } }, (updates) => {
      const batch: (typeof seen)[number] = [];
      for (const [table, rows] of updates) for (const [uuid, u] of rows) batch.push({ table, uuid, ...u });
      seen.push(batch);
    });
    const initialNames = [...monitor.initial.get('Switch')!.values()].map((u) => stringOf(u.new!.name)).sort();
    expect(initialNames).toEqual((await switches()).map((r) => stringOf(r.name)).sort());

    const [ins] = await client.transact('Lab', [insert('Switch', { name: 'sw-m' })]);
    await pollUntil(() => seen.length >= 1, { ms: 5000, everyMs: 10, what: 'the insert update' });
    expect(seen[0]).toEqual([{ table: 'Switch', uuid: ins.uuid.value, new: { name: 'sw-m', tag: [] } }]);

    await client.transact('Lab', [update('Switch', [byUuid(ins.uuid)], { tag: 9 })]);
    await pollUntil(() => seen.length >= 2, { ms: 5000, everyMs: 10, what: 'the modify update' });
    // A modification carries the new row and the old values of the columns that changed.
    expect(seen[1]![0]!.old).toEqual({ tag: [] });
    expect(seen[1]![0]!.new).toEqual({ name: 'sw-m', tag: 9 });

    await client.transact('Lab', [del('Switch', [byUuid(ins.uuid)])]);
    await pollUntil(() => seen.length >= 3, { ms: 5000, everyMs: 10, what: 'the delete update' });
    expect(seen[2]![0]!.new).toBeUndefined();
    expect(stringOf(seen[2]![0]!.old!.name)).toBe('sw-m');

    await monitor.cancel();
    await client.transact('Lab', [insert('Switch', { name: 'sw-after' })]);
    await client.echo('barrier');
    expect(seen.length).toBe(3);
  });

  it('echoes', async () => {
    expect(await client.echo('a', 1)).toEqual(['a', 1]);
  });

  it('says plainly when there is no server', async () => {
    const e = (await rejectionOf(OvsdbClient.connect(`unix:${server.dir}/missing.sock`))) as OvsdbError;
    expect(e.failure).toBe('connection');
    expect(e.message).toBe(`operation failed: cannot connect to the OVSDB server at unix:${server.dir}/missing.sock: No such file or directory`);
  });

  it('fails pending requests and reports the close when the server goes away', async () => {
    const other = await startOvsdbServer(SCHEMA);
    const c = await OvsdbClient.connect(other.remote);
    let closed: OvsdbError | undefined;
    c.onClose((r) => (closed = r));
    // A wait that never holds keeps the transaction pending on the server.
    const pending = c.transact('Lab', [{ op: 'wait', table: 'Switch', where: [], columns: ['name'], until: '==', rows: [{ name: 'never' }] }]);
    const failed = rejectionOf(pending);
    await other.stop();
    const e = (await failed) as OvsdbError;
    expect(e.failure).toBe('connection');
    expect(closed?.failure).toBe('connection');
    expect(c.closed).toBe(true);
    expect(((await rejectionOf(c.echo())) as OvsdbError).failure).toBe('connection');
  });
});

describe('OvsdbClient against a scripted peer (TCP on loopback)', () => {
  let peer: Server;
  let port = 0;
  const sockets: Socket[] = [];
  const received: unknown[] = [];

  beforeAll(async () => {
    peer = createServer((s) => {
      sockets.push(s);
      const splitter = new JsonSplitter();
      s.on('data', (d) => {
        for (const t of splitter.push(d)) {
          const m = JSON.parse(t) as { method?: string; id?: unknown; params?: unknown };
          received.push(m);
          if (m.method === 'list_dbs') {
            // The reply cut in three pieces, the middle one splitting a multi-byte character and a string with braces.
            const text = Buffer.from(JSON.stringify({ id: m.id, error: null, result: ['é}{["db', 'x'] }));
            s.write(text.subarray(0, 20));
            setTimeout(() => s.write(text.subarray(20, 31)), 5);
            setTimeout(() => s.write(Buffer.concat([text.subarray(31), Buffer.from(' \n')])), 10);
          }
          if (m.method === 'get_schema') s.destroy();
        }
      });
      // The server's own echo request, as ovsdb-server's inactivity probe sends it.
      s.write(JSON.stringify({ method: 'echo', params: ['probe'], id: 'echo' }));
    });
    await new Promise<void>((r) => peer.listen(0, '127.0.0.1', () => r()));
    port = (peer.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => peer.close(r));
  });

  it('answers the server echo, joins replies cut anywhere, and fails requests when the peer drops', async () => {
    const c = await OvsdbClient.connect(`tcp:127.0.0.1:${port}`);
    expect(await c.listDbs()).toEqual(['é}{["db', 'x']);
    expect(received).toContainEqual({ id: 'echo', result: ['probe'], error: null });
    const e = (await rejectionOf(c.getSchema('x'))) as OvsdbError;
    expect(e.failure).toBe('connection');
    expect(e.message).toBe(`operation failed: connection to the OVSDB server at tcp:127.0.0.1:${port} closed`);
  });
});

describe('framing and remotes', () => {
  it('splits texts back to back, with escapes and nesting, across any chunk boundary', () => {
    const texts = [{ a: '}\\"{', b: [1, { c: [] }] }, { id: 2, s: 'ü€😀' }, []].map((t) => JSON.stringify(t));
    const all = Buffer.from(texts.join('\n'));
    for (let cut = 1; cut < all.length; cut++) {
      const s = new JsonSplitter();
      const out = [...s.push(all.subarray(0, cut)), ...s.push(all.subarray(cut))];
      expect(out).toEqual(texts);
      expect(s.pending).toBe(0);
    }
  });

  it('refuses garbage between messages', () => {
    expect(() => new JsonSplitter().push('{} x')).toThrow(/unexpected 'x'/);
  });

  it('parses unix and tcp remotes and refuses the rest plainly', () => {
    expect(parseRemote('unix:/run/ovn/ovnnb_db.sock')).toEqual({ kind: 'unix', path: '/run/ovn/ovnnb_db.sock' });
    expect(parseRemote('tcp:192.0.2.1:6641')).toEqual({ kind: 'tcp', host: '192.0.2.1', port: 6641 });
    expect(parseRemote('tcp:[fd00::1]:6641')).toEqual({ kind: 'tcp', host: 'fd00::1', port: 6641 });
    expect(() => parseRemote('ssl:192.0.2.1:6641')).toThrow('ssl connections are not supported');
    expect(() => parseRemote('tcp:192.0.2.1')).toThrow("invalid OVSDB remote 'tcp:192.0.2.1': expected unix:PATH or tcp:HOST:PORT");
    expect(() => parseRemote('tcp:h:0')).toThrow('invalid OVSDB remote');
  });
});
