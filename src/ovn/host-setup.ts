/**
 * Preparing a host for OVN (`virtnet ovn-host-setup`, and every host of
 * the lab): the Open_vSwitch row's external_ids that ovn-controller reads
 * (system-id, ovn-remote, encapsulation, integration bridge), br-int, the
 * provider bridges of the bridge mappings, and — when the kernel has no
 * openvswitch datapath — OVS's userspace datapath with what it needs on
 * this kernel (docs/ovn.md):
 *   - every bridge `datapath_type=netdev`, and ovn-controller told so;
 *   - the underlay address on an OVS bridge (br-phy, the NIC as its port),
 *     since userspace tunnels use OVS's own routes and neighbours;
 *   - `arp_ignore=1` and IPv6 off on that NIC, which stays a kernel device;
 *   - the tunnel endpoints' MACs seeded into OVS's neighbour table
 *     (seedTunnelNeighbours), since OVS drops the first packet to one it
 *     has not learnt.
 * The overlay MTU is the underlay's minus the encapsulation (1442 for
 * Geneve over 1500), recorded as external_ids:virtnet-overlay-mtu.
 *
 * planHostSetup is pure; applyHostSetup carries a plan out.
 */
import { existsSync } from 'node:fs';
import { type Phrase, phrase } from '../contract/phrase.js';
import type { Host } from '../host/host.js';
import type { SysctlEntry } from '../host/sysctl.js';
import type { CommandRunner } from '../host/runner.js';
import { inNetnsArgv } from '../host/netns.js';
import { parseIp } from '../util/ip.js';
import { invalidArg, operationFailed } from '../util/errors.js';
import type { BridgeSpec, DatapathType, PortSpec, Vswitch } from './vswitch.js';

export type EncapType = 'geneve' | 'vxlan';

export const INTEGRATION_BRIDGE = 'br-int';
export const UNDERLAY_BRIDGE = 'br-phy';
/** Our own key in Open_vSwitch external_ids: the MTU a guest gets on this host's overlay. */
export const OVERLAY_MTU_KEY = 'virtnet-overlay-mtu';

export interface BridgeMapping {
  /** The physical network name a localnet port names (network_name). */
  physnet: string;
  /** The OVS bridge it maps to. */
  bridge: string;
  /** A NIC to add to that bridge. */
  nic?: string;
}

export interface HostSetupRequest {
  /** This host's tunnel endpoint address. */
  encapIp: string;
  /** Its prefix length, when virtnet puts it on br-phy (userspace datapath); default 24. */
  encapPrefix?: number;
  encapType?: EncapType;
  /** The southbound database (ovn-remote), e.g. tcp:192.0.2.2:6642. */
  remote: string;
  /** The chassis name (system-id). */
  systemId: string;
  hostname?: string;
  /** Userspace datapath: the NIC the encap address is reached through (it becomes br-phy's port). */
  underlayNic?: string;
  bridgeMappings?: readonly BridgeMapping[];
  /** 'auto' (default): the kernel's when /sys/module/openvswitch exists, else userspace. */
  datapath?: 'auto' | DatapathType;
}

export interface HostSetupFacts {
  /** Whether the openvswitch kernel module is loaded. */
  kernelDatapath: boolean;
  /** MTU of the underlay NIC (1500 when unknown). */
  underlayMtu: number;
}

export interface HostSetupPlan {
  datapath: DatapathType;
  externalIds: Record<string, string>;
  bridges: BridgeSpec[];
  ports: { bridge: string; port: PortSpec }[];
  /** Userspace: the encap address to put on br-phy. */
  underlayAddress?: { dev: string; address: string; prefix: number };
  sysctls: SysctlEntry[];
  overlayMtu: number;
  /** What the plan does, one line each, for the operator (said in their language: src/contract/phrases-es.ts). */
  summary: Phrase[];
}

/** Bytes an encapsulation adds: outer IP, UDP, the tunnel header (Geneve with OVN's 8-byte option), inner Ethernet. */
export function encapOverhead(type: EncapType, family: 'ipv4' | 'ipv6'): number {
  const ip = family === 'ipv4' ? 20 : 40;
  return ip + 8 + (type === 'geneve' ? 16 : 8) + 14;
}

export function kernelDatapathLoaded(sysModule = '/sys/module'): boolean {
  return existsSync(`${sysModule}/openvswitch`);
}

export function planHostSetup(req: HostSetupRequest, facts: HostSetupFacts): HostSetupPlan {
  const ip = parseIp(req.encapIp);
  if (!ip) throw invalidArg(`invalid encapsulation address '${req.encapIp}'`);
  if (!/^(unix:|tcp:|ssl:)/.test(req.remote))
    throw invalidArg(`invalid OVN remote '${req.remote}': expected tcp:HOST:PORT, ssl:HOST:PORT or unix:PATH`);
  if (!/^[A-Za-z0-9_.-]+$/.test(req.systemId)) throw invalidArg(`invalid chassis name '${req.systemId}'`);
  const encapType = req.encapType ?? 'geneve';
  const datapath: DatapathType = req.datapath === undefined || req.datapath === 'auto' ? (facts.kernelDatapath ? 'system' : 'netdev') : req.datapath;
  const userspace = datapath === 'netdev';
  if (userspace && req.underlayNic === undefined) {
    throw invalidArg('the userspace datapath needs the underlay NIC (--underlay-nic): the encapsulation address moves to the OVS bridge br-phy');
  }
  const overlayMtu = facts.underlayMtu - encapOverhead(encapType, ip.family);
  const mappings = req.bridgeMappings ?? [];
  const externalIds: Record<string, string> = {
    'system-id': req.systemId,
    hostname: req.hostname ?? req.systemId,
    'ovn-remote': req.remote,
    'ovn-encap-type': encapType,
    'ovn-encap-ip': req.encapIp,
    'ovn-bridge': INTEGRATION_BRIDGE,
    'ovn-bridge-datapath-type': datapath,
    [OVERLAY_MTU_KEY]: String(overlayMtu),
  };
  if (mappings.length > 0) externalIds['ovn-bridge-mappings'] = mappings.map((m) => `${m.physnet}:${m.bridge}`).join(',');

  const bridges: BridgeSpec[] = [
    { name: INTEGRATION_BRIDGE, datapathType: datapath, failMode: 'secure', otherConfig: { 'disable-in-band': 'true' } },
  ];
  const ports: HostSetupPlan['ports'] = [];
  const sysctls: SysctlEntry[] = [];
  const summary: Phrase[] = [
    phrase('datapath: {datapath}', {
      datapath: userspace ? phrase('userspace (netdev): the kernel has no openvswitch module') : phrase('kernel (system)'),
    }),
    phrase("chassis '{chassis}', {type} tunnels from {ip}, southbound {remote}", {
      chassis: req.systemId,
      type: encapType,
      ip: req.encapIp,
      remote: req.remote,
    }),
    phrase('overlay MTU {mtu} (underlay {underlay} - {overhead})', {
      mtu: overlayMtu,
      underlay: facts.underlayMtu,
      overhead: encapOverhead(encapType, ip.family),
    }),
    phrase('integration bridge {bridge}', { bridge: INTEGRATION_BRIDGE }),
  ];
  let underlayAddress: HostSetupPlan['underlayAddress'];
  if (userspace) {
    const nic = req.underlayNic as string;
    bridges.push({ name: UNDERLAY_BRIDGE, datapathType: datapath });
    ports.push({ bridge: UNDERLAY_BRIDGE, port: { name: nic } });
    underlayAddress = { dev: UNDERLAY_BRIDGE, address: req.encapIp, prefix: req.encapPrefix ?? (ip.family === 'ipv4' ? 24 : 64) };
    sysctls.push({ key: ['net', 'ipv4', 'conf', nic, 'arp_ignore'], value: '1' }, { key: ['net', 'ipv6', 'conf', nic, 'disable_ipv6'], value: '1' });
    summary.push(
      phrase('underlay: {nic} becomes a port of {bridge}, which carries {address}; arp_ignore=1 and IPv6 off on {nic}', {
        nic,
        bridge: UNDERLAY_BRIDGE,
        address: `${req.encapIp}/${underlayAddress.prefix}`,
      }),
    );
  }
  for (const m of mappings) {
    bridges.push({ name: m.bridge, datapathType: datapath });
    if (m.nic !== undefined) {
      ports.push({ bridge: m.bridge, port: { name: m.nic } });
      if (userspace) sysctls.push({ key: ['net', 'ipv6', 'conf', m.nic, 'disable_ipv6'], value: '1' });
    }
    summary.push(
      phrase("physical network '{physnet}' on {bridge}{port}", {
        physnet: m.physnet,
        bridge: m.bridge,
        port: m.nic ? phrase(' (port {nic})', { nic: m.nic }) : '',
      }),
    );
  }
  const plan: HostSetupPlan = { datapath, externalIds, bridges, ports, sysctls, overlayMtu, summary };
  if (underlayAddress) plan.underlayAddress = underlayAddress;
  return plan;
}

/** Carry a plan out: the OVS database first (vswitchd makes the bridges' devices), then the kernel side. */
export async function applyHostSetup(plan: HostSetupPlan, vswitch: Vswitch, host: Host, options: { deviceTimeoutMs?: number } = {}): Promise<void> {
  await vswitch.root();
  for (const b of plan.bridges) await vswitch.ensureBridge(b);
  for (const p of plan.ports) await vswitch.ensurePort(p.bridge, p.port);
  if (plan.sysctls.length > 0) await host.sysctl.writeMany(plan.sysctls);
  const a = plan.underlayAddress;
  if (a) {
    await waitForLink(host, a.dev, options.deviceTimeoutMs ?? 10_000);
    const has = (await host.facts.addresses(a.dev)).some((r) => r.address === a.address);
    await host.links.apply([
      ...(has ? [] : [{ op: 'addAddress' as const, dev: a.dev, address: a.address, prefix: a.prefix }]),
      { op: 'setUp', name: a.dev, up: true },
    ]);
  }
  // ovn-controller reads these: set last, once the bridges exist.
  await vswitch.setExternalIds(plan.externalIds);
}

async function waitForLink(host: Host, name: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await host.linkExists(name))) {
    if (Date.now() > deadline)
      throw operationFailed(`Open vSwitch did not create the device of bridge '${name}' within ${timeoutMs} ms (is ovs-vswitchd running?)`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** `ovs-appctl` against the vswitchd whose pid file is in `ovsRunDir`, run in `host`'s namespace. */
export async function ovsAppctl(runner: CommandRunner, ovsRunDir: string, args: readonly string[], target = 'ovs-vswitchd'): Promise<string> {
  const r = await runner.run({ argv: ['ovs-appctl', '-t', target, ...args], env: { OVS_RUNDIR: ovsRunDir, OVN_RUNDIR: ovsRunDir } });
  if (r.exitCode !== 0) throw operationFailed(`ovs-appctl ${args.join(' ')}: ${r.stderr.trim() || `exit status ${r.exitCode}`}`);
  return r.stdout;
}

/**
 * Seed the userspace datapath's tunnel neighbour table: for each peer
 * endpoint, its MAC as the kernel learns it on br-phy (one ping makes the
 * kernel ask), then `tnl/neigh/set`. Returns the peers seeded, by address.
 */
export async function seedTunnelNeighbours(o: {
  host: Host;
  runner: CommandRunner;
  ovsRunDir: string;
  peers: readonly string[];
  /** A MAC already known for a peer (the lab knows them all). */
  knownMacs?: ReadonlyMap<string, string>;
}): Promise<Map<string, string>> {
  const seeded = new Map<string, string>();
  await Promise.all(
    o.peers.map(async (peer) => {
      let mac = o.knownMacs?.get(peer);
      if (mac === undefined) {
        await o.runner.run({ argv: inNetnsArgv(o.host.netns, ['ping', '-c', '1', '-W', '1', peer]) });
        const r = await o.runner.run({
          argv: ['ip', ...(o.host.netns ? ['-n', o.host.netns] : []), '-j', 'neigh', 'show', 'to', peer, 'dev', UNDERLAY_BRIDGE],
        });
        const entries = JSON.parse(r.stdout || '[]') as { lladdr?: string }[];
        mac = entries.find((e) => e.lladdr)?.lladdr;
      }
      if (mac === undefined) return;
      await ovsAppctl(o.runner, o.ovsRunDir, ['tnl/neigh/set', UNDERLAY_BRIDGE, peer, mac]);
      seeded.set(peer, mac);
    }),
  );
  return seeded;
}
