/**
 * Which tracked UDP flows a change of a network's port forwards leaves on a
 * stale path, and the `conntrack` lines that forget them. The kernel keeps a
 * tracked flow's NAT decision for as long as packets keep coming (a client
 * that keeps its source port, e.g. a WireGuard peer's keepalives), so a
 * forward added, removed or pointed at a new guest address acts on such a
 * flow only once its entry is gone.
 *
 * TCP is left alone: a client's new connection is a new flow anyway, and
 * cutting established connections when a forward goes would be a change of
 * behaviour.
 */
import { protocolsOf, targetAddress } from '../conf/network/port-forward.js';
import type { PortForwardDef, PortRange } from '../conf/network/port-forward-types.js';

/** UDP flows to forget: those whose original destination port lies in `port`, to `address` only when given. */
export interface UdpFlowFilter {
  /** The host address the forward listens on; undefined = every address. */
  address?: string;
  port: PortRange;
}

/** What a forward does to UDP in the kernel, as text; undefined when it does nothing there (no UDP, or a name with no address). */
function udpEffect(f: PortForwardDef): string | undefined {
  const to = targetAddress(f);
  if (to === undefined || !protocolsOf(f.proto).includes('udp')) return undefined;
  return JSON.stringify([f.address ?? '*', f.port.start, f.port.end, to, f.toPort?.start, f.toPort?.end]);
}

/**
 * The flows of every UDP forward whose effect is in one list and not in the
 * other (added, removed, or its target moved), once each.
 */
export function staleUdpFlows(before: readonly PortForwardDef[], after: readonly PortForwardDef[]): UdpFlowFilter[] {
  const effects = (list: readonly PortForwardDef[]): Set<string | undefined> => new Set(list.map(udpEffect));
  const had = effects(before);
  const has = effects(after);
  const out = new Map<string, UdpFlowFilter>();
  const take = (f: PortForwardDef, other: Set<string | undefined>): void => {
    const effect = udpEffect(f);
    if (effect === undefined || other.has(effect)) return;
    const filter: UdpFlowFilter = { port: { start: f.port.start, end: f.port.end } };
    if (f.address !== undefined) filter.address = f.address;
    out.set(JSON.stringify([filter.address, filter.port.start, filter.port.end]), filter);
  };
  for (const f of before) take(f, has);
  for (const f of after) take(f, had);
  return [...out.values()];
}

/**
 * Up to this many ports in all, the flows are deleted port by port; above it,
 * the tracked UDP flows are listed once and those in the ranges deleted one
 * by one: each `-D` line walks the whole table (~4 ms here even when empty),
 * so a range of thousands of ports would hold the network's change for
 * seconds.
 */
export const PORT_BY_PORT_LIMIT = 16;

/** The number of ports the filters cover. */
export const portsOf = (filters: readonly UdpFlowFilter[]): number => filters.reduce((n, f) => n + f.port.end - f.port.start + 1, 0);

/** A tracked UDP flow's original direction, as `conntrack -L` shows it. */
export interface TrackedUdpFlow {
  src: string;
  dst: string;
  sport: number;
  dport: number;
}

/**
 * The flows of a `conntrack -L -f ipv4 -p udp` listing (one per line,
 * `udp 17 29 src=A dst=B sport=P dport=Q [UNREPLIED] src=… mark=0 use=1`):
 * the first src, dst, sport and dport of each line are its original direction.
 */
export function parseUdpFlows(listing: string): TrackedUdpFlow[] {
  const flows: TrackedUdpFlow[] = [];
  for (const line of listing.split('\n')) {
    const fields = new Map<string, string>();
    for (const word of line.trim().split(/\s+/)) {
      const eq = word.indexOf('=');
      if (eq > 0 && !fields.has(word.slice(0, eq))) fields.set(word.slice(0, eq), word.slice(eq + 1));
    }
    const [src, dst, sport, dport] = ['src', 'dst', 'sport', 'dport'].map((k) => fields.get(k));
    if (!line.trimStart().startsWith('udp') || src === undefined || dst === undefined || sport === undefined || dport === undefined) continue;
    flows.push({ src, dst, sport: Number(sport), dport: Number(dport) });
  }
  return flows;
}

/** The `conntrack -D` arguments that delete the listed flows the filters select, one line per flow. */
export function conntrackDeleteFlowArgs(flows: readonly TrackedUdpFlow[], filters: readonly UdpFlowFilter[]): string[][] {
  const selected = (f: TrackedUdpFlow): boolean =>
    filters.some((x) => f.dport >= x.port.start && f.dport <= x.port.end && (x.address === undefined || x.address === f.dst));
  return flows
    .filter(selected)
    .map((f) => [
      '-D',
      '-f',
      'ipv4',
      '-p',
      'udp',
      '--orig-src',
      f.src,
      '--orig-dst',
      f.dst,
      '--orig-port-src',
      String(f.sport),
      '--orig-port-dst',
      String(f.dport),
    ]);
}

/**
 * The `conntrack -D` arguments that delete a filter's flows, one line per
 * port (conntrack matches one port at a time), for `conntrack -R -`.
 */
export function conntrackDeleteArgs(filter: UdpFlowFilter): string[][] {
  const out: string[][] = [];
  for (let p = filter.port.start; p <= filter.port.end; p++) {
    const args = ['-D', '-f', 'ipv4', '-p', 'udp', '--orig-port-dst', String(p)];
    if (filter.address !== undefined) args.push('--orig-dst', filter.address);
    out.push(args);
  }
  return out;
}
