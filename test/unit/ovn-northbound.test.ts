/**
 * The OVN runtime against a real northbound database (ovsdb-server over
 * OVN's own schema, in a private directory; no northd, no chassis): the
 * rows a network becomes, one host's key per host, guest ports with their
 * addresses, DNS names and chassis, a guest moving between hosts, live
 * changes that touch only what changed, an adoption that writes nothing,
 * removal of exactly the network's rows, and the start-up reconciliation.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { applyDefineDefaults } from '../../src/conf/network/defaults.js';
import { parseNetworkXml } from '../../src/conf/network/parse.js';
import type { NetworkDef } from '../../src/conf/network/types.js';
import { OvsdbClient, type TableUpdates } from '../../src/ovsdb/client.js';
import { del, insert, select } from '../../src/ovsdb/operations.js';
import { stringMap, stringMapOf, stringOf, stringsOf, uuidsOf, optionalOf, type Row } from '../../src/ovsdb/values.js';
import { aclMatch, guestAddress, NB_TABLES } from '../../src/ovn/nb-plan.js';
import { OvnRuntime, type OvnApplied } from '../../src/ovn/runtime.js';
import { startOvsdbServer, type TestOvsdbServer } from '../support/ovsdb-server.js';
import { dhcpSubnetXml, OVN_LAB_UPLINK } from './support/network-xml.js';

let server: TestOvsdbServer;
let db: OvsdbClient;

const xml = (name: string, extra = ''): string => `<network xmlns:virtnet='https://virtnet.dev/schemas/network/ovn/1'>
  <name>${name}</name>
  <forward mode='nat'/>
  <domain name='lab'/>
  <dns><host ip='10.77.0.50'><hostname>printer</hostname></host></dns>
${dhcpSubnetXml('10.77.0', [100, 109], { mac: '52:54:00:77:00:01', name: 'vm1', last: 11 })}
  <virtnet:ovn northbound='NB'>
${OVN_LAB_UPLINK}
    <virtnet:addressSet name='admins'><virtnet:address>10.77.0.11</virtnet:address></virtnet:addressSet>
    <virtnet:acl direction='to-lport' priority='1000' action='drop' match='outport == @network &amp;&amp; icmp4 &amp;&amp; ip4.src != $admins'/>
    ${extra}
  </virtnet:ovn>
</network>`;

async function define(text: string): Promise<NetworkDef> {
  return applyDefineDefaults(parseNetworkXml(text.replace('NB', server.remote)), { networks: [], linkExists: async () => false });
}

/** Transactions the runtimes sent that write (insert, update, mutate, delete), whether or not they changed a value. */
let writes = 0;
const WRITING = new Set(['insert', 'update', 'mutate', 'delete']);
async function countingConnect(remote: string): Promise<OvsdbClient> {
  const c = await OvsdbClient.connect(remote);
  const transact = c.transact.bind(c);
  c.transact = ((dbName: string, ops: readonly { op: string }[], o?: { timeoutMs?: number }) => {
    if (ops.some((op) => WRITING.has(op.op) && !(op.op === 'mutate' && (op as { table?: string }).table === 'NB_Global'))) writes++;
    return transact(dbName, ops as never, o);
  }) as typeof c.transact;
  return c;
}

const runtimeFor = (host: string): OvnRuntime => new OvnRuntime({ chassis: async () => host, southboundWaitMs: 0, connect: countingConnect });

/** Writing transactions the runtimes send while `fn` runs. */
async function writesDuring(fn: () => Promise<unknown>): Promise<number> {
  const before = writes;
  await fn();
  return writes - before;
}

async function rows(table: string): Promise<Row[]> {
  const [r] = await db.transact('OVN_Northbound', [select(table, [])]);
  return [...r.rows];
}

const named = async (table: string, name: string): Promise<Row | undefined> => (await rows(table)).find((r) => stringOf(r.name) === name);
const ids = (r: Row | undefined): Record<string, string> => stringMapOf(r?.external_ids);

/** Every change written to the database while `fn` runs. */
async function changesDuring(fn: () => Promise<unknown>): Promise<number> {
  let count = 0;
  const requests = Object.fromEntries([...NB_TABLES, 'NB_Global'].map((t) => [t, { select: { initial: false } }]));
  const m = await db.monitor('OVN_Northbound', requests, (u: TableUpdates) => {
    for (const rowsOfTable of u.values()) count += rowsOfTable.size;
  });
  await fn();
  await db.echo('barrier');
  await m.cancel();
  return count;
}

const port = (mac: string, name: string) => ({ portid: `p-${mac}`, mac, owner: { name, uuid: `uuid-${name}` } });

beforeAll(async () => {
  server = await startOvsdbServer('/usr/share/ovn/ovn-nb.ovsschema');
  db = await OvsdbClient.connect(server.remote);
  await db.transact('OVN_Northbound', [insert('NB_Global', {})]);
});
afterAll(async () => {
  db?.close();
  await server?.stop();
});

describe('an OVN network in the northbound database', () => {
  const h1 = runtimeFor('h1');
  const h2 = runtimeFor('h2');
  let def: NetworkDef;
  let a1: OvnApplied;
  let a2: OvnApplied;

  beforeEach(async () => {
    // Rows nobody at virtnet made: they must come through everything untouched.
    if ((await named('Logical_Switch', 'foreign')) === undefined) {
      await db.transact('OVN_Northbound', [
        insert('Logical_Switch', { name: 'foreign', external_ids: stringMap({ owner: 'someone' }) }),
        insert('Address_Set', { name: 'foreign_set', addresses: ['192.0.2.1'] }),
      ]);
    }
  });
  afterAll(() => {
    h1.close();
    h2.close();
  });

  it('becomes a switch, a router with SNAT on gateway chassis, DHCP, DNS, a port group with its ACL and an address set', async () => {
    def = await define(xml('ovn1'));
    a1 = (await h1.start(def, { otherActive: [] })) as OvnApplied;
    expect(a1).toMatchObject({ runtime: 'ovn', host: 'h1', northbound: server.remote });

    const sw = await named('Logical_Switch', 'virtnet-ovn1');
    expect(ids(sw)).toEqual({ 'virtnet-network': def.uuid, 'virtnet-network-name': 'ovn1', 'virtnet-role': 'switch', 'virtnet-host-h1': 'active' });
    const router = await named('Logical_Router', 'virtnet-ovn1-router');
    expect(uuidsOf(router?.ports)).toHaveLength(2);
    const [nat] = await rows('NAT');
    expect([stringOf(nat?.type), stringOf(nat?.external_ip), stringOf(nat?.logical_ip)]).toEqual(['snat', '198.51.100.10', '10.77.0.0/24']);
    const gws = (await rows('Gateway_Chassis')).map((g) => [stringOf(g.chassis_name), optionalOf(g.priority)]).sort();
    expect(gws).toEqual([
      ['h1', 20],
      ['h2', 10],
    ]);
    expect((await rows('Logical_Router_Static_Route')).map((r) => [stringOf(r.ip_prefix), stringOf(r.nexthop)])).toEqual([
      ['0.0.0.0/0', '198.51.100.1'],
    ]);
    const [dhcp] = await rows('DHCP_Options');
    expect(stringOf(dhcp?.cidr)).toBe('10.77.0.0/24');
    expect(stringMapOf(dhcp?.options)).toEqual({
      lease_time: '3600',
      router: '10.77.0.1',
      server_id: '10.77.0.1',
      server_mac: def.mac,
      mtu: '1442',
      dns_server: '10.77.0.1',
      domain_name: '"lab"',
    });
    const [dns] = await rows('DNS');
    expect(Object.fromEntries(stringMapOf(dns?.records) ? Object.entries(stringMapOf(dns?.records)) : [])).toEqual({
      printer: '10.77.0.50',
      'printer.lab': '10.77.0.50',
      vm1: '10.77.0.11',
      'vm1.lab': '10.77.0.11',
    });
    const pg = (await rows('Port_Group'))[0];
    const [acl] = await rows('ACL');
    expect(stringOf(acl?.match)).toBe(aclMatch(def, 'outport == @network && icmp4 && ip4.src != $admins'));
    expect(stringOf(acl?.match)).toBe(`outport == @${stringOf(pg?.name)} && icmp4 && ip4.src != $${stringOf(pg?.name)}_admins`);
    expect(stringsOf((await named('Address_Set', `${stringOf(pg?.name)}_admins`))?.addresses)).toEqual(['10.77.0.11']);
  });

  it('a second host adds only its key; adopting again writes nothing', async () => {
    expect(await changesDuring(async () => (a2 = (await h2.start(def, { otherActive: [] })) as OvnApplied))).toBe(1);
    expect(ids(await named('Logical_Switch', 'virtnet-ovn1'))).toMatchObject({ 'virtnet-host-h1': 'active', 'virtnet-host-h2': 'active' });
    expect(await writesDuring(() => h1.adopt(def, a1))).toBe(0);
    expect(await writesDuring(() => h2.adopt(def, a2))).toBe(0);
  });

  it("gives guests' ports their static or hashed address, the chassis, the port group, DHCP and a DNS name", async () => {
    const plug = await h1.attachPort(def, a1, port('52:54:00:77:00:01', 'vm1'));
    expect(plug).toEqual({ kind: 'ovs', bridge: 'br-int', ifaceId: `vn${def.uuid.replace(/-/g, '').slice(0, 12)}-525400770001`, mtu: 1442 });
    await h2.attachPort(def, a2, port('52:54:00:77:00:02', 'vm2'));
    const p1 = await named('Logical_Switch_Port', plug.kind === 'ovs' ? plug.ifaceId : '');
    expect(stringsOf(p1?.addresses)).toEqual(['52:54:00:77:00:01 10.77.0.11']);
    expect(stringsOf(p1?.port_security)).toEqual(['52:54:00:77:00:01 10.77.0.11']);
    expect(stringMapOf(p1?.options)).toEqual({ 'requested-chassis': 'h1' });
    expect(uuidsOf(p1?.dhcpv4_options)).toHaveLength(1);
    const second = guestAddress(def, '52:54:00:77:00:02', new Set(['10.77.0.11']));
    const p2 = (await rows('Logical_Switch_Port')).find((r) => ids(r)['virtnet-guest'] === 'vm2');
    expect(stringsOf(p2?.addresses)).toEqual([`52:54:00:77:00:02 ${second}`]);
    expect(stringMapOf(p2?.options)).toEqual({ 'requested-chassis': 'h2' });
    expect(uuidsOf((await rows('Port_Group'))[0]?.ports)).toHaveLength(2);
    const names = (await rows('DNS')).flatMap((d) => Object.keys(stringMapOf(d.records))).sort();
    expect(names).toEqual(['printer', 'printer.lab', 'vm1', 'vm1', 'vm1.lab', 'vm1.lab', 'vm2', 'vm2.lab']);
    // Attaching the same port again (a restart's notification) changes nothing.
    expect(await writesDuring(() => h1.attachPort(def, a1, port('52:54:00:77:00:01', 'vm1')))).toBe(0);
  });

  it('a guest that moves keeps its port and address; the host it left cannot remove it', async () => {
    const before = (await rows('Logical_Switch_Port')).find((r) => ids(r)['virtnet-guest'] === 'vm2');
    await h1.attachPort(def, a1, port('52:54:00:77:00:02', 'vm2'));
    await h2.detachPort(def, a2, port('52:54:00:77:00:02', 'vm2'));
    const after = (await rows('Logical_Switch_Port')).find((r) => ids(r)['virtnet-guest'] === 'vm2');
    expect(stringsOf(after?.addresses)).toEqual(stringsOf(before?.addresses));
    expect(stringMapOf(after?.options)).toEqual({ 'requested-chassis': 'h1' });
    // Destroyed there first, started here after: the hash gives the same address back.
    await h1.detachPort(def, a1, port('52:54:00:77:00:02', 'vm2'));
    expect((await rows('Logical_Switch_Port')).some((r) => ids(r)['virtnet-guest'] === 'vm2')).toBe(false);
    await h2.attachPort(def, a2, port('52:54:00:77:00:02', 'vm2'));
    const back = (await rows('Logical_Switch_Port')).find((r) => ids(r)['virtnet-guest'] === 'vm2');
    expect(stringsOf(back?.addresses)).toEqual(stringsOf(before?.addresses));
  });

  it('after a restart, prunes the ports of this host that no guest holds any more, and only those', async () => {
    await h1.attachPort(def, a1, port('52:54:00:77:00:66', 'gone'));
    const sw = async (): Promise<Row | undefined> => named('Logical_Switch', 'virtnet-ovn1');
    const before = await sw();
    const dnsBefore = (await rows('DNS')).length;
    await h1.prunePorts(def, a1, [port('52:54:00:77:00:01', 'vm1')]);
    expect(
      (await rows('Logical_Switch_Port'))
        .map((r) => ids(r)['virtnet-guest'])
        .filter(Boolean)
        .sort(),
    ).toEqual(['vm1', 'vm2']);
    expect((await rows('DNS')).length).toBe(dnsBefore - 1);
    const after = await sw();
    expect(uuidsOf(after?.ports)).toHaveLength(uuidsOf(before?.ports).length - 1);
    expect(uuidsOf(after?.dns_records)).toHaveLength(uuidsOf(before?.dns_records).length - 1);
    expect(uuidsOf((await rows('Port_Group'))[0]?.ports)).toHaveLength(2);
    const live = new Set((await rows('DNS')).map((r) => JSON.stringify(r._uuid)));
    expect(uuidsOf(after?.dns_records).every((u) => live.has(JSON.stringify(u)))).toBe(true);
  });

  it('a live change writes only what changed', async () => {
    const next = await define(
      xml('ovn1')
        .replace("priority='10'", "priority='15'")
        .replace(/ {4}<virtnet:acl[^\n]*\n/, ''),
    );
    const gwBefore = (await rows('Gateway_Chassis')).find((g) => stringOf(g.chassis_name) === 'h1');
    const changes = await changesDuring(() => h1.updateLive(def, next, 'ip-dhcp-host', a1));
    // The h2 gateway's priority, the ACL gone and the port group's list of ACLs.
    expect(changes).toBe(3);
    expect((await rows('Gateway_Chassis')).find((g) => stringOf(g.chassis_name) === 'h2')?.priority).toBe(15);
    expect((await rows('Gateway_Chassis')).find((g) => stringOf(g.chassis_name) === 'h1')?._uuid).toEqual(gwBefore?._uuid);
    expect(await rows('ACL')).toEqual([]);
    def = next;
  });

  it('stopping on one host keeps the network for the other; the last stop removes exactly its rows', async () => {
    await h1.stop(def, a1);
    expect(ids(await named('Logical_Switch', 'virtnet-ovn1'))).not.toHaveProperty('virtnet-host-h1');
    expect((await rows('Logical_Switch_Port')).some((r) => ids(r)['virtnet-guest'] === 'vm1')).toBe(false);
    expect((await rows('Logical_Switch_Port')).some((r) => ids(r)['virtnet-guest'] === 'vm2')).toBe(true);
    await h2.stop(def, a2);
    for (const t of NB_TABLES) expect((await rows(t)).filter((r) => ids(r)['virtnet-network'] !== undefined)).toEqual([]);
    expect((await rows('Logical_Switch')).map((r) => stringOf(r.name))).toEqual(['foreign']);
    expect((await rows('Address_Set')).map((r) => stringOf(r.name))).toEqual(['foreign_set']);
  });

  it('at start-up, removes this host from networks it no longer runs, and networks no host claims', async () => {
    const a = await define(xml('left-behind'));
    const b = await define(xml('orphan'));
    const c = await define(xml('still-here'));
    await h1.start(a, { otherActive: [] });
    await h2.start(a, { otherActive: [] });
    const ab = (await h1.start(b, { otherActive: [] })) as OvnApplied;
    const ac = (await h1.start(c, { otherActive: [] })) as OvnApplied;
    // The orphan loses its only host key behind virtnet's back (a host that was wiped).
    const orphan = await named('Logical_Switch', 'virtnet-orphan');
    await db.transact('OVN_Northbound', [
      {
        op: 'mutate',
        table: 'Logical_Switch',
        where: [['_uuid', '==', orphan!._uuid as never]],
        mutations: [['external_ids', 'delete', ['virtnet-host-h1']]],
      },
    ]);
    // h1 rebooted: only still-here runs again.
    await h1.reconcileOwned([{ def: a }, { def: b }, { def: c, applied: ac }]);
    expect(ids(await named('Logical_Switch', 'virtnet-left-behind'))).toEqual(expect.not.objectContaining({ 'virtnet-host-h1': 'active' }));
    expect(ids(await named('Logical_Switch', 'virtnet-left-behind'))).toMatchObject({ 'virtnet-host-h2': 'active' });
    expect(await named('Logical_Switch', 'virtnet-orphan')).toBeUndefined();
    expect((await rows('Logical_Router')).map((r) => stringOf(r.name)).sort()).toEqual(['virtnet-left-behind-router', 'virtnet-still-here-router']);
    expect(ids(await named('Logical_Switch', 'virtnet-still-here'))).toMatchObject({ 'virtnet-host-h1': 'active' });
    expect(await named('Logical_Switch', 'foreign')).toBeDefined();
    void ab;
    await h2.stop(a, { runtime: 'ovn', version: 1, name: 'left-behind', northbound: server.remote, host: 'h2' });
    await h1.stop(c, ac);
    await db.transact('OVN_Northbound', [del('Logical_Switch', [['name', '==', 'foreign']]), del('Address_Set', [['name', '==', 'foreign_set']])]);
    for (const t of NB_TABLES) expect(await rows(t)).toEqual([]);
  });
});

describe('guest addresses', () => {
  it('come from a hash of the MAC within the ranges, the same wherever asked, skipping taken ones', async () => {
    const def = await define(xml('addr'));
    const a = guestAddress(def, '52:54:00:aa:bb:cc', new Set());
    expect(a).toMatch(/^10\.77\.0\.10\d$/);
    expect(guestAddress(def, '52:54:00:AA:BB:CC', new Set())).toBe(a);
    const next = guestAddress(def, '52:54:00:aa:bb:cc', new Set([a!]));
    expect(next).not.toBe(a);
    expect(guestAddress(def, '52:54:00:77:00:01', new Set(['10.77.0.11']))).toBe('10.77.0.11');
    const all = new Set(Array.from({ length: 10 }, (_, i) => `10.77.0.10${i}`));
    expect(guestAddress(def, '52:54:00:aa:bb:cc', all)).toBeUndefined();
  });
});
