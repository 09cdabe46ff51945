/**
 * An in-memory NetworkDriverApi for the daemon's and the client's tests: a
 * handful of libvirt's rules and texts (unknown network, already active,
 * not active, transient networks vanish on destroy), events for every
 * change, and a call log. The XML is read with regular expressions (name,
 * uuid, bridge, title): enough to tell networks apart, nothing more.
 * `failNext` makes the next call throw whatever the test hands it.
 */
import { randomUUID } from 'node:crypto';
import type {
  DefineOptions,
  DhcpLease,
  DriverEvent,
  ForwardListOptions,
  GetXmlOptions,
  ListFilter,
  NetworkDriverApi,
  NetworkInfo,
  NetworkLifecycleEvent,
  PortForward,
  PortForwardSelector,
  UpdateFlags,
  UpdateRequest,
  UpdateResult,
} from '../../src/contract/network-api.js';
import { VirError } from '../../src/util/errors.js';
import type { DryRunRequest, HostChanges } from '../../src/contract/host-changes.js';

interface FakeNetwork {
  info: NetworkInfo;
  xml: string;
  leases: DhcpLease[];
  forwards: PortForward[];
}

export class FakeDriver implements NetworkDriverApi {
  readonly networks = new Map<string, FakeNetwork>();
  readonly calls: { method: string; args: unknown[] }[] = [];
  private readonly listeners = new Set<(event: DriverEvent) => void>();
  private failure: unknown = undefined;

  /** The next driver call throws this. */
  failNext(error: unknown): void {
    this.failure = error;
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }

  private enter(method: string, ...args: unknown[]): void {
    this.calls.push({ method, args });
    if (this.failure !== undefined) {
      const f = this.failure;
      this.failure = undefined;
      throw f;
    }
  }

  private get(name: string): FakeNetwork {
    const net = this.networks.get(name);
    if (!net) throw new VirError('NO_NETWORK', `no network with matching name '${name}'`);
    return net;
  }

  emit(event: DriverEvent): void {
    for (const l of [...this.listeners]) l(event);
  }

  private lifecycle(net: FakeNetwork, event: NetworkLifecycleEvent): void {
    this.emit({ kind: 'lifecycle', event, detail: 0, network: { name: net.info.name, uuid: net.info.uuid }, time: Date.now() });
  }

  private parse(xml: string): { name: string; uuid: string | undefined; bridge: string | undefined; title: string | undefined } {
    if (!/^\s*<network[\s>]/.test(xml)) {
      const root = /<\s*([A-Za-z_][\w.-]*)/.exec(xml)?.[1];
      if (!root) throw new VirError('XML_DETAIL', "(network_definition):1: Start tag expected, '<' not found");
      throw new VirError('XML_ERROR', `expecting root element of 'network', not '${root}'`);
    }
    const name = /<name>([^<]*)<\/name>/.exec(xml)?.[1];
    if (!name) throw new VirError('XML_ERROR', 'missing name information');
    return {
      name,
      uuid: /<uuid>([^<]*)<\/uuid>/.exec(xml)?.[1],
      bridge: /<bridge\s+name='([^']*)'/.exec(xml)?.[1],
      title: /<title>([^<]*)<\/title>/.exec(xml)?.[1],
    };
  }

  async lookupByName(name: string): Promise<NetworkInfo> {
    this.enter('lookupByName', name);
    return { ...this.get(name).info };
  }

  async lookupByUuid(uuid: string): Promise<NetworkInfo> {
    this.enter('lookupByUuid', uuid);
    for (const net of this.networks.values()) if (net.info.uuid === uuid) return { ...net.info };
    throw new VirError('NO_NETWORK', `no network with matching uuid '${uuid}'`);
  }

  async list(filter: ListFilter = {}): Promise<NetworkInfo[]> {
    this.enter('list', filter);
    const pair = (a: boolean | undefined, b: boolean | undefined, value: boolean): boolean =>
      (!a && !b) || (a === true && value) || (b === true && !value);
    return [...this.networks.values()]
      .map((n) => ({ ...n.info }))
      .filter((n) => pair(filter.active, filter.inactive, n.active))
      .filter((n) => pair(filter.persistent, filter.transient, n.persistent))
      .filter((n) => pair(filter.autostart, filter.noAutostart, n.autostart));
  }

  private put(xml: string, persistent: boolean, active: boolean): FakeNetwork {
    const p = this.parse(xml);
    const existing = this.networks.get(p.name);
    if (existing && p.uuid && existing.info.uuid !== p.uuid) {
      throw new VirError('OPERATION_FAILED', `network '${p.name}' already exists with uuid ${existing.info.uuid}`);
    }
    const info: NetworkInfo = {
      name: p.name,
      uuid: existing?.info.uuid ?? p.uuid ?? randomUUID(),
      active: existing?.info.active ?? active,
      persistent: persistent || (existing?.info.persistent ?? false),
      autostart: existing?.info.autostart ?? false,
      ...(p.bridge ? { bridge: p.bridge } : {}),
      ...(p.title ? { title: p.title } : {}),
    };
    const net: FakeNetwork = { info, xml, leases: existing?.leases ?? [], forwards: existing?.forwards ?? [] };
    this.networks.set(p.name, net);
    return net;
  }

  async define(xml: string, options?: DefineOptions): Promise<NetworkInfo> {
    this.enter('define', xml, options);
    const net = this.put(xml, true, false);
    this.lifecycle(net, 'Defined');
    return { ...net.info };
  }

  async create(xml: string, options?: DefineOptions): Promise<NetworkInfo> {
    this.enter('create', xml, options);
    const p = this.parse(xml);
    if (this.networks.get(p.name)?.info.active) throw new VirError('OPERATION_INVALID', `network is already active as '${p.name}'`);
    const net = this.put(xml, false, true);
    net.info.active = true;
    this.lifecycle(net, 'Started');
    return { ...net.info };
  }

  async undefine(name: string): Promise<void> {
    this.enter('undefine', name);
    const net = this.get(name);
    if (!net.info.persistent) throw new VirError('OPERATION_INVALID', "can't undefine transient network");
    if (net.info.active) net.info.persistent = false;
    else this.networks.delete(name);
    net.info.autostart = false;
    this.lifecycle(net, 'Undefined');
  }

  async start(name: string): Promise<void> {
    this.enter('start', name);
    const net = this.get(name);
    if (net.info.active) throw new VirError('OPERATION_INVALID', 'network is already active');
    net.info.active = true;
    this.lifecycle(net, 'Started');
  }

  async destroy(name: string): Promise<void> {
    this.enter('destroy', name);
    const net = this.get(name);
    if (!net.info.active) throw new VirError('OPERATION_INVALID', `network '${name}' is not active`);
    net.info.active = false;
    if (!net.info.persistent) this.networks.delete(name);
    this.lifecycle(net, 'Stopped');
  }

  async setAutostart(name: string, autostart: boolean): Promise<void> {
    this.enter('setAutostart', name, autostart);
    const net = this.get(name);
    if (!net.info.persistent) throw new VirError('OPERATION_INVALID', 'cannot set autostart for transient network');
    net.info.autostart = autostart;
  }

  async getXml(name: string, options?: GetXmlOptions): Promise<string> {
    this.enter('getXml', name, options);
    return this.get(name).xml;
  }

  async update(name: string, request: UpdateRequest): Promise<UpdateResult> {
    this.enter('update', name, request);
    const net = this.get(name);
    const live = request.flags.live === true || (!request.flags.config && net.info.active);
    const config = request.flags.config === true || (!request.flags.live && !net.info.active);
    this.lifecycle(net, 'Updated');
    return { live, config };
  }

  async dryRun(request: DryRunRequest): Promise<HostChanges> {
    this.enter('dryRun', request);
    const network = request.action === 'create' ? 'created' : this.get(request.name).info.name;
    return { network, action: request.action, links: [`ip link add ${network}`], sysctls: [], nftables: [], files: [], processes: [] };
  }

  async listForwards(name: string, options?: ForwardListOptions): Promise<PortForward[]> {
    this.enter('listForwards', name, options);
    return [...this.get(name).forwards];
  }

  async addForward(name: string, forward: PortForward, flags: UpdateFlags): Promise<UpdateResult> {
    this.enter('addForward', name, forward, flags);
    const net = this.get(name);
    net.forwards.push(forward);
    this.lifecycle(net, 'Updated');
    return { live: flags.live === true || (!flags.config && net.info.active), config: flags.config === true || (!flags.live && net.info.persistent) };
  }

  async removeForward(name: string, selector: PortForwardSelector, flags: UpdateFlags): Promise<UpdateResult> {
    this.enter('removeForward', name, selector, flags);
    const net = this.get(name);
    const left = net.forwards.filter(
      (f) => f.port !== selector.port || (selector.proto !== undefined && f.proto !== selector.proto) || f.address !== selector.address,
    );
    if (left.length === net.forwards.length)
      throw new VirError('OPERATION_INVALID', `couldn't locate a matching port forward ${selector.port} in network '${name}'`);
    net.forwards = left;
    this.lifecycle(net, 'Updated');
    return { live: flags.live === true || (!flags.config && net.info.active), config: flags.config === true || (!flags.live && net.info.persistent) };
  }

  async leases(name: string, mac?: string): Promise<DhcpLease[]> {
    this.enter('leases', name, mac);
    const net = this.get(name);
    if (!net.info.active) return [];
    return net.leases.filter((l) => mac === undefined || l.mac.toLowerCase() === mac.toLowerCase());
  }

  subscribe(listener: (event: DriverEvent) => void): () => void {
    const entry = (e: DriverEvent): void => listener(e);
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }
}

export const NET_XML = (name: string, extra = ''): string => `<network>\n  <name>${name}</name>\n  <bridge name='vb-${name}'/>${extra}\n</network>\n`;
