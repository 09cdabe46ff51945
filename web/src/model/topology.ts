/**
 * The topology as a graph, from what the console knows: each network (with
 * its bridge), each guest, one node per vNIC between them, and the host
 * interfaces NAT and routed networks forward to (their `dev`, or the
 * device of the host's default route). Edges run from the outside in:
 * uplink → network → vNIC → guest. Pure: layoutTopology places it for the
 * page's plain SVG drawing, redrawn whenever the store changes.
 */
import type { HostInfoBody } from '../../../src/contract/console-api.js';
import type { GuestRow } from '../state/guests.js';

/** What the topology needs of a network: its state and model (the store's NetworkRow fits). */
export interface TopoNetwork {
  info: { name: string; active: boolean; bridge?: string };
  model: { forward: { mode?: string; dev?: string; interfaces: string[] }; bridge: { name?: string } };
}

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

export function buildTopology(networks: readonly TopoNetwork[], guests: readonly GuestRow[], host: HostInfoBody | undefined): Topology {
  const nodes: TopoNode[] = [];
  const edges: TopoEdge[] = [];
  const uplinks = new Set<string>();
  const byBridge = new Map<string, string>();

  for (const n of networks) {
    const id = `net:${n.info.name}`;
    const mode = n.model.forward.mode;
    nodes.push({ id, kind: 'network', label: n.info.name, ...(n.info.bridge ? { secondary: n.info.bridge } : {}), active: n.info.active });
    if (n.info.bridge) byBridge.set(n.info.bridge, id);
    if (mode === 'nat' || mode === 'route' || mode === 'open') {
      const dev = n.model.forward.dev ?? n.model.forward.interfaces[0] ?? defaultUplink(host);
      if (dev) {
        uplinks.add(dev);
        edges.push({ id: `fwd:${n.info.name}`, source: `up:${dev}`, target: id, label: mode });
      }
    } else if (mode === 'bridge' && n.model.bridge.name) {
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
  const networkIds = new Set(networks.map((n) => `net:${n.info.name}`));
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
        // Its address, else its MAC under the device name (a vNIC not plugged in is named by its MAC already).
        ...(addr ? { secondary: addr.address } : nic.target !== undefined ? { secondary: nic.mac } : {}),
        active: g.info.active && nic.target !== undefined,
      });
      edges.push({ id: `own:${nid}`, source: nid, target: gid });
      const net = nic.type === 'network' ? (nic.source ? `net:${nic.source}` : undefined) : nic.source ? byBridge.get(nic.source) : undefined;
      if (net && networkIds.has(net)) edges.push({ id: `plug:${nid}`, source: net, target: nid });
    }
  }
  return { nodes, edges };
}

/** A node placed on the drawing: its box (top-left corner, size). */
export interface PlacedNode extends TopoNode {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PlacedEdge extends TopoEdge {
  /** The SVG path from the source's right side to the target's left side. */
  path: string;
  dashed: boolean;
}

export interface TopologyLayout {
  nodes: PlacedNode[];
  edges: PlacedEdge[];
  width: number;
  height: number;
}

/** Sizes of the drawing, in CSS pixels at scale 1 (labels are 12 and 11 px there). */
export const LAYOUT = { nodeWidth: 190, nodeHeight: 40, rowGap: 12, bandGap: 24, columnGap: 80, margin: 16 } as const;

const COLUMN: Record<TopoKind, number> = { uplink: 0, network: 1, nic: 2, guest: 3 };

/**
 * A plain layered layout, left to right (uplinks, networks, vNICs,
 * guests), grouped per network: each network heads a band with its vNICs
 * one under the other and each guest beside its first vNIC, so a big host
 * reads as a list of networks rather than a tangle. Uplinks sit level
 * with the first network they carry; what is connected to nothing comes
 * last. Pure and linear in the number of nodes and edges.
 */
export function layoutTopology(topo: Topology): TopologyLayout {
  const { nodeWidth, nodeHeight, rowGap, bandGap, columnGap, margin } = LAYOUT;
  const row = nodeHeight + rowGap;
  const byId = new Map(topo.nodes.map((n) => [n.id, n]));
  const placed = new Map<string, PlacedNode>();
  const place = (id: string, y: number): void => {
    const n = byId.get(id);
    if (!n || placed.has(id)) return;
    placed.set(id, { ...n, x: margin + COLUMN[n.kind] * (nodeWidth + columnGap), y, width: nodeWidth, height: nodeHeight });
  };
  const nicsOf = new Map<string, string[]>();
  const guestOf = new Map<string, string>();
  const uplinksOf = new Map<string, string[]>();
  for (const e of topo.edges) {
    if (e.id.startsWith('plug:')) nicsOf.set(e.source, [...(nicsOf.get(e.source) ?? []), e.target]);
    else if (e.id.startsWith('own:')) guestOf.set(e.source, e.target);
    else if (e.id.startsWith('fwd:')) uplinksOf.set(e.source, [...(uplinksOf.get(e.source) ?? []), e.target]);
  }

  let y: number = margin;
  const band = (head: string | undefined, nics: string[]): void => {
    const top = y;
    if (head) place(head, top);
    nics.forEach((nic, i) => {
      place(nic, top + i * row);
      const guest = guestOf.get(nic);
      if (guest) place(guest, top + i * row);
    });
    y = top + Math.max(1, nics.length) * row + bandGap;
  };
  for (const n of topo.nodes) if (n.kind === 'network') band(n.id, nicsOf.get(n.id) ?? []);
  // vNICs on no network of ours (a host bridge, a network that is gone), then guests without vNICs.
  const loose = topo.nodes.filter((n) => n.kind === 'nic' && !placed.has(n.id)).map((n) => n.id);
  if (loose.length > 0) band(undefined, loose);
  for (const n of topo.nodes) {
    if (n.kind !== 'guest' || placed.has(n.id)) continue;
    place(n.id, y);
    y += row;
  }
  // Uplinks level with the first network they carry, never on top of each other.
  let uplinkY: number = margin - row;
  for (const n of topo.nodes) {
    if (n.kind !== 'uplink') continue;
    const first = (uplinksOf.get(n.id) ?? []).map((id) => placed.get(id)?.y).find((v) => v !== undefined) ?? margin;
    uplinkY = Math.max(first, uplinkY + row);
    place(n.id, uplinkY);
    y = Math.max(y, uplinkY + row);
  }

  const edges: PlacedEdge[] = [];
  for (const e of topo.edges) {
    const a = placed.get(e.source);
    const b = placed.get(e.target);
    if (!a || !b) continue;
    const x1 = a.x + a.width;
    const y1 = a.y + a.height / 2;
    const x2 = b.x;
    const y2 = b.y + b.height / 2;
    const mid = (x1 + x2) / 2;
    edges.push({ ...e, path: `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`, dashed: e.id.startsWith('fwd:') });
  }
  const nodes = [...placed.values()];
  return { nodes, edges, width: margin * 2 + 4 * nodeWidth + 3 * columnGap, height: Math.max(y, margin * 2 + row) };
}
