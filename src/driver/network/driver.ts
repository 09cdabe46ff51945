/**
 * The network driver: libvirt's bridge_driver.c on virtnet's parts. It keeps
 * the books — network objects (live def + persistent def, active,
 * persistent, autostart), the config store, status files, locks and
 * events — and hands the kernel side to a NetworkRuntime.
 *
 * Semantics, libvirt's (object model, define-time checks, net-update, events, locking, restart):
 * - define: parse (schema first with --validate), then, under the global
 *   bridge-name lock held until the object is in the list,
 *   prepareNetworkForDefine and the name/uuid checks; the inactive-formatted
 *   config is saved with the warning header; a running network keeps its
 *   live def and takes the new one at its next start. Event Defined.
 * - create: the same checks, a transient object (or the live def of a
 *   stopped persistent one with the same name and uuid), started at once;
 *   "network is already active as 'N'" if it runs. Event Started only.
 * - undefine: config and autostart link go; a running network stays up as
 *   transient. Event Undefined.
 * - start / destroy: Started / Stopped; a destroyed transient vanishes.
 * - update: live/config/current (update.ts), live changes carried
 *   out by runtime.updateLive, config saved; event Updated (virtnet's own:
 *   libvirt emits none for net-update).
 * - Every operation on one network holds that network's lock for its whole
 *   length; different networks run in parallel. Reads (lookups, list,
 *   getXml, leases) take no lock.
 * - Ports (../common/ports.ts): the guest driver's vNICs get their place on a
 *   network from allocatePort / releasePort, counted in the live XML's
 *   connections; while running guests are attached, undefine and destroy
 *   need `force`; after a start the guest driver plugs its vNICs back in.
 * - Startup (startup.ts) loads status files and configs, adopts what
 *   still runs, drops dead transients and autostarts once per boot.
 *   close() leaves every network running.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, rmSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { fileStem } from '../../util/file-stem.js';
import type { NetworkDef } from '../../conf/network/types.js';
import { formatNetworkXml } from '../../conf/network/format.js';
import { parseNetworkXml } from '../../conf/network/parse.js';
import { refusedValuesError } from '../../conf/network/refused-values.js';
import { validateNetworkXml } from '../../conf/network/schema.js';
import { Mutex } from '../../util/mutex.js';
import { prepareNetworkForDefine, type DefineFacts, type DefineRandomness } from '../../conf/network/defaults.js';
import type { ValidateFacts } from '../../conf/network/validate.js';
import { formatMac, parseMac } from '../../conf/common/mac-uuid.js';
import { VirError, checkInput, internalError, markInputError, operationInvalid, operationUnsupported } from '../../util/errors.js';
import type { DryRunRequest, HostChanges } from '../../contract/host-changes.js';
import type {
  DefineOptions,
  DhcpLease,
  DriverEvent,
  ForceOptions,
  ForwardListOptions,
  GetXmlOptions,
  ListFilter,
  NetworkDriverApi,
  NetworkInfo,
  PortForward,
  PortForwardSelector,
  Precondition,
  Unsubscribe,
  UpdateFlags,
  UpdateRequest,
  UpdateResult,
} from '../../contract/network-api.js';
import { portForwardFromApi, portForwardOf, selectorFromApi } from '../../conf/network/port-forward-edit.js';
import { checkForwardsFree, planForwardChange, type ForwardChange, type ForwardPlan } from './forwards.js';
import { hasNamedTargets, resolveForwardTargets, type TargetFacts } from './forward-targets.js';
import { Versions, checkVersion } from '../common/version.js';
import type { AppliedNetwork, DryRunContext, LiveChange, NetworkHealthChange, NetworkRuntime, PlannedChanges } from '../runtime/seam.js';
import type { VirtnetPaths } from '../common/paths.js';
import { NetworkStore } from './store.js';
import { NetworkObject, NetworkObjectList } from './objects.js';
import { CallGate, withObject } from '../common/calls.js';
import { EventBus } from '../common/events.js';
import { errorText, silentLogger, type DriverLogger } from '../common/log.js';
import { formatNetworkStatus, type NetworkJournalState, type NetworkStatus } from './status.js';
import { checkBridgeNameForStart, liveDefAfterStart, liveDefForStart } from './live.js';
import { planUpdate } from './update.js';
import { LeaseWatcher } from './leases.js';
import { initializeDriver, type StartupReport } from './startup.js';
import { PortTable, type NetworkPort, type NetworkPortOwner, type PortRequest } from '../common/ports.js';
import type { NetworkPortApi, NetworkPortDef, PortCreateOptions } from '../../contract/network-port-api.js';
import { parseNetworkPortXml } from '../../conf/network/port-parse.js';
import { formatNetworkPortXml } from '../../conf/network/port-format.js';
import { nicPlugOf, portDefOf, portFromDef } from './port-defs.js';

export interface NetworkDriverOptions {
  /** Where configs, status files and dnsmasq files live (virtnetPaths(root)). */
  paths: VirtnetPaths;
  /** The kernel side: LinuxRuntime for real, FakeRuntime in unit tests. */
  runtime: NetworkRuntime;
  /** Structured log sink (a pino logger fits); default: silent. */
  logger?: DriverLogger;
  /** uuid/MAC randomness of definitions and port ids (tests make it deterministic); default node:crypto. */
  random?: DefineRandomness;
  /** Host facts for define-time validation (SR-IOV checks); default sysfs. */
  validateFacts?: ValidateFacts;
  /** Autostart networks at startup, once per boot (RUN/networks/autostarted); default true. */
  autostart?: boolean;
  /** Watch STATE/dnsmasq for lease events once someone subscribes; default true. */
  leaseEvents?: boolean;
  /** How many networks startup adopts or autostarts at once; default 8. */
  concurrency?: number;
  /** Clock for event times (ms since the epoch); default Date.now. */
  now?: () => number;
  /** Lease watcher debounce (ms); default 50. */
  leaseDebounceMs?: number;
}

/** A network's MAC in the form lease records are compared in (virMacAddrCompare parses both). */
function normalizeMac(mac: string): string | undefined {
  const bytes = parseMac(mac);
  return bytes === undefined ? undefined : formatMac(bytes);
}

export class NetworkDriver implements NetworkDriverApi, NetworkPortApi {
  readonly paths: VirtnetPaths;
  readonly store: NetworkStore;
  private readonly runtime: NetworkRuntime;
  private readonly logger: DriverLogger;
  private readonly objects = new NetworkObjectList();
  /** Held from a bridge name's allocation until its network is in the list (libvirt's bridgeNameValidateMutex). */
  private readonly bridgeNames = new Mutex();
  private readonly events: EventBus;
  private readonly leasesWatcher: LeaseWatcher | undefined;
  private readonly options: NetworkDriverOptions;
  private readonly calls = new CallGate('network state driver is not active');
  private startup: StartupReport | undefined;
  /** Ports of guests' vNICs, per active network (../common/ports.ts). */
  private readonly ports: PortTable;
  /** The guest driver, once it is there. */
  private portOwner: NetworkPortOwner | undefined;
  /** Each network's version (../common/version.ts); defs are replaced, never changed in place, so each is formatted once. */
  /** Clock for event times. */
  private readonly now: () => number;
  private readonly versions = new Versions<NetworkDef>((def) => formatNetworkXml(def, { inactive: true }), true);
  /** Port forwards to guests' names being brought up to date, per network (forward-targets.ts). */
  private readonly targetRefresh = new Map<string, Promise<void>>();
  /** Ends the runtime's health reports (onHealth). */
  private stopHealthWatch: (() => void) | undefined;

  /** Use createNetworkDriver (src/driver/network/index.ts), which also runs startup. */
  constructor(options: NetworkDriverOptions) {
    this.options = options;
    this.paths = options.paths;
    this.runtime = options.runtime;
    this.logger = options.logger ?? silentLogger;
    this.store = new NetworkStore(options.paths);
    this.ports = new PortTable(options.random?.randomUuid);
    const now = options.now ?? Date.now;
    this.now = now;
    this.events = new EventBus(this.logger, now);
    if (options.leaseEvents !== false) {
      this.leasesWatcher = new LeaseWatcher({
        dir: options.paths.dnsmasqDir,
        logger: this.logger,
        networks: () => this.objects.all().filter((o) => o.active),
        read: (obj) => this.readLeases(obj),
        emit: (event) => {
          this.events.emit(event);
          this.followTargets(event.network.name);
        },
        now,
        ...(options.leaseDebounceMs !== undefined ? { debounceMs: options.leaseDebounceMs } : {}),
      });
    }
  }

  /**
   * Load what is on disk and adopt what runs (startup.ts). Called
   * once, by createNetworkDriver.
   */
  async initialize(): Promise<StartupReport> {
    if (this.startup !== undefined) return this.startup;
    // Hear about networks whose host side is changed behind our back (before adoption, which may find some).
    this.stopHealthWatch ??= this.runtime.watchHealth?.((change) => this.onHealth(change));
    this.startup = await initializeDriver({
      paths: this.paths,
      store: this.store,
      list: this.objects,
      runtime: this.runtime,
      logger: this.logger,
      random: this.options.random ?? {},
      concurrency: this.options.concurrency ?? 8,
      autostart: this.options.autostart !== false,
      startObject: (obj) => this.startObject(obj),
      saveStatus: (obj) => this.saveStatus(obj),
    });
    this.restorePorts(this.startup);
    return this.startup;
  }

  /**
   * The ports libvirt clients made on running networks, back from their
   * status files (guests' vNICs come back when the guest driver notifies
   * them); the port directories of networks that no longer run go. The
   * networks' connection counts start again from the ports there are.
   */
  private restorePorts(report: StartupReport): void {
    const active = this.objects.all().filter((o) => o.active);
    const keep = new Set(active.map((o) => fileStem(o.name)));
    for (const entry of safeReaddir(this.paths.networkStatusDir)) {
      if (entry.isDirectory() && !keep.has(entry.name)) rmSync(join(this.paths.networkStatusDir, entry.name), { recursive: true, force: true });
    }
    for (const obj of active) {
      this.ports.clear(obj.name, obj.def);
      const files = this.store.listPorts(obj.name, (path, err) => report.problems.push({ subject: path, message: errorText(err) }));
      if (files.length === 0) continue;
      for (const file of files) {
        try {
          const doc = parseNetworkPortXml(file.text);
          if (doc.plug === undefined || doc.uuid !== file.stem) throw internalError(`'${file.path}' is not the status of port ${file.stem}`);
          if (!this.ports.restore(obj.def, portFromDef(obj.name, { ...doc, plug: doc.plug }))) {
            this.store.deletePort(obj.name, doc.uuid);
            this.logger.warn({ network: obj.name, port: doc.uuid }, 'a port whose interface the network no longer has is gone');
          }
        } catch (err) {
          report.problems.push({ subject: file.path, message: errorText(err) });
        }
      }
      if (obj.applied !== undefined) this.saveStatus(obj);
    }
  }

  /** What startup found and did (adopted, vanished, autostarted, errors). */
  get startupReport(): StartupReport | undefined {
    return this.startup;
  }

  /**
   * Stop serving: new calls fail, calls in progress finish, the lease watch
   * and subscriptions end. Every network keeps running, with its status
   * file, for the next driver to adopt.
   */
  async close(): Promise<void> {
    if (!this.calls.stop()) return;
    await this.calls.settled();
    this.stopHealthWatch?.();
    this.leasesWatcher?.close();
    this.events.clear();
  }

  /**
   * The runtime found a running network's host side changed (its firewall
   * rules flushed by someone else), or put it back: the network shows as
   * degraded (NetworkInfo.degraded) until then, a warning is logged and a
   * `health` event goes out.
   */
  private onHealth(change: NetworkHealthChange): void {
    const obj = this.objects.findByName(change.network);
    if (obj === undefined || !obj.active) return;
    const network = { name: obj.name, uuid: obj.uuid };
    if (change.state === 'degraded') {
      obj.degraded = change.reason;
      this.logger.warn({ network: obj.name, reason: change.reason }, 'network degraded');
    } else {
      obj.degraded = undefined;
      this.logger.info({ network: obj.name }, 'network repaired');
      // A UDP client refused while the rules were missing takes its forward at its next datagram.
      void this.runtime
        .forgetForwardFlows?.(obj.def)
        .catch((err: unknown) => this.logger.warn({ network: obj.name, err: errorText(err) }, 'cannot forget the flows of its port forwards'));
    }
    this.events.emit({ kind: 'health', state: change.state, network, reason: change.reason, time: this.now() });
  }

  /* ------------------------------------------------------------------ */
  /* plumbing                                                           */

  /** Run an API call: refused once closed, tracked so close() can wait for it. */
  private call<T>(fn: () => Promise<T>): Promise<T> {
    return this.calls.run(fn);
  }

  private versionOfObject(obj: NetworkObject): string {
    return this.versions.of(obj, `autostart=${obj.autostart}`);
  }

  /** A define's precondition: the network it names must be there, at that version. */
  private checkDefinePrecondition(name: string, existing: NetworkObject | undefined, options: Precondition | undefined): void {
    if (options?.ifMatch === undefined) return;
    if (existing === undefined) this.objects.getByName(name);
    else this.checkPrecondition(existing, options);
  }

  /** `fn` on the network `name` under its lock, once the caller's precondition (If-Match) holds. */
  private onNetwork<T>(name: string, options: Precondition | undefined, fn: (obj: NetworkObject) => Promise<T>): Promise<T> {
    return withObject(
      () => this.objects.getByName(name),
      (obj) => {
        this.checkPrecondition(obj, options);
        return fn(obj);
      },
    );
  }

  /** A change's precondition, checked with the object's lock held. */
  private checkPrecondition(obj: NetworkObject, options: Precondition | undefined): void {
    checkVersion('network', obj.name, options?.ifMatch, () => this.versionOfObject(obj));
  }

  private defineFacts(): DefineFacts & Partial<ValidateFacts> {
    const facts: DefineFacts & Partial<ValidateFacts> = {
      ...(this.options.random ?? {}),
      networks: this.objects.defs(),
      linkExists: (name) => this.runtime.linkExists(name),
    };
    if (this.options.validateFacts) facts.isSriovVirtualFunction = (a) => this.options.validateFacts!.isSriovVirtualFunction(a);
    return facts;
  }

  /** The caller's document, parsed; whatever is wrong with it is the caller's mistake (a 4xx, markInputError). */
  private parse(xml: string, options: DefineOptions | undefined): NetworkDef {
    return checkInput(() => {
      if (options?.validate) validateNetworkXml(xml);
      return parseNetworkXml(xml);
    });
  }

  /** prepareNetworkForDefine: defaults and checks of the caller's definition (its errors are the caller's). */
  private prepare(parsed: NetworkDef): Promise<NetworkDef> {
    return prepareNetworkForDefine(parsed, this.defineFacts()).catch((err: unknown) => {
      throw markInputError(err);
    });
  }

  private saveConfig(def: NetworkDef): void {
    this.store.saveConfig(def.name, def.uuid, formatNetworkXml(def, { inactive: true }));
  }

  private saveStatus(obj: NetworkObject): void {
    if (obj.applied === undefined) throw internalError(`network '${obj.name}' has no applied state`);
    this.writeStatus(obj, obj.def, obj.applied);
  }

  /** The status file: the network as it runs, or (with a state) a journal entry of a change in progress. */
  private writeStatus(obj: NetworkObject, def: NetworkDef, applied: AppliedNetwork, state?: NetworkJournalState): void {
    const status = this.statusOf(obj, def, applied);
    if (state !== undefined) status.state = state;
    this.store.saveStatus(obj.name, obj.uuid, formatNetworkStatus(status));
  }

  private statusOf(obj: NetworkObject, def: NetworkDef, applied: AppliedNetwork): NetworkStatus {
    return { def, applied, qos: { classIds: this.ports.classIds(obj.name), floorSum: this.ports.floorSum(obj.name) } };
  }

  /**
   * The live defs of the other running networks, for the runtime's subnet
   * check. Networks still on their way up are the runtime's to account for:
   * it checks and claims a subnet with no await in between, so of two
   * overlapping networks started at once the first wins.
   */
  private otherActiveDefs(self: NetworkObject): NetworkDef[] {
    const out: NetworkDef[] = [];
    for (const o of this.objects.all()) if (o !== self && o.active) out.push(o.def);
    return out;
  }

  /**
   * networkStartNetwork, with the object's lock held: "network is already
   * active"; keep the config aside; fill in the live defaults; the runtime
   * brings it up (and undoes its own work on failure); the status file is
   * written; only then is the network active. No event (callers emit).
   */
  private async startObject(obj: NetworkObject): Promise<void> {
    if (obj.active) throw operationInvalid('network is already active');
    // The saved config holds values virtnet no longer takes (a net-create's own def, in def over it, does not).
    if (obj.refusedValues.length > 0 && obj.newDef === undefined) throw refusedValuesError(obj.name, obj.refusedValues);
    const before = obj.def;
    obj.keepConfigAside();
    try {
      checkBridgeNameForStart(obj.def);
      const live = resolveForwardTargets(liveDefForStart(obj.def), this.targetFacts(obj, []));
      checkForwardsFree(live, this.otherActiveDefs(obj));
      let journalled = false;
      const journal = (record: AppliedNetwork): void => {
        // A stop start-up could not finish leaves its entry until this start's replaces it.
        this.store.deleteStopping(obj.name);
        this.writeStatus(obj, live, record, 'starting');
        journalled = true;
      };
      let applied: AppliedNetwork;
      try {
        applied = await this.runtime.start(live, { otherActive: this.otherActiveDefs(obj), journal });
      } catch (err) {
        // The runtime undid its work: the journal entry goes with it.
        if (journalled) this.store.deleteStatus(obj.name);
        throw err;
      }
      obj.def = liveDefAfterStart(live, applied);
      obj.applied = applied;
      try {
        this.saveStatus(obj);
      } catch (err) {
        obj.applied = undefined;
        await this.runtime.stop(obj.def, applied).then(
          () => this.store.deleteStatus(obj.name),
          (e: unknown) => {
            this.logger.error({ network: obj.name, err: errorText(e) }, 'cannot undo a start whose status could not be saved');
          },
        );
        throw err;
      }
      obj.active = true;
    } catch (err) {
      if (obj.newDef !== undefined) obj.unsetDefTransient();
      else obj.def = before;
      throw err;
    }
    this.logger.info({ network: obj.name, bridge: obj.def.bridge.name }, 'network started');
    await this.leasesWatcher?.prime(obj);
  }

  /**
   * networkShutdownNetwork, with the lock held. The status file becomes
   * the stop's journal entry first (renamed to STEM.stopping), so a stop a
   * crash interrupts is finished at start-up. On a runtime failure the
   * network stays active, and its status file is back.
   */
  private async stopObject(obj: NetworkObject): Promise<void> {
    if (obj.applied !== undefined) {
      if (!this.store.markStopping(obj.name)) {
        this.store.saveStopping(obj.name, obj.uuid, formatNetworkStatus(this.statusOf(obj, obj.def, obj.applied)));
      }
      try {
        await this.runtime.stop(obj.def, obj.applied);
      } catch (err) {
        this.store.unmarkStopping(obj.name);
        throw err;
      }
      this.store.deleteStopping(obj.name);
    } else {
      this.store.deleteStatus(obj.name);
    }
    this.leasesWatcher?.forget(obj);
    this.ports.clear(obj.name, obj.def);
    this.store.deletePorts(obj.name);
    obj.active = false;
    obj.applied = undefined;
    obj.degraded = undefined;
    obj.unsetDefTransient();
    this.logger.info({ network: obj.name }, 'network stopped');
  }

  /** Remove a network that is inactive for good: its dnsmasq files, status file and list entry (networkRemoveInactive). */
  private async removeInactive(obj: NetworkObject): Promise<void> {
    this.objects.remove(obj);
    this.store.deleteStatus(obj.name);
    try {
      await this.runtime.cleanup(obj.persistentDef());
    } catch (err) {
      this.logger.warn({ network: obj.name, err: errorText(err) }, 'cannot remove the network files');
    }
  }

  private async readLeases(obj: NetworkObject): Promise<DhcpLease[]> {
    if (!obj.active || obj.applied === undefined) return [];
    const now = Math.floor(Date.now() / 1000);
    const leases = await this.runtime.leases(obj.def, obj.applied);
    // libvirt does not report leases that have expired.
    return leases.filter((l) => !(l.expiryTime > 0 && l.expiryTime < now));
  }

  /* ------------------------------------------------------------------ */
  /* the API                                                            */

  lookupByName(name: string): Promise<NetworkInfo> {
    return this.call(async () => this.objects.getByName(name).info());
  }

  lookupByUuid(uuid: string): Promise<NetworkInfo> {
    return this.call(async () => this.objects.getByUuid(uuid).info());
  }

  list(filter?: ListFilter): Promise<NetworkInfo[]> {
    return this.call(async () => this.objects.filter(filter).map((o) => o.info()));
  }

  define(xml: string, options?: DefineOptions): Promise<NetworkInfo> {
    return this.call(async () => {
      const parsed = this.parse(xml, options);
      const obj = await this.bridgeNames.run(async () => {
        const def = await this.prepare(parsed);
        return this.objects.definePersistent(
          def,
          (d) => this.saveConfig(d),
          (existing) => this.checkDefinePrecondition(def.name, existing, options),
        );
      });
      this.logger.info({ network: obj.name }, 'network defined');
      const info = obj.info();
      this.events.lifecycle('Defined', info);
      return info;
    });
  }

  create(xml: string, options?: DefineOptions): Promise<NetworkInfo> {
    return this.call(async () => {
      const parsed = this.parse(xml, options);
      // Claim the object under the bridge-name lock; start it after.
      const claim = await this.bridgeNames.run(async () => {
        const def = await this.prepare(parsed);
        for (;;) {
          const existing = this.objects.checkConflicts(def);
          if (existing === undefined) {
            this.checkDefinePrecondition(def.name, undefined, options);
            const obj = new NetworkObject(def, false);
            const release = await obj.lock.acquire();
            this.objects.add(obj);
            return { obj, release, isNew: true };
          }
          const release = await existing.lock.acquire();
          if (existing.removed) {
            release();
            continue;
          }
          if (existing.active) {
            release();
            throw operationInvalid(`network is already active as '${existing.name}'`);
          }
          try {
            this.checkDefinePrecondition(def.name, existing, options);
          } catch (err) {
            release();
            throw err;
          }
          existing.assignDef(def, true);
          return { obj: existing, release, isNew: false };
        }
      });
      const { obj, release } = claim;
      try {
        await this.startObject(obj);
      } catch (err) {
        // A new transient goes away; a persistent one got its config back in startObject.
        if (claim.isNew) this.objects.remove(obj);
        throw err;
      } finally {
        release();
      }
      const info = obj.info();
      this.events.lifecycle('Started', info);
      await this.afterStart(info.name);
      return info;
    });
  }

  undefine(name: string, options?: ForceOptions): Promise<void> {
    return this.call(() =>
      this.onNetwork(name, options, async (obj) => {
        if (!obj.persistent) throw operationInvalid("can't undefine transient network");
        this.checkGuests(obj, 'undefine', options);
        this.store.deleteConfig(obj.name);
        obj.autostart = false;
        const network = { name: obj.name, uuid: obj.uuid };
        if (!obj.active) await this.removeInactive(obj);
        else obj.assignDef(undefined, false);
        this.logger.info({ network: obj.name }, 'network undefined');
        this.events.lifecycle('Undefined', network);
      }),
    );
  }

  start(name: string, options?: Precondition): Promise<void> {
    return this.call(async () => {
      await this.onNetwork(name, options, async (obj) => {
        await this.startObject(obj);
        this.events.lifecycle('Started', obj);
      });
      await this.afterStart(name);
    });
  }

  /**
   * net-start / net-create / net-update --dry-run: what the change would
   * do on the host, with the checks the change itself makes first; changes
   * nothing (no object, no file, no event).
   */
  dryRun(request: DryRunRequest): Promise<HostChanges> {
    return this.call(async () => {
      const { action } = request;
      if (action === 'create') {
        const def = await this.prepare(this.parse(request.xml, { validate: request.validate === true }));
        const existing = this.objects.checkConflicts(def);
        if (existing?.active) throw operationInvalid(`network is already active as '${existing.name}'`);
        const live = resolveForwardTargets(liveDefForStart(def), { leases: [], macsOf: () => [] });
        const others = this.objects
          .all()
          .filter((o) => o !== existing && o.active)
          .map((o) => o.def);
        checkForwardsFree(live, others);
        return { network: def.name, action, ...(await this.runtimeDryRun(live, { otherActive: others })) };
      }
      return withObject(
        () => this.objects.getByName(request.name),
        async (obj): Promise<HostChanges> => {
          if (action === 'start') {
            if (obj.active) throw operationInvalid('network is already active');
            checkBridgeNameForStart(obj.def);
            const live = resolveForwardTargets(liveDefForStart(obj.def), this.targetFacts(obj, []));
            checkForwardsFree(live, this.otherActiveDefs(obj));
            return { network: obj.name, action, ...(await this.runtimeDryRun(live, { otherActive: this.otherActiveDefs(obj) })) };
          }
          const plan = checkInput(() =>
            planUpdate({ active: obj.active, persistent: obj.persistent, def: obj.def, persistentDef: obj.persistentDef() }, request.update),
          );
          const changes: PlannedChanges =
            plan.liveDef !== undefined
              ? await this.runtimeDryRun(plan.liveDef, { otherActive: this.otherActiveDefs(obj), before: { def: obj.def, applied: obj.applied! } })
              : { links: [], sysctls: [], nftables: [], files: [], processes: [] };
          return { network: obj.name, action, ...changes, config: plan.config };
        },
      );
    });
  }

  private runtimeDryRun(def: NetworkDef, context: DryRunContext): Promise<PlannedChanges> {
    if (!this.runtime.dryRun) throw operationUnsupported(`a dry run of network '${def.name}' (its runtime cannot tell what it would change)`);
    return this.runtime.dryRun(def, context);
  }

  destroy(name: string, options?: ForceOptions): Promise<void> {
    return this.call(async () => {
      await this.onNetwork(name, options, async (obj) => {
        if (!obj.active) throw operationInvalid(`network '${obj.name}' is not active`);
        this.checkGuests(obj, 'destroy', options);
        await this.stopObject(obj);
        const network = { name: obj.name, uuid: obj.uuid };
        if (!obj.persistent) await this.removeInactive(obj);
        this.events.lifecycle('Stopped', network);
      });
      await this.afterStop(name);
    });
  }

  setAutostart(name: string, autostart: boolean, options?: Precondition): Promise<void> {
    return this.call(() =>
      this.onNetwork(name, options, async (obj) => {
        if (!obj.persistent) throw operationInvalid('cannot set autostart for transient network');
        if (obj.autostart !== autostart) {
          this.store.setAutostart(obj.name, autostart);
          obj.autostart = autostart;
          // virtnet's own event, so open pages follow a change made elsewhere (libvirt emits none).
          this.events.emit({ kind: 'autostart', network: { name: obj.name, uuid: obj.uuid }, autostart, time: this.now() });
        }
      }),
    );
  }

  versionOf(name: string): Promise<string> {
    return this.call(async () => this.versionOfObject(this.objects.getByName(name)));
  }

  getXml(name: string, options?: GetXmlOptions): Promise<string> {
    return this.call(async () => {
      const obj = this.objects.getByName(name);
      const inactive = options?.inactive === true;
      const def = inactive && obj.newDef !== undefined ? obj.newDef : obj.def;
      return formatNetworkXml(def, { inactive });
    });
  }

  update(name: string, request: UpdateRequest, options?: Precondition): Promise<UpdateResult> {
    return this.call(() =>
      this.onNetwork(name, options, async (obj) => {
        const plan = checkInput(() =>
          planUpdate({ active: obj.active, persistent: obj.persistent, def: obj.def, persistentDef: obj.persistentDef() }, request),
        );
        await this.commitChange(obj, plan, plan.section);
        // planUpdate parsed the new config back whole: it holds no refused value any more.
        if (plan.configDef !== undefined) obj.refusedValues = [];
        return { live: plan.live, config: plan.config };
      }),
    );
  }

  /**
   * Carry a change of the live and/or persistent definition out, with the
   * object's lock held: the live one through the runtime (journalled), the
   * persistent one to disk; then the status file and the Updated event.
   */
  private async commitChange(obj: NetworkObject, plan: ForwardPlan, section: LiveChange): Promise<void> {
    let applied = obj.applied;
    if (plan.liveDef !== undefined) {
      // A live change a crash interrupts is undone at start-up from the journal entry.
      let journalled = false;
      const journal = (record: AppliedNetwork): void => {
        this.writeStatus(obj, obj.def, record, 'updating');
        journalled = true;
      };
      try {
        applied = await this.runtime.updateLive(obj.def, plan.liveDef, section, obj.applied!, { journal });
      } catch (err) {
        if (journalled) this.saveStatus(obj);
        throw err;
      }
    }
    if (plan.configDef !== undefined) {
      // A running persistent network holds its config in newDef (set at start).
      if (obj.active) obj.setDefTransient();
      this.saveConfig(plan.configDef);
      if (obj.active) obj.newDef = plan.configDef;
      else obj.def = plan.configDef;
    }
    if (plan.liveDef !== undefined) {
      this.ports.recount(plan.liveDef);
      obj.def = plan.liveDef;
      obj.applied = applied;
      this.saveStatus(obj);
    }
    this.logger.info({ network: obj.name, section, live: plan.live, config: plan.config }, 'network updated');
    this.events.lifecycle('Updated', obj);
  }

  /* ------------------------------------------------------------------ */
  /* port forwards (forwards.ts, forward-targets.ts)                    */

  listForwards(name: string, options?: ForwardListOptions): Promise<PortForward[]> {
    return this.call(async () => {
      const obj = this.objects.getByName(name);
      const def = options?.inactive === true ? obj.persistentDef() : obj.def;
      return (def.portForwards?.forwards ?? []).map(portForwardOf);
    });
  }

  addForward(name: string, forward: PortForward, flags: UpdateFlags, options?: Precondition): Promise<UpdateResult> {
    return this.changeForwards(name, (network) => ({ add: portForwardFromApi(forward, network) }), flags, options);
  }

  removeForward(name: string, selector: PortForwardSelector, flags: UpdateFlags, options?: Precondition): Promise<UpdateResult> {
    return this.changeForwards(name, (network) => ({ remove: selectorFromApi(selector, network) }), flags, options);
  }

  private changeForwards(name: string, read: (network: string) => ForwardChange, flags: UpdateFlags, options?: Precondition): Promise<UpdateResult> {
    return this.call(() =>
      this.onNetwork(name, options, async (obj) => {
        const change = checkInput(() => read(obj.name));
        const target = { active: obj.active, persistent: obj.persistent, def: obj.def, persistentDef: obj.persistentDef() };
        const plan = checkInput(() => planForwardChange(target, change, flags, this.otherDefs(obj)));
        if (plan.liveDef !== undefined) {
          // Watch first: a lease that comes after this read is then an event.
          await this.watchLeasesFor(plan.liveDef);
          plan.liveDef = resolveForwardTargets(plan.liveDef, this.targetFacts(obj, await this.readLeases(obj)));
        }
        await this.commitChange(obj, plan, 'port-forwards');
        return { live: plan.live, config: plan.config };
      }),
    );
  }

  /** Every definition of the other networks (live and persistent), which a new forward may not overlap. */
  private otherDefs(self: NetworkObject): NetworkDef[] {
    const out: NetworkDef[] = [];
    for (const o of this.objects.all()) {
      if (o === self) continue;
      out.push(o.def);
      if (o.newDef !== undefined) out.push(o.newDef);
    }
    return out;
  }

  /** What names of forward targets resolve against: DHCP hosts (in the def), guests' vNICs, the leases given. */
  private targetFacts(obj: NetworkObject, leases: readonly DhcpLease[]): TargetFacts {
    return {
      leases,
      macsOf: (guest) => {
        const defined = this.portOwner?.macsOf?.(guest, obj.name) ?? [];
        const ported = this.ports.ports(obj.name).flatMap((p) => (p.owner.name === guest ? [p.mac] : []));
        return [...new Set([...defined, ...ported])];
      },
    };
  }

  /** Lease changes move named forward targets: watch them while such a network runs. */
  private async watchLeasesFor(def: NetworkDef): Promise<void> {
    if (!hasNamedTargets(def) || this.leasesWatcher === undefined || this.leasesWatcher.running || this.calls.closed) return;
    await this.leasesWatcher.start().catch((err: unknown) => this.logger.warn({ err: errorText(err) }, 'cannot start the lease watch'));
  }

  /**
   * Bring a running network's forwards to names up to date (a lease came or
   * went, a guest's port came or went, the network started), one refresh
   * after the other per network; what changed goes to the kernel as a live
   * update. Failures are logged: the forward keeps its last address. Not
   * while no guest driver is the port owner (before it has adopted its
   * guests, as virtnetd starts, or once it has closed): a guest's name has
   * no vNICs then, and its forward would lose its address (and its UDP
   * flows) for nothing.
   */
  private followTargets(name: string): void {
    const obj = this.objects.findByName(name);
    if (obj === undefined || !obj.active || !hasNamedTargets(obj.def) || this.calls.closed || this.portOwner === undefined) return;
    const previous = this.targetRefresh.get(name) ?? Promise.resolve();
    const next = previous
      .then(() => (this.calls.closed ? undefined : this.call(() => this.refreshTargets(name))))
      .catch((err: unknown) => this.logger.warn({ network: name, err: errorText(err) }, 'cannot follow the port forwards to guest names'));
    this.targetRefresh.set(name, next);
    void next.finally(() => {
      if (this.targetRefresh.get(name) === next) this.targetRefresh.delete(name);
    });
  }

  private async refreshTargets(name: string): Promise<void> {
    if (this.objects.findByName(name) === undefined) return;
    await withObject(
      () => this.objects.getByName(name),
      async (obj) => {
        if (!obj.active || obj.applied === undefined || !hasNamedTargets(obj.def)) return;
        await this.watchLeasesFor(obj.def);
        const next = resolveForwardTargets(obj.def, this.targetFacts(obj, await this.readLeases(obj)));
        if (next === obj.def) return;
        await this.commitChange(obj, { live: true, config: false, liveDef: next }, 'port-forwards');
      },
    );
  }

  /** Wait until every forward-target refresh scheduled so far is done (tests). */
  async settleForwardTargets(): Promise<void> {
    while (this.targetRefresh.size > 0) await Promise.all([...this.targetRefresh.values()]);
  }

  leases(name: string, mac?: string): Promise<DhcpLease[]> {
    return this.call(async () => {
      let want: string | undefined;
      if (mac !== undefined) {
        want = normalizeMac(mac);
        if (want === undefined) throw new VirError('INVALID_MAC', mac);
      }
      const obj = this.objects.getByName(name);
      const leases = await this.readLeases(obj);
      return want === undefined ? leases : leases.filter((l) => normalizeMac(l.mac) === want);
    });
  }

  subscribe(listener: (event: DriverEvent) => void): Unsubscribe {
    const unsubscribe = this.events.subscribe(listener);
    if (this.leasesWatcher !== undefined && !this.leasesWatcher.running && !this.calls.closed) {
      void this.leasesWatcher.start().catch((err: unknown) => {
        this.logger.warn({ err: errorText(err) }, 'cannot start the lease watch');
      });
    }
    return unsubscribe;
  }

  /* ------------------------------------------------------------------ */
  /* ports of guests' vNICs (../common/ports.ts)                        */

  /** Hand the guest driver's hooks in (or out): force checks, re-plugging after a start. */
  setPortOwner(owner: NetworkPortOwner | undefined): void {
    this.portOwner = owner;
    // The guests are known now: forwards to their names may resolve (and leases may have moved while no driver ran).
    if (owner !== undefined) for (const o of this.objects.all()) this.followTargets(o.name);
    // The owner has adopted its guests and notified their ports: what a runtime made for others is stale.
    if (owner !== undefined && this.runtime.prunePorts !== undefined) {
      void this.call(() => this.prunePorts()).catch((err: unknown) => this.logger.warn({ err: errorText(err) }, 'cannot prune stale ports'));
    }
  }

  /** Each running network's runtime removes the ports it made on this host that the port table does not hold. */
  private async prunePorts(): Promise<void> {
    for (const name of this.objects.all().map((o) => o.name)) {
      try {
        await withObject(
          () => this.objects.getByName(name),
          async (obj) => {
            if (!obj.active || obj.applied === undefined) return;
            const held = this.ports.ports(obj.name).map((p) => ({ portid: p.portid, mac: p.mac, owner: p.owner }));
            await this.runtime.prunePorts?.(obj.def, obj.applied, held);
          },
        );
      } catch (err) {
        this.logger.warn({ network: name, err: errorText(err) }, 'cannot prune stale ports');
      }
    }
  }

  /** undefine / destroy of a network with guests attached needs `force`. */
  private checkGuests(obj: NetworkObject, verb: 'undefine' | 'destroy', options: ForceOptions | undefined): void {
    if (options?.force === true || this.portOwner === undefined) return;
    const guests = this.portOwner.guestsOn(obj.name);
    if (guests.length > 0) {
      throw operationInvalid(`network '${obj.name}' has guests attached: ${guests.join(', ')} (use --force to ${verb} it anyway)`);
    }
  }

  private async afterStart(name: string): Promise<void> {
    try {
      await this.portOwner?.networkStarted(name);
    } catch (err) {
      this.logger.warn({ network: name, err: errorText(err) }, 'cannot plug guests back in');
    }
    // Forwards to names whose guests have leases from an earlier run, or just got their ports back.
    this.followTargets(name);
    await this.targetRefresh.get(name);
  }

  private async afterStop(name: string): Promise<void> {
    try {
      await this.portOwner?.networkStopped(name);
    } catch (err) {
      this.logger.warn({ network: name, err: errorText(err) }, 'cannot tell guests that the network stopped');
    }
  }

  /**
   * A port for a guest's vNIC (libvirt's networkAllocatePort, or
   * networkNotifyPort for a known portid / previous plug); the network's
   * live XML counts it.
   */
  allocatePort(name: string, request: PortRequest): Promise<NetworkPort> {
    return this.call(() =>
      withObject(
        () => this.objects.getByName(name),
        async (obj) => {
          const port = await this.allocateOn(obj, request);
          if (obj.applied !== undefined) this.saveStatus(obj);
          this.followTargets(obj.name);
          return port;
        },
      ),
    );
  }

  /**
   * A port from the table, made first by a runtime that makes its ports
   * (an OVN network's logical port), which also says how to plug into it.
   */
  private async allocateOn(obj: NetworkObject, request: PortRequest): Promise<NetworkPort> {
    const known = request.portid !== undefined ? this.ports.get(obj.name, request.portid) : undefined;
    if (known !== undefined || !obj.active || obj.applied === undefined || this.runtime.attachPort === undefined) {
      return this.ports.allocate(obj.def, obj.active, request);
    }
    const full: PortRequest = { ...request, portid: request.portid ?? (this.options.random?.randomUuid ?? randomUUID)() };
    const attachment = { portid: full.portid!, mac: request.mac, owner: request.owner };
    const plug = await this.runtime.attachPort(obj.def, obj.applied, attachment);
    try {
      return this.ports.allocate(obj.def, obj.active, full, plug);
    } catch (err) {
      await this.runtime.detachPort?.(obj.def, obj.applied, attachment).catch(() => {});
      throw err;
    }
  }

  /** Take a port out of the table, and out of the runtime that made it; false when the table has no such port. */
  private async releaseOn(obj: NetworkObject, portid: string): Promise<boolean> {
    const held = this.ports.get(obj.name, portid);
    if (!this.ports.release(obj.def, portid)) return false;
    if (held !== undefined && obj.applied !== undefined && this.runtime.detachPort !== undefined) {
      await this.runtime.detachPort(obj.def, obj.applied, { portid, mac: held.mac, owner: held.owner });
    }
    return true;
  }

  /** Give a port back; a network that is gone or restarted since has nothing to release. */
  releasePort(name: string, portid: string): Promise<void> {
    return this.call(async () => {
      if (this.objects.findByName(name) === undefined) return;
      try {
        await withObject(
          () => this.objects.getByName(name),
          async (obj) => {
            if (!obj.active) return;
            const released = await this.releaseOn(obj, portid);
            if (released) this.store.deletePort(obj.name, portid);
            if (released && obj.applied !== undefined) this.saveStatus(obj);
            if (released) this.followTargets(obj.name);
          },
        );
      } catch (err) {
        if (!(err instanceof VirError && err.errorClass === 'NO_NETWORK')) throw err;
      }
    });
  }

  /** The running networks' live definitions (virtnet doctor). */
  activeDefs(): NetworkDef[] {
    return this.objects
      .all()
      .filter((o) => o.active)
      .map((o) => o.def);
  }

  /** The ports a network handed out (tests, the console). */
  networkPorts(name: string): NetworkPort[] {
    return this.ports.ports(name);
  }

  /* ------------------------------------------------------------------ */
  /* libvirt's port API (virNetworkPort*), for libvirt clients           */

  portList(name: string): Promise<NetworkPortDef[]> {
    return this.call(async () => {
      const obj = this.activeObject(name);
      return this.ports.ports(obj.name).map((p) => portDefOf(p, obj.def));
    });
  }

  /** A network the port API acts on: it must run ("network 'N' is not active"). */
  private activeObject(name: string): NetworkObject {
    const obj = this.objects.getByName(name);
    if (!obj.active) throw operationInvalid(`network '${obj.name}' is not active`);
    return obj;
  }

  portLookup(name: string, uuid: string): Promise<NetworkPortDef> {
    return this.call(async () => {
      const obj = this.activeObject(name);
      const port = this.ports.get(obj.name, uuid);
      if (port === undefined) throw new VirError('NO_NETWORK_PORT', `Network port with UUID ${uuid} does not exist`);
      return portDefOf(port, obj.def);
    });
  }

  async portGetXml(name: string, uuid: string): Promise<string> {
    return formatNetworkPortXml(await this.portLookup(name, uuid));
  }

  /**
   * libvirt's networkPortCreateXML: a new port (no plug in the document), or
   * with `reclaim` one a guest already uses (its plug given, kept).
   */
  portCreate(name: string, xml: string, options: PortCreateOptions = {}): Promise<NetworkPortDef> {
    return this.call(() =>
      withObject(
        () => this.objects.getByName(name),
        async (obj) => {
          const doc = parseNetworkPortXml(xml);
          if (options.reclaim && doc.plug === undefined) throw new VirError('INVALID_ARG', 'Port reclaim requested but plug type is none');
          if (!options.reclaim && doc.plug !== undefined) throw new VirError('INVALID_ARG', 'Port reclaim not requested but plug type is not none');
          if (!options.reclaim && this.ports.get(obj.name, doc.uuid) !== undefined) {
            // libvirt's text, doubled as libvirt doubles it (its class template wraps a full sentence).
            throw new VirError('NETWORK_PORT_EXIST', `network port Network port with UUID ${doc.uuid} already exists exists already`);
          }
          const { uuid, owner, group, mac, plug, ...settings } = doc;
          const port = await this.allocateOn(obj, {
            owner,
            mac,
            portid: uuid,
            ...(group !== undefined ? { group } : {}),
            ...(plug !== undefined ? { previous: nicPlugOf(plug) } : {}),
            settings,
            byClient: true,
          });
          const made = portDefOf(port, obj.def);
          if (port.byClient) this.store.savePort(obj.name, port.portid, formatNetworkPortXml(made));
          if (obj.applied !== undefined) this.saveStatus(obj);
          return made;
        },
      ),
    );
  }

  portDelete(name: string, uuid: string): Promise<void> {
    return this.call(() =>
      withObject(
        () => this.objects.getByName(name),
        async (obj) => {
          if (!(await this.releaseOn(obj, uuid))) throw new VirError('NO_NETWORK_PORT', `Network port with UUID ${uuid} does not exist`);
          this.store.deletePort(obj.name, uuid);
          if (obj.applied !== undefined) this.saveStatus(obj);
        },
      ),
    );
  }

  /** Wait until pending lease refreshes have been delivered (tests). */
  async settleLeaseEvents(): Promise<void> {
    await this.leasesWatcher?.settle();
  }
}

/** The entries of a directory; none when it does not exist yet. */
function safeReaddir(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}
