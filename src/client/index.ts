/**
 * The typed client of virtnetd, shared by the CLI and the console's server
 * side: `connect(options)` resolves which daemon (see http-uri.ts), checks
 * that it answers (or, with `deferProbe`, lets the first call show it:
 * http-probe.ts), and returns a VirtnetClient whose methods are the
 * driver's, carried over HTTP.
 *
 * Every rejection is a VirError with libvirt's class and text. A rejection
 * of `connect()` itself means no usable connection: print virsh's
 * "error: failed to connect to the hypervisor" and then the error, e.g.
 *   error: failed to connect to the hypervisor
 *   error: Failed to connect socket to '/run/virtnet/virtnetd.sock': No such file or directory
 *
 * Over TCP the token is `options.token`, else $VIRTNET_TOKEN.
 *
 * Small on purpose: node:net (or, for the CLI, a blocking request through
 * its addon: unix-request.ts) and a few local modules, nothing else, so
 * the CLI starts fast (node:http only for the event stream).
 */
import type { ConnectOptions } from './types.js';
import { HttpVirtnetClient } from './http-client.js';
import { HttpTransport } from './http-transport.js';
import { resolveTarget } from './http-uri.js';

export type { ConnectOptions, VirtnetClient } from './types.js';
export { HttpVirtnetClient } from './http-client.js';
export { DEFAULT_SOCKET, READONLY_SOCKET_NAME, SOCKET_NAME, readonlySocketFor, resolveTarget, type DaemonTarget } from './http-uri.js';

/** Connect to virtnetd; rejects with a VirError when the daemon cannot be reached or refuses the connection. */
export async function connect(options: ConnectOptions = {}): Promise<HttpVirtnetClient> {
  const target = resolveTarget(options.uri, options.readonly === true);
  // node:tls is loaded only for an https:// listener: the CLI's start-up stays small.
  const tls = target.kind === 'tcp' && target.tls ? await import('node:tls') : undefined;
  const transport = new HttpTransport(target, options.token ?? (process.env['VIRTNET_TOKEN'] || undefined), tls?.connect, options.blocking);
  if (options.deferProbe === true) return new HttpVirtnetClient(transport, transport.deferProbe());
  const client = new HttpVirtnetClient(transport);
  try {
    await client.version();
  } catch (err) {
    transport.close();
    throw err;
  }
  return client;
}
