/**
 * The guest objects the guest driver holds, with libvirt's domain-object
 * rules (virdomainobjlist.c, virDomainObjAssignDef):
 *
 * - an object has a live `def` and, while it runs and is persistent, its
 *   persistent `newDef`; defining a running guest replaces only newDef (it
 *   takes effect at the next start); undefining a running guest makes it
 *   transient;
 * - name and uuid never change: a def with a known uuid must carry the same
 *   name ("domain 'OLD' is already defined with uuid U"), a known name the
 *   same uuid ("domain 'N' already exists with uuid U");
 * - a running guest has an id (virsh list's Id column) and a record of
 *   what the backend made for it.
 *
 * Lists come in virsh list's order: running guests by id, then the others
 * by name.
 */
import type { GuestDef } from '../conf/guest/types.js';
import { parseUuid } from '../conf/network/parse-addr.js';
import { VirError, operationFailed } from '../util/errors.js';
import type { GuestInfo, GuestListFilter } from './guest-api.js';
import { Mutex } from './driver-mutex.js';
import type { GuestRuntimeRecord } from './guest-store.js';

export class GuestObject {
  /** The live def while running; the config otherwise. */
  def: GuestDef;
  /** The persistent def of a running persistent guest. */
  newDef: GuestDef | undefined;
  active = false;
  persistent: boolean;
  /** What the backend made, while running. */
  record: GuestRuntimeRecord | undefined;
  removed = false;
  readonly lock = new Mutex();

  constructor(def: GuestDef, persistent: boolean) {
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

  /** The persistent definition (newDef while running, else def). */
  persistentDef(): GuestDef {
    return this.newDef ?? this.def;
  }

  /** Before a start: keep the config aside. */
  setDefTransient(): void {
    if (this.persistent && this.newDef === undefined) this.newDef = structuredClone(this.def);
  }

  /** After a stop: the config is the def again. */
  unsetDefTransient(): void {
    if (this.newDef !== undefined) {
      this.def = this.newDef;
      this.newDef = undefined;
    }
  }

  /** virDomainObjAssignDef for a persistent def (define), or none (undefine). */
  assignPersistentDef(def: GuestDef | undefined): void {
    if (this.active) this.newDef = def;
    else if (def !== undefined) {
      this.newDef = undefined;
      this.def = def;
    }
    this.persistent = def !== undefined;
  }

  info(): GuestInfo {
    const info: GuestInfo = { name: this.name, uuid: this.uuid, type: this.def.type, active: this.active, persistent: this.persistent };
    if (this.active && this.def.id !== undefined) info.id = this.def.id;
    const title = this.persistentDef().title ?? this.def.title;
    if (title !== undefined) info.title = title;
    return info;
  }
}

export function matchesGuestFilter(obj: GuestObject, f: GuestListFilter = {}): boolean {
  if ((f.active || f.inactive) && !((f.active && obj.active) || (f.inactive && !obj.active))) return false;
  return true;
}

/** virsh list's order: running ones by id, then the others by name. */
function listOrder(a: GuestObject, b: GuestObject): number {
  if (a.active !== b.active) return a.active ? -1 : 1;
  if (a.active) return (a.def.id ?? 0) - (b.def.id ?? 0);
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

export class GuestObjectList {
  private readonly byUuid = new Map<string, GuestObject>();
  private readonly byName = new Map<string, GuestObject>();

  findByName(name: string): GuestObject | undefined {
    return this.byName.get(name);
  }

  getByName(name: string): GuestObject {
    const obj = this.byName.get(name);
    if (obj === undefined) throw new VirError('NO_DOMAIN', `no domain with matching name '${name}'`);
    return obj;
  }

  getByUuid(uuid: string): GuestObject {
    const canonical = parseUuid(uuid);
    const obj = canonical === undefined ? undefined : this.byUuid.get(canonical);
    if (obj === undefined) throw new VirError('NO_DOMAIN', `no domain with matching uuid '${canonical ?? uuid}'`);
    return obj;
  }

  /** The object a def would be assigned to, or undefined for a new one; libvirt's errors for a clash. */
  checkConflicts(def: GuestDef): GuestObject | undefined {
    const sameUuid = this.byUuid.get(def.uuid);
    if (sameUuid !== undefined) {
      if (sameUuid.name !== def.name) throw operationFailed(`domain '${sameUuid.name}' is already defined with uuid ${sameUuid.uuid}`);
      return sameUuid;
    }
    const sameName = this.byName.get(def.name);
    if (sameName !== undefined) throw operationFailed(`domain '${def.name}' already exists with uuid ${sameName.uuid}`);
    return undefined;
  }

  add(obj: GuestObject): void {
    if (this.byUuid.has(obj.uuid) || this.byName.has(obj.name)) throw new Error(`guest ${obj.name} is already listed`);
    obj.removed = false;
    this.byUuid.set(obj.uuid, obj);
    this.byName.set(obj.name, obj);
  }

  remove(obj: GuestObject): void {
    if (this.byUuid.get(obj.uuid) === obj) this.byUuid.delete(obj.uuid);
    if (this.byName.get(obj.name) === obj) this.byName.delete(obj.name);
    obj.removed = true;
  }

  all(): GuestObject[] {
    return [...this.byUuid.values()].sort(listOrder);
  }

  filter(f: GuestListFilter = {}): GuestObject[] {
    return this.all().filter((o) => matchesGuestFilter(o, f));
  }

  /** Every definition of every guest (live and persistent), for MAC uniqueness. */
  *defs(): Iterable<GuestDef> {
    for (const o of this.byUuid.values()) {
      yield o.def;
      if (o.newDef !== undefined) yield o.newDef;
    }
  }
}
