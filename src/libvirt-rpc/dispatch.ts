/**
 * What each procedure does: the remote program mapped onto virtnet's
 * network driver API (the same driver the REST API serves). Calls that act
 * on a network find it by uuid first, as libvirt's daemon does, so a
 * network re-created under the same name is not mistaken for the one the
 * client holds. Errors are the driver's VirErrors; the connection turns
 * them into remote_error replies.
 *
 * A libvirt client cannot say `--force`: undefine and destroy of a network
 * with virtnet guests attached go ahead, as they do in libvirt.
 */
import { hostname } from 'node:os';
import type { DhcpLease, ListFilter, NetworkDriverApi, NetworkInfo } from '../contract/network-api.js';
import { type NetworkPortApi, hasPortApi } from '../contract/network-port-api.js';
import { UPDATE_COMMANDS, UPDATE_SECTIONS } from '../conf/network/update.js';
import { VirError } from '../util/errors.js';
import { rpcFailure, unsupportedApi } from './errors.js';
import type { EventCallbacks } from './events.js';
import { capabilitiesXml, modelChars, nodeInfo } from './host-info.js';
import type { ArgsOf, ProcedureName, RetOf } from './procedures.js';
import {
  AuthType,
  ErrorDomain,
  Feature,
  IpAddrType,
  ListNetworksFlag,
  NETWORK_LIST_MAX,
  NETWORK_PORT_CREATE_RECLAIM,
  NETWORK_PORT_CREATE_VALIDATE,
  NETWORK_VALIDATE,
  NETWORK_XML_INACTIVE,
  NetworkUpdateFlag,
  TYPED_PARAM_STRING_OKAY,
  TypedParamType,
} from './protocol.js';
import type { NetworkRef, WireDhcpLease } from './types.js';

/** The connection a call arrives on, as the procedures see it. */
export interface Session {
  /** Calls that change something are refused. */
  readonly readonly: boolean;
  /** CONNECT_OPEN accepted: remember the read-only flag. */
  open(readonly: boolean): void;
  close(): void;
  readonly events: EventCallbacks;
}

/** Facts the connection-level queries answer. */
export interface ServerFacts {
  /** virtnet's version, for virConnectGetVersion. */
  version: string;
}

export type Handler<P extends ProcedureName> = (args: ArgsOf<P>, session: Session) => Promise<RetOf<P>> | RetOf<P>;
export type Handlers = { [P in ProcedureName]: Handler<P> };

/** The URI clients open; the only one served. */
export const NETWORK_URI = 'network:///system';
/** What virConnectGetType answers (libvirt's network daemon says the same). */
const DRIVER_TYPE = 'network';
/** The libvirt release whose protocol and behaviour virtnet follows (virConnectGetLibVersion). */
const LIBVIRT_COMPAT_VERSION = 9_000_000n;

const SUPPORTED_FEATURES: ReadonlySet<number> = new Set([
  Feature.TYPED_PARAM_STRING,
  Feature.PROGRAM_KEEPALIVE,
  Feature.REMOTE_EVENT_CALLBACK,
  Feature.REMOTE_CLOSE_CALLBACK,
  Feature.NETWORK_UPDATE_HAS_CORRECT_ORDER,
]);

/** "1.2.3" as libvirt's version number (major * 1000000 + minor * 1000 + micro). */
export function versionNumber(text: string): bigint {
  const [major = 0, minor = 0, micro = 0] = text.split('.').map((p) => Number.parseInt(p, 10) || 0);
  return BigInt(major * 1_000_000 + minor * 1000 + micro);
}

/** libvirt's virCheckFlags: flags outside `allowed` are refused. */
function checkFlags(flags: number, allowed: number, fn: string): void {
  const extra = flags & ~allowed;
  if (extra !== 0) throw new VirError('INVALID_ARG', `unsupported flags (0x${(extra >>> 0).toString(16)}) in function ${fn}`);
}

/** virNetworkPortGetParameters' fields (VIR_NETWORK_PORT_BANDWIDTH_*). */
const PORT_BANDWIDTH_PARAMS = [
  'inbound.average',
  'inbound.peak',
  'inbound.burst',
  'inbound.floor',
  'outbound.average',
  'outbound.peak',
  'outbound.burst',
];

const LIST_FLAGS = Object.values(ListNetworksFlag).reduce((a, b) => a | b, 0);

/** virConnectListAllNetworks flags as the driver's filter. */
export function listFilter(flags: number): ListFilter {
  checkFlags(flags, LIST_FLAGS, 'networkConnectListAllNetworks');
  const filter: ListFilter = {};
  if (flags & ListNetworksFlag.ACTIVE) filter.active = true;
  if (flags & ListNetworksFlag.INACTIVE) filter.inactive = true;
  if (flags & ListNetworksFlag.PERSISTENT) filter.persistent = true;
  if (flags & ListNetworksFlag.TRANSIENT) filter.transient = true;
  if (flags & ListNetworksFlag.AUTOSTART) filter.autostart = true;
  if (flags & ListNetworksFlag.NO_AUTOSTART) filter.noAutostart = true;
  return filter;
}

const ref = (info: NetworkInfo): NetworkRef => ({ name: info.name, uuid: info.uuid });

function leaseOf(lease: DhcpLease): WireDhcpLease {
  return {
    iface: lease.iface,
    expirytime: BigInt(lease.expiryTime),
    type: lease.protocol === 'ipv6' ? IpAddrType.IPV6 : IpAddrType.IPV4,
    mac: lease.mac,
    iaid: lease.iaid,
    ipaddr: lease.ipAddress,
    prefix: lease.prefix,
    hostname: lease.hostname,
    clientid: lease.clientId,
  };
}

function names(list: NetworkInfo[], maxnames: number): { names: string[] } {
  if (maxnames > NETWORK_LIST_MAX) throw rpcFailure('maxnames > REMOTE_NETWORK_LIST_MAX');
  return { names: list.map((n) => n.name).slice(0, Math.max(0, maxnames)) };
}

export function createHandlers(driver: NetworkDriverApi, facts: ServerFacts): Handlers {
  /** The network a reference names, found by uuid as libvirt does (virNetworkObjFindByUUID). */
  const find = async (net: NetworkRef): Promise<NetworkInfo> => {
    try {
      return await driver.lookupByUuid(net.uuid);
    } catch (err) {
      if (err instanceof VirError && err.errorClass === 'NO_NETWORK') {
        throw new VirError('NO_NETWORK', `no network with matching uuid '${net.uuid}' (${net.name})`);
      }
      throw err;
    }
  };
  const nameOf = async (net: NetworkRef): Promise<string> => (await find(net)).name;
  const ports = (api: string): NetworkPortApi => {
    if (!hasPortApi(driver)) throw unsupportedApi(api, ErrorDomain.NETWORK);
    return driver;
  };

  return {
    CONNECT_OPEN: ({ name, flags }, session) => {
      if (name !== undefined && name !== '' && name !== NETWORK_URI) throw new VirError('NO_CONNECT', name);
      session.open((flags & 1) !== 0);
      return undefined;
    },
    CONNECT_CLOSE: (_args, session) => {
      session.close();
      return undefined;
    },
    CONNECT_GET_TYPE: () => ({ type: DRIVER_TYPE }),
    CONNECT_GET_VERSION: () => ({ hv_ver: versionNumber(facts.version) }),
    CONNECT_GET_LIB_VERSION: () => ({ lib_ver: LIBVIRT_COMPAT_VERSION }),
    CONNECT_GET_HOSTNAME: () => ({ hostname: hostname() }),
    CONNECT_GET_URI: () => ({ uri: NETWORK_URI }),
    CONNECT_IS_SECURE: () => ({ secure: true }),
    CONNECT_GET_CAPABILITIES: () => ({ capabilities: capabilitiesXml() }),
    NODE_GET_INFO: () => {
      const info = nodeInfo();
      return { ...info, model: modelChars(info.model) };
    },
    CONNECT_SUPPORTS_FEATURE: ({ feature }) => ({ supported: SUPPORTED_FEATURES.has(feature) }),
    AUTH_LIST: () => ({ types: [AuthType.NONE] }),
    CONNECT_REGISTER_CLOSE_CALLBACK: () => undefined,
    CONNECT_UNREGISTER_CLOSE_CALLBACK: () => undefined,
    CONNECT_LIST_ALL_DOMAINS: () => ({ domains: [], ret: 0 }),

    CONNECT_LIST_ALL_NETWORKS: async ({ need_results, flags }) => {
      const list = await driver.list(listFilter(flags));
      return { nets: need_results ? list.map(ref) : [], ret: list.length };
    },
    CONNECT_NUM_OF_NETWORKS: async () => ({ num: (await driver.list({ active: true })).length }),
    CONNECT_LIST_NETWORKS: async ({ maxnames }) => names(await driver.list({ active: true }), maxnames),
    CONNECT_NUM_OF_DEFINED_NETWORKS: async () => ({ num: (await driver.list({ inactive: true })).length }),
    CONNECT_LIST_DEFINED_NETWORKS: async ({ maxnames }) => names(await driver.list({ inactive: true }), maxnames),

    NETWORK_LOOKUP_BY_NAME: async ({ name }) => ({ net: ref(await driver.lookupByName(name)) }),
    NETWORK_LOOKUP_BY_UUID: async ({ uuid }) => ({ net: ref(await driver.lookupByUuid(uuid)) }),
    NETWORK_CREATE_XML: async ({ xml }) => ({ net: ref(await driver.create(xml)) }),
    NETWORK_CREATE_XML_FLAGS: async ({ xml, flags }) => {
      checkFlags(flags, NETWORK_VALIDATE, 'networkCreateXMLFlags');
      return { net: ref(await driver.create(xml, { validate: (flags & NETWORK_VALIDATE) !== 0 })) };
    },
    NETWORK_DEFINE_XML: async ({ xml }) => ({ net: ref(await driver.define(xml)) }),
    NETWORK_DEFINE_XML_FLAGS: async ({ xml, flags }) => {
      checkFlags(flags, NETWORK_VALIDATE, 'networkDefineXMLFlags');
      return { net: ref(await driver.define(xml, { validate: (flags & NETWORK_VALIDATE) !== 0 })) };
    },
    NETWORK_UNDEFINE: async ({ net }) => {
      await driver.undefine(await nameOf(net), { force: true });
      return undefined;
    },
    NETWORK_CREATE: async ({ net }) => {
      await driver.start(await nameOf(net));
      return undefined;
    },
    NETWORK_DESTROY: async ({ net }) => {
      await driver.destroy(await nameOf(net), { force: true });
      return undefined;
    },
    NETWORK_GET_XML_DESC: async ({ net, flags }) => {
      checkFlags(flags, NETWORK_XML_INACTIVE, 'networkGetXMLDesc');
      return { xml: await driver.getXml(await nameOf(net), { inactive: (flags & NETWORK_XML_INACTIVE) !== 0 }) };
    },
    NETWORK_GET_BRIDGE_NAME: async ({ net }) => {
      const info = await find(net);
      if (info.bridge === undefined) throw new VirError('INTERNAL_ERROR', `network '${info.name}' does not have a bridge name.`);
      return { name: info.bridge };
    },
    NETWORK_GET_AUTOSTART: async ({ net }) => ({ autostart: (await find(net)).autostart }),
    NETWORK_SET_AUTOSTART: async ({ net, autostart }) => {
      await driver.setAutostart(await nameOf(net), autostart);
      return undefined;
    },
    NETWORK_IS_ACTIVE: async ({ net }) => ({ active: (await find(net)).active }),
    NETWORK_IS_PERSISTENT: async ({ net }) => ({ persistent: (await find(net)).persistent }),
    NETWORK_UPDATE: async ({ net, command, section, parentIndex, xml, flags }) => {
      checkFlags(flags, NetworkUpdateFlag.LIVE | NetworkUpdateFlag.CONFIG, 'networkUpdate');
      const cmd = UPDATE_COMMANDS[command - 1];
      if (cmd === undefined) throw new VirError('INVALID_ARG', `unrecognized network update command code ${command}`);
      const sec = UPDATE_SECTIONS[section - 1];
      if (sec === undefined) throw new VirError('NO_SUPPORT', `can't update unrecognized section of network`);
      await driver.update(await nameOf(net), {
        command: cmd,
        section: sec,
        parentIndex,
        xml,
        flags: { live: (flags & NetworkUpdateFlag.LIVE) !== 0, config: (flags & NetworkUpdateFlag.CONFIG) !== 0 },
      });
      return undefined;
    },
    NETWORK_GET_DHCP_LEASES: async ({ net, mac, need_results, flags }) => {
      checkFlags(flags, 0, 'networkGetDHCPLeases');
      const leases = await driver.leases(await nameOf(net), mac);
      return { leases: need_results ? leases.map(leaseOf) : [], ret: leases.length };
    },
    CONNECT_NETWORK_EVENT_REGISTER_ANY: ({ eventID, net }, session) => ({ callbackID: session.events.register(eventID, net) }),
    CONNECT_NETWORK_EVENT_DEREGISTER_ANY: ({ callbackID }, session) => {
      session.events.deregister(callbackID);
      return undefined;
    },

    NETWORK_LIST_ALL_PORTS: async ({ network, need_results, flags }) => {
      const api = ports('virNetworkListAllPorts');
      checkFlags(flags, 0, 'networkListAllPorts');
      const net = ref(await find(network));
      const list = await api.portList(net.name);
      return { ports: need_results ? list.map((p) => ({ net, uuid: p.uuid })) : [], ret: list.length };
    },
    NETWORK_PORT_LOOKUP_BY_UUID: async ({ network, uuid }) => {
      const net = ref(await find(network));
      const port = await ports('virNetworkPortLookupByUUID').portLookup(net.name, uuid);
      return { port: { net, uuid: port.uuid } };
    },
    NETWORK_PORT_CREATE_XML: async ({ network, xml, flags }) => {
      const api = ports('virNetworkPortCreateXML');
      checkFlags(flags, NETWORK_PORT_CREATE_RECLAIM | NETWORK_PORT_CREATE_VALIDATE, 'networkPortCreateXML');
      const net = ref(await find(network));
      const port = await api.portCreate(net.name, xml, { reclaim: (flags & NETWORK_PORT_CREATE_RECLAIM) !== 0 });
      return { port: { net, uuid: port.uuid } };
    },
    NETWORK_PORT_GET_XML_DESC: async ({ port, flags }) => {
      const api = ports('virNetworkPortGetXMLDesc');
      checkFlags(flags, 0, 'networkPortGetXMLDesc');
      return { xml: await api.portGetXml(await nameOf(port.net), port.uuid) };
    },
    NETWORK_PORT_DELETE: async ({ port, flags }) => {
      const api = ports('virNetworkPortDelete');
      checkFlags(flags, 0, 'networkPortDelete');
      await api.portDelete(await nameOf(port.net), port.uuid);
      return undefined;
    },
    NETWORK_PORT_GET_PARAMETERS: async ({ port, flags }) => {
      const api = ports('virNetworkPortGetParameters');
      checkFlags(flags, TYPED_PARAM_STRING_OKAY, 'networkPortGetParameters');
      const found = await api.portLookup(await nameOf(port.net), port.uuid);
      // The port's bandwidth as kept (virtnet applies none of it); a value not set reads 0, as in libvirt.
      const rate = (dir: 'inbound' | 'outbound', key: 'average' | 'peak' | 'burst' | 'floor'): number => found.bandwidth?.[dir]?.[key] ?? 0;
      const params = PORT_BANDWIDTH_PARAMS.map((field) => {
        const [dir, key] = field.split('.') as ['inbound' | 'outbound', 'average' | 'peak' | 'burst' | 'floor'];
        return { field, type: TypedParamType.UINT, value: rate(dir, key) } as const;
      });
      return { params, nparams: params.length };
    },
    NETWORK_PORT_SET_PARAMETERS: async ({ port }) => {
      const api = ports('virNetworkPortSetParameters');
      await api.portLookup(await nameOf(port.net), port.uuid);
      throw new VirError('OPERATION_UNSUPPORTED', 'virtnet does not apply bandwidth limits to network ports');
    },
  };
}
