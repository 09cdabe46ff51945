/**
 * What differs between two definitions of one network, entry by entry:
 * the console lists it before an XML edit is saved (the saved definition
 * against the edit), shows what a running network has not taken yet (its
 * live definition against the saved one), and what someone else changed
 * meanwhile (the version a change was based on against the current one);
 * the daemon turns the entries net-update can carry into its calls
 * (update-plan.ts). Pure, over NetworkDef as the API sends it (JSON).
 *
 * An entry is `live` when net-update can make it on a running network: DHCP
 * reservations and ranges (of an `<ip>` whose address is unchanged), DNS
 * host, TXT and SRV records, portgroups and the forward device pool.
 * Everything else (addresses, forward mode, bridge, MTU, domain, DNS
 * forwarders…) takes effect when the network next starts.
 */
import type { UpdateSection } from './update-common.js';
import type { DhcpHost, DhcpRange, DnsHost, DnsSrv, DnsTxt, ForwardInterface, IpDef, NetworkDef, PortGroupDef } from './types.js';

type ChangeHow = 'added' | 'removed' | 'changed';

/** A live-capable entry: the net-update section, the <ip> it belongs to (ip-dhcp-*), and the entry itself. */
export type LiveEntry =
  | { section: 'ip-dhcp-host'; parentIndex: number; item: DhcpHost }
  | { section: 'ip-dhcp-range'; parentIndex: number; item: DhcpRange }
  | { section: 'dns-host'; parentIndex: -1; item: DnsHost }
  | { section: 'dns-txt'; parentIndex: -1; item: DnsTxt }
  | { section: 'dns-srv'; parentIndex: -1; item: DnsSrv }
  | { section: 'portgroup'; parentIndex: -1; item: PortGroupDef }
  | { section: 'forward-interface'; parentIndex: -1; item: ForwardInterface };

/** Top-level parts of a network that change only at its next start, as the console names them. */
type StartPart =
  | 'ip'
  | 'dns'
  | 'dns-forwarder'
  | 'forward'
  | 'bridge'
  | 'mtu'
  | 'mac'
  | 'domain'
  | 'title'
  | 'description'
  | 'metadata'
  | 'ipv6'
  | 'trustGuestRxFilters'
  | 'vlan'
  | 'bandwidth'
  | 'portIsolated'
  | 'route'
  | 'virtualPort'
  | 'dnsmasqOptions'
  | 'ovn';

export type DefChange =
  | ({ what: UpdateSection & LiveEntry['section']; how: 'added' | 'removed'; detail: string; live: true } & { entry: LiveEntry })
  | { what: StartPart; how: ChangeHow; detail?: string; live: false };

/** JSON with sorted keys and no undefined values: equal entries give equal text. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v as object)
            .sort()
            .map((k) => [k, (v as Record<string, unknown>)[k]]),
        )
      : v,
  );
}

/** The entries of `after` not in `before` and those of `before` not in `after`, compared as canonical JSON. */
function listDiff<T>(before: readonly T[], after: readonly T[], key: (x: T) => string = canonical): { removed: T[]; added: T[] } {
  const b = before.map(key);
  const a = after.map(key);
  return { removed: before.filter((_x, i) => !a.includes(b[i] ?? '')), added: after.filter((_x, i) => !b.includes(a[i] ?? '')) };
}

/** A forward pool entry without its connection count (a running network's own bookkeeping). */
const poolEntry = (i: ForwardInterface): string =>
  canonical(i.type === 'netdev' ? { type: i.type, dev: i.dev } : { type: i.type, address: i.address });

/** How an <ip> is known: its family and address; a changed address is another <ip>. */
const ipIdentity = (ip: IpDef): string => canonical({ family: ip.family, address: ip.address, prefix: ip.prefix, netmask: ip.netmask });

/** An <ip> without its DHCP entries (what net-update cannot change). */
const ipRest = (ip: IpDef): string => canonical({ ...ip, hosts: [], ranges: [] });

/** A short text naming an entry (a reservation's MAC, a range, a record's name). */
function entryDetail(entry: LiveEntry): string {
  switch (entry.section) {
    case 'ip-dhcp-host':
      return entry.item.mac ?? entry.item.id ?? entry.item.name ?? entry.item.ip ?? '';
    case 'ip-dhcp-range':
      return `${entry.item.start} – ${entry.item.end}`;
    case 'dns-host':
      return entry.item.ip;
    case 'dns-txt':
      return entry.item.name;
    case 'dns-srv':
      return `_${entry.item.service ?? ''}._${entry.item.protocol ?? ''}`;
    case 'portgroup':
      return entry.item.name;
    case 'forward-interface':
      return entry.item.type === 'netdev' ? entry.item.dev : canonical(entry.item.address);
  }
}

/** Every difference from `before` to `after` (two definitions of the same network). */
export function diffNetworkDefs(before: NetworkDef, after: NetworkDef): DefChange[] {
  const changes: DefChange[] = [];
  const live = (how: 'added' | 'removed', entry: LiveEntry): void => {
    changes.push({ what: entry.section, how, detail: entryDetail(entry), live: true, entry });
  };
  const entries = <T>(section: LiveEntry['section'], parentIndex: number, b: readonly T[], a: readonly T[], key?: (x: T) => string): void => {
    const { removed, added } = listDiff(b, a, key);
    for (const item of removed) live('removed', { section, parentIndex, item } as LiveEntry);
    for (const item of added) live('added', { section, parentIndex, item } as LiveEntry);
  };
  const part = (what: StartPart, b: unknown, a: unknown, detail?: string): void => {
    const cb = canonical(b);
    const ca = canonical(a);
    if (cb === ca) return;
    const how: ChangeHow = b === undefined ? 'added' : a === undefined ? 'removed' : 'changed';
    changes.push({ what, how, ...(detail !== undefined ? { detail } : {}), live: false });
  };

  // <ip>: DHCP entries are live while the <ip>s are the same ones.
  const sameIps = before.ips.length === after.ips.length && before.ips.every((ip, i) => ipIdentity(ip) === ipIdentity(after.ips[i] as IpDef));
  if (sameIps) {
    after.ips.forEach((ipA, i) => {
      const ipB = before.ips[i] as IpDef;
      entries('ip-dhcp-host', i, ipB.hosts, ipA.hosts);
      entries('ip-dhcp-range', i, ipB.ranges, ipA.ranges);
      if (ipRest(ipB) !== ipRest(ipA)) changes.push({ what: 'ip', how: 'changed', detail: ipA.address ?? '', live: false });
    });
  } else {
    const { removed, added } = listDiff(before.ips, after.ips, ipIdentity);
    for (const ip of removed) changes.push({ what: 'ip', how: 'removed', detail: ip.address ?? '', live: false });
    for (const ip of added) changes.push({ what: 'ip', how: 'added', detail: ip.address ?? '', live: false });
  }

  // <dns>: records are live; forwarders and the switches are not.
  entries('dns-host', -1, before.dns.hosts, after.dns.hosts);
  entries('dns-txt', -1, before.dns.txts, after.dns.txts);
  entries('dns-srv', -1, before.dns.srvs, after.dns.srvs);
  const fw = listDiff(before.dns.forwarders, after.dns.forwarders);
  for (const f of fw.removed) changes.push({ what: 'dns-forwarder', how: 'removed', detail: f.addr ?? f.domain ?? '', live: false });
  for (const f of fw.added) changes.push({ what: 'dns-forwarder', how: 'added', detail: f.addr ?? f.domain ?? '', live: false });
  part(
    'dns',
    { enable: before.dns.enable, forwardPlainNames: before.dns.forwardPlainNames },
    { enable: after.dns.enable, forwardPlainNames: after.dns.forwardPlainNames },
  );

  // Portgroups and the forward pool are live; the rest of <forward> is not.
  entries('portgroup', -1, before.portGroups, after.portGroups);
  entries('forward-interface', -1, before.forward.interfaces, after.forward.interfaces, poolEntry);
  part('forward', { ...before.forward, interfaces: [] }, { ...after.forward, interfaces: [] }, after.forward.mode);

  // Everything else, part by part.
  part('bridge', before.bridge, after.bridge, after.bridge.name);
  part('mtu', before.mtu || undefined, after.mtu || undefined, after.mtu ? String(after.mtu) : undefined);
  part('mac', before.mac, after.mac, after.mac);
  part('domain', before.domain, after.domain, after.domain?.name);
  part('title', before.title, after.title);
  part('description', before.description, after.description);
  part('metadata', before.metadata, after.metadata);
  part('ipv6', before.ipv6, after.ipv6);
  part('trustGuestRxFilters', before.trustGuestRxFilters, after.trustGuestRxFilters);
  part('vlan', before.vlan, after.vlan);
  part('bandwidth', before.bandwidth, after.bandwidth);
  part('portIsolated', before.portIsolated, after.portIsolated);
  const routes = listDiff(before.routes, after.routes);
  for (const r of routes.removed) changes.push({ what: 'route', how: 'removed', detail: r.address, live: false });
  for (const r of routes.added) changes.push({ what: 'route', how: 'added', detail: r.address, live: false });
  part('virtualPort', before.virtualPort, after.virtualPort);
  part('dnsmasqOptions', before.dnsmasqOptions, after.dnsmasqOptions);
  part('ovn', before.ovn, after.ovn);
  return changes;
}

/** Whether saving `after` over `before` would define another network (its name or uuid differs). */
export function definesAnother(before: Pick<NetworkDef, 'name' | 'uuid'>, after: Pick<NetworkDef, 'name' | 'uuid' | 'uuidSpecified'>): boolean {
  return before.name !== after.name || (after.uuidSpecified && after.uuid !== before.uuid);
}
