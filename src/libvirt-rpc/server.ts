/**
 * virtnetd's libvirt listener: the sockets of libvirt's modular network
 * daemon, ROOT/run/libvirt/virtnetworkd-sock (0600, every call) and
 * virtnetworkd-sock-ro (0666, calls that change nothing), speaking the
 * remote program to real libvirt clients.
 *
 * Before binding, each path is probed: a socket something answers on (a
 * running virtnetworkd or libvirtd, or systemd holding it for one) means a
 * real libvirt network daemon owns it, and virtnet refuses to take it over
 * (LibvirtSocketBusyError); a socket nobody answers on is a stale leftover
 * and is replaced; anything else at the path is left alone and refused.
 *
 * Each socket is behind a ConnectionGate (src/api/connection-gate.ts), as
 * the REST API's are: a bound per listener and, on the read-only socket
 * any local user reaches, per client uid. Idle connections are not cut
 * (a libvirt client may hold one as long as it likes; a dead client's
 * socket closes, a hung one stops answering keepalive pings).
 *
 * Idle, the listener costs two listening sockets: the protocol code
 * (connection.ts, dispatch.ts and what they import) is loaded when the
 * first client connects.
 */
import { lstatSync, mkdirSync, rmSync, type Stats } from 'node:fs';
import { type Socket, createConnection } from 'node:net';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { ConnectionGate, type ConnectionPolicy } from '../api/connection-gate.js';
import { LIBVIRT_READONLY_SOCKET_NAME, LIBVIRT_SOCKET_NAME } from '../client/http-uri.js';
import type { NetworkDriverApi } from '../contract/network-api.js';
import type { PeerCredentials } from '../host/unix-peers.js';
import type { ConnectionLimits, RpcConnection } from './connection.js';
import type { Handlers } from './dispatch.js';

/** ROOT/run/libvirt: where libvirt's daemons keep their sockets. */
export function libvirtRunDir(root: string | undefined): string {
  return join(root ?? '/', 'run', 'libvirt');
}

export function libvirtSocketPaths(root: string | undefined): { socket: string; readonlySocket: string } {
  const dir = libvirtRunDir(root);
  return { socket: join(dir, LIBVIRT_SOCKET_NAME), readonlySocket: join(dir, LIBVIRT_READONLY_SOCKET_NAME) };
}

/** A libvirt daemon (or something else) already holds one of the paths. */
export class LibvirtSocketBusyError extends Error {
  override readonly name = 'LibvirtSocketBusyError';
}

/** Without the daemon's figures: libvirt's max_clients is far higher, ours is sized for Node. */
export const DEFAULT_LIBVIRT_POLICY: Readonly<ConnectionPolicy> = { maxConnections: 256, maxPerUid: 64, idleTimeoutMs: 0 };

export interface LibvirtListenerOptions {
  root: string | undefined;
  driver: NetworkDriverApi;
  version: string;
  logger: Logger;
  /** Bounds of each socket (idle time is ignored: see the header); maxPerUid applies to the read-only one. */
  policy?: ConnectionPolicy;
  /** Client uids, for the read-only socket's per-uid bound; without it only the per-socket bound applies. */
  peers?: PeerCredentials;
  limits?: ConnectionLimits;
  /** Told of each call taken (the idle collector's sign of work, api/idle-gc.ts). */
  onCall?: () => void;
}

export interface LibvirtListener {
  socket: string;
  readonlySocket: string;
  /** Clients connected now. */
  readonly clients: number;
  /** Stop listening, drop every client, remove the socket files. */
  close(): Promise<void>;
}

/** Whether something accepts connections on the unix socket at `path`. */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createConnection({ path });
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

/** Make `path` free for our socket, or say who holds it. */
async function claim(path: string): Promise<void> {
  let stat: Stats;
  try {
    stat = lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if (!stat.isSocket()) throw new LibvirtSocketBusyError(`${path} exists and is not a socket; not serving libvirt's protocol there`);
  if (await answers(path)) {
    throw new LibvirtSocketBusyError(
      `a libvirt network daemon already answers on ${path}; not serving libvirt's protocol there (stop virtnetworkd/libvirtd and their sockets, or start virtnetd with --no-libvirt-socket)`,
    );
  }
  rmSync(path, { force: true });
}

type Protocol = { RpcConnection: typeof RpcConnection; handlers: Handlers };

export async function startLibvirtListener(options: LibvirtListenerOptions): Promise<LibvirtListener> {
  const { logger } = options;
  const { socket, readonlySocket } = libvirtSocketPaths(options.root);
  const given = options.policy ?? DEFAULT_LIBVIRT_POLICY;
  mkdirSync(libvirtRunDir(options.root), { recursive: true, mode: 0o755 });
  await claim(socket);
  await claim(readonlySocket);

  let nextCallbackId = 1;
  let protocol: Promise<Protocol> | undefined;
  const loadProtocol = (): Promise<Protocol> =>
    (protocol ??= (async () => {
      const [{ RpcConnection }, { createHandlers }] = await Promise.all([import('./connection.js'), import('./dispatch.js')]);
      return { RpcConnection, handlers: createHandlers(options.driver, { version: options.version }) };
    })());

  /** An admitted client (paused): its connection once the protocol code is loaded. */
  const serve = (readonlyListener: boolean) => (client: Socket) => {
    loadProtocol().then(
      ({ RpcConnection, handlers }) => {
        if (client.destroyed) return;
        new RpcConnection({
          socket: client,
          readonlyListener,
          handlers,
          events: options.driver,
          nextCallbackId: () => nextCallbackId++,
          logger: logger.child({ client: readonlyListener ? 'ro' : 'rw' }),
          ...(options.limits ? { limits: options.limits } : {}),
          ...(options.onCall ? { onCall: options.onCall } : {}),
        });
        client.resume();
      },
      (err: unknown) => {
        logger.error({ err }, 'cannot load the libvirt protocol');
        client.destroy();
      },
    );
  };

  const gates: ConnectionGate[] = [];
  const closeAll = async (): Promise<void> => {
    await Promise.all(gates.map((g) => g.close()));
    rmSync(socket, { force: true });
    rmSync(readonlySocket, { force: true });
  };
  try {
    for (const [path, mode, ro] of [
      [socket, 0o600, false],
      [readonlySocket, 0o666, true],
    ] as const) {
      const policy: ConnectionPolicy = { maxConnections: given.maxConnections, idleTimeoutMs: 0 };
      if (ro && given.maxPerUid !== undefined) policy.maxPerUid = given.maxPerUid;
      const gate = new ConnectionGate({
        policy,
        onAdmit: serve(ro),
        ...(ro && options.peers ? { peers: options.peers } : {}),
        logger: logger.child({ listener: ro ? 'libvirt-ro' : 'libvirt' }),
      });
      gates.push(gate);
      await gate.listen({ path, mode });
    }
  } catch (err) {
    await closeAll();
    throw err;
  }
  logger.info({ socket, readonlySocket }, 'serving libvirt clients');

  let closing: Promise<void> | undefined;
  return {
    socket,
    readonlySocket,
    get clients() {
      return gates.reduce((n, g) => n + g.size, 0);
    },
    close: () => (closing ??= closeAll()),
  };
}
