/**
 * Running the real virtnetd process in end-to-end tests: the daemon is
 * bundled from src/api/main.ts exactly as scripts/build.mjs does, into a
 * private folder (esbuild-bundle.ts: a stale dist/ never hides a change, and
 * parallel test files never race on one bundle), then spawned
 * with `node BUNDLE ARGS…`. Every daemon a test starts is tracked and ended
 * by PID when the test file is done, whatever happened.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { defaultNetworkMarkerPath } from '../../src/driver/network/default-network.js';
import { virtnetPaths } from '../../src/driver/common/paths.js';
import type { HttpVirtnetClient } from '../../src/client/index.js';
import { removeCliBundle } from './cli-harness.js';
import { testBundle } from './esbuild-bundle.js';
import { deleteGuestNamespaces } from './guest-fixture.js';
import { createNetns, deleteNetns, inNetns } from './netns.js';

const bundle = testBundle('src/api/main.ts', 'virtnetd.js');

/** Bundle the daemon once per test file; returns the bundle's path. */
export function daemonBundle(): Promise<string> {
  return bundle.path();
}

export interface DaemonProcess {
  child: ChildProcess;
  pid: number;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or signal name) when the process ends. */
  exited: Promise<number | string>;
  /** Wait until stdout matches. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
}

const live = new Set<ChildProcess>();

export interface SpawnOptions {
  /** A program that execs the rest, e.g. prlimit. */
  prefix?: string[];
  /**
   * Let the daemon define libvirt's `default` network on a fresh --root, as a
   * first start does. Off by default: the harness marks the root as decided
   * (STATE/default-network), so tests start from a root with no network.
   */
  defaultNetwork?: boolean;
  /** Run as this user (and group), e.g. 65534 (nobody); the bundle is made readable to it. */
  uid?: number;
  /** The node binary to run the bundle with (this test's own by default), and options for it (as bin/virtnetd's). */
  node?: string;
  nodeArgs?: string[];
}

/** The --root a daemon's arguments give, if any. */
function rootOf(args: readonly string[]): string | undefined {
  const i = args.indexOf('--root');
  if (i >= 0) return args[i + 1];
  return args.find((a) => a.startsWith('--root='))?.slice('--root='.length);
}

/** Start `node BUNDLE args…`, or `PREFIX… node [NODE-ARGS…] BUNDLE args…`. */
export async function spawnDaemon(args: string[], options: SpawnOptions = {}): Promise<DaemonProcess> {
  const path = await daemonBundle();
  const root = rootOf(args);
  if (root !== undefined && options.defaultNetwork !== true) {
    const marker = defaultNetworkMarkerPath(virtnetPaths(resolve(root)));
    if (!existsSync(marker)) {
      mkdirSync(dirname(marker), { recursive: true });
      writeFileSync(marker, 'not defined: a test root\n');
    }
  }
  const argv = [...(options.prefix ?? []), options.node ?? process.execPath, ...(options.nodeArgs ?? []), path, ...args];
  if (options.uid !== undefined) chmodSync(dirname(path), 0o755);
  const child = spawn(argv[0] as string, argv.slice(1), {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.uid !== undefined ? { uid: options.uid, gid: options.uid } : {}),
  });
  live.add(child);
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (err += c));
  const exited = new Promise<number | string>((res) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      res(code ?? signal ?? 'unknown');
    });
  });
  let ended = false;
  void exited.then(() => (ended = true));
  return {
    child,
    pid: child.pid ?? -1,
    stdout: () => out,
    stderr: () => err,
    exited,
    async waitFor(pattern, timeoutMs = 15_000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const m = out.match(pattern);
        if (m) return m;
        if (ended || Date.now() > end) {
          throw new Error(`virtnetd did not print ${pattern} (${ended ? 'it exited' : 'timeout'})\nstdout: ${out}\nstderr: ${err.slice(-3000)}`);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

/** A daemon that serves: its sockets, and its TCP port and token when it listens on TCP. */
export type ServingDaemon = DaemonProcess & { socket: string; readonlySocket: string; port?: number; token?: string };

/** Start a daemon and wait until it serves; returns it with its sockets, token and TCP port. */
export async function startServing(args: string[], options: SpawnOptions = {}): Promise<ServingDaemon> {
  const d = await spawnDaemon(args, options);
  const m = await d.waitFor(/serving unix:\/\/(\S+) \(read-only: (\S+)\)/);
  const socket = m[1] ?? '';
  const readonlySocket = m[2] ?? '';
  if (!args.some((a) => a.startsWith('--listen'))) return { ...d, socket, readonlySocket };
  const t = await d.waitFor(/serving http:\/\/127\.0\.0\.1:(\d+) \(every request needs 'Authorization: Bearer ([0-9a-f]+)'\)/);
  return { ...d, socket, readonlySocket, port: Number(t[1]), token: t[2] ?? '' };
}

/** The URI a daemon tells libvirt's clients (virsh, virt-manager, bindings) to connect with. */
export async function libvirtUriOf(daemon: DaemonProcess): Promise<string> {
  return (await daemon.waitFor(/libvirt clients \(virsh, virt-manager, bindings\) connect with -c '([^']+)'/))[1] ?? '';
}

/** End every daemon still running (SIGTERM, then SIGKILL), and remove the bundle. */
export async function endAllDaemons(): Promise<void> {
  for (const child of [...live]) {
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    await Promise.race([gone, new Promise((r) => setTimeout(r, 3000))]);
    if (live.has(child)) child.kill('SIGKILL');
  }
  bundle.remove();
}

/** Where one describe block's daemons run: a test namespace and a scratch folder. */
export interface DaemonSite {
  readonly ns: string;
  readonly dir: string;
  /** Clients the tests connected: closed after them, before the daemons end. */
  readonly clients: HttpVirtnetClient[];
}

/**
 * Make a namespace (`createNetns(tag)`) and a scratch folder before the block's tests (`open`: mode
 * 0755, as /run is, so any user may reach a read-only socket in it); after them, close the clients,
 * end every daemon and remove the CLI bundle, the guest namespaces a daemon left (NS-…), the
 * namespace and the folder.
 */
export function daemonSite(tag: string, options: { open?: boolean } = {}): DaemonSite {
  const site = { ns: '', dir: '', clients: [] as HttpVirtnetClient[] };
  beforeAll(() => {
    site.ns = createNetns(tag);
    site.dir = mkdtempSync(join(tmpdir(), `vnt-${tag}-`));
    if (options.open === true) chmodSync(site.dir, 0o755);
  });
  afterAll(async () => {
    await Promise.all(site.clients.map((c) => c.close().catch(() => {})));
    await endAllDaemons();
    removeCliBundle();
    if (site.ns) {
      deleteGuestNamespaces(site.ns);
      deleteNetns(site.ns);
    }
    if (site.dir) rmSync(site.dir, { recursive: true, force: true });
  });
  return site;
}

/** One test's own daemon, in its own namespace over its own root. */
export interface FreshDaemon {
  ns: string;
  root: string;
  /** The daemon's whole argument list: start it again with these. */
  args: string[];
  daemon: ServingDaemon;
  /** The environment that points the CLI at it. */
  env: { VIRTNET_DEFAULT_URI: string };
}

/**
 * Run `body` with a fresh virtnetd (`--root ROOT --netns NS` and `args`) in a fresh namespace over a
 * fresh root; then end every daemon and remove both. `hostBridge`: a bridge made in the namespace
 * first (a network that forwards to a host bridge needs it); `open`: the root gets mode 0755.
 */
export async function withFreshDaemon<T>(
  tag: string,
  args: string[],
  body: (fresh: FreshDaemon) => Promise<T>,
  options: { hostBridge?: string; open?: boolean } = {},
): Promise<T> {
  const ns = createNetns(tag);
  const root = mkdtempSync(join(tmpdir(), `vnt-${tag}-`));
  try {
    if (options.hostBridge !== undefined) inNetns(ns, 'ip', ['link', 'add', options.hostBridge, 'type', 'bridge']);
    if (options.open === true) chmodSync(root, 0o755);
    const all = ['--root', root, '--netns', ns, ...args];
    const daemon = await startServing(all);
    return await body({ ns, root, args: all, daemon, env: { VIRTNET_DEFAULT_URI: `unix://${daemon.socket}` } });
  } finally {
    await endAllDaemons();
    deleteNetns(ns);
    rmSync(root, { recursive: true, force: true });
  }
}

process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});
