/**
 * virtnet's errors as libvirt's remote_error: the class becomes libvirt's
 * error code (virErrorNumber), the message is VirError's message (class
 * prefix and detail, exactly what virsh prints after "error: "), the domain
 * is the failing API's family, the level is ERROR. A failure that is not a
 * VirError (a bug) goes out as an internal error with its message only.
 */
import { type ErrorClass, VirError } from '../util/errors.js';
import { ErrorCode, ErrorDomain, ErrorLevel } from './protocol.js';
import type { RemoteError } from './types.js';

const CODE_OF_CLASS: Record<ErrorClass, number> = {
  INTERNAL_ERROR: ErrorCode.INTERNAL_ERROR,
  NO_SUPPORT: ErrorCode.NO_SUPPORT,
  INVALID_ARG: ErrorCode.INVALID_ARG,
  OPERATION_FAILED: ErrorCode.OPERATION_FAILED,
  XML_ERROR: ErrorCode.XML_ERROR,
  OPERATION_INVALID: ErrorCode.OPERATION_INVALID,
  NO_NETWORK: ErrorCode.NO_NETWORK,
  NO_DOMAIN: ErrorCode.NO_DOMAIN,
  DEVICE_MISSING: ErrorCode.DEVICE_MISSING,
  INVALID_MAC: ErrorCode.INVALID_MAC,
  CONFIG_UNSUPPORTED: ErrorCode.CONFIG_UNSUPPORTED,
  OPERATION_UNSUPPORTED: ErrorCode.OPERATION_UNSUPPORTED,
  OPERATION_DENIED: ErrorCode.OPERATION_DENIED,
  AUTH_FAILED: ErrorCode.AUTH_FAILED,
  NO_CONNECT: ErrorCode.NO_CONNECT,
  XML_DETAIL: ErrorCode.XML_DETAIL,
  SYSTEM_ERROR: ErrorCode.SYSTEM_ERROR,
  XML_INVALID_SCHEMA: ErrorCode.XML_INVALID_SCHEMA,
  NO_NETWORK_PORT: ErrorCode.NO_NETWORK_PORT,
  NETWORK_PORT_EXIST: ErrorCode.NETWORK_PORT_EXIST,
};

/** Classes raised by the XML layer, whatever API failed (libvirt's VIR_FROM_XML). */
const XML_CLASSES: ReadonlySet<ErrorClass> = new Set(['XML_DETAIL', 'XML_INVALID_SCHEMA']);

/** An error with libvirt's code and domain given directly (protocol-level failures). */
export class RpcError extends Error {
  override readonly name = 'RpcError';
  constructor(
    readonly code: number,
    readonly domain: number,
    message: string,
  ) {
    super(message);
  }
}

/** The RPC layer's own failures: VIR_ERR_RPC, whose message is the text alone. */
export const rpcFailure = (message: string): RpcError => new RpcError(ErrorCode.RPC, ErrorDomain.RPC, message);

/** A procedure number nobody serves: libvirt's RPC dispatcher text. */
export const unknownProcedure = (proc: number): RpcError =>
  new RpcError(ErrorCode.NO_SUPPORT, ErrorDomain.RPC, `this function is not supported by the connection driver: unknown procedure: ${proc}`);

/** A known API this server does not implement: libvirt's virReportUnsupportedError text. */
export const unsupportedApi = (api: string, domain: number): RpcError =>
  new RpcError(ErrorCode.NO_SUPPORT, domain, `this function is not supported by the connection driver: ${api}`);

/** libvirt fills str1 with the detail (the text after the class prefix) and int1/int2 with -1. */
function remoteError(code: number, domain: number, message: string, detail?: string): RemoteError {
  return {
    code,
    domain,
    message,
    level: ErrorLevel.ERROR,
    dom: undefined,
    str1: detail,
    str2: undefined,
    str3: undefined,
    int1: -1,
    int2: -1,
    net: undefined,
  };
}

/** The remote_error for a failure of a procedure whose errors belong to `domain`. */
export function toRemoteError(err: unknown, domain: number): RemoteError {
  if (err instanceof RpcError) return remoteError(err.code, err.domain, err.message);
  if (err instanceof VirError) {
    return remoteError(CODE_OF_CLASS[err.errorClass], XML_CLASSES.has(err.errorClass) ? ErrorDomain.XML : domain, err.message, err.detail);
  }
  const text = err instanceof Error ? err.message : String(err);
  return remoteError(ErrorCode.INTERNAL_ERROR, domain, `internal error: ${text}`);
}
