/**
 * What the network objects (../network/objects.ts) and the guest objects
 * (../guest/objects.ts) share: libvirt's object and object-list rules, which
 * virnetworkobj.c and virdomainobjlist.c spell out twice with the same
 * logic and different words.
 *
 * - An object has a live `def` and, while it runs and is persistent, a
 *   persistent `newDef` (the config to restore when it stops); assigning
 *   a persistent def replaces only newDef while the object runs (it takes
 *   effect at the next start), and assigning none makes it transient.
 * - Name and uuid never change for an object: a def with a known uuid must
 *   carry the same name, a known name the same uuid (checkConflicts).
 * - The list finds objects by name and by uuid (in any spelling libvirt
 *   accepts); its maps change synchronously, so they are always consistent
 *   between awaits. Mutating an object is its lock holder's business.
 *
 * The words differ per kind (`ObjectKind`): "no network with matching
 * name", "network 'N' already exists with uuid U" against "no domain ...",
 * "domain 'N' ...", each with its own error class; so does the order the
 * list comes in and the filter it is read through.
 */
import { parseUuid } from '../../conf/common/mac-uuid.js';
import { VirError, operationFailed, type ErrorClass } from '../../util/errors.js';
import { Mutex } from '../../util/mutex.js';

/** What a definition must have for its object to be listed. */
export interface NamedDef {
  name: string;
  uuid: string;
}

/** An object of the driver with its live and persistent definitions. */
export class DefObject<D extends NamedDef> {
  /** The live def while active; the config otherwise (and for a transient, its only def). */
  def: D;
  /** The persistent def of a running persistent object (libvirt's newDef). */
  newDef: D | undefined;
  active = false;
  persistent: boolean;
  /** Taken out of the list; a waiter that gets the lock afterwards must look the name up again. */
  removed = false;
  /** Serializes every operation on this object. */
  readonly lock = new Mutex();

  constructor(def: D, persistent: boolean) {
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
  persistentDef(): D {
    return this.newDef ?? this.def;
  }

  /** Before a start: keep a persistent object's config aside in newDef (virNetworkObjSetDefTransient). */
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
   * Assign a new persistent def (define), or none (undefine: the object
   * becomes transient): while active it goes to newDef, otherwise it
   * replaces def (virNetworkObjUpdateAssignDef, virDomainObjAssignDef).
   */
  assignPersistentDef(def: D | undefined): void {
    if (this.active) this.newDef = def;
    else if (def !== undefined) {
      this.newDef = undefined;
      this.def = def;
    }
    this.persistent = def !== undefined;
  }
}

/**
 * A list-filter pair (libvirt's virXObjMatch): within a pair the flags are
 * OR-ed, a pair with neither set does not filter. `value` is what the
 * object has; `yes`/`no` are the flags asking for it to be true/false.
 */
export function matchesPair(yes: boolean | undefined, no: boolean | undefined, value: boolean): boolean {
  return !(yes || no) || (!!yes && value) || (!!no && !value);
}

/** The words and rules of one kind of object. */
interface ObjectKind<D, O, F> {
  /** A new object for a def (define: persistent; create: transient). */
  create: (def: D, persistent: boolean) => O;
  /** The error class of a failed lookup: NO_NETWORK, NO_DOMAIN. */
  notFound: ErrorClass;
  /** libvirt's word in messages: 'network', 'domain'. */
  noun: string;
  /** The word of the internal "already listed" error: 'network', 'guest'. */
  listNoun: string;
  /** The order `all()` returns objects in. */
  order: (a: O, b: O) => number;
  /** Whether an object passes a list filter (none: every object does). */
  matches: (obj: O, filter?: F) => boolean;
}

/** The objects of one kind, by uuid and by name. */
export class ObjectList<D extends NamedDef, O extends DefObject<D>, F> {
  private readonly byUuid = new Map<string, O>();
  private readonly byName = new Map<string, O>();

  constructor(private readonly kind: ObjectKind<D, O, F>) {}

  get size(): number {
    return this.byUuid.size;
  }

  findByUuid(uuid: string): O | undefined {
    return this.byUuid.get(uuid);
  }

  findByName(name: string): O | undefined {
    return this.byName.get(name);
  }

  /** The object named `name`, or libvirt's NO_NETWORK / NO_DOMAIN error. */
  getByName(name: string): O {
    const obj = this.byName.get(name);
    if (obj === undefined) throw new VirError(this.kind.notFound, `no ${this.kind.noun} with matching name '${name}'`);
    return obj;
  }

  /** The object with this uuid (any spelling libvirt accepts), or libvirt's NO_NETWORK / NO_DOMAIN error. */
  getByUuid(uuid: string): O {
    const canonical = parseUuid(uuid);
    const obj = canonical === undefined ? undefined : this.byUuid.get(canonical);
    if (obj === undefined) throw new VirError(this.kind.notFound, `no ${this.kind.noun} with matching uuid '${canonical ?? uuid}'`);
    return obj;
  }

  /**
   * The name/uuid checks of virNetworkObjAssignDefLocked and
   * virDomainObjListAddLocked: the object this def would be assigned to
   * (same uuid and name), or undefined for a new one; libvirt's errors for
   * a clash.
   */
  checkConflicts(def: D): O | undefined {
    const { noun } = this.kind;
    const sameUuid = this.byUuid.get(def.uuid);
    if (sameUuid !== undefined) {
      if (sameUuid.name !== def.name) throw operationFailed(`${noun} '${sameUuid.name}' is already defined with uuid ${sameUuid.uuid}`);
      return sameUuid;
    }
    const sameName = this.byName.get(def.name);
    if (sameName !== undefined) throw operationFailed(`${noun} '${def.name}' already exists with uuid ${sameName.uuid}`);
    return undefined;
  }

  add(obj: O): void {
    if (this.byUuid.has(obj.uuid) || this.byName.has(obj.name)) throw new Error(`${this.kind.listNoun} ${obj.name} is already listed`);
    obj.removed = false;
    this.byUuid.set(obj.uuid, obj);
    this.byName.set(obj.name, obj);
  }

  remove(obj: O): void {
    if (this.byUuid.get(obj.uuid) === obj) this.byUuid.delete(obj.uuid);
    if (this.byName.get(obj.name) === obj) this.byName.delete(obj.name);
    obj.removed = true;
  }

  /**
   * define: a persistent def goes into the list, as a new object or as the
   * new persistent def of the object with the same name and uuid (while
   * that one runs, it takes effect at its next start). `save` writes the
   * config first: if it fails, the list and the objects stay as they were.
   * Throws checkConflicts' errors; waits for the object's lock. `check`
   * runs first, with that lock held (undefined: no object of that name and
   * uuid yet): a precondition of the define.
   */
  async definePersistent(def: D, save: (def: D) => void, check?: (existing: O | undefined) => void): Promise<O> {
    for (;;) {
      const existing = this.checkConflicts(def);
      if (existing === undefined) {
        check?.(undefined);
        const obj = this.kind.create(def, true);
        this.add(obj);
        try {
          save(def);
        } catch (err) {
          this.remove(obj);
          throw err;
        }
        return obj;
      }
      const done = await existing.lock.run(() => {
        if (existing.removed) return undefined;
        check?.(existing);
        save(def);
        existing.assignPersistentDef(def);
        return existing;
      });
      if (done !== undefined) return done;
    }
  }

  /** Every object, in the kind's order. */
  all(): O[] {
    return [...this.byUuid.values()].sort(this.kind.order);
  }

  /** The objects passing a list filter, in the kind's order. */
  filter(f?: F): O[] {
    return this.all().filter((o) => this.kind.matches(o, f));
  }

  /** Every object, in no particular order (a live view for walks that need no sorting). */
  protected values(): IterableIterator<O> {
    return this.byUuid.values();
  }
}
