/**
 * The guest driver: libvirt's domain semantics for virtnet's guests, their
 * vNICs on virtnet's networks, over a GuestBackend (src/host/guest-*.ts).
 * It implements GuestDriverApi (src/contract/guest-api.ts) and, towards the network
 * driver, NetworkPortOwner (../common/ports.ts).
 *
 * - define: the definition is read as libvirt reads user XML
 *   (PARSE_INACTIVE), interfaces without a MAC get a 52:54:00 address
 *   unique across every guest, the name/uuid rules are libvirt's, the config
 *   is saved with the warning header; a running guest keeps its live
 *   definition until its next start. Event Defined.
 * - undefine: "cannot undefine transient domain"; a running guest becomes
 *   transient. Event Undefined.
 * - start: "domain is already running"; the guest gets an id, the backend
 *   makes the guest and each vNIC (a network port first: "network 'N' is not
 *   active" when its network is down), everything undone on failure; the
 *   status file and record are written. Event Started.
 * - destroy: "domain is not running"; every device goes, every port is
 *   given back, a transient guest vanishes. Event Stopped.
 * - attach / detach of one <interface>: libvirt's live/config/current rules
 *   (modify.ts); the same MAC for both definitions; config changes
 *   are saved only once the live part worked. Events DeviceAdded /
 *   DeviceRemoved (libvirt emits them for live changes; virtnet for config
 *   changes too, so a console sees every change).
 * - When a network starts again, the running guests' vNICs on it are
 *   plugged back in (libvirt leaves them cut off); when it stops they are
 *   marked disconnected. A daemon restart adopts running guests
 *   (startup.ts) and notifies their ports again.
 * - Every operation on one guest holds that guest's lock; reads take none.
 *   Lock order: a guest's lock, then (inside the network driver) a
 *   network's; the network driver calls back only after releasing its own.
 */
import { addInterface, parseInterfaceXml, removeInterface } from '../../conf/guest/devices.js';
import { formatGuestXml } from '../../conf/guest/format.js';
import { assignMissingMacs, collectGuestMacs, generateGuestMac, type RandomBytes } from '../../conf/guest/mac.js';
import { parseGuestXml } from '../../conf/guest/parse.js';
import { isGeneratedTarget, isUserAlias } from '../../conf/guest/parse-interface.js';
import type { GuestDef, GuestInterface as ConfInterface } from '../../conf/guest/types.js';
import type { GuestBackend, GuestHandle, PluggedNic } from '../../host/guest-backend.js';
import { type LinkCounters, swapDirections } from '../../host/link-counters.js';
import type { InterfaceStats, NetworkTraffic, TrafficApi, TrafficCounters, VnicTraffic } from '../../contract/traffic-api.js';
import { VirError, checkInput, internalError, invalidArg, operationInvalid, operationUnsupported } from '../../util/errors.js';
import type { DhcpLease, DriverEvent, Unsubscribe } from '../../contract/network-api.js';
import { CallGate, withObject } from '../common/calls.js';
import { Versions, checkVersion } from '../common/version.js';
import { EventBus } from '../common/events.js';
import { errorText, silentLogger, type DriverLogger } from '../common/log.js';
import type {
  AffectFlags,
  BridgePorts,
  GuestDriverApi,
  GuestEvent,
  GuestExecResult,
  GuestInfo,
  GuestInterface,
  GuestInterfaceAddress,
  GuestListFilter,
  GuestPrecondition,
} from '../../contract/guest-api.js';
import { liveInterface, pluggedOf, plugNic, releaseNic, reconnectNic, unplugNic, withPort, type GuestNetworks, type NicContext } from './nics.js';
import { type GuestObject, GuestObjectList } from './objects.js';
import { findInterface, resolveImpact } from './modify.js';
import type { NetworkPortOwner } from '../common/ports.js';
import { initializeGuests, type GuestStartupReport } from './startup.js';
import { GuestStore, type GuestNicRecord, type GuestRuntimeRecord } from './store.js';
import type { VirtnetPaths } from '../common/paths.js';
import { DHCP_COMMAND, dhcpArgv, ensureDhcpScript } from './dhcp-client.js';

export interface GuestDriverOptions {
  paths: VirtnetPaths;
  /** The network driver: ports, leases, lookups (and it gets this driver as its port owner). */
  networks: GuestNetworks;
  backend: GuestBackend;
  logger?: DriverLogger;
  /** Injectable randomness (tests): uuids of definitions without one, MAC bytes. */
  random?: { uuid?: () => string; macBytes?: RandomBytes };
  now?: () => number;
  /** guest-exec's time limit; default 120 s. */
  execTimeoutMs?: number;
}

export class GuestDriver implements GuestDriverApi, TrafficApi, NetworkPortOwner {
  readonly paths: VirtnetPaths;
  readonly store: GuestStore;
  private readonly networks: GuestNetworks;
  private readonly backend: GuestBackend;
  private readonly logger: DriverLogger;
  private readonly objects = new GuestObjectList();
  private readonly events: EventBus;
  private readonly now: () => number;
  private readonly options: GuestDriverOptions;
  private readonly calls = new CallGate('guest driver is not active');
  /** MACs handed out but not yet in a stored definition. */
  private readonly pendingMacs = new Set<string>();
  /** Each guest's version (../common/version.ts); guest defs change in place (ids, targets), so nothing is cached. */
  private readonly versions = new Versions<GuestDef>((def) => formatGuestXml(def, { inactive: true }), false);
  private nextId = 1;
  private startup: GuestStartupReport | undefined;

  /** Use createGuestDriver (src/driver/guest/index.ts), which also runs startup. */
  constructor(options: GuestDriverOptions) {
    this.options = options;
    this.paths = options.paths;
    this.store = new GuestStore(options.paths);
    this.networks = options.networks;
    this.backend = options.backend;
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? Date.now;
    this.events = new EventBus(this.logger, this.now);
  }

  /** Load configs and status files, adopt running guests, then serve as the network driver's port owner. */
  async initialize(): Promise<GuestStartupReport> {
    if (this.startup !== undefined) return this.startup;
    this.startup = await initializeGuests({
      paths: this.paths,
      store: this.store,
      list: this.objects,
      backend: this.backend,
      logger: this.logger,
      nicContext: (obj) => this.nicContext(obj),
      saveStatus: (obj) => this.saveStatus(obj),
    });
    for (const o of this.objects.all()) if (o.active && o.def.id !== undefined) this.nextId = Math.max(this.nextId, o.def.id + 1);
    this.networks.setPortOwner(this);
    return this.startup;
  }

  get startupReport(): GuestStartupReport | undefined {
    return this.startup;
  }

  /** Stop serving; running guests keep running for the next driver to adopt. */
  async close(): Promise<void> {
    if (!this.calls.stop()) return;
    this.networks.setPortOwner(undefined);
    await this.calls.settled();
    this.events.clear();
  }

  /* ------------------------------------------------------------------ */
  /* plumbing                                                           */

  private call<T>(fn: () => Promise<T>): Promise<T> {
    return this.calls.run(fn);
  }

  /** An API call on the guest named `name`, holding its lock, after its precondition (../common/version.ts). */
  private onGuest<T>(name: string, fn: (obj: GuestObject) => Promise<T>, options?: GuestPrecondition): Promise<T> {
    return this.call(() =>
      withObject(
        () => this.objects.getByName(name),
        (obj) => {
          this.checkPrecondition(obj, options);
          return fn(obj);
        },
      ),
    );
  }

  private checkPrecondition(obj: GuestObject, options: GuestPrecondition | undefined): void {
    checkVersion('domain', obj.name, options?.ifMatch, () => this.versions.of(obj));
  }

  guestVersionOf(name: string): Promise<string> {
    return this.call(async () => this.versions.of(this.objects.getByName(name)));
  }

  private emit(event: GuestEvent['event'], guest: { name: string; uuid: string }, device?: string): void {
    const e: GuestEvent = { kind: 'guest', event, guest: { name: guest.name, uuid: guest.uuid }, time: this.now() };
    if (device !== undefined) e.device = device;
    this.events.emit(e);
  }

  private warn(message: string, err: unknown, fields: object = {}): void {
    this.logger.warn({ ...fields, err: errorText(err) }, message);
  }

  private handleFor(obj: GuestObject, record?: GuestRuntimeRecord): GuestHandle {
    const def = obj.def;
    const handle: GuestHandle = { type: def.type, name: def.name, uuid: def.uuid };
    const netns = record?.netns ?? this.backend.netnsFor(def);
    if (netns !== undefined) handle.netns = netns;
    return handle;
  }

  /** Host names the other running guests hold. */
  private reservedNames(except?: GuestObject): Set<string> {
    const out = new Set<string>();
    for (const o of this.objects.all()) {
      if (o === except || o.record === undefined) continue;
      for (const n of o.record.nics) out.add(n.target);
    }
    return out;
  }

  private nicContext(obj: GuestObject, record?: GuestRuntimeRecord): NicContext {
    return {
      backend: this.backend,
      networks: this.networks,
      handle: this.handleFor(obj, record ?? obj.record),
      owner: { name: obj.name, uuid: obj.uuid },
      reserved: this.reservedNames(obj),
      warn: (message, err) => this.warn(message, err, { guest: obj.name }),
    };
  }

  /** A new persistent definition, saved: the config of a running guest (its next start), else its definition. */
  private saveConfigDef(obj: GuestObject, def: GuestDef): void {
    this.store.saveConfig(def);
    if (obj.active) obj.newDef = def;
    else obj.def = def;
  }

  private saveStatus(obj: GuestObject): void {
    if (obj.record === undefined) throw internalError(`guest '${obj.name}' has no record`);
    this.store.saveStatus({ state: 'running', reason: 'booted', def: obj.def }, obj.record);
  }

  /** A MAC for a new interface, unique across every guest's definitions. */
  private newMac(): string {
    const inUse = collectGuestMacs(this.objects.defs());
    const mac = generateGuestMac({ has: (m) => inUse.has(m) || this.pendingMacs.has(m) }, this.options.random?.macBytes);
    return mac;
  }

  /* ------------------------------------------------------------------ */
  /* start and stop                                                     */

  private async startObject(obj: GuestObject): Promise<void> {
    if (obj.active) throw operationInvalid('domain is already running');
    const hadNewDef = obj.newDef !== undefined;
    const live: GuestDef = structuredClone(obj.def);
    live.id = this.nextId++;
    const record: GuestRuntimeRecord = { version: 1, type: live.type, name: live.name, uuid: live.uuid, nics: [] };
    const netns = this.backend.netnsFor(live);
    if (netns !== undefined) record.netns = netns;
    const ctx = this.nicContext(obj, record);
    let created = false;
    // The journal: the record alone, before each step, naming what may exist (startup.ts undoes it after a crash).
    const journal = (nic: PluggedNic): void => {
      record.pending = [nic];
      this.store.saveRecord(live.name, record);
    };
    try {
      this.store.saveRecord(live.name, record);
      await this.backend.createGuest(ctx.handle);
      created = true;
      for (let i = 0; i < live.interfaces.length; i++) {
        const rec = await plugNic(ctx, live.interfaces[i]!, record, journal);
        record.nics.push(rec);
        delete record.pending;
        live.interfaces[i] = liveInterface(live.interfaces[i]!, rec, live);
      }
      obj.setDefTransient();
      obj.def = live;
      obj.record = record;
      obj.active = true;
      this.saveStatus(obj);
    } catch (err) {
      if (obj.active) {
        obj.active = false;
        obj.record = undefined;
        if (!hadNewDef) obj.unsetDefTransient();
      }
      await Promise.all(record.nics.map((n) => releaseNic(ctx, n)));
      let undone = true;
      if (created) {
        await this.backend.destroyGuest(ctx.handle, record.nics.map(pluggedOf)).catch((e: unknown) => {
          undone = false;
          this.warn('cannot undo a failed start', e, { guest: obj.name });
        });
      }
      // Keep the journal entry if something could not be removed: the next start-up tries again.
      if (undone) this.store.deleteStatus(obj.name);
      throw err;
    }
    this.logger.info({ guest: obj.name, id: live.id }, 'guest started');
  }

  private async stopObject(obj: GuestObject): Promise<void> {
    const record = obj.record;
    if (record !== undefined) {
      const ctx = this.nicContext(obj);
      try {
        await this.backend.destroyGuest(ctx.handle, record.nics.map(pluggedOf));
      } catch (err) {
        this.warn('some of the guest devices could not be removed', err, { guest: obj.name });
      }
      await Promise.all(record.nics.map((n) => releaseNic(ctx, n)));
    }
    this.store.deleteStatus(obj.name);
    obj.active = false;
    obj.record = undefined;
    obj.unsetDefTransient();
    delete obj.def.id;
    this.logger.info({ guest: obj.name }, 'guest stopped');
  }

  /* ------------------------------------------------------------------ */
  /* the API                                                            */

  guestLookupByName(name: string): Promise<GuestInfo> {
    return this.call(async () => this.objects.getByName(name).info());
  }

  guestLookupByUuid(uuid: string): Promise<GuestInfo> {
    return this.call(async () => this.objects.getByUuid(uuid).info());
  }

  guestList(filter?: GuestListFilter): Promise<GuestInfo[]> {
    return this.call(async () => this.objects.filter(filter).map((o) => o.info()));
  }

  guestDefine(xml: string, options?: GuestPrecondition): Promise<GuestInfo> {
    return this.call(async () => {
      const parseOptions = this.options.random?.uuid ? { inactive: true, uuid: this.options.random.uuid } : { inactive: true };
      const parsed = checkInput(() => parseGuestXml(xml, parseOptions));
      this.objects.checkConflicts(parsed);
      const inUse = collectGuestMacs(this.objects.defs());
      const def = assignMissingMacs(parsed, { has: (m) => inUse.has(m) || this.pendingMacs.has(m) }, this.options.random?.macBytes);
      const generated = def.interfaces.flatMap((i, k) => (parsed.interfaces[k]?.mac === undefined && i.mac !== undefined ? [i.mac] : []));
      for (const m of generated) this.pendingMacs.add(m);
      try {
        const obj = await this.objects.definePersistent(
          def,
          (d) => this.store.saveConfig(d),
          (existing) => {
            if (options?.ifMatch === undefined) return;
            // The guest the define was based on must still be there, at that version.
            if (existing === undefined) this.objects.getByName(def.name);
            else this.checkPrecondition(existing, options);
          },
        );
        this.emit('Defined', obj);
        return obj.info();
      } finally {
        for (const m of generated) this.pendingMacs.delete(m);
      }
    });
  }

  guestUndefine(name: string, options?: GuestPrecondition): Promise<void> {
    return this.onGuest(
      name,
      async (obj) => {
        if (!obj.persistent) throw operationInvalid('cannot undefine transient domain');
        this.store.deleteConfig(obj.name);
        if (obj.active) obj.assignPersistentDef(undefined);
        else this.objects.remove(obj);
        this.emit('Undefined', obj);
      },
      options,
    );
  }

  guestStart(name: string, options?: GuestPrecondition): Promise<void> {
    return this.onGuest(
      name,
      async (obj) => {
        await this.startObject(obj);
        this.emit('Started', obj);
      },
      options,
    );
  }

  guestDestroy(name: string, options?: GuestPrecondition): Promise<void> {
    return this.onGuest(
      name,
      async (obj) => {
        if (!obj.active) throw operationInvalid('domain is not running');
        await this.stopObject(obj);
        if (!obj.persistent) this.objects.remove(obj);
        this.emit('Stopped', obj);
      },
      options,
    );
  }

  guestGetXml(name: string, options?: { inactive?: boolean }): Promise<string> {
    return this.call(async () => {
      const obj = this.objects.getByName(name);
      const inactive = options?.inactive === true;
      return formatGuestXml(inactive ? obj.persistentDef() : obj.def, { inactive });
    });
  }

  guestInterfaces(name: string, options?: { inactive?: boolean }): Promise<GuestInterface[]> {
    return this.call(async () => {
      const obj = this.objects.getByName(name);
      const inactive = options?.inactive === true;
      const def = inactive ? obj.persistentDef() : obj.def;
      return def.interfaces.map((i) => apiInterface(i, inactive));
    });
  }

  guestInterfaceAddresses(name: string): Promise<GuestInterfaceAddress[]> {
    return this.call(async () => {
      const obj = this.objects.getByName(name);
      if (!obj.active) throw operationInvalid('domain is not running');
      const out: GuestInterfaceAddress[] = [];
      for (const iface of obj.def.interfaces) {
        if (iface.type !== 'network' || iface.mac === undefined) continue;
        let leases: DhcpLease[];
        try {
          leases = await this.networks.leases(iface.source, iface.mac);
        } catch {
          continue;
        }
        for (const l of leases) {
          out.push({ name: iface.target ?? '-', mac: iface.mac, protocol: l.protocol, address: l.ipAddress, prefix: l.prefix });
        }
      }
      return out;
    });
  }

  guestAttachDevice(name: string, xml: string, flags: AffectFlags, options?: GuestPrecondition): Promise<void> {
    return this.onGuest(
      name,
      async (obj) => {
        const device = checkInput(() => parseInterfaceXml(xml, { inactive: true }));
        const impact = resolveImpact(flags, obj);
        let generated: string | undefined;
        let shown: string | undefined;
        if (device.mac === undefined) {
          generated = this.newMac();
          device.mac = generated;
          this.pendingMacs.add(generated);
        }
        try {
          const configDef = impact.config ? addInterface(obj.persistentDef(), structuredClone(device)) : undefined;
          if (impact.live) {
            addInterface(obj.def, device); // alias check before anything is made
            const record = obj.record!;
            const ctx = this.nicContext(obj);
            // The journal: the vNIC's devices as pending in the record before they are made (undone at start-up after a crash).
            const journal = (nic: PluggedNic): void => {
              record.pending = [nic];
              this.store.saveRecord(obj.name, record);
            };
            let rec: GuestNicRecord;
            try {
              rec = await plugNic(ctx, device, record, journal);
            } catch (err) {
              if (record.pending !== undefined) {
                delete record.pending;
                this.store.saveRecord(obj.name, record);
              }
              throw err;
            }
            delete record.pending;
            const live = structuredClone(obj.def);
            const liveIface = liveInterface(device, rec, live);
            shown = liveIface.alias;
            live.interfaces.push(liveIface);
            obj.def = live;
            record.nics.push(rec);
            try {
              this.saveStatus(obj);
            } catch (err) {
              this.warn('cannot save the guest status', err, { guest: obj.name });
            }
          }
          if (configDef !== undefined) this.saveConfigDef(obj, configDef);
        } finally {
          if (generated !== undefined) this.pendingMacs.delete(generated);
        }
        this.emit('DeviceAdded', obj, shown ?? device.alias ?? device.mac);
      },
      options,
    );
  }

  guestDetachDevice(name: string, xml: string, flags: AffectFlags, options?: GuestPrecondition): Promise<void> {
    return this.onGuest(
      name,
      async (obj) => {
        const device = checkInput(() => parseInterfaceXml(xml, { inactive: true }));
        const impact = resolveImpact(flags, obj);
        let configDef: GuestDef | undefined;
        let removed: ConfInterface | undefined;
        if (impact.config) {
          const base = obj.persistentDef();
          const idx = findInterface(base, device);
          removed = base.interfaces[idx];
          configDef = removeInterface(base, idx);
        }
        if (impact.live) {
          const idx = findInterface(obj.def, device);
          const iface = obj.def.interfaces[idx]!;
          removed = iface;
          const record = obj.record!;
          const at = record.nics.findIndex((n) => n.target === iface.target);
          if (at >= 0) {
            await unplugNic(this.nicContext(obj), record.nics[at]!);
            record.nics.splice(at, 1);
          }
          obj.def = removeInterface(obj.def, idx);
          this.saveStatus(obj);
        }
        if (configDef !== undefined) this.saveConfigDef(obj, configDef);
        this.emit('DeviceRemoved', obj, removed?.alias ?? removed?.mac ?? device.mac);
      },
      options,
    );
  }

  guestExec(name: string, argv: string[]): Promise<GuestExecResult> {
    return this.call(async () => {
      const obj = this.objects.getByName(name);
      if (!obj.active) throw operationInvalid('domain is not running');
      if (obj.def.type !== 'netns') throw operationUnsupported(`guest-exec needs a netns guest; '${obj.name}' is a ${obj.def.type} guest`);
      if (argv.length === 0 || argv[0] === '') throw invalidArg('guest-exec needs a command to run');
      const options = this.options.execTimeoutMs !== undefined ? { timeoutMs: this.options.execTimeoutMs } : {};
      // `dhcp [IFACE…]`: virtnet's DHCP client that also applies the lease (dhcp-client.ts).
      const run = argv[0] === DHCP_COMMAND ? dhcpArgv(argv.slice(1), ensureDhcpScript(this.paths.runDir), obj.name) : argv;
      return this.backend.exec(this.handleFor(obj, obj.record), run, options);
    });
  }

  bridgePorts(bridge?: string): Promise<BridgePorts[]> {
    return this.call(async () => {
      const all = await this.backend.bridges();
      if (bridge === undefined) return all;
      const one = all.filter((b) => b.bridge === bridge);
      if (one.length === 0) {
        // virsh's text and class; over HTTP it is a lookup of something that is not there.
        const missing = new VirError('SYSTEM_ERROR', `bridge ${bridge} does not exist!`);
        missing.status = 404;
        throw missing;
      }
      return one;
    });
  }

  guestInterfaceStats(name: string, iface: string): Promise<InterfaceStats> {
    return this.call(async () => {
      const obj = this.objects.getByName(name);
      if (!obj.active) throw operationInvalid('domain is not running');
      // By target device, else by MAC address (virDomainNetFind).
      const nic =
        obj.def.interfaces.find((i) => i.target === iface) ?? obj.def.interfaces.find((i) => i.mac !== undefined && i.mac === iface.toLowerCase());
      if (nic?.target === undefined) throw invalidArg(`'${iface}' is not a known interface`);
      const counters = (await this.backend.linkCounters()).get(nic.target);
      if (counters === undefined) throw new VirError('SYSTEM_ERROR', `cannot read the counters of '${nic.target}': no such device`);
      return { device: nic.target, ...this.guestView(obj, nic.target, counters) };
    });
  }

  networkTraffic(network: string): Promise<NetworkTraffic> {
    return this.call(async () => {
      const info = await this.networks.lookupByName(network);
      if (!info.active) throw operationInvalid('network is not active');
      const counters = await this.backend.linkCounters();
      const vnics: VnicTraffic[] = [];
      for (const obj of this.objects.all()) {
        if (!obj.active) continue;
        for (const i of obj.def.interfaces) {
          const c = i.type === 'network' && i.source === network && i.target !== undefined ? counters.get(i.target) : undefined;
          if (c !== undefined && i.target !== undefined)
            vnics.push({ guest: obj.name, device: i.target, mac: i.mac ?? '', ...this.guestView(obj, i.target, c) });
        }
      }
      vnics.sort((a, b) => a.guest.localeCompare(b.guest) || a.device.localeCompare(b.device));
      const host = info.bridge !== undefined ? counters.get(info.bridge) : undefined;
      return {
        network,
        ...(info.bridge !== undefined ? { bridge: info.bridge } : {}),
        ...(host !== undefined ? { host: { rx: host.rx, tx: host.tx } } : {}),
        guests: sumCounters(vnics),
        vnics,
        time: this.now(),
      };
    });
  }

  /** libvirt reports a tap-like vNIC as the guest sees it (rx and tx swapped); a macvtap shares the host's view. */
  private guestView(obj: GuestObject, target: string, c: LinkCounters): TrafficCounters {
    const plug = obj.record?.nics.find((n) => n.target === target)?.plug;
    const shown = plug?.kind === 'direct' ? c : swapDirections(c);
    return { rx: shown.rx, tx: shown.tx };
  }

  subscribe(listener: (event: DriverEvent) => void): Unsubscribe {
    return this.events.subscribe(listener);
  }

  /* ------------------------------------------------------------------ */
  /* the network driver's side (NetworkPortOwner)                       */

  guestsOn(network: string): string[] {
    return this.objects
      .all()
      .filter((o) => o.active && o.def.interfaces.some((i) => i.type === 'network' && i.source === network))
      .map((o) => o.name)
      .sort();
  }

  macsOf(guest: string, network: string): string[] {
    const obj = this.objects.findByName(guest);
    if (obj === undefined) return [];
    return obj.def.interfaces.flatMap((i) => (i.type === 'network' && i.source === network && i.mac !== undefined ? [i.mac] : []));
  }

  async networkStarted(network: string): Promise<void> {
    if (this.calls.closed) return;
    let bridge: string | undefined;
    try {
      bridge = (await this.networks.lookupByName(network)).bridge;
    } catch {
      bridge = undefined;
    }
    await this.eachRunning(async (o, record) => {
      let changed = false;
      for (let i = 0; i < record.nics.length; i++) {
        const rec = record.nics[i]!;
        const ours =
          rec.network === network
            ? !rec.connected
            : rec.network === undefined && bridge !== undefined && rec.plug.kind === 'bridge' && rec.plug.bridge === bridge;
        if (!ours) continue;
        try {
          const next = await reconnectNic(this.nicContext(o), rec);
          record.nics[i] = next;
          this.updateLiveNic(o, next);
          changed = true;
          this.logger.info({ guest: o.name, network, device: next.target }, 'vNIC plugged back in');
        } catch (err) {
          this.warn('cannot plug a vNIC back in', err, { guest: o.name, network, device: rec.target });
        }
      }
      return changed;
    });
  }

  async networkStopped(network: string): Promise<void> {
    if (this.calls.closed) return;
    await this.eachRunning((o, record) => {
      let changed = false;
      record.nics = record.nics.map((rec) => {
        if (rec.network !== network || !rec.connected) return rec;
        changed = true;
        const next = { ...rec, connected: false };
        this.updateLiveNic(o, next);
        return next;
      });
      return changed;
    });
  }

  /**
   * Run `fn` on every running guest, in parallel, each under its lock;
   * guests stopped or removed in the meantime are skipped. `fn` says
   * whether it changed the guest's record, which then goes to its status
   * file.
   */
  private async eachRunning(fn: (obj: GuestObject, record: GuestRuntimeRecord) => Promise<boolean> | boolean): Promise<void> {
    const running = this.objects.all().filter((o) => o.active);
    await Promise.all(
      running.map((o) =>
        o.lock.run(async () => {
          if (o.removed || !o.active || o.record === undefined) return;
          if (await fn(o, o.record)) this.saveStatus(o);
        }),
      ),
    );
  }

  /** The live interface of a record, refreshed (target, portid, actual bridge). */
  private updateLiveNic(obj: GuestObject, rec: GuestRuntimeRecord['nics'][number]): void {
    const live = structuredClone(obj.def);
    const idx = live.interfaces.findIndex((i) => i.target === rec.target || i.mac === rec.mac);
    if (idx < 0) return;
    live.interfaces[idx] = withPort({ ...live.interfaces[idx]!, target: rec.target }, rec);
    obj.def = live;
  }
}

/** One interface as domiflist shows it; inactive output leaves out generated names. */
/** Counters added up, direction by direction. */
function sumCounters(all: readonly TrafficCounters[]): TrafficCounters {
  const zero = () => ({ bytes: 0, packets: 0, errors: 0, dropped: 0 });
  const total: TrafficCounters = { rx: zero(), tx: zero() };
  for (const c of all) {
    for (const d of ['rx', 'tx'] as const) {
      total[d].bytes += c[d].bytes;
      total[d].packets += c[d].packets;
      total[d].errors += c[d].errors;
      total[d].dropped += c[d].dropped;
    }
  }
  return total;
}

function apiInterface(i: ConfInterface, inactive: boolean): GuestInterface {
  const out: GuestInterface = { type: i.type, source: i.source, mac: i.mac ?? '' };
  const target = i.target !== undefined && !(inactive && i.targetManaged !== false && isGeneratedTarget(i.target)) ? i.target : undefined;
  if (target !== undefined) out.target = target;
  if (i.model !== undefined) out.model = i.model;
  if (i.alias !== undefined && (!inactive || isUserAlias(i.alias))) out.alias = i.alias;
  return out;
}
