/**
 * Crash-safe file writes: write a temporary file beside the target, fsync
 * it, rename it over the target and fsync the directory, so a reader (or a
 * restart after a crash) sees either the old file or the new one, never a
 * torn one. A failure is a VirError saying what happened ("No space left
 * on device while saving '/etc/virtnet/networks/n1.xml'"), and leaves no
 * temporary file behind. Files that describe the kernel's state (the run
 * directory's status files) are written `durable: false`: without the
 * fsyncs, since a reboot ends what they describe and a killed process
 * leaves the page cache as it was, so the rename is all they need
 * (docs/architecture.md, *Crash safety*).
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirEntries } from './dir-entries.js';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { systemError } from './os-error.js';

interface AtomicWriteOptions {
  /** File mode of the new file (default 0o644). */
  mode?: number;
  /** Whether the write must survive a power loss (fsync the file and its directory; default true). */
  durable?: boolean;
}

function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    /* some filesystems refuse fsync on directories; the rename is still atomic */
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The temporary sibling a new version of `path` is written to before the rename: `.NAME.XXXXXXXX.tmp`. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
}

const TEMP_FILE = /^\..+\.[0-9a-f]{8}\.tmp$/;

/**
 * Remove what writes interrupted by a crash left in `dir`: the temporary
 * siblings of tempPathFor. Only for directories no other process writes to
 * (the caller holds them, at start-up). Returns the names removed.
 */
export function removeStaleTempFiles(dir: string): string[] {
  const entries = dirEntries(dir);
  const stale = entries.filter((f) => TEMP_FILE.test(f));
  for (const f of stale) rmSync(join(dir, f), { force: true });
  return stale;
}

export function writeFileAtomic(path: string, data: string, options: AtomicWriteOptions = {}): void {
  try {
    writeAndRename(path, data, options);
  } catch (e) {
    throw systemError(e, `saving '${path}'`);
  }
}

function writeAndRename(path: string, data: string, options: AtomicWriteOptions): void {
  const dir = dirname(path);
  const durable = options.durable !== false;
  mkdirSync(dir, { recursive: true });
  const tmp = tempPathFor(path);
  const fd = openSync(tmp, 'wx', options.mode ?? 0o644);
  try {
    const buf = Buffer.from(data, 'utf8');
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    if (durable) fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  try {
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  if (durable) fsyncDir(dir);
}
