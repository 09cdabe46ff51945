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

const NAT = (dhcp: string, ip = "address='192.168.50.1' prefix='24'"): string =>
  `<network><name>n</name><forward mode='nat'/><ip ${ip}><dhcp>${dhcp}</dhcp></ip></network>`;

describe('DHCP reservations', () => {
  it("refuses the network's own, network and broadcast address at define", () => {
    expect(define(NAT("<host mac='52:54:00:00:00:01' ip='192.168.50.1'/>"))).toBe(
      "unsupported configuration: DHCP host address 192.168.50.1 in network 'n' is the network's own address",
    );
    expect(define(NAT("<host mac='52:54:00:00:00:01' ip='192.168.50.0'/>"))).toBe(
      "unsupported configuration: DHCP host address 192.168.50.0 in network 'n' is the network address of 192.168.50.0/24",
    );
    expect(define(NAT("<host mac='52:54:00:00:00:01' ip='192.168.50.255'/>"))).toBe(
      "unsupported configuration: DHCP host address 192.168.50.255 in network 'n' is the broadcast address of 192.168.50.0/24",
    );
    accepts(NAT("<host mac='52:54:00:00:00:01' ip='192.168.50.2'/>"));
    // IPv6 has no broadcast address; its own and the subnet's first address are refused.
    const v6 = (host: string): string => NAT(`<host name='h' ip='${host}'/>`, "family='ipv6' address='fd00:5::1' prefix='64'");
    expect(define(v6('fd00:5::1'))).toBe("unsupported configuration: DHCP host address fd00:5::1 in network 'n' is the network's own address");
    expect(define(v6('fd00:5::'))).toBe("unsupported configuration: DHCP host address fd00:5:: in network 'n' is the network address of fd00:5::/64");
    accepts(v6('fd00:5::ffff:ffff:ffff:ffff'));
  });

  it('refuses the same at net-update, live or config alike, and lets a delete through', () => {
    const def = parseNetworkXml(NAT("<range start='192.168.50.100' end='192.168.50.200'/>"));
    const add = (host: string): string => thrownBy(() => applyUpdate(def, 'add-last', 'ip-dhcp-host', -1, host)).message;
    expect(add("<host mac='52:54:00:00:00:02' ip='192.168.50.1'/>")).toBe(
      "unsupported configuration: DHCP host address 192.168.50.1 in network 'n' is the network's own address",
    );
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
    expect(define(net("address='127.0.0.1' prefix='8'"))).toBe("unsupported configuration: network 'n' cannot use the loopback subnet 127.0.0.0/8");
    expect(define(net("address='169.254.3.1' prefix='24'"))).toBe(
      "unsupported configuration: network 'n' cannot use the link-local subnet 169.254.3.0/24",
    );
    expect(define(net("address='239.1.1.1' prefix='24'"))).toBe(
      "unsupported configuration: network 'n' cannot use the multicast subnet 239.1.1.0/24",
    );
    expect(define(net("family='ipv6' address='fe80::1' prefix='64'"))).toBe(
      "unsupported configuration: network 'n' cannot use the link-local subnet fe80::/64",
    );
    expect(define(net("family='ipv6' address='ff05::1' prefix='64'"))).toBe(
      "unsupported configuration: network 'n' cannot use the multicast subnet ff05::/64",
    );
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
