/**
 * The sandbox (`virtnetd --sandbox`): a network namespace the daemon owns
 * and realises every network in, with an "uplink" namespace behind it
 * standing in for the outside world, joined by veth pairs:
 *
 *   sandbox netns                          uplink netns
 *   ─────────────                          ────────────
 *   virbr0 … (the networks)
 *   uplink  198.51.100.2/24  ◀── veth ──▶  downlink 198.51.100.1/24  DNS
 *           fd7e:7e7e:7e7e::2/64                    fd7e:7e7e:7e7e::1/64
 *   default route via 198.51.100.1 / ::1
 *   br0 (the host's LAN bridge)
 *     └ lan               ◀── veth ──▶  lan0     192.0.2.1/24  DHCP, DNS
 *
 * So a NAT network masquerades out of `uplink` and a guest can reach
 * 198.51.100.1; a bridged network (`<forward mode='bridge'/><bridge
 * name='br0'/>`) puts guests on a stand-in LAN whose DHCP server
 * (192.0.2.100–199, router and DNS 192.0.2.1) is "outside", as on a real
 * LAN. One dnsmasq in the uplink namespace serves that LAN and answers DNS
 * on 198.51.100.1 for the networks' dnsmasqs (their upstream, through
 * `resolvConf`): `outside.test` is 198.51.100.1, every other name is
 * unknown at once (the host's own resolver is out of the sandbox's reach,
 * and asking it made every unknown name take 5 s to fail). All of it
 * happens without touching the host's own namespace; the addresses are
 * from TEST-NET-1, TEST-NET-2 and a ULA, clear of libvirt's defaults.
 *
 * Setting up is idempotent: a daemon restarted in sandbox mode finds its
 * namespaces (and the networks left running in them) and reuses them, and
 * starts the uplink's dnsmasq again if it is gone. `cleanupSandbox` ends
 * every process inside both, by PID, then deletes them, which takes their
 * links and firewall rules along.
 *
 * Names: `virtnet` / `virtnet-uplink` for the system layout; with
 * `--root DIR`, `vn-<hash of DIR>` / `vn-<hash>-up`, so sandboxes of
 * different roots never meet.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { guestNetnsPrefix } from '../host/guest-names.js';
import { removeNetnsWithProcesses } from '../host/netns-remove.js';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface SandboxNames {
  netns: string;
  uplink: string;
}

const SANDBOX_UPLINK_IF = 'uplink';
const UPLINK_DOWNLINK_IF = 'downlink';
export const SANDBOX_ADDRESSES = {
  sandbox4: '198.51.100.2/24',
  uplink4: '198.51.100.1/24',
  gateway4: '198.51.100.1',
  sandbox6: 'fd7e:7e7e:7e7e::2/64',
  uplink6: 'fd7e:7e7e:7e7e::1/64',
  gateway6: 'fd7e:7e7e:7e7e::1',
} as const;

/** The stand-in LAN: br0 in the sandbox, its DHCP server (and router) in the uplink namespace. */
export const SANDBOX_LAN = {
  bridge: 'br0',
  /** br0's port in the sandbox, and its peer in the uplink namespace. */
  port: 'lan',
  peer: 'lan0',
  server4: '192.0.2.1/24',
  server: '192.0.2.1',
  rangeStart: '192.0.2.100',
  rangeEnd: '192.0.2.199',
  /** A name the uplink's DNS answers, for guests to look up. */
  outsideName: 'outside.test',
} as const;

export function sandboxNames(root?: string): SandboxNames {
  if (root === undefined) return { netns: 'virtnet', uplink: 'virtnet-uplink' };
  const h = createHash('sha256').update(root).digest('hex').slice(0, 8);
  return { netns: `vn-${h}`, uplink: `vn-${h}-up` };
}

async function ip(args: string[]): Promise<string> {
  try {
    const { stdout } = await run('ip', args, { encoding: 'utf8' });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`ip ${args.join(' ')}: ${(e.stderr ?? e.message).trim()}`);
  }
}

function netnsExists(name: string): boolean {
  return existsSync(`/run/netns/${name}`);
}

async function linkExists(netns: string, ifname: string): Promise<boolean> {
  try {
    await run('ip', ['-n', netns, 'link', 'show', 'dev', ifname]);
    return true;
  } catch {
    return false;
  }
}

async function ensureNetns(name: string): Promise<boolean> {
  if (netnsExists(name)) return false;
  await ip(['netns', 'add', name]);
  await ip(['-n', name, 'link', 'set', 'lo', 'up']);
  return true;
}

/** The uplink's dnsmasq: DHCP and DNS on the LAN, DNS on the downlink for the networks' dnsmasqs. */
function uplinkDnsmasqConf(dir: string): string {
  return [
    "## the sandbox's stand-in outside world (virtnetd --sandbox), written by virtnetd",
    'no-resolv',
    'no-hosts',
    'bind-interfaces',
    `interface=${SANDBOX_LAN.peer}`,
    `interface=${UPLINK_DOWNLINK_IF}`,
    'except-interface=lo',
    // Every name it does not hold is unknown, answered at once.
    'local=/#/',
    `host-record=${SANDBOX_LAN.outsideName},${SANDBOX_ADDRESSES.gateway4}`,
    `dhcp-range=${SANDBOX_LAN.rangeStart},${SANDBOX_LAN.rangeEnd},255.255.255.0,1h`,
    `dhcp-option=option:router,${SANDBOX_LAN.server}`,
    `dhcp-option=option:dns-server,${SANDBOX_LAN.server}`,
    `dhcp-leasefile=${dir}/lan.leases`,
    `pid-file=${dir}/uplink-dnsmasq.pid`,
    `log-facility=${dir}/uplink-dnsmasq.log`,
    'user=root',
    '',
  ].join('\n');
}

/** Whether `pid` is a dnsmasq running `conf`. */
function runsConf(pid: number, conf: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(`--conf-file=${conf}`);
  } catch {
    return false;
  }
}

/** Start the uplink's dnsmasq unless it runs with this very conf. */
async function ensureUplinkDnsmasq(names: SandboxNames, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const conf = `${dir}/uplink-dnsmasq.conf`;
  const text = uplinkDnsmasqConf(dir);
  const pidFile = `${dir}/uplink-dnsmasq.pid`;
  const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : 0;
  const same = existsSync(conf) && readFileSync(conf, 'utf8') === text;
  if (pid > 1 && runsConf(pid, conf)) {
    if (same) return;
    process.kill(pid, 'SIGTERM');
  }
  writeFileSync(conf, text, { mode: 0o600 });
  try {
    await run('nsenter', [`--net=/run/netns/${names.uplink}`, '--', 'dnsmasq', `--conf-file=${conf}`]);
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`cannot start the sandbox's DHCP and DNS server (dnsmasq in '${names.uplink}'): ${(e.stderr ?? e.message).trim()}`);
  }
}

/** br0 in the sandbox, joined to the uplink namespace where its DHCP server lives. */
async function ensureLan(names: SandboxNames, warnings: string[]): Promise<boolean> {
  if (await linkExists(names.netns, SANDBOX_LAN.port)) return false;
  if (await linkExists(names.uplink, SANDBOX_LAN.peer)) await ip(['-n', names.uplink, 'link', 'del', SANDBOX_LAN.peer]);
  if (!(await linkExists(names.netns, SANDBOX_LAN.bridge))) {
    await ip(['-n', names.netns, 'link', 'add', SANDBOX_LAN.bridge, 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0']);
  }
  const tmp = `vnlan${process.pid % 100000}`;
  await ip(['-n', names.netns, 'link', 'add', SANDBOX_LAN.port, 'type', 'veth', 'peer', 'name', tmp]);
  await ip(['-n', names.netns, 'link', 'set', tmp, 'netns', names.uplink]);
  await ip(['-n', names.uplink, 'link', 'set', tmp, 'name', SANDBOX_LAN.peer]);
  await ip(['-n', names.uplink, 'addr', 'add', SANDBOX_LAN.server4, 'dev', SANDBOX_LAN.peer]);
  await ip(['-n', names.uplink, 'link', 'set', SANDBOX_LAN.peer, 'up']);
  await ip(['-n', names.netns, 'link', 'set', SANDBOX_LAN.port, 'master', SANDBOX_LAN.bridge]);
  await ip(['-n', names.netns, 'link', 'set', SANDBOX_LAN.port, 'up']);
  await ip(['-n', names.netns, 'link', 'set', SANDBOX_LAN.bridge, 'up']);
  // DHCP replies leave with a partial checksum, which guests' raw-socket clients drop (docs/network-runtime.md).
  try {
    await run('nsenter', [`--net=/run/netns/${names.uplink}`, '--', 'ethtool', '-K', SANDBOX_LAN.peer, 'tx', 'off']);
  } catch (err) {
    warnings.push(
      `the sandbox LAN's DHCP replies may be dropped by guests: cannot turn off transmit checksum offload on ${SANDBOX_LAN.peer} (${(err as Error).message.split('\n')[0]})`,
    );
  }
  return true;
}

interface SandboxSetup {
  names: SandboxNames;
  created: boolean;
  warnings: string[];
  /** The resolv.conf the networks' dnsmasqs take their upstream from: the uplink's DNS. */
  resolvConf: string;
}

/**
 * Create whatever part of the sandbox is missing (its files under `dir`);
 * returns the names, whether anything was created, and the upstream resolver.
 */
export async function setupSandbox(names: SandboxNames, dir: string): Promise<SandboxSetup> {
  const warnings: string[] = [];
  const createdNs = await ensureNetns(names.netns);
  const createdUp = await ensureNetns(names.uplink);
  let created = createdNs || createdUp;
  if (!(await linkExists(names.netns, SANDBOX_UPLINK_IF))) {
    created = true;
    // A leftover downlink (the sandbox side vanished) would block the new pair.
    if (await linkExists(names.uplink, UPLINK_DOWNLINK_IF)) await ip(['-n', names.uplink, 'link', 'del', UPLINK_DOWNLINK_IF]);
    const tmp = `vnsbx${process.pid % 100000}`;
    await ip(['-n', names.netns, 'link', 'add', SANDBOX_UPLINK_IF, 'type', 'veth', 'peer', 'name', tmp]);
    await ip(['-n', names.netns, 'link', 'set', tmp, 'netns', names.uplink]);
    await ip(['-n', names.uplink, 'link', 'set', tmp, 'name', UPLINK_DOWNLINK_IF]);
    await ip(['-n', names.uplink, 'addr', 'add', SANDBOX_ADDRESSES.uplink4, 'dev', UPLINK_DOWNLINK_IF]);
    await ip(['-n', names.uplink, 'link', 'set', UPLINK_DOWNLINK_IF, 'up']);
    await ip(['-n', names.netns, 'addr', 'add', SANDBOX_ADDRESSES.sandbox4, 'dev', SANDBOX_UPLINK_IF]);
    await ip(['-n', names.netns, 'link', 'set', SANDBOX_UPLINK_IF, 'up']);
    await ip(['-n', names.netns, 'route', 'replace', 'default', 'via', SANDBOX_ADDRESSES.gateway4]);
    // IPv6 is a bonus: a host with IPv6 disabled still gets a working IPv4 sandbox.
    try {
      await ip(['-n', names.uplink, 'addr', 'add', SANDBOX_ADDRESSES.uplink6, 'dev', UPLINK_DOWNLINK_IF, 'nodad']);
      await ip(['-n', names.netns, 'addr', 'add', SANDBOX_ADDRESSES.sandbox6, 'dev', SANDBOX_UPLINK_IF, 'nodad']);
      await ip(['-n', names.netns, '-6', 'route', 'replace', 'default', 'via', SANDBOX_ADDRESSES.gateway6]);
    } catch (err) {
      warnings.push(`IPv6 uplink not configured: ${(err as Error).message}`);
    }
  }
  if (await ensureLan(names, warnings)) created = true;
  await ensureUplinkDnsmasq(names, dir);
  const resolvConf = `${dir}/resolv.conf`;
  writeFileSync(resolvConf, `nameserver ${SANDBOX_ADDRESSES.gateway4}\n`, { mode: 0o644 });
  return { names, created, warnings, resolvConf };
}

/** The namespaces of the sandbox's netns guests (BASE-g-NAME). */
function sandboxGuestNamespaces(names: SandboxNames): string[] {
  const prefix = guestNetnsPrefix(names.netns);
  try {
    return readdirSync('/run/netns').filter((n) => n.startsWith(prefix));
  } catch {
    return [];
  }
}

/**
 * End the processes inside the sandbox and its guests' namespaces (TERM,
 * then KILL after 2 s), then delete them all. Returns what was removed.
 */
export async function cleanupSandbox(names: SandboxNames): Promise<{ removed: string[]; ended: number[] }> {
  const removed: string[] = [];
  const ended: number[] = [];
  for (const name of [...sandboxGuestNamespaces(names), names.netns, names.uplink]) {
    const pids = await removeNetnsWithProcesses(name);
    if (pids === undefined) continue;
    ended.push(...pids);
    removed.push(name);
  }
  return { removed, ended };
}
