/**
 * `virtnet ovn-host-setup`: prepare this host for OVN networks
 * (src/ovn/host-setup.ts) — the external_ids ovn-controller reads, br-int,
 * and on a kernel without the openvswitch module the userspace datapath with
 * its workarounds; then seed the tunnel neighbours of the chassis the
 * southbound database lists. Run it in the host's network namespace; it
 * neither installs nor starts the daemons.
 */
import { hostname } from 'node:os';
import type { CommandDef } from '../command.js';
import { optRequired, optString } from '../options.js';

export const ovnHostSetupCmd: CommandDef = {
  name: 'ovn-host-setup',
  help: 'prepare this host for OVN networks',
  desc:
    'Configure the local Open vSwitch for ovn-controller: chassis name, southbound remote,\n' +
    "    Geneve (or VXLAN) from --encap-ip, br-int, bridge mappings; without the kernel's\n" +
    '    openvswitch module, the userspace datapath: --underlay-nic becomes a port of br-phy,\n' +
    '    which carries the address, with arp_ignore=1 on the NIC and the tunnel neighbours seeded.',
  opts: [
    { name: 'encap-ip', kind: 'string', required: true, named: true, help: "this host's tunnel address, IP[/PREFIX]" },
    { name: 'remote', kind: 'string', required: true, named: true, help: 'the southbound database, tcp:HOST:PORT' },
    { name: 'chassis', kind: 'string', named: true, help: 'the chassis name (default: the current system-id, else the hostname)' },
    { name: 'encap-type', kind: 'string', named: true, help: 'geneve (default) or vxlan' },
    { name: 'underlay-nic', kind: 'string', named: true, help: 'userspace datapath: the NIC the tunnel address is reached through' },
    { name: 'bridge-mappings', kind: 'string', named: true, help: 'PHYSNET:BRIDGE[:NIC],... provider networks (e.g. uplink:br-ext:eth1)' },
    { name: 'datapath', kind: 'string', named: true, help: 'auto (default), system or netdev' },
    { name: 'peers', kind: 'string', named: true, help: 'tunnel peers to seed, IP,...  (default: the other chassis in the southbound database)' },
    { name: 'ovs-db', kind: 'string', named: true, help: "this host's Open vSwitch database (default unix:/run/openvswitch/db.sock)" },
    { name: 'ovs-rundir', kind: 'string', named: true, help: "ovs-vswitchd's run directory (default /run/openvswitch)", complete: 'file' },
    { name: 'dry-run', kind: 'bool', help: 'print what would be done, change nothing' },
  ],
  noConnect: true,
  async run(sh, cmd) {
    const { OvsdbClient } = await import('../../ovsdb/client.js');
    const { Vswitch } = await import('../../ovn/vswitch.js');
    const { LinuxHost } = await import('../../host/linux.js');
    const { ExecRunner } = await import('../../host/runner.js');
    const setup = await import('../../ovn/host-setup.js');
    const { DEFAULT_OVS_DB } = await import('../../ovn/local-ovs.js');
    const { DEFAULT_OVS_RUNDIR, southboundChassis } = await import('../../ovn/doctor.js');
    const [encapIp, prefixText] = optRequired(sh, cmd, 'encap-ip').split('/') as [string, string | undefined];
    const remote = optRequired(sh, cmd, 'remote');
    const encapType = optString(sh, cmd, 'encap-type') ?? 'geneve';
    if (encapType !== 'geneve' && encapType !== 'vxlan') {
      sh.error(sh.t("invalid --encap-type '{value}': use geneve or vxlan", { value: encapType }));
      return false;
    }
    const datapath = optString(sh, cmd, 'datapath') ?? 'auto';
    if (!['auto', 'system', 'netdev'].includes(datapath)) {
      sh.error(sh.t("invalid --datapath '{value}': use auto, system or netdev", { value: datapath }));
      return false;
    }
    const mappings = (optString(sh, cmd, 'bridge-mappings') ?? '')
      .split(',')
      .filter((m) => m !== '')
      .map((m) => {
        const [physnet, bridge, nic] = m.split(':');
        return { physnet: physnet ?? '', bridge: bridge ?? '', ...(nic ? { nic } : {}) };
      });
    if (mappings.some((m) => m.physnet === '' || m.bridge === '')) {
      sh.error(sh.t('invalid --bridge-mappings: use PHYSNET:BRIDGE[:NIC],...'));
      return false;
    }
    const ovsDb = optString(sh, cmd, 'ovs-db') ?? DEFAULT_OVS_DB;
    const ovsRunDir = optString(sh, cmd, 'ovs-rundir') ?? DEFAULT_OVS_RUNDIR;
    const runner = new ExecRunner();
    const host = new LinuxHost({ runner });
    let client: Awaited<ReturnType<typeof OvsdbClient.connect>>;
    try {
      client = await OvsdbClient.connect(ovsDb);
    } catch (e) {
      sh.saveError(e);
      return false;
    }
    try {
      const vswitch = new Vswitch(client);
      const ids = await vswitch.externalIds();
      const holder = (await host.facts.addresses()).find((a) => a.address === encapIp);
      const nic = optString(sh, cmd, 'underlay-nic') ?? (holder && holder.dev !== setup.UNDERLAY_BRIDGE ? holder.dev : undefined);
      const mtuDev = nic ?? holder?.dev;
      const underlayMtu = (mtuDev !== undefined ? (await host.facts.link(mtuDev))?.mtu : undefined) ?? 1500;
      const systemId = optString(sh, cmd, 'chassis') ?? ids['system-id'] ?? hostname();
      const plan = setup.planHostSetup(
        {
          encapIp,
          encapType,
          remote,
          systemId,
          datapath: datapath as 'auto' | 'system' | 'netdev',
          bridgeMappings: mappings,
          ...(prefixText !== undefined ? { encapPrefix: Number(prefixText) } : holder ? { encapPrefix: holder.prefix } : {}),
          ...(nic !== undefined ? { underlayNic: nic } : {}),
        },
        { kernelDatapath: setup.kernelDatapathLoaded(), underlayMtu },
      );
      for (const step of plan.summary) {
        const what = sh.tr.say(step);
        sh.print(cmd.has('dry-run') ? sh.t('would set: {what}\n', { what }) : sh.t('setting: {what}\n', { what }));
      }
      if (cmd.has('dry-run')) return true;
      await setup.applyHostSetup(plan, vswitch, host);
      if (plan.underlayAddress && holder !== undefined && holder.dev !== plan.underlayAddress.dev) {
        // The address moved to br-phy: the NIC keeps none (routes through it must follow to br-phy).
        await host.links.apply([{ op: 'removeAddress', dev: holder.dev, address: holder.address, prefix: holder.prefix }]);
        sh.print(
          sh.t('moved {address} from {from} to {to}: routes through {from} must now go through {to}\n', {
            address: `${encapIp}/${holder.prefix}`,
            from: holder.dev,
            to: plan.underlayAddress.dev,
          }),
        );
      }
      if (plan.datapath === 'netdev') {
        let peers = (optString(sh, cmd, 'peers') ?? '').split(',').filter((p) => p !== '');
        if (peers.length === 0) {
          try {
            const sb = await OvsdbClient.connect(remote, { connectTimeoutMs: 3000 });
            try {
              peers = (await southboundChassis(sb)).filter((c) => c.name !== systemId).flatMap((c) => c.ips);
            } finally {
              sb.close();
            }
          } catch (e) {
            sh.print(
              sh.t('tunnel neighbours not seeded: {why} (run again once the southbound database is up, or give --peers)\n', {
                why: (e as Error).message.replace(/^operation failed: /, ''),
              }),
            );
          }
        }
        if (peers.length > 0) {
          const seeded = await setup.seedTunnelNeighbours({ host, runner, ovsRunDir, peers });
          sh.print(
            sh.t('tunnel neighbours seeded: {peers}\n', {
              peers: [...seeded].map(([ip, mac]) => `${ip}=${mac}`).join(', ') || sh.t('none answered'),
            }),
          );
        }
      }
      sh.print(sh.t("host ready for OVN as chassis '{chassis}'; check it with: virtnet doctor --ovn\n", { chassis: systemId }));
      return true;
    } catch (e) {
      sh.saveError(e);
      return false;
    } finally {
      client.close();
    }
  },
};
