/** A command runner that stands in for ip, sh, nsenter and the like in the host layer's unit tests. */
import type { CommandResult, CommandRunner, CommandSpec } from '../../../src/host/runner.js';
import { VirError } from '../../../src/util/errors.js';

/** Records each command and answers it with the next scripted reply (exit 0, no output, when the script is exhausted). */
export class ScriptedRunner implements CommandRunner {
  readonly calls: CommandSpec[] = [];
  constructor(private readonly replies: Partial<CommandResult>[] = []) {}
  async run(spec: CommandSpec): Promise<CommandResult> {
    this.calls.push(spec);
    const r = this.replies.shift() ?? {};
    return { argv: spec.argv, exitCode: 0, signal: null, stdout: '', stderr: '', durationMs: 1, ...r };
  }
}

/** A ScriptedRunner on a host without `program`: starting it fails as ExecRunner's does (the call is recorded). */
export class MissingProgramRunner extends ScriptedRunner {
  constructor(
    private readonly program: string,
    replies: Partial<CommandResult>[] = [],
  ) {
    super(replies);
  }
  override async run(spec: CommandSpec): Promise<CommandResult> {
    if (!spec.argv.includes(this.program)) return super.run(spec);
    this.calls.push(spec);
    throw new VirError('SYSTEM_ERROR', `Unable to find '${this.program}' binary in $PATH`);
  }
}
