/**
 * Several small steps in the bound namespace as one process: sysctl writes
 * (the shell's builtin printf, so no process per key) and commands (each
 * forked by the shell), in order, through one `sh -c`.
 *
 * Why: each process started from Node forks the whole Node process, which
 * blocks its event loop for 1–3 ms and more on a loaded machine; a fork
 * inside a small shell costs a fraction of that. A network start needs
 * three such steps on its new bridge (its IPv6 sysctls with ip_forward,
 * `ethtool -K BR tx off`, link up), which this runs as one.
 *
 * Semantics are those of the separate operations:
 * - sysctl steps: every key is tried; a key that does not exist is
 *   reported absent (false), not as an error; any other failure throws
 *   "cannot write to 'PATH': REASON" with tee's reason (a failed builtin
 *   write is retried through tee, whose message names the reason);
 * - command steps: the script stops at the first one that fails, which
 *   throws "WHAT: REASON" with the reason from the command's output;
 *   steps after it have not run.
 * A sysctl failure is thrown after the script, so the commands after it
 * have run; callers that need a sysctl before a command must not rely on
 * the command not having run (the runtime undoes the whole start anyway).
 */
import { HostError, commandError, toolReason } from './errors.js';
import { type NetnsBinding, inNetnsArgv } from './netns.js';
import type { CommandRunner } from './runner.js';
import { type SysctlEntry, shQuote, sysctlPath, sysctlWriteLines, teeFailures } from './sysctl.js';

export type NsStep =
  | { kind: 'sysctls'; entries: readonly SysctlEntry[] }
  /** `what` starts the error when it fails: "WHAT: REASON". */
  | { kind: 'command'; argv: readonly string[]; what: string };

interface NsScriptResult {
  /** For each sysctl step (in order), whether each of its keys existed. */
  sysctlsPresent: boolean[][];
}

const FAIL = '@@virtnet-step-failed';

/** The script: sysctl lines, then each command with its output captured and a marker if it fails. */
export function nsScript(steps: readonly NsStep[]): string {
  const lines = ['st=0'];
  for (const [i, step] of steps.entries()) {
    if (step.kind === 'sysctls') {
      lines.push(...sysctlWriteLines(step.entries.map((e) => ({ path: sysctlPath(e.key), value: e.value }))));
    } else {
      lines.push(`out=$(${step.argv.map(shQuote).join(' ')} 2>&1) || { printf '%s %d\\n%s\\n' '${FAIL}' ${i} "$out"; exit 2; }`);
    }
  }
  lines.push('exit $st');
  return lines.join('\n');
}

/** Run the steps in one process in `netns` (see the module comment). */
export async function runNsScript(runner: CommandRunner, netns: NetnsBinding, steps: readonly NsStep[]): Promise<NsScriptResult> {
  const sysctlSteps = steps.filter((s): s is Extract<NsStep, { kind: 'sysctls' }> => s.kind === 'sysctls');
  const result = await runner.run({ argv: inNetnsArgv(netns, ['sh', '-c', nsScript(steps)]) });
  const failures = teeFailures(result.stderr);
  let sysctlError: HostError | undefined;
  const sysctlsPresent = sysctlSteps.map((step) =>
    step.entries.map((e) => {
      const path = sysctlPath(e.key);
      const reason = failures.get(path);
      if (reason === undefined) return true;
      if (/No such file or directory/.test(reason)) return false;
      sysctlError ??= new HostError('SYSTEM_ERROR', `cannot write to '${path}': ${reason}`, { reason, stderr: result.stderr });
      return true;
    }),
  );
  if (result.exitCode === 2) {
    const lines = result.stdout.split('\n');
    const at = lines.findIndex((l) => l.startsWith(`${FAIL} `));
    const step = at >= 0 ? steps[Number(lines[at]!.slice(FAIL.length + 1))] : undefined;
    if (step?.kind === 'command') {
      const output = lines
        .slice(at + 1)
        .join('\n')
        .trim();
      const reason = toolReason(output) || output || 'failed';
      throw new HostError('SYSTEM_ERROR', `${step.what}: ${reason}`, { reason, argv: step.argv, stderr: output });
    }
  }
  if (sysctlError) throw sysctlError;
  if (result.exitCode !== 0 && !(result.exitCode === 1 && failures.size > 0)) throw commandError('cannot run commands in the namespace', result);
  return { sysctlsPresent };
}
