/** The console's traffic model (web/src/model/traffic.ts): rates between samples, the 15-minute window, resets. */
import { describe, expect, it } from 'vitest';
import type { NetworkTraffic } from '../../src/contract/traffic-api.js';
import { addSample, formatRate, ratesOf, vnicRates, WINDOW_MS } from '../../web/src/model/traffic.js';

const dir = (bytes: number) => ({ bytes, packets: 0, errors: 0, dropped: 0 });
const sample = (time: number, rx: number, tx: number, vnic?: number): NetworkTraffic => ({
  network: 'n',
  guests: { rx: dir(rx), tx: dir(tx) },
  vnics: vnic === undefined ? [] : [{ guest: 'g', device: 'vnet0', mac: '52:54:00:00:00:01', rx: dir(vnic), tx: dir(vnic) }],
  time,
});

describe('traffic over time', () => {
  it('gives bytes per second between consecutive samples', () => {
    const s = [sample(0, 0, 0), sample(5000, 50_000, 10_000), sample(10_000, 60_000, 10_000)];
    expect(ratesOf(s, (x) => x.guests)).toEqual([
      { time: 5000, rx: 10_000, tx: 2000 },
      { time: 10_000, rx: 2000, tx: 0 },
    ]);
  });

  it('leaves a gap where a vNIC was absent, and starts over when a counter went down', () => {
    const s = [sample(0, 0, 0, 100), sample(5000, 0, 0), sample(10_000, 0, 0, 50), sample(15_000, 0, 0, 5050)];
    expect(ratesOf(s, (x) => x.vnics[0])).toEqual([{ time: 15_000, rx: 1000, tx: 1000 }]);
  });

  it('keeps the last 15 minutes only', () => {
    let kept: NetworkTraffic[] = [];
    for (let t = 0; t <= WINDOW_MS + 10_000; t += 5000) kept = addSample(kept, sample(t, t, t));
    expect(kept[0]?.time).toBe(15_000);
    expect(kept.length).toBe(WINDOW_MS / 5000);
  });

  it("gives each vNIC's rate, received and sent together, by its topology id", () => {
    expect([...vnicRates(sample(0, 0, 0, 1000), sample(2000, 0, 0, 3000))]).toEqual([['nic:g:52:54:00:00:00:01', 2000]]);
  });

  it('writes rates as people read them', () => {
    expect([0, 999, 1000, 2_500_000, 3e9].map(formatRate)).toEqual(['0 B/s', '999 B/s', '1.0 kB/s', '2.5 MB/s', '3.0 GB/s']);
  });
});
