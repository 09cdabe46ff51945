/**
 * What a network serves must work (src/conf/network/validate-served.ts):
 * net-define and net-update refuse a reservation on the network's own,
 * network or broadcast address, overlapping DHCP ranges, loopback,
 * multicast and link-local subnets, and DNS records where no DNS server
 * runs, with the same text either way.
 */
import { describe, expect, it } from 'vitest';
import { parseNetworkXml } from '../../src/conf/network/parse.js';
import { validateNetworkForDefine } from '../../src/conf/network/validate.js';
import { applyUpdate } from '../../src/conf/network/update.js';
import { dhcpHostAddressProblem, servesDns, specialSubnet } from '../../src/conf/network/validate-served.js';
import { parseIp } from '../../src/util/ip.js';
import { thrownBy } from './support/vir-error.js';

const facts = { isSriovVirtualFunction: () => false };
const define = (xml: string): string => thrownBy(() => validateNetworkForDefine(parseNetworkXml(xml), facts)).message;
const accepts = (xml: string): void => expect(() => validateNetworkForDefine(parseNetworkXml(xml), facts)).not.toThrow();

/** The text net-define and net-update give for a DHCP reservation on an address network 'n' needs itself. */
const reserved = (ip: string, what: string): string => `unsupported configuration: DHCP host address ${ip} in network 'n' is ${what}`;

const NAT = (dhcp: string, ip = "address='192.168.50.1' prefix='24'"): string =>
  `<network><name>n</name><forward mode='nat'/><ip ${ip}><dhcp>${dhcp}</dhcp></ip></network>`;

describe('DHCP reservations', () => {
  it("refuses the network's own, network and broadcast address at define", () => {
    const v4 = (host: string): string => NAT(`<host mac='52:54:00:00:00:01' ip='${host}'/>`);
    const refusedV4: [string, string][] = [
      ['192.168.50.1', "the network's own address"],
      ['192.168.50.0', 'the network address of 192.168.50.0/24'],
      ['192.168.50.255', 'the broadcast address of 192.168.50.0/24'],
    ];
    for (const [host, what] of refusedV4) expect(define(v4(host)), host).toBe(reserved(host, what));
    accepts(v4('192.168.50.2'));
    // IPv6 has no broadcast address; its own and the subnet's first address are refused.
    const v6 = (host: string): string => NAT(`<host name='h' ip='${host}'/>`, "family='ipv6' address='fd00:5::1' prefix='64'");
    expect(define(v6('fd00:5::1'))).toBe(reserved('fd00:5::1', "the network's own address"));
    expect(define(v6('fd00:5::'))).toBe(reserved('fd00:5::', 'the network address of fd00:5::/64'));
    accepts(v6('fd00:5::ffff:ffff:ffff:ffff'));
  });

  it('refuses the same at net-update, live or config alike, and lets a delete through', () => {
    const def = parseNetworkXml(NAT("<range start='192.168.50.100' end='192.168.50.200'/>"));
    const add = (host: string): string => thrownBy(() => applyUpdate(def, 'add-last', 'ip-dhcp-host', -1, host)).message;
    expect(add("<host mac='52:54:00:00:00:02' ip='192.168.50.1'/>")).toBe(reserved('192.168.50.1', "the network's own address"));
    expect(add("<host mac='52:54:00:00:00:02' ip='192.168.50.255'/>")).toContain('is the broadcast address of 192.168.50.0/24');
    const ok = applyUpdate(def, 'add-last', 'ip-dhcp-host', -1, "<host mac='52:54:00:00:00:02' ip='192.168.50.3'/>");
    expect(ok.ips[0]?.hosts).toEqual([{ mac: '52:54:00:00:00:02', ip: '192.168.50.3' }]);
    expect(applyUpdate(ok, 'delete', 'ip-dhcp-host', -1, "<host mac='52:54:00:00:00:02' ip='192.168.50.3'/>").ips[0]?.hosts).toEqual([]);
  });

  it('gives the console the same rule', () => {
    const ip = parseNetworkXml(NAT('')).ips[0]!;
    const problem = (a: string) => dhcpHostAddressProblem(ip, parseIp(a)!);
    expect(['192.168.50.1', '192.168.50.0', '192.168.50.255', '192.168.50.7'].map(problem)).toEqual(['gateway', 'network', 'broadcast', undefined]);
  });
});

describe('DHCP ranges', () => {
  it('refuses two ranges that overlap, at define and at net-update', () => {
    expect(define(NAT("<range start='192.168.50.10' end='192.168.50.50'/><range start='192.168.50.40' end='192.168.50.90'/>"))).toBe(
      "unsupported configuration: DHCP ranges 192.168.50.10 to 192.168.50.50 and 192.168.50.40 to 192.168.50.90 in network 'n' overlap",
    );
    accepts(NAT("<range start='192.168.50.10' end='192.168.50.50'/><range start='192.168.50.51' end='192.168.50.90'/>"));
    const def = parseNetworkXml(NAT("<range start='192.168.50.10' end='192.168.50.50'/>"));
    expect(thrownBy(() => applyUpdate(def, 'add-last', 'ip-dhcp-range', -1, "<range start='192.168.50.50' end='192.168.50.60'/>")).message).toBe(
      "unsupported configuration: DHCP ranges 192.168.50.10 to 192.168.50.50 and 192.168.50.50 to 192.168.50.60 in network 'n' overlap",
    );
  });
});

describe('subnets that cannot carry a network', () => {
  it('refuses loopback, multicast and link-local subnets of either family', () => {
    const net = (ip: string): string => `<network><name>n</name><ip ${ip}/></network>`;
    const refused: [ip: string, kind: string, subnet: string][] = [
      ["address='127.0.0.1' prefix='8'", 'loopback', '127.0.0.0/8'],
      ["address='169.254.3.1' prefix='24'", 'link-local', '169.254.3.0/24'],
      ["address='239.1.1.1' prefix='24'", 'multicast', '239.1.1.0/24'],
      ["family='ipv6' address='fe80::1' prefix='64'", 'link-local', 'fe80::/64'],
      ["family='ipv6' address='ff05::1' prefix='64'", 'multicast', 'ff05::/64'],
    ];
    for (const [ip, kind, subnet] of refused) {
      expect(define(net(ip)), ip).toBe(`unsupported configuration: network 'n' cannot use the ${kind} subnet ${subnet}`);
    }
    accepts(net("address='10.0.0.1' prefix='8'"));
    accepts(net("family='ipv6' address='fd00::1' prefix='64'"));
    // A subnet wide enough to take in loopback is refused too.
    expect(specialSubnet(parseIp('96.0.0.0')!, 3)).toBe('loopback');
  });
});

describe('DNS records on a network with no DNS server', () => {
  it('refuses them at net-update with the text net-define gives', () => {
    const bridged = parseNetworkXml("<network><name>b</name><forward mode='bridge'/><bridge name='br0'/></network>");
    const disabled = parseNetworkXml("<network><name>d</name><dns enable='no'/><ip address='10.9.0.1' prefix='24'/></network>");
    expect([servesDns(bridged), servesDns(disabled)]).toEqual([false, false]);
    const host = "<host ip='10.9.0.5'><hostname>h</hostname></host>";
    expect(thrownBy(() => applyUpdate(bridged, 'add-last', 'dns-host', -1, host)).message).toBe(
      "unsupported configuration: Unsupported <dns> element in network b with forward mode='bridge'",
    );
    expect(
      define(
        "<network><name>b</name><forward mode='bridge'/><bridge name='br0'/><dns><host ip='10.9.0.5'><hostname>h</hostname></host></dns></network>",
      ),
    ).toBe("unsupported configuration: Unsupported <dns> element in network b with forward mode='bridge'");
    expect(thrownBy(() => applyUpdate(disabled, 'add-last', 'dns-txt', -1, "<txt name='t' value='v'/>")).message).toBe(
      "XML error: Extra data in disabled network 'd'",
    );
    expect(thrownBy(() => parseNetworkXml("<network><name>d</name><dns enable='no'><txt name='t' value='v'/></dns></network>")).message).toBe(
      "XML error: Extra data in disabled network 'd'",
    );
  });
});
