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
