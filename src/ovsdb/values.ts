/**
 * OVSDB's data values (RFC 7047 §5.1) as TypeScript values, and their wire
 * form:
 *
 *   atom     string | number | boolean | Uuid | NamedUuid
 *   set      readonly Atom[]            wire ["set", [atom, ...]] (a bare atom is a set of one)
 *   map      ReadonlyMap<Atom, Atom>    wire ["map", [[key, value], ...]]
 *
 * Decoding needs no schema: a bare atom stays an atom, and the readers
 * below (`setOf`, `optionalOf`, `stringMapOf`) give a column the shape its
 * schema says, whichever form the server chose.
 */

/** A row's UUID (wire ["uuid", "…"]). */
export class Uuid {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** A row inserted earlier in the same transaction, named by its uuid-name (wire ["named-uuid", "…"]). */
export class NamedUuid {
  constructor(readonly name: string) {}
  toString(): string {
    return this.name;
  }
}

export type Atom = string | number | boolean | Uuid | NamedUuid;
export type OvsdbSet = readonly Atom[];
export type OvsdbMap = ReadonlyMap<Atom, Atom>;
export type Value = Atom | OvsdbSet | OvsdbMap;

/** A row as the server sends it: column name to value (`_uuid` and `_version` included when selected). */
export type Row = Readonly<Record<string, Value>>;

/** The JSON the wire carries. */
export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

function isMap(v: Value): v is OvsdbMap {
  return v instanceof Map;
}

export function encodeAtom(a: Atom): Json {
  if (a instanceof Uuid) return ['uuid', a.value];
  if (a instanceof NamedUuid) return ['named-uuid', a.name];
  return a;
}

export function encodeValue(v: Value): Json {
  if (Array.isArray(v)) return ['set', (v as OvsdbSet).map(encodeAtom)];
  if (isMap(v as Value)) return ['map', [...(v as OvsdbMap)].map(([k, x]) => [encodeAtom(k), encodeAtom(x)])];
  return encodeAtom(v as Atom);
}

export function encodeRow(row: Readonly<Record<string, Value>>): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(row)) out[k] = encodeValue(v);
  return out;
}

/** Thrown for JSON that is not an OVSDB value; the connection turns it into a protocol error. */
export class ValueSyntaxError extends Error {
  override readonly name = 'ValueSyntaxError';
}

export function decodeAtom(j: Json): Atom {
  if (typeof j === 'string' || typeof j === 'number' || typeof j === 'boolean') return j;
  if (Array.isArray(j) && j.length === 2 && typeof j[1] === 'string') {
    if (j[0] === 'uuid') return new Uuid(j[1]);
    if (j[0] === 'named-uuid') return new NamedUuid(j[1]);
  }
  throw new ValueSyntaxError(`not an OVSDB atom: ${JSON.stringify(j)}`);
}

export function decodeValue(j: Json): Value {
  if (Array.isArray(j) && j.length === 2 && Array.isArray(j[1])) {
    if (j[0] === 'set') return (j[1] as readonly Json[]).map(decodeAtom);
    if (j[0] === 'map') {
      const m = new Map<Atom, Atom>();
      for (const pair of j[1] as readonly Json[]) {
        if (!Array.isArray(pair) || pair.length !== 2) throw new ValueSyntaxError(`not an OVSDB map pair: ${JSON.stringify(pair)}`);
        m.set(decodeAtom(pair[0] as Json), decodeAtom(pair[1] as Json));
      }
      return m;
    }
  }
  return decodeAtom(j);
}

export function decodeRow(j: Json): Row {
  if (j === null || typeof j !== 'object' || Array.isArray(j)) throw new ValueSyntaxError(`not an OVSDB row: ${JSON.stringify(j)}`);
  const row: Record<string, Value> = {};
  for (const [k, v] of Object.entries(j as Record<string, Json>)) row[k] = decodeValue(v);
  return row;
}

// ---- reading a column in the shape its schema gives it -----------------------

/** A set column (a bare atom is a set of one). */
export function setOf(v: Value | undefined): OvsdbSet {
  if (v === undefined) return [];
  if (Array.isArray(v)) return v as OvsdbSet;
  if (isMap(v as Value)) throw new ValueSyntaxError('expected a set, got a map');
  return [v as Atom];
}

/** An optional column (a set of at most one atom): the atom, or undefined when empty. */
export function optionalOf(v: Value | undefined): Atom | undefined {
  const s = setOf(v);
  return s[0];
}

/** A map column. */
export function mapOf(v: Value | undefined): OvsdbMap {
  if (v === undefined) return new Map();
  if (isMap(v)) return v;
  if (Array.isArray(v) && v.length === 0) return new Map();
  throw new ValueSyntaxError('expected a map');
}

/** A string-to-string map column as a plain record (external_ids, options, other_config). */
export function stringMapOf(v: Value | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, x] of mapOf(v)) out[String(k)] = String(x);
  return out;
}

/** A plain record as an OVSDB string map. */
export function stringMap(record: Readonly<Record<string, string>>): OvsdbMap {
  return new Map(Object.entries(record));
}

/** A UUID column (required or optional); throws on any other atom. */
export function uuidOf(v: Value | undefined): Uuid | undefined {
  const a = optionalOf(v);
  if (a === undefined) return undefined;
  if (a instanceof Uuid) return a;
  throw new ValueSyntaxError(`expected a UUID, got ${JSON.stringify(encodeAtom(a))}`);
}

/** The UUIDs of a set column. */
export function uuidsOf(v: Value | undefined): Uuid[] {
  return setOf(v).map((a) => {
    if (a instanceof Uuid) return a;
    throw new ValueSyntaxError(`expected a UUID, got ${JSON.stringify(encodeAtom(a))}`);
  });
}

/** A string column (required, or optional read as ''). */
export function stringOf(v: Value | undefined): string {
  const a = optionalOf(v);
  return a === undefined ? '' : String(a);
}

/** The strings of a set column. */
export function stringsOf(v: Value | undefined): string[] {
  return setOf(v).map(String);
}

/** A row's _uuid. */
export function rowUuid(row: Row): Uuid {
  const u = uuidOf(row._uuid);
  if (u === undefined) throw new ValueSyntaxError('row without _uuid');
  return u;
}
