/**
 * The guest golden files (virsh 9.0 over its test driver) replayed through
 * the CLI against the real network and guest drivers, in process, over the
 * fake runtime and the fake guest backend (cli-guest-harness.ts): the
 * drivers' texts, tables and XML must be what virsh printed.
 */
import { describe, expect, it } from 'vitest';
import { loadGuestFlows, replayGuestFlow } from './cli-guest-harness.js';

describe('virsh golden files of the domain commands, through the real drivers', () => {
  for (const flow of loadGuestFlows()) {
    it(`${flow.flow}: ${flow.about}`, async () => {
      for (const { step, got, want } of await replayGuestFlow(flow)) expect({ step, ...got }).toEqual({ step, ...want });
    }, 60_000);
  }
});
