/**
 * The guest half of virtnetd's HTTP API, for both ends: the routes (the
 * daemon registers exactly these, src/api/routes-guests.ts) and
 * HttpGuestClient, every GuestDriverApi method as one call (the base class
 * of HttpVirtnetClient, which mixes the other APIs' calls into it). Guest
 * names travel in the path, percent-encoded.
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
  GuestPrecondition,
} from '../contract/guest-api.js';
import { HttpCaller, flagsBody, query, request, versionAt } from './http-call.js';
import { API_PREFIX, routePath } from './http-routes.js';

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

export class HttpGuestClient extends HttpCaller implements GuestDriverApi {
  guestLookupByName(name: string): Promise<GuestInfo> {
    return request(this.transport, 'GET', routePath(GUEST_ROUTES.guest, name));
  }

  guestLookupByUuid(uuid: string): Promise<GuestInfo> {
    return request(this.transport, 'GET', routePath(GUEST_ROUTES.guestByUuid, uuid));
  }

  guestList(filter: GuestListFilter = {}): Promise<GuestInfo[]> {
    return request(
      this.transport,
      'GET',
      GUEST_ROUTES.guests +
        query({
          active: filter.active === undefined ? undefined : String(filter.active),
          inactive: filter.inactive === undefined ? undefined : String(filter.inactive),
        }),
    );
  }

  guestDefine(xml: string, options: GuestPrecondition = {}): Promise<GuestInfo> {
    return request(this.transport, 'POST', GUEST_ROUTES.guests, { xml }, options);
  }

  async guestUndefine(name: string, options: GuestPrecondition = {}): Promise<void> {
    await request(this.transport, 'DELETE', routePath(GUEST_ROUTES.guest, name), undefined, options);
  }

  async guestStart(name: string, options: GuestPrecondition = {}): Promise<void> {
    await request(this.transport, 'POST', routePath(GUEST_ROUTES.guestStart, name), undefined, options);
  }

  async guestDestroy(name: string, options: GuestPrecondition = {}): Promise<void> {
    await request(this.transport, 'POST', routePath(GUEST_ROUTES.guestDestroy, name), undefined, options);
  }

  /** The guest's version, from the ETag of its lookup. */
  guestVersionOf(name: string): Promise<string> {
    return versionAt(this.transport, routePath(GUEST_ROUTES.guest, name), 'guests');
  }

  async guestGetXml(name: string, options: { inactive?: boolean } = {}): Promise<string> {
    const answer = await request<{ xml: string }>(
      this.transport,
      'GET',
      routePath(GUEST_ROUTES.guestXml, name) + query({ inactive: options.inactive ? 'true' : undefined }),
    );
    return answer.xml;
  }

  guestInterfaces(name: string, options: { inactive?: boolean } = {}): Promise<GuestInterface[]> {
    return request(this.transport, 'GET', routePath(GUEST_ROUTES.guestInterfaces, name) + query({ inactive: options.inactive ? 'true' : undefined }));
  }

  guestInterfaceAddresses(name: string): Promise<GuestInterfaceAddress[]> {
    return request(this.transport, 'GET', routePath(GUEST_ROUTES.guestAddresses, name));
  }

  async guestAttachDevice(name: string, xml: string, flags: AffectFlags, options: GuestPrecondition = {}): Promise<void> {
    await request(this.transport, 'POST', routePath(GUEST_ROUTES.guestAttach, name), { xml, flags: flagsBody(flags) }, options);
  }

  async guestDetachDevice(name: string, xml: string, flags: AffectFlags, options: GuestPrecondition = {}): Promise<void> {
    await request(this.transport, 'POST', routePath(GUEST_ROUTES.guestDetach, name), { xml, flags: flagsBody(flags) }, options);
  }

  guestExec(name: string, argv: string[]): Promise<GuestExecResult> {
    return request(this.transport, 'POST', routePath(GUEST_ROUTES.guestExec, name), { argv });
  }

  bridgePorts(bridge?: string): Promise<BridgePorts[]> {
    return request(this.transport, 'GET', GUEST_ROUTES.bridges + query({ bridge }));
  }
}
