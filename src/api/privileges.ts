/**
 * Whether this process may do virtnetd's work: bridges, nftables and
 * namespaces need CAP_NET_ADMIN, mounting /run/netns and entering
 * namespaces CAP_SYS_ADMIN. Read from the effective capability set in
 * /proc/self/status, so root without them (a container) is caught too.
 */
import { readFileSync } from 'node:fs';

const NEEDED = { CAP_NET_ADMIN: 12n, CAP_SYS_ADMIN: 21n } as const;

/** The needed capabilities missing from a /proc/PID/status text's CapEff. */
export function missingCapabilities(procStatus: string): string[] {
  const m = /^CapEff:\s*([0-9a-fA-F]+)$/m.exec(procStatus);
  const effective = m?.[1] !== undefined ? BigInt(`0x${m[1]}`) : 0n;
  return Object.entries(NEEDED)
    .filter(([, bit]) => (effective & (1n << bit)) === 0n)
    .map(([name]) => name);
}

/** This process's missing capabilities (none when /proc cannot tell). */
export function ownMissingCapabilities(): string[] {
  let text: string;
  try {
    text = readFileSync('/proc/self/status', 'utf8');
  } catch {
    return [];
  }
  return missingCapabilities(text);
}
