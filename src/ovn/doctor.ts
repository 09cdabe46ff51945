/**
 * `virtnet doctor --ovn`: whether this host can carry OVN networks, check
 * by check, each saying what it found and what `virtnet ovn-host-setup`
 * (or the operator) should do otherwise. Run it in the host's network
 * namespace: it reads the host's Open vSwitch database, its sysctls and
 * interfaces, asks ovs-vswitchd and ovn-controller through their control
 * sockets, and connects to the southbound database ovn-remote names.
 */
import { type Check, type CheckGroup, type CheckResult, type DoctorOptions, fail, ok, runChecks, skip, warn } from '../doctor/checks.js';
import { LinuxHost } from '../host/linux.js';
import { ExecRunner, type CommandRunner } from '../host/runner.js';
import { OvsdbClient } from '../ovsdb/client.js';
import { select } from '../ovsdb/operations.js';
import { rowUuid, stringOf, uuidsOf } from '../ovsdb/values.js';
import { encapOverhead, INTEGRATION_BRIDGE, kernelDatapathLoaded, OVERLAY_MTU_KEY, UNDERLAY_BRIDGE, type EncapType } from './host-setup.js';
import { DEFAULT_OVS_DB } from './local-ovs.js';
import { Vswitch } from './vswitch.js';

export const DEFAULT_OVS_RUNDIR = '/run/openvswitch';

interface Ctx {
  ovsDb: string;
  ovsRunDir: string;
  host: LinuxHost;
  runner: CommandRunner;
  kernelDatapath: boolean;
  vswitch?: Vswitch;
  ids: Record<string, string>;
  /** Chassis of the southbound database: name and encap addresses. */
  chassis?: { name: string; ips: string[] }[];
}

const SETUP = 'virtnet ovn-host-setup --encap-ip IP --remote tcp:CENTRAL:6642';

async function appctl(ctx: Ctx, target: string, args: string[]): Promise<{ ok: boolean; out: string }> {
  const r = await ctx.runner.run({ argv: ['ovs-appctl', '-t', target, ...args], env: { OVS_RUNDIR: ctx.ovsRunDir, OVN_RUNDIR: ctx.ovsRunDir } });
  return { ok: r.exitCode === 0, out: (r.exitCode === 0 ? r.stdout : r.stderr).trim() };
}

const userspace = (ctx: Ctx): boolean => ctx.ids['ovn-bridge-datapath-type'] === 'netdev' || !ctx.kernelDatapath;

export const OVN_CHECKS: readonly Check<Ctx>[] = [
  {
    code: 'OVN-OVSDB',
    title: 'Open vSwitch database',
    async run(ctx) {
      try {
        const client = await OvsdbClient.connect(ctx.ovsDb);
        ctx.vswitch = new Vswitch(client);
        ctx.ids = await ctx.vswitch.externalIds();
        return ok(`reachable at ${ctx.ovsDb}`);
      } catch (e) {
        return fail(
          (e as Error).message.replace(/^operation failed: /, ''),
          `start ovsdb-server and ovs-vswitchd (openvswitch-switch), or name the socket with --ovs-db`,
        );
      }
    },
  },
  {
    code: 'OVN-DATAPATH',
    title: 'datapath',
    async run(ctx) {
      if (!ctx.vswitch) return skip('no Open vSwitch database');
      const want = ctx.kernelDatapath ? 'system' : 'netdev';
      const told = ctx.ids['ovn-bridge-datapath-type'] ?? 'system';
      const kernel = ctx.kernelDatapath ? 'the kernel has the openvswitch module' : 'the kernel has no openvswitch module (/sys/module/openvswitch)';
      if (told !== want && !(told === 'netdev' && ctx.kernelDatapath)) {
        return fail(`${kernel}, but ovn-bridge-datapath-type is '${told}'`, `${SETUP} (it picks ${want})`);
      }
      return ok(`${told === 'netdev' ? 'userspace (netdev)' : 'kernel (system)'}; ${kernel}`);
    },
  },
  {
    code: 'OVN-CHASSIS',
    title: 'chassis name',
    async run(ctx) {
      if (!ctx.vswitch) return skip('no Open vSwitch database');
      const id = ctx.ids['system-id'];
      return id ? ok(`system-id '${id}'`) : fail('external_ids:system-id is not set', `${SETUP} --chassis NAME`);
    },
  },
  {
    code: 'OVN-ENCAP',
    title: 'tunnel endpoint',
    async run(ctx) {
      if (!ctx.vswitch) return skip('no Open vSwitch database');
      const type = ctx.ids['ovn-encap-type'];
      const ip = ctx.ids['ovn-encap-ip'];
      if (!type || !ip) return fail(`ovn-encap-type '${type ?? ''}', ovn-encap-ip '${ip ?? ''}'`, SETUP);
      const holders = (await ctx.host.facts.addresses()).filter((a) => a.address === ip).map((a) => a.dev);
      if (holders.length === 0)
        return fail(
          `${type} from ${ip}, but no interface here has that address`,
          `put ${ip} on ${userspace(ctx) ? UNDERLAY_BRIDGE : 'the underlay NIC'} (${SETUP})`,
        );
      if (userspace(ctx) && !holders.includes(UNDERLAY_BRIDGE)) {
        return fail(
          `${ip} is on ${holders.join(', ')}, not on ${UNDERLAY_BRIDGE}: userspace tunnels use OVS's own routes`,
          `${SETUP} --underlay-nic NIC`,
        );
      }
      return ok(`${type} from ${ip} on ${holders.join(', ')}`);
    },
  },
  {
    code: 'OVN-BR-INT',
    title: 'integration bridge',
    async run(ctx) {
      if (!ctx.vswitch) return skip('no Open vSwitch database');
      const [br] = await ctx.vswitch.client.transact('Open_vSwitch', [
        select('Bridge', [['name', '==', INTEGRATION_BRIDGE]], ['datapath_type', 'fail_mode']),
      ]);
      const row = br.rows[0];
      if (!row) return fail(`no bridge ${INTEGRATION_BRIDGE}`, SETUP);
      const dp = stringOf(row.datapath_type) || 'system';
      const mode = stringOf(row.fail_mode);
      if (userspace(ctx) && dp !== 'netdev') return fail(`${INTEGRATION_BRIDGE} has datapath_type '${dp}' on a userspace host`, SETUP);
      if (mode !== 'secure')
        return warn(`${INTEGRATION_BRIDGE} fail_mode '${mode || 'standalone'}'`, `ovs-vsctl set-fail-mode ${INTEGRATION_BRIDGE} secure`);
      return ok(`${INTEGRATION_BRIDGE}, datapath ${dp}, fail_mode secure`);
    },
  },
  {
    code: 'OVN-UNDERLAY',
    title: 'underlay NIC',
    async run(ctx) {
      if (!ctx.vswitch) return skip('no Open vSwitch database');
      if (!userspace(ctx)) return skip('kernel datapath: the underlay stays a kernel interface');
      const ports = (await ctx.vswitch.ports(UNDERLAY_BRIDGE)).filter((p) => p !== UNDERLAY_BRIDGE);
      if (ports.length === 0) return fail(`${UNDERLAY_BRIDGE} has no NIC`, `${SETUP} --underlay-nic NIC`);
      const nic = ports[0] as string;
      const arp = await ctx.host.sysctl.read(['net', 'ipv4', 'conf', nic, 'arp_ignore']);
      if (arp !== '1')
        return fail(
          `${nic} in ${UNDERLAY_BRIDGE}, arp_ignore=${arp ?? 'unknown'}: the kernel answers ARP for ${UNDERLAY_BRIDGE}'s address with ${nic}'s MAC`,
          `sysctl -w net.ipv4.conf.${nic}.arp_ignore=1 (${SETUP})`,
        );
      return ok(`${nic} in ${UNDERLAY_BRIDGE}, arp_ignore=1`);
    },
  },
  {
    code: 'OVN-MTU',
    title: 'overlay MTU',
    async run(ctx) {
      if (!ctx.vswitch) return skip('no Open vSwitch database');
      const ip = ctx.ids['ovn-encap-ip'];
      const dev = (await ctx.host.facts.addresses()).find((a) => a.address === ip)?.dev;
      const link = dev !== undefined ? await ctx.host.facts.link(dev) : undefined;
      if (link === undefined) return skip('no interface carries the encap address');
      const type = (ctx.ids['ovn-encap-type'] ?? 'geneve') as EncapType;
      const overlay = link.mtu - encapOverhead(type, ip?.includes(':') ? 'ipv6' : 'ipv4');
      const recorded = ctx.ids[OVERLAY_MTU_KEY];
      if (recorded !== undefined && Number(recorded) !== overlay)
        return warn(
          `underlay ${dev} MTU ${link.mtu} gives ${overlay}, but ${OVERLAY_MTU_KEY} says ${recorded}`,
          `${SETUP} (records it again), and give OVN networks <mtu size='${overlay}'/> or less`,
        );
      return ok(`underlay ${dev} MTU ${link.mtu}: guests get at most ${overlay} (${type})`);
    },
  },
  {
    code: 'OVN-REMOTE',
    title: 'southbound database',
    async run(ctx) {
      if (!ctx.vswitch) return skip('no Open vSwitch database');
      const remote = ctx.ids['ovn-remote'];
      if (!remote) return fail('external_ids:ovn-remote is not set', SETUP);
      let sb: OvsdbClient;
      try {
        sb = await OvsdbClient.connect(remote.split(',')[0] as string, { connectTimeoutMs: 3000 });
      } catch (e) {
        return fail(
          (e as Error).message.replace(/^operation failed: /, ''),
          'check the address, the route to the OVN central host and its firewall (port 6642)',
        );
      }
      try {
        ctx.chassis = await southboundChassis(sb);
        return ok(`${remote}: ${ctx.chassis.length} chassis`);
      } finally {
        sb.close();
      }
    },
  },
  {
    code: 'OVN-REGISTERED',
    title: 'chassis registered',
    async run(ctx) {
      const id = ctx.ids['system-id'];
      if (ctx.chassis === undefined || !id) return skip('no southbound database or no system-id');
      const me = ctx.chassis.find((c) => c.name === id);
      if (!me)
        return fail(
          `'${id}' is not among the southbound chassis (${ctx.chassis.map((c) => c.name).join(', ') || 'none'})`,
          'start ovn-controller on this host (ovn-host); it registers the chassis',
        );
      const status = await appctl(ctx, 'ovn-controller', ['connection-status']);
      if (status.ok && status.out !== 'connected')
        return warn(`'${id}' registered, ovn-controller says '${status.out}'`, 'look at ovn-controller.log');
      return ok(`'${id}' with tunnel ${me.ips.join(', ')}${status.ok ? ', ovn-controller connected' : ''}`);
    },
  },
  {
    code: 'OVN-TUNNEL-NEIGH',
    title: 'tunnel neighbours',
    async run(ctx) {
      if (ctx.chassis === undefined || !ctx.vswitch) return skip('no southbound database');
      if (!userspace(ctx)) return skip('kernel datapath: the kernel resolves tunnel neighbours');
      const peers = ctx.chassis.filter((c) => c.name !== ctx.ids['system-id']).flatMap((c) => c.ips);
      if (peers.length === 0) return ok('no other chassis');
      const shown = await appctl(ctx, 'ovs-vswitchd', ['tnl/neigh/show']);
      if (!shown.ok) return fail(`ovs-appctl tnl/neigh/show: ${shown.out}`, 'is ovs-vswitchd running? name its run directory with --ovs-rundir');
      const known = new Set(shown.out.split('\n').map((l) => l.trim().split(/\s+/)[0]));
      const missing = peers.filter((p) => !known.has(p));
      if (missing.length > 0)
        return warn(
          `no neighbour entry for ${missing.join(', ')}: OVS drops the first packet to each`,
          `${SETUP} (seeds them), or ovs-appctl tnl/neigh/set ${UNDERLAY_BRIDGE} IP MAC`,
        );
      return ok(`${peers.length} peer${peers.length === 1 ? '' : 's'} known: ${peers.join(', ')}`);
    },
  },
];

export const OVN_GROUP: CheckGroup = {
  name: 'ovn',
  title: 'OVN on this host',
  async run(options: DoctorOptions): Promise<CheckResult[]> {
    const runner = new ExecRunner();
    const ctx: Ctx = {
      ovsDb: options.ovsDb ?? DEFAULT_OVS_DB,
      ovsRunDir: options.ovsRunDir ?? DEFAULT_OVS_RUNDIR,
      host: new LinuxHost({ runner }),
      runner,
      kernelDatapath: kernelDatapathLoaded(),
      ids: {},
    };
    try {
      return await runChecks(OVN_CHECKS, ctx);
    } finally {
      ctx.vswitch?.client.close();
    }
  },
};

/** The chassis of a southbound database, with their tunnel addresses. */
export async function southboundChassis(sb: OvsdbClient): Promise<{ name: string; ips: string[] }[]> {
  const [chassis, encaps] = await sb.transact('OVN_Southbound', [select('Chassis', [], ['name', 'encaps']), select('Encap', [], ['_uuid', 'ip'])]);
  const ipOf = new Map(encaps.rows.map((e) => [rowUuid(e).value, stringOf(e.ip)]));
  return chassis.rows.map((c) => ({ name: stringOf(c.name), ips: uuidsOf(c.encaps).flatMap((u) => ipOf.get(u.value) ?? []) }));
}
