/**
 * # Firewall: virtnet's nftables plan
 *
 * Pure functions from a network definition to nftables JSON batches (`nft -j
 * -f -`, one atomic transaction each). Nothing here runs `nft`; the host
 * executor does, and the driver keeps each network's `remove` batch in its
 * status file.
 *
 * ## One table of our own
 * Everything lives in `table inet virtnet` (one table for IPv4 and IPv6).
 * Tables we do not own are never flushed, edited or even named in a batch.
 *
 * ```
 * table inet virtnet {
 *   map fwd_in   { type ifname : verdict }                  # "virbr1" : jump in_virbr1
 *   map fwd_out  { type ifname : verdict }                  # "virbr1" : jump out_virbr1
 *   map nat4     { type ipv4_addr : verdict; flags interval } # 192.168.122.0/24 : jump nat_virbr1
 *   map nat6     { type ipv6_addr : verdict; flags interval } # only <nat ipv6='yes'>
 *   set dhcp_csum { type ifname }                           # bridges serving DHCPv4
 *   map dnat4_addr { type ipv4_addr . inet_proto . inet_service : ipv4_addr; flags interval }    # port forwards
 *   map dnat4_port { type ipv4_addr . inet_proto . inet_service : inet_service; flags interval } #  that change the port
 *   map dnat4_keep { type ipv4_addr . inet_proto . inet_service : ipv4_addr; flags interval }    #  that keep it
 *   set dnat4_open { type ipv4_addr . inet_proto . inet_service; flags interval }                # their guests' ports
 *   set base_ready { type ifname }                          # always empty: made with the base chains' rules
 *   chain forward     { type filter hook forward priority filter; policy accept;
 *                       ct status dnat ip daddr . meta l4proto . th dport @dnat4_open accept
 *                       oifname vmap @fwd_in
 *                       iifname vmap @fwd_out }
 *   chain postrouting { type nat hook postrouting priority srcnat; policy accept;
 *                       ip saddr vmap @nat4
 *                       ip6 saddr vmap @nat6 }
 *   chain output      { type filter hook output priority filter; policy accept;
 *                       meta nfproto ipv4 oifname @dhcp_csum udp sport 67 udp dport 68 udp checksum set 0 }
 *   chain prerouting  { type nat hook prerouting priority dstnat; policy accept;   # from outside and from guests
 *                       meta l4proto { tcp, udp } fib daddr type local ip daddr != 127.0.0.0/8
 *                         dnat ip to K map @dnat4_addr : K map @dnat4_port    (K = ip daddr . meta l4proto . th dport)
 *                       <the same> dnat ip to K map @dnat4_keep }
 *   chain output_dnat { type nat hook output priority -100; <the two rules of prerouting> }  # from the host itself
 *   chain in_virbr1  { iifname "virbr1" accept; <per-<ip> inbound accepts>; reject }
 *   chain out_virbr1 { <per-<ip> outbound accepts>; reject }
 *   chain nat_virbr1 { [ct status dnat ip daddr SUBNET masquerade]     # hairpin, with port forwards
 *                      <libvirt's five NAT rules per masqueraded <ip>> }
 * }
 * ```
 *
 * ## Why verdict maps
 * libvirt keeps three shared chains (guest_cross, guest_input, guest_output)
 * and inserts every network's rules into them, so a packet walks past the
 * rules of every network, and stopping one network means deleting its rules
 * one handle at a time. Here a network owns its chains and is reachable only
 * through one element per map: starting it adds a constant number of
 * elements, a packet does one hash lookup (oifname, then iifname; an
 * interval lookup by source subnet for NAT) whatever the number of networks,
 * and stopping it deletes those elements and its chains.
 *
 * ## Order, and why it is libvirt's
 * libvirt checks guest_cross, then guest_input (matched on the *outgoing*
 * bridge), then guest_output (matched on the *incoming* bridge). The forward
 * chain keeps that order: `oifname vmap @fwd_in` comes first, and `in_BR`
 * starts with the cross-bridge accept (`iifname BR`), then BR's inbound
 * accepts, then a reject, so a packet headed into a bridge of ours is always
 * decided by that bridge's inbound rules. A new connection from NAT network
 * A into network B is therefore rejected by `in_B` (nat: established and
 * related only; isolated: nothing) before A's permissive `out_A` is ever
 * looked at. Only a packet whose outgoing interface is not one of our bridges
 * falls through to `iifname vmap @fwd_out`.
 *
 * Per mode, with libvirt's semantics (reference §5): isolated gets only the
 * cross accept and the two rejects; nat accepts out by source subnet, in by
 * destination subnet with `ct state established,related`, and masquerades
 * (returns for 224.0.0.0/24 / ff02::/16 and 255.255.255.255, tcp/udp to ports
 * 1024-65535 or `<nat><port>`, `snat` to `<nat><address>`, `oifname DEV` with
 * a forward dev); IPv6 `<ip>`s of a nat network without `<nat ipv6='yes'>` get
 * route rules; route accepts both ways by subnet; open gets nothing. The
 * NAT chain is keyed by source subnet because the postrouting hook has no
 * input interface; the driver refuses overlapping subnets, so keys never clash.
 * Unlike libvirt's ip/ip6 tables, the rejects of the inet table also cover
 * IPv6 on IPv4-only networks; their bridges have IPv6 disabled anyway.
 *
 * ## Port forwards
 * A NAT network's `<virtnet:forwards>` (src/conf/network/port-forward-types.ts)
 * add elements only (./firewall-forwards.ts): the DNAT rules are the same
 * two in prerouting (traffic from outside and from guests) and in
 * output_dnat (the host itself), matching TCP and UDP to any local address
 * but loopback and looking the destination . protocol . port up; a
 * listen address of "every address" is the key 0.0.0.0/0. nft 1.0.6 cannot
 * read maps with concatenated values from JSON, so address and port come
 * from two maps of the same key; a forward that keeps its port uses a third
 * map keyed by its whole range and gives the address alone (the kernel
 * keeps a port that lies in the range). Forwarded traffic then passes the
 * forward hook through `dnat4_open` before any bridge's own rules, so a
 * guest of another network or the uplink reaches it while everything else
 * stays refused. A guest reaching a forward of its own network is
 * masqueraded (first rule of nat_BR, only with forwards), so the answer
 * comes back through the host. Overlapping forwards are refused before
 * they reach the kernel (the interval maps would refuse them too). With
 * br_netfilter (bridge-nf-call-iptables=1) a guest reaching its *own*
 * forward needs hairpin mode on its bridge port, as for Docker.
 *
 * ## DHCP checksums
 * dnsmasq's DHCPv4 replies leave the host with a partial UDP checksum when
 * the bridge offloads checksumming: the kernel writes only the pseudo-header
 * sum and marks the packet "checksum not ready". A client that reads the raw
 * packet without that mark (a VM behind vhost-net whose NIC does not pass the
 * flag on, FreeBSD's dhclient) drops it as corrupt. libvirt fixes it with tc
 * `act_csum`, which this kernel lacks. We set the UDP checksum of udp sport 67
 * dport 68 leaving a bridge of `dhcp_csum` to zero ("no checksum", valid for
 * UDP over IPv4) in the output hook. What test/e2e/firewall.test.ts shows:
 * - behind a veth the mark survives, and Debian's dhclient and busybox
 *   udhcpc accept the partial checksum with or without the rule (they read
 *   the mark through PACKET_AUXDATA); with the rule the field is 0;
 * - a client that sees the checksum as it is on the wire (a tap with checksum
 *   offload relayed without its vnet header) gets no lease without the rule,
 *   and gets one with it;
 * - limit: behind a port *without* transmit checksum offload (a qemu tap for
 *   an emulated e1000/rtl8139 NIC), the kernel completes the checksum in
 *   software over the zeroed field, the reply goes out with a wrong checksum,
 *   and the rule costs the lease that the client gets without it.
 * nftables cannot tell the two cases apart (no expression sees the skb's
 * checksum state), so `dhcpChecksumFix: false` turns the rule off per
 * network. Turning transmit checksum offload off on the bridge itself
 * (ethtool's tx off) fixes both cases without any rule, since the host then
 * computes full checksums, at the price of software checksums and
 * segmentation for traffic routed into the bridge; that is a host setting,
 * outside this planner.
 *
 * ## Re-apply and remove
 * `apply` is idempotent: it declares the table (adding an existing table,
 * chain, map or set with the same definition is a no-op), flushes and refills
 * the base chains' few dispatch rules, adds/flushes/refills the network's
 * chains, and adds its elements (nft 1.0.6: adding an element that exists
 * with the same value is a no-op; the same key with another value fails with
 * "File exists"). So the driver re-applies a running network after a daemon
 * restart by running `apply` again, and `apply` twice or `remove` then
 * `apply` both work. nft 1.0.6 has no `destroy`: deleting a missing element
 * or chain fails the whole batch ("No such file or directory"). So `remove`
 * first adds (no-ops if present) the table, maps, the network's chains and
 * elements, then deletes the elements and then the chains (a chain still
 * referenced by an element cannot be deleted; deleting a chain deletes its
 * rules). `remove` never fails on a half-removed network and deletes nothing
 * of other networks; on an empty namespace it leaves the bare table and its
 * empty maps. `planFirewallTeardown` drops the whole table.
 * Both batches add the network's chains before the maps: with nft 1.0.6, an
 * element added to an interval map created in the same batch cannot jump to
 * a chain created after that map ("No such file or directory").
 * If the definition changed since `apply` (a new live def), run the stored
 * `remove` of the old plan before the new `apply`.
 *
 * `apply` without the base (`includeBase: false`, for every network after
 * the first of a process) flushes the empty set `base_ready` first, which
 * only the base creates: where someone removed the table meanwhile (`nft
 * flush ruleset`), that batch fails as a whole instead of installing the
 * network's chains with nothing hooked to reach them, and the runtime runs
 * it again with the base (src/driver/runtime/firewall.ts).
 *
 * ## Other firewalls
 * `detectFirewallConflicts` reads `nft -j list ruleset` and explains base
 * chains of other tables (Docker, firewalld, ufw) whose drop policy on the
 * forward or input hook would drop our guests' traffic; an accept in our
 * table cannot override another table's drop.
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
