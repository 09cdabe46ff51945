/**
 * Kernel feature detection, by trying. Kernels differ (this one has no
 * `dummy` links, no tc `act_csum`, no openvswitch, no bridge VLAN filtering,
 * but has bridge, veth, tun/tap, macvlan/macvtap, vxlan and nftables), and
 * config files are not always readable, so each probe creates a throwaway
 * object with a random `vntp…` name in the bound namespace, notes whether the
 * kernel accepted it, and deletes it. Results are cached per instance.
 *
 * A missing feature is reported in plain words, with class CONFIG_UNSUPPORTED:
 * "this kernel does not support link type 'dummy'".
 */
import { randomBytes } from 'node:crypto';
import { HostError, commandError } from './errors.js';
import type { BatchRunner } from './link-transaction.js';
import { type NetnsBinding, inNetnsArgv, iproute2Argv } from './netns.js';
import type { CommandRunner } from './runner.js';
import type { Sysctls } from './sysctl.js';

export interface KernelFeatures {
  /** Whether links of this kind can be created (bridge, veth, tap, macvlan, macvtap, vxlan, dummy, openvswitch…). */
  linkType(kind: string): Promise<boolean>;
  /** Throws CONFIG_UNSUPPORTED "this kernel does not support link type 'KIND'" when it cannot. */
  requireLinkType(kind: string): Promise<void>;
  /** Whether a bridge can have vlan_filtering turned on. */
  bridgeVlanFiltering(): Promise<boolean>;
  /** Whether a tc action (csum, gact, mirred) is available. */
  tcAction(name: string): Promise<boolean>;
  /** Whether nftables works in the namespace. */
  nftables(): Promise<boolean>;
  /** Whether IPv6 is enabled (its sysctls exist). */
  ipv6(): Promise<boolean>;
}

export function unsupportedLinkType(kind: string): HostError {
  return new HostError('CONFIG_UNSUPPORTED', `this kernel does not support link type '${kind}'`);
}

const probeName = (): string => `vntp${randomBytes(3).toString('hex')}`;

/** Extra arguments a kind needs to be created at all; `parent` marks kinds that ride on another link. */
const LINK_PROBES: Record<string, { args: string[]; parent?: boolean }> = {
  veth: { args: ['peer', 'name', '@peer'] },
  vxlan: { args: ['id', '1', 'dstport', '4789'] },
  macvlan: { args: ['mode', 'bridge'], parent: true },
  macvtap: { args: ['mode', 'bridge'], parent: true },
  ipvlan: { args: ['mode', 'l2'], parent: true },
  ipvtap: { args: ['mode', 'l2'], parent: true },
  vlan: { args: ['id', '1'], parent: true },
};

/** How to add one instance of a tc action (`index` is appended). */
const TC_PROBES: Record<string, string[]> = {
  csum: ['csum', 'udp'],
  gact: ['pass'],
  mirred: ['mirred', 'egress', 'redirect', 'dev', 'lo'],
};

const UNKNOWN_KIND = /Unknown device type/i;

export class LinuxKernelFeatures implements KernelFeatures {
  private readonly cache = new Map<string, Promise<boolean>>();

  constructor(
    private readonly runner: CommandRunner,
    private readonly batch: BatchRunner,
    private readonly sysctls: Sysctls,
    private readonly netns: NetnsBinding,
  ) {}

  private cached(key: string, probe: () => Promise<boolean>): Promise<boolean> {
    let p = this.cache.get(key);
    if (!p) {
      p = probe();
      this.cache.set(key, p);
      p.catch(() => this.cache.delete(key));
    }
    return p;
  }

  linkType(kind: string): Promise<boolean> {
    if (!/^[a-z0-9_]{1,32}$/.test(kind)) return Promise.resolve(false);
    return this.cached(`link:${kind}`, () => this.probeLinkType(kind));
  }

  async requireLinkType(kind: string): Promise<void> {
    if (!(await this.linkType(kind))) throw unsupportedLinkType(kind);
  }

  private async probeLinkType(kind: string): Promise<boolean> {
    if (kind === 'openvswitch') {
      // Open vSwitch datapaths are not rtnetlink links; its generic netlink family shows whether the module is there.
      const r = await this.runner.run({ argv: inNetnsArgv(this.netns, ['genl', 'ctrl', 'get', 'name', 'ovs_datapath']) });
      return r.exitCode === 0;
    }
    const name = probeName();
    const parent = probeName();
    const lines: string[][] = [];
    if (kind === 'tap' || kind === 'tun') {
      lines.push(['tuntap', 'add', 'dev', name, 'mode', kind]);
    } else {
      const probe = LINK_PROBES[kind] ?? { args: [] };
      if (probe.parent) lines.push(['link', 'add', 'name', parent, 'type', 'bridge']);
      const add = ['link', 'add'];
      if (probe.parent) add.push('link', parent);
      add.push('name', name, 'type', kind, ...probe.args.map((a) => (a === '@peer' ? probeName() : a)));
      lines.push(add);
    }
    try {
      const outcome = await this.batch.runBatch(this.netns, lines, { force: false });
      if (outcome.failures.length === 0 && outcome.known) return true;
      const failure = outcome.failures[0];
      if (!failure) throw new HostError('INTERNAL_ERROR', `Unable to probe link type '${kind}': ${outcome.stderr.trim()}`);
      if (failure.line < lines.length) {
        throw new HostError('INTERNAL_ERROR', `Unable to probe link type '${kind}': ${failure.reason}`);
      }
      // The kernel knew the kind if it complained about anything but the kind itself.
      return !UNKNOWN_KIND.test(failure.reason);
    } finally {
      await this.batch.runBatch(
        this.netns,
        [
          ['link', 'del', 'dev', name],
          ['link', 'del', 'dev', parent],
        ],
        { force: true },
      );
    }
  }

  bridgeVlanFiltering(): Promise<boolean> {
    return this.cached('bridge:vlan_filtering', async () => {
      const name = probeName();
      try {
        const outcome = await this.batch.runBatch(
          this.netns,
          [
            ['link', 'add', 'name', name, 'type', 'bridge'],
            ['link', 'set', 'dev', name, 'type', 'bridge', 'vlan_filtering', '1'],
          ],
          { force: false },
        );
        if (outcome.failures.length === 0 && outcome.known) return true;
        const failure = outcome.failures[0];
        if (failure?.line === 2) return false;
        throw new HostError('INTERNAL_ERROR', `Unable to probe bridge VLAN filtering: ${failure?.reason ?? outcome.stderr.trim()}`);
      } finally {
        await this.batch.runBatch(this.netns, [['link', 'del', 'dev', name]], { force: true });
      }
    });
  }

  tcAction(name: string): Promise<boolean> {
    return this.cached(`tc:${name}`, async () => {
      const args = TC_PROBES[name];
      if (!args) throw new HostError('INTERNAL_ERROR', `no probe for tc action '${name}'`);
      const index = String(1_000_000 + randomBytes(2).readUInt16BE(0));
      const add = await this.runner.run({ argv: iproute2Argv('tc', this.netns, ['actions', 'add', 'action', ...args, 'index', index]) });
      if (add.exitCode !== 0) {
        if (/Failed to load TC action module|Unknown action|bad action type/i.test(add.stderr)) return false;
        throw commandError(`Unable to probe tc action '${name}'`, add, 'INTERNAL_ERROR');
      }
      await this.runner.run({ argv: iproute2Argv('tc', this.netns, ['actions', 'del', 'action', name, 'index', index]) });
      return true;
    });
  }

  nftables(): Promise<boolean> {
    return this.cached('nftables', async () => {
      const r = await this.runner.run({ argv: inNetnsArgv(this.netns, ['nft', '-j', 'list', 'tables']) }).catch(() => undefined);
      return r !== undefined && r.exitCode === 0;
    });
  }

  ipv6(): Promise<boolean> {
    return this.cached('ipv6', async () => (await this.sysctls.read('net.ipv6.conf.all.disable_ipv6')) !== undefined);
  }
}
