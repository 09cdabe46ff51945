/**
 * An OVN network in network XML: `<virtnet:ovn>` read under any prefix,
 * written back with the namespace on <network> and no <bridge>, given a MAC
 * but no bridge name at define, accepted by --validate, and refused with a
 * plain message for what OVN (or virtnet's translation) cannot carry.
 */
import { describe, expect, it } from 'vitest';
import { applyDefineDefaults, prepareNetworkForDefine } from '../../src/conf/network/defaults.js';
import { formatNetworkXml } from '../../src/conf/network/format.js';
import { parseNetworkXml } from '../../src/conf/network/parse.js';
import { validateNetworkXml } from '../../src/conf/network/schema.js';
import { hasLinuxBridge } from '../../src/conf/network/types.js';
import { thrownBy } from './support/vir-error.js';
import { rejectionOf } from './support/vir-error.js';
import { dhcpSubnetXml, OVN_LAB_UPLINK } from './support/network-xml.js';

const NS = 'https://virtnet.dev/schemas/network/ovn/1';

const natXml = `<network xmlns:virtnet='${NS}'>
  <name>ovn1</name>
  <uuid>4a5b7f1c-0d2e-4f3a-9b8c-1d2e3f4a5b6c</uuid>
  <forward mode='nat'/>
  <mac address='52:54:00:0a:0b:0c'/>
  <domain name='lab'/>
  <dns>
    <host ip='10.77.0.50'>
      <hostname>printer</hostname>
    </host>
  </dns>
${dhcpSubnetXml('10.77.0', [100, 199], { mac: '02:77:00:00:00:01', name: 'vm1', last: 11 })}
  <virtnet:ovn northbound='unix:/run/ovn/ovnnb_db.sock'>
${OVN_LAB_UPLINK}
    <virtnet:addressSet name='admins'>
      <virtnet:address>10.77.0.11</virtnet:address>
      <virtnet:address>10.77.0.128/25</virtnet:address>
    </virtnet:addressSet>
    <virtnet:acl direction='to-lport' priority='1000' action='drop' match='outport == @network &amp;&amp; icmp4 &amp;&amp; ip4.src != $admins'/>
  </virtnet:ovn>
</network>
`;

const noDefine = { networks: [], linkExists: async () => false, randomBytes: () => new Uint8Array([1, 2, 3]) };

/** `natXml` with `from` replaced by `to`. */
const edit = (from: string | RegExp, to: string): string => {
  const out = natXml.replace(from, to);
  if (out === natXml) throw new Error(`edit found nothing to replace: ${from}`);
  return out;
};

async function defineError(xml: string): Promise<string> {
  return (await rejectionOf(prepareNetworkForDefine(parseNetworkXml(xml), noDefine))).message;
}

describe('OVN network XML', () => {
  it('reads <virtnet:ovn> into the model', () => {
    const def = parseNetworkXml(natXml);
    expect(def.ovn).toEqual({
      northbound: 'unix:/run/ovn/ovnnb_db.sock',
      uplink: { network: 'uplink', address: '198.51.100.10', prefix: 24, gateway: '198.51.100.1' },
      gateways: [
        { chassis: 'h1', priority: 20 },
        { chassis: 'h2', priority: 10 },
      ],
      addressSets: [{ name: 'admins', addresses: ['10.77.0.11', '10.77.0.128/25'] }],
      acls: [{ direction: 'to-lport', priority: 1000, action: 'drop', match: 'outport == @network && icmp4 && ip4.src != $admins' }],
    });
    expect(hasLinuxBridge(def)).toBe(false);
  });

  it('writes it back byte for byte, with no <bridge>, and keeps it through a define', async () => {
    const def = await prepareNetworkForDefine(parseNetworkXml(natXml), noDefine);
    expect(def.bridge.name).toBeUndefined();
    expect(formatNetworkXml(def)).toBe(natXml);
    expect(formatNetworkXml(parseNetworkXml(formatNetworkXml(def)))).toBe(natXml);
  });

  it('matches the element by namespace, whatever the prefix, and ignores other namespaces', () => {
    const other = natXml.replaceAll('virtnet:', 'o:').replace(`xmlns:virtnet='${NS}'`, `xmlns:o='${NS}'`);
    expect(parseNetworkXml(other).ovn).toEqual(parseNetworkXml(natXml).ovn);
    const foreign = natXml.replaceAll(NS, 'https://example.org/not-ovn');
    expect(parseNetworkXml(foreign).ovn).toBeUndefined();
  });

  it('derives what libvirt makes up at random, so the same XML on two hosts is one network', async () => {
    const xml = edit(/ {2}<uuid>[^\n]*\n {2}<forward mode='nat'\/>\n {2}<mac[^\n]*\n/, "  <forward mode='nat'/>\n");
    const a = await applyDefineDefaults(parseNetworkXml(xml), noDefine);
    const b = await applyDefineDefaults(parseNetworkXml(xml), {
      ...noDefine,
      randomBytes: () => new Uint8Array([9, 9, 9]),
      randomUuid: () => '00000000-0000-4000-8000-000000000000',
    });
    expect(a.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect([b.uuid, b.mac]).toEqual([a.uuid, a.mac]);
    expect(a.mac).toMatch(/^52:54:00(:[0-9a-f]{2}){3}$/);
    expect(a.bridge.name).toBeUndefined();
    // Another northbound database, another network.
    const other = await applyDefineDefaults(parseNetworkXml(xml.replace('unix:/run/ovn/ovnnb_db.sock', 'tcp:192.0.2.9:6641')), noDefine);
    expect(other.uuid).not.toBe(a.uuid);
    // A given UUID and MAC are kept.
    const given = await applyDefineDefaults(parseNetworkXml(natXml), noDefine);
    expect([given.uuid, given.mac]).toEqual(['4a5b7f1c-0d2e-4f3a-9b8c-1d2e3f4a5b6c', '52:54:00:0a:0b:0c']);
  });

  it('passes --validate', () => {
    expect(() => validateNetworkXml(natXml)).not.toThrow();
    const e = thrownBy(() => validateNetworkXml(edit("direction='to-lport'", "direction='sideways'")));
    expect(e.message).toMatch(/^XML document failed to validate against schema/);
  });

  it('refuses malformed OVN settings when parsing', () => {
    const parseError = (xml: string): string => thrownBy(() => parseNetworkXml(xml)).message;
    expect(parseError(edit(" northbound='unix:/run/ovn/ovnnb_db.sock'", ''))).toBe(
      "XML error: missing northbound attribute in <virtnet:ovn> of OVN network 'ovn1'",
    );
    expect(parseError(edit("address='198.51.100.10'", "address='fd00::10'"))).toBe(
      "XML error: invalid uplink address 'fd00::10' in OVN network 'ovn1': an IPv4 address is needed",
    );
    expect(parseError(edit("priority='20'", "priority='x'"))).toBe("XML error: invalid gateway priority 'x' in OVN network 'ovn1'");
    expect(parseError(edit("action='drop'", "action='pass'"))).toBe(
      "XML error: invalid ACL action 'pass' in OVN network 'ovn1': use allow, allow-related, drop, reject",
    );
    expect(parseError(edit("name='admins'", "name='9x'"))).toMatch(/^XML error: invalid address set name '9x'/);
    expect(parseError(edit("<virtnet:gateway chassis='h2'", "<virtnet:router chassis='h2'"))).toBe(
      "XML error: unexpected element <virtnet:router> in <virtnet:ovn> of network 'ovn1'",
    );
  });

  it('refuses at define what OVN cannot carry, naming it', async () => {
    const unsupported = (what: string): string => `unsupported configuration: ${what} is not supported on OVN network 'ovn1'`;
    expect(await defineError(edit("<forward mode='nat'/>", "<forward mode='open'/>"))).toBe(
      "unsupported configuration: forward mode 'open' is not supported on OVN network 'ovn1': use nat, route or no <forward>",
    );
    expect(await defineError(edit(/ {4}<virtnet:gateway[^\n]*\n/g, ''))).toBe(
      "unsupported configuration: OVN network 'ovn1' with forward mode 'nat' needs a <virtnet:uplink> and at least one <virtnet:gateway> chassis",
    );
    expect(await defineError(edit("  <forward mode='nat'/>\n", ''))).toBe(
      "unsupported configuration: OVN network 'ovn1' has no <forward>, so no router: <virtnet:uplink> and <virtnet:gateway> are only for forward mode 'nat' or 'route'",
    );
    expect(await defineError(edit("<mac address='52:54:00:0a:0b:0c'/>", "<bridge name='ovnbr0'/>"))).toBe(
      unsupported('<bridge> (guests plug into the integration bridge, there is no Linux bridge)'),
    );
    expect(await defineError(edit('</ip>', "</ip>\n  <ip family='ipv6' address='fd00::1' prefix='64'/>"))).toBe(unsupported('an IPv6 <ip>'));
    expect(
      await defineError(
        edit('<hostname>printer</hostname>\n    </host>', "<hostname>printer</hostname>\n    </host>\n    <txt name='a' value='b'/>"),
      ),
    ).toBe(unsupported('<dns><txt>'));
    expect(await defineError(edit("<host mac='02:77:00:00:00:01' name='vm1'", "<host name='vm1'"))).toBe(
      "unsupported configuration: a <host> of OVN network 'ovn1' needs a mac: OVN hands out addresses by MAC",
    );
    expect(await defineError(edit('ip4.src != $admins', 'ip4.src != $staff'))).toBe(
      "unsupported configuration: an ACL of OVN network 'ovn1' uses address set '$staff', which the network does not define",
    );
    expect(await defineError(edit("chassis='h2'", "chassis='h1'"))).toBe(
      "unsupported configuration: gateway chassis 'h1' is listed twice in OVN network 'ovn1'",
    );
    expect(await defineError(edit("northbound='unix:/run/ovn/ovnnb_db.sock'", "northbound='ssl:192.0.2.2'"))).toBe(
      "unsupported configuration: northbound 'ssl:192.0.2.2' of OVN network 'ovn1' is not tcp:HOST:PORT or unix:PATH",
    );
  });

  it('accepts an isolated OVN network (a logical switch only) and one with no address at all', async () => {
    const isolated = `<network xmlns:virtnet='${NS}'><name>iso</name><ip address='10.78.0.1' prefix='24'><dhcp><range start='10.78.0.10' end='10.78.0.20'/></dhcp></ip><virtnet:ovn northbound='tcp:192.0.2.2:6641'/></network>`;
    const def = await prepareNetworkForDefine(parseNetworkXml(isolated), noDefine);
    expect(formatNetworkXml(def)).toContain("  <virtnet:ovn northbound='tcp:192.0.2.2:6641'/>\n</network>\n");
    const bare = `<network xmlns:virtnet='${NS}'><name>l2</name><virtnet:ovn northbound='tcp:192.0.2.2:6641'/></network>`;
    expect((await prepareNetworkForDefine(parseNetworkXml(bare), noDefine)).ovn?.northbound).toBe('tcp:192.0.2.2:6641');
  });
});
