/**
 * `virtnet doctor`'s frame: groups of checks (OVN's in src/ovn/doctor.ts;
 * others add theirs to DOCTOR_GROUPS), each check with a stable code, what
 * it found (evidence) and, when it is not fine, what to do about it. A check
 * that throws is reported as failed with the error as evidence, so one
 * broken check never hides the others.
 */

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckOutcome {
  status: CheckStatus;
  /** What was found, one line. */
  evidence: string;
  /** What to do, when the status is not ok. */
  fix?: string;
}

export interface CheckResult extends CheckOutcome {
  code: string;
  title: string;
}

export interface Check<C> {
  /** Stable, for scripts and documentation: GROUP-NAME (OVN-ENCAP). */
  code: string;
  title: string;
  run(ctx: C): Promise<CheckOutcome>;
}

export interface DoctorOptions {
  /** This host's Open vSwitch database. */
  ovsDb?: string;
  /** Where ovs-vswitchd and ovn-controller keep their pid files and control sockets. */
  ovsRunDir?: string;
}

export interface CheckGroup {
  /** The group's name, and its CLI flag (--NAME). */
  name: string;
  title: string;
  run(options: DoctorOptions): Promise<CheckResult[]>;
}

export const ok = (evidence: string): CheckOutcome => ({ status: 'ok', evidence });
export const warn = (evidence: string, fix: string): CheckOutcome => ({ status: 'warn', evidence, fix });
export const fail = (evidence: string, fix: string): CheckOutcome => ({ status: 'fail', evidence, fix });
export const skip = (evidence: string): CheckOutcome => ({ status: 'skip', evidence });

/** Run checks one after another (later ones may read what earlier ones found in `ctx`). */
export async function runChecks<C>(checks: readonly Check<C>[], ctx: C): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const c of checks) {
    let outcome: CheckOutcome;
    try {
      outcome = await c.run(ctx);
    } catch (e) {
      outcome = fail((e as Error).message, 'see the evidence; this check could not complete');
    }
    results.push({ code: c.code, title: c.title, ...outcome });
  }
  return results;
}

const MARK: Record<CheckStatus, string> = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL', skip: 'skip' };

/** The report as the CLI prints it: one line per check, the fix indented below. */
export function formatReport(title: string, results: readonly CheckResult[]): string {
  const width = Math.max(...results.map((r) => r.code.length), 4);
  const lines = [`${title}:`];
  for (const r of results) {
    lines.push(`  [${MARK[r.status]}] ${r.code.padEnd(width)}  ${r.title}: ${r.evidence}`);
    if (r.fix !== undefined && r.status !== 'ok') lines.push(`  ${' '.repeat(7 + width)}  fix: ${r.fix}`);
  }
  const counts = (s: CheckStatus): number => results.filter((r) => r.status === s).length;
  lines.push(`  ${counts('ok')} ok, ${counts('warn')} warnings, ${counts('fail')} failed, ${counts('skip')} skipped`);
  return `${lines.join('\n')}\n`;
}
