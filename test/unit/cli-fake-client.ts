/**
 * An in-memory VirtnetClient for the CLI's tests: the network driver's
 * bookkeeping as libvirt keeps it (live def and persistent newDef,
 * active/persistent/autostart, transient networks vanishing on destroy,
 * bridge-name allocation, the NAT port range of a running network, the
 * subnet-collision rule at start, plan/plan-collision.ts, without host
 * routes), with libvirt's error classes and texts, built on the real XML layer (parse, validate, defaults, format,
 * net-update). Nothing touches the host. Uuids and MACs come from counters
 * so runs are reproducible.
 *
 * `FakeClient` is a connection without guest support: each guest method
 * fails as libvirt fails an API its driver lacks, NO_SUPPORT with the
 * libvirt API's name ("this function is not supported by the connection
 * driver: virDomainDefineXML"). FakeGuestClient (cli-guest-fake.ts)
 * overrides them with an in-memory guest driver.
 */
import { prepareNetworkForDefine } from '../../src/conf/network/defaults.js';
import { formatNetworkXml } from '../../src/conf/network/format.js';
import { parseNetworkXml } from '../../src/conf/network/parse.js';
import { validateNetworkXml } from '../../src/conf/network/schema.js';
import { type NetworkDef, VIRTUAL_FORWARD_MODES } from '../../src/conf/network/types.js';
import { applyUpdate } from '../../src/conf/network/update.js';
import type {
  DefineOptions,
  DhcpLease,
  DriverEvent,
  ForwardListOptions,
  GetXmlOptions,
  ListFilter,
  NetworkInfo,
  NetworkLifecycleEvent,
  PortForward,
  PortForwardSelector,
  UpdateFlags,
  UpdateRequest,
  UpdateResult,
} from '../../src/contract/network-api.js';
import { portForwardFromApi, portForwardOf, selectorFromApi } from '../../src/conf/network/port-forward-edit.js';
import { planForwardChange, type ForwardChange } from '../../src/driver/network/forwards.js';
import type {
  AffectFlags,
  BridgePorts,
  GuestExecResult,
  GuestInfo,
  GuestInterface,
  GuestInterfaceAddress,
  GuestListFilter,
} from '../../src/contract/guest-api.js';
import type { VirtnetClient } from '../../src/client/types.js';
import type { NetworkPortDef } from '../../src/contract/network-port-api.js';
import type { DoctorFixResult, DoctorReport, DoctorUndoResult } from '../../src/contract/doctor-api.js';
import type { InterfaceStats, NetworkTraffic } from '../../src/contract/traffic-api.js';
import { VirError } from '../../src/util/errors.js';
import { findSubnetCollision } from '../../src/plan/plan-collision.js';
import type { DryRunRequest, HostChanges } from '../../src/contract/host-changes.js';

interface NetObj {
  def: NetworkDef;
  newDef?: NetworkDef;
  active: boolean;
  persistent: boolean;
  autostart: boolean;
  /** What the daemon would report as degraded (a test sets it). */
  degraded?: string;
}

export interface FakeCall {
  method: string;
  args: unknown[];
}

const noNetworkName = (name: string) => new VirError('NO_NETWORK', `no network with matching name '${name}'`);

/** The network fake; the guest API is left to subclasses. */
export class FakeClient implements VirtnetClient {
  readonly nets = new Map<string, NetObj>();
  readonly calls: FakeCall[] = [];
  leaseTable = new Map<string, DhcpLease[]>();
  readonly: boolean;
  closed = false;
  private listeners = new Set<(e: DriverEvent) => void>();
  private readonly subscribeWaiters: (() => void)[] = [];
  private uuidCounter = 0;
  private macCounter = 0;
  now = 1_700_000_000_000;

  constructor(options: { readonly?: boolean } = {}) {
    this.readonly = options.readonly ?? false;
  }

  private record(method: string, ...args: unknown[]): void {
    this.calls.push({ method, args });
  }

  private denyReadonly(api: string): void {
    if (this.readonly) throw new VirError('OPERATION_DENIED', `read only access prevents ${api}`);
  }

  private obj(name: string): NetObj {
    const o = this.nets.get(name);
    if (!o) throw noNetworkName(name);
    return o;
  }

  private info(o: NetObj): NetworkInfo {
    const i: NetworkInfo = {
      name: o.def.name,
      uuid: o.def.uuid,
      active: o.active,
      persistent: o.persistent,
      autostart: o.autostart,
    };
    if (o.def.bridge.name) i.bridge = o.def.bridge.name;
    const title = (o.newDef ?? o.def).title;
    if (title !== undefined) i.title = title;
    if (o.active && o.degraded !== undefined) i.degraded = o.degraded;
    return i;
  }

  emit(event: NetworkLifecycleEvent, o: { def: NetworkDef }): void {
    const e: DriverEvent = { kind: 'lifecycle', event, detail: 0, network: { name: o.def.name, uuid: o.def.uuid }, time: this.now };
    for (const l of [...this.listeners]) l(e);
  }

  private nextUuid = (): string => {
    const n = (++this.uuidCounter).toString(16).padStart(12, '0');
    return `f0000000-0000-4000-8000-${n}`;
  };

  private nextBytes = (n: number): Uint8Array => {
    const out = new Uint8Array(n);
    const c = ++this.macCounter;
    for (let i = 0; i < n; i++) out[i] = (c >> (8 * (n - 1 - i))) & 0xff;
    return out;
  };

  /** networkValidate + parse: a definition completed as libvirt completes it. */
  private async prepare(xml: string, options: DefineOptions): Promise<NetworkDef> {
    if (options.validate) validateNetworkXml(xml);
    const parsed = parseNetworkXml(xml);
    return prepareNetworkForDefine(parsed, {
      networks: [...this.nets.values()],
      linkExists: async () => false,
      randomUuid: this.nextUuid,
      randomBytes: this.nextBytes,
    });
  }

  /** virNetworkObjAssignDef's duplicate checks. */
  private checkDuplicate(def: NetworkDef, checkLive: boolean): NetObj | undefined {
    const byUuid = [...this.nets.values()].find((o) => o.def.uuid === def.uuid);
    if (byUuid) {
      if (byUuid.def.name !== def.name) {
        throw new VirError('OPERATION_FAILED', `network '${byUuid.def.name}' is already defined with uuid ${def.uuid}`);
      }
      if (checkLive && byUuid.active) throw new VirError('OPERATION_INVALID', `network is already active as '${byUuid.def.name}'`);
      return byUuid;
    }
    const byName = this.nets.get(def.name);
    if (byName) throw new VirError('OPERATION_FAILED', `network '${def.name}' already exists with uuid ${byName.def.uuid}`);
    return undefined;
  }

  async lookupByName(name: string): Promise<NetworkInfo> {
    this.record('lookupByName', name);
    return this.info(this.obj(name));
  }

  async lookupByUuid(uuid: string): Promise<NetworkInfo> {
    this.record('lookupByUuid', uuid);
    const o = [...this.nets.values()].find((n) => n.def.uuid === uuid);
    if (!o) throw new VirError('NO_NETWORK', `no network with matching uuid '${uuid}'`);
    return this.info(o);
  }

  async list(filter: ListFilter = {}): Promise<NetworkInfo[]> {
    this.record('list', filter);
    const pair = (a: boolean | undefined, b: boolean | undefined, value: boolean): boolean =>
      (!a && !b) || (a === true && value) || (b === true && !value);
    return [...this.nets.values()]
      .filter((o) => pair(filter.active, filter.inactive, o.active))
      .filter((o) => pair(filter.persistent, filter.transient, o.persistent))
      .filter((o) => pair(filter.autostart, filter.noAutostart, o.autostart))
      .map((o) => this.info(o));
  }

  async define(xml: string, options: DefineOptions = {}): Promise<NetworkInfo> {
    this.record('define', xml, options);
    this.denyReadonly('virNetworkDefineXML');
    const def = await this.prepare(xml, options);
    const existing = this.checkDuplicate(def, false);
    let o: NetObj;
    if (existing) {
      if (existing.active) existing.newDef = def;
      else existing.def = def;
      existing.persistent = true;
      o = existing;
    } else {
      o = { def, active: false, persistent: true, autostart: false };
      this.nets.set(def.name, o);
    }
    this.emit('Defined', o);
    return this.info(o);
  }

  async create(xml: string, options: DefineOptions = {}): Promise<NetworkInfo> {
    this.record('create', xml, options);
    this.denyReadonly('virNetworkCreateXML');
    const def = await this.prepare(xml, options);
    const existing = this.checkDuplicate(def, true);
    let o: NetObj;
    if (existing) {
      existing.newDef = existing.def;
      existing.def = def;
      o = existing;
    } else {
      o = { def, active: false, persistent: false, autostart: false };
      this.nets.set(def.name, o);
    }
    try {
      this.startObj(o);
    } catch (err) {
      if (!existing) this.nets.delete(def.name);
      throw err;
    }
    this.emit('Started', o);
    return this.info(o);
  }

  async undefine(name: string): Promise<void> {
    this.record('undefine', name);
    this.denyReadonly('virNetworkUndefine');
    const o = this.obj(name);
    if (!o.persistent) throw new VirError('OPERATION_INVALID', "can't undefine transient network");
    o.persistent = false;
    o.autostart = false;
    if (o.active) delete o.newDef;
    else this.nets.delete(name);
    this.emit('Undefined', o);
  }

  private startObj(o: NetObj): void {
    if (o.active) throw new VirError('OPERATION_INVALID', 'network is already active');
    if (VIRTUAL_FORWARD_MODES.includes(o.def.forward.mode)) {
      const others = [...this.nets.values()].filter((n) => n.active && n !== o).map((n) => n.def);
      const collision = findSubnetCollision(o.def, others, []);
      if (collision) throw collision;
    }
    const live = structuredClone(o.def);
    if (live.forward.mode === 'nat') {
      live.forward.nat ??= { portStart: 0, portEnd: 0 };
      if (live.forward.nat.portStart === 0 && live.forward.nat.portEnd === 0) {
        live.forward.nat.portStart = 1024;
        live.forward.nat.portEnd = 65535;
      }
    }
    if (o.persistent) o.newDef = o.def;
    o.def = live;
    o.active = true;
  }

  async start(name: string): Promise<void> {
    this.record('start', name);
    this.denyReadonly('virNetworkCreate');
    const o = this.obj(name);
    this.startObj(o);
    this.emit('Started', o);
  }

  async destroy(name: string): Promise<void> {
    this.record('destroy', name);
    this.denyReadonly('virNetworkDestroy');
    const o = this.obj(name);
    if (!o.active) throw new VirError('OPERATION_INVALID', `network '${name}' is not active`);
    o.active = false;
    if (o.persistent) {
      if (o.newDef) o.def = o.newDef;
      delete o.newDef;
    } else {
      this.nets.delete(name);
    }
    this.emit('Stopped', o);
  }

  async setAutostart(name: string, autostart: boolean): Promise<void> {
    this.record('setAutostart', name, autostart);
    this.denyReadonly('virNetworkSetAutostart');
    const o = this.obj(name);
    if (!o.persistent) throw new VirError('OPERATION_INVALID', 'cannot set autostart for transient network');
    o.autostart = autostart;
  }

  async getXml(name: string, options: GetXmlOptions = {}): Promise<string> {
    this.record('getXml', name, options);
    const o = this.obj(name);
    const def = options.inactive && o.newDef ? o.newDef : o.def;
    return formatNetworkXml(def, { inactive: options.inactive === true });
  }

  async update(name: string, req: UpdateRequest): Promise<UpdateResult> {
    this.record('update', name, req);
    this.denyReadonly('virNetworkUpdate');
    const o = this.obj(name);
    let live = req.flags.live === true;
    let config = req.flags.config === true;
    if (!live && !config) {
      if (o.active) live = true;
      else config = true;
    }
    if (live && !o.active) throw new VirError('OPERATION_INVALID', 'network is not running');
    if (config && !o.persistent) throw new VirError('OPERATION_INVALID', 'cannot change persistent config of a transient network');
    let newLive: NetworkDef | undefined;
    let newConfig: NetworkDef | undefined;
    if (live) newLive = applyUpdate(o.def, req.command, req.section, req.parentIndex, req.xml);
    if (config) newConfig = applyUpdate(o.active ? (o.newDef ?? o.def) : o.def, req.command, req.section, req.parentIndex, req.xml);
    if (newLive) o.def = newLive;
    if (newConfig) {
      if (o.active) o.newDef = newConfig;
      else o.def = newConfig;
    }
    return { live, config };
  }

  /** What dryRun answers (the network and action are the request's). */
  dryRunChanges: Omit<HostChanges, 'network' | 'action'> = { links: [], sysctls: [], nftables: [], files: [], processes: [] };

  async dryRun(request: DryRunRequest): Promise<HostChanges> {
    this.record('dryRun', request);
    const network = request.action === 'create' ? parseNetworkXml(request.xml).name : this.obj(request.name).def.name;
    return { network, action: request.action, ...structuredClone(this.dryRunChanges) };
  }

  async listForwards(name: string, options: ForwardListOptions = {}): Promise<PortForward[]> {
    this.record('listForwards', name, options);
    const o = this.obj(name);
    const def = options.inactive ? (o.newDef ?? o.def) : o.def;
    return (def.portForwards?.forwards ?? []).map(portForwardOf);
  }

  addForward(name: string, forward: PortForward, flags: UpdateFlags): Promise<UpdateResult> {
    this.record('addForward', name, forward, flags);
    return this.changeForwards(name, { add: portForwardFromApi(forward, name) }, flags);
  }

  removeForward(name: string, selector: PortForwardSelector, flags: UpdateFlags): Promise<UpdateResult> {
    this.record('removeForward', name, selector, flags);
    return this.changeForwards(name, { remove: selectorFromApi(selector, name) }, flags);
  }

  /** The driver's own planning (src/driver/network/forwards.ts) over this fake's objects. */
  private async changeForwards(name: string, change: ForwardChange, flags: UpdateFlags): Promise<UpdateResult> {
    this.denyReadonly('virNetworkUpdate');
    const o = this.obj(name);
    const others = [...this.nets.values()].filter((n) => n !== o).flatMap((n) => (n.newDef ? [n.def, n.newDef] : [n.def]));
    const target = { active: o.active, persistent: o.persistent, def: o.def, persistentDef: o.newDef ?? o.def };
    const plan = planForwardChange(target, change, flags, others);
    if (plan.liveDef) o.def = plan.liveDef;
    if (plan.configDef) {
      if (o.active) o.newDef = plan.configDef;
      else o.def = plan.configDef;
    }
    return { live: plan.live, config: plan.config };
  }

  async leases(name: string, mac?: string): Promise<DhcpLease[]> {
    this.record('leases', name, mac);
    const o = this.obj(name);
    if (mac !== undefined && !/^([0-9a-fA-F]{1,2}:){5}[0-9a-fA-F]{1,2}$/.test(mac)) throw new VirError('INVALID_MAC', mac);
    if (!o.active) return [];
    const all = this.leaseTable.get(name) ?? [];
    return mac === undefined ? all : all.filter((l) => l.mac.toLowerCase() === mac.toLowerCase());
  }

  subscribe(listener: (event: DriverEvent) => void): () => void {
    this.listeners.add(listener);
    for (const resolve of this.subscribeWaiters.splice(0)) resolve();
    return () => this.listeners.delete(listener);
  }

  /** Resolves once someone listens to the events (at once if someone already does). */
  subscribed(): Promise<void> {
    if (this.listeners.size > 0) return Promise.resolve();
    return new Promise((resolve) => this.subscribeWaiters.push(resolve));
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  // ---- network ports and guests: not supported by this connection ----

  portList(_network: string): Promise<NetworkPortDef[]> {
    return noSupport('virNetworkListAllPorts');
  }

  portLookup(_network: string, _uuid: string): Promise<NetworkPortDef> {
    return noSupport('virNetworkPortLookupByUUID');
  }

  portCreate(_network: string, _xml: string): Promise<NetworkPortDef> {
    return noSupport('virNetworkPortCreateXML');
  }

  portGetXml(_network: string, _uuid: string): Promise<string> {
    return noSupport('virNetworkPortGetXMLDesc');
  }

  portDelete(_network: string, _uuid: string): Promise<void> {
    return noSupport('virNetworkPortDelete');
  }

  guestInterfaceStats(_name: string, _iface: string): Promise<InterfaceStats> {
    return noSupport('virDomainInterfaceStats');
  }

  networkTraffic(_network: string): Promise<NetworkTraffic> {
    return noSupport('virtnet network traffic');
  }

  doctorReport(_network?: string): Promise<DoctorReport> {
    return noSupport('virtnet doctor');
  }

  doctorFix(_network?: string): Promise<DoctorFixResult> {
    return noSupport('virtnet doctor --fix');
  }

  doctorUndo(): Promise<DoctorUndoResult> {
    return noSupport('virtnet doctor --undo');
  }

  guestLookupByName(_name: string): Promise<GuestInfo> {
    return noSupport('virDomainLookupByName');
  }
  guestLookupByUuid(_uuid: string): Promise<GuestInfo> {
    return noSupport('virDomainLookupByUUID');
  }
  guestList(_filter?: GuestListFilter): Promise<GuestInfo[]> {
    return noSupport('virConnectListAllDomains');
  }
  guestDefine(_xml: string): Promise<GuestInfo> {
    return noSupport('virDomainDefineXML');
  }
  guestUndefine(_name: string): Promise<void> {
    return noSupport('virDomainUndefine');
  }
  guestStart(_name: string): Promise<void> {
    return noSupport('virDomainCreate');
  }
  guestDestroy(_name: string): Promise<void> {
    return noSupport('virDomainDestroy');
  }
  guestGetXml(_name: string, _options?: { inactive?: boolean }): Promise<string> {
    return noSupport('virDomainGetXMLDesc');
  }
  guestInterfaces(_name: string, _options?: { inactive?: boolean }): Promise<GuestInterface[]> {
    return noSupport('virDomainGetXMLDesc');
  }
  guestInterfaceAddresses(_name: string): Promise<GuestInterfaceAddress[]> {
    return noSupport('virDomainInterfaceAddresses');
  }
  guestAttachDevice(_name: string, _xml: string, _flags: AffectFlags): Promise<void> {
    return noSupport('virDomainAttachDeviceFlags');
  }
  guestDetachDevice(_name: string, _xml: string, _flags: AffectFlags): Promise<void> {
    return noSupport('virDomainDetachDeviceFlags');
  }
  guestExec(_name: string, _argv: string[]): Promise<GuestExecResult> {
    return noSupport('virDomainGuestExec');
  }
  bridgePorts(_bridge?: string): Promise<BridgePorts[]> {
    return noSupport('virConnectListBridgePorts');
  }
}

/** What a driver without the API answers, named as libvirt names it. */
const noSupport = (libvirtApi: string): Promise<never> => Promise.reject(new VirError('NO_SUPPORT', libvirtApi));
