/**
 * The traffic half of virtnetd's HTTP API, for both ends: the routes
 * (src/api/routes-traffic.ts registers exactly these) and the calls.
 *
 *   GET /api/guests/:name/interfaces/:iface/stats   guestInterfaceStats (domifstat)
 *   GET /api/networks/:name/traffic                 networkTraffic
 */
import type { InterfaceStats, NetworkTraffic, TrafficApi } from '../contract/traffic-api.js';
import { request, type HttpCallerClass } from './http-call.js';
import { API_PREFIX, routePath } from './http-routes.js';

export const TRAFFIC_ROUTES = {
  interfaceStats: `${API_PREFIX}/guests/:name/interfaces/:iface/stats`,
  networkTraffic: `${API_PREFIX}/networks/:name/traffic`,
} as const;

/** TrafficApi as calls over the client's transport, mixed into `Base`. */
export const withTrafficCalls = <B extends HttpCallerClass>(Base: B) =>
  class HttpTrafficCalls extends Base implements TrafficApi {
    guestInterfaceStats(name: string, iface: string): Promise<InterfaceStats> {
      return request(this.transport, 'GET', routePath(TRAFFIC_ROUTES.interfaceStats, name, iface));
    }

    networkTraffic(network: string): Promise<NetworkTraffic> {
      return request(this.transport, 'GET', routePath(TRAFFIC_ROUTES.networkTraffic, network));
    }
  };
