/**
 * Issue 10 point 3, deterministically, on the real runtime: the journal
 * record a live update writes before it touches the host can be adopted
 * whatever the update got done, and brings back the network as it was
 * (its rules and its dnsmasq's conf); a start's journal record removes
 * everything the start made, and leaves a bridge of that name it did not
 * make. Also: a live update that changes a network's rules keeps its
 * chains (replacing them in one transaction used to delete them).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLinuxRuntime, type AppliedNetwork, type LinuxRuntime } from '../../src/driver/runtime/index.js';
import { virtnetPaths, type VirtnetPaths } from '../../src/driver/common/paths.js';
import { parseNetworkXml } from '../../src/conf/network/parse.js';
import type { NetworkDef } from '../../src/conf/network/types.js';
import { isolatedXml } from '../support/network-testkit.js';
import { canUseNetns, createNetns, deleteNetns, inNetns, workloadPids } from './netns.js';

const root = canUseNetns();

function defOf(xml: string, bridge: string, mac: string): NetworkDef {
  const def = parseNetworkXml(xml);
  def.bridge.name = bridge;
  def.mac = mac;
  return def;
}

const ruleset = (ns: string): string => inNetns(ns, 'nft', ['list', 'ruleset']);

describe.skipIf(!root)('journal records on the real runtime', () => {
  let ns: string;
  let dir: string;
  let paths: VirtnetPaths;
  let rt: LinuxRuntime;

  beforeAll(async () => {
    ns = createNetns('jrn');
    dir = mkdtempSync(join(tmpdir(), 'vnt-jrn-'));
    paths = virtnetPaths(dir);
    // DHCP checksums by the nft rule, so adding DHCP changes the network's rules (its dhcp_csum element).
    rt = await createLinuxRuntime({ netns: ns, paths, dhcpChecksum: 'nft-zero', firewallLingerMs: 0 });
  });
  afterAll(() => {
    rt?.close();
    if (ns) deleteNetns(ns);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a live update journalled, done in full, then adopted from its journal: the network as it was', async () => {
    // No DHCP before, DHCP after: the update changes the rules (a dhcp_csum element) and restarts dnsmasq.
    const before = defOf(isolatedXml('upd', { subnet: '10.92.1' }), 'virbr61', '52:54:00:aa:00:61');
    const after = defOf(
      isolatedXml('upd', {
        extra:
          "  <ip address='10.92.1.1' netmask='255.255.255.0'>\n    <dhcp>\n      <range start='10.92.1.2' end='10.92.1.9'/>\n    </dhcp>\n  </ip>\n",
      }),
      'virbr61',
      '52:54:00:aa:00:61',
    );
    const applied = await rt.start(before, { otherActive: [] });
    const rulesBefore = ruleset(ns);
    const confBefore = readFileSync(join(paths.dnsmasqDir, 'upd.conf'), 'utf8');
    let journal: AppliedNetwork | undefined;
    const updated = await rt.updateLive(before, after, 'ip-dhcp-range', applied, { journal: (r) => (journal = r) });
    // The update replaced the rules in one transaction and kept the network's chains.
    expect(ruleset(ns)).not.toBe(rulesBefore);
    expect(ruleset(ns)).toMatch(/chain in_virbr61 \{[^}]*reject/);
    expect(ruleset(ns)).toMatch(/dhcp_csum \{[^}]*elements = \{ "virbr61" \}/);

    // The process "died" here: the status file holds `before` and the journal record.
    const adopted = await rt.adopt(before, journal!);
    expect(adopted).not.toBeNull();
    expect(ruleset(ns)).toBe(rulesBefore);
    expect(readFileSync(join(paths.dnsmasqDir, 'upd.conf'), 'utf8')).toBe(confBefore);
    const pid = (adopted as { dnsmasq?: { pid: number } }).dnsmasq!.pid;
    expect(pid).not.toBe((updated as { dnsmasq?: { pid: number } }).dnsmasq!.pid);
    expect(workloadPids(ns)).toEqual([pid]);
    await rt.stop(before, adopted!);
    expect(workloadPids(ns)).toEqual([]);
  });

  it("a start's journal record removes what the start made, and a bridge of that name it did not make stays", async () => {
    const def = defOf(isolatedXml('st', { subnet: '10.92.2' }), 'virbr62', '52:54:00:aa:00:62');
    let journal: AppliedNetwork | undefined;
    await rt.start(def, { otherActive: [], journal: (r) => (journal = r) });
    expect(journal).toMatchObject({ intent: { bridgeMac: '52:54:00:aa:00:62' }, linkUndo: [{ args: ['link', 'del', 'dev', 'virbr62'] }] });
    await rt.stop(def, journal!);
    expect(inNetns(ns, 'ip', ['-o', 'link', 'show', 'type', 'bridge'])).not.toMatch(/virbr62/);
    expect(workloadPids(ns)).toEqual([]);
    expect(inNetns(ns, 'nft', ['list', 'tables'])).toBe('');

    inNetns(ns, 'ip', ['link', 'add', 'virbr62', 'type', 'bridge']);
    await rt.stop(def, journal!);
    expect(inNetns(ns, 'ip', ['-o', 'link', 'show', 'type', 'bridge'])).toMatch(/virbr62/);
    inNetns(ns, 'ip', ['link', 'del', 'virbr62']);
  });
});
