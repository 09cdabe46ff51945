/**
 * The shape of a virsh-style command (vsh's vshCmdDef / vshCmdOptDef) and of
 * a parsed invocation. Option kinds follow vsh:
 * - `bool`: a flag (`--all`);
 * - `data`: a required value that may be given by position (`net-start NAME`
 *   ≡ `--network NAME`);
 * - `string` / `int`: optional values, also fillable by position in
 *   definition order unless `named` (vsh's VSH_OFLAG_REQ_OPT: `--xpath` must
 *   be spelled out);
 * - `argv`: the rest of the positional words (echo).
 */
import type { ListFilter } from '../contract/network-api.js';
import type { Shell } from './shell.js';

type OptKind = 'bool' | 'string' | 'int' | 'data' | 'argv';

/** What bash completion offers for an option's value. */
type Completion = 'network' | 'network-uuid' | 'domain' | 'file' | 'update-command' | 'update-section' | 'event' | 'command' | 'forward-proto';

export interface OptDef {
  name: string;
  kind: OptKind;
  /** Must be given (vsh's VSH_OFLAG_REQ). */
  required?: boolean;
  /** Only by name, never by position (VSH_OFLAG_REQ_OPT). */
  named?: boolean;
  /** An empty value is acceptable (VSH_OFLAG_EMPTY_OK). */
  emptyOk?: boolean;
  help: string;
  complete?: Completion;
  /** For network completion: which networks make sense (net-start offers inactive ones). */
  completeFilter?: ListFilter;
  /** Left out of help (virtnet's additions to a virsh command whose help stays virsh's, e.g. net-destroy --force). */
  hidden?: boolean;
}

export interface CommandDef {
  name: string;
  /** One-line summary (the `help` info). */
  help: string;
  /** Description paragraph; '' prints no DESCRIPTION section. */
  desc: string;
  opts: readonly OptDef[];
  /** Runs without a daemon connection (vsh's VSH_CMD_FLAG_NOCONNECT). */
  noConnect?: boolean;
  /** Left out of help listings (the `complete` helper of bash completion). */
  hidden?: boolean;
  /**
   * Its first step is a GET to the daemon, and it prints nothing before: run
   * first, it connects without the version probe and that GET stands in for it
   * (ConnectOptions.deferProbe), one request fewer for a CLI call.
   */
  probeInFirstCall?: boolean;
  /** Returns true on success; false makes the runner report the saved library error. */
  run(sh: Shell, cmd: ParsedCommand): Promise<boolean>;
}

/** Where the shell finds its commands (src/cli/commands/index.ts). */
export interface CommandIndex {
  /** Every group, in help's order. */
  groups(): readonly CommandGroup[];
  /** The command of this name. */
  find(name: string): CommandDef | undefined;
}

export interface CommandGroup {
  name: string;
  keyword: string;
  /** Other keywords `help KEYWORD` accepts. */
  aliases?: readonly string[];
  commands: readonly CommandDef[];
}

/** One option as given on the command line. */
export interface ParsedOpt {
  def: OptDef;
  /** undefined for a bool. */
  value?: string;
}

export class ParsedCommand {
  constructor(
    readonly def: CommandDef,
    readonly opts: readonly ParsedOpt[],
  ) {}

  /** Whether the option was given at all (vshCommandOptBool). */
  has(name: string): boolean {
    return this.opts.some((o) => o.def.name === name);
  }

  /** The raw value of an option, if given. */
  raw(name: string): string | undefined {
    return this.opts.find((o) => o.def.name === name)?.value;
  }

  /** Every value of an argv option, in order. */
  argv(): string[] {
    return this.opts.filter((o) => o.def.kind === 'argv').map((o) => o.value ?? '');
  }
}
