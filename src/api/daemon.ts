/**
 * virtnetd's life: take the root's instance lock, settle the namespace
 * (--netns, or the sandbox's), write the TCP token, start the driver, serve
 * it on the sockets (and TCP), and on stop undo all of that in reverse —
 * except the networks, which keep running (as libvirt's: a daemon's restart
 * leaves running networks alone).
 *
 *   RUN/virtnetd.sock     0600  every call
 *   RUN/virtnetd-ro.sock  0666  calls that change nothing
 *   RUN/token             0600  the TCP token (kept across restarts; --new-token)
 *   RUN/console-key       0600  the key console session cookies are sealed with
 *   RUN/console-sessions  0600  the console sessions that ended, and why
 *   RUN/virtnetd.pid            our pid, while we run
 *   ROOT/run/libvirt/virtnetworkd-sock{,-ro}  libvirt's protocol for real
 *                               libvirt clients (src/libvirt-rpc/), unless
 *                               --no-libvirt-socket; refused (with a line on
 *                               stdout, the daemon going on) when a libvirt
 *                               network daemon already answers there
 *
 * The driver comes from a factory, so tests can run the whole daemon over
 * a fake one; main.ts hands in the real driver over the Linux runtime.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { NetworkDriverApi } from '../contract/network-api.js';
import type { DefaultNetworkOutcome } from '../driver/network/index.js';
import { virtnetPaths, type VirtnetPaths } from '../driver/common/paths.js';
import { READONLY_SOCKET_NAME, SOCKET_NAME, libvirtUri } from '../client/http-uri.js';
import { acquireInstanceLock, type InstanceLock } from './instance-lock.js';
import type { DaemonOptions } from './options.js';
import { sandboxNames, setupSandbox, type SandboxNames } from './sandbox.js';
import { createApiServer } from './server.js';
import { certificateNames, TcpIdentity, type ListenerAddress } from './tcp-origin.js';
import { osErrorText } from '../util/os-error.js';
import { connectionPolicy, serveHttpThroughGate, type ConnectionGate } from './connection-gate.js';
import { DEFAULT_OPEN_FILES } from './open-files.js';
import { SsPeerCredentials } from '../host/unix-peers.js';
import { ForkServerRunner } from '../host/fork-server.js';
import { consoleKeyPath, keepSecret, keepToken, tokenPath } from './token.js';
import { DAEMON_TEXT, plainStartupLines, terminalStartupLines, type StartupFacts } from './startup-text.js';

interface DriverContext {
  paths: VirtnetPaths;
  /** The namespace networks are realised in; null = the daemon's own. */
  netns: string | null;
  logger: Logger;
  autostart: boolean;
  /** Define libvirt's `default` network on a root with no network yet (src/driver/network/default-network.ts). */
  defaultNetwork?: boolean;
  /** The resolv.conf the networks' dnsmasqs forward to (the sandbox's uplink DNS); undefined: the namespace's own. */
  resolvConf?: string;
  /** This host's Open vSwitch database (OVN networks); undefined: the system's. */
  ovsDb?: string;
}

/** What the driver found and did while starting, for the operator. */
export interface DriverStartup {
  adopted: string[];
  autostarted: string[];
  /** Files or networks that could not be loaded, adopted or started. */
  problems: { subject: string; message: string }[];
  defaultNetwork?: DefaultNetworkOutcome;
}

interface DriverHandle {
  driver: NetworkDriverApi;
  startup?: DriverStartup;
  /** Stop serving the driver; running networks stay up. */
  close(): Promise<void>;
  /** SIGHUP: reload state and configs, like libvirt's driver reload. */
  reload?(): Promise<void>;
}

export type DriverFactory = (context: DriverContext) => Promise<DriverHandle>;

interface DaemonDeps {
  createDriver: DriverFactory;
  logger: Logger;
  version: string;
  /** Start-up lines for the operator (stdout). */
  print: (line: string) => void;
  /** The operator reads them at a terminal: a short table and a box (startup-text.ts) rather than plain lines. */
  terminal?: boolean;
  /** The daemon's descriptor limit (RLIMIT_NOFILE), which sizes its listeners' bounds; default 1024. */
  openFiles?: number;
  /** Told of each request or libvirt call any listener takes. */
  onRequest?: () => void;
}

export interface RunningDaemon {
  paths: VirtnetPaths;
  socket: string;
  readonlySocket: string;
  token: string;
  tcp?: { host: string; port: number; tls: boolean };
  /** libvirt's sockets, when virtnetd serves libvirt clients. */
  libvirt?: { socket: string; readonlySocket: string; uri: string };
  netns: string | null;
  sandbox?: SandboxNames;
  handle: DriverHandle;
  /** Stop serving, close the driver (networks stay up), remove sockets and pid file (the token stays). Idempotent. */
  stop(): Promise<void>;
}

/**
 * The libvirt listener, loaded only when asked for. Any failure to take the
 * sockets (a libvirt daemon owns them, a permission) is reported and the
 * daemon goes on serving its own API.
 */
async function startLibvirtSockets(
  options: DaemonOptions,
  driver: NetworkDriverApi,
  deps: DaemonDeps,
  undo: (() => Promise<void> | void)[],
): Promise<RunningDaemon['libvirt']> {
  const { startLibvirtListener } = await import('../libvirt-rpc/server.js');
  try {
    const listener = await startLibvirtListener({
      root: options.root,
      driver,
      version: deps.version,
      logger: deps.logger.child({ component: 'libvirt-rpc' }),
      policy: connectionPolicy(deps.openFiles ?? DEFAULT_OPEN_FILES, true),
      peers: new SsPeerCredentials(new ForkServerRunner()),
      ...(deps.onRequest ? { onCall: deps.onRequest } : {}),
    });
    undo.push(() => listener.close());
    return { socket: listener.socket, readonlySocket: listener.readonlySocket, uri: libvirtUri(listener.socket) };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    deps.logger.warn({ error: message }, 'not serving libvirt clients');
    deps.print(DAEMON_TEXT.notServingLibvirt(message));
    return undefined;
  }
}

/** The TLS certificate and key files, read at start; a file that cannot be read is a start-up failure that names it. */
function readTlsFiles(files: { certFile: string; keyFile: string }): { cert: string; key: string } {
  const read = (path: string, what: string): string => {
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      throw new Error(`cannot read the TLS ${what} '${path}': ${osErrorText(err)}`);
    }
  };
  const tls = { cert: read(files.certFile, 'certificate'), key: read(files.keyFile, 'key') };
  try {
    certificateNames(tls.cert);
    createSecureContext(tls);
  } catch (err) {
    throw new Error(
      `cannot use the TLS certificate '${files.certFile}' and key '${files.keyFile}': ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  return tls;
}

export async function startDaemon(options: DaemonOptions, deps: DaemonDeps): Promise<RunningDaemon> {
  const { logger } = deps;
  const paths = virtnetPaths(options.root);
  const socket = join(paths.runDir, SOCKET_NAME);
  const readonlySocket = join(paths.runDir, READONLY_SOCKET_NAME);
  mkdirSync(paths.runDir, { recursive: true, mode: 0o755 });

  const undo: (() => Promise<void> | void)[] = [];
  const unwind = async (): Promise<void> => {
    for (const step of undo.reverse()) {
      try {
        await step();
      } catch (err) {
        logger.warn({ err }, 'shutdown step failed');
      }
    }
    undo.length = 0;
  };

  try {
    const lock: InstanceLock = await acquireInstanceLock(paths.runDir, options.root ?? '/', [socket, readonlySocket]);
    undo.push(() => lock.release());
    // Read before anything starts: a certificate that cannot be used stops the daemon at once.
    const tls = options.tls ? readTlsFiles(options.tls) : undefined;

    let netns: string | null = options.netns ?? null;
    let sandbox: SandboxNames | undefined;
    let resolvConf: string | undefined;
    if (options.sandbox) {
      const made = await setupSandbox(sandboxNames(options.root), join(paths.runDir, 'sandbox'));
      resolvConf = made.resolvConf;
      sandbox = made.names;
      netns = sandbox.netns;
      for (const w of made.warnings) logger.warn(w);
      logger.info({ netns: sandbox.netns, uplink: sandbox.uplink, created: made.created }, 'sandbox ready');
    } else if (netns !== null && !existsSync(`/run/netns/${netns}`)) {
      throw new Error(`network namespace '${netns}' does not exist (create it with: ip netns add ${netns})`);
    }

    // Kept across restarts (token.ts), so neither TCP clients nor console sessions need to log in again.
    const token = keepToken(paths.runDir, options.newToken === true);

    const handle = await deps.createDriver({
      paths,
      netns,
      logger: logger.child({ component: 'driver' }),
      autostart: options.autostart,
      defaultNetwork: options.defaultNetwork === true,
      ...(resolvConf ? { resolvConf } : {}),
      ...(options.ovsDb ? { ovsDb: options.ovsDb } : {}),
    });
    undo.push(() => handle.close());

    // libvirt's sockets first, so the API's version route can tell clients the URI.
    const libvirt = options.libvirtSocket ? await startLibvirtSockets(options, handle.driver, deps, undo) : undefined;
    // What every REST listener is given besides its own: the libvirt URI it answers with, the request tally.
    const advertised = { ...(libvirt ? { libvirtUri: libvirt.uri } : {}), ...(deps.onRequest ? { onRequest: deps.onRequest } : {}) };

    const apiLogger = logger.child({ component: 'api' });
    const servers: FastifyInstance[] = [];
    const gates: ConnectionGate[] = [];
    undo.push(async () => {
      // No new connections; then the servers end their event streams and idle connections; what is left gets a moment.
      for (const g of gates) g.stopAccepting();
      await Promise.all(servers.map((s) => s.close()));
      await Promise.all(gates.map((g) => g.close(2000)));
      rmSync(socket, { force: true });
      rmSync(readonlySocket, { force: true });
    });
    // Each listener is bounded (connections at once, per client uid on the read-only socket, idle time): connection-gate.ts.
    const openFiles = deps.openFiles ?? DEFAULT_OPEN_FILES;
    const serve = async (
      app: FastifyInstance,
      where: Parameters<typeof serveHttpThroughGate>[1],
      listener: string,
      perUid: boolean,
    ): Promise<ConnectionGate> => {
      servers.push(app);
      const gate = await serveHttpThroughGate(app, where, {
        policy: connectionPolicy(openFiles, perUid),
        logger: apiLogger.child({ listener }),
        ...(perUid ? { peers: new SsPeerCredentials(new ForkServerRunner()) } : {}),
      });
      gates.push(gate);
      return gate;
    };
    const unixServer = (kind: 'unix' | 'unix-ro') =>
      createApiServer({ driver: handle.driver, access: { kind }, version: deps.version, logger: apiLogger.child({ listener: kind }), ...advertised });
    const rw = await unixServer('unix');
    const ro = await unixServer('unix-ro');
    await serve(rw, { path: socket, mode: 0o600 }, 'unix', false);
    await serve(ro, { path: readonlySocket, mode: 0o666 }, 'unix-ro', true);

    let tcp: { host: string; port: number; tls: boolean } | undefined;
    if (options.listen) {
      // The Host values and origins the listener answers to come from its address and certificate (tcp-origin.ts); the port once bound.
      const address: ListenerAddress = { host: options.listen.host, port: options.listen.port, tls: tls !== undefined };
      const identity = new TcpIdentity(address, tls ? certificateNames(tls.cert) : []);
      const app = await createApiServer({
        driver: handle.driver,
        access: { kind: 'tcp', token, identity },
        version: deps.version,
        logger: apiLogger.child({ listener: 'tcp' }),
        netns,
        ...(options.ovsDb ? { ovsDb: options.ovsDb } : {}),
        ...(options.ovnSouthbound ? { ovnSouthbound: options.ovnSouthbound } : {}),
        consoleSessions: { key: keepSecret(consoleKeyPath(paths.runDir)), file: join(paths.runDir, 'console-sessions') },
        ...advertised,
        ...(tls ? { tls } : {}),
      });
      const gate = await serve(app, { host: options.listen.host, port: options.listen.port }, 'tcp', false);
      const bound = gate.server.address();
      address.port = typeof bound === 'object' && bound ? bound.port : options.listen.port;
      tcp = { host: options.listen.host, port: address.port, tls: address.tls };
    }

    logger.info({ socket, readonlySocket, tcp, netns, root: options.root ?? '/' }, 'virtnetd started');
    const facts: StartupFacts = {
      version: deps.version,
      socket,
      readonlySocket,
      netns,
      ...(libvirt ? { libvirtUri: libvirt.uri } : {}),
      ...(sandbox ? { sandbox } : {}),
      ...(handle.startup ? { startup: handle.startup } : {}),
    };
    if (tcp) {
      const host = tcp.host.includes(':') ? `[${tcp.host}]` : tcp.host;
      facts.tcp = { url: `${tcp.tls ? 'https' : 'http'}://${host}:${tcp.port}`, token, tokenFile: tokenPath(paths.runDir) };
    }
    for (const line of deps.terminal === true ? terminalStartupLines(facts) : plainStartupLines(facts)) deps.print(line);

    let stopping: Promise<void> | undefined;
    return {
      paths,
      socket,
      readonlySocket,
      token,
      ...(tcp ? { tcp } : {}),
      ...(libvirt ? { libvirt } : {}),
      netns,
      ...(sandbox ? { sandbox } : {}),
      handle,
      stop(): Promise<void> {
        stopping ??= (async () => {
          logger.info('virtnetd stopping; running networks are left up');
          await unwind();
          logger.info('virtnetd stopped');
        })();
        return stopping;
      },
    };
  } catch (err) {
    await unwind();
    throw err;
  }
}
