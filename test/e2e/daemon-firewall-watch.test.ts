/**
 * Isolation never silently disappears (issue 10, point 4), through the real
 * virtnetd process in a namespace this file creates and always deletes:
 * after `nft flush ruleset`, or with an `accept` slipped into its chains,
 * the daemon puts its table back by itself, logs a warning and sends
 * `health` events; while the table cannot be repaired (someone holds a
 * plain chain where a hook chain of ours belongs) the network shows as
 * degraded in the API and in `virtnet net-info`, and is repaired once the
 * obstacle is gone, without a restart.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connect } from '../../src/client/index.js';
import type { DriverEvent } from '../../src/contract/network-api.js';
import { natXml } from '../support/network-testkit.js';
import { pollUntil } from '../support/poll.js';
import { virtnet } from './cli-harness.js';
import { daemonSite, startServing } from './daemon-process.js';
import { canUseNetns, inNetns } from './netns.js';

const ready = canUseNetns() && spawnSync('nft', ['--version']).status === 0;

const NAT = natXml('fww', '192.168.177', { bridge: 'vbr-fww', dhcp: false });

/** Our table's listing without counters (-s: they move with any packet, an IGMP report of the bridge's), or '' when there is none. */
function table(ns: string): string {
  const r = spawnSync('ip', ['netns', 'exec', ns, 'nft', '-s', 'list', 'table', 'inet', 'virtnet'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout : '';
}

/** The network's own rules and the hook that leads to them are all in place. */
const hooked = (listing: string): boolean =>
  /chain forward \{\s*type filter hook forward/.test(listing) &&
  listing.includes('"vbr-fww" : jump in_vbr-fww') &&
  listing.includes('chain nat_vbr-fww');

describe.skipIf(!ready)('virtnetd keeps its firewall table', () => {
  const site = daemonSite('fww', { open: true });

  it('repairs a flushed ruleset and an accept slipped into its chains by itself; a table it cannot repair shows as degraded in the API and net-info until it can', async () => {
    const d = await startServing(['--root', join(site.dir, 'r'), '--netns', site.ns, '--no-libvirt-socket']);
    const c = await connect({ uri: `unix://${d.socket}` });
    const events: DriverEvent[] = [];
    c.subscribe((e) => events.push(e));
    await c.eventsReady();
    const health = (): string[] => events.flatMap((e) => (e.kind === 'health' ? [`${e.network.name} ${e.state}`] : []));
    try {
      await c.define(NAT);
      await c.start('fww');
      expect(hooked(table(site.ns))).toBe(true);

      // What reloading nftables.service does: the daemon notices, puts the rules back, says so.
      inNetns(site.ns, 'nft', ['flush', 'ruleset']);
      await pollUntil(() => health().length >= 2, { ms: 10_000, everyMs: 20, what: 'the health events after a flush' });
      expect(health()).toEqual(['fww degraded', 'fww repaired']);
      expect(hooked(table(site.ns))).toBe(true);
      expect((await c.lookupByName('fww')).degraded).toBeUndefined();
      expect(d.stderr()).toMatch(/network 'fww': its firewall rules were changed outside virtnetd/);

      // A rule slipped into our chains (an `accept` ahead of the network's and the base's own) goes again.
      const clean = table(site.ns);
      // Both in one nft transaction: as two commands, the daemon could repair the first before the
      // second came, and say degraded/repaired twice (seen once on a loaded machine).
      inNetns(site.ns, 'nft', ['-f', '-'], 'insert rule inet virtnet in_vbr-fww accept\ninsert rule inet virtnet forward accept\n');
      await pollUntil(() => table(site.ns) === clean, { ms: 10_000, everyMs: 20, what: 'the inserted rules to be gone' });
      await pollUntil(() => health().length >= 4, { ms: 10_000, everyMs: 20, what: 'the health events after the insert' });
      expect(health().slice(2)).toEqual(['fww degraded', 'fww repaired']);

      // Someone else's table in the way: a plain chain named as our forward hook chain, so a repair fails.
      inNetns(site.ns, 'nft', ['-f', '-'], 'flush ruleset\nadd table inet virtnet\nadd chain inet virtnet forward\n');
      await pollUntil(async () => (await c.lookupByName('fww')).degraded !== undefined, { ms: 10_000, everyMs: 50, what: 'fww to show as degraded' });
      const why = (await c.lookupByName('fww')).degraded ?? '';
      expect(why).toMatch(/^firewall rules changed outside virtnetd: /);
      expect((await c.list()).find((n) => n.name === 'fww')?.degraded).toBe(why);
      const info = await virtnet(['-c', `unix://${d.socket}`, 'net-info', 'fww']);
      expect(info.rc).toBe(0);
      expect(info.stdout).toContain(`${'Degraded:'.padEnd(15)} ${why}\n`);
      await pollUntil(() => /cannot re-apply the firewall rules of 'fww'/.test(d.stderr()), {
        ms: 10_000,
        everyMs: 50,
        what: 'the failed repair in the log',
      });
      expect(hooked(table(site.ns))).toBe(false);

      // The obstacle goes: the daemon's retry (or the watch) repairs the network, and it is no longer degraded.
      inNetns(site.ns, 'nft', ['delete', 'table', 'inet', 'virtnet']);
      await pollUntil(async () => (await c.lookupByName('fww')).degraded === undefined, { ms: 40_000, everyMs: 100, what: 'fww to be repaired' });
      expect(hooked(table(site.ns))).toBe(true);
      expect(health().slice(4)).toEqual(['fww degraded', 'fww repaired']);
      const after = await virtnet(['-c', `unix://${d.socket}`, 'net-info', 'fww']);
      expect(after.stdout).not.toContain('Degraded:');

      await c.destroy('fww');
      await c.undefine('fww');
      // The table outlives the last network for a while (a restart finds it), holding nothing of it; a stop drops it.
      expect(table(site.ns)).not.toContain('fww');
      d.child.kill('SIGTERM');
      expect(await d.exited).toBe(0);
      expect(table(site.ns)).toBe('');
    } finally {
      await c.close();
    }
  }, 120_000);
});
