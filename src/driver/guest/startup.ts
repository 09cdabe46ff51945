/**
 * What the guest driver does when it starts (after the network driver),
 * in libvirt's order for domains:
 *
 * 0. Remove the temporary files of writes a crash interrupted.
 * 1. Load every status file RUN/guests/NAME.xml with its record NAME.json:
 *    each is a running guest with its live definition and id.
 * 2. Load every config CONFIG/guests/NAME.xml (read as libvirt reads stored
 *    configs, PARSE_INACTIVE); a running guest's config becomes its
 *    persistent definition.
 * 3. Undo what the journal says a crash interrupted: a record without a
 *    status file (a start, or a destroy) loses what it names; a running
 *    guest's `pending` vNICs, and vNICs its live definition does not list,
 *    are removed (a live attach), interfaces its record lacks leave the
 *    definition (a live detach).
 * 4. Adopt every running guest: if it is gone (a netns guest whose
 *    namespace vanished, or a status without its record), what is left of
 *    its devices is removed and it is marked shut off; otherwise each vNIC
 *    is notified to its network again (the network driver's ports live in
 *    memory) and re-plugged where needed, and the status is rewritten. A
 *    vNIC whose network is not running stays disconnected until it starts.
 * 5. Drop guests that are neither running nor persistent.
 *
 * A file that cannot be read is logged and skipped, as libvirt does.
 */
import { mkdirSync } from 'node:fs';
import { parseGuestXml } from '../../conf/guest/parse.js';
import { parseGuestStatusXml } from '../../conf/guest/store-format.js';
import type { GuestBackend, GuestHandle, PluggedNic } from '../../host/guest-backend.js';
import { internalError } from '../../util/errors.js';
import { removeStaleTempFiles } from '../../util/atomic-file.js';
import { errorText, type DriverLogger } from '../common/log.js';
import { storedAs } from '../common/stored-files.js';
import { pluggedOf, reconnectNic, withPort, type NicContext } from './nics.js';
import { GuestObject, type GuestObjectList } from './objects.js';
import type { GuestRuntimeRecord, GuestStore } from './store.js';
import type { VirtnetPaths } from '../common/paths.js';

interface GuestStartupContext {
  paths: VirtnetPaths;
  store: GuestStore;
  list: GuestObjectList;
  backend: GuestBackend;
  logger: DriverLogger;
  nicContext(obj: GuestObject): NicContext;
  saveStatus(obj: GuestObject): void;
}

export interface GuestStartupReport {
  /** Running guests adopted. */
  adopted: string[];
  /** Guests whose status said running but that were gone. */
  vanished: string[];
  /** vNICs left disconnected because their network is not running ("guest/target"). */
  disconnected: string[];
  /** Changes a crash interrupted, undone from the journal: "NAME: start undone", "NAME: attach undone". */
  recovered: string[];
  problems: { subject: string; message: string }[];
}

/** What can be found of a running guest's devices without its record. */
function nicsFromLiveDef(obj: GuestObject): PluggedNic[] {
  return obj.def.interfaces.flatMap((i) =>
    i.target === undefined || i.mac === undefined
      ? []
      : [{ mac: i.mac, target: i.target, plug: { kind: 'bridge' as const, bridge: i.actualBridge ?? i.source } }],
  );
}

/**
 * A live attach or detach a crash interrupted, from the record and the
 * live definition (written one after the other): `pending` vNICs (killed
 * while made) and record vNICs the definition does not list (killed
 * between the record and the status) are removed — the attach is undone;
 * interfaces whose vNIC the record no longer has (killed after the record
 * of a detach) leave the definition — the detach is finished.
 */
async function settleDeviceChanges(
  obj: GuestObject,
  record: GuestRuntimeRecord,
  unplug: (nic: PluggedNic) => Promise<void>,
): Promise<{ attach: boolean; detach: boolean }> {
  const listed = new Set(obj.def.interfaces.flatMap((i) => (i.target === undefined ? [] : [i.target])));
  const extra = [...(record.pending ?? []), ...record.nics.filter((n) => !listed.has(n.target)).map(pluggedOf)];
  for (const nic of extra) await unplug(nic);
  delete record.pending;
  record.nics = record.nics.filter((n) => listed.has(n.target));
  const kept = new Set(record.nics.map((n) => n.target));
  const interfaces = obj.def.interfaces.filter((i) => i.target === undefined || kept.has(i.target));
  const detach = interfaces.length < obj.def.interfaces.length;
  if (detach) obj.def = { ...obj.def, interfaces };
  return { attach: extra.length > 0, detach };
}

export async function initializeGuests(ctx: GuestStartupContext): Promise<GuestStartupReport> {
  const { store, list, backend, logger } = ctx;
  const report: GuestStartupReport = { adopted: [], vanished: [], disconnected: [], recovered: [], problems: [] };
  const problem = (subject: string, err: unknown, what: string): void => {
    const message = errorText(err);
    report.problems.push({ subject, message });
    logger.error({ subject, err: message }, what);
  };
  for (const dir of [ctx.paths.guestConfigDir, ctx.paths.guestStatusDir]) {
    mkdirSync(dir, { recursive: true });
    for (const f of removeStaleTempFiles(dir)) logger.info({ dir, file: f }, 'removed a temporary file a crash left');
  }

  const unreadable = (path: string, err: unknown): void => problem(path, err, 'cannot read a guest file');
  // 1. status files
  for (const file of store.listStatuses(unreadable)) {
    try {
      const status = parseGuestStatusXml(file.text, file.path);
      const as = storedAs(file.stem, status.def.name);
      if (as === undefined) {
        throw internalError(`Domain config filename '${file.path}' does not match domain name '${status.def.name}'`);
      }
      if (list.checkConflicts(status.def) !== undefined) throw internalError(`domain '${status.def.name}' has two status files`);
      if (as === 'legacy') store.moveLegacyStatus(file, status.def.name);
      const obj = new GuestObject(status.def, false);
      obj.active = true;
      obj.record = store.readRecord(status.def.name);
      list.add(obj);
    } catch (err) {
      problem(file.path, err, 'cannot load guest status');
    }
  }

  // 2. configs
  for (const file of store.listConfigs(unreadable)) {
    try {
      const def = parseGuestXml(file.text, { inactive: true });
      const as = storedAs(file.stem, def.name);
      if (as === undefined) {
        throw internalError(`Domain config filename '${file.path}' does not match domain name '${def.name}'`);
      }
      const existing = list.checkConflicts(def);
      if (as === 'legacy') store.moveLegacyConfig(file, def.name);
      if (existing === undefined) list.add(new GuestObject(def, true));
      else existing.assignPersistentDef(def);
    } catch (err) {
      problem(file.path, err, 'cannot load guest config');
    }
  }

  // 3. the journal: a record without a status file is a start (or destroy) a crash interrupted
  for (const { stem, record } of store.listOrphanRecords(unreadable)) {
    const name = record.name ?? stem;
    try {
      const handle: GuestHandle = { type: record.type, name, uuid: record.uuid ?? '' };
      if (record.netns !== undefined) handle.netns = record.netns;
      await backend.destroyGuest(handle, [...record.nics.map(pluggedOf), ...(record.pending ?? [])]);
      store.deleteRecordFile(stem);
      report.recovered.push(`${name}: start undone`);
      logger.warn({ guest: name }, 'a guest start was interrupted: what it made is removed');
    } catch (err) {
      problem(name, err, 'cannot undo an interrupted guest start');
    }
  }

  // 4. adoption (a live attach a crash interrupted is undone first)
  for (const obj of list.all().filter((o) => o.active)) {
    try {
      const nicCtx = ctx.nicContext(obj);
      if (obj.record !== undefined) {
        const { attach, detach } = await settleDeviceChanges(obj, obj.record, (nic) => backend.unplug(nicCtx.handle, nic));
        if (attach) {
          report.recovered.push(`${obj.name}: attach undone`);
          logger.warn({ guest: obj.name }, 'a live attach was interrupted: its vNIC is removed');
        }
        if (detach) {
          report.recovered.push(`${obj.name}: detach finished`);
          logger.warn({ guest: obj.name }, 'a live detach was interrupted: its vNIC is gone from the definition too');
        }
      }
      const alive = obj.record !== undefined && (await backend.alive(nicCtx.handle));
      if (!alive) {
        const nics = obj.record !== undefined ? obj.record.nics.map(pluggedOf) : nicsFromLiveDef(obj);
        await backend.destroyGuest(nicCtx.handle, nics).catch((err: unknown) => problem(obj.name, err, 'cannot remove what is left of a guest'));
        store.deleteStatus(obj.name);
        obj.active = false;
        obj.record = undefined;
        obj.unsetDefTransient();
        delete obj.def.id;
        report.vanished.push(obj.name);
        logger.warn({ guest: obj.name }, 'guest is gone: marked shut off');
        continue;
      }
      const record = obj.record!;
      for (let i = 0; i < record.nics.length; i++) {
        const rec = record.nics[i]!;
        try {
          record.nics[i] = await reconnectNic(nicCtx, rec);
        } catch (err) {
          record.nics[i] = { ...rec, connected: false };
          report.disconnected.push(`${obj.name}/${rec.target}`);
          logger.warn({ guest: obj.name, device: rec.target, err: errorText(err) }, 'vNIC left disconnected');
        }
        const next = record.nics[i]!;
        const live = structuredClone(obj.def);
        const idx = live.interfaces.findIndex((f) => f.target === rec.target);
        if (idx >= 0) {
          live.interfaces[idx] = withPort({ ...live.interfaces[idx]!, target: next.target }, next);
          obj.def = live;
        }
      }
      ctx.saveStatus(obj);
      report.adopted.push(obj.name);
      logger.info({ guest: obj.name }, 'guest adopted');
    } catch (err) {
      problem(obj.name, err, 'cannot adopt guest');
    }
  }

  // 5. guests neither running nor persistent go
  for (const obj of list.all()) {
    if (obj.active || obj.persistent) continue;
    list.remove(obj);
  }
  report.adopted.sort();
  report.vanished.sort();
  report.recovered.sort();
  return report;
}
