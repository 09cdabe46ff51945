/**
 * The script the end-to-end tests give busybox udhcpc (`-s`): on a lease it
 * configures the leased address (and the router as the default route, when
 * one is offered) and prints `LEASE <ip> ROUTER <router|none>` for the
 * test to read. Never dhclient's own script, which would rewrite the host's
 * /etc/resolv.conf. Written once per process into a private folder that is
 * removed when the process exits. Used by runtime-fixture.ts (udhcpc in a
 * namespace) and guest-fixture.ts (udhcpc through guest-exec).
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let scriptPath: string | undefined;

/** The script's path (written on first call). */
export function udhcpcScript(): string {
  if (scriptPath) return scriptPath;
  const dir = mkdtempSync(join(tmpdir(), 'vnt-udhcpc-'));
  chmodSync(dir, 0o755);
  scriptPath = join(dir, 'script.sh');
  writeFileSync(
    scriptPath,
    [
      '#!/bin/sh',
      'case "$1" in',
      '  bound|renew)',
      '    ip addr flush dev "$interface"',
      '    ip addr add "$ip/$mask" dev "$interface"',
      '    if [ -n "$router" ]; then ip route replace default via "${router%% *}" dev "$interface"; fi',
      '    echo "LEASE $ip ROUTER ${router:-none}"',
      '    ;;',
      'esac',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return scriptPath;
}

/** busybox udhcpc on `iface` with this script: up to `tries` discovers 1 s apart, then it exits (-n -q, in the foreground). */
export function udhcpcArgv(iface: string, tries: number): string[] {
  return ['busybox', 'udhcpc', '-i', iface, '-n', '-q', '-f', '-t', String(tries), '-T', '1', '-A', '1', '-s', udhcpcScript()];
}
