/**
 * The golden flows end to end: for each one, a fresh virtnetd (its own
 * root, networks realised in a test namespace) and the built CLI run as
 * separate processes, step by step, exactly as test/golden/gather.mjs ran
 * virsh against libvirt 9.0. Every step's stdout, stderr and exit code must
 * be virsh's once uuids and MACs are normalised.
 */
import { afterAll, describe, it } from 'vitest';
import { GOLDEN_XML_DIR, loadGoldenFlows, stepEnv, type Output } from '../unit/cli-golden-harness.js';
import { expectGoldenOutputs } from '../support/golden-compare.js';
import { removeCliBundle, virtnet } from './cli-harness.js';
import { endAllDaemons, withFreshDaemon } from './daemon-process.js';
import { canUseNetns } from './netns.js';

const root = canUseNetns();

describe.skipIf(!root)('virsh golden files, through the real CLI and virtnetd', () => {
  afterAll(async () => {
    await endAllDaemons();
    removeCliBundle();
  });

  for (const flow of loadGoldenFlows('virtnet')) {
    it(`${flow.flow}: ${flow.about}`, async () => {
      await withFreshDaemon('cg', ['--log-level', 'warn'], async ({ env }) => {
        const ours: Output[] = [];
        for (const step of flow.steps) {
          ours.push(await virtnet(step.args, { cwd: GOLDEN_XML_DIR, env: { ...env, ...stepEnv(step) } }));
        }
        expectGoldenOutputs(flow.steps, ours, 'virtnet');
      });
    }, 120_000);
  }
});
