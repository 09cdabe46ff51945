/**
 * `virtnet doctor --fix` and `--undo`: the reversible fixes, as data. Each
 * fix applied is recorded in RUN/doctor-fixes.json with what undoes it
 * (the rule to delete, the nft rule's handle, the sysctl's previous value),
 * and `--undo` takes them back in reverse order, leaving the foreign
 * ruleset as it was. For Docker the accept rules go into DOCKER-USER, as
 * Docker documents; for other iptables rulesets at the top of FORWARD; for
 * a foreign nftables table at the top of its forward chain.
 */
import { existsSync, readFileSync, unlinkSync } from 'node:fs';
import { writeFileAtomic } from '../util/atomic-file.js';
import { VirError } from '../util/errors.js';
import type { HostView } from './host-checks.js';
import { iptablesDrops } from './host-checks.js';
import { phrase, sayPhrase } from '../contract/phrase.js';
import type { Said } from './checks.js';

/** The comment every rule the doctor adds carries. */
const FIX_COMMENT = 'virtnet-doctor';

type DoctorFix =
  /** A rule inserted at the top of CHAIN in the filter table by TOOL (iptables-nft, ip6tables-legacy…). */
  | { kind: 'iptables'; tool: string; chain: string; rule: string[] }
  /** An nftables rule inserted into a foreign table's chain; `handle` deletes it. */
  | { kind: 'nft'; family: string; table: string; chain: string; rule: string; handle?: number }
  /** A sysctl written; `previous` is put back. */
  | { kind: 'sysctl'; key: string; value: string; previous: string };

/** What a fix does, as the command a person would type (a phrase where it has words to translate). */
export function fixSaid(fix: DoctorFix): Said {
  switch (fix.kind) {
    case 'iptables':
      return `${fix.tool} -I ${fix.chain} ${fix.rule.join(' ')}`;
    case 'nft':
      return `nft insert rule ${fix.family} ${fix.table} ${fix.chain} ${fix.rule}`;
    case 'sysctl':
      return phrase('sysctl -w {key}={value} (was {previous})', { key: fix.key.replaceAll('/', '.'), value: fix.value, previous: fix.previous });
  }
}

/** What a fix does, in English. */
export function describeFix(fix: DoctorFix): string {
  const said = fixSaid(fix);
  return typeof said === 'string' ? said : sayPhrase(said);
}

/** The fixes the findings call for. */
export function planFixes(view: HostView): DoctorFix[] {
  const fixes: DoctorFix[] = [];
  const seen = new Set<string>();
  const add = (fix: DoctorFix): void => {
    const key = describeFix(fix);
    if (!seen.has(key)) {
      seen.add(key);
      fixes.push(fix);
    }
  };
  const ipv4Routed = view.networks.some(
    (n) => ['nat', 'route', 'open'].includes(n.def.forward.mode) && n.def.ips.some((ip) => ip.address?.includes('.')),
  );
  const ip4 = view.sysctl('net/ipv4/ip_forward');
  if (ipv4Routed && ip4 !== undefined && ip4 !== '1') add({ kind: 'sysctl', key: 'net/ipv4/ip_forward', value: '1', previous: ip4 });
  for (const d of [...iptablesDrops(view, false), ...iptablesDrops(view, true)]) {
    const chain = d.rs.table.chains.has('DOCKER-USER') ? 'DOCKER-USER' : 'FORWARD';
    for (const dir of ['-i', '-o']) {
      add({ kind: 'iptables', tool: d.rs.tool, chain, rule: [dir, d.net.bridge, '-m', 'comment', '--comment', FIX_COMMENT, '-j', 'ACCEPT'] });
    }
  }
  for (const c of view.foreignNft) {
    for (const net of view.networks) {
      if (c.accepts.has(net.bridge)) continue;
      for (const key of ['iifname', 'oifname']) {
        add({ kind: 'nft', family: c.family, table: c.table, chain: c.chain, rule: `${key} "${net.bridge}" accept comment "${FIX_COMMENT}"` });
      }
    }
  }
  return fixes;
}

/** How the doctor changes the host: commands in virtnetd's namespace and its sysctls. */
export interface FixHost {
  run(argv: readonly string[]): Promise<{ exitCode: number | null; stdout: string; stderr: string }>;
  readSysctl(key: string): Promise<string | undefined>;
  writeSysctl(key: string, value: string): Promise<boolean>;
}

const failed = (what: string, r: { stderr: string }): VirError => new VirError('OPERATION_FAILED', `${what}: ${r.stderr.trim() || 'failed'}`);

async function applyOne(host: FixHost, fix: DoctorFix): Promise<DoctorFix> {
  switch (fix.kind) {
    case 'iptables': {
      const r = await host.run([fix.tool, '-w', '-t', 'filter', '-I', fix.chain, '1', ...fix.rule]);
      if (r.exitCode !== 0) throw failed(describeFix(fix), r);
      return fix;
    }
    case 'nft': {
      const r = await host.run(['nft', '--echo', '--handle', 'insert', 'rule', fix.family, fix.table, fix.chain, ...splitNftRule(fix.rule)]);
      if (r.exitCode !== 0) throw failed(describeFix(fix), r);
      const handle = /# handle (\d+)/.exec(r.stdout)?.[1];
      return handle !== undefined ? { ...fix, handle: Number(handle) } : fix;
    }
    case 'sysctl':
      if (!(await host.writeSysctl(fix.key, fix.value))) throw new VirError('OPERATION_FAILED', `${describeFix(fix)}: no such sysctl`);
      return fix;
  }
}

/** nft takes the rule as words; the quoted names stay one word each. */
function splitNftRule(rule: string): string[] {
  return rule.match(/"[^"]*"|\S+/g) ?? [];
}

async function undoOne(host: FixHost, fix: DoctorFix): Promise<void> {
  switch (fix.kind) {
    case 'iptables': {
      const r = await host.run([fix.tool, '-w', '-t', 'filter', '-D', fix.chain, ...fix.rule]);
      // Already gone (the chain or the rule): nothing to undo.
      if (r.exitCode !== 0 && !/does a matching rule exist|No chain\/target\/match|doesn't exist/i.test(r.stderr))
        throw failed(`${fix.tool} -D ${fix.chain}`, r);
      return;
    }
    case 'nft': {
      if (fix.handle === undefined) return;
      const r = await host.run(['nft', 'delete', 'rule', fix.family, fix.table, fix.chain, 'handle', String(fix.handle)]);
      if (r.exitCode !== 0 && !/No such file or directory/.test(r.stderr))
        throw failed(`nft delete rule ${fix.family} ${fix.table} ${fix.chain} handle ${fix.handle}`, r);
      return;
    }
    case 'sysctl':
      // Put it back only if it still holds what the fix wrote.
      if ((await host.readSysctl(fix.key)) === fix.value) await host.writeSysctl(fix.key, fix.previous);
      return;
  }
}

/** RUN/doctor-fixes.json: the fixes applied, in order. */
export class FixRecord {
  constructor(readonly path: string) {}

  read(): DoctorFix[] {
    if (!existsSync(this.path)) return [];
    const data = JSON.parse(readFileSync(this.path, 'utf8')) as { fixes?: DoctorFix[] };
    return Array.isArray(data.fixes) ? data.fixes : [];
  }

  private write(fixes: readonly DoctorFix[]): void {
    if (fixes.length === 0) {
      if (existsSync(this.path)) unlinkSync(this.path);
      return;
    }
    writeFileAtomic(this.path, `${JSON.stringify({ fixes }, null, 2)}\n`, { mode: 0o600 });
  }

  /** Apply each fix and record it at once, so a later one failing leaves the earlier ones undoable. */
  async apply(host: FixHost, fixes: readonly DoctorFix[]): Promise<DoctorFix[]> {
    const applied: DoctorFix[] = [];
    for (const fix of fixes) {
      const done = await applyOne(host, fix);
      applied.push(done);
      this.write([...this.read(), done]);
    }
    return applied;
  }

  /** Undo every recorded fix, newest first; returns them in the order undone. */
  async undo(host: FixHost): Promise<DoctorFix[]> {
    const fixes = this.read();
    const undone: DoctorFix[] = [];
    for (let i = fixes.length - 1; i >= 0; i--) {
      const fix = fixes[i];
      if (fix === undefined) continue;
      await undoOne(host, fix);
      undone.push(fix);
      this.write(fixes.slice(0, i));
    }
    return undone;
  }
}
