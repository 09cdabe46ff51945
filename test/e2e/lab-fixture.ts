/**
 * The multi-host OVN lab (src/lab) for end-to-end tests: started in a
 * private temporary directory (so its namespaces' prefix is the test's own),
 * each host's virtnetd the test bundle of src/api/main.ts, and removed by
 * stopLab when the test file ends, whatever happened.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type HttpVirtnetClient } from '../../src/client/index.js';
import { startLab, stopLab, type Lab } from '../../src/lab/lab.js';
import { daemonBundle } from './daemon-process.js';

export interface LabFixture extends Lab {
  /** A client of host I's virtnetd (1-based), made once. */
  host(i: number): Promise<HttpVirtnetClient>;
  stop(): Promise<void>;
}

export async function startTestLab(tag: string, hosts: number, options: { daemons?: boolean } = {}): Promise<LabFixture> {
  const parent = mkdtempSync(join(tmpdir(), `vnt-lab-${tag}-`));
  const dir = join(parent, 'lab');
  const virtnetd = options.daemons === false ? null : [process.execPath, await daemonBundle()];
  let lab: Lab;
  try {
    lab = await startLab({ dir, hosts, virtnetd });
  } catch (e) {
    rmSync(parent, { recursive: true, force: true });
    throw e;
  }
  const clients = new Map<number, Promise<HttpVirtnetClient>>();
  return {
    ...lab,
    host(i) {
      let c = clients.get(i);
      if (c === undefined) {
        const h = lab.layout.hosts[i - 1];
        if (h === undefined) throw new Error(`the lab has no host ${i}`);
        c = connect({ uri: `unix://${h.socket}` });
        clients.set(i, c);
      }
      return c;
    },
    async stop() {
      for (const c of clients.values()) await c.then((x) => x.close()).catch(() => {});
      clients.clear();
      await stopLab(dir);
      rmSync(parent, { recursive: true, force: true });
    },
  };
}
