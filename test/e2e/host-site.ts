/**
 * A LinuxHost bound to a fresh test namespace for one describe block of the host's end-to-end tests
 * (host-*.test.ts): opened before the block's tests, optionally with a bridge up at an address; after
 * them, the dnsmasq processes the tests started are stopped and the namespace is deleted.
 */
import { afterAll, beforeAll } from 'vitest';
import { LinuxHost, type LinuxHostOptions } from '../../src/host/linux.js';
import { createNetns, deleteNetns } from './netns.js';

export interface HostSite {
  readonly ns: string;
  readonly host: LinuxHost;
  /** PIDs of the dnsmasq processes the tests started: stopped after them. */
  readonly dnsmasqs: number[];
}

export function hostSite(
  tag: string,
  options: { host?: Omit<LinuxHostOptions, 'netns'>; bridge?: { name: string; address: string } } = {},
): HostSite {
  const site: { ns: string; host: LinuxHost | undefined; dnsmasqs: number[] } = { ns: '', host: undefined, dnsmasqs: [] };
  beforeAll(async () => {
    site.ns = createNetns(tag);
    const host = await LinuxHost.open({ ...options.host, netns: site.ns });
    site.host = host;
    if (options.bridge !== undefined) {
      const { name, address } = options.bridge;
      await host.links.apply([
        { op: 'createBridge', name, stp: false, delay: 0 },
        { op: 'addAddress', dev: name, address, prefix: 24 },
        { op: 'setUp', name, up: true },
      ]);
    }
  });
  afterAll(async () => {
    for (const pid of site.dnsmasqs) await site.host?.processes.stop(pid, 'dnsmasq').catch(() => {});
    if (site.ns) deleteNetns(site.ns);
  });
  return {
    get ns() {
      return site.ns;
    },
    get host() {
      if (site.host === undefined) throw new Error('the host is opened before the tests');
      return site.host;
    },
    dnsmasqs: site.dnsmasqs,
  };
}
