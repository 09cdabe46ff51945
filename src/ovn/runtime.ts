/**
 * OvnRuntime: the NetworkRuntime (src/driver/runtime/seam.ts) of networks
 * that live in OVN. Nothing of such a network is on this host but its
 * guests' vNICs on br-int; the network itself is rows of the northbound
 * database (nb-plan.ts), shared by every host it is active on:
 *
 * - start writes the rows the network lacks or that differ (one
 *   transaction, nb-reconcile.ts) and adds this host's key to the switch's
 *   external_ids (virtnet-host-CHASSIS);
 * - stop takes this host's guest ports and key out, and when no host is
 *   left, every row of the network;
 * - adopt (after a restart) applies again, which writes nothing when OVN
 *   already matches;
 * - a guest's vNIC gets a logical switch port named after the network and
 *   its MAC (the same on every host, so a guest that moves keeps its port
 *   and address), requested on this chassis, in the network's port group,
 *   with its name in DNS; the vNIC plugs into br-int with that iface-id;
 * - leases are the guest ports OVN has bound, with their addresses;
 * - reconcileOwned removes this host's key (and guest ports) from networks
 *   no longer active here, and the rows of networks no host claims.
 * Rows are found by their external_ids tags; untagged rows are never read
 * for writing, let alone changed.
 */
import type { NetworkDef } from '../conf/network/types.js';
import type { DhcpLease } from '../contract/network-api.js';
import type { AppliedNetwork, LiveChange, NetworkRuntime, PortAttachment, StartContext } from '../driver/runtime/seam.js';
import type { NicPlug } from '../host/guest-backend.js';
import { OvsdbError } from '../ovsdb/errors.js';
import { byUuid, del, insert, mutate, update, type Mutation, type Operation, type WaitOp } from '../ovsdb/operations.js';
import { NamedUuid, optionalOf, stringMap, stringMapOf, stringOf, stringsOf, uuidsOf, type Value } from '../ovsdb/values.js';
import { internalError, operationFailed } from '../util/errors.js';
import { INTEGRATION_BRIDGE } from './host-setup.js';
import {
  guestAddress,
  guestDnsRecords,
  guestPortAddresses,
  guestPortName,
  guestPortRow,
  HOST_KEY_PREFIX,
  hostKey,
  networkMtu,
  planNetworkRows,
  staticHostFor,
  subnetOf,
  switchName,
  TAG_CHASSIS,
  TAG_GUEST,
  TAG_NETWORK,
  TAG_ROLE,
  tags,
} from './nb-plan.js';
import { reconcileOperations, removalOperations, sameValue, type ExistingRow } from './nb-reconcile.js';
import { Northbound } from './northbound.js';
import type { Connect } from '../ovsdb/lazy-connection.js';

export const OVN_RUNTIME_ID = 'ovn';
/** On a guest's DNS row: the port it names. */
const TAG_PORT = 'virtnet-port';

/** What a running OVN network's status file records. */
export interface OvnApplied extends AppliedNetwork {
  runtime: typeof OVN_RUNTIME_ID;
  version: 1;
  name: string;
  northbound: string;
  /** This host's key on the network (its chassis name). */
  host: string;
}

interface OvnRuntimeOptions {
  /** This host's chassis name (local-ovs.ts). */
  chassis(): Promise<string>;
  /** Non-fatal problems (the northbound database unreachable at adoption). */
  onWarning?: (message: string) => void;
  /** How to open a northbound connection (tests). */
  connect?: Connect;
  /** How long a start waits for ovn-northd to take the change in (default 5 s; 0: no wait). */
  southboundWaitMs?: number;
}

function readApplied(a: AppliedNetwork): OvnApplied {
  if (a.runtime !== OVN_RUNTIME_ID || typeof a.host !== 'string' || typeof a.northbound !== 'string')
    throw internalError(`not an OVN network record: ${JSON.stringify(a)}`);
  return a as OvnApplied;
}

const idsOf = (e: ExistingRow): Record<string, string> => stringMapOf(e.row.external_ids);
const hostKeys = (e: ExistingRow): string[] => Object.keys(idsOf(e)).filter((k) => k.startsWith(HOST_KEY_PREFIX));

/** The IPv4 address in a port's "MAC IP" addresses, if any. */
const addressOf = (e: ExistingRow): string | undefined => guestPortAddresses(stringsOf(e.row.addresses)).ipv4;

/** A wait that holds only while the row's column still has the value read. */
function unchanged(e: ExistingRow, column: string): WaitOp {
  return {
    op: 'wait',
    table: e.table,
    where: [byUuid(e.uuid)],
    columns: [column],
    until: '==',
    rows: [{ [column]: e.row[column] as Value }],
    timeout: 0,
  };
}

export class OvnRuntime implements NetworkRuntime {
  private readonly nbs = new Map<string, Northbound>();
  private readonly warn: (message: string) => void;

  constructor(private readonly options: OvnRuntimeOptions) {
    this.warn = options.onWarning ?? (() => {});
  }

  private nb(remote: string): Northbound {
    let nb = this.nbs.get(remote);
    if (nb === undefined) {
      nb = new Northbound(remote, this.options.connect);
      this.nbs.set(remote, nb);
    }
    return nb;
  }

  private nbOf(def: NetworkDef): Northbound {
    if (def.ovn === undefined) throw internalError(`network '${def.name}' is not an OVN network`);
    return this.nb(def.ovn.northbound);
  }

  close(): void {
    for (const nb of this.nbs.values()) nb.close();
    this.nbs.clear();
  }

  // ---- the network ----------------------------------------------------------------

  /** Bring the network's rows to `def` and make sure this host's key is on its switch; true when anything was written. */
  private applyNetwork(def: NetworkDef, host: string): Promise<boolean> {
    const nb = this.nbOf(def);
    return nb.optimistic(async () => {
      const existing = await nb.networkRows(def.uuid);
      const key = hostKey(host);
      const ops = reconcileOperations(def, planNetworkRows(def), existing, { insertIds: { switch: { [key]: 'active' } } });
      const sw = existing.find((e) => e.role === 'switch');
      if (sw === undefined) {
        // Two hosts starting the network at once must not make two switches.
        ops.unshift({
          op: 'wait',
          table: 'Logical_Switch',
          where: [['external_ids', 'includes', stringMap({ [TAG_NETWORK]: def.uuid, [TAG_ROLE]: 'switch' })]],
          columns: ['_uuid'],
          until: '==',
          rows: [],
          timeout: 0,
        });
      } else if (idsOf(sw)[key] === undefined) {
        ops.push(mutate('Logical_Switch', [byUuid(sw.uuid)], [['external_ids', 'insert', stringMap({ [key]: 'active' })]]));
      }
      if (ops.length === 0) return false;
      await nb.transact(ops);
      return true;
    });
  }

  /**
   * Take this host out of a network: its guest ports and its key; with no
   * host left, every row of the network.
   */
  private removeHost(nb: Northbound, network: { uuid: string }, host: string): Promise<void> {
    return nb.optimistic(async () => {
      const existing = await nb.networkRows(network.uuid);
      const sw = existing.find((e) => e.role === 'switch');
      if (sw === undefined) {
        if (existing.length > 0) await nb.transact(removalOperations(existing));
        return;
      }
      const key = hostKey(host);
      const others = hostKeys(sw).filter((k) => k !== key);
      if (others.length === 0) {
        await nb.transact([unchanged(sw, 'external_ids'), ...removalOperations(existing)]);
        return;
      }
      const mine = existing.filter((e) => e.role === 'guest' && idsOf(e)[TAG_CHASSIS] === host);
      const ops: Operation[] = [...this.portRemoval(existing, sw, mine)];
      if (idsOf(sw)[key] !== undefined) ops.push(mutate('Logical_Switch', [byUuid(sw.uuid)], [['external_ids', 'delete', [key]]]));
      if (ops.length > 0) await nb.transact(ops);
    });
  }

  /** Operations that remove guest ports (and their DNS rows) from the switch. */
  private portRemoval(existing: readonly ExistingRow[], sw: ExistingRow, ports: readonly ExistingRow[]): Operation[] {
    if (ports.length === 0) return [];
    const names = new Set(ports.map((p) => stringOf(p.row.name)));
    const dns = existing.filter((e) => e.role === 'guest-dns' && names.has(idsOf(e)[TAG_PORT] ?? ''));
    // The switch's weak references to the DNS rows are taken out explicitly: ovsdb-server 3.1 leaves
    // them dangling when the same transaction also changes the switch.
    const mutations: Mutation[] = [['ports', 'delete', ports.map((p) => p.uuid)]];
    if (dns.length > 0) mutations.push(['dns_records', 'delete', dns.map((d) => d.uuid)]);
    const pg = existing.find((e) => e.role === 'port-group');
    const inGroup = pg === undefined ? [] : ports.filter((p) => uuidsOf(pg.row.ports).some((u) => u.value === p.uuid.value));
    return [
      mutate('Logical_Switch', [byUuid(sw.uuid)], mutations),
      ...(pg !== undefined && inGroup.length > 0 ? [mutate('Port_Group', [byUuid(pg.uuid)], [['ports', 'delete', inGroup.map((p) => p.uuid)]])] : []),
      ...dns.map((d) => del('DNS', [byUuid(d.uuid)])),
    ];
  }

  async start(def: NetworkDef, _context: StartContext): Promise<AppliedNetwork> {
    if (def.ovn === undefined) throw internalError(`network '${def.name}' is not an OVN network`);
    const host = await this.options.chassis();
    await this.applyNetwork(def, host);
    const wait = this.options.southboundWaitMs ?? 5000;
    if (wait > 0 && !(await this.nbOf(def).syncSouthbound(wait)))
      this.warn(`network '${def.name}': ovn-northd did not take the change in within ${wait} ms`);
    const applied: OvnApplied = { runtime: OVN_RUNTIME_ID, version: 1, name: def.name, northbound: def.ovn.northbound, host };
    return applied;
  }

  async stop(def: NetworkDef, appliedNetwork: AppliedNetwork): Promise<void> {
    const applied = readApplied(appliedNetwork);
    await this.removeHost(this.nb(applied.northbound), def, applied.host);
  }

  async adopt(def: NetworkDef, appliedNetwork: AppliedNetwork): Promise<AppliedNetwork | null> {
    const applied = readApplied(appliedNetwork);
    try {
      await this.applyNetwork(def, applied.host);
    } catch (e) {
      // OVN keeps the network whether or not this daemon can reach it now: it stays running.
      if (!(e instanceof OvsdbError && (e.failure === 'connection' || e.failure === 'timeout'))) throw e;
      this.warn(`network '${def.name}': ${e.message}; its rows will be checked at the next start or update`);
    }
    return applied;
  }

  async updateLive(_before: NetworkDef, after: NetworkDef, _section: LiveChange, appliedNetwork: AppliedNetwork): Promise<AppliedNetwork> {
    const applied = readApplied(appliedNetwork);
    await this.applyNetwork(after, applied.host);
    return applied;
  }

  async cleanup(def: NetworkDef): Promise<void> {
    if (def.ovn === undefined) return;
    const host = await this.options.chassis();
    await this.removeHost(this.nbOf(def), def, host);
  }

  async linkExists(_name: string): Promise<boolean> {
    return false;
  }

  // ---- guests' ports -------------------------------------------------------------------

  async attachPort(def: NetworkDef, appliedNetwork: AppliedNetwork, port: PortAttachment): Promise<NicPlug> {
    const applied = readApplied(appliedNetwork);
    const nb = this.nbOf(def);
    const name = guestPortName(def, port.mac);
    await nb.optimistic(async () => {
      const existing = await nb.networkRows(def.uuid);
      const sw = existing.find((e) => e.role === 'switch');
      if (sw === undefined)
        throw operationFailed(`network '${def.name}' has no logical switch in OVN (${def.ovn?.northbound}): destroy and start it again`);
      const pg = existing.find((e) => e.role === 'port-group');
      const dhcp = existing.find((e) => e.role === 'dhcp');
      const guests = existing.filter((e) => e.role === 'guest');
      const lsp = guests.find((e) => stringOf(e.row.name) === name);
      const taken = new Set(guests.filter((e) => e !== lsp).flatMap((e) => addressOf(e) ?? []));
      const kept = lsp !== undefined ? addressOf(lsp) : undefined;
      const address = staticHostFor(def, port.mac)?.ip ?? (kept !== undefined && !taken.has(kept) ? kept : guestAddress(def, port.mac, taken));
      if (address === undefined && subnetOf(def)?.ip.dhcp === true)
        throw operationFailed(`network '${def.name}' has no free address left for ${port.mac}`);
      const row = guestPortRow(def, { mac: port.mac, guest: port.owner, chassis: applied.host }, address, dhcp !== undefined);
      const columns: Record<string, Value> = { ...row.columns };
      if (dhcp !== undefined && address !== undefined) columns.dhcpv4_options = [dhcp.uuid];
      // Another host picking an address at the same time must not pick the same one.
      const ops: Operation[] = [unchanged(sw, 'ports')];
      if (lsp === undefined) {
        ops.push(insert('Logical_Switch_Port', { name, ...columns, external_ids: stringMap(row.externalIds) }, 'port'));
        ops.push(mutate('Logical_Switch', [byUuid(sw.uuid)], [['ports', 'insert', [new NamedUuid('port')]]]));
        if (pg !== undefined) ops.push(mutate('Port_Group', [byUuid(pg.uuid)], [['ports', 'insert', [new NamedUuid('port')]]]));
      } else {
        const changed: Record<string, Value> = {};
        for (const [c, v] of Object.entries({ ...columns, external_ids: stringMap(row.externalIds) })) if (!sameValue(v, lsp.row[c])) changed[c] = v;
        if (Object.keys(changed).length > 0) ops.push(update('Logical_Switch_Port', [byUuid(lsp.uuid)], changed));
        if (pg !== undefined && !uuidsOf(pg.row.ports).some((u) => u.value === lsp.uuid.value)) {
          ops.push(mutate('Port_Group', [byUuid(pg.uuid)], [['ports', 'insert', [lsp.uuid]]]));
        }
      }
      const records = guestDnsRecords(def, port.owner.name, address);
      const dnsRow = existing.find((e) => e.role === 'guest-dns' && idsOf(e)[TAG_PORT] === name);
      if (records.size > 0 && dnsRow === undefined) {
        ops.push(insert('DNS', { records, external_ids: stringMap(tags(def, 'guest-dns', { [TAG_PORT]: name })) }, 'dns'));
        ops.push(mutate('Logical_Switch', [byUuid(sw.uuid)], [['dns_records', 'insert', [new NamedUuid('dns')]]]));
      } else if (records.size > 0 && dnsRow !== undefined && !sameValue(records, dnsRow.row.records)) {
        ops.push(update('DNS', [byUuid(dnsRow.uuid)], { records }));
      } else if (records.size === 0 && dnsRow !== undefined) {
        ops.push(mutate('Logical_Switch', [byUuid(sw.uuid)], [['dns_records', 'delete', [dnsRow.uuid]]]), del('DNS', [byUuid(dnsRow.uuid)]));
      }
      if (ops.length > 1) await nb.transact(ops);
    });
    return { kind: 'ovs', bridge: INTEGRATION_BRIDGE, ifaceId: name, mtu: networkMtu(def) };
  }

  async detachPort(def: NetworkDef, appliedNetwork: AppliedNetwork, port: PortAttachment): Promise<void> {
    const applied = readApplied(appliedNetwork);
    const nb = this.nbOf(def);
    const name = guestPortName(def, port.mac);
    await nb.optimistic(async () => {
      const existing = await nb.networkRows(def.uuid);
      const sw = existing.find((e) => e.role === 'switch');
      const lsp = existing.find((e) => e.role === 'guest' && stringOf(e.row.name) === name);
      // Gone already, or taken over by the host the guest moved to: not ours to remove.
      if (sw === undefined || lsp === undefined || idsOf(lsp)[TAG_CHASSIS] !== applied.host) return;
      await nb.transact([unchanged(lsp, 'external_ids'), ...this.portRemoval(existing, sw, [lsp])]);
    });
  }

  async prunePorts(def: NetworkDef, appliedNetwork: AppliedNetwork, held: readonly PortAttachment[]): Promise<void> {
    const applied = readApplied(appliedNetwork);
    const nb = this.nbOf(def);
    const keep = new Set(held.map((p) => guestPortName(def, p.mac)));
    await nb.optimistic(async () => {
      const existing = await nb.networkRows(def.uuid);
      const sw = existing.find((e) => e.role === 'switch');
      const stale = existing.filter((e) => e.role === 'guest' && idsOf(e)[TAG_CHASSIS] === applied.host && !keep.has(stringOf(e.row.name)));
      if (sw === undefined || stale.length === 0) return;
      this.warn(
        `network '${def.name}': removing ports of guests gone from this host: ${stale.map((e) => idsOf(e)[TAG_GUEST] ?? stringOf(e.row.name)).join(', ')}`,
      );
      await nb.transact([...stale.map((e) => unchanged(e, 'external_ids')), ...this.portRemoval(existing, sw, stale)]);
    });
  }

  // ---- leases --------------------------------------------------------------------------

  async leases(def: NetworkDef, appliedNetwork: AppliedNetwork): Promise<DhcpLease[]> {
    readApplied(appliedNetwork);
    const subnet = subnetOf(def);
    if (subnet === undefined) return [];
    const existing = await this.nbOf(def).networkRows(def.uuid);
    const dhcp = existing.find((e) => e.role === 'dhcp');
    const leaseTime = Number(stringMapOf(dhcp?.row.options).lease_time ?? 3600);
    const now = Math.floor(Date.now() / 1000);
    const leases: DhcpLease[] = [];
    for (const e of existing) {
      if (e.role !== 'guest' || optionalOf(e.row.up) !== true) continue;
      const address = addressOf(e);
      const { mac } = guestPortAddresses(stringsOf(e.row.addresses));
      if (address === undefined || mac === undefined) continue;
      const lease: DhcpLease = {
        iface: switchName(def),
        expiryTime: leaseTime >= 0xffffffff ? 0 : now + leaseTime,
        protocol: 'ipv4',
        mac,
        ipAddress: address,
        prefix: subnet.prefix,
      };
      const host = staticHostFor(def, mac)?.name ?? idsOf(e)[TAG_GUEST];
      if (host !== undefined) lease.hostname = host;
      leases.push(lease);
    }
    return leases.sort((a, b) => a.mac.localeCompare(b.mac));
  }

  // ---- start-up reconciliation ------------------------------------------------------------

  async reconcileOwned(networks: readonly { def: NetworkDef; applied?: AppliedNetwork }[]): Promise<void> {
    const ovnNetworks = networks.filter((n) => n.def.ovn !== undefined);
    if (ovnNetworks.length === 0) return;
    const host = await this.options.chassis();
    const activeHere = new Set(ovnNetworks.filter((n) => n.applied !== undefined).map((n) => n.def.uuid));
    const remotes = new Set(ovnNetworks.map((n) => (n.def.ovn as { northbound: string }).northbound));
    for (const remote of remotes) {
      const nb = this.nb(remote);
      let switches: readonly { uuid: string; ids: Record<string, string> }[];
      try {
        switches = (await nb.rowsTagged('Logical_Switch', { [TAG_ROLE]: 'switch' })).map((r) => ({
          uuid: stringMapOf(r.external_ids)[TAG_NETWORK] ?? '',
          ids: stringMapOf(r.external_ids),
        }));
      } catch (e) {
        if (!(e instanceof OvsdbError && (e.failure === 'connection' || e.failure === 'timeout'))) throw e;
        this.warn(`cannot reconcile the OVN rows at ${remote}: ${e.message}`);
        continue;
      }
      for (const sw of switches) {
        if (sw.uuid === '') continue;
        const keys = Object.keys(sw.ids).filter((k) => k.startsWith(HOST_KEY_PREFIX));
        const mine = keys.includes(hostKey(host));
        // Claimed by this host but not running here (a reboot), or claimed by no host at all.
        if ((mine && !activeHere.has(sw.uuid)) || keys.length === 0) await this.removeHost(nb, { uuid: sw.uuid }, host);
      }
    }
  }
}
