/**
 * How Open vSwitch's and OVN's daemons are started with private directories
 * (pid file, control socket, log, database), as the lab and the tests run
 * them: each daemon detaches and writes its pid file, so it is started and
 * stopped like dnsmasq (src/host/processes.ts: by PID, only while it is
 * still that program in that namespace). Pure: these functions only build
 * command lines.
 */
import { join } from 'node:path';
import type { DaemonSpec } from '../host/processes.js';

/** Where Debian's packages keep the schemas. */
export const OVS_SCHEMAS = {
  vswitch: '/usr/share/openvswitch/vswitch.ovsschema',
  northbound: '/usr/share/ovn/ovn-nb.ovsschema',
  southbound: '/usr/share/ovn/ovn-sb.ovsschema',
} as const;

/** A daemon's private directories: pid files and sockets, databases, logs. */
export interface OvsDirs {
  run: string;
  db: string;
  log: string;
}

export function ovsDirs(base: string): OvsDirs {
  return { run: join(base, 'run'), db: join(base, 'db'), log: join(base, 'log') };
}

/** The environment OVS and OVN tools read their default paths from, pointed at `dirs`. */
function ovsEnv(dirs: OvsDirs): Record<string, string> {
  return {
    OVS_RUNDIR: dirs.run,
    OVS_DBDIR: dirs.db,
    OVS_LOGDIR: dirs.log,
    OVS_SYSCONFDIR: dirs.db,
    OVN_RUNDIR: dirs.run,
    OVN_DBDIR: dirs.db,
    OVN_LOGDIR: dirs.log,
    OVN_SYSCONFDIR: dirs.db,
  };
}

/** The programs a daemon spec may name. */
type OvsProgram = 'ovsdb-server' | 'ovs-vswitchd' | 'ovn-northd' | 'ovn-controller';

export interface OvsDaemonSpec extends DaemonSpec {
  program: OvsProgram;
  /** The daemon's control socket (for ovs-appctl -t), when it is not the default RUN/PROGRAM.PID.ctl. */
  control?: string;
  logFile: string;
}

function daemon(program: OvsProgram, dirs: OvsDirs, name: string, args: readonly string[]): OvsDaemonSpec {
  const pidFile = join(dirs.run, `${name}.pid`);
  const logFile = join(dirs.log, `${name}.log`);
  // Daemons named after their program keep the default control socket, RUN/PROGRAM.PID.ctl, so
  // `ovs-appctl -t PROGRAM` finds it through OVS_RUNDIR as on any host (ovn-controller 23.03 has
  // no --unixctl anyway); database servers get a socket named after their database.
  const control = name === program ? undefined : join(dirs.run, `${name}.ctl`);
  const argv = [
    program,
    ...args,
    `--pidfile=${pidFile}`,
    ...(control ? [`--unixctl=${control}`] : []),
    `--log-file=${logFile}`,
    '-vconsole:off',
    '--detach',
    '--no-chdir',
  ];
  const spec: OvsDaemonSpec = { program, argv, pidFile, logFile, env: ovsEnv(dirs) };
  if (control) spec.control = control;
  return spec;
}

/** `ovsdb-tool create DB SCHEMA`. */
export function createDbArgv(dbFile: string, schemaFile: string): string[] {
  return ['ovsdb-tool', 'create', dbFile, schemaFile];
}

/**
 * An ovsdb-server for one database file, listening on `remotes` (punix:…,
 * ptcp:PORT:IP). `managerOptions` also lets the Open_vSwitch table's
 * manager_options add remotes, as the system's conf.db server does.
 */
export function ovsdbServerSpec(o: {
  dirs: OvsDirs;
  name: string;
  dbFile: string;
  remotes: readonly string[];
  managerOptions?: boolean;
}): OvsDaemonSpec {
  const args = [o.dbFile, ...o.remotes.map((r) => `--remote=${r}`)];
  if (o.managerOptions) args.push('--remote=db:Open_vSwitch,Open_vSwitch,manager_options');
  return daemon('ovsdb-server', o.dirs, o.name, args);
}

export function vswitchdSpec(o: { dirs: OvsDirs; db: string }): OvsDaemonSpec {
  return daemon('ovs-vswitchd', o.dirs, 'ovs-vswitchd', [o.db]);
}

export function northdSpec(o: { dirs: OvsDirs; northbound: string; southbound: string }): OvsDaemonSpec {
  return daemon('ovn-northd', o.dirs, 'ovn-northd', [`--ovnnb-db=${o.northbound}`, `--ovnsb-db=${o.southbound}`]);
}

export function controllerSpec(o: { dirs: OvsDirs; db: string }): OvsDaemonSpec {
  return daemon('ovn-controller', o.dirs, 'ovn-controller', [o.db]);
}
