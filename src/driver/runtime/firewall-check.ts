/**
 * What of our nftables table is missing: the listing of `table inet
 * virtnet` (nft -j list table) against what our batches put there. Pure,
 * so the watchdog's judgement is unit tested; the listing is read only
 * when something else changed the table (firewall.ts).
 *
 * A batch says what it makes: the chains it declares, the rules it adds
 * to each (their number: a chain flushed by someone else, or with a rule
 * someone inserted, no longer has it), and the set and map elements it
 * adds (by key). The base — hooked chains, their dispatch rules, maps and
 * sets — is one expectation; each network's own batch another.
 */
import type { NftObject } from '../../host/nft.js';

export interface Expectation {
  /** Chain name → rules it holds, and whether it is a base chain (hooked). */
  chains: Map<string, { rules: number; hooked: boolean }>;
  /** Set or map name → keys of elements it must hold. */
  elements: Map<string, Set<string>>;
  /** Sets and maps that must exist (even empty). */
  holders: Set<string>;
}

/** A key as text: "virbr1", "10.0.0.0/24", "a-b". */
function keyText(value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  if (Array.isArray(value)) return keyText(value[0]);
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (o['prefix'] && typeof o['prefix'] === 'object') {
      const p = o['prefix'] as { addr?: unknown; len?: unknown };
      return `${String(p.addr)}/${String(p.len)}`;
    }
    if (Array.isArray(o['range'])) return `${keyText(o['range'][0])}-${keyText(o['range'][1])}`;
    if (o['elem'] && typeof o['elem'] === 'object') return keyText((o['elem'] as { val?: unknown }).val);
  }
  return JSON.stringify(value);
}

function elemsOf(list: unknown): unknown[] {
  if (Array.isArray(list)) return list;
  // `"elem": {"set": [...]}` as nft monitor and some listings print it.
  const set = (list as { set?: unknown } | null)?.set;
  return Array.isArray(set) ? set : [];
}

/** What a batch (our own commands) makes. */
export function expectationOf(commands: readonly NftObject[]): Expectation {
  const e: Expectation = { chains: new Map(), elements: new Map(), holders: new Set() };
  for (const c of commands) {
    const added = c['add'] as Record<string, Record<string, unknown>> | undefined;
    if (!added) continue;
    if (added['chain']) {
      const chain = added['chain'];
      const name = String(chain['name']);
      const prior = e.chains.get(name);
      e.chains.set(name, { rules: prior?.rules ?? 0, hooked: (prior?.hooked ?? false) || chain['hook'] !== undefined });
    } else if (added['rule']) {
      const name = String(added['rule']['chain']);
      const prior = e.chains.get(name) ?? { rules: 0, hooked: false };
      e.chains.set(name, { ...prior, rules: prior.rules + 1 });
    } else if (added['set'] || added['map']) {
      e.holders.add(String((added['set'] ?? added['map'])?.['name']));
    } else if (added['element']) {
      const name = String(added['element']['name']);
      const keys = e.elements.get(name) ?? new Set<string>();
      for (const el of elemsOf(added['element']['elem'])) keys.add(keyText(el));
      e.elements.set(name, keys);
    }
  }
  return e;
}

/** What the listing holds, in the same terms. */
function heldBy(listing: readonly NftObject[]): Expectation {
  const e: Expectation = { chains: new Map(), elements: new Map(), holders: new Set() };
  for (const o of listing) {
    const chain = o['chain'] as Record<string, unknown> | undefined;
    const rule = o['rule'] as Record<string, unknown> | undefined;
    const holder = (o['set'] ?? o['map']) as Record<string, unknown> | undefined;
    const element = o['element'] as Record<string, unknown> | undefined;
    if (chain) {
      const name = String(chain['name']);
      e.chains.set(name, { rules: e.chains.get(name)?.rules ?? 0, hooked: chain['hook'] !== undefined });
    } else if (rule) {
      const name = String(rule['chain']);
      const prior = e.chains.get(name) ?? { rules: 0, hooked: false };
      e.chains.set(name, { ...prior, rules: prior.rules + 1 });
    } else if (holder) {
      const name = String(holder['name']);
      e.holders.add(name);
      const keys = e.elements.get(name) ?? new Set<string>();
      for (const el of elemsOf(holder['elem'])) keys.add(keyText(el));
      e.elements.set(name, keys);
    } else if (element) {
      const name = String(element['name']);
      const keys = e.elements.get(name) ?? new Set<string>();
      for (const el of elemsOf(element['elem'])) keys.add(keyText(el));
      e.elements.set(name, keys);
    }
  }
  return e;
}

/** What of `want` is not in `have`, as short sentences ("chain forward has 0 of 2 rules"). */
function missing(want: Expectation, have: Expectation): string[] {
  const out: string[] = [];
  for (const [name, w] of want.chains) {
    const h = have.chains.get(name);
    if (!h) out.push(`chain ${name} is gone`);
    else if (w.hooked && !h.hooked) out.push(`chain ${name} is not hooked`);
    else if (h.rules !== w.rules) out.push(`chain ${name} has ${h.rules} of its ${w.rules} rules`);
  }
  for (const name of want.holders) if (!have.holders.has(name)) out.push(`set ${name} is gone`);
  for (const [name, keys] of want.elements) {
    const held = have.elements.get(name);
    for (const k of keys) if (!held?.has(k)) out.push(`element ${k} of ${name} is gone`);
  }
  return out;
}

interface Damage {
  /** What the base lacks (every network depends on it). */
  base: string[];
  /** Per network (by owner), what its own part lacks. */
  networks: Map<string, string[]>;
}

/**
 * The damage a listing shows: `undefined` listing = the table is gone.
 * Networks are keyed by whatever the caller keys them by.
 */
export function findDamage(listing: readonly NftObject[] | undefined, base: Expectation, networks: ReadonlyMap<string, Expectation>): Damage {
  if (listing === undefined) {
    return { base: ['the table is gone'], networks: new Map([...networks.keys()].map((k) => [k, ['the table is gone']])) };
  }
  const have = heldBy(listing);
  const damage: Damage = { base: missing(base, have), networks: new Map() };
  for (const [owner, want] of networks) {
    const lacks = missing(want, have);
    if (lacks.length > 0) damage.networks.set(owner, lacks);
  }
  return damage;
}
