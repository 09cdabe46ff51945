/**
 * A network whose host side the runtime found changed (its firewall rules
 * flushed by someone else) shows as degraded wherever a client looks —
 * the REST API's network info and list, the console's snapshot — until it
 * is repaired, and both reports reach clients as `health` events on the
 * event stream. Over the real driver, served by the daemon's HTTP server,
 * with the in-memory runtime reporting as the Linux one does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createApiServer } from '../../src/api/server.js';
import { TcpIdentity } from '../../src/api/tcp-origin.js';
import { connect } from '../../src/client/index.js';
import type { DriverEvent } from '../../src/contract/network-api.js';
import { natXml, startTestDriver } from '../support/network-testkit.js';
import { pollUntil } from '../support/poll.js';

const dir = mkdtempSync(join(tmpdir(), 'vnt-health-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a degraded network, as clients see it', () => {
  it('carries `degraded` in the API and the console until repaired, and health events on the stream', async () => {
    const t = await startTestDriver();
    const unix = await createApiServer({ driver: t.driver, access: { kind: 'unix' }, version: '1.0.0', heartbeatMs: 50 });
    const identity = new TcpIdentity({ host: '127.0.0.1', port: 80, tls: false });
    const tcp = await createApiServer({ driver: t.driver, access: { kind: 'tcp', token: 'k'.repeat(64), identity }, version: '1.0.0' });
    const sock = join(dir, 'api.sock');
    await unix.listen({ path: sock });
    const c = await connect({ uri: `unix://${sock}` });
    try {
      await c.define(natXml('hn', '10.62.1'));
      await c.start('hn');
      const events: DriverEvent[] = [];
      c.subscribe((e) => events.push(e));
      await c.eventsReady();

      const reason = 'firewall rules changed outside virtnetd: the table is gone';
      t.runtime.reportHealth({ network: 'hn', state: 'degraded', reason });
      expect((await c.lookupByName('hn')).degraded).toBe(reason);
      expect((await c.list())[0]?.degraded).toBe(reason);
      const auth = { authorization: `Bearer ${'k'.repeat(64)}` };
      const snapshot = await tcp.inject({ url: '/api/console/networks', headers: auth });
      expect(JSON.parse(snapshot.body).networks[0].info.degraded).toBe(reason);

      t.runtime.reportHealth({ network: 'hn', state: 'repaired', reason: 'firewall rules re-applied' });
      expect((await c.lookupByName('hn')).degraded).toBeUndefined();
      await pollUntil(() => events.filter((e) => e.kind === 'health').length === 2, { ms: 5000, everyMs: 10, what: 'the health events' });
      expect(events.filter((e) => e.kind === 'health').map((e) => (e.kind === 'health' ? [e.network.name, e.state, e.reason] : []))).toEqual([
        ['hn', 'degraded', reason],
        ['hn', 'repaired', 'firewall rules re-applied'],
      ]);
    } finally {
      await c.close();
      await unix.close();
      await tcp.close();
      await t.dispose();
    }
  });
});
