/**
 * The web console's own HTTP paths, shared by the daemon (src/api/console-*)
 * and the console's script (web/src): dependency-free so the browser bundle
 * can import it. They exist on the TCP listener only.
 *
 *   GET  /                           the console (index.html)
 *   GET  /assets/*                   its scripts, styles and fonts (content-hashed names)
 *   GET  /api/console/session        {authenticated, csrf?}: is this browser logged in?
 *   POST /api/console/login          {token} → session cookie + {csrf}
 *   POST /api/console/logout         ends the session
 *   GET  /api/console/host           the host's interfaces and routes (forward devices, overlap checks)
 *   POST /api/console/check-network  {xml, name?} → {valid, def, liveOps?}, or {valid: false, error: the VirError define would give}
 *   POST /api/console/define-model   {def} (If-Match) → net-define of that model (a NetworkDef as JSON), formatted by the daemon
 *   GET  /api/console/networks       every network, its model as JSON   (src/api/console-state.ts)
 *   GET  /api/console/networks/:name one network, or null
 *   GET  /api/console/guests         every guest with its vNICs and addresses
 *   GET  /api/console/ovn-hosts      the OVN hosts (chassis) the OVN networks span, up or down, and the guests' ports on each
 */
import type { NetworkDef } from '../conf/network/types.js';
import type { NetworkInfo, UpdateRequest } from './network-api.js';
import type { GuestInfo, GuestInterface, GuestInterfaceAddress } from './guest-api.js';

export const CONSOLE_ROUTES = {
  session: '/api/console/session',
  login: '/api/console/login',
  logout: '/api/console/logout',
  host: '/api/console/host',
  checkNetwork: '/api/console/check-network',
  defineModel: '/api/console/define-model',
  networks: '/api/console/networks',
  network: '/api/console/networks/:name',
  guests: '/api/console/guests',
  ovnHosts: '/api/console/ovn-hosts',
} as const;

/** The header carrying the session's CSRF token on every state-changing request. */
export const CSRF_HEADER_NAME = 'x-csrf-token';

/**
 * Why a console session ended: logged out, unused too long (idle) or too
 * old (expired), pushed out by too many others (evicted), the daemon's
 * token changed, or a cookie the daemon cannot read (invalid: its key is
 * gone, as after a reboot).
 */
export type SessionEnd = 'logout' | 'idle' | 'expired' | 'evicted' | 'token' | 'invalid';

export interface ConsoleSessionBody {
  authenticated: boolean;
  /** The session's CSRF token, for the x-csrf-token header. */
  csrf?: string;
  /** Not authenticated because the browser's session ended: why. */
  ended?: SessionEnd;
}

export interface HostInterface {
  name: string;
  /** bridge, veth, tun, macvlan…; absent for physical and loopback devices. */
  kind?: string;
  up: boolean;
  operstate: string;
  mac: string;
  mtu: number;
  /** The bridge this one is plugged into. */
  master?: string;
  /** "address/prefix" of each address. */
  addresses: string[];
}

export interface HostRoute {
  family: 'ipv4' | 'ipv6';
  dst: string;
  prefix: number;
  dev?: string;
  gateway?: string;
  type: string;
  table?: string;
}

export interface HostInfoBody {
  interfaces: HostInterface[];
  routes: HostRoute[];
}

/** The XML check's answer: a refusal is a result, not a failed request. */
export interface CheckNetworkBody {
  valid: boolean;
  error?: { class: string; detail: string; message: string; code?: string; params?: Record<string, string> };
  /** The document as the model (parsed, not yet given defaults). */
  def?: NetworkDef;
  /**
   * Asked about a running network by name: the net-update calls that carry
   * the live-capable part of the edit (against its saved definition) over
   * to it, for after the definition is saved.
   */
  liveOps?: UpdateRequest[];
}

/** A network as the console's snapshots give it: its model as JSON, not XML. */
export interface NetworkState {
  info: NetworkInfo;
  /** Its version (ETag), for the If-Match of the console's changes. */
  version?: string;
  /** The live definition of a running network, the saved one otherwise. */
  def: NetworkDef;
  /** A running persistent network's saved definition (what it takes at its next start). */
  config?: NetworkDef;
}

export interface GuestState {
  info: GuestInfo;
  version?: string;
  /** The live vNICs of a running guest, the saved ones of a shut-off guest. */
  interfaces: GuestInterface[];
  /** A running persistent guest's saved vNICs (what it has at its next start). */
  configInterfaces?: GuestInterface[];
  addresses: GuestInterfaceAddress[];
}

export interface NetworksSnapshot {
  networks: NetworkState[];
}

export interface GuestsSnapshot {
  /** false when the daemon has no guest driver. */
  available: boolean;
  guests: GuestState[];
}

/** An OVN host (chassis), from the southbound database this host's ovn-controller uses (src/ovn/hosts.ts). */
export interface OvnHostState {
  /** The chassis name (its system-id). */
  name: string;
  hostname?: string;
  /** Its tunnel endpoints. */
  encaps: { type: string; ip: string }[];
  /** up: it acknowledged a configuration round just now; down: registered but silent; unknown: no northbound database to ask through. */
  state: 'up' | 'down' | 'unknown';
  /** The OVN networks active on it. */
  networks: string[];
}

/** A guest's port on an OVN network, on the host it is requested on. */
export interface OvnGuestPort {
  network: string;
  host: string;
  guest: string;
  mac: string;
  address?: string;
  /** OVN has bound it on its host. */
  up: boolean;
}

export interface OvnHostsBody {
  /** Why no host can be listed: no Open vSwitch here, it names no southbound database (external_ids:ovn-remote), or that does not answer. */
  unavailable?: { reason: 'no-ovs' | 'no-southbound' | 'southbound-unreachable'; detail: string };
  /** This host's chassis name. */
  thisHost?: string;
  hosts: OvnHostState[];
  ports: OvnGuestPort[];
}
