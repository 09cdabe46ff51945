/**
 * Port forwards in network XML: `<virtnet:forwards>` inside `<metadata>`,
 * read under any prefix, written back where it was and exactly as libxml2
 * (and so libvirt) dumps it; the live `toaddress` only in live XML; and
 * every parse-time refusal with a message naming the forward.
 */
import { describe, expect, it } from 'vitest';
import { formatNetworkXml } from '../../src/conf/network/format.js';
import { parseNetworkXml, readNetworkTree } from '../../src/conf/network/parse.js';
import { forwardsCollide, parsePortRange } from '../../src/conf/network/port-forward.js';
import { formatPortForwardsDump } from '../../src/conf/network/port-forward-format.js';
import { validateNetworkXml } from '../../src/conf/network/schema.js';
import { thrownBy } from './support/vir-error.js';
import { dhcpSubnetXml } from './support/network-xml.js';

const NS = 'https://virtnet.dev/schemas/network/forwards/1';

const doc = (forwards: string, extra = ''): string => `<network>
  <name>pf</name>
  <uuid>7d0e1a52-9c3b-4c55-8f66-0a1b2c3d4e5f</uuid>
  <metadata>${extra}
    <vn:forwards xmlns:vn='${NS}'>${forwards}</vn:forwards>
  </metadata>
  <forward mode='nat'/>
  <bridge name='virbr9' stp='on' delay='0'/>
${dhcpSubnetXml('192.168.122', [2, 254], { mac: '52:54:00:00:00:10', name: 'web', last: 10 }, 'netmask')}
</network>
`;

describe('port forwards in <metadata>', () => {
  it('reads every attribute, under any prefix', () => {
    const def = parseNetworkXml(
      doc(`<vn:forward proto='tcp' port='2222' to='192.168.122.10' toport='22'/>
      <vn:forward proto='both' address='198.51.100.7' port='8000-8010' to='web'/>
      <vn:forward port='53' proto='udp' to='192.168.122.11' toport='53'/>`),
    );
    expect(def.portForwards).toEqual({
      position: 0,
      forwards: [
        { proto: 'tcp', port: { start: 2222, end: 2222 }, to: '192.168.122.10', toPort: { start: 22, end: 22 } },
        { proto: 'both', address: '198.51.100.7', port: { start: 8000, end: 8010 }, to: 'web' },
        // toport equal to port is no translation at all.
        { proto: 'udp', port: { start: 53, end: 53 }, to: '192.168.122.11' },
      ],
    });
    // The element is held typed, not twice.
    expect(def.metadata).toBeUndefined();
  });

  it('writes them back inside <metadata> as libxml2 dumps them, at their place among other metadata', () => {
    const other = `\n    <app:note xmlns:app='http://example.org/app'>kept</app:note>`;
    const xml = doc(`<vn:forward proto='udp' address='198.51.100.7' port='5000-5001' to='web' toport='6000-6001'/>`, other);
    const def = parseNetworkXml(xml);
    const out = formatNetworkXml(def, { inactive: true });
    expect(out).toContain(`  <metadata>
    <app:note xmlns:app="http://example.org/app">kept</app:note>
    <virtnet:forwards xmlns:virtnet="${NS}">
      <virtnet:forward proto="udp" address="198.51.100.7" port="5000-5001" to="web" toport="6000-6001"/>
    </virtnet:forwards>
  </metadata>
`);
    expect(parseNetworkXml(out)).toEqual(def);
  });

  it('formats the element byte for byte as libxml2 would, escapes included', () => {
    const forwards = [{ proto: 'tcp' as const, port: { start: 80, end: 80 }, to: `a"b<c>&d\té` }];
    const dump = formatPortForwardsDump(forwards, true);
    const xml = `<network><name>x</name><metadata>${dump}</metadata></network>`;
    const md = readNetworkTree(xml).children.find((c) => c.kind === 'element' && c.name === 'metadata');
    expect(md?.kind === 'element' ? md.children.find((c) => c.kind === 'element')?.dump : undefined).toBe(
      dump.replace('&#xE9;', 'é'), // the wasm libxml2 writes non-ASCII as is; libvirt's (2.9) as a reference, as we do
    );
  });

  it('shows where a named target points in live XML only', () => {
    const def = parseNetworkXml(doc(`<vn:forward port='80' to='web' toaddress='192.168.122.10'/>`));
    expect(def.portForwards?.forwards[0]?.toAddress).toBe('192.168.122.10');
    expect(formatNetworkXml(def)).toContain('to="web" toaddress="192.168.122.10"/>');
    expect(formatNetworkXml(def, { inactive: true })).toContain('to="web"/>');
  });

  it('is accepted by --validate', () => {
    expect(() => validateNetworkXml(doc(`<vn:forward proto='tcp' port='2222' to='web' toport='22'/>`))).not.toThrow();
  });

  it.each([
    [`<vn:forward proto='sctp' port='1' to='web'/>`, "XML error: invalid proto 'sctp' in a port forward of network 'pf': tcp, udp or both"],
    [`<vn:forward to='web'/>`, "XML error: missing port in a port forward of network 'pf'"],
    [`<vn:forward port='0' to='web'/>`, "XML error: invalid port '0' in a port forward of network 'pf': a port or range within 1-65535"],
    [`<vn:forward port='90-80' to='web'/>`, "XML error: invalid port '90-80' in a port forward of network 'pf': a port or range within 1-65535"],
    [`<vn:forward port='80'/>`, "XML error: missing to in a port forward of network 'pf'"],
    [
      `<vn:forward port='80-81' to='web' toport='22'/>`,
      "XML error: toport '22' in a port forward of network 'pf' does not have as many ports as port '80-81'",
    ],
    [
      `<vn:forward port='80' address='127.0.0.1' to='web'/>`,
      "XML error: invalid address '127.0.0.1' in a port forward of network 'pf': it is a loopback address, which is never forwarded",
    ],
    [
      `<vn:forward port='80' address='fe80::1' to='web'/>`,
      "XML error: invalid address 'fe80::1' in a port forward of network 'pf': it is not an IPv4 address",
    ],
    [
      `<vn:forward port='80' to='10.0.0.5'/>`,
      "XML error: port forward tcp *:80 of network 'pf' goes to 10.0.0.5, which is not in an IPv4 subnet of the network",
    ],
    [
      `<vn:forward port='80' to='192.168.122.1'/>`,
      "XML error: port forward tcp *:80 of network 'pf' goes to 192.168.122.1, which is the network's own address",
    ],
    [
      `<vn:forward port='80' to='192.168.122.255'/>`,
      "XML error: port forward tcp *:80 of network 'pf' goes to 192.168.122.255, which is the broadcast address of 192.168.122.0/24",
    ],
    [
      `<vn:forward port='8000-8010' to='web'/><vn:forward proto='both' address='198.51.100.7' port='8010' to='web'/>`,
      "XML error: port forward both 198.51.100.7:8010 of network 'pf' overlaps tcp *:8000-8010",
    ],
    [`<vn:other/>`, "XML error: unexpected element <other> in the port forwards of network 'pf'"],
  ])('refuses %s', (forwards, message) => {
    expect(thrownBy(() => parseNetworkXml(doc(forwards))).message).toBe(message);
  });

  it('belongs to NAT networks only', () => {
    const xml = doc(`<vn:forward port='80' to='web'/>`).replace("<forward mode='nat'/>", "<forward mode='route'/>");
    expect(thrownBy(() => parseNetworkXml(xml)).message).toBe(
      "XML error: network 'pf' has port forwards, which only a network with <forward mode='nat'/> on a bridge of this host can have",
    );
  });
});

describe('port forward rules', () => {
  it('reads port ranges', () => {
    expect(parsePortRange('22')).toEqual({ start: 22, end: 22 });
    expect(parsePortRange('8000-8010')).toEqual({ start: 8000, end: 8010 });
    for (const bad of ['', '0', '65536', '10-9', '1-', 'a', '1 - 2', '000001']) expect(parsePortRange(bad)).toBeUndefined();
  });

  it('collide on a common protocol, address (or every address) and port', () => {
    const f = (proto: 'tcp' | 'udp' | 'both', port: [number, number], address?: string) => ({
      proto,
      port: { start: port[0], end: port[1] },
      ...(address ? { address } : {}),
    });
    expect(forwardsCollide(f('tcp', [80, 80]), f('tcp', [80, 80]))).toBe(true);
    expect(forwardsCollide(f('tcp', [80, 80]), f('udp', [80, 80]))).toBe(false);
    expect(forwardsCollide(f('both', [80, 80]), f('udp', [70, 90]))).toBe(true);
    expect(forwardsCollide(f('tcp', [80, 80], '10.0.0.1'), f('tcp', [80, 80], '10.0.0.2'))).toBe(false);
    expect(forwardsCollide(f('tcp', [80, 80], '10.0.0.1'), f('tcp', [80, 80]))).toBe(true);
    expect(forwardsCollide(f('tcp', [80, 89]), f('tcp', [90, 99]))).toBe(false);
  });
});
