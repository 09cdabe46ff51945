/**
 * `npm run conformance`: runs libvirt's own test corpus (read at run time from
 * ../shared/conformance/libvirt, or $VIRTNET_CONFORMANCE_DIR; never copied
 * into this repository) and prints one line per corpus:
 *
 *   networkxml2xml: 47 passed, 0 failed
 *
 * Exits non-zero if any case fails. `-v` prints a diff for each failure.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { runConformance, CORPUS_NAMES } from '../test/conformance/corpus.js';

const dir = resolve(process.env.VIRTNET_CONFORMANCE_DIR ?? '../shared/conformance/libvirt');
const verbose = process.argv.includes('-v') || process.argv.includes('--verbose');

if (!existsSync(dir)) {
  process.stdout.write(`conformance: skipped, libvirt's corpus is absent at ${dir}\n`);
  process.exit(0);
}

let anyFailed = false;
for (const name of CORPUS_NAMES) {
  const results = runConformance(dir, name);
  const failed = results.filter((r) => !r.ok);
  if (verbose) {
    for (const r of failed) process.stderr.write(`--- ${name}/${r.name}: ${r.reason}\n`);
  }
  process.stdout.write(`${name}: ${results.length - failed.length} passed, ${failed.length} failed\n`);
  if (failed.length > 0) anyFailed = true;
}
process.exit(anyFailed ? 1 : 0);
