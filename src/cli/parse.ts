/**
 * vsh's command parser (vshCommandParse): turns words into commands and
 * their options, with vsh's rules and messages:
 * - the first word names the command ("unknown command: 'X'");
 * - `--name value`, `--name=value`, and `--flag` ("invalid '=' after option
 *   --flag", "option --X already seen", "expected syntax: --X <string>");
 * - other words fill the value options in definition order, required ones
 *   first ("unexpected data 'X'"); after `--` every word is data;
 * - `--help` anywhere turns the command into `help CMD`;
 * - the `help` command ignores unknown options and extra words;
 * - missing required options are all reported ("command 'X' requires
 *   <Y> option", or "--Y option" for a named one).
 *
 * Nothing runs until the whole line has parsed: one error rejects every
 * command on it, as in virsh.
 */
import { ParsedCommand, type CommandDef, type OptDef, type ParsedOpt } from './command.js';
import type { TokenSource } from './tokens.js';
import { ENGLISH, type Translator } from './i18n/translate.js';

interface ParseEnv {
  find(name: string): CommandDef | undefined;
  /** Print one `error: ...` line. */
  error(message: string): void;
  /** The language of the messages (English when absent). */
  tr?: Translator;
}

const HELP_OPT: OptDef = { name: 'help', kind: 'bool', help: 'print help for this function' };

const isAlnum = (c: string | undefined): boolean => c !== undefined && /^[A-Za-z0-9]$/.test(c);

/** Parse every command of a line; null after an error (already printed). */
export function parseCommands(source: TokenSource, env: ParseEnv): ParsedCommand[] | null {
  const t = (env.tr ?? ENGLISH).t;
  const result: ParsedCommand[] = [];
  for (;;) {
    let def: CommandDef | undefined;
    const opts: ParsedOpt[] = [];
    let needArg: number[] = [];
    const seen = new Set<number>();
    let dataOnly = false;
    let tk = source.next();
    for (; ; tk = source.next()) {
      if (tk.kind === 'error') {
        env.error(tk.message);
        return null;
      }
      if (tk.kind !== 'arg') break;
      const text = tk.text;
      if (def === undefined) {
        def = env.find(text);
        if (def === undefined) {
          env.error(t("unknown command: '{command}'", { command: text }));
          return null;
        }
        needArg = def.opts.flatMap((o, i) => (o.kind !== 'bool' && !o.named ? [i] : []));
        continue;
      }
      let opt: OptDef | undefined;
      let value: string | undefined;
      if (!dataOnly && text.startsWith('--') && isAlnum(text[2])) {
        const eq = text.indexOf('=', 2);
        const name = eq < 0 ? text.slice(2) : text.slice(2, eq);
        const inline = eq < 0 ? undefined : text.slice(eq + 1);
        if (name === HELP_OPT.name) {
          opt = HELP_OPT;
        } else {
          const index = def.opts.findIndex((o) => o.name === name);
          if (index < 0) {
            if (def.name === 'help') continue;
            env.error(t("command '{command}' doesn't support option --{option}", { command: def.name, option: name }));
            return null;
          }
          opt = def.opts[index] as OptDef;
          if (seen.has(index) && opt.kind !== 'argv') {
            env.error(t('option --{option} already seen', { option: name }));
            return null;
          }
          seen.add(index);
          if (opt.kind !== 'argv') needArg = needArg.filter((i) => i !== index);
        }
        if (opt.kind !== 'bool') {
          if (inline !== undefined) {
            value = inline;
          } else {
            const vt = source.next();
            if (vt.kind === 'error') {
              env.error(vt.message);
              return null;
            }
            if (vt.kind !== 'arg') {
              env.error(
                opt.kind === 'int'
                  ? t('expected syntax: --{option} <number>', { option: opt.name })
                  : t('expected syntax: --{option} <string>', { option: opt.name }),
              );
              return null;
            }
            value = vt.text;
          }
        } else if (inline !== undefined) {
          env.error(t("invalid '=' after option --{option}", { option: opt.name }));
          return null;
        }
      } else if (!dataOnly && text === '--') {
        dataOnly = true;
        continue;
      } else {
        const index = needArg[0];
        if (index === undefined) {
          if (def.name === 'help') continue;
          env.error(t("unexpected data '{data}'", { data: text }));
          return null;
        }
        opt = def.opts[index] as OptDef;
        if (opt.kind !== 'argv') needArg = needArg.slice(1);
        seen.add(index);
        value = text;
      }
      opts.push(value === undefined ? { def: opt } : { def: opt, value });
    }

    if (def !== undefined) {
      let cmd = new ParsedCommand(def, opts);
      let checkRequired = true;
      if (opts.some((o) => o.def === HELP_OPT)) {
        const help = env.find('help');
        if (help !== undefined) {
          cmd = new ParsedCommand(help, [{ def: help.opts[0] as OptDef, value: def.name }]);
          checkRequired = false;
        }
      }
      if (checkRequired) {
        const missing = def.opts.filter((o, i) => o.required && !seen.has(i));
        for (const o of missing) {
          env.error(
            o.kind === 'data' || o.kind === 'argv'
              ? t("command '{command}' requires <{option}> option", { command: def.name, option: o.name })
              : t("command '{command}' requires --{option} option", { command: def.name, option: o.name }),
          );
        }
        if (missing.length > 0) return null;
      }
      result.push(cmd);
    }
    if (tk.kind === 'end') return result;
  }
}
