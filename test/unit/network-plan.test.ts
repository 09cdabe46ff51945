/**
 * The network plan (src/plan/network-plan.ts), the subnet-collision check
 * (plan-collision.ts), the resolv.conf reader (plan-resolv.ts) and the
 * dnsmasq planner's runtime-only options: pure functions, no root needed.
 */
import { describe, expect, it } from 'vitest';
import { parseNetworkXml } from '../../src/conf/network/parse.js';
import type { RouteRecord } from '../../src/host/facts-parse.js';
import { planDnsmasq } from '../../src/plan/dnsmasq.js';
import { planNetwork, type NetworkPlanOptions, type VirtualNetworkPlan } from '../../src/plan/network-plan.js';
import { findSubnetCollision } from '../../src/plan/plan-collision.js';
import { parseResolvConf, serversFileText } from '../../src/plan/plan-resolv.js';
import { VirError } from '../../src/util/errors.js';

const OPTIONS: NetworkPlanOptions = {
  dnsmasqDir: '/v/lib/dnsmasq',
  pidDir: '/v/run/networks',
  serversFile: '/v/lib/dnsmasq/resolv.servers',
  dhcpChecksum: 'bridge-tx-off',
};

const NAT = `<network><name>lab</name><forward mode='nat'/><bridge name='vbr7' stp='on' delay='2'/>
  <mac address='52:54:00:0a:0b:0c'/><mtu size='1400'/>
  <ip address='192.168.70.1' netmask='255.255.255.0'><dhcp><range start='192.168.70.10' end='192.168.70.20'/></dhcp></ip>
  <route address='10.70.0.0' prefix='16' gateway='192.168.70.2'/></network>`;

function virtual(xml: string, options = OPTIONS): VirtualNetworkPlan {
  const plan = planNetwork(parseNetworkXml(xml), options);
  if (plan.kind !== 'virtual') throw new Error(`expected a virtual plan, got ${plan.kind}`);
  return plan;
}

const route = (dst: string, prefix: number, dev: string | undefined, extra: Partial<RouteRecord> = {}): RouteRecord => {
  const r: RouteRecord = { family: 'ipv4', dst, prefix, type: 'unicast', ...extra };
  if (dev !== undefined) r.dev = dev;
  return r;
};

describe('planNetwork: virtual modes', () => {
  it('nat: bridge with MAC, MTU, STP and delay; IPv6 off on the bridge; addresses then up; static routes; forwarding; rules; dnsmasq', () => {
    const p = virtual(NAT);
    expect(p.bridge).toBe('vbr7');
    expect(p.createBridge).toEqual([{ op: 'createBridge', name: 'vbr7', mac: '52:54:00:0a:0b:0c', mtu: 1400, stp: true, delay: 2 }]);
    expect(p.bridgeSysctls).toEqual([
      { key: ['net', 'ipv6', 'conf', 'vbr7', 'disable_ipv6'], value: '1' },
      { key: ['net', 'ipv6', 'conf', 'vbr7', 'accept_ra'], value: '0' },
      { key: ['net', 'ipv6', 'conf', 'vbr7', 'autoconf'], value: '0' },
    ]);
    expect(p.addresses).toEqual([
      { op: 'addAddress', dev: 'vbr7', address: '192.168.70.1', prefix: 24 },
      { op: 'setUp', name: 'vbr7', up: true },
    ]);
    // IPv4 only: the addresses go in with the bridge, link up after the IPv6 sysctls.
    expect(p.createWithAddresses).toBe(true);
    expect(p.routes).toEqual([{ op: 'addRoute', dst: '10.70.0.0', prefix: 16, dev: 'vbr7', gateway: '192.168.70.2' }]);
    expect(p.forwarding).toEqual([{ key: 'net.ipv4.ip_forward', value: '1' }]);
    expect(p.txChecksumOff).toBe(true);
    expect(p.firewall?.chains).toEqual(['in_vbr7', 'out_vbr7', 'nat_vbr7']);
    // With the bridge's offload off, the firewall's checksum-zeroing element is not used.
    expect(JSON.stringify(p.firewall?.apply)).not.toContain('dhcp_csum","elem');
    expect(p.dnsmasq?.argv).toEqual(['dnsmasq', '--conf-file=/v/lib/dnsmasq/lab.conf']);
    expect(p.dnsmasq?.paths).toEqual({
      conf: '/v/lib/dnsmasq/lab.conf',
      pidFile: '/v/run/networks/lab.pid',
      leaseFile: '/v/lib/dnsmasq/lab.leases',
      hostsfile: '/v/lib/dnsmasq/lab.hostsfile',
      addnhosts: '/v/lib/dnsmasq/lab.addnhosts',
      logFile: '/v/lib/dnsmasq/lab.log',
    });
    const conf = p.dnsmasq?.files.conf.split('\n') ?? [];
    expect(conf.slice(6, 10)).toEqual([
      'strict-order',
      'no-resolv',
      'servers-file=/v/lib/dnsmasq/resolv.servers',
      'pid-file=/v/run/networks/lab.pid',
    ]);
    expect(conf).toContain('dhcp-leasefile=/v/lib/dnsmasq/lab.leases');
    // IPv4 only: bind-interfaces, so dnsmasq starts once the addresses are there.
    expect(conf).toContain('bind-interfaces');
    expect(conf).not.toContain('bind-dynamic');
    expect(p.dnsmasq?.startAfterAddresses).toBe(true);
    expect(conf.indexOf('dhcp-leasefile=/v/lib/dnsmasq/lab.leases')).toBe(conf.indexOf('dhcp-hostsfile=/v/lib/dnsmasq/lab.hostsfile') + 1);
  });

  it('the nft-zero checksum mode puts the bridge in the firewall set and leaves the offload alone; none does neither', () => {
    const zero = virtual(NAT, { ...OPTIONS, dhcpChecksum: 'nft-zero' });
    expect(zero.txChecksumOff).toBe(false);
    expect(JSON.stringify(zero.firewall?.apply)).toContain('{"element":{"family":"inet","table":"virtnet","name":"dhcp_csum","elem":["vbr7"]}}');
    const none = virtual(NAT, { ...OPTIONS, dhcpChecksum: 'none' });
    expect(none.txChecksumOff).toBe(false);
    expect(JSON.stringify(none.firewall?.apply)).not.toContain('"name":"dhcp_csum","elem"');
  });

  it("isolated: no forwarding, and dnsmasq keeps libvirt's no-resolv without a servers file (it forwards nothing)", () => {
    const p = virtual(
      `<network><name>iso</name><bridge name='vbr8'/><ip address='10.8.0.1' prefix='24'><dhcp><range start='10.8.0.2' end='10.8.0.9'/></dhcp></ip></network>`,
    );
    expect(p.forwarding).toEqual([]);
    expect(p.firewall?.chains).toEqual(['in_vbr8', 'out_vbr8']);
    const conf = p.dnsmasq?.files.conf ?? '';
    expect(conf).not.toContain('servers-file=');
    expect(conf.match(/^no-resolv$/gm)).toHaveLength(1);
  });

  it('a catch-all forwarder already means no-resolv: no servers file is added', () => {
    const p = virtual(
      `<network><name>fw</name><forward mode='nat'/><bridge name='vbr9'/><dns><forwarder addr='192.0.2.53'/></dns><ip address='10.9.0.1' prefix='24'/></network>`,
    );
    const conf = p.dnsmasq?.files.conf ?? '';
    expect(conf).toContain('server=192.0.2.53\nno-resolv\n');
    expect(conf).not.toContain('servers-file=');
    expect(conf).not.toContain('dhcp-leasefile='); // no DHCP, no lease file
  });

  it('open: no firewall at all; route with IPv6: both forwarding sysctls and IPv6 left on', () => {
    const open = virtual(`<network><name>o</name><forward mode='open'/><bridge name='vbr10'/><ip address='10.10.0.1' prefix='24'/></network>`);
    expect(open.firewall).toBeUndefined();
    const r = virtual(
      `<network><name>r</name><forward mode='route'/><bridge name='vbr11'/><ip address='10.11.0.1' prefix='24'/><ip family='ipv6' address='fd00:11::1' prefix='64'/></network>`,
    );
    expect(r.forwarding).toEqual([
      { key: 'net.ipv4.ip_forward', value: '1' },
      { key: 'net.ipv6.conf.all.forwarding', value: '1' },
    ]);
    expect(r.bridgeSysctls[0]).toEqual({ key: ['net', 'ipv6', 'conf', 'vbr11', 'disable_ipv6'], value: '0' });
    expect(r.ipv6Addresses).toEqual(['fd00:11::1']);
    // disable_ipv6=0 must come before the IPv6 address: a batch of its own after the sysctls.
    expect(r.createWithAddresses).toBe(false);
    // With IPv6, libvirt's bind-dynamic (it follows addresses out of DAD), and dnsmasq may start early.
    expect(r.dnsmasq?.files.conf).toContain('\nbind-dynamic\n');
    expect(r.dnsmasq?.startAfterAddresses).toBe(false);
  });

  it('DNS off and no DHCP: no dnsmasq', () => {
    const p = virtual(`<network><name>q</name><bridge name='vbr12'/><dns enable='no'/><ip address='10.12.0.1' prefix='24'/></network>`);
    expect(p.dnsmasq).toBeUndefined();
  });

  it("a virtual network without a bridge name fails with libvirt's text", () => {
    const def = parseNetworkXml(`<network><name>nob</name><forward mode='nat'/><ip address='10.13.0.1' prefix='24'/></network>`);
    expect(() => planNetwork(def, OPTIONS)).toThrow("internal error: network 'nob' has no bridge name defined");
  });
});

describe('planNetwork: other modes create nothing', () => {
  it('bridge mode with a name uses the host bridge; without one it is macvtap; private with a pf builds a pool', () => {
    expect(planNetwork(parseNetworkXml(`<network><name>b</name><forward mode='bridge'/><bridge name='br0'/></network>`), OPTIONS)).toEqual({
      kind: 'host-bridge',
      mode: 'bridge',
      bridge: 'br0',
      vlanFiltering: false,
    });
    expect(
      planNetwork(parseNetworkXml(`<network><name>m</name><forward mode='bridge'><interface dev='eth1'/></forward></network>`), OPTIONS),
    ).toEqual({
      kind: 'external',
      mode: 'bridge',
      pf: undefined,
    });
    expect(planNetwork(parseNetworkXml(`<network><name>p</name><forward mode='private'><pf dev='eth2'/></forward></network>`), OPTIONS)).toEqual({
      kind: 'external',
      mode: 'private',
      pf: 'eth2',
    });
  });
});

describe('findSubnetCollision', () => {
  const def = parseNetworkXml(NAT);
  const other = parseNetworkXml(`<network><name>other</name><bridge name='vbr3'/><ip address='192.168.0.1' prefix='16'/></network>`);

  it('refuses any overlap with another active network, naming its bridge', () => {
    const e = findSubnetCollision(def, [other], []);
    expect(e).toBeInstanceOf(VirError);
    expect(e?.message).toBe('internal error: Network is already in use by interface vbr3');
  });

  it('refuses overlap with a host route (libvirt only refuses an identical one), naming its device', () => {
    expect(findSubnetCollision(def, [], [route('192.168.70.128', 25, 'eth0')])?.message).toBe(
      'internal error: Network is already in use by interface eth0',
    );
    expect(findSubnetCollision(def, [], [route('192.168.70.0', 24, 'eth1')])?.message).toBe(
      'internal error: Network is already in use by interface eth1',
    );
  });

  it('ignores default routes, routes without a device, other tables and non-unicast routes, IPv6 and disjoint subnets', () => {
    const routes = [
      route('0.0.0.0', 0, 'eth0', { gateway: '192.0.2.1' }),
      route('192.168.70.0', 24, undefined, { type: 'blackhole' }),
      route('192.168.70.0', 24, 'eth3', { table: 'local' }),
      route('192.168.70.0', 24, 'eth4', { type: 'broadcast' }),
      route('192.168.71.0', 24, 'eth5'),
      { family: 'ipv6', dst: '::', prefix: 0, type: 'unicast', dev: 'eth0' } as RouteRecord,
    ];
    expect(
      findSubnetCollision(
        def,
        [parseNetworkXml(`<network><name>x</name><bridge name='vbr4'/><ip address='10.1.0.1' prefix='24'/></network>`)],
        routes,
      ),
    ).toBeUndefined();
  });

  it("checks static routes with libvirt's text, the address masked by its prefix", () => {
    const e = findSubnetCollision(def, [], [route('10.70.5.0', 24, 'eth9')]);
    expect(e?.message).toBe("internal error: Route address '10.70.0.0' conflicts with IP address for 'eth9'");
  });
});

describe('dnsmasq planner: runtime-only options', () => {
  const def = parseNetworkXml(NAT);
  it("without them the conf is libvirt's (no servers file, no lease file)", () => {
    const conf = planDnsmasq(def, { stateDir: '/s' }).conf;
    expect(conf).not.toMatch(/servers-file|dhcp-leasefile|no-resolv/);
  });
  it('with them, only the documented lines are added or changed', () => {
    const plain = planDnsmasq(def, { stateDir: '/s' }).conf.split('\n');
    const extended = planDnsmasq(def, { stateDir: '/s', serversFile: '/s/r', leaseFile: '/s/l', bindInterfaces: true }).conf.split('\n');
    expect(extended.filter((l) => !plain.includes(l))).toEqual(['no-resolv', 'servers-file=/s/r', 'bind-interfaces', 'dhcp-leasefile=/s/l']);
    expect(plain.filter((l) => !extended.includes(l))).toEqual(['bind-dynamic']);
  });
});

describe('resolv.conf to a servers file', () => {
  it('keeps nameserver lines in order, canonical, once; drops comments, zones and junk', () => {
    const text =
      '# generated\nsearch example.org\nnameserver 192.0.2.53 # main\nnameserver 2001:DB8::35\nnameserver fe80::1%eth0\nnameserver 192.0.2.53\n;nameserver 192.0.2.9\nnameserver bogus\noptions edns0\n';
    expect(parseResolvConf(text)).toEqual(['192.0.2.53', '2001:db8::35']);
    expect(serversFileText(parseResolvConf(text))).toBe('server=192.0.2.53\nserver=2001:db8::35\n');
    expect(serversFileText([])).toBe('');
  });
});
