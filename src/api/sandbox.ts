/**
 * The sandbox (`virtnetd --sandbox`): a network namespace the daemon owns
 * and realises every network in, with an "uplink" namespace behind it
 * standing in for the outside world, joined by a veth pair:
 *
 *   sandbox netns                          uplink netns
 *   ─────────────                          ────────────
 *   virbr0 … (the networks)
 *   uplink  198.51.100.2/24  ◀── veth ──▶  downlink 198.51.100.1/24
 *           fd7e:7e7e:7e7e::2/64                    fd7e:7e7e:7e7e::1/64
 *   default route via 198.51.100.1 / ::1
 *
 * So a NAT network masquerades out of `uplink` and a guest can reach
 * 198.51.100.1, all without touching the host's own namespace. The
 * addresses are from TEST-NET-2 and a ULA, clear of libvirt's defaults.
 *
 * Setting up is idempotent: a daemon restarted in sandbox mode finds its
 * namespaces (and the networks left running in them) and reuses them.
 * `cleanupSandbox` ends every process inside both, by PID, then deletes
 * them, which takes their links and firewall rules along.
 *
 * Names: `virtnet` / `virtnet-uplink` for the system layout; with
 * `--root DIR`, `vn-<hash of DIR>` / `vn-<hash>-up`, so sandboxes of
 * different roots never meet.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { guestNetnsPrefix } from '../host/guest-names.js';
import { removeNetnsWithProcesses } from '../host/netns-remove.js';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface SandboxNames {
  netns: string;
  uplink: string;
}

export const SANDBOX_UPLINK_IF = 'uplink';
export const UPLINK_DOWNLINK_IF = 'downlink';
export const SANDBOX_ADDRESSES = {
  sandbox4: '198.51.100.2/24',
  uplink4: '198.51.100.1/24',
  gateway4: '198.51.100.1',
  sandbox6: 'fd7e:7e7e:7e7e::2/64',
  uplink6: 'fd7e:7e7e:7e7e::1/64',
  gateway6: 'fd7e:7e7e:7e7e::1',
} as const;

export function sandboxNames(root?: string): SandboxNames {
  if (root === undefined) return { netns: 'virtnet', uplink: 'virtnet-uplink' };
  const h = createHash('sha256').update(root).digest('hex').slice(0, 8);
  return { netns: `vn-${h}`, uplink: `vn-${h}-up` };
}

async function ip(args: string[]): Promise<string> {
  try {
    const { stdout } = await run('ip', args, { encoding: 'utf8' });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`ip ${args.join(' ')}: ${(e.stderr ?? e.message).trim()}`);
  }
}

function netnsExists(name: string): boolean {
  return existsSync(`/run/netns/${name}`);
}

async function linkExists(netns: string, ifname: string): Promise<boolean> {
  try {
    await run('ip', ['-n', netns, 'link', 'show', 'dev', ifname]);
    return true;
  } catch {
    return false;
  }
}

async function ensureNetns(name: string): Promise<boolean> {
  if (netnsExists(name)) return false;
  await ip(['netns', 'add', name]);
  await ip(['-n', name, 'link', 'set', 'lo', 'up']);
  return true;
}

/** Create whatever part of the sandbox is missing; returns the names and whether anything was created. */
export async function setupSandbox(names: SandboxNames): Promise<{ names: SandboxNames; created: boolean; warnings: string[] }> {
  const warnings: string[] = [];
  const createdNs = await ensureNetns(names.netns);
  const createdUp = await ensureNetns(names.uplink);
  let created = createdNs || createdUp;
  if (!(await linkExists(names.netns, SANDBOX_UPLINK_IF))) {
    created = true;
    // A leftover downlink (the sandbox side vanished) would block the new pair.
    if (await linkExists(names.uplink, UPLINK_DOWNLINK_IF)) await ip(['-n', names.uplink, 'link', 'del', UPLINK_DOWNLINK_IF]);
    const tmp = `vnsbx${process.pid % 100000}`;
    await ip(['-n', names.netns, 'link', 'add', SANDBOX_UPLINK_IF, 'type', 'veth', 'peer', 'name', tmp]);
    await ip(['-n', names.netns, 'link', 'set', tmp, 'netns', names.uplink]);
    await ip(['-n', names.uplink, 'link', 'set', tmp, 'name', UPLINK_DOWNLINK_IF]);
    await ip(['-n', names.uplink, 'addr', 'add', SANDBOX_ADDRESSES.uplink4, 'dev', UPLINK_DOWNLINK_IF]);
    await ip(['-n', names.uplink, 'link', 'set', UPLINK_DOWNLINK_IF, 'up']);
    await ip(['-n', names.netns, 'addr', 'add', SANDBOX_ADDRESSES.sandbox4, 'dev', SANDBOX_UPLINK_IF]);
    await ip(['-n', names.netns, 'link', 'set', SANDBOX_UPLINK_IF, 'up']);
    await ip(['-n', names.netns, 'route', 'replace', 'default', 'via', SANDBOX_ADDRESSES.gateway4]);
    // IPv6 is a bonus: a host with IPv6 disabled still gets a working IPv4 sandbox.
    try {
      await ip(['-n', names.uplink, 'addr', 'add', SANDBOX_ADDRESSES.uplink6, 'dev', UPLINK_DOWNLINK_IF, 'nodad']);
      await ip(['-n', names.netns, 'addr', 'add', SANDBOX_ADDRESSES.sandbox6, 'dev', SANDBOX_UPLINK_IF, 'nodad']);
      await ip(['-n', names.netns, '-6', 'route', 'replace', 'default', 'via', SANDBOX_ADDRESSES.gateway6]);
    } catch (err) {
      warnings.push(`IPv6 uplink not configured: ${(err as Error).message}`);
    }
  }
  return { names, created, warnings };
}

/** The namespaces of the sandbox's netns guests (BASE-g-NAME). */
function sandboxGuestNamespaces(names: SandboxNames): string[] {
  const prefix = guestNetnsPrefix(names.netns);
  try {
    return readdirSync('/run/netns').filter((n) => n.startsWith(prefix));
  } catch {
    return [];
  }
}

/**
 * End the processes inside the sandbox and its guests' namespaces (TERM,
 * then KILL after 2 s), then delete them all. Returns what was removed.
 */
export async function cleanupSandbox(names: SandboxNames): Promise<{ removed: string[]; ended: number[] }> {
  const removed: string[] = [];
  const ended: number[] = [];
  for (const name of [...sandboxGuestNamespaces(names), names.netns, names.uplink]) {
    const pids = await removeNetnsWithProcesses(name);
    if (pids === undefined) continue;
    ended.push(...pids);
    removed.push(name);
  }
  return { removed, ended };
}
