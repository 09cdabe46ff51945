/**
 * The program's own options, read the way virsh reads them
 * (getopt_long with "+:c:d:e:hk:K:l:qrtvV"): short options may be grouped
 * (`-qr`) and take their value attached or next (`-cURI`, `-c URI`), long
 * ones may be abbreviated (`--conn=URI`), and the first word that is not an
 * option starts the command. Messages and exit codes are virsh's:
 * "unsupported option '-z'. See --help.", "option '-c'/'--connect' requires
 * an argument", `-h` prints the usage, `-v`/`--version` the version.
 */
import { ENGLISH, type Translator } from './i18n/translate.js';

interface GlobalOptions {
  uri?: string;
  readonly: boolean;
  quiet: boolean;
  timing: boolean;
  debug?: number;
  logFile?: string;
}

type ArgsResult =
  | { kind: 'run'; options: GlobalOptions; rest: string[] }
  /** Stop at once: `out` on stdout, each of `errors` as an `error:` line, then exit with `code`. */
  | { kind: 'exit'; code: number; out?: string; errors?: string[]; show?: 'usage' | 'version' | 'long-version' };

interface LongOpt {
  name: string;
  arg: 'none' | 'required' | 'optional';
  val: string;
}

const LONG: readonly LongOpt[] = [
  { name: 'connect', arg: 'required', val: 'c' },
  { name: 'debug', arg: 'required', val: 'd' },
  { name: 'escape', arg: 'required', val: 'e' },
  { name: 'help', arg: 'none', val: 'h' },
  { name: 'keepalive-interval', arg: 'required', val: 'k' },
  { name: 'keepalive-count', arg: 'required', val: 'K' },
  { name: 'log', arg: 'required', val: 'l' },
  { name: 'quiet', arg: 'none', val: 'q' },
  { name: 'readonly', arg: 'none', val: 'r' },
  { name: 'timing', arg: 'none', val: 't' },
  { name: 'version', arg: 'optional', val: 'v' },
];

const SHORT_WITH_ARG = new Set(['c', 'd', 'e', 'k', 'K', 'l']);
const SHORT_FLAGS = new Set(['h', 'q', 'r', 't', 'v', 'V']);

/** virStrToLong_i with the given base (0: C's automatic 0x / 0 prefixes). */
function parseCInt(text: string, base: 0 | 10): number | undefined {
  const t = text.replace(/^[\t\n\v\f\r ]+/, '');
  const m = base === 10 ? /^([+-]?)([0-9]+)$/.exec(t) : /^([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(t);
  if (!m) return undefined;
  const digits = m[2] as string;
  let n: number;
  if (base === 0 && /^0[xX]/.test(digits)) n = parseInt(digits.slice(2), 16);
  else if (base === 0 && digits.length > 1 && digits.startsWith('0')) n = parseInt(digits, 8);
  else n = parseInt(digits, 10);
  if (m[1] === '-') n = -n;
  return n >= -2147483648 && n <= 2147483647 ? n : undefined;
}

function requiresArgument(val: string, t: Translator['t']): string {
  const long = LONG.find((l) => l.val === val);
  return long
    ? t("option '-{short}'/'--{long}' requires an argument", { short: val, long: long.name })
    : t("option '-{short}' requires an argument", { short: val });
}

/** Read the program options; the rest is the command (or nothing: the interactive shell). */
export function parseGlobalArgs(argv: readonly string[], tr: Translator = ENGLISH): ArgsResult {
  const { t } = tr;
  const options: GlobalOptions = { readonly: false, quiet: false, timing: false };
  const fail = (message: string): ArgsResult => ({ kind: 'exit', code: 1, errors: [message] });
  let i = 0;

  const apply = (val: string, arg: string | undefined, spelled: string): ArgsResult | undefined => {
    switch (val) {
      case 'c':
        if (arg !== undefined) options.uri = arg;
        return undefined;
      case 'd': {
        const n = parseCInt(arg ?? '', 10);
        if (n === undefined) return fail(t('option {option} takes a numeric argument', { option: spelled }));
        if (n < 0 || n > 4) return { kind: 'exit', code: -1, errors: [t('ignoring debug level {level} out of range [0-4]', { level: n })] };
        options.debug = n;
        return undefined;
      }
      case 'e': {
        const e = arg ?? '';
        const ok = (e.length === 2 && e[0] === '^' && /^[a-z@-_]$/.test(e[1] as string)) || (e.length === 1 && e !== '^');
        return ok ? undefined : fail(t("Invalid string '{text}' for escape sequence", { text: e }));
      }
      case 'h':
        return { kind: 'exit', code: 0, show: 'usage' };
      case 'k':
      case 'K': {
        const n = parseCInt(arg ?? '', 0);
        if (n === undefined) return fail(t('Invalid value for option {option}', { option: spelled }));
        if (n < 0) return fail(t('option {option} requires a positive integer argument', { option: spelled }));
        return undefined;
      }
      case 'l':
        if (arg !== undefined) options.logFile = arg;
        return undefined;
      case 'q':
        options.quiet = true;
        return undefined;
      case 'r':
        options.readonly = true;
        return undefined;
      case 't':
        options.timing = true;
        return undefined;
      case 'v':
        return { kind: 'exit', code: 0, show: arg === 'long' ? 'long-version' : 'version' };
      case 'V':
        return { kind: 'exit', code: 0, show: 'long-version' };
      default:
        return fail(t('unknown option'));
    }
  };

  const warnings: string[] = [];
  const step = (r: ArgsResult | undefined): ArgsResult | undefined => {
    // A warning that does not stop the parse (debug level out of range).
    if (r && r.kind === 'exit' && r.code === -1) {
      warnings.push(...(r.errors ?? []));
      return undefined;
    }
    return r;
  };

  while (i < argv.length) {
    const word = argv[i] as string;
    if (word === '--') {
      i++;
      break;
    }
    if (word.startsWith('--')) {
      const eq = word.indexOf('=');
      const name = word.slice(2, eq < 0 ? undefined : eq);
      const inline = eq < 0 ? undefined : word.slice(eq + 1);
      const exact = LONG.find((l) => l.name === name);
      const matches = exact ? [exact] : LONG.filter((l) => l.name.startsWith(name));
      if (matches.length !== 1 || name === '') return fail(t("unsupported option '{option}'. See --help.", { option: word }));
      const opt = matches[0] as LongOpt;
      i++;
      let arg = inline;
      if (opt.arg === 'none' && inline !== undefined) return fail(t("unsupported option '{option}'. See --help.", { option: `-${opt.val}` }));
      if (opt.arg === 'required' && arg === undefined) {
        if (i >= argv.length) return fail(requiresArgument(opt.val, t));
        arg = argv[i++];
      }
      const r = step(apply(opt.val, arg, `--${opt.name}`));
      if (r) return withWarnings(r, warnings);
      continue;
    }
    if (word.startsWith('-') && word.length > 1) {
      i++;
      for (let j = 1; j < word.length; j++) {
        const c = word[j] as string;
        if (SHORT_WITH_ARG.has(c)) {
          let arg: string | undefined = word.slice(j + 1);
          if (arg === '') {
            if (i >= argv.length) return withWarnings(fail(requiresArgument(c, t)), warnings);
            arg = argv[i++];
          }
          const r = step(apply(c, arg, `-${c}`));
          if (r) return withWarnings(r, warnings);
          break;
        }
        if (!SHORT_FLAGS.has(c)) return withWarnings(fail(t("unsupported option '{option}'. See --help.", { option: `-${c}` })), warnings);
        const r = step(apply(c, undefined, `-${c}`));
        if (r) return withWarnings(r, warnings);
      }
      continue;
    }
    break;
  }
  return withWarnings({ kind: 'run', options, rest: argv.slice(i) }, warnings);
}

function withWarnings(r: ArgsResult, warnings: string[]): ArgsResult {
  if (warnings.length === 0) return r;
  if (r.kind === 'run') return { ...r, warnings } as ArgsResult;
  return { ...r, errors: [...warnings, ...(r.errors ?? [])] };
}

/** Warnings gathered while parsing a run (printed as error lines, the run goes on). */
export function argsWarnings(r: ArgsResult): string[] {
  return (r as { warnings?: string[] }).warnings ?? [];
}
