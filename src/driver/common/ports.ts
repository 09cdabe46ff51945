/**
 * Network ports: how a guest's vNIC gets its place on a network, with
 * libvirt's rules (networkAllocatePort, networkNotifyPort,
 * networkReleasePort). The network driver holds one PortTable and calls it
 * under the network's lock; the guest driver asks through the network
 * driver's allocatePort / releasePort.
 *
 * - The network must be active: "network 'N' is not active".
 * - none/nat/route/open, and bridge mode with a bridge name: a port of the
 *   network's bridge.
 * - bridge mode without a bridge name, private, vepa, passthrough: a
 *   macvlan/macvtap device on an interface of the network's pool, in the
 *   network's mode (passthrough is the kernel's "passthru"). A network
 *   without a pool: "network 'N' uses a direct mode, but has no forward dev
 *   and no interface pool". passthrough takes the first interface with no
 *   connection ("network 'N' requires exclusive access to interfaces, but
 *   none are available"); the others the least used (the first of the
 *   least used).
 * - hostdev networks hand out PCI devices, which virtnet guests cannot use.
 * - Every port counts in the network's `connections` and, for a pool
 *   interface, in that interface's (both shown in the live XML).
 * - A port that existed before (a running guest re-plugged after the
 *   network restarted, or adopted after a daemon restart) is "notified":
 *   it keeps its pool interface if the pool still has it, with libvirt's
 *   errors when not.
 * - A port's settings (bandwidth, vlan, trustGuestRxFilters, port
 *   isolated, virtualport) are its own, else its portgroup's (the one it
 *   names, else the default one), else the network's; a virtualport on a
 *   network with IP forwarding is refused; an inbound floor needs the
 *   network's inbound QoS and its room, and takes a class id (from 3).
 *   None of them is applied to the kernel.
 *
 * A network that stops loses its ports; the guest driver re-plugs running
 * guests when it starts again (libvirt leaves them cut off) and notifies
 * them after a daemon restart. Ports made through the port API (libvirt
 * clients, net-port-create) have no one to notify them: the driver keeps
 * them in status files and restores them at start-up.
 */
import { randomUUID } from 'node:crypto';
import type { PortSettings } from '../../conf/network/port-types.js';
import type { NetworkDef, PortGroupDef } from '../../conf/network/types.js';
import type { MacvlanMode } from '../../host/link-ops.js';
import type { NicPlug } from '../../host/guest-backend.js';
import { VirError, configUnsupported, internalError, operationInvalid } from '../../util/errors.js';

/** libvirt's first class id for a port's floor (0-2 are the network's own). */
const FIRST_CLASS_ID = 3;

export type { NicPlug } from '../../host/guest-backend.js';

/** A port a network handed out. */
export interface NetworkPort {
  portid: string;
  network: string;
  plug: NicPlug;
  /** The guest (virtnet's, or a libvirt client's domain) the port is for. */
  owner: { name: string; uuid: string };
  mac: string;
  /** The portgroup asked for. */
  group?: string;
  /** Its settings as allocated: its own, else its portgroup's or the network's. */
  settings: PortSettings;
  /** Made through the port API (a libvirt client, net-port-create): no guest re-notifies it, so it is kept on disk. */
  byClient?: boolean;
}

export interface PortRequest {
  /** The guest the port is for. */
  owner: { name: string; uuid: string };
  mac: string;
  group?: string;
  /** The port's own settings (a <networkport> document's). */
  settings?: PortSettings;
  byClient?: boolean;
  /** Keep this port id (notify / re-plug). */
  portid?: string;
  /** The plug the vNIC had before: its pool interface is kept (networkNotifyPort). */
  previous?: NicPlug;
}

/**
 * What the network driver asks of the guest driver (set with
 * NetworkDriver.setPortOwner): which guests use a network, for the
 * `force` checks of undefine and destroy, and what to do after a network
 * started or stopped.
 */
export interface NetworkPortOwner {
  /**
   * The running guests whose live definition has a vNIC on the network
   * (plugged in, or waiting for the network to start again), by name,
   * sorted: undefine and destroy need `force` while there are any.
   */
  guestsOn(network: string): string[];
  /** The network (re)started: plug the running guests' vNICs back in. */
  networkStarted(network: string): Promise<void>;
  /** The network stopped: its ports are gone. */
  networkStopped(network: string): Promise<void>;
  /**
   * The MACs of the vNICs a guest of this name has on the network, in its
   * definition's order (the live one while it runs), running or not; none
   * for an unknown guest. Port forwards to a guest's name follow them.
   */
  macsOf?(guest: string, network: string): string[];
}

const DIRECT_MODES: Partial<Record<NetworkDef['forward']['mode'], MacvlanMode>> = {
  bridge: 'bridge',
  private: 'private',
  vepa: 'vepa',
  passthrough: 'passthru',
};

/** The macvlan mode of a network in a macvtap mode, or undefined for networks with a bridge. */
function directModeOf(def: NetworkDef): MacvlanMode | undefined {
  if (def.forward.mode === 'bridge' && def.bridge.name !== undefined && def.bridge.name !== '') return undefined;
  return DIRECT_MODES[def.forward.mode];
}

export class PortTable {
  private readonly byNetwork = new Map<string, Map<string, NetworkPort>>();

  /** `newUuid` names ports made without a portid (injectable, as the driver's other randomness). */
  constructor(private readonly newUuid: () => string = randomUUID) {}

  private table(network: string): Map<string, NetworkPort> {
    let t = this.byNetwork.get(network);
    if (t === undefined) {
      t = new Map();
      this.byNetwork.set(network, t);
    }
    return t;
  }

  /** The ports of a network. */
  ports(network: string): NetworkPort[] {
    return [...(this.byNetwork.get(network)?.values() ?? [])];
  }

  /** One port of a network, by id. */
  get(network: string, portid: string): NetworkPort | undefined {
    return this.byNetwork.get(network)?.get(portid);
  }

  /**
   * Allocate (or notify) a port on `def`, the network's live def, whose
   * connection counts are updated in place. Throws libvirt's errors.
   */
  allocate(def: NetworkDef, active: boolean, request: PortRequest, given?: NicPlug): NetworkPort {
    if (!active) throw operationInvalid(`network '${def.name}' is not active`);
    const table = this.table(def.name);
    if (request.portid !== undefined) {
      const held = table.get(request.portid);
      if (held !== undefined) return held;
    }
    const portid = request.portid ?? this.newUuid();
    const settings = settingsFor(def, request);
    const mode = directModeOf(def);
    let plug: NicPlug;
    let poolIndex: number | undefined;
    if (given !== undefined) {
      // The network's runtime made the port and said how to plug into it (an OVN network).
      plug = given;
    } else if (def.forward.mode === 'hostdev') {
      throw configUnsupported(`network '${def.name}' hands out PCI devices (forward mode 'hostdev'), which virtnet guests cannot use`);
    } else if (mode === undefined) {
      const bridge = def.bridge.name;
      if (bridge === undefined || bridge === '') throw internalError(`network '${def.name}' has no bridge name defined`);
      plug = { kind: 'bridge', bridge };
    } else {
      const pool = def.forward.interfaces;
      if (pool.length === 0) {
        throw internalError(`network '${def.name}' uses a direct mode, but has no forward dev and no interface pool`);
      }
      const exclusive = def.forward.mode === 'passthrough';
      if (request.previous?.kind === 'direct') {
        const dev = request.previous.dev;
        poolIndex = pool.findIndex((i) => i.type === 'netdev' && i.dev === dev);
        if (poolIndex < 0) {
          throw internalError(`network '${def.name}' doesn't have dev='${dev}' in use by network port '${portid}'`);
        }
        if (exclusive && pool[poolIndex]!.connections > 0) {
          throw internalError(`network '${def.name}' claims dev='${dev}' is already in use by a different port`);
        }
      } else if (exclusive) {
        poolIndex = pool.findIndex((i) => i.connections === 0);
      } else {
        poolIndex = 0;
        pool.forEach((iface, i) => {
          if (iface.connections < pool[poolIndex!]!.connections) poolIndex = i;
        });
      }
      const chosen = poolIndex !== undefined && poolIndex >= 0 ? pool[poolIndex] : undefined;
      if (chosen === undefined) throw internalError(`network '${def.name}' requires exclusive access to interfaces, but none are available`);
      if (chosen.type !== 'netdev') throw new VirError('INTERNAL_ERROR', `network '${def.name}' has a PCI device where a netdev is needed`);
      plug = { kind: 'direct', dev: chosen.dev, mode };
    }
    const floor = settings.bandwidth?.inbound?.floor;
    if (floor !== undefined) {
      this.checkFloor(def, request.mac, floor);
      settings.bandwidth = { ...settings.bandwidth, classId: this.nextClassId(def.name) };
    }
    const port: NetworkPort = {
      portid,
      network: def.name,
      plug,
      owner: request.owner,
      mac: request.mac,
      ...(request.group !== undefined ? { group: request.group } : {}),
      settings,
      ...(request.byClient ? { byClient: true } : {}),
    };
    this.add(def, port);
    return port;
  }

  /** Put a port back as it was allocated (read from its status file); false when its pool interface is gone. */
  restore(def: NetworkDef, port: NetworkPort): boolean {
    if (port.plug.kind === 'direct') {
      const dev = port.plug.dev;
      if (!def.forward.interfaces.some((i) => i.type === 'netdev' && i.dev === dev)) return false;
    }
    this.add(def, port);
    return true;
  }

  private add(def: NetworkDef, port: NetworkPort): void {
    this.table(def.name).set(port.portid, port);
    def.connections++;
    if (port.plug.kind === 'direct') {
      const dev = port.plug.dev;
      const iface = def.forward.interfaces.find((i) => i.type === 'netdev' && i.dev === dev);
      if (iface !== undefined) iface.connections++;
    }
  }

  /** The class ids the network's ports hold, with libvirt's own 0-2. */
  classIds(network: string): number[] {
    const held = this.ports(network).flatMap((p) => (p.settings.bandwidth?.inbound?.floor ? [p.settings.bandwidth.classId ?? 0] : []));
    return [0, 1, 2, ...held.filter((id) => id >= FIRST_CLASS_ID)].sort((a, b) => a - b);
  }

  /** The sum of the inbound floors of the network's ports. */
  floorSum(network: string): number {
    return this.ports(network).reduce((sum, p) => sum + (p.settings.bandwidth?.inbound?.floor ?? 0), 0);
  }

  private nextClassId(network: string): number {
    const used = new Set(this.classIds(network));
    let id = FIRST_CLASS_ID;
    while (used.has(id)) id++;
    return id;
  }

  /** networkCheckBandwidth: whether the network has inbound QoS with room for `floor` more. */
  private checkFloor(def: NetworkDef, mac: string, floor: number): void {
    const mode = def.forward.mode;
    if (mode !== 'none' && mode !== 'nat' && mode !== 'route' && mode !== 'open') {
      throw new VirError(
        'OPERATION_UNSUPPORTED',
        `Invalid use of 'floor' on interface with MAC address ${mac} - 'floor' is only supported for interface type 'network' with forward type 'nat', 'route', 'open' or none`,
      );
    }
    const inbound = def.bandwidth?.inbound;
    if (inbound === undefined) {
      throw new VirError(
        'OPERATION_UNSUPPORTED',
        `Invalid use of 'floor' on interface with MAC address ${mac} - network '${def.name}' has no inbound QoS set`,
      );
    }
    const sum = this.floorSum(def.name) + floor;
    const over = (what: string, limit: number): VirError =>
      operationInvalid(
        `Cannot plug '${mac}' interface into '${def.bridge.name ?? ''}' because new combined inbound floor=${sum} would overcommit ${what}=${limit} on network '${def.name}'`,
      );
    if (inbound.peak && sum > inbound.peak) throw over('peak', inbound.peak);
    if (!inbound.peak && sum > (inbound.average ?? 0)) throw over('average', inbound.average ?? 0);
  }

  /** Release a port; false when the network does not know it (it restarted since). */
  release(def: NetworkDef, portid: string): boolean {
    const table = this.byNetwork.get(def.name);
    const held = table?.get(portid);
    if (table === undefined || held === undefined) return false;
    table.delete(portid);
    if (def.connections > 0) def.connections--;
    if (held.plug.kind === 'direct') {
      const dev = held.plug.dev;
      const iface = def.forward.interfaces.find((i) => i.type === 'netdev' && i.dev === dev);
      if (iface !== undefined && iface.connections > 0) iface.connections--;
    }
    return true;
  }

  /**
   * Write the counts of the network's ports into `def`, a new live def of the
   * same network (after a live net-update, whose forward-interface changes
   * may add or remove pool interfaces), so the counts always match the ports.
   */
  recount(def: NetworkDef): void {
    const ports = this.ports(def.name);
    def.connections = ports.length;
    for (const iface of def.forward.interfaces) {
      iface.connections = iface.type === 'netdev' ? ports.filter((p) => p.plug.kind === 'direct' && p.plug.dev === iface.dev).length : 0;
    }
  }

  /** Forget a network's ports (it stopped) and zero the counts of `def` if given. */
  clear(network: string, def?: NetworkDef): void {
    this.byNetwork.delete(network);
    if (def !== undefined) {
      def.connections = 0;
      for (const i of def.forward.interfaces) i.connections = 0;
    }
  }
}

/** The portgroup a port gets: the one it names, else (naming none) the network's default one (virPortGroupFindByName). */
function portGroupOf(def: NetworkDef, group: string | undefined): PortGroupDef | undefined {
  return group !== undefined ? def.portGroups.find((pg) => pg.name === group) : def.portGroups.find((pg) => pg.isDefault === true);
}

/** What a network uses for its ports, and the virtualport types that fit it, for libvirt's refusal. */
function virtualPortUse(def: NetworkDef): { use: string; allowed: readonly string[] } {
  switch (def.forward.mode) {
    case 'none':
    case 'nat':
    case 'route':
    case 'open':
      return { use: 'IP forwarding', allowed: [] };
    case 'hostdev':
      return { use: 'an SR-IOV Virtual Function via PCI passthrough', allowed: ['802.1Qbh'] };
    default:
      return directModeOf(def) === undefined
        ? { use: 'a bridge device', allowed: ['openvswitch', 'midonet'] }
        : { use: 'a macvtap device', allowed: ['802.1Qbg', '802.1Qbh'] };
  }
}

/**
 * A port's settings as networkAllocatePort fills them in: its own, else its
 * portgroup's, else the network's (the virtualport from the first that has
 * one), and libvirt's refusal of a virtualport where the network cannot use it.
 */
function settingsFor(def: NetworkDef, request: PortRequest): PortSettings {
  const own = request.settings ?? {};
  const pg = portGroupOf(def, request.group);
  const out: PortSettings = {};
  const bandwidth = own.bandwidth ?? pg?.bandwidth;
  if (bandwidth !== undefined) out.bandwidth = structuredClone(bandwidth);
  const vlan = own.vlan ?? pg?.vlan ?? def.vlan;
  if (vlan !== undefined) out.vlan = structuredClone(vlan);
  const trust = own.trustGuestRxFilters ?? pg?.trustGuestRxFilters ?? def.trustGuestRxFilters;
  if (trust !== undefined) out.trustGuestRxFilters = trust;
  const isolated = own.isolated ?? def.portIsolated;
  if (isolated !== undefined) out.isolated = isolated;
  const vp = own.virtualPort ?? pg?.virtualPort ?? def.virtualPort;
  if (vp !== undefined) {
    const { use, allowed } = virtualPortUse(def);
    if (vp.type !== undefined && !allowed.includes(vp.type)) {
      throw configUnsupported(`<virtualport type='${vp.type}'> not supported for network '${def.name}' which uses ${use}`);
    }
    out.virtualPort = structuredClone(vp);
  }
  return out;
}
