/**
 * VirtnetClient over HTTP: every NetworkDriverApi method as one call to
 * virtnetd (routes in http-routes.ts), `subscribe` over the event stream;
 * the guest calls are its base class's, the port, traffic and doctor calls
 * are mixed in (http-ports.ts, http-traffic.ts, http-doctor.ts).
 * Errors are the daemon's VirErrors, rebuilt with the same class and text.
 */
import type {
  DefineOptions,
  ForceOptions,
  ForwardListOptions,
  DhcpLease,
  DriverEvent,
  GetXmlOptions,
  ListFilter,
  NetworkInfo,
  PortForward,
  PortForwardSelector,
  Precondition,
  Unsubscribe,
  UpdateFlags,
  UpdateRequest,
  UpdateResult,
} from '../contract/network-api.js';
import type { VirtnetClient } from './types.js';
import type { DryRunRequest, HostChanges } from '../contract/host-changes.js';
import { flagsBody, query, request, versionAt } from './http-call.js';
import { HttpGuestClient } from './http-guests.js';
import { withPortCalls } from './http-ports.js';
import { withDoctorCalls } from './http-doctor.js';
import { withTrafficCalls } from './http-traffic.js';
import { ROUTES, routePath, type VersionBody } from './http-routes.js';
import type { ClientTransport, EventFeed } from './transport.js';
import type { ConnectProbe } from './http-probe.js';

const FILTER_KEYS = ['active', 'inactive', 'persistent', 'transient', 'autostart', 'noAutostart'] as const;

export class HttpVirtnetClient extends withDoctorCalls(withTrafficCalls(withPortCalls(HttpGuestClient))) implements VirtnetClient {
  private readonly events: EventFeed;

  constructor(
    transport: ClientTransport,
    /** connect({ deferProbe })'s version probe, settled by the first call. */
    readonly probe?: ConnectProbe,
  ) {
    super(transport);
    this.events = transport.events();
  }

  /** The daemon's name and version (also the connect probe). */
  version(): Promise<VersionBody> {
    return request<VersionBody>(this.transport, 'GET', ROUTES.version);
  }

  async libvirtUri(): Promise<string | undefined> {
    return (await this.version()).libvirtUri;
  }

  lookupByName(name: string): Promise<NetworkInfo> {
    return request(this.transport, 'GET', routePath(ROUTES.network, name));
  }

  lookupByUuid(uuid: string): Promise<NetworkInfo> {
    return request(this.transport, 'GET', routePath(ROUTES.byUuid, uuid));
  }

  list(filter: ListFilter = {}): Promise<NetworkInfo[]> {
    const params: Record<string, string | undefined> = {};
    for (const key of FILTER_KEYS) if (filter[key] !== undefined) params[key] = String(filter[key]);
    return request(this.transport, 'GET', ROUTES.networks + query(params));
  }

  define(xml: string, options: DefineOptions = {}): Promise<NetworkInfo> {
    return request(this.transport, 'POST', ROUTES.networks, { xml, ...(options.validate ? { validate: true } : {}) }, options);
  }

  create(xml: string, options: DefineOptions = {}): Promise<NetworkInfo> {
    return request(this.transport, 'POST', ROUTES.create, { xml, ...(options.validate ? { validate: true } : {}) }, options);
  }

  async undefine(name: string, options: ForceOptions = {}): Promise<void> {
    await request(
      this.transport,
      'DELETE',
      routePath(ROUTES.network, name) + query({ force: options.force ? 'true' : undefined }),
      undefined,
      options,
    );
  }

  async start(name: string, options: Precondition = {}): Promise<void> {
    await request(this.transport, 'POST', routePath(ROUTES.start, name), undefined, options);
  }

  async destroy(name: string, options: ForceOptions = {}): Promise<void> {
    await request(this.transport, 'POST', routePath(ROUTES.destroy, name) + query({ force: options.force ? 'true' : undefined }), undefined, options);
  }

  async setAutostart(name: string, autostart: boolean, options: Precondition = {}): Promise<void> {
    await request(this.transport, 'PUT', routePath(ROUTES.autostart, name), { autostart }, options);
  }

  /** The network's version, from the ETag of its lookup. */
  versionOf(name: string): Promise<string> {
    return versionAt(this.transport, routePath(ROUTES.network, name), 'networks');
  }

  async getXml(name: string, options: GetXmlOptions = {}): Promise<string> {
    const answer = await request<{ xml: string }>(
      this.transport,
      'GET',
      routePath(ROUTES.xml, name) + query({ inactive: options.inactive ? 'true' : undefined }),
    );
    return answer.xml;
  }

  update(name: string, change: UpdateRequest, options: Precondition = {}): Promise<UpdateResult> {
    const flags = flagsBody(change.flags);
    return request(
      this.transport,
      'POST',
      routePath(ROUTES.update, name),
      { command: change.command, section: change.section, parentIndex: change.parentIndex, xml: change.xml, flags },
      options,
    );
  }

  leases(name: string, mac?: string): Promise<DhcpLease[]> {
    return request(this.transport, 'GET', routePath(ROUTES.leases, name) + query({ mac }));
  }

  dryRun(change: DryRunRequest): Promise<HostChanges> {
    return request(this.transport, 'POST', ROUTES.dryRun, change);
  }

  listForwards(name: string, options: ForwardListOptions = {}): Promise<PortForward[]> {
    return request(this.transport, 'GET', routePath(ROUTES.forwards, name) + query({ inactive: options.inactive ? 'true' : undefined }));
  }

  addForward(name: string, forward: PortForward, flags: UpdateFlags, options: Precondition = {}): Promise<UpdateResult> {
    return request(this.transport, 'POST', routePath(ROUTES.forwards, name), { forward, flags: flagsBody(flags) }, options);
  }

  removeForward(name: string, selector: PortForwardSelector, flags: UpdateFlags, options: Precondition = {}): Promise<UpdateResult> {
    const q = query({
      port: selector.port,
      proto: selector.proto,
      address: selector.address,
      live: flags.live ? 'true' : undefined,
      config: flags.config ? 'true' : undefined,
    });
    return request(this.transport, 'DELETE', routePath(ROUTES.forwards, name) + q, undefined, options);
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
