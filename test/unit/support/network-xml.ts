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
