/**
 * Where the handles of the guests' network namespaces (/run/netns/NAME,
 * bind mounts made by `ip netns add`) can be made so that every process
 * sees them, the next virtnetd included.
 *
 * A daemon started under `ip netns exec NS` runs in a mount namespace of
 * its own, a slave copy of the host's: mounts the host makes under
 * /run/netns reach it, but the ones it makes stay private. A guest
 * namespace it added would be invisible to everyone else and, after a
 * restart in another private copy, a plain empty file (`nsenter:
 * reassociate to namespace 'ns/net' failed: Invalid argument`).
 *
 * So: if our /run/netns is shared (the host's own mount namespace, or a
 * copy still in its peer group), handles are made here. If it is a slave,
 * the handles are made in its master: the mount namespace of a process
 * (our parent, else init) whose /run/netns is shared in the peer group we
 * are a slave of, entered with `nsenter --mount`; the mounts then reach us
 * too. virtnetd keeps that namespace open (a descriptor of its own), so its
 * parent may go. If no such process can be read, or /run/netns is private,
 * a netns guest is refused with a message saying why.
 */
import { openSync } from 'node:fs';
import { readFile, readlink, statfs } from 'node:fs/promises';
import { NETNS_RUN_DIR } from './netns.js';

/** How /run/netns (or the mount holding it) propagates, from one mountinfo; `exact` when /run/netns is a mount point itself. */
type Propagation = ({ kind: 'shared'; group: number } | { kind: 'slave'; master: number } | { kind: 'private' } | { kind: 'absent' }) & {
  exact?: boolean;
};

/** The propagation of the mount that holds `path` (the longest mount point above it), from /proc/PID/mountinfo text. */
export function propagationOf(mountinfo: string, path: string = NETNS_RUN_DIR): Propagation {
  let best: { point: string; fields: string[] } | undefined;
  for (const line of mountinfo.split('\n')) {
    const parts = line.split(' ');
    const sep = parts.indexOf('-');
    if (parts.length < 7 || sep < 6) continue;
    const point = unescapeMountPath(parts[4]!);
    const holds = point === path || point === '/' || path.startsWith(`${point}/`);
    if (!holds) continue;
    // A later line for the same mount point is mounted over the earlier one.
    if (best === undefined || point.length >= best.point.length) best = { point, fields: parts.slice(6, sep) };
  }
  if (best === undefined) return { kind: 'absent' };
  const tag = (name: string): number | undefined => {
    const f = best!.fields.find((x) => x.startsWith(`${name}:`));
    return f === undefined ? undefined : Number(f.slice(name.length + 1));
  };
  const exact = best.point === path;
  const shared = tag('shared');
  if (shared !== undefined) return { kind: 'shared', group: shared, exact };
  const master = tag('master');
  if (master !== undefined) return { kind: 'slave', master, exact };
  return { kind: 'private', exact };
}

/** mountinfo escapes space, tab, newline and backslash as octal. */
function unescapeMountPath(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** Where guest namespace handles are made. */
export type HandlePlacement =
  /** In this process's mount namespace. */
  | { kind: 'here' }
  /** In another mount namespace: run `ip netns add/del` as `nsenter --mount=PATH --`. */
  | { kind: 'enter'; mountNamespace: string }
  | { kind: 'refuse'; why: string };

const PRIVATE_WHY =
  'virtnetd runs in a mount namespace of its own (was it started under `ip netns exec`?), ' +
  'so a guest namespace it made would be invisible to other processes and lost when it restarts';

export interface PlacementProbe {
  /** /proc/PID/mountinfo of a process (self for ours); rejects when it cannot be read. */
  mountinfo(pid: number | 'self'): Promise<string>;
  /** The mount namespace of a process ("mnt:[N]"); rejects when it cannot be read. */
  mountNamespaceOf(pid: number | 'self'): Promise<string>;
  /** Open /proc/PID/ns/mnt and keep it open; the path other processes can use for it. */
  holdMountNamespace(pid: number): string;
  /** Candidates for the master mount namespace, in order. */
  candidates: number[];
}

const procProbe: PlacementProbe = {
  mountinfo: (pid) => readFile(`/proc/${pid}/mountinfo`, 'utf8'),
  mountNamespaceOf: (pid) => readlink(`/proc/${pid}/ns/mnt`),
  holdMountNamespace(pid) {
    const fd = openSync(`/proc/${pid}/ns/mnt`, 'r');
    return `/proc/${process.pid}/fd/${fd}`;
  },
  candidates: [process.ppid, 1],
};

/** Decide where this process makes guest namespace handles (see above). */
export async function placeNetnsHandles(probe: PlacementProbe = procProbe): Promise<HandlePlacement> {
  const own = propagationOf(await probe.mountinfo('self'));
  if (own.kind === 'shared' || own.kind === 'absent') return { kind: 'here' };
  if (own.kind === 'slave') {
    for (const pid of probe.candidates) {
      let theirs: Propagation;
      try {
        theirs = propagationOf(await probe.mountinfo(pid));
      } catch {
        continue;
      }
      if (theirs.kind !== 'shared' || theirs.group !== own.master) continue;
      try {
        return { kind: 'enter', mountNamespace: probe.holdMountNamespace(pid) };
      } catch {
        // this one is gone: try the next
      }
    }
    return { kind: 'refuse', why: `${PRIVATE_WHY}, and no process in the host's mount namespace could be entered to make it there` };
  }
  // Private: fine if the processes around us share our mount namespace (the handles are made where they look),
  // or if /run/netns is no mount yet (`ip netns add` makes it one, shared, where we are).
  const ours = await probe.mountNamespaceOf('self').catch(() => undefined);
  for (const pid of probe.candidates) {
    const theirs = await probe.mountNamespaceOf(pid).catch(() => undefined);
    if (ours !== undefined && theirs === ours) return { kind: 'here' };
  }
  if (!own.exact) return { kind: 'here' };
  return { kind: 'refuse', why: `${PRIVATE_WHY}; /run/netns is not shared with the host's` };
}

const NSFS_MAGIC = 0x6e736673;

/** Whether `path` is a namespace handle (a bind mount of nsfs), not a file left where one was. */
export async function isNamespaceHandle(path: string): Promise<boolean> {
  try {
    return (await statfs(path)).type === NSFS_MAGIC;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}
