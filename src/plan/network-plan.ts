/**
 * What the kernel should hold for a running network, as pure data: the plan
 * the Linux runtime (src/driver/runtime/linux.ts) carries out step by step
 * (libvirt's networkStartNetworkVirtual for the virtual modes,
 * networkStartNetworkBridge / networkStartNetworkExternal for the others). Planning is
 * pure and apply is dumb: everything decided here is unit-tested without
 * root, and `--dry-run` can print it.
 *
 * Three kinds of plan, by forward mode:
 * - `virtual` (isolated, nat, route, open): a bridge of our own with its MAC,
 *   MTU, STP and forward delay; the bridge's IPv6 sysctls; firewall batches
 *   (none for open); addresses, link up; static routes (applied one by one,
 *   errors ignored as in libvirt); ip_forward / IPv6 forwarding for the
 *   non-isolated modes; dnsmasq's files and command line when needed;
 * - `host-bridge` (bridge mode with `<bridge name>`): nothing is created;
 *   only VLAN filtering for macTableManager='libvirt';
 * - `external` (bridge without a name, private, vepa, passthrough, hostdev):
 *   nothing is created; the interface pool comes from `<pf>` at start.
 *
 * DHCP checksums (docs/network-runtime.md): by default the bridge's transmit
 * checksum offload is turned off (`txChecksumOff`), so the host computes
 * full UDP checksums for dnsmasq's replies and every kind of guest port gets
 * a valid packet; `nft-zero` uses the firewall planner's rule instead, and
 * `none` does nothing.
 */
import type { ForwardMode, NetworkDef } from '../conf/network/types.js';
import { VIRTUAL_FORWARD_MODES } from '../conf/network/types.js';
import type { LinkOp } from '../host/link-ops.js';
import { ipv6ConfKey, type SysctlEntry } from '../host/sysctl.js';
import { internalError } from '../util/errors.js';
import { effectivePrefix, formatIp, networkOf, parseIp } from '../util/ip.js';
import { fileStem } from '../util/file-stem.js';
import { needsDnsmasq, planDnsmasq, type DnsmasqPlan } from './dnsmasq.js';
import { addressFamily } from './dnsmasq-ip.js';
import { planNetworkFirewall, type NetworkFirewallPlan, type NftBatch } from './firewall.js';

/** How DHCPv4 replies get a checksum every client accepts (see the module comment). */
export type DhcpChecksumMode = 'bridge-tx-off' | 'nft-zero' | 'none';

export interface NetworkPlanOptions {
  /** STATE/dnsmasq: conf, hostsfile, addnhosts, leases. */
  dnsmasqDir: string;
  /** RUN/networks: dnsmasq's pid file NAME.pid. */
  pidDir: string;
  /** The servers file fed from the host's resolv.conf (dnsmasq gets no-resolv + servers-file=). */
  serversFile?: string;
  dhcpChecksum: DhcpChecksumMode;
  /** The dnsmasq program; default 'dnsmasq'. */
  dnsmasqProgram?: string;
  /** dnsmasq writes its own log to NAME.log beside its conf (log-facility=). */
  dnsmasqLog?: boolean;
  /** The user dnsmasq runs as (user=), when not its default one. */
  dnsmasqUser?: string;
}

/** Where a network's dnsmasq files live (whether or not it runs one). */
export interface DnsmasqPaths {
  conf: string;
  pidFile: string;
  leaseFile: string;
  /** As planDnsmasq names them (the network name XML-escaped, as libvirt does). */
  hostsfile: string;
  addnhosts: string;
  /** dnsmasq's own log, when it keeps one (NetworkPlanOptions.dnsmasqLog). */
  logFile: string;
}

export interface DnsmasqRuntimePlan {
  paths: DnsmasqPaths;
  files: DnsmasqPlan;
  argv: string[];
  /** bind-interfaces: start only once the bridge has its addresses and is up. */
  startAfterAddresses: boolean;
}

export interface VirtualNetworkPlan {
  kind: 'virtual';
  mode: ForwardMode;
  bridge: string;
  /** One createBridge operation (MAC, then MTU set after creation, delay, STP). */
  createBridge: LinkOp[];
  /** disable_ipv6, accept_ra, autoconf of the bridge; skipped when IPv6 is off on the host. */
  bridgeSysctls: SysctlEntry[];
  /** `ethtool -K BR tx off` after creating the bridge. */
  txChecksumOff: boolean;
  /** Undefined for open mode (no rules). Its `apply` also (re)builds the table's base chains. */
  firewall: NetworkFirewallPlan | undefined;
  /**
   * The network's part of `firewall.apply` alone, for when this process has
   * already built the base chains: about a third of the cost, since
   * re-flushing the base chains makes the kernel wait for a grace period.
   */
  firewallNetworkOnly: NftBatch | undefined;
  /** Addresses, then link up: one transaction. */
  addresses: LinkOp[];
  /**
   * Networks without IPv6 addresses: the addresses of `addresses` go into
   * the bridge's creation batch, and its link up comes after the sysctls
   * (src/driver/runtime/bridge.ts), so the bridge never comes up with IPv6
   * on. A network with IPv6 addresses needs its IPv6 sysctls
   * (disable_ipv6=0 on a host where IPv6 is off by default) before its
   * addresses, so it applies `addresses` (with link up) as a second batch.
   */
  createWithAddresses: boolean;
  /** Static routes, each applied on its own; a failure is ignored (libvirt does the same). */
  routes: LinkOp[];
  /** IPv6 addresses of the bridge (libvirt waits for DAD before starting dnsmasq). */
  ipv6Addresses: string[];
  /** ip_forward / IPv6 forwarding; never turned off again (libvirt). */
  forwarding: SysctlEntry[];
  dnsmasq: DnsmasqRuntimePlan | undefined;
}

interface HostBridgePlan {
  kind: 'host-bridge';
  mode: 'bridge';
  bridge: string;
  vlanFiltering: boolean;
}

interface ExternalPlan {
  kind: 'external';
  mode: ForwardMode;
  /** `<pf dev>` whose VFs make the interface pool, when no pool is given. */
  pf: string | undefined;
}

export type NetworkPlan = VirtualNetworkPlan | HostBridgePlan | ExternalPlan;

/**
 * The dnsmasq file names of a network: libvirt's NAME.conf, NAME.hostsfile,
 * NAME.addnhosts, NAME.leases, and NAME.pid in RUN, NAME being the name's
 * file stem (src/util/file-stem.ts), so each path reads back whole from
 * dnsmasq's conf (whitespace, `#` and `"` would change it there).
 */
export function dnsmasqPaths(name: string, options: Pick<NetworkPlanOptions, 'dnsmasqDir' | 'pidDir'>): DnsmasqPaths {
  const stem = fileStem(name);
  return {
    conf: `${options.dnsmasqDir}/${stem}.conf`,
    pidFile: `${options.pidDir}/${stem}.pid`,
    leaseFile: `${options.dnsmasqDir}/${stem}.leases`,
    hostsfile: `${options.dnsmasqDir}/${stem}.hostsfile`,
    addnhosts: `${options.dnsmasqDir}/${stem}.addnhosts`,
    logFile: `${options.dnsmasqDir}/${stem}.log`,
  };
}

/**
 * dnsmasq's files and command line for a network that needs it, else
 * undefined. A network without IPv6 addresses gets `bind-interfaces`
 * (dnsmasq binds once, so it must start after the bridge has its addresses;
 * see DnsmasqPlanOptions.bindInterfaces); one with IPv6 keeps libvirt's
 * `bind-dynamic`, which follows the addresses out of duplicate address
 * detection, and may start as soon as the bridge exists.
 */
export function planDnsmasqRuntime(def: NetworkDef, options: NetworkPlanOptions): DnsmasqRuntimePlan | undefined {
  if (!needsDnsmasq(def)) return undefined;
  const paths = dnsmasqPaths(def.name, options);
  const bindInterfaces = !def.ips.some((ip) => addressFamily(ip) === 'ipv6');
  const planOptions: Parameters<typeof planDnsmasq>[1] = {
    stateDir: options.dnsmasqDir,
    fileStem: fileStem(def.name),
    pidFile: paths.pidFile,
    leaseFile: paths.leaseFile,
    bindInterfaces,
  };
  if (options.serversFile !== undefined) planOptions.serversFile = options.serversFile;
  if (options.dnsmasqLog === true) planOptions.logFile = paths.logFile;
  if (options.dnsmasqUser !== undefined) planOptions.user = options.dnsmasqUser;
  const files = planDnsmasq(def, planOptions);
  return {
    paths: { ...paths, hostsfile: files.hostsfilePath, addnhosts: files.addnhostsPath },
    files,
    argv: [options.dnsmasqProgram ?? 'dnsmasq', `--conf-file=${paths.conf}`],
    startAfterAddresses: bindInterfaces,
  };
}

function planVirtual(def: NetworkDef, options: NetworkPlanOptions): VirtualNetworkPlan {
  const bridge = def.bridge.name;
  if (bridge === undefined || bridge === '') throw internalError(`network '${def.name}' has no bridge name defined`);
  const create: LinkOp = { op: 'createBridge', name: bridge, stp: def.bridge.stp, delay: def.bridge.delay };
  if (def.mac !== undefined) create.mac = def.mac;
  if (def.mtu > 0) create.mtu = def.mtu;
  if (def.bridge.macTableManager === 'libvirt') create.vlanFiltering = true;

  const hasIpv6 = def.ips.some((ip) => addressFamily(ip) === 'ipv6');
  const hasIpv4 = def.ips.some((ip) => addressFamily(ip) === 'ipv4');
  const bridgeSysctls: SysctlEntry[] = [
    { key: ipv6ConfKey(bridge, 'disable_ipv6'), value: hasIpv6 ? '0' : '1' },
    { key: ipv6ConfKey(bridge, 'accept_ra'), value: '0' },
    { key: ipv6ConfKey(bridge, 'autoconf'), value: '0' },
  ];

  const addresses: LinkOp[] = [];
  const ipv6Addresses: string[] = [];
  for (const ip of def.ips) {
    const family = addressFamily(ip);
    if (family === undefined || ip.address === undefined) continue;
    const prefix = effectivePrefix(ip);
    if (prefix < 0) throw internalError(`bridge '${bridge}' has an invalid prefix`);
    addresses.push({ op: 'addAddress', dev: bridge, address: ip.address, prefix });
    if (family === 'ipv6') ipv6Addresses.push(ip.address);
  }
  addresses.push({ op: 'setUp', name: bridge, up: true });

  const routes: LinkOp[] = [];
  for (const r of def.routes) {
    const addr = parseIp(r.address);
    if (!addr) continue;
    const prefix = effectivePrefix(r);
    if (prefix < 0) continue;
    const dst = networkOf(addr, prefix);
    const op: LinkOp = { op: 'addRoute', dst: formatIp(dst), prefix, dev: bridge, gateway: r.gateway };
    if (r.metric !== undefined && r.metric > 0) op.metric = r.metric;
    routes.push(op);
  }

  const forwarding: SysctlEntry[] = [];
  if (def.forward.mode !== 'none') {
    if (hasIpv4) forwarding.push({ key: 'net.ipv4.ip_forward', value: '1' });
    if (hasIpv6) forwarding.push({ key: 'net.ipv6.conf.all.forwarding', value: '1' });
  }

  const fwOptions = { bridge, dhcpChecksumFix: options.dhcpChecksum === 'nft-zero' };
  const firewall = def.forward.mode === 'open' ? undefined : planNetworkFirewall(def, fwOptions);
  const firewallNetworkOnly = firewall ? planNetworkFirewall(def, { ...fwOptions, includeBase: false }).apply : undefined;

  return {
    kind: 'virtual',
    mode: def.forward.mode,
    bridge,
    createBridge: [create],
    bridgeSysctls,
    txChecksumOff: options.dhcpChecksum === 'bridge-tx-off',
    firewall,
    firewallNetworkOnly,
    addresses,
    createWithAddresses: !hasIpv6,
    routes,
    ipv6Addresses,
    forwarding,
    dnsmasq: planDnsmasqRuntime(def, options),
  };
}

/** Plan a network of any forward mode. Throws libvirt's errors for a def that cannot start. */
export function planNetwork(def: NetworkDef, options: NetworkPlanOptions): NetworkPlan {
  const mode = def.forward.mode;
  if (VIRTUAL_FORWARD_MODES.includes(mode)) return planVirtual(def, options);
  if (mode === 'bridge' && def.bridge.name !== undefined && def.bridge.name !== '') {
    return { kind: 'host-bridge', mode: 'bridge', bridge: def.bridge.name, vlanFiltering: def.bridge.macTableManager === 'libvirt' };
  }
  return { kind: 'external', mode, pf: def.forward.interfaces.length === 0 ? def.forward.pf : undefined };
}
