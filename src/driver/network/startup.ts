/**
 * What a network driver does when it starts (libvirt's
 * networkStateInitialize), in libvirt's order:
 *
 * 0. Remove the temporary files of writes a crash interrupted.
 * 1. Load every status file RUN/networks/NAME.xml: each is a running network
 *    with its live def and the runtime's applied record.
 * 2. Load every config CONFIG/networks/NAME.xml with its autostart link. A
 *    config without uuid or (none/nat/route/open) MAC gets one and is
 *    written back, so it keeps it (applyLoadDefaults). A running network's
 *    config becomes its persistent def.
 * 3. Adopt every running network through runtime.adopt: its bridge is there
 *    and dnsmasq alive → adopted, rules re-applied idempotently, status
 *    rewritten with the record the runtime returns; its bridge is gone →
 *    the runtime cleans up what is left, and the network is inactive.
 *    A status file that is a journal entry (status.ts) is a change a crash
 *    interrupted: a start is undone and a stop finished (runtime.stop on
 *    the recorded, pessimistic record; the network is inactive), a live
 *    update undone (adopted with the def before it). Before any of this,
 *    commands the dead process left running are waited for.
 * 4. Drop inactive transient networks (with their dnsmasq files).
 * 5. Autostart, once per boot: only if RUN/networks/autostarted does not
 *    exist, which is then created (RUN is a tmpfs, emptied at boot). No
 *    events, as in libvirt.
 *
 * A file that cannot be read or does not fit is logged and skipped, so one
 * bad file never keeps the driver from starting (libvirt does the same). A
 * config or status file holding values virtnet now refuses (refused-values.ts:
 * an earlier virtnet took them) is loaded as it is, with a warning naming the
 * network, the element and the reason; the network cannot start until a
 * net-edit fixes it, and net-undefine removes it.
 * Adoption and autostart run up to `concurrency` networks at once.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseNetworkXml } from '../../conf/network/parse.js';
import { collectRefusedValues, type RefusedValue } from '../../conf/network/refused-values.js';
import { applyLoadDefaults, type DefineRandomness } from '../../conf/network/defaults.js';
import { formatNetworkXml } from '../../conf/network/format.js';
import { internalError } from '../../util/errors.js';
import { removeStaleTempFiles, writeFileAtomic } from '../../util/atomic-file.js';
import type { NetworkRuntime } from '../runtime/seam.js';
import type { VirtnetPaths } from '../common/paths.js';
import type { NetworkStore } from './store.js';
import { NetworkObject, type NetworkObjectList } from './objects.js';
import { parseNetworkStatus, type NetworkJournalState } from './status.js';
import { errorText, type DriverLogger } from '../common/log.js';
import { storedAs } from '../common/stored-files.js';
import { forEachLimited } from '../../util/mutex.js';

/** The once-per-boot autostart marker, RUN/networks/autostarted (libvirt: /run/libvirt/network/autostarted). */
export function autostartMarkerPath(paths: VirtnetPaths): string {
  return join(paths.networkStatusDir, 'autostarted');
}

interface StartupContext {
  paths: VirtnetPaths;
  store: NetworkStore;
  list: NetworkObjectList;
  runtime: NetworkRuntime;
  logger: DriverLogger;
  random: DefineRandomness;
  concurrency: number;
  autostart: boolean;
  /** Start a network (no event). */
  startObject(obj: NetworkObject): Promise<void>;
  saveStatus(obj: NetworkObject): void;
}

export interface StartupProblem {
  /** The file or network concerned. */
  subject: string;
  message: string;
}

export interface StartupReport {
  /** Networks adopted as running. */
  adopted: string[];
  /** Networks whose status file said running but whose bridge was gone. */
  vanished: string[];
  /**
   * Changes a crash interrupted, finished or undone from their journal
   * entries: "NAME: start undone", "NAME: stop finished", "NAME: update undone".
   */
  recovered: string[];
  /** Inactive transient networks dropped. */
  dropped: string[];
  /** Configs written back with a generated uuid or MAC. */
  rewritten: string[];
  /** Networks started by autostart. */
  autostarted: string[];
  /** Whether autostart ran (false when the marker said it already had this boot, or it was turned off). */
  autostartRan: boolean;
  problems: StartupProblem[];
}

export async function initializeDriver(ctx: StartupContext): Promise<StartupReport> {
  const { paths, store, list, runtime, logger } = ctx;
  const report: StartupReport = {
    adopted: [],
    vanished: [],
    recovered: [],
    dropped: [],
    rewritten: [],
    autostarted: [],
    autostartRan: false,
    problems: [],
  };
  const problem = (subject: string, err: unknown, what: string): void => {
    const message = errorText(err);
    report.problems.push({ subject, message });
    logger.error({ subject, err: message }, what);
  };

  for (const dir of [paths.networkConfigDir, paths.networkStatusDir, paths.dnsmasqDir]) mkdirSync(dir, { recursive: true });
  // Writes a crash interrupted leave their temporary files behind.
  for (const dir of [paths.networkConfigDir, paths.networkAutostartDir, paths.networkStatusDir, paths.dnsmasqDir]) {
    for (const f of removeStaleTempFiles(dir)) logger.info({ dir, file: f }, 'removed a temporary file a crash left');
  }

  // What a killed predecessor's commands make must be there before the journal is read.
  if (runtime.settlePrevious) {
    try {
      await runtime.settlePrevious();
    } catch (err) {
      problem('runtime', err, "cannot wait for the previous process's commands");
    }
  }

  const unreadable = (path: string, err: unknown): void => problem(path, err, 'cannot read a network file');
  /** Journal entries: a change in progress when the last process ended. */
  const journal = new Map<NetworkObject, NetworkJournalState>();
  /** Networks whose saved files hold values virtnet now refuses: the config's, or a transient's status file's. */
  const refusedIn = new Map<NetworkObject, { file: string; refused: RefusedValue[] }>();
  // 1. status files, and those of stops a crash interrupted (the same file, renamed)
  const stopping = new Set(store.listStopping(unreadable));
  for (const file of [...store.listStatuses(unreadable), ...stopping]) {
    // Status files are not synced to the disk: an empty one is a write the host's crash cut short, and the
    // crash ended the network it described.
    if (file.text === '') {
      rmSync(file.path, { force: true });
      report.recovered.push(`${file.path}: empty status file removed (the host went down while it was written)`);
      logger.warn({ file: file.path }, 'removed an empty status file (the host went down while it was written): the network is not running');
      continue;
    }
    try {
      const { result: status, refused } = collectRefusedValues(() => parseNetworkStatus(file.text, file.path));
      const as = storedAs(file.stem, status.def.name);
      if (as === undefined) {
        throw internalError(`Network config filename '${file.path}' does not match network name '${status.def.name}'`);
      }
      if (list.checkConflicts(status.def) !== undefined) throw internalError(`network '${status.def.name}' has two status files`);
      const obj = new NetworkObject(status.def, false);
      obj.active = true;
      obj.applied = status.applied;
      if (as === 'legacy') store.moveLegacyStatus(file, obj.name);
      const state = stopping.has(file) ? 'stopping' : status.state;
      if (state !== undefined) journal.set(obj, state);
      list.add(obj);
      if (refused.length > 0) refusedIn.set(obj, { file: file.path, refused });
    } catch (err) {
      problem(file.path, err, 'cannot load network status');
    }
  }

  // 2. configs
  for (const file of store.listConfigs(unreadable)) {
    try {
      const { result: parsed, refused } = collectRefusedValues(() => parseNetworkXml(file.text));
      const as = storedAs(file.stem, parsed.name);
      if (as === undefined) {
        throw internalError(`Network config filename '${file.path}' does not match network name '${parsed.name}'`);
      }
      const { def, uuidAdded, macAdded } = applyLoadDefaults(parsed, ctx.random);
      const existing = list.checkConflicts(def);
      if (as === 'legacy') store.moveLegacyConfig(file, def.name);
      if (uuidAdded || macAdded) {
        store.saveConfig(def.name, def.uuid, formatNetworkXml(def, { inactive: true }));
        report.rewritten.push(def.name);
      }
      let obj = existing;
      if (obj === undefined) {
        obj = new NetworkObject(def, true);
        list.add(obj);
      } else {
        obj.assignDef(def, false);
      }
      obj.autostart = store.isAutostart(def.name);
      if (refused.length > 0) refusedIn.set(obj, { file: file.path, refused });
      else refusedIn.delete(obj);
    } catch (err) {
      problem(file.path, err, 'cannot load network config');
    }
  }
  for (const [obj, { file, refused }] of refusedIn) {
    obj.refusedValues = refused;
    for (const r of refused) {
      report.problems.push({
        subject: obj.name,
        message: `<${r.element}>: ${r.error.message} (saved by an earlier virtnet: fix it with net-edit or remove the network with net-undefine)`,
      });
      logger.warn(
        { network: obj.name, element: r.element, reason: r.error.message, file },
        'a saved network holds a value virtnet no longer takes: it is loaded, and cannot start until it is fixed with net-edit or removed with net-undefine',
      );
    }
  }

  // 3. adoption, and the journal: a start a crash interrupted is undone, a stop finished
  const running = list.all().filter((o) => o.active);
  await forEachLimited(running, ctx.concurrency, async (obj) => {
    const state = journal.get(obj);
    if (state === 'starting' || state === 'stopping') {
      try {
        await runtime.stop(obj.def, obj.applied!);
        obj.active = false;
        obj.applied = undefined;
        obj.unsetDefTransient();
        store.deleteStatus(obj.name);
        report.recovered.push(`${obj.name}: ${state === 'starting' ? 'start undone' : 'stop finished'}`);
        logger.warn({ network: obj.name, state }, `a ${state === 'starting' ? 'start' : 'stop'} was interrupted: the network is stopped`);
      } catch (err) {
        // The entry stays for the next start-up (or the network's next start); the network is not running.
        obj.active = false;
        obj.applied = undefined;
        obj.unsetDefTransient();
        problem(obj.name, err, 'cannot recover an interrupted change');
      }
      return;
    }
    try {
      // An interrupted live update: the record covers both sides, adoption brings back the def it recorded.
      const applied = await runtime.adopt(obj.def, obj.applied!);
      if (state === 'updating') {
        report.recovered.push(`${obj.name}: update undone`);
        logger.warn({ network: obj.name }, 'a live update was interrupted: the network runs its previous definition');
      }
      if (applied === null) {
        obj.active = false;
        obj.applied = undefined;
        obj.unsetDefTransient();
        store.deleteStatus(obj.name);
        report.vanished.push(obj.name);
        logger.warn({ network: obj.name }, 'network is gone: marked inactive');
      } else {
        obj.applied = applied;
        ctx.saveStatus(obj);
        report.adopted.push(obj.name);
        logger.info({ network: obj.name }, 'network adopted');
      }
    } catch (err) {
      // Leave it as it was recorded: running, with its old record.
      problem(obj.name, err, 'cannot adopt network');
    }
  });

  // 4. inactive transients go
  for (const obj of list.all()) {
    if (obj.active || obj.persistent) continue;
    list.remove(obj);
    store.deleteStatus(obj.name);
    report.dropped.push(obj.name);
    try {
      await runtime.cleanup(obj.def);
    } catch (err) {
      problem(obj.name, err, 'cannot remove the files of a dead transient network');
    }
  }

  // 5. what the runtime keeps outside this host that none of these networks explains
  if (runtime.reconcileOwned) {
    try {
      await runtime.reconcileOwned(
        list.all().map((o) => (o.active && o.applied !== undefined ? { def: o.def, applied: o.applied } : { def: o.def })),
      );
    } catch (err) {
      problem('runtime', err, 'cannot reconcile what the runtime owns');
    }
  }

  // 6. autostart, once per boot
  if (ctx.autostart) {
    const marker = autostartMarkerPath(paths);
    if (!existsSync(marker)) {
      writeFileAtomic(marker, '', { mode: 0o600 });
      report.autostartRan = true;
      const todo = list.all().filter((o) => o.autostart && !o.active);
      await forEachLimited(todo, ctx.concurrency, async (obj) => {
        try {
          await obj.lock.run(() => ctx.startObject(obj));
          report.autostarted.push(obj.name);
        } catch (err) {
          problem(obj.name, err, 'cannot autostart network');
        }
      });
    }
  }
  report.adopted.sort();
  report.vanished.sort();
  report.recovered.sort();
  report.autostarted.sort();
  return report;
}
