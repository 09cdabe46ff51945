/**
 * Help texts in vsh's layout: `help CMD` / `CMD --help` (NAME, SYNOPSIS,
 * DESCRIPTION, OPTIONS), `help GROUP`, `help` (every group), and the
 * program usage of `-h`.
 */
import type { CommandDef, CommandGroup, OptDef } from './command.js';
import { ENGLISH, type Translator } from './i18n/translate.js';

/** Fills in the commands' help texts, which the CLI's bundle leaves out of its start-up data (scripts/bundle-cli.mjs); none in the sources. */
let helpTextsFiller: (() => void) | undefined;

/** Called by the bundle's command index: `fill` runs once, before the first help text is read. */
export function fillHelpTextsWith(fill: () => void): void {
  helpTextsFiller = fill;
}

function fillHelpTexts(): void {
  const fill = helpTextsFiller;
  helpTextsFiller = undefined;
  fill?.();
}

/** vshCmddefHelp. */
export function commandHelp(full: CommandDef, tr: Translator = ENGLISH): string {
  fillHelpTexts();
  const { t } = tr;
  const def = { ...full, opts: full.opts.filter((o) => !o.hidden) };
  let out = t('  NAME\n');
  out += `    ${def.name} - ${tr.text(def.help)}\n`;
  out += t('\n  SYNOPSIS\n');
  out += `    ${def.name}`;
  let shortopt = false;
  for (const opt of def.opts) {
    out += ` ${synopsisWord(opt, shortopt, tr)}`;
    if ((opt.kind === 'int' || opt.kind === 'string' || opt.kind === 'data') && !opt.named) shortopt = true;
  }
  out += '\n';
  if (def.desc !== '') out += t('\n  DESCRIPTION\n    {text}\n', { text: tr.text(def.desc) });
  if (def.opts.length > 0) {
    out += t('\n  OPTIONS\n');
    shortopt = def.opts.some((o) => (o.kind === 'int' || o.kind === 'string' || o.kind === 'data') && !o.named);
    for (const opt of def.opts) out += `    ${optionLabel(opt, shortopt, tr).padEnd(15)}  ${tr.text(opt.help)}\n`;
  }
  out += '\n';
  return out;
}

function synopsisWord(opt: OptDef, shortopt: boolean, tr: Translator): string {
  const number = tr.t('<number>');
  const string = tr.t('<string>');
  switch (opt.kind) {
    case 'bool':
      return `[--${opt.name}]`;
    case 'int':
      return opt.required ? `<${opt.name}>` : `[--${opt.name} ${number}]`;
    case 'string':
      return `[--${opt.name} ${string}]`;
    case 'data':
      return opt.required ? `<${opt.name}>` : `[<${opt.name}>]`;
    case 'argv':
      if (shortopt) return opt.required ? `{[--${opt.name}] ${string}}...` : `[[--${opt.name}] ${string}]...`;
      return opt.required ? `<${opt.name}>...` : `[<${opt.name}>]...`;
  }
}

function optionLabel(opt: OptDef, shortopt: boolean, tr: Translator): string {
  const number = tr.t('<number>');
  const string = tr.t('<string>');
  switch (opt.kind) {
    case 'bool':
      return `--${opt.name}`;
    case 'int':
      return opt.required ? `[--${opt.name}] ${number}` : `--${opt.name} ${number}`;
    case 'string':
      return `--${opt.name} ${string}`;
    case 'data':
      return `[--${opt.name}] ${string}`;
    case 'argv':
      return shortopt ? `[--${opt.name}] ${string}` : `<${opt.name}>`;
  }
}

/** The commands of one group, one line each (vshCmdGrpHelp's body). */
function groupLines(group: CommandGroup, tr: Translator): string {
  fillHelpTexts();
  return group.commands
    .filter((c) => !c.hidden)
    .map((c) => `    ${c.name.padEnd(30)} ${tr.text(c.help)}\n`)
    .join('');
}

/** vshCmdGrpHelp. */
export function groupHelp(group: CommandGroup, tr: Translator = ENGLISH): string {
  return tr.t(" {group} (help keyword '{keyword}'):\n", { group: tr.text(group.name), keyword: group.keyword }) + groupLines(group, tr);
}

/** `help` without an argument. */
export function allGroupsHelp(groups: readonly CommandGroup[], tr: Translator = ENGLISH): string {
  return `${tr.t('Grouped commands:\n\n')}${groups.map((g) => `${groupHelp(g, tr)}\n`).join('')}`;
}

/** The program usage (`-h`), as virsh's virshUsage lays it out. */
export function usage(progname: string, groups: readonly CommandGroup[], tr: Translator = ENGLISH): string {
  const { t } = tr;
  let out = t('\n{prog} [options]... [<command_string>]\n{prog} [options]... <command> [args...]\n\n', { prog: progname });
  out += t('  options:\n');
  out += t('    -c | --connect=URI      hypervisor connection URI\n');
  out += t('    -d | --debug=NUM        debug level [0-4]\n');
  out += t('    -e | --escape <char>    set escape sequence for console\n');
  out += t('    -h | --help             this help\n');
  out += t('    -k | --keepalive-interval=NUM\n');
  out += t('                            keepalive interval in seconds, 0 for disable\n');
  out += t('    -K | --keepalive-count=NUM\n');
  out += t('                            number of possible missed keepalive messages\n');
  out += t('    -l | --log=FILE         output logging to file\n');
  out += t('    -q | --quiet            quiet mode\n');
  out += t('    -r | --readonly         connect readonly\n');
  out += t('    -t | --timing           print timing information\n');
  out += t('    -v                      short version\n');
  out += t('    -V                      long version\n');
  out += t('         --version[=TYPE]   version, TYPE is short or long (default short)\n');
  out += t('  commands (non interactive mode):\n\n');
  for (const g of groups)
    out += `${t(" {group} (help keyword '{keyword}')\n", { group: tr.text(g.name), keyword: g.keyword })}${groupLines(g, tr)}\n`;
  out += t('\n  (specify help <group> for details about the commands in the group)\n');
  out += t('\n  (specify help <command> for details about the command)\n\n');
  return out;
}
