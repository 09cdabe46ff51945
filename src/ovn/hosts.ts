/**
 * The OVN hosts this virtnetd's OVN networks span, for the console's Hosts
 * page and topology (GET /api/console/ovn-hosts):
 *
 * - the chassis come from the southbound database this host's
 *   ovn-controller uses (Open_vSwitch external_ids:ovn-remote, or
 *   virtnetd's --ovn-southbound where that address is not the daemon's
 *   to reach, as in a lab whose hosts are namespaces), each with
 *   its hostname and tunnel endpoints (Encap);
 * - whether each answers: the northbound's nb_cfg is bumped (what
 *   `ovn-nbctl --wait=hv sync` does) and a chassis that acknowledges it in
 *   its Chassis_Private row within PROBE_MS is up, one that does not is
 *   down; with no northbound database to ask through, unknown;
 * - from the northbound databases of this virtnetd's OVN networks: which
 *   hosts each network is active on (the switch's virtnet-host-* keys) and
 *   the guests' ports, with the chassis they are requested on.
 *
 * Reads only, but for the nb_cfg bump, which changes no configuration.
 */
import type { OvnGuestPort, OvnHostsBody, OvnHostState } from '../contract/console-api.js';
import { OvsdbClient } from '../ovsdb/client.js';
import { OvsdbError } from '../ovsdb/errors.js';
import { mutate, select } from '../ovsdb/operations.js';
import { optionalOf, rowUuid, stringMap, stringMapOf, stringOf, stringsOf, uuidsOf, type Row } from '../ovsdb/values.js';
import { guestPortAddresses, HOST_KEY_PREFIX, TAG_CHASSIS, TAG_GUEST, TAG_NAME, TAG_ROLE } from './nb-plan.js';
import { NB_DB } from './northbound.js';

const SB_DB = 'OVN_Southbound';
/** How long a chassis has to acknowledge the probe before it is called down. */
export const PROBE_MS = 3000;

export interface OvnHostsOptions {
  /** This host's Open vSwitch database (virtnetd's --ovs-db). */
  ovsDb: string;
  /** The southbound database as this daemon reaches it, when Open vSwitch's ovn-remote is not (a lab's hosts). */
  southbound?: string;
  /** The northbound databases of this virtnetd's OVN networks. */
  northbounds: readonly string[];
  connect?: (remote: string) => Promise<OvsdbClient>;
  probeMs?: number;
}

/** The southbound rows the page is made of. */
export interface SouthboundRows {
  chassis: readonly Row[];
  encaps: readonly Row[];
}

/** Chassis with their encapsulations, the state each was found in, and the networks active on each. */
export function hostsOf(sb: SouthboundRows, state: (name: string) => OvnHostState['state'], switches: readonly Row[]): OvnHostState[] {
  const encapOf = new Map(sb.encaps.map((e) => [rowUuid(e).value, { type: stringOf(e.type), ip: stringOf(e.ip) }]));
  const networksOn = (host: string): string[] =>
    switches
      .filter((s) => stringMapOf(s.external_ids)[`${HOST_KEY_PREFIX}${host}`] !== undefined)
      .map((s) => stringMapOf(s.external_ids)[TAG_NAME] ?? stringOf(s.name))
      .sort();
  return sb.chassis
    .map((c): OvnHostState => {
      const name = stringOf(c.name);
      const hostname = stringOf(c.hostname);
      return {
        name,
        ...(hostname ? { hostname } : {}),
        encaps: uuidsOf(c.encaps).flatMap((u) => encapOf.get(u.value) ?? []),
        state: state(name),
        networks: networksOn(name),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Guests' ports, each on the chassis it is requested on. */
export function portsOf(ports: readonly Row[]): OvnGuestPort[] {
  return ports
    .map((p): OvnGuestPort | undefined => {
      const ids = stringMapOf(p.external_ids);
      const { mac, ipv4: address } = guestPortAddresses(stringsOf(p.addresses));
      if (ids[TAG_GUEST] === undefined || ids[TAG_CHASSIS] === undefined || !mac) return undefined;
      return {
        network: ids[TAG_NAME] ?? '',
        host: ids[TAG_CHASSIS],
        guest: ids[TAG_GUEST],
        mac,
        ...(address ? { address } : {}),
        up: optionalOf(p.up) === true,
      };
    })
    .filter((p) => p !== undefined)
    .sort((a, b) => a.network.localeCompare(b.network) || a.host.localeCompare(b.host) || a.guest.localeCompare(b.guest));
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function unreachable(e: unknown): boolean {
  return e instanceof OvsdbError && e.failure === 'connection';
}

export async function readOvnHosts(o: OvnHostsOptions): Promise<OvnHostsBody> {
  const connect = o.connect ?? ((r: string) => OvsdbClient.connect(r));
  const open: OvsdbClient[] = [];
  const opened = async (remote: string): Promise<OvsdbClient> => {
    const c = await connect(remote);
    open.push(c);
    return c;
  };
  try {
    let ids: Record<string, string>;
    try {
      const ovs = await opened(o.ovsDb);
      const [root] = await ovs.transact('Open_vSwitch', [select('Open_vSwitch', [], ['external_ids'])]);
      ids = stringMapOf(root.rows[0]?.external_ids);
    } catch (e) {
      if (unreachable(e)) return { unavailable: { reason: 'no-ovs', detail: o.ovsDb }, hosts: [], ports: [] };
      throw e;
    }
    const southbound = o.southbound ?? ids['ovn-remote'];
    if (southbound === undefined) return { unavailable: { reason: 'no-southbound', detail: o.ovsDb }, hosts: [], ports: [] };
    const thisHost = ids['system-id'];
    let sb: OvsdbClient;
    try {
      sb = await opened(southbound);
    } catch (e) {
      if (unreachable(e)) return { unavailable: { reason: 'southbound-unreachable', detail: southbound }, hosts: [], ports: [] };
      throw e;
    }

    // The networks' northbound databases: their switches and guest ports, and the first one answering carries the probe.
    const switches: Row[] = [];
    const ports: Row[] = [];
    let probe: { nb: OvsdbClient; target: number } | undefined;
    for (const remote of [...new Set(o.northbounds)].sort()) {
      let nb: OvsdbClient;
      try {
        nb = await opened(remote);
      } catch (e) {
        if (unreachable(e)) continue;
        throw e;
      }
      const [sw, lsp] = await nb.transact(NB_DB, [
        select('Logical_Switch', [['external_ids', 'includes', stringMap({ [TAG_ROLE]: 'switch' })]], ['name', 'external_ids']),
        select('Logical_Switch_Port', [['external_ids', 'includes', stringMap({ [TAG_ROLE]: 'guest' })]], ['addresses', 'external_ids', 'up']),
      ]);
      switches.push(...sw.rows);
      ports.push(...lsp.rows);
      if (probe === undefined) {
        const [, g] = await nb.transact(NB_DB, [mutate('NB_Global', [], [['nb_cfg', '+=', 1]]), select('NB_Global', [], ['nb_cfg'])]);
        const target = Number(g.rows[0]?.nb_cfg);
        if (Number.isFinite(target)) probe = { nb, target };
      }
    }

    const readSb = () =>
      sb.transact(SB_DB, [
        select('Chassis', [], ['_uuid', 'name', 'hostname', 'encaps']),
        select('Encap', [], ['_uuid', 'type', 'ip']),
        select('Chassis_Private', [], ['name', 'nb_cfg']),
      ]);
    let [chassis, encaps, privates] = await readSb();
    const answered = (): Set<string> =>
      new Set(privates.rows.filter((p) => probe !== undefined && Number(p.nb_cfg) >= probe.target).map((p) => stringOf(p.name)));
    if (probe !== undefined) {
      const deadline = Date.now() + (o.probeMs ?? PROBE_MS);
      while (answered().size < chassis.rows.length && Date.now() < deadline) {
        await sleep(50);
        [chassis, encaps, privates] = await readSb();
      }
    }
    const up = answered();
    const state = (name: string): OvnHostState['state'] => (probe === undefined ? 'unknown' : up.has(name) ? 'up' : 'down');
    return {
      ...(thisHost !== undefined ? { thisHost } : {}),
      hosts: hostsOf({ chassis: chassis.rows, encaps: encaps.rows }, state, switches),
      ports: portsOf(ports),
    };
  } finally {
    for (const c of open) c.close();
  }
}
