/**
 * Issue 10, point 10: a bounded fuzz run on every `npm test` (engine and
 * findings in ./engine.ts; `npm run fuzz` runs 100,000 inputs). Mutations of
 * libvirt's corpus are part of it when ../shared/conformance/libvirt is
 * present; hostile generated documents always are.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { corpusDir, loadCorpus, report, runInline } from './engine.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dir = corpusDir(REPO);
const corpus = loadCorpus(dir);
if (!corpus) console.warn(`fuzz: libvirt's corpus is absent at ${dir}: only generated documents are fuzzed`);

describe('fuzzing network documents', () => {
  it('3000 inputs: no crash, hang, unclean error or round-trip break', () => {
    // No time budget: a wall-clock limit would judge the machine's load, not the code; an input that never
    // ends stops the run at the test's timeout, and `npm run fuzz` times every input.
    const summary = runInline({ count: 3000, seed: 20_261_010, corpus });
    const text = report(summary);
    console.log(text);
    expect(summary.counts, text).toEqual({ crash: 0, hang: 0, unclean: 0, roundtrip: 0 });
    // Not vacuous: both kinds of outcome occur.
    expect(summary.accepted).toBeGreaterThan(300);
    expect(summary.refused).toBeGreaterThan(300);
  }, 120_000);
});
