/**
 * Network ports as libvirt's port API exposes them (virNetworkPort*): the
 * places a network hands out to guests' interfaces — virtnet's own guests'
 * vNICs and the ports libvirt clients create (virtqemud plugging a QEMU
 * guest into a virtnet network). Served to libvirt clients by the
 * libvirt socket (src/libvirt-rpc/), and over REST for virtnet's net-port-*
 * commands (src/client/http-ports.ts).
 *
 * Every method rejects with a VirError: NO_NETWORK for an unknown network,
 * NO_NETWORK_PORT "Network port with UUID U does not exist", OPERATION_INVALID
 * "network 'N' is not active" for a network that does not run, and the
 * <networkport> parser's and networkAllocatePort's texts.
 */
import type { NetworkPortDef } from '../conf/network/port-types.js';

export type { NetworkPortDef, PortPlug } from '../conf/network/port-types.js';

export interface PortCreateOptions {
  /** The port existed before (a guest that kept running): keep its plug (VIR_NETWORK_PORT_CREATE_RECLAIM). */
  reclaim?: boolean;
}

export interface NetworkPortApi {
  /** The ports of a running network, with their plugs. */
  portList(network: string): Promise<NetworkPortDef[]>;
  portLookup(network: string, uuid: string): Promise<NetworkPortDef>;
  /** Allocate a port from a <networkport> document; the reply carries the plug the network chose. */
  portCreate(network: string, xml: string, options?: PortCreateOptions): Promise<NetworkPortDef>;
  portGetXml(network: string, uuid: string): Promise<string>;
  portDelete(network: string, uuid: string): Promise<void>;
}

/** Whether a driver also serves network ports. */
export function hasPortApi<D extends object>(driver: D): driver is D & NetworkPortApi {
  return typeof (driver as Partial<NetworkPortApi>).portCreate === 'function';
}
