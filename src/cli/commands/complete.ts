/**
 * `virtnet complete -- WORD…`: the hidden helper behind bash completion
 * (contrib/bash-completion/virtnet), in the spirit of virsh's own
 * `complete`. The words are the command line from the command name on; the
 * last one is the word being completed (possibly empty). It prints the
 * candidates starting with that word, one per line:
 * - the command names, for the first word;
 * - the options the command has not been given yet, for a word starting
 *   with `-`;
 * - otherwise the values of the option being filled: network names (asked
 *   of the daemon, filtered as the command expects: net-start offers
 *   inactive networks), uuids, guest (domain) names (start offers stopped
 *   guests, destroy running ones), net-update's commands and sections, event
 *   types, port forward protocols, command names for `help`. Files print nothing, so the shell
 *   falls back to its own file-name completion.
 *
 * It never fails: an unreachable daemon, or one that refuses the list
 * (a daemon without guests answers NO_SUPPORT), simply yields no names.
 */
import { FORWARD_PROTOS } from '../../conf/network/port-forward-types.js';
import { UPDATE_SECTIONS } from '../../conf/network/update-names.js';
import type { ListFilter, NetworkInfo } from '../../contract/network-api.js';
import type { GuestInfo, GuestListFilter } from '../../contract/guest-api.js';
import type { CommandDef, OptDef, ParsedCommand } from '../command.js';
import type { Shell } from '../shell.js';
import { EVENT_TYPES } from './net-event.js';

const UPDATE_COMMAND_NAMES = ['add', 'add-first', 'add-last', 'delete', 'modify'];

/** Where a partial word stands on a command line. */
type CompletionSlot =
  | { kind: 'command' }
  | { kind: 'option'; def: CommandDef; seen: Set<string> }
  | { kind: 'value'; opt: OptDef }
  | { kind: 'none' };

/** Replay vsh's parsing rules over the finished words to see what the last word fills. */
function completionSlot(sh: Shell, words: readonly string[]): CompletionSlot {
  if (words.length <= 1) return { kind: 'command' };
  const def = sh.findCommand(words[0] as string);
  if (!def) return { kind: 'none' };
  const seen = new Set<string>();
  let positional = def.opts.filter((o) => o.kind !== 'bool' && !o.named);
  let dataOnly = false;
  let pending: OptDef | undefined;
  const done = words.slice(1, -1);
  for (const w of done) {
    if (pending) {
      pending = undefined;
      continue;
    }
    if (!dataOnly && w === '--') {
      dataOnly = true;
      continue;
    }
    if (!dataOnly && /^--[A-Za-z0-9]/.test(w)) {
      const eq = w.indexOf('=');
      const opt = def.opts.find((o) => o.name === w.slice(2, eq < 0 ? undefined : eq));
      if (!opt) continue;
      seen.add(opt.name);
      if (opt.kind !== 'argv') positional = positional.filter((o) => o !== opt);
      if (opt.kind !== 'bool' && eq < 0) pending = opt;
      continue;
    }
    const next = positional[0];
    if (next) {
      seen.add(next.name);
      if (next.kind !== 'argv') positional = positional.slice(1);
    }
  }
  if (pending) return { kind: 'value', opt: pending };
  const cur = words[words.length - 1] as string;
  if (!dataOnly && cur.startsWith('-')) return { kind: 'option', def, seen };
  const next = positional[0];
  return next ? { kind: 'value', opt: next } : { kind: 'option', def, seen };
}

/** What the daemon answers, or nothing when it cannot be reached or refuses: completion never fails. */
async function ask<T>(sh: Shell, query: () => Promise<T[]>): Promise<T[]> {
  if (!sh.connected && !(await sh.open(sh.uri, sh.readonly, true))) return [];
  try {
    return await query();
  } catch {
    return [];
  }
}

const networks = (sh: Shell, filter: ListFilter | undefined): Promise<NetworkInfo[]> =>
  ask(sh, () => sh.client().list(filter ?? { active: true, inactive: true }));

/** Guests with the states `filter` asks for (all of them without one). */
function guests(sh: Shell, filter: ListFilter | undefined): Promise<GuestInfo[]> {
  const wanted: GuestListFilter = {};
  if (filter?.active) wanted.active = true;
  if (filter?.inactive) wanted.inactive = true;
  return ask(sh, () => sh.client().guestList(wanted));
}

async function candidates(sh: Shell, words: readonly string[]): Promise<string[]> {
  const slot = completionSlot(sh, words);
  const visible = sh.groups.flatMap((g) => g.commands).filter((c) => !c.hidden);
  switch (slot.kind) {
    case 'command':
      return visible.map((c) => c.name);
    case 'option':
      return slot.def.opts.filter((o) => o.kind === 'argv' || !slot.seen.has(o.name)).map((o) => `--${o.name}`);
    case 'none':
      return [];
    case 'value':
      switch (slot.opt.complete) {
        case 'network':
          return (await networks(sh, slot.opt.completeFilter)).map((n) => n.name);
        case 'network-uuid':
          return (await networks(sh, slot.opt.completeFilter)).map((n) => n.uuid);
        case 'domain':
          return (await guests(sh, slot.opt.completeFilter)).map((g) => g.name);
        case 'update-command':
          return UPDATE_COMMAND_NAMES;
        case 'update-section':
          return [...UPDATE_SECTIONS];
        case 'event':
          return [...EVENT_TYPES];
        case 'forward-proto':
          return [...FORWARD_PROTOS];
        case 'command':
          return [...visible.map((c) => c.name), ...sh.groups.map((g) => g.keyword)];
        default:
          return [];
      }
  }
}

export const completeCmd: CommandDef = {
  name: 'complete',
  help: 'internal command for autocompletion',
  desc: 'internal use only',
  opts: [{ name: 'string', kind: 'argv', emptyOk: true, help: 'partial string to autocomplete' }],
  noConnect: true,
  hidden: true,
  async run(sh: Shell, cmd: ParsedCommand) {
    const words = cmd.argv();
    if (words.length === 0) words.push('');
    const cur = words[words.length - 1] as string;
    const eq = cur.startsWith('--') ? cur.indexOf('=') : -1;
    let list: string[];
    if (eq > 0) {
      // `--opt=PARTIAL`: complete the value, keeping the option in front.
      const prefix = cur.slice(0, eq + 1);
      list = (await candidates(sh, [...words.slice(0, -1), cur.slice(0, eq), cur.slice(eq + 1)])).map((c) => `${prefix}${c}`);
    } else {
      list = await candidates(sh, words);
    }
    sh.print(
      list
        .filter((c) => c.startsWith(cur))
        .map((c) => `${c}\n`)
        .join(''),
    );
    return true;
  },
};
