/**
 * One virtnetd per root. Three checks, any of which refuses a second daemon:
 *
 * 1. A kernel lock: an abstract unix socket named after the run directory
 *   (`\0virtnetd:<sha256 of RUN>`). Binding it is atomic, only one process
 *   can hold it, and the kernel drops it when the holder dies, so a crash
 *   never leaves a stale lock. (Abstract sockets belong to a network
 *   namespace, hence the other two checks.)
 * 2. The pid file RUN/virtnetd.pid naming a live virtnetd other than us.
 * 3. A daemon answering on RUN/virtnetd.sock (connect probe).
 *
 * Once held, stale socket files of a dead daemon are removed and our pid is
 * written. `release()` undoes both (the pid file only if it is still ours).
 */
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-file.js';

export class AlreadyRunningError extends Error {
  override readonly name = 'AlreadyRunningError';
}

export interface InstanceLock {
  pidFile: string;
  release(): void;
}

function pidFilePath(runDir: string): string {
  return join(runDir, 'virtnetd.pid');
}

/** The pid in RUN/virtnetd.pid when it names a live virtnetd process, else undefined. */
export function runningDaemonPid(runDir: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(pidFilePath(runDir), 'utf8');
  } catch {
    return undefined;
  }
  const pid = Number(text.trim());
  if (!Number.isInteger(pid) || pid <= 1) return undefined;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes('virtnetd') ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Whether something accepts connections on a unix socket path. */
function socketAnswers(path: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ path });
    const done = (answer: boolean): void => {
      clearTimeout(timer);
      sock.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => done(true), timeoutMs);
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

function holdAbstractLock(runDir: string): Promise<net.Server | undefined> {
  const name = `\0virtnetd:${createHash('sha256').update(runDir).digest('hex').slice(0, 40)}`;
  return new Promise((resolve, reject) => {
    const server = net.createServer((c) => c.destroy());
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') resolve(undefined);
      else reject(err);
    });
    server.listen({ path: name }, () => {
      server.unref();
      resolve(server);
    });
  });
}

/** The live pid the pid file names (whatever its command line: the lock already proved a daemon runs). */
function pidFromFile(runDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(pidFilePath(runDir), 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 1) return undefined;
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

function describeOther(runDir: string, root: string): string {
  const pid = pidFromFile(runDir);
  return `another virtnetd is already running for ${root}${pid ? ` (pid ${pid})` : ''}`;
}

/**
 * Take the instance lock for a run directory, or throw AlreadyRunningError.
 * `sockets` are the daemon's socket paths, probed and then cleared when stale.
 */
export async function acquireInstanceLock(runDir: string, root: string, sockets: readonly string[]): Promise<InstanceLock> {
  const lock = await holdAbstractLock(runDir);
  if (!lock) throw new AlreadyRunningError(describeOther(runDir, root));
  const fail = (): never => {
    lock.close();
    throw new AlreadyRunningError(describeOther(runDir, root));
  };
  const other = runningDaemonPid(runDir);
  if (other !== undefined && other !== process.pid) fail();
  for (const path of sockets) {
    if (await socketAnswers(path)) fail();
  }
  for (const path of sockets) rmSync(path, { force: true });
  const pidFile = pidFilePath(runDir);
  writeFileAtomic(pidFile, `${process.pid}\n`, { mode: 0o644 });
  return {
    pidFile,
    release(): void {
      try {
        if (readFileSync(pidFile, 'utf8').trim() === String(process.pid)) rmSync(pidFile, { force: true });
      } catch {
        /* already gone */
      }
      lock.close();
    },
  };
}
