/**
 * virtnetd's command line: the options, their checks, and the --help text.
 * Pure: parseDaemonArgs never touches the system, so every rule is unit
 * tested. Options take their value as the next word or after '='
 * (`--root DIR`, `--root=DIR`), read by node:util's parseArgs.
 */
import { isIP } from 'node:net';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { isAbsolute, resolve } from 'node:path';
import type { LogFormat } from './log-text.js';
import { isLoopback } from './tcp-origin.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export interface DaemonOptions {
  /** Absolute; undefined = the system layout (/etc/virtnet, /run/virtnet, /var/lib/virtnet). */
  root?: string;
  /** Realise networks in this existing namespace. */
  netns?: string;
  /** Create (or reuse) the sandbox namespaces and realise networks there. */
  sandbox: boolean;
  /** TCP listener: a host and a port (0 = any free port); a host that is not loopback only with `tls`. */
  listen?: { host: string; port: number };
  /** Serve the TCP listener over TLS with this certificate and key (PEM files). */
  tls?: { certFile: string; keyFile: string };
  logFile?: string;
  /** Undefined: info in JSON, warn in text (a person at a terminal reads the start-up summary and warnings). */
  logLevel?: LogLevel;
  /** --log-format: auto (default) is text for a person at a terminal, JSON otherwise (log-text.ts). */
  logFormat?: LogFormat;
  /** Start the autostart networks once per boot (default true). */
  autostart: boolean;
  /** This host's Open vSwitch database (OVN networks), as unix:PATH or tcp:HOST:PORT. */
  ovsDb?: string;
  /** The OVN southbound database as this daemon reaches it, when Open vSwitch's ovn-remote is not (the console's Hosts page). */
  ovnSouthbound?: string;
  /** Serve libvirt's protocol on ROOT/run/libvirt/virtnetworkd-sock{,-ro} (default true). */
  libvirtSocket: boolean;
  /** Define libvirt's `default` network on a root with no network yet, once (the command line sets it unless --no-default-network). */
  defaultNetwork?: boolean;
  /** Write a new RUN/token rather than keep the one a previous start wrote (ends every console session). */
  newToken?: boolean;
  /** Page out the daemon's code once idle (src/host/pageout.ts); false with --no-idle-pageout. Default true. */
  idlePageout?: boolean;
  /** How long virtnetd must have been quiet before that page-out, in seconds (--idle-pageout-after; default 120). */
  idlePageoutAfterS?: number;
}

export type DaemonCommand =
  | { action: 'help' }
  | { action: 'version' }
  | { action: 'sandbox-cleanup'; root?: string }
  | { action: 'purge'; root?: string }
  | { action: 'run'; options: DaemonOptions };

/** A command-line mistake: printed as "virtnetd: TEXT", exit status 1. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const USAGE = `
Usage:
  virtnetd [options]

Options:
  -h | --help              Display program help
  -V | --version           Display version information
  --root DIR               Keep config, run and state files under DIR/etc/virtnet,
                           DIR/run/virtnet and DIR/var/lib/virtnet
  --netns NAME             Realise every network inside the network namespace NAME
  --sandbox                Create (or reuse) a network namespace with an uplink
                           namespace behind it and realise every network there,
                           leaving the host's own networking untouched
  --sandbox-cleanup        Remove the sandbox namespaces, ending the processes
                           inside them, then exit
  --purge                  Remove the sandbox as --sandbox-cleanup does, then
                           every file of the root (definitions, autostart
                           links, leases, the token), then exit: the next
                           start is a first start (libvirt's 'default'
                           network). Refused while a network or guest of the
                           root still runs outside the sandbox
  --listen HOST:PORT       Also serve the API and the web console on TCP; every
                           API request must carry the token from RUN/token
                           (header 'Authorization: Bearer TOKEN'). Plain HTTP
                           on loopback addresses only; any other address
                           needs --tls-cert and --tls-key
  --tls-cert FILE          Serve the TCP listener over HTTPS with this
                           certificate (PEM); browsers may use the listen
                           address and the names in the certificate
  --tls-key FILE           The certificate's private key (PEM)
  --new-token              Write a new token to RUN/token instead of keeping
                           the one of the previous start; TCP clients and
                           every console session must use the new one
  --no-autostart           Do not start the networks marked autostart
  --ovs-db REMOTE          This host's Open vSwitch database, for OVN networks
                           (default unix:/run/openvswitch/db.sock)
  --ovn-southbound REMOTE  The OVN southbound database as virtnetd reaches it,
                           for the console's OVN hosts (default: the
                           ovn-remote that Open vSwitch names)
  --no-libvirt-socket      Do not serve libvirt's protocol on the sockets of
                           libvirt's network daemon (virtnetworkd)
  --no-default-network     Do not define libvirt's 'default' network (NAT,
                           192.168.122.0/24, autostart), which is otherwise
                           defined at the first start on a root with no network
  --no-idle-pageout        Keep virtnetd's code resident when idle: the first
                           request after a quiet spell is answered sooner, and
                           virtnetd's RSS is larger (by up to ~30 MiB)
  --idle-pageout-after SECONDS
                           Page the code out once virtnetd has been quiet that
                           long (default 120; 0: as soon as it is quiet)
  --log-file FILE          Write the log (JSON lines) to FILE instead of stderr
  --log-level LEVEL        fatal, error, warn, info, debug, trace or silent
                           (default: info, or warn on a terminal)
  --log-format FORMAT      json, text or auto (default): text on a terminal,
                           JSON to a file, a pipe or systemd's journal

virtnet network daemon:

  Default paths (moved under DIR by --root DIR):

    Configuration:   /etc/virtnet/networks
    Sockets:         /run/virtnet/virtnetd.sock      (read-write, mode 0600)
                     /run/virtnet/virtnetd-ro.sock   (read-only, mode 0666)
                     /run/libvirt/virtnetworkd-sock     (libvirt clients, mode 0600)
                     /run/libvirt/virtnetworkd-sock-ro  (libvirt clients, read-only, 0666)
    TCP token:       /run/virtnet/token
    PID file:        /run/virtnet/virtnetd.pid
    State:           /var/lib/virtnet

`;

/** The options and their kinds, for node:util's parseArgs. */
const OPTIONS = {
  root: { type: 'string' },
  netns: { type: 'string' },
  listen: { type: 'string' },
  'log-file': { type: 'string' },
  'log-level': { type: 'string' },
  'log-format': { type: 'string' },
  'ovs-db': { type: 'string' },
  'ovn-southbound': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  sandbox: { type: 'boolean' },
  'sandbox-cleanup': { type: 'boolean' },
  purge: { type: 'boolean' },
  'no-autostart': { type: 'boolean' },
  'no-libvirt-socket': { type: 'boolean' },
  'no-default-network': { type: 'boolean' },
  'new-token': { type: 'boolean' },
  'no-idle-pageout': { type: 'boolean' },
  'idle-pageout-after': { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

/** Parse HOST:PORT for --listen; without TLS only loopback addresses are served. */
export function parseListen(text: string, tls = false): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  if (!m) throw new UsageError(`invalid --listen address '${text}': expected HOST:PORT, e.g. 127.0.0.1:8080`);
  const host = m[1] ?? m[2] ?? '';
  const port = Number(m[3]);
  if (port > 65535) throw new UsageError(`invalid --listen port '${m[3]}'`);
  if (!tls && !isLoopback(host)) {
    throw new UsageError(
      `refusing to listen on '${host}' without TLS: virtnetd serves plain HTTP on loopback addresses only (127.0.0.1, ::1); give --tls-cert and --tls-key to serve HTTPS there`,
    );
  }
  if (host !== 'localhost' && !isIP(host)) throw new UsageError(`invalid --listen host '${host}': give an IP address (or localhost)`);
  return { host: host === 'localhost' ? '127.0.0.1' : host, port };
}

export function parseDaemonArgs(argv: readonly string[], cwd: string = process.cwd()): DaemonCommand {
  if (argv.some((a) => a === '-h' || a === '--help')) return { action: 'help' };
  if (argv.some((a) => a === '-V' || a === '--version')) return { action: 'version' };
  const values = new Map<string, string>();
  const flags = new Set<string>();
  // Not strict, so that each mistake is named by the word as it was typed.
  const { tokens } = parseArgs({ args: [...argv], options: OPTIONS, strict: false, allowPositionals: true, tokens: true });
  for (const token of tokens) {
    const word = argv[token.index] as string;
    if (token.kind === 'positional' && !word.startsWith('-')) throw new UsageError(`unexpected argument '${word}'`);
    if (token.kind !== 'option' || !Object.hasOwn(OPTIONS, token.name)) {
      throw new UsageError(`unrecognized option '${word}'`);
    }
    const name = token.rawName;
    if (OPTIONS[token.name as keyof typeof OPTIONS].type === 'boolean') {
      if (token.inlineValue) throw new UsageError(`unrecognized option '${word}'`);
      flags.add(name);
      continue;
    }
    if (token.value === undefined || token.value === '') throw new UsageError(`option '${name}' requires a value`);
    if (values.has(name)) throw new UsageError(`option '${name}' given more than once`);
    values.set(name, token.value);
  }

  const rootText = values.get('--root');
  const root = rootText === undefined ? undefined : isAbsolute(rootText) ? resolve(rootText) : resolve(cwd, rootText);
  if (root === '/') throw new UsageError('--root / is the system layout: leave --root out instead');

  if (flags.has('--sandbox-cleanup') || flags.has('--purge')) {
    const action = flags.has('--purge') ? 'purge' : 'sandbox-cleanup';
    const extra = [...values.keys()].filter((k) => k !== '--root' && k !== '--log-file' && k !== '--log-level' && k !== '--log-format');
    const otherFlags = [...flags].filter((f) => f !== '--sandbox-cleanup' && f !== '--purge');
    if (extra.length > 0 || otherFlags.length > 0) {
      throw new UsageError(`--${action} takes no other option than --root (got ${[...extra, ...otherFlags].join(', ')})`);
    }
    return { action, ...(root ? { root } : {}) };
  }

  const netns = values.get('--netns');
  if (netns !== undefined && flags.has('--sandbox')) throw new UsageError('--netns and --sandbox cannot be used together');
  if (netns !== undefined && !/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}$/.test(netns)) {
    throw new UsageError(`invalid network namespace name '${netns}'`);
  }

  const level = values.get('--log-level');
  if (level !== undefined && !LOG_LEVELS.includes(level as LogLevel))
    throw new UsageError(`invalid --log-level '${level}': use one of ${LOG_LEVELS.join(', ')}`);
  const format = values.get('--log-format');
  if (format !== undefined && !['auto', 'json', 'text'].includes(format))
    throw new UsageError(`invalid --log-format '${format}': use json, text or auto`);

  const listenText = values.get('--listen');
  const certFile = values.get('--tls-cert');
  const keyFile = values.get('--tls-key');
  if ((certFile === undefined) !== (keyFile === undefined)) throw new UsageError('--tls-cert and --tls-key go together');
  if (certFile !== undefined && listenText === undefined) throw new UsageError('--tls-cert and --tls-key need --listen');
  const logFile = values.get('--log-file');
  const ovsDb = values.get('--ovs-db');
  if (ovsDb !== undefined && !/^(unix:.+|tcp:.+:\d+)$/.test(ovsDb))
    throw new UsageError(`invalid --ovs-db '${ovsDb}': expected unix:PATH or tcp:HOST:PORT`);
  const ovnSouthbound = values.get('--ovn-southbound');
  if (ovnSouthbound !== undefined && !/^(unix:.+|tcp:.+:\d+)$/.test(ovnSouthbound))
    throw new UsageError(`invalid --ovn-southbound '${ovnSouthbound}': expected unix:PATH or tcp:HOST:PORT`);
  const pageoutAfter = values.get('--idle-pageout-after');
  if (pageoutAfter !== undefined && !/^\d{1,5}$/.test(pageoutAfter))
    throw new UsageError(`invalid --idle-pageout-after '${pageoutAfter}': expected whole seconds, e.g. 120`);
  const options: DaemonOptions = {
    sandbox: flags.has('--sandbox'),
    ...(level !== undefined ? { logLevel: level as LogLevel } : {}),
    ...(format !== undefined && format !== 'auto' ? { logFormat: format as LogFormat } : {}),
    autostart: !flags.has('--no-autostart'),
    libvirtSocket: !flags.has('--no-libvirt-socket'),
    defaultNetwork: !flags.has('--no-default-network'),
    ...(flags.has('--new-token') ? { newToken: true } : {}),
    ...(flags.has('--no-idle-pageout') ? { idlePageout: false } : {}),
    ...(pageoutAfter !== undefined ? { idlePageoutAfterS: Number(pageoutAfter) } : {}),
    ...(root ? { root } : {}),
    ...(netns ? { netns } : {}),
    ...(listenText ? { listen: parseListen(listenText, certFile !== undefined) } : {}),
    ...(certFile !== undefined && keyFile !== undefined ? { tls: { certFile: resolve(cwd, certFile), keyFile: resolve(cwd, keyFile) } } : {}),
    ...(logFile ? { logFile: resolve(cwd, logFile) } : {}),
    ...(ovsDb ? { ovsDb } : {}),
    ...(ovnSouthbound ? { ovnSouthbound } : {}),
  };
  return { action: 'run', options };
}
