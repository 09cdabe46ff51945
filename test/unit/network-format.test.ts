/**
 * The network formatter against libvirt's rules, with our own fixtures
 * built by hand (the corpus round trips live in test/conformance).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ParseOption, XmlDocument, XmlElement } from 'libxml2-wasm';
import { formatNetworkXml } from '../../src/conf/network/format.js';
import { parseNetworkXml } from '../../src/conf/network/parse.js';
import { formatMetadataBlock, reindentDump } from '../../src/conf/common/format-metadata.js';
import { cInt, cLong, cUInt, cULongLong } from '../../src/conf/network/format-numbers.js';
import type { NetworkDef } from '../../src/conf/network/types.js';
import { minimalDnsDef, minimalNetworkDef } from './support/network-def.js';

const UUID = '0c6f1a5e-3b7d-4f42-9d1e-5a2b8c7d6e10';

/** A minimal isolated network; tests override what they exercise. */
const net = (over: Partial<NetworkDef> = {}): NetworkDef => minimalNetworkDef({ name: 'lab', uuid: UUID, ...over });

/** Lines joined with newlines, plus the final newline libvirt writes. */
const xml = (...lines: string[]): string => `${lines.join('\n')}\n`;

/** The whole document of network `lab` opened by `open`: its name and uuid, then `body`. */
const labXmlOpenedBy = (open: string, ...body: string[]): string => xml(open, '  <name>lab</name>', `  <uuid>${UUID}</uuid>`, ...body, '</network>');
const labXml = (...body: string[]): string => labXmlOpenedBy('<network>', ...body);

describe('formatNetworkXml: layout and order', () => {
  it('writes a NAT network with every common element in libvirt order', () => {
    const def = net({
      name: 'office',
      title: 'Office LAN',
      description: 'guests of the office',
      forward: { mode: 'nat', interfaces: [{ type: 'netdev', dev: 'enp3s0', connections: 0 }] },
      bridge: { name: 'virbr7', stp: false, delay: 3 },
      mtu: 9000,
      mac: '52:54:00:AB:01:02',
      domain: { name: 'office.test', localOnly: true },
      dns: {
        forwarders: [{ addr: '9.9.9.9' }],
        txts: [{ name: 'info', value: 'hello' }],
        srvs: [],
        hosts: [{ ip: '10.7.0.5', hostnames: ['printer', 'scanner'] }],
      },
      ips: [
        {
          address: '10.7.0.1',
          prefix: 24,
          dhcp: true,
          ranges: [{ start: '10.7.0.100', end: '10.7.0.199' }],
          hosts: [{ mac: '52:54:00:00:00:01', name: 'desk', ip: '10.7.0.10' }],
        },
        { family: 'ipv6', address: 'fd00:7::1', prefix: 64, dhcp: false, ranges: [], hosts: [] },
      ],
      routes: [{ address: '10.8.0.0', prefix: 16, gateway: '10.7.0.2' }],
    });
    expect(formatNetworkXml(def)).toBe(
      xml(
        '<network>',
        '  <name>office</name>',
        `  <uuid>${UUID}</uuid>`,
        '  <title>Office LAN</title>',
        '  <description>guests of the office</description>',
        "  <forward dev='enp3s0' mode='nat'>",
        "    <interface dev='enp3s0'/>",
        '  </forward>',
        "  <bridge name='virbr7' stp='off' delay='3'/>",
        "  <mtu size='9000'/>",
        "  <mac address='52:54:00:ab:01:02'/>",
        "  <domain name='office.test' localOnly='yes'/>",
        '  <dns>',
        "    <forwarder addr='9.9.9.9'/>",
        "    <txt name='info' value='hello'/>",
        "    <host ip='10.7.0.5'>",
        '      <hostname>printer</hostname>',
        '      <hostname>scanner</hostname>',
        '    </host>',
        '  </dns>',
        "  <ip address='10.7.0.1' prefix='24'>",
        '    <dhcp>',
        "      <range start='10.7.0.100' end='10.7.0.199'/>",
        "      <host mac='52:54:00:00:00:01' name='desk' ip='10.7.0.10'/>",
        '    </dhcp>',
        '  </ip>',
        "  <ip family='ipv6' address='fd00:7::1' prefix='64'>",
        '  </ip>',
        "  <route address='10.8.0.0' prefix='16' gateway='10.7.0.2'/>",
        '</network>',
      ),
    );
  });

  it('writes an isolated network with a bare bridge (stp on, delay 0) and an empty ip as a pair', () => {
    const def = net({ ips: [{ address: '192.0.2.1', netmask: '255.255.255.0', dhcp: true, ranges: [], hosts: [] }] });
    expect(formatNetworkXml(def)).toBe(labXml("  <bridge stp='on' delay='0'/>", "  <ip address='192.0.2.1' netmask='255.255.255.0'>", '  </ip>'));
  });

  it('drops <dhcp> that holds only <bootp>, as libvirt does', () => {
    const def = net({
      ips: [{ address: '192.0.2.1', prefix: 24, dhcp: true, ranges: [], hosts: [], bootp: { file: 'pxe.0' } }],
    });
    expect(formatNetworkXml(def)).not.toContain('dhcp');
    expect(formatNetworkXml(def)).not.toContain('bootp');
  });

  it('writes tftp, bootp with server, localPtr and leases', () => {
    const def = net({
      forward: { mode: 'route', interfaces: [] },
      ips: [
        {
          family: 'ipv4',
          address: '192.0.2.1',
          prefix: 24,
          localPtr: false,
          tftpRoot: '/srv/tftp',
          dhcp: true,
          ranges: [
            { start: '192.0.2.10', end: '192.0.2.20', lease: { expiry: 0 } },
            { start: '192.0.2.30', end: '192.0.2.40', lease: { expiry: 90 } },
          ],
          hosts: [{ mac: '52:54:00:00:00:02', ip: '192.0.2.50', lease: { expiry: 2, unit: 'hours' } }],
          bootp: { file: 'pxelinux.0', server: '192.0.2.2' },
        },
      ],
    });
    expect(formatNetworkXml(def)).toBe(
      labXml(
        "  <forward mode='route'/>",
        "  <bridge stp='on' delay='0'/>",
        "  <ip family='ipv4' address='192.0.2.1' prefix='24' localPtr='no'>",
        "    <tftp root='/srv/tftp'/>",
        '    <dhcp>',
        "      <range start='192.0.2.10' end='192.0.2.20'>",
        "        <lease expiry='0'/>",
        '      </range>',
        "      <range start='192.0.2.30' end='192.0.2.40'>",
        "        <lease expiry='90' unit='minutes'/>",
        '      </range>',
        "      <host mac='52:54:00:00:00:02' ip='192.0.2.50'>",
        "        <lease expiry='2' unit='hours'/>",
        '      </host>',
        "      <bootp file='pxelinux.0' server='192.0.2.2'/>",
        '    </dhcp>',
        '  </ip>',
      ),
    );
  });

  it('writes network attributes in order: xmlns:dnsmasq, connections, ipv6, trustGuestRxFilters', () => {
    const def = net({ connections: 4, ipv6: true, trustGuestRxFilters: false, dnsmasqOptions: ['log-queries'] });
    const text = formatNetworkXml(def);
    expect(text.split('\n')[0]).toBe(
      "<network xmlns:dnsmasq='http://libvirt.org/schemas/network/dnsmasq/1.0' connections='4' ipv6='yes' trustGuestRxFilters='no'>",
    );
    expect(text).toContain(xml('  <dnsmasq:options>', "    <dnsmasq:option value='log-queries'/>", '  </dnsmasq:options>', '</network>'));
  });

  it('leaves out ipv6 when it is "no" (libvirt only writes ipv6=\'yes\')', () => {
    expect(formatNetworkXml(net({ ipv6: false })).split('\n')[0]).toBe('<network>');
  });

  it('writes a bridge-mode network without stp/delay and with a short <forward/>', () => {
    const def = net({
      forward: { mode: 'bridge', interfaces: [] },
      bridge: { name: 'br0', stp: true, delay: 0, macTableManager: 'libvirt' },
      portIsolated: true,
    });
    expect(formatNetworkXml(def)).toBe(
      labXml("  <forward mode='bridge'/>", "  <bridge name='br0' macTableManager='libvirt'/>", "  <port isolated='yes'/>"),
    );
  });

  it('writes no <bridge> for a direct mode without a name', () => {
    const def = net({ forward: { mode: 'vepa', interfaces: [{ type: 'netdev', dev: 'eth5', connections: 0 }] } });
    expect(formatNetworkXml(def)).not.toContain('<bridge');
  });

  it('writes bridge zone after the name', () => {
    const def = net({ bridge: { name: 'virbr9', zone: 'trusted', stp: true, delay: 0 } });
    expect(formatNetworkXml(def)).toContain("  <bridge name='virbr9' zone='trusted' stp='on' delay='0'/>\n");
  });
});

describe('formatNetworkXml: forward pools, live and inactive', () => {
  const hostdev = (): NetworkDef =>
    net({
      connections: 2,
      forward: {
        mode: 'hostdev',
        managed: true,
        driverName: 'vfio',
        driverModel: 'vfio-pci-x',
        pf: 'enp9s0',
        interfaces: [
          { type: 'pci', address: { domain: 0, bus: 0x1a, slot: 0x10, function: 3 }, connections: 1 },
          { type: 'pci', address: { domain: 0x10, bus: 2, slot: 0x1f, function: 7 }, connections: 0 },
        ],
      },
    });

  /** What hostdev() writes live and inactive alike: the forward mode, its driver and its pf. */
  const hostdevForwardHead = ["  <forward mode='hostdev' managed='yes'>", "    <driver name='vfio' model='vfio-pci-x'/>", "    <pf dev='enp9s0'/>"];

  it('live: driver, pf, then the PCI pool (function in decimal)', () => {
    expect(formatNetworkXml(hostdev())).toBe(
      labXmlOpenedBy(
        "<network connections='2'>",
        ...hostdevForwardHead,
        "    <address type='pci' domain='0x0000' bus='0x1a' slot='0x10' function='0x3'/>",
        "    <address type='pci' domain='0x0010' bus='0x02' slot='0x1f' function='0x7'/>",
        '  </forward>',
      ),
    );
  });

  it('inactive: no connections and no pool under a pf', () => {
    expect(formatNetworkXml(hostdev(), { inactive: true })).toBe(labXml(...hostdevForwardHead, '  </forward>'));
  });

  it("writes managed='no' for hostdev when unset", () => {
    const def = net({ forward: { mode: 'hostdev', interfaces: [] } });
    expect(formatNetworkXml(def)).toContain("  <forward mode='hostdev' managed='no'/>\n");
  });

  const passthrough = (pf?: string): NetworkDef =>
    net({
      forward: {
        mode: 'passthrough',
        ...(pf !== undefined ? { pf } : {}),
        interfaces: [
          { type: 'netdev', dev: 'eth10', connections: 3 },
          { type: 'netdev', dev: 'eth11', connections: 0 },
        ],
      },
    });

  it('live: dev= from the first interface and connections on the interfaces', () => {
    expect(formatNetworkXml(passthrough())).toContain(
      xml(
        "  <forward dev='eth10' mode='passthrough'>",
        "    <interface dev='eth10' connections='3'/>",
        "    <interface dev='eth11'/>",
        '  </forward>',
      ),
    );
  });

  it('inactive without a pf: the pool stays, the connections go', () => {
    expect(formatNetworkXml(passthrough(), { inactive: true })).toContain(
      xml("  <forward dev='eth10' mode='passthrough'>", "    <interface dev='eth10'/>", "    <interface dev='eth11'/>", '  </forward>'),
    );
  });

  it('with a pf: no dev= attribute; the pool shows only when live', () => {
    expect(formatNetworkXml(passthrough('eth1'))).toContain(
      xml(
        "  <forward mode='passthrough'>",
        "    <pf dev='eth1'/>",
        "    <interface dev='eth10' connections='3'/>",
        "    <interface dev='eth11'/>",
        '  </forward>',
      ),
    );
    expect(formatNetworkXml(passthrough('eth1'), { inactive: true })).toContain(
      xml("  <forward mode='passthrough'>", "    <pf dev='eth1'/>", '  </forward>'),
    );
  });

  it('writes <nat> before the interfaces, with address and port ranges', () => {
    const def = net({
      forward: {
        mode: 'nat',
        interfaces: [{ type: 'netdev', dev: 'wan0', connections: 0 }],
        nat: { addressStart: '198.51.100.10', addressEnd: '198.51.100.20', portStart: 2000, portEnd: 3000, ipv6: true },
      },
    });
    expect(formatNetworkXml(def)).toContain(
      xml(
        "  <forward dev='wan0' mode='nat'>",
        "    <nat ipv6='yes'>",
        "      <address start='198.51.100.10' end='198.51.100.20'/>",
        "      <port start='2000' end='3000'/>",
        '    </nat>',
        "    <interface dev='wan0'/>",
        '  </forward>',
      ),
    );
  });

  it('writes <nat ipv6/> alone, and leaves out an empty <nat>', () => {
    const withIpv6 = net({ forward: { mode: 'nat', interfaces: [], nat: { portStart: 0, portEnd: 0, ipv6: false } } });
    expect(formatNetworkXml(withIpv6)).toContain(xml("  <forward mode='nat'>", "    <nat ipv6='no'/>", '  </forward>'));
    const empty = net({ forward: { mode: 'nat', interfaces: [], nat: { portStart: 0, portEnd: 0 } } });
    expect(formatNetworkXml(empty)).toContain("  <forward mode='nat'/>\n");
  });

  it('writes a port start without end, and an address only when it has a start', () => {
    const def = net({
      forward: { mode: 'nat', interfaces: [], nat: { addressEnd: '198.51.100.9', portStart: 1024, portEnd: 0 } },
    });
    expect(formatNetworkXml(def)).toContain(xml("  <forward mode='nat'>", '    <nat>', "      <port start='1024'/>", '    </nat>', '  </forward>'));
  });
});

describe('formatNetworkXml: dns', () => {
  const dnsNet = (dns: Partial<NetworkDef['dns']>): string => formatNetworkXml(net({ dns: minimalDnsDef(dns) }));

  it('writes nothing for an empty dns, and a short element for attributes only', () => {
    expect(dnsNet({})).not.toContain('<dns');
    expect(dnsNet({ enable: false })).toContain("  <dns enable='no'/>\n");
    expect(dnsNet({ forwardPlainNames: true, enable: true })).toContain("  <dns enable='yes' forwardPlainNames='yes'/>\n");
  });

  it('writes forwarders (domain before addr), txt, srv and hosts in that order', () => {
    const text = dnsNet({
      hosts: [{ ip: '192.0.2.9', hostnames: ['nas'] }],
      srvs: [
        { service: 'ldap', protocol: 'tcp' },
        { service: 'sip', protocol: 'udp', domain: 'example.test', target: 'pbx', port: 5060, priority: 1, weight: 0 },
      ],
      txts: [{ name: 'v', value: 'spf1' }],
      forwarders: [{ domain: 'corp.test', addr: '192.0.2.53' }, { addr: '2001:db8::53' }, {}],
    });
    expect(text).toContain(
      xml(
        '  <dns>',
        "    <forwarder domain='corp.test' addr='192.0.2.53'/>",
        "    <forwarder addr='2001:db8::53'/>",
        '    <forwarder/>',
        "    <txt name='v' value='spf1'/>",
        "    <srv service='ldap' protocol='tcp'/>",
        "    <srv service='sip' protocol='udp' domain='example.test' target='pbx' port='5060' priority='1'/>",
        "    <host ip='192.0.2.9'>",
        '      <hostname>nas</hostname>',
        '    </host>',
        '  </dns>',
      ),
    );
  });

  it('skips an SRV record without service or protocol, as libvirt does', () => {
    const text = dnsNet({ srvs: [{ protocol: 'tcp', target: 'x' }], txts: [{ name: 'a', value: 'b' }] });
    expect(text).not.toContain('<srv');
  });
});

describe('formatNetworkXml: vlan, bandwidth, virtualport, portgroups, routes', () => {
  it('writes vlan, bandwidth and port in order after dns', () => {
    const def = net({
      forward: { mode: 'bridge', interfaces: [] },
      bridge: { name: 'br1', stp: true, delay: 0 },
      vlan: { trunk: true, tags: [{ id: 10 }, { id: 20, nativeMode: 'untagged' }] },
      bandwidth: {
        classId: 5,
        inbound: { average: 1000, peak: 5000, floor: 200, burst: 1024 },
        outbound: { average: 0, peak: 100 },
      },
      portIsolated: false,
    });
    expect(formatNetworkXml(def)).toContain(
      xml(
        "  <bridge name='br1'/>",
        "  <vlan trunk='yes'>",
        "    <tag id='10'/>",
        "    <tag id='20' nativeMode='untagged'/>",
        '  </vlan>',
        '  <bandwidth>',
        "    <inbound average='1000' peak='5000' floor='200' burst='1024'/>",
        '  </bandwidth>',
        "  <port isolated='no'/>",
      ),
    );
  });

  it('writes an inbound rate that has only a floor', () => {
    const def = net({ bandwidth: { inbound: { floor: 300 } } });
    expect(formatNetworkXml(def)).toContain(xml('  <bandwidth>', "    <inbound floor='300'/>", '  </bandwidth>'));
  });

  it('writes only the virtualport parameters that the type uses', () => {
    const parameters = {
      managerId: 11,
      typeId: 1193047,
      typeIdVersion: 2,
      instanceId: '09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f',
      profileId: 'gold',
      interfaceId: '09b11c53-8b5c-4eeb-8f00-d84eaa0aaa50',
    };
    const vp = (type?: 'openvswitch' | '802.1Qbg' | '802.1Qbh' | 'midonet'): string =>
      formatNetworkXml(net({ forward: { mode: 'bridge', interfaces: [] }, virtualPort: { ...(type ? { type } : {}), parameters } }));
    expect(vp('802.1Qbg')).toContain(
      "    <parameters managerid='11' typeid='1193047' typeidversion='2' instanceid='09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f'/>\n",
    );
    expect(vp('openvswitch')).toContain(
      xml(
        "  <virtualport type='openvswitch'>",
        "    <parameters interfaceid='09b11c53-8b5c-4eeb-8f00-d84eaa0aaa50' profileid='gold'/>",
        '  </virtualport>',
      ),
    );
    expect(vp('802.1Qbh')).toContain("    <parameters profileid='gold'/>\n");
    expect(vp('midonet')).toContain("    <parameters interfaceid='09b11c53-8b5c-4eeb-8f00-d84eaa0aaa50'/>\n");
    expect(vp()).toContain(
      xml(
        '  <virtualport>',
        "    <parameters managerid='11' typeid='1193047' typeidversion='2' instanceid='09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f' interfaceid='09b11c53-8b5c-4eeb-8f00-d84eaa0aaa50' profileid='gold'/>",
        '  </virtualport>',
      ),
    );
  });

  it('writes a virtualport with a type and no parameters as one empty element, and nothing when both are missing', () => {
    const withType = net({ forward: { mode: 'bridge', interfaces: [] }, virtualPort: { type: 'openvswitch' } });
    expect(formatNetworkXml(withType)).toContain("  <virtualport type='openvswitch'/>\n");
    const bare = net({ forward: { mode: 'bridge', interfaces: [] }, virtualPort: { parameters: { profileId: '' } } });
    expect(formatNetworkXml(bare)).not.toContain('virtualport');
  });

  it('writes portgroups after the virtualport, children in the order vlan, virtualport, bandwidth', () => {
    const def = net({
      forward: { mode: 'bridge', interfaces: [] },
      bridge: { name: 'ovsbr', stp: true, delay: 0 },
      virtualPort: { type: 'openvswitch' },
      portGroups: [
        {
          name: 'eng',
          isDefault: true,
          trustGuestRxFilters: true,
          bandwidth: { outbound: { average: 64 } },
          virtualPort: { parameters: { profileId: 'eng-p' } },
          vlan: { tags: [{ id: 4094 }] },
        },
        { name: 'ops', isDefault: false },
      ],
    });
    expect(formatNetworkXml(def)).toContain(
      xml(
        "  <virtualport type='openvswitch'/>",
        "  <portgroup name='eng' default='yes' trustGuestRxFilters='yes'>",
        '    <vlan>',
        "      <tag id='4094'/>",
        '    </vlan>',
        '    <virtualport>',
        "      <parameters profileid='eng-p'/>",
        '    </virtualport>',
        '    <bandwidth>',
        "      <outbound average='64'/>",
        '    </bandwidth>',
        '  </portgroup>',
        "  <portgroup name='ops'>",
        '  </portgroup>',
        '</network>',
      ),
    );
  });

  it('writes a route prefix whenever given (even 0), a metric only above 0', () => {
    const def = net({
      ips: [{ address: '192.0.2.1', prefix: 24, dhcp: false, ranges: [], hosts: [] }],
      routes: [
        { family: 'ipv4', address: '0.0.0.0', prefix: 0, gateway: '192.0.2.254', metric: 0 },
        { address: '203.0.113.0', netmask: '255.255.255.0', gateway: '192.0.2.253', metric: 7 },
      ],
    });
    expect(formatNetworkXml(def)).toContain(
      xml(
        "  <route family='ipv4' address='0.0.0.0' prefix='0' gateway='192.0.2.254'/>",
        "  <route address='203.0.113.0' netmask='255.255.255.0' gateway='192.0.2.253' metric='7'/>",
      ),
    );
  });

  it('leaves out an ip prefix of 0', () => {
    const def = net({ ips: [{ address: '192.0.2.1', prefix: 0, dhcp: false, ranges: [], hosts: [] }] });
    expect(formatNetworkXml(def)).toContain("  <ip address='192.0.2.1'>\n");
  });
});

describe('formatNetworkXml: escaping as libvirt', () => {
  const nasty = `a<b>&'"\u0001\u001fz`;
  const escaped = 'a&lt;b&gt;&amp;&apos;&quot;z';

  it('escapes text values and drops control characters (tab and newline kept)', () => {
    const def = net({ name: nasty, title: nasty, description: `line1\n\tline2 ${nasty}` });
    const text = formatNetworkXml(def);
    expect(text).toContain(`  <name>${escaped}</name>\n`);
    expect(text).toContain(`  <title>${escaped}</title>\n`);
    // A multi-line description keeps its own line starts: libvirt indents only the first line.
    expect(text).toContain(`  <description>line1\n\tline2 ${escaped}</description>\n`);
  });

  it('writes an empty title as an element pair', () => {
    expect(formatNetworkXml(net({ title: '' }))).toContain('  <title></title>\n');
  });

  it('escapes attribute values libvirt escapes', () => {
    const def = net({
      forward: { mode: 'nat', interfaces: [{ type: 'netdev', dev: nasty, connections: 0 }] },
      bridge: { name: nasty, zone: nasty, stp: true, delay: 0 },
      dns: { forwarders: [{ domain: nasty }], txts: [{ name: nasty, value: nasty }], srvs: [], hosts: [{ ip: '192.0.2.1', hostnames: [nasty] }] },
      ips: [{ address: '192.0.2.1', prefix: 24, dhcp: false, ranges: [], hosts: [], tftpRoot: nasty }],
      dnsmasqOptions: [nasty],
    });
    const text = formatNetworkXml(def);
    expect(text).toContain(`  <forward dev='${escaped}' mode='nat'>\n`);
    expect(text).toContain(`    <interface dev='${escaped}'/>\n`);
    expect(text).toContain(`  <bridge name='${escaped}' zone='${escaped}' stp='on' delay='0'/>\n`);
    expect(text).toContain(`    <forwarder domain='${escaped}'/>\n`);
    expect(text).toContain(`    <txt name='${escaped}' value='${escaped}'/>\n`);
    expect(text).toContain(`      <hostname>${escaped}</hostname>\n`);
    expect(text).toContain(`    <tftp root='${escaped}'/>\n`);
    expect(text).toContain(`    <dnsmasq:option value='${escaped}'/>\n`);
  });

  // libvirt prints these with plain virBufferAsprintf, writing a file it cannot parse
  // again; virtnet escapes them so a saved definition always reloads.
  it('escapes the values libvirt leaves unescaped: dhcp host name, domain name, portgroup name, profileid', () => {
    const value = "x&y'z";
    const raw = 'x&amp;y&apos;z';
    const def = net({
      domain: { name: value },
      ips: [{ address: '192.0.2.1', prefix: 24, dhcp: true, ranges: [], hosts: [{ mac: '52:54:00:00:00:09', name: value, ip: '192.0.2.9' }] }],
      portGroups: [{ name: value, virtualPort: { type: '802.1Qbh', parameters: { profileId: value } } }],
    });
    const text = formatNetworkXml(def);
    expect(text).toContain(`  <domain name='${raw}'/>\n`);
    expect(text).toContain(`      <host mac='52:54:00:00:00:09' name='${raw}' ip='192.0.2.9'/>\n`);
    expect(text).toContain(`  <portgroup name='${raw}'>\n`);
    expect(text).toContain(`      <parameters profileid='${raw}'/>\n`);
  });
});

describe('number formats', () => {
  it('prints C integers: plain digits, wrapping like the C type', () => {
    expect(cULongLong(2 ** 60)).toBe('1152921504606846976');
    expect(cULongLong(1e21)).toBe('3875820019684212736'); // 1e21 mod 2^64
    expect(cLong(2 ** 63)).toBe('-9223372036854775808');
    expect(cUInt(2 ** 32 + 5)).toBe('5');
    expect(cInt(2 ** 31)).toBe('-2147483648');
    expect(cInt(65535)).toBe('65535');
  });

  it('formats delay, mtu, bandwidth, lease expiry and vlan ids without exponents', () => {
    const def = net({
      bridge: { stp: true, delay: 2 ** 40 },
      mtu: 65535,
      bandwidth: { inbound: { average: 2 ** 50, burst: 2 ** 33 } },
      vlan: { tags: [{ id: 4095 }] },
      ips: [
        {
          address: '192.0.2.1',
          prefix: 24,
          dhcp: true,
          ranges: [{ start: '192.0.2.2', end: '192.0.2.3', lease: { expiry: 2 ** 36, unit: 'seconds' } }],
          hosts: [],
        },
      ],
    });
    const text = formatNetworkXml(def);
    expect(text).toContain("  <bridge stp='on' delay='1099511627776'/>\n");
    expect(text).toContain("  <mtu size='65535'/>\n");
    expect(text).toContain("    <inbound average='1125899906842624' burst='8589934592'/>\n");
    expect(text).toContain("    <tag id='4095'/>\n");
    expect(text).toContain("        <lease expiry='68719476736' unit='seconds'/>\n");
  });
});

/* ---- metadata ---- */

/** libxml2's own formatted dump of every child of the root of `source`, at level 0. */
function childDumps(source: string): string[] {
  const doc = XmlDocument.fromString(source, { option: ParseOption.XML_PARSE_NOBLANKS });
  try {
    const out: string[] = [];
    for (let c = doc.root.firstChild; c; c = c.next) if (c instanceof XmlElement) out.push(c.toString({ format: true }));
    return out;
  } finally {
    doc.dispose();
  }
}

/** libxml2's formatted dump of the root element of `source`. */
function rootDump(source: string): string {
  const doc = XmlDocument.fromString(source, { option: ParseOption.XML_PARSE_NOBLANKS });
  try {
    return doc.root.toString({ format: true });
  } finally {
    doc.dispose();
  }
}

describe('metadata', () => {
  it('writes <metadata/> when it has no children', () => {
    expect(formatNetworkXml(net({ metadata: { elements: [] } }))).toContain(`  <uuid>${UUID}</uuid>\n  <metadata/>\n  <bridge`);
  });

  it('indents each child one level in, between title/description and forward', () => {
    const def = net({
      description: 'd',
      forward: { mode: 'route', interfaces: [] },
      ips: [{ address: '192.0.2.1', prefix: 24, dhcp: false, ranges: [], hosts: [] }],
      metadata: {
        elements: [
          '<app:cfg xmlns:app="http://app.example/">\n  <size unit="GB">4</size>\n  <flags/>\n</app:cfg>',
          '<app2:x xmlns:app2="http://x.example/" k="v">text</app2:x>',
        ],
      },
    });
    expect(formatNetworkXml(def)).toContain(
      xml(
        '  <description>d</description>',
        '  <metadata>',
        '    <app:cfg xmlns:app="http://app.example/">',
        '      <size unit="GB">4</size>',
        '      <flags/>',
        '    </app:cfg>',
        '    <app2:x xmlns:app2="http://x.example/" k="v">text</app2:x>',
        '  </metadata>',
        "  <forward mode='route'/>",
      ),
    );
  });

  it('keeps multi-line text, comments and CDATA as libxml2 writes them (no indentation added inside)', () => {
    const dump = '<n:note xmlns:n="http://n.example/">first\nsecond<b/></n:note>';
    expect(reindentDump(dump, 2)).toBe(dump);
    const mixed = '<n:a xmlns:n="http://n.example/">\n  <b>x\ny</b>\n  <!-- c\nd -->\n  <c><![CDATA[p\nq]]></c>\n</n:a>';
    expect(reindentDump(mixed, 1)).toBe(
      '<n:a xmlns:n="http://n.example/">\n    <b>x\ny</b>\n    <!-- c\nd -->\n    <c><![CDATA[p\nq]]></c>\n  </n:a>',
    );
  });

  it('matches libxml2 dumping the same children one and two levels deeper', () => {
    const children =
      '<a:x xmlns:a="http://a/"><b><c>t</c><d/></b><e>mixed<f/>\n  <g/></e><!-- k --><?pi z?></a:x>' +
      '<q:y xmlns:q="http://q/" attr="1&amp;2">plain</q:y>';
    const dumps = childDumps(`<metadata>${children}</metadata>`);
    // Level 1: libxml2's dump of <metadata> itself, at level 0.
    expect(formatMetadataBlock(dumps, 0)).toBe(`${rootDump(`<metadata>${children}</metadata>`)}\n`);
    // Level 2: strip the wrapper's first and last line from a dump one level further out.
    const wrapped = rootDump(`<w><metadata>${children}</metadata></w>`).split('\n').slice(1, -1).join('\n');
    expect(formatMetadataBlock(dumps, 1)).toBe(`${wrapped}\n`);
  });

  it('agrees with libxml2 on random trees, including its 60-space indentation cap', () => {
    type Tree = { kind: 'el'; kids: Tree[] } | { kind: 'text'; t: string } | { kind: 'comment'; t: string } | { kind: 'cdata'; t: string };
    const text = fc.constantFrom('a', 'b\nc', ' x ', '\n', 'y\n  z');
    const { tree } = fc.letrec<{ tree: Tree }>((tie) => ({
      tree: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.record({ kind: fc.constant('text' as const), t: text }),
        fc.record({ kind: fc.constant('comment' as const), t: text }),
        fc.record({ kind: fc.constant('cdata' as const), t: text }),
        fc.record({ kind: fc.constant('el' as const), kids: fc.array(tie('tree'), { maxLength: 3 }) }),
      ),
    }));
    const render = (t: Tree, i: number): string => {
      switch (t.kind) {
        case 'text':
          return t.t;
        case 'comment':
          return `<!--${t.t}-->`;
        case 'cdata':
          return `<![CDATA[${t.t}]]>`;
        case 'el':
          return `<e${i}>${t.kids.map((k) => render(k, i + 1)).join('')}</e${i}>`;
      }
    };
    const deep = (n: number, inner: string): string => (n === 0 ? inner : `<d${n}>${deep(n - 1, inner)}</d${n}>`);
    fc.assert(
      fc.property(fc.array(tree, { minLength: 1, maxLength: 3 }), fc.integer({ min: 0, max: 32 }), (kids, depth) => {
        const children = `<m:top xmlns:m="http://m/">${deep(depth, kids.map((k) => render(k, 0)).join(''))}</m:top>`;
        const dumps = childDumps(`<metadata>${children}</metadata>`);
        expect(formatMetadataBlock(dumps, 0)).toBe(`${rootDump(`<metadata>${children}</metadata>`)}\n`);
      }),
      { numRuns: 150 },
    );
  });

  // Regression: an element holding only a newline is written as is (found by the property above).
  it('does not re-indent an element whose only content is a newline', () => {
    const children = '<m:top xmlns:m="http://m/">\n</m:top>';
    const dumps = childDumps(`<metadata>${children}</metadata>`);
    expect(formatMetadataBlock(dumps, 0)).toBe(`${rootDump(`<metadata>${children}</metadata>`)}\n`);
    expect(formatMetadataBlock(dumps, 0)).toBe('<metadata>\n  <m:top xmlns:m="http://m/">\n</m:top>\n</metadata>\n');
  });
});

/* ---- through the real parser ---- */

describe('parse then format', () => {
  // Checked against libvirt 9.0's net-define + net-dumpxml (the anchor): the metadata layout.
  // (9.0 predates network <description>; it writes the domain and host names unescaped,
  // which virtnet deliberately does not.)
  it('writes metadata and descriptions as libvirt does, and escapes names libvirt leaves raw', () => {
    // What passes through unchanged, before and after the parts the formatter lays out anew.
    const head = [
      '<network>',
      '  <name>probe</name>',
      `  <uuid>${UUID}</uuid>`,
      '  <description>two',
      'lines &lt;b&gt;</description>',
      '  <metadata>',
      '    <app:notes xmlns:app="http://app.example/">first',
      '  second<b/></app:notes>',
    ];
    const tail = [
      "  <domain name='ex&amp;ample'/>",
      "  <ip address='192.168.250.1' prefix='24'>",
      '    <dhcp>',
      "      <range start='192.168.250.10' end='192.168.250.20'/>",
      "      <host mac='52:54:00:AA:bb:01' name='h.x&amp;y' ip='192.168.250.11'/>",
      '    </dhcp>',
      '  </ip>',
      '</network>',
    ];
    const source = [
      ...head,
      '    <x:deep xmlns:x="http://x.example/"><a><b>1</b></a><!-- c --></x:deep>',
      '  </metadata>',
      "  <bridge name='probe0'/>",
      ...tail,
    ].join('\n');
    expect(formatNetworkXml(parseNetworkXml(source))).toBe(
      xml(
        ...head,
        '    <x:deep xmlns:x="http://x.example/">',
        '      <a>',
        '        <b>1</b>',
        '      </a>',
        '      <!-- c -->',
        '    </x:deep>',
        '  </metadata>',
        "  <bridge name='probe0' stp='on' delay='0'/>",
        ...tail,
      ),
    );
  });

  it('escapes a portgroup name and profileid (libvirt writes them raw)', () => {
    const source = `<network><name>pg</name><uuid>${UUID}</uuid><forward mode='bridge'/><bridge name='br9'/>
      <virtualport type='openvswitch'/>
      <portgroup name='p&amp;g'><virtualport><parameters profileid='pr&amp;of'/></virtualport></portgroup></network>`;
    expect(formatNetworkXml(parseNetworkXml(source))).toContain(
      xml("  <portgroup name='p&amp;g'>", '    <virtualport>', "      <parameters profileid='pr&amp;of'/>", '    </virtualport>', '  </portgroup>'),
    );
  });

  it('is stable: formatting what it parsed from its own output gives the same text', () => {
    const def = net({
      forward: { mode: 'nat', interfaces: [{ type: 'netdev', dev: 'eth0', connections: 0 }], nat: { portStart: 1024, portEnd: 65535 } },
      bridge: { name: 'virbr5', stp: true, delay: 0 },
      dns: { forwarders: [{ addr: '192.0.2.53' }], txts: [{ name: 't', value: `"q" & 'a'` }], srvs: [], hosts: [] },
      ips: [
        {
          address: '192.0.2.1',
          prefix: 24,
          dhcp: true,
          ranges: [{ start: '192.0.2.100', end: '192.0.2.200', lease: { expiry: 1, unit: 'hours' } }],
          hosts: [],
        },
      ],
    });
    const once = formatNetworkXml(def);
    expect(formatNetworkXml(parseNetworkXml(once))).toBe(once);
  });
});

describe('metadata start tag', () => {
  // libvirt 9.0 (the anchor) moves namespaces declared on <network> onto its copy of <metadata>.
  it('keeps namespace declarations carried onto <metadata>', () => {
    const source = `<network xmlns:app1="http://foo.org/"><name>meta</name><uuid>${UUID}</uuid>
      <metadata><app1:foo>fooish</app1:foo></metadata></network>`;
    expect(formatNetworkXml(parseNetworkXml(source))).toContain(
      xml('  <metadata xmlns:app1="http://foo.org/">', '    <app1:foo>fooish</app1:foo>', '  </metadata>'),
    );
  });
});
