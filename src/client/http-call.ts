/**
 * What every call of the HTTP client is made of: one request's answer
 * body, the query string of the parameters that are set, --live/--config
 * as a body sends them, an object's version from the ETag of its lookup,
 * and the base every API's calls are mixed into.
 * Dependency-free apart from the transport, so the CLI's bundle stays small.
 */
import type { UpdateFlags } from '../contract/network-api.js';
import { VirError } from '../util/errors.js';
import type { CallOptions, ClientTransport, Method } from './transport.js';

/** One call's answer body (the transport's `call` without the ETag). */
export async function request<T>(transport: ClientTransport, method: Method, path: string, body?: unknown, options?: CallOptions): Promise<T> {
  return (await transport.call<T>(method, path, body, options)).body;
}

/** `?k=v&…` of the parameters that are set; '' when none is. */
export function query(params: Record<string, string | undefined>): string {
  const entries = Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined);
  return entries.length === 0 ? '' : `?${new URLSearchParams(entries).toString()}`;
}

/** --live / --config as a request body sends them: only the ones given, so the body is exactly what was asked. */
export function flagsBody(flags: UpdateFlags): UpdateFlags {
  return { ...(flags.live ? { live: true } : {}), ...(flags.config ? { config: true } : {}) };
}

/** The version of the object at `path`, from the ETag of its lookup; `what` names the objects in the error. */
export async function versionAt(transport: ClientTransport, path: string, what: 'networks' | 'guests'): Promise<string> {
  const answer = await transport.call('GET', path);
  if (answer.etag === undefined) throw new VirError('NO_SUPPORT', `virtnetd keeps no versions of ${what}`);
  return answer.etag;
}

/** Something that calls virtnetd over a transport: the client, which each API's calls are mixed into. */
export class HttpCaller {
  constructor(readonly transport: ClientTransport) {}
}

/** A class of HttpCallers, as a mixin takes it. */
// biome-ignore lint/suspicious/noExplicitAny: TypeScript requires a mixin base's constructor to take `...args: any[]`
export type HttpCallerClass = new (...args: any[]) => HttpCaller;
