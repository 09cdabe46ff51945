/**
 * Removing a network namespace that processes may still live in: end each
 * of them by PID (TERM, then KILL after a grace period), then delete the
 * namespace, which takes its links and firewall rules along. Used for the
 * sandbox and the lab, whose namespaces hold only what virtnet put there.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { netnsPath } from './netns.js';

const run = promisify(execFile);

/** PIDs of the processes in a namespace (never this process). */
async function netnsPids(name: string): Promise<number[]> {
  try {
    const { stdout } = await run('ip', ['netns', 'pids', name], { encoding: 'utf8' });
    return stdout
      .split(/\s+/)
      .filter((s) => /^\d+$/.test(s))
      .map(Number)
      .filter((pid) => pid !== process.pid);
  } catch {
    // The namespace is gone (or was never there): nothing lives in it.
    return [];
  }
}

function signal(pids: readonly number[], sig: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch {
      /* already gone */
    }
  }
}

/**
 * End the processes inside `name` and delete it. Returns the PIDs that were
 * signalled, or undefined when there was no such namespace.
 */
export async function removeNetnsWithProcesses(name: string, graceMs = 2000): Promise<number[] | undefined> {
  if (!existsSync(netnsPath(name))) return undefined;
  const pids = await netnsPids(name);
  signal(pids, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while ((await netnsPids(name)).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  signal(await netnsPids(name), 'SIGKILL');
  try {
    await run('ip', ['netns', 'del', name]);
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`ip netns del ${name}: ${(e.stderr ?? e.message).trim()}`);
  }
  return pids;
}
