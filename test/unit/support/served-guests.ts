/**
 * The guest and network drivers (fake runtime and backend) served over virtnetd's HTTP API afresh for
 * every test of a file, in a scratch directory the file keeps. The call registers the vitest hooks.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { startGuestTestDriver, type GuestTestDriver } from '../../support/guest-testkit.js';
import { serveApi, type ServedApi } from './api-sockets.js';

export interface ServedGuests {
  /** The scratch directory: the API's sockets, and whatever a test writes there. */
  dir: string;
  /** The running test's drivers. */
  t: GuestTestDriver;
  /** The running test's API servers (closed, with their clients, after it). */
  api: ServedApi;
}

/** Serve fresh drivers for each test of the calling file; the scratch directory is named after `prefix`. */
export function serveGuestsForEachTest(prefix: string): ServedGuests {
  const served = {} as ServedGuests;
  beforeAll(() => {
    served.dir = mkdtempSync(join(tmpdir(), prefix));
  });
  afterAll(() => rmSync(served.dir, { recursive: true, force: true }));
  beforeEach(async () => {
    served.t = await startGuestTestDriver();
    served.api = await serveApi(served.t.driver, served.dir);
  });
  afterEach(async () => {
    await served.api.close();
    await served.t.dispose();
  });
  return served;
}
