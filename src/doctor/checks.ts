/**
 * `virtnet doctor`'s frame: groups of checks (OVN's in src/ovn/doctor.ts;
 * others add theirs to DOCTOR_GROUPS), each check with a stable code, what
 * it found (evidence) and, when it is not fine, what to do about it. A check
 * that throws is reported as failed with the error as evidence, so one
 * broken check never hides the others.
 */

import { type Phrase, phrase, sayPhrase } from '../contract/phrase.js';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckOutcome {
  status: CheckStatus;
  /** What was found, one line. */
  evidence: string;
  /** What to do, when the status is not ok. */
  fix?: string;
  /** The same texts as phrases, for the other languages; absent where the text is not ours (an error's message). */
  phrases?: FindingPhrases;
}

export interface FindingPhrases {
  title?: Phrase;
  evidence?: Phrase;
  fix?: Phrase;
}

export interface CheckResult extends CheckOutcome {
  code: string;
  title: string;
}

/** A finding's text: our own sentence as a phrase, or a text that is not ours as it came. */
export type Said = string | Phrase;

export interface Check<C> {
  /** Stable, for scripts and documentation: GROUP-NAME (OVN-ENCAP). */
  code: string;
  title: Phrase;
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
  title: Phrase;
  run(options: DoctorOptions): Promise<CheckResult[]>;
}

const english = (s: Said): string => (typeof s === 'string' ? s : sayPhrase(s));

function outcomeOf(status: CheckStatus, evidence: Said, fix?: Said): CheckOutcome {
  const phrases: FindingPhrases = {};
  if (typeof evidence !== 'string') phrases.evidence = evidence;
  if (fix !== undefined && typeof fix !== 'string') phrases.fix = fix;
  return {
    status,
    evidence: english(evidence),
    ...(fix !== undefined ? { fix: english(fix) } : {}),
    ...(Object.keys(phrases).length > 0 ? { phrases } : {}),
  };
}

export const ok = (evidence: Said): CheckOutcome => outcomeOf('ok', evidence);
export const warn = (evidence: Said, fix: Said): CheckOutcome => outcomeOf('warn', evidence, fix);
export const fail = (evidence: Said, fix: Said): CheckOutcome => outcomeOf('fail', evidence, fix);
export const skip = (evidence: Said): CheckOutcome => outcomeOf('skip', evidence);

/** A check's finding: its code and title with the outcome. */
export function finding(code: string, title: Phrase, o: CheckOutcome): CheckResult {
  return { code, title: sayPhrase(title), ...o, phrases: { ...o.phrases, title } };
}

/** What a check that threw reports: the error's own text, and what to do. */
export const crashed = (e: unknown): CheckOutcome => fail((e as Error).message, phrase('see the evidence; this check could not complete'));

/** A finding's title, evidence and fix, each phrase said by `say` (a language's); texts that are not ours stay as they came. */
export function saidFinding(r: CheckResult, say: (p: Phrase) => string): { title: string; evidence: string; fix?: string } {
  const text = (p: Phrase | undefined, english: string): string => (p !== undefined ? say(p) : english);
  return {
    title: text(r.phrases?.title, r.title),
    evidence: text(r.phrases?.evidence, r.evidence),
    ...(r.fix !== undefined ? { fix: text(r.phrases?.fix, r.fix) } : {}),
  };
}

/** Run checks one after another (later ones may read what earlier ones found in `ctx`). */
export async function runChecks<C>(checks: readonly Check<C>[], ctx: C): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const c of checks) {
    let outcome: CheckOutcome;
    try {
      outcome = await c.run(ctx);
    } catch (e) {
      outcome = crashed(e);
    }
    results.push(finding(c.code, c.title, outcome));
  }
  return results;
}
