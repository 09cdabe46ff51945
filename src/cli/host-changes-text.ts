/**
 * A dry run's changes (src/contract/host-changes.ts) as the CLI prints them:
 * one section per kind of change, each line indented, files with their
 * content below their path.
 */
import { changesNothing, type HostChanges } from '../contract/host-changes.js';

const VERB = { start: 'Starting', create: 'Creating', update: 'Updating' } as const;

export function hostChangesText(c: HostChanges): string {
  const head = `${VERB[c.action]} network ${c.network} would change on the host (dry run, nothing changed):`;
  if (changesNothing(c)) {
    const config = c.config ? ' (its saved definition would change)' : '';
    return `${VERB[c.action]} network ${c.network} would change nothing on the host${config}\n`;
  }
  const out: string[] = [head];
  const section = (title: string, lines: readonly string[]): void => {
    if (lines.length === 0) return;
    out.push('', `${title}:`, ...lines.map((l) => `  ${l}`));
  };
  section('Links', c.links);
  section(
    'Sysctls',
    c.sysctls.map((s) => `${s.key} = ${s.value}${s.now === undefined ? '' : s.now === s.value ? ' (already)' : ` (now ${s.now})`}`),
  );
  section(`nftables batch (nft -c: ${c.nftCheck ?? 'not checked'})`, c.nftables);
  if (c.files.length > 0) {
    out.push('', 'Files:');
    for (const f of c.files) {
      out.push(`  ${f.path}:`);
      const lines = f.content === '' ? ['(empty)'] : f.content.replace(/\n$/, '').split('\n');
      out.push(...lines.map((l) => `    ${l}`));
    }
  }
  section('Processes', c.processes);
  if (c.config) out.push('', 'The saved definition would change as well.');
  return `${out.join('\n')}\n`;
}
