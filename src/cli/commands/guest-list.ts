/**
 * list: virsh's domain list. Running guests by default, --inactive for the
 * stopped ones, --all for both; --persistent/--transient OR-ed with each
 * other and AND-ed with the rest. Running guests come first, by id, then
 * the others by name ignoring case (virshDomainSorter).
 *
 * Output: the table (Id, Name, State[, Title]; Id `-` and State "shut off"
 * for a stopped guest), or, with any of --uuid, --id and --name, one line
 * per guest holding those fields in that order, separated by a space (a
 * stopped guest's id is `-`; with --id alone it is left out). --table
 * cannot be combined with the other three.
 */
import type { GuestInfo } from '../../contract/guest-api.js';
import type { CommandDef } from '../command.js';
import { exclusive } from '../options.js';
import { formatTable } from '../table.js';
import { attempt } from './net-lifecycle.js';
import { compareNames } from './net-list.js';

/** virshDomainSorter. */
function compareGuests(a: GuestInfo, b: GuestInfo): number {
  if (a.active && b.active) return (a.id ?? 0) - (b.id ?? 0);
  if (a.active !== b.active) return a.active ? -1 : 1;
  return compareNames(a.name, b.name);
}

/** virshDomainStateToString for the two states a guest has. */
const guestState = (g: GuestInfo): 'running' | 'shut off' => (g.active ? 'running' : 'shut off');

export const listCmd: CommandDef = {
  name: 'list',
  help: 'list domains',
  desc: 'Returns list of domains.',
  opts: [
    { name: 'inactive', kind: 'bool', help: 'list inactive domains' },
    { name: 'all', kind: 'bool', help: 'list inactive & active domains' },
    { name: 'transient', kind: 'bool', help: 'list transient domains' },
    { name: 'persistent', kind: 'bool', help: 'list persistent domains' },
    { name: 'uuid', kind: 'bool', help: "list uuid's only" },
    { name: 'name', kind: 'bool', help: 'list domain names only' },
    { name: 'id', kind: 'bool', help: 'list domain IDs only' },
    { name: 'table', kind: 'bool', help: 'list table (default)' },
    { name: 'title', kind: 'bool', help: 'show domain title' },
  ],
  async run(sh, cmd) {
    exclusive(sh, cmd, 'table', 'name');
    exclusive(sh, cmd, 'table', 'uuid');
    exclusive(sh, cmd, 'table', 'id');

    let active = true;
    let inactive = false;
    if (cmd.has('inactive')) {
      active = false;
      inactive = true;
    }
    if (cmd.has('all')) active = inactive = true;
    const persistent = cmd.has('persistent');
    const transient = cmd.has('transient');

    let list: GuestInfo[] = [];
    const ok = await attempt(sh, sh.t('Failed to list domains'), async () => {
      list = await sh.client().guestList({ active, inactive });
    });
    if (!ok) return false;
    list = list
      .filter((g) => (g.active ? active : inactive))
      .filter((g) => (!persistent && !transient) || (persistent && g.persistent) || (transient && !g.persistent))
      .sort(compareGuests);

    const optUuid = cmd.has('uuid');
    const optId = cmd.has('id');
    const optName = cmd.has('name');
    if (!optUuid && !optId && !optName) {
      const title = cmd.has('title');
      const header = [sh.t('Id'), sh.t('Name'), sh.t('State'), ...(title ? [sh.t('Title')] : [])];
      const rows = list.map((g) => {
        const row = [g.active && g.id !== undefined ? String(g.id) : '-', g.name, sh.t(guestState(g))];
        if (title) row.push(g.title ?? '');
        return row;
      });
      sh.print(formatTable(header, rows, !sh.quiet));
      return true;
    }
    let out = '';
    for (const g of list) {
      const id = g.active && g.id !== undefined ? String(g.id) : undefined;
      if (optId && !optUuid && !optName && id === undefined) continue;
      const fields: string[] = [];
      if (optUuid) fields.push(g.uuid);
      if (optId) fields.push(id ?? '-');
      if (optName) fields.push(g.name);
      out += `${fields.join(' ')}\n`;
    }
    sh.print(out);
    return true;
  },
};
