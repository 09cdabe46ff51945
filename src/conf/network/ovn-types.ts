/**
 * The OVN part of a network definition: virtnet's extension element
 * `<virtnet:ovn>` (namespace OVN_NAMESPACE), which makes a none, nat or
 * route network live in OVN across hosts instead of on a Linux bridge.
 * `<ip>`, `<dhcp>`, `<host>`, `<dns>`, `<domain>` and `<mtu>` keep their
 * meaning; this element says where OVN is and how the network leaves it:
 *
 *   <virtnet:ovn northbound='tcp:192.0.2.2:6641'>
 *     <virtnet:uplink network='uplink' address='198.51.100.10' prefix='24' gateway='198.51.100.1'/>
 *     <virtnet:gateway chassis='h1' priority='20'/>
 *     <virtnet:addressSet name='admins'>
 *       <virtnet:address>10.77.0.0/28</virtnet:address>
 *     </virtnet:addressSet>
 *     <virtnet:acl direction='to-lport' priority='1000' action='drop' match='outport == @network &amp;&amp; icmp4'/>
 *   </virtnet:ovn>
 */

export const OVN_NAMESPACE = 'https://virtnet.dev/schemas/network/ovn/1';
/** The prefix virtnet writes the namespace with. */
export const OVN_PREFIX = 'virtnet';

/** How the network's router reaches the outside: a port on a physical network (ovn-bridge-mappings). */
export interface OvnUplink {
  /** The physical network name (localnet network_name). */
  network: string;
  /** The router's address on it (SNAT source in nat mode). */
  address: string;
  prefix: number;
  /** The next hop on the uplink: the router's default route. */
  gateway: string;
}

/** A chassis that may host the router's gateway port; the highest priority that is up does. */
export interface OvnGateway {
  chassis: string;
  priority: number;
}

/** A named list of addresses, for ACL matches as `$NAME`. */
export interface OvnAddressSet {
  name: string;
  addresses: string[];
}

export type OvnAclDirection = 'from-lport' | 'to-lport';
export type OvnAclAction = 'allow' | 'allow-related' | 'drop' | 'reject';

/**
 * An ACL on the network's guest ports, in OVN's match language; `@network`
 * names the port group of the network's guests and `$NAME` an address set
 * of this network.
 */
export interface OvnAcl {
  direction: OvnAclDirection;
  priority: number;
  match: string;
  action: OvnAclAction;
}

export interface OvnDef {
  /** The northbound database, as an OVSDB remote (tcp:HOST:PORT or unix:PATH). */
  northbound: string;
  uplink?: OvnUplink;
  gateways: OvnGateway[];
  addressSets: OvnAddressSet[];
  acls: OvnAcl[];
}

export const OVN_ACL_DIRECTIONS: readonly OvnAclDirection[] = ['from-lport', 'to-lport'];
export const OVN_ACL_ACTIONS: readonly OvnAclAction[] = ['allow', 'allow-related', 'drop', 'reject'];
/** OVN's ACL priority range. */
export const OVN_ACL_PRIORITY_MAX = 32767;
