/**
 * The fixed part of virtnet's nftables table, `table inet virtnet`: its name,
 * the names of its base chains, verdict maps and set, the names of a
 * network's own chains, and the batches that create (idempotently) or remove
 * the whole table. The layout itself is explained in ./firewall.ts.
 */
import {
  add,
  batch,
  del,
  eq,
  flush,
  mangle,
  meta,
  payload,
  setRef,
  vmap,
  type NftBatch,
  type NftChain,
  type NftCommand,
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

export const tableObject = (): NftTable => ({ family: NFT_FAMILY, name: NFT_TABLE });
export const chainObject = (name: string): NftChain => ({ ...T, name });

export const baseChainObjects = (): NftChain[] => [
  { ...T, name: FORWARD_CHAIN, type: 'filter', hook: 'forward', prio: 0, policy: 'accept' },
  { ...T, name: POSTROUTING_CHAIN, type: 'nat', hook: 'postrouting', prio: 100, policy: 'accept' },
  { ...T, name: OUTPUT_CHAIN, type: 'filter', hook: 'output', prio: 0, policy: 'accept' },
];

export const mapObjects = (): NftMap[] => [
  { ...T, name: FWD_IN_MAP, type: 'ifname', map: 'verdict' },
  { ...T, name: FWD_OUT_MAP, type: 'ifname', map: 'verdict' },
  { ...T, name: NAT4_MAP, type: 'ipv4_addr', map: 'verdict', flags: ['interval'] },
  { ...T, name: NAT6_MAP, type: 'ipv6_addr', map: 'verdict', flags: ['interval'] },
];

export const setObjects = (): NftSet[] => [{ ...T, name: DHCP_CSUM_SET, type: 'ifname' }];

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
