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

const isWordChar = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;

/**
 * Fill a route's placeholders (`:name`, `:uuid`, `:iface`: a colon and word characters), in order, with
 * percent-encoded values. Scanned by hand, as the CLI's other per-call parsing is: a regular expression
 * costs a short-lived process its compilation (bench/README.md, "Issue 17").
 */
export function routePath(route: string, ...params: string[]): string {
  let next = 0;
  let out = '';
  let from = 0;
  for (let at = route.indexOf(':'); at >= 0; at = route.indexOf(':', at + 1)) {
    let end = at + 1;
    while (end < route.length && isWordChar(route.charCodeAt(end))) end++;
    if (end === at + 1) continue;
    const value = params[next++];
    out += route.slice(from, at) + (value === undefined ? route.slice(at, end) : encodeURIComponent(value));
    from = end;
    at = end - 1;
  }
  return out + route.slice(from);
}
