/**
 * The topology as a graph, from what the console knows: each network (with
 * its bridge), each guest, one node per vNIC between them, and the host
 * interfaces NAT and routed networks forward to (their `dev`, or the
 * device of the host's default route). Edges run from the outside in:
 * uplink → network → vNIC → guest. Pure: the page turns it into a
 * react-topology model and redraws it whenever the store changes.
 */
import type { HostInfoBody } from '../../../src/contract/console-api.js';
import type { GuestRow } from '../state/guests.js';
import type { NetworkRow } from '../state/store.js';

export type TopoKind = 'uplink' | 'network' | 'nic' | 'guest';

export interface TopoNode {
  id: string;
  kind: TopoKind;
  label: string;
  secondary?: string;
  active: boolean;
}

export interface TopoEdge {
  id: string;
  source: string;
  target: string;
  label?: string;
}

export interface Topology {
  nodes: TopoNode[];
  edges: TopoEdge[];
}

/** The device a network without `dev` forwards through: the host's default IPv4 route. */
function defaultUplink(host: HostInfoBody | undefined): string | undefined {
  return host?.routes.find((r) => r.family === 'ipv4' && r.prefix === 0 && r.dev !== undefined)?.dev;
}

export function buildTopology(networks: readonly NetworkRow[], guests: readonly GuestRow[], host: HostInfoBody | undefined): Topology {
  const nodes: TopoNode[] = [];
  const edges: TopoEdge[] = [];
  const uplinks = new Set<string>();
  const byBridge = new Map<string, string>();

  for (const n of networks) {
    const id = `net:${n.info.name}`;
    const mode = n.model?.forward.mode;
    nodes.push({ id, kind: 'network', label: n.info.name, ...(n.info.bridge ? { secondary: n.info.bridge } : {}), active: n.info.active });
    if (n.info.bridge) byBridge.set(n.info.bridge, id);
    if (mode === 'nat' || mode === 'route' || mode === 'open') {
      const dev = n.model?.forward.dev ?? n.model?.forward.interfaces[0] ?? defaultUplink(host);
      if (dev) {
        uplinks.add(dev);
        edges.push({ id: `fwd:${n.info.name}`, source: `up:${dev}`, target: id, label: mode });
      }
    } else if (mode === 'bridge' && n.model?.bridge.name) {
      uplinks.add(n.model.bridge.name);
      edges.push({ id: `fwd:${n.info.name}`, source: `up:${n.model.bridge.name}`, target: id, label: 'bridge' });
    }
  }
  for (const dev of uplinks) {
    const iface = host?.interfaces.find((i) => i.name === dev);
    nodes.push({
      id: `up:${dev}`,
      kind: 'uplink',
      label: dev,
      ...(iface?.addresses[0] ? { secondary: iface.addresses[0] } : {}),
      active: iface?.up ?? true,
    });
  }
  for (const g of guests) {
    const gid = `guest:${g.info.name}`;
    nodes.push({ id: gid, kind: 'guest', label: g.info.name, secondary: g.info.type, active: g.info.active });
    for (const nic of g.interfaces) {
      const nid = `nic:${g.info.name}:${nic.mac}`;
      const addr = g.addresses.find((a) => a.mac.toLowerCase() === nic.mac.toLowerCase());
      nodes.push({
        id: nid,
        kind: 'nic',
        label: nic.target ?? nic.mac,
        secondary: addr ? addr.address : nic.mac,
        active: g.info.active && nic.target !== undefined,
      });
      edges.push({ id: `own:${nid}`, source: nid, target: gid });
      const net = nic.type === 'network' ? (nic.source ? `net:${nic.source}` : undefined) : nic.source ? byBridge.get(nic.source) : undefined;
      if (net && nodes.some((x) => x.id === net)) edges.push({ id: `plug:${nid}`, source: net, target: nid });
    }
  }
  return { nodes, edges };
}
