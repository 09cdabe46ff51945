/**
 * VirtnetClient over HTTP: every NetworkDriverApi method as one call to
 * virtnetd (routes in http-routes.ts), `subscribe` over the event stream.
 * Errors are the daemon's VirErrors, rebuilt with the same class and text.
 */
import type {
  DefineOptions,
  ForceOptions,
  DhcpLease,
  DriverEvent,
  GetXmlOptions,
  ListFilter,
  NetworkInfo,
  Unsubscribe,
  UpdateRequest,
  UpdateResult,
} from '../contract/network-api.js';
import type { VirtnetClient } from './types.js';
import { EventStream } from './http-events.js';
import { HttpGuestClient } from './http-guests.js';
import { ROUTES, routePath, type VersionBody } from './http-routes.js';
import type { HttpTransport } from './http-transport.js';

const FILTER_KEYS = ['active', 'inactive', 'persistent', 'transient', 'autostart', 'noAutostart'] as const;

function query(params: Record<string, string | undefined>): string {
  const entries = Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined);
  return entries.length === 0 ? '' : `?${new URLSearchParams(entries).toString()}`;
}

export class HttpVirtnetClient extends HttpGuestClient implements VirtnetClient {
  private readonly events: EventStream;

  constructor(transport: HttpTransport) {
    super(transport);
    this.events = new EventStream(transport);
  }

  /** The daemon's name and version (also the connect probe). */
  version(): Promise<VersionBody> {
    return this.transport.request<VersionBody>('GET', ROUTES.version);
  }

  async libvirtUri(): Promise<string | undefined> {
    return (await this.version()).libvirtUri;
  }

  lookupByName(name: string): Promise<NetworkInfo> {
    return this.transport.request('GET', routePath(ROUTES.network, name));
  }

  lookupByUuid(uuid: string): Promise<NetworkInfo> {
    return this.transport.request('GET', routePath(ROUTES.byUuid, uuid));
  }

  list(filter: ListFilter = {}): Promise<NetworkInfo[]> {
    const params: Record<string, string | undefined> = {};
    for (const key of FILTER_KEYS) if (filter[key] !== undefined) params[key] = String(filter[key]);
    return this.transport.request('GET', ROUTES.networks + query(params));
  }

  define(xml: string, options: DefineOptions = {}): Promise<NetworkInfo> {
    return this.transport.request('POST', ROUTES.networks, { xml, ...(options.validate ? { validate: true } : {}) });
  }

  create(xml: string, options: DefineOptions = {}): Promise<NetworkInfo> {
    return this.transport.request('POST', ROUTES.create, { xml, ...(options.validate ? { validate: true } : {}) });
  }

  async undefine(name: string, options: ForceOptions = {}): Promise<void> {
    await this.transport.request('DELETE', routePath(ROUTES.network, name) + query({ force: options.force ? 'true' : undefined }));
  }

  async start(name: string): Promise<void> {
    await this.transport.request('POST', routePath(ROUTES.start, name));
  }

  async destroy(name: string, options: ForceOptions = {}): Promise<void> {
    await this.transport.request('POST', routePath(ROUTES.destroy, name) + query({ force: options.force ? 'true' : undefined }));
  }

  async setAutostart(name: string, autostart: boolean): Promise<void> {
    await this.transport.request('PUT', routePath(ROUTES.autostart, name), { autostart });
  }

  async getXml(name: string, options: GetXmlOptions = {}): Promise<string> {
    const answer = await this.transport.request<{ xml: string }>('GET', routePath(ROUTES.xml, name) + query({ inactive: options.inactive ? 'true' : undefined }));
    return answer.xml;
  }

  update(name: string, request: UpdateRequest): Promise<UpdateResult> {
    const flags = { ...(request.flags.live ? { live: true } : {}), ...(request.flags.config ? { config: true } : {}) };
    return this.transport.request('POST', routePath(ROUTES.update, name), {
      command: request.command,
      section: request.section,
      parentIndex: request.parentIndex,
      xml: request.xml,
      flags,
    });
  }

  leases(name: string, mac?: string): Promise<DhcpLease[]> {
    return this.transport.request('GET', routePath(ROUTES.leases, name) + query({ mac }));
  }

  subscribe(listener: (event: DriverEvent) => void): Unsubscribe {
    return this.events.subscribe(listener);
  }

  /** Resolves once the daemon confirms the event subscription (no later event can be missed). */
  eventsReady(): Promise<void> {
    return this.events.ready();
  }

  async close(): Promise<void> {
    this.events.close();
    this.transport.close();
  }
}
