/**
 * Adding and removing a network's port forwards as pure functions over its
 * definition (the driver applies them to the live and the persistent
 * definition, net-update style), and the API's form of a forward. The
 * errors are libvirt-style: OPERATION_INVALID for a forward that overlaps
 * another (in this network or another) or that is not there,
 * CONFIG_UNSUPPORTED for one this network cannot have.
 */
import { configUnsupported, operationInvalid } from '../../util/errors.js';
import { formatIp, parseIp } from '../../util/ip.js';
import { forwardLabel, forwardsCollide, formatPortRange, parsePortRange, selects, targetProblem, type ForwardSelector } from './port-forward.js';
import { listenAddressProblem, readPortForward } from './port-forward-parse.js';
import type { PortForward, PortForwardDef, PortForwardSelector } from './port-forward-types.js';
import type { NetworkDef } from './types.js';

/** A forward in the API's form. */
export function portForwardOf(f: PortForwardDef): PortForward {
  const out: PortForward = { proto: f.proto, port: formatPortRange(f.port), to: f.to };
  if (f.address !== undefined) out.address = f.address;
  if (f.toPort !== undefined) out.toPort = formatPortRange(f.toPort);
  if (f.toAddress !== undefined) out.toAddress = f.toAddress;
  return out;
}

/** A forward a caller asks for, read and checked as the XML's (a `toAddress` given is ignored: it is the driver's to fill). */
export function portForwardFromApi(f: PortForward, network: string): PortForwardDef {
  const attrs: Record<string, string | undefined> = { proto: f.proto, address: f.address, port: f.port, to: f.to, toport: f.toPort };
  return readPortForward((name) => attrs[name], network);
}

/** A selector a caller gives, checked: a port or range, and a listen address when given. */
export function selectorFromApi(sel: PortForwardSelector, network: string): ForwardSelector {
  const port = parsePortRange(sel.port);
  if (port === undefined)
    throw configUnsupported(`invalid port '${sel.port}' for a port forward of network '${network}': a port or range within 1-65535`);
  const out: ForwardSelector = { port };
  if (sel.proto !== undefined) out.proto = sel.proto;
  if (sel.address !== undefined) {
    const problem = listenAddressProblem(sel.address);
    if (problem !== undefined) throw configUnsupported(`invalid address '${sel.address}' for a port forward of network '${network}': it ${problem}`);
    out.address = formatIp(parseIp(sel.address)!);
  }
  return out;
}

const forwardsOf = (def: NetworkDef): PortForwardDef[] => def.portForwards?.forwards ?? [];

/** Whether two forwards say the same (the live `toAddress` aside). */
function sameForward(a: PortForwardDef, b: PortForwardDef): boolean {
  const text = (f: PortForwardDef): string => JSON.stringify({ ...portForwardOf(f), toAddress: undefined });
  return text(a) === text(b);
}

/** Whether `def` holds exactly this forward. */
export const holdsForward = (def: NetworkDef, f: PortForwardDef): boolean => forwardsOf(def).some((g) => sameForward(f, g));

/** The first forward of `defs` that catches packets `f` catches, with its network. */
export function findOverlap(f: PortForwardDef, defs: Iterable<NetworkDef>): { network: string; other: PortForwardDef } | undefined {
  for (const def of defs) {
    const other = forwardsOf(def).find((g) => forwardsCollide(f, g));
    if (other !== undefined) return { network: def.name, other };
  }
  return undefined;
}

export function overlapError(network: string, f: PortForwardDef, other: { network: string; other: PortForwardDef }): Error {
  return operationInvalid(
    `port forward ${forwardLabel(f)} of network '${network}' overlaps ${forwardLabel(other.other)} of network '${other.network}'`,
  );
}

/** Why this network cannot have port forwards at all, or undefined. */
export function forwardsUnsupported(def: NetworkDef): Error | undefined {
  if (def.forward.mode === 'nat' && def.ovn === undefined) return undefined;
  return configUnsupported(`network '${def.name}' cannot have port forwards: they need <forward mode='nat'/> on a bridge of this host`);
}

/** `def` with `f` added at the end: the network must be a NAT network, `to` one of its guests, and no forward of it may overlap. */
export function addPortForward(def: NetworkDef, f: PortForwardDef): NetworkDef {
  const unsupported = forwardsUnsupported(def);
  if (unsupported) throw unsupported;
  const problem = targetProblem(f.to, def.ips);
  if (problem !== undefined)
    throw configUnsupported(`port forward ${forwardLabel(f)} of network '${def.name}' cannot go to ${f.to}, which ${problem}`);
  const overlap = findOverlap(f, [def]);
  if (overlap) throw overlapError(def.name, f, overlap);
  const out = structuredClone(def);
  const position = def.portForwards?.position ?? def.metadata?.elements.length ?? 0;
  out.portForwards = { forwards: [...forwardsOf(def), structuredClone(f)], position };
  return out;
}

/** The forwards of `def` a selector names. */
export const selectedForwards = (def: NetworkDef, sel: ForwardSelector): PortForwardDef[] => forwardsOf(def).filter((f) => selects(sel, f));

function notFoundError(def: NetworkDef, sel: ForwardSelector): Error {
  const label = forwardLabel({ proto: sel.proto ?? 'tcp', port: sel.port, ...(sel.address !== undefined ? { address: sel.address } : {}) });
  const text = sel.proto === undefined ? label.replace(/^tcp /, '') : label;
  return operationInvalid(`couldn't locate a matching port forward ${text} in network '${def.name}'`);
}

/** `def` without the forwards a selector names (all of them); none named is an error. */
export function removePortForwards(def: NetworkDef, sel: ForwardSelector): NetworkDef {
  const left = forwardsOf(def).filter((f) => !selects(sel, f));
  if (left.length === forwardsOf(def).length) throw notFoundError(def, sel);
  const out = structuredClone(def);
  if (left.length === 0) delete out.portForwards;
  else out.portForwards = { forwards: left, position: def.portForwards!.position };
  return out;
}
