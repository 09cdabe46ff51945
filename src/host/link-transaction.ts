/**
 * Link changes as a transaction. The steps of a list of operations run as one
 * batch; `ip -batch` stops at the first failing line and names it
 * ("Command failed -:N"), so exactly lines 1…N-1 were applied and their undo
 * lines are run, newest first. On success the caller gets the full undo
 * script, to keep in the network's status and run at stop.
 *
 * Undo runs with `-force` (every line is tried) and counts a line whose target
 * is already gone (no such device, address or route) as done, so a stop after a
 * partial crash still cleans up what is left.
 *
 * The batch itself is carried out by a BatchRunner: `ip -batch` on Linux
 * (ip-batch.ts), an in-memory interpreter in the fake host.
 */
import { HostError } from './errors.js';
import { type BatchStep, type LinkOp, SELF_NETNS, type UndoLine, stepsForAll } from './link-ops.js';
import type { NetnsBinding } from './netns.js';

export interface BatchFailure {
  /** 1-based line number in the batch. */
  line: number;
  /** The tool's reason, e.g. "File exists". */
  reason: string;
}

export interface BatchOutcome {
  /** Failed lines; without force at most one. */
  failures: BatchFailure[];
  /** False when the batch failed but the failing line could not be determined. */
  known: boolean;
  /** Raw stderr, for errors. */
  stderr: string;
}

export interface BatchRunner {
  runBatch(netns: NetnsBinding, lines: readonly (readonly string[])[], opts: { force: boolean }): Promise<BatchOutcome>;
}

/** What an applied transaction leaves behind: how to undo it. */
export interface AppliedLinkChanges {
  /** Undo lines in the order to run them (last change first). JSON-serializable. */
  undo: UndoLine[];
}

export interface RevertFailure {
  line: UndoLine;
  reason: string;
}

export interface RevertResult {
  /** Lines that failed for a reason other than "already gone". */
  failures: RevertFailure[];
}

/** Thrown when a transaction failed; everything it applied has been undone (see rollbackFailures). */
export class LinkTransactionError extends HostError {
  /** Undo lines that could not be run during the rollback. */
  rollbackFailures: RevertFailure[] = [];
}

/**
 * Reasons meaning the thing an undo line removes is already gone. Note that
 * taking a link down drops its IPv6 addresses and the routes through it, so a
 * later "addr del"/"route del" in the same undo script finds nothing.
 */
const ALREADY_GONE =
  /Cannot find device|does not exist|No such device|No such process|Cannot assign requested address|address not found|Cannot open network namespace/;

export function isAlreadyGone(reason: string): boolean {
  return ALREADY_GONE.test(reason);
}

/** The undo script of applied steps: their undo lines, newest step first. */
export function undoOf(steps: readonly BatchStep[]): UndoLine[] {
  return [...steps].reverse().flatMap((s) => s.undo);
}

/** The error for a failed step. */
function stepError(step: BatchStep, reason: string, stderr: string, argv?: readonly string[]): LinkTransactionError {
  const info: { reason: string; stderr: string; argv?: readonly string[] } = { reason, stderr };
  if (argv) info.argv = argv;
  if (step.kind !== undefined && /Unknown device type/i.test(reason)) {
    const kind = step.kind === 'tun' ? 'tap' : step.kind;
    return new LinkTransactionError('CONFIG_UNSUPPORTED', `this kernel does not support link type '${kind}'`, info);
  }
  return new LinkTransactionError('SYSTEM_ERROR', `${step.what}: ${reason}`, info);
}

/** Replace the self-namespace placeholder with something ip accepts after `netns`. */
function resolveSelf(args: readonly string[], self: NetnsBinding): string[] {
  return args.map((a) => (a === SELF_NETNS ? (self ?? String(process.pid)) : a));
}

/**
 * Run undo lines (in order), grouped into one forced batch per consecutive
 * namespace. `self` is the namespace the changes were made in.
 */
export async function revertLinkChanges(runner: BatchRunner, undo: readonly UndoLine[], self: NetnsBinding): Promise<RevertResult> {
  const failures: RevertFailure[] = [];
  let i = 0;
  while (i < undo.length) {
    const first = undo[i] as UndoLine;
    const group: UndoLine[] = [];
    while (i < undo.length && (undo[i] as UndoLine).netns === first.netns) group.push(undo[i++] as UndoLine);
    const outcome = await runner.runBatch(
      first.netns,
      group.map((l) => resolveSelf(l.args, self)),
      { force: true },
    );
    if (!outcome.known) {
      if (!isAlreadyGone(outcome.stderr)) for (const line of group) failures.push({ line, reason: outcome.stderr.trim() });
      continue;
    }
    for (const f of outcome.failures) {
      const line = group[f.line - 1];
      if (line && !isAlreadyGone(f.reason)) failures.push({ line, reason: f.reason });
    }
  }
  return { failures };
}

/**
 * Apply operations as one batch in `netns`. On failure, undo exactly the lines
 * that were applied and throw the failing step's error.
 */
export async function applyLinkOps(runner: BatchRunner, ops: readonly LinkOp[], netns: NetnsBinding): Promise<AppliedLinkChanges> {
  const steps = stepsForAll(ops, netns);
  if (steps.length === 0) return { undo: [] };
  const outcome = await runner.runBatch(
    netns,
    steps.map((s) => s.args),
    { force: false },
  );
  if (outcome.failures.length === 0 && outcome.known) return { undo: undoOf(steps) };

  const failure = outcome.failures[0];
  let applied: BatchStep[];
  let error: LinkTransactionError;
  if (outcome.known && failure) {
    applied = steps.slice(0, failure.line - 1);
    const failed = steps[failure.line - 1] ?? (steps[steps.length - 1] as BatchStep);
    error = stepError(failed, failure.reason, outcome.stderr);
  } else {
    // We cannot tell how far the batch got: undo everything (lines whose target is missing count as done).
    applied = steps;
    const reason = outcome.stderr.trim() || 'ip batch failed';
    error = new LinkTransactionError('SYSTEM_ERROR', `Failed to apply link changes: ${reason}`, { reason, stderr: outcome.stderr });
  }
  const rollback = await revertLinkChanges(runner, undoOf(applied), netns);
  error.rollbackFailures = rollback.failures;
  throw error;
}
