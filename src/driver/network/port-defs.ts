/**
 * virtnet's network ports as libvirt's port documents: the plug type a
 * libvirt client sees (`network` for a bridge virtnet runs, `bridge` for a
 * host bridge, `direct` for a macvtap on a pool interface), and back from a
 * reclaimed port's plug to the one the port table keeps.
 */
import type { DirectModeName, NetworkPortDef, PortPlug } from '../../conf/network/port-types.js';
import type { NetworkDef } from '../../conf/network/types.js';
import type { MacvlanMode } from '../../host/link-ops.js';
import type { NetworkPort, NicPlug } from '../common/ports.js';

const DIRECT_MODE_NAME: Partial<Record<MacvlanMode, DirectModeName>> = {
  vepa: 'vepa',
  private: 'private',
  bridge: 'bridge',
  passthru: 'passthrough',
};
const KERNEL_MODE: Record<DirectModeName, MacvlanMode> = { vepa: 'vepa', private: 'private', bridge: 'bridge', passthrough: 'passthru' };

/** The plug as libvirt describes it, for a port of the network `def`. */
function portPlugOf(plug: NicPlug, def: NetworkDef): PortPlug {
  if (plug.kind === 'direct') return { type: 'direct', dev: plug.dev, mode: DIRECT_MODE_NAME[plug.mode] ?? 'vepa' };
  const manager = def.bridge.macTableManager;
  return { type: def.forward.mode === 'bridge' ? 'bridge' : 'network', bridge: plug.bridge, ...(manager ? { macTableManager: manager } : {}) };
}

/** A port of the network `def` as a <networkport> document's contents. */
export function portDefOf(port: NetworkPort, def: NetworkDef): NetworkPortDef {
  return {
    uuid: port.portid,
    owner: port.owner,
    ...(port.group !== undefined ? { group: port.group } : {}),
    mac: port.mac,
    ...port.settings,
    plug: portPlugOf(port.plug, def),
  };
}

/** A port read back from its status file (a <networkport> document with its plug), as the port table keeps it. */
export function portFromDef(network: string, doc: NetworkPortDef & { plug: PortPlug }): NetworkPort {
  const { uuid, owner, group, mac, plug, ...settings } = doc;
  return { portid: uuid, network, plug: nicPlugOf(plug), owner, mac, ...(group !== undefined ? { group } : {}), settings, byClient: true };
}

/** The plug a reclaimed port had, as the port table keeps plugs. */
export function nicPlugOf(plug: PortPlug): NicPlug {
  return plug.type === 'direct' ? { kind: 'direct', dev: plug.dev, mode: KERNEL_MODE[plug.mode] } : { kind: 'bridge', bridge: plug.bridge };
}
