import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseNetworkXml } from '../../src/conf/network/parse.js';
import type { DhcpHost, IpDef, NetworkDef } from '../../src/conf/network/types.js';
import { needsDnsmasq, planDnsmasq, type DnsmasqPlanOptions } from '../../src/plan/dnsmasq.js';
import { minimalDnsDef, minimalNetworkDef } from './support/network-def.js';
import { thrownBy } from './support/vir-error.js';
import { CORPUS_DIR } from '../support/corpus-dir.js';

/** A NAT network with nothing but a name and a bridge; tests add what they need. */
function net(overrides: Partial<NetworkDef> = {}): NetworkDef {
  return minimalNetworkDef(
    { name: 'lab', uuid: '0f0e0d0c-0b0a-4908-8706-050403020100', bridge: { name: 'vnbr7', stp: true, delay: 0 }, ...overrides },
    'nat',
  );
}

function ip(address: string, more: Partial<IpDef> = {}): IpDef {
  return { address, dhcp: false, ranges: [], hosts: [], ...more };
}

const OPTS: DnsmasqPlanOptions = { stateDir: '/srv/vn/dnsmasq' };

/** The conf without its six header lines. */
function body(def: NetworkDef, options: DnsmasqPlanOptions = OPTS): string[] {
  return planDnsmasq(def, options).conf.split('\n').slice(6, -1);
}

describe('planDnsmasq: header and whole file', () => {
  it('names virtnet by default, with the double spaces, and ends every line in a newline', () => {
    const conf = planDnsmasq(net({ ips: [ip('10.9.8.1', { prefix: 24 })] }), OPTS).conf;
    expect(conf).toBe(
      '##WARNING:  THIS IS AN AUTO-GENERATED FILE. CHANGES TO IT ARE LIKELY TO BE\n' +
        '##OVERWRITTEN AND LOST.  Changes to this configuration should be made using:\n' +
        '##    virtnet net-edit lab\n' +
        '## or other application using the virtnet API.\n' +
        '##\n' +
        '## dnsmasq conf file created by virtnet\n' +
        'strict-order\n' +
        'except-interface=lo\n' +
        'bind-dynamic\n' +
        'interface=vnbr7\n' +
        'addn-hosts=/srv/vn/dnsmasq/lab.addnhosts\n',
    );
  });

  it('takes the edit tool and product from options, and writes the name raw', () => {
    const conf = planDnsmasq(net({ name: `o'k"&` }), { ...OPTS, editTool: 'virsh', product: 'libvirt' }).conf;
    expect(conf.split('\n').slice(2, 6)).toEqual([
      `##    virsh net-edit o'k"&`,
      '## or other application using the libvirt API.',
      '##',
      '## dnsmasq conf file created by libvirt',
    ]);
  });

  it('lays out a DHCP network in libvirt order: range, no-override, authoritative, boot, lease-max, files, mtu, raw options', () => {
    const def = net({
      mtu: 9000,
      domain: { name: 'lab.test' },
      dnsmasqOptions: ['log-dhcp', 'cname=a.lab.test,b.lab.test'],
      ips: [
        ip('172.20.4.1', {
          netmask: '255.255.255.0',
          dhcp: true,
          ranges: [{ start: '172.20.4.100', end: '172.20.4.199', lease: { expiry: 6, unit: 'hours' } }],
          hosts: [{ mac: '52:54:00:AA:bb:01', name: 'web', ip: '172.20.4.10' }],
          bootp: { file: 'ipxe.efi', server: '172.20.4.2' },
          tftpRoot: '/srv/tftp',
        }),
      ],
    });
    expect(body(def, { ...OPTS, pidFile: '/run/vn/lab.pid' })).toEqual([
      'strict-order',
      'domain=lab.test',
      'expand-hosts',
      'pid-file=/run/vn/lab.pid',
      'except-interface=lo',
      'bind-dynamic',
      'interface=vnbr7',
      'enable-tftp',
      'tftp-root=/srv/tftp',
      'dhcp-range=172.20.4.100,172.20.4.199,255.255.255.0,6h',
      'dhcp-no-override',
      'dhcp-authoritative',
      'dhcp-boot=ipxe.efi,,172.20.4.2',
      'dhcp-lease-max=100',
      'dhcp-hostsfile=/srv/vn/dnsmasq/lab.hostsfile',
      'addn-hosts=/srv/vn/dnsmasq/lab.addnhosts',
      'dhcp-option=option:mtu,9000',
      'log-dhcp',
      'cname=a.lab.test,b.lab.test',
    ]);
  });

  it('writes pid-file only when asked', () => {
    expect(body(net()).some((l) => l.startsWith('pid-file='))).toBe(false);
  });

  it('refuses a network whose bridge name has not been filled in', () => {
    const def = net({ bridge: { stp: true, delay: 0 } });
    expect(thrownBy(() => planDnsmasq(def, OPTS)).errorClass).toBe('INTERNAL_ERROR');
  });
});

describe('planDnsmasq: DNS', () => {
  it('writes forwarders, and no-resolv only when one takes every unclaimed query', () => {
    const withCatchAll = net({
      dns: {
        forwarders: [{ addr: '9.9.9.9' }, { domain: 'corp.test', addr: '10.1.1.1' }, { domain: 'ads.test' }, { addr: '2620:FE::FE' }],
        txts: [],
        srvs: [],
        hosts: [],
      },
    });
    expect(body(withCatchAll).slice(0, 6)).toEqual([
      'strict-order',
      'server=9.9.9.9',
      'server=/corp.test/10.1.1.1',
      'server=/ads.test/#',
      'server=2620:fe::fe',
      'no-resolv',
    ]);
    const scoped = net({ dns: { forwarders: [{ domain: 'corp.test', addr: '10.1.1.1' }], txts: [], srvs: [], hosts: [] } });
    expect(body(scoped)).not.toContain('no-resolv');
  });

  it('writes local=/D/ before domain= for a local-only domain', () => {
    expect(body(net({ domain: { name: 'in.lab', localOnly: true } })).slice(1, 4)).toEqual(['local=/in.lab/', 'domain=in.lab', 'expand-hosts']);
  });

  it('keeps plain names local when forwardPlainNames is no', () => {
    const lines = body(net({ dns: minimalDnsDef({ forwardPlainNames: false }) }));
    expect(lines.slice(1, 3)).toEqual(['domain-needed', 'local=//']);
    expect(body(net({ dns: minimalDnsDef({ forwardPlainNames: true }) }))).not.toContain('local=//');
  });

  it('with DNS disabled: port=0, and no forwarders, records, PTR zones or addn-hosts (the domain stays)', () => {
    const def = net({
      domain: { name: 'x.test' },
      dns: {
        enable: false,
        forwardPlainNames: false,
        forwarders: [{ addr: '1.1.1.1' }],
        txts: [{ name: 't', value: 'v' }],
        srvs: [{ service: 's', protocol: 'tcp' }],
        hosts: [{ ip: '10.0.0.5', hostnames: ['h'] }],
      },
      ips: [ip('10.0.0.1', { prefix: 24, localPtr: true })],
    });
    expect(body(def)).toEqual(['strict-order', 'port=0', 'domain=x.test', 'expand-hosts', 'except-interface=lo', 'bind-dynamic', 'interface=vnbr7']);
  });

  it('writes TXT and SRV records after the interface lines, with positional SRV defaults', () => {
    const def = net({
      dns: {
        forwarders: [],
        txts: [{ name: 'info', value: 'hello, world' }],
        srvs: [
          { service: 'ldap', protocol: 'tcp', domain: 'lab.test', target: 'dc.lab.test', port: 389, priority: 10, weight: 5 },
          { service: 'sip', protocol: 'udp', target: 'pbx.lab.test', weight: 7 },
          { service: 'xmpp', protocol: 'tcp', target: 'chat.lab.test', priority: 3 },
          { service: 'kerberos', protocol: 'udp', target: 'kdc.lab.test', port: 88 },
          { service: 'gone', protocol: 'tcp', target: '.', port: 80 },
          { service: 'bare', protocol: 'udp' },
        ],
        hosts: [],
      },
    });
    expect(body(net()).indexOf('interface=vnbr7')).toBe(3);
    expect(body(def).slice(4, 11)).toEqual([
      'txt-record=info,hello, world',
      'srv-host=_ldap._tcp.lab.test,dc.lab.test,389,10,5',
      'srv-host=_sip._udp,pbx.lab.test,1,0,7',
      'srv-host=_xmpp._tcp,chat.lab.test,1,3',
      'srv-host=_kerberos._udp,kdc.lab.test,88',
      'srv-host=_gone._tcp',
      'srv-host=_bare._udp',
    ]);
  });

  it("reports an SRV record without protocol with libvirt's text (which says 'service')", () => {
    const def = net({ dns: minimalDnsDef({ srvs: [{ service: 'x' }] }) });
    const e = thrownBy(() => planDnsmasq(def, OPTS));
    expect(e.message).toBe("internal error: Missing required 'service' attribute in SRV record of network 'lab'");
  });

  it('groups DNS hosts by address, each field followed by a tab', () => {
    const plan = planDnsmasq(
      net({
        dns: minimalDnsDef({
          hosts: [
            { ip: '10.0.0.1', hostnames: ['gw', 'router'] },
            { ip: 'fd00:0::1', hostnames: ['gw6'] },
            { ip: '10.0.0.1', hostnames: ['ns'] },
            { ip: '10.0.0.9', hostnames: [] },
          ],
        }),
      }),
      OPTS,
    );
    expect(plan.addnhosts).toBe('10.0.0.1\tgw\trouter\tns\t\nfd00::1\tgw6\t\n');
  });
});

describe('planDnsmasq: reverse zones for localPtr', () => {
  const zone = (address: string, more: Partial<IpDef>): string | undefined =>
    body(net({ ips: [ip(address, { localPtr: true, ...more })] })).find((l) => l.startsWith('local=/'));

  it('reverses the whole bytes (IPv4) or nibbles (IPv6) covered by the prefix', () => {
    expect(zone('192.0.2.1', { prefix: 24 })).toBe('local=/2.0.192.in-addr.arpa/');
    expect(zone('172.16.5.1', { netmask: '255.255.0.0' })).toBe('local=/16.172.in-addr.arpa/');
    expect(zone('10.1.2.3', {})).toBe('local=/10.in-addr.arpa/');
    expect(zone('2001:db8:abcd:12::1', { prefix: 64 })).toBe('local=/2.1.0.0.d.c.b.a.8.b.d.0.1.0.0.2.ip6.arpa/');
    expect(zone('2001:db8:abcd:12::1', { prefix: 52 })).toBe('local=/0.d.c.b.a.8.b.d.0.1.0.0.2.ip6.arpa/');
  });

  it('comes after the domain lines and before domain-needed', () => {
    const lines = body(
      net({
        domain: { name: 'd.test' },
        dns: minimalDnsDef({ forwardPlainNames: false }),
        ips: [ip('192.0.2.1', { prefix: 24, localPtr: true }), ip('198.51.100.1', { prefix: 24, localPtr: false })],
      }),
    );
    expect(lines.slice(1, 6)).toEqual(['domain=d.test', 'expand-hosts', 'local=/2.0.192.in-addr.arpa/', 'domain-needed', 'local=//']);
  });

  it('refuses prefixes that do not fall on a label boundary', () => {
    const msg = (address: string, more: Partial<IpDef>): string =>
      thrownBy(() => planDnsmasq(net({ ips: [ip(address, { localPtr: true, ...more })] }), OPTS)).message;
    expect(msg('10.4.0.1', { prefix: 20 })).toBe(
      'unsupported configuration: PTR domain for IPv4 network with prefix 20 cannot be automatically created',
    );
    expect(msg('10.4.0.1', { prefix: 32 })).toContain('IPv4 network with prefix 32 cannot');
    expect(msg('fd00::1', { prefix: 62 })).toBe(
      'unsupported configuration: PTR domain for IPv6 network with prefix 62 cannot be automatically created',
    );
  });

  it('matches a reference computation for any IPv4 address and byte-aligned prefix', () => {
    fc.assert(
      fc.property(fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)), fc.constantFrom(8, 16, 24), (o, prefix) => {
        const octets = o.slice(0, prefix / 8).reverse();
        const expected = `${octets.join('.')}.in-addr.arpa`;
        return zone(o.join('.'), { prefix }) === `local=/${expected}/`;
      }),
    );
  });
});

describe('planDnsmasq: DHCP', () => {
  it('derives the dhcp-range netmask from the prefix, a netmask, or the address class', () => {
    const rangeLine = (more: Partial<IpDef>, address: string, start: string, end: string): string | undefined =>
      body(net({ ips: [ip(address, { dhcp: true, ranges: [{ start, end }], ...more })] })).find((l) => l.startsWith('dhcp-range='));
    expect(rangeLine({ prefix: 20 }, '10.20.16.1', '10.20.17.1', '10.20.17.9')).toBe('dhcp-range=10.20.17.1,10.20.17.9,255.255.240.0');
    expect(rangeLine({ netmask: '255.255.0.0' }, '172.31.0.1', '172.31.1.0', '172.31.1.255')).toBe('dhcp-range=172.31.1.0,172.31.1.255,255.255.0.0');
    expect(rangeLine({}, '10.0.0.1', '10.0.0.2', '10.0.0.3')).toBe('dhcp-range=10.0.0.2,10.0.0.3,255.0.0.0');
  });

  it('writes lease suffixes: seconds, minutes (the default unit), hours, infinite', () => {
    const withLease = (lease: { expiry: number; unit?: 'seconds' | 'minutes' | 'hours' }): string | undefined =>
      body(net({ ips: [ip('10.3.0.1', { prefix: 24, dhcp: true, ranges: [{ start: '10.3.0.10', end: '10.3.0.20', lease }] })] })).find((l) =>
        l.startsWith('dhcp-range='),
      );
    expect(withLease({ expiry: 300, unit: 'seconds' })).toMatch(/,300s$/);
    expect(withLease({ expiry: 45 })).toMatch(/,45m$/);
    expect(withLease({ expiry: 12, unit: 'hours' })).toMatch(/,12h$/);
    expect(withLease({ expiry: 0, unit: 'hours' })).toMatch(/,255\.255\.255\.0,infinite$/);
  });

  it('enables static-only DHCP with ADDR,static (IPv4) and ADDR,static,PREFIX (IPv6)', () => {
    const def = net({
      ips: [
        ip('10.5.0.1', { prefix: 24, dhcp: true, hosts: [{ mac: '52:54:00:00:00:01', ip: '10.5.0.5' }] }),
        ip('fd05::1', { prefix: 64, dhcp: true, hosts: [{ name: 'six', ip: 'fd05::5' }] }),
      ],
    });
    const lines = body(def);
    expect(lines.slice(4)).toEqual([
      'dhcp-range=10.5.0.1,static',
      'dhcp-no-override',
      'dhcp-authoritative',
      'dhcp-range=fd05::1,static,64',
      'dhcp-hostsfile=/srv/vn/dnsmasq/lab.hostsfile',
      'addn-hosts=/srv/vn/dnsmasq/lab.addnhosts',
      'enable-ra',
    ]);
  });

  it('serves the first DHCP <ip> of each family, sums dhcp-lease-max over both, and writes enable-ra', () => {
    const def = net({
      ips: [
        ip('10.6.0.1', { prefix: 16 }),
        ip('fd06::1', { prefix: 64, dhcp: true, ranges: [{ start: 'fd06::100', end: 'fd06::1ff' }] }),
        ip('10.7.0.1', { prefix: 16, dhcp: true, ranges: [{ start: '10.7.1.0', end: '10.7.2.255' }] }),
      ],
    });
    expect(body(def).slice(4)).toEqual([
      'dhcp-range=10.7.1.0,10.7.2.255,255.255.0.0',
      'dhcp-no-override',
      'dhcp-authoritative',
      'dhcp-range=fd06::100,fd06::1ff,64',
      'dhcp-lease-max=768',
      'dhcp-hostsfile=/srv/vn/dnsmasq/lab.hostsfile',
      'addn-hosts=/srv/vn/dnsmasq/lab.addnhosts',
      'enable-ra',
    ]);
  });

  it('announces ra-only for every IPv6 <ip> when none serves DHCPv6', () => {
    const def = net({ ips: [ip('fd07:0:0:1::1', { prefix: 64 }), ip('10.7.0.1', { prefix: 24 }), ip('fd07:0:0:2::1', { prefix: 64, dhcp: true })] });
    expect(body(def).slice(-2)).toEqual(['dhcp-range=fd07:0:0:1::1,ra-only', 'dhcp-range=fd07:0:0:2::1,ra-only']);
    expect(body(def)).not.toContain('enable-ra');
  });

  it('warns when DHCPv6 on one <ip> leaves another to SLAAC', () => {
    const def = net({
      ips: [ip('fd08:1::1', { prefix: 64, dhcp: true, ranges: [{ start: 'fd08:1::10', end: 'fd08:1::20' }] }), ip('fd08:2::1', { prefix: 64 })],
    });
    expect(planDnsmasq(def, OPTS).warnings).toHaveLength(1);
    expect(body(def)).not.toContain('dhcp-range=fd08:2::1,ra-only');
  });

  it('refuses two DHCP <ip>s of one family', () => {
    const two = (a: string, b: string, r: (x: string) => string): NetworkDef =>
      net({
        ips: [
          ip(a, { prefix: a.includes(':') ? 64 : 24, dhcp: true, hosts: [{ name: 'h', ip: r(a) }] }),
          ip(b, { prefix: b.includes(':') ? 64 : 24, dhcp: true, hosts: [{ name: 'g', ip: r(b) }] }),
        ],
      });
    expect(
      thrownBy(() =>
        planDnsmasq(
          two('10.1.0.1', '10.2.0.1', (x) => x.replace(/1$/, '9')),
          OPTS,
        ),
      ).message,
    ).toBe('unsupported configuration: For IPv4, multiple DHCP definitions cannot be specified.');
    expect(
      thrownBy(() =>
        planDnsmasq(
          two('fd01::1', 'fd02::1', (x) => x.replace(/1$/, '9')),
          OPTS,
        ),
      ).message,
    ).toBe('unsupported configuration: For IPv6, multiple DHCP definitions cannot be specified.');
  });

  it('counts only the low 16 bits of a range, as libvirt does, and rejects larger ones', () => {
    const big = net({ ips: [ip('10.0.0.1', { prefix: 8, dhcp: true, ranges: [{ start: '10.0.0.2', end: '10.1.0.2' }] })] });
    expect(thrownBy(() => planDnsmasq(big, OPTS)).message).toBe('internal error: range 10.0.0.2 - 10.1.0.2 is too large (> 65535)');
    const outside = net({ ips: [ip('10.0.0.1', { prefix: 24, dhcp: true, ranges: [{ start: '10.0.0.2', end: '10.0.1.2' }] })] });
    expect(thrownBy(() => planDnsmasq(outside, OPTS)).message).toBe(
      'internal error: range 10.0.0.2 - 10.0.1.2 is not entirely within network 10.0.0.1/24',
    );
  });

  it('writes one enable-tftp and a tftp-root per IPv4 <ip>, before the DHCP lines', () => {
    const def = net({
      ips: [
        ip('10.8.0.1', { prefix: 24, tftpRoot: '/srv/a', dhcp: true, ranges: [{ start: '10.8.0.5', end: '10.8.0.6' }] }),
        ip('10.9.0.1', { prefix: 24, tftpRoot: '/srv/b' }),
        ip('fd09::1', { prefix: 64, tftpRoot: '/srv/ignored' }),
      ],
    });
    expect(body(def).slice(4, 8)).toEqual(['enable-tftp', 'tftp-root=/srv/a', 'tftp-root=/srv/b', 'dhcp-range=10.8.0.5,10.8.0.6,255.255.255.0']);
  });

  it('adds the isolated-mode lines right after the interface lines', () => {
    const def = net({ forward: { mode: 'none', interfaces: [] }, ips: [ip('10.10.0.1', { prefix: 24 })] });
    expect(body(def).slice(1, 7)).toEqual(['except-interface=lo', 'bind-dynamic', 'interface=vnbr7', 'dhcp-option=3', 'no-resolv', 'ra-param=*,0,0']);
  });
});

describe('planDnsmasq: hostsfile', () => {
  const hostsfile = (v4: DhcpHost[], v6: DhcpHost[]): string =>
    planDnsmasq(
      net({
        ips: [ip('fd10::1', { prefix: 64, dhcp: true, hosts: v6 }), ip('10.10.0.1', { prefix: 24, dhcp: true, hosts: v4 })],
      }),
      OPTS,
    ).hostsfile;

  it('writes the IPv4 hosts first, in libvirt forms, with lease suffixes, and skips hosts without an address', () => {
    expect(
      hostsfile(
        [
          { mac: '52:54:00:AB:cd:01', name: 'alpha', ip: '10.10.0.11' },
          { name: 'beta', ip: '10.10.0.12', lease: { expiry: 0 } },
          { mac: '52:54:00:ab:cd:03', ip: '10.10.0.13', lease: { expiry: 90, unit: 'seconds' } },
          { mac: '52:54:00:ab:cd:04', name: 'noaddr' },
        ],
        [
          { id: '0:1:0:1:aa:bb', name: 'gamma', ip: 'fd10:0::11' },
          { name: 'delta', ip: 'fd10::12', lease: { expiry: 2, unit: 'hours' } },
          { id: '0:3:0:1:52:54:0:1:2:3', ip: 'fd10::13' },
        ],
      ),
    ).toBe(
      '52:54:00:AB:cd:01,10.10.0.11,alpha\n' +
        'beta,10.10.0.12,infinite\n' +
        '52:54:00:ab:cd:03,10.10.0.13,90s\n' +
        'id:0:1:0:1:aa:bb,gamma,[fd10::11]\n' +
        'delta,[fd10::12],2h\n' +
        'id:0:3:0:1:52:54:0:1:2:3,[fd10::13]\n',
    );
  });

  it('is empty, but still referenced, for DHCP with ranges only', () => {
    const plan = planDnsmasq(net({ ips: [ip('10.11.0.1', { prefix: 24, dhcp: true, ranges: [{ start: '10.11.0.2', end: '10.11.0.3' }] })] }), OPTS);
    expect(plan.hostsfile).toBe('');
    expect(plan.conf).toContain('dhcp-hostsfile=/srv/vn/dnsmasq/lab.hostsfile\n');
  });

  it('escapes the network name in both file paths as libvirt does, and reports the paths', () => {
    const plan = planDnsmasq(
      net({ name: 'a"b<c', ips: [ip('10.12.0.1', { prefix: 24, dhcp: true, ranges: [{ start: '10.12.0.2', end: '10.12.0.3' }] })] }),
      OPTS,
    );
    expect(plan.hostsfilePath).toBe('/srv/vn/dnsmasq/a&quot;b&lt;c.hostsfile');
    expect(plan.addnhostsPath).toBe('/srv/vn/dnsmasq/a&quot;b&lt;c.addnhosts');
    expect(plan.conf).toContain(`dhcp-hostsfile=${plan.hostsfilePath}\naddn-hosts=${plan.addnhostsPath}\n`);
    expect(plan.conf).toContain('##    virtnet net-edit a"b<c\n');
  });
});

describe('needsDnsmasq', () => {
  it('needs an <ip>, and DHCP, TFTP or DNS', () => {
    expect(needsDnsmasq(net())).toBe(false);
    expect(needsDnsmasq(net({ ips: [ip('10.0.0.1', { prefix: 24 })] }))).toBe(true);
    const noDns = minimalDnsDef({ enable: false });
    expect(needsDnsmasq(net({ dns: noDns, ips: [ip('10.0.0.1', { prefix: 24 })] }))).toBe(false);
    expect(needsDnsmasq(net({ dns: noDns, ips: [ip('10.0.0.1', { prefix: 24, dhcp: true })] }))).toBe(false);
    expect(needsDnsmasq(net({ dns: noDns, ips: [ip('10.0.0.1', { prefix: 24, tftpRoot: '/t' })] }))).toBe(true);
    expect(needsDnsmasq(net({ dns: noDns, ips: [ip('fd00::1', { prefix: 64, hosts: [{ name: 'x', ip: 'fd00::2' }] })] }))).toBe(true);
  });

  it('is false outside the virtual forward modes', () => {
    expect(needsDnsmasq(net({ forward: { mode: 'bridge', interfaces: [] }, ips: [ip('10.0.0.1', { prefix: 24 })] }))).toBe(false);
  });
});

/** libvirt's networkxml2conf cases, read at run time (never copied): conf and hostsfile must match byte for byte. */
const CONF_CORPUS = join(CORPUS_DIR, 'networkxml2confdata');
const corpusPresent = existsSync(CONF_CORPUS);
if (!corpusPresent) console.warn(`skipping libvirt's networkxml2conf corpus: ${CONF_CORPUS} is absent`);

describe.skipIf(!corpusPresent)("libvirt's networkxml2conf corpus", () => {
  const cases = corpusPresent
    ? readdirSync(CONF_CORPUS)
        .filter((f) => f.endsWith('.xml'))
        .map((f) => f.slice(0, -4))
    : [];
  it('has its 27 cases', () => expect(cases).toHaveLength(27));
  it.each(cases)('%s', (name) => {
    const def = parseNetworkXml(readFileSync(join(CONF_CORPUS, `${name}.xml`), 'utf8'));
    const plan = planDnsmasq(def, { stateDir: '/var/lib/libvirt/dnsmasq', editTool: 'virsh', product: 'libvirt' });
    expect(plan.conf).toBe(readFileSync(join(CONF_CORPUS, `${name}.conf`), 'utf8'));
    const hostsPath = join(CONF_CORPUS, `${name}.hostsfile`);
    expect(plan.hostsfile).toBe(existsSync(hostsPath) ? readFileSync(hostsPath, 'utf8') : '');
  });
});
