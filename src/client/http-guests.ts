/**
 * The guest half of virtnetd's HTTP API, for both ends: the routes (the
 * daemon registers exactly these, src/api/routes-guests.ts) and
 * HttpGuestClient, every GuestDriverApi method as one call (the base class
 * of HttpVirtnetClient). Guest names travel in the path, percent-encoded.
 *
 *   GET    /api/guests?active=&inactive=         guestList
 *   POST   /api/guests                           guestDefine({xml})
 *   GET    /api/guest-by-uuid/:uuid              guestLookupByUuid
 *   GET    /api/guests/:name                     guestLookupByName
 *   DELETE /api/guests/:name                     guestUndefine
 *   POST   /api/guests/:name/start               guestStart
 *   POST   /api/guests/:name/destroy             guestDestroy
 *   GET    /api/guests/:name/xml?inactive=       guestGetXml → {xml}
 *   GET    /api/guests/:name/interfaces?inactive= guestInterfaces
 *   GET    /api/guests/:name/addresses           guestInterfaceAddresses
 *   POST   /api/guests/:name/attach              guestAttachDevice({xml, flags})
 *   POST   /api/guests/:name/detach              guestDetachDevice({xml, flags})
 *   POST   /api/guests/:name/exec                guestExec({argv})
 *   GET    /api/bridges?bridge=                  bridgePorts
 *
 * Dependency-free apart from the transport, so the CLI's bundle stays small.
 */
import type {
  AffectFlags,
  BridgePorts,
  GuestDriverApi,
  GuestExecResult,
  GuestInfo,
  GuestInterface,
  GuestInterfaceAddress,
  GuestListFilter,
} from '../contract/guest-api.js';
import { API_PREFIX, routePath } from './http-routes.js';
import type { HttpTransport } from './http-transport.js';

export const GUEST_ROUTES = {
  guests: `${API_PREFIX}/guests`,
  guestByUuid: `${API_PREFIX}/guest-by-uuid/:uuid`,
  guest: `${API_PREFIX}/guests/:name`,
  guestStart: `${API_PREFIX}/guests/:name/start`,
  guestDestroy: `${API_PREFIX}/guests/:name/destroy`,
  guestXml: `${API_PREFIX}/guests/:name/xml`,
  guestInterfaces: `${API_PREFIX}/guests/:name/interfaces`,
  guestAddresses: `${API_PREFIX}/guests/:name/addresses`,
  guestAttach: `${API_PREFIX}/guests/:name/attach`,
  guestDetach: `${API_PREFIX}/guests/:name/detach`,
  guestExec: `${API_PREFIX}/guests/:name/exec`,
  bridges: `${API_PREFIX}/bridges`,
} as const;

function query(params: Record<string, string | undefined>): string {
  const entries = Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined);
  return entries.length === 0 ? '' : `?${new URLSearchParams(entries).toString()}`;
}

/** Only the flags that are set, so the body is exactly what was asked. */
function flagsBody(flags: AffectFlags): AffectFlags {
  return { ...(flags.live ? { live: true } : {}), ...(flags.config ? { config: true } : {}) };
}

export class HttpGuestClient implements GuestDriverApi {
  constructor(readonly transport: HttpTransport) {}

  guestLookupByName(name: string): Promise<GuestInfo> {
    return this.transport.request('GET', routePath(GUEST_ROUTES.guest, name));
  }

  guestLookupByUuid(uuid: string): Promise<GuestInfo> {
    return this.transport.request('GET', routePath(GUEST_ROUTES.guestByUuid, uuid));
  }

  guestList(filter: GuestListFilter = {}): Promise<GuestInfo[]> {
    return this.transport.request(
      'GET',
      GUEST_ROUTES.guests + query({ active: filter.active === undefined ? undefined : String(filter.active), inactive: filter.inactive === undefined ? undefined : String(filter.inactive) }),
    );
  }

  guestDefine(xml: string): Promise<GuestInfo> {
    return this.transport.request('POST', GUEST_ROUTES.guests, { xml });
  }

  async guestUndefine(name: string): Promise<void> {
    await this.transport.request('DELETE', routePath(GUEST_ROUTES.guest, name));
  }

  async guestStart(name: string): Promise<void> {
    await this.transport.request('POST', routePath(GUEST_ROUTES.guestStart, name));
  }

  async guestDestroy(name: string): Promise<void> {
    await this.transport.request('POST', routePath(GUEST_ROUTES.guestDestroy, name));
  }

  async guestGetXml(name: string, options: { inactive?: boolean } = {}): Promise<string> {
    const answer = await this.transport.request<{ xml: string }>('GET', routePath(GUEST_ROUTES.guestXml, name) + query({ inactive: options.inactive ? 'true' : undefined }));
    return answer.xml;
  }

  guestInterfaces(name: string, options: { inactive?: boolean } = {}): Promise<GuestInterface[]> {
    return this.transport.request('GET', routePath(GUEST_ROUTES.guestInterfaces, name) + query({ inactive: options.inactive ? 'true' : undefined }));
  }

  guestInterfaceAddresses(name: string): Promise<GuestInterfaceAddress[]> {
    return this.transport.request('GET', routePath(GUEST_ROUTES.guestAddresses, name));
  }

  async guestAttachDevice(name: string, xml: string, flags: AffectFlags): Promise<void> {
    await this.transport.request('POST', routePath(GUEST_ROUTES.guestAttach, name), { xml, flags: flagsBody(flags) });
  }

  async guestDetachDevice(name: string, xml: string, flags: AffectFlags): Promise<void> {
    await this.transport.request('POST', routePath(GUEST_ROUTES.guestDetach, name), { xml, flags: flagsBody(flags) });
  }

  guestExec(name: string, argv: string[]): Promise<GuestExecResult> {
    return this.transport.request('POST', routePath(GUEST_ROUTES.guestExec, name), { argv });
  }

  bridgePorts(bridge?: string): Promise<BridgePorts[]> {
    return this.transport.request('GET', GUEST_ROUTES.bridges + query({ bridge }));
  }
}
