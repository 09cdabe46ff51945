/**
 * LinuxRuntime: the NetworkRuntime (./seam.ts) on a real kernel. It is
 * bound to one Host (src/host, itself bound to one network namespace) and to
 * virtnet's directories, and only ever touches that Host, its own files and
 * the processes it started.
 *
 * Each operation computes a pure plan (src/plan/network-plan.ts) and carries
 * it out; what it did is returned as a LinuxApplied record
 * (./applied.ts) that the driver keeps in the status file, so stop,
 * update and adoption work from the record in any later process.
 *
 * start (isolated, nat, route, open), after libvirt's networkStartNetworkVirtual:
 *   1. refuse any overlap of an IPv4 subnet or static route with another
 *      active network or a host route (src/plan/plan-collision.ts); the
 *      routes are read from /proc/PID/net/route through one of our
 *      dnsmasqs when one runs, so no command is started for it;
 *   2. one ip batch: the bridge (MAC, MTU, forward delay, STP), and for a
 *      network without IPv6 addresses also its addresses and link up;
 *   3. at the same time, as all of these only need the bridge to exist:
 *      the bridge's IPv6 sysctls and ip_forward / IPv6 forwarding (one
 *      process for all of them), transmit checksum offload off, our
 *      firewall batch (one atomic nft transaction), dnsmasq's files, then
 *      dnsmasq itself (bind-interfaces for IPv4-only networks: it binds
 *      once, to the addresses the batch gave the bridge; bind-dynamic with
 *      IPv6, following the addresses out of duplicate address detection),
 *      and static routes one by one, their errors ignored (libvirt);
 *   4. a network with IPv6 addresses gets them and link up in a second
 *      batch, after its sysctls (disable_ipv6=0 must come first), then
 *      its static routes.
 * libvirt runs the same steps one after the other, dnsmasq last; a
 * bridge without ports carries no traffic until the start returns, so
 * running the independent ones together changes nothing a guest sees and
 * makes a start a third of libvirt's. Every started process costs 2-5 ms
 * on a busy machine, so a start runs five: ip, sh (sysctls), ethtool, nft,
 * dnsmasq.
 * Any failure undoes everything done so far (links by their exact undo
 * lines, rules by the plan's remove batch, dnsmasq by PID) and rethrows.
 * bridge mode with a name creates nothing (libvirt does not even check that
 * the bridge exists); the other modes create nothing and record the pool of
 * a `<pf>`.
 *
 * stop removes every trace: dnsmasq (TERM first, KILL if it lingers), the
 * links (bridge, addresses, routes), the network's rules — and the whole
 * `inet virtnet` table once no network of this process has rules — and the
 * pid file. dnsmasq's conf, hostsfile, addnhosts and lease file stay, as in
 * libvirt, until cleanup(). Deleting the bridge takes its addresses and
 * routes with it, so only the deletion runs (reaper.ts gathers the
 * deletions of concurrent stops into one kernel request), and concurrent
 * stops' nft removals share one transaction (firewall.ts).
 */
import { readFile } from 'node:fs/promises';
import type { NetworkDef } from '../../conf/network/types.js';
import type { Host } from '../../host/host.js';
import type { SysctlKey } from '../../host/sysctl.js';
import { splitLinkDeletions } from '../../host/link-delete.js';
import { LinuxHost } from '../../host/linux.js';
import type { CommandLogger } from '../../host/runner.js';
import {
  dnsmasqPaths,
  planNetwork,
  type DhcpChecksumMode,
  type DnsmasqRuntimePlan,
  type NetworkPlan,
  type NetworkPlanOptions,
  type VirtualNetworkPlan,
} from '../../plan/network-plan.js';
import { findSubnetCollision } from '../../plan/plan-collision.js';
import { mergeRemoveBatches } from '../../plan/firewall.js';
import type { NftCommand } from '../../plan/nft-json.js';
import { VirError, configUnsupported, internalError } from '../../util/errors.js';
import type { DhcpLease } from '../../contract/network-api.js';
import type { VirtnetPaths } from '../common/paths.js';
import type {
  AppliedNetwork,
  DryRunContext,
  LiveChange,
  NetworkHealthChange,
  NetworkRuntime,
  PlannedChanges,
  StartContext,
  UpdateContext,
} from './seam.js';
import { startChanges, updateChanges } from '../../plan/host-changes.js';
import { RUNTIME_ID, batchObjects, batchText, keptBatch, readApplied, type AppliedDnsmasq, type LinuxApplied } from './applied.js';
import { appliedDnsmasq, DnsmasqControl, dnsmasqFileList, removeFile, writeDnsmasqFiles, writeReloadableFiles } from './dnsmasq.js';
import { DnsmasqLogFollower, sizeOf, startupProblems, type DnsmasqLogLine } from './dnsmasq-log.js';
import { dnsmasqUserFor } from './dnsmasq-user.js';
import { FirewallControl, type MakeBatch } from './firewall.js';
import { readLeases } from './leases.js';
import { EthtoolOffload, type OffloadControl } from './offload.js';
import { ConntrackFlows, type FlowControl } from './conntrack.js';
import { staleUdpFlows } from '../../plan/forward-flows.js';
import { buildInterfacePool } from './pool.js';
import { finishBridge, type BridgeFinish } from './bridge.js';
import { LinkReaper } from './reaper.js';
import { SERVERS_FILE_NAME, UpstreamServers, resolvConfFor } from './upstream.js';

export interface LinuxRuntimeOptions {
  host: Host;
  paths: VirtnetPaths;
  /** How to turn a bridge's transmit checksum offload off; default ethtool through a LinuxHost's runner (another host must give it). */
  offload?: OffloadControl;
  /** How the UDP flows a port forward change leaves on a stale path are forgotten; default conntrack through a LinuxHost's runner (another host must give it). */
  flows?: FlowControl;
  /**
   * DHCP reply checksums: 'auto' (default) turns the bridge's transmit
   * checksum offload off when ethtool is installed and falls back to the
   * firewall's zeroing rule otherwise.
   */
  dhcpChecksum?: 'auto' | DhcpChecksumMode;
  /** The resolv.conf feeding dnsmasq's upstream servers; default the namespace's, as `ip netns exec` picks it. */
  resolvConf?: string;
  /** Poll resolv.conf and SIGHUP every dnsmasq when it changes; default false. */
  watchResolvConf?: boolean;
  /** Watch the nftables table for changes made outside virtnetd and put the rules back (default true; firewall.ts). */
  watchFirewall?: boolean;
  /** How long the nftables table and its watch outlive the last network with rules (ms; default firewall.ts's LINGER_MS). */
  firewallLingerMs?: number;
  dnsmasqProgram?: string;
  /** How long to wait for dnsmasq to start; default 10 s. */
  dnsmasqTimeoutMs?: number;
  /** Non-fatal problems (a static route that could not be added, a leftover that could not be removed). */
  onWarning?: (message: string) => void;
  /**
   * dnsmasq's own log, line by line (dnsmasq-log.ts): when given, every
   * dnsmasq writes one (log-facility=) and a start fails with the errors
   * dnsmasq logs about the files it was given.
   */
  onDnsmasqLog?: (network: string, line: DnsmasqLogLine) => void;
  /** The user dnsmasq runs as (user=); default: its own, or root when that one cannot read its files (dnsmasq-user.ts). */
  dnsmasqUser?: string;
  /** Where SR-IOV PFs are looked up; default /sys/class/net. */
  sysClassNet?: string;
}

/**
 * A running network's repair batch (its rules without the base), made again by the planner from its
 * live def when someone else changed the table, rather than kept for as long as it runs.
 */
function repairBatch(def: NetworkDef, options: NetworkPlanOptions): MakeBatch {
  return () => {
    const plan = planNetwork(def, options);
    return plan.kind === 'virtual' ? ((plan.firewallNetworkOnly ?? plan.firewall?.apply)?.nftables ?? []) : [];
  };
}

export class LinuxRuntime implements NetworkRuntime {
  readonly host: Host;
  readonly paths: VirtnetPaths;
  private readonly offload: OffloadControl;
  private readonly flows: FlowControl;
  private readonly firewall: FirewallControl;
  private readonly dnsmasq: DnsmasqControl;
  private readonly upstream: UpstreamServers;
  private readonly checksumSetting: 'auto' | DhcpChecksumMode;
  private readonly warn: (message: string) => void;
  /** dnsmasq of every network this runtime started or adopted, by network name (for resolv.conf changes). */
  private readonly running = new Map<string, AppliedDnsmasq>();
  /**
   * Virtual networks of this process that are up or on their way up, by name:
   * two overlapping networks started at the same time would each pass the
   * collision check against the other's not-yet-active def.
   */
  private readonly claimed = new Map<string, NetworkDef>();
  /** Deletes the bridges of concurrent stops together. */
  private readonly reaper: LinkReaper;
  /** Carries dnsmasq's logs into the caller's (options.onDnsmasqLog). */
  private readonly logs: DnsmasqLogFollower | undefined;
  /** The user dnsmasq runs as when its default one cannot read its files (dnsmasq-user.ts); looked up once. */
  private dnsmasqUser: { name: string | undefined } | undefined;

  constructor(private readonly options: LinuxRuntimeOptions) {
    this.host = options.host;
    this.paths = options.paths;
    const links = this.host.links;
    const watchClosing = links.watchClosing?.bind(links);
    this.reaper = new LinkReaper((names) => links.deleteLinks(names), watchClosing ? { watchClosing } : {});
    const runner = options.host instanceof LinuxHost ? options.host.runner : undefined;
    const needs = (what: string): never => {
      throw internalError(`a Linux runtime on a host without a command runner needs its ${what} control`);
    };
    this.offload = options.offload ?? (runner ? new EthtoolOffload(runner, options.host.netns) : needs('offload'));
    this.flows = options.flows ?? (runner ? new ConntrackFlows(runner, options.host.netns) : needs('flows'));
    this.firewall = new FirewallControl(options.host.nft, {
      watch: options.watchFirewall !== false,
      onWarning: (m) => this.warn(m),
      ...(options.firewallLingerMs !== undefined ? { lingerMs: options.firewallLingerMs } : {}),
    });
    this.dnsmasq = new DnsmasqControl(options.host.processes, options.dnsmasqTimeoutMs);
    this.upstream = new UpstreamServers(options.resolvConf ?? '/etc/resolv.conf', `${options.paths.dnsmasqDir}/${SERVERS_FILE_NAME}`);
    this.checksumSetting = options.dhcpChecksum ?? 'auto';
    this.warn = options.onWarning ?? (() => {});
    if (options.watchResolvConf) this.upstream.watch(() => void this.reloadAll());
    if (options.onDnsmasqLog) {
      this.logs = new DnsmasqLogFollower(options.onDnsmasqLog);
      this.logs.start();
    }
  }

  /** Stop watching resolv.conf, dnsmasq's logs, links and the firewall. Running networks are left as they are; a table no network uses any more is dropped. */
  async close(): Promise<void> {
    this.upstream.unwatch();
    this.logs?.stop();
    await this.reaper.close();
    await this.firewall.close();
  }

  // ---- planning -------------------------------------------------------------

  private async checksumMode(recorded?: DhcpChecksumMode): Promise<DhcpChecksumMode> {
    if (recorded !== undefined) return recorded;
    if (this.checksumSetting !== 'auto') return this.checksumSetting;
    return (await this.offload.available()) ? 'bridge-tx-off' : 'nft-zero';
  }

  private planOptions(checksum: DhcpChecksumMode): NetworkPlanOptions {
    const o: NetworkPlanOptions = {
      dnsmasqDir: this.paths.dnsmasqDir,
      pidDir: this.paths.networkStatusDir,
      serversFile: this.upstream.serversFile,
      dhcpChecksum: checksum,
    };
    if (this.options.dnsmasqProgram !== undefined) o.dnsmasqProgram = this.options.dnsmasqProgram;
    if (this.logs !== undefined) o.dnsmasqLog = true;
    this.dnsmasqUser ??= { name: this.options.dnsmasqUser ?? dnsmasqUserFor(this.paths.dnsmasqDir) };
    if (this.dnsmasqUser.name !== undefined) o.dnsmasqUser = this.dnsmasqUser.name;
    return o;
  }

  /** The plan of a network (for --dry-run and tests): what start would do. */
  async plan(def: NetworkDef): Promise<NetworkPlan> {
    return planNetwork(def, this.planOptions(await this.checksumMode()));
  }

  /**
   * A dry run: the changes start (or a live update to `def`) would make,
   * with the subnet check a start makes, the sysctls' values now and nft's
   * verdict on the batch (`nft -c`). Writes nothing.
   */
  async dryRun(def: NetworkDef, context: DryRunContext): Promise<PlannedChanges> {
    if (def.ovn !== undefined) throw configUnsupported(`network '${def.name}' lives in OVN, which this runtime does not drive`);
    let planned: PlannedChanges;
    // The sysctls' keys as the plan has them (a device name may hold a dot).
    let keys: SysctlKey[] = [];
    if (context.before !== undefined) {
      const applied = readApplied(context.before.applied);
      const options = this.planOptions(await this.checksumMode(applied.checksum));
      const before = applied.kind === 'virtual' ? planNetwork(context.before.def, options) : undefined;
      const pid = applied.dnsmasq ? await this.dnsmasq.livePid(applied.dnsmasq) : undefined;
      planned = before
        ? updateChanges(before, planNetwork(def, options), pid)
        : startChanges({ kind: 'external', mode: def.forward.mode, pf: undefined });
    } else {
      const plan = planNetwork(def, this.planOptions(await this.checksumMode()));
      if (plan.kind === 'virtual') {
        const routes = await this.host.facts.mainRoutes4({ pids: this.dnsmasqPids() });
        const claimedByOthers = [...this.claimed].filter(([name]) => name !== def.name).map(([, d]) => d);
        const collision = findSubnetCollision(def, [...context.otherActive, ...claimedByOthers], routes);
        if (collision) throw collision;
        keys = [...plan.bridgeSysctls, ...plan.forwarding].map((e) => e.key);
      }
      planned = startChanges(plan);
    }
    const now = await this.host.sysctl.readMany(keys);
    planned.sysctls = planned.sysctls.map((s, i) => (now[i] === undefined ? s : { ...s, now: now[i] }));
    if (planned.nftables.length > 0 && this.host.nft.check) {
      planned.nftCheck = await this.host.nft.check(planned.nftables.map((c) => JSON.parse(c) as Record<string, unknown>));
    }
    return planned;
  }

  // ---- start ----------------------------------------------------------------

  async start(def: NetworkDef, context: StartContext): Promise<AppliedNetwork> {
    if (def.ovn !== undefined) throw configUnsupported(`network '${def.name}' lives in OVN, which this runtime does not drive`);
    const checksum = await this.checksumMode();
    const options = this.planOptions(checksum);
    const plan = planNetwork(def, options);
    const applied: LinuxApplied = { runtime: RUNTIME_ID, version: 1, name: def.name, kind: plan.kind, linkUndo: [], firewallRemove: [] };
    if (plan.kind === 'host-bridge') {
      // libvirt starts such a network and fails only when a guest plugs in; here the start says so.
      const link = await this.host.facts.link(plan.bridge);
      if (link === undefined || (link.kind !== 'bridge' && link.kind !== 'openvswitch'))
        throw hostBridgeError(def.name, plan.bridge, link !== undefined);
      applied.bridge = plan.bridge;
      if (plan.vlanFiltering) this.warn(`macTableManager='libvirt' is not applied to the existing bridge ${plan.bridge}`);
      return applied;
    }
    if (plan.kind === 'external') {
      if (plan.pf !== undefined) applied.interfacePool = await buildInterfacePool(plan.pf, plan.mode, this.options.sysClassNet);
      return applied;
    }
    applied.bridge = plan.bridge;
    applied.checksum = checksum;

    // Any of our dnsmasqs lives in the namespace: its /proc/PID/net/route is the table, read without a process.
    const routes = await this.host.facts.mainRoutes4({ pids: this.dnsmasqPids() });
    // Check and claim with no await in between.
    const claimedByOthers = [...this.claimed].filter(([name]) => name !== def.name).map(([, d]) => d);
    const collision = findSubnetCollision(def, [...context.otherActive, ...claimedByOthers], routes);
    if (collision) throw collision;
    this.claimed.set(def.name, def);

    try {
      context.journal?.(this.startIntent(def, plan, applied));
      await this.startVirtual(plan, applied, repairBatch(def, options));
    } catch (e) {
      await this.teardown(applied);
      throw e;
    }
    // A UDP client that sent while the network was down is tracked without its forward: its next datagram takes the forward.
    await this.forgetForwardFlows(def);
    return applied;
  }

  async forgetForwardFlows(def: NetworkDef): Promise<void> {
    const warning = await this.flows.forgetUdp(staleUdpFlows([], def.portForwards?.forwards ?? []));
    if (warning !== undefined) this.warn(warning);
  }

  /**
   * The journal record of a start, before its first step: everything the
   * steps may leave (the bridge, which takes its addresses and routes with
   * it; the network's rules; dnsmasq by its pid file), for stop() to undo
   * after a crash. Sysctls are not undone, as after a normal stop.
   */
  private startIntent(def: NetworkDef, plan: VirtualNetworkPlan, applied: LinuxApplied): LinuxApplied {
    const intent: LinuxApplied = {
      ...applied,
      linkUndo: [{ netns: this.host.netns, args: ['link', 'del', 'dev', plan.bridge] }],
      firewallRemove: plan.firewall?.remove.nftables ?? [],
      intent: def.mac !== undefined ? { bridgeMac: def.mac.toLowerCase() } : {},
    };
    if (plan.dnsmasq) intent.dnsmasq = appliedDnsmasq(plan.dnsmasq, 0);
    return intent;
  }

  private async startVirtual(plan: VirtualNetworkPlan, applied: LinuxApplied, again: MakeBatch): Promise<void> {
    const together = plan.createWithAddresses;
    const dns = plan.dnsmasq;
    const fw = plan.firewall;
    // dnsmasq's files do not need the bridge: written while it is created.
    const prepared = dns ? Promise.all([this.dnsmasq.prepare(dns), this.upstream.ensure()]) : undefined;
    prepared?.catch(() => {});
    try {
      const ops = together ? [...plan.createBridge, ...plan.addresses.filter((op) => op.op !== 'setUp')] : plan.createBridge;
      applied.linkUndo = (await this.host.links.apply(ops)).undo;
    } finally {
      await prepared?.catch(() => {});
    }
    await prepared;

    const startDnsmasq = async (d: DnsmasqRuntimePlan): Promise<void> => {
      const logFrom = this.logs !== undefined ? await sizeOf(d.paths.logFile) : 0;
      applied.dnsmasq = await this.dnsmasq.startPrepared(d);
      this.running.set(applied.name, applied.dnsmasq);
      if (this.logs === undefined) return;
      await this.logs.follow(applied.name, d.paths.logFile, logFrom);
      // What dnsmasq could not read of what it was given fails the start, with dnsmasq's words.
      const problems = await startupProblems(d.paths.logFile, logFrom, filesDnsmasqReads(d));
      if (problems.length > 0) throw internalError(`dnsmasq of network '${applied.name}': ${problems.join('; ')}`);
    };
    const addRoutes = async (): Promise<void> => {
      for (const route of plan.routes) {
        try {
          const r = await this.host.links.apply([route]);
          applied.linkUndo = [...r.undo, ...applied.linkUndo];
        } catch (e) {
          this.warn((e as Error).message);
        }
      }
    };
    const finish: BridgeFinish = { sysctls: [...plan.bridgeSysctls, ...plan.forwarding] };
    if (plan.txChecksumOff) finish.txOff = plan.bridge;
    if (together) finish.up = plan.bridge;
    // dnsmasq with bind-interfaces binds to the addresses, which the bridge
    // has from its batch (down or up does not matter to it); with IPv6 it
    // is bind-dynamic and follows the addresses as they come.
    const dnsmasqNow = dns !== undefined && (together || !dns.startAfterAddresses);
    // Everything that only needs the bridge to exist, at the same time;
    // dnsmasq first, as it takes longest (starting a process holds this
    // thread for a moment). Static routes need the link up.
    await settleAll([
      dnsmasqNow ? startDnsmasq(dns) : undefined,
      finishBridge(this.host, this.offload, finish).then(async (undo) => {
        applied.linkUndo = [...undo, ...applied.linkUndo];
        if (together) await addRoutes();
      }),
      fw
        ? this.firewall.apply(plan.bridge, fw.apply.nftables, plan.firewallNetworkOnly?.nftables, applied.name, again).then(() => {
            applied.firewallRemove = keptBatch(fw.remove.nftables);
          })
        : undefined,
    ]);
    if (together) return;

    const up = await this.host.links.apply(plan.addresses);
    applied.linkUndo = [...up.undo, ...applied.linkUndo];
    await settleAll([addRoutes(), dns && !dnsmasqNow ? startDnsmasq(dns) : undefined]);
  }

  // ---- stop -----------------------------------------------------------------

  async stop(_def: NetworkDef, appliedNetwork: AppliedNetwork): Promise<void> {
    const applied = readApplied(appliedNetwork);
    await this.teardown(applied);
  }

  /** Undo a (possibly partial) record: best effort, every step tried, problems reported as warnings. */
  private async teardown(applied: LinuxApplied): Promise<void> {
    const warn = (e: unknown): void => this.warn((e as Error).message);
    if (applied.intent !== undefined) applied = await this.ownPart(applied);
    const ticket = this.reaper.announce();
    try {
      const d = applied.dnsmasq;
      const reportFailures = (failures: readonly { line: { args: readonly string[] }; reason: string }[]): void => {
        for (const f of failures) this.warn(`could not undo '${f.line.args.join(' ')}': ${f.reason}`);
      };
      // Parsed once from the record's text.
      const removeCommands = batchObjects(applied.firewallRemove);
      // The bridge's deletion takes its addresses and routes with it: only the deletion runs.
      const { deletes, rest } = splitLinkDeletions(applied.linkUndo, this.host.netns);
      // The rules go once the bridge no longer forwards: before, a guest's traffic would pass unfiltered and un-NATed.
      const bridge = applied.bridge;
      const bridgeClosed = bridge !== undefined && deletes.includes(bridge) ? ticket.closed(bridge) : Promise.resolve();
      const links = async (): Promise<void> => {
        if (rest.length > 0) reportFailures((await this.host.links.revert(rest)).failures);
        if (deletes.length > 0) reportFailures(await ticket.delete(deletes));
        else ticket.withdraw();
      };
      const rules = async (): Promise<void> => {
        if (bridge === undefined || removeCommands.length === 0) return;
        await bridgeClosed;
        await this.firewall.remove(bridge, removeCommands);
      };
      const dnsmasq = async (): Promise<void> => {
        if (!d) return;
        await this.dnsmasq.stop(d).catch(warn);
        this.running.delete(applied.name);
        await this.logs?.unfollow(applied.name).catch(warn);
      };
      await Promise.all([links().catch(warn), rules().catch(warn), dnsmasq()]);
      this.claimed.delete(applied.name);
    } finally {
      ticket.withdraw();
    }
  }

  /**
   * A start's journal record without the bridge when a link of that name
   * is there but is not the one the start makes (another MAC): the start
   * would have failed on it, so it is someone else's.
   */
  private async ownPart(intent: LinuxApplied): Promise<LinuxApplied> {
    const mac = intent.intent?.bridgeMac;
    if (intent.bridge === undefined || mac === undefined) return intent;
    const link = await this.host.facts.link(intent.bridge);
    if (link === undefined || link.mac === mac) return intent;
    this.warn(`network '${intent.name}': ${intent.bridge} is not the bridge its interrupted start made (MAC ${link.mac}); left as it is`);
    return { ...intent, linkUndo: [], firewallRemove: [] };
  }

  // ---- adopt ----------------------------------------------------------------

  async adopt(def: NetworkDef, appliedNetwork: AppliedNetwork): Promise<AppliedNetwork | null> {
    const applied = readApplied(appliedNetwork);
    if (applied.kind === 'external') return applied;
    const bridge = applied.bridge ?? def.bridge.name;
    if (bridge === undefined || !(await this.host.linkExists(bridge))) {
      if (applied.kind === 'virtual') await this.teardown(applied);
      return null;
    }
    if (applied.kind === 'host-bridge') return applied;

    const checksum = await this.checksumMode(applied.checksum);
    const options = this.planOptions(checksum);
    const plan = planNetwork(def, options);
    if (plan.kind !== 'virtual') return applied;
    const next: LinuxApplied = { ...applied, checksum };
    this.claimed.set(def.name, def);
    if (plan.firewall) {
      const sameRules = JSON.stringify(plan.firewall.remove.nftables) === batchText(applied.firewallRemove);
      if (sameRules)
        await this.firewall.apply(bridge, plan.firewall.apply.nftables, plan.firewallNetworkOnly?.nftables, def.name, repairBatch(def, options));
      else
        await this.firewall.replace(
          bridge,
          batchObjects(applied.firewallRemove),
          plan.firewall.apply.nftables,
          plan.firewallNetworkOnly?.nftables,
          def.name,
        );
      next.firewallRemove = keptBatch(plan.firewall.remove.nftables);
    }
    if (plan.txChecksumOff) await this.offload.txChecksumOff(bridge).catch((e: unknown) => this.warn((e as Error).message));

    const dns = plan.dnsmasq;
    if (dns) {
      let pid = applied.dnsmasq ? await this.dnsmasq.livePid(applied.dnsmasq) : undefined;
      // A dnsmasq reads its conf only when it starts, and the conf on disk is the one it runs with
      // (a conf is replaced only while no dnsmasq runs on it): one that runs another conf
      // (an update a crash interrupted, a conf virtnet now writes differently) is started again.
      if (pid !== undefined && applied.dnsmasq && !(await this.runsConf(applied.dnsmasq, dns))) {
        await this.dnsmasq.stop(applied.dnsmasq);
        pid = undefined;
      }
      await Promise.all([writeDnsmasqFiles(dns), this.upstream.ensure()]);
      if (pid !== undefined && applied.dnsmasq) {
        next.dnsmasq = { ...applied.dnsmasq, pid };
        await this.dnsmasq.reload(next.dnsmasq);
      } else {
        next.dnsmasq = await this.dnsmasq.start(dns);
      }
      this.running.set(def.name, next.dnsmasq);
      await this.logs?.follow(def.name, dns.paths.logFile);
    } else if (applied.dnsmasq) {
      await this.dnsmasq.stop(applied.dnsmasq);
      delete next.dnsmasq;
    }
    return next;
  }

  /** Whether the dnsmasq of `record` runs the conf `plan` would write (same file, same text). */
  private async runsConf(record: AppliedDnsmasq, plan: DnsmasqRuntimePlan): Promise<boolean> {
    if (record.conf !== plan.paths.conf) return false;
    try {
      return (await readFile(record.conf, 'utf8')) === plan.files.conf;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw e;
    }
  }

  // ---- live update ----------------------------------------------------------

  async updateLive(
    before: NetworkDef,
    after: NetworkDef,
    section: LiveChange,
    appliedNetwork: AppliedNetwork,
    context: UpdateContext = {},
  ): Promise<AppliedNetwork> {
    const applied = readApplied(appliedNetwork);
    if (applied.kind !== 'virtual') return applied;
    const options = this.planOptions(await this.checksumMode(applied.checksum));
    const oldPlan = planNetwork(before, options);
    const newPlan = planNetwork(after, options);
    if (oldPlan.kind !== 'virtual' || newPlan.kind !== 'virtual') return applied;
    const next: LinuxApplied = { ...applied };

    // What dnsmasq needs, decided first: a conf dnsmasq refuses must leave everything as it was.
    const dns = newPlan.dnsmasq;
    const current = applied.dnsmasq;
    const sameConf = current !== undefined && dns !== undefined && oldPlan.dnsmasq !== undefined && oldPlan.dnsmasq.files.conf === dns.files.conf;
    const reloadOnly = sameConf && (section === 'ip-dhcp-host' || section === 'dns-host');
    const unchanged = sameConf && !reloadOnly && sameFiles(oldPlan.dnsmasq, dns!);
    if (dns && !reloadOnly && !unchanged) await this.dnsmasq.check(dns, after.name);

    // The journal: the old record, its rules' removal merged with the new ones', so a crash at any step below can be undone.
    context.journal?.({
      ...applied,
      firewallRemove: mergeRemoveBatches(batchObjects(applied.firewallRemove), newPlan.firewall?.remove.nftables ?? []),
    });

    let firewallBefore: { apply: NftCommand[]; networkOnly: NftCommand[] } | undefined;
    if (newPlan.firewall) {
      const changed =
        JSON.stringify(newPlan.firewall.remove.nftables) !== batchText(applied.firewallRemove) ||
        JSON.stringify(newPlan.firewall.apply) !== JSON.stringify(oldPlan.firewall?.apply);
      if (changed) {
        await this.firewall.replace(
          newPlan.bridge,
          batchObjects(applied.firewallRemove),
          newPlan.firewall.apply.nftables,
          newPlan.firewallNetworkOnly?.nftables,
          after.name,
        );
        next.firewallRemove = keptBatch(newPlan.firewall.remove.nftables);
        if (oldPlan.firewall)
          firewallBefore = {
            apply: oldPlan.firewall.apply.nftables,
            networkOnly: oldPlan.firewallNetworkOnly?.nftables ?? oldPlan.firewall.apply.nftables,
          };
      }
    }
    // The new rules hold: tracked UDP flows of the forwards that changed take them at their next packet (best effort).
    const stale = staleUdpFlows(before.portForwards?.forwards ?? [], after.portForwards?.forwards ?? []);
    const flowsWarning = await this.flows.forgetUdp(stale);
    if (flowsWarning !== undefined) this.warn(flowsWarning);

    if (!dns) {
      if (current) {
        await this.dnsmasq.stop(current);
        this.running.delete(applied.name);
        await this.logs?.unfollow(applied.name);
        delete next.dnsmasq;
      }
      return next;
    }
    if (reloadOnly) {
      await writeReloadableFiles(dns);
      if (await this.dnsmasq.reload(current!)) return next;
      // Not running: it is started below, with a conf dnsmasq accepts.
      await this.dnsmasq.check(dns, after.name);
    }
    if (unchanged) return next;
    // Anything else in the conf: restart, as libvirt does; if the new one does not come up, the old one comes back.
    if (current) await this.dnsmasq.stop(current);
    try {
      await Promise.all([writeDnsmasqFiles(dns), this.upstream.ensure()]);
      next.dnsmasq = await this.dnsmasq.start(dns);
    } catch (e) {
      await this.restoreAfterFailedUpdate(applied, oldPlan, newPlan, firewallBefore);
      throw e;
    }
    this.running.set(applied.name, next.dnsmasq);
    return next;
  }

  /**
   * A live update whose new dnsmasq did not start: the old files and
   * process, and the old rules if they were replaced, come back. What
   * cannot be restored is logged; the caller reports the update's error.
   */
  private async restoreAfterFailedUpdate(
    applied: LinuxApplied,
    oldPlan: VirtualNetworkPlan,
    newPlan: VirtualNetworkPlan,
    firewallBefore: { apply: NftCommand[]; networkOnly: NftCommand[] } | undefined,
  ): Promise<void> {
    if (firewallBefore !== undefined && newPlan.firewall) {
      await this.firewall
        .replace(newPlan.bridge, newPlan.firewall.remove.nftables, firewallBefore.apply, firewallBefore.networkOnly, applied.name)
        .catch((e: unknown) => this.warn(`network '${applied.name}': could not restore its firewall rules: ${(e as Error).message}`));
    }
    const old = oldPlan.dnsmasq;
    if (!old || !applied.dnsmasq) return;
    try {
      await writeDnsmasqFiles(old);
      const restored = await this.dnsmasq.start(old);
      this.running.set(applied.name, restored);
    } catch (e) {
      this.running.delete(applied.name);
      this.warn(`network '${applied.name}': could not restart its previous dnsmasq: ${(e as Error).message}`);
    }
  }

  // ---- leases, cleanup, facts -------------------------------------------------

  async leases(def: NetworkDef, appliedNetwork: AppliedNetwork): Promise<DhcpLease[]> {
    const applied = readApplied(appliedNetwork);
    if (applied.kind !== 'virtual' || applied.bridge === undefined) return [];
    const leaseFile = applied.dnsmasq?.leaseFile ?? dnsmasqPaths(def.name, this.planOptions('none')).leaseFile;
    return readLeases(leaseFile, def, applied.bridge);
  }

  async cleanup(def: NetworkDef): Promise<void> {
    const paths = dnsmasqPaths(def.name, this.planOptions('none'));
    await Promise.all(dnsmasqFileList(paths).map((p) => removeFile(p).catch((e: unknown) => this.warn((e as Error).message))));
  }

  watchHealth(listener: (change: NetworkHealthChange) => void): () => void {
    return this.firewall.onHealth((h) => listener({ network: h.owner, state: h.state, reason: h.reason }));
  }

  /** Check the nftables table against what the running networks need, and repair it (tests; the watch does it by itself). */
  checkFirewall(): Promise<void> {
    return this.firewall.check();
  }

  linkExists(name: string): Promise<boolean> {
    return this.host.facts.linkExists(name, { pids: this.dnsmasqPids() });
  }

  /**
   * Commands a killed predecessor started (an ip batch, nft, a dnsmasq on
   * its way up) keep running after it: wait up to 10 s for them, so that
   * what they make is there when start-up undoes a journalled start.
   */
  async settlePrevious(): Promise<void> {
    if (!(this.host instanceof LinuxHost)) return;
    const left = await this.host.settlePreviousJobs(SETTLE_MS);
    if (left.length > 0) this.warn(`commands of a previous process still run after ${SETTLE_MS / 1000} s (pids ${left.join(', ')})`);
  }

  /** Pids of our dnsmasqs, newest first: processes that live in the namespace, to read its facts through procfs. */
  private dnsmasqPids(): number[] {
    return [...this.running.values()].map((d) => d.pid).reverse();
  }

  /** SIGHUP every dnsmasq of this runtime (after the upstream servers changed). */
  async reloadAll(): Promise<void> {
    await Promise.all([...this.running.values()].map((d) => this.dnsmasq.reload(d).catch(() => false)));
  }

  /** Rewrite the upstream servers file from resolv.conf now; SIGHUP every dnsmasq if it changed. */
  async refreshUpstreamServers(): Promise<boolean> {
    const changed = await this.upstream.refresh();
    if (changed) await this.reloadAll();
    return changed;
  }
}

function sameFiles(a: DnsmasqRuntimePlan | undefined, b: DnsmasqRuntimePlan): boolean {
  return a !== undefined && a.files.hostsfile === b.files.hostsfile && a.files.addnhosts === b.files.addnhosts;
}

/** Run steps concurrently; wait for all of them, then throw the first failure (so a rollback sees every effect). */
async function settleAll(steps: readonly (Promise<unknown> | undefined)[]): Promise<void> {
  const results = await Promise.allSettled(steps.filter((s): s is Promise<unknown> => s !== undefined));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason instanceof Error ? failed.reason : new VirError('INTERNAL_ERROR', String(failed.reason));
}

/** How long start-up waits for a killed predecessor's commands. */
const SETTLE_MS = 10_000;

export interface CreateLinuxRuntimeOptions extends Omit<LinuxRuntimeOptions, 'host'> {
  /** The network namespace (name under /run/netns) to realise networks in; null or absent for this process's own. */
  netns?: string | null;
  /** Every command the host runs, for logs. */
  logger?: CommandLogger;
  /** virtnet-zygote.so for dnsmasq (src/host/zygote.ts); null for none; found in dist/ by default. */
  zygoteLibrary?: string | null;
}

/** The runtime the driver and the daemon use: a LinuxHost bound to `netns`, virtnet's paths, ethtool for offloads. */
export async function createLinuxRuntime(options: CreateLinuxRuntimeOptions): Promise<LinuxRuntime> {
  const hostOptions: ConstructorParameters<typeof LinuxHost>[0] = { netns: options.netns ?? null };
  if (options.logger) hostOptions.logger = options.logger;
  if (options.onWarning) hostOptions.onWarning = options.onWarning;
  if (options.zygoteLibrary !== undefined) hostOptions.zygoteLibrary = options.zygoteLibrary;
  // The command helpers' directories are this driver's own, so a restart can wait for a killed one's commands.
  hostOptions.jobDir = options.paths.jobDir;
  const host = await LinuxHost.open(hostOptions);
  const resolvConf = options.resolvConf ?? (await resolvConfFor(host.netns));
  return new LinuxRuntime({ ...options, host, resolvConf });
}

/** The files virtnet writes that dnsmasq reads after it started (and logs about): its hostsfile and addnhosts, when its conf names them. */
function filesDnsmasqReads(d: DnsmasqRuntimePlan): string[] {
  const conf = d.files.conf;
  return [conf.includes('\ndhcp-hostsfile=') ? d.paths.hostsfile : undefined, conf.includes('\naddn-hosts=') ? d.paths.addnhosts : undefined].filter(
    (f): f is string => f !== undefined,
  );
}

/** A bridge-mode network whose bridge is not there (or is not a bridge): what to do about it. */
function hostBridgeError(network: string, bridge: string, exists: boolean): VirError {
  const what = exists ? `'${bridge}' is not a bridge` : `the bridge '${bridge}' does not exist`;
  return new VirError(
    'OPERATION_INVALID',
    `network '${network}' connects guests to the host's bridge '${bridge}', but ${what}: create it first (e.g. 'ip link add ${bridge} type bridge', with the host's LAN interface in it) or name an existing bridge`,
  );
}
