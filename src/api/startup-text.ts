/**
 * What virtnetd tells the person who started it, in one place (for
 * translation): where it serves, the TCP token and console, the networks it
 * adopted, autostarted or defined, and what went wrong on the way.
 *
 * Two layouts of the same facts: plain lines ("virtnetd: …") for a pipe or
 * a file, which scripts and tests read, and, at a terminal, a short table
 * with the console's URL and token in a box.
 */
import type { DriverStartup } from './daemon.js';
import type { SandboxNames } from './sandbox.js';

export interface StartupFacts {
  version: string;
  socket: string;
  readonlySocket: string;
  tcp?: { url: string; token: string; tokenFile: string };
  libvirtUri?: string;
  sandbox?: SandboxNames;
  netns: string | null;
  startup?: DriverStartup;
}

/** Texts the daemon prints or fails with outside the start-up summary. */
export const DAEMON_TEXT = {
  needsPrivileges: (missing: readonly string[]) =>
    `needs root (or the capabilities CAP_NET_ADMIN and CAP_SYS_ADMIN) to create bridges, firewall rules and network namespaces; this process lacks ${missing.join(' and ')}. Run it as root, e.g. 'sudo virtnetd --sandbox'.`,
  notServingLibvirt: (why: string) => `virtnetd: not serving libvirt clients: ${why}`,
} as const;

const MAX_PROBLEMS = 5;

function names(list: readonly string[]): string {
  return list.join(', ');
}

/** The networks part of the summary, as phrases: adopted, autostarted, `default`, problems (each a warning). */
function networkPhrases(s: DriverStartup | undefined): { notes: string[]; warnings: string[] } {
  const notes: string[] = [];
  const warnings: string[] = [];
  if (s === undefined) return { notes, warnings };
  if (s.adopted.length > 0) notes.push(`adopted the running networks ${names(s.adopted)}`);
  const d = s.defaultNetwork;
  if (d?.kind === 'defined') {
    notes.push(
      `defined libvirt's 'default' network: NAT on ${d.subnet}, autostart${d.takenBy !== undefined ? ` (192.168.122.0/24 is in use by ${d.takenBy})` : ''}`,
    );
    if (d.startError !== undefined) warnings.push(`the 'default' network did not start: ${d.startError}`);
  } else if (d?.kind === 'no-free-subnet') {
    warnings.push(`libvirt's 'default' network is not defined: 192.168.122.0/24 (used by ${d.takenBy}) and 192.168.124-254.0/24 are all in use`);
  }
  if (s.autostarted.length > 0) notes.push(`autostarted ${names(s.autostarted)}`);
  for (const p of s.problems.slice(0, MAX_PROBLEMS)) warnings.push(`${p.subject}: ${p.message}`);
  if (s.problems.length > MAX_PROBLEMS) warnings.push(`and ${s.problems.length - MAX_PROBLEMS} more problems (see the log)`);
  return { notes, warnings };
}

/** The summary as plain lines, for a pipe or a file. */
export function plainStartupLines(f: StartupFacts): string[] {
  const lines = [`virtnetd ${f.version}: serving unix://${f.socket} (read-only: ${f.readonlySocket})`];
  if (f.tcp) {
    lines.push(`virtnetd: serving ${f.tcp.url} (every request needs 'Authorization: Bearer ${f.tcp.token}')`);
    lines.push(`virtnetd: web console at ${f.tcp.url}/ (log in with the token above, also in ${f.tcp.tokenFile})`);
  }
  if (f.libvirtUri !== undefined) lines.push(`virtnetd: libvirt clients (virsh, virt-manager, bindings) connect with -c '${f.libvirtUri}'`);
  if (f.sandbox) lines.push(`virtnetd: sandbox network namespace '${f.sandbox.netns}' with uplink namespace '${f.sandbox.uplink}'`);
  else if (f.netns) lines.push(`virtnetd: networks live in network namespace '${f.netns}'`);
  const { notes, warnings } = networkPhrases(f.startup);
  for (const n of notes) lines.push(`virtnetd: ${n}`);
  for (const w of warnings) lines.push(`virtnetd: warning: ${w}`);
  return lines;
}

/** A box around lines (width of the longest). */
function box(lines: readonly string[]): string[] {
  const width = Math.max(...lines.map((l) => l.length));
  return [`┌${'─'.repeat(width + 4)}┐`, ...lines.map((l) => `│  ${l.padEnd(width)}  │`), `└${'─'.repeat(width + 4)}┘`];
}

/** The summary for a person at a terminal. */
export function terminalStartupLines(f: StartupFacts): string[] {
  const rows: [string, string][] = [['CLI socket', `${f.socket}  (read-only: ${f.readonlySocket})`]];
  if (f.libvirtUri !== undefined) rows.push(['libvirt URI', f.libvirtUri]);
  if (f.sandbox) rows.push(['Sandbox', `networks live in namespace '${f.sandbox.netns}', its uplink in '${f.sandbox.uplink}'`]);
  else if (f.netns) rows.push(['Namespace', `networks live in '${f.netns}'`]);
  const { notes, warnings } = networkPhrases(f.startup);
  notes.forEach((n, i) => {
    rows.push([i === 0 ? 'Networks' : '', n]);
  });
  const label = Math.max(...rows.map(([k]) => k.length));
  const lines = [`virtnetd ${f.version} is running. Stop it with Ctrl-C; the networks keep running.`, ''];
  for (const [k, v] of rows) lines.push(`  ${k.padEnd(label)}  ${v}`);
  for (const w of warnings) lines.push(`  warning: ${w}`);
  if (f.tcp) {
    lines.push('');
    for (const l of box([`Web console  ${f.tcp.url}/`, `Token        ${f.tcp.token}`])) lines.push(`  ${l}`);
    lines.push(`  The token is also in ${f.tcp.tokenFile}; API clients send 'Authorization: Bearer TOKEN'.`);
  }
  lines.push('');
  return lines;
}
