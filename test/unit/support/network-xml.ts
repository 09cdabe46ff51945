/** Pieces of network XML that the unit tests' documents share, laid out as libvirt writes them (two spaces a level). */

/** A static DHCP host: its MAC, its name and the last octet of its address. */
interface SubnetHost {
  mac: string;
  name: string;
  last: number;
}

/**
 * The <ip> element of the /24 `subnet` (its first three octets, e.g. '10.77.0') at .1, written with a
 * prefix or a netmask, serving DHCP from `range` (last octets) with one static host; indented as a child
 * of <network>, without a final newline.
 */
export function dhcpSubnetXml(subnet: string, range: [number, number], host: SubnetHost, mask: 'prefix' | 'netmask' = 'prefix'): string {
  const width = mask === 'prefix' ? "prefix='24'" : "netmask='255.255.255.0'";
  return [
    `  <ip address='${subnet}.1' ${width}>`,
    '    <dhcp>',
    `      <range start='${subnet}.${range[0]}' end='${subnet}.${range[1]}'/>`,
    `      <host mac='${host.mac}' name='${host.name}' ip='${subnet}.${host.last}'/>`,
    '    </dhcp>',
    '  </ip>',
  ].join('\n');
}

/**
 * The OVN lab's way out, as children of <virtnet:ovn> (prefix virtnet): the uplink network with the
 * router's address 198.51.100.10/24 and gateway .1, and two gateway chassis, h1 (priority 20) before h2 (10).
 */
export const OVN_LAB_UPLINK = [
  "    <virtnet:uplink network='uplink' address='198.51.100.10' prefix='24' gateway='198.51.100.1'/>",
  "    <virtnet:gateway chassis='h1' priority='20'/>",
  "    <virtnet:gateway chassis='h2' priority='10'/>",
].join('\n');
