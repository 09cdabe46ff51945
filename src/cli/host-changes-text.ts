/**
 * A dry run's changes (src/contract/host-changes.ts) as the CLI prints them:
 * one section per kind of change, each line indented, files with their
 * content below their path.
 */
import { changesNothing, type HostChanges } from '../contract/host-changes.js';
import type { Translator } from './i18n/translate.js';

export function hostChangesText(tr: Translator, c: HostChanges): string {
  const doing = {
    start: tr.t('Starting network {network}', { network: c.network }),
    create: tr.t('Creating network {network}', { network: c.network }),
    update: tr.t('Updating network {network}', { network: c.network }),
  }[c.action];
  if (changesNothing(c)) {
    return c.config
      ? tr.t('{doing} would change nothing on the host (its saved definition would change)\n', { doing })
      : tr.t('{doing} would change nothing on the host\n', { doing });
  }
  const head = tr.t('{doing} would change on the host (dry run, nothing changed):', { doing });
  const out: string[] = [head];
  const section = (title: string, lines: readonly string[]): void => {
    if (lines.length === 0) return;
    out.push('', `${title}:`, ...lines.map((l) => `  ${l}`));
  };
  section(tr.t('Links'), c.links);
  section(
    tr.t('Sysctls'),
    c.sysctls.map(
      (s) => `${s.key} = ${s.value}${s.now === undefined ? '' : s.now === s.value ? tr.t(' (already)') : tr.t(' (now {value})', { value: s.now })}`,
    ),
  );
  const check = c.nftCheck === undefined ? tr.t('not checked') : c.nftCheck;
  section(tr.t('nftables batch (nft -c: {check})', { check }), c.nftables);
  if (c.files.length > 0) {
    out.push('', `${tr.t('Files')}:`);
    for (const f of c.files) {
      out.push(`  ${f.path}:`);
      const lines = f.content === '' ? [tr.t('(empty)')] : f.content.replace(/\n$/, '').split('\n');
      out.push(...lines.map((l) => `    ${l}`));
    }
  }
  section(tr.t('Processes'), c.processes);
  if (c.config) out.push('', tr.t('The saved definition would change as well.'));
  return `${out.join('\n')}\n`;
}
