/**
 * A database schema as `get_schema` returns it (RFC 7047 §3.2), with each
 * column's type normalised to one shape: key, optional value, min, max.
 */
import type { Json } from './values.js';

type AtomicType = 'integer' | 'real' | 'boolean' | 'string' | 'uuid';

interface BaseType {
  readonly type: AtomicType;
  /** For UUIDs: the table they refer to, strongly or weakly. */
  readonly refTable?: string;
  readonly refType?: 'strong' | 'weak';
  /** The values allowed, when restricted. */
  readonly enum?: readonly (string | number | boolean)[];
}

export interface ColumnType {
  readonly key: BaseType;
  readonly value?: BaseType;
  readonly min: number;
  readonly max: number | 'unlimited';
}

/** How a column's values look to a reader of rows. */
export type ColumnShape = 'atom' | 'optional' | 'set' | 'map';

interface ColumnSchema {
  readonly type: ColumnType;
  readonly ephemeral: boolean;
  readonly mutable: boolean;
}

export interface TableSchema {
  readonly columns: Readonly<Record<string, ColumnSchema>>;
  readonly isRoot: boolean;
  readonly indexes: readonly (readonly string[])[];
}

export interface DatabaseSchema {
  readonly name: string;
  readonly version: string;
  readonly tables: Readonly<Record<string, TableSchema>>;
}

function baseType(j: Json): BaseType {
  if (typeof j === 'string') return { type: j as AtomicType };
  const o = j as Record<string, Json>;
  const b: { -readonly [K in keyof BaseType]: BaseType[K] } = { type: o.type as AtomicType };
  if (typeof o.refTable === 'string') {
    b.refTable = o.refTable;
    b.refType = o.refType === 'weak' ? 'weak' : 'strong';
  }
  const e = o.enum;
  if (e !== undefined) b.enum = Array.isArray(e) && e[0] === 'set' ? (e[1] as (string | number | boolean)[]) : [e as string | number | boolean];
  return b;
}

function columnType(j: Json): ColumnType {
  if (typeof j === 'string') return { key: { type: j as AtomicType }, min: 1, max: 1 };
  const o = j as Record<string, Json>;
  const t: { -readonly [K in keyof ColumnType]: ColumnType[K] } = {
    key: baseType(o.key as Json),
    min: typeof o.min === 'number' ? o.min : 1,
    max: o.max === 'unlimited' ? 'unlimited' : typeof o.max === 'number' ? o.max : 1,
  };
  if (o.value !== undefined) t.value = baseType(o.value as Json);
  return t;
}

export function parseSchema(j: Json): DatabaseSchema {
  const o = j as Record<string, Json>;
  const tables: Record<string, TableSchema> = {};
  for (const [name, t] of Object.entries((o.tables ?? {}) as Record<string, Json>)) {
    const tt = t as Record<string, Json>;
    const columns: Record<string, ColumnSchema> = {};
    for (const [c, col] of Object.entries((tt.columns ?? {}) as Record<string, Json>)) {
      const cc = col as Record<string, Json>;
      columns[c] = { type: columnType(cc.type as Json), ephemeral: cc.ephemeral === true, mutable: cc.mutable !== false };
    }
    tables[name] = { columns, isRoot: tt.isRoot === true, indexes: (tt.indexes ?? []) as string[][] };
  }
  return { name: String(o.name), version: String(o.version ?? ''), tables };
}

export function columnShape(t: ColumnType): ColumnShape {
  if (t.value !== undefined) return 'map';
  if (t.max === 1) return t.min === 0 ? 'optional' : 'atom';
  return 'set';
}
