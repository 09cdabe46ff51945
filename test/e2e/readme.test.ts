/**
 * The README's tutorial, run as written: every ```sh block of the
 * "Tutorial" section runs in order (one bash per block, `set -e`) against a
 * real virtnetd in sandbox mode over a temporary root, and where a ```text
 * block follows a command block it must equal that block's stdout (uuids
 * written as UUID). Blocks marked `<!-- readme-test: skip -->` are not run.
 * (The Spanish tutorial, docs/es/tutorial.md, is run by tutorial-es.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { canUseNetns } from './netns.js';
import { docsBuilt, repo, runStep, startDocSandbox, stopDocSandbox, tutorialSteps, withUuidsHidden, type DocSandbox } from './doc-tutorial.js';

const readme = readFileSync(join(repo, 'README.md'), 'utf8');

describe('README tutorial parsing', () => {
  it('finds the command blocks and their expected outputs', () => {
    const steps = tutorialSteps(readme, '## Tutorial');
    expect(steps.length).toBeGreaterThan(8);
    expect(steps.some((s) => s.script.includes('net-define isolated.xml') && s.expected?.includes('Network isolated defined'))).toBe(true);
    expect(steps.every((s) => !s.script.includes('apt-get'))).toBe(true);
  });
});

describe.skipIf(!canUseNetns() || !docsBuilt)('README tutorial, run against a sandboxed virtnetd', () => {
  let sandbox: DocSandbox | undefined;

  beforeAll(async () => {
    sandbox = await startDocSandbox('virtnet-readme-');
  }, 30_000);

  afterAll(async () => {
    // The OVN section's lab, if a failed step left it running.
    if (sandbox && existsSync(join(sandbox.work, 'lab'))) {
      spawnSync(join(repo, 'bin/virtnet'), ['lab', 'stop', '--dir', join(sandbox.work, 'lab')], { stdio: 'ignore' });
    }
    await stopDocSandbox(sandbox);
  }, 30_000);

  it('runs every command block as written, with the outputs the README shows', () => {
    for (const step of tutorialSteps(readme, '## Tutorial')) {
      const r = runStep(sandbox!, step, 'README.md');
      expect(r.status, r.where).toBe(0);
      if (step.expected !== undefined) expect(withUuidsHidden(r.stdout), r.where).toBe(step.expected);
    }
  }, 120_000);
});
