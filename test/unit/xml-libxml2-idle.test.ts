/**
 * libxml2 is held only while calls need it (src/xml/libxml2.ts): made on
 * first use, let go once idle, made again by the next call; what was
 * compiled with one instance (the network schema) is compiled again with
 * the next.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { libxml2State, releaseLibxml2 } from '../../src/xml/libxml2.js';
import { readXml } from '../../src/xml/reader.js';
import { parseNetworkXml } from '../../src/conf/network/parse.js';
import { validateNetworkXml } from '../../src/conf/network/schema.js';

const net = (inner = '') => `<network><name>idle</name>${inner}<metadata><app:x xmlns:app="urn:app">1</app:x></metadata></network>`;

afterEach(() => {
  vi.useRealTimers();
});

describe('libxml2 only while a call needs it', () => {
  it('is made by the first parse, let go after 10 s without a call, and made again by the next parse', () => {
    vi.useFakeTimers();
    releaseLibxml2();
    expect(libxml2State().loaded).toBe(false);
    const before = libxml2State().generation;
    expect(readXml('<a b="1"><c/></a>', { label: '(t)' }).children).toHaveLength(1);
    expect(libxml2State()).toEqual({ loaded: true, generation: before + 1 });
    // Calls keep it: 9 s after the last call it is still there.
    vi.advanceTimersByTime(6_000);
    parseNetworkXml(net());
    vi.advanceTimersByTime(9_000);
    expect(libxml2State().loaded).toBe(true);
    vi.advanceTimersByTime(1_500);
    expect(libxml2State()).toEqual({ loaded: false, generation: before + 1 });
    // Parsing works after the release, <metadata> (libxml2's own dump) and errors included.
    expect(parseNetworkXml(net()).metadata?.elements).toEqual(['<app:x xmlns:app="urn:app">1</app:x>']);
    expect(() => readXml('<a>', { label: '(t)' })).toThrow(/^\(t\):1: /);
    expect(libxml2State()).toEqual({ loaded: true, generation: before + 2 });
  });

  it('compiles the network schema again for a new libxml2, and validates with it', () => {
    validateNetworkXml(net());
    releaseLibxml2();
    expect(() => validateNetworkXml(net("<mac address='zz'/>"))).toThrow(/failed to validate against schema/);
    expect(() => validateNetworkXml(net())).not.toThrow();
  });
});
