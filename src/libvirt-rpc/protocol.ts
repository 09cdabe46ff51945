/**
 * The numbers of libvirt's RPC that are not procedures: programs, message
 * types and statuses, the keepalive program, connection features, error
 * codes and domains, network event and flag values. Facts from libvirt's
 * published protocol description (remote_protocol.x, virnetprotocol.x,
 * virkeepaliveprotocol.x) and public headers (virterror.h,
 * libvirt-network.h, driver.h).
 */

export const REMOTE_PROGRAM = 0x20008086;
export const REMOTE_PROTOCOL_VERSION = 1;
export const KEEPALIVE_PROGRAM = 0x6b656570;
export const KEEPALIVE_PROTOCOL_VERSION = 1;

export const MessageType = {
  CALL: 0,
  REPLY: 1,
  MESSAGE: 2,
  STREAM: 3,
  CALL_WITH_FDS: 4,
  REPLY_WITH_FDS: 5,
  STREAM_HOLE: 6,
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

export const MessageStatus = { OK: 0, ERROR: 1, CONTINUE: 2 } as const;
export type MessageStatus = (typeof MessageStatus)[keyof typeof MessageStatus];

export const KeepaliveProc = { PING: 1, PONG: 2 } as const;

/** REMOTE_STRING_MAX and the list maxima the network procedures use. */
export const STRING_MAX = 4194304;
export const NETWORK_LIST_MAX = 16384;
export const NETWORK_PORT_LIST_MAX = 16384;
export const DOMAIN_LIST_MAX = 16384;
export const DHCP_LEASES_MAX = 65536;
export const AUTH_TYPE_LIST_MAX = 20;
export const NETWORK_PORT_PARAMETERS_MAX = 16;
export const UUID_BUFLEN = 16;

/** remote_auth_type */
export const AuthType = { NONE: 0, SASL: 1, POLKIT: 2 } as const;

/** virDrvFeature: what CONNECT_SUPPORTS_FEATURE asks about. */
export const Feature = {
  TYPED_PARAM_STRING: 8,
  PROGRAM_KEEPALIVE: 10,
  REMOTE_EVENT_CALLBACK: 14,
  REMOTE_CLOSE_CALLBACK: 15,
  NETWORK_UPDATE_HAS_CORRECT_ORDER: 16,
} as const;

/** virErrorLevel */
export const ErrorLevel = { NONE: 0, WARNING: 1, ERROR: 2 } as const;

/** virErrorNumber: the codes virtnet's error classes stand for. */
export const ErrorCode = {
  INTERNAL_ERROR: 1,
  NO_SUPPORT: 3,
  NO_CONNECT: 5,
  INVALID_ARG: 8,
  OPERATION_FAILED: 9,
  XML_ERROR: 27,
  OPERATION_DENIED: 29,
  XML_DETAIL: 35,
  SYSTEM_ERROR: 38,
  RPC: 39,
  NO_DOMAIN: 42,
  NO_NETWORK: 43,
  INVALID_MAC: 44,
  AUTH_FAILED: 45,
  OPERATION_INVALID: 55,
  CONFIG_UNSUPPORTED: 67,
  OPERATION_UNSUPPORTED: 84,
  XML_INVALID_SCHEMA: 92,
  DEVICE_MISSING: 99,
  NETWORK_PORT_EXIST: 106,
  NO_NETWORK_PORT: 107,
} as const;

/** virErrorDomain: where an error comes from. */
export const ErrorDomain = {
  NONE: 0,
  XML: 5,
  RPC: 7,
  REMOTE: 13,
  STORAGE: 18,
  NETWORK: 19,
  DOMAIN: 20,
  NODEDEV: 22,
  INTERFACE: 26,
} as const;

/** virNetworkEventID */
export const NetworkEventId = { LIFECYCLE: 0 } as const;

/** virNetworkEventLifecycleType */
export const NetworkLifecycle = { DEFINED: 0, UNDEFINED: 1, STARTED: 2, STOPPED: 3 } as const;

/** virConnectListAllNetworksFlags */
export const ListNetworksFlag = {
  INACTIVE: 1,
  ACTIVE: 2,
  PERSISTENT: 4,
  TRANSIENT: 8,
  AUTOSTART: 16,
  NO_AUTOSTART: 32,
} as const;

/** virNetworkXMLFlags, virNetworkDefineFlags / virNetworkCreateFlags, virNetworkUpdateFlags */
export const NETWORK_XML_INACTIVE = 1;
export const NETWORK_VALIDATE = 1;
export const NetworkUpdateFlag = { LIVE: 1, CONFIG: 2 } as const;

/** virNetworkPortCreateFlags: the port exists already, keep its plug. */
export const NETWORK_PORT_CREATE_RECLAIM = 1;
/** virNetworkPortCreateFlags: validate the document against the schema (virtnet's parser checks it). */
export const NETWORK_PORT_CREATE_VALIDATE = 2;
/** VIR_TYPED_PARAM_STRING_OKAY: the client accepts string parameters. */
export const TYPED_PARAM_STRING_OKAY = 1 << 2;

/** virTypedParameterType */
export const TypedParamType = { INT: 1, UINT: 2, LLONG: 3, ULLONG: 4, DOUBLE: 5, BOOLEAN: 6, STRING: 7 } as const;

/** virIPAddrType, for DHCP leases. */
export const IpAddrType = { IPV4: 0, IPV6: 1 } as const;
