/**
 * The fuzzer of network documents, shared by the bounded run in `npm test`
 * (test/fuzz/fuzz.test.ts) and `npm run fuzz` (scripts/fuzz.ts).
 *
 * Inputs are reproducible from (seed, index): mutations of libvirt's corpus
 * documents (read at run time, never copied), hostile documents
 * (test/support/hostile-network.ts), and with some of them a net-update.
 * Each input goes through parse → format → parse → format (live and
 * inactive), the planners and net-update. Findings:
 * - crash: anything thrown that is not a VirError;
 * - unclean: a VirError whose text shows a program's inside (undefined,
 *   NaN, [object …], a JS error name or stack frame) or says nothing;
 * - roundtrip: the saved form does not parse, or formatting what was parsed
 *   from it gives another text;
 * - hang: an input that takes longer than the time budget.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { bridgeNameTemplate, needsBridgeAllocation } from '../../src/conf/network/defaults.js';
import { formatNetworkXml } from '../../src/conf/network/format.js';
import { parseNetworkXml } from '../../src/conf/network/parse.js';
import type { NetworkDef } from '../../src/conf/network/types.js';
import { UPDATE_COMMANDS, UPDATE_SECTIONS, applyUpdate } from '../../src/conf/network/update.js';
import { checkNetworkConfig, checkNetworkName } from '../../src/conf/network/validate.js';
import { planNetwork } from '../../src/plan/network-plan.js';
import { VirError } from '../../src/util/errors.js';
import { PIECES, attr, hostile, hostileNetworks } from '../support/hostile-network.js';

export const CATEGORIES = ['crash', 'hang', 'unclean', 'roundtrip'] as const;
export type Category = (typeof CATEGORIES)[number];

export interface FuzzUpdate {
  command: string;
  section: string;
  parentIndex: number;
  xml: string;
}

export interface FuzzInput {
  index: number;
  origin: 'corpus' | 'hostile';
  xml: string;
  update?: FuzzUpdate;
}

export type Verdict = { kind: 'accepted' } | { kind: 'refused' } | { kind: 'finding'; category: Exclude<Category, 'hang'>; detail: string };

export interface Finding {
  category: Category;
  index: number;
  origin: FuzzInput['origin'];
  detail: string;
  input: FuzzInput;
}

export interface FuzzSummary {
  seed: number;
  inputs: number;
  corpusDocuments: number;
  accepted: number;
  refused: number;
  counts: Record<Category, number>;
  /** The first findings of each category. */
  findings: Finding[];
  ms: number;
}

/** libvirt's corpus as the fuzzer uses it: whole documents, update snippets, and single-line elements to insert. */
export interface Corpus {
  documents: string[];
  updates: string[];
  elements: string[];
}

/** The corpus folder: $VIRTNET_CONFORMANCE_DIR, else ../shared/conformance/libvirt beside the repository. */
export function corpusDir(repoRoot: string): string {
  return process.env.VIRTNET_CONFORMANCE_DIR ?? join(repoRoot, '..', 'shared', 'conformance', 'libvirt');
}

export function loadCorpus(dir: string): Corpus | undefined {
  if (!existsSync(dir)) return undefined;
  const read = (sub: string): string[] => {
    const d = join(dir, sub);
    if (!existsSync(d)) return [];
    return readdirSync(d)
      .filter((f) => f.endsWith('.xml'))
      .sort()
      .map((f) => readFileSync(join(d, f), 'utf8'));
  };
  const documents = [...read('networkxml2xmlin'), ...read('networkxml2confdata'), ...read('networkxml2firewalldata')];
  const updates = read('networkxml2xmlupdatein');
  const elements = [...new Set([...documents, ...updates].flatMap((d) => d.match(/<[a-z][^<>]*\/>/g) ?? []))].sort();
  return { documents, updates, elements };
}

/* ---- inputs ---- */

const FRAGMENTS = [
  '<',
  '>',
  '&',
  '&amp;',
  '&#10;',
  '&#0;',
  '&#xD800;',
  '&undefined;',
  '<![CDATA[x]]>',
  '<!-- c -->',
  '<?pi x?>',
  "xmlns:x='urn:x'",
  "x:y='1'",
  '</network>',
  '<network>',
  "'",
  '"',
  '=',
  ' ',
  '\n',
  '\t',
  '\u0000',
  '\uffff',
  'é',
  '%d',
  '0x',
  '-1',
  '4294967296',
  '99999999999999999999',
  '::',
  '0.0.0.0',
  '255.255.255.255',
  'ffff::',
  '/',
  '..',
];

type Mutation =
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'attribute'; which: number; value: string; raw: boolean }
  | { kind: 'text'; which: number; value: string }
  | { kind: 'element'; at: number; element: string }
  | { kind: 'duplicate'; which: number }
  | { kind: 'drop'; which: number };

function mutation(corpus: Corpus): fc.Arbitrary<Mutation> {
  const elements = corpus.elements.length > 0 ? corpus.elements : ["<host ip='1.2.3.4'/>"];
  return fc.oneof(
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.constantFrom(...FRAGMENTS, ...PIECES) }),
    fc.record({
      kind: fc.constant('attribute' as const),
      which: fc.nat(),
      value: fc.oneof(hostile, fc.constantFrom(...FRAGMENTS)),
      raw: fc.boolean(),
    }),
    fc.record({ kind: fc.constant('text' as const), which: fc.nat(), value: hostile }),
    fc.record({ kind: fc.constant('element' as const), at: fc.nat(), element: fc.constantFrom(...elements) }),
    fc.record({ kind: fc.constant('duplicate' as const), which: fc.nat() }),
    fc.record({ kind: fc.constant('drop' as const), which: fc.nat() }),
  );
}

function nth<T>(items: readonly T[], which: number): T | undefined {
  return items.length === 0 ? undefined : items[which % items.length];
}

/** Apply one mutation to a document's text. */
export function mutate(doc: string, m: Mutation): string {
  const at = (n: number): number => (doc.length === 0 ? 0 : n % (doc.length + 1));
  switch (m.kind) {
    case 'delete': {
      const from = at(m.at);
      return doc.slice(0, from) + doc.slice(from + m.length);
    }
    case 'insert': {
      const where = at(m.at);
      return doc.slice(0, where) + m.text + doc.slice(where);
    }
    case 'attribute': {
      const hit = nth([...doc.matchAll(/=(['"])([^'"]*)\1/g)], m.which);
      if (!hit) return doc;
      const q = hit[1]!;
      const value = m.raw ? m.value.replaceAll(q, '') : attr(m.value);
      return `${doc.slice(0, hit.index)}=${q}${value}${q}${doc.slice(hit.index + hit[0].length)}`;
    }
    case 'text': {
      const hit = nth([...doc.matchAll(/>([^<>]+)</g)], m.which);
      if (!hit) return doc;
      const value = m.value.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!);
      return `${doc.slice(0, hit.index)}>${value}<${doc.slice(hit.index + hit[0].length)}`;
    }
    case 'element': {
      const hit = nth([...doc.matchAll(/>/g)], m.at);
      if (!hit) return doc;
      return doc.slice(0, hit.index + 1) + m.element + doc.slice(hit.index + 1);
    }
    case 'duplicate':
    case 'drop': {
      const lines = doc.split('\n');
      const i = m.which % lines.length;
      if (m.kind === 'duplicate') lines.splice(i, 0, lines[i]!);
      else lines.splice(i, 1);
      return lines.join('\n');
    }
  }
}

/** The inputs of a run: a document (mutated corpus or hostile), sometimes with a net-update to apply to it. */
export function inputArbitrary(corpus: Corpus | undefined): fc.Arbitrary<Omit<FuzzInput, 'index'>> {
  const hostileDoc = hostileNetworks.map((xml) => ({ origin: 'hostile' as const, xml }));
  if (!corpus || corpus.documents.length === 0) return hostileDoc;
  const m = mutation(corpus);
  const corpusDoc = fc
    .tuple(fc.constantFrom(...corpus.documents), fc.array(m, { minLength: 1, maxLength: 4 }))
    .map(([doc, ms]) => ({ origin: 'corpus' as const, xml: ms.reduce(mutate, doc) }));
  const snippets = [...corpus.updates, ...corpus.elements];
  const update: fc.Arbitrary<FuzzUpdate> = fc.record({
    xml: fc.tuple(fc.constantFrom(...snippets), fc.array(m, { maxLength: 2 })).map(([s, ms]) => ms.reduce(mutate, s)),
    command: fc.constantFrom<string>(...UPDATE_COMMANDS, 'add'),
    section: fc.constantFrom<string>(...UPDATE_SECTIONS),
    parentIndex: fc.integer({ min: -1, max: 3 }),
  });
  return fc
    .tuple(fc.oneof({ weight: 3, arbitrary: corpusDoc }, { weight: 2, arbitrary: hostileDoc }), fc.option(update, { freq: 3 }))
    .map(([doc, u]) => (u === null ? doc : { ...doc, update: u }));
}

/** Input `index` of the run with `seed`: the same every time. */
export function inputAt(arb: fc.Arbitrary<Omit<FuzzInput, 'index'>>, seed: number, index: number): FuzzInput {
  const [value] = fc.sample(arb, { seed: (seed + Math.imul(index, 0x9e3779b1)) | 0, numRuns: 1 });
  return { index, ...value! };
}

/* ---- verdicts ---- */

/** What a program's insides look like in a message, unless the input itself said it. */
const UNCLEAN = /\bundefined\b|\bNaN\b|\[object \w+\]|\b(?:Type|Range|Reference|Syntax)Error\b|\n\s+at \S+ \(|Cannot read propert/g;

/** The verdict on a thrown value: refused for a clean VirError. */
function judgeError(e: unknown, step: string, input: FuzzInput): Verdict {
  if (!(e instanceof VirError)) {
    const text = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    return { kind: 'finding', category: 'crash', detail: `${step}: ${text}` };
  }
  const given = `${input.xml}\n${input.update?.xml ?? ''}`;
  const leaked = [...e.message.matchAll(UNCLEAN)].some((m) => !given.includes(m[0]));
  if (e.detail.trim() === '' || leaked) return { kind: 'finding', category: 'unclean', detail: `${step}: ${e.message}` };
  return { kind: 'refused' };
}

/**
 * Formatting what was parsed from the saved form gives the saved form again
 * (both flavours). With `checked`, the caller is net-update, which itself
 * re-parses the formatted result (libvirt's virNetworkDefCopy) and refuses
 * the update when that fails: then a clean VirError is a refusal.
 */
function roundTrip(def: NetworkDef, step: string, input: FuzzInput, checked = false): Verdict | undefined {
  for (const inactive of [false, true]) {
    const first = formatNetworkXml(def, { inactive });
    let again: NetworkDef;
    try {
      again = parseNetworkXml(first);
    } catch (e) {
      if (checked && !inactive) return judgeError(e, step, input);
      const why = e instanceof Error ? e.message : String(e);
      return { kind: 'finding', category: 'roundtrip', detail: `${step}: the ${inactive ? 'inactive' : 'live'} form does not parse: ${why}` };
    }
    const second = formatNetworkXml(again, { inactive });
    if (second !== first)
      return { kind: 'finding', category: 'roundtrip', detail: `${step}: ${inactive ? 'inactive' : 'live'} format is not a fixed point` };
  }
  return undefined;
}

const PLAN_OPTIONS = {
  dnsmasqDir: '/var/lib/vn/dnsmasq',
  pidDir: '/run/vn/networks',
  serversFile: '/var/lib/vn/resolv.servers',
  dhcpChecksum: 'nft-zero',
} as const;
const NO_SRIOV = { isSriovVirtualFunction: (): boolean => false };

/** Everything one input goes through, in-process; crashes are caught and judged, hangs are the caller's to time. */
export function examine(input: FuzzInput): Verdict {
  let def: NetworkDef;
  try {
    def = parseNetworkXml(input.xml);
  } catch (e) {
    return judgeError(e, 'parse', input);
  }
  let step = 'format';
  try {
    const broken = roundTrip(def, 'define', input);
    if (broken) return broken;
    step = 'validate';
    checkNetworkName(def);
    checkNetworkConfig(def, NO_SRIOV);
    step = 'plan';
    const planned = structuredClone(def);
    if (needsBridgeAllocation(planned.bridge.name)) planned.bridge.name = bridgeNameTemplate(planned.bridge.name).replace('%d', '0');
    planNetwork(planned, PLAN_OPTIONS);
  } catch (e) {
    const verdict = judgeError(e, step, input);
    // Only a definition the driver takes (define's checks) is ever updated.
    if (verdict.kind === 'finding' || step === 'validate') return verdict;
  }
  if (input.update) {
    const u = input.update;
    let updated: NetworkDef;
    try {
      updated = applyUpdate(def, u.command as never, u.section as never, u.parentIndex, u.xml);
    } catch (e) {
      const verdict = judgeError(e, `net-update ${u.command} ${u.section}`, input);
      return verdict.kind === 'finding' ? verdict : { kind: 'accepted' };
    }
    try {
      const broken = roundTrip(updated, `net-update ${u.command} ${u.section}`, input, true);
      if (broken) return broken.kind === 'refused' ? { kind: 'accepted' } : broken;
    } catch (e) {
      const verdict = judgeError(e, 'net-update round trip', input);
      if (verdict.kind === 'finding') return verdict;
    }
  }
  return { kind: 'accepted' };
}

/* ---- runs ---- */

export interface RunOptions {
  count: number;
  seed: number;
  corpus: Corpus | undefined;
  /** An input taking longer than this (ms) is a hang; without it no input is judged by its time (an endless loop still stops the run). */
  budgetMs?: number;
  /** How many findings of each category to keep. */
  keep?: number;
  /** Called every 1000 inputs. */
  progress?: (done: number) => void;
}

export function emptySummary(seed: number, corpus: Corpus | undefined): FuzzSummary {
  return {
    seed,
    inputs: 0,
    corpusDocuments: corpus?.documents.length ?? 0,
    accepted: 0,
    refused: 0,
    counts: { crash: 0, hang: 0, unclean: 0, roundtrip: 0 },
    findings: [],
    ms: 0,
  };
}

/** Add one input's outcome to a summary. */
export function record(summary: FuzzSummary, input: FuzzInput, outcome: Verdict | { kind: 'hang'; detail: string }, keep = 5): void {
  summary.inputs++;
  if (outcome.kind === 'accepted') summary.accepted++;
  else if (outcome.kind === 'refused') summary.refused++;
  else {
    const category: Category = outcome.kind === 'hang' ? 'hang' : outcome.category;
    summary.counts[category]++;
    if (summary.findings.filter((f) => f.category === category).length < keep) {
      summary.findings.push({ category, index: input.index, origin: input.origin, detail: outcome.detail, input });
    }
  }
}

/** A run in this process: hangs are inputs that took longer than the budget, if one is given (an endless loop would stop the run itself). */
export function runInline(options: RunOptions): FuzzSummary {
  const started = Date.now();
  const summary = emptySummary(options.seed, options.corpus);
  const arb = inputArbitrary(options.corpus);
  for (let i = 0; i < options.count; i++) {
    const input = inputAt(arb, options.seed, i);
    const t0 = performance.now();
    const verdict = examine(input);
    const took = performance.now() - t0;
    const hang = options.budgetMs !== undefined && took > options.budgetMs;
    record(summary, input, hang ? { kind: 'hang', detail: `took ${Math.round(took)} ms` } : verdict, options.keep);
    if ((i + 1) % 1000 === 0) options.progress?.(i + 1);
  }
  summary.ms = Date.now() - started;
  return summary;
}

/** The summary as text: one line per category, then each kept finding with how to reproduce it. */
export function report(summary: FuzzSummary): string {
  const lines = [
    `fuzz: ${summary.inputs} inputs (seed ${summary.seed}, ${summary.corpusDocuments} corpus documents) in ${(summary.ms / 1000).toFixed(1)} s: ` +
      `${summary.accepted} accepted, ${summary.refused} refused`,
    ...CATEGORIES.map((c) => `  ${c}: ${summary.counts[c]}`),
  ];
  for (const f of summary.findings) {
    lines.push(`--- ${f.category} #${f.index} (${f.origin}; rerun with --seed ${summary.seed} --only ${f.index}): ${f.detail}`);
    lines.push(JSON.stringify(f.input).slice(0, 2000));
  }
  return lines.join('\n');
}
