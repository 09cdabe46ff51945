/**
 * Reading a parsed command's option values with vsh's checks and messages:
 * empty strings ("Failed to get option 'X': Option argument is empty"),
 * numbers ("Numeric value 'V' for <X> option is malformed or out of range"),
 * and mutually exclusive flags ("Options --A and --B are mutually
 * exclusive"). A failed check prints its error and aborts the command.
 */
import type { OptDef, ParsedCommand } from './command.js';
import { CommandAbort, type Shell } from './shell.js';

/** The network a command acts on (here, loaded at start-up, so that a command's module need not load another's). */
export const NETWORK_OPT: OptDef = { name: 'network', kind: 'data', required: true, help: 'network name or uuid', complete: 'network' };
/** NETWORK_OPT whose completion offers only the networks matching `filter`. */
export const networkOpt = (completeFilter: OptDef['completeFilter']): OptDef => ({ ...NETWORK_OPT, ...(completeFilter ? { completeFilter } : {}) });

/** vshCommandOptStringReq: the value, or undefined when the option is absent. */
export function optString(sh: Shell, cmd: ParsedCommand, name: string): string | undefined {
  const opt = cmd.opts.find((o) => o.def.name === name);
  if (opt === undefined) return undefined;
  const value = opt.value ?? '';
  if (value === '' && !opt.def.emptyOk) {
    sh.error(sh.t("Failed to get option '{option}': Option argument is empty", { option: name }));
    throw new CommandAbort();
  }
  return value;
}

/** vshCommandOptStringReq for an option the parser guarantees is present. */
export function optRequired(sh: Shell, cmd: ParsedCommand, name: string): string {
  const value = optString(sh, cmd, name);
  if (value === undefined) {
    sh.error(sh.t("Failed to get option '{option}': Mandatory option not present", { option: name }));
    throw new CommandAbort();
  }
  return value;
}

const INT_TEXT = /^[\t\n\v\f\r ]*[+-]?[0-9]+$/;

function malformed(sh: Shell, name: string, value: string): never {
  sh.error(sh.t("Numeric value '{value}' for <{option}> option is malformed or out of range", { value, option: name }));
  throw new CommandAbort();
}

/** vshCommandOptInt: a C int written in base 10. */
export function optInt(sh: Shell, cmd: ParsedCommand, name: string): number | undefined {
  const value = cmd.raw(name);
  if (!cmd.has(name) || value === undefined) return undefined;
  if (!INT_TEXT.test(value)) malformed(sh, name, value);
  const n = Number(value.trim());
  if (!Number.isSafeInteger(n) || n < -2147483648 || n > 2147483647) malformed(sh, name, value);
  return n;
}

/** vshCommandOptUInt: a non-negative C unsigned int written in base 10. */
export function optUInt(sh: Shell, cmd: ParsedCommand, name: string): number | undefined {
  const value = cmd.raw(name);
  if (!cmd.has(name) || value === undefined) return undefined;
  if (!INT_TEXT.test(value) || value.trim().startsWith('-')) malformed(sh, name, value);
  const n = Number(value.trim());
  if (!Number.isSafeInteger(n) || n > 4294967295) malformed(sh, name, value);
  return n;
}

/** VSH_EXCLUSIVE_OPTIONS. */
export function exclusive(sh: Shell, cmd: ParsedCommand, a: string, b: string): void {
  if (cmd.has(a) && cmd.has(b)) {
    sh.error(sh.t('Options --{a} and --{b} are mutually exclusive', { a, b }));
    throw new CommandAbort();
  }
}
