/**
 * iptables' filter table as `iptables-save` prints it (either backend), and
 * where a guest's first packet ends in its FORWARD chain: each rule is
 * matched on its input and output interfaces only; a rule with any other
 * condition (addresses, protocols, conntrack states, marks) is taken not to
 * match, since a new connection from a guest meets none of them for sure.
 * So the verdict is what a new flow between two interfaces gets.
 */

interface IptablesRule {
  chain: string;
  /** The rule as iptables-save prints it, without `-A CHAIN`. */
  spec: string;
  in?: { name: string; negated: boolean };
  out?: { name: string; negated: boolean };
  /** Conditions other than the interfaces (then the rule is taken not to match). */
  conditional: boolean;
  /** -j TARGET or -g CHAIN. */
  target?: string;
  goto: boolean;
}

export interface FilterTable {
  /** Built-in chains' policies (ACCEPT, DROP). */
  policies: Map<string, string>;
  chains: Map<string, IptablesRule[]>;
}

/** Split a rule line into words, honouring iptables-save's double quotes. */
function words(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = re.exec(line); m !== null; m = re.exec(line)) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? ''));
  return out;
}

/** Conditions that say nothing about a new flow's packets: comments. */
const NEUTRAL_MATCHES = new Set(['comment']);

function parseRule(chain: string, spec: string): IptablesRule {
  const w = words(spec);
  const rule: IptablesRule = { chain, spec, conditional: false, goto: false };
  for (let i = 0; i < w.length; i++) {
    let negated = false;
    if (w[i] === '!') {
      negated = true;
      i++;
    }
    const word = w[i];
    const value = w[i + 1] ?? '';
    if (word === '-i' || word === '--in-interface') {
      rule.in = { name: value, negated };
      i++;
    } else if (word === '-o' || word === '--out-interface') {
      rule.out = { name: value, negated };
      i++;
    } else if (word === '-j' || word === '--jump' || word === '-g' || word === '--goto') {
      rule.target = value;
      rule.goto = word === '-g' || word === '--goto';
      // A target's own options follow (--reject-with, --log-prefix): they are not conditions.
      return rule;
    } else if (word === '-m' || word === '--match') {
      if (!NEUTRAL_MATCHES.has(value)) rule.conditional = true;
      i++;
      // Skip the match's options up to the next rule word.
      while (w[i + 1] !== undefined && w[i + 1]?.startsWith('--')) i += 2;
    } else {
      rule.conditional = true;
    }
  }
  return rule;
}

/** The filter table from `iptables-save` output (other tables are skipped). */
export function parseFilterTable(save: string): FilterTable {
  const table: FilterTable = { policies: new Map(), chains: new Map() };
  let inFilter = false;
  for (const raw of save.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('*')) {
      inFilter = line === '*filter';
      continue;
    }
    if (!inFilter || line === '' || line.startsWith('#') || line === 'COMMIT') continue;
    if (line.startsWith(':')) {
      const [name, policy] = line.slice(1).split(/\s+/);
      if (name === undefined) continue;
      table.chains.set(name, table.chains.get(name) ?? []);
      if (policy !== undefined && policy !== '-') table.policies.set(name, policy);
      continue;
    }
    const m = /^-A\s+(\S+)\s*(.*)$/.exec(line);
    if (!m?.[1]) continue;
    const rules = table.chains.get(m[1]) ?? [];
    rules.push(parseRule(m[1], m[2] ?? ''));
    table.chains.set(m[1], rules);
  }
  return table;
}

/** iptables' interface match: exact, or a prefix when it ends in `+`. */
function nameMatches(pattern: string, dev: string): boolean {
  return pattern.endsWith('+') ? dev.startsWith(pattern.slice(0, -1)) : pattern === dev;
}

function matches(rule: IptablesRule, flow: Flow): boolean {
  if (rule.conditional) return false;
  if (rule.in && nameMatches(rule.in.name, flow.in) === rule.in.negated) return false;
  if (rule.out && nameMatches(rule.out.name, flow.out) === rule.out.negated) return false;
  return true;
}

/** A new flow through the host: in one interface, out another (the same, for a bridge with br_netfilter). */
export interface Flow {
  in: string;
  out: string;
}

interface ForwardVerdict {
  verdict: 'accept' | 'drop' | 'reject';
  /** The rule that decided (as `-A CHAIN spec`), or `policy CHAIN DROP`. */
  decidedBy: string;
  /** The chains the flow went through, in order. */
  chains: string[];
}

const TERMINAL: Record<string, ForwardVerdict['verdict']> = { ACCEPT: 'accept', DROP: 'drop', REJECT: 'reject' };

/** Where the flow ends in the FORWARD chain; undefined when the table has no FORWARD chain. */
export function forwardVerdict(table: FilterTable, flow: Flow): ForwardVerdict | undefined {
  if (!table.chains.has('FORWARD')) return undefined;
  const chains: string[] = [];
  const walk = (chain: string, depth: number): Omit<ForwardVerdict, 'chains'> | 'return' => {
    chains.push(chain);
    if (depth > 32) return 'return';
    for (const rule of table.chains.get(chain) ?? []) {
      if (!matches(rule, flow) || rule.target === undefined) continue;
      const terminal = TERMINAL[rule.target];
      if (terminal) return { verdict: terminal, decidedBy: `-A ${chain} ${rule.spec}` };
      if (rule.target === 'RETURN') return 'return';
      if (table.chains.has(rule.target)) {
        const inner = walk(rule.target, depth + 1);
        if (inner !== 'return') return inner;
        if (rule.goto) return 'return';
      }
      // Other targets (LOG, MARK, …) do not end the walk.
    }
    return 'return';
  };
  const end = walk('FORWARD', 0);
  if (end !== 'return') return { ...end, chains };
  const policy = table.policies.get('FORWARD') ?? 'ACCEPT';
  return { verdict: policy === 'DROP' ? 'drop' : 'accept', decidedBy: `policy FORWARD ${policy}`, chains };
}

/** Who made the ruleset, from its chains' names. */
export function firewallOwner(table: FilterTable): 'docker' | 'ufw' | 'firewalld' | undefined {
  if (table.chains.has('DOCKER-USER') || table.chains.has('DOCKER')) return 'docker';
  if ([...table.chains.keys()].some((c) => c.startsWith('ufw-'))) return 'ufw';
  if ([...table.chains.keys()].some((c) => c.startsWith('FORWARD_') || c.startsWith('FWDI_'))) return 'firewalld';
  return undefined;
}

/** iptables-save's text without its comment lines (dates) and counters: what a ruleset holds. */
export function comparableSave(save: string): string {
  return save
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .map((l) => l.replace(/ \[\d+:\d+\]$/, ''))
    .join('\n');
}
