/**
 * The console's OVN hosts as a model, without OVN or a browser: the hosts
 * and guest ports read from OVN's rows (src/ovn/hosts.ts hostsOf/portsOf),
 * and the topology that draws an OVN network by host
 * (web/src/model/topology.ts), and when the Hosts page reads them again by
 * itself (web/src/model/hosts-refresh.ts). The real lab runs them in
 * test/e2e/ovn-hosts.test.ts and test/browser/console-hosts.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { OvnHostsBody } from '../../src/contract/console-api.js';
import { hostsOf, portsOf, PROBE_MS } from '../../src/ovn/hosts.js';
import { stringMap, Uuid, type Row } from '../../src/ovsdb/values.js';
import { HOSTS_REFRESH_MS, nextReadIn } from '../../web/src/model/hosts-refresh.js';
import { buildTopology, layoutTopology, LAYOUT, type TopoNetwork } from '../../web/src/model/topology.js';
import type { GuestRow } from '../../web/src/state/guests.js';

describe('the OVN hosts read from OVN rows', () => {
  const chassis = (uuid: string, name: string, encaps: string[], hostname?: string): Row => ({
    _uuid: new Uuid(uuid),
    name,
    hostname: hostname ?? [],
    encaps: encaps.map((e) => new Uuid(e)),
  });
  const encap = (uuid: string, type: string, ip: string): Row => ({ _uuid: new Uuid(uuid), type, ip });
  const sw = (network: string, hosts: string[]): Row => ({
    name: `virtnet-${network}`,
    external_ids: stringMap({
      'virtnet-network-name': network,
      'virtnet-role': 'switch',
      ...Object.fromEntries(hosts.map((h) => [`virtnet-host-${h}`, 'active'])),
    }),
  });

  it('lists each chassis by name with its hostname, tunnel endpoints, state and the networks active on it', () => {
    const hosts = hostsOf(
      {
        chassis: [chassis('c2', 'h2', ['e2', 'e3']), chassis('c1', 'h1', ['e1'], 'node-1')],
        encaps: [encap('e1', 'geneve', '192.0.2.1'), encap('e2', 'geneve', '192.0.2.2'), encap('e3', 'vxlan', '192.0.2.2')],
      },
      (name) => (name === 'h2' ? 'down' : 'up'),
      [sw('span', ['h1', 'h2']), sw('alpha', ['h1'])],
    );
    expect(hosts).toEqual([
      {
        name: 'h1',
        hostname: 'node-1',
        encaps: [{ type: 'geneve', ip: '192.0.2.1' }],
        state: 'up',
        networks: ['alpha', 'span'],
      },
      {
        name: 'h2',
        encaps: [
          { type: 'geneve', ip: '192.0.2.2' },
          { type: 'vxlan', ip: '192.0.2.2' },
        ],
        state: 'down',
        networks: ['span'],
      },
    ]);
  });

  it("reads each guest port's network, host, guest, MAC, address and binding; ports that are no guest's are left out", () => {
    const port = (ids: Record<string, string>, addresses: string[], up: boolean[]): Row => ({ addresses, external_ids: stringMap(ids), up });
    const guestIds = (network: string, host: string, guest: string) => ({
      'virtnet-network-name': network,
      'virtnet-role': 'guest',
      'virtnet-chassis': host,
      'virtnet-guest': guest,
    });
    expect(
      portsOf([
        port(guestIds('span', 'h2', 'far'), ['52:54:00:79:00:02'], []),
        port(guestIds('span', 'h1', 'near'), ['52:54:00:79:00:01 10.79.0.5'], [true]),
        port({ 'virtnet-network-name': 'span', 'virtnet-role': 'guest' }, ['52:54:00:79:00:03'], [true]),
      ]),
    ).toEqual([
      { network: 'span', host: 'h1', guest: 'near', mac: '52:54:00:79:00:01', address: '10.79.0.5', up: true },
      { network: 'span', host: 'h2', guest: 'far', mac: '52:54:00:79:00:02', up: false },
    ]);
  });
});

describe('the topology of an OVN network, by host', () => {
  const ovnNet: TopoNetwork = {
    info: { name: 'span', active: true },
    model: { forward: { interfaces: [] }, bridge: {} },
    def: { ovn: { northbound: 'tcp:192.0.2.10:6641' } },
  };
  const bridgeNet: TopoNetwork = {
    info: { name: 'local', active: true, bridge: 'virbr1' },
    model: { forward: { interfaces: [] }, bridge: { name: 'virbr1' } },
  };
  const guest = (name: string, active: boolean, nics: { mac: string; network: string }[]): GuestRow => ({
    info: { name, uuid: `00000000-0000-4000-8000-00000000000${name.length}`, type: 'netns', active, persistent: true },
    interfaces: nics.map((n) => ({ type: 'network', source: n.network, mac: n.mac })),
    addresses: [],
  });
  const host = (name: string, ip: string, state: 'up' | 'down', networks: string[]) => ({
    name,
    encaps: [{ type: 'geneve', ip }],
    state,
    networks,
  });
  const ovn: OvnHostsBody = {
    thisHost: 'h1',
    hosts: [host('h1', '192.0.2.1', 'up', ['span']), host('h2', '192.0.2.2', 'down', ['span']), host('h3', '192.0.2.3', 'up', [])],
    ports: [
      { network: 'span', host: 'h1', guest: 'near', mac: '52:54:00:79:00:01', address: '10.79.0.5', up: true },
      { network: 'span', host: 'h2', guest: 'far', mac: '52:54:00:79:00:02', up: true },
    ],
  };
  const near = guest('near', true, [{ mac: '52:54:00:79:00:01', network: 'span' }]);
  const edgeIds = (topo: { edges: { id: string }[] }) => topo.edges.map((e) => e.id);

  it("hangs this host's guest from this host and another host's guest as a box under that host, with a tunnel between the network's hosts only", () => {
    const topo = buildTopology([ovnNet], [near], undefined, ovn);
    expect(topo.nodes.filter((n) => n.kind === 'host').map((n) => [n.id, n.secondary, n.active])).toEqual([
      ['host:span:h1', '192.0.2.1', true],
      ['host:span:h2', '192.0.2.2', false],
    ]);
    expect(topo.nodes.filter((n) => n.kind === 'remote').map((n) => [n.id, n.label])).toEqual([['remote:span:52:54:00:79:00:02', 'far']]);
    // The guest here is the guest itself, not a vNIC box.
    expect(topo.nodes.filter((n) => n.kind === 'nic')).toEqual([]);
    expect(edgeIds(topo)).toEqual([
      'ovn:host:span:h1',
      'on:host:span:h1:52:54:00:79:00:01',
      'ovn:host:span:h2',
      'on:host:span:h2:52:54:00:79:00:02',
      'tun:span:h1:h2',
    ]);
    expect(topo.edges.find((e) => e.id === 'on:host:span:h1:52:54:00:79:00:01')).toMatchObject({ target: 'guest:near', label: '10.79.0.5' });
  });

  it('draws the network as before, vNIC by vNIC, while its hosts are unknown or cannot be read', () => {
    for (const body of [undefined, { unavailable: { reason: 'no-ovs' as const, detail: 'unix:/run/openvswitch/db.sock' }, hosts: [], ports: [] }]) {
      const topo = buildTopology([ovnNet], [near], undefined, body);
      expect(topo.nodes.filter((n) => n.kind === 'host' || n.kind === 'remote')).toEqual([]);
      expect(edgeIds(topo)).toEqual(['own:nic:near:52:54:00:79:00:01', 'plug:nic:near:52:54:00:79:00:01']);
    }
  });

  it('keeps a shut-off guest here plugged into the OVN network: it has no port, yet it is on that network', () => {
    const idle = guest('idle', false, [{ mac: '52:54:00:79:00:09', network: 'span' }]);
    const topo = buildTopology([ovnNet], [near, idle], undefined, ovn);
    expect(edgeIds(topo)).toContain('plug:nic:idle:52:54:00:79:00:09');
    const layout = layoutTopology(topo);
    const at = (id: string) => layout.nodes.find((n) => n.id === id);
    // Under the hosts, in their column, inside the network's band.
    expect(at('nic:idle:52:54:00:79:00:09')?.x).toBe(at('host:span:h1')?.x);
    expect(at('nic:idle:52:54:00:79:00:09')?.y).toBeGreaterThan(at('host:span:h2')?.y ?? Number.POSITIVE_INFINITY);
    expect(at('guest:idle')?.y).toBe(at('nic:idle:52:54:00:79:00:09')?.y);
  });

  it('keeps a guest that moved away plugged here while it is shut off, and shows it on the host it runs on now', () => {
    const moved = guest('far', false, [{ mac: '52:54:00:79:00:02', network: 'span' }]);
    const topo = buildTopology([ovnNet], [near, moved], undefined, ovn);
    expect(edgeIds(topo)).toContain('plug:nic:far:52:54:00:79:00:02');
    expect(topo.edges.find((e) => e.id === 'on:host:span:h2:52:54:00:79:00:02')?.target).toBe('remote:span:52:54:00:79:00:02');
  });

  it('lays hosts out where vNICs go, each guest level with its host, the tunnel as an arc, and the next network below the band', () => {
    const other = guest('solo', true, [{ mac: '52:54:00:00:00:10', network: 'local' }]);
    const layout = layoutTopology(buildTopology([ovnNet, bridgeNet], [near, other], undefined, ovn));
    const at = (id: string) => {
      const n = layout.nodes.find((x) => x.id === id);
      if (!n) throw new Error(`${id} not placed`);
      return n;
    };
    const row = LAYOUT.nodeHeight + LAYOUT.rowGap;
    expect(at('host:span:h1').x).toBe(at('nic:solo:52:54:00:00:00:10').x);
    expect(at('guest:near')).toMatchObject({ x: at('guest:solo').x, y: at('host:span:h1').y });
    expect(at('remote:span:52:54:00:79:00:02')).toMatchObject({ x: at('guest:near').x, y: at('host:span:h2').y });
    expect(at('host:span:h2').y).toBe(at('host:span:h1').y + row);
    expect(at('net:local').y).toBeGreaterThan(at('host:span:h2').y + row - 1);
    const tunnel = layout.edges.find((e) => e.id === 'tun:span:h1:h2');
    expect(tunnel).toMatchObject({ tunnel: true, dashed: true });
    // It leaves and enters on the hosts' left side.
    expect(tunnel?.path.startsWith(`M${at('host:span:h1').x},`)).toBe(true);
    expect(layout.edges.filter((e) => e.tunnel).map((e) => e.id)).toEqual(['tun:span:h1:h2']);
  });
});

describe("the Hosts page's timed read", () => {
  const ended = 1_000_000;
  const shown = { every: HOSTS_REFRESH_MS, visible: true, busy: false, lastReadEnded: ended };

  it('comes one interval after the last read ended, whatever started that read', () => {
    expect(nextReadIn(shown, ended)).toBe(HOSTS_REFRESH_MS);
    // A read the user asked for 4 s ago: the timed one waits the rest of the interval.
    expect(nextReadIn(shown, ended + 4000)).toBe(HOSTS_REFRESH_MS - 4000);
  });

  it('comes at once when the interval has passed, as for a tab shown again after a while', () => {
    expect(nextReadIn(shown, ended + HOSTS_REFRESH_MS)).toBe(0);
    expect(nextReadIn(shown, ended + 10 * HOSTS_REFRESH_MS)).toBe(0);
  });

  it('does not come while the tab is hidden, while a read is under way, before a first read, or for a page without an interval', () => {
    expect(nextReadIn({ ...shown, visible: false }, ended + 10 * HOSTS_REFRESH_MS)).toBeUndefined();
    expect(nextReadIn({ ...shown, busy: true }, ended + 10 * HOSTS_REFRESH_MS)).toBeUndefined();
    expect(nextReadIn({ ...shown, lastReadEnded: undefined }, ended)).toBeUndefined();
    expect(nextReadIn({ ...shown, every: undefined }, ended + 10 * HOSTS_REFRESH_MS)).toBeUndefined();
  });

  it('leaves the hosts time between probes: several times the probe (how long a host that is down takes to answer)', () => {
    expect(HOSTS_REFRESH_MS).toBeGreaterThanOrEqual(5 * PROBE_MS);
    expect(HOSTS_REFRESH_MS).toBeLessThanOrEqual(60_000);
  });
});
