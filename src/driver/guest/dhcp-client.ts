/**
 * guest-exec's one command of virtnet's own: `dhcp [IFACE…]` (default
 * eth0) runs busybox's DHCP client in a netns guest with a script that
 * applies the lease — address, and the router as default route unless the
 * guest has one already — and
 * prints one line per interface: "eth0: 192.168.120.10/24 router
 * 192.168.120.1 dns 192.168.120.1". busybox udhcpc without a script gets a
 * lease but configures nothing. The guest's name goes out as its host name
 * (DHCP option 12), so dnsmasq answers for it. The script never writes
 * /etc/resolv.conf: a netns guest shares the host's files.
 *
 * udhcpc's own progress lines are shown only when it fails.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const DHCP_COMMAND = 'dhcp';

const SCRIPT = `#!/bin/sh
# virtnet's udhcpc script (virtnet guest-exec GUEST -- dhcp IFACE): applies a lease and prints it.
case "$1" in
  deconfig)
    ip -4 addr flush dev "$interface"
    ip link set "$interface" up
    ;;
  bound|renew)
    ip -4 addr flush dev "$interface"
    ip addr add "$ip/\${mask:-24}" \${broadcast:+broadcast "$broadcast"} dev "$interface"
    gw=\${router%% *}
    # The first interface with a router keeps the default route.
    [ -n "$gw" ] && [ -z "$(ip -4 route show default)" ] && ip route add default via "$gw" dev "$interface"
    echo "$interface: $ip/\${mask:-24}\${gw:+ router $gw}\${dns:+ dns $dns}\${domain:+ domain $domain}"
    ;;
esac
exit 0
`;

/** The script's path under RUN, written (0755) when it is missing or out of date. */
export function ensureDhcpScript(runDir: string): string {
  const path = join(runDir, 'udhcpc.script');
  let current: string | undefined;
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    current = undefined;
  }
  if (current !== SCRIPT) {
    mkdirSync(runDir, { recursive: true, mode: 0o755 });
    writeFileSync(path, SCRIPT, { mode: 0o755 });
  }
  return path;
}

/** The command line that stands for `dhcp IFACE…` in the guest `guestName`. */
export function dhcpArgv(args: readonly string[], script: string, guestName: string): string[] {
  const ifaces = args.length > 0 ? args : ['eth0'];
  const hostname = /^[A-Za-z0-9][A-Za-z0-9-]{0,62}$/.test(guestName) ? ['-x', `hostname:${guestName}`] : [];
  // Each interface in turn; udhcpc's chatter (stderr) is printed only when it gets no lease.
  const program = [
    'exec 3>&1',
    'rc=0',
    'for i in "$@"; do',
    `  err=$(busybox udhcpc -i "$i" -n -q -t 5 -T 2 -s '${script.replaceAll("'", "'\\''")}' ${hostname.map((w) => `'${w}'`).join(' ')} 2>&1 >&3) || { printf '%s\\n' "$err" >&2; rc=1; }`,
    'done',
    'exit $rc',
  ].join('\n');
  return ['sh', '-c', program, DHCP_COMMAND, ...ifaces];
}
