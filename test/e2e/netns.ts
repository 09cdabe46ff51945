/**
 * Network namespaces for end-to-end tests. Every namespace a test makes is
 * named `vnt-<tag>-<random>`, is tracked here, and is always removed: by the
 * test's own cleanup, and as a last resort when the process exits. Removing
 * one first ends, by PID, the processes still running inside it (dnsmasq,
 * DHCP clients), then deletes the namespace, which takes its links and
 * nftables rules with it. Nothing here touches the host's own namespace.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';

const live = new Set<string>();

function ip(args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Whether this process may create network namespaces (root with iproute2). */
export function canUseNetns(): boolean {
  if (process.getuid?.() !== 0) return false;
  const r = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  return r.status === 0;
}

/** Create a namespace with loopback up; returns its name. */
export function createNetns(tag: string): string {
  const name = `vnt-${tag}-${randomBytes(3).toString('hex')}`.slice(0, 30);
  ip(['netns', 'add', name]);
  live.add(name);
  ip(['-n', name, 'link', 'set', 'lo', 'up']);
  return name;
}

/** PIDs of processes running inside a namespace. */
export function netnsPids(name: string): number[] {
  const r = spawnSync('ip', ['netns', 'pids', name], { encoding: 'utf8' });
  if (r.status !== 0) return [];
  return r.stdout
    .split(/\s+/)
    .filter((s) => /^\d+$/.test(s))
    .map(Number)
    .filter((pid) => pid !== process.pid);
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** Whether a process is an `nft monitor`: a runtime's watch of its nftables table (src/host/nft.ts). */
export function isNftMonitor(pid: number): boolean {
  return commandLine(pid) === 'nft monitor';
}

/** Whether a process is an `ip -o monitor link`: a runtime's watch of its links closing during stops (src/host/link-monitor.ts). */
export function isLinkMonitor(pid: number): boolean {
  return commandLine(pid) === 'ip -o monitor link';
}

/** PIDs of what runs inside a namespace for its networks and guests (dnsmasq, clients): all but runtimes' monitors. */
export function workloadPids(name: string): number[] {
  return netnsPids(name).filter((pid) => !isNftMonitor(pid) && !isLinkMonitor(pid));
}

function killPids(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

/** End the processes inside `name` (TERM, then KILL), then delete the namespace. Never throws. */
export function deleteNetns(name: string): void {
  killPids(netnsPids(name), 'SIGTERM');
  const deadline = Date.now() + 2000;
  while (netnsPids(name).length > 0 && Date.now() < deadline) {
    spawnSync('sleep', ['0.05']);
  }
  killPids(netnsPids(name), 'SIGKILL');
  spawnSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
  live.delete(name);
}

/** Run a command inside a namespace and return its stdout; throws with stderr on failure. */
export function inNetns(name: string, cmd: string, args: string[], input?: string): string {
  const r = spawnSync('ip', ['netns', 'exec', name, cmd, ...args], { encoding: 'utf8', input });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} in ${name} failed (${r.status}): ${r.stderr || r.stdout}`);
  }
  return r.stdout;
}

/** Connect two namespaces with a veth pair; returns the two interface names. */
export function vethBetween(a: string, aIf: string, b: string, bIf: string): void {
  const tmp = `vt${randomBytes(3).toString('hex')}`;
  ip(['-n', a, 'link', 'add', aIf, 'type', 'veth', 'peer', 'name', tmp]);
  ip(['-n', a, 'link', 'set', tmp, 'netns', b]);
  ip(['-n', b, 'link', 'set', tmp, 'name', bIf]);
  ip(['-n', a, 'link', 'set', aIf, 'up']);
  ip(['-n', b, 'link', 'set', bIf, 'up']);
}

/** Delete every namespace this process created and has not deleted yet. */
export function deleteAllNetns(): void {
  for (const name of [...live]) deleteNetns(name);
}

process.once('exit', deleteAllNetns);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    deleteAllNetns();
    process.exit(130);
  });
}
