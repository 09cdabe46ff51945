/**
 * The console's one client of virtnetd: src/client's HttpVirtnetClient (the
 * CLI's) over the browser's fetch (fetch-transport.ts), and the console's
 * own routes (src/contract/console-api.ts) over the same transport.
 * Changes name the version they were based on (If-Match): the daemon
 * refuses them with 412 when someone else changed the object meanwhile.
 */
import { HttpVirtnetClient } from '../../../src/client/http-client.js';
import { routePath } from '../../../src/client/http-routes.js';
import {
  CONSOLE_ROUTES,
  type CheckNetworkBody,
  type ConsoleSessionBody,
  type GuestsSnapshot,
  type HostInfoBody,
  type NetworkState,
  type NetworksSnapshot,
  type OvnHostsBody,
} from '../../../src/contract/console-api.js';
import { VirError } from '../../../src/util/errors.js';
import { FetchTransport } from './fetch-transport.js';

export const transport = new FetchTransport();
export const client = new HttpVirtnetClient(transport);

const get = async <T>(path: string): Promise<T> => (await transport.call<T>('GET', path)).body;
const post = async <T>(path: string, body?: unknown): Promise<T> => (await transport.call<T>('POST', path, body)).body;

export const consoleApi = {
  session: () => get<ConsoleSessionBody>(CONSOLE_ROUTES.session),
  login: (token: string) => post<ConsoleSessionBody>(CONSOLE_ROUTES.login, { token }),
  logout: () => post<void>(CONSOLE_ROUTES.logout),
  host: () => get<HostInfoBody>(CONSOLE_ROUTES.host),
  /** Check XML as net-define would; with a running network's name, also the net-update calls that carry the edit over. */
  checkNetwork: (xml: string, name?: string) => post<CheckNetworkBody>(CONSOLE_ROUTES.checkNetwork, { xml, ...(name !== undefined ? { name } : {}) }),
  networks: () => get<NetworksSnapshot>(CONSOLE_ROUTES.networks),
  network: (name: string) => get<{ network: NetworkState | null }>(routePath(CONSOLE_ROUTES.network, name)),
  guests: () => get<GuestsSnapshot>(CONSOLE_ROUTES.guests),
  /** The OVN hosts, each asked whether it answers (up to a few seconds when one does not). */
  ovnHosts: () => get<OvnHostsBody>(CONSOLE_ROUTES.ovnHosts),
};

/** A change's precondition: the version it is based on, when one is known. */
export function basedOn(version: string | undefined): { ifMatch?: string } {
  return version === undefined ? {} : { ifMatch: version };
}

/** Whether a change was refused because the object changed since the version it named. */
export function isConflict(err: unknown): boolean {
  return err instanceof VirError && err.status === 412;
}
