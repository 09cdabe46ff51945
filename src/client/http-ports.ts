/**
 * The network port half of virtnetd's HTTP API (libvirt's virNetworkPort*,
 * virsh's net-port-* commands), for both ends: the routes (the daemon
 * registers exactly these, src/api/routes-ports.ts) and the calls
 * HttpVirtnetClient makes. Network names and port uuids travel in the
 * path, percent-encoded.
 *
 *   GET    /api/networks/:name/ports              portList
 *   POST   /api/networks/:name/ports              portCreate({xml, validate, reclaim})
 *   GET    /api/networks/:name/ports/:uuid        portLookup
 *   GET    /api/networks/:name/ports/:uuid/xml    portGetXml → {xml}
 *   DELETE /api/networks/:name/ports/:uuid        portDelete
 */
import type { NetworkPortApi, NetworkPortDef, PortCreateOptions } from '../contract/network-port-api.js';
import { request } from './http-guests.js';
import { API_PREFIX } from './http-routes.js';
import type { ClientTransport } from './transport.js';

export const PORT_ROUTES = {
  ports: `${API_PREFIX}/networks/:name/ports`,
  port: `${API_PREFIX}/networks/:name/ports/:uuid`,
  portXml: `${API_PREFIX}/networks/:name/ports/:uuid/xml`,
} as const;

/** Fill a port route's `:name` and `:uuid`. */
function portPath(route: string, network: string, uuid?: string): string {
  const path = route.replace(':name', encodeURIComponent(network));
  return uuid === undefined ? path : path.replace(':uuid', encodeURIComponent(uuid));
}

/** NetworkPortApi as calls over a transport. */
export class HttpPortCalls implements NetworkPortApi {
  constructor(private readonly transport: ClientTransport) {}

  portList(network: string): Promise<NetworkPortDef[]> {
    return request(this.transport, 'GET', portPath(PORT_ROUTES.ports, network));
  }

  portLookup(network: string, uuid: string): Promise<NetworkPortDef> {
    return request(this.transport, 'GET', portPath(PORT_ROUTES.port, network, uuid));
  }

  portCreate(network: string, xml: string, options: PortCreateOptions = {}): Promise<NetworkPortDef> {
    return request(this.transport, 'POST', portPath(PORT_ROUTES.ports, network), { xml, ...(options.reclaim ? { reclaim: true } : {}) });
  }

  async portGetXml(network: string, uuid: string): Promise<string> {
    return (await request<{ xml: string }>(this.transport, 'GET', portPath(PORT_ROUTES.portXml, network, uuid))).xml;
  }

  async portDelete(network: string, uuid: string): Promise<void> {
    await request(this.transport, 'DELETE', portPath(PORT_ROUTES.port, network, uuid));
  }
}
