/**
 * `virtnet doctor`'s report as the CLI prints it: one line per check (its
 * mark, stable code, title and what it found), the fix indented below, and
 * the counts. The findings' texts are said in the user's language from
 * their phrases (src/doctor/checks.ts, saidFinding), as the console's Health page does.
 */
import { type CheckResult, type CheckStatus, saidFinding } from '../doctor/checks.js';
import type { Translator } from './i18n/translate.js';

export function doctorReportText(tr: Translator, title: string, results: readonly CheckResult[]): string {
  const words: Record<CheckStatus, string> = { ok: tr.t('ok'), warn: tr.t('WARN'), fail: tr.t('FAIL'), skip: tr.t('skip') };
  const markWidth = Math.max(...Object.values(words).map((w) => w.length));
  const mark = (s: CheckStatus): string => words[s].padEnd(markWidth);
  const width = Math.max(...results.map((r) => r.code.length), 4);
  const lines = [`${title}:`];
  for (const r of results) {
    const said = saidFinding(r, (p) => tr.say(p));
    lines.push(`  [${mark(r.status)}] ${r.code.padEnd(width)}  ${said.title}: ${said.evidence}`);
    if (said.fix !== undefined && r.status !== 'ok') lines.push(`  ${' '.repeat(3 + markWidth + width)}  ${tr.t('fix: {fix}', { fix: said.fix })}`);
  }
  const counts = (s: CheckStatus): number => results.filter((r) => r.status === s).length;
  lines.push(
    `  ${tr.t('{ok} ok, {warn} warnings, {fail} failed, {skip} skipped', { ok: counts('ok'), warn: counts('warn'), fail: counts('fail'), skip: counts('skip') })}`,
  );
  return `${lines.join('\n')}\n`;
}
