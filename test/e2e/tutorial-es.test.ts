/**
 * The Spanish tutorial (docs/es/tutorial.md), run as written under
 * LANG=es_ES.UTF-8, in the way readme.test.ts runs the README's: every
 * ```sh block in order against a real virtnetd in sandbox mode, and each
 * ```text block equal to the Spanish stdout of the block before it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docsBuilt, repo, runStep, startDocSandbox, stopDocSandbox, tutorialSteps, withUuidsHidden, type DocSandbox } from './doc-tutorial.js';
import { canUseNetns } from './netns.js';

const DOC = 'docs/es/tutorial.md';
const tutorial = readFileSync(join(repo, DOC), 'utf8');

describe('the Spanish tutorial', () => {
  it("follows the seed tutorial's flow: isolated, routed, NAT, bridged, attach/detach, bridge-show, net-edit", () => {
    // In the document's order.
    const order = [
      'virtnet net-define isolated.xml',
      'virtnet net-define routed.xml',
      'virtnet net-start nat',
      'virtnet net-create temporal.xml',
      'virtnet net-autostart routed',
      'virtnet attach-interface --domain vm1 --source isolated',
      'virtnet domiflist vm1',
      'virtnet detach-interface --domain vm1',
      'virtnet net-start bridged',
      'virtnet net-info routed',
      'virtnet bridge-show',
      'virtnet net-edit routed',
    ].map((cmd) => tutorial.indexOf(cmd));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    const steps = tutorialSteps(tutorial);
    // Its outputs are Spanish.
    expect(steps.find((s) => s.script.includes('net-define isolated.xml'))?.expected).toBe('Red isolated definida a partir de isolated.xml\n\n');
  });
});

describe.skipIf(!canUseNetns() || !docsBuilt)('the Spanish tutorial, run against a sandboxed virtnetd', () => {
  let sandbox: DocSandbox | undefined;

  beforeAll(async () => {
    sandbox = await startDocSandbox('virtnet-tutorial-es-');
  }, 30_000);

  afterAll(async () => {
    await stopDocSandbox(sandbox);
  }, 30_000);

  it('runs every command block as written under LANG=es_ES.UTF-8, with the Spanish outputs it shows', () => {
    const env = { ...sandbox!.env, LANG: 'es_ES.UTF-8', LC_ALL: '', LC_MESSAGES: '', LANGUAGE: '' };
    for (const step of tutorialSteps(tutorial)) {
      const r = runStep(sandbox!, step, DOC, env);
      expect(r.status, r.where).toBe(0);
      if (step.expected !== undefined) expect(withUuidsHidden(r.stdout), r.where).toBe(step.expected);
    }
  }, 120_000);
});
