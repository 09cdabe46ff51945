/**
 * The HTTP routes of virtnetd's API, one place for both ends: the daemon
 * (src/api) registers exactly these paths and the client (src/client) calls
 * them. Dependency-free so the CLI's bundle stays small.
 *
 * Every route maps to one NetworkDriverApi method. Network names travel in
 * the path, percent-encoded (a name may hold any character but '/').
 *
 *   GET    /api/version                        daemon version (the client's connect probe)
 *   GET    /api/networks?active=true&…         list(filter)
 *   POST   /api/networks                       define({xml, validate})
 *   POST   /api/networks/create                create({xml, validate}): transient and started
 *   GET    /api/network-by-uuid/:uuid          lookupByUuid
 *   GET    /api/networks/:name                 lookupByName
 *   DELETE /api/networks/:name                 undefine
 *   POST   /api/networks/:name/start           start
 *   POST   /api/networks/:name/destroy         destroy
 *   PUT    /api/networks/:name/autostart       setAutostart({autostart})
 *   GET    /api/networks/:name/xml?inactive=   getXml → {xml}
 *   POST   /api/networks/:name/update          update(UpdateRequest) → UpdateResult
 *   GET    /api/networks/:name/leases?mac=     leases
 *   GET    /api/networks/:name/forwards?inactive=           listForwards
 *   POST   /api/networks/:name/forwards                     addForward({forward, flags}) → UpdateResult
 *   DELETE /api/networks/:name/forwards?port=&proto=&address=&live=&config=   removeForward → UpdateResult
 *   POST   /api/dry-run                        dryRun(DryRunRequest) → HostChanges (changes nothing)
 *   GET    /api/events                         server-sent events, one DriverEvent per message
 *   GET    /openapi.json                       the OpenAPI document
 */

export const API_PREFIX = '/api';

export const ROUTES = {
  version: `${API_PREFIX}/version`,
  networks: `${API_PREFIX}/networks`,
  create: `${API_PREFIX}/networks/create`,
  byUuid: `${API_PREFIX}/network-by-uuid/:uuid`,
  network: `${API_PREFIX}/networks/:name`,
  start: `${API_PREFIX}/networks/:name/start`,
  destroy: `${API_PREFIX}/networks/:name/destroy`,
  autostart: `${API_PREFIX}/networks/:name/autostart`,
  xml: `${API_PREFIX}/networks/:name/xml`,
  update: `${API_PREFIX}/networks/:name/update`,
  leases: `${API_PREFIX}/networks/:name/leases`,
  forwards: `${API_PREFIX}/networks/:name/forwards`,
  dryRun: `${API_PREFIX}/dry-run`,
  events: `${API_PREFIX}/events`,
  openapi: '/openapi.json',
} as const;

/**
 * A request header any client may send to be served as a read-only
 * connection on a socket that would allow changes (`-r` over TCP).
 */
export const READONLY_HEADER = 'x-virtnet-readonly';

/**
 * A header virtnetd sets on every answer to an authenticated request, its
 * version as value: a success answer that carries it shows the client it
 * reached virtnetd, so the CLI's first call stands in for the version
 * probe (connect({ deferProbe }), http-probe.ts).
 */
export const DAEMON_HEADER = 'x-virtnetd';

/** The version probe's answer. */
export interface VersionBody {
  name: 'virtnetd';
  version: string;
  /** Whether this connection may change anything. */
  readonly: boolean;
  /** The URI libvirt clients (virsh, virt-manager, bindings) open for this daemon, when it serves them. */
  libvirtUri?: string;
}

/** Fill a route's placeholders (`:name`, `:uuid`, `:iface`), in order, with percent-encoded values. */
export function routePath(route: string, ...params: string[]): string {
  let next = 0;
  return route.replace(/:\w+/g, (placeholder) => {
    const value = params[next++];
    return value === undefined ? placeholder : encodeURIComponent(value);
  });
}
