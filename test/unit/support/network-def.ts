/**
 * The smallest valid network definition, as the conf and plan unit tests
 * build them inline: every required field of NetworkDef at its empty value,
 * so a test names only what it is about.
 */
import type { DnsDef, ForwardMode, NetworkDef } from '../../../src/conf/network/types.js';

/** Network `n1` with a fixed uuid, forward `mode`, an unnamed STP bridge and nothing else; `over` replaces top-level fields. */
export function minimalNetworkDef(over: Partial<NetworkDef> = {}, mode: ForwardMode = 'none'): NetworkDef {
  return {
    name: 'n1',
    uuid: '11111111-2222-3333-4444-555555555555',
    uuidSpecified: true,
    connections: 0,
    forward: { mode, interfaces: [] },
    bridge: { stp: true, delay: 0 },
    mtu: 0,
    dns: minimalDnsDef(),
    ips: [],
    routes: [],
    portGroups: [],
    dnsmasqOptions: [],
    ...over,
  };
}

/** A <dns> with no records; `over` sets the fields a test is about. */
export function minimalDnsDef(over: Partial<DnsDef> = {}): DnsDef {
  return { forwarders: [], txts: [], srvs: [], hosts: [], ...over };
}
