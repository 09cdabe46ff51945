/**
 * The fixed part of virtnet's nftables table, `table inet virtnet`: its name,
 * the names of its base chains, verdict maps and set, the names of a
 * network's own chains, and the batches that create (idempotently) or remove
 * the whole table. The layout itself is explained in ./firewall.ts.
 */
import {
  accept,
  add,
  batch,
  concat,
  ct,
  del,
  dnat,
  eq,
  fibDaddrType,
  flush,
  mangle,
  mapLookup,
  match,
  meta,
  ne,
  payload,
  prefix,
  setRef,
  vmap,
  type NftBatch,
  type NftChain,
  type NftCommand,
  type NftDataType,
  type NftMap,
  type NftSet,
  type NftTable,
} from './nft-json.js';

export const NFT_FAMILY = 'inet';
export const NFT_TABLE = 'virtnet';

/** Base chains: one per hook we need. */
export const FORWARD_CHAIN = 'forward';
export const POSTROUTING_CHAIN = 'postrouting';
export const OUTPUT_CHAIN = 'output';
/** Port forwards: destination NAT of traffic arriving from outside and from guests (nat hook prerouting). */
export const PREROUTING_CHAIN = 'prerouting';
/** Port forwards: destination NAT of traffic the host itself sends (nat hook output). */
export const OUTPUT_DNAT_CHAIN = 'output_dnat';

/** Every base chain of the table, in the order they are declared. */
export const BASE_CHAINS: readonly string[] = [FORWARD_CHAIN, POSTROUTING_CHAIN, OUTPUT_CHAIN, PREROUTING_CHAIN, OUTPUT_DNAT_CHAIN];

/** oifname → `jump in_BR`: traffic forwarded *into* a network's bridge. */
export const FWD_IN_MAP = 'fwd_in';
/** iifname → `jump out_BR`: traffic forwarded *out of* a network's bridge. */
export const FWD_OUT_MAP = 'fwd_out';
/** IPv4 source subnet → `jump nat_BR` (postrouting has no input interface, so NAT is keyed by source subnet). */
export const NAT4_MAP = 'nat4';
/** IPv6 source subnet → `jump nat_BR` (only `<nat ipv6='yes'>` networks). */
export const NAT6_MAP = 'nat6';
/** Bridges whose outgoing DHCPv4 replies get their UDP checksum zeroed. */
export const DHCP_CSUM_SET = 'dhcp_csum';
/**
 * Port forwards that change the port: listen address . protocol . port →
 * the guest's address (DNAT4_PORT_MAP gives its port for the same key).
 * Every address of the host is the key 0.0.0.0/0.
 */
export const DNAT4_ADDR_MAP = 'dnat4_addr';
/** Port forwards that change the port: listen address . protocol . port → the guest's port. */
export const DNAT4_PORT_MAP = 'dnat4_port';
/** Port forwards that keep the port: listen address . protocol . port range → the guest's address. */
export const DNAT4_KEEP_MAP = 'dnat4_keep';
/** Guest address . protocol . port range that forwarded (DNATed) traffic may reach through the forward hook. */
export const DNAT4_OPEN_SET = 'dnat4_open';
/**
 * Address . protocol . port of what the networks' dnsmasq serves on their own
 * addresses (DNS, DHCP, TFTP): no port forward catches it, so a forward of
 * 53/udp on every address leaves the guests' lookups to their network.
 */
export const DNAT4_SKIP_SET = 'dnat4_skip';

/**
 * Always empty; made only together with the base chains' rules. A
 * network's batch that relies on the base being there starts by flushing
 * it, so when something removed the table (`nft flush ruleset`) that batch
 * fails as a whole instead of leaving the network's chains unhooked
 * (requireBaseCommands).
 */
export const BASE_MARK_SET = 'base_ready';

/** Every map and set of the table: networks only ever add and delete their elements. */
export const ELEMENT_HOLDERS: readonly string[] = [
  FWD_IN_MAP,
  FWD_OUT_MAP,
  NAT4_MAP,
  NAT6_MAP,
  DHCP_CSUM_SET,
  DNAT4_ADDR_MAP,
  DNAT4_PORT_MAP,
  DNAT4_KEEP_MAP,
  DNAT4_OPEN_SET,
  DNAT4_SKIP_SET,
  BASE_MARK_SET,
];

/** The chains of one network, named after its bridge (unique among active networks). */
export interface NetworkChainNames {
  in: string;
  out: string;
  nat: string;
}

export function networkChainNames(bridge: string): NetworkChainNames {
  return { in: `in_${bridge}`, out: `out_${bridge}`, nat: `nat_${bridge}` };
}

const T = { family: NFT_FAMILY, table: NFT_TABLE } as const;

const tableObject = (): NftTable => ({ family: NFT_FAMILY, name: NFT_TABLE });
export const chainObject = (name: string): NftChain => ({ ...T, name });

export const baseChainObjects = (): NftChain[] => [
  { ...T, name: FORWARD_CHAIN, type: 'filter', hook: 'forward', prio: 0, policy: 'accept' },
  { ...T, name: POSTROUTING_CHAIN, type: 'nat', hook: 'postrouting', prio: 100, policy: 'accept' },
  { ...T, name: OUTPUT_CHAIN, type: 'filter', hook: 'output', prio: 0, policy: 'accept' },
  { ...T, name: PREROUTING_CHAIN, type: 'nat', hook: 'prerouting', prio: -100, policy: 'accept' },
  { ...T, name: OUTPUT_DNAT_CHAIN, type: 'nat', hook: 'output', prio: -100, policy: 'accept' },
];

/** The key of the port-forward maps: listen address . protocol . port. */
const DNAT4_KEY: NftDataType[] = ['ipv4_addr', 'inet_proto', 'inet_service'];

const mapObjects = (): NftMap[] => [
  { ...T, name: FWD_IN_MAP, type: 'ifname', map: 'verdict' },
  { ...T, name: FWD_OUT_MAP, type: 'ifname', map: 'verdict' },
  { ...T, name: NAT4_MAP, type: 'ipv4_addr', map: 'verdict', flags: ['interval'] },
  { ...T, name: NAT6_MAP, type: 'ipv6_addr', map: 'verdict', flags: ['interval'] },
  { ...T, name: DNAT4_ADDR_MAP, type: DNAT4_KEY, map: 'ipv4_addr', flags: ['interval'] },
  { ...T, name: DNAT4_PORT_MAP, type: DNAT4_KEY, map: 'inet_service', flags: ['interval'] },
  { ...T, name: DNAT4_KEEP_MAP, type: DNAT4_KEY, map: 'ipv4_addr', flags: ['interval'] },
];

const setObjects = (): NftSet[] => [
  { ...T, name: DHCP_CSUM_SET, type: 'ifname' },
  { ...T, name: DNAT4_OPEN_SET, type: DNAT4_KEY, flags: ['interval'] },
  { ...T, name: DNAT4_SKIP_SET, type: DNAT4_KEY },
];

/**
 * The port forwards' DNAT rules of one nat chain: TCP or UDP to a local
 * address but loopback and the networks' own services (DNAT4_SKIP_SET),
 * looked up by destination . protocol . port; first
 * the forwards that change the port, then those that keep it. A packet
 * whose key is in neither map goes on unchanged (a failed map lookup ends
 * the rule, not the chain).
 */
function dnatRules(chain: string): NftCommand[] {
  const key = concat(payload('ip', 'daddr'), meta('l4proto'), payload('th', 'dport'));
  const local = [
    match(meta('l4proto'), '==', { set: ['tcp', 'udp'] }),
    eq(fibDaddrType(), 'local'),
    ne(payload('ip', 'daddr'), prefix('127.0.0.0', 8)),
    ne(key, setRef(DNAT4_SKIP_SET)),
  ];
  return [
    add({ rule: { ...T, chain, expr: [...local, dnat('ip', mapLookup(key, DNAT4_ADDR_MAP), mapLookup(key, DNAT4_PORT_MAP))] } }),
    add({ rule: { ...T, chain, expr: [...local, dnat('ip', mapLookup(key, DNAT4_KEEP_MAP))] } }),
  ];
}

const baseMarkSet = (): NftSet => ({ ...T, name: BASE_MARK_SET, type: 'ifname' });

/** Fails (nothing of its batch is applied) unless the base was built and is still there: flushing a set that does not exist is an error. */
export function requireBaseCommands(): NftCommand[] {
  return [flush({ set: baseMarkSet() })];
}

/**
 * `add` of the table, then of `chains` (a network's own chains, empty if
 * new), then of the maps and the set. Adding an object that already exists
 * with the same definition is a no-op in nftables, so this prefix makes any
 * batch safe to run whether or not the table is there.
 *
 * The chains come before the maps because of nft 1.0.6: when an interval map
 * is created in a batch, nft sends the elements later added to it in that
 * batch together with the map's creation, so an element that jumps to a
 * chain created after the map fails with "No such file or directory".
 */
export function declareTableCommands(chains: string[] = []): NftCommand[] {
  return [
    add({ table: tableObject() }),
    ...chains.map((name) => add({ chain: chainObject(name) })),
    ...mapObjects().map((map) => add({ map })),
    ...setObjects().map((set) => add({ set })),
  ];
}

/** The dispatch rules of the base chains: constant, whatever the number of networks. */
function baseRuleCommands(): NftCommand[] {
  return [
    // Forwarded traffic a port forward translated may reach its guest (whatever the bridge's own rules say).
    add({
      rule: {
        ...T,
        chain: FORWARD_CHAIN,
        expr: [
          match(ct('status'), 'in', 'dnat'),
          eq(concat(payload('ip', 'daddr'), meta('l4proto'), payload('th', 'dport')), setRef(DNAT4_OPEN_SET)),
          accept(),
        ],
      },
    }),
    add({ rule: { ...T, chain: FORWARD_CHAIN, expr: [vmap(meta('oifname'), FWD_IN_MAP)] } }),
    add({ rule: { ...T, chain: FORWARD_CHAIN, expr: [vmap(meta('iifname'), FWD_OUT_MAP)] } }),
    add({ rule: { ...T, chain: POSTROUTING_CHAIN, expr: [vmap(payload('ip', 'saddr'), NAT4_MAP)] } }),
    add({ rule: { ...T, chain: POSTROUTING_CHAIN, expr: [vmap(payload('ip6', 'saddr'), NAT6_MAP)] } }),
    add({
      rule: {
        ...T,
        chain: OUTPUT_CHAIN,
        expr: [
          eq(meta('nfproto'), 'ipv4'),
          eq(meta('oifname'), setRef(DHCP_CSUM_SET)),
          eq(payload('udp', 'sport'), 67),
          eq(payload('udp', 'dport'), 68),
          mangle(payload('udp', 'checksum'), 0),
        ],
      },
    }),
    ...dnatRules(PREROUTING_CHAIN),
    ...dnatRules(OUTPUT_DNAT_CHAIN),
  ];
}

/**
 * The commands that make the table and its base chains exist with exactly
 * their dispatch rules: declare (add) everything, then flush each base chain
 * and add its rules again. Running them any number of times leaves the same
 * table, keeps every map element (so running networks stay reachable), and
 * as one transaction no packet ever sees a half-built chain. `chains` are
 * declared early (see declareTableCommands).
 */
export function baseCommands(chains: string[] = []): NftCommand[] {
  return [
    ...declareTableCommands(chains),
    ...baseChainObjects().map((chain) => add({ chain })),
    ...baseChainObjects().map((chain) => flush({ chain: chainObject(chain.name) })),
    ...baseRuleCommands(),
    add({ set: baseMarkSet() }),
  ];
}

/** The table with its base chains, maps and set; idempotent (see baseCommands). */
export function planFirewallBase(): NftBatch {
  return batch(baseCommands());
}

/**
 * Remove our whole table, whether or not it exists (add, then delete, in one
 * transaction). For when no network needs rules any more, or a full reset.
 */
export function planFirewallTeardown(): NftBatch {
  return batch([add({ table: tableObject() }), del({ table: tableObject() })]);
}
