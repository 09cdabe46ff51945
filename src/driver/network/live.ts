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

/**
 * The def to run. Its top and its forward element are its own, with copies of the forward
 * interfaces, since the live def's connection counts change in place (../common/ports.ts); every
 * other part is shared with the config, which nothing changes in place, so a running network holds
 * its definition about once rather than twice (bench/README.md, "Issue 17").
 */
export function liveDefForStart(def: NetworkDef): NetworkDef {
  const forward = { ...def.forward, interfaces: def.forward.interfaces.map((i) => ({ ...i })) };
  const nat = def.forward.nat;
  const filled = nat !== undefined && (nat.portStart !== 0 || nat.portEnd !== 0);
  const masqueraded = def.forward.mode === 'nat' && def.ips.some((ip) => ipFamily(ip) === 'ipv4' || nat?.ipv6 === true);
  if (masqueraded && !filled)
    forward.nat = { ...(nat ?? { portStart: 0, portEnd: 0 }), portStart: NAT_DEFAULT_PORT_START, portEnd: NAT_DEFAULT_PORT_END };
  return { ...def, forward };
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
