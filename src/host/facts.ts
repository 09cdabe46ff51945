/**
 * Reading host facts in the bound namespace: links (`ip -j -d link`),
 * addresses (`ip -j addr`), IPv4 and IPv6 routes (`ip -j route`,
 * `ip -j -6 route`), whether a link exists, and waiting for IPv6 duplicate
 * address detection to finish (libvirt waits before starting dnsmasq).
 * Parsing lives in facts-parse.ts; this module only runs the dumps.
 * The IPv4 main table and the device names are also readable without a
 * process, through procfs (proc-net.ts), when a process known to live in
 * the namespace is given.
 */
import { stat } from 'node:fs/promises';
import type { AddressFamily } from '../conf/network/types.js';
import { VirError } from '../util/errors.js';
import { canonicalIp } from '../util/ip.js';
import { commandError } from './errors.js';
import { type AddressRecord, type LinkRecord, type RouteRecord, parseAddresses, parseLinks, parseRoutes } from './facts-parse.js';
import { isValidIfname } from './link-ops.js';
import { type NetnsBinding, iproute2Argv, netnsPath } from './netns.js';
import { type ProcNetFile, parseProcNetDev, parseProcNetRoute, readNetFileThroughPids, readOwnNetFile } from './proc-net.js';
import type { CommandRunner } from './runner.js';

export interface HostFacts {
  /** Every link in the namespace, with kind-specific details. */
  links(): Promise<LinkRecord[]>;
  /** One link, or undefined when there is none of that name. */
  link(name: string): Promise<LinkRecord | undefined>;
  /**
   * Whether a network device of that name exists in the namespace. With
   * `hint.pids` (processes believed to live in the namespace) it is looked
   * up in /proc/PID/net/dev, without starting a command (see mainRoutes4).
   */
  linkExists(name: string, hint?: { pids?: readonly number[] }): Promise<boolean>;
  /** Addresses, of every device or of one. */
  addresses(dev?: string): Promise<AddressRecord[]>;
  /** Routes of the main table, of one family or (by default) both. */
  routes(family?: AddressFamily): Promise<RouteRecord[]>;
  /**
   * The IPv4 routes of the main table, as `routes('ipv4')` lists them (for
   * the subnet-collision check). `hint.pids` are processes believed to live
   * in the namespace: when one does, the table is read from its
   * /proc/PID/net/route and no command runs (proc-routes.ts). Records read
   * that way carry no protocol or scope, and type 'unreachable' stands for
   * every reject type.
   */
  mainRoutes4(hint?: { pids?: readonly number[] }): Promise<RouteRecord[]>;
  /** Resolve once none of these IPv6 addresses is tentative (DAD finished); throws after the timeout. */
  waitForDad(addresses: readonly string[], timeoutMs?: number): Promise<void>;
}

/** libvirt's limit for duplicate address detection, in seconds. */
const DAD_TIMEOUT_SECONDS = 20;

const NO_DEVICE = /does not exist|Cannot find device/;

export class LinuxFacts implements HostFacts {
  private nsInode: Promise<number | undefined> | undefined;

  constructor(
    private readonly runner: CommandRunner,
    private readonly netns: NetnsBinding,
  ) {}

  private async ip(args: string[], what: string): Promise<string> {
    const result = await this.runner.run({ argv: iproute2Argv('ip', this.netns, args) });
    if (result.exitCode !== 0) throw commandError(what, result, 'INTERNAL_ERROR');
    return result.stdout;
  }

  async links(): Promise<LinkRecord[]> {
    return parseLinks(await this.ip(['-j', '-d', 'link', 'show'], 'Unable to list network devices'));
  }

  async link(name: string): Promise<LinkRecord | undefined> {
    if (!isValidIfname(name)) return undefined;
    const result = await this.runner.run({ argv: iproute2Argv('ip', this.netns, ['-j', '-d', 'link', 'show', 'dev', name]) });
    if (result.exitCode !== 0) {
      if (NO_DEVICE.test(result.stderr)) return undefined;
      throw commandError(`Unable to get network device '${name}'`, result, 'INTERNAL_ERROR');
    }
    return parseLinks(result.stdout)[0];
  }

  async linkExists(name: string, hint: { pids?: readonly number[] } = {}): Promise<boolean> {
    if (!isValidIfname(name)) return false;
    const text = await this.procNetFile('dev', hint.pids);
    if (text !== undefined) return parseProcNetDev(text).includes(name);
    return (await this.link(name)) !== undefined;
  }

  /** /proc/net/FILE of the bound namespace without running a command, when possible (proc-net.ts). */
  private async procNetFile(file: ProcNetFile, pids: readonly number[] = []): Promise<string | undefined> {
    if (this.netns === null) return readOwnNetFile(file);
    if (pids.length === 0) return undefined;
    const netns = this.netns;
    this.nsInode ??= stat(netnsPath(netns)).then(
      (s) => s.ino,
      () => undefined,
    );
    const inode = await this.nsInode;
    return inode === undefined ? undefined : readNetFileThroughPids(file, pids, inode);
  }

  async addresses(dev?: string): Promise<AddressRecord[]> {
    if (dev !== undefined && !isValidIfname(dev)) return [];
    const args = dev === undefined ? ['-j', 'addr', 'show'] : ['-j', 'addr', 'show', 'dev', dev];
    const result = await this.runner.run({ argv: iproute2Argv('ip', this.netns, args) });
    if (result.exitCode !== 0) {
      if (dev !== undefined && NO_DEVICE.test(result.stderr)) return [];
      throw commandError('Unable to list IP addresses', result, 'INTERNAL_ERROR');
    }
    return parseAddresses(result.stdout);
  }

  async routes(family?: AddressFamily): Promise<RouteRecord[]> {
    const families: AddressFamily[] = family ? [family] : ['ipv4', 'ipv6'];
    const out: RouteRecord[] = [];
    for (const f of families) {
      const args = f === 'ipv4' ? ['-j', '-4', 'route', 'show'] : ['-j', '-6', 'route', 'show'];
      out.push(...parseRoutes(await this.ip(args, 'Unable to list routes'), f));
    }
    return out;
  }

  async mainRoutes4(hint: { pids?: readonly number[] } = {}): Promise<RouteRecord[]> {
    const text = await this.procNetFile('route', hint.pids);
    return text !== undefined ? parseProcNetRoute(text) : this.routes('ipv4');
  }

  async waitForDad(addresses: readonly string[], timeoutMs = DAD_TIMEOUT_SECONDS * 1000): Promise<void> {
    const wanted = new Set(addresses.map((a) => canonicalIp(a) ?? a));
    if (wanted.size === 0) return;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const out = await this.ip(['-j', '-6', 'addr', 'show'], 'error reading DAD state information');
      const pending = parseAddresses(out).some((a) => a.tentative && wanted.has(a.address));
      if (!pending) return;
      if (Date.now() >= deadline) {
        throw new VirError('SYSTEM_ERROR', `Duplicate Address Detection not finished in ${Math.round(timeoutMs / 1000)} seconds`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
