/**
 * Issue 10, point 5, on the real kernel: a live update whose new dnsmasq
 * configuration would not run keeps the old dnsmasq serving. The runtime is
 * bound to a namespace this file creates and always deletes; a guest
 * namespace with a static address asks the network's dnsmasq for names.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNetworkXml } from '../../src/conf/network/parse.js';
import type { NetworkDef } from '../../src/conf/network/types.js';
import { applyUpdate } from '../../src/conf/network/update.js';
import { createLinuxRuntime, type LinuxApplied, type LinuxRuntime } from '../../src/driver/runtime/index.js';
import { canUseNetns, createNetns, deleteNetns } from './netns.js';
import { have, ipn, lookup, makeRoot, plugGuest } from './runtime-fixture.js';

const missing = ['dnsmasq', 'busybox', 'nft'].filter((t) => !have(t));
const ready = canUseNetns() && missing.length === 0;
if (canUseNetns() && missing.length > 0) console.warn(`runtime update e2e tests skipped: missing ${missing.join(', ')}`);

/** Whether `pid` is a live dnsmasq (not a zombie). */
function isDnsmasq(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.includes('(dnsmasq)') && !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false;
  }
}

/** The TXT strings busybox nslookup gets for `name` from `server`. */
function txt(ns: string, name: string, server: string): string[] {
  const r = spawnSync('ip', ['netns', 'exec', ns, 'busybox', 'nslookup', '-type=txt', name, server], { encoding: 'utf8', timeout: 10_000 });
  // busybox prints each record as NAME<TAB>text = "STRING", the string raw (newlines included).
  return [...r.stdout.matchAll(/\ttext = "([\s\S]*?)"\n(?=\n|[^\n]*\ttext = |$)/g)].map((m) => m[1]!);
}

describe.skipIf(!ready)('a live update dnsmasq cannot take (issue 10, point 5)', () => {
  let host = '';
  let guest = '';
  const root = makeRoot('rt-upd');
  let rt: LinuxRuntime;
  let def: NetworkDef;
  let applied: LinuxApplied;

  beforeAll(async () => {
    host = createNetns('rtup');
    rt = await createLinuxRuntime({ netns: host, paths: root.paths });
    // A raw dnsmasq option that a later DHCP range collides with (dnsmasq takes dhcp-lease-max once).
    def = parseNetworkXml(`<network xmlns:dnsmasq='http://libvirt.org/schemas/network/dnsmasq/1.0'>
      <name>upd</name><bridge name='vntu0' stp='off'/>
      <dns><host ip='10.82.1.5'><hostname>probe</hostname></host></dns>
      <ip address='10.82.1.1' prefix='24'><dhcp><host mac='52:54:00:82:01:09' ip='10.82.1.9'/></dhcp></ip>
      <dnsmasq:options><dnsmasq:option value='dhcp-lease-max=100'/></dnsmasq:options></network>`);
    applied = (await rt.start(def, { otherActive: [] })) as LinuxApplied;
    guest = plugGuest(host, 'rtug', 'vntu0', 'vrtug');
    ipn(guest, 'addr', 'add', '10.82.1.50/24', 'dev', 'eth0');
  }, 30_000);

  afterAll(async () => {
    if (applied) await rt.stop(def, applied).catch(() => {});
    await rt?.cleanup(def).catch(() => {});
    rt?.close();
    for (const ns of [host, guest]) if (ns) deleteNetns(ns);
    const list = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
    for (const ns of [host, guest]) if (ns) expect(list).not.toContain(ns);
    root.remove();
  });

  it('a new conf dnsmasq refuses: the update fails with its message; the running dnsmasq keeps its pid and answers', async () => {
    const pid = applied.dnsmasq!.pid;
    expect(lookup(guest, 'probe', '10.82.1.1')).toEqual(['10.82.1.5']);
    const after = applyUpdate(def, 'add-last', 'ip-dhcp-range', -1, "<range start='10.82.1.100' end='10.82.1.110'/>");

    const err = await rt.updateLive(def, after, 'ip-dhcp-range', applied).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(isDnsmasq(pid)).toBe(true);
    expect(lookup(guest, 'probe', '10.82.1.1')).toEqual(['10.82.1.5']);
    expect(err?.message).toMatch(
      /^unsupported configuration: dnsmasq refuses the new configuration of network 'upd': dnsmasq: illegal repeated keyword at line \d+ of the new configuration$/,
    );
  });

  it('a TXT value with a double quote is taken: the new dnsmasq serves it exactly', async () => {
    const after = applyUpdate(def, 'add-last', 'dns-txt', -1, `<txt name='quoted' value='say "hi" #1'/>`);
    const next = (await rt.updateLive(def, after, 'dns-txt', applied)) as LinuxApplied;
    def = after;
    applied = next;
    expect(isDnsmasq(next.dnsmasq!.pid)).toBe(true);
    expect(txt(guest, 'quoted', '10.82.1.1')).toEqual(['say "hi" #1']);
  });

  it("TXT values that need dnsmasq's quoting are served as they were given (issue 10, point 1)", async () => {
    const value = '  tab\there "q" #not-a-comment \\back\nport=0  ';
    const escaped = value.replace(/&/g, '&amp;').replace(/'/g, '&apos;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;');
    const after = applyUpdate(def, 'add-last', 'dns-txt', -1, `<txt name='hostile' value='${escaped}'/>`);
    const next = (await rt.updateLive(def, after, 'dns-txt', applied)) as LinuxApplied;
    def = after;
    applied = next;
    expect(txt(guest, 'hostile', '10.82.1.1')).toEqual([value]);
  });

  it('a TXT record too long for dnsmasq never reaches it: the running dnsmasq stays', async () => {
    const pid = applied.dnsmasq!.pid;
    expect(() => applyUpdate(def, 'add-last', 'dns-txt', -1, `<txt name='big' value='${'x'.repeat(3 * 1024 * 1024)}'/>`)).toThrow(
      /^unsupported configuration: DNS TXT record 'big' in network upd is too long/,
    );
    // Even handed to the runtime directly, the planner will not write it.
    const after = structuredClone(def);
    after.dns.txts.push({ name: 'big', value: 'x'.repeat(3 * 1024 * 1024) });
    await expect(rt.updateLive(def, after, 'dns-txt', applied)).rejects.toThrow(/would not read this as one line/);
    expect(isDnsmasq(pid)).toBe(true);
    expect(lookup(guest, 'probe', '10.82.1.1')).toEqual(['10.82.1.5']);
  });
});
