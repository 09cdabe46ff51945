/**
 * Errors as libvirt reports them: an error class (libvirt's virErrorNumber)
 * and a detail text. `message` is what virsh prints after "error: ", i.e. the
 * class prefix followed by the detail. No stack traces reach users: surfaces
 * print `message` only.
 */

/** libvirt's error classes that virtnet reports, with the prefix virsh shows for each. */
export const ERROR_PREFIXES = {
  INTERNAL_ERROR: 'internal error: ',
  NO_SUPPORT: 'this function is not supported by the connection driver: ',
  INVALID_ARG: 'invalid argument: ',
  OPERATION_FAILED: 'operation failed: ',
  XML_ERROR: 'XML error: ',
  OPERATION_INVALID: 'Requested operation is not valid: ',
  NO_NETWORK: 'Network not found: ',
  NO_DOMAIN: 'Domain not found: ',
  /** A device named in a detach that the guest does not have. */
  DEVICE_MISSING: 'device not found: ',
  /** A MAC address that does not parse (net-dhcp-leases --mac). */
  INVALID_MAC: 'invalid MAC address: ',
  CONFIG_UNSUPPORTED: 'unsupported configuration: ',
  OPERATION_UNSUPPORTED: 'Operation not supported: ',
  /** A change refused on a read-only connection: "read only access prevents virNetworkCreate". */
  OPERATION_DENIED: 'operation forbidden: ',
  /** A connection whose credentials (virtnetd's TCP token) were refused. */
  AUTH_FAILED: 'authentication failed: ',
  /** A network port id the network does not know. */
  NO_NETWORK_PORT: 'network port not found: ',
  /** A network port created with an id already in use ("network port U exists already"). */
  NETWORK_PORT_EXIST: '',
  /** A connection URI no transport handles (virsh -c foo:///bar). */
  NO_CONNECT: 'no connection driver available for ',
  /** Details that carry their own wording (libxml2 messages, RelaxNG messages). */
  XML_DETAIL: '',
  /** An OS error; the detail already holds the text. */
  SYSTEM_ERROR: '',
  XML_INVALID_SCHEMA: '',
} as const;

export type ErrorClass = keyof typeof ERROR_PREFIXES;

export class VirError extends Error {
  readonly errorClass: ErrorClass;
  /** The text after the class prefix. */
  readonly detail: string;
  /**
   * The HTTP status this error stands for when its class alone would say
   * otherwise: libvirt reports many mistakes in a caller's input as
   * internal or system errors (markInputError), a full disk is 507.
   * Undefined: statusForClass(errorClass).
   */
  status?: number;

  constructor(errorClass: ErrorClass, detail: string) {
    super(ERROR_PREFIXES[errorClass] + detail);
    this.name = 'VirError';
    this.errorClass = errorClass;
    this.detail = detail;
  }

  toJSON(): { class: ErrorClass; detail: string; message: string } {
    return { class: this.errorClass, detail: this.detail, message: this.message };
  }
}

/** The HTTP status that stands for a libvirt error class (the daemon's answers; src/api/http-errors.ts). */
const CLASS_STATUS: Partial<Record<ErrorClass, number>> = {
  NO_NETWORK: 404,
  NO_DOMAIN: 404,
  NO_NETWORK_PORT: 404,
  DEVICE_MISSING: 404,
  OPERATION_DENIED: 403,
  AUTH_FAILED: 401,
  INVALID_ARG: 400,
  INVALID_MAC: 400,
  XML_ERROR: 400,
  XML_DETAIL: 400,
  XML_INVALID_SCHEMA: 400,
  CONFIG_UNSUPPORTED: 400,
  OPERATION_UNSUPPORTED: 400,
  OPERATION_INVALID: 409,
  OPERATION_FAILED: 409,
  NO_SUPPORT: 501,
};

export function statusForClass(errorClass: ErrorClass): number {
  return CLASS_STATUS[errorClass] ?? 500;
}

/** The HTTP status of a VirError: its own, else its class's. */
export function statusOf(err: VirError): number {
  return err.status ?? statusForClass(err.errorClass);
}

/**
 * An error of a step that only reads the caller's input (parsing and
 * checking a document, a MAC, a name): the caller's mistake, 400, even
 * when libvirt's class for it is INTERNAL_ERROR or SYSTEM_ERROR ("Cannot
 * parse socket address …"). A class that already says 4xx keeps its status.
 */
export function markInputError<E>(err: E): E {
  if (err instanceof VirError && err.status === undefined && statusForClass(err.errorClass) >= 500) err.status = 400;
  return err;
}

/** Run a step that only reads the caller's input; its VirErrors are the caller's mistakes (markInputError). */
export function checkInput<T>(step: () => T): T {
  try {
    return step();
  } catch (err) {
    throw markInputError(err);
  }
}

export function isVirError(e: unknown): e is VirError {
  return e instanceof VirError;
}

/** Shorthands used throughout the code base. */
export const internalError = (detail: string): VirError => new VirError('INTERNAL_ERROR', detail);
export const xmlError = (detail: string): VirError => new VirError('XML_ERROR', detail);
export const configUnsupported = (detail: string): VirError => new VirError('CONFIG_UNSUPPORTED', detail);
export const operationInvalid = (detail: string): VirError => new VirError('OPERATION_INVALID', detail);
export const operationFailed = (detail: string): VirError => new VirError('OPERATION_FAILED', detail);
export const operationUnsupported = (detail: string): VirError => new VirError('OPERATION_UNSUPPORTED', detail);
export const invalidArg = (detail: string): VirError => new VirError('INVALID_ARG', detail);
