/**
 * OVN networks across hosts, with real traffic, in a 3-host lab (src/lab):
 * one NAT network defined from the same XML on every host (gateway chassis
 * h2, then h3), guests on different hosts getting OVN's DHCP leases (a
 * fixed <host> address too), pinging each other, resolving each other's
 * names and reaching the uplink through SNAT on the gateway chassis; the
 * driver's views of them (leases, domifaddr, domiflist, bridge-show); an
 * ACL with an address set from the XML; a second, isolated network on the
 * same subnet that cannot reach the first; a guest moving host keeping its
 * address; a virtnetd restart changing nothing in OVN; undefine removing
 * exactly the network's rows; and the gateway chassis failing over when
 * its daemons stop. The lab runs OVS's userspace datapath: tests stay short.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpVirtnetClient } from '../../src/client/index.js';
import { connect } from '../../src/client/index.js';
import { restartLabVirtnetd } from '../../src/lab/lab.js';
import { OvsdbClient } from '../../src/ovsdb/client.js';
import { select } from '../../src/ovsdb/operations.js';
import { encodeValue, stringMapOf, stringOf, type Row } from '../../src/ovsdb/values.js';
import { NB_TABLES, TAG_NETWORK } from '../../src/ovn/nb-plan.js';
import { pollUntil } from '../support/poll.js';
import { daemonBundle, endAllDaemons } from './daemon-process.js';
import { startTestLab, type LabFixture } from './lab-fixture.js';
import { canUseNetns } from './netns.js';
import { udhcpcScript } from './udhcpc-script.js';
import { execFileSync } from 'node:child_process';

const root = canUseNetns();
const NS = 'https://virtnet.dev/schemas/network/ovn/1';

function networkXml(lab: LabFixture): string {
  return `<network xmlns:virtnet='${NS}'>
  <name>ovn1</name>
  <forward mode='nat'/>
  <domain name='lab'/>
  <ip address='10.77.0.1' prefix='24'>
    <dhcp>
      <range start='10.77.0.100' end='10.77.0.199'/>
      <host mac='52:54:00:77:00:01' name='vm1' ip='10.77.0.11'/>
    </dhcp>
  </ip>
  <virtnet:ovn northbound='${lab.layout.central.northbound}'>
    <virtnet:uplink network='uplink' address='198.51.100.10' prefix='24' gateway='198.51.100.1'/>
    <virtnet:gateway chassis='h2' priority='20'/>
    <virtnet:gateway chassis='h3' priority='10'/>
    <virtnet:addressSet name='blocked'><virtnet:address>198.51.100.99</virtnet:address></virtnet:addressSet>
    <virtnet:acl direction='from-lport' priority='1000' action='drop' match='inport == @network &amp;&amp; ip4.dst == $blocked'/>
  </virtnet:ovn>
</network>`;
}

/** The same subnet as ovn1, without a router: isolation has to come from OVN, not from routing. */
function isolatedXml(lab: LabFixture): string {
  return `<network xmlns:virtnet='${NS}'>
  <name>ovn2</name>
  <ip address='10.77.0.1' prefix='24'>
    <dhcp><range start='10.77.0.200' end='10.77.0.209'/></dhcp>
  </ip>
  <virtnet:ovn northbound='${lab.layout.central.northbound}'/>
</network>`;
}

const guestXml = (name: string, mac: string, network: string): string =>
  `<domain type='netns'><name>${name}</name><devices><interface type='network'><mac address='${mac}'/><source network='${network}'/></interface></devices></domain>`;

async function lease(c: HttpVirtnetClient, guest: string): Promise<string> {
  const r = await c.guestExec(guest, ['busybox', 'udhcpc', '-f', '-q', '-n', '-t', '8', '-T', '1', '-i', 'eth0', '-s', udhcpcScript()]);
  const m = /LEASE (\S+) ROUTER/.exec(r.stdout);
  if (!m) throw new Error(`${guest} got no lease: ${r.stdout} ${r.stderr}`);
  return m[1] as string;
}

async function pings(c: HttpVirtnetClient, guest: string, target: string, count = 2): Promise<number> {
  const r = await c.guestExec(guest, ['ping', '-c', String(count), '-i', '0.2', '-W', '1', target]);
  const m = /(\d+) received/.exec(r.stdout);
  return m ? Number(m[1]) : 0;
}

/**
 * Every row of the tables networks use, as text: table, network, the whole
 * row — but the `up` that ovn-northd keeps on ports as they bind, and
 * _version, which follows it.
 */
async function nbSnapshot(remote: string): Promise<string[]> {
  const nb = await OvsdbClient.connect(remote);
  try {
    const results = await nb.transact(
      'OVN_Northbound',
      NB_TABLES.map((t) => select(t, [])),
    );
    const text = (r: Row): string =>
      JSON.stringify(
        Object.entries(r)
          .filter(([k]) => k !== 'up' && k !== '_version')
          .map(([k, v]) => [k, encodeValue(v)]),
      );
    return NB_TABLES.flatMap((t, i) =>
      (results[i] as { rows: readonly Row[] }).rows.map((r) => `${t} ${stringMapOf(r.external_ids)[TAG_NETWORK] ?? '-'} ${text(r)}`),
    ).sort();
  } finally {
    nb.close();
  }
}

async function gatewayChassis(lab: LabFixture): Promise<string | undefined> {
  const sb = await OvsdbClient.connect(lab.layout.central.southbound);
  try {
    const [bindings, chassis] = await sb.transact('OVN_Southbound', [
      select('Port_Binding', [['type', '==', 'chassisredirect']], ['chassis']),
      select('Chassis', [], ['_uuid', 'name']),
    ]);
    const id = JSON.stringify(encodeValue((bindings.rows[0]?.chassis ?? []) as never));
    return chassis.rows
      .map((c) => [JSON.stringify(encodeValue(c._uuid as never)), stringOf(c.name)] as const)
      .find(([u]) => id.includes(JSON.parse(u)[1]))?.[1];
  } finally {
    sb.close();
  }
}

describe.skipIf(!root)('OVN networks across hosts (a 3-host lab)', () => {
  let lab: LabFixture;
  let h1: HttpVirtnetClient;
  let h2: HttpVirtnetClient;
  let h3: HttpVirtnetClient;
  let vm3: string;

  beforeAll(async () => {
    lab = await startTestLab('ovn', 3);
    [h1, h2, h3] = await Promise.all([lab.host(1), lab.host(2), lab.host(3)]);
    for (const c of [h1, h2, h3]) {
      await c.define(networkXml(lab));
      await c.start('ovn1');
    }
    await h1.guestDefine(guestXml('vm1', '52:54:00:77:00:01', 'ovn1'));
    await h1.guestStart('vm1');
    await h3.guestDefine(guestXml('vm3', '52:54:00:77:00:03', 'ovn1'));
    await h3.guestStart('vm3');
  }, 60_000);
  afterAll(async () => {
    await lab?.stop();
    await endAllDaemons();
  });

  it('gives guests on different hosts DHCP leases from OVN, a fixed <host> address too', async () => {
    expect(await lease(h1, 'vm1')).toBe('10.77.0.11');
    vm3 = await lease(h3, 'vm3');
    expect(vm3).toMatch(/^10\.77\.0\.1\d\d$/);
    // The same lease as seen from any host, and from the guest's own host's domifaddr.
    expect((await h2.leases('ovn1')).map((l) => [l.mac, l.ipAddress, l.hostname])).toEqual([
      ['52:54:00:77:00:01', '10.77.0.11', 'vm1'],
      ['52:54:00:77:00:03', vm3, 'vm3'],
    ]);
    expect((await h3.guestInterfaceAddresses('vm3'))[0]).toMatchObject({ mac: '52:54:00:77:00:03', address: vm3, prefix: 24 });
  });

  it('lets them ping each other across hosts and resolve each other by name', async () => {
    expect(await pings(h1, 'vm1', vm3)).toBe(2);
    const r = await h1.guestExec('vm1', ['busybox', 'nslookup', '-type=a', 'vm3.lab', '10.77.0.1']);
    expect(r.stdout).toContain(`Address: ${vm3}`);
    const short = await h3.guestExec('vm3', ['busybox', 'nslookup', '-type=a', 'vm1', '10.77.0.1']);
    expect(short.stdout).toContain('Address: 10.77.0.11');
  });

  it('takes them out to the uplink through SNAT on the gateway chassis, and the ACL drops what its address set names', async () => {
    // The uplink has no route back to 10.77.0.0/24: only SNAT to 198.51.100.10 lets replies in.
    const routes = execFileSync('ip', ['-n', lab.layout.uplink.netns, 'route', 'show'], { encoding: 'utf8' });
    expect(routes).not.toMatch(/default|10\.77\./);
    // OVN is eventually consistent: the gateway chassis claims the router's
    // redirect port, and the router learns the uplink's MAC from its first
    // packet (dropped meanwhile). Both can take a while on a busy machine.
    await pollUntil(async () => (await gatewayChassis(lab)) === 'h2', { ms: 15_000, everyMs: 200, what: 'h2 to claim the gateway port' });
    await pollUntil(async () => (await pings(h1, 'vm1', '198.51.100.1', 1)) === 1, {
      ms: 15_000,
      everyMs: 200,
      what: 'the uplink to answer through SNAT',
    });
    // Steady, not one lucky packet: at least two of three more, since OVS's userspace datapath on a busy
    // machine (CI) has been seen to miss one reply within ping's 1 s wait (1 of 2 once in seven runs).
    expect(await pings(h1, 'vm1', '198.51.100.1', 3)).toBeGreaterThanOrEqual(2);
    execFileSync('ip', ['-n', lab.layout.uplink.netns, 'addr', 'add', '198.51.100.99/24', 'dev', lab.layout.uplink.bridge]);
    expect(await pings(h3, 'vm3', '198.51.100.99')).toBe(0);
    expect(await pings(h3, 'vm3', '198.51.100.1', 1)).toBe(1);
  });

  it("shows the vNICs as any other: domiflist, and br-int's ports in bridge-show", async () => {
    const [nic] = await h1.guestInterfaces('vm1');
    expect(nic).toMatchObject({ type: 'network', source: 'ovn1', mac: '52:54:00:77:00:01' });
    const bridges = await h1.bridgePorts();
    expect(bridges.find((b) => b.bridge === 'br-int')?.ports).toContain(nic?.target);
  });

  it('keeps a second OVN network on the same subnet apart from the first', async () => {
    await h1.define(isolatedXml(lab));
    await h1.start('ovn2');
    await h1.guestDefine(guestXml('vm4', '52:54:00:78:00:04', 'ovn2'));
    await h1.guestStart('vm4');
    expect(await lease(h1, 'vm4')).toMatch(/^10\.77\.0\.20\d$/);
    expect(await pings(h1, 'vm4', '10.77.0.11', 1)).toBe(0);
    expect(await pings(h1, 'vm4', vm3, 1)).toBe(0);
  });

  it('moves a guest to another host: same port, same address, and it answers again', async () => {
    await h2.guestDefine(guestXml('vm3', '52:54:00:77:00:03', 'ovn1'));
    await h3.guestDestroy('vm3');
    await h2.guestStart('vm3');
    expect(await lease(h2, 'vm3')).toBe(vm3);
    await pollUntil(async () => (await pings(h1, 'vm1', vm3, 1)) === 1, { ms: 10_000, everyMs: 100, what: 'vm3 to answer from h2' });
    expect((await h1.leases('ovn1')).find((l) => l.mac === '52:54:00:77:00:03')?.ipAddress).toBe(vm3);
  });

  it('a virtnetd restart changes nothing in OVN but the port of a guest that vanished meanwhile; undefine removes exactly its network', async () => {
    await h1.guestDefine(guestXml('gone', '52:54:00:77:00:66', 'ovn1'));
    await h1.guestStart('gone');
    const portOf = (lines: string[]): string[] => lines.filter((l) => l.includes('"vm-id"') || l.includes('525400770066'));
    const before = await nbSnapshot(lab.layout.central.northbound);
    expect(portOf(before)).toHaveLength(2);
    await h1.close();
    // The guest's namespace vanishes while no daemon runs (a crash, a reboot of the guest's host side).
    const goneNs = `${lab.layout.hosts[0]!.netns}-g-gone`;
    await restartLabVirtnetd(lab.layout.dir, 'h1', [process.execPath, await daemonBundle()], async () => {
      execFileSync('ip', ['netns', 'del', goneNs]);
    });
    h1 = await connect({ uri: `unix://${lab.layout.hosts[0]!.socket}` });
    await pollUntil(async () => portOf(await nbSnapshot(lab.layout.central.northbound)).length === 0, {
      ms: 10_000,
      everyMs: 100,
      what: "the vanished guest's port to go",
    });
    // Everything else as it was, but for the references to the two rows that went.
    const goneUuids = portOf(before).map((l) => (JSON.parse(l.slice(l.indexOf('['))) as [string, unknown][]).find(([k]) => k === '_uuid')![1]);
    const withoutGone = (l: string): string => {
      const head = l.slice(0, l.indexOf('['));
      const cols = (JSON.parse(l.slice(l.indexOf('['))) as [string, unknown][]).map(([k, v]) => {
        if (Array.isArray(v) && v[0] === 'set')
          return [k, ['set', (v[1] as unknown[]).filter((x) => !goneUuids.some((g) => JSON.stringify(g) === JSON.stringify(x)))]];
        if (goneUuids.some((g) => JSON.stringify(g) === JSON.stringify(v))) return [k, ['set', []]];
        return [k, v];
      });
      return `${head}${JSON.stringify(cols)}`;
    };
    expect(await nbSnapshot(lab.layout.central.northbound)).toEqual(
      before
        .filter((l) => portOf([l]).length === 0)
        .map(withoutGone)
        .sort(),
    );
    expect(await pings(h1, 'vm1', vm3, 1)).toBe(1);

    const ovn2 = (await h1.lookupByName('ovn2')).uuid;
    const withOvn2 = await nbSnapshot(lab.layout.central.northbound);
    expect(withOvn2.some((line) => line.split(' ')[1] === ovn2)).toBe(true);
    await h1.guestDestroy('vm4');
    await h1.destroy('ovn2');
    await h1.undefine('ovn2');
    expect(await nbSnapshot(lab.layout.central.northbound)).toEqual(withOvn2.filter((line) => line.split(' ')[1] !== ovn2));
  });

  it('fails the gateway over to the next chassis when the first one stops', async () => {
    const h2Daemons = lab.state.daemons.filter(
      (d) => d.netns === lab.layout.hosts[1]!.netns && (d.program === 'ovs-vswitchd' || d.program === 'ovn-controller'),
    );
    for (const d of h2Daemons) process.kill(d.pid, 'SIGTERM');
    await pollUntil(async () => (await gatewayChassis(lab)) === 'h3', { ms: 20_000, everyMs: 200, what: 'the gateway to move to h3' });
    await pollUntil(async () => (await pings(h1, 'vm1', '198.51.100.1', 1)) === 1, { ms: 10_000, everyMs: 200, what: 'the uplink through h3' });
  });
});
