/** A small typed OVSDB (RFC 7047) client: see client.ts, operations.ts and values.ts. */
export { OvsdbClient, type Monitor, type MonitorRequest, type RowUpdate, type TableUpdates } from './client.js';
export { OvsdbError, type OvsdbFailure } from './errors.js';
export * from './operations.js';
export { parseRemote, formatRemote, type Remote } from './rpc.js';
export { columnShape, type ColumnShape, type DatabaseSchema, type TableSchema, type ColumnType } from './schema.js';
export * from './values.js';
