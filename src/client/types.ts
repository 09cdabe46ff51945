/**
 * What the CLI and the console hold: the driver API, served by virtnetd over
 * HTTP, plus connection handling. `connect()` in src/client/index.ts returns
 * one; tests may hand the CLI any other implementation (an in-memory fake).
 */
import type { NetworkDriverApi } from '../driver/api.js';
import type { GuestDriverApi } from '../driver/guest-api.js';

/**
 * The guest methods are optional here only so that in-memory clients written
 * before guests existed still fit; the HTTP client (connect()) has all of
 * them, and `hasGuestMethods` tells a client that does.
 */
export interface VirtnetClient extends NetworkDriverApi, Partial<GuestDriverApi> {
  /** Close the connection (and any event stream). */
  close(): Promise<void>;
}

export interface ConnectOptions {
  /**
   * Which daemon: `unix:///abs/path/virtnetd.sock`, or `http://127.0.0.1:PORT`
   * (then `token` is required). Undefined: $VIRTNET_DEFAULT_URI, else the
   * default socket /run/virtnet/virtnetd.sock.
   */
  uri?: string;
  /** Use the read-only socket (virtnetd-ro.sock beside the chosen one). */
  readonly?: boolean;
  /** The daemon's token, for TCP. */
  token?: string;
}

/** A client with the whole guest API (the HTTP client always is one). */
export type VirtnetGuestClient = VirtnetClient & GuestDriverApi;

/** Whether a client has every guest method. */
export function hasGuestMethods(client: VirtnetClient): client is VirtnetGuestClient {
  return typeof client.guestList === 'function' && typeof client.guestAttachDevice === 'function';
}
