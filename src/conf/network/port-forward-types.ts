/**
 * Port forwards of a NAT network: virtnet's extension, kept inside libvirt's
 * `<metadata>` under a namespace of its own, so that libvirt still loads the
 * file and `net-dumpxml` shows them:
 *
 *   <metadata>
 *     <virtnet:forwards xmlns:virtnet="https://virtnet.dev/schemas/network/forwards/1">
 *       <virtnet:forward proto="tcp" port="2222" to="192.168.122.10" toport="22"/>
 *       <virtnet:forward proto="both" address="198.51.100.7" port="8000-8010" to="web"/>
 *     </virtnet:forwards>
 *   </metadata>
 *
 * One container element, because libvirt keeps only the first child of
 * `<metadata>` per namespace (virXMLNodeSanitizeNamespaces): several
 * `<virtnet:forward>` side by side would lose all but one there.
 *
 * - `proto`: tcp, udp or both;
 * - `address`: the host address it listens on; absent = every address of
 *   the host but loopback;
 * - `port`: a port or a range `8000-8010`;
 * - `to`: an IPv4 address of the network, or the name of a guest (a DHCP
 *   `<host>` name, or a defined guest with a vNIC on the network), followed
 *   as its lease changes;
 * - `toport`: the guest's port or range (as long as `port`); absent = the same.
 * The live XML also carries `toaddress`, the address a named target has now.
 */

/** The namespace of `<virtnet:forwards>` inside `<metadata>`. */
export const FORWARDS_NAMESPACE = 'https://virtnet.dev/schemas/network/forwards/1';
/** The prefix virtnet writes it with. */
export const FORWARDS_PREFIX = 'virtnet';

export const FORWARD_PROTOS = ['tcp', 'udp', 'both'] as const;
export type ForwardProto = (typeof FORWARD_PROTOS)[number];

/** A port or an inclusive range of ports (start === end for one port). */
export interface PortRange {
  start: number;
  end: number;
}

export interface PortForwardDef {
  proto: ForwardProto;
  /** The host address it listens on (canonical IPv4 text); undefined = every host address. */
  address?: string;
  port: PortRange;
  /** An IPv4 address in the network, or a guest's name. */
  to: string;
  /** The guest's ports; undefined = the same as `port`. */
  toPort?: PortRange;
  /** Live only: the address `to` (a name) resolves to now; undefined while it resolves to none. */
  toAddress?: string;
}

/** The port forwards of a network and where their element sits among the other children of `<metadata>`. */
export interface PortForwardsDef {
  forwards: PortForwardDef[];
  /** Index among MetadataDef.elements before which `<virtnet:forwards>` is written (its place in the document read). */
  position: number;
}

/**
 * A port forward as the API, the CLI and the console carry it: the
 * attributes' texts (ports as `2222` or `8000-8010`, as in the XML).
 */
export interface PortForward {
  proto: ForwardProto;
  /** Absent: every address of the host. */
  address?: string;
  port: string;
  /** An IPv4 address of the network or a guest's name. */
  to: string;
  /** Absent: the same ports. */
  toPort?: string;
  /** Live only, in answers: the address a named `to` points to now. */
  toAddress?: string;
}

/** Which forward net-forward-remove means: its ports, and its protocol and listen address when given. */
export interface PortForwardSelector {
  port: string;
  /** Absent: whatever protocol the forward on those ports has. */
  proto?: ForwardProto;
  /** Absent: the forward on every address. */
  address?: string;
}
