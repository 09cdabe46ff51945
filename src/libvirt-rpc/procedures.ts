/**
 * The remote program's procedures virtnet answers: number, the libvirt API
 * each stands for (named in errors: "read only access prevents
 * virNetworkCreate"), argument and reply layouts, and whether it changes
 * anything (refused on a read-only connection). Layouts follow
 * remote_protocol.x's remote_*_args / remote_*_ret structs field by field.
 *
 * Procedures clients send that virtnet does not serve are in UNSUPPORTED,
 * so the error names the API as libvirt's own "not supported" error does;
 * any other number gets the RPC layer's "unknown procedure" error.
 */
import {
  AUTH_TYPE_LIST_MAX,
  DHCP_LEASES_MAX,
  DOMAIN_LIST_MAX,
  ErrorDomain,
  NETWORK_LIST_MAX,
  NETWORK_PORT_LIST_MAX,
  NETWORK_PORT_PARAMETERS_MAX,
} from './protocol.js';
import {
  dhcpLease,
  nonnullDomain,
  nonnullNetwork,
  nonnullNetworkPort,
  nonnullString,
  remoteNetwork,
  remoteString,
  typedParam,
  uuid,
} from './types.js';
import { type Codec, array, boolInt, empty, fixedArray, int, struct, uhyper, uint } from './xdr.js';

export interface ProcedureSpec<A, R> {
  number: number;
  /** The libvirt API the procedure stands for. */
  api: string;
  args: Codec<A>;
  ret: Codec<R>;
  /** Changes something: refused on a read-only connection. */
  write: boolean;
  /** Allowed before CONNECT_OPEN (the handshake). */
  beforeOpen?: boolean;
  /** The error domain of failures (virErrorDomain): the API's family. */
  domain: number;
}

function call<A, R>(
  number: number,
  api: string,
  args: Codec<A>,
  ret: Codec<R>,
  opts: { write?: boolean; beforeOpen?: boolean; domain?: number } = {},
): ProcedureSpec<A, R> {
  return {
    number,
    api,
    args,
    ret,
    write: opts.write ?? false,
    ...(opts.beforeOpen ? { beforeOpen: true } : {}),
    domain: opts.domain ?? ErrorDomain.NETWORK,
  };
}

const host = { domain: ErrorDomain.DOMAIN };
const net = struct({ net: nonnullNetwork });
const xmlArgs = struct({ xml: nonnullString });
const xmlFlagsArgs = struct({ xml: nonnullString, flags: uint });
const listArgs = struct({ need_results: int, flags: uint });
const maxNames = struct({ maxnames: int });
const names = struct({ names: array(nonnullString, NETWORK_LIST_MAX) });
const num = struct({ num: int });
const port = struct({ port: nonnullNetworkPort });
const portFlags = struct({ port: nonnullNetworkPort, flags: uint });

export const PROCEDURES = {
  CONNECT_OPEN: call(1, 'virConnectOpen', struct({ name: remoteString, flags: uint }), empty, { ...host, beforeOpen: true }),
  CONNECT_CLOSE: call(2, 'virConnectClose', empty, empty, { ...host, beforeOpen: true }),
  CONNECT_GET_TYPE: call(3, 'virConnectGetType', empty, struct({ type: nonnullString }), host),
  CONNECT_GET_VERSION: call(4, 'virConnectGetVersion', empty, struct({ hv_ver: uhyper }), host),
  NODE_GET_INFO: call(
    6,
    'virNodeGetInfo',
    empty,
    struct({ model: fixedArray(int, 32), memory: uhyper, cpus: int, mhz: int, nodes: int, sockets: int, cores: int, threads: int }),
    host,
  ),
  CONNECT_GET_CAPABILITIES: call(7, 'virConnectGetCapabilities', empty, struct({ capabilities: nonnullString }), host),
  CONNECT_LIST_DEFINED_NETWORKS: call(36, 'virConnectListDefinedNetworks', maxNames, names),
  CONNECT_LIST_NETWORKS: call(38, 'virConnectListNetworks', maxNames, names),
  NETWORK_CREATE: call(39, 'virNetworkCreate', net, empty, { write: true }),
  NETWORK_CREATE_XML: call(40, 'virNetworkCreateXML', xmlArgs, net, { write: true }),
  NETWORK_DEFINE_XML: call(41, 'virNetworkDefineXML', xmlArgs, net, { write: true }),
  NETWORK_DESTROY: call(42, 'virNetworkDestroy', net, empty, { write: true }),
  NETWORK_GET_XML_DESC: call(43, 'virNetworkGetXMLDesc', struct({ net: nonnullNetwork, flags: uint }), struct({ xml: nonnullString })),
  NETWORK_GET_AUTOSTART: call(44, 'virNetworkGetAutostart', net, struct({ autostart: boolInt })),
  NETWORK_GET_BRIDGE_NAME: call(45, 'virNetworkGetBridgeName', net, struct({ name: nonnullString })),
  NETWORK_LOOKUP_BY_NAME: call(46, 'virNetworkLookupByName', struct({ name: nonnullString }), net),
  NETWORK_LOOKUP_BY_UUID: call(47, 'virNetworkLookupByUUID', struct({ uuid }), net),
  NETWORK_SET_AUTOSTART: call(48, 'virNetworkSetAutostart', struct({ net: nonnullNetwork, autostart: boolInt }), empty, { write: true }),
  NETWORK_UNDEFINE: call(49, 'virNetworkUndefine', net, empty, { write: true }),
  CONNECT_NUM_OF_DEFINED_NETWORKS: call(50, 'virConnectNumOfDefinedNetworks', empty, num),
  CONNECT_NUM_OF_NETWORKS: call(52, 'virConnectNumOfNetworks', empty, num),
  CONNECT_GET_HOSTNAME: call(59, 'virConnectGetHostname', empty, struct({ hostname: nonnullString }), host),
  CONNECT_SUPPORTS_FEATURE: call(60, 'virConnectSupportsFeature', struct({ feature: int }), struct({ supported: boolInt }), {
    ...host,
    beforeOpen: true,
  }),
  AUTH_LIST: call(66, 'virConnectAuthList', empty, struct({ types: array(int, AUTH_TYPE_LIST_MAX) }), { ...host, beforeOpen: true }),
  CONNECT_GET_URI: call(110, 'virConnectGetURI', empty, struct({ uri: nonnullString }), host),
  CONNECT_IS_SECURE: call(149, 'virConnectIsSecure', empty, struct({ secure: boolInt }), host),
  NETWORK_IS_ACTIVE: call(152, 'virNetworkIsActive', net, struct({ active: boolInt })),
  NETWORK_IS_PERSISTENT: call(153, 'virNetworkIsPersistent', net, struct({ persistent: boolInt })),
  CONNECT_GET_LIB_VERSION: call(157, 'virConnectGetLibVersion', empty, struct({ lib_ver: uhyper }), host),
  CONNECT_LIST_ALL_DOMAINS: call(
    273,
    'virConnectListAllDomains',
    listArgs,
    struct({ domains: array(nonnullDomain, DOMAIN_LIST_MAX), ret: uint }),
    host,
  ),
  CONNECT_LIST_ALL_NETWORKS: call(283, 'virConnectListAllNetworks', listArgs, struct({ nets: array(nonnullNetwork, NETWORK_LIST_MAX), ret: uint })),
  NETWORK_UPDATE: call(
    291,
    'virNetworkUpdate',
    struct({ net: nonnullNetwork, command: uint, section: uint, parentIndex: int, xml: nonnullString, flags: uint }),
    empty,
    { write: true },
  ),
  CONNECT_NETWORK_EVENT_REGISTER_ANY: call(
    313,
    'virConnectNetworkEventRegisterAny',
    struct({ eventID: int, net: remoteNetwork }),
    struct({ callbackID: int }),
  ),
  CONNECT_NETWORK_EVENT_DEREGISTER_ANY: call(314, 'virConnectNetworkEventDeregisterAny', struct({ callbackID: int }), empty),
  NETWORK_GET_DHCP_LEASES: call(
    341,
    'virNetworkGetDHCPLeases',
    struct({ net: nonnullNetwork, mac: remoteString, need_results: int, flags: uint }),
    struct({ leases: array(dhcpLease, DHCP_LEASES_MAX), ret: uint }),
  ),
  CONNECT_REGISTER_CLOSE_CALLBACK: call(360, 'virConnectRegisterCloseCallback', empty, empty, host),
  CONNECT_UNREGISTER_CLOSE_CALLBACK: call(361, 'virConnectUnregisterCloseCallback', empty, empty, host),
  NETWORK_LIST_ALL_PORTS: call(
    404,
    'virNetworkListAllPorts',
    struct({ network: nonnullNetwork, need_results: int, flags: uint }),
    struct({ ports: array(nonnullNetworkPort, NETWORK_PORT_LIST_MAX), ret: uint }),
  ),
  NETWORK_PORT_LOOKUP_BY_UUID: call(405, 'virNetworkPortLookupByUUID', struct({ network: nonnullNetwork, uuid }), port),
  NETWORK_PORT_CREATE_XML: call(406, 'virNetworkPortCreateXML', struct({ network: nonnullNetwork, xml: nonnullString, flags: uint }), port, {
    write: true,
  }),
  NETWORK_PORT_GET_PARAMETERS: call(
    407,
    'virNetworkPortGetParameters',
    struct({ port: nonnullNetworkPort, nparams: int, flags: uint }),
    struct({ params: array(typedParam, NETWORK_PORT_PARAMETERS_MAX), nparams: int }),
  ),
  NETWORK_PORT_SET_PARAMETERS: call(
    408,
    'virNetworkPortSetParameters',
    struct({ port: nonnullNetworkPort, params: array(typedParam, NETWORK_PORT_PARAMETERS_MAX), flags: uint }),
    empty,
    { write: true },
  ),
  NETWORK_PORT_GET_XML_DESC: call(409, 'virNetworkPortGetXMLDesc', portFlags, struct({ xml: nonnullString })),
  NETWORK_PORT_DELETE: call(410, 'virNetworkPortDelete', portFlags, empty, { write: true }),
  NETWORK_DEFINE_XML_FLAGS: call(432, 'virNetworkDefineXMLFlags', xmlFlagsArgs, net, { write: true }),
  NETWORK_CREATE_XML_FLAGS: call(437, 'virNetworkCreateXMLFlags', xmlFlagsArgs, net, { write: true }),
} as const;

export type ProcedureName = keyof typeof PROCEDURES;
export type ArgsOf<P extends ProcedureName> = (typeof PROCEDURES)[P] extends ProcedureSpec<infer A, unknown> ? A : never;
export type RetOf<P extends ProcedureName> = (typeof PROCEDURES)[P] extends ProcedureSpec<unknown, infer R> ? R : never;

/** Messages the server sends on its own (type MESSAGE): the network lifecycle event. */
export const NETWORK_EVENT_LIFECYCLE = {
  number: 315,
  body: struct({ callbackID: int, net: nonnullNetwork, event: int, detail: int }),
} as const;

/**
 * Procedures real clients send that virtnet does not serve, with the API
 * they stand for and its error domain (virt-manager probes them and
 * carries on when they fail; virsh reports them).
 */
export const UNSUPPORTED: ReadonlyMap<number, { api: string; domain: number }> = new Map([
  [21, { api: 'virConnectListDefinedDomains', domain: ErrorDomain.DOMAIN }],
  [25, { api: 'virConnectNumOfDefinedDomains', domain: ErrorDomain.DOMAIN }],
  [37, { api: 'virConnectListDomains', domain: ErrorDomain.DOMAIN }],
  [51, { api: 'virConnectNumOfDomains', domain: ErrorDomain.DOMAIN }],
  [71, { api: 'virConnectNumOfStoragePools', domain: ErrorDomain.STORAGE }],
  [72, { api: 'virConnectListStoragePools', domain: ErrorDomain.STORAGE }],
  [77, { api: 'virStoragePoolDefineXML', domain: ErrorDomain.STORAGE }],
  [111, { api: 'virNodeNumOfDevices', domain: ErrorDomain.NODEDEV }],
  [203, { api: 'virConnectGetSysinfo', domain: ErrorDomain.DOMAIN }],
  [281, { api: 'virConnectListAllStoragePools', domain: ErrorDomain.STORAGE }],
  [284, { api: 'virConnectListAllInterfaces', domain: ErrorDomain.INTERFACE }],
  [285, { api: 'virConnectListAllNodeDevices', domain: ErrorDomain.NODEDEV }],
  [316, { api: 'virConnectDomainEventRegisterAny', domain: ErrorDomain.DOMAIN }],
  [344, { api: 'virConnectGetAllDomainStats', domain: ErrorDomain.DOMAIN }],
  [368, { api: 'virConnectStoragePoolEventRegisterAny', domain: ErrorDomain.STORAGE }],
  [374, { api: 'virConnectNodeDeviceEventRegisterAny', domain: ErrorDomain.NODEDEV }],
]);
