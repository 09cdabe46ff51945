/**
 * The driver's locking: different networks in parallel, one network one
 * operation at a time, bridge-name allocation serialized. The fake
 * runtime's gate holds calls so overlaps can be observed.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isolatedXml, natXml, startTestDriver, type TestDriver } from '../support/network-testkit.js';
import type { FakeRuntimeOp } from '../support/fake-runtime.js';
import type { VirError } from '../../src/util/errors.js';

let t: TestDriver;
beforeEach(async () => {
  t = await startTestDriver();
});
afterEach(async () => {
  t.runtime.gate = undefined;
  await t.dispose();
});

/** Hold runtime calls for the given networks until released. */
function holdCalls(op: FakeRuntimeOp, names: string[]): { entered: Promise<void>; release: () => void; held: string[] } {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let entered!: () => void;
  const enteredP = new Promise<void>((r) => (entered = r));
  const held: string[] = [];
  t.runtime.gate = async (o, def) => {
    if (o === op && names.includes(def.name)) {
      held.push(def.name);
      if (held.length === names.length) entered();
      await released;
    }
  };
  return { entered: enteredP, release, held };
}

const settled = <T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: VirError }> =>
  p.then(
    (value) => ({ ok: true as const, value }),
    (error: VirError) => ({ ok: false as const, error }),
  );

describe('concurrency', () => {
  it('parallel defines get distinct bridge names', async () => {
    const infos = await Promise.all(Array.from({ length: 30 }, (_, i) => t.driver.define(isolatedXml(`n${i}`))));
    const bridges = infos.map((i) => i.bridge);
    expect(new Set(bridges).size).toBe(30);
    expect([...bridges].sort()).toEqual(Array.from({ length: 30 }, (_, i) => `virbr${i}`).sort());
  });

  it('parallel creates of one network: one runs it, the other is told it is active', async () => {
    const xml = isolatedXml('tr', { uuid: '11111111-2222-3333-4444-555555555555' });
    const results = await Promise.all([settled(t.driver.create(xml)), settled(t.driver.create(xml))]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const failed = results.find((r) => !r.ok);
    expect(failed && !failed.ok && failed.error.message).toBe("Requested operation is not valid: network is already active as 'tr'");
    expect(t.runtime.callsOf('start')).toEqual(['tr']);
  });

  it('two starts of one network: one succeeds, the other gets "network is already active"', async () => {
    await t.driver.define(natXml('net', '10.50.1'));
    const gate = holdCalls('start', ['net']);
    const a = settled(t.driver.start('net'));
    const b = settled(t.driver.start('net'));
    await gate.entered;
    // the second waits for the first: the runtime saw one start only
    expect(t.runtime.callsOf('start')).toEqual(['net']);
    gate.release();
    const results = await Promise.all([a, b]);
    expect(results[0]).toEqual({ ok: true, value: undefined });
    expect(results[1]!.ok).toBe(false);
    expect(!results[1]!.ok && results[1]!.error.message).toBe('Requested operation is not valid: network is already active');
    expect(t.runtime.callsOf('start')).toEqual(['net']);
    expect(t.lifecycle()).toEqual(['net:Defined', 'net:Started']);
  });

  it('different networks start in parallel', async () => {
    await t.driver.define(natXml('a', '10.51.1'));
    await t.driver.define(natXml('b', '10.51.2'));
    const gate = holdCalls('start', ['a', 'b']);
    const a = t.driver.start('a');
    const b = t.driver.start('b');
    await gate.entered; // both are inside the runtime at once
    expect(gate.held.sort()).toEqual(['a', 'b']);
    gate.release();
    await Promise.all([a, b]);
    expect((await t.driver.list({ active: true })).map((n) => n.name)).toEqual(['a', 'b']);
  });

  it('of two overlapping networks started at once, the first wins', async () => {
    await t.driver.define(natXml('a', '10.52.1'));
    await t.driver.define(natXml('b', '10.52.1'));
    const gate = holdCalls('start', ['a']);
    const a = t.driver.start('a');
    await gate.entered; // a has passed its subnet check and is on its way up
    t.runtime.gate = undefined;
    const e = await settled(t.driver.start('b'));
    expect(!e.ok && e.error.message).toBe('internal error: Network is already in use by interface virbr0');
    gate.release();
    await a;
    expect((await t.driver.list({ active: true })).map((n) => n.name)).toEqual(['a']);
    await t.driver.destroy('a');

    const both = await Promise.all([settled(t.driver.start('a')), settled(t.driver.start('b'))]);
    expect(both.map((r) => r.ok)).toEqual([true, false]);
  });

  it('operations on one network wait for each other, in order', async () => {
    await t.driver.define(natXml('net', '10.53.1'));
    const gate = holdCalls('start', ['net']);
    const order: string[] = [];
    const start = t.driver.start('net').then(() => order.push('start'));
    const destroy = t.driver.destroy('net').then(() => order.push('destroy'));
    const define = t.driver.define(natXml('net', '10.53.7', { uuid: (await t.driver.lookupByName('net')).uuid })).then(() => order.push('define'));
    await gate.entered;
    expect(t.runtime.callsOf('stop')).toEqual([]);
    gate.release();
    await Promise.all([start, destroy, define]);
    expect(order).toEqual(['start', 'destroy', 'define']);
    expect(t.lifecycle()).toEqual(['net:Defined', 'net:Started', 'net:Stopped', 'net:Defined']);
    expect(await t.driver.lookupByName('net')).toMatchObject({ active: false });
    expect(await t.driver.getXml('net')).toContain("<ip address='10.53.7.1'");
  });

  it('a destroy waiting behind another destroy of a transient network finds it gone', async () => {
    await t.driver.create(isolatedXml('tr'));
    const gate = holdCalls('stop', ['tr']);
    const a = settled(t.driver.destroy('tr'));
    const b = settled(t.driver.destroy('tr'));
    await gate.entered;
    gate.release();
    const [ra, rb] = await Promise.all([a, b]);
    expect(ra.ok).toBe(true);
    expect(!rb.ok && rb.error.message).toBe("Network not found: no network with matching name 'tr'");
  });

  it('reads do not wait for a slow operation', async () => {
    await t.driver.define(natXml('net', '10.54.1'));
    const gate = holdCalls('start', ['net']);
    const start = t.driver.start('net');
    await gate.entered;
    expect(await t.driver.lookupByName('net')).toMatchObject({ active: false });
    expect(await t.driver.getXml('net')).toContain('<name>net</name>');
    expect(await t.driver.list()).toHaveLength(1);
    gate.release();
    await start;
  });

  it('close waits for calls in progress and leaves the network running', async () => {
    await t.driver.define(natXml('net', '10.55.1'));
    const gate = holdCalls('start', ['net']);
    const start = t.driver.start('net');
    await gate.entered;
    const closing = t.driver.close();
    gate.release();
    await start;
    await closing;
    expect(t.kernel.links.has('virbr0')).toBe(true);
  });
});
