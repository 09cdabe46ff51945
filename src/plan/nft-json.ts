/**
 * A typed layer over nftables' JSON (libnftables-json(5), as `nft -j -f -`
 * reads it and `nft -j list ruleset` prints it). Planners build batches from
 * these types and builders instead of strings, so a rule is checked by the
 * compiler and a test can look into it (`batch.nftables[3].add.rule.expr`).
 *
 * Only the part of the schema virtnet uses is modelled: tables, base and
 * regular chains, named sets and maps (concatenated keys too), rules with
 * match / verdict / NAT / DNAT-by-map / mangle statements, and set
 * elements; commands add, delete and flush.
 *
 * nft 1.0.6 cannot read a map whose *values* are a concatenation from JSON
 * (`"map": "ipv4_addr . inet_service"` is refused, an array makes it a
 * plain set), so a DNAT to address and port looks both up in two maps of
 * the same key (`dnat ip to K map @addr : K map @port`).
 */

type NftFamily = 'ip' | 'ip6' | 'inet' | 'arp' | 'bridge' | 'netdev';
type NftHook = 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting' | 'ingress' | 'egress';
type NftChainType = 'filter' | 'nat' | 'route';
type NftPolicy = 'accept' | 'drop';

export interface NftTable {
  family: NftFamily;
  name: string;
  handle?: number;
  comment?: string;
}

export interface NftChain {
  family: NftFamily;
  table: string;
  name: string;
  handle?: number;
  /** Base chains only: type, hook, prio and policy. */
  type?: NftChainType;
  hook?: NftHook;
  prio?: number;
  policy?: NftPolicy;
  comment?: string;
}

/** Key types of sets and maps (the subset virtnet uses). */
export type NftDataType = 'ifname' | 'ipv4_addr' | 'ipv6_addr' | 'inet_proto' | 'inet_service' | 'verdict';
type NftSetFlag = 'interval' | 'constant' | 'timeout';

export interface NftSet {
  family: NftFamily;
  table: string;
  name: string;
  /** One type, or the types of a concatenation (`ipv4_addr . inet_proto . inet_service`). */
  type: NftDataType | NftDataType[];
  flags?: NftSetFlag[];
  handle?: number;
  comment?: string;
}

/** A named map; `map` is the type of the values ('verdict' for a verdict map). */
export interface NftMap extends NftSet {
  map: NftDataType;
}

// ---------------------------------------------------------------------------
// Expressions (the left and right sides of matches, keys, values)

type NftPayloadProtocol = 'ip' | 'ip6' | 'tcp' | 'udp' | 'th' | 'ether';
interface NftPayload {
  payload: { protocol: NftPayloadProtocol; field: string };
}
type NftMetaKey = 'iifname' | 'oifname' | 'iif' | 'oif' | 'l4proto' | 'nfproto' | 'mark' | 'protocol';
interface NftMeta {
  meta: { key: NftMetaKey };
}
interface NftCt {
  ct: { key: 'state' | 'status' | 'mark' };
}
/** `fib daddr type`: the kind of route the destination address has (local, unicast…). */
interface NftFib {
  fib: { result: 'type'; flags: ('daddr' | 'saddr')[] };
}
/** A concatenation (`ip daddr . meta l4proto . th dport`), of keys or of values. */
interface NftConcat {
  concat: (NftKey | NftValue)[];
}
/** A lookup in a named map as an expression: `KEY map @name`. */
interface NftMapLookup {
  map: { key: NftKey; data: string };
}
export interface NftPrefix {
  prefix: { addr: string; len: number };
}
export interface NftRange {
  range: [NftValue, NftValue];
}
/** An anonymous set: `{ a, b }`. */
interface NftAnonSet {
  set: NftValue[];
}
/** A verdict used as a value (map data). */
type NftVerdictValue =
  | { accept: null }
  | { drop: null }
  | { return: null }
  | { continue: null }
  | { jump: { target: string } }
  | { goto: { target: string } };

/** Literal values: strings (names, addresses, `@set` references), numbers, and structured values. */
export type NftValue = string | number | NftPrefix | NftRange | NftAnonSet | NftVerdictValue | NftConcat | string[];
type NftKey = NftPayload | NftMeta | NftCt | NftFib | NftConcat;

// ---------------------------------------------------------------------------
// Statements (the items of a rule's `expr` list)

type NftMatchOp = '==' | '!=' | 'in' | '<' | '>' | '<=' | '>=';
export interface NftMatch {
  match: { op: NftMatchOp; left: NftKey; right: NftValue };
}
interface NftCounter {
  counter: null | { packets: number; bytes: number };
}
interface NftVmap {
  vmap: { key: NftKey; data: string };
}
interface NftReject {
  reject: null | { type: string; expr?: string };
}
interface NftPortSpec {
  port?: NftRange | number;
}
interface NftMasquerade {
  masquerade: null | NftPortSpec;
}
interface NftSnat {
  snat: { family?: 'ip' | 'ip6'; addr: string | NftRange; port?: NftRange | number };
}
interface NftMangle {
  mangle: { key: NftKey; value: NftValue };
}
/** Destination NAT to an address and optionally a port, each a value or a map lookup. */
interface NftDnat {
  dnat: { family: 'ip' | 'ip6'; addr: string | NftMapLookup; port?: number | NftMapLookup };
}

export type NftStatement = NftMatch | NftCounter | NftVmap | NftReject | NftMasquerade | NftSnat | NftMangle | NftDnat | NftVerdictValue;

interface NftRule {
  family: NftFamily;
  table: string;
  chain: string;
  expr: NftStatement[];
  handle?: number;
  comment?: string;
}

/** Elements of a set (plain values) or of a map (`[key, value]` pairs). */
export type NftElem = NftValue | [NftValue, NftValue];
interface NftElement {
  family: NftFamily;
  table: string;
  name: string;
  elem: NftElem[];
}

// ---------------------------------------------------------------------------
// Commands and batches

type NftObject = { table: NftTable } | { chain: NftChain } | { set: NftSet } | { map: NftMap } | { rule: NftRule } | { element: NftElement };

export type NftCommand = { add: NftObject } | { delete: NftObject } | { flush: NftObject };

/** What `nft -j -f -` reads: the commands run as one atomic transaction. */
export interface NftBatch {
  nftables: NftCommand[];
}

export const add = (o: NftObject): NftCommand => ({ add: o });
export const del = (o: NftObject): NftCommand => ({ delete: o });
export const flush = (o: NftObject): NftCommand => ({ flush: o });

export const batch = (commands: NftCommand[]): NftBatch => ({ nftables: commands });

/** The text to feed `nft -j -f -`. */
export function batchJson(b: NftBatch): string {
  return JSON.stringify(b);
}

export function isEmptyBatch(b: NftBatch): boolean {
  return b.nftables.length === 0;
}

// ---------------------------------------------------------------------------
// Expression and statement builders

export const meta = (key: NftMetaKey): NftMeta => ({ meta: { key } });
export const payload = (protocol: NftPayloadProtocol, field: string): NftPayload => ({ payload: { protocol, field } });
export const ct = (key: 'state' | 'status' | 'mark'): NftCt => ({ ct: { key } });
export const prefix = (addr: string, len: number): NftPrefix => ({ prefix: { addr, len } });
export const range = (from: NftValue, to: NftValue): NftRange => ({ range: [from, to] });
/** A reference to a named set or map: `@name`. */
export const setRef = (name: string): string => `@${name}`;

export const match = (left: NftKey, op: NftMatchOp, right: NftValue): NftMatch => ({ match: { op, left, right } });
export const eq = (left: NftKey, right: NftValue): NftMatch => match(left, '==', right);
export const ne = (left: NftKey, right: NftValue): NftMatch => match(left, '!=', right);

export const counter = (): NftCounter => ({ counter: null });
export const accept = (): NftVerdictValue => ({ accept: null });
export const ret = (): NftVerdictValue => ({ return: null });
export const jump = (target: string): NftVerdictValue => ({ jump: { target } });
export const reject = (): NftReject => ({ reject: null });
export const vmap = (key: NftKey, mapName: string): NftVmap => ({ vmap: { key, data: setRef(mapName) } });
export const masquerade = (port?: NftRange): NftMasquerade => ({ masquerade: port ? { port } : null });
export const snat = (family: 'ip' | 'ip6', addr: string | NftRange, port?: NftRange): NftSnat => ({
  snat: port ? { family, addr, port } : { family, addr },
});
export const mangle = (key: NftKey, value: NftValue): NftMangle => ({ mangle: { key, value } });
export const fibDaddrType = (): NftFib => ({ fib: { result: 'type', flags: ['daddr'] } });
export const concat = (...items: (NftKey | NftValue)[]): NftConcat => ({ concat: items });
export const mapLookup = (key: NftKey, mapName: string): NftMapLookup => ({ map: { key, data: setRef(mapName) } });
export const dnat = (family: 'ip' | 'ip6', addr: string | NftMapLookup, port?: number | NftMapLookup): NftDnat => ({
  dnat: port === undefined ? { family, addr } : { family, addr, port },
});
