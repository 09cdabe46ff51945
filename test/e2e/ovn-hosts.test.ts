/**
 * The console's OVN hosts (src/ovn/hosts.ts, GET /api/console/ovn-hosts) in a
 * real 2-host lab: every chassis with its Geneve endpoint, up while its
 * ovn-controller answers and down once it stops, the networks active on
 * each and the guests' ports on the host they run on; and plainly
 * "unavailable" on a host without Open vSwitch.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOvnHosts } from '../../src/ovn/hosts.js';
import { startTestLab, type LabFixture } from './lab-fixture.js';
import { canUseNetns } from './netns.js';

const NS = 'https://virtnet.dev/schemas/network/ovn/1';

describe.skipIf(!canUseNetns())('the OVN hosts the console shows', () => {
  let lab: LabFixture;
  const read = (probeMs?: number) =>
    readOvnHosts({
      ovsDb: lab.layout.hosts[0]!.ovsDb,
      // The host's ovn-remote is an address in the lab's underlay; the test reaches the central's socket.
      southbound: lab.layout.central.southbound,
      northbounds: [lab.layout.central.northbound],
      ...(probeMs !== undefined ? { probeMs } : {}),
    });

  beforeAll(async () => {
    lab = await startTestLab('hosts', 2);
    const xml = `<network xmlns:virtnet='${NS}'><name>span</name><ip address='10.78.0.1' prefix='24'><dhcp><range start='10.78.0.100' end='10.78.0.199'/></dhcp></ip><virtnet:ovn northbound='${lab.layout.central.northbound}'/></network>`;
    for (const i of [1, 2]) {
      const c = await lab.host(i);
      await c.define(xml);
      await c.start('span');
    }
    const h2 = await lab.host(2);
    await h2.guestDefine(
      "<domain type='netns'><name>far</name><devices><interface type='network'><mac address='52:54:00:78:00:02'/><source network='span'/></interface></devices></domain>",
    );
    await h2.guestStart('far');
  }, 60_000);

  afterAll(async () => {
    await lab?.stop();
  });

  it('lists every chassis with its tunnel endpoint, the networks on it and the guests on it, all up', async () => {
    const body = await read();
    expect(body.unavailable).toBeUndefined();
    expect(body.thisHost).toBe('h1');
    expect(body.hosts.map((h) => [h.name, h.state, h.networks, h.encaps.map((e) => `${e.type} ${e.ip}`)])).toEqual(
      lab.layout.hosts.map((h) => [h.name, 'up', ['span'], [`geneve ${h.encapIp}`]]),
    );
    expect(body.ports).toEqual([expect.objectContaining({ network: 'span', host: 'h2', guest: 'far', mac: '52:54:00:78:00:02' })]);
  });

  it('calls a chassis down once its ovn-controller stops answering', async () => {
    const h2 = lab.layout.hosts[1]!;
    const controller = lab.state.daemons.find((d) => d.netns === h2.netns && d.program === 'ovn-controller');
    expect(controller).toBeDefined();
    process.kill(controller!.pid, 'SIGKILL');
    const body = await read(1500);
    expect(body.hosts.map((h) => [h.name, h.state])).toEqual([
      ['h1', 'up'],
      ['h2', 'down'],
    ]);
  });

  it('says why there is nothing to list on a host without Open vSwitch, or with no northbound to ask through', async () => {
    expect(await readOvnHosts({ ovsDb: 'unix:/nonexistent/db.sock', northbounds: [] })).toEqual({
      unavailable: { reason: 'no-ovs', detail: 'unix:/nonexistent/db.sock' },
      hosts: [],
      ports: [],
    });
    const body = await readOvnHosts({ ovsDb: lab.layout.hosts[0]!.ovsDb, southbound: lab.layout.central.southbound, northbounds: [] });
    expect(body.hosts.map((h) => h.state)).toEqual(['unknown', 'unknown']);
  });
});
