/**
 * Network sysctls of the bound namespace: read and write
 * /proc/sys/net/… (net.ipv4.ip_forward, net.ipv6.conf.BR.disable_ipv6,
 * accept_ra, autoconf, net.ipv6.conf.all.forwarding…). A key that does not
 * exist (IPv6 disabled, device gone) is reported as absent — undefined from a
 * read, false from a write — never as an error, as libvirt skips the IPv6
 * sysctls when the file is missing.
 *
 * /proc/sys/net is resolved in the network namespace of the process opening
 * the file. For the current namespace we use the filesystem directly; for a
 * bound one, `nsenter --net=… grep -H '' FILES…` reads several keys in one
 * process; `nsenter --net=… tee FILE` writes one key, and several keys are
 * written by one `sh` with its builtin printf (tee only to report a failing
 * key), so a write of any number of keys is one process started from here. Only `net.*` keys are accepted: any other
 * sysctl is global and would change the whole host.
 *
 * A key is either dotted text ("net.ipv4.ip_forward") or explicit path
 * segments (["net", "ipv6", "conf", "eth0.100", "accept_ra"]) for device names
 * that contain dots.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { VirError } from '../util/errors.js';
import { HostError, commandError } from './errors.js';
import { type NetnsBinding, inNetnsArgv } from './netns.js';
import type { CommandRunner } from './runner.js';

export type SysctlKey = string | readonly string[];

export interface SysctlEntry {
  key: SysctlKey;
  value: string;
}

export interface Sysctls {
  /** The value (trimmed), or undefined when the key does not exist. */
  read(key: SysctlKey): Promise<string | undefined>;
  readMany(keys: readonly SysctlKey[]): Promise<(string | undefined)[]>;
  /** Write a value; false when the key does not exist. */
  write(key: SysctlKey, value: string): Promise<boolean>;
  /** Write several; for each entry, whether its key existed. */
  writeMany(entries: readonly SysctlEntry[]): Promise<boolean[]>;
}

/** The key of a per-device IPv6 setting: net.ipv6.conf.DEV.FIELD. */
export function ipv6ConfKey(dev: string, field: string): string[] {
  return ['net', 'ipv6', 'conf', dev, field];
}

/** The /proc/sys path of a key; throws for anything outside net.* or with unsafe segments. */
export function sysctlPath(key: SysctlKey): string {
  const segments = typeof key === 'string' ? key.split('.') : [...key];
  if (segments[0] !== 'net') throw new VirError('INTERNAL_ERROR', `refusing to touch non-network sysctl '${segments.join('.')}'`);
  for (const s of segments) {
    if (s === '' || s === '.' || s === '..' || /[/\0\s]/.test(s)) {
      throw new VirError('INTERNAL_ERROR', `invalid sysctl key '${segments.join('.')}'`);
    }
  }
  return `/proc/sys/${segments.join('/')}`;
}

function writeError(path: string, reason: string, stderr = ''): HostError {
  return new HostError('SYSTEM_ERROR', `cannot write to '${path}': ${reason}`, { reason, stderr });
}

/** Per-path messages in "tool: PATH: REASON" stderr lines. */
function stderrByPath(tool: string, stderr: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of stderr.split('\n')) {
    const prefix = `${tool}: `;
    if (!line.startsWith(prefix)) continue;
    const rest = line.slice(prefix.length);
    const at = rest.lastIndexOf(': ');
    if (at > 0) out.set(rest.slice(0, at), rest.slice(at + 2).trim());
  }
  return out;
}

/** Single-quoted for sh. */
export function shQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * sh lines writing each value to its file with the shell's own printf (no
 * process per key); only a write that fails is tried again through tee,
 * whose message names the file and the reason (dash's printf says only
 * "I/O error"). A failure sets st=1.
 */
export function sysctlWriteLines(writes: readonly { path: string; value: string }[]): string[] {
  return writes.map(({ path, value }) => {
    const v = shQuote(value);
    const p = shQuote(path);
    return `{ printf '%s\\n' ${v} > ${p}; } 2>/dev/null || { printf '%s\\n' ${v} | tee ${p} >/dev/null; } || st=1`;
  });
}

/** A whole sh script of sysctlWriteLines, exiting non-zero if any write failed. */
export function sysctlScript(writes: readonly { path: string; value: string }[]): string {
  return ['st=0', ...sysctlWriteLines(writes), 'exit $st'].join('\n');
}

/** tee's failures in its stderr, by path ("tee: PATH: REASON"). */
export function teeFailures(stderr: string): Map<string, string> {
  return stderrByPath('tee', stderr);
}

export class LinuxSysctls implements Sysctls {
  constructor(
    private readonly runner: CommandRunner,
    private readonly netns: NetnsBinding,
  ) {}

  async read(key: SysctlKey): Promise<string | undefined> {
    return (await this.readMany([key]))[0];
  }

  async readMany(keys: readonly SysctlKey[]): Promise<(string | undefined)[]> {
    const paths = keys.map(sysctlPath);
    if (paths.length === 0) return [];
    if (this.netns === null) {
      return Promise.all(
        paths.map(async (p) => {
          try {
            return (await readFile(p, 'utf8')).trim();
          } catch (e) {
            if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
            throw new HostError('SYSTEM_ERROR', `cannot read '${p}': ${(e as Error).message}`);
          }
        }),
      );
    }
    const unique = [...new Set(paths)];
    const result = await this.runner.run({ argv: inNetnsArgv(this.netns, ['grep', '-H', '', ...unique]) });
    const values = new Map<string, string[]>();
    for (const line of result.stdout.split('\n')) {
      const path = unique.find((p) => line.startsWith(`${p}:`));
      if (path === undefined) continue;
      const list = values.get(path) ?? [];
      list.push(line.slice(path.length + 1));
      values.set(path, list);
    }
    const errors = stderrByPath('grep', result.stderr);
    if (result.exitCode !== 0 && result.exitCode !== 1 && result.exitCode !== 2) {
      throw commandError('cannot read sysctls', result);
    }
    return paths.map((p) => {
      const v = values.get(p);
      if (v !== undefined) return v.join('\n').trim();
      const err = errors.get(p);
      if (err === undefined) return '';
      if (/No such file or directory/.test(err)) return undefined;
      throw new HostError('SYSTEM_ERROR', `cannot read '${p}': ${err}`, { reason: err, stderr: result.stderr });
    });
  }

  async write(key: SysctlKey, value: string): Promise<boolean> {
    return (await this.writeMany([{ key, value }]))[0] ?? false;
  }

  async writeMany(entries: readonly SysctlEntry[]): Promise<boolean[]> {
    if (entries.length === 0) return [];
    const paths = entries.map((e) => sysctlPath(e.key));
    const present: boolean[] = entries.map(() => true);
    if (this.netns === null) {
      for (const [i, p] of paths.entries()) {
        try {
          await writeFile(p, `${(entries[i] as SysctlEntry).value}\n`);
        } catch (e) {
          const err = e as NodeJS.ErrnoException;
          if (err.code === 'ENOENT') present[i] = false;
          else throw writeError(p, err.message);
        }
      }
      return present;
    }
    // One process for any number of keys: tee for one key, else one sh
    // writing them all (a process costs 2-5 ms on a busy host).
    const result =
      entries.length === 1
        ? await this.runner.run({ argv: inNetnsArgv(this.netns, ['tee', paths[0] as string]), input: `${(entries[0] as SysctlEntry).value}\n` })
        : await this.runner.run({
            argv: inNetnsArgv(this.netns, ['sh', '-c', sysctlScript(entries.map((e, i) => ({ path: paths[i] as string, value: e.value })))]),
          });
    let firstError: HostError | undefined;
    if (result.exitCode !== 0) {
      const errors = stderrByPath('tee', result.stderr);
      if (errors.size === 0) throw commandError('cannot write sysctls', result);
      for (const [i, p] of paths.entries()) {
        const err = errors.get(p);
        if (err === undefined) continue;
        if (/No such file or directory/.test(err)) present[i] = false;
        else firstError ??= writeError(p, err, result.stderr);
      }
    }
    if (firstError) throw firstError;
    return present;
  }
}
