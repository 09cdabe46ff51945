/**
 * `virtnetd --purge`: a fresh start for a root. With the sandbox gone
 * (cleanupSandbox, which takes its networks and guests along), the root's
 * three trees go too — CONFIG, RUN and STATE (src/driver/common/paths.ts) —
 * so the next start is a first start: libvirt's `default` network is
 * defined again, and autostart networks start. Refused while a network or
 * guest of the root still runs outside a sandbox: its bridge, rules,
 * dnsmasq or namespace would stay behind with nothing left that knows them.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { promisify } from 'node:util';
import type { VirtnetPaths } from '../driver/common/paths.js';
import { listStoredFiles } from '../driver/common/stored-files.js';
import { parseGuestRecord } from '../driver/guest/store.js';
import { parseNetworkStatus } from '../driver/network/status.js';
import { NetworkStore } from '../driver/network/store.js';
import { readApplied } from '../driver/runtime/applied.js';
import { netnsPath } from '../host/netns.js';

const run = promisify(execFile);

/** What of a root still runs here: networks and guests, by name. */
export interface StillRunning {
  networks: string[];
  guests: string[];
}

/** Whether a link of that name exists in this process's network namespace. */
async function linkHere(name: string): Promise<boolean> {
  try {
    await run('ip', ['link', 'show', 'dev', name]);
    return true;
  } catch {
    // `ip` says "does not exist" (exit 1); the caller treats any failure as "not here".
    return false;
  }
}

/** Whether `pid` is a live dnsmasq (a zombie, ended but not yet reaped, is not). */
function dnsmasqAlive(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  const m = /^\d+ \((.*)\) (\S)/.exec(stat);
  return m?.[1] === 'dnsmasq' && m[2] !== 'Z' && m[2] !== 'X';
}

/**
 * The networks and guests the root's status files record that still run:
 * a network whose dnsmasq lives or whose bridge is in this namespace; a guest
 * whose namespace or host-side device is there. Files that cannot be read as
 * status files are not counted (no daemon could adopt them either).
 */
export async function stillRunning(paths: VirtnetPaths): Promise<StillRunning> {
  const networks: string[] = [];
  const store = new NetworkStore(paths);
  // A stopping network's file too: its stop may not have got far.
  for (const file of [...store.listStatuses(), ...store.listStopping()]) {
    let name: string;
    let applied: ReturnType<typeof readApplied>;
    try {
      const status = parseNetworkStatus(file.text, file.path);
      name = status.def.name;
      applied = readApplied(status.applied);
    } catch {
      continue;
    }
    // A bridge-mode network's bridge is the host's own: only a bridge virtnet made counts.
    const pid = applied.dnsmasq?.pid;
    const bridge = applied.kind === 'virtual' ? applied.bridge : undefined;
    if ((pid !== undefined && dnsmasqAlive(pid)) || (bridge !== undefined && (await linkHere(bridge)))) networks.push(name);
  }
  const guests: string[] = [];
  for (const file of listStoredFiles(paths.guestStatusDir, '.json')) {
    const record = parseGuestRecord(file.text);
    if (record === undefined) continue;
    let live = record.netns !== undefined && existsSync(netnsPath(record.netns));
    for (const nic of record.nics) if (!live && (await linkHere(nic.target))) live = true;
    if (live) guests.push(record.name ?? file.stem);
  }
  return { networks, guests };
}

/** Remove the root's CONFIG, RUN and STATE trees; returns those that were there. */
export function removeState(paths: VirtnetPaths): string[] {
  const removed: string[] = [];
  for (const dir of [paths.configDir, paths.runDir, paths.stateDir]) {
    if (!existsSync(dir)) continue;
    rmSync(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return removed;
}
