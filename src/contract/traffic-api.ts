/**
 * Traffic, seen: a vNIC's counters as the guest sees them (virsh's
 * domifstat) and a network's traffic (its bridge as the host sees it, and
 * each vNIC), read from the kernel's link counters, so nothing is added to
 * the datapath. Served by the guest driver (src/driver/guest/driver.ts),
 * over REST by src/api/routes-traffic.ts, called by src/client/http-traffic.ts.
 */

/** One direction's counters. */
interface DirectionCounters {
  bytes: number;
  packets: number;
  errors: number;
  dropped: number;
}

/** Counters of a device, both directions. */
export interface TrafficCounters {
  rx: DirectionCounters;
  tx: DirectionCounters;
}

/** domifstat: rx is what the guest received, tx what it sent (libvirt's view for tap-like devices). */
export interface InterfaceStats extends TrafficCounters {
  /** The vNIC's host-side device (its <target dev>). */
  device: string;
}

export interface VnicTraffic extends TrafficCounters {
  guest: string;
  device: string;
  mac: string;
}

export interface NetworkTraffic {
  network: string;
  /** The bridge device; absent for networks without one. */
  bridge?: string;
  /** The bridge device as the host sees it: what the network exchanges with the host (routed, NATed, DHCP, DNS). */
  host?: TrafficCounters;
  /** The sum of its guests' vNICs, as the guests see them. */
  guests: TrafficCounters;
  /** Each running guest's vNIC on the network, as the guest sees it. */
  vnics: VnicTraffic[];
  /** When the counters were read (ms since the epoch), for rates between two reads. */
  time: number;
}

export interface TrafficApi {
  /** domifstat DOMAIN IFACE: IFACE is the vNIC's target device or its MAC address. */
  guestInterfaceStats(name: string, iface: string): Promise<InterfaceStats>;
  /** A running network's counters, and its guests' vNICs'. */
  networkTraffic(network: string): Promise<NetworkTraffic>;
}

export function hasTrafficApi<D extends object>(driver: D): driver is D & TrafficApi {
  return typeof (driver as Partial<TrafficApi>).networkTraffic === 'function';
}
