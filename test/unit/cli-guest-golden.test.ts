/**
 * Every guest golden step (virsh 9.0's output for list, define/start/
 * destroy/undefine, dumpxml, domiflist, domifaddr, attach-interface and
 * detach-interface, test/golden/guests/*.json) replayed through the CLI
 * against drivers restarted over the flow's setup: what a restarted daemon
 * adopts (running guests, their ids, vNICs and the networks they are on)
 * must print what virsh printed, as cli-guest-driver-golden.test.ts's
 * drivers that made that state do.
 */
import { describe, expect, it } from 'vitest';
import { loadGuestFlows, replayGuestFlow } from './cli-guest-harness.js';

describe('virsh golden files of the domain commands, through drivers restarted over the setup', () => {
  for (const flow of loadGuestFlows()) {
    it(`${flow.flow}: ${flow.about}`, async () => {
      for (const { step, got, want } of await replayGuestFlow(flow, { restart: true })) expect({ step, ...got }).toEqual({ step, ...want });
    }, 120_000);
  }
});
