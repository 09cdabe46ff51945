import { afterEach, describe, expect, it, vi } from 'vitest';
import { FetchTransport } from '../../web/src/api/fetch-transport.js';

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("the console's transport on the way out", () => {
  it('settles only once every call sent has its answer, so logging out cannot overtake a poll (regression: CI, 2026-12-06, a traffic poll refused with 401)', async () => {
    const answers: Array<(r: Response) => void> = [];
    vi.stubGlobal('fetch', () => new Promise<Response>((resolve) => answers.push(resolve)));
    const t = new FetchTransport();
    const traffic = t.call('GET', '/api/networks/nat1/traffic');
    const host = t.call('GET', '/api/console/host');
    let settled = false;
    const out = t.settled().then(() => {
      settled = true;
    });
    answers[0]?.(new Response('{"rx":1}', { status: 200 }));
    await traffic;
    await Promise.resolve();
    expect(settled).toBe(false);
    answers[1]?.(new Response('{"code":"x","message":"gone"}', { status: 500 }));
    await expect(host).rejects.toThrow();
    await out;
    expect(settled).toBe(true);
  });

  it('settles at once when nothing is in flight', async () => {
    await expect(new FetchTransport().settled()).resolves.toBeUndefined();
  });
});
