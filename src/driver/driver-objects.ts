/**
 * The network objects the driver holds and the list they live in, with
 * libvirt's rules (virnetworkobj.c):
 *
 * - an object has a live `def` and, while it runs and is persistent, a
 *   persistent `newDef` (the config to restore when it stops);
 * - `assignDef` is virNetworkObjUpdateAssignDef: a live def saves the
 *   persistent one into newDef; a persistent def goes to newDef while the
 *   network runs (a redefine takes effect at the next start) and replaces
 *   def otherwise; assigning no persistent def makes the object transient;
 * - name and uuid never change for an object: a def with a known uuid must
 *   carry the same name, a known name the same uuid (checkConflicts, with
 *   libvirt's texts).
 *
 * Mutating an object is its lock holder's business (`lock`); the list's own
 * maps change synchronously, so they are always consistent between awaits.
 */
import type { NetworkDef } from '../conf/network/types.js';
import { parseUuid } from '../conf/network/parse-addr.js';
import { VirError, operationFailed } from '../util/errors.js';
import type { ListFilter, NetworkInfo } from './api.js';
import type { AppliedNetwork } from './runtime.js';
import { Mutex } from './driver-mutex.js';

export class NetworkObject {
  /** The live def while active; the config otherwise (and for a transient, its only def). */
  def: NetworkDef;
  /** The persistent def of a running persistent network (libvirt's newDef). */
  newDef: NetworkDef | undefined;
  active = false;
  persistent: boolean;
  autostart = false;
  /** What the runtime applied, while active. */
  applied: AppliedNetwork | undefined;
  /** Taken out of the list; a waiter that gets the lock afterwards must look the name up again. */
  removed = false;
  /** Serializes every operation on this network. */
  readonly lock = new Mutex();

  constructor(def: NetworkDef, persistent: boolean) {
    this.def = def;
    this.newDef = undefined;
    this.persistent = persistent;
  }

  get name(): string {
    return this.def.name;
  }

  get uuid(): string {
    return this.def.uuid;
  }

  /** The persistent config if there is one apart from the live def, else the def (virNetworkObjGetPersistentDef). */
  persistentDef(): NetworkDef {
    return this.newDef ?? this.def;
  }

  /** Before a start: keep a persistent network's config aside in newDef (virNetworkObjSetDefTransient). */
  setDefTransient(): void {
    if (this.persistent && this.newDef === undefined) this.newDef = structuredClone(this.def);
  }

  /** After a stop or a failed start: the config becomes the def again (virNetworkObjUnsetDefTransient). */
  unsetDefTransient(): void {
    if (this.newDef !== undefined) {
      this.def = this.newDef;
      this.newDef = undefined;
    }
  }

  /**
   * virNetworkObjUpdateAssignDef. `live`: `def` is the new live def. Not
   * live: `def` is the new persistent def (undefined makes the network
   * transient).
   */
  assignDef(def: NetworkDef | undefined, live: boolean): void {
    if (live) {
      if (def === undefined) throw new Error('a live def is required');
      if (this.persistent && this.newDef === undefined) this.newDef = this.def;
      this.def = def;
      return;
    }
    if (this.active) {
      this.newDef = def;
    } else if (def !== undefined) {
      this.newDef = undefined;
      this.def = def;
    }
    this.persistent = def !== undefined;
  }

  info(): NetworkInfo {
    const info: NetworkInfo = {
      name: this.def.name,
      uuid: this.def.uuid,
      active: this.active,
      persistent: this.persistent,
      autostart: this.autostart,
    };
    if (this.def.bridge.name !== undefined && this.def.bridge.name !== '') info.bridge = this.def.bridge.name;
    if (this.def.title !== undefined) info.title = this.def.title;
    return info;
  }
}

/** virNetworkObjMatch: within a pair the flags are OR-ed, pairs are AND-ed; a pair with neither set does not filter. */
export function matchesFilter(obj: NetworkObject, f: ListFilter = {}): boolean {
  if ((f.active || f.inactive) && !((f.active && obj.active) || (f.inactive && !obj.active))) return false;
  if ((f.persistent || f.transient) && !((f.persistent && obj.persistent) || (f.transient && !obj.persistent))) return false;
  if ((f.autostart || f.noAutostart) && !((f.autostart && obj.autostart) || (f.noAutostart && !obj.autostart))) return false;
  return true;
}

const byNameCaseless = (a: NetworkObject, b: NetworkObject): number => {
  const x = a.name.toLowerCase();
  const y = b.name.toLowerCase();
  return x < y ? -1 : x > y ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
};

export class NetworkObjectList {
  private readonly byUuid = new Map<string, NetworkObject>();
  private readonly byName = new Map<string, NetworkObject>();

  get size(): number {
    return this.byUuid.size;
  }

  findByUuid(uuid: string): NetworkObject | undefined {
    return this.byUuid.get(uuid);
  }

  findByName(name: string): NetworkObject | undefined {
    return this.byName.get(name);
  }

  /** The object named `name`, or libvirt's NO_NETWORK error. */
  getByName(name: string): NetworkObject {
    const obj = this.byName.get(name);
    if (obj === undefined) throw new VirError('NO_NETWORK', `no network with matching name '${name}'`);
    return obj;
  }

  /** The object with this uuid (any spelling libvirt accepts), or libvirt's NO_NETWORK error. */
  getByUuid(uuid: string): NetworkObject {
    const canonical = parseUuid(uuid);
    const obj = canonical === undefined ? undefined : this.byUuid.get(canonical);
    if (obj === undefined) throw new VirError('NO_NETWORK', `no network with matching uuid '${canonical ?? uuid}'`);
    return obj;
  }

  /**
   * The name/uuid checks of virNetworkObjAssignDefLocked: the object this def
   * would be assigned to (same uuid and name), or undefined for a new one.
   */
  checkConflicts(def: NetworkDef): NetworkObject | undefined {
    const sameUuid = this.byUuid.get(def.uuid);
    if (sameUuid !== undefined) {
      if (sameUuid.name !== def.name) {
        throw operationFailed(`network '${sameUuid.name}' is already defined with uuid ${sameUuid.uuid}`);
      }
      return sameUuid;
    }
    const sameName = this.byName.get(def.name);
    if (sameName !== undefined) {
      throw operationFailed(`network '${def.name}' already exists with uuid ${sameName.uuid}`);
    }
    return undefined;
  }

  add(obj: NetworkObject): void {
    if (this.byUuid.has(obj.uuid) || this.byName.has(obj.name)) throw new Error(`network ${obj.name} is already listed`);
    obj.removed = false;
    this.byUuid.set(obj.uuid, obj);
    this.byName.set(obj.name, obj);
  }

  remove(obj: NetworkObject): void {
    if (this.byUuid.get(obj.uuid) === obj) this.byUuid.delete(obj.uuid);
    if (this.byName.get(obj.name) === obj) this.byName.delete(obj.name);
    obj.removed = true;
  }

  /** Every object, sorted by name (case-insensitively, as virsh shows them). */
  all(): NetworkObject[] {
    return [...this.byUuid.values()].sort(byNameCaseless);
  }

  /** Objects matching virConnectListAllNetworks' filter. */
  filter(f: ListFilter = {}): NetworkObject[] {
    return this.all().filter((o) => matchesFilter(o, f));
  }

  /**
   * For bridge naming: every object's live and persistent defs, as an
   * iterable that can be walked again for each candidate name.
   */
  defs(): Iterable<{ def: NetworkDef; newDef?: NetworkDef }> {
    const objs = this.byUuid;
    return {
      *[Symbol.iterator]() {
        for (const obj of objs.values()) {
          yield obj.newDef !== undefined ? { def: obj.def, newDef: obj.newDef } : { def: obj.def };
        }
      },
    };
  }
}
