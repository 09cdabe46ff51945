/**
 * What goes wrong talking to an OVSDB server, as a VirError (operation
 * failed) that also carries OVSDB's own error name and details, and the
 * index of the operation that failed in a transaction.
 */
import { VirError } from '../util/errors.js';

export type OvsdbFailure =
  /** The server could not be reached, or the connection dropped. */
  | 'connection'
  /** No reply within the client's timeout. */
  | 'timeout'
  /** The server answered a request with a JSON-RPC error (unknown database, bad method). */
  | 'rpc'
  /** A transaction's operation failed (RFC 7047 §5.2: "constraint violation", "referential integrity violation", …). */
  | 'transaction'
  /** The peer broke the protocol. */
  | 'protocol';

export class OvsdbError extends VirError {
  override readonly name = 'OvsdbError';

  constructor(
    readonly failure: OvsdbFailure,
    detail: string,
    /** OVSDB's error name ("constraint violation", "unknown database", …). */
    readonly error?: string,
    /** The server's details text. */
    readonly details?: string,
    /** In a failed transaction, the index of the operation that failed (the commit's own failure: the operation count). */
    readonly operation?: number,
  ) {
    super('OPERATION_FAILED', detail);
  }
}
