/**
 * Helpers for the runtime's end-to-end tests (test/e2e/runtime-*.test.ts),
 * on top of the namespace fixture (./netns.ts): a private virtnet root,
 * guest namespaces plugged into a bridge by veth, a real DHCP client
 * (busybox udhcpc) that configures what it leases, ping, small TCP probes
 * (a server that answers with the peer address it sees) and DNS lookups
 * through busybox nslookup. Everything polls with a deadline instead of
 * sleeping a fixed time.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { virtnetPaths, type VirtnetPaths } from '../../src/driver/common/paths.js';
import { pollUntil } from '../support/poll.js';
import { createNetns, inNetns, vethBetween } from './netns.js';
import { udhcpcArgv } from './udhcpc-script.js';

export const have = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

/** A private root for virtnet's three trees. dnsmasq re-reads some files as `nobody`, so the root is 0755. */
export function makeRoot(tag: string): { root: string; paths: VirtnetPaths; remove: () => void } {
  const root = mkdtempSync(join(tmpdir(), `vnt-${tag}-`));
  chmodSync(root, 0o755);
  return { root, paths: virtnetPaths(root), remove: () => rmSync(root, { recursive: true, force: true }) };
}

export function ipn(ns: string, ...args: string[]): string {
  return inNetns(ns, 'ip', args);
}

/** A guest namespace whose eth0 (with `mac`, if given) is a veth whose host end `hostIf` is a port of `bridge`. */
export function plugGuest(host: string, tag: string, bridge: string, hostIf: string, mac?: string): string {
  const g = createNetns(tag);
  vethBetween(host, hostIf, g, 'eth0');
  if (mac !== undefined) {
    ipn(g, 'link', 'set', 'eth0', 'down');
    ipn(g, 'link', 'set', 'eth0', 'address', mac);
    ipn(g, 'link', 'set', 'eth0', 'up');
  }
  ipn(host, 'link', 'set', hostIf, 'master', bridge);
  return g;
}

export interface Lease {
  ip: string;
  router: string | undefined;
}

/**
 * Run busybox udhcpc once in `ns` (up to 10 discovers 1 s apart, enough for
 * a port of an STP bridge to reach forwarding); the lease it got and
 * configured, or undefined.
 */
export function dhcp(ns: string, hostname?: string, tries = 10): Lease | undefined {
  const args = ['netns', 'exec', ns, ...udhcpcArgv('eth0', tries)];
  if (hostname !== undefined) args.push('-x', `hostname:${hostname}`);
  const r = spawnSync('ip', args, { encoding: 'utf8', timeout: 20_000 });
  const m = /LEASE (\S+) ROUTER (\S+)/.exec(r.stdout);
  if (r.status !== 0 || !m) return undefined;
  return { ip: m[1] as string, router: m[2] === 'none' ? undefined : m[2] };
}

export function ping(ns: string, addr: string, tries = 1): boolean {
  for (let i = 0; i < tries; i++) {
    if (spawnSync('ip', ['netns', 'exec', ns, 'ping', '-n', '-q', '-c', '1', '-W', '1', addr], { stdio: 'ignore' }).status === 0) return true;
  }
  return false;
}

/** Poll `check` until it is true or `ms` pass. */
export function until(check: () => boolean | Promise<boolean>, ms = 5000, what = 'condition'): Promise<void> {
  return pollUntil(check, { ms, everyMs: 50, what });
}

const serverCode = `
const net = require('net');
net.createServer((s) => s.end(s.remoteAddress + '\\n'))
  .listen(Number(process.argv[1]), '0.0.0.0', () => console.log('listening'));
`;
const clientCode = `
const net = require('net');
const [host, port] = process.argv.slice(1);
const s = net.connect({ host, port: Number(port) });
let out = '';
s.setTimeout(2500, () => { console.log('ERR timeout'); process.exit(0); });
s.on('data', (d) => (out += d));
s.on('end', () => { console.log('OK ' + out.trim()); process.exit(0); });
s.on('error', (e) => { console.log('ERR ' + e.code); process.exit(0); });
`;

const udpServerCode = `
const dgram = require('dgram');
const s = dgram.createSocket('udp4');
s.on('message', (m, r) => s.send(r.address + '\\n', r.port, r.address));
s.bind(Number(process.argv[1]), '0.0.0.0', () => console.log('listening'));
`;
const udpClientCode = `
const dgram = require('dgram');
const [host, port, from] = process.argv.slice(1);
const s = dgram.createSocket('udp4');
const done = (line) => { console.log(line); process.exit(0); };
setTimeout(() => done('ERR timeout'), 2500);
s.on('message', (m) => done('OK ' + m.toString().trim()));
s.on('error', (e) => done('ERR ' + e.code));
s.bind(from === undefined ? 0 : Number(from), () => s.connect(Number(port), host, () => s.send('ping')));
`;

const udpKeepaliveCode = `
const dgram = require('dgram');
const [host, port, from, every] = process.argv.slice(1);
const s = dgram.createSocket('udp4');
s.on('message', (m) => console.log('OK ' + m.toString().trim()));
s.on('error', (e) => console.log('ERR ' + e.code));
const tick = () => s.send('ping', (e) => e && console.log('ERR ' + e.code));
s.bind(Number(from), () => s.connect(Number(port), host, () => { console.log('sending'); tick(); setInterval(tick, Number(every)); }));
`;

export const PORT = '7007';
const servers: ChildProcess[] = [];

/** A TCP server in `ns` (on `port`) that answers every connection with the peer address it sees. */
export async function startServer(ns: string, port = PORT): Promise<void> {
  servers.push(await startUntil('ip', ['netns', 'exec', ns, process.execPath, '-e', serverCode, port], 'listening'));
}

/** Start a background process and wait (5 s at most) for `ready` on its stdout; the caller ends it. */
export function startUntil(cmd: string, args: string[], ready: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const fail = (why: string): void => {
      if (child.exitCode === null) child.kill('SIGKILL');
      reject(new Error(`${cmd} ${args.join(' ')}: ${why} (${err})`));
    };
    const timer = setTimeout(() => fail(`no "${ready}"`), 5000);
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes(ready)) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      fail(`exited (${code})`);
    });
  });
}

/** A UDP server in `ns` (on `port`) that answers every datagram with the peer address it sees. */
export async function startUdpServer(ns: string, port: string): Promise<void> {
  servers.push(await startUntil('ip', ['netns', 'exec', ns, process.execPath, '-e', udpServerCode, port], 'listening'));
}

/** A UDP client that keeps its source port and sends on and on (as a WireGuard peer's keepalives); `answers` grows as it hears back. */
export interface UdpKeepalive {
  /** "OK <address the server saw>" or "ERR <code>" (e.g. ECONNREFUSED: an ICMP port unreachable came back), in order. */
  readonly answers: string[];
  stop(): void;
}

/** Start a UdpKeepalive in `ns` from port `from` to host:port, one datagram every `everyMs`; stop() or stopServers() ends it. */
export async function startUdpKeepalive(ns: string, host: string, port: string, from: string, everyMs = 200): Promise<UdpKeepalive> {
  const child = await startUntil('ip', ['netns', 'exec', ns, process.execPath, '-e', udpKeepaliveCode, host, port, from, String(everyMs)], 'sending');
  servers.push(child);
  const answers: string[] = [];
  let rest = '';
  child.stdout!.on('data', (d: Buffer) => {
    const lines = (rest + d.toString()).split('\n');
    rest = lines.pop() ?? '';
    for (const l of lines) if (l.startsWith('OK ') || l.startsWith('ERR ')) answers.push(l.trim());
  });
  return { answers, stop: () => child.kill('SIGKILL') };
}

/** Give `host` an uplink: a veth from its up0 (192.0.2.1/24) to the `uplink` namespace's eth0 (192.0.2.2/24). */
export function linkUplink(host: string, uplink: string): void {
  vethBetween(host, 'up0', uplink, 'eth0');
  ipn(host, 'addr', 'add', '192.0.2.1/24', 'dev', 'up0');
  ipn(uplink, 'addr', 'add', '192.0.2.2/24', 'dev', 'eth0');
}

/** Stop the servers (the namespaces' removal would end them too). */
export function stopServers(): void {
  for (const c of servers.splice(0)) if (c.pid !== undefined && c.exitCode === null) c.kill('SIGKILL');
}

/** "OK <address the server saw>" or "ERR <code>" (a connection from `ns` to host:port). */
export function connect(ns: string, host: string, port = PORT): string {
  const r = spawnSync('ip', ['netns', 'exec', ns, process.execPath, '-e', clientCode, host, port], { encoding: 'utf8', timeout: 10_000 });
  return r.stdout.trim();
}

/**
 * "OK <address the server saw>", "ERR ECONNREFUSED" (an ICMP port unreachable
 * came back) or "ERR timeout": one datagram from `ns` to host:port on a
 * connected socket, so only an answer from host:port itself counts; from
 * source port `from` if given, else any.
 */
export function exchangeUdp(ns: string, host: string, port: string, from?: string): string {
  const args = ['netns', 'exec', ns, process.execPath, '-e', udpClientCode, host, port, ...(from === undefined ? [] : [from])];
  return spawnSync('ip', args, { encoding: 'utf8', timeout: 10_000 }).stdout.trim();
}

/** The addresses busybox nslookup gets for `name` from `server`. */
export function lookup(ns: string, name: string, server: string): string[] {
  const r = spawnSync('ip', ['netns', 'exec', ns, 'busybox', 'nslookup', '-type=a', name, server], { encoding: 'utf8', timeout: 10_000 });
  const out = r.stdout.split('\n');
  const at = out.findIndex((l) => l.startsWith('Name:'));
  if (at < 0) return [];
  return out.slice(at).flatMap((l) => {
    const m = /^Address:\s+(\S+)$/.exec(l.trim());
    return m ? [m[1] as string] : [];
  });
}

/** PIDs running in a namespace other than this process. */
export function pidsIn(ns: string): number[] {
  const r = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' });
  return r.stdout
    .split(/\s+/)
    .filter((s) => /^\d+$/.test(s))
    .map(Number);
}

/** How many inotify instances a process holds (dnsmasq's count against fs.inotify.max_user_instances). */
export function inotifyInstances(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).filter((fd) => {
    try {
      return readlinkSync(`/proc/${pid}/fd/${fd}`) === 'anon_inode:inotify';
    } catch {
      return false;
    }
  }).length;
}
