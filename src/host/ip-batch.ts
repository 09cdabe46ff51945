/**
 * `ip -batch -` as a BatchRunner: the lines go to ip's stdin in one process,
 * in the bound namespace (`ip -n NS`). ip reports each failing line as its
 * error text followed by "Command failed -:N"; without `-force` it stops at
 * the first one, with `-force` it carries on and reports every failure.
 * parseBatchStderr turns that stderr into numbered failures.
 */
import { toolReason } from './errors.js';
import type { BatchFailure, BatchOutcome, BatchRunner } from './link-transaction.js';
import { batchLine } from './link-ops.js';
import { type NetnsBinding, iproute2Argv } from './netns.js';
import type { CommandRunner } from './runner.js';

const FAILED = /^Command failed (?:-|\S+):(\d+)\s*$/;

/** Split ip's batch stderr into one failure per "Command failed -:N", with the text before it as the reason. */
export function parseBatchStderr(stderr: string): BatchFailure[] {
  const failures: BatchFailure[] = [];
  let pending: string[] = [];
  for (const raw of stderr.split('\n')) {
    const m = FAILED.exec(raw.trim());
    if (m) {
      failures.push({ line: Number(m[1]), reason: toolReason(pending.join('\n')) || 'failed' });
      pending = [];
    } else {
      pending.push(raw);
    }
  }
  return failures;
}

export class IpBatchRunner implements BatchRunner {
  constructor(private readonly runner: CommandRunner) {}

  async runBatch(netns: NetnsBinding, lines: readonly (readonly string[])[], opts: { force: boolean }): Promise<BatchOutcome> {
    const args = opts.force ? ['-force', '-batch', '-'] : ['-batch', '-'];
    const input = lines.map((l) => `${batchLine(l)}\n`).join('');
    const result = await this.runner.run({ argv: iproute2Argv('ip', netns, args), input });
    if (result.exitCode === 0) return { failures: [], known: true, stderr: result.stderr };
    const failures = parseBatchStderr(result.stderr);
    return { failures, known: failures.length > 0 && result.signal === null, stderr: result.stderr };
  }
}
