/**
 * The CLI's state and output discipline (vsh's vshControl):
 * - `print` writes to stdout; `printExtra` too, unless -q (vshPrintExtra);
 * - `error` writes one `error: TEXT` line to stderr (vshError);
 * - a library error (a VirError from the daemon) is saved while a command
 *   runs and printed when it fails, after the command's own summary, as
 *   virsh's vshReportError does;
 * - `runCommands` runs a parsed chain: every command runs even when an
 *   earlier one failed, each is followed by the blank line (or -t's timing),
 *   `exit`/`quit` stop the chain, and the result is the last command's.
 *
 * The daemon connection is made on first need through the injected
 * `connect`, so help and other local commands work without a daemon, and
 * tests run every command against the daemon's drivers in process.
 */
import type { ConnectOptions, VirtnetClient } from '../client/types.js';
import type { ConnectProbe } from '../client/http-probe.js';
import { connectHint } from './hints.js';
import { errorMessage } from './i18n/errors.js';
import { ENGLISH, type MessageId, type MessageParams, type Translator } from './i18n/translate.js';
import type { CommandDef, CommandGroup, CommandIndex, ParsedCommand } from './command.js';

/** Where the CLI reads and writes; process streams in main.ts, buffers in tests. */
export interface ShellIo {
  out(text: string): void;
  err(text: string): void;
  /** Standard input, for the interactive shell and net-edit's question. */
  stdin?: NodeJS.ReadableStream | undefined;
  /** Whether stdin is a terminal (virsh asks net-edit's question only then). */
  stdinIsTTY?: boolean | undefined;
  /** One keypress from the terminal, read in raw mode (net-edit's "Try again?"). */
  readKey?(): Promise<string>;
  /** Call `handler` on SIGINT until the returned function is called (net-event). */
  onInterrupt?(handler: () => void): () => void;
}

export type ConnectFn = (options: ConnectOptions) => Promise<VirtnetClient>;

interface ShellOptions {
  io: ShellIo;
  connect: ConnectFn;
  commands: CommandIndex;
  env?: Record<string, string | undefined>;
  cwd?: string;
  uri?: string;
  readonly?: boolean;
  quiet?: boolean;
  timing?: boolean;
  /** The clock, for net-event --timestamp and -t. */
  now?: () => number;
  /** The language of messages (English, virsh's, when absent). */
  tr?: Translator;
}

/** Thrown by option helpers after printing their error: the command fails. */
export class CommandAbort extends Error {
  constructor() {
    super('command aborted');
  }
}

/** Output kept back, in order, until the daemon is known to be virtnetd (Shell.runProbing); no questions to the user meanwhile. */
class HeldIo implements ShellIo {
  private readonly held: [stream: 'out' | 'err', text: string][] = [];

  constructor(private readonly io: ShellIo) {}

  out(text: string): void {
    this.held.push(['out', text]);
  }

  err(text: string): void {
    this.held.push(['err', text]);
  }

  get stdin(): NodeJS.ReadableStream | undefined {
    return this.io.stdin;
  }

  get stdinIsTTY(): boolean | undefined {
    return this.io.stdinIsTTY;
  }

  /** Write what was held. */
  release(): void {
    for (const [stream, text] of this.held.splice(0)) this.io[stream](text);
  }
}

export class Shell {
  private readonly directIo: ShellIo;
  /** Where output goes while a command runs before the daemon is known to be virtnetd. */
  private heldIo: HeldIo | undefined;
  private readonly commands: CommandIndex;
  readonly env: Record<string, string | undefined>;
  readonly now: () => number;
  readonly tr: Translator;
  quiet: boolean;
  timing: boolean;
  readonly: boolean;
  uri: string | undefined;
  /** In the interactive shell (cd is allowed; exit/quit leave it). */
  interactive = false;
  /**
   * The exit code the running command chose for the process (guest-exec
   * passes on its command's); reset before each command, so the last
   * command's counts. Undefined: 0 on success, 1 on failure.
   */
  exitStatus: number | undefined = undefined;
  cwd: string;
  private connection: VirtnetClient | undefined;
  /** The version probe the next command's first call settles (open() with deferProbe). */
  private probe: ConnectProbe | undefined;
  private readonly connectFn: ConnectFn;
  private lastError: unknown = undefined;

  constructor(options: ShellOptions) {
    this.directIo = options.io;
    this.commands = options.commands;
    this.connectFn = options.connect;
    this.env = options.env ?? {};
    this.cwd = options.cwd ?? '/';
    this.uri = options.uri;
    this.readonly = options.readonly ?? false;
    this.quiet = options.quiet ?? false;
    this.timing = options.timing ?? false;
    this.now = options.now ?? Date.now;
    this.tr = options.tr ?? ENGLISH;
  }

  /** Where the CLI reads and writes. */
  get io(): ShellIo {
    return this.heldIo ?? this.directIo;
  }

  /** One of the CLI's messages in the user's language. */
  t(id: MessageId, params?: MessageParams): string {
    return this.tr.t(id, params);
  }

  /** The text printed after "error: " for an error, in the user's language. */
  describeError(err: unknown): string {
    return errorMessage(err, this.tr);
  }

  print(text: string): void {
    this.io.out(text);
  }

  printExtra(text: string): void {
    if (!this.quiet) this.io.out(text);
  }

  error(message: string): void {
    this.io.err(`error: ${message}\n`);
  }

  /** Keep a library error to report if the command fails (virsh's last_error). */
  saveError(err: unknown): void {
    this.lastError = err;
  }

  resetError(): void {
    this.lastError = undefined;
  }

  /** Print the saved library error, if any (vshReportError). */
  reportError(): void {
    const err = this.lastError;
    this.lastError = undefined;
    if (err === undefined) return;
    this.error(this.describeError(err));
  }

  /** Every command group, in help's order. */
  get groups(): readonly CommandGroup[] {
    return this.commands.groups();
  }

  findCommand(name: string): CommandDef | undefined {
    return this.commands.find(name);
  }

  findGroup(name: string): CommandGroup | undefined {
    return this.groups.find((g) => g.name === name || g.keyword === name || (g.aliases ?? []).includes(name));
  }

  get connected(): boolean {
    return this.connection !== undefined;
  }

  /**
   * Open the connection (or replace it, for `connect`). On failure prints
   * virsh's two lines (unless `silent`) and returns false. With `deferProbe`
   * the daemon is checked by the first command's first call instead
   * (CommandDef.probeInFirstCall; runCommands reports a failure then).
   */
  async open(uri = this.uri, readonly = this.readonly, silent = false, deferProbe = false): Promise<boolean> {
    try {
      const options: ConnectOptions = { readonly };
      if (uri !== undefined) options.uri = uri;
      const token = this.env['VIRTNET_TOKEN'];
      if (token) options.token = token;
      if (deferProbe) options.deferProbe = true;
      const client = await this.connectFn(options);
      await this.close();
      this.connection = client;
      this.probe = client.probe;
      this.uri = uri;
      this.readonly = readonly;
      return true;
    } catch (err) {
      if (!silent) this.reportConnectFailure(err);
      return false;
    }
  }

  /** virsh's lines for a daemon that could not be connected (and virtnet's hint, unless -q). */
  private reportConnectFailure(err: unknown): void {
    this.error(this.t('failed to connect to the hypervisor'));
    this.error(this.describeError(err));
    const hint = connectHint(err, this.tr);
    if (hint !== undefined && !this.quiet) this.io.err(`${hint}\n`);
  }

  /** The connection; commands that need it only run once it is open. */
  client(): VirtnetClient {
    if (this.connection === undefined) throw new Error('no valid connection');
    return this.connection;
  }

  async close(): Promise<void> {
    const c = this.connection;
    this.connection = undefined;
    this.probe = undefined;
    if (c) await c.close().catch(() => undefined);
  }

  /** Run a parsed chain (vshCommandRun); true when the last command succeeded. */
  async runCommands(cmds: readonly ParsedCommand[]): Promise<boolean> {
    let ok = true;
    for (const cmd of cmds) {
      const started = this.now();
      const probe = this.probe;
      this.probe = undefined;
      const result = probe === undefined ? await this.runOne(cmd) : await this.runProbing(cmd, probe);
      // The daemon was not virtnetd, or not there: reported as open() would have, and nothing more runs.
      if (result === undefined) return false;
      ok = result;
      if (!ok) this.reportError();
      if (cmd.def.name === 'exit' || cmd.def.name === 'quit') return ok;
      if (this.timing) this.print(this.t('\n(Time: {ms} ms)\n\n', { ms: (this.now() - started).toFixed(3) }));
      else this.printExtra('\n');
    }
    return ok;
  }

  /**
   * Run the command whose first call settles the version probe, its output
   * held back until the probe passes. If the probe fails, the command is left
   * waiting for that call's answer, which never comes, its output is dropped,
   * and the connection's failure is reported as open() would have: undefined then.
   */
  private async runProbing(cmd: ParsedCommand, probe: ConnectProbe): Promise<boolean | undefined> {
    const held = new HeldIo(this.directIo);
    this.heldIo = held;
    const release = (): void => {
      if (this.heldIo !== held) return;
      this.heldIo = undefined;
      held.release();
    };
    void probe.passed.then(release);
    const failed = probe.failure.then((err) => ({ err }));
    let outcome = await Promise.race([this.runOne(cmd).then((ok) => ({ ok })), failed]);
    if ('ok' in outcome) {
      // A command that made no call: the probe runs now.
      try {
        await probe.settled();
      } catch (err) {
        outcome = { err };
      }
    }
    if ('ok' in outcome) {
      release();
      return outcome.ok;
    }
    this.heldIo = undefined;
    this.exitStatus = undefined;
    this.reportConnectFailure(outcome.err);
    await this.close();
    return undefined;
  }

  private async runOne(cmd: ParsedCommand): Promise<boolean> {
    this.resetError();
    this.exitStatus = undefined;
    if (!cmd.def.noConnect && !this.connected && !(await this.open())) return false;
    try {
      return await cmd.def.run(this, cmd);
    } catch (err) {
      if (err instanceof CommandAbort) return false;
      // A library error no handler framed: reported as the command's failure.
      this.saveError(err);
      return false;
    }
  }
}
