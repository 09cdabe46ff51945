/**
 * The golden flows end to end: for each one, a fresh virtnetd (its own
 * root, networks realised in a test namespace) and the built CLI run as
 * separate processes, step by step, exactly as test/golden/gather.mjs ran
 * virsh against libvirt 9.0. Every step's stdout, stderr and exit code must
 * be virsh's once uuids and MACs are normalised.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { networkSchemaPath } from '../../src/conf/network/schema.js';
import { GOLDEN_XML_DIR, loadGoldenFlows, normaliseFlow, stepEnv, type Output } from '../unit/cli-golden-harness.js';
import { removeCliBundle, virtnet } from './cli-harness.js';
import { endAllDaemons, startServing } from './daemon-process.js';
import { canUseNetns, createNetns, deleteNetns } from './netns.js';

const root = canUseNetns();

describe.skipIf(!root)('virsh golden files, through the real CLI and virtnetd', () => {
  afterAll(async () => {
    await endAllDaemons();
    removeCliBundle();
  });

  for (const flow of loadGoldenFlows('virtnet')) {
    it(`${flow.flow}: ${flow.about}`, async () => {
      const ns = createNetns('cg');
      const dir = mkdtempSync(join(tmpdir(), 'vnt-cli-golden-'));
      try {
        const d = await startServing(['--root', dir, '--netns', ns, '--log-level', 'warn']);
        const env = { VIRTNET_DEFAULT_URI: `unix://${d.socket}` };
        const ours: Output[] = [];
        for (const step of flow.steps) {
          ours.push(await virtnet(step.args, { cwd: GOLDEN_XML_DIR, env: { ...env, ...stepEnv(step) } }));
        }
        const schema = networkSchemaPath();
        const want = normaliseFlow(flow.steps, schema);
        const got = normaliseFlow(ours, schema);
        for (let i = 0; i < flow.steps.length; i++) {
          const label = `step ${i + 1}: virtnet ${(flow.steps[i]?.args ?? []).join(' ')}`;
          expect({ step: label, ...got[i] }).toEqual({ step: label, ...want[i] });
        }
      } finally {
        await endAllDaemons();
        deleteNetns(ns);
        rmSync(dir, { recursive: true, force: true });
      }
    }, 120_000);
  }
});
