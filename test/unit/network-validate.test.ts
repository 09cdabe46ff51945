import { describe, expect, it } from 'vitest';
import type { IpDef, NetworkDef, PciAddress, PortGroupDef } from '../../src/conf/network/types.js';
import { checkNetworkConfig, pciSysfsPath, validateNetworkForDefine, type ValidateFacts } from '../../src/conf/network/validate.js';
import type { VirError } from '../../src/util/errors.js';
import { minimalDnsDef, minimalNetworkDef as net } from './support/network-def.js';
import { implemented } from './support/implemented.js';
import { thrownBy } from './support/vir-error.js';
import { parseNetworkXml } from '../../src/conf/network/parse.js';

function ip(address: string, prefix: number, dhcp: Partial<IpDef> = {}): IpDef {
  return { address, prefix, dhcp: false, ranges: [], hosts: [], ...dhcp };
}

const pci: PciAddress = { domain: 0, bus: 3, slot: 0, function: 1 };
const allVfs: ValidateFacts = { isSriovVirtualFunction: () => true };
const noVfs: ValidateFacts = { isSriovVirtualFunction: () => false };

function validate(def: NetworkDef, facts: ValidateFacts = allVfs): VirError {
  return thrownBy(() => validateNetworkForDefine(def, facts));
}

describe('validateNetworkForDefine: name', () => {
  it('rejects a newline in the name', () => {
    const e = validate(net({ name: 'a\nb' }));
    expect(e.errorClass).toBe('XML_DETAIL');
    expect(e.message).toBe('invalid char in name: \n');
  });
});

describe('validateNetworkForDefine: elements only libvirt-built networks may carry', () => {
  const bridged = (over: Partial<NetworkDef>): NetworkDef => net({ bridge: { name: 'br0', stp: true, delay: 0 }, ...over }, 'bridge');

  it('rejects <mac>', () => {
    const e = validate(bridged({ mac: '52:54:00:11:22:33' }));
    expect(e.errorClass).toBe('CONFIG_UNSUPPORTED');
    expect(e.message).toBe("unsupported configuration: Unsupported <mac> element in network n1 with forward mode='bridge'");
  });
  it('rejects <ip>', () => {
    const e = validate(net({ ips: [ip('10.0.0.1', 24)] }, 'passthrough'));
    expect(e.message).toBe("unsupported configuration: Unsupported <ip> element in network n1 with forward mode='passthrough'");
  });
  it('rejects DNS records (txt, host, srv)', () => {
    const dns = minimalDnsDef();
    const msg = "unsupported configuration: Unsupported <dns> element in network n1 with forward mode='vepa'";
    expect(validate(net({ dns: { ...dns, txts: [{ name: 'a', value: 'b' }] } }, 'vepa')).message).toBe(msg);
    expect(validate(net({ dns: { ...dns, hosts: [{ ip: '10.0.0.2', hostnames: ['h'] }] } }, 'vepa')).message).toBe(msg);
    expect(validate(net({ dns: { ...dns, srvs: [{ service: 'x', protocol: 'tcp' }] } }, 'vepa')).message).toBe(msg);
  });
  it('accepts DNS settings that are not records', () => {
    expect(() => validateNetworkForDefine(net({ dns: minimalDnsDef({ enable: false }) }, 'vepa'))).not.toThrow();
  });
  it('rejects <domain>', () => {
    const e = validate(net({ domain: { name: 'example.com' } }, 'private'));
    expect(e.message).toBe("unsupported configuration: Unsupported <domain> element in network n1 with forward mode='private'");
  });
  it('checks <mac> before <ip>, <dns> and <domain>', () => {
    const e = validate(net({ mac: '52:54:00:11:22:33', ips: [ip('10.0.0.1', 24)], domain: { name: 'x' } }, 'hostdev'));
    expect(e.message).toBe("unsupported configuration: Unsupported <mac> element in network n1 with forward mode='hostdev'");
  });
  it('lets none/nat/route/open carry all of them', () => {
    for (const mode of ['none', 'nat', 'route', 'open'] as const) {
      const def = net({ mac: '52:54:00:11:22:33', ips: [ip('10.0.0.1', 24)], domain: { name: 'x' }, bandwidth: { inbound: { average: 100 } } }, mode);
      expect(() => validateNetworkForDefine(def)).not.toThrow();
    }
  });
});

describe('validateNetworkForDefine: network-wide bandwidth', () => {
  const bw = { inbound: { average: 100 } };
  it('rejects it for private/vepa/passthrough/hostdev', () => {
    const e = validate(net({ bandwidth: bw, forward: { mode: 'private', interfaces: [{ type: 'netdev', dev: 'eth0', connections: 0 }] } }));
    expect(e.errorClass).toBe('CONFIG_UNSUPPORTED');
    expect(e.message).toBe("unsupported configuration: Unsupported network-wide <bandwidth> element in network n1 with forward mode='private'");
  });
  it('rejects it for bridge mode without a bridge name (macvtap)', () => {
    const def = net({ bandwidth: bw, forward: { mode: 'bridge', interfaces: [{ type: 'netdev', dev: 'eth0', connections: 0 }] } });
    expect(validate(def).message).toBe(
      "unsupported configuration: Unsupported network-wide <bandwidth> element in network n1 with forward mode='bridge'",
    );
  });
  it('accepts it for bridge mode with a bridge name', () => {
    expect(() => validateNetworkForDefine(net({ bandwidth: bw, bridge: { name: 'br0', stp: true, delay: 0 } }, 'bridge'))).not.toThrow();
  });
  it('ignores a <bandwidth> with neither inbound nor outbound, as libvirt drops it', () => {
    expect(() => validateNetworkForDefine(net({ bandwidth: {} }, 'vepa'))).not.toThrow();
  });
});

describe('validateNetworkForDefine: forward device pool', () => {
  it('rejects a netdev in a hostdev pool', () => {
    const def = net({ forward: { mode: 'hostdev', interfaces: [{ type: 'netdev', dev: 'eth1', connections: 0 }] } });
    const e = validate(def);
    expect(e.errorClass).toBe('CONFIG_UNSUPPORTED');
    expect(e.message).toBe(
      "unsupported configuration: hostdev network 'n1' lists 'eth1' in the device pool, but hostdev networks require all devices to be listed by PCI address, not network device name",
    );
  });
  it('rejects a PCI address outside hostdev mode', () => {
    const def = net({ forward: { mode: 'passthrough', interfaces: [{ type: 'pci', address: pci, connections: 0 }] } });
    expect(validate(def).message).toBe(
      "unsupported configuration: network 'n1' has forward mode 'passthrough' but lists a device by PCI address in the device pool. This is only supported for networks with forward mode 'hostdev'",
    );
  });
  it('rejects a hostdev PCI device that is not an SR-IOV virtual function', () => {
    const def = net({ forward: { mode: 'hostdev', interfaces: [{ type: 'pci', address: pci, connections: 0 }] } });
    expect(validate(def, noVfs).message).toBe(
      "unsupported configuration: device '/sys/bus/pci/devices/0000:03:00.1' in network 'n1' is not an SR-IOV Virtual Function",
    );
    expect(() => validateNetworkForDefine(def, allVfs)).not.toThrow();
  });
  it('asks the facts about the exact address', () => {
    const seen: PciAddress[] = [];
    const a: PciAddress = { domain: 0x1f, bus: 0xab, slot: 0x1c, function: 7 };
    const def = net({ forward: { mode: 'hostdev', interfaces: [{ type: 'pci', address: a, connections: 0 }] } });
    validateNetworkForDefine(def, {
      isSriovVirtualFunction: (x) => {
        seen.push(x);
        return true;
      },
    });
    expect(seen).toEqual([a]);
    expect(pciSysfsPath(a)).toBe('/sys/bus/pci/devices/001f:ab:1c.7');
  });
  it('rejects mixing <pf>, <interface> and <address>', () => {
    const msg = 'unsupported configuration: <address>, <interface>, and <pf> elements of <forward> in network n1 are mutually exclusive';
    const pfAndIf = net({ forward: { mode: 'passthrough', pf: 'eth0', interfaces: [{ type: 'netdev', dev: 'eth1', connections: 0 }] } });
    expect(validate(pfAndIf).message).toBe(msg);
    const pfAndAddr = net({ forward: { mode: 'hostdev', pf: 'eth0', interfaces: [{ type: 'pci', address: pci, connections: 0 }] } });
    expect(validate(pfAndAddr).message).toBe(msg);
  });
  it('accepts a pool of one kind', () => {
    const ifs = net({
      forward: {
        mode: 'passthrough',
        interfaces: [
          { type: 'netdev', dev: 'eth1', connections: 0 },
          { type: 'netdev', dev: 'eth2', connections: 0 },
        ],
      },
    });
    expect(() => validateNetworkForDefine(ifs)).not.toThrow();
    expect(() => validateNetworkForDefine(net({ forward: { mode: 'hostdev', pf: 'eth0', interfaces: [] } }))).not.toThrow();
  });
});

describe('validateNetworkForDefine: DHCP sections', () => {
  const range4 = (n: number) => ({ ranges: [{ start: `10.0.${n}.2`, end: `10.0.${n}.9` }], dhcp: true });
  it('rejects two IPv4 <ip> with DHCP ranges', () => {
    const e = validate(net({ ips: [ip('10.0.0.1', 24, range4(0)), ip('10.0.1.1', 24, range4(1))] }));
    expect(e.errorClass).toBe('CONFIG_UNSUPPORTED');
    expect(e.message).toBe(
      'unsupported configuration: Multiple IPv4 dhcp sections found -- dhcp is supported only for a single IPv4 address on each network',
    );
  });
  it('counts static hosts as DHCP', () => {
    const hosts = { dhcp: true, hosts: [{ mac: '52:54:00:00:00:01', ip: '10.0.1.5' }] };
    const e = validate(net({ ips: [ip('10.0.0.1', 24, range4(0)), ip('10.0.1.1', 24, hosts)] }));
    expect(e.message).toContain('Multiple IPv4 dhcp sections found');
  });
  it('rejects two IPv6 <ip> with DHCP', () => {
    const r6 = (p: string) => ({ dhcp: true, ranges: [{ start: `${p}::2`, end: `${p}::9` }] });
    const e = validate(net({ ips: [ip('fd00::1', 64, r6('fd00')), ip('fd01::1', 64, r6('fd01'))] }));
    expect(e.message).toBe(
      'unsupported configuration: Multiple IPv6 dhcp sections found -- dhcp is supported only for a single IPv6 address on each network',
    );
  });
  it('accepts one IPv4 and one IPv6 DHCP, and an empty <dhcp/> beside a real one', () => {
    const r6 = { dhcp: true, ranges: [{ start: 'fd00::2', end: 'fd00::9' }] };
    expect(() => validateNetworkForDefine(net({ ips: [ip('10.0.0.1', 24, range4(0)), ip('fd00::1', 64, r6)] }))).not.toThrow();
    expect(() => validateNetworkForDefine(net({ ips: [ip('10.0.0.1', 24, range4(0)), ip('10.0.1.1', 24, { dhcp: true })] }))).not.toThrow();
  });
});

describe('validateNetworkForDefine: vlan tags', () => {
  const vlan = { tags: [{ id: 4 }] };
  const msg = "unsupported configuration: <vlan> element specified for network n1, whose type doesn't support vlan configuration";
  it('rejects a network-wide vlan on a libvirt-built network', () => {
    const e = validate(net({ vlan }, 'nat'));
    expect(e.errorClass).toBe('CONFIG_UNSUPPORTED');
    expect(e.message).toBe(msg);
  });
  it('rejects a vlan on private/vepa and on a bridge with a non-openvswitch virtualport', () => {
    expect(validate(net({ vlan, forward: { mode: 'vepa', interfaces: [{ type: 'netdev', dev: 'eth0', connections: 0 }] } })).message).toBe(msg);
    expect(validate(net({ vlan, bridge: { name: 'br0', stp: true, delay: 0 }, virtualPort: { type: '802.1Qbh' } }, 'bridge')).message).toBe(msg);
  });
  it('accepts a vlan for hostdev, passthrough and bridge (plain or openvswitch)', () => {
    expect(() => validateNetworkForDefine(net({ vlan, forward: { mode: 'hostdev', pf: 'eth0', interfaces: [] } }))).not.toThrow();
    expect(() => validateNetworkForDefine(net({ vlan, forward: { mode: 'passthrough', pf: 'eth0', interfaces: [] } }))).not.toThrow();
    expect(() => validateNetworkForDefine(net({ vlan, bridge: { name: 'br0', stp: true, delay: 0 } }, 'bridge'))).not.toThrow();
    const ovs = net({ vlan, bridge: { name: 'ovsbr', stp: true, delay: 0 }, virtualPort: { type: 'openvswitch' } }, 'bridge');
    expect(() => validateNetworkForDefine(ovs)).not.toThrow();
  });
  it('rejects a portgroup vlan on a network that cannot carry it', () => {
    const pg: PortGroupDef = { name: 'a', vlan };
    expect(validate(net({ portGroups: [pg] }, 'route')).message).toBe(msg);
  });
  it('rejects a portgroup vlan whose own virtualport is not openvswitch on a bridge', () => {
    const pg: PortGroupDef = { name: 'a', vlan, virtualPort: { type: '802.1Qbg' } };
    const def = net({ bridge: { name: 'br0', stp: true, delay: 0 }, portGroups: [pg] }, 'bridge');
    expect(validate(def).message).toBe(msg);
    const ovs = { ...pg, virtualPort: { type: 'openvswitch' as const } };
    expect(() => validateNetworkForDefine({ ...def, portGroups: [ovs] })).not.toThrow();
  });
  it('lets a network-wide vlan stand when a default portgroup supplies an openvswitch virtualport', () => {
    const pg: PortGroupDef = { name: 'a', isDefault: true, virtualPort: { type: 'openvswitch' } };
    const def = net({ vlan, bridge: { name: 'br0', stp: true, delay: 0 }, virtualPort: { type: '802.1Qbh' }, portGroups: [pg] }, 'bridge');
    expect(() => validateNetworkForDefine(def)).not.toThrow();
    expect(validate({ ...def, portGroups: [{ ...pg, isDefault: false }] }).message).toBe(msg);
  });
});

describe('validateNetworkForDefine: portgroups', () => {
  const br = { bridge: { name: 'br0', stp: true, delay: 0 } };
  it('rejects two default portgroups', () => {
    const e = validate(
      net(
        {
          ...br,
          portGroups: [
            { name: 'a', isDefault: true },
            { name: 'b', isDefault: true },
          ],
        },
        'bridge',
      ),
    );
    expect(e.errorClass).toBe('CONFIG_UNSUPPORTED');
    expect(e.message).toBe(
      "unsupported configuration: network 'n1' has multiple default <portgroup> elements (a and b), but only one default is allowed",
    );
  });
  it('rejects two portgroups with the same name', () => {
    const e = validate(net({ ...br, portGroups: [{ name: 'a' }, { name: 'b' }, { name: 'a' }] }, 'bridge'));
    expect(e.message).toBe("unsupported configuration: multiple <portgroup> elements with the same name (a) in network 'n1'");
  });
  it('rejects portgroup bandwidth where the network allows none', () => {
    const pg: PortGroupDef = { name: 'a', bandwidth: { outbound: { average: 10 } } };
    const e = validate(net({ portGroups: [pg], forward: { mode: 'hostdev', pf: 'eth0', interfaces: [] } }));
    expect(e.message).toBe("unsupported configuration: Unsupported <bandwidth> element in network 'n1' in portgroup 'a' with forward mode='hostdev'");
    expect(() => validateNetworkForDefine(net({ portGroups: [pg] }, 'nat'))).not.toThrow();
  });
});

describe('checkNetworkConfig', () => {
  it('is the validation without the name check', () => {
    expect(() => checkNetworkConfig(net({ name: 'a\nb' }))).not.toThrow();
    expect(thrownBy(() => checkNetworkConfig(net({ ips: [ip('10.0.0.1', 24)] }, 'vepa'))).message).toContain('Unsupported <ip>');
  });
});

/** The same checks on definitions read by the parser, once it is implemented. */
const ready = implemented(() => parseNetworkXml('<network><name>probe</name></network>'));
if (!ready) console.warn('network-validate: parseNetworkXml not implemented yet, parsed cases skipped');

describe.skipIf(!ready)('validateNetworkForDefine on parsed XML (texts confirmed against libvirt 9.0 where it agrees with 11.3)', () => {
  const check = (xml: string, facts: ValidateFacts = allVfs): VirError => validate(parseNetworkXml(xml), facts);
  const ok = (xml: string): void => validateNetworkForDefine(parseNetworkXml(xml), allVfs);

  it('a newline in <name>', () => {
    expect(check('<network><name>a\nb</name></network>').message).toBe('invalid char in name: \n');
  });
  it('<dns> records on a bridge network', () => {
    expect(check("<network><name>vt1</name><forward mode='bridge'/><bridge name='br0'/><dns><txt name='a' value='b'/></dns></network>").message).toBe(
      "unsupported configuration: Unsupported <dns> element in network vt1 with forward mode='bridge'",
    );
  });
  it('a PCI address in a passthrough pool (libvirt 9.0 prints two spaces before "but"; 11.3 one)', () => {
    expect(
      check("<network><name>vt1</name><forward mode='passthrough'><address type='pci' domain='0' bus='3' slot='0' function='1'/></forward></network>")
        .message,
    ).toBe(
      "unsupported configuration: network 'vt1' has forward mode 'passthrough' but lists a device by PCI address in the device pool. This is only supported for networks with forward mode 'hostdev'",
    );
  });
  it('a hostdev address that is not a VF', () => {
    expect(
      check(
        "<network><name>vt1</name><forward mode='hostdev'><address type='pci' domain='0' bus='3' slot='0' function='1'/></forward></network>",
        noVfs,
      ).message,
    ).toBe("unsupported configuration: device '/sys/bus/pci/devices/0000:03:00.1' in network 'vt1' is not an SR-IOV Virtual Function");
  });
  it('two IPv4 DHCP sections, but not a range beside an empty <dhcp/>', () => {
    const two =
      "<ip address='10.0.0.1' prefix='24'><dhcp><range start='10.0.0.2' end='10.0.0.9'/></dhcp></ip><ip address='10.0.1.1' prefix='24'><dhcp><range start='10.0.1.2' end='10.0.1.9'/></dhcp></ip>";
    expect(check(`<network><name>vt1</name>${two}</network>`).message).toBe(
      'unsupported configuration: Multiple IPv4 dhcp sections found -- dhcp is supported only for a single IPv4 address on each network',
    );
    ok(
      "<network><name>vt1</name><ip address='10.0.0.1' prefix='24'><dhcp><range start='10.0.0.2' end='10.0.0.9'/></dhcp></ip><ip address='10.0.1.1' prefix='24'><dhcp/></ip></network>",
    );
  });
  it('a vlan on an isolated network; accepted on passthrough', () => {
    expect(check("<network><name>vt1</name><vlan><tag id='4'/></vlan></network>").message).toBe(
      "unsupported configuration: <vlan> element specified for network vt1, whose type doesn't support vlan configuration",
    );
    ok("<network><name>vt1</name><forward mode='passthrough' dev='eth0'/><vlan><tag id='4'/></vlan></network>");
  });
  it('two default portgroups; portgroup bandwidth on a private network', () => {
    expect(
      check(
        "<network><name>vt1</name><forward mode='bridge'/><bridge name='br0'/><portgroup name='a' default='yes'/><portgroup name='b' default='yes'/></network>",
      ).message,
    ).toBe("unsupported configuration: network 'vt1' has multiple default <portgroup> elements (a and b), but only one default is allowed");
    expect(
      check(
        "<network><name>vt1</name><forward mode='private' dev='eth0'/><portgroup name='a'><bandwidth><inbound average='10'/></bandwidth></portgroup></network>",
      ).message,
    ).toBe("unsupported configuration: Unsupported <bandwidth> element in network 'vt1' in portgroup 'a' with forward mode='private'");
  });
});
