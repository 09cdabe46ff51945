/**
 * Define-time checks of an OVN network (`<virtnet:ovn>`): what of libvirt's
 * network XML OVN — or virtnet's translation to it (src/ovn/nb-plan.ts) —
 * cannot carry is refused with a plain "unsupported configuration" message
 * naming the element, instead of being silently dropped.
 */
import { configUnsupported } from '../../util/errors.js';
import { parseIp } from '../../util/ip.js';
import type { NetworkDef } from './types.js';
import { ipFamily } from './types.js';

/** The `$NAME` address-set references of an ACL match. */
function addressSetReferences(match: string): string[] {
  return [...match.matchAll(/\$([A-Za-z_.][A-Za-z0-9_.]*)/g)].map((m) => m[1] as string);
}

/** The address set every OVN network has: its guests' IPv4 addresses (OVN's own `PORTGROUP_ip4`). */
export const NETWORK_ADDRESS_SET = 'network_ip4';

export function checkOvnNetwork(def: NetworkDef): void {
  const ovn = def.ovn;
  if (ovn === undefined) return;
  const n = def.name;
  const refuse = (what: string): never => {
    throw configUnsupported(`${what} is not supported on OVN network '${n}'`);
  };
  const mode = def.forward.mode;
  if (mode !== 'none' && mode !== 'nat' && mode !== 'route') {
    throw configUnsupported(`forward mode '${mode}' is not supported on OVN network '${n}': use nat, route or no <forward>`);
  }
  if (!/^(tcp:.+:\d+|unix:.+)$/.test(ovn.northbound)) {
    throw configUnsupported(`northbound '${ovn.northbound}' of OVN network '${n}' is not tcp:HOST:PORT or unix:PATH`);
  }
  const routed = mode !== 'none';
  if (routed && (ovn.uplink === undefined || ovn.gateways.length === 0)) {
    throw configUnsupported(`OVN network '${n}' with forward mode '${mode}' needs a <virtnet:uplink> and at least one <virtnet:gateway> chassis`);
  }
  if (!routed && (ovn.uplink !== undefined || ovn.gateways.length > 0)) {
    throw configUnsupported(
      `OVN network '${n}' has no <forward>, so no router: <virtnet:uplink> and <virtnet:gateway> are only for forward mode 'nat' or 'route'`,
    );
  }
  const chassis = new Set<string>();
  for (const g of ovn.gateways) {
    if (chassis.has(g.chassis)) throw configUnsupported(`gateway chassis '${g.chassis}' is listed twice in OVN network '${n}'`);
    chassis.add(g.chassis);
  }

  if (def.forward.interfaces.length > 0 || def.forward.pf !== undefined) refuse('<forward dev> or an interface pool');
  const nat = def.forward.nat;
  if (nat && (nat.addressStart !== undefined || nat.portStart !== 0 || nat.portEnd !== 0 || nat.ipv6 === true)) {
    refuse('<nat> with addresses, ports or ipv6 (the router SNATs to its uplink address)');
  }
  if (def.bridge.name !== undefined || def.bridge.zone !== undefined || def.bridge.macTableManager !== undefined || def.bridge.delay !== 0) {
    refuse('<bridge> (guests plug into the integration bridge, there is no Linux bridge)');
  }
  if (def.portGroups.length > 0) refuse('<portgroup>');
  if (def.virtualPort !== undefined) refuse('<virtualport>');
  if (def.vlan !== undefined) refuse('<vlan>');
  if (def.bandwidth !== undefined) refuse('<bandwidth>');
  if (def.portIsolated !== undefined) refuse('<port isolated>');
  if (def.dnsmasqOptions.length > 0) refuse('<dnsmasq:options>');
  if (def.ipv6 === true) refuse("ipv6='yes'");
  if (def.domain?.register !== undefined) refuse('<domain register>');

  const ips = def.ips;
  if (ips.some((ip) => ipFamily(ip) === 'ipv6')) refuse('an IPv6 <ip>');
  if (ips.length > 1) throw configUnsupported(`OVN network '${n}' takes one IPv4 <ip>, not ${ips.length}`);
  const ip = ips[0];
  if (ip !== undefined) {
    if (ip.address === undefined || (ip.prefix === undefined && ip.netmask === undefined)) {
      throw configUnsupported(`the <ip> of OVN network '${n}' needs an address and a prefix`);
    }
    if (ip.localPtr !== undefined) refuse('<ip localPtr>');
    if (ip.tftpRoot !== undefined) refuse('<tftp>');
    if (ip.bootp !== undefined) refuse('<bootp>');
    for (const h of ip.hosts) {
      if (h.mac === undefined) throw configUnsupported(`a <host> of OVN network '${n}' needs a mac: OVN hands out addresses by MAC`);
    }
  }
  if (def.routes.length > 0 && !routed)
    throw configUnsupported(`static <route>s of OVN network '${n}' need a router (forward mode 'nat' or 'route')`);
  if (def.routes.some((r) => parseIp(r.address)?.family !== 'ipv4')) refuse('an IPv6 <route>');

  if (def.dns.txts.length > 0) refuse('<dns><txt>');
  if (def.dns.srvs.length > 0) refuse('<dns><srv>');
  for (const f of def.dns.forwarders) {
    if (f.domain !== undefined || f.addr === undefined) refuse('<dns><forwarder domain> (OVN answers its own names and passes every other query on)');
    if (parseIp(f.addr as string)?.family !== 'ipv4') refuse('an IPv6 <dns><forwarder>');
  }

  const sets = new Set([NETWORK_ADDRESS_SET, ...ovn.addressSets.map((s) => s.name)]);
  const seen = new Set<string>();
  for (const s of ovn.addressSets) {
    if (s.name === NETWORK_ADDRESS_SET)
      throw configUnsupported(`address set name '${s.name}' of OVN network '${n}' is reserved (the network's own guests)`);
    if (seen.has(s.name)) throw configUnsupported(`address set '${s.name}' is defined twice in OVN network '${n}'`);
    seen.add(s.name);
  }
  for (const acl of ovn.acls) {
    for (const ref of addressSetReferences(acl.match)) {
      if (!sets.has(ref)) throw configUnsupported(`an ACL of OVN network '${n}' uses address set '$${ref}', which the network does not define`);
    }
  }
}
