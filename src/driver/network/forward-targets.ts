/**
 * Where a port forward to a guest's *name* points now: the live def's
 * `toAddress` of each such forward, worked out from what the network and
 * the guests say (pure; the driver gathers the facts and carries a change
 * out as a live update of the network's rules):
 *
 * 1. a DHCP `<host>` of the network with that name and an address;
 * 2. else the vNICs a guest of that name has on the network (a virtnet
 *    guest's definition, or a libvirt client's port): the address of a DHCP
 *    `<host>` with one of their MACs, else the newest IPv4 lease of one of
 *    them, in the order of the vNICs.
 * A name none of these gives an address has none: its forward has no
 * elements in the kernel until one appears.
 */
import { formatMac, parseMac } from '../../conf/common/mac-uuid.js';
import { targetIsName, targetProblem } from '../../conf/network/port-forward.js';
import type { NetworkDef } from '../../conf/network/types.js';
import { ipFamily } from '../../conf/network/types.js';
import type { DhcpLease } from '../../contract/network-api.js';

export interface TargetFacts {
  /** The MACs of the vNICs a guest of this name has on the network. */
  macsOf(name: string): readonly string[];
  /** The network's unexpired leases. */
  leases: readonly DhcpLease[];
}

const mac = (text: string | undefined): string | undefined => {
  const bytes = text === undefined ? undefined : parseMac(text);
  return bytes === undefined ? undefined : formatMac(bytes);
};

/** The address a name resolves to in this network, or undefined. */
function resolveTarget(name: string, def: NetworkDef, facts: TargetFacts): string | undefined {
  const hosts = def.ips.filter((ip) => ipFamily(ip) === 'ipv4').flatMap((ip) => ip.hosts);
  const usable = (a: string | undefined): string | undefined => (a !== undefined && targetProblem(a, def.ips) === undefined ? a : undefined);
  const byName = usable(hosts.find((h) => h.name === name && h.ip !== undefined)?.ip);
  if (byName !== undefined) return byName;
  for (const m of facts.macsOf(name).map(mac)) {
    if (m === undefined) continue;
    const host = usable(hosts.find((h) => mac(h.mac) === m && h.ip !== undefined)?.ip);
    if (host !== undefined) return host;
    const leases = facts.leases.filter((l) => l.protocol === 'ipv4' && mac(l.mac) === m);
    const newest = leases.sort((a, b) => (b.expiryTime || Number.MAX_SAFE_INTEGER) - (a.expiryTime || Number.MAX_SAFE_INTEGER))[0];
    const leased = usable(newest?.ipAddress);
    if (leased !== undefined) return leased;
  }
  return undefined;
}

/** Whether a def has forwards to names (whose address may move). */
export const hasNamedTargets = (def: NetworkDef): boolean => (def.portForwards?.forwards ?? []).some(targetIsName);

/** `def` with every named forward's `toAddress` as the facts give it now; `def` itself when nothing changes. */
export function resolveForwardTargets(def: NetworkDef, facts: TargetFacts): NetworkDef {
  const forwards = def.portForwards?.forwards ?? [];
  let changed = false;
  const next = forwards.map((f) => {
    if (!targetIsName(f)) return f;
    const toAddress = resolveTarget(f.to, def, facts);
    if (toAddress === f.toAddress) return f;
    changed = true;
    const out = { ...f };
    if (toAddress === undefined) delete out.toAddress;
    else out.toAddress = toAddress;
    return out;
  });
  if (!changed) return def;
  return { ...def, portForwards: { ...def.portForwards!, forwards: next } };
}
