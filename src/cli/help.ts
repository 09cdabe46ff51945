/**
 * Help texts in vsh's layout: `help CMD` / `CMD --help` (NAME, SYNOPSIS,
 * DESCRIPTION, OPTIONS), `help GROUP`, `help` (every group), and the
 * program usage of `-h`.
 */
import type { CommandDef, CommandGroup, OptDef } from './command.js';

/** vshCmddefHelp. */
export function commandHelp(full: CommandDef): string {
  const def = { ...full, opts: full.opts.filter((o) => !o.hidden) };
  let out = '  NAME\n';
  out += `    ${def.name} - ${def.help}\n`;
  out += '\n  SYNOPSIS\n';
  out += `    ${def.name}`;
  let shortopt = false;
  for (const opt of def.opts) {
    out += ` ${synopsisWord(opt, shortopt)}`;
    if ((opt.kind === 'int' || opt.kind === 'string' || opt.kind === 'data') && !opt.named) shortopt = true;
  }
  out += '\n';
  if (def.desc !== '') out += `\n  DESCRIPTION\n    ${def.desc}\n`;
  if (def.opts.length > 0) {
    out += '\n  OPTIONS\n';
    shortopt = def.opts.some((o) => (o.kind === 'int' || o.kind === 'string' || o.kind === 'data') && !o.named);
    for (const opt of def.opts) out += `    ${optionLabel(opt, shortopt).padEnd(15)}  ${opt.help}\n`;
  }
  out += '\n';
  return out;
}

function synopsisWord(opt: OptDef, shortopt: boolean): string {
  switch (opt.kind) {
    case 'bool':
      return `[--${opt.name}]`;
    case 'int':
      return opt.required ? `<${opt.name}>` : `[--${opt.name} <number>]`;
    case 'string':
      return `[--${opt.name} <string>]`;
    case 'data':
      return opt.required ? `<${opt.name}>` : `[<${opt.name}>]`;
    case 'argv':
      if (shortopt) return opt.required ? `{[--${opt.name}] <string>}...` : `[[--${opt.name}] <string>]...`;
      return opt.required ? `<${opt.name}>...` : `[<${opt.name}>]...`;
  }
}

function optionLabel(opt: OptDef, shortopt: boolean): string {
  switch (opt.kind) {
    case 'bool':
      return `--${opt.name}`;
    case 'int':
      return opt.required ? `[--${opt.name}] <number>` : `--${opt.name} <number>`;
    case 'string':
      return `--${opt.name} <string>`;
    case 'data':
      return `[--${opt.name}] <string>`;
    case 'argv':
      return shortopt ? `[--${opt.name}] <string>` : `<${opt.name}>`;
  }
}

/** The commands of one group, one line each (vshCmdGrpHelp's body). */
function groupLines(group: CommandGroup): string {
  return group.commands
    .filter((c) => !c.hidden)
    .map((c) => `    ${c.name.padEnd(30)} ${c.help}\n`)
    .join('');
}

/** vshCmdGrpHelp. */
export function groupHelp(group: CommandGroup): string {
  return ` ${group.name} (help keyword '${group.keyword}'):\n${groupLines(group)}`;
}

/** `help` without an argument. */
export function allGroupsHelp(groups: readonly CommandGroup[]): string {
  return `Grouped commands:\n\n${groups.map((g) => `${groupHelp(g)}\n`).join('')}`;
}

/** The program usage (`-h`), as virsh's virshUsage lays it out. */
export function usage(progname: string, groups: readonly CommandGroup[]): string {
  let out = `\n${progname} [options]... [<command_string>]\n${progname} [options]... <command> [args...]\n\n`;
  out += '  options:\n';
  out += '    -c | --connect=URI      hypervisor connection URI\n';
  out += '    -d | --debug=NUM        debug level [0-4]\n';
  out += '    -e | --escape <char>    set escape sequence for console\n';
  out += '    -h | --help             this help\n';
  out += '    -k | --keepalive-interval=NUM\n';
  out += '                            keepalive interval in seconds, 0 for disable\n';
  out += '    -K | --keepalive-count=NUM\n';
  out += '                            number of possible missed keepalive messages\n';
  out += '    -l | --log=FILE         output logging to file\n';
  out += '    -q | --quiet            quiet mode\n';
  out += '    -r | --readonly         connect readonly\n';
  out += '    -t | --timing           print timing information\n';
  out += '    -v                      short version\n';
  out += '    -V                      long version\n';
  out += '         --version[=TYPE]   version, TYPE is short or long (default short)\n';
  out += '  commands (non interactive mode):\n\n';
  for (const g of groups) out += ` ${g.name} (help keyword '${g.keyword}')\n${groupLines(g)}\n`;
  out += '\n  (specify help <group> for details about the commands in the group)\n';
  out += '\n  (specify help <command> for details about the command)\n\n';
  return out;
}
