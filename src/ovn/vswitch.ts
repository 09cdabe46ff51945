/**
 * The parts of a host's Open vSwitch database (Open_vSwitch, Bridge, Port,
 * Interface) virtnet reads and writes, over our OVSDB client: what
 * `ovs-vsctl init / set Open_vSwitch . external_ids: / add-br / add-port /
 * del-port` do, each as one transaction. Inserts carry a `wait` that the
 * name is still free, so two writers never make two ports of one name.
 */
import type { OvsdbClient } from '../ovsdb/client.js';
import { OvsdbError } from '../ovsdb/errors.js';
import { byUuid, insert, mutate, select, update, type Operation, type WaitOp } from '../ovsdb/operations.js';
import { NamedUuid, rowUuid, stringMap, stringMapOf, stringOf, uuidsOf, type Row, type Uuid } from '../ovsdb/values.js';

export const VSWITCH_DB = 'Open_vSwitch';

export type DatapathType = 'system' | 'netdev';

export interface BridgeSpec {
  name: string;
  datapathType: DatapathType;
  failMode?: 'secure' | 'standalone';
  otherConfig?: Record<string, string>;
}

export interface PortSpec {
  name: string;
  /** Interface type: '' (a system device), 'internal', … */
  type?: string;
  externalIds?: Record<string, string>;
  options?: Record<string, string>;
}

export interface InterfaceInfo {
  uuid: Uuid;
  name: string;
  type: string;
  externalIds: Record<string, string>;
  /** The port number OpenFlow gave it; -1 when vswitchd could not open the device. */
  ofport: number | undefined;
  error: string;
}

/** A wait that holds only while no row of `table` has this name. */
function nameFree(table: string, name: string): WaitOp {
  return { op: 'wait', table, where: [['name', '==', name]], columns: ['name'], until: '==', rows: [], timeout: 0 };
}

export class Vswitch {
  constructor(readonly client: OvsdbClient) {}

  private transact<const Ops extends readonly Operation[]>(ops: Ops) {
    return this.client.transact(VSWITCH_DB, ops);
  }

  /** The Open_vSwitch row, made when there is none (ovs-vsctl init). */
  async root(): Promise<Row> {
    const [r] = await this.transact([select('Open_vSwitch', [])]);
    const row = r.rows[0];
    if (row) return row;
    try {
      await this.transact([
        { op: 'wait', table: 'Open_vSwitch', where: [], columns: ['_uuid'], until: '==', rows: [], timeout: 0 },
        insert('Open_vSwitch', {}),
      ]);
    } catch (e) {
      if (!(e instanceof OvsdbError && e.error === 'timed out')) throw e;
    }
    return this.root();
  }

  async externalIds(): Promise<Record<string, string>> {
    return stringMapOf((await this.root()).external_ids);
  }

  /** Set (or, with value undefined, remove) keys of Open_vSwitch external_ids, keeping the others. */
  async setExternalIds(values: Readonly<Record<string, string | undefined>>): Promise<void> {
    const root = rowUuid(await this.root());
    const set = Object.entries(values).filter((e): e is [string, string] => e[1] !== undefined);
    const keys = Object.keys(values);
    await this.transact([
      mutate('Open_vSwitch', [byUuid(root)], [['external_ids', 'delete', keys]]),
      mutate('Open_vSwitch', [byUuid(root)], [['external_ids', 'insert', stringMap(Object.fromEntries(set))]]),
    ]);
  }

  /** Bridge names. */
  async bridges(): Promise<string[]> {
    const [r] = await this.transact([select('Bridge', [], ['name'])]);
    return r.rows.map((row) => stringOf(row.name)).sort();
  }

  /** Add a bridge (with its internal port of the same name) unless one of that name exists; then make it match `spec`. */
  async ensureBridge(spec: BridgeSpec): Promise<void> {
    const row = {
      datapath_type: spec.datapathType,
      ...(spec.failMode ? { fail_mode: spec.failMode } : {}),
      ...(spec.otherConfig ? { other_config: stringMap(spec.otherConfig) } : {}),
    };
    const [existing] = await this.transact([select('Bridge', [['name', '==', spec.name]], ['_uuid'])]);
    if (existing.rows[0]) {
      await this.transact([update('Bridge', [byUuid(rowUuid(existing.rows[0]))], row)]);
      return;
    }
    const root = rowUuid(await this.root());
    await this.transact([
      nameFree('Bridge', spec.name),
      insert('Interface', { name: spec.name, type: 'internal' }, 'iface'),
      insert('Port', { name: spec.name, interfaces: [new NamedUuid('iface')] }, 'port'),
      insert('Bridge', { name: spec.name, ports: [new NamedUuid('port')], ...row }, 'bridge'),
      mutate('Open_vSwitch', [byUuid(root)], [['bridges', 'insert', [new NamedUuid('bridge')]]]),
    ]);
  }

  /**
   * Add a port with one interface to a bridge, or, when a port of that name
   * exists on it, give its interface `spec`'s type, external_ids and options.
   */
  async ensurePort(bridge: string, spec: PortSpec): Promise<void> {
    const [br, port] = await this.transact([
      select('Bridge', [['name', '==', bridge]], ['_uuid', 'ports']),
      select('Port', [['name', '==', spec.name]], ['_uuid', 'interfaces']),
    ]);
    const bridgeRow = br.rows[0];
    if (!bridgeRow) throw new OvsdbError('transaction', `Open vSwitch has no bridge '${bridge}'`);
    const iface = {
      type: spec.type ?? '',
      external_ids: stringMap(spec.externalIds ?? {}),
      options: stringMap(spec.options ?? {}),
    };
    const portRow = port.rows[0];
    if (portRow) {
      const onBridge = uuidsOf(bridgeRow.ports).some((u) => u.value === rowUuid(portRow).value);
      if (!onBridge) throw new OvsdbError('transaction', `port '${spec.name}' exists on another bridge than '${bridge}'`);
      const ifaces = uuidsOf(portRow.interfaces);
      await this.transact(ifaces.map((u) => update('Interface', [byUuid(u)], iface)));
      return;
    }
    await this.transact([
      nameFree('Port', spec.name),
      insert('Interface', { name: spec.name, ...iface }, 'iface'),
      insert('Port', { name: spec.name, interfaces: [new NamedUuid('iface')] }, 'port'),
      mutate('Bridge', [byUuid(rowUuid(bridgeRow))], [['ports', 'insert', [new NamedUuid('port')]]]),
    ]);
  }

  /** Remove a port from whichever bridge holds it (ovs-vsctl --if-exists del-port); false when there was none. */
  async deletePort(name: string): Promise<boolean> {
    const [port] = await this.transact([select('Port', [['name', '==', name]], ['_uuid'])]);
    const row = port.rows[0];
    if (!row) return false;
    const uuid = rowUuid(row);
    // A Port is not a root row: taking it out of its bridge deletes it and its interfaces.
    const [m] = await this.transact([mutate('Bridge', [['ports', 'includes', [uuid]]], [['ports', 'delete', [uuid]]])]);
    return m.count > 0;
  }

  /** Ports of a bridge by name. */
  async ports(bridge: string): Promise<string[]> {
    const [br] = await this.transact([select('Bridge', [['name', '==', bridge]], ['ports'])]);
    const row = br.rows[0];
    if (!row) return [];
    const uuids = uuidsOf(row.ports);
    if (uuids.length === 0) return [];
    const [ports] = await this.transact([select('Port', [], ['_uuid', 'name'])]);
    const wanted = new Set(uuids.map((u) => u.value));
    return ports.rows
      .filter((p) => wanted.has(rowUuid(p).value))
      .map((p) => stringOf(p.name))
      .sort();
  }

  /** Interfaces, with what vswitchd made of them. */
  async interfaces(): Promise<InterfaceInfo[]> {
    const [r] = await this.transact([select('Interface', [], ['_uuid', 'name', 'type', 'external_ids', 'ofport', 'error'])]);
    return r.rows.map((row) => {
      const ofport = Array.isArray(row.ofport) ? (row.ofport as readonly unknown[])[0] : row.ofport;
      return {
        uuid: rowUuid(row),
        name: stringOf(row.name),
        type: stringOf(row.type),
        externalIds: stringMapOf(row.external_ids),
        ofport: typeof ofport === 'number' ? ofport : undefined,
        error: stringOf(row.error),
      };
    });
  }
}
