/**
 * What the CLI and the console hold: the driver API, served by virtnetd over
 * HTTP, plus connection handling. `connect()` in src/client/index.ts returns
 * one; tests may hand the CLI any other implementation (the daemon's drivers
 * in process, test/support/driver-client.ts).
 */
import type { NetworkDriverApi } from '../contract/network-api.js';
import type { GuestDriverApi } from '../contract/guest-api.js';
import type { NetworkPortApi } from '../contract/network-port-api.js';
import type { DoctorApi } from '../contract/doctor-api.js';
import type { TrafficApi } from '../contract/traffic-api.js';
import type { ConnectProbe } from './http-probe.js';
import type { BlockingRequests } from './unix-request.js';

/**
 * The whole driver API, networks, their ports and guests: the HTTP client
 * (connect()) has every method, and so must any other client handed to the CLI.
 */
export interface VirtnetClient extends NetworkDriverApi, NetworkPortApi, GuestDriverApi, DoctorApi, TrafficApi {
  /** Close the connection (and any event stream). */
  close(): Promise<void>;
  /** The URI libvirt clients open for the same daemon, or undefined when it does not serve them (`virtnet uri --libvirt`). */
  libvirtUri?(): Promise<string | undefined>;
  /** With connect({ deferProbe: true }): whether the daemon turned out to be virtnetd (http-probe.ts). */
  readonly probe?: ConnectProbe | undefined;
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
  /**
   * Resolve without asking the daemon's version first: the first call (a GET) asks it
   * along, and the returned client's `probe` says how that went (http-probe.ts). For a
   * CLI call that makes one request.
   */
  deferProbe?: boolean;
  /** Make each call to a unix socket in one blocking step when it may (the CLI: unix-request.ts). */
  blocking?: BlockingRequests;
}
