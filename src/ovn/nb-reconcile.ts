/**
 * From the rows a network should have (nb-plan.ts) and the rows it has
 * (read by role from the northbound database) to the operations of one
 * transaction that make them match — and nothing when they already do, so
 * re-applying a network (adoption after a restart) writes nothing. Pure.
 *
 * - A missing row is inserted, named so the rows that refer to it can.
 * - A row whose columns differ gets an update of those columns only
 *   (external_ids are set at insert and left alone: other hosts add their
 *   keys to them).
 * - A reference column that is all ours is set in full; one shared with
 *   guest ports (a switch's ports and DNS rows, the port group's ports) is
 *   mutated: our roles added, our stale ones taken out.
 * - A row no longer wanted is deleted when it is a root row; a child row
 *   goes with the reference to it (OVSDB collects unreferenced child rows).
 * Guest ports and their DNS rows are never touched here.
 */
import { byUuid, del, insert, mutate, update, type Operation } from '../ovsdb/operations.js';
import { encodeValue, NamedUuid, stringMap, stringMapOf, Uuid, uuidsOf, type Json, type Row, type Value } from '../ovsdb/values.js';
import { NON_ROOT, TAG_ROLE, tags, type DesiredRow, type NbTable } from './nb-plan.js';
import type { NetworkDef } from '../conf/network/types.js';

export interface ExistingRow {
  table: NbTable;
  uuid: Uuid;
  role: string;
  row: Row;
}

/** Roles that belong to guests (hosts), not to the network's own plan. */
const GUEST_ROLES: ReadonlySet<string> = new Set(['guest', 'guest-dns']);

export function existingRow(table: NbTable, row: Row): ExistingRow {
  const uuid = row._uuid;
  if (!(uuid instanceof Uuid)) throw new TypeError(`a ${table} row without _uuid`);
  return { table, uuid, role: stringMapOf(row.external_ids)[TAG_ROLE] ?? '', row };
}

/** A value in a canonical form: sets sorted (an atom is a set of one), maps sorted by key. */
function canonical(v: Value | undefined): string {
  const j = v === undefined ? ['set', []] : encodeValue(v);
  const norm = (x: Json): Json => {
    if (Array.isArray(x) && x[0] === 'set') return ['set', [...(x[1] as Json[])].map((a) => JSON.stringify(a)).sort()];
    if (Array.isArray(x) && x[0] === 'map') return ['map', [...(x[1] as Json[][])].map((p) => JSON.stringify(p)).sort()];
    if (Array.isArray(x) && (x[0] === 'uuid' || x[0] === 'named-uuid')) return ['set', [JSON.stringify(x)]];
    return ['set', [JSON.stringify(x)]];
  };
  return JSON.stringify(norm(j));
}

export function sameValue(a: Value | undefined, b: Value | undefined): boolean {
  return canonical(a) === canonical(b);
}

interface ReconcileOptions {
  /** Extra external_ids on a newly inserted row of a role (the switch gets the starting host's key). */
  insertIds?: Readonly<Record<string, Record<string, string>>>;
}

const key = (table: string, role: string): string => `${table}\u0000${role}`;

export function reconcileOperations(
  def: NetworkDef,
  desired: readonly DesiredRow[],
  existing: readonly ExistingRow[],
  options: ReconcileOptions = {},
): Operation[] {
  const have = new Map<string, ExistingRow>();
  for (const e of existing) if (!GUEST_ROLES.has(e.role)) have.set(key(e.table, e.role), e);
  const wantedRoles = new Map<string, DesiredRow>();
  for (const d of desired) wantedRoles.set(d.role, d);
  const existingByRole = new Map<string, ExistingRow>();
  for (const e of have.values()) existingByRole.set(e.role, e);

  const named = (role: string): NamedUuid => new NamedUuid(`row_${role.replace(/[^A-Za-z0-9_]/g, '_')}`);
  const refOf = (role: string): Uuid | NamedUuid => existingByRole.get(role)?.uuid ?? named(role);
  const inserts: Operation[] = [];
  const changes: Operation[] = [];
  const deletes: Operation[] = [];

  for (const d of desired) {
    const e = have.get(key(d.table, d.role));
    const refs: Record<string, Value> = {};
    for (const [col, roles] of Object.entries(d.refs ?? {})) refs[col] = roles.map(refOf);
    if (e === undefined) {
      const shared: Record<string, Value> = {};
      for (const [col, roles] of Object.entries(d.sharedRefs ?? {})) shared[col] = roles.map(refOf);
      const ids = { ...tags(def, d.role), ...(options.insertIds?.[d.role] ?? {}) };
      inserts.push(insert(d.table, { ...d.columns, ...refs, ...shared, external_ids: stringMap(ids) }, named(d.role).name));
      continue;
    }
    const changed: Record<string, Value> = {};
    for (const [col, v] of Object.entries({ ...d.columns, ...refs })) if (!sameValue(v, e.row[col])) changed[col] = v;
    if (Object.keys(changed).length > 0) changes.push(update(d.table, [byUuid(e.uuid)], changed));
    for (const [col, roles] of Object.entries(d.sharedRefs ?? {})) {
      const present = new Set(uuidsOf(e.row[col]).map((u) => u.value));
      const add = roles.map(refOf).filter((r) => !(r instanceof Uuid && present.has(r.value)));
      // Ours in that column: rows of this network with a role, other than the wanted ones and guests'.
      const stale = [...have.values()].filter((x) => present.has(x.uuid.value) && !roles.includes(x.role)).map((x) => x.uuid);
      if (add.length > 0) changes.push(mutate(d.table, [byUuid(e.uuid)], [[col, 'insert', add]]));
      if (stale.length > 0) changes.push(mutate(d.table, [byUuid(e.uuid)], [[col, 'delete', stale]]));
    }
  }
  for (const e of have.values()) {
    if (wantedRoles.get(e.role)?.table === e.table) continue;
    if (!NON_ROOT.has(e.table)) deletes.push(del(e.table, [byUuid(e.uuid)]));
  }
  return [...inserts, ...changes, ...deletes];
}

/** Every row of a network, guests' included: what removing the network deletes (children go with their parents). */
export function removalOperations(existing: readonly ExistingRow[]): Operation[] {
  return existing.filter((e) => !NON_ROOT.has(e.table)).map((e) => del(e.table, [byUuid(e.uuid)]));
}
