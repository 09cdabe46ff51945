/**
 * Files as virsh reads them: virFileReadAll's messages ("Failed to open
 * file 'F': No such file or directory", "Failed to read file 'F': Is a
 * directory", "File 'F' is too large") with glibc's strerror texts, paths
 * relative to the shell's directory (which `cd` changes in the interactive
 * shell), and the 10 MiB cap virsh puts on XML files (VSH_MAX_XML_FILE).
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { VirError } from '../../util/errors.js';

const MAX_XML_FILE = 10 * 1024 * 1024;

const STRERROR: Record<string, string> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  ELOOP: 'Too many levels of symbolic links',
  ENAMETOOLONG: 'File name too long',
  EMFILE: 'Too many open files',
  EIO: 'Input/output error',
  ENXIO: 'No such device or address',
};

/** glibc's strerror() text for a Node errno error. */
export function strerror(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return (e.code && STRERROR[e.code]) || e.message || String(err);
}

/** virFileReadAll(path, MAX_XML_FILE): the file's text, or a VirError with libvirt's message. */
export function readFileAll(cwd: string, path: string, max = MAX_XML_FILE): string {
  let fd: number;
  try {
    fd = openSync(resolve(cwd, path), 'r');
  } catch (err) {
    throw new VirError('SYSTEM_ERROR', `Failed to open file '${path}': ${strerror(err)}`);
  }
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    const size = fstatSync(fd).size;
    const buf = Buffer.alloc(Math.min(Math.max(size, 4096) + 1, max + 1));
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (err) {
        throw new VirError('SYSTEM_ERROR', `Failed to read file '${path}': ${strerror(err)}`);
      }
      if (n === 0) break;
      total += n;
      if (total > max) throw new VirError('INTERNAL_ERROR', `File '${path}' is too large`);
      chunks.push(Buffer.from(buf.subarray(0, n)));
    }
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** The directory `cd DIR` moves to, checked to be one; throws with strerror's text. */
export function chdirSync(cwd: string, dir: string): string {
  const target = resolve(cwd, dir);
  const st = statSync(target);
  if (!st.isDirectory()) {
    const err = new Error('Not a directory') as NodeJS.ErrnoException;
    err.code = 'ENOTDIR';
    throw err;
  }
  return target;
}
