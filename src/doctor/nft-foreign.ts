/**
 * nftables tables that are neither virtnet's nor iptables-nft's (firewalld's,
 * an administrator's), whose forward chains drop what they do not accept: a
 * packet must pass every base chain of a hook, so virtnet's own accepts do
 * not help. Read from `nft -j list ruleset`; the interfaces a chain accepts
 * unconditionally (`iifname/oifname NAME accept`) are noted, so a chain that
 * already accepts a network's bridge is not reported for it.
 */
import type { NftObject } from '../host/nft.js';

export interface ForeignChain {
  family: string;
  table: string;
  chain: string;
  hook: string;
  /** "has policy drop", "ends with an unconditional reject". */
  why: string;
  /** Interfaces it accepts unconditionally, in or out. */
  accepts: Set<string>;
}

/** iptables-nft's own tables: `iptables-save` reads those (./iptables-rules.ts). */
const XTABLES = new Set(['filter', 'nat', 'mangle', 'raw', 'security']);
const VIRTNET_TABLE = 'virtnet';

interface ChainObj {
  family: string;
  table: string;
  name: string;
  hook?: string;
  policy?: string;
}
interface RuleObj {
  family: string;
  table: string;
  chain: string;
  expr?: Record<string, unknown>[];
}

const verdictOf = (e: Record<string, unknown>): string | undefined => ['accept', 'drop', 'reject'].find((v) => v in e);

/** `iifname|oifname == NAME` then accept: the interface. */
function acceptedInterface(expr: Record<string, unknown>[]): string | undefined {
  if (expr.length !== 2 || verdictOf(expr[1] ?? {}) !== 'accept') return undefined;
  const m = expr[0]?.match as { op?: string; left?: { meta?: { key?: string } }; right?: unknown } | undefined;
  const key = m?.left?.meta?.key;
  if ((key === 'iifname' || key === 'oifname') && (m?.op === '==' || m?.op === 'in') && typeof m.right === 'string') return m.right;
  return undefined;
}

/** Forward (and bridge-family forward) base chains of foreign tables that drop by default. */
export function foreignDrops(ruleset: readonly NftObject[]): ForeignChain[] {
  const chains: ChainObj[] = [];
  const rules: RuleObj[] = [];
  for (const o of ruleset) {
    if (o.chain) chains.push(o.chain as ChainObj);
    if (o.rule) rules.push(o.rule as RuleObj);
  }
  const out: ForeignChain[] = [];
  for (const c of chains) {
    if (c.hook !== 'forward') continue;
    if (c.table === VIRTNET_TABLE && c.family === 'inet') continue;
    if ((c.family === 'ip' || c.family === 'ip6') && XTABLES.has(c.table)) continue;
    const own = rules.filter((r) => r.family === c.family && r.table === c.table && r.chain === c.name);
    const last = own[own.length - 1]?.expr ?? [];
    const lastVerdict = last.length === 1 ? verdictOf(last[0] ?? {}) : undefined;
    const why =
      c.policy === 'drop'
        ? 'has policy drop'
        : lastVerdict === 'drop' || lastVerdict === 'reject'
          ? `ends with an unconditional ${lastVerdict}`
          : undefined;
    if (why === undefined) continue;
    const accepts = new Set(own.map((r) => acceptedInterface(r.expr ?? [])).filter((n): n is string => n !== undefined));
    out.push({ family: c.family, table: c.table, chain: c.name, hook: c.hook, why, accepts });
  }
  return out;
}
