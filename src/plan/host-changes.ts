/**
 * A network's plan (network-plan.ts) told as the changes it makes on the
 * host, for dry runs: the link commands in the order the Linux runtime
 * runs them, the sysctls, the nftables batch, dnsmasq's files and command
 * line. Pure; the runtime adds what only the host knows (the sysctls' values
 * now, nft's verdict on the batch).
 */
import type { FileChange, HostChanges } from '../contract/host-changes.js';
import { batchLine, stepsForAll, type LinkOp } from '../host/link-ops.js';
import type { SysctlEntry } from '../host/sysctl.js';
import type { DnsmasqRuntimePlan, NetworkPlan, VirtualNetworkPlan } from './network-plan.js';

type Planned = Omit<HostChanges, 'network' | 'action'>;

const linkLines = (ops: readonly LinkOp[]): string[] => stepsForAll(ops, null).map((s) => `ip ${batchLine(s.args)}`);

const sysctlKey = (e: SysctlEntry): string => (typeof e.key === 'string' ? e.key : e.key.join('.'));

function dnsmasqFiles(d: DnsmasqRuntimePlan): FileChange[] {
  return [
    { path: d.paths.conf, content: d.files.conf },
    { path: d.paths.hostsfile, content: d.files.hostsfile },
    { path: d.paths.addnhosts, content: d.files.addnhosts },
  ];
}

const nftLines = (batch: readonly object[] | undefined): string[] => (batch ?? []).map((c) => JSON.stringify(c));

/** What starting a network of this plan does, in the runtime's order (src/driver/runtime/linux.ts, startVirtual). */
export function startChanges(plan: NetworkPlan): Planned {
  const none: Planned = { links: [], sysctls: [], nftables: [], files: [], processes: [] };
  if (plan.kind !== 'virtual') return none;
  const together = plan.createWithAddresses;
  const links = linkLines(together ? [...plan.createBridge, ...plan.addresses.filter((op) => op.op !== 'setUp')] : plan.createBridge);
  if (plan.txChecksumOff) links.push(`ethtool -K ${plan.bridge} tx off`);
  links.push(...linkLines(together ? plan.addresses.filter((op) => op.op === 'setUp') : plan.addresses), ...linkLines(plan.routes));
  return {
    links,
    sysctls: [...plan.bridgeSysctls, ...plan.forwarding].map((e) => ({ key: sysctlKey(e), value: e.value })),
    nftables: nftLines(plan.firewall?.apply.nftables),
    files: plan.dnsmasq ? dnsmasqFiles(plan.dnsmasq) : [],
    processes: plan.dnsmasq ? [plan.dnsmasq.argv.join(' ')] : [],
  };
}

/**
 * What a live update from `before` to `after` does (the runtime's
 * updateLive): the dnsmasq files whose text changes, dnsmasq signalled
 * (hosts only) or started again (its conf), and the network's rules again
 * when they change. `dnsmasqPid` names the running dnsmasq.
 */
export function updateChanges(before: NetworkPlan, after: NetworkPlan, dnsmasqPid: number | undefined): Planned {
  const none: Planned = { links: [], sysctls: [], nftables: [], files: [], processes: [] };
  if (before.kind !== 'virtual' || after.kind !== 'virtual') return none;
  const out = none;
  const oldFiles = new Map((before.dnsmasq ? dnsmasqFiles(before.dnsmasq) : []).map((f) => [f.path, f.content]));
  const d = after.dnsmasq;
  if (d) {
    out.files = dnsmasqFiles(d).filter((f) => oldFiles.get(f.path) !== f.content);
    const pid = dnsmasqPid === undefined ? 'dnsmasq' : `dnsmasq (pid ${dnsmasqPid})`;
    if (before.dnsmasq === undefined) out.processes.push(d.argv.join(' '));
    else if (before.dnsmasq.files.conf !== d.files.conf) out.processes.push(`${pid}: stopped`, d.argv.join(' '));
    else if (out.files.length > 0) out.processes.push(`${pid}: SIGHUP`);
  } else if (before.dnsmasq) {
    out.processes.push(`${dnsmasqPid === undefined ? 'dnsmasq' : `dnsmasq (pid ${dnsmasqPid})`}: stopped`);
  }
  if (rulesChange(before, after)) out.nftables = nftLines(after.firewall?.apply.nftables);
  return out;
}

const rulesChange = (before: VirtualNetworkPlan, after: VirtualNetworkPlan): boolean =>
  JSON.stringify(before.firewall?.apply) !== JSON.stringify(after.firewall?.apply);
