/**
 * One vNIC of a running guest: plugging it in (a port from its network,
 * then the backend's devices), re-plugging it, and what its live
 * <interface> shows — as libvirt fills a running domain's interface:
 * `<target dev='vnetN'/>`, `<alias name='netN'/>` (the next index after
 * the highest netN in use, qemuAssignDeviceNetAlias) unless the user gave a
 * `ua-` alias, and for type='network' `<source network=... portid=...
 * bridge=...>` (bridge only when plugged into one).
 *
 * The functions here work on a guest's live def and record; the driver
 * calls them holding the guest's lock and saves the result.
 */
import type { GuestDef, GuestInterface } from '../../conf/guest/types.js';
import type { GuestBackend, GuestHandle, NicPlug, NicSpec, PluggedNic } from '../../host/guest-backend.js';
import { internalError } from '../../util/errors.js';
import type { DhcpLease, NetworkInfo } from '../../contract/network-api.js';
import type { NetworkPort, NetworkPortOwner, PortRequest } from '../common/ports.js';
import type { GuestNicRecord, GuestRuntimeRecord } from './store.js';

/** What the guest driver needs of the network driver (NetworkDriver fits). */
export interface GuestNetworks {
  allocatePort(name: string, request: PortRequest): Promise<NetworkPort>;
  releasePort(name: string, portid: string): Promise<void>;
  leases(name: string, mac?: string): Promise<DhcpLease[]>;
  lookupByName(name: string): Promise<NetworkInfo>;
  setPortOwner(owner: NetworkPortOwner | undefined): void;
}

const NET_ALIAS = /^net(\d+)$/;

/** qemuAssignDeviceNetAlias: net(N+1) for the highest netN in use, net0 if none. */
function nextNetAlias(def: GuestDef): string {
  let next = 0;
  for (const i of def.interfaces) {
    const m = i.alias === undefined ? null : NET_ALIAS.exec(i.alias);
    if (m) next = Math.max(next, Number(m[1]) + 1);
  }
  return `net${next}`;
}

export function pluggedOf(rec: GuestNicRecord): PluggedNic {
  const p: PluggedNic = { mac: rec.mac, plug: rec.plug, target: rec.target };
  if (rec.guestDev !== undefined) p.guestDev = rec.guestDev;
  return p;
}

/** The live interface for a plugged vNIC. */
export function liveInterface(iface: GuestInterface, rec: GuestNicRecord, def: GuestDef): GuestInterface {
  const live: GuestInterface = { ...iface, target: rec.target };
  if (live.alias === undefined) live.alias = nextNetAlias(def);
  return withPort(live, rec);
}

/** The interface's portid and actual bridge, from its record. */
export function withPort(iface: GuestInterface, rec: GuestNicRecord): GuestInterface {
  const out: GuestInterface = { ...iface };
  if (iface.type !== 'network') return out;
  if (rec.portid !== undefined) out.portid = rec.portid;
  else delete out.portid;
  if (rec.plug.kind !== 'direct' && rec.connected) out.actualBridge = rec.plug.bridge;
  else delete out.actualBridge;
  return out;
}

export interface NicContext {
  backend: GuestBackend;
  networks: GuestNetworks;
  handle: GuestHandle;
  owner: { name: string; uuid: string };
  /** Host names other running guests hold. */
  reserved: ReadonlySet<string>;
  warn: (message: string, err: unknown) => void;
}

/**
 * Plug a new vNIC in: a port of its network (type network), then its
 * devices; `journal` hears the device names before they are made. Nothing
 * is left on failure.
 */
export async function plugNic(
  ctx: NicContext,
  iface: GuestInterface,
  record: GuestRuntimeRecord,
  journal?: (nic: PluggedNic) => void,
): Promise<GuestNicRecord> {
  const mac = iface.mac;
  if (mac === undefined) throw internalError('interface without a MAC address');
  let port: NetworkPort | undefined;
  let plug: NicPlug;
  if (iface.type === 'network') {
    port = await ctx.networks.allocatePort(iface.source, { owner: ctx.owner, mac });
    plug = port.plug;
  } else {
    plug = { kind: 'bridge', bridge: iface.source };
  }
  const spec: NicSpec = { mac, plug, vnetHdr: iface.model === 'virtio' };
  if (iface.target !== undefined) spec.target = iface.target;
  let made: PluggedNic;
  try {
    const reserved = new Set([...ctx.reserved, ...record.nics.map((n) => n.target)]);
    const guestDevs = new Set(record.nics.flatMap((n) => (n.guestDev === undefined ? [] : [n.guestDev])));
    made = await ctx.backend.plug(ctx.handle, spec, journal !== undefined ? { reserved, guestDevs, journal } : { reserved, guestDevs });
  } catch (err) {
    if (port !== undefined) await ctx.networks.releasePort(port.network, port.portid).catch((e: unknown) => ctx.warn('cannot release a port', e));
    throw err;
  }
  const rec: GuestNicRecord = { mac, target: made.target, plug: made.plug, connected: true };
  if (made.guestDev !== undefined) rec.guestDev = made.guestDev;
  if (port !== undefined) {
    rec.network = port.network;
    rec.portid = port.portid;
  }
  return rec;
}

/** Remove a vNIC's devices and give its port back (best effort for the port). */
export async function unplugNic(ctx: NicContext, rec: GuestNicRecord): Promise<void> {
  await ctx.backend.unplug(ctx.handle, pluggedOf(rec));
  await releaseNic(ctx, rec);
}

export async function releaseNic(ctx: Pick<NicContext, 'networks' | 'warn'>, rec: GuestNicRecord): Promise<void> {
  if (rec.network !== undefined && rec.portid !== undefined && rec.connected) {
    await ctx.networks.releasePort(rec.network, rec.portid).catch((e: unknown) => ctx.warn('cannot release a port', e));
  }
}

/**
 * Connect an existing vNIC again: a port of its network (notified with its
 * port id and previous plug), then its devices re-plugged. Returns the
 * updated record; throws (leaving `rec` as it was) when the network cannot
 * take it, e.g. because it is not active.
 */
export async function reconnectNic(ctx: NicContext, rec: GuestNicRecord, bridgeOverride?: string): Promise<GuestNicRecord> {
  let plug: NicPlug = rec.plug;
  let port: NetworkPort | undefined;
  if (rec.network !== undefined) {
    const request: PortRequest = { owner: ctx.owner, mac: rec.mac, previous: rec.plug };
    if (rec.portid !== undefined) request.portid = rec.portid;
    port = await ctx.networks.allocatePort(rec.network, request);
    plug = port.plug;
  } else if (bridgeOverride !== undefined && rec.plug.kind === 'bridge') {
    plug = { kind: 'bridge', bridge: bridgeOverride };
  }
  let made: PluggedNic;
  try {
    made = await ctx.backend.replug(ctx.handle, pluggedOf(rec), plug);
  } catch (err) {
    if (port !== undefined) await ctx.networks.releasePort(port.network, port.portid).catch((e: unknown) => ctx.warn('cannot release a port', e));
    throw err;
  }
  const next: GuestNicRecord = { ...rec, plug: made.plug, target: made.target, connected: true };
  if (made.guestDev !== undefined) next.guestDev = made.guestDev;
  if (port !== undefined) next.portid = port.portid;
  return next;
}
