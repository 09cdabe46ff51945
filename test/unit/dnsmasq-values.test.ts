/**
 * Issue 10, point 1: no value of a network definition reaches dnsmasq except
 * as itself. Each case is a document a user can send; each either is refused
 * when it is parsed, naming the element, or gives files that dnsmasq (as
 * test/support/dnsmasq-reader.ts reads them, and `dnsmasq --test` where it
 * is installed) takes exactly as meant.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseNetworkXml } from '../../src/conf/network/parse.js';
import type { NetworkDef } from '../../src/conf/network/types.js';
import { planDnsmasq } from '../../src/plan/dnsmasq.js';
import { dhcpBoot, dhcpHostFields, readDnsmasqConf, readHostsFile, serverArg, stringArg, txtRecord, unhide } from '../support/dnsmasq-reader.js';
import { OPTIONS_WE_WRITE } from './support/dnsmasq-options.js';
import { thrownBy } from './support/vir-error.js';

const haveDnsmasq = spawnSync('sh', ['-c', 'command -v dnsmasq']).status === 0;
const scratch = mkdtempSync(join(tmpdir(), 'vnt-dnsmasq-values-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Parts {
  bridge?: string;
  domain?: string;
  dns?: string;
  dhcp?: string;
  tftp?: string;
  options?: string;
}

/** A NAT network with DHCP; `parts` replace or add pieces (raw XML). */
function doc(p: Parts = {}): string {
  return [
    `<network${p.options !== undefined ? " xmlns:dnsmasq='http://libvirt.org/schemas/network/dnsmasq/1.0'" : ''}>`,
    '  <name>lab</name>',
    '  <uuid>0f0e0d0c-0b0a-4908-8706-050403020100</uuid>',
    "  <forward mode='nat'/>",
    `  <bridge name='${p.bridge ?? 'vnbr7'}'/>`,
    p.domain !== undefined ? `  <domain name='${p.domain}'/>` : '',
    p.dns ?? '',
    "  <ip address='10.9.8.1' prefix='24'>",
    p.tftp ?? '',
    '    <dhcp>',
    "      <range start='10.9.8.10' end='10.9.8.20'/>",
    p.dhcp ?? '',
    '    </dhcp>',
    '  </ip>',
    p.options !== undefined ? `  <dnsmasq:options>${p.options}</dnsmasq:options>` : '',
    '</network>',
  ].join('\n');
}

/** An attribute value as a document carries it: escaped, newlines as character references. */
const a = (value: string): string =>
  value.replace(/[&<'"\t\n\r]/g, (c) => ({ '&': '&amp;', '<': '&lt;', "'": '&apos;', '"': '&quot;' })[c] ?? `&#${c.charCodeAt(0)};`);

function plan(def: NetworkDef): ReturnType<typeof planDnsmasq> {
  return planDnsmasq(def, { stateDir: '/srv/vn/dnsmasq', pidFile: '/run/vn/lab.pid', leaseFile: '/srv/vn/dnsmasq/lab.leases' });
}

/** The directives dnsmasq reads from the conf, with their option names. */
function directives(def: NetworkDef): { option: string; arg: string | undefined }[] {
  const read = readDnsmasqConf(plan(def).conf);
  expect(read.error).toBeUndefined();
  return read.directives.map((d) => ({ option: d.option, arg: d.arg === undefined ? undefined : unhide(d.arg) }));
}

/** `dnsmasq --test` on the conf: its verdict. */
function dnsmasqTest(def: NetworkDef): string {
  const file = join(scratch, `t${Math.random().toString(36).slice(2)}.conf`);
  writeFileSync(file, plan(def).conf);
  const r = spawnSync('dnsmasq', ['--test', `--conf-file=${file}`], { encoding: 'utf8' });
  return `${r.stdout}${r.stderr}`.trim();
}

describe('values written to dnsmasq are read back as themselves', () => {
  it('a TXT value with a newline and a dnsmasq directive stays one TXT record (no dhcp-script line)', () => {
    const value = 'x\ndhcp-script=/tmp/evil.sh';
    const def = parseNetworkXml(doc({ dns: `  <dns><txt name='t' value='${a(value)}'/></dns>` }));
    const read = directives(def);
    expect(read.map((d) => d.option).filter((o) => !OPTIONS_WE_WRITE.has(o))).toEqual([]);
    const txts = readDnsmasqConf(plan(def).conf).directives.filter((d) => d.option === 'txt-record');
    expect(txts.map((d) => txtRecord(d.arg!))).toEqual([{ name: 't', strings: [value] }]);
    if (haveDnsmasq) expect(dnsmasqTest(def)).toBe('dnsmasq: syntax check OK.');
  });

  it('a TXT value with a double quote, a tab, a " #" and spaces at both ends is held exactly', () => {
    const value = '  say "hi"\tnow #not a comment  ';
    const def = parseNetworkXml(doc({ dns: `  <dns><txt name='t' value='${a(value)}'/></dns>` }));
    const txts = readDnsmasqConf(plan(def).conf).directives.filter((d) => d.option === 'txt-record');
    expect(txts.map((d) => txtRecord(d.arg!))).toEqual([{ name: 't', strings: [value] }]);
    if (haveDnsmasq) expect(dnsmasqTest(def)).toBe('dnsmasq: syntax check OK.');
  });

  it('a TXT record too long for one dnsmasq line is refused (the rest of the line would be read as a directive)', () => {
    const value = `${'a'.repeat(1011)}port=0`;
    const err = thrownBy(() => parseNetworkXml(doc({ dns: `  <dns><txt name='t' value='${value}'/></dns>` })));
    expect(err.message).toBe(
      "unsupported configuration: DNS TXT record 't' in network lab is too long: dnsmasq reads at most 1024 bytes per line, it needs 1030",
    );
  });

  it('a TXT value starting with a newline is refused: dnsmasq drops it even when quoted', () => {
    const err = thrownBy(() => parseNetworkXml(doc({ dns: "  <dns><txt name='t' value='&#10;x'/></dns>" })));
    expect(err.message).toBe(
      "unsupported configuration: value of DNS TXT record 't' in network lab holds a leading tab, newline or carriage return, which dnsmasq cannot read",
    );
  });

  it('refuses a newline in a TXT name, an SRV domain or target, a forwarder domain and the domain name', () => {
    expect(thrownBy(() => parseNetworkXml(doc({ dns: "  <dns><txt name='t&#10;port=0' value='v'/></dns>" }))).message).toBe(
      "prohibited character in DNS TXT record name 't\nport=0' of network lab",
    );
    expect(thrownBy(() => parseNetworkXml(doc({ dns: "  <dns><srv service='s' protocol='tcp' domain='d&#10;port=0'/></dns>" }))).message).toBe(
      "invalid domain attribute 'd\nport=0' in DNS SRV record of network 'lab'",
    );
    expect(thrownBy(() => parseNetworkXml(doc({ dns: "  <dns><srv service='s' protocol='tcp' target='t&#10;port=0'/></dns>" }))).message).toBe(
      "invalid target attribute 't\nport=0' in DNS SRV record of network 'lab'",
    );
    expect(thrownBy(() => parseNetworkXml(doc({ dns: "  <dns><forwarder domain='d&#10;port=0'/></dns>" }))).message).toBe(
      "XML error: Invalid forwarder domain 'd\nport=0' in network 'lab'",
    );
    expect(thrownBy(() => parseNetworkXml(doc({ domain: 'd&#10;port=0' }))).message).toBe(
      "XML error: Invalid domain name 'd\nport=0' in network 'lab'",
    );
  });

  it("refuses a '/' in a forwarder domain and the domain name, which dnsmasq would read as two domains", () => {
    expect(thrownBy(() => parseNetworkXml(doc({ dns: "  <dns><forwarder domain='a/b' addr='192.0.2.53'/></dns>" }))).message).toBe(
      "XML error: Invalid forwarder domain 'a/b' in network 'lab'",
    );
    expect(thrownBy(() => parseNetworkXml(doc({ domain: 'a/b' }))).message).toBe("XML error: Invalid domain name 'a/b' in network 'lab'");
    const def = parseNetworkXml(doc({ domain: 'ex"ample', dns: "  <dns><forwarder domain='fw\"d' addr='192.0.2.53'/></dns>" }));
    const read = readDnsmasqConf(plan(def).conf).directives;
    expect(read.filter((d) => d.option === 'server').map((d) => serverArg(d.arg!))).toEqual([{ domains: ['fw"d'], rest: '192.0.2.53' }]);
    expect(read.filter((d) => d.option === 'domain').map((d) => unhide(d.arg!))).toEqual(['ex"ample']);
  });

  it('refuses a newline in <tftp root> and <bootp file>; other characters are held exactly', () => {
    expect(thrownBy(() => parseNetworkXml(doc({ tftp: "    <tftp root='/srv&#10;port=0'/>" }))).message).toBe(
      "XML error: Invalid tftp root '/srv\nport=0' in network 'lab'",
    );
    expect(thrownBy(() => parseNetworkXml(doc({ dhcp: "      <bootp file='pxe&#10;port=0'/>" }))).message).toBe(
      "XML error: Invalid bootp file 'pxe\nport=0' in network 'lab'",
    );
    const def = parseNetworkXml(
      doc({ tftp: "    <tftp root='/srv/a,b &quot;c&quot; #d '/>", dhcp: "      <bootp file='tag:x,y' server='10.9.8.2'/>" }),
    );
    const read = readDnsmasqConf(plan(def).conf).directives;
    expect(read.filter((d) => d.option === 'tftp-root').map((d) => stringArg(d.arg))).toEqual(['/srv/a,b "c" #d ']);
    expect(read.filter((d) => d.option === 'dhcp-boot').map((d) => dhcpBoot(d.arg!))).toEqual([
      { tags: [], file: 'tag:x,y', sname: undefined, server: '10.9.8.2' },
    ]);
    if (haveDnsmasq) expect(dnsmasqTest(def)).toBe('dnsmasq: syntax check OK.');
  });

  it('refuses a bridge name dnsmasq, ip or nft would read differently (newline, space, comma, wildcard)', () => {
    for (const bridge of ['br&#10;port=0', 'br 0', 'br,lo', 'br*', 'averylongbridgename']) {
      const err = thrownBy(() => parseNetworkXml(doc({ bridge })));
      expect(err.message).toMatch(/^XML error: Invalid bridge name '.*' in network 'lab'$/s);
    }
    expect(parseNetworkXml(doc({ bridge: 'vn%d' })).bridge.name).toBe('vn%d');
  });

  it('refuses DHCP host names dnsmasq would read as something else: vm,ignore, a newline, ignore, a lease time, an address', () => {
    for (const name of ['vm,ignore', 'vm&#10;52:54:00:00:00:09,10.9.8.99', 'ignore', 'infinite', '30', '12h', '10.9.8.7', 'a:b', 'v"m']) {
      const err = thrownBy(() =>
        parseNetworkXml(doc({ dhcp: `      <host mac='52:54:00:00:00:01' name='${name.replace(/"/g, '&quot;')}' ip='10.9.8.30'/>` })),
      );
      expect(err.message).toMatch(/^XML error: Cannot use host name '.*' in network 'lab'$/s);
    }
  });

  it('writes only the address of a host MAC followed by more text (libvirt accepts "MAC junk")', () => {
    const def = parseNetworkXml(doc({ dhcp: "      <host mac='52:54:00:00:00:01&#10;vm,10.9.8.31' name='vm' ip='10.9.8.30'/>" }));
    const lines = readDnsmasqConf(plan(def).hostsfile, 'dhcp-host').directives;
    expect(lines.map((d) => dhcpHostFields(d.arg!))).toEqual([
      [
        { kind: 'mac', value: '52:54:00:00:00:01' },
        { kind: 'ipv4', value: '10.9.8.30' },
        { kind: 'name', value: 'vm' },
      ],
    ]);
  });

  it('refuses DNS host names with white space or a #, which would add names or cut the line in addn-hosts', () => {
    for (const name of ['a b', 'a&#10;b', 'a#b']) {
      const err = thrownBy(() => parseNetworkXml(doc({ dns: `  <dns><host ip='10.9.8.5'><hostname>${name}</hostname></host></dns>` })));
      expect(err.message).toMatch(/^Invalid hostname '.*' in network 'lab' DNS HOST record$/s);
    }
    const def = parseNetworkXml(doc({ dns: "  <dns><host ip='10.9.8.5'><hostname>a\"b</hostname><hostname>c</hostname></host></dns>" }));
    expect(readHostsFile(plan(def).addnhosts)).toEqual([{ address: '10.9.8.5', names: ['a"b', 'c'] }]);
  });

  it('refuses a <dnsmasq:option> value that is more than one line', () => {
    const err = thrownBy(() => parseNetworkXml(doc({ options: "<dnsmasq:option value='log-dhcp&#10;dhcp-script=/tmp/x'/>" })));
    expect(err.message).toBe(
      "unsupported configuration: dnsmasq option 'log-dhcp\ndhcp-script=/tmp/x' of network 'lab' is not one line of at most 1024 bytes",
    );
  });

  it('refuses SRV service and protocol names longer than a DNS label, which dnsmasq refuses', () => {
    const err = thrownBy(() => parseNetworkXml(doc({ dns: `  <dns><srv service='${'s'.repeat(63)}' protocol='tcp'/></dns>` })));
    expect(err.message).toBe(`service attribute '${'s'.repeat(63)}' in network 'lab' is too long for a DNS label, limit is 62 bytes`);
  });
});
