/**
 * The traffic half of virtnetd's HTTP API, for both ends: the routes
 * (src/api/routes-traffic.ts registers exactly these) and the calls.
 *
 *   GET /api/guests/:name/interfaces/:iface/stats   guestInterfaceStats (domifstat)
 *   GET /api/networks/:name/traffic                 networkTraffic
 */
import type { InterfaceStats, NetworkTraffic, TrafficApi } from '../contract/traffic-api.js';
import { request } from './http-guests.js';
import { API_PREFIX } from './http-routes.js';
import type { ClientTransport } from './transport.js';

export const TRAFFIC_ROUTES = {
  interfaceStats: `${API_PREFIX}/guests/:name/interfaces/:iface/stats`,
  networkTraffic: `${API_PREFIX}/networks/:name/traffic`,
} as const;

/** TrafficApi as calls over a transport. */
export class HttpTrafficCalls implements TrafficApi {
  constructor(private readonly transport: ClientTransport) {}

  guestInterfaceStats(name: string, iface: string): Promise<InterfaceStats> {
    const path = TRAFFIC_ROUTES.interfaceStats.replace(':name', encodeURIComponent(name)).replace(':iface', encodeURIComponent(iface));
    return request(this.transport, 'GET', path);
  }

  networkTraffic(network: string): Promise<NetworkTraffic> {
    return request(this.transport, 'GET', TRAFFIC_ROUTES.networkTraffic.replace(':name', encodeURIComponent(network)));
  }
}
