/**
 * Who is at the other end of our unix sockets: the uid of the peer process,
 * as SO_PEERCRED would tell, on Node 20 without native code.
 *
 * Node cannot call getsockopt(), and procfs does not link the two ends of a
 * unix socket; the kernel's sock_diag does (UNIX_DIAG_PEER), which is what
 * `ss -x` reads. So: our end's inode comes from fstat() of its descriptor;
 * one `ss -xpH` (run in the daemon's own network namespace, where its
 * sockets are) gives every connected unix socket's inode, its peer's inode
 * and the processes holding it; the peer's process is owned by the uid we
 * want (/proc/PID's owner is its effective uid). One run answers for any
 * number of sockets: measured here, `ss -xpH` takes ~15 ms with 30 unix
 * sockets on the machine and ~120 ms with 8,000 (it scans every process's
 * descriptors for -p), so callers batch their questions and ask only when a
 * per-uid limit could be in play (src/api/connection-gate.ts).
 */
import { fstatSync, statSync } from 'node:fs';
import type { Socket } from 'node:net';
import { VirError } from '../util/errors.js';
import type { CommandRunner } from './runner.js';

/** One line of `ss -xpH`: a socket's inode, its peer's inode and the pids holding it. */
interface UnixSocketEntry {
  inode: number;
  peer: number;
  pids: number[];
}

/**
 * Parse `ss -xpH`: "u_str ESTAB 0 0 LOCAL INODE PEER PEER_INODE users:((…))".
 * Addresses may hold spaces, so the numbers are found from the fixed fields
 * around them: the first two numeric fields after the queues are not used;
 * the inode is the field before the peer address, the peer inode the one
 * before `users:` (or the end).
 */
export function parseSsUnix(text: string): UnixSocketEntry[] {
  const out: UnixSocketEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const users = line.indexOf(' users:(');
    const head = users >= 0 ? line.slice(0, users).trimEnd() : line;
    const m = /^\S+\s+\S+\s+\d+\s+\d+\s+.*?\s(\d+)\s+.*?\s(\d+)$/.exec(head);
    if (!m) continue;
    const pids = users >= 0 ? [...line.slice(users).matchAll(/pid=(\d+)/g)].map((p) => Number(p[1])) : [];
    out.push({ inode: Number(m[1]), peer: Number(m[2]), pids });
  }
  return out;
}

/** The inode of our end of a connected unix socket (fstat of its descriptor), if it still has one. */
export function socketInode(socket: Socket): number | undefined {
  const fd = (socket as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) return undefined;
  try {
    return fstatSync(fd).ino;
  } catch {
    return undefined;
  }
}

/** The effective uid of a process (the owner of /proc/PID), if it still runs. */
function processUid(pid: number, proc: string): number | undefined {
  try {
    return statSync(`${proc}/${pid}`).uid;
  } catch {
    return undefined;
  }
}

export interface PeerCredentials {
  /** For each of our sockets' inodes, the uid of the process at the other end (undefined: unknown, e.g. it lives in another namespace or already left). */
  uidsOf(inodes: readonly number[]): Promise<Map<number, number | undefined>>;
}

/** PeerCredentials through `ss -xpH` in this process's own network namespace. */
export class SsPeerCredentials implements PeerCredentials {
  constructor(
    private readonly runner: CommandRunner,
    private readonly proc = '/proc',
  ) {}

  async uidsOf(inodes: readonly number[]): Promise<Map<number, number | undefined>> {
    const result = await this.runner.run({ argv: ['ss', '-xpH'], timeoutMs: 10_000 });
    if (result.exitCode !== 0)
      throw new VirError('SYSTEM_ERROR', `cannot list unix sockets with ss: ${result.stderr.trim() || `exit status ${result.exitCode}`}`);
    const byInode = new Map<number, UnixSocketEntry>();
    for (const e of parseSsUnix(result.stdout)) byInode.set(e.inode, e);
    const out = new Map<number, number | undefined>();
    for (const inode of inodes) {
      const ours = byInode.get(inode);
      const peer = ours ? byInode.get(ours.peer) : undefined;
      const pid = peer?.pids[0];
      out.set(inode, pid === undefined ? undefined : processUid(pid, this.proc));
    }
    return out;
  }
}
