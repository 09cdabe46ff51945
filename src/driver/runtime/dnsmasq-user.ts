/**
 * Which user a network's dnsmasq may run as. dnsmasq drops from root to
 * `nobody` (group `dip`) after reading its conf, and only then reads the
 * hostsfile, the addnhosts file and the servers file, again on every
 * SIGHUP. Under a private --root (mode 0700, as `mktemp -d` makes it)
 * `nobody` cannot reach them, and dnsmasq serves no static host and no DNS
 * host while the network looks fine. Then dnsmasq keeps root (`user=root`):
 * it must read what the driver writes, whatever the root's mode.
 */
import { readFileSync, type Stats, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** dnsmasq's compiled-in user and group (Debian's dnsmasq-base): nobody, dip. */
const DNSMASQ_USER = 'nobody';
const DNSMASQ_GROUP = 'dip';
const FALLBACK_ID = 65534;

function idFrom(file: string, name: string, field: number): number | undefined {
  try {
    const line = readFileSync(file, 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${name}:`));
    const value = line?.split(':')[field];
    return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether `uid` with `gids` may search every existing directory from / down to `dir`. */
export function canReach(dir: string, uid: number, gids: readonly number[]): boolean {
  const chain: string[] = [];
  for (let d = resolve(dir); ; d = dirname(d)) {
    chain.unshift(d);
    if (d === dirname(d)) break;
  }
  for (const d of chain) {
    let st: Stats;
    try {
      st = statSync(d);
    } catch {
      return true; // not made yet: the runtime makes it 0755
    }
    const bit = st.uid === uid ? 0o100 : gids.includes(st.gid) ? 0o010 : 0o001;
    if ((st.mode & bit) === 0) return false;
  }
  return true;
}

/** `root` when dnsmasq's usual user cannot reach `dir` (see the header), else undefined (its default). */
export function dnsmasqUserFor(dir: string): 'root' | undefined {
  const uid = idFrom('/etc/passwd', DNSMASQ_USER, 2) ?? FALLBACK_ID;
  const gids = [idFrom('/etc/group', DNSMASQ_GROUP, 2), idFrom('/etc/passwd', DNSMASQ_USER, 3) ?? FALLBACK_ID].filter(
    (g): g is number => g !== undefined,
  );
  return canReach(dir, uid, gids) ? undefined : 'root';
}
