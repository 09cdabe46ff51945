/**
 * What differs between two definitions of a network (src/conf/network/diff.ts)
 * and the net-update calls that carry an edit to the running network
 * (update-entry.ts): DHCP, DNS records, portgroups and the forward pool are
 * live, everything else waits for the next start; the calls, applied with
 * net-update's own code, give the running network exactly the edited
 * entries, and none for what it already has.
 */
import { describe, expect, it } from 'vitest';
import { parseNetworkXml } from '../../src/conf/network/parse.js';
import { applyUpdate } from '../../src/conf/network/update.js';
import { diffNetworkDefs, definesAnother } from '../../src/conf/network/diff.js';
import { liveUpdatesForEdit, updateSnippet } from '../../src/conf/network/update-entry.js';
import { dhcpSubnetXml } from './support/network-xml.js';

const BASE = `<network>
  <name>n</name>
  <uuid>11111111-2222-3333-4444-555555555555</uuid>
  <forward mode='nat'/>
  <bridge name='virbr9'/>
  <dns>
    <forwarder addr='9.9.9.9'/>
    <txt name='t1' value='v1'/>
    <host ip='192.168.9.5'><hostname>a</hostname></host>
  </dns>
${dhcpSubnetXml('192.168.9', [100, 150], { mac: '52:54:00:00:00:01', name: 'h1', last: 10 })}
</network>`;

const text = (changes: ReturnType<typeof diffNetworkDefs>): string[] =>
  changes.map((c) => `${c.how} ${c.what}${c.detail ? ` ${c.detail}` : ''}${c.live ? ' (live)' : ''}`);

describe('diffNetworkDefs', () => {
  it('lists live entries and next-start parts apart', () => {
    const before = parseNetworkXml(BASE);
    const after = parseNetworkXml(
      BASE.replace("<host mac='52:54:00:00:00:01' name='h1' ip='192.168.9.10'/>", "<host mac='52:54:00:00:00:02' name='h2' ip='192.168.9.11'/>")
        .replace("<bridge name='virbr9'/>", "<bridge name='virbr9'/>\n  <mtu size='1400'/>")
        .replace("<forwarder addr='9.9.9.9'/>", "<forwarder addr='1.1.1.1'/>")
        .replace("<txt name='t1' value='v1'/>", "<txt name='t1' value='v1'/><txt name='t2' value='v2'/>"),
    );
    expect(text(diffNetworkDefs(before, after))).toEqual([
      'removed ip-dhcp-host 52:54:00:00:00:01 (live)',
      'added ip-dhcp-host 52:54:00:00:00:02 (live)',
      'added dns-txt t2 (live)',
      'removed dns-forwarder 9.9.9.9',
      'added dns-forwarder 1.1.1.1',
      'added mtu 1400',
    ]);
    expect(diffNetworkDefs(before, parseNetworkXml(BASE))).toEqual([]);
  });

  it('makes a changed <ip> address a next-start change, its DHCP entries included', () => {
    const after = parseNetworkXml(BASE.replace(/192\.168\.9\./g, '192.168.8.'));
    expect(text(diffNetworkDefs(parseNetworkXml(BASE), after)).filter((c) => / ip |dhcp/.test(c))).toEqual([
      'removed ip 192.168.9.1',
      'added ip 192.168.8.1',
    ]);
  });

  it('tells a definition of another network', () => {
    const a = parseNetworkXml(BASE);
    expect(definesAnother(a, parseNetworkXml(BASE.replace('<name>n</name>', '<name>m</name>')))).toBe(true);
    expect(definesAnother(a, parseNetworkXml(BASE.replace(/<uuid>.*<\/uuid>/, '')))).toBe(false);
  });
});

describe('liveUpdatesForEdit', () => {
  it('gives net-update calls that make the live network hold the edited entries, and skips what it has', () => {
    const saved = parseNetworkXml(BASE);
    // The running network lacks t1 already (removed live only) and has an extra reservation (added live only).
    const live = applyUpdate(
      applyUpdate(saved, 'delete', 'dns-txt', -1, "<txt name='t1' value='v1'/>"),
      'add-last',
      'ip-dhcp-host',
      0,
      "<host mac='52:54:00:00:00:09' ip='192.168.9.90'/>",
    );
    const edited = parseNetworkXml(
      BASE.replace("<txt name='t1' value='v1'/>", '')
        .replace("<host ip='192.168.9.5'><hostname>a</hostname></host>", "<host ip='192.168.9.6'><hostname>b</hostname><hostname>c</hostname></host>")
        .replace(
          "<range start='192.168.9.100' end='192.168.9.150'/>",
          "<range start='192.168.9.100' end='192.168.9.150'/><range start='192.168.9.200' end='192.168.9.210'/>",
        ),
    );
    const ops = liveUpdatesForEdit(saved, edited, live);
    expect(ops.map((o) => `${o.command} ${o.section} ${o.xml}`)).toEqual([
      "add-last ip-dhcp-range <range start='192.168.9.200' end='192.168.9.210'/>",
      "delete dns-host <host ip='192.168.9.5'>\n  <hostname>a</hostname>\n</host>",
      "add-last dns-host <host ip='192.168.9.6'>\n  <hostname>b</hostname>\n  <hostname>c</hostname>\n</host>",
    ]);
    let after = live;
    for (const op of ops) after = applyUpdate(after, op.command, op.section, op.parentIndex, op.xml);
    expect(after.dns).toEqual({ ...edited.dns, forwarders: after.dns.forwarders });
    expect(after.ips[0]?.ranges).toEqual(edited.ips[0]?.ranges);
  });

  it('writes each kind of entry as net-update reads it back', () => {
    const pg = { name: 'web', isDefault: true };
    expect(updateSnippet({ section: 'portgroup', parentIndex: -1, item: pg })).toBe("<portgroup name='web' default='yes'>\n</portgroup>");
    expect(updateSnippet({ section: 'forward-interface', parentIndex: -1, item: { type: 'netdev', dev: 'eth1', connections: 3 } })).toBe(
      "<interface dev='eth1'/>",
    );
    expect(updateSnippet({ section: 'ip-dhcp-host', parentIndex: 0, item: { id: '0:1:2', name: 'x', ip: 'fd00::5' } })).toBe(
      "<host id='0:1:2' name='x' ip='fd00::5'/>",
    );
    expect(updateSnippet({ section: 'dns-srv', parentIndex: -1, item: { service: 'ldap', protocol: 'tcp', target: 't', port: 389 } })).toBe(
      "<srv service='ldap' protocol='tcp' target='t' port='389'/>",
    );
  });
});
