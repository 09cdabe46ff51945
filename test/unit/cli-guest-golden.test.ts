/**
 * Every guest golden step (virsh 9.0's output for list, define/start/
 * destroy/undefine, dumpxml, domiflist, domifaddr, attach-interface and
 * detach-interface, test/golden/guests/*.json) replayed through the CLI
 * against the in-memory guest client, each from the flow's setup: stdout,
 * stderr and the exit code must be virsh's, byte for byte, once the test
 * driver's domain type reads netns.
 */
import { describe, expect, it } from 'vitest';
import { asNetns, clientFor, loadGuestFlows, runGuestCli } from './cli-guest-harness.js';

describe('virsh golden files of the domain commands, through the in-memory guest client', () => {
  for (const flow of loadGuestFlows()) {
    it(`${flow.flow}: ${flow.about}`, async () => {
      for (const [i, step] of flow.steps.entries()) {
        const client = await clientFor(flow.setup);
        const got = await runGuestCli(client, step.args);
        const label = `step ${i + 1}: virtnet ${step.args.join(' ')}`;
        const want = { stdout: asNetns(step.stdout), stderr: step.stderr, rc: step.rc };
        expect({ step: label, ...got }).toEqual({ step: label, ...want });
      }
    }, 30_000);
  }
});
