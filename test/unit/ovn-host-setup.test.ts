/**
 * What ovn-host-setup plans: the kernel datapath when the module is there,
 * else the userspace one with its underlay bridge, arp_ignore and IPv6 off
 * on the NIC; ovn-controller's external_ids; the overlay MTU from the
 * underlay's (Geneve 58 bytes over IPv4, 78 over IPv6; VXLAN 50/70).
 */
import { describe, expect, it } from 'vitest';
import { encapOverhead, planHostSetup } from '../../src/ovn/host-setup.js';
import { thrownBy } from './support/vir-error.js';

const base = { encapIp: '192.0.2.11', remote: 'tcp:192.0.2.2:6642', systemId: 'h1' };

describe('planHostSetup', () => {
  it('keeps the kernel datapath when the module is loaded: no br-phy, nothing moved', () => {
    const plan = planHostSetup(base, { kernelDatapath: true, underlayMtu: 1500 });
    expect(plan.datapath).toBe('system');
    expect(plan.bridges.map((b) => [b.name, b.datapathType])).toEqual([['br-int', 'system']]);
    expect(plan.underlayAddress).toBeUndefined();
    expect(plan.sysctls).toEqual([]);
    expect(plan.externalIds).toEqual({
      'system-id': 'h1',
      hostname: 'h1',
      'ovn-remote': 'tcp:192.0.2.2:6642',
      'ovn-encap-type': 'geneve',
      'ovn-encap-ip': '192.0.2.11',
      'ovn-bridge': 'br-int',
      'ovn-bridge-datapath-type': 'system',
      'virtnet-overlay-mtu': '1442',
    });
  });

  it('uses the userspace datapath without it, with every workaround it needs', () => {
    const plan = planHostSetup(
      { ...base, underlayNic: 'eth0', bridgeMappings: [{ physnet: 'uplink', bridge: 'br-ext', nic: 'ext0' }] },
      { kernelDatapath: false, underlayMtu: 9000 },
    );
    expect(plan.datapath).toBe('netdev');
    expect(plan.bridges.map((b) => [b.name, b.datapathType])).toEqual([
      ['br-int', 'netdev'],
      ['br-phy', 'netdev'],
      ['br-ext', 'netdev'],
    ]);
    expect(plan.ports).toEqual([
      { bridge: 'br-phy', port: { name: 'eth0' } },
      { bridge: 'br-ext', port: { name: 'ext0' } },
    ]);
    expect(plan.underlayAddress).toEqual({ dev: 'br-phy', address: '192.0.2.11', prefix: 24 });
    expect(plan.sysctls.map((s) => [(s.key as string[]).join('.'), s.value])).toEqual([
      ['net.ipv4.conf.eth0.arp_ignore', '1'],
      ['net.ipv6.conf.eth0.disable_ipv6', '1'],
      ['net.ipv6.conf.ext0.disable_ipv6', '1'],
    ]);
    expect(plan.externalIds['ovn-bridge-mappings']).toBe('uplink:br-ext');
    expect(plan.overlayMtu).toBe(8942);
  });

  it('needs the underlay NIC for the userspace datapath, and refuses what is not an address or a remote', () => {
    expect(thrownBy(() => planHostSetup(base, { kernelDatapath: false, underlayMtu: 1500 })).message).toMatch(
      /^invalid argument: the userspace datapath needs the underlay NIC/,
    );
    expect(thrownBy(() => planHostSetup({ ...base, encapIp: 'h1' }, { kernelDatapath: true, underlayMtu: 1500 })).message).toBe(
      "invalid argument: invalid encapsulation address 'h1'",
    );
    expect(thrownBy(() => planHostSetup({ ...base, remote: '192.0.2.2' }, { kernelDatapath: true, underlayMtu: 1500 })).message).toMatch(
      /^invalid argument: invalid OVN remote/,
    );
  });

  it('computes the overlay MTU as Incus does', () => {
    expect(1500 - encapOverhead('geneve', 'ipv4')).toBe(1442);
    expect(1500 - encapOverhead('geneve', 'ipv6')).toBe(1422);
    expect(1500 - encapOverhead('vxlan', 'ipv4')).toBe(1450);
    expect(1500 - encapOverhead('vxlan', 'ipv6')).toBe(1430);
  });
});
