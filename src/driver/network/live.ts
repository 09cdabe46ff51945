/**
 * What a network's live def gains when it starts, as libvirt's live XML
 * shows it: a NAT network whose addresses are masqueraded gets the default
 * source-port range written out, `<nat><port start='1024' end='65535'/>`
 * (libvirt fills it in while it adds the masquerade rules: for an IPv4
 * <ip>, or an IPv6 one with <nat ipv6='yes'>). The persistent config keeps
 * `<forward mode='nat'/>`.
 *
 * After the runtime started it: a network with `<forward><pf dev=.../>` and
 * no interface list gets the pool of virtual functions the runtime built
 * (its record's `interfacePool`, if it reports one), as libvirt fills the
 * live def's pool; the inactive formatting leaves it out again.
 */
import type { NetworkDef } from '../../conf/network/types.js';
import { hasLinuxBridge, ipFamily, type ForwardInterface } from '../../conf/network/types.js';
import type { AppliedNetwork } from '../runtime/seam.js';
import { internalError } from '../../util/errors.js';

const NAT_DEFAULT_PORT_START = 1024;
const NAT_DEFAULT_PORT_END = 65535;

/** The def to run: `def` itself when nothing is filled in, else a changed copy. */
export function liveDefForStart(def: NetworkDef): NetworkDef {
  if (def.forward.mode !== 'nat') return def;
  const nat = def.forward.nat;
  if (nat !== undefined && (nat.portStart !== 0 || nat.portEnd !== 0)) return def;
  const masqueraded = def.ips.some((ip) => ipFamily(ip) === 'ipv4' || nat?.ipv6 === true);
  if (!masqueraded) return def;
  const out = structuredClone(def);
  out.forward.nat = { ...(out.forward.nat ?? { portStart: 0, portEnd: 0 }), portStart: NAT_DEFAULT_PORT_START, portEnd: NAT_DEFAULT_PORT_END };
  return out;
}

/**
 * The check libvirt makes before building a bridge: a network of a mode that
 * needs one but has no bridge name (only a hand-edited file can get there).
 */
export function checkBridgeNameForStart(def: NetworkDef): void {
  if (hasLinuxBridge(def) && (def.bridge.name === undefined || def.bridge.name === '')) {
    throw internalError(`network '${def.name}' has no bridge name defined`);
  }
}

/** The live def with the interface pool the runtime built from a `<pf>`, if it reports one. */
export function liveDefAfterStart(def: NetworkDef, applied: AppliedNetwork): NetworkDef {
  const pool = (applied as { interfacePool?: unknown }).interfacePool;
  if (def.forward.pf === undefined || def.forward.interfaces.length > 0 || !Array.isArray(pool) || pool.length === 0) return def;
  const out = structuredClone(def);
  out.forward.interfaces = structuredClone(pool as ForwardInterface[]);
  return out;
}
