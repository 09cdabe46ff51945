/**
 * virtnetd's HTTP API served over a driver for the client unit tests, laid
 * out as the daemon lays out its listeners: the read-write socket
 * `virtnetd.sock` (with a 50 ms event-stream heartbeat), the read-only
 * `virtnetd-ro.sock` beside it, and, when given a token, 127.0.0.1 on a free
 * port. It also keeps the clients a test connects, so that one close() ends
 * them and then the servers.
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { TcpIdentity } from '../../../src/api/tcp-origin.js';
import { createApiServer } from '../../../src/api/server.js';
import { connect, type ConnectOptions, type HttpVirtnetClient } from '../../../src/client/index.js';
import type { NetworkDriverApi } from '../../../src/contract/network-api.js';

export interface ServedApi {
  /** The read-write socket's path. */
  sock: string;
  /** Read-write, read-only, then (with a token) TCP. */
  servers: FastifyInstance[];
  /** The TCP listener's port; 0 without a token. */
  tcpPort: number;
  /** Connect a client that close() will close. */
  open(options: ConnectOptions): Promise<HttpVirtnetClient>;
  /** Close the clients, then every server. */
  close(): Promise<void>;
}

/** Serve `driver` on sockets in `dir` (and on TCP when `token` is given). */
export async function serveApi(driver: NetworkDriverApi, dir: string, token?: string): Promise<ServedApi> {
  const sock = join(dir, 'virtnetd.sock');
  const rw = await createApiServer({ driver, access: { kind: 'unix' }, version: '1.2.3', heartbeatMs: 50 });
  const ro = await createApiServer({ driver, access: { kind: 'unix-ro' }, version: '1.2.3' });
  const address = { host: '127.0.0.1', port: 0, tls: false };
  const tcp =
    token === undefined
      ? undefined
      : await createApiServer({ driver, access: { kind: 'tcp', token, identity: new TcpIdentity(address) }, version: '1.2.3' });
  await rw.listen({ path: sock });
  await ro.listen({ path: join(dir, 'virtnetd-ro.sock') });
  let tcpPort = 0;
  if (tcp) {
    await tcp.listen({ host: '127.0.0.1', port: 0 });
    const bound = tcp.server.address();
    tcpPort = typeof bound === 'object' && bound ? bound.port : 0;
    address.port = tcpPort;
  }
  const servers = tcp ? [rw, ro, tcp] : [rw, ro];
  const clients: HttpVirtnetClient[] = [];
  return {
    sock,
    servers,
    tcpPort,
    async open(options) {
      const c = await connect(options);
      clients.push(c);
      return c;
    },
    async close() {
      await Promise.all(clients.splice(0).map((c) => c.close()));
      await Promise.all(servers.map((s) => s.close()));
    },
  };
}
