/**
 * `virtnet doctor`'s API, served by virtnetd (src/api/routes-doctor.ts) and
 * called by the CLI and the console (src/client/http-doctor.ts): the host
 * checks run in the daemon's network namespace, where its networks are.
 */
import type { CheckResult, Said } from '../doctor/checks.js';

export interface DoctorReport {
  /** One per check (per network for the per-network ones), in the report's order. */
  findings: CheckResult[];
  /** Whether a check failed (the CLI's exit status 1). */
  failed: boolean;
  /** The fixes `doctor --fix` applied that `--undo` would take back, as commands. */
  fixesRecorded: string[];
}

export interface DoctorFixResult {
  /** The fixes applied now, as commands. */
  applied: string[];
  /** The same for other languages: a phrase where a command has words (src/contract/phrase.ts). */
  appliedPhrases?: Said[];
  /** The checks after the fixes. */
  report: DoctorReport;
}

export interface DoctorUndoResult {
  /** The fixes taken back, newest first, as commands. */
  undone: string[];
  /** The same for other languages: a phrase where a command has words (src/contract/phrase.ts). */
  undonePhrases?: Said[];
}

export interface DoctorApi {
  /** The host checks, for every running network or one. */
  doctorReport(network?: string): Promise<DoctorReport>;
  /** Apply the reversible fixes the findings call for, each recorded. */
  doctorFix(network?: string): Promise<DoctorFixResult>;
  /** Take back every recorded fix. */
  doctorUndo(): Promise<DoctorUndoResult>;
}

export function hasDoctorApi<D extends object>(driver: D): driver is D & DoctorApi {
  return typeof (driver as Partial<DoctorApi>).doctorReport === 'function';
}
