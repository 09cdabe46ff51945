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
 * by name. What guests share with networks (the defs, the lock, the list's
 * maps and checks) is ../common/object-list.ts.
 */
import type { GuestDef } from '../../conf/guest/types.js';
import type { GuestInfo, GuestListFilter } from '../../contract/guest-api.js';
import type { GuestRuntimeRecord } from './store.js';
import { DefObject, ObjectList, matchesPair } from '../common/object-list.js';

export class GuestObject extends DefObject<GuestDef> {
  /** What the backend made, while running. */
  record: GuestRuntimeRecord | undefined;

  info(): GuestInfo {
    const info: GuestInfo = { name: this.name, uuid: this.uuid, type: this.def.type, active: this.active, persistent: this.persistent };
    if (this.active && this.def.id !== undefined) info.id = this.def.id;
    const title = this.persistentDef().title ?? this.def.title;
    if (title !== undefined) info.title = title;
    return info;
  }
}

function matchesGuestFilter(obj: GuestObject, f: GuestListFilter = {}): boolean {
  return matchesPair(f.active, f.inactive, obj.active);
}

/** virsh list's order: running ones by id, then the others by name. */
function listOrder(a: GuestObject, b: GuestObject): number {
  if (a.active !== b.active) return a.active ? -1 : 1;
  if (a.active) return (a.def.id ?? 0) - (b.def.id ?? 0);
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** The guests, with libvirt's NO_DOMAIN lookups and "domain ..." conflict errors; in virsh list's order. */
export class GuestObjectList extends ObjectList<GuestDef, GuestObject, GuestListFilter> {
  constructor() {
    super({
      create: (def, persistent) => new GuestObject(def, persistent),
      notFound: 'NO_DOMAIN',
      noun: 'domain',
      listNoun: 'guest',
      order: listOrder,
      matches: matchesGuestFilter,
    });
  }

  /** Every definition of every guest (live and persistent), for MAC uniqueness. */
  *defs(): Iterable<GuestDef> {
    for (const o of this.values()) {
      yield o.def;
      if (o.newDef !== undefined) yield o.newDef;
    }
  }
}
