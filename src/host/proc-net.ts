/**
 * Facts of a network namespace read from procfs instead of by running
 * `ip`: its IPv4 main routing table (/proc/net/route) and the names of its
 * network devices (/proc/net/dev).
 *
 * Why: every network start checks the routes for subnet collisions, and
 * every define checks that a bridge name is free. `ip` costs a process
 * (2–5 ms on a busy 2-vCPU machine, most of it forking a large Node
 * process, which blocks its event loop) and `ip -j route` grows with the
 * table (it names each route's device: 7 → 15 ms with 400 bridges);
 * reading a small text file costs ~0.1 ms.
 *
 * How: /proc/PID/net/… shows PID's network namespace (the kernel resolves
 * /proc/PID/net through the task's namespace). For the namespace this
 * process runs in that is /proc/self/net; for a bound namespace it needs a
 * process known to live there (the runtime passes the pids of its
 * dnsmasqs). A pid is only trusted if /proc/PID/ns/net is the bound
 * namespace both before and after the read, so a pid that exited and was
 * reused elsewhere in between is never believed. Without such a process
 * the caller falls back to `ip`.
 *
 * /proc/net/route:
 * The format (one line per route, after a header): Iface, Destination,
 * Gateway, Flags, RefCnt, Use, Metric, Mask, MTU, Window, IRTT. Addresses
 * are the 32-bit network-order value printed as a host-order hex number, so
 * on little-endian machines the bytes read backwards. Routes without a
 * device show Iface `*`; unreachable and prohibit routes carry RTF_REJECT
 * (0x0200), blackhole routes only the missing device. Broadcast and local
 * routes live in the local table and are not shown, like `ip route show`.
 */
import { readFileSync, readlinkSync } from 'node:fs';
import { endianness } from 'node:os';
import type { RouteRecord } from './facts-parse.js';

const RTF_GATEWAY = 0x0002;
const RTF_REJECT = 0x0200;

/** A /proc/net/route hex address as dotted quad. */
function hexToIpv4(hex: string, littleEndian: boolean): string | undefined {
  if (!/^[0-9A-Fa-f]{8}$/.test(hex)) return undefined;
  const n = parseInt(hex, 16);
  const bytes = [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
  return (littleEndian ? bytes.reverse() : bytes).join('.');
}

/** The prefix length of a contiguous dotted-quad netmask, or undefined. */
function prefixOfMask(mask: string): number | undefined {
  const n = mask.split('.').reduce((acc, b) => acc * 256 + Number(b), 0);
  let prefix = 0;
  while (prefix < 32 && n & (0x80000000 >>> prefix)) prefix++;
  const expected = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return n === expected ? prefix : undefined;
}

/**
 * Parse /proc/net/route as route records (family ipv4, table main).
 * `type` is 'unicast', or 'unreachable' for a reject route or one without
 * a device (the file does not say which of blackhole, unreachable or
 * prohibit it is; a unicast route always has a device).
 */
export function parseProcNetRoute(text: string, littleEndian = endianness() === 'LE'): RouteRecord[] {
  const out: RouteRecord[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const [iface, dstHex, gwHex, flagsHex, , , metricText, maskHex] = f as [string, string, string, string, string, string, string, string];
    const dst = hexToIpv4(dstHex, littleEndian);
    const mask = hexToIpv4(maskHex, littleEndian);
    const gateway = hexToIpv4(gwHex, littleEndian);
    const flags = parseInt(flagsHex, 16);
    if (dst === undefined || mask === undefined || !Number.isFinite(flags)) continue;
    const prefix = prefixOfMask(mask);
    if (prefix === undefined) continue;
    const rec: RouteRecord = { family: 'ipv4', dst, prefix, type: flags & RTF_REJECT || iface === '*' ? 'unreachable' : 'unicast', table: 'main' };
    if (iface !== '*') rec.dev = iface;
    if (flags & RTF_GATEWAY && gateway !== undefined) rec.gateway = gateway;
    const metric = Number(metricText);
    if (Number.isInteger(metric) && metric > 0) rec.metric = metric;
    out.push(rec);
  }
  return out;
}

/** Inode in a namespace link text such as "net:[4026532247]". */
function netnsInodeOf(link: string): number | undefined {
  const m = /^net:\[(\d+)\]$/.exec(link);
  return m ? Number(m[1]) : undefined;
}

function nsInodeOfPid(pid: number): number | undefined {
  try {
    return netnsInodeOf(readlinkSync(`/proc/${pid}/ns/net`));
  } catch {
    return undefined;
  }
}

/** Device names in /proc/net/dev ("  NAME: counters…" after two header lines). */
export function parseProcNetDev(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon > 0) out.push(line.slice(0, colon).trim());
  }
  return out;
}

export type ProcNetFile = 'route' | 'dev';

/**
 * /proc/net/FILE of the namespace with inode `netnsInode`, read through the
 * first of `pids` that lives in it (checked before and after the read), or
 * undefined when none does. Synchronous on purpose: these are procfs files
 * generated from kernel memory (tens of microseconds), cheaper read at
 * once than handed to the thread pool three times.
 */
export function readNetFileThroughPids(file: ProcNetFile, pids: readonly number[], netnsInode: number): string | undefined {
  for (const pid of pids) {
    if (!Number.isInteger(pid) || pid <= 1) continue;
    if (nsInodeOfPid(pid) !== netnsInode) continue;
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/net/${file}`, 'utf8');
    } catch {
      continue;
    }
    if (nsInodeOfPid(pid) !== netnsInode) continue;
    return text;
  }
  return undefined;
}

/** /proc/net/FILE of the namespace this process runs in (or undefined). */
export function readOwnNetFile(file: ProcNetFile): string | undefined {
  try {
    return readFileSync(`/proc/self/net/${file}`, 'utf8');
  } catch {
    return undefined;
  }
}
