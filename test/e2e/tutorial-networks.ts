/**
 * The two networks of libvirt's networking tutorial, as the tutorial tests
 * define them: `default` (NAT on virbr0, 192.168.122.0/24, DHCP from .2)
 * and `isolated` (no forward, virbr1, 192.168.100.0/24, DHCP from .128).
 * The CLI replay (cli-guest-tutorial.test.ts) writes them as the tutorial
 * does; the driver replay (guest-tutorial.test.ts) adds `stp='on'
 * delay='0'` to the bridges, given as `bridgeAttrs`.
 */

function tutorialNetworkXml(name: string, forward: string, bridge: string, subnet: string, rangeStart: number, bridgeAttrs: string): string {
  return `<network>
  <name>${name}</name>
${forward}  <bridge name='${bridge}'${bridgeAttrs}/>
  <ip address='${subnet}.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='${subnet}.${rangeStart}' end='${subnet}.254'/>
    </dhcp>
  </ip>
</network>
`;
}

/** `default`: NAT on virbr0. `bridgeAttrs` (e.g. ` stp='on'`) is written inside its <bridge/>. */
export function defaultNetworkXml(bridgeAttrs = ''): string {
  return tutorialNetworkXml('default', "  <forward mode='nat'/>\n", 'virbr0', '192.168.122', 2, bridgeAttrs);
}

/** `isolated`: no forward, on virbr1. `bridgeAttrs` is written inside its <bridge/>. */
export function isolatedNetworkXml(bridgeAttrs = ''): string {
  return tutorialNetworkXml('isolated', '', 'virbr1', '192.168.100', 128, bridgeAttrs);
}
