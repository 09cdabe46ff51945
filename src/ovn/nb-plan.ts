/**
 * What an OVN network is in the northbound database: a pure translation of
 * a NetworkDef with `<virtnet:ovn>` into rows, each with a *role* that
 * names it within the network (nb-reconcile.ts matches existing rows by
 * it), plus the row of a guest's port. Every row carries
 * external_ids:virtnet-network (the network's UUID), virtnet-network-name
 * and virtnet-role: rows without them are never touched.
 *
 *   switch            Logical_Switch, the network: guest ports, the router port, DNS rows
 *   switch-router     its Logical_Switch_Port to the router (nat, route)
 *   router            Logical_Router: internal and uplink ports, SNAT, routes
 *   router-internal   Logical_Router_Port: the <ip> address, the network's MAC
 *   router-uplink     Logical_Router_Port on the uplink, with its gateway chassis
 *   gateway:CHASSIS   Gateway_Chassis, priority from <virtnet:gateway>
 *   uplink            Logical_Switch of the uplink: a localnet port and the router's
 *   uplink-localnet   Logical_Switch_Port type localnet, network_name from <virtnet:uplink>
 *   uplink-router     Logical_Switch_Port to the router's uplink port
 *   snat              NAT snat, the subnet to the uplink address (nat)
 *   route:PREFIX      Logical_Router_Static_Route (the default via the uplink gateway, <route>s)
 *   dhcp              DHCP_Options for the subnet (when <dhcp> is present)
 *   dns               DNS records of <dns><host> and named <dhcp><host>s
 *   port-group        Port_Group of the guests' ports, holding the ACLs
 *   acl:N             ACL N of <virtnet:acl>
 *   address-set:NAME  Address_Set of <virtnet:addressSet name=NAME>
 *   guest             a guest's Logical_Switch_Port (guestPort below)
 *   guest-dns         its name in DNS
 */
import type { DhcpHost, IpDef, LeaseDef, NetworkDef } from '../conf/network/types.js';
import type { OvnDef } from '../conf/network/ovn-types.js';
import { NETWORK_ADDRESS_SET } from '../conf/network/validate-ovn.js';
import { compareIp, formatIp, inSubnet, ipPrefixOf, networkOf, parseIp, type IpAddress } from '../util/ip.js';
import { internalError } from '../util/errors.js';
import { stringMap, type Value } from '../ovsdb/values.js';

export type NbTable =
  | 'Logical_Switch'
  | 'Logical_Switch_Port'
  | 'Logical_Router'
  | 'Logical_Router_Port'
  | 'Gateway_Chassis'
  | 'NAT'
  | 'Logical_Router_Static_Route'
  | 'DHCP_Options'
  | 'DNS'
  | 'ACL'
  | 'Address_Set'
  | 'Port_Group';

/** Tables whose rows live only while a parent refers to them (OVSDB garbage-collects the rest). */
const CHILD_TABLES: readonly NbTable[] = [
  'Logical_Switch_Port',
  'Logical_Router_Port',
  'Gateway_Chassis',
  'NAT',
  'Logical_Router_Static_Route',
  'ACL',
];

/** Every table a network has rows in, parents before children. */
export const NB_TABLES: readonly NbTable[] = [
  'Logical_Switch',
  'Logical_Router',
  'Port_Group',
  'Address_Set',
  'DHCP_Options',
  'DNS',
  ...CHILD_TABLES,
];

export const NON_ROOT: ReadonlySet<NbTable> = new Set(CHILD_TABLES);

export const TAG_NETWORK = 'virtnet-network';
export const TAG_NAME = 'virtnet-network-name';
export const TAG_ROLE = 'virtnet-role';
/** On a guest port: the chassis it is requested on, and whose guest it is. */
export const TAG_CHASSIS = 'virtnet-chassis';
export const TAG_GUEST = 'virtnet-guest';
const TAG_GUEST_UUID = 'virtnet-guest-uuid';
/** On the switch, one key per host the network is active on: virtnet-host-NAME=active. */
export const HOST_KEY_PREFIX = 'virtnet-host-';

/** Geneve over a 1500-byte IPv4 underlay (src/ovn/host-setup.ts encapOverhead). */
const DEFAULT_OVN_MTU = 1442;
/** dnsmasq's default lease, libvirt's for a range without <lease>. */
const DEFAULT_LEASE_SECONDS = 3600;
/** OVN's lease_time for an infinite lease. */
const INFINITE_LEASE = 0xffffffff;

export interface DesiredRow {
  table: NbTable;
  role: string;
  /** Columns besides references and external_ids. */
  columns: Record<string, Value>;
  /** Reference columns, all ours: column → the roles of the rows referred to. */
  refs?: Record<string, string[]>;
  /** Reference columns shared with rows made elsewhere (guest ports): only these roles are added or removed. */
  sharedRefs?: Record<string, string[]>;
}

/** The network's short id, used in row names (port names are unique across the database). */
function networkId(def: Pick<NetworkDef, 'uuid'>): string {
  return def.uuid.replace(/-/g, '').slice(0, 12);
}

export const switchName = (def: Pick<NetworkDef, 'name'>): string => `virtnet-${def.name}`;
const portGroupName = (def: Pick<NetworkDef, 'uuid'>): string => `vn${networkId(def)}`;
const addressSetName = (def: Pick<NetworkDef, 'uuid'>, name: string): string => `vn${networkId(def)}_${name}`;

/** The logical port (and iface-id) of a guest's vNIC with this MAC: the same on every host. */
export function guestPortName(def: Pick<NetworkDef, 'uuid'>, mac: string): string {
  return `vn${networkId(def)}-${mac.toLowerCase().replace(/:/g, '')}`;
}

export function tags(def: Pick<NetworkDef, 'uuid' | 'name'>, role: string, extra: Record<string, string> = {}): Record<string, string> {
  return { [TAG_NETWORK]: def.uuid, [TAG_NAME]: def.name, [TAG_ROLE]: role, ...extra };
}

export const hostKey = (host: string): string => `${HOST_KEY_PREFIX}${host}`;

function ovnOf(def: NetworkDef): OvnDef {
  if (def.ovn === undefined) throw internalError(`network '${def.name}' is not an OVN network`);
  return def.ovn;
}

/** The network's subnet facts, from its one <ip>. */
interface OvnSubnet {
  ip: IpDef;
  gateway: IpAddress;
  prefix: number;
  /** "10.77.0.0/24" */
  cidr: string;
}

export function subnetOf(def: NetworkDef): OvnSubnet | undefined {
  const ip = def.ips[0];
  if (ip === undefined || ip.address === undefined) return undefined;
  const gateway = parseIp(ip.address);
  if (!gateway) return undefined;
  const prefix = ipPrefixOf(gateway, ip.netmask !== undefined ? parseIp(ip.netmask) : undefined, ip.prefix);
  return { ip, gateway, prefix, cidr: cidrOf(ip.address, ip.netmask, ip.prefix) };
}

export function networkMtu(def: NetworkDef): number {
  return def.mtu > 0 ? def.mtu : DEFAULT_OVN_MTU;
}

function leaseSeconds(lease: LeaseDef | undefined): number {
  if (lease === undefined) return DEFAULT_LEASE_SECONDS;
  if (lease.expiry === 0) return INFINITE_LEASE;
  const unit = lease.unit === 'hours' ? 3600 : lease.unit === 'seconds' ? 1 : 60;
  return lease.expiry * unit;
}

/** The router's uplink port MAC: locally administered, from the network's UUID. */
function uplinkMac(def: Pick<NetworkDef, 'uuid'>): string {
  const hex = def.uuid.replace(/-/g, '');
  return ['02', ...[0, 2, 4, 6, 8].map((i) => hex.slice(i, i + 2))].join(':');
}

/** The router's internal port MAC (and DHCP's server_mac): the network's <mac>. */
function routerMac(def: Pick<NetworkDef, 'uuid' | 'mac'>): string {
  if (def.mac !== undefined) return def.mac;
  const m = uplinkMac(def).split(':');
  m[5] = ((parseInt(m[5] as string, 16) ^ 1) & 0xff).toString(16).padStart(2, '0');
  return m.join(':');
}

/** "ADDRESS/PREFIX" of the subnet an address, netmask or prefix describe. */
function cidrOf(address: string, netmask: string | undefined, prefix: number | undefined): string {
  const a = parseIp(address);
  if (!a) throw internalError(`invalid address '${address}'`);
  const p = ipPrefixOf(a, netmask !== undefined ? parseIp(netmask) : undefined, prefix);
  return `${formatIp(networkOf(a, p))}/${p}`;
}

/** An OVN string option value: quoted. */
const ovnString = (s: string): string => `"${s.replace(/["\\]/g, '\\$&')}"`;
/** An OVN list option value: {a, b}, or the value alone. */
const ovnList = (xs: readonly string[]): string => (xs.length === 1 ? (xs[0] as string) : `{${xs.join(', ')}}`);

/** The DNS names for `name`: itself, and name.DOMAIN when the network has a domain. */
function dnsNames(def: NetworkDef, name: string): string[] {
  const lower = name.toLowerCase();
  const domain = def.domain?.name;
  if (domain === undefined || lower.endsWith(`.${domain.toLowerCase()}`)) return [lower];
  return [lower, `${lower}.${domain.toLowerCase()}`];
}

/** Rewrite an ACL match: @network → the port group, $network_ip4 → its address set, $NAME → this network's set. */
export function aclMatch(def: NetworkDef, match: string): string {
  const pg = portGroupName(def);
  return match
    .replace(/@network\b/g, `@${pg}`)
    .replace(/\$([A-Za-z_.][A-Za-z0-9_.]*)/g, (_, name: string) => (name === NETWORK_ADDRESS_SET ? `$${pg}_ip4` : `$${addressSetName(def, name)}`));
}

/** Every network-level row of an OVN network. */
export function planNetworkRows(def: NetworkDef): DesiredRow[] {
  const ovn = ovnOf(def);
  const subnet = subnetOf(def);
  const routed = def.forward.mode === 'nat' || def.forward.mode === 'route';
  const id = networkId(def);
  const rows: DesiredRow[] = [];
  const sw: DesiredRow = {
    table: 'Logical_Switch',
    role: 'switch',
    columns: { name: switchName(def), other_config: stringMap({ mcast_snoop: 'false' }) },
    sharedRefs: { ports: [], dns_records: [] },
  };
  rows.push(sw);

  if (routed && subnet && ovn.uplink) {
    const u = ovn.uplink;
    const mac = routerMac(def);
    const gateways = [...ovn.gateways].sort((a, b) => b.priority - a.priority || a.chassis.localeCompare(b.chassis));
    const routes = [
      { prefix: '0.0.0.0/0', nexthop: u.gateway },
      ...def.routes.map((r) => ({ prefix: cidrOf(r.address, r.netmask, r.prefix), nexthop: r.gateway })),
    ];
    rows.push(
      {
        table: 'Logical_Router',
        role: 'router',
        columns: { name: `${switchName(def)}-router` },
        refs: {
          ports: ['router-internal', 'router-uplink'],
          nat: def.forward.mode === 'nat' ? ['snat'] : [],
          static_routes: routes.map((r) => `route:${r.prefix}`),
        },
      },
      {
        table: 'Logical_Router_Port',
        role: 'router-internal',
        columns: { name: `vn${id}-lr-int`, mac, networks: [`${formatIp(subnet.gateway)}/${subnet.prefix}`] },
      },
      {
        table: 'Logical_Router_Port',
        role: 'router-uplink',
        columns: { name: `vn${id}-lr-up`, mac: uplinkMac(def), networks: [`${u.address}/${u.prefix}`] },
        refs: { gateway_chassis: gateways.map((g) => `gateway:${g.chassis}`) },
      },
      ...gateways.map(
        (g): DesiredRow => ({
          table: 'Gateway_Chassis',
          role: `gateway:${g.chassis}`,
          columns: { name: `vn${id}-lr-up-${g.chassis}`, chassis_name: g.chassis, priority: g.priority },
        }),
      ),
      {
        table: 'Logical_Switch_Port',
        role: 'switch-router',
        columns: { name: `vn${id}-ls-lr`, type: 'router', addresses: ['router'], options: stringMap({ 'router-port': `vn${id}-lr-int` }) },
      },
      {
        table: 'Logical_Switch',
        role: 'uplink',
        columns: { name: `${switchName(def)}-uplink` },
        refs: { ports: ['uplink-localnet', 'uplink-router'] },
      },
      {
        table: 'Logical_Switch_Port',
        role: 'uplink-localnet',
        columns: { name: `vn${id}-up-localnet`, type: 'localnet', addresses: ['unknown'], options: stringMap({ network_name: u.network }) },
      },
      {
        table: 'Logical_Switch_Port',
        role: 'uplink-router',
        columns: { name: `vn${id}-up-lr`, type: 'router', addresses: ['router'], options: stringMap({ 'router-port': `vn${id}-lr-up` }) },
      },
      ...routes.map(
        (r): DesiredRow => ({
          table: 'Logical_Router_Static_Route',
          role: `route:${r.prefix}`,
          columns: { ip_prefix: r.prefix, nexthop: r.nexthop },
        }),
      ),
    );
    if (def.forward.mode === 'nat') {
      rows.push({ table: 'NAT', role: 'snat', columns: { type: 'snat', external_ip: u.address, logical_ip: subnet.cidr } });
    }
    sw.sharedRefs!.ports!.push('switch-router');
  }

  if (subnet?.ip.dhcp && (subnet.ip.ranges.length > 0 || subnet.ip.hosts.length > 0)) {
    const gw = formatIp(subnet.gateway);
    const dnsServers = def.dns.forwarders.flatMap((f) => (f.addr !== undefined ? [f.addr] : []));
    const options: Record<string, string> = {
      lease_time: String(leaseSeconds(subnet.ip.ranges[0]?.lease)),
      server_id: gw,
      server_mac: routerMac(def),
      mtu: String(networkMtu(def)),
      dns_server: ovnList(dnsServers.length > 0 ? dnsServers : [gw]),
    };
    if (routed) options.router = gw;
    if (def.domain?.name) options.domain_name = ovnString(def.domain.name);
    rows.push({ table: 'DHCP_Options', role: 'dhcp', columns: { cidr: subnet.cidr, options: stringMap(options) } });
  }

  const records = networkDnsRecords(def);
  if (def.dns.enable !== false && records.size > 0) {
    rows.push({ table: 'DNS', role: 'dns', columns: { records: records } });
    sw.sharedRefs!.dns_records!.push('dns');
  }

  rows.push({
    table: 'Port_Group',
    role: 'port-group',
    columns: { name: portGroupName(def) },
    refs: { acls: ovn.acls.map((_, i) => `acl:${i}`) },
    sharedRefs: { ports: [] },
  });
  ovn.acls.forEach((a, i) => {
    rows.push({
      table: 'ACL',
      role: `acl:${i}`,
      columns: { direction: a.direction, priority: a.priority, match: aclMatch(def, a.match), action: a.action },
    });
  });
  for (const s of ovn.addressSets) {
    rows.push({ table: 'Address_Set', role: `address-set:${s.name}`, columns: { name: addressSetName(def, s.name), addresses: [...s.addresses] } });
  }
  return rows;
}

/** <dns><host> names and named <dhcp><host>s, with the domain added. */
function networkDnsRecords(def: NetworkDef): Map<string, string> {
  const records = new Map<string, string[]>();
  const add = (name: string, ip: string): void => {
    for (const n of dnsNames(def, name)) records.set(n, [...(records.get(n) ?? []), ip]);
  };
  for (const h of def.dns.hosts) for (const name of h.hostnames) add(name, h.ip);
  for (const h of subnetOf(def)?.ip.hosts ?? []) if (h.name !== undefined && h.ip !== undefined) add(h.name, h.ip);
  return new Map([...records].map(([k, v]) => [k, [...new Set(v)].join(' ')]));
}

// ---- a guest's port ---------------------------------------------------------------

interface GuestPortRequest {
  mac: string;
  /** The guest's name (its DNS name) and UUID. */
  guest: { name: string; uuid: string };
  /** The chassis the port is requested on. */
  chassis: string;
}

/** The <dhcp><host> for a MAC, if any. */
export function staticHostFor(def: NetworkDef, mac: string): DhcpHost | undefined {
  const m = mac.toLowerCase();
  return subnetOf(def)?.ip.hosts.find((h) => h.mac?.toLowerCase() === m);
}

/**
 * The address a guest's MAC gets: its <dhcp><host>'s, else one of the
 * <range>s picked from a hash of the MAC (so a guest that moves to another
 * host gets the same one back), the first free one from there on, never one
 * that `taken` holds, a static host's or the gateway's. Undefined when the
 * network hands out no addresses, or all are taken.
 */
export function guestAddress(def: NetworkDef, mac: string, taken: ReadonlySet<string>): string | undefined {
  const subnet = subnetOf(def);
  if (!subnet?.ip.dhcp) return undefined;
  const fixed = staticHostFor(def, mac);
  if (fixed?.ip !== undefined) return fixed.ip;
  const reserved = new Set([...taken, formatIp(subnet.gateway), ...subnet.ip.hosts.flatMap((h) => (h.ip !== undefined ? [h.ip] : []))]);
  const candidates: IpAddress[][] = subnet.ip.ranges.map((r) => {
    const start = parseIp(r.start)!;
    const end = parseIp(r.end)!;
    const out: IpAddress[] = [];
    for (let v = start.value; v <= end.value && out.length < 65536; v++) out.push({ family: start.family, value: v });
    return out;
  });
  const all = candidates.flat().filter((a) => inSubnet(a, subnet.gateway, subnet.prefix));
  if (all.length === 0) return undefined;
  all.sort(compareIp);
  let h = 0;
  for (const c of mac.toLowerCase()) h = (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0;
  for (let i = 0; i < all.length; i++) {
    const a = formatIp(all[(h + i) % all.length] as IpAddress);
    if (!reserved.has(a)) return a;
  }
  return undefined;
}

/** A guest port's MAC and IPv4 address, read back from the addresses column guestPortRow writes ("MAC" or "MAC IP"). */
export function guestPortAddresses(addresses: readonly string[]): { mac?: string; ipv4?: string } {
  const mac = addresses[0]?.split(/\s+/)[0];
  const ipv4 = addresses.flatMap((a) => a.split(/\s+/).slice(1)).find((x) => /^\d+\.\d+\.\d+\.\d+$/.test(x));
  return { ...(mac ? { mac } : {}), ...(ipv4 !== undefined ? { ipv4 } : {}) };
}

/** A guest's Logical_Switch_Port row (and the columns an existing one is brought to). */
export function guestPortRow(
  def: NetworkDef,
  req: GuestPortRequest,
  address: string | undefined,
  dhcp: boolean,
): { name: string; columns: Record<string, Value>; externalIds: Record<string, string> } {
  const mac = req.mac.toLowerCase();
  const addresses = address !== undefined ? `${mac} ${address}` : mac;
  return {
    name: guestPortName(def, mac),
    columns: {
      addresses: [addresses],
      port_security: [addresses],
      options: stringMap({ 'requested-chassis': req.chassis }),
      ...(dhcp && address !== undefined ? {} : { dhcpv4_options: [] }),
    },
    externalIds: tags(def, 'guest', { [TAG_CHASSIS]: req.chassis, [TAG_GUEST]: req.guest.name, [TAG_GUEST_UUID]: req.guest.uuid }),
  };
}

/** The DNS records of a guest: its name (and name.DOMAIN) to its address. */
export function guestDnsRecords(def: NetworkDef, guestName: string, address: string | undefined): Map<string, string> {
  if (address === undefined || def.dns.enable === false || !/^[A-Za-z0-9][A-Za-z0-9.-]*$/.test(guestName)) return new Map();
  return new Map(dnsNames(def, guestName).map((n) => [n, address]));
}
