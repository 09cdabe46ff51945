/**
 * net-update calls that carry an edit of a saved definition over to the
 * running network: the live-capable entries of the edit (diff.ts) that
 * the live definition still lacks (added) or still has (removed), each as
 * the one-element XML net-update takes, written by the network formatter
 * itself so it reads back as the same entry. The console's XML editor
 * saves the definition, then makes these calls.
 */
import type { UpdateRequest } from '../../contract/network-api.js';
import { canonical, diffNetworkDefs, type LiveEntry } from './diff.js';
import { formatNetworkXml } from './format.js';
import { emptyNetworkDef, type ForwardInterface, type NetworkDef } from './types.js';

/** A definition with nothing in it, to format one entry in its place. */
function skeleton(): NetworkDef {
  return emptyNetworkDef('x', '00000000-0000-0000-0000-000000000000', true);
}

/** The element `tag` (the first one after `after`, when given) of formatted XML, unindented. */
function elementOf(xml: string, tag: string, after?: string): string {
  const lines = xml.split('\n');
  let i = after === undefined ? 0 : lines.findIndex((l) => l.trim().startsWith(`<${after}`));
  for (; i < lines.length; i++) if (lines[i]?.trim().startsWith(`<${tag}`)) break;
  const first = lines[i] ?? '';
  const indent = first.length - first.trimStart().length;
  const out = [first];
  if (!first.trimEnd().endsWith('/>')) {
    for (i++; i < lines.length; i++) {
      out.push(lines[i] ?? '');
      if (lines[i]?.trim() === `</${tag}>`) break;
    }
  }
  return out.map((l) => l.slice(indent)).join('\n');
}

/** The XML of one entry, as net-update takes it. */
export function updateSnippet(entry: LiveEntry): string {
  const def = skeleton();
  switch (entry.section) {
    case 'ip-dhcp-host':
    case 'ip-dhcp-range': {
      const v6 = (entry.section === 'ip-dhcp-host' ? entry.item.ip : entry.item.start)?.includes(':') === true;
      const ip = { address: v6 ? '2001:db8::1' : '192.0.2.1', prefix: v6 ? 64 : 24, dhcp: true, hosts: [], ranges: [] };
      def.ips = [entry.section === 'ip-dhcp-host' ? { ...ip, hosts: [entry.item] } : { ...ip, ranges: [entry.item] }];
      return elementOf(formatNetworkXml(def, { inactive: true }), entry.section === 'ip-dhcp-host' ? 'host' : 'range', 'dhcp');
    }
    case 'dns-host':
      def.dns.hosts = [entry.item];
      return elementOf(formatNetworkXml(def, { inactive: true }), 'host', 'dns');
    case 'dns-txt':
      def.dns.txts = [entry.item];
      return elementOf(formatNetworkXml(def, { inactive: true }), 'txt');
    case 'dns-srv':
      def.dns.srvs = [entry.item];
      return elementOf(formatNetworkXml(def, { inactive: true }), 'srv');
    case 'portgroup':
      def.portGroups = [entry.item];
      return elementOf(formatNetworkXml(def, { inactive: true }), 'portgroup');
    case 'forward-interface':
      def.forward = { mode: 'bridge', interfaces: [entry.item] };
      return elementOf(formatNetworkXml(def, { inactive: true }), entry.item.type === 'netdev' ? 'interface' : 'address', 'forward');
  }
}

/** The entries of a section in a definition (those of the <ip> at `parentIndex` for ip-dhcp-*). */
function entriesIn(def: NetworkDef, entry: LiveEntry): string[] {
  const ip = def.ips[entry.parentIndex];
  const pool = (i: ForwardInterface): string => canonical(i.type === 'netdev' ? { type: i.type, dev: i.dev } : { type: i.type, address: i.address });
  switch (entry.section) {
    case 'ip-dhcp-host':
      return (ip?.hosts ?? []).map(canonical);
    case 'ip-dhcp-range':
      return (ip?.ranges ?? []).map(canonical);
    case 'dns-host':
      return def.dns.hosts.map(canonical);
    case 'dns-txt':
      return def.dns.txts.map(canonical);
    case 'dns-srv':
      return def.dns.srvs.map(canonical);
    case 'portgroup':
      return def.portGroups.map(canonical);
    case 'forward-interface':
      return def.forward.interfaces.map(pool);
  }
}

function entryKey(entry: LiveEntry): string {
  const i = entry.item as ForwardInterface;
  return entry.section === 'forward-interface'
    ? canonical(i.type === 'netdev' ? { type: i.type, dev: i.dev } : { type: i.type, address: i.address })
    : canonical(entry.item);
}

/**
 * The net-update calls (live only) that make the running network `live`
 * take the live-capable part of the edit from `saved` to `edited`.
 */
export function liveUpdatesForEdit(saved: NetworkDef, edited: NetworkDef, live: NetworkDef): UpdateRequest[] {
  const out: UpdateRequest[] = [];
  for (const change of diffNetworkDefs(saved, edited)) {
    if (!change.live) continue;
    const present = entriesIn(live, change.entry).includes(entryKey(change.entry));
    if (change.how === 'removed' && !present) continue;
    if (change.how === 'added' && present) continue;
    out.push({
      command: change.how === 'added' ? 'add-last' : 'delete',
      section: change.entry.section,
      parentIndex: change.entry.parentIndex,
      xml: updateSnippet(change.entry),
      flags: { live: true },
    });
  }
  return out;
}
