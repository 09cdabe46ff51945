/**
 * Starting and removing the multi-host OVN lab (layout.ts). Everything the
 * lab makes is written to DIR/lab.json as it is made — namespaces before
 * they exist, every daemon with its PID — so `stopLab` removes exactly that
 * (processes by PID, after checking each still runs from this lab's
 * directory; the namespaces named PFX-…; the lab's own files), after a
 * failed start, a killed CLI or a finished test alike.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LinuxHost } from '../host/linux.js';
import { NETNS_RUN_DIR } from '../host/netns.js';
import { removeNetnsWithProcesses } from '../host/netns-remove.js';
import { parsePidFile } from '../host/processes.js';
import { ExecRunner, type CommandRunner } from '../host/runner.js';
import { OvsdbClient } from '../ovsdb/client.js';
import { select } from '../ovsdb/operations.js';
import { stringOf } from '../ovsdb/values.js';
import { createDbArgv, controllerSpec, northdSpec, OVS_SCHEMAS, ovsdbServerSpec, vswitchdSpec, type OvsDaemonSpec } from '../ovn/daemons.js';
import { applyHostSetup, kernelDatapathLoaded, planHostSetup, seedTunnelNeighbours } from '../ovn/host-setup.js';
import { offloadsOff } from '../host/offloads.js';
import { Vswitch } from '../ovn/vswitch.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import { dirEntries } from '../util/dir-entries.js';
import { operationFailed, operationInvalid } from '../util/errors.js';
import { LAB_PHYSNET, labLayout, labPrefix, MAX_LAB_HOSTS, type LabHost, type LabLayout } from './layout.js';
import { type Phrase, phrase } from '../contract/phrase.js';

/** A phase's time for the log, in seconds with two decimals. */
const seconds = (t: number | undefined): string => t?.toFixed(2) ?? '?';

export interface LabDaemon {
  netns: string;
  program: string;
  pid: number;
}

export interface LabVirtnetd {
  host: string;
  pid: number;
  root: string;
  socket: string;
  log: string;
}

/** DIR/lab.json. */
export interface LabState {
  version: 1;
  dir: string;
  prefix: string;
  hosts: number;
  namespaces: string[];
  daemons: LabDaemon[];
  virtnetds: LabVirtnetd[];
  ready: boolean;
  /** Seconds each phase took. */
  timings: Record<string, number>;
}

export interface LabStartOptions {
  dir: string;
  hosts: number;
  /** How to run virtnetd (argv before its options); null: no virtnetd on the hosts. */
  virtnetd: readonly string[] | null;
  /** Progress lines. */
  log?: (line: Phrase) => void;
  /** Leave what was made after a failed start, to look at it (then remove it with stopLab). */
  keepOnFailure?: boolean;
}

export interface Lab {
  layout: LabLayout;
  state: LabState;
}

/** Entries of a lab directory that stopLab removes; nothing else there is touched. */
function labEntries(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((e) => e === 'lab.json' || e === 'central' || /^h\d+$/.test(e));
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw operationFailed(`lab: timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

async function run(runner: CommandRunner, argv: readonly string[], env?: Record<string, string>): Promise<string> {
  const r = await runner.run(env ? { argv, env } : { argv });
  if (r.exitCode !== 0) throw operationFailed(`lab: ${argv.join(' ')}: ${r.stderr.trim() || `exit status ${r.exitCode}`}`);
  return r.stdout;
}

/** Start a lab. On any failure everything made so far is removed and the error rethrown. */
export async function startLab(o: LabStartOptions): Promise<Lab> {
  if (!Number.isInteger(o.hosts) || o.hosts < 1 || o.hosts > MAX_LAB_HOSTS) {
    throw operationInvalid(`a lab has 1 to ${MAX_LAB_HOSTS} hosts, not ${o.hosts}`);
  }
  const layout = labLayout(o.dir, o.hosts);
  const log = o.log ?? (() => {});
  if (existsSync(layout.stateFile) || labNamespaces(layout.prefix).length > 0) {
    throw operationInvalid(`a lab already exists in ${layout.dir}: remove it first with 'virtnet lab stop --dir ${layout.dir}'`);
  }
  if (existsSync(layout.dir) && readdirSync(layout.dir).length > 0) throw operationInvalid(`lab directory ${layout.dir} is not empty`);
  const state: LabState = {
    version: 1,
    dir: layout.dir,
    prefix: layout.prefix,
    hosts: o.hosts,
    namespaces: [],
    daemons: [],
    virtnetds: [],
    ready: false,
    timings: {},
  };
  mkdirSync(layout.dir, { recursive: true });
  const save = (): void => writeFileAtomic(layout.stateFile, `${JSON.stringify(state, null, 2)}\n`);
  save();
  const t0 = performance.now();
  const mark = (phase: string, since: number): void => {
    state.timings[phase] = Math.round(performance.now() - since) / 1000;
    save();
  };
  const clients: OvsdbClient[] = [];
  try {
    await buildLab(layout, state, save, mark, clients, o, log);
    state.ready = true;
    mark('total', t0);
    log(phrase('lab ready in {seconds} s', { seconds: seconds(state.timings.total) }));
    return { layout, state };
  } catch (e) {
    for (const c of clients) c.close();
    if (o.keepOnFailure) log(phrase('lab start failed: {why}; kept for inspection', { why: (e as Error).message }));
    else {
      log(phrase('lab start failed: {why}; removing what was made', { why: (e as Error).message }));
      await stopLab(layout.dir).catch(() => {});
    }
    throw e;
  } finally {
    for (const c of clients) c.close();
  }
}

async function buildLab(
  layout: LabLayout,
  state: LabState,
  save: () => void,
  mark: (phase: string, since: number) => void,
  clients: OvsdbClient[],
  o: LabStartOptions,
  log: (line: Phrase) => void,
): Promise<void> {
  const runner = new ExecRunner();
  const hostOf = (netns: string): LinuxHost => new LinuxHost({ netns, runner });
  const { underlay, central, uplink, hosts } = layout;

  // ---- namespaces and wires ------------------------------------------------------
  let t = performance.now();
  const namespaces = [underlay.netns, central.netns, uplink.netns, ...hosts.map((h) => h.netns)];
  state.namespaces.push(...namespaces);
  save();
  await Promise.all(namespaces.map((ns) => run(runner, ['ip', 'netns', 'add', ns])));
  await Promise.all(namespaces.map((ns) => run(runner, ['ip', '-n', ns, 'link', 'set', 'lo', 'up'])));
  const veth = (name: string, peer: string, peerNetns: string, master: string) =>
    [
      { op: 'createVeth' as const, name, peer, peerNetns },
      { op: 'setMaster' as const, name, master },
      { op: 'setUp' as const, name, up: true },
    ] as const;
  await Promise.all([
    hostOf(underlay.netns).links.apply([
      { op: 'createBridge', name: underlay.bridge, stp: false, delay: 0 },
      { op: 'setUp', name: underlay.bridge, up: true },
      ...veth(central.peer, central.nic, central.netns, underlay.bridge),
      ...hosts.flatMap((h) => veth(h.underlayPeer, h.underlayNic, h.netns, underlay.bridge)),
    ]),
    hostOf(uplink.netns).links.apply([
      { op: 'createBridge', name: uplink.bridge, stp: false, delay: 0 },
      { op: 'addAddress', dev: uplink.bridge, address: uplink.address, prefix: uplink.prefix },
      { op: 'setUp', name: uplink.bridge, up: true },
      ...hosts.flatMap((h) => veth(h.uplinkPeer, h.uplinkNic, h.netns, uplink.bridge)),
    ]),
  ]);
  await Promise.all([
    hostOf(central.netns).links.apply([
      { op: 'addAddress', dev: central.nic, address: central.address, prefix: underlay.prefix },
      { op: 'setUp', name: central.nic, up: true },
    ]),
    ...hosts.map((h) =>
      hostOf(h.netns).links.apply([
        { op: 'setUp', name: h.underlayNic, up: true },
        { op: 'setUp', name: h.uplinkNic, up: true },
      ]),
    ),
    // The central's and the uplink's own traffic reaches OVS's userspace datapath through AF_PACKET.
    offloadsOff(runner, central.netns, central.nic),
    offloadsOff(runner, uplink.netns, uplink.bridge),
  ]);
  mark('namespaces', t);
  log(phrase('namespaces and wires: {seconds} s', { seconds: seconds(state.timings.namespaces) }));

  const startDaemon = async (netns: string, spec: OvsDaemonSpec): Promise<number> => {
    const pid = await hostOf(netns).processes.startDaemon(spec);
    state.daemons.push({ netns, program: spec.program, pid });
    save();
    return pid;
  };
  const mkdirs = (dirs: { run: string; db: string; log: string }): void => {
    for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  };

  // ---- OVN central and each host's Open vSwitch, at the same time ------------------
  t = performance.now();
  const centralUp = (async () => {
    mkdirs(central.ovs);
    const nbDb = join(central.ovs.db, 'ovnnb_db.db');
    const sbDb = join(central.ovs.db, 'ovnsb_db.db');
    await Promise.all([run(runner, createDbArgv(nbDb, OVS_SCHEMAS.northbound)), run(runner, createDbArgv(sbDb, OVS_SCHEMAS.southbound))]);
    const nbTcp = central.northboundTcp.replace(/^tcp:([^:]+):(\d+)$/, 'ptcp:$2:$1');
    const sbTcp = central.southboundTcp.replace(/^tcp:([^:]+):(\d+)$/, 'ptcp:$2:$1');
    await Promise.all([
      startDaemon(central.netns, ovsdbServerSpec({ dirs: central.ovs, name: 'ovnnb_db', dbFile: nbDb, remotes: [`p${central.northbound}`, nbTcp] })),
      startDaemon(central.netns, ovsdbServerSpec({ dirs: central.ovs, name: 'ovnsb_db', dbFile: sbDb, remotes: [`p${central.southbound}`, sbTcp] })),
    ]);
    await startDaemon(central.netns, northdSpec({ dirs: central.ovs, northbound: central.northbound, southbound: central.southbound }));
    mark('central', t);
  })();
  const kernelDatapath = kernelDatapathLoaded();
  const hostsUp = Promise.all(
    hosts.map(async (h) => {
      mkdirs(h.ovs);
      const dbFile = join(h.ovs.db, 'conf.db');
      await run(runner, createDbArgv(dbFile, OVS_SCHEMAS.vswitch));
      await startDaemon(h.netns, ovsdbServerSpec({ dirs: h.ovs, name: 'ovsdb-server', dbFile, remotes: [`p${h.ovsDb}`], managerOptions: true }));
      await startDaemon(h.netns, vswitchdSpec({ dirs: h.ovs, db: h.ovsDb }));
      const client = await OvsdbClient.connect(h.ovsDb);
      clients.push(client);
      const host = hostOf(h.netns);
      const plan = planHostSetup(
        {
          encapIp: h.encapIp,
          encapPrefix: underlay.prefix,
          remote: central.southboundTcp,
          systemId: h.name,
          underlayNic: h.underlayNic,
          bridgeMappings: [{ physnet: LAB_PHYSNET, bridge: h.uplinkBridge, nic: h.uplinkNic }],
        },
        { kernelDatapath, underlayMtu: (await host.facts.link(h.underlayNic))?.mtu ?? 1500 },
      );
      await applyHostSetup(plan, new Vswitch(client), host);
      if (plan.underlayAddress === undefined) {
        // The kernel datapath tunnels through the kernel's routes: the address stays on the NIC.
        await host.links.apply([{ op: 'addAddress', dev: h.underlayNic, address: h.encapIp, prefix: underlay.prefix }]);
      }
      return plan.datapath;
    }),
  );
  const [, datapaths] = await Promise.all([centralUp, hostsUp]);
  mark('ovs', t);
  log(
    phrase("OVN central and {count} hosts' Open vSwitch ({datapath}): {seconds} s", {
      count: hosts.length,
      datapath: datapaths[0] === 'netdev' ? phrase('userspace datapath') : phrase('kernel datapath'),
      seconds: seconds(state.timings.ovs),
    }),
  );

  // ---- ovn-controller on every host, then tunnels --------------------------------
  t = performance.now();
  await Promise.all(hosts.map((h) => startDaemon(h.netns, controllerSpec({ dirs: h.ovs, db: h.ovsDb }))));
  const sb = await OvsdbClient.connect(central.southbound);
  clients.push(sb);
  await until('every chassis in the southbound database', 30_000, async () => {
    const [r] = await sb.transact('OVN_Southbound', [select('Chassis', [], ['name'])]);
    const names = new Set(r.rows.map((row) => stringOf(row.name)));
    return hosts.every((h) => names.has(h.name));
  });
  if (hosts.length > 1) {
    await Promise.all(
      hosts.map((h, i) =>
        until(`the tunnels of ${h.name}`, 30_000, async () => {
          const ifaces = await new Vswitch(clients[i] as OvsdbClient).interfaces();
          return ifaces.filter((x) => x.type === 'geneve').length >= hosts.length - 1;
        }),
      ),
    );
    if (datapaths[0] === 'netdev') {
      const macs = new Map<string, string>();
      await Promise.all(hosts.map(async (h) => macs.set(h.encapIp, (await hostOf(h.netns).facts.link('br-phy'))?.mac ?? '')));
      await Promise.all(
        hosts.map((h) =>
          seedTunnelNeighbours({
            host: hostOf(h.netns),
            runner,
            ovsRunDir: h.ovs.run,
            peers: hosts.filter((p) => p !== h).map((p) => p.encapIp),
            knownMacs: macs,
          }),
        ),
      );
    }
  }
  mark('chassis', t);
  log(
    phrase('ovn-controller on {count} hosts, chassis registered{tunnels}: {seconds} s', {
      count: hosts.length,
      tunnels: hosts.length > 1 ? phrase(', tunnels up') : '',
      seconds: seconds(state.timings.chassis),
    }),
  );

  // ---- a virtnetd per host --------------------------------------------------------
  if (o.virtnetd !== null) {
    t = performance.now();
    await Promise.all(hosts.map((h) => startVirtnetd(h, layout.central.southbound, o.virtnetd as readonly string[], state, save)));
    mark('virtnetd', t);
    log(phrase('virtnetd on {count} hosts: {seconds} s', { count: hosts.length, seconds: seconds(state.timings.virtnetd) }));
  }
}

/** The arguments a lab host's virtnetd runs with (`southbound`: the central's, as virtnetd reaches it from outside the host's namespace). */
export function virtnetdArgs(h: LabHost, southbound: string): string[] {
  return [
    '--root',
    h.virtnetRoot,
    '--netns',
    h.netns,
    '--ovs-db',
    h.ovsDb,
    '--ovn-southbound',
    southbound,
    '--log-file',
    join(h.dir, 'virtnetd.log'),
    '--no-autostart',
    '--no-default-network',
  ];
}

async function startVirtnetd(h: LabHost, southbound: string, command: readonly string[], state: LabState, save: () => void): Promise<void> {
  mkdirSync(h.virtnetRoot, { recursive: true });
  // Serving is seen by the socket appearing: one left by an ended daemon must not count.
  rmSync(h.socket, { force: true });
  const out = join(h.dir, 'virtnetd.out');
  const fd = openSync(out, 'a');
  const [program, ...pre] = command;
  if (program === undefined) throw operationInvalid('lab: empty virtnetd command');
  const child = spawn(program, [...pre, ...virtnetdArgs(h, southbound)], { detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const pid = child.pid;
  if (pid === undefined) throw operationFailed(`lab: could not start virtnetd for ${h.name}`);
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  child.unref();
  state.virtnetds.push({ host: h.name, pid, root: h.virtnetRoot, socket: h.socket, log: join(h.dir, 'virtnetd.log') });
  save();
  await until(`virtnetd of ${h.name} to serve`, 30_000, async () => {
    if (exited !== undefined) {
      const text = existsSync(out) ? readFileSync(out, 'utf8').trim() : '';
      throw operationFailed(`lab: virtnetd of ${h.name} exited (${exited}): ${text.split('\n').slice(-3).join(' ')}`);
    }
    return existsSync(h.socket);
  });
}

/**
 * End a lab host's virtnetd (SIGTERM, by PID, as an operator would) and
 * start a new one with the same options (`whileDown` runs in between); the
 * networks and guests it ran are adopted by the new one.
 */
export async function restartLabVirtnetd(
  dir: string,
  host: string,
  command: readonly string[],
  whileDown?: () => Promise<void>,
): Promise<LabVirtnetd> {
  const state = await readLabState(dir);
  const layout = labLayout(dir, state?.hosts ?? 0);
  const h = layout.hosts.find((x) => x.name === host);
  const old = state?.virtnetds.find((v) => v.host === host);
  if (state === undefined || h === undefined || old === undefined) throw operationInvalid(`the lab in ${dir} has no virtnetd on '${host}'`);
  await endProcesses([old.pid], old.root, 10_000);
  await whileDown?.();
  state.virtnetds = state.virtnetds.filter((v) => v !== old);
  const save = (): void => writeFileAtomic(layout.stateFile, `${JSON.stringify(state, null, 2)}\n`);
  await startVirtnetd(h, layout.central.southbound, command, state, save);
  return state.virtnetds.find((v) => v.host === host) as LabVirtnetd;
}

function labNamespaces(prefix: string): string[] {
  return dirEntries(NETNS_RUN_DIR).filter((n) => n.startsWith(`${prefix}-`));
}

export async function readLabState(dir: string): Promise<LabState | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, 'lab.json'), 'utf8')) as LabState;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Whether `pid` is alive and its command line mentions `needle` (this lab's directory). */
function runsFrom(pid: number, needle: string): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (/\) [ZX] /.test(stat)) return false;
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      .split('\0')
      .some((a) => a.includes(needle));
  } catch {
    return false;
  }
}

/** TERM the processes that still run from `needle`, then KILL those left after `graceMs`. */
async function endProcesses(pids: readonly number[], needle: string, graceMs: number): Promise<number[]> {
  const ours = [...new Set(pids)].filter((p) => p > 1 && runsFrom(p, needle));
  for (const p of ours) process.kill(p, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (ours.some((p) => runsFrom(p, needle)) && Date.now() < deadline) await sleep(20);
  for (const p of ours) if (runsFrom(p, needle)) process.kill(p, 'SIGKILL');
  return ours;
}

/** PIDs in the lab's pid files (daemons that started but were not recorded yet). */
function pidFilePids(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of labEntries(dir)) {
    const run = join(dir, entry, 'run');
    if (!existsSync(run)) continue;
    for (const f of readdirSync(run)) {
      if (!f.endsWith('.pid')) continue;
      const pid = parsePidFile(readFileSync(join(run, f), 'utf8'));
      if (pid !== undefined) pids.push(pid);
    }
  }
  return pids;
}

export interface LabRemoval {
  ended: number[];
  namespaces: string[];
  removedDir: boolean;
}

/** Remove a lab: its virtnetds, its daemons, its namespaces (with whatever runs in them), its files. */
export async function stopLab(dirText: string): Promise<LabRemoval> {
  const dir = labLayout(dirText, 0).dir;
  const prefix = labPrefix(dir);
  const state = await readLabState(dir).catch(() => undefined);
  const ended: number[] = [];
  // virtnetd first (it runs outside the lab's namespaces), so it does not watch its networks vanish.
  for (const v of state?.virtnetds ?? []) ended.push(...(await endProcesses([v.pid], v.root, 5000)));
  ended.push(...(await endProcesses([...(state?.daemons ?? []).map((d) => d.pid), ...pidFilePids(dir)], dir, 5000)));
  const namespaces = [...new Set([...labNamespaces(prefix), ...(state?.namespaces ?? []).filter((n) => existsSync(join(NETNS_RUN_DIR, n)))])];
  const removed = await Promise.all(namespaces.map(async (n) => ((await removeNetnsWithProcesses(n)) !== undefined ? n : undefined)));
  for (const e of labEntries(dir)) rmSync(join(dir, e), { recursive: true, force: true });
  let removedDir = false;
  if (existsSync(dir) && readdirSync(dir).length === 0) {
    rmSync(dir, { recursive: true });
    removedDir = true;
  }
  return { ended, namespaces: removed.filter((n): n is string => n !== undefined), removedDir };
}
