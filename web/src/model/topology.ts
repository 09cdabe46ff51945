/**
 * The topology as a graph, from what the console knows: each network (with
 * its bridge), each guest, one node per vNIC between them, and the host
 * interfaces NAT and routed networks forward to (their `dev`, or the
 * device of the host's default route). Edges run from the outside in:
 * uplink → network → vNIC → guest. An OVN network, once its hosts are
 * known (GET /api/console/ovn-hosts), runs network → host → guest instead:
 * its guests grouped by the host they run on (this host's own, and those
 * of the other hosts, which this virtnetd knows only as ports), with the
 * Geneve tunnels between its hosts; a vNIC of a guest here that has no
 * port (shut off, or moved away) stays plugged into the network. Pure: layoutTopology places it for
 * the page's plain SVG drawing, redrawn whenever the store changes.
 */
import type { HostInfoBody, OvnHostsBody } from '../../../src/contract/console-api.js';
import type { GuestRow } from '../state/guests.js';

/** What the topology needs of a network: its state and model (the store's NetworkRow fits). */
export interface TopoNetwork {
  info: { name: string; active: boolean; bridge?: string };
  model: { forward: { mode?: string; dev?: string; interfaces: string[] }; bridge: { name?: string } };
  /** An OVN network has `def.ovn`. */
  def?: { ovn?: object };
}

/** host: an OVN host (chassis); remote: a guest on another OVN host, known by its port. */
export type TopoKind = 'uplink' | 'network' | 'nic' | 'guest' | 'host' | 'remote';

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

export function buildTopology(
  networks: readonly TopoNetwork[],
  guests: readonly GuestRow[],
  host: HostInfoBody | undefined,
  ovn?: OvnHostsBody,
): Topology {
  const nodes: TopoNode[] = [];
  const edges: TopoEdge[] = [];
  const uplinks = new Set<string>();
  const byBridge = new Map<string, string>();
  // OVN networks drawn by host: those whose hosts are known.
  const byHost = new Set(ovn && !ovn.unavailable ? networks.filter((n) => n.def?.ovn !== undefined).map((n) => n.info.name) : []);

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
  const localGuests = new Set(guests.map((g) => g.info.name));
  // The vNICs OVN has a port for on this host: they hang from the host (addOvnHosts). One without (its guest shut off, or moved away) stays plugged into its network.
  const portHere = (network: string, guest: string, mac: string): string => `${network}/${guest}/${mac.toLowerCase()}`;
  const portsHere = new Set(
    ovn?.ports.filter((p) => p.host === ovn.thisHost && byHost.has(p.network)).map((p) => portHere(p.network, p.guest, p.mac)) ?? [],
  );
  for (const g of guests) {
    const gid = `guest:${g.info.name}`;
    nodes.push({ id: gid, kind: 'guest', label: g.info.name, secondary: g.info.type, active: g.info.active });
    for (const nic of g.interfaces) {
      if (nic.type === 'network' && nic.source !== undefined && portsHere.has(portHere(nic.source, g.info.name, nic.mac))) continue;
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
  if (ovn) addOvnHosts(ovn, byHost, localGuests, nodes, edges);
  return { nodes, edges };
}

/** Each OVN network's hosts, the guests on each, and the tunnels between them. */
function addOvnHosts(ovn: OvnHostsBody, networks: ReadonlySet<string>, localGuests: ReadonlySet<string>, nodes: TopoNode[], edges: TopoEdge[]): void {
  for (const name of networks) {
    const ports = ovn.ports.filter((p) => p.network === name);
    const hosts = ovn.hosts.filter((h) => h.networks.includes(name) || ports.some((p) => p.host === h.name));
    for (const h of hosts) {
      const hid = `host:${name}:${h.name}`;
      const encap = h.encaps[0];
      nodes.push({ id: hid, kind: 'host', label: h.name, ...(encap ? { secondary: encap.ip } : {}), active: h.state !== 'down' });
      edges.push({ id: `ovn:${hid}`, source: `net:${name}`, target: hid });
      for (const p of ports.filter((x) => x.host === h.name)) {
        if (h.name === ovn.thisHost && localGuests.has(p.guest)) {
          edges.push({ id: `on:${hid}:${p.mac}`, source: hid, target: `guest:${p.guest}`, label: p.address ?? p.mac });
        } else {
          const rid = `remote:${name}:${p.mac}`;
          nodes.push({ id: rid, kind: 'remote', label: p.guest, secondary: p.address ?? p.mac, active: p.up });
          edges.push({ id: `on:${hid}:${p.mac}`, source: hid, target: rid });
        }
      }
    }
    hosts.forEach((a, i) => {
      for (const b of hosts.slice(i + 1)) {
        edges.push({ id: `tun:${name}:${a.name}:${b.name}`, source: `host:${name}:${a.name}`, target: `host:${name}:${b.name}`, label: 'geneve' });
      }
    });
  }
}

/** A node placed on the drawing: its box (top-left corner, size). */
export interface PlacedNode extends TopoNode {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PlacedEdge extends TopoEdge {
  /** The SVG path from the source's right side to the target's left side (a tunnel: an arc on their left). */
  path: string;
  dashed: boolean;
  tunnel: boolean;
}

export interface TopologyLayout {
  nodes: PlacedNode[];
  edges: PlacedEdge[];
  width: number;
  height: number;
}

/** Sizes of the drawing, in CSS pixels at scale 1 (labels are 12 and 11 px there). */
export const LAYOUT = { nodeWidth: 190, nodeHeight: 40, rowGap: 12, bandGap: 24, columnGap: 80, margin: 16 } as const;

const COLUMN: Record<TopoKind, number> = { uplink: 0, network: 1, nic: 2, host: 2, guest: 3, remote: 3 };

/**
 * A plain layered layout, left to right (uplinks, networks, vNICs,
 * guests), grouped per network: each network heads a band with its vNICs
 * one under the other and each guest beside its first vNIC, so a big host
 * reads as a list of networks rather than a tangle. Uplinks sit level
 * with the first network they carry; what is connected to nothing comes
 * last. An OVN network drawn by host has its hosts where vNICs would be,
 * each with its guests beside it, one under the other, then the vNICs
 * OVN has no port for here (their guests shut off). Pure and linear in
 * the number of nodes and edges.
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
  const hostsOf = new Map<string, string[]>();
  const onHost = new Map<string, string[]>();
  for (const e of topo.edges) {
    if (e.id.startsWith('plug:')) nicsOf.set(e.source, [...(nicsOf.get(e.source) ?? []), e.target]);
    else if (e.id.startsWith('ovn:')) hostsOf.set(e.source, [...(hostsOf.get(e.source) ?? []), e.target]);
    else if (e.id.startsWith('on:')) onHost.set(e.source, [...(onHost.get(e.source) ?? []), e.target]);
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
  const hostBand = (head: string, hosts: string[], nics: string[]): void => {
    const top = y;
    place(head, top);
    let r = 0;
    for (const h of hosts) {
      place(h, top + r * row);
      const there = onHost.get(h) ?? [];
      there.forEach((g, i) => {
        place(g, top + (r + i) * row);
      });
      r += Math.max(1, there.length);
    }
    // vNICs with no port here (their guests shut off), under the hosts.
    for (const nic of nics) {
      place(nic, top + r * row);
      const guest = guestOf.get(nic);
      if (guest) place(guest, top + r * row);
      r += 1;
    }
    y = top + Math.max(1, r) * row + bandGap;
  };
  for (const n of topo.nodes) {
    if (n.kind !== 'network') continue;
    const hosts = hostsOf.get(n.id);
    if (hosts) hostBand(n.id, hosts, nicsOf.get(n.id) ?? []);
    else band(n.id, nicsOf.get(n.id) ?? []);
  }
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
    if (e.id.startsWith('tun:')) {
      // Both ends in one column: an arc on their left, wider the further apart they are.
      const bend = a.x - Math.min(columnGap - 8, 16 + Math.abs(b.y - a.y) / 6);
      edges.push({ ...e, path: `M${a.x},${y1} C${bend},${y1} ${bend},${y2} ${b.x},${y2}`, dashed: true, tunnel: true });
      continue;
    }
    const mid = (x1 + x2) / 2;
    edges.push({ ...e, path: `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`, dashed: e.id.startsWith('fwd:'), tunnel: false });
  }
  const nodes = [...placed.values()];
  return { nodes, edges, width: margin * 2 + 4 * nodeWidth + 3 * columnGap, height: Math.max(y, margin * 2 + row) };
}
