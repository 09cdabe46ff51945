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
 *
 * Ports live in memory only: a network that stops loses them, and the
 * guest driver re-plugs running guests when it starts again (libvirt
 * leaves them cut off) and notifies them after a daemon restart.
 */
import { randomUUID } from 'node:crypto';
import type { NetworkDef } from '../../conf/network/types.js';
import type { MacvlanMode } from '../../host/link-ops.js';
import type { NicPlug } from '../../host/guest-backend.js';
import { VirError, configUnsupported, internalError, operationInvalid } from '../../util/errors.js';

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
}

export interface PortRequest {
  /** The guest the port is for. */
  owner: { name: string; uuid: string };
  mac: string;
  group?: string;
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
export function directModeOf(def: NetworkDef): MacvlanMode | undefined {
  if (def.forward.mode === 'bridge' && def.bridge.name !== undefined && def.bridge.name !== '') return undefined;
  return DIRECT_MODES[def.forward.mode];
}

export class PortTable {
  private readonly byNetwork = new Map<string, Map<string, NetworkPort>>();

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
    const portid = request.portid ?? randomUUID();
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
    const port: NetworkPort = {
      portid,
      network: def.name,
      plug,
      owner: request.owner,
      mac: request.mac,
      ...(request.group !== undefined ? { group: request.group } : {}),
    };
    table.set(portid, port);
    def.connections++;
    if (poolIndex !== undefined && poolIndex >= 0) def.forward.interfaces[poolIndex]!.connections++;
    return port;
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
