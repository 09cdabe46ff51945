/**
 * `virtnet doctor --ovn`: whether this host can carry OVN networks, check
 * by check, each saying what it found and what `virtnet ovn-host-setup`
 * (or the operator) should do otherwise. Run it in the host's network
 * namespace: it reads the host's Open vSwitch database, its sysctls and
 * interfaces, asks ovs-vswitchd and ovn-controller through their control
 * sockets, and connects to the southbound database ovn-remote names.
 */
import { phrase } from '../contract/phrase.js';
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
const NO_OVSDB = phrase('no Open vSwitch database');

async function appctl(ctx: Ctx, target: string, args: string[]): Promise<{ ok: boolean; out: string }> {
  const r = await ctx.runner.run({ argv: ['ovs-appctl', '-t', target, ...args], env: { OVS_RUNDIR: ctx.ovsRunDir, OVN_RUNDIR: ctx.ovsRunDir } });
  return { ok: r.exitCode === 0, out: (r.exitCode === 0 ? r.stdout : r.stderr).trim() };
}

const userspace = (ctx: Ctx): boolean => ctx.ids['ovn-bridge-datapath-type'] === 'netdev' || !ctx.kernelDatapath;

export const OVN_CHECKS: readonly Check<Ctx>[] = [
  {
    code: 'OVN-OVSDB',
    title: phrase('Open vSwitch database'),
    async run(ctx) {
      try {
        const client = await OvsdbClient.connect(ctx.ovsDb);
        ctx.vswitch = new Vswitch(client);
        ctx.ids = await ctx.vswitch.externalIds();
        return ok(phrase('reachable at {db}', { db: ctx.ovsDb }));
      } catch (e) {
        return fail(
          (e as Error).message.replace(/^operation failed: /, ''),
          phrase('start ovsdb-server and ovs-vswitchd (openvswitch-switch), or name the socket with --ovs-db'),
        );
      }
    },
  },
  {
    code: 'OVN-DATAPATH',
    title: phrase('datapath'),
    async run(ctx) {
      if (!ctx.vswitch) return skip(NO_OVSDB);
      const want = ctx.kernelDatapath ? 'system' : 'netdev';
      const told = ctx.ids['ovn-bridge-datapath-type'] ?? 'system';
      const kernel = ctx.kernelDatapath
        ? phrase('the kernel has the openvswitch module')
        : phrase('the kernel has no openvswitch module (/sys/module/openvswitch)');
      if (told !== want && !(told === 'netdev' && ctx.kernelDatapath)) {
        return fail(
          phrase("{kernel}, but ovn-bridge-datapath-type is '{told}'", { kernel, told }),
          phrase('{setup} (it picks {want})', { setup: SETUP, want }),
        );
      }
      return ok(phrase('{datapath}; {kernel}', { datapath: told === 'netdev' ? phrase('userspace (netdev)') : phrase('kernel (system)'), kernel }));
    },
  },
  {
    code: 'OVN-CHASSIS',
    title: phrase('chassis name'),
    async run(ctx) {
      if (!ctx.vswitch) return skip(NO_OVSDB);
      const id = ctx.ids['system-id'];
      return id ? ok(`system-id '${id}'`) : fail(phrase('external_ids:system-id is not set'), `${SETUP} --chassis NAME`);
    },
  },
  {
    code: 'OVN-ENCAP',
    title: phrase('tunnel endpoint'),
    async run(ctx) {
      if (!ctx.vswitch) return skip(NO_OVSDB);
      const type = ctx.ids['ovn-encap-type'];
      const ip = ctx.ids['ovn-encap-ip'];
      if (!type || !ip) return fail(`ovn-encap-type '${type ?? ''}', ovn-encap-ip '${ip ?? ''}'`, SETUP);
      const holders = (await ctx.host.facts.addresses()).filter((a) => a.address === ip).map((a) => a.dev);
      if (holders.length === 0)
        return fail(
          phrase('{type} from {ip}, but no interface here has that address', { type, ip }),
          phrase('put {ip} on {dev} ({setup})', { ip, dev: userspace(ctx) ? UNDERLAY_BRIDGE : phrase('the underlay NIC'), setup: SETUP }),
        );
      if (userspace(ctx) && !holders.includes(UNDERLAY_BRIDGE)) {
        return fail(
          phrase("{ip} is on {devs}, not on {bridge}: userspace tunnels use OVS's own routes", {
            ip,
            devs: holders.join(', '),
            bridge: UNDERLAY_BRIDGE,
          }),
          `${SETUP} --underlay-nic NIC`,
        );
      }
      return ok(phrase('{type} from {ip} on {devs}', { type, ip, devs: holders.join(', ') }));
    },
  },
  {
    code: 'OVN-BR-INT',
    title: phrase('integration bridge'),
    async run(ctx) {
      if (!ctx.vswitch) return skip(NO_OVSDB);
      const [br] = await ctx.vswitch.client.transact('Open_vSwitch', [
        select('Bridge', [['name', '==', INTEGRATION_BRIDGE]], ['datapath_type', 'fail_mode']),
      ]);
      const row = br.rows[0];
      if (!row) return fail(phrase('no bridge {bridge}', { bridge: INTEGRATION_BRIDGE }), SETUP);
      const dp = stringOf(row.datapath_type) || 'system';
      const mode = stringOf(row.fail_mode);
      if (userspace(ctx) && dp !== 'netdev')
        return fail(phrase("{bridge} has datapath_type '{datapath}' on a userspace host", { bridge: INTEGRATION_BRIDGE, datapath: dp }), SETUP);
      if (mode !== 'secure')
        return warn(`${INTEGRATION_BRIDGE} fail_mode '${mode || 'standalone'}'`, `ovs-vsctl set-fail-mode ${INTEGRATION_BRIDGE} secure`);
      return ok(phrase('{bridge}, datapath {datapath}, fail_mode secure', { bridge: INTEGRATION_BRIDGE, datapath: dp }));
    },
  },
  {
    code: 'OVN-UNDERLAY',
    title: phrase('underlay NIC'),
    async run(ctx) {
      if (!ctx.vswitch) return skip(NO_OVSDB);
      if (!userspace(ctx)) return skip(phrase('kernel datapath: the underlay stays a kernel interface'));
      const ports = (await ctx.vswitch.ports(UNDERLAY_BRIDGE)).filter((p) => p !== UNDERLAY_BRIDGE);
      if (ports.length === 0) return fail(phrase('{bridge} has no NIC', { bridge: UNDERLAY_BRIDGE }), `${SETUP} --underlay-nic NIC`);
      const nic = ports[0] as string;
      const arp = await ctx.host.sysctl.read(['net', 'ipv4', 'conf', nic, 'arp_ignore']);
      if (arp !== '1')
        return fail(
          phrase("{nic} in {bridge}, arp_ignore={value}: the kernel answers ARP for {bridge}'s address with {nic}'s MAC", {
            nic,
            bridge: UNDERLAY_BRIDGE,
            value: arp ?? phrase('unknown'),
          }),
          `sysctl -w net.ipv4.conf.${nic}.arp_ignore=1 (${SETUP})`,
        );
      return ok(phrase('{nic} in {bridge}, arp_ignore=1', { nic, bridge: UNDERLAY_BRIDGE }));
    },
  },
  {
    code: 'OVN-MTU',
    title: phrase('overlay MTU'),
    async run(ctx) {
      if (!ctx.vswitch) return skip(NO_OVSDB);
      const ip = ctx.ids['ovn-encap-ip'];
      const dev = (await ctx.host.facts.addresses()).find((a) => a.address === ip)?.dev;
      const link = dev !== undefined ? await ctx.host.facts.link(dev) : undefined;
      if (link === undefined) return skip(phrase('no interface carries the encap address'));
      const type = (ctx.ids['ovn-encap-type'] ?? 'geneve') as EncapType;
      const overlay = link.mtu - encapOverhead(type, ip?.includes(':') ? 'ipv6' : 'ipv4');
      const recorded = ctx.ids[OVERLAY_MTU_KEY];
      if (recorded !== undefined && Number(recorded) !== overlay)
        return warn(
          phrase('underlay {dev} MTU {mtu} gives {overlay}, but {key} says {recorded}', {
            dev: dev ?? '',
            mtu: link.mtu,
            overlay,
            key: OVERLAY_MTU_KEY,
            recorded,
          }),
          phrase("{setup} (records it again), and give OVN networks <mtu size='{overlay}'/> or less", { setup: SETUP, overlay }),
        );
      return ok(phrase('underlay {dev} MTU {mtu}: guests get at most {overlay} ({type})', { dev: dev ?? '', mtu: link.mtu, overlay, type }));
    },
  },
  {
    code: 'OVN-REMOTE',
    title: phrase('southbound database'),
    async run(ctx) {
      if (!ctx.vswitch) return skip(NO_OVSDB);
      const remote = ctx.ids['ovn-remote'];
      if (!remote) return fail(phrase('external_ids:ovn-remote is not set'), SETUP);
      let sb: OvsdbClient;
      try {
        sb = await OvsdbClient.connect(remote.split(',')[0] as string, { connectTimeoutMs: 3000 });
      } catch (e) {
        return fail(
          (e as Error).message.replace(/^operation failed: /, ''),
          phrase('check the address, the route to the OVN central host and its firewall (port 6642)'),
        );
      }
      try {
        ctx.chassis = await southboundChassis(sb);
        return ok(phrase('{remote}: {count} chassis', { remote, count: ctx.chassis.length }));
      } finally {
        sb.close();
      }
    },
  },
  {
    code: 'OVN-REGISTERED',
    title: phrase('chassis registered'),
    async run(ctx) {
      const id = ctx.ids['system-id'];
      if (ctx.chassis === undefined || !id) return skip(phrase('no southbound database or no system-id'));
      const me = ctx.chassis.find((c) => c.name === id);
      if (!me)
        return fail(
          phrase("'{id}' is not among the southbound chassis ({chassis})", {
            id,
            chassis: ctx.chassis.length > 0 ? ctx.chassis.map((c) => c.name).join(', ') : phrase('none'),
          }),
          phrase('start ovn-controller on this host (ovn-host); it registers the chassis'),
        );
      const status = await appctl(ctx, 'ovn-controller', ['connection-status']);
      if (status.ok && status.out !== 'connected')
        return warn(phrase("'{id}' registered, ovn-controller says '{status}'", { id, status: status.out }), phrase('look at ovn-controller.log'));
      return ok(
        phrase("'{id}' with tunnel {ips}{connected}", {
          id,
          ips: me.ips.join(', '),
          connected: status.ok ? phrase(', ovn-controller connected') : '',
        }),
      );
    },
  },
  {
    code: 'OVN-TUNNEL-NEIGH',
    title: phrase('tunnel neighbours'),
    async run(ctx) {
      if (ctx.chassis === undefined || !ctx.vswitch) return skip(phrase('no southbound database'));
      if (!userspace(ctx)) return skip(phrase('kernel datapath: the kernel resolves tunnel neighbours'));
      const peers = ctx.chassis.filter((c) => c.name !== ctx.ids['system-id']).flatMap((c) => c.ips);
      if (peers.length === 0) return ok(phrase('no other chassis'));
      const shown = await appctl(ctx, 'ovs-vswitchd', ['tnl/neigh/show']);
      if (!shown.ok)
        return fail(`ovs-appctl tnl/neigh/show: ${shown.out}`, phrase('is ovs-vswitchd running? name its run directory with --ovs-rundir'));
      const known = new Set(shown.out.split('\n').map((l) => l.trim().split(/\s+/)[0]));
      const missing = peers.filter((p) => !known.has(p));
      if (missing.length > 0)
        return warn(
          phrase('no neighbour entry for {peers}: OVS drops the first packet to each', { peers: missing.join(', ') }),
          phrase('{setup} (seeds them), or ovs-appctl tnl/neigh/set {bridge} IP MAC', { setup: SETUP, bridge: UNDERLAY_BRIDGE }),
        );
      return ok(
        peers.length === 1
          ? phrase('1 peer known: {peers}', { peers: peers.join(', ') })
          : phrase('{count} peers known: {peers}', { count: peers.length, peers: peers.join(', ') }),
      );
    },
  },
];

export const OVN_GROUP: CheckGroup = {
  name: 'ovn',
  title: phrase('OVN on this host'),
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
