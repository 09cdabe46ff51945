/**
 * Property tests of the XML layer:
 * - for generated definitions, parse(format(def)) equals def, and format is
 *   a fixed point (format(parse(format(def))) === format(def));
 * - values holding <>&'" and control characters are escaped exactly as
 *   libvirt escapes them, and read back as libxml2 normalizes them.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseNetworkXml } from '../../src/conf/network/parse.js';
import { formatNetworkXml } from '../../src/conf/network/format.js';
import { escapeXml, escapeXmlAttr, escapeXmlText } from '../../src/xml/escape.js';
import type { DhcpHost, DhcpRange, DnsDef, ForwardDef, IpDef, NetworkDef, RouteDef } from '../../src/conf/network/types.js';

const NAME_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.';
const name = fc
  .array(fc.constantFrom(...NAME_CHARS), { minLength: 1, maxLength: 16 })
  .map((a) => a.join(''))
  .filter((s) => s !== '.' && s !== '..');
const dnsLabel = fc.array(fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'), { minLength: 1, maxLength: 10 }).map((a) => a.join(''));
/** A DHCP host name dnsmasq reads as a name (not "30", "12h", "ignore"...): one letter first. */
const hostName = dnsLabel.map((l) => `h${l}`);
const dnsName = fc.array(dnsLabel, { minLength: 1, maxLength: 3 }).map((a) => a.join('.'));
/** Printable text including the XML specials, without control characters. */
const text = fc.string({ unit: fc.constantFrom(...'ab c<>&\'"xyzé€—/=;:'), minLength: 1, maxLength: 20 });
const hex2 = fc.integer({ min: 0, max: 255 }).map((n) => n.toString(16).padStart(2, '0'));
const mac = fc.tuple(hex2, hex2, hex2).map(([a, b, c]) => `52:54:00:${a}:${b}:${c}`);

/** One IPv4 /24 subnet 10.X.Y.0/24 with the gateway at .1, plus DHCP inside it. */
const ipv4 = fc
  .record({
    x: fc.integer({ min: 0, max: 255 }),
    y: fc.integer({ min: 0, max: 255 }),
    useNetmask: fc.boolean(),
    withFamily: fc.boolean(),
    localPtr: fc.option(fc.boolean(), { nil: undefined }),
    dhcp: fc.option(
      fc.record({
        ranges: fc.array(
          fc.tuple(fc.integer({ min: 2, max: 120 }), fc.integer({ min: 0, max: 100 })).map(([s, len]) => ({ s, e: s + len })),
          { maxLength: 2 },
        ),
        hosts: fc.uniqueArray(fc.record({ last: fc.integer({ min: 130, max: 250 }), mac, host: hostName }), {
          maxLength: 3,
          selector: (h) => h.last,
        }),
        lease: fc.option(fc.record({ expiry: fc.integer({ min: 3, max: 1000 }), unit: fc.constantFrom('minutes' as const, 'hours' as const) }), {
          nil: undefined,
        }),
      }),
      { nil: undefined },
    ),
  })
  .map((r): IpDef => {
    const net = `10.${r.x}.${r.y}`;
    const ranges: DhcpRange[] = (r.dhcp?.ranges ?? []).map((g) => ({
      start: `${net}.${g.s}`,
      end: `${net}.${g.e}`,
      ...(r.dhcp?.lease ? { lease: r.dhcp.lease } : {}),
    }));
    const hosts: DhcpHost[] = (r.dhcp?.hosts ?? []).map((h) => ({ mac: h.mac, name: h.host, ip: `${net}.${h.last}` }));
    return {
      ...(r.withFamily ? { family: 'ipv4' as const } : {}),
      address: `${net}.1`,
      ...(r.useNetmask ? { netmask: '255.255.255.0' } : { prefix: 24 }),
      ...(r.localPtr !== undefined ? { localPtr: r.localPtr } : {}),
      // libvirt writes <dhcp> only when it holds ranges or hosts.
      dhcp: ranges.length + hosts.length > 0,
      ranges,
      hosts,
    };
  });

const ipv6 = fc
  .integer({ min: 1, max: 0xfffe })
  .map((n): IpDef => ({ family: 'ipv6', address: `fd00:${n.toString(16)}::1`, prefix: 64, dhcp: false, ranges: [], hosts: [] }));

function uniqueSubnets(ips: IpDef[]): boolean {
  const seen = new Set(ips.map((i) => i.address));
  return seen.size === ips.length;
}

const dns = fc
  .record({
    enable: fc.constantFrom(undefined, true),
    forwardPlainNames: fc.option(fc.boolean(), { nil: undefined }),
    forwarders: fc.array(
      fc.record({ addr: fc.constantFrom('8.8.8.8', '192.0.2.53', '2001:db8::53'), domain: fc.option(dnsName, { nil: undefined }) }),
      {
        maxLength: 2,
      },
    ),
    txts: fc.uniqueArray(fc.record({ name: dnsLabel, value: text }), { maxLength: 2, selector: (t) => t.name }),
    hosts: fc.array(fc.record({ ip: fc.constantFrom('192.0.2.7', '2001:db8::7'), hostnames: fc.array(dnsName, { minLength: 1, maxLength: 2 }) }), {
      maxLength: 2,
    }),
  })
  .map(
    (d): DnsDef => ({
      ...(d.enable !== undefined ? { enable: d.enable } : {}),
      ...(d.forwardPlainNames !== undefined ? { forwardPlainNames: d.forwardPlainNames } : {}),
      forwarders: d.forwarders.map((f) => ({ ...(f.domain !== undefined ? { domain: f.domain } : {}), addr: f.addr })),
      txts: d.txts,
      srvs: [],
      hosts: d.hosts,
    }),
  );

const virtualNetwork = fc
  .record({
    name,
    uuid: fc.uuid(),
    title: fc.option(text, { nil: undefined }),
    description: fc.option(text, { nil: undefined }),
    mode: fc.constantFrom('none' as const, 'nat' as const, 'route' as const, 'open' as const),
    dev: fc.option(fc.constantFrom('eth0', 'eth1', 'enp1s0'), { nil: undefined }),
    bridgeNum: fc.integer({ min: 0, max: 255 }),
    stp: fc.boolean(),
    delay: fc.integer({ min: 0, max: 30 }),
    mtu: fc.constantFrom(0, 1400, 9000),
    mac,
    domain: fc.option(fc.record({ name: dnsName, localOnly: fc.option(fc.boolean(), { nil: undefined }) }), { nil: undefined }),
    dns,
    ipv4s: fc.array(ipv4, { minLength: 1, maxLength: 2 }),
    ipv6s: fc.array(ipv6, { maxLength: 1 }),
    route: fc.boolean(),
    options: fc.array(fc.constantFrom('log-queries', 'cname=a.example.com,b.example.com'), { maxLength: 2 }),
  })
  .filter((r) => uniqueSubnets([...r.ipv4s, ...r.ipv6s]))
  .map((r): NetworkDef => {
    // libvirt allows DHCP on one IPv4 <ip> only; keep it on the first.
    const ips = [r.ipv4s[0]!, ...r.ipv4s.slice(1).map((i) => ({ ...i, dhcp: false, ranges: [], hosts: [] })), ...r.ipv6s];
    const dev = r.mode === 'open' || r.mode === 'none' ? undefined : r.dev;
    const forward: ForwardDef = {
      mode: r.mode,
      interfaces: dev !== undefined ? [{ type: 'netdev', dev, connections: 0 }] : [],
    };
    const first = ips[0]!;
    const routes: RouteDef[] = r.route ? [{ address: '198.51.100.0', prefix: 24, gateway: first.address!.replace(/\.1$/, '.254') }] : [];
    return {
      name: r.name,
      uuid: r.uuid,
      uuidSpecified: true,
      ...(r.title !== undefined ? { title: r.title } : {}),
      ...(r.description !== undefined ? { description: r.description } : {}),
      connections: 0,
      forward,
      bridge: { name: `virbr${r.bridgeNum}`, stp: r.stp, delay: r.delay },
      mtu: r.mtu,
      mac: r.mac,
      ...(r.domain ? { domain: { name: r.domain.name, ...(r.domain.localOnly !== undefined ? { localOnly: r.domain.localOnly } : {}) } } : {}),
      dns: r.dns,
      ips,
      routes,
      portGroups: [],
      dnsmasqOptions: r.options,
    };
  });

describe('network XML properties', () => {
  it('parse(format(def)) equals def, and format is a fixed point', () => {
    fc.assert(
      fc.property(virtualNetwork, (def) => {
        const xml = formatNetworkXml(def);
        const back = parseNetworkXml(xml);
        expect(back).toEqual(def);
        expect(formatNetworkXml(back)).toBe(xml);
      }),
      { numRuns: 300 },
    );
  });

  it('escapes attribute and text values as libvirt does, with tabs and line ends as character references', () => {
    // libvirt writes &lt; &gt; &amp; &quot; &apos; and silently drops control
    // characters other than tab, newline and carriage return. It writes those
    // three raw, which libxml2 reads back as spaces in attributes (and a CR as
    // a newline in text); virtnet writes them as character references.
    const anyChars = fc.string({ unit: fc.constantFrom(...'a<>&\'"\u0001\u0007\u001b\u001f\t\n\rz'), maxLength: 24 });
    fc.assert(
      fc.property(anyChars, anyChars, (title, value) => {
        const def = parseNetworkXml(
          "<network><name>esc</name><uuid>81ff0d90-c91e-6742-64da-4a736edb9a9b</uuid><dns><txt name='t' value='x'/></dns></network>",
        );
        const description = `d${title}`;
        def.description = description;
        def.dns.txts = [{ name: 't', value: `v${value}` }];
        const xml = formatNetworkXml(def);
        expect(xml).toContain(`<description>${escapeXmlText(description)}</description>`);
        expect(xml).toContain(`value='${escapeXmlAttr(`v${value}`)}'`);
        // biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters XML 1.0 cannot carry are what is checked
        expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
        const back = parseNetworkXml(xml);
        // What is read back is what was given, less the control characters libvirt drops.
        // biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters XML 1.0 cannot carry are what libvirt drops
        const dropped = (s: string) => s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
        expect(back.dns.txts[0]?.value).toBe(dropped(`v${value}`));
        expect(back.description).toBe(dropped(description));
        // escapeXml is libvirt's own: the same text wherever libvirt's round-trips.
        if (!/[\t\n\r]/.test(value)) expect(escapeXmlAttr(`v${value}`)).toBe(escapeXml(`v${value}`));
      }),
      { numRuns: 300 },
    );
  });
});
