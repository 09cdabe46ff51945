/**
 * net-list: virsh's filters (active by default, --inactive, --all, and the
 * OR-ed pairs --persistent/--transient and --autostart/--no-autostart),
 * one daemon call for the whole list, rows sorted by name ignoring case,
 * and the three output modes (--table, the default; --name; --uuid; only
 * one of them) plus --title (libvirt 9.8's Title column).
 *
 * This is the hot path of the CLI: it must not pull in anything big.
 */
import type { ListFilter, NetworkInfo } from '../../contract/network-api.js';
import type { CommandDef } from '../command.js';
import { formatTable } from '../table.js';
import { attempt } from './net-lifecycle.js';
import type { Shell } from '../shell.js';

const yesNo = (sh: Shell, b: boolean): string => (b ? sh.t('yes') : sh.t('no'));

/** vshStrcasecmp on names (ASCII case folding, then byte order). */
export function compareNames(a: string, b: string): number {
  const fa = a.replace(/[A-Z]/g, (c) => c.toLowerCase());
  const fb = b.replace(/[A-Z]/g, (c) => c.toLowerCase());
  return fa < fb ? -1 : fa > fb ? 1 : 0;
}

export const netList: CommandDef = {
  name: 'net-list',
  help: 'list networks',
  desc: 'Returns list of networks.',
  opts: [
    { name: 'inactive', kind: 'bool', help: 'list inactive networks' },
    { name: 'all', kind: 'bool', help: 'list inactive & active networks' },
    { name: 'persistent', kind: 'bool', help: 'list persistent networks' },
    { name: 'transient', kind: 'bool', help: 'list transient networks' },
    { name: 'autostart', kind: 'bool', help: 'list networks with autostart enabled' },
    { name: 'no-autostart', kind: 'bool', help: 'list networks with autostart disabled' },
    { name: 'uuid', kind: 'bool', help: "list uuid's only" },
    { name: 'name', kind: 'bool', help: 'list network names only' },
    { name: 'table', kind: 'bool', help: 'list table (default)' },
    { name: 'title', kind: 'bool', help: 'show network title' },
  ],
  probeInFirstCall: true,
  async run(sh, cmd) {
    const filter: ListFilter = { active: true };
    if (cmd.has('inactive')) {
      delete filter.active;
      filter.inactive = true;
    }
    if (cmd.has('all')) {
      filter.active = true;
      filter.inactive = true;
    }
    if (cmd.has('persistent')) filter.persistent = true;
    if (cmd.has('transient')) filter.transient = true;
    if (cmd.has('autostart')) filter.autostart = true;
    if (cmd.has('no-autostart')) filter.noAutostart = true;

    const optName = cmd.has('name');
    const optUuid = cmd.has('uuid');
    let optTable = cmd.has('table');
    if (Number(optTable) + Number(optName) + Number(optUuid) > 1) {
      sh.error(sh.t('Only one argument from --table, --name and --uuid may be specified.'));
      return false;
    }
    if (!optUuid && !optName) optTable = true;

    let list: NetworkInfo[] = [];
    const ok = await attempt(sh, sh.t('Failed to list networks'), async () => {
      list = await sh.client().list(filter);
    });
    if (!ok) return false;
    list = [...list].sort((a, b) => compareNames(a.name, b.name));

    if (optTable) {
      const title = cmd.has('title');
      const header = [sh.t('Name'), sh.t('State'), sh.t('Autostart'), sh.t('Persistent'), ...(title ? [sh.t('Title')] : [])];
      const rows = list.map((n) => {
        const row = [n.name, n.active ? sh.t('active') : sh.t('inactive'), yesNo(sh, n.autostart), yesNo(sh, n.persistent)];
        if (title) row.push(n.title ?? '');
        return row;
      });
      sh.print(formatTable(header, rows, !sh.quiet));
    } else if (optUuid) {
      sh.print(list.map((n) => `${n.uuid}\n`).join(''));
    } else {
      sh.print(list.map((n) => `${n.name}\n`).join(''));
    }
    return true;
  },
};
