/**
 * Detection of other firewalls that would drop our networks' traffic.
 *
 * In nftables every base chain on a hook sees the packet, table by table: an
 * `accept` in our table does not stop another table's chain from dropping
 * it. So a base chain of someone else's table (Docker's `ip filter FORWARD`,
 * firewalld's `inet firewalld`, ufw's `ip filter ufw-*` hooks, a hand-written
 * `inet filter`) with `policy drop` on the forward or input hook drops our
 * guests' traffic unless one of its own rules accepts it. We never edit those
 * tables; this pure function reads `nft -j list ruleset` and explains, in
 * plain words, which of them stand in the way of which of our bridges.
 */
import type { NetworkDef } from '../conf/network/types.js';
import { NFT_FAMILY, NFT_TABLE } from './firewall-layout.js';
import { needsFirewall } from './firewall-network.js';

export interface FirewallConflict {
  family: string;
  table: string;
  chain: string;
  hook: 'forward' | 'input';
  /** The bridge whose traffic is at risk. */
  bridge: string;
  /** One plain sentence, starting "table FAMILY NAME chain CHAIN (hook HOOK, policy drop) will drop ...". */
  message: string;
}

export interface ActiveNetwork {
  def: NetworkDef;
  bridge: string;
}

export interface DetectionFacts {
  /**
   * br_netfilter is loaded and net.bridge.bridge-nf-call-iptables is 1 (Docker
   * does this): frames bridged between two guests of the same bridge then
   * pass the forward hook too, so a forward drop also cuts guests off from
   * each other, in every mode.
   */
  bridgeNetfilter?: boolean;
}

interface BaseChain {
  family: string;
  table: string;
  name: string;
  hook: string;
  policy: string;
}

/** Base chains of a ruleset: the document `nft -j list ruleset` prints, or its list of objects. */
function baseChains(ruleset: unknown): BaseChain[] {
  const items = Array.isArray(ruleset) ? ruleset : (ruleset as { nftables?: unknown } | null)?.nftables;
  if (!Array.isArray(items)) return [];
  const out: BaseChain[] = [];
  for (const item of items) {
    const c = (item as { chain?: Record<string, unknown> } | null)?.chain;
    if (!c || typeof c.hook !== 'string') continue;
    out.push({
      family: String(c.family),
      table: String(c.table),
      name: String(c.name),
      hook: c.hook,
      policy: typeof c.policy === 'string' ? c.policy : 'accept',
    });
  }
  return out;
}

/** Which IP traffic a table family sees: ip → IPv4, ip6 → IPv6, inet → both. */
function familyWords(family: string): string {
  if (family === 'ip') return 'IPv4 ';
  if (family === 'ip6') return 'IPv6 ';
  return '';
}

const forwards = (def: NetworkDef): boolean => def.forward.mode === 'nat' || def.forward.mode === 'route' || def.forward.mode === 'open';
const isVirtual = (def: NetworkDef): boolean => needsFirewall(def) || def.forward.mode === 'open';
const servesGuests = (def: NetworkDef): boolean => isVirtual(def) && def.ips.some((ip) => ip.address !== undefined);

/**
 * Base chains of other tables, on the forward or input hook of the ip, ip6
 * or inet family, whose policy is drop, paired with each of our bridges they
 * would hurt: forward drops break nat/route/open networks' traffic to and
 * from the outside; input drops break DHCP and DNS from guests to dnsmasq.
 */
export function detectFirewallConflicts(
  /** The parsed JSON of `nft -j list ruleset`, or its array of objects (without metainfo or with). */
  ruleset: unknown,
  networks: ActiveNetwork[],
  facts: DetectionFacts = {},
): FirewallConflict[] {
  const conflicts: FirewallConflict[] = [];
  for (const c of baseChains(ruleset)) {
    if (c.family === NFT_FAMILY && c.table === NFT_TABLE) continue;
    if (c.policy !== 'drop') continue;
    if (c.family !== 'ip' && c.family !== 'ip6' && c.family !== 'inet') continue;
    if (c.hook !== 'forward' && c.hook !== 'input') continue;
    const head = `table ${c.family} ${c.table} chain ${c.name} (hook ${c.hook}, policy drop)`;
    const traffic = familyWords(c.family);
    for (const { def, bridge } of networks) {
      let why: string | undefined;
      if (c.hook === 'forward' && facts.bridgeNetfilter === true && isVirtual(def)) {
        why =
          `bridge netfilter is on, so even ${traffic}traffic between two guests of network '${def.name}' on ${bridge} ` +
          `passes the forward hook` +
          (forwards(def) ? `, as does their traffic to and from the outside` : '') +
          `; unless one of that chain's rules accepts it, it is dropped there whatever our own table accepts`;
      } else if (c.hook === 'forward' && forwards(def)) {
        why =
          `guests of network '${def.name}' (forward mode ${def.forward.mode}) reach the outside, and are reached from it, ` +
          `only through the forward hook; unless one of that chain's rules accepts the ${traffic}traffic in and out of ${bridge}, ` +
          `it is dropped there whatever our own table accepts`;
      } else if (c.hook === 'input' && servesGuests(def)) {
        why =
          `DHCP (udp 67) and DNS (udp/tcp 53) requests from guests of network '${def.name}' to its dnsmasq arrive ` +
          `through the input hook; unless one of that chain's rules accepts ${traffic}traffic coming in on ${bridge}, ` +
          `guests get no address and no name service`;
      }
      if (why === undefined) continue;
      conflicts.push({
        family: c.family,
        table: c.table,
        chain: c.name,
        hook: c.hook,
        bridge,
        message: `${head} will drop traffic of bridge ${bridge}: ${why}.`,
      });
    }
  }
  return conflicts;
}
