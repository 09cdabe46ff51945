/**
 * The network port half of virtnetd's HTTP API (libvirt's virNetworkPort*,
 * virsh's net-port-* commands), for both ends: the routes (the daemon
 * registers exactly these, src/api/routes-ports.ts) and the calls
 * HttpVirtnetClient makes (mixed into it). Network names and port uuids travel in the
 * path, percent-encoded.
 *
 *   GET    /api/networks/:name/ports              portList
 *   POST   /api/networks/:name/ports              portCreate({xml, validate, reclaim})
 *   GET    /api/networks/:name/ports/:uuid        portLookup
 *   GET    /api/networks/:name/ports/:uuid/xml    portGetXml → {xml}
 *   DELETE /api/networks/:name/ports/:uuid        portDelete
 */
import type { NetworkPortApi, NetworkPortDef, PortCreateOptions } from '../contract/network-port-api.js';
import { request, type HttpCallerClass } from './http-call.js';
import { API_PREFIX, routePath } from './http-routes.js';

export const PORT_ROUTES = {
  ports: `${API_PREFIX}/networks/:name/ports`,
  port: `${API_PREFIX}/networks/:name/ports/:uuid`,
  portXml: `${API_PREFIX}/networks/:name/ports/:uuid/xml`,
} as const;

/** NetworkPortApi as calls over the client's transport, mixed into `Base`. */
export const withPortCalls = <B extends HttpCallerClass>(Base: B) =>
  class HttpPortCalls extends Base implements NetworkPortApi {
    portList(network: string): Promise<NetworkPortDef[]> {
      return request(this.transport, 'GET', routePath(PORT_ROUTES.ports, network));
    }

    portLookup(network: string, uuid: string): Promise<NetworkPortDef> {
      return request(this.transport, 'GET', routePath(PORT_ROUTES.port, network, uuid));
    }

    portCreate(network: string, xml: string, options: PortCreateOptions = {}): Promise<NetworkPortDef> {
      return request(this.transport, 'POST', routePath(PORT_ROUTES.ports, network), { xml, ...(options.reclaim ? { reclaim: true } : {}) });
    }

    async portGetXml(network: string, uuid: string): Promise<string> {
      return (await request<{ xml: string }>(this.transport, 'GET', routePath(PORT_ROUTES.portXml, network, uuid))).xml;
    }

    async portDelete(network: string, uuid: string): Promise<void> {
      await request(this.transport, 'DELETE', routePath(PORT_ROUTES.port, network, uuid));
    }
  };
