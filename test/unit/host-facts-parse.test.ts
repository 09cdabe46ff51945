/**
 * Parsing iproute2's JSON dumps into typed host facts. The fixtures are
 * trimmed captures of `ip -j -d link`, `ip -j addr`, `ip -j route` and
 * `ip -j -6 route` from iproute2 6.1 in a test namespace.
 */
import { describe, expect, it } from 'vitest';
import { parseAddresses, parseLinks, parseRoutes } from '../../src/host/facts-parse.js';

const LINKS = JSON.stringify([
  {
    ifindex: 1,
    ifname: 'lo',
    flags: ['LOOPBACK', 'UP', 'LOWER_UP'],
    mtu: 65536,
    operstate: 'UNKNOWN',
    link_type: 'loopback',
    address: '00:00:00:00:00:00',
  },
  {
    ifindex: 2,
    ifname: 'virbr1',
    flags: ['NO-CARRIER', 'BROADCAST', 'MULTICAST', 'UP'],
    mtu: 1400,
    operstate: 'DOWN',
    link_type: 'ether',
    address: '52:54:00:12:34:56',
    linkinfo: {
      info_kind: 'bridge',
      info_data: {
        forward_delay: 200,
        hello_time: 200,
        max_age: 2000,
        ageing_time: 30000,
        stp_state: 1,
        priority: 32768,
        vlan_filtering: 0,
        bridge_id: '8000.52:54:0:12:34:56',
        hello_timer: 0.48,
      },
    },
  },
  {
    ifindex: 3,
    link: 'vnet0',
    ifname: 'vpeer0',
    flags: ['BROADCAST', 'MULTICAST'],
    mtu: 1500,
    operstate: 'DOWN',
    link_type: 'ether',
    address: '2E:FA:F2:50:62:47',
    linkinfo: { info_kind: 'veth' },
  },
  {
    ifindex: 4,
    link: 'vpeer0',
    ifname: 'vnet0',
    flags: ['NO-CARRIER', 'BROADCAST', 'MULTICAST', 'UP', 'M-DOWN'],
    mtu: 1500,
    master: 'virbr1',
    operstate: 'LOWERLAYERDOWN',
    link_type: 'ether',
    address: 'f2:99:d3:d6:41:5e',
    linkinfo: { info_kind: 'veth', info_slave_kind: 'bridge', info_slave_data: { state: 'disabled', priority: 32, cost: 2 } },
  },
  {
    ifindex: 5,
    ifname: 'vtap0',
    flags: ['BROADCAST', 'MULTICAST'],
    mtu: 1500,
    operstate: 'DOWN',
    link_type: 'ether',
    address: '22:d4:04:61:1a:07',
    linkinfo: { info_kind: 'tun', info_data: { type: 'tap', pi: false, vnet_hdr: true, multi_queue: false, persist: true, user: 'root' } },
  },
  {
    ifindex: 6,
    link: 'virbr1',
    ifname: 'mv0',
    flags: ['BROADCAST', 'MULTICAST'],
    mtu: 1500,
    operstate: 'DOWN',
    link_type: 'ether',
    address: '1a:03:ad:16:bc:be',
    linkinfo: { info_kind: 'macvlan', info_data: { mode: 'private', bcqueuelen: 1000 } },
  },
  {
    ifindex: 14,
    link_index: 2,
    ifname: 'vn1',
    flags: ['BROADCAST', 'MULTICAST'],
    mtu: 1500,
    operstate: 'DOWN',
    link_type: 'ether',
    address: '0e:06:47:e1:91:79',
    link_netnsid: 0,
    linkinfo: { info_kind: 'veth' },
  },
]);

const ADDRS = JSON.stringify([
  {
    ifindex: 1,
    ifname: 'lo',
    addr_info: [
      { family: 'inet', local: '127.0.0.1', prefixlen: 8, scope: 'host', label: 'lo' },
      { family: 'inet6', local: '::1', prefixlen: 128, scope: 'host' },
    ],
  },
  {
    ifindex: 2,
    ifname: 'virbr1',
    addr_info: [
      { family: 'inet', local: '192.168.100.1', prefixlen: 24, broadcast: '192.168.100.255', scope: 'global', label: 'virbr1' },
      { family: 'inet6', local: '2001:db8:ca2:2::1', prefixlen: 64, scope: 'global', tentative: true },
      { family: 'inet6', local: 'fe80::5054:ff:fe12:3456', prefixlen: 64, scope: 'link' },
    ],
  },
  { ifindex: 3, ifname: 'vpeer0', addr_info: [] },
  { ifindex: 9, ifname: 'ptp0', addr_info: [{ family: 'inet', local: '10.0.0.1', address: '10.0.0.2', prefixlen: 32, scope: 'global' }] },
]);

const ROUTES4 = JSON.stringify([
  { dst: 'default', gateway: '192.168.100.254', dev: 'virbr1', protocol: 'static', flags: [] },
  { dst: '10.20.0.0/16', gateway: '192.168.100.2', dev: 'virbr1', metric: 5, flags: ['linkdown'] },
  { dst: '10.30.0.0/16', dev: 'virbr1', scope: 'link', metric: 7, flags: ['linkdown'] },
  { dst: '192.168.100.0/24', dev: 'virbr1', protocol: 'kernel', scope: 'link', prefsrc: '192.168.100.1', flags: ['linkdown'] },
  { type: 'blackhole', dst: '10.99.0.0/16', flags: [] },
  { type: 'local', dst: '192.168.100.1', dev: 'virbr1', table: 'local', protocol: 'kernel', scope: 'host', prefsrc: '192.168.100.1', flags: [] },
]);

const ROUTES6 = JSON.stringify([
  { dst: '2001:db8:ff::/48', dev: 'virbr1', metric: 9, flags: ['linkdown'], pref: 'medium' },
  { dst: '2001:db8:ca2:2::/64', dev: 'virbr1', protocol: 'kernel', metric: 256, flags: ['linkdown'], pref: 'medium' },
  { dst: 'default', gateway: 'fe80::1', dev: 'virbr1', protocol: 'ra', metric: 1024, flags: [], pref: 'medium' },
]);

describe('parseLinks', () => {
  const links = parseLinks(LINKS);
  const by = (name: string) => links.find((l) => l.name === name);

  it('reads every link with its basic attributes', () => {
    expect(links.map((l) => l.name)).toEqual(['lo', 'virbr1', 'vpeer0', 'vnet0', 'vtap0', 'mv0', 'vn1']);
    expect(by('lo')).toEqual({
      index: 1,
      name: 'lo',
      mac: '00:00:00:00:00:00',
      mtu: 65536,
      operstate: 'UNKNOWN',
      up: true,
      flags: ['LOOPBACK', 'UP', 'LOWER_UP'],
      linkType: 'loopback',
    });
    expect(by('vpeer0')?.mac).toBe('2e:fa:f2:50:62:47');
    expect(by('vpeer0')?.up).toBe(false);
  });

  it('reads bridge data in the kernel units', () => {
    expect(by('virbr1')).toMatchObject({ kind: 'bridge', mtu: 1400, up: true, operstate: 'DOWN' });
    expect(by('virbr1')?.bridge).toEqual({
      stp: true,
      forwardDelayCs: 200,
      helloTimeCs: 200,
      maxAgeCs: 2000,
      ageingTimeCs: 30000,
      vlanFiltering: false,
      priority: 32768,
      bridgeId: '8000.52:54:0:12:34:56',
    });
  });

  it('reads ports, peers, taps and macvlans', () => {
    expect(by('vnet0')).toMatchObject({ kind: 'veth', master: 'virbr1', slaveKind: 'bridge', parent: 'vpeer0' });
    expect(by('vnet0')?.bridge).toBeUndefined();
    expect(by('vtap0')).toMatchObject({ kind: 'tun', tun: { type: 'tap', persist: true, vnetHdr: true, multiQueue: false, user: 'root' } });
    expect(by('mv0')).toMatchObject({ kind: 'macvlan', parent: 'virbr1', macvlanMode: 'private' });
    expect(by('vn1')).toMatchObject({ kind: 'veth', parentIndex: 2, parentNetnsId: 0 });
    expect(by('vn1')?.parent).toBeUndefined();
  });

  it('accepts empty output and rejects output that is not a JSON array', () => {
    expect(parseLinks('')).toEqual([]);
    expect(() => parseLinks('{"a":1}')).toThrow("internal error: cannot parse output of 'ip -j -d link': not a JSON array");
    expect(() => parseLinks('Device "x" does not exist.')).toThrow(/^internal error: cannot parse output of 'ip -j -d link': /);
  });
});

describe('parseAddresses', () => {
  it('gives one record per address with family, prefix, device, scope and flags', () => {
    expect(parseAddresses(ADDRS)).toEqual([
      { family: 'ipv4', address: '127.0.0.1', prefix: 8, dev: 'lo', scope: 'host', tentative: false },
      { family: 'ipv6', address: '::1', prefix: 128, dev: 'lo', scope: 'host', tentative: false },
      { family: 'ipv4', address: '192.168.100.1', prefix: 24, dev: 'virbr1', scope: 'global', broadcast: '192.168.100.255', tentative: false },
      { family: 'ipv6', address: '2001:db8:ca2:2::1', prefix: 64, dev: 'virbr1', scope: 'global', tentative: true },
      { family: 'ipv6', address: 'fe80::5054:ff:fe12:3456', prefix: 64, dev: 'virbr1', scope: 'link', tentative: false },
      { family: 'ipv4', address: '10.0.0.1', prefix: 32, dev: 'ptp0', scope: 'global', tentative: false, peer: '10.0.0.2' },
    ]);
  });
});

describe('parseRoutes', () => {
  it('reads IPv4 routes: default, gateway, metric, kernel prefix routes and other types', () => {
    const routes = parseRoutes(ROUTES4, 'ipv4');
    expect(routes[0]).toEqual({
      family: 'ipv4',
      dst: '0.0.0.0',
      prefix: 0,
      dev: 'virbr1',
      gateway: '192.168.100.254',
      type: 'unicast',
      protocol: 'static',
    });
    expect(routes[1]).toEqual({ family: 'ipv4', dst: '10.20.0.0', prefix: 16, dev: 'virbr1', gateway: '192.168.100.2', metric: 5, type: 'unicast' });
    expect(routes[3]).toMatchObject({ dst: '192.168.100.0', prefix: 24, protocol: 'kernel', scope: 'link', prefsrc: '192.168.100.1' });
    expect(routes[4]).toEqual({ family: 'ipv4', dst: '10.99.0.0', prefix: 16, type: 'blackhole' });
    expect(routes[5]).toMatchObject({ dst: '192.168.100.1', prefix: 32, type: 'local', table: 'local' });
  });

  it('reads IPv6 routes', () => {
    expect(parseRoutes(ROUTES6, 'ipv6')).toEqual([
      { family: 'ipv6', dst: '2001:db8:ff::', prefix: 48, dev: 'virbr1', metric: 9, type: 'unicast' },
      { family: 'ipv6', dst: '2001:db8:ca2:2::', prefix: 64, dev: 'virbr1', metric: 256, type: 'unicast', protocol: 'kernel' },
      { family: 'ipv6', dst: '::', prefix: 0, dev: 'virbr1', gateway: 'fe80::1', metric: 1024, type: 'unicast', protocol: 'ra' },
    ]);
  });
});
