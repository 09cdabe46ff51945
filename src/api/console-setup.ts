/**
 * The web console on a TCP listener, in one call for createApiServer:
 * `setupConsole(access)` returns the listener's access policy with the
 * console's session check plugged in (console-access.ts), and `register`
 * adds the console's files and routes to the fastify instance.
 *
 * A TCP listener whose access already has a `session` check keeps it and
 * gets no console (tests plug their own check in that way).
 */
import type { FastifyInstance } from 'fastify';
import type { NetworkDriverApi } from '../contract/network-api.js';
import type { ListenerAccess } from './access.js';
import { consoleSessionCheck } from './console-access.js';
import { linuxHostInfo, type HostInfoReader } from './console-host.js';
import { registerConsoleRoutes } from './console-routes.js';
import { registerConsoleState } from './console-state.js';
import { registerConsoleOvn } from './console-ovn.js';
import { DEFAULT_OVS_DB } from '../ovn/local-ovs.js';
import { SessionStore } from './console-session.js';
import { AuthThrottle } from './auth-throttle.js';
import { findConsoleDir, registerConsoleStatic } from './console-static.js';

interface ConsoleSetupOptions {
  /** The namespace networks live in (host interfaces and routes are read there). */
  netns?: string | null;
  /** This host's Open vSwitch database (--ovs-db; the default socket when absent): the OVN hosts are read through it. */
  ovsDb?: string;
  /** The OVN southbound database as the daemon reaches it (default: Open vSwitch's ovn-remote). */
  ovnSouthbound?: string;
  /** The built console's folder; found by findConsoleDir() when omitted. */
  dir?: string;
  hostInfo?: HostInfoReader;
  store?: SessionStore;
  /** Sessions that survive a restart: the sealing key and the file of ended sessions (RUN/console-key, RUN/console-sessions). */
  sessions?: { key: string; file: string };
}

interface WebConsole {
  access: ListenerAccess;
  register(app: FastifyInstance, driver: NetworkDriverApi): void;
}

export function setupConsole(access: ListenerAccess, options: ConsoleSetupOptions = {}): WebConsole | undefined {
  if (access.kind !== 'tcp' || access.session !== undefined) return undefined;
  const token = access.token;
  const store = options.store ?? new SessionStore({ token, ...(options.sessions ? { key: options.sessions.key, file: options.sessions.file } : {}) });
  const throttle = access.throttle ?? new AuthThrottle();
  return {
    access: { ...access, throttle, session: consoleSessionCheck(store, access.identity) },
    register(app, driver) {
      registerConsoleStatic(app, options.dir ?? findConsoleDir());
      registerConsoleState(app, driver);
      registerConsoleOvn(app, driver, {
        ovsDb: options.ovsDb ?? DEFAULT_OVS_DB,
        ...(options.ovnSouthbound ? { southbound: options.ovnSouthbound } : {}),
      });
      registerConsoleRoutes(app, {
        driver,
        token,
        store,
        identity: access.identity,
        throttle,
        hostInfo: options.hostInfo ?? linuxHostInfo(options.netns ?? null),
      });
    },
  };
}
