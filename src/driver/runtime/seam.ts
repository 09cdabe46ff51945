/**
 * The seam between the network driver (objects, store, locks, events:
 * src/driver/network/driver.ts) and the kernel (bridges, addresses, routes,
 * sysctls, nftables, dnsmasq: the runtime). The driver decides *which*
 * network goes up or down and keeps the books; the runtime carries it out on
 * a Host and reports exactly what it did, so it can be undone or adopted
 * after a restart. Unit tests of the driver use a fake runtime.
 */
import type { NetworkDef } from '../../conf/network/types.js';
import type { UpdateSection } from '../../conf/network/update.js';
import type { DhcpLease } from '../../contract/network-api.js';
import type { HostChanges } from '../../contract/host-changes.js';
import type { NicPlug } from '../../host/guest-backend.js';

/** A dry run's changes, before the driver names the network and the action. */
export type PlannedChanges = Omit<HostChanges, 'network' | 'action'>;

/**
 * What a running network holds on the host. JSON-serializable: the driver
 * stores it in the status file (RUN/networks/NAME.xml) and hands it back
 * to stop, adopt and update the network, possibly in a later process.
 * The runtime owns its shape; the driver treats it as opaque.
 */
export type AppliedNetwork = { readonly runtime: string } & Record<string, unknown>;

/**
 * Where a runtime records what it is about to do, before it touches the
 * host: the driver writes the record, atomically, as a journal entry in the
 * network's status file (status.ts), so that after a crash start-up can
 * undo or finish the change from it. The record must cover everything the
 * following steps may leave (a pessimistic AppliedNetwork: what stop would
 * remove, each removal harmless when the thing is not there).
 */
export type Journal = (record: AppliedNetwork) => void;

export interface StartContext {
  /** The live defs of the other active networks, for the subnet-collision check. */
  otherActive: readonly NetworkDef[];
  /** Called before the first step that changes the host (and again before any step the last record does not cover). */
  journal?: Journal;
}

/** What a live change is about: a net-update section, or the network's port forwards. */
export type LiveChange = UpdateSection | 'port-forwards';

export interface UpdateContext {
  /** Called before the update changes the host, with a record that covers the state before and after it. */
  journal?: Journal;
}

/** What a dry run works out against: the other running networks, and for a live update the network as it runs. */
export interface DryRunContext {
  otherActive: readonly NetworkDef[];
  /** A live update: the running def and its record. Absent: a start. */
  before?: { def: NetworkDef; applied: AppliedNetwork };
}

export interface NetworkRuntime {
  /**
   * Bring a network up, as libvirt's networkStartNetwork does for its forward mode.
   * On any failure, undo everything done so far and throw a VirError.
   */
  start(def: NetworkDef, context: StartContext): Promise<AppliedNetwork>;

  /**
   * Take a network down, removing every trace on the host (bridge, rules,
   * dnsmasq, runtime files). Also given a journal record (a start or stop a
   * crash interrupted): whatever of it is not there is skipped.
   */
  stop(def: NetworkDef, applied: AppliedNetwork): Promise<void>;

  /**
   * After a driver restart, for a network whose status file says it runs:
   * if its bridge is gone, clean up what is left and return null; otherwise
   * re-apply its firewall rules idempotently, make sure dnsmasq is running
   * (adopt the live pid, or start it again), and return the current record.
   */
  adopt(def: NetworkDef, applied: AppliedNetwork): Promise<AppliedNetwork | null>;

  /**
   * Carry a live net-update into the host: `before` is the live def that is
   * running, `after` the updated one. Static DHCP hosts and DNS hosts are
   * rewritten and dnsmasq gets SIGHUP; other sections restart dnsmasq;
   * firewall-relevant sections (and 'port-forwards') re-apply the
   * network's rules.
   */
  updateLive(before: NetworkDef, after: NetworkDef, section: LiveChange, applied: AppliedNetwork, context?: UpdateContext): Promise<AppliedNetwork>;

  /**
   * A dry run: what start(def) (or, with context.before, updateLive to def)
   * would change on the host, checked as far as it can be without changing
   * anything (the subnet check of a start, the nftables batch with nft -c).
   * Undefined: the runtime cannot tell (the driver says so).
   */
  dryRun?(def: NetworkDef, context: DryRunContext): Promise<PlannedChanges>;

  /** The network's current DHCP leases (dnsmasq's lease file). */
  leases(def: NetworkDef, applied: AppliedNetwork): Promise<DhcpLease[]>;

  /**
   * Remove the files kept for an inactive network that is going away
   * (undefine of an inactive network, destroy of a transient one):
   * dnsmasq conf, hostsfile, addnhosts, lease file.
   */
  cleanup(def: NetworkDef): Promise<void>;

  /** Whether a network device of this name exists on the host (define-time bridge naming). */
  linkExists(name: string): Promise<boolean>;

  /**
   * Before start-up reads the journal: wait (a bounded time) until commands
   * a previous process of this driver started and did not see end (it was
   * killed) have ended, so what they make is there to be undone.
   */
  settlePrevious?(): Promise<void>;

  /**
   * For networks whose ports the runtime makes itself (an OVN network's
   * logical switch ports): make the port of a guest's vNIC on a running
   * network, idempotently (a port notified again after a restart), and say
   * how the vNIC plugs in. Undefined: the driver's own plug (a bridge port,
   * a macvtap) and nothing to make.
   */
  attachPort?(def: NetworkDef, applied: AppliedNetwork, port: PortAttachment): Promise<NicPlug | undefined>;

  /** Remove what attachPort made for a port given back. */
  detachPort?(def: NetworkDef, applied: AppliedNetwork, port: PortAttachment): Promise<void>;

  /**
   * Once the guests are adopted and their ports notified after a restart:
   * `held` is every port the network holds; remove what attachPort made on
   * this host for any other (a guest that vanished while no daemon ran).
   */
  prunePorts?(def: NetworkDef, applied: AppliedNetwork, held: readonly PortAttachment[]): Promise<void>;

  /**
   * Once the driver has loaded and adopted its networks: every network it
   * holds (with its record when running). The runtime removes what it owns
   * outside the host that none of them explains (an OVN network's rows left
   * behind by a host that went down), and never anything it does not own.
   */
  reconcileOwned?(networks: readonly { def: NetworkDef; applied?: AppliedNetwork }[]): Promise<void>;

  /**
   * Be told when what a running network holds on the host was changed
   * behind the runtime's back (its firewall rules flushed by someone else)
   * and when the runtime has put it back. Returns the unsubscribe.
   */
  watchHealth?(listener: (change: NetworkHealthChange) => void): () => void;

  /**
   * Once a running network's rules are in again (a start, a repair after
   * they were flushed behind its back): what the kernel tracked while they
   * were missing takes them at its next packet (the UDP flows of its
   * forwards; a client refused meanwhile would otherwise stay refused for as
   * long as it keeps sending). Best effort: a failure is a warning.
   */
  forgetForwardFlows?(def: NetworkDef): Promise<void>;
}

/** A running network found damaged ('degraded': `reason` says what), or put back ('repaired'). */
export interface NetworkHealthChange {
  network: string;
  state: 'degraded' | 'repaired';
  reason: string;
}

/** A guest vNIC's port, as attachPort and detachPort see it. */
export interface PortAttachment {
  portid: string;
  mac: string;
  owner: { name: string; uuid: string };
}
