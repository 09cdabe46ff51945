/**
 * virtnetd's doctor: reads what the host checks need (./host-checks.ts) in
 * the daemon's network namespace, once per run: the running networks and
 * their bridges, sysctls, the iptables rulesets of both backends and
 * families, foreign nftables tables, links, routes, the sockets on ports 53
 * and 67, kernel features; and applies or undoes the fixes (./fixes.ts).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DoctorFixResult, DoctorReport, DoctorUndoResult } from '../contract/doctor-api.js';
import type { NetworkDef } from '../conf/network/types.js';
import { hasLinuxBridge } from '../conf/network/types.js';
import type { VirtnetPaths } from '../driver/common/paths.js';
import type { LinuxHost } from '../host/linux.js';
import { inNetnsArgv } from '../host/netns.js';
import { dnsmasqPaths } from '../plan/network-plan.js';
import { VirError } from '../util/errors.js';
import type { AddressFamily } from '../util/ip.js';
import { describeFix, FixRecord, type FixHost, fixSaid, planFixes } from './fixes.js';
import { type CheckedNetwork, type HostView, hostChecks, type IptablesRuleset, type Listener } from './host-checks.js';
import { parseFilterTable } from './iptables-rules.js';
import { foreignDrops } from './nft-foreign.js';

interface HostDoctorOptions {
  host: LinuxHost;
  paths: VirtnetPaths;
  /** The running networks' live definitions. */
  activeNetworks: () => NetworkDef[];
  /** Throws libvirt's NO_NETWORK for a name that is not there. */
  lookup: (name: string) => Promise<{ active: boolean }>;
}

const IPTABLES_TOOLS: readonly { tool: string; save: string; family: AddressFamily }[] = [
  { tool: 'iptables-nft', save: 'iptables-nft-save', family: 'ipv4' },
  { tool: 'iptables-legacy', save: 'iptables-legacy-save', family: 'ipv4' },
  { tool: 'ip6tables-nft', save: 'ip6tables-nft-save', family: 'ipv6' },
  { tool: 'ip6tables-legacy', save: 'ip6tables-legacy-save', family: 'ipv6' },
];

/** nft batches that load what a network's firewall needs: `nft -c` asks the kernel without changing anything. */
const NFT_PROBES: Record<string, string> = {
  nat: 'table inet vntprobe {\n  chain p {\n    type nat hook postrouting priority 100;\n  }\n}\n',
  masquerade: 'table inet vntprobe {\n  chain p {\n    type nat hook postrouting priority 100;\n    masquerade\n  }\n}\n',
  fib: 'table inet vntprobe {\n  chain p {\n    type filter hook prerouting priority 0;\n    fib daddr type local accept\n  }\n}\n',
};

export class HostDoctor {
  private readonly fixes: FixRecord;

  constructor(private readonly options: HostDoctorOptions) {
    this.fixes = new FixRecord(join(options.paths.runDir, 'doctor-fixes.json'));
  }

  private run(argv: readonly string[]): Promise<{ exitCode: number | null; stdout: string; stderr: string }> {
    return this.options.host.runner.run({ argv: inNetnsArgv(this.options.host.netns, argv) });
  }

  private fixHost(): FixHost {
    const { sysctl } = this.options.host;
    return {
      run: (argv) => this.run(argv),
      readSysctl: (key) => sysctl.read(key.split('/')),
      writeSysctl: (key, value) => sysctl.write(key.split('/'), value),
    };
  }

  private async networks(only?: string): Promise<NetworkDef[]> {
    if (only !== undefined) {
      const info = await this.options.lookup(only);
      if (!info.active) throw new VirError('OPERATION_INVALID', 'network is not active');
    }
    return this.options.activeNetworks().filter((d) => hasLinuxBridge(d) && d.bridge.name !== undefined && (only === undefined || d.name === only));
  }

  private async view(only?: string): Promise<HostView> {
    const { host, paths } = this.options;
    const defs = await this.networks(only);
    const routes = await host.facts.routes();
    const defaultDev =
      routes.find((r) => r.family === 'ipv4' && r.prefix === 0 && r.dev !== undefined)?.dev ??
      routes.find((r) => r.prefix === 0 && r.dev !== undefined)?.dev;
    const dnsmasqPids = new Map<string, number>();
    const networks: CheckedNetwork[] = await Promise.all(
      defs.map(async (def) => {
        const pidFile = dnsmasqPaths(def.name, { dnsmasqDir: paths.dnsmasqDir, pidDir: paths.networkStatusDir }).pidFile;
        const pid = await host.processes.readPidFile(pidFile);
        if (pid !== undefined) dnsmasqPids.set(def.name, pid);
        const first = def.forward.interfaces[0];
        const uplink = first?.type === 'netdev' ? first.dev : defaultDev;
        return {
          def,
          bridge: def.bridge.name ?? '',
          ...(uplink !== undefined ? { uplink } : {}),
          dnsmasqRunning: pid !== undefined && (await host.processes.isRunning(pid, 'dnsmasq')),
        };
      }),
    );
    const keys = new Set([
      'net/ipv4/ip_forward',
      'net/ipv6/conf/all/forwarding',
      'net/bridge/bridge-nf-call-iptables',
      'net/bridge/bridge-nf-call-ip6tables',
      'net/ipv4/conf/all/rp_filter',
    ]);
    for (const n of networks) {
      if (n.uplink === undefined) continue;
      keys.add(`net/ipv4/conf/${n.uplink}/rp_filter`);
      keys.add(`net/ipv6/conf/${n.uplink}/accept_ra`);
    }
    const keyList = [...keys];
    const values = await host.sysctl.readMany(keyList.map((k) => k.split('/')));
    const sysctls = new Map(keyList.map((k, i) => [k, values[i]]));
    const [iptables, ruleset, links, listeners, features] = await Promise.all([
      this.iptables(),
      host.nft.listRuleset(),
      host.facts.links(),
      this.listeners(),
      this.features(),
    ]);
    return {
      networks,
      sysctl: (key) => sysctls.get(key),
      iptables,
      foreignNft: foreignDrops(ruleset),
      links,
      routes,
      listeners,
      features,
      dnsmasqPids,
    };
  }

  /** Each backend's filter table that exists (legacy ones only when something loaded them). */
  private async iptables(): Promise<IptablesRuleset[]> {
    const found = await Promise.all(
      IPTABLES_TOOLS.map(async ({ tool, save, family }) => {
        // A backend whose tool is not installed has no rules (exit 127 through nsenter, ENOENT without).
        const r = await this.run([save, '-t', 'filter']).catch((e: NodeJS.ErrnoException) => {
          if (e.code === 'ENOENT') return undefined;
          throw e;
        });
        if (r?.exitCode !== 0 || !r.stdout.includes('*filter')) return undefined;
        return { tool, family, table: parseFilterTable(r.stdout) };
      }),
    );
    return found.filter((r): r is IptablesRuleset => r !== undefined);
  }

  private async listeners(): Promise<Listener[]> {
    const r = await this.run(['ss', '-H', '-l', '-n', '-p', '-t', '-u']);
    if (r.exitCode !== 0) throw new VirError('OPERATION_FAILED', `ss: ${r.stderr.trim()}`);
    return parseSs(r.stdout);
  }

  private async features(): Promise<Record<string, boolean>> {
    const { features } = this.options.host;
    const out: Record<string, boolean> = { bridge: await features.linkType('bridge'), nftables: await features.nftables() };
    if (!out.nftables) return out;
    const dir = await mkdtemp(join(tmpdir(), 'virtnet-doctor-'));
    try {
      for (const [name, batch] of Object.entries(NFT_PROBES)) {
        const file = join(dir, `${name}.nft`);
        await writeFile(file, batch);
        const r = await this.run(['nft', '-c', '-f', file]);
        // The kernel refuses what it lacks ("Operation not supported", "No such file or directory"); a syntax error is ours.
        if (r.exitCode !== 0 && /syntax error/.test(r.stderr)) throw new VirError('INTERNAL_ERROR', `nft probe '${name}': ${r.stderr.trim()}`);
        out[name] = r.exitCode === 0;
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    return out;
  }

  async report(network?: string): Promise<DoctorReport> {
    const findings = hostChecks(await this.view(network));
    return { findings, failed: findings.some((f) => f.status === 'fail'), fixesRecorded: this.fixes.read().map(describeFix) };
  }

  async fix(network?: string): Promise<DoctorFixResult> {
    const planned = planFixes(await this.view(network));
    const applied = await this.fixes.apply(this.fixHost(), planned);
    return { applied: applied.map(describeFix), appliedPhrases: applied.map(fixSaid), report: await this.report(network) };
  }

  async undo(): Promise<DoctorUndoResult> {
    const undone = await this.fixes.undo(this.fixHost());
    return { undone: undone.map(describeFix), undonePhrases: undone.map(fixSaid) };
  }
}

/** `ss -H -l -n -p -t -u` lines: netid, state, queues, local address:port, peer, users:(("prog",pid=N,fd=M)). */
export function parseSs(text: string): Listener[] {
  const out: Listener[] = [];
  for (const line of text.split('\n')) {
    const cols = line.trim().split(/\s+/);
    const proto = cols[0];
    const local = cols[4];
    if ((proto !== 'udp' && proto !== 'tcp') || local === undefined) continue;
    const at = local.lastIndexOf(':');
    const port = Number(local.slice(at + 1));
    let address = local.slice(0, at);
    // ss writes an interface-bound socket as ADDR%DEV.
    address = address.replace(/%.*$/, '');
    const users = /users:\(\("([^"]+)",pid=(\d+)/.exec(line);
    out.push({ proto, address, port, ...(users ? { program: users[1] ?? '', pid: Number(users[2]) } : {}) });
  }
  return out;
}
