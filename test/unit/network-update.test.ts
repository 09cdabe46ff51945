/**
 * net-update as a pure function: every rule and failure text of libvirt
 * 11.3's virNetworkDefUpdateSection, on small inline networks.
 */
import { describe, expect, it } from 'vitest';
import {
  applyUpdate,
  parseUpdateCommand,
  parseUpdateSection,
  selectDhcpIp,
  UPDATE_COMMANDS,
  UPDATE_SECTIONS,
  type UpdateCommand,
  type UpdateSection,
} from '../../src/conf/network/update.js';
import type { DhcpHost, IpDef, NetworkDef, PortGroupDef } from '../../src/conf/network/types.js';
import { VirError, type ErrorClass } from '../../src/util/errors.js';
import { minimalDnsDef, minimalNetworkDef } from './support/network-def.js';
import { thrownBy } from './support/vir-error.js';

/* ---------- fixtures ---------- */

function ip(address: string, extra: Partial<IpDef> = {}): IpDef {
  const v6 = address.includes(':');
  return {
    ...(v6 ? { family: 'ipv6' as const, prefix: 64 } : { netmask: '255.255.255.0' }),
    address,
    dhcp: false,
    ranges: [],
    hosts: [],
    ...extra,
  };
}

function withDhcp(address: string, hosts: DhcpHost[], ranges: IpDef['ranges'] = []): IpDef {
  return ip(address, { dhcp: true, hosts, ranges });
}

const HOST_A: DhcpHost = { mac: '00:16:3e:77:e2:ed', name: 'a.example.com', ip: '192.168.122.10' };
const HOST_B: DhcpHost = { mac: '00:16:3e:3e:a9:1a', name: 'b.example.com', ip: '192.168.122.11' };

/** libvirt's default network (NAT on virbr0) with two DHCP hosts, A and B. */
function net(extra: Partial<NetworkDef> = {}): NetworkDef {
  return minimalNetworkDef(
    {
      name: 'default',
      uuid: '81ff0d90-c91e-6742-64da-4a736edb9a9b',
      bridge: { name: 'virbr0', stp: true, delay: 0 },
      ips: [withDhcp('192.168.122.1', [{ ...HOST_A }, { ...HOST_B }], [{ start: '192.168.122.2', end: '192.168.122.254' }])],
      ...extra,
    },
    'nat',
  );
}

/** The error an update throws; fails the test if it succeeds or throws something else. */
function failure(def: NetworkDef, command: UpdateCommand, section: UpdateSection, xml: string, parentIndex = -1): VirError {
  return thrownBy(() => applyUpdate(def, command, section, parentIndex, xml));
}

function expectFailure(
  def: NetworkDef,
  command: UpdateCommand,
  section: UpdateSection,
  xml: string,
  errorClass: ErrorClass,
  detail: string,
  parentIndex = -1,
): void {
  const e = failure(def, command, section, xml, parentIndex);
  expect({ class: e.errorClass, detail: e.detail }).toEqual({ class: errorClass, detail });
}

/* ---------- names ---------- */

describe('command and section names (virsh)', () => {
  it('accepts add as add-last and every libvirt command', () => {
    expect(parseUpdateCommand('add')).toBe('add-last');
    for (const c of ['add-first', 'add-last', 'delete', 'modify']) expect(parseUpdateCommand(c)).toBe(c);
    expect([...UPDATE_COMMANDS].sort()).toEqual(['add-first', 'add-last', 'delete', 'modify']);
  });

  it("rejects unknown commands, libvirt's placeholder and other cases with virsh's text", () => {
    for (const bad of ['none', 'Add', 'insert', '', 'modify-or-add']) {
      const e = (() => {
        try {
          parseUpdateCommand(bad);
        } catch (err) {
          return err as VirError;
        }
        throw new Error(`accepted ${bad}`);
      })();
      expect(e).toBeInstanceOf(VirError);
      expect(e.message).toBe(`unrecognized command name '${bad}'`);
    }
  });

  it('accepts the twelve sections and rejects others', () => {
    for (const s of UPDATE_SECTIONS) expect(parseUpdateSection(s)).toBe(s);
    expect(UPDATE_SECTIONS).toHaveLength(12);
    for (const bad of ['none', 'dns', 'ip-dhcp', 'Bridge']) {
      expect(() => parseUpdateSection(bad)).toThrow(new VirError('XML_DETAIL', `unrecognized section name '${bad}'`));
    }
  });

  it('checks names passed to applyUpdate by untyped callers', () => {
    const def = net();
    expect(failure(def, 'append' as UpdateCommand, 'dns-txt', "<txt name='x' value='y'/>").message).toBe("unrecognized command name 'append'");
    expect(failure(def, 'add-last', 'dns-cname' as UpdateSection, "<txt name='x' value='y'/>").message).toBe("unrecognized section name 'dns-cname'");
  });
});

/* ---------- snippet, unsupported sections, purity ---------- */

describe('the snippet and unsupported sections', () => {
  it("reports malformed XML with libxml2's text under libvirt's label network_update_xml", () => {
    const e = failure(net(), 'add-last', 'ip-dhcp-host', "<host mac='00:16:3e:77:e2:ee' ip='192.168.122.20'>");
    expect(e.errorClass).toBe('XML_DETAIL');
    expect(e.message).toBe(
      `network_update_xml:1: Premature end of data in tag host line 1\n<host mac='00:16:3e:77:e2:ee' ip='192.168.122.20'>\n${'-'.repeat(50)}^`,
    );
  });

  it('takes exactly one element', () => {
    expect(failure(net(), 'add-last', 'dns-txt', "<txt name='a' value='1'/><txt name='b' value='2'/>").message).toBe(
      `network_update_xml:1: Extra content at the end of the document\n<txt name='a' value='1'/><txt name='b' value='2'/>\n${'-'.repeat(25)}^`,
    );
  });

  it('parses the snippet before refusing a section, so malformed XML wins', () => {
    expect(failure(net(), 'modify', 'bridge', '<bridge').errorClass).toBe('XML_DETAIL');
  });

  it.each([
    ['bridge', "<bridge name='virbr9'/>", 'bridge'],
    ['domain', "<domain name='example.com'/>", 'domain'],
    ['ip', "<ip address='10.0.0.1'/>", 'ip'],
    ['forward', "<forward mode='route'/>", 'forward'],
    ['forward-pf', "<pf dev='eth0'/>", 'forward pf'],
  ] as const)('refuses the %s section', (section, xml, label) => {
    for (const command of ['add-first', 'add-last', 'delete', 'modify'] as const) {
      const e = failure(net(), command, section, xml);
      expect(e.message).toBe(`Operation not supported: can't update '${label}' section of network 'default'`);
    }
  });

  it("checks the snippet's element name for every section", () => {
    const cases: [UpdateSection, string][] = [
      ['ip-dhcp-host', 'host'],
      ['ip-dhcp-range', 'range'],
      ['forward-interface', 'interface'],
      ['portgroup', 'portgroup'],
      ['dns-host', 'host'],
      ['dns-txt', 'txt'],
      ['dns-srv', 'srv'],
    ];
    for (const [section, expected] of cases) {
      const e = failure(net(), 'add-last', section, "<hostx name='a'/>");
      expect(e.message).toBe(`XML error: unexpected element <hostx>, expecting <${expected}>, while updating network 'default'`);
    }
  });

  it('never changes its input and returns a separate copy', () => {
    const def = net({ forward: { mode: 'nat', interfaces: [{ type: 'netdev', dev: 'eth1', connections: 0 }] } });
    const before = structuredClone(def);
    const out = applyUpdate(def, 'add-first', 'forward-interface', -1, "<interface dev='eth47'/>");
    expect(def).toEqual(before);
    expect(out.forward.interfaces).not.toBe(def.forward.interfaces);
    expect(out.forward.interfaces.map((f) => (f.type === 'netdev' ? f.dev : ''))).toEqual(['eth47', 'eth1']);
  });
});

/* ---------- which <ip> ---------- */

describe('choosing the <ip> for ip-dhcp-* (parentIndex)', () => {
  it('-1 takes the first <ip> that has DHCP entries, whatever its family', () => {
    const def = net({
      ips: [ip('192.168.1.1'), ip('2001:db8::1'), withDhcp('192.168.2.1', [], [{ start: '192.168.2.10', end: '192.168.2.20' }])],
    });
    expect(selectDhcpIp(def, -1)).toBe(def.ips[2]);
  });

  it('-1 falls back to the first IPv4 <ip>, then the first IPv6 one', () => {
    const mixed = net({ ips: [ip('2001:db8::1'), ip('10.0.0.1'), ip('10.0.1.1')] });
    expect(selectDhcpIp(mixed, -1)).toBe(mixed.ips[1]);
    const v6 = net({ ips: [ip('2001:db8::1'), ip('2001:db8:1::1')] });
    expect(selectDhcpIp(v6, -1)).toBe(v6.ips[0]);
    // any negative index means "choose"
    expect(selectDhcpIp(mixed, -7)).toBe(mixed.ips[1]);
  });

  it('N counts every <ip>, of all families', () => {
    const def = net({ ips: [ip('2001:db8::1'), ip('10.0.0.1')] });
    expect(selectDhcpIp(def, 1)).toBe(def.ips[1]);
    const out = applyUpdate(def, 'add-last', 'ip-dhcp-host', 1, "<host mac='52:54:00:00:00:01' ip='10.0.0.5'/>");
    expect(out.ips[1]!.hosts).toEqual([{ mac: '52:54:00:00:00:01', ip: '10.0.0.5' }]);
    expect(out.ips[1]!.dhcp).toBe(true);
    expect(out.ips[0]!.hosts).toEqual([]);
  });

  it('reports an index past the last <ip>', () => {
    expectFailure(
      net(),
      'add-last',
      'ip-dhcp-host',
      "<host mac='52:54:00:00:00:01' ip='192.168.122.5'/>",
      'OPERATION_INVALID',
      "couldn't update dhcp host entry - no <ip> element found at index 1 in network 'default'",
      1,
    );
  });

  it('reports a network without <ip>, but a wrong element name first', () => {
    const bare = net({ ips: [] });
    expectFailure(
      bare,
      'add-last',
      'ip-dhcp-range',
      "<range start='10.0.0.2' end='10.0.0.9'/>",
      'OPERATION_INVALID',
      "couldn't update dhcp host entry - no <ip> element found in network 'default'",
    );
    expect(failure(bare, 'add-last', 'ip-dhcp-range', "<host ip='10.0.0.2'/>").detail).toBe(
      "unexpected element <host>, expecting <range>, while updating network 'default'",
    );
  });
});

/* ---------- ip-dhcp-host ---------- */

describe('ip-dhcp-host', () => {
  const NEW = "<host mac='00:16:3e:77:f0:0d' name='m.example.com' ip='192.168.122.12'/>";

  it('adds at the end or the front', () => {
    const last = applyUpdate(net(), 'add-last', 'ip-dhcp-host', -1, NEW);
    expect(last.ips[0]!.hosts.map((h) => h.name)).toEqual(['a.example.com', 'b.example.com', 'm.example.com']);
    const first = applyUpdate(net(), 'add-first', 'ip-dhcp-host', -1, NEW);
    expect(first.ips[0]!.hosts[0]).toEqual({ mac: '00:16:3e:77:f0:0d', name: 'm.example.com', ip: '192.168.122.12' });
  });

  it('turns DHCP on for an <ip> that had none', () => {
    const out = applyUpdate(net({ ips: [ip('10.0.0.1')] }), 'add-last', 'ip-dhcp-host', -1, "<host name='tea' ip='10.0.0.7'/>");
    expect(out.ips[0]).toMatchObject({ dhcp: true, hosts: [{ name: 'tea', ip: '10.0.0.7' }] });
  });

  it('refuses an add that matches an entry on mac (any case), name or ip', () => {
    const prefix = "there is an existing dhcp host entry in network 'default' that matches ";
    expectFailure(
      net(),
      'add-last',
      'ip-dhcp-host',
      "<host mac='00:16:3E:77:E2:ED' name='z' ip='192.168.122.99'/>",
      'OPERATION_INVALID',
      `${prefix}"<host mac='00:16:3E:77:E2:ED' name='z' ip='192.168.122.99'/>"`,
    );
    expectFailure(
      net(),
      'add-first',
      'ip-dhcp-host',
      "<host name='b.example.com' ip='192.168.122.99'/>",
      'OPERATION_INVALID',
      `${prefix}"<host mac='unknown' name='b.example.com' ip='192.168.122.99'/>"`,
    );
    expectFailure(
      net(),
      'add-last',
      'ip-dhcp-host',
      "<host mac='52:54:00:00:00:09' ip='192.168.122.11'/>",
      'OPERATION_INVALID',
      `${prefix}"<host mac='52:54:00:00:00:09' name='(null)' ip='192.168.122.11'/>"`,
    );
  });

  it('needs a complete element to add or modify', () => {
    for (const command of ['add-last', 'modify'] as const) {
      expectFailure(
        net(),
        command,
        'ip-dhcp-host',
        "<host mac='00:16:3e:77:e2:ed'/>",
        'XML_ERROR',
        "Missing IP address in static host definition for network 'default'",
      );
      expectFailure(
        net(),
        command,
        'ip-dhcp-host',
        "<host ip='192.168.122.40'/>",
        'XML_ERROR',
        "Static host definition in IPv4 network 'default' must have mac or name attribute",
      );
    }
  });

  it("refuses a host whose address family differs from its <ip>'s", () => {
    expectFailure(
      net(),
      'add-last',
      'ip-dhcp-host',
      "<host name='six' ip='2001:db8::5'/>",
      'OPERATION_INVALID',
      "the address family of a host entry IP must match the address family of the dhcp element's parent",
    );
  });

  it('allows DHCP on only one <ip> per family', () => {
    const def = net({
      ips: [
        withDhcp('192.168.122.1', [{ ...HOST_A }]),
        ip('192.168.123.1'),
        withDhcp('2001:db8::1', [{ name: 'p', ip: '2001:db8::20' }]),
        ip('2001:db8:1::1'),
      ],
    });
    expectFailure(
      def,
      'add-last',
      'ip-dhcp-host',
      "<host name='x' ip='192.168.123.9'/>",
      'OPERATION_INVALID',
      'dhcp is supported only for a single IPv4 address on each network',
      1,
    );
    expectFailure(
      def,
      'add-last',
      'ip-dhcp-host',
      "<host name='x' ip='2001:db8:1::9'/>",
      'OPERATION_INVALID',
      'dhcp is supported only for a single IPv6 address on each network',
      3,
    );
  });

  it('modifies the entry found by mac, ip or name, replacing it whole', () => {
    const def = net({ ips: [withDhcp('192.168.122.1', [{ ...HOST_A, lease: { expiry: 1, unit: 'hours' } }, { ...HOST_B }])] });
    const byMac = applyUpdate(def, 'modify', 'ip-dhcp-host', -1, "<host mac='00:16:3e:77:e2:ed' name='a.example.com' ip='192.168.122.47'/>");
    expect(byMac.ips[0]!.hosts).toEqual([{ mac: '00:16:3e:77:e2:ed', name: 'a.example.com', ip: '192.168.122.47' }, HOST_B]);
    const byName = applyUpdate(def, 'modify', 'ip-dhcp-host', -1, "<host name='b.example.com' ip='192.168.122.50'/>");
    expect(byName.ips[0]!.hosts[1]).toEqual({ name: 'b.example.com', ip: '192.168.122.50' });
    const byIp = applyUpdate(def, 'modify', 'ip-dhcp-host', -1, "<host name='renamed' ip='192.168.122.11'/>");
    expect(byIp.ips[0]!.hosts[1]).toEqual({ name: 'renamed', ip: '192.168.122.11' });
  });

  it('reports a modify that matches nothing', () => {
    expectFailure(
      net(),
      'modify',
      'ip-dhcp-host',
      "<host mac='00:16:3e:77:f0:0d' name='m.example.com' ip='192.168.122.12'/>",
      'OPERATION_INVALID',
      `couldn't locate an existing dhcp host entry with "mac='00:16:3e:77:f0:0d'" "name='m.example.com'" "ip='192.168.122.12'" in network 'default'`,
    );
    expectFailure(
      net(),
      'modify',
      'ip-dhcp-host',
      "<host name='nobody' ip='192.168.122.13'/>",
      'OPERATION_INVALID',
      `couldn't locate an existing dhcp host entry with "mac='unknown'" "name='nobody'" "ip='192.168.122.13'" in network 'default'`,
    );
    expectFailure(
      net(),
      'modify',
      'ip-dhcp-host',
      "<host mac='52:54:00:00:00:13' ip='192.168.122.13'/>",
      'OPERATION_INVALID',
      `couldn't locate an existing dhcp host entry with "mac='52:54:00:00:00:13'" "name='(null)'" "ip='192.168.122.13'" in network 'default'`,
    );
  });

  it('deletes with a partial element whose every attribute matches', () => {
    const byMac = applyUpdate(net(), 'delete', 'ip-dhcp-host', -1, "<host mac='00:16:3e:77:e2:ed'/>");
    expect(byMac.ips[0]!.hosts).toEqual([HOST_B]);
    const full = applyUpdate(net(), 'delete', 'ip-dhcp-host', -1, "<host mac='00:16:3e:3e:a9:1a' name='b.example.com' ip='192.168.122.11'/>");
    expect(full.ips[0]!.hosts).toEqual([HOST_A]);
    expectFailure(
      net(),
      'delete',
      'ip-dhcp-host',
      "<host mac='00:16:3e:77:e2:ed' ip='192.168.122.11'/>",
      'OPERATION_INVALID',
      "couldn't locate a matching dhcp host entry in network 'default'",
    );
  });

  it('ignores the mac when the entry has none (libvirt quirk)', () => {
    const def = net({ ips: [withDhcp('192.168.122.1', [{ name: 'nomac', ip: '192.168.122.30' }])] });
    const out = applyUpdate(def, 'delete', 'ip-dhcp-host', -1, "<host mac='52:54:00:aa:bb:cc' ip='192.168.122.30'/>");
    expect(out.ips[0]!.hosts).toEqual([]);
    expect(out.ips[0]!.dhcp).toBe(false);
  });

  it('still needs one of name, mac or ip to delete', () => {
    expectFailure(
      net(),
      'delete',
      'ip-dhcp-host',
      "<host id='0:3:0:1'/>",
      'XML_ERROR',
      "At least one of name, mac, or ip attribute must be specified for static host definition in network 'default'",
    );
  });
});

/* ---------- ip-dhcp-range ---------- */

describe('ip-dhcp-range', () => {
  const RANGE = "<range start='192.168.122.10' end='192.168.122.100'/>";
  const hostsOnly = (): NetworkDef =>
    net({ ips: [withDhcp('192.168.122.1', [{ ...HOST_A }], [{ start: '192.168.122.200', end: '192.168.122.250' }])] });

  it('adds at the front or the end', () => {
    expect(applyUpdate(hostsOnly(), 'add-first', 'ip-dhcp-range', -1, RANGE).ips[0]!.ranges).toEqual([
      { start: '192.168.122.10', end: '192.168.122.100' },
      { start: '192.168.122.200', end: '192.168.122.250' },
    ]);
    expect(applyUpdate(hostsOnly(), 'add-last', 'ip-dhcp-range', -1, RANGE).ips[0]!.ranges[1]).toEqual({
      start: '192.168.122.10',
      end: '192.168.122.100',
    });
  });

  it('refuses an exact duplicate', () => {
    expectFailure(
      net(),
      'add-last',
      'ip-dhcp-range',
      "<range start='192.168.122.2' end='192.168.122.254'/>",
      'OPERATION_INVALID',
      `there is an existing dhcp range entry in network 'default' that matches "<range start='192.168.122.2' end='192.168.122.254'/>"`,
    );
  });

  it('refuses a range outside the subnet (parser check)', () => {
    expectFailure(
      net(),
      'add-first',
      'ip-dhcp-range',
      "<range start='10.0.0.10' end='10.0.0.100'/>",
      'INTERNAL_ERROR',
      'range 10.0.0.10 - 10.0.0.100 is not entirely within network 192.168.122.1/24',
    );
  });

  it("refuses a range of the other family (the parser's check comes before libvirt's own family check)", () => {
    expectFailure(
      net(),
      'add-last',
      'ip-dhcp-range',
      "<range start='2001:db8::10' end='2001:db8::20'/>",
      'INTERNAL_ERROR',
      'mismatch of address family in range 2001:db8::10 - 2001:db8::20 for network 192.168.122.1',
    );
  });

  it('cannot modify, even before parsing the range', () => {
    expectFailure(
      net(),
      'modify',
      'ip-dhcp-range',
      "<range start='bogus'/>",
      'OPERATION_UNSUPPORTED',
      'dhcp ranges cannot be modified, only added or deleted',
    );
  });

  it('allows DHCP on only one <ip> per family', () => {
    const def = net({ ips: [withDhcp('192.168.122.1', [{ ...HOST_A }]), ip('192.168.123.1')] });
    expectFailure(
      def,
      'add-last',
      'ip-dhcp-range',
      "<range start='192.168.123.2' end='192.168.123.9'/>",
      'OPERATION_INVALID',
      'dhcp is supported only for a single IPv4 address on each network',
      1,
    );
  });

  it('deletes an exact start/end match only', () => {
    const out = applyUpdate(net(), 'delete', 'ip-dhcp-range', -1, '<range start="192.168.122.2" end="192.168.122.254"/>');
    expect(out.ips[0]!.ranges).toEqual([]);
    expect(out.ips[0]!.dhcp).toBe(true); // the hosts remain
    expectFailure(net(), 'delete', 'ip-dhcp-range', RANGE, 'OPERATION_INVALID', "couldn't locate a matching dhcp range entry in network 'default'");
  });
});

/* ---------- forward-interface ---------- */

describe('forward-interface', () => {
  const pooled = (connections = 0): NetworkDef => net({ forward: { mode: 'nat', interfaces: [{ type: 'netdev', dev: 'eth1', connections }] } });

  it('adds at the front or the end and deletes by dev', () => {
    const devs = (d: NetworkDef): string[] => d.forward.interfaces.map((f) => (f.type === 'netdev' ? f.dev : '?'));
    expect(devs(applyUpdate(pooled(), 'add-first', 'forward-interface', -1, "<interface dev='eth47'/>"))).toEqual(['eth47', 'eth1']);
    expect(devs(applyUpdate(pooled(), 'add-last', 'forward-interface', -1, "<interface dev='eth47'/>"))).toEqual(['eth1', 'eth47']);
    expect(devs(applyUpdate(pooled(), 'delete', 'forward-interface', -1, "<interface dev='eth1'/>"))).toEqual([]);
  });

  it('reports duplicates, missing entries, a missing dev and modify', () => {
    expectFailure(
      pooled(),
      'add-last',
      'forward-interface',
      "<interface dev='eth1'/>",
      'OPERATION_INVALID',
      `there is an existing interface entry in network 'default' that matches "<interface dev='eth1'>"`,
    );
    expectFailure(
      pooled(),
      'delete',
      'forward-interface',
      "<interface dev='eth47'/>",
      'OPERATION_INVALID',
      "couldn't find an interface entry in network 'default' matching <interface dev='eth47'>",
    );
    expectFailure(pooled(), 'add-last', 'forward-interface', '<interface/>', 'XML_ERROR', 'missing dev attribute in <interface> element');
    expectFailure(
      pooled(),
      'modify',
      'forward-interface',
      "<interface dev='eth1'/>",
      'OPERATION_UNSUPPORTED',
      'forward interface entries cannot be modified, only added or deleted',
    );
  });

  it('refuses to delete an interface in use', () => {
    expectFailure(
      pooled(2),
      'delete',
      'forward-interface',
      "<interface dev='eth1'/>",
      'OPERATION_INVALID',
      "unable to delete interface 'eth1' in network 'default'. It is currently being used by 2 domains.",
    );
  });
});

/* ---------- portgroup ---------- */

describe('portgroup', () => {
  const group = (name: string, isDefault?: boolean): PortGroupDef => (isDefault ? { name, isDefault } : { name });
  const groups = (): NetworkDef => net({ portGroups: [group('bob', true), group('alice')] });
  const names = (d: NetworkDef): string[] => d.portGroups.map((g) => g.name);

  it('adds, modifies and deletes by name', () => {
    expect(names(applyUpdate(groups(), 'add-first', 'portgroup', -1, "<portgroup name='alison'/>"))).toEqual(['alison', 'bob', 'alice']);
    expect(names(applyUpdate(groups(), 'add-last', 'portgroup', -1, "<portgroup name='alison'/>"))).toEqual(['bob', 'alice', 'alison']);
    const modified = applyUpdate(groups(), 'modify', 'portgroup', -1, "<portgroup name='alice' trustGuestRxFilters='yes'/>");
    expect(modified.portGroups[1]).toMatchObject({ name: 'alice', trustGuestRxFilters: true });
    expect(names(applyUpdate(groups(), 'delete', 'portgroup', -1, "<portgroup name='alice'/>"))).toEqual(['bob']);
  });

  it('reports duplicates and missing groups', () => {
    expectFailure(
      groups(),
      'add-last',
      'portgroup',
      "<portgroup name='alice'/>",
      'OPERATION_INVALID',
      `there is an existing portgroup entry in network 'default' that matches "<portgroup name='alice'>"`,
    );
    for (const command of ['modify', 'delete'] as const) {
      expectFailure(
        groups(),
        command,
        'portgroup',
        "<portgroup name='alison'/>",
        'OPERATION_INVALID',
        "couldn't find a portgroup entry in network 'default' matching <portgroup name='alison'>",
      );
    }
  });

  it('allows only one default', () => {
    const only = "a different portgroup entry in network 'default' is already set as the default. Only one default is allowed.";
    expectFailure(groups(), 'add-first', 'portgroup', "<portgroup name='carol' default='yes'/>", 'OPERATION_INVALID', only);
    expectFailure(groups(), 'modify', 'portgroup', "<portgroup name='alice' default='yes'/>", 'OPERATION_INVALID', only);
    // the default itself may stay default, and delete does not care
    expect(applyUpdate(groups(), 'modify', 'portgroup', -1, "<portgroup name='bob' default='yes'/>").portGroups[0]!.isDefault).toBe(true);
    expect(names(applyUpdate(groups(), 'delete', 'portgroup', -1, "<portgroup name='alice' default='yes'/>"))).toEqual(['bob']);
  });
});

/* ---------- dns-host ---------- */

describe('dns-host', () => {
  const hosts = (): NetworkDef =>
    net({
      dns: minimalDnsDef({
        hosts: [
          { ip: '192.168.122.122', hostnames: ['pudding'] },
          { ip: '192.168.122.1', hostnames: ['host', 'gateway'] },
          { ip: '192.168.122.2', hostnames: ['shared', 'names'] },
          { ip: 'fd8f:1391:3a82:150::c0a8:9603', hostnames: ['shared', 'names'] },
        ],
      }),
    });

  it('adds a record whose IP is new, even with a known hostname', () => {
    const out = applyUpdate(hosts(), 'add-first', 'dns-host', -1, "<host ip='f0:0d::f0:0d'><hostname>pudding</hostname></host>");
    expect(out.dns.hosts[0]).toEqual({ ip: 'f0:d::f0:d', hostnames: ['pudding'] });
    expect(out.dns.hosts).toHaveLength(5);
  });

  it('refuses an add with a known IP and an incomplete add', () => {
    expectFailure(
      hosts(),
      'add-last',
      'dns-host',
      "<host ip='192.168.122.1'><hostname>other</hostname></host>",
      'OPERATION_INVALID',
      'there is already at least one DNS HOST record with a matching field in network default',
    );
    expectFailure(
      hosts(),
      'add-first',
      'dns-host',
      '<host><hostname>gateway</hostname></host>',
      'XML_DETAIL',
      "Missing IP address in network 'default' DNS HOST record",
    );
  });

  it('deletes the one record matching the IP or a hostname', () => {
    const byName = applyUpdate(hosts(), 'delete', 'dns-host', -1, '<host><hostname>gateway</hostname></host>');
    expect(byName.dns.hosts.map((h) => h.ip)).toEqual(['192.168.122.122', '192.168.122.2', 'fd8f:1391:3a82:150::c0a8:9603']);
    const byIp = applyUpdate(hosts(), 'delete', 'dns-host', -1, "<host ip='192.168.122.122'/>");
    expect(byIp.dns.hosts).toHaveLength(3);
  });

  it('refuses an ambiguous or unmatched delete, and one with neither ip nor hostname', () => {
    expectFailure(
      hosts(),
      'delete',
      'dns-host',
      '<host><hostname>shared</hostname></host>',
      'OPERATION_INVALID',
      'multiple matching DNS HOST records were found in network default',
    );
    expectFailure(
      hosts(),
      'delete',
      'dns-host',
      '<host><hostname>nobody</hostname></host>',
      'OPERATION_INVALID',
      "couldn't locate a matching DNS HOST record in network default",
    );
    expectFailure(
      hosts(),
      'delete',
      'dns-host',
      "<host protocol='name'/>",
      'XML_DETAIL',
      "Missing ip and hostname in network 'default' DNS HOST record",
    );
  });

  it('modifies the record with the same IP, replacing its hostnames', () => {
    const out = applyUpdate(
      hosts(),
      'modify',
      'dns-host',
      -1,
      "<host ip='192.168.122.2'><hostname>Another</hostname><hostname>decent</hostname><hostname>names</hostname></host>",
    );
    expect(out.dns.hosts[2]).toEqual({ ip: '192.168.122.2', hostnames: ['Another', 'decent', 'names'] });
    expectFailure(
      hosts(),
      'modify',
      'dns-host',
      "<host ip='192.168.122.33'><hostname>x</hostname></host>",
      'OPERATION_INVALID',
      "couldn't locate a matching DNS HOST record in network default",
    );
    // a hostname alone does not find a record to modify
    expectFailure(
      hosts(),
      'modify',
      'dns-host',
      '<host><hostname>pudding</hostname></host>',
      'OPERATION_INVALID',
      "couldn't locate a matching DNS HOST record in network default",
    );
  });

  it('counts duplicate IPs as several matches for modify', () => {
    const dup = net({
      dns: minimalDnsDef({
        hosts: [
          { ip: '10.0.0.1', hostnames: ['a'] },
          { ip: '10.0.0.1', hostnames: ['b'] },
        ],
      }),
    });
    expectFailure(
      dup,
      'modify',
      'dns-host',
      "<host ip='10.0.0.1'><hostname>c</hostname></host>",
      'OPERATION_INVALID',
      'multiple matching DNS HOST records were found in network default',
    );
  });
});

/* ---------- dns-txt ---------- */

describe('dns-txt', () => {
  const txt = (): NetworkDef => net({ dns: minimalDnsDef({ txts: [{ name: 'example', value: 'example value' }] }) });

  it('adds, deletes and modifies by name', () => {
    expect(applyUpdate(txt(), 'add-first', 'dns-txt', -1, "<txt name='snowman' value='water'/>").dns.txts).toEqual([
      { name: 'snowman', value: 'water' },
      { name: 'example', value: 'example value' },
    ]);
    expect(applyUpdate(txt(), 'delete', 'dns-txt', -1, "<txt name='example'/>").dns.txts).toEqual([]);
    expect(applyUpdate(txt(), 'modify', 'dns-txt', -1, "<txt name='example' value='modified example'/>").dns.txts).toEqual([
      { name: 'example', value: 'modified example' },
    ]);
  });

  it('reports a duplicate, a missing record and a modify without value', () => {
    expectFailure(
      txt(),
      'add-last',
      'dns-txt',
      "<txt name='example' value='example value'/>",
      'OPERATION_INVALID',
      "there is already a DNS TXT record with name 'example' in network default",
    );
    for (const command of ['delete', 'modify'] as const) {
      expectFailure(
        txt(),
        command,
        'dns-txt',
        "<txt name='notexisted' value='modified example'/>",
        'OPERATION_INVALID',
        "couldn't locate a matching DNS TXT record in network default",
      );
    }
    expectFailure(
      txt(),
      'modify',
      'dns-txt',
      "<txt name='example'/>",
      'OPERATION_INVALID',
      'missing value of modifying DNS TXT record in network default',
    );
  });

  it('needs a value to add', () => {
    expectFailure(
      txt(),
      'add-last',
      'dns-txt',
      "<txt name='novalue'/>",
      'XML_DETAIL',
      "missing required value attribute in DNS TXT record named 'novalue' of network default",
    );
  });
});

/* ---------- dns-srv ---------- */

describe('dns-srv', () => {
  const SRV = "<srv service='name' protocol='tcp' domain='test-domain-name' target='.' port='1024' priority='10' weight='10'/>";
  const DONKEY = "<srv service='name' protocol='tcp' domain='donkey' target='.' port='404' priority='10' weight='10'/>";
  const one = (): NetworkDef =>
    net({
      dns: minimalDnsDef({
        srvs: [{ service: 'name', protocol: 'tcp', domain: 'test-domain-name', target: '.', port: 1024, priority: 10, weight: 10 }],
      }),
    });

  it('adds a record no existing one matches on every given field', () => {
    const out = applyUpdate(one(), 'add-last', 'dns-srv', -1, DONKEY);
    expect(out.dns.srvs.map((s) => s.domain)).toEqual(['test-domain-name', 'donkey']);
    expect(applyUpdate(net(), 'add-first', 'dns-srv', -1, SRV).dns.srvs).toEqual(one().dns.srvs);
  });

  it('refuses an add that matches an existing record', () => {
    expectFailure(
      one(),
      'add-last',
      'dns-srv',
      SRV,
      'OPERATION_INVALID',
      'there is already at least one DNS SRV record matching all specified fields in network default',
    );
  });

  it('deletes exactly one record matching the given fields', () => {
    expect(applyUpdate(one(), 'delete', 'dns-srv', -1, "<srv protocol='tcp'/>").dns.srvs).toEqual([]);
    const two = applyUpdate(one(), 'add-last', 'dns-srv', -1, DONKEY);
    expect(applyUpdate(two, 'delete', 'dns-srv', -1, DONKEY).dns.srvs).toEqual(one().dns.srvs);
    expectFailure(
      two,
      'delete',
      'dns-srv',
      "<srv service='name'/>",
      'OPERATION_INVALID',
      'multiple DNS SRV records matching all specified fields were found in network default',
    );
    expectFailure(
      one(),
      'delete',
      'dns-srv',
      "<srv protocol='pudding'/>",
      'OPERATION_INVALID',
      "couldn't locate a matching DNS SRV record in network default",
    );
  });

  it('cannot modify (11.3), before even checking the element', () => {
    expectFailure(one(), 'modify', 'dns-srv', '<txt/>', 'OPERATION_UNSUPPORTED', 'DNS SRV records cannot be modified, only added or deleted');
  });

  it('needs service and protocol to add', () => {
    expectFailure(
      net(),
      'add-last',
      'dns-srv',
      "<srv protocol='tcp'/>",
      'XML_DETAIL',
      "missing required service attribute in DNS SRV record of network 'default'",
    );
  });
});
