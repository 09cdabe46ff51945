/**
 * Issue 10 point 3: a kill at any moment leaves nothing behind. The real
 * virtnetd (--root in a temporary folder, --netns in a test namespace) is
 * sent SIGKILL D ms after a request for each operation that changes the
 * host: net-start, net-create, net-destroy, a live net-update that restarts
 * dnsmasq, a guest start, a live attach and a live detach. After each kill a
 * new daemon starts over the same root, and then:
 *   - no orphan: every bridge, process, nftables chain and map element,
 *     veth or tap in the namespace, and every guest namespace, belongs to a
 *     network or guest the daemon says runs (and each of those is there);
 *   - every network is startable.
 * The state then goes back to the same baseline for the next trial.
 *
 * `npm test` runs a bounded sweep (three delays per operation);
 * `VIRTNET_KILL_SWEEP=full` (npm run test:kill-sweep) runs every 2 ms from
 * 0 to 50 ms. Each run prints its figures: trials and orphans per operation.
 */
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type HttpVirtnetClient } from '../../src/client/index.js';
import { baseChainObjects } from '../../src/plan/firewall-layout.js';
import { natXml } from '../support/network-testkit.js';
import { guestXml, interfaceXml } from '../support/guest-testkit.js';
import { endAllDaemons, startServing, type DaemonProcess } from './daemon-process.js';
import { guestNamespaces } from './guest-fixture.js';
import { canUseNetns, createNetns, deleteNetns, inNetns, isLinkMonitor, isNftMonitor, netnsPids } from './netns.js';
import { pollUntil } from '../support/poll.js';

const root = canUseNetns();
const FULL = process.env['VIRTNET_KILL_SWEEP'] === 'full';
const DELAYS = FULL ? Array.from({ length: 26 }, (_, i) => i * 2) : [2, 12, 26];
/** VIRTNET_KILL_SWEEP_OPS=update,guest-start runs only those operations. */
const ONLY = process.env['VIRTNET_KILL_SWEEP_OPS']?.split(',');

type Op = 'start' | 'create' | 'destroy' | 'update' | 'guest-start' | 'guest-attach' | 'guest-detach';
const OPS: Op[] = ['start', 'create', 'destroy', 'update', 'guest-start', 'guest-attach', 'guest-detach'];

const SECOND_MAC = '52:54:00:5e:00:02';
/** The table's own chains, which no network owns. */
const BASE_CHAINS = baseChainObjects().map((c) => c.name);
const TXT = "<txt name='sweep' value='killed'/>";

/** The journal entries a killed daemon left: network status files with a state or renamed for a stop, guest records without a status or with pending vNICs. */
function journalEntries(root: string): string[] {
  const nets = join(root, 'run/virtnet/networks');
  const guests = join(root, 'run/virtnet/guests');
  const out: string[] = [];
  for (const f of readdirSync(nets).filter((x) => x.endsWith('.xml'))) {
    const state = /<virtnet:applied[^>]* state='(\w+)'/.exec(readFileSync(join(nets, f), 'utf8'))?.[1];
    if (state !== undefined) out.push(`${f}: ${state}`);
  }
  // A stop's entry is the status file renamed.
  for (const f of readdirSync(nets).filter((x) => x.endsWith('.stopping'))) out.push(`${f}: stopping`);
  const files = readdirSync(guests);
  for (const f of files.filter((x) => x.endsWith('.json'))) {
    if (!files.includes(f.replace(/\.json$/, '.xml'))) out.push(`${f}: no status`);
    else if (readFileSync(join(guests, f), 'utf8').includes('"pending"')) out.push(`${f}: pending`);
  }
  return out;
}

interface Link {
  ifname: string;
  linkinfo?: { info_kind?: string };
}

describe.skipIf(!root)('a kill at any moment leaves nothing behind (real virtnetd)', () => {
  let ns: string;
  let dir: string;
  let daemon: (DaemonProcess & { socket: string }) | undefined;
  let c: HttpVirtnetClient | undefined;
  /** Per operation: trials, trials with orphans, trials that left a journal entry (killed mid-change). */
  const figures = new Map<Op, { trials: number; orphans: number; recovered: number }>();
  const findings: string[] = [];

  const serve = async (): Promise<HttpVirtnetClient> => {
    daemon = await startServing(['--root', dir, '--netns', ns, '--no-libvirt-socket', '--log-level', 'warn']);
    c = await connect({ uri: `unix://${daemon.socket}` });
    return c;
  };

  beforeAll(async () => {
    ns = createNetns('kill');
    dir = mkdtempSync(join(tmpdir(), 'vnt-kill-'));
    chmodSync(dir, 0o755);
    const cl = await serve();
    await cl.define(natXml('persist', '10.90.1'));
    await cl.define(natXml('run', '10.90.2'));
    await cl.start('run');
    await cl.guestDefine(guestXml('gs', { nics: ['network:run'] }));
    await cl.guestDefine(guestXml('ga', { nics: ['network:run'] }));
    await cl.guestStart('ga');
  });
  afterAll(async () => {
    await c?.close().catch(() => {});
    await endAllDaemons();
    if (ns) for (const g of guestNamespaces(ns)) deleteNetns(g);
    if (ns) deleteNetns(ns);
    if (dir) rmSync(dir, { recursive: true, force: true });
    const lines = OPS.map((op) => {
      const f = figures.get(op) ?? { trials: 0, orphans: 0, recovered: 0 };
      return `${op.padEnd(13)} ${String(f.trials).padStart(3)} trials, ${f.orphans} with orphans, ${f.recovered} killed mid-change (a journal entry to recover)`;
    });
    process.stdout.write(`\nkill sweep (${FULL ? 'full: every 2 ms from 0 to 50 ms' : `bounded: ${DELAYS.join(', ')} ms`}):\n${lines.join('\n')}\n`);
  });

  /** The request of an operation, on the baseline state (after its setup). */
  const request = (cl: HttpVirtnetClient, op: Op): Promise<unknown> => {
    switch (op) {
      case 'start':
        return cl.start('persist');
      case 'create':
        return cl.create(natXml('tr', '10.90.3'));
      case 'destroy':
        return cl.destroy('persist');
      case 'update':
        return cl.update('run', { command: 'add-last', section: 'dns-txt', parentIndex: -1, xml: TXT, flags: { live: true } });
      case 'guest-start':
        return cl.guestStart('gs');
      case 'guest-attach':
        return cl.guestAttachDevice('ga', interfaceXml('network', 'run', { mac: SECOND_MAC }), { live: true });
      case 'guest-detach':
        return cl.guestDetachDevice('ga', interfaceXml('network', 'run', { mac: SECOND_MAC }), { live: true });
    }
  };

  /** What the operation needs before it (beyond the baseline). */
  const setup = async (cl: HttpVirtnetClient, op: Op): Promise<void> => {
    if (op === 'destroy') await cl.start('persist');
    if (op === 'guest-detach') await cl.guestAttachDevice('ga', interfaceXml('network', 'run', { mac: SECOND_MAC }), { live: true });
  };

  /** Back to the baseline: persist inactive, no tr, run active without the txt, gs shut off, ga running with one vNIC. */
  const reset = async (cl: HttpVirtnetClient): Promise<void> => {
    const nets = new Map((await cl.list()).map((n) => [n.name, n]));
    if (nets.get('persist')?.active) await cl.destroy('persist', { force: true });
    if (nets.get('tr')?.active) await cl.destroy('tr', { force: true });
    if (!nets.get('run')?.active) await cl.start('run');
    if ((await cl.getXml('run')).includes("name='sweep'")) {
      await cl.update('run', { command: 'delete', section: 'dns-txt', parentIndex: -1, xml: TXT, flags: { live: true } });
    }
    if ((await cl.guestLookupByName('gs')).active) await cl.guestDestroy('gs');
    if (!(await cl.guestLookupByName('ga')).active) await cl.guestStart('ga');
    if ((await cl.guestInterfaces('ga')).some((i) => i.mac === SECOND_MAC)) {
      await cl.guestDetachDevice('ga', interfaceXml('network', 'run', { mac: SECOND_MAC }), { live: true });
    }
  };

  /** Everything in the namespace that no running network or guest explains, and whatever they lack. */
  const orphans = async (cl: HttpVirtnetClient): Promise<string[]> => {
    const out: string[] = [];
    const active = (await cl.list()).filter((n) => n.active);
    const bridges = new Set(active.map((n) => n.bridge ?? ''));
    const links = JSON.parse(inNetns(ns, 'ip', ['-j', '-d', 'link', 'show'])) as Link[];
    const kind = (l: Link): string => l.linkinfo?.info_kind ?? '';
    for (const l of links.filter((x) => kind(x) === 'bridge')) if (!bridges.has(l.ifname)) out.push(`bridge ${l.ifname}`);
    for (const b of bridges) if (!links.some((l) => l.ifname === b)) out.push(`network bridge ${b} missing`);

    const running = (await cl.guestList()).filter((g) => g.active);
    const targets = new Set<string>();
    for (const g of running) for (const i of await cl.guestInterfaces(g.name)) if (i.target !== undefined) targets.add(i.target);
    for (const l of links.filter((x) => kind(x) === 'veth' || kind(x) === 'tun')) if (!targets.has(l.ifname)) out.push(`${kind(l)} ${l.ifname}`);
    const guestNs = new Set(running.map((g) => `${ns}-g-${g.name}`));
    for (const g of guestNamespaces(ns)) if (!guestNs.has(g)) out.push(`guest namespace ${g}`);
    for (const g of guestNs) if (!guestNamespaces(ns).includes(g)) out.push(`${g} missing`);

    // One dnsmasq per network; besides them only the running daemon's own monitors (its children), never a killed one's.
    const ownMonitor = (pid: number): boolean =>
      (isNftMonitor(pid) || isLinkMonitor(pid)) && new RegExp(`^PPid:\\t${daemon?.pid}$`, 'm').test(readFileSync(`/proc/${pid}/status`, 'utf8'));
    const unexplained = (): number[] => netnsPids(ns).filter((pid) => !ownMonitor(pid));
    // Right after a start the monitor is a moment on its way to exec 'nft monitor' (nsenter, then setpriv),
    // and not yet recognisable: wait that out; a process that stays unexplained is reported below.
    await pollUntil(() => unexplained().length === active.length, { ms: 3_000, everyMs: 20 }).catch(() => undefined);
    const pids = unexplained();
    if (pids.length !== active.length) out.push(`${pids.length} processes for ${active.length} networks (pids ${pids.join(' ')})`);

    const tables = inNetns(ns, 'nft', ['list', 'tables']);
    if (tables.includes('virtnet')) {
      const listing = JSON.parse(inNetns(ns, 'nft', ['-j', 'list', 'table', 'inet', 'virtnet'])) as {
        nftables: Record<string, { name?: string; elem?: unknown[] }>[];
      };
      for (const o of listing.nftables) {
        const name = o['chain']?.name;
        if (name !== undefined && !BASE_CHAINS.includes(name) && !bridges.has(name.replace(/^(in|out|nat)_/, ''))) out.push(`chain ${name}`);
        const holder = o['map'] ?? o['set'];
        for (const e of holder?.elem ?? []) {
          // A map element jumps to a network's chain; a set element (dhcp_csum) is a bridge.
          const text = JSON.stringify(e);
          const owners = typeof e === 'string' ? [e] : [...text.matchAll(/"target":"(?:in|out|nat)_([^"]+)"/g)].map((m) => m[1]!);
          for (const b of owners) if (!bridges.has(b)) out.push(`${holder?.name} element ${text}`);
        }
      }
    } else if (active.length > 0) out.push('no virtnet table');
    return out;
  };

  it.each(OPS.filter((op) => ONLY === undefined || ONLY.includes(op)).flatMap((op) => DELAYS.map((d) => [op, d] as const)))(
    '%s, SIGKILL %i ms into it',
    async (op, delay) => {
      const cl = c!;
      await setup(cl, op);
      const killed = daemon!;
      void request(cl, op).catch(() => {});
      await new Promise((r) => setTimeout(r, delay));
      killed.child.kill('SIGKILL');
      await killed.exited;
      await cl.close().catch(() => {});

      const journal = journalEntries(dir);
      const next = await serve();
      const found = await orphans(next);
      const f = figures.get(op) ?? { trials: 0, orphans: 0, recovered: 0 };
      f.trials++;
      if (journal.length > 0) f.recovered++;
      if (found.length > 0) {
        f.orphans++;
        findings.push(`${op} @${delay} ms: ${found.join('; ')}`);
      }
      figures.set(op, f);
      // Every network startable (and stoppable) after the restart.
      for (const n of await next.list()) {
        if (n.active) continue;
        await next.start(n.name);
        await next.destroy(n.name);
      }
      // What the new daemon reported at start-up, to explain a finding.
      const log = daemon!
        .stderr()
        .split('\n')
        .filter((l) => /"level":(40|50|60)/.test(l));
      await reset(next);
      expect({ found, log: found.length > 0 ? log : [] }).toEqual({ found: [], log: [] });
    },
  );
});
