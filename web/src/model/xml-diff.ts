/**
 * What saving an edited network XML will do, before it is saved. Saving
 * always replaces the persistent definition (net-define). For a running
 * network, the changes net-update can make live — DHCP reservations and
 * ranges, DNS hosts, TXT and SRV records, portgroups, the forward device
 * pool — are also applied to the running network at once; every other
 * change (addresses, forward mode, bridge, MTU, domain…) takes effect at
 * the network's next start. This module compares the two documents and
 * lists both kinds; `liveOps` are the net-update calls to make.
 */
import type { UpdateCommand, UpdateSection } from '../../../src/conf/network/update.js';
import { child, children, parseXml, serialize } from './xml.js';

export interface LiveOp {
  command: UpdateCommand;
  section: UpdateSection;
  parentIndex: number;
  xml: string;
}

export interface XmlChange {
  /** What changes: an element name such as "forward", "ip", "ip-dhcp-host". */
  what: string;
  /** added, removed or changed. */
  how: 'added' | 'removed' | 'changed';
  /** A short detail, e.g. the reservation's MAC or a host's IP. */
  detail?: string;
  live: boolean;
}

export interface XmlDiff {
  changes: XmlChange[];
  liveOps: LiveOp[];
  /** The name or uuid differs: saving would define another network. */
  renamed: boolean;
}

/** Serialize without runtime-only attributes, with attributes sorted, for comparison. */
function canon(el: Element): string {
  const copy = el.cloneNode(true) as Element;
  const walk = (e: Element): void => {
    e.removeAttribute('connections');
    const attrs = Array.from(e.attributes).sort((a, b) => a.name.localeCompare(b.name));
    for (const a of Array.from(e.attributes)) e.removeAttribute(a.name);
    for (const a of attrs) e.setAttribute(a.name, a.value);
    for (const c of Array.from(e.children)) walk(c);
    // Whitespace-only text between elements is layout, not content.
    for (const n of Array.from(e.childNodes)) if (n.nodeType === 3 && (n.textContent ?? '').trim() === '') e.removeChild(n);
  };
  walk(copy);
  return serialize(copy);
}

function describe(el: Element): string | undefined {
  for (const a of ['mac', 'id', 'ip', 'name', 'start', 'dev', 'service', 'addr']) {
    const v = el.getAttribute(a);
    if (v) return el.tagName === 'range' && a === 'start' ? `${v} – ${el.getAttribute('end') ?? ''}` : v;
  }
  return undefined;
}

/** Added and removed elements between two lists, compared by canonical text. */
function listDiff(before: Element[], after: Element[]): { removed: Element[]; added: Element[] } {
  const a = after.map(canon);
  const b = before.map(canon);
  return { removed: before.filter((_e, i) => !a.includes(b[i] ?? '')), added: after.filter((_e, i) => !b.includes(a[i] ?? '')) };
}

/** An element with some children left out, for comparing what is not live-updatable. */
function without(el: Element | undefined, drop: (c: Element) => boolean): string {
  if (!el) return '';
  const copy = el.cloneNode(true) as Element;
  for (const c of Array.from(copy.children)) if (drop(c)) copy.removeChild(c);
  return canon(copy);
}

const ipKey = (ip: Element): string =>
  `${ip.getAttribute('family') ?? ''}|${ip.getAttribute('address') ?? ''}|${ip.getAttribute('prefix') ?? ''}|${ip.getAttribute('netmask') ?? ''}`;

/**
 * Compare `before` (the running network's live XML, or the stored one of a
 * stopped network) with the edited `after`. With `running` false nothing is
 * live: every change waits for the next start.
 */
export function diffNetworkXml(beforeXml: string, afterXml: string, running: boolean): XmlDiff | { error: string } {
  const b = parseXml(beforeXml);
  const a = parseXml(afterXml);
  if (a.error || !a.doc) return { error: a.error ?? 'XML error' };
  if (!b.doc) return { error: b.error ?? 'XML error' };
  const B = b.doc.documentElement;
  const A = a.doc.documentElement;
  const changes: XmlChange[] = [];
  const liveOps: LiveOp[] = [];
  const text = (root: Element, tag: string): string => (child(root, tag)?.textContent ?? '').trim();
  const renamed = text(B, 'name') !== text(A, 'name') || (text(A, 'uuid') !== '' && text(B, 'uuid') !== text(A, 'uuid'));

  const listSection = (section: UpdateSection, what: string, before: Element[], after: Element[], parentIndex = -1, liveable = true): void => {
    const { removed, added } = listDiff(before, after);
    for (const el of removed) {
      const detail = describe(el);
      changes.push({ what, how: 'removed', ...(detail ? { detail } : {}), live: running && liveable });
      if (running && liveable) liveOps.push({ command: 'delete', section, parentIndex, xml: serialize(el) });
    }
    for (const el of added) {
      const detail = describe(el);
      changes.push({ what, how: 'added', ...(detail ? { detail } : {}), live: running && liveable });
      if (running && liveable) liveOps.push({ command: 'add-last', section, parentIndex, xml: serialize(el) });
    }
  };

  // <ip>: DHCP reservations and ranges are live when the <ip> itself is unchanged.
  const ipsB = children(B, 'ip');
  const ipsA = children(A, 'ip');
  const sameIps = ipsB.length === ipsA.length && ipsB.every((ip, i) => ipKey(ip) === ipKey(ipsA[i] as Element));
  const ipRest = (ip: Element): string => {
    const copy = ip.cloneNode(true) as Element;
    const dhcp = child(copy, 'dhcp');
    if (dhcp) for (const c of Array.from(dhcp.children)) if (c.tagName === 'host' || c.tagName === 'range') dhcp.removeChild(c);
    return canon(copy);
  };
  if (sameIps) {
    ipsA.forEach((ipA, i) => {
      const ipB = ipsB[i] as Element;
      listSection('ip-dhcp-host', 'ip-dhcp-host', children(child(ipB, 'dhcp'), 'host'), children(child(ipA, 'dhcp'), 'host'), i);
      listSection('ip-dhcp-range', 'ip-dhcp-range', children(child(ipB, 'dhcp'), 'range'), children(child(ipA, 'dhcp'), 'range'), i);
      if (ipRest(ipB) !== ipRest(ipA)) changes.push({ what: 'ip', how: 'changed', detail: ipA.getAttribute('address') ?? '', live: false });
    });
  } else {
    const { removed, added } = listDiff(ipsB, ipsA);
    for (const el of removed) changes.push({ what: 'ip', how: 'removed', detail: el.getAttribute('address') ?? '', live: false });
    for (const el of added) changes.push({ what: 'ip', how: 'added', detail: el.getAttribute('address') ?? '', live: false });
  }

  // <dns>: hosts, TXT and SRV records are live; forwarders and the rest are not.
  const dnsB = child(B, 'dns');
  const dnsA = child(A, 'dns');
  listSection('dns-host', 'dns-host', children(dnsB, 'host'), children(dnsA, 'host'));
  listSection('dns-txt', 'dns-txt', children(dnsB, 'txt'), children(dnsA, 'txt'));
  listSection('dns-srv', 'dns-srv', children(dnsB, 'srv'), children(dnsA, 'srv'));
  const dnsLive = (c: Element): boolean => c.tagName === 'host' || c.tagName === 'txt' || c.tagName === 'srv';
  const fwB = children(dnsB, 'forwarder');
  const fwA = children(dnsA, 'forwarder');
  listSection('dns-host', 'dns-forwarder', fwB, fwA, -1, false);
  const dnsRest = (d: Element | undefined): string => without(d, (c) => dnsLive(c) || c.tagName === 'forwarder');
  if (dnsRest(dnsB) !== dnsRest(dnsA) && !(dnsB === undefined && dnsA !== undefined && dnsRest(dnsA) === '<dns/>')) {
    changes.push({ what: 'dns', how: dnsB ? (dnsA ? 'changed' : 'removed') : 'added', live: false });
  }

  // Portgroups and the forward device pool are live.
  listSection('portgroup', 'portgroup', children(B, 'portgroup'), children(A, 'portgroup'));
  const fB = child(B, 'forward');
  const fA = child(A, 'forward');
  listSection('forward-interface', 'forward-interface', children(fB, 'interface'), children(fA, 'interface'));
  const fRest = (f: Element | undefined): string => without(f, (c) => c.tagName === 'interface');
  if (fRest(fB) !== fRest(fA)) changes.push({ what: 'forward', how: fB ? (fA ? 'changed' : 'removed') : 'added', live: false });

  // Everything else, element by element, waits for the next start.
  const handled = new Set(['name', 'uuid', 'ip', 'dns', 'portgroup', 'forward']);
  const tags = new Set([...Array.from(B.children), ...Array.from(A.children)].map((e) => e.tagName).filter((t) => !handled.has(t)));
  for (const tag of tags) {
    const before = children(B, tag).map(canon).join('');
    const after = children(A, tag).map(canon).join('');
    if (before !== after) changes.push({ what: tag, how: before === '' ? 'added' : after === '' ? 'removed' : 'changed', live: false });
  }
  const rootAttrs = (e: Element): string =>
    Array.from(e.attributes)
      .filter((x) => x.name !== 'connections')
      .map((x) => `${x.name}=${x.value}`)
      .sort()
      .join(' ');
  if (rootAttrs(B) !== rootAttrs(A)) changes.push({ what: 'network', how: 'changed', detail: rootAttrs(A), live: false });

  return { changes, liveOps, renamed };
}
