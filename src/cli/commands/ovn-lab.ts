/**
 * `virtnet lab start|stop|status`: the multi-host OVN lab on this machine
 * (src/lab). Runs locally, without a daemon; needs root, Open vSwitch and
 * OVN installed. Start prints how to reach each host's virtnetd.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CommandDef } from '../command.js';
import type { Shell } from '../shell.js';
import { optString, optUInt } from '../options.js';

/** virtnetd beside this bundle (dist/virtnetd.js), run as bin/virtnetd runs it. */
function bundledVirtnetd(): string[] | undefined {
  const path = fileURLToPath(new URL('./virtnetd.js', import.meta.url));
  return existsSync(path) ? [process.execPath, '--max-semi-space-size=1', path] : undefined;
}

export const labCmd: CommandDef = {
  name: 'lab',
  help: 'start, show or remove a multi-host OVN lab on this machine',
  desc:
    'start: OVN central and N hosts, each with its own Open vSwitch, ovn-controller and\n' +
    '    virtnetd, joined by an underlay, with an uplink standing in for the outside world,\n' +
    "    all in network namespaces (nothing changes in the host's own).\n" +
    '    stop: end every process of the lab by PID and remove its namespaces and files.\n' +
    "    status: the lab's hosts and how to reach them.",
  opts: [
    { name: 'action', kind: 'data', required: true, help: 'start, stop or status' },
    { name: 'hosts', kind: 'int', named: true, help: 'number of hosts (start; default 3)' },
    { name: 'dir', kind: 'string', named: true, help: 'where the lab keeps its files (default /tmp/virtnet-lab)', complete: 'file' },
    { name: 'no-daemons', kind: 'bool', help: 'start no virtnetd on the hosts' },
  ],
  noConnect: true,
  async run(sh, cmd) {
    const { DEFAULT_LAB_DIR, labLayout } = await import('../../lab/layout.js');
    const { readLabState, startLab, stopLab } = await import('../../lab/lab.js');
    const action = cmd.raw('action');
    const dir = optString(sh, cmd, 'dir') ?? DEFAULT_LAB_DIR;
    try {
      if (action === 'start') {
        const hosts = optUInt(sh, cmd, 'hosts') ?? 3;
        let virtnetd: string[] | null = null;
        if (!cmd.has('no-daemons')) {
          virtnetd = bundledVirtnetd() ?? null;
          if (virtnetd === null) {
            sh.error(sh.t("virtnetd's bundle (dist/virtnetd.js) is missing: build it with 'npm run build', or use --no-daemons"));
            return false;
          }
        }
        const lab = await startLab({ dir, hosts, virtnetd, log: (line) => sh.printExtra(`${sh.tr.say(line)}\n`) });
        sh.print(describeLab(sh, lab.layout, virtnetd !== null));
        return true;
      }
      if (action === 'stop') {
        const r = await stopLab(dir);
        sh.print(
          sh.t('lab in {dir}: ended {processes}, removed {namespaces}\n', {
            dir,
            processes: r.ended.length === 1 ? sh.t('1 process') : sh.t('{count} processes', { count: r.ended.length }),
            namespaces: r.namespaces.length === 1 ? sh.t('1 namespace') : sh.t('{count} namespaces', { count: r.namespaces.length }),
          }),
        );
        return true;
      }
      if (action === 'status') {
        const state = await readLabState(dir);
        if (state === undefined) {
          sh.print(sh.t('no lab in {dir}\n', { dir }));
          return true;
        }
        sh.print(
          describeLab(
            sh,
            labLayout(dir, state.hosts),
            state.virtnetds.length > 0,
            state.ready ? undefined : sh.t('not ready (a start failed or is under way)'),
          ),
        );
        return true;
      }
      sh.error(sh.t("unknown lab action '{action}': use start, stop or status", { action: action ?? '' }));
      return false;
    } catch (e) {
      sh.saveError(e);
      return false;
    }
  },
};

function describeLab(sh: Shell, layout: import('../../lab/layout.js').LabLayout, daemons: boolean, note?: string): string {
  const lines = [
    note
      ? sh.t('lab {prefix} in {dir}: {note}', { prefix: layout.prefix, dir: layout.dir, note })
      : sh.t('lab {prefix} in {dir}', { prefix: layout.prefix, dir: layout.dir }),
  ];
  lines.push(`  northbound: ${layout.central.northbound}   (ovn-nbctl --db=${layout.central.northbound} show)`);
  lines.push(`  southbound: ${layout.central.southbound}`);
  lines.push(
    sh.t("  uplink:     {address} in namespace {netns}, physical network 'uplink' on every host", {
      address: `${layout.uplink.address}/${layout.uplink.prefix}`,
      netns: layout.uplink.netns,
    }),
  );
  for (const h of layout.hosts) {
    const reach = daemons ? `virtnet -c unix://${h.socket}` : sh.t('namespace {netns}', { netns: h.netns });
    lines.push(sh.t('  {host}: chassis {host}, tunnel {ip}, {reach}', { host: h.name, ip: h.encapIp, reach }));
  }
  const h1 = layout.hosts[0];
  if (h1)
    lines.push(
      sh.t('  check a host: {command}', {
        command: `ip netns exec ${h1.netns} virtnet doctor --ovn --ovs-db ${h1.ovsDb} --ovs-rundir ${h1.ovs.run}`,
      }),
    );
  return `${lines.join('\n')}\n`;
}
