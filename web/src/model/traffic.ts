/**
 * A network's traffic over time, as the console plots it: samples of the
 * daemon's counters (src/contract/traffic-api.ts) kept for the last 15
 * minutes, turned into rates (bytes per second) between consecutive
 * samples. A counter that went down (a vNIC made again) starts over.
 */
import type { NetworkTraffic, TrafficCounters } from '../../../src/contract/traffic-api.js';

export const WINDOW_MS = 15 * 60 * 1000;
/** How often the console reads the counters. */
export const SAMPLE_MS = 5000;

export interface RatePoint {
  time: number;
  /** Bytes per second received and sent. */
  rx: number;
  tx: number;
}

/** The samples with `next` added, those older than the window left out. */
export function addSample(samples: readonly NetworkTraffic[], next: NetworkTraffic): NetworkTraffic[] {
  return [...samples, next].filter((s) => s.time > next.time - WINDOW_MS);
}

/** Rates between consecutive samples of what `pick` reads (a network's guests, one vNIC); gaps where it was absent or reset. */
export function ratesOf(samples: readonly NetworkTraffic[], pick: (s: NetworkTraffic) => TrafficCounters | undefined): RatePoint[] {
  const out: RatePoint[] = [];
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1];
    const b = samples[i];
    if (a === undefined || b === undefined) continue;
    const ca = pick(a);
    const cb = pick(b);
    const seconds = (b.time - a.time) / 1000;
    if (ca === undefined || cb === undefined || seconds <= 0) continue;
    const rx = cb.rx.bytes - ca.rx.bytes;
    const tx = cb.tx.bytes - ca.tx.bytes;
    if (rx < 0 || tx < 0) continue;
    out.push({ time: b.time, rx: rx / seconds, tx: tx / seconds });
  }
  return out;
}

/** From this rate (received and sent together) a vNIC's link shows as busy in the topology. */
export const BUSY_BYTES_PER_SECOND = 1000;

/** Each vNIC's rate (received and sent together) between two reads of a network, by its topology id (nic:GUEST:MAC). */
export function vnicRates(before: NetworkTraffic, after: NetworkTraffic): Map<string, number> {
  const out = new Map<string, number>();
  for (const v of after.vnics) {
    const r = ratesOf([before, after], (s) => s.vnics.find((n) => n.guest === v.guest && n.device === v.device)).at(-1);
    if (r !== undefined) out.set(`nic:${v.guest}:${v.mac}`, r.rx + r.tx);
  }
  return out;
}

/** A rate as people read it: B/s, kB/s, MB/s, GB/s (powers of 1000). */
export function formatRate(bytesPerSecond: number): string {
  const units = ['B/s', 'kB/s', 'MB/s', 'GB/s'];
  let v = bytesPerSecond;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${u === 0 ? Math.round(v) : v.toFixed(1)} ${units[u]}`;
}
