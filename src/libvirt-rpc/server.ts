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
 * Idle, the listener costs two listening sockets: the protocol code
 * (connection.ts, dispatch.ts and what they import) is loaded when the
 * first client connects. At most `maxClients` clients are served at once;
 * more are closed on arrival, as libvirt's max_clients does.
 */
import { chmodSync, lstatSync, mkdirSync, rmSync } from 'node:fs';
import { type Server, type Socket, createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { NetworkDriverApi } from '../contract/network-api.js';
import { LIBVIRT_READONLY_SOCKET_NAME, LIBVIRT_SOCKET_NAME } from '../client/http-uri.js';
import type { ConnectionLimits, RpcConnection } from './connection.js';


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

export interface LibvirtListenerOptions {
  root: string | undefined;
  driver: NetworkDriverApi;
  version: string;
  logger: Logger;
  maxClients?: number;
  limits?: ConnectionLimits;
}

export interface LibvirtListener {
  socket: string;
  readonlySocket: string;
  /** Clients connected now. */
  readonly clients: number;
  /** Stop listening, drop every client, remove the socket files. */
  close(): Promise<void>;
}

export const DEFAULT_MAX_CLIENTS = 256;

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
  let stat;
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

function listen(server: Server, path: string, mode: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const old = process.umask(0o077);
    const fail = (err: Error): void => {
      process.umask(old);
      reject(err);
    };
    server.once('error', fail);
    server.listen(path, () => {
      process.umask(old);
      server.off('error', fail);
      try {
        chmodSync(path, mode);
        resolve();
      } catch (err) {
        reject(err as Error);
      }
    });
  });
}

type Protocol = {
  RpcConnection: typeof RpcConnection;
  handlers: import('./dispatch.js').Handlers;
};

export async function startLibvirtListener(options: LibvirtListenerOptions): Promise<LibvirtListener> {
  const { logger } = options;
  const { socket, readonlySocket } = libvirtSocketPaths(options.root);
  const maxClients = options.maxClients ?? DEFAULT_MAX_CLIENTS;
  mkdirSync(libvirtRunDir(options.root), { recursive: true, mode: 0o755 });
  await claim(socket);
  await claim(readonlySocket);

  const clients = new Set<{ socket: Socket; connection?: RpcConnection }>();
  let nextCallbackId = 1;
  let protocol: Promise<Protocol> | undefined;
  const loadProtocol = (): Promise<Protocol> =>
    (protocol ??= (async () => {
      const [{ RpcConnection }, { createHandlers }] = await Promise.all([import('./connection.js'), import('./dispatch.js')]);
      return { RpcConnection, handlers: createHandlers(options.driver, { version: options.version }) };
    })());

  const accept = (readonlyListener: boolean) => (client: Socket) => {
    if (clients.size >= maxClients) {
      logger.warn({ clients: clients.size }, 'too many libvirt clients; dropping a new connection');
      client.destroy();
      return;
    }
    const entry: { socket: Socket; connection?: RpcConnection } = { socket: client };
    clients.add(entry);
    client.once('close', () => clients.delete(entry));
    client.pause();
    loadProtocol().then(
      ({ RpcConnection, handlers }) => {
        if (client.destroyed) return;
        entry.connection = new RpcConnection({
          socket: client,
          readonlyListener,
          handlers,
          events: options.driver,
          nextCallbackId: () => nextCallbackId++,
          logger: logger.child({ client: readonlyListener ? 'ro' : 'rw' }),
          ...(options.limits ? { limits: options.limits } : {}),
        });
        client.resume();
      },
      (err: unknown) => {
        logger.error({ err }, 'cannot load the libvirt protocol');
        client.destroy();
      },
    );
  };

  const servers: Server[] = [];
  const closeAll = async (): Promise<void> => {
    for (const c of clients) c.socket.destroy();
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    rmSync(socket, { force: true });
    rmSync(readonlySocket, { force: true });
  };
  try {
    for (const [path, mode, ro] of [
      [socket, 0o600, false],
      [readonlySocket, 0o666, true],
    ] as const) {
      const server = createServer({ pauseOnConnect: true }, accept(ro));
      server.on('error', (err) => logger.error({ err, path }, 'libvirt listener failed'));
      servers.push(server);
      await listen(server, path, mode);
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
      return clients.size;
    },
    close: () => (closing ??= closeAll()),
  };
}
