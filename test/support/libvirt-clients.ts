/**
 * Debian's real libvirt clients for tests: virsh (libvirt-clients) and the
 * system python with python3-libvirt. Each is run as a separate process
 * with a clean environment; tests skip when the client is not installed
 * (.ci/run installs both).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const VIRSH = '/usr/bin/virsh';
export const SYSTEM_PYTHON = '/usr/bin/python3';

export interface ClientRun {
  stdout: string;
  stderr: string;
  rc: number;
}

export const hasVirsh = (): boolean => existsSync(VIRSH);

/** Whether the system python can import libvirt's binding. */
export function hasPythonLibvirt(): boolean {
  if (!existsSync(SYSTEM_PYTHON)) return false;
  return spawnSync(SYSTEM_PYTHON, ['-c', 'import libvirt'], { stdio: 'ignore' }).status === 0;
}

/** The URI libvirt clients open to reach a libvirt socket. */
export const socketUri = (socket: string): string => `network:///system?socket=${socket}`;

/** How runClient runs a program: `stdin` is written to it (else it reads nothing), `uid` runs it as that user and group. */
export interface ClientRunOptions {
  cwd?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
  stdin?: string;
  uid?: number;
}

/** Run a program to its end, with a deadline, in a clean environment (PATH, HOME, LC_ALL=C and `env`). */
export function runClient(cmd: string, args: string[], o: ClientRunOptions = {}): Promise<ClientRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      ...(o.cwd ? { cwd: o.cwd } : {}),
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/root', LC_ALL: 'C', ...(o.env ?? {}) },
      stdio: [o.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      ...(o.uid !== undefined ? { uid: o.uid, gid: o.uid } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${cmd} ${args.join(' ')} did not finish\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, o.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (rc) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, rc: rc ?? -1 });
    });
    child.stdin?.end(o.stdin);
  });
}

/** `virsh -c URI ARGS…` */
export function virsh(uri: string, args: string[], o: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<ClientRun> {
  return runClient(VIRSH, ['-c', uri, ...args], o);
}
