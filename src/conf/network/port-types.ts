/**
 * A network port as libvirt's <networkport> document describes it
 * (virNetworkPortDef): which guest owns it, its MAC, its settings (from the
 * document, else from its portgroup or the network, as networkAllocatePort
 * fills them in) and how it is plugged into the network. virtnet keeps and
 * shows every setting; it applies none of them to the kernel (no QoS, no
 * VLAN on Linux bridges), as the bandwidth of a guest's tap is its
 * hypervisor's to apply in libvirt too.
 */
import type { BandwidthDef, VirtualPortDef, VlanDef } from './types.js';

/** libvirt's direct (macvtap) modes, by their XML names. */
export type DirectModeName = 'vepa' | 'private' | 'bridge' | 'passthrough';

export type PortPlug =
  /** A port of a bridge virtnet manages (none/nat/route/open networks). */
  | { type: 'network'; bridge: string; macTableManager?: 'kernel' | 'libvirt' }
  /** A port of a host bridge (forward mode bridge with a bridge name). */
  | { type: 'bridge'; bridge: string; macTableManager?: 'kernel' | 'libvirt' }
  /** A macvtap on a pool interface. */
  | { type: 'direct'; dev: string; mode: DirectModeName };

/** What a port carries beside its plug: <virtualport>, <bandwidth> (with its class id), <vlan>, <port isolated>, <rxfilters trustGuest>. */
export interface PortSettings {
  virtualPort?: VirtualPortDef;
  bandwidth?: BandwidthDef;
  vlan?: VlanDef;
  isolated?: boolean;
  trustGuestRxFilters?: boolean;
}

export interface NetworkPortDef extends PortSettings {
  uuid: string;
  owner: { name: string; uuid: string };
  /** The portgroup asked for. */
  group?: string;
  mac: string;
  plug?: PortPlug;
}
