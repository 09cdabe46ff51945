/**
 * Which daemon a client talks to. A connection URI is resolved the way the
 * CLI's `-c URI` promises:
 *
 * - `unix:///abs/path/virtnetd.sock`: that socket;
 * - `http://127.0.0.1:PORT` (or another loopback address): TCP, with the
 *   daemon's token;
 * - libvirt's own URIs as tutorials write them — `qemu:///system`,
 *   `network:///system`, `qemu+unix:///system?socket=PATH`, … — mean the
 *   default socket (or the `socket=` one), so tutorial commands work as typed;
 *   a `socket=` naming the libvirt socket virtnetd serves
 *   (ROOT/run/libvirt/virtnetworkd-sock) means that daemon's own socket
 *   (ROOT/run/virtnet/virtnetd.sock), so the URI virsh uses works here too;
 * - none: $VIRTNET_DEFAULT_URI, else /run/virtnet/virtnetd.sock.
 *
 * Read-only means the `virtnetd-ro.sock` beside the chosen socket; over TCP
 * the same daemon is asked to serve the connection read-only.
 * Anything else fails as virsh does: NO_CONNECT "no connection driver
 * available for URI".
 */
import { basename, dirname, join } from 'node:path';
import { VirError } from '../util/errors.js';

export const DEFAULT_SOCKET = '/run/virtnet/virtnetd.sock';
export const SOCKET_NAME = 'virtnetd.sock';
export const READONLY_SOCKET_NAME = 'virtnetd-ro.sock';
/** The sockets of libvirt's network daemon, which virtnetd serves libvirt's protocol on (src/libvirt-rpc/). */
export const LIBVIRT_SOCKET_NAME = 'virtnetworkd-sock';
export const LIBVIRT_READONLY_SOCKET_NAME = 'virtnetworkd-sock-ro';

/** The URI libvirt clients open to reach the libvirt socket at `path`. */
export function libvirtUri(path: string): string {
  return `network:///system?socket=${path}`;
}

/** ROOT/run/virtnet/virtnetd.sock → ROOT/run/libvirt/virtnetworkd-sock: where the same daemon serves libvirt clients. */
export function libvirtSocketFor(socketPath: string): string | undefined {
  const dir = dirname(socketPath);
  if (basename(socketPath) !== SOCKET_NAME || basename(dir) !== 'virtnet') return undefined;
  return join(dirname(dir), 'libvirt', LIBVIRT_SOCKET_NAME);
}

/** ROOT/run/libvirt/virtnetworkd-sock(-ro) → ROOT/run/virtnet/virtnetd.sock, or the path itself. */
function virtnetSocketFor(socketPath: string): string {
  const name = basename(socketPath);
  const dir = dirname(socketPath);
  if ((name !== LIBVIRT_SOCKET_NAME && name !== LIBVIRT_READONLY_SOCKET_NAME) || basename(dir) !== 'libvirt') return socketPath;
  return join(dirname(dir), 'virtnet', SOCKET_NAME);
}

export type DaemonTarget =
  | { kind: 'unix'; socketPath: string; readonly: boolean; uri: string }
  | { kind: 'tcp'; host: string; port: number; readonly: boolean; uri: string; tls: boolean };

/** The read-only socket beside a read-write one. */
export function readonlySocketFor(socketPath: string): string {
  return join(dirname(socketPath), READONLY_SOCKET_NAME);
}

const LIBVIRT_LOCAL = /^[a-z][a-z0-9-]*(\+unix)?:\/\/\/(system|session)\/?(\?.*)?$/i;

/** Resolve a connection URI (or the default) to a socket or a TCP address. */
export function resolveTarget(uri: string | undefined, readonly = false, env: NodeJS.ProcessEnv = process.env): DaemonTarget {
  const given = uri ?? (env['VIRTNET_DEFAULT_URI'] || undefined);
  if (given === undefined) return unixTarget(DEFAULT_SOCKET, readonly, `unix://${DEFAULT_SOCKET}`);

  if (given.startsWith('unix://')) {
    const path = decodeURIComponent(given.slice('unix://'.length).split('?')[0] ?? '');
    if (!path.startsWith('/')) throw new VirError('NO_CONNECT', `URI '${given}': the socket path must be absolute`);
    return unixTarget(path, readonly, given);
  }

  if (/^https?:\/\//i.test(given)) {
    let url: URL;
    try {
      url = new URL(given);
    } catch {
      throw new VirError('NO_CONNECT', given);
    }
    const tls = url.protocol === 'https:';
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const port = Number(url.port || (tls ? 443 : 80));
    return { kind: 'tcp', host, port, readonly, uri: given, tls };
  }

  if (LIBVIRT_LOCAL.test(given)) {
    const query = given.includes('?') ? new URLSearchParams(given.slice(given.indexOf('?') + 1)) : undefined;
    const socket = query?.get('socket');
    return unixTarget(socket ? virtnetSocketFor(socket) : DEFAULT_SOCKET, readonly, given);
  }

  if (!/^[a-z][a-z0-9+.-]*:/i.test(given)) {
    throw new VirError('NO_CONNECT', `URI '${given}' does not include a driver name`);
  }
  throw new VirError('NO_CONNECT', given);
}

function unixTarget(socketPath: string, readonly: boolean, uri: string): DaemonTarget {
  return { kind: 'unix', socketPath: readonly ? readonlySocketFor(socketPath) : socketPath, readonly, uri };
}

/** How virsh names the place it failed to reach, for connection errors. */
export function describeTarget(target: DaemonTarget): string {
  return target.kind === 'unix' ? target.socketPath : `${target.host}:${target.port}`;
}
