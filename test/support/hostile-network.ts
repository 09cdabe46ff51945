/**
 * Network documents with hostile strings in every field a user can set:
 * pieces that mean something to dnsmasq, ip, nft, a shell or XML, and
 * values around dnsmasq's 1024-byte line. Most fields stay ordinary in each
 * document, so that many documents are accepted and reach the planners.
 * Used by the injection property test and the fuzzer (test/fuzz).
 */
import fc from 'fast-check';

/** Pieces that mean something to dnsmasq, ip, nft, a shell or XML. */
export const PIECES = [
  'a',
  'B',
  '0',
  '7',
  '-',
  '_',
  '.',
  ' ',
  '  ',
  '\t',
  '\n',
  '\r',
  ',',
  '"',
  "'",
  '#',
  ' #',
  '/',
  ':',
  '\\',
  '*',
  '@',
  '=',
  '$',
  '%d',
  'é',
  '€',
  '&',
  '<',
  '>',
  'tag:',
  'net:',
  'id:',
  'ignore',
  'infinite',
  '30',
  '12h',
  '10.0.0.9',
  '[fd00::9]',
  'dhcp-script=/tmp/x',
  'port=0',
  'vm',
  'example.com',
];
export const hostile = fc.oneof(
  { weight: 5, arbitrary: fc.array(fc.constantFrom(...PIECES), { maxLength: 6 }).map((a) => a.join('')) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 990, max: 1100 }), fc.constantFrom(...PIECES)).map(([n, p]) => `${'x'.repeat(n)}${p}`) },
);
/** Mostly ordinary values, so that many documents are accepted; each field is hostile in one document of six. */
const field = (...ordinary: string[]): fc.Arbitrary<string> =>
  fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...ordinary) }, { weight: 1, arbitrary: hostile });
/** Values dnsmasq can hold with quoting are hostile more often. */
const quotable = (...ordinary: string[]): fc.Arbitrary<string> =>
  fc.oneof({ weight: 1, arbitrary: fc.constantFrom(...ordinary) }, { weight: 2, arbitrary: hostile });
const opt = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(a, { nil: undefined, freq: 2 });

/** An attribute value as a document carries it: escaped, tabs and line ends as character references. */
export const attr = (v: string): string =>
  v.replace(/[&<'"\t\n\r]/g, (c) => ({ '&': '&amp;', '<': '&lt;', "'": '&apos;', '"': '&quot;' })[c] ?? `&#${c.charCodeAt(0)};`);
export const text = (v: string): string => v.replace(/[&<>\r]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c] ?? '&#13;');

/** Whole network documents (XML text). */
export const hostileNetworks = fc
  .record({
    name: field('lab', 'net-1', "o'k", 'a b'),
    mode: fc.constantFrom('nat', 'route', 'none', 'open'),
    dev: opt(field('eth0', 'enp1s0')),
    bridge: field('vnbr7', 'virbr%d', 'br-lan.1'),
    domain: opt(field('example.com', 'lab')),
    localOnly: fc.boolean(),
    forwarder: opt(field('example.com', 'corp.example')),
    txts: fc.array(fc.tuple(field('t', '_acme', 'example'), quotable('value', 'v=spf1 -all', 'a,b')), { maxLength: 2 }),
    srv: opt(fc.tuple(field('ldap', 'sip'), field('tcp', 'udp'), opt(field('example.com')), opt(field('srv.example.com', '.')))),
    hostnames: fc.array(field('gateway', 'host.example.com'), { maxLength: 3 }),
    dhcpName: opt(field('vm1', 'host.lab')),
    macSuffix: opt(fc.constantFrom('', ' ', '\n', '\nvm,ignore', ' junk')),
    id: opt(field('0:1:0:1:18:aa:62:fe', '00:04:aa')),
    tftp: opt(quotable('/srv/tftp', '/var/lib/tftp')),
    bootp: opt(fc.tuple(quotable('pxelinux.0', 'boot/grub.efi'), fc.boolean())),
    option: opt(fc.constantFrom('log-dhcp', 'cname=a.lab,b.lab', 'log-queries\ndhcp-script=/tmp/x', `txt-record=x,${'y'.repeat(1100)}`)),
    description: opt(hostile),
  })
  .map((r) => {
    const dns: string[] = [];
    if (r.forwarder !== undefined) dns.push(`<forwarder domain='${attr(r.forwarder)}' addr='192.0.2.53'/>`);
    for (const [n, v] of r.txts) dns.push(`<txt name='${attr(n)}' value='${attr(v)}'/>`);
    if (r.srv) {
      const [s, p, d, t] = r.srv;
      dns.push(
        `<srv service='${attr(s)}' protocol='${attr(p)}'${d !== undefined ? ` domain='${attr(d)}'` : ''}${t !== undefined ? ` target='${attr(t)}' port='389'` : ''}/>`,
      );
    }
    if (r.hostnames.length > 0) dns.push(`<host ip='10.9.8.5'>${r.hostnames.map((h) => `<hostname>${text(h)}</hostname>`).join('')}</host>`);
    const mac = r.macSuffix !== undefined ? `52:54:00:00:00:01${r.macSuffix}` : '52:54:00:00:00:01';
    return [
      "<network xmlns:dnsmasq='http://libvirt.org/schemas/network/dnsmasq/1.0'>",
      `  <name>${text(r.name)}</name>`,
      '  <uuid>0f0e0d0c-0b0a-4908-8706-050403020100</uuid>',
      r.mode === 'none' ? '' : `  <forward mode='${r.mode}'${r.dev !== undefined && r.mode !== 'open' ? ` dev='${attr(r.dev)}'` : ''}/>`,
      `  <bridge name='${attr(r.bridge)}'/>`,
      r.description !== undefined ? `  <description>${text(r.description)}</description>` : '',
      r.domain !== undefined ? `  <domain name='${attr(r.domain)}'${r.localOnly ? " localOnly='yes'" : ''}/>` : '',
      dns.length > 0 ? `  <dns>${dns.join('')}</dns>` : '',
      "  <ip address='10.9.8.1' prefix='24'>",
      r.tftp !== undefined ? `    <tftp root='${attr(r.tftp)}'/>` : '',
      "    <dhcp><range start='10.9.8.10' end='10.9.8.20'/>",
      r.dhcpName !== undefined
        ? `      <host mac='${attr(mac)}' name='${attr(r.dhcpName)}' ip='10.9.8.30'/>`
        : `      <host mac='${attr(mac)}' ip='10.9.8.31'/>`,
      r.bootp ? `      <bootp file='${attr(r.bootp[0])}'${r.bootp[1] ? " server='10.9.8.2'" : ''}/>` : '',
      '    </dhcp>',
      '  </ip>',
      r.id !== undefined
        ? `  <ip family='ipv6' address='fd00:9::1' prefix='64'><dhcp><host id='${attr(r.id)}' name='v6host' ip='fd00:9::5'/></dhcp></ip>`
        : '',
      r.option !== undefined ? `  <dnsmasq:options><dnsmasq:option value='${attr(r.option)}'/></dnsmasq:options>` : '',
      '</network>',
    ].join('\n');
  });
