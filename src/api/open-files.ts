/**
 * virtnetd's descriptor limit (RLIMIT_NOFILE). Node cannot call
 * setrlimit(), so at start the daemon raises its own soft limit to the hard
 * one with util-linux's `prlimit --pid PID` (root may do that to itself),
 * and reads the result back from /proc/self/limits. The limit then sizes
 * the bounds of its listeners (connection-gate.ts). A soft limit of 1024 —
 * what a shell usually gives — is what let ~20,000 connections to the
 * read-only socket starve a root net-start of descriptors.
 */
import { readFileSync } from 'node:fs';
import type { CommandRunner } from '../host/runner.js';

/** The soft limit assumed when it cannot be read. */
export const DEFAULT_OPEN_FILES = 1024;

/** Above this the daemon does not raise its soft limit (the kernel's default fs.nr_open). */
const CEILING = 1_048_576;

interface OpenFilesLimit {
  soft: number;
  hard: number;
}

/** "Max open files  1024  524288  files" of /proc/PID/limits ("unlimited" is the ceiling). */
export function parseOpenFilesLimit(text: string): OpenFilesLimit | undefined {
  const m = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/m.exec(text);
  if (!m) return undefined;
  const value = (v: string | undefined): number => (v === undefined || v === 'unlimited' ? CEILING : Number(v));
  return { soft: value(m[1]), hard: value(m[2]) };
}

function readOpenFilesLimit(limitsFile = '/proc/self/limits'): OpenFilesLimit | undefined {
  try {
    return parseOpenFilesLimit(readFileSync(limitsFile, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Raise this process's soft limit to its hard limit (at most 1,048,576);
 * returns the soft limit in force afterwards and, when it could not be
 * raised, why (for the log).
 */
export async function raiseOpenFilesLimit(runner: CommandRunner, pid = process.pid): Promise<{ limit: number; problem?: string }> {
  const before = readOpenFilesLimit();
  if (before === undefined) return { limit: DEFAULT_OPEN_FILES, problem: 'cannot read /proc/self/limits' };
  const target = Math.min(before.hard, CEILING);
  if (before.soft >= target) return { limit: before.soft };
  let problem: string | undefined;
  try {
    const r = await runner.run({ argv: ['prlimit', `--pid=${pid}`, `--nofile=${target}:${before.hard}`], timeoutMs: 5000 });
    if (r.exitCode !== 0) problem = `prlimit failed: ${r.stderr.trim() || `exit status ${r.exitCode}`}`;
  } catch (err) {
    problem = err instanceof Error ? err.message : String(err);
  }
  const after = readOpenFilesLimit();
  return { limit: after?.soft ?? before.soft, ...(problem ? { problem } : {}) };
}
