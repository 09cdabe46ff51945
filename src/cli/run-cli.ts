/**
 * `virtnet ARGS…` from start to exit code, with every outside dependency
 * injected (streams, environment, working directory, how to connect), so
 * the same code runs in the real process (main.ts) and in tests against the
 * daemon's drivers in process:
 * - program options first (-c, -r, -q, -t, -h, -v, …);
 * - no command: the interactive shell;
 * - one word: a command string (`virtnet "net-define F; net-start N"`),
 *   split like a shell line; several words: one command, word by word;
 * - the whole line is parsed before anything runs; the daemon is connected
 *   once, before the first command that needs it, and a failure to connect
 *   stops everything ("error: failed to connect to the hypervisor");
 * - exit code 0 when the last command succeeded, else 1 (the interactive
 *   shell always ends with 0, as virsh's does).
 */
import { argsWarnings, parseGlobalArgs } from './args.js';
import { COMMANDS } from './commands/index.js';
import { usage } from './help.js';
import { interactive, pipedLines, terminalLines, type LineSource } from './interactive.js';
import { parseCommands } from './parse.js';
import { Shell, type ConnectFn, type ShellIo } from './shell.js';
import { argvTokens, stringTokens } from './tokens.js';
import { VERSION } from '../util/version.js';
import { languageOfEnv } from '../contract/languages.js';
import { loadTranslator, type Translator } from './i18n/translate.js';

const PROGNAME = 'virtnet';

export interface CliDeps {
  io: ShellIo;
  connect: ConnectFn;
  env: Record<string, string | undefined>;
  cwd: string;
  now?: () => number;
  /** For the interactive shell on a terminal: where readline writes. */
  ttyOutput?: NodeJS.WritableStream;
  /**
   * The process exits as soon as runCli returns (main.ts): the daemon connection is left open for
   * the exit to close, which is cheaper than closing its socket first (bench/README.md, "Issue 17").
   */
  exitsAfter?: boolean;
  /** Told the call's language once its catalogue is loaded (main.ts: what stdout.ts says when a write fails). */
  onLanguage?: (tr: Translator) => void;
}

function longVersion(tr: Translator): string {
  return tr.t(
    'Virtnet command line tool of virtnet {version}\nSee web site at https://libvirt.org/\n\nCompiled with support for:\n Networking: Remote Network Bridging\n',
    { version: VERSION },
  );
}

export async function runCli(argv: readonly string[], deps: CliDeps): Promise<number> {
  const { io } = deps;
  const tr = await loadTranslator(languageOfEnv(deps.env));
  deps.onLanguage?.(tr);
  const parsed = parseGlobalArgs(argv, tr);
  if (parsed.kind === 'exit') {
    for (const e of parsed.errors ?? []) io.err(`error: ${e}\n`);
    if (parsed.show === 'usage') io.out(usage(PROGNAME, COMMANDS.groups(), tr));
    else if (parsed.show === 'version') io.out(`${VERSION}\n`);
    else if (parsed.show === 'long-version') io.out(longVersion(tr));
    if (parsed.out) io.out(parsed.out);
    return parsed.code;
  }
  for (const w of argsWarnings(parsed)) io.err(`error: ${w}\n`);
  const { options, rest } = parsed;
  const uri = options.uri ?? (deps.env['VIRTNET_DEFAULT_URI'] || undefined);
  const sh = new Shell({
    io,
    connect: deps.connect,
    commands: COMMANDS,
    env: deps.env,
    cwd: deps.cwd,
    readonly: options.readonly,
    quiet: options.quiet,
    timing: options.timing,
    tr,
    ...(uri !== undefined ? { uri } : {}),
    ...(deps.now ? { now: deps.now } : {}),
  });
  try {
    if (rest.length === 0) {
      let lines: LineSource;
      const tty = io.stdinIsTTY === true && deps.ttyOutput !== undefined;
      if (io.stdin === undefined) return 1;
      if (tty) lines = await terminalLines(io.stdin, deps.ttyOutput as NodeJS.WritableStream);
      else lines = await pipedLines(io.stdin);
      // virsh's interactive mode always ends with success, whatever the commands did.
      await interactive(sh, lines, !tty);
      return 0;
    }
    if (rest.length === 1 && rest[0] === '') return 1;
    const source = rest.length === 1 ? stringTokens(rest[0] as string) : argvTokens(rest);
    const cmds = parseCommands(source, { find: (n) => sh.findCommand(n), error: (m) => sh.error(m), tr });
    if (cmds === null) return 1;
    const deferProbe = cmds[0]?.def.probeInFirstCall === true;
    if (cmds.some((c) => !c.def.noConnect) && !(await sh.open(undefined, undefined, false, deferProbe))) return 1;
    const ok = await sh.runCommands(cmds);
    return sh.exitStatus ?? (ok ? 0 : 1);
  } finally {
    if (deps.exitsAfter !== true) await sh.close();
  }
}
