/**
 * A network port as libvirt's <networkport> document describes it
 * (virNetworkPortDef): which guest owns it, its MAC, and how it is
 * plugged into the network. virtnet keeps the parts it acts on; the
 * port's bandwidth, VLAN and virtualport are not applied (nor echoed).
 */
/** libvirt's direct (macvtap) modes, by their XML names. */
export type DirectModeName = 'vepa' | 'private' | 'bridge' | 'passthrough';

export type PortPlug =
  /** A port of a bridge virtnet manages (none/nat/route/open networks). */
  | { type: 'network'; bridge: string; macTableManager?: 'kernel' | 'libvirt' }
  /** A port of a host bridge (forward mode bridge with a bridge name). */
  | { type: 'bridge'; bridge: string; macTableManager?: 'kernel' | 'libvirt' }
  /** A macvtap on a pool interface. */
  | { type: 'direct'; dev: string; mode: DirectModeName };

export interface NetworkPortDef {
  uuid: string;
  owner: { name: string; uuid: string };
  /** The portgroup asked for. */
  group?: string;
  mac: string;
  plug?: PortPlug;
}
