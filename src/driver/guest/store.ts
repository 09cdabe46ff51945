/**
 * The on-disk store of guests, laid out as libvirt lays out domains, every
 * write atomic (temp file + fsync + rename), STEM being the guest's name or,
 * for a name that is not safe as a file name, its encoding
 * (src/util/file-stem.ts):
 *
 * - CONFIG/guests/STEM.xml (0600): the persistent definition with libvirt's
 *   warning header (src/conf/guest/store-format.ts makes the text);
 * - RUN/guests/STEM.xml (0600): the status of a running guest,
 *   `<domstatus state='running' reason='booted'>` around its live XML;
 * - RUN/guests/STEM.json (0600): what the backend made for the running
 *   guest (its namespace, each vNIC's devices, plug and network port), so
 *   a later daemon can re-plug, release and remove exactly that. It is
 *   written before the status file and removed after it, so a status file
 *   never lacks its record.
 *
 * The record is also the journal of a guest start and of a live attach:
 * written before the host is touched, it names what may exist (the guest's
 * namespace, each vNIC's devices, `pending` ones on their way in). A record
 * without a status file is a start (or a destroy) a crash interrupted;
 * start-up removes what it names (startup.ts).
 */
import { readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { formatGuestConfigFile, formatGuestStatusFile, type GuestStatus } from '../../conf/guest/store-format.js';
import type { GuestDef } from '../../conf/guest/types.js';
import type { NicPlug, PluggedNic } from '../../host/guest-backend.js';
import { writeFileAtomic } from '../../util/atomic-file.js';
import { fileStem } from '../../util/file-stem.js';
import type { VirtnetPaths } from '../common/paths.js';
import { listStoredFiles, type StoredFile } from '../common/stored-files.js';

/** One vNIC of a running guest, in the order of its live definition's interfaces. */
export interface GuestNicRecord {
  mac: string;
  /** Host-side device (also the interface's <target dev>). */
  target: string;
  /** netns guests: the device inside (eth0, ...). */
  guestDev?: string;
  /** Where it is plugged (or was, while its network is down). */
  plug: NicPlug;
  /** type='network': the network it belongs to. */
  network?: string;
  /** The port the network gave it (type='network'). */
  portid?: string;
  /** Whether it holds a port of the network's current run (false while the network is down). */
  connected: boolean;
}

export interface GuestRuntimeRecord {
  version: 1;
  type: 'netns' | 'tap';
  /** The guest (absent in records of older versions). */
  name?: string;
  uuid?: string;
  netns?: string;
  nics: GuestNicRecord[];
  /** vNICs whose devices are being made (a start or live attach in progress): they may exist. */
  pending?: PluggedNic[];
}

/** A record found on disk, by the stem of its file. */
interface StoredRecord {
  stem: string;
  record: GuestRuntimeRecord;
}

export class GuestStore {
  constructor(readonly paths: VirtnetPaths) {}

  configPath(name: string): string {
    return join(this.paths.guestConfigDir, `${fileStem(name)}.xml`);
  }

  statusPath(name: string): string {
    return join(this.paths.guestStatusDir, `${fileStem(name)}.xml`);
  }

  recordPath(name: string): string {
    return join(this.paths.guestStatusDir, `${fileStem(name)}.json`);
  }

  /** Save a persistent definition (inactive XML with the warning header). */
  saveConfig(def: GuestDef): void {
    writeFileAtomic(this.configPath(def.name), formatGuestConfigFile(def), { mode: 0o600 });
  }

  deleteConfig(name: string): void {
    rmSync(this.configPath(name), { force: true });
  }

  listConfigs(unreadable?: (path: string, err: unknown) => void): StoredFile[] {
    return listStoredFiles(this.paths.guestConfigDir, '.xml', unreadable);
  }

  /** Move a config stored by an older virtnet under the raw name to its stem. */
  moveLegacyConfig(file: StoredFile, name: string): void {
    renameSync(file.path, this.configPath(name));
  }

  /** Move a status file (and its record) stored by an older virtnet under the raw name to its stem. */
  moveLegacyStatus(file: StoredFile, name: string): void {
    // The record first: a status file never lacks its record.
    try {
      renameSync(join(this.paths.guestStatusDir, `${file.stem}.json`), this.recordPath(name));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    renameSync(file.path, this.statusPath(name));
  }

  /** Save a running guest's record, then its status. */
  saveStatus(status: GuestStatus, record: GuestRuntimeRecord): void {
    writeFileAtomic(this.recordPath(status.def.name), `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
    writeFileAtomic(this.statusPath(status.def.name), formatGuestStatusFile(status), { mode: 0o600 });
  }

  /** Save a record alone: the journal entry of a start or live attach in progress. */
  saveRecord(name: string, record: GuestRuntimeRecord): void {
    writeFileAtomic(this.recordPath(name), `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  }

  /** Records without a status file beside them (journal entries of interrupted starts); unreadable ones go to `unreadable`. */
  listOrphanRecords(unreadable?: (path: string, err: unknown) => void): StoredRecord[] {
    const statuses = new Set(this.listStatuses(unreadable).map((f) => f.stem));
    return listStoredFiles(this.paths.guestStatusDir, '.json', unreadable).flatMap((f) => {
      if (statuses.has(f.stem)) return [];
      const record = parseGuestRecord(f.text);
      if (record === undefined) {
        unreadable?.(f.path, new Error('not a guest record'));
        return [];
      }
      return [{ stem: f.stem, record }];
    });
  }

  /** Remove a record found by listOrphanRecords. */
  deleteRecordFile(stem: string): void {
    rmSync(join(this.paths.guestStatusDir, `${stem}.json`), { force: true });
  }

  deleteStatus(name: string): void {
    rmSync(this.statusPath(name), { force: true });
    rmSync(this.recordPath(name), { force: true });
  }

  listStatuses(unreadable?: (path: string, err: unknown) => void): StoredFile[] {
    return listStoredFiles(this.paths.guestStatusDir, '.xml', unreadable);
  }

  /** A running guest's record, or undefined when missing or unreadable. */
  readRecord(name: string): GuestRuntimeRecord | undefined {
    try {
      return parseGuestRecord(readFileSync(this.recordPath(name), 'utf8'));
    } catch {
      return undefined;
    }
  }
}

/** A guest's runtime record (RUN/guests/NAME.json), or undefined when the text is not one. */
export function parseGuestRecord(text: string): GuestRuntimeRecord | undefined {
  try {
    const value = JSON.parse(text) as GuestRuntimeRecord;
    return value && value.version === 1 && Array.isArray(value.nics) ? value : undefined;
  } catch {
    return undefined;
  }
}
