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
 * What networks share with guests (the defs, the lock, the list's maps and
 * checks) is ../common/object-list.ts; here are what only networks have: autostart,
 * the runtime's applied state, live def assignment (net-create of a
 * stopped persistent network), and virsh's order and filter.
 */
import type { NetworkDef } from '../../conf/network/types.js';
import type { RefusedValue } from '../../conf/network/refused-values.js';
import type { ListFilter, NetworkInfo } from '../../contract/network-api.js';
import type { AppliedNetwork } from '../runtime/seam.js';
import { DefObject, ObjectList, matchesPair } from '../common/object-list.js';

export class NetworkObject extends DefObject<NetworkDef> {
  autostart = false;
  /** What the runtime applied, while active. */
  applied: AppliedNetwork | undefined;
  /** While active: what the runtime found changed behind its back, until it is repaired. */
  degraded: string | undefined;
  /**
   * Values of the config this network was loaded from that virtnet no
   * longer takes (saved by an earlier virtnet): it cannot start until a
   * define replaces that config.
   */
  refusedValues: RefusedValue[] = [];

  /**
   * Before a start: keep a persistent network's config aside in newDef as it is, without a copy
   * (virNetworkObjSetDefTransient copies it): the live def the start assigns is a copy of its own
   * where it changes in place (live.ts, liveDefForStart).
   */
  keepConfigAside(): void {
    if (this.persistent && this.newDef === undefined) this.newDef = this.def;
  }

  override assignPersistentDef(def: NetworkDef | undefined): void {
    super.assignPersistentDef(def);
    this.refusedValues = [];
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
    this.assignPersistentDef(def);
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
    if (this.active && this.degraded !== undefined) info.degraded = this.degraded;
    return info;
  }
}

/** virNetworkObjMatch: within a pair the flags are OR-ed, pairs are AND-ed; a pair with neither set does not filter. */
function matchesFilter(obj: NetworkObject, f: ListFilter = {}): boolean {
  return (
    matchesPair(f.active, f.inactive, obj.active) &&
    matchesPair(f.persistent, f.transient, obj.persistent) &&
    matchesPair(f.autostart, f.noAutostart, obj.autostart)
  );
}

/** Sorted by name case-insensitively, as virsh shows them. */
const byNameCaseless = (a: NetworkObject, b: NetworkObject): number => {
  const x = a.name.toLowerCase();
  const y = b.name.toLowerCase();
  return x < y ? -1 : x > y ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
};

/** The networks, with libvirt's NO_NETWORK lookups and "network ..." conflict errors; filtered as virConnectListAllNetworks does. */
export class NetworkObjectList extends ObjectList<NetworkDef, NetworkObject, ListFilter> {
  constructor() {
    super({
      create: (def, persistent) => new NetworkObject(def, persistent),
      notFound: 'NO_NETWORK',
      noun: 'network',
      listNoun: 'network',
      order: byNameCaseless,
      matches: matchesFilter,
    });
  }

  /**
   * For bridge naming: every object's live and persistent defs, as an
   * iterable that can be walked again for each candidate name.
   */
  defs(): Iterable<{ def: NetworkDef; newDef?: NetworkDef }> {
    const objects = () => this.values();
    return {
      *[Symbol.iterator]() {
        for (const obj of objects()) {
          yield obj.newDef !== undefined ? { def: obj.def, newDef: obj.newDef } : { def: obj.def };
        }
      },
    };
  }
}
