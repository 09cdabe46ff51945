/**
 * The operations of an OVSDB `transact` (RFC 7047 §5.2), typed, with the
 * result each one gives, and their wire form. Build them with the small
 * constructors below (`insert`, `select`, `update`, `mutate`, `del`,
 * `wait`, `comment`); `transact` maps a tuple of operations to the tuple of
 * their results.
 */
import { encodeRow, encodeValue, decodeRow, type Json, type Row, type Uuid, type Value } from './values.js';
import { Uuid as UuidClass } from './values.js';

export type ConditionFunction = '<' | '<=' | '==' | '!=' | '>=' | '>' | 'includes' | 'excludes';
export type Condition = readonly [column: string, fn: ConditionFunction, value: Value];
export type Mutator = '+=' | '-=' | '*=' | '/=' | '%=' | 'insert' | 'delete';
export type Mutation = readonly [column: string, mutator: Mutator, value: Value];
type Columns = Readonly<Record<string, Value>>;

export interface InsertOp {
  readonly op: 'insert';
  readonly table: string;
  readonly row: Columns;
  /** Name the new row so later operations of the transaction can refer to it (a NamedUuid). */
  readonly uuidName?: string;
}
export interface SelectOp {
  readonly op: 'select';
  readonly table: string;
  readonly where: readonly Condition[];
  readonly columns?: readonly string[];
}
export interface UpdateOp {
  readonly op: 'update';
  readonly table: string;
  readonly where: readonly Condition[];
  readonly row: Columns;
}
export interface MutateOp {
  readonly op: 'mutate';
  readonly table: string;
  readonly where: readonly Condition[];
  readonly mutations: readonly Mutation[];
}
export interface DeleteOp {
  readonly op: 'delete';
  readonly table: string;
  readonly where: readonly Condition[];
}
export interface WaitOp {
  readonly op: 'wait';
  readonly table: string;
  readonly where: readonly Condition[];
  readonly columns: readonly string[];
  readonly until: '==' | '!=';
  readonly rows: readonly Columns[];
  /** Milliseconds; absent = wait for ever (the transaction stays pending). */
  readonly timeout?: number;
}
export interface CommentOp {
  readonly op: 'comment';
  readonly comment: string;
}
export interface AssertOp {
  readonly op: 'assert';
  readonly lock: string;
}
export interface AbortOp {
  readonly op: 'abort';
}

export type Operation = InsertOp | SelectOp | UpdateOp | MutateOp | DeleteOp | WaitOp | CommentOp | AssertOp | AbortOp;

export interface InsertResult {
  readonly uuid: Uuid;
}
export interface SelectResult {
  readonly rows: readonly Row[];
}
export interface CountResult {
  readonly count: number;
}
export type EmptyResult = Readonly<Record<string, never>>;

/** The result an operation gives when the transaction succeeds. */
export type ResultOf<O extends Operation> = O extends InsertOp
  ? InsertResult
  : O extends SelectOp
    ? SelectResult
    : O extends UpdateOp | MutateOp | DeleteOp
      ? CountResult
      : EmptyResult;

export type ResultsOf<Ops extends readonly Operation[]> = { -readonly [K in keyof Ops]: ResultOf<Ops[K]> };

// ---- constructors -------------------------------------------------------------

export const insert = (table: string, row: Columns, uuidName?: string): InsertOp =>
  uuidName === undefined ? { op: 'insert', table, row } : { op: 'insert', table, row, uuidName };
export const select = (table: string, where: readonly Condition[] = [], columns?: readonly string[]): SelectOp =>
  columns === undefined ? { op: 'select', table, where } : { op: 'select', table, where, columns };
export const update = (table: string, where: readonly Condition[], row: Columns): UpdateOp => ({ op: 'update', table, where, row });
export const mutate = (table: string, where: readonly Condition[], mutations: readonly Mutation[]): MutateOp => ({
  op: 'mutate',
  table,
  where,
  mutations,
});
export const del = (table: string, where: readonly Condition[]): DeleteOp => ({ op: 'delete', table, where });
export const comment = (text: string): CommentOp => ({ op: 'comment', comment: text });

/** The condition selecting one row by its UUID. */
export const byUuid = (uuid: Uuid): Condition => ['_uuid', '==', uuid];

// ---- wire form ----------------------------------------------------------------

const encodeConditions = (where: readonly Condition[]): Json => where.map(([c, f, v]) => [c, f, encodeValue(v)]);

export function encodeOperation(op: Operation): Json {
  switch (op.op) {
    case 'insert':
      return { op: 'insert', table: op.table, row: encodeRow(op.row), ...(op.uuidName !== undefined ? { 'uuid-name': op.uuidName } : {}) };
    case 'select':
      return { op: 'select', table: op.table, where: encodeConditions(op.where), ...(op.columns ? { columns: [...op.columns] } : {}) };
    case 'update':
      return { op: 'update', table: op.table, where: encodeConditions(op.where), row: encodeRow(op.row) };
    case 'mutate':
      return { op: 'mutate', table: op.table, where: encodeConditions(op.where), mutations: op.mutations.map(([c, m, v]) => [c, m, encodeValue(v)]) };
    case 'delete':
      return { op: 'delete', table: op.table, where: encodeConditions(op.where) };
    case 'wait':
      return {
        op: 'wait',
        table: op.table,
        where: encodeConditions(op.where),
        columns: [...op.columns],
        until: op.until,
        rows: op.rows.map(encodeRow),
        ...(op.timeout !== undefined ? { timeout: op.timeout } : {}),
      };
    case 'comment':
      return { op: 'comment', comment: op.comment };
    case 'assert':
      return { op: 'assert', lock: op.lock };
    case 'abort':
      return { op: 'abort' };
  }
}

/** One successful operation's result from the wire. */
export function decodeResult(op: Operation, j: Json): unknown {
  const o = (j ?? {}) as Record<string, Json>;
  switch (op.op) {
    case 'insert': {
      const u = o.uuid;
      if (!Array.isArray(u) || u[0] !== 'uuid' || typeof u[1] !== 'string')
        throw new SyntaxError(`insert result without a uuid: ${JSON.stringify(j)}`);
      return { uuid: new UuidClass(u[1]) } satisfies InsertResult;
    }
    case 'select': {
      const rows = o.rows;
      if (!Array.isArray(rows)) throw new SyntaxError(`select result without rows: ${JSON.stringify(j)}`);
      return { rows: rows.map((r) => decodeRow(r as Json)) } satisfies SelectResult;
    }
    case 'update':
    case 'mutate':
    case 'delete':
      return { count: typeof o.count === 'number' ? o.count : 0 } satisfies CountResult;
    default:
      return {};
  }
}
