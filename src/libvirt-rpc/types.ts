/**
 * The remote program's shared types (remote_protocol.x's data types) as
 * codecs: strings, uuids, object references, the error reply, typed
 * parameters and DHCP leases. UUIDs travel as 16 raw bytes and are turned
 * into libvirt's text form here, so the rest of the module handles text.
 */
import { STRING_MAX, TypedParamType, UUID_BUFLEN } from './protocol.js';
import { type Codec, type TypeOf, XdrError, boolInt, double, fixedOpaque, hyper, int, optional, string, struct, uhyper, uint } from './xdr.js';

/** remote_nonnull_string */
export const nonnullString = string(STRING_MAX);
/** remote_string */
export const remoteString = optional(nonnullString);

const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const rawUuid = fixedOpaque(UUID_BUFLEN);

/** remote_uuid, as lowercase text with dashes. */
export const uuid: Codec<string> = {
  encode(w, v) {
    const text = v.toLowerCase();
    if (!UUID_TEXT.test(text)) throw new XdrError(`not a uuid: '${v}'`);
    rawUuid.encode(w, Buffer.from(text.replaceAll('-', ''), 'hex'));
  },
  decode(r) {
    const hex = rawUuid.decode(r).toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  },
};

/** remote_nonnull_network */
export const nonnullNetwork = struct({ name: nonnullString, uuid });
export type NetworkRef = { name: string; uuid: string };
/** remote_network */
export const remoteNetwork = optional(nonnullNetwork);

/** remote_nonnull_domain */
export const nonnullDomain = struct({ name: nonnullString, uuid, id: int });
/** remote_domain */
const remoteDomain = optional(nonnullDomain);

/** remote_nonnull_network_port */
export const nonnullNetworkPort = struct({ net: nonnullNetwork, uuid });

/** remote_error: what a reply with status ERROR carries. */
export const remoteError = struct({
  code: int,
  domain: int,
  message: remoteString,
  level: int,
  dom: remoteDomain,
  str1: remoteString,
  str2: remoteString,
  str3: remoteString,
  int1: int,
  int2: int,
  net: remoteNetwork,
});
export type RemoteError = ReturnType<typeof remoteError.decode>;

/** remote_typed_param: a field name and a value of one of virTypedParameterType's types. */
type TypedParamValue =
  | { type: typeof TypedParamType.INT; value: number }
  | { type: typeof TypedParamType.UINT; value: number }
  | { type: typeof TypedParamType.LLONG; value: bigint }
  | { type: typeof TypedParamType.ULLONG; value: bigint }
  | { type: typeof TypedParamType.DOUBLE; value: number }
  | { type: typeof TypedParamType.BOOLEAN; value: boolean }
  | { type: typeof TypedParamType.STRING; value: string };
type TypedParam = { field: string } & TypedParamValue;

/** The layout of each virTypedParameterType's value. */
const TYPED_PARAM_VALUES: { [P in TypedParamValue as P['type']]: Codec<P['value']> } = {
  [TypedParamType.INT]: int,
  [TypedParamType.UINT]: uint,
  [TypedParamType.LLONG]: hyper,
  [TypedParamType.ULLONG]: uhyper,
  [TypedParamType.DOUBLE]: double,
  [TypedParamType.BOOLEAN]: boolInt,
  [TypedParamType.STRING]: nonnullString,
};

export const typedParam: Codec<TypedParam> = {
  encode(w, p) {
    nonnullString.encode(w, p.field);
    w.int(p.type);
    (TYPED_PARAM_VALUES[p.type] as Codec<TypedParam['value']>).encode(w, p.value);
  },
  decode(r) {
    const field = nonnullString.decode(r);
    const type = r.int();
    const value = (TYPED_PARAM_VALUES as Partial<Record<number, Codec<TypedParam['value']>>>)[type];
    if (value === undefined) throw new XdrError(`unknown typed parameter type ${type} for '${field}'`);
    return { field, type, value: value.decode(r) } as TypedParam;
  },
};

/** remote_network_dhcp_lease */
export const dhcpLease = struct({
  iface: nonnullString,
  expirytime: hyper,
  type: int,
  mac: remoteString,
  iaid: remoteString,
  ipaddr: nonnullString,
  prefix: uint,
  hostname: remoteString,
  clientid: remoteString,
});
export type WireDhcpLease = TypeOf<typeof dhcpLease>;
