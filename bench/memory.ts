/**
 * Memory of a group of processes, four ways (bench helper, Linux, root):
 *
 * - rss: summed VmRSS, what libvirt's bench.sh reports. Every page a
 *   process maps counts once per process, so a shared library mapped by
 *   400 processes counts 400 times: it measures process count as much as
 *   memory.
 * - pss: summed Pss (smaps_rollup): each page divided by the number of
 *   processes mapping it, *on the whole machine*. Shared pages are counted
 *   once in total, but the group's share of them shrinks when unrelated
 *   processes (other Node programs, everything using libc) map them too.
 * - uss: summed private pages (Private_Clean + Private_Dirty): what the
 *   group alone holds, page by page; pages the group's own processes share
 *   (a forked helper's copy-on-write pages, a library only they use) are
 *   left out altogether.
 * - unique: distinct physical pages mapped by any process of the group,
 *   from /proc/PID/pagemap. Each page counts once however many of the
 *   group's processes map it, and fully even if processes outside the
 *   group map it too. This is the memory the group actually occupies (an
 *   upper bound on what stopping it would free), the honest "total
 *   memory" of several processes; it needs root (page frame numbers).
 */
import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';

export interface GroupMemory {
  processes: number;
  rssKiB: number;
  pssKiB: number;
  ussKiB: number;
  /** Distinct physical pages × page size; undefined when pagemap gives no frame numbers. */
  uniqueKiB: number | undefined;
}

const PAGE = 4096;

function rollup(pid: number): { rss: number; pss: number; uss: number } | undefined {
  try {
    const t = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const g = (k: string): number => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(t)?.[1] ?? 0);
    return { rss: g('Rss'), pss: g('Pss'), uss: g('Private_Clean') + g('Private_Dirty') };
  } catch {
    return undefined;
  }
}

/** Add the frame numbers of pid's present pages to `frames`; false when frame numbers are hidden. */
function addFrames(pid: number, frames: Set<number>): boolean {
  let smaps: string;
  try {
    smaps = readFileSync(`/proc/${pid}/smaps`, 'utf8');
  } catch {
    return true;
  }
  let fd: number;
  try {
    fd = openSync(`/proc/${pid}/pagemap`, 'r');
  } catch {
    return true;
  }
  let sawFrame = false;
  let sawPresent = false;
  try {
    let range: [number, number] | undefined;
    for (const line of smaps.split('\n')) {
      const head = /^([0-9a-f]+)-([0-9a-f]+) /.exec(line);
      if (head) {
        range = [parseInt(head[1] as string, 16), parseInt(head[2] as string, 16)];
        continue;
      }
      const rss = /^Rss:\s+(\d+) kB/.exec(line);
      if (!rss || !range || Number(rss[1]) === 0) continue;
      const [start, end] = range;
      const pages = (end - start) / PAGE;
      const buf = Buffer.alloc(pages * 8);
      const read = readSync(fd, buf, 0, buf.length, (start / PAGE) * 8);
      for (let off = 0; off + 8 <= read; off += 8) {
        const hi = buf.readUInt32LE(off + 4);
        if ((hi & 0x80000000) === 0) continue; // not present
        sawPresent = true;
        const pfn = (hi & 0x007fffff) * 2 ** 32 + buf.readUInt32LE(off);
        if (pfn !== 0) {
          sawFrame = true;
          frames.add(pfn);
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  return sawFrame || !sawPresent;
}

/** The memory of a group of processes (see the module comment); processes that vanished meanwhile are skipped. */
export function groupMemory(pids: readonly number[], opts: { unique?: boolean } = {}): GroupMemory {
  let rss = 0;
  let pss = 0;
  let uss = 0;
  let n = 0;
  for (const pid of pids) {
    const r = rollup(pid);
    if (!r) continue;
    n++;
    rss += r.rss;
    pss += r.pss;
    uss += r.uss;
  }
  let uniqueKiB: number | undefined;
  if (opts.unique !== false) {
    const frames = new Set<number>();
    let ok = true;
    for (const pid of pids) ok = addFrames(pid, frames) && ok;
    uniqueKiB = ok ? (frames.size * PAGE) / 1024 : undefined;
  }
  return { processes: n, rssKiB: rss, pssKiB: pss, ussKiB: uss, uniqueKiB };
}

/** "RSS a / PSS b / USS c / unique d MiB" */
export function formatMemory(m: GroupMemory): string {
  const mib = (k: number | undefined): string => (k === undefined ? 'n/a' : (k / 1024).toFixed(1));
  return `RSS ${mib(m.rssKiB)} / PSS ${mib(m.pssKiB)} / USS ${mib(m.ussKiB)} / unique ${mib(m.uniqueKiB)} MiB`;
}

/** The processes whose parent is `pid` (a daemon's helpers: its fork server, the dnsmasq zygote). */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(entry));
    } catch {
      /* gone */
    }
  }
  return out;
}
