/**
 * The CLI's requests to a unix socket in one blocking step: the Node-API addon
 * dist/virtnet-unix-request.node (unix-request/unix-request.c, built by
 * scripts/build.mjs with a C compiler and Node.js's headers) connects, writes
 * the request, and reads until the answer is whole. A short CLI
 * call so never loads node:net and its streams (~1.6 ms of its start-up) nor
 * waits in the event loop (bench/README.md, "Issue 17").
 *
 * Without the addon (not built, VIRTNET_UNIX_REQUEST set empty, one that does
 * not load here) the transport uses node:net as before: the same requests and
 * answers, a little slower.
 */
import { type BuiltFileLookup, builtFileDirs, findBuiltFile, loadAddonFunction } from '../host/built-files.js';

/**
 * Send a whole request on a new connection to `socketPath`, then hand each piece of the answer to
 * `onData` until it says the answer is whole (true) or the daemon closes the connection. Throws the
 * errno's Error (`code`, `syscall`) as node:net would give it.
 */
export type UnixRequest = (socketPath: string, request: Buffer, onData: (chunk: Buffer) => boolean) => void;

/** How a transport makes a call in one blocking step, and whether it may now. */
export interface BlockingRequests {
  request: UnixRequest;
  /** Whether a call may block the process now (not while a Ctrl-C handler waits for its turn). */
  mayBlock(): boolean;
}

/** The addon's file name in dist/. */
export const UNIX_REQUEST_ADDON = 'virtnet-unix-request.node';

/** The addon: VIRTNET_UNIX_REQUEST when set (empty: none), else in one of `dirs`. */
export function findUnixRequestAddon(env: NodeJS.ProcessEnv = process.env, dirs: readonly string[] = builtFileDirs()): BuiltFileLookup {
  return findBuiltFile(UNIX_REQUEST_ADDON, 'VIRTNET_UNIX_REQUEST', env, dirs);
}

/** The addon's request function, or why there is none (built for another machine: node:net does the same, slower). */
export function loadUnixRequest(found: BuiltFileLookup = findUnixRequestAddon()): UnixRequest | { none: string } {
  const loaded = loadAddonFunction<UnixRequest>(found, 'request');
  if ('off' in loaded) return { none: 'VIRTNET_UNIX_REQUEST is set empty' };
  return 'fn' in loaded ? loaded.fn : loaded;
}
