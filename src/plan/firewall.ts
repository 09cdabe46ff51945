/**
 * The firewall plan: pure functions from a network definition to nftables
 * JSON batches (`nft -j -f -`, one atomic transaction each) in virtnet's own
 * `table inet virtnet`, reached through one verdict-map element per network.
 * Nothing here runs `nft`. The table's layout, why verdict maps, the rule
 * order, port forwards, DHCP checksums and the re-apply/remove rules are in
 * docs/firewall.md.
 */
export {
  NFT_FAMILY,
  NFT_TABLE,
  FORWARD_CHAIN,
  POSTROUTING_CHAIN,
  OUTPUT_CHAIN,
  FWD_IN_MAP,
  FWD_OUT_MAP,
  NAT4_MAP,
  NAT6_MAP,
  DHCP_CSUM_SET,
  PREROUTING_CHAIN,
  OUTPUT_DNAT_CHAIN,
  DNAT4_ADDR_MAP,
  DNAT4_PORT_MAP,
  DNAT4_KEEP_MAP,
  DNAT4_OPEN_SET,
  DNAT4_SKIP_SET,
  BASE_CHAINS,
  ELEMENT_HOLDERS,
  BASE_MARK_SET,
  networkChainNames,
  planFirewallBase,
  planFirewallTeardown,
  type NetworkChainNames,
} from './firewall-layout.js';
export {
  mergeRemoveBatches,
  removeBeforeApply,
  planNetworkFirewall,
  hasIpv4Dhcp,
  needsFirewall,
  type NetworkFirewallOptions,
  type NetworkFirewallPlan,
} from './firewall-network.js';
export {
  detectFirewallConflicts,
  type ActiveNetwork,
  type DetectionFacts,
  type FirewallConflict,
} from './firewall-detect.js';
export { batchJson, isEmptyBatch, type NftBatch } from './nft-json.js';
