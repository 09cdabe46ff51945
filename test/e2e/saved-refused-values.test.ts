/**
 * Issue 10, on the real daemon and kernel: configs an earlier virtnet saved
 * may hold values virtnet now refuses (a non-ASCII DNS host name, an empty
 * domain). virtnetd still starts; each such network is listed, a running one
 * adopted, with a warning in the log naming the network, the element and
 * the reason; a start says what to fix, net-edit (define) fixes it and
 * net-undefine removes it. Nothing is left running unmanaged.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connect } from '../../src/client/index.js';
import { virtnetPaths } from '../../src/driver/common/paths.js';
import { isolatedXml } from '../support/network-testkit.js';
import { daemonSite, startServing } from './daemon-process.js';
import { canUseNetns, inNetns, workloadPids } from './netns.js';

const root = canUseNetns();

const IDN = isolatedXml('idn', {
  uuid: '6e8f3c1a-0000-4000-8000-0000000000a1',
  bridge: 'virbr93',
  subnet: '10.93.1',
  extra: "  <dns>\n    <host ip='10.93.1.5'>\n      <hostname>café</hostname>\n    </host>\n  </dns>\n",
});

const bridges = (ns: string): string => inNetns(ns, 'ip', ['-o', 'link', 'show', 'type', 'bridge']);

describe.skipIf(!root)('configs an earlier virtnet saved with values now refused (real virtnetd)', () => {
  const site = daemonSite('saved', { open: true });

  const serve = async () => {
    const d = await startServing(['--root', site.dir, '--netns', site.ns, '--no-libvirt-socket', '--log-level', 'warn']);
    const c = await connect({ uri: `unix://${d.socket}` });
    site.clients.push(c);
    return { d, c };
  };

  it('are loaded and adopted with a warning, refuse to start with the reason, and are fixed by net-edit', async () => {
    const first = await serve();
    await first.c.define(isolatedXml('dom', { subnet: '10.93.2', extra: "  <domain name='ok.example'/>\n" }));
    await first.c.start('dom');
    expect(workloadPids(site.ns)).toHaveLength(1);
    first.d.child.kill('SIGTERM');
    await first.d.exited;

    // What an earlier virtnet saved: a config with a non-ASCII host name, and an empty domain in a running network.
    const paths = virtnetPaths(site.dir);
    writeFileSync(join(paths.networkConfigDir, 'idn.xml'), IDN);
    for (const file of [join(paths.networkConfigDir, 'dom.xml'), join(paths.networkStatusDir, 'dom.xml')]) {
      writeFileSync(file, readFileSync(file, 'utf8').replace("<domain name='ok.example'/>", "<domain name=''/>"));
    }

    const { d, c } = await serve();
    const warnings = d
      .stderr()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l['element'] !== undefined);
    expect(warnings).toEqual([
      expect.objectContaining({ level: 40, network: 'dom', element: 'domain@name', reason: "XML error: Invalid domain name '' in network 'dom'" }),
      expect.objectContaining({
        level: 40,
        network: 'idn',
        element: 'dns/host/hostname',
        reason: "Invalid hostname 'café' in network 'idn' DNS HOST record",
      }),
    ]);
    expect(await c.list()).toEqual([expect.objectContaining({ name: 'dom', active: true }), expect.objectContaining({ name: 'idn', active: false })]);
    // Adopted (its dnsmasq brought in line with the saved definition): one dnsmasq, none unmanaged.
    expect(workloadPids(site.ns)).toHaveLength(1);

    await expect(c.start('idn')).rejects.toThrow(
      "unsupported configuration: network 'idn' was saved with values virtnet no longer takes (<dns/host/hostname>: Invalid hostname 'café' in network 'idn' DNS HOST record); fix them with net-edit or remove the network with net-undefine",
    );
    await c.destroy('dom');
    expect(workloadPids(site.ns)).toEqual([]);
    expect(bridges(site.ns)).toBe('');
    await expect(c.start('dom')).rejects.toThrow(/network 'dom' was saved with values virtnet no longer takes \(<domain@name>/);

    // net-edit: the dumped XML, fixed, defined again; net-undefine.
    await c.define((await c.getXml('dom', { inactive: true })).replace("<domain name=''/>", "<domain name='fixed.example'/>"));
    await c.start('dom');
    await c.destroy('dom');
    await c.undefine('dom');
    await c.undefine('idn');
    expect(await c.list()).toEqual([]);
    expect(workloadPids(site.ns)).toEqual([]);
    expect(bridges(site.ns)).toBe('');
    // The table outlives the last network for a while; a stop drops it.
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
    expect(inNetns(site.ns, 'nft', ['list', 'tables'])).toBe('');
  });
});
