/**
 * Benchmark of OVN networks across hosts (issue 16) — prints numbers, is
 * never a test. It starts a 3-host lab (src/lab: userspace datapath, each
 * host's virtnetd from dist/virtnetd.js), then, through host h1's virtnetd:
 *
 *   (a) the lab's own start-up, phase by phase;
 *   (b) starting (and destroying) a NAT network, OVN beside a Linux bridge
 *       on the same host, median of BENCH_CYCLES;
 *   (c) plugging a port: a netns guest with one vNIC started (and
 *       destroyed) on each network, median; for OVN also until the port is
 *       bound (up in the northbound database) and until its DHCP lease;
 *   (d) TCP throughput, iperf3 for BENCH_IPERF_S seconds: guests on two
 *       hosts over Geneve in OVS's userspace datapath, beside two guests on
 *       one host's Linux bridge;
 *   (e) a guest moving from h2 to h3 under a 50 ms ping from h1: lost
 *       pings, destroyed there then started here (with a DHCP lease), and
 *       started here first (address set at once) then destroyed there;
 *   (f) the gateway chassis failing: from its daemons stopped to the
 *       uplink answering through the next chassis.
 * The lab is removed at the end, whatever happened. Figures move with
 * whatever else runs on the machine; the userspace datapath itself takes
 * a core while TCP runs.
 *
 * Run (root; OVS, OVN and iperf3 installed):
 *   npm run build
 *   npx esbuild bench/ovn.ts --bundle --platform=node --format=esm --target=node20 \
 *     --external:libxml2-wasm --outfile=node_modules/.cache/virtnet-bench/ovn.mjs \
 *     "--banner:js=import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);"
 *   sudo node node_modules/.cache/virtnet-bench/ovn.mjs
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connect, type HttpVirtnetClient } from '../src/client/index.js';
import { startLab, stopLab, type Lab } from '../src/lab/lab.js';
import { OvsdbClient } from '../src/ovsdb/client.js';
import { select } from '../src/ovsdb/operations.js';
import { optionalOf } from '../src/ovsdb/values.js';

const CYCLES = Number(process.env.BENCH_CYCLES ?? 5);
const IPERF_S = Number(process.env.BENCH_IPERF_S ?? 5);
const NS = 'https://virtnet.dev/schemas/network/ovn/1';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const ms = (x: number): string => `${x.toFixed(1)} ms`;
const sleep = (t: number): Promise<void> => new Promise((r) => setTimeout(r, t));

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

const ovnXml = (lab: Lab): string => `<network xmlns:virtnet='${NS}'>
  <name>ovnb</name><forward mode='nat'/>
  <ip address='10.77.0.1' prefix='24'><dhcp><range start='10.77.0.100' end='10.77.0.199'/></dhcp></ip>
  <virtnet:ovn northbound='${lab.layout.central.northbound}'>
    <virtnet:uplink network='uplink' address='198.51.100.10' prefix='24' gateway='198.51.100.1'/>
    <virtnet:gateway chassis='h2' priority='20'/><virtnet:gateway chassis='h3' priority='10'/>
  </virtnet:ovn>
</network>`;
const bridgeXml = `<network><name>brb</name><forward mode='nat'/><ip address='10.88.0.1' prefix='24'><dhcp><range start='10.88.0.100' end='10.88.0.199'/></dhcp></ip></network>`;
const guestXml = (name: string, mac: string, net: string): string =>
  `<domain type='netns'><name>${name}</name><devices><interface type='network'><mac address='${mac}'/><source network='${net}'/></interface></devices></domain>`;

const UDHCPC_SCRIPT =
  '#!/bin/sh\ncase "$1" in bound|renew) ip addr flush dev "$interface"; ip addr add "$ip/$mask" dev "$interface"; [ -n "$router" ] && ip route replace default via "${router%% *}"; echo "LEASE $ip";; esac\n';

async function main(): Promise<void> {
  const virtnetd = resolve('dist/virtnetd.js');
  if (!existsSync(virtnetd)) throw new Error("dist/virtnetd.js is missing: run 'npm run build' first");
  const parent = mkdtempSync(join(tmpdir(), 'vnt-bench-ovn-'));
  const dir = join(parent, 'lab');
  const script = join(parent, 'udhcpc.sh');
  (await import('node:fs')).writeFileSync(script, UDHCPC_SCRIPT, { mode: 0o755 });
  const out: [string, string][] = [];
  const row = (what: string, value: string): void => {
    out.push([what, value]);
    console.log(`${what}: ${value}`);
  };
  let lab: Lab | undefined;
  const clients: HttpVirtnetClient[] = [];
  try {
    // (a)
    lab = await startLab({ dir, hosts: 3, virtnetd: [process.execPath, '--max-semi-space-size=1', virtnetd] });
    const t = lab.state.timings;
    row(
      'lab start, 3 hosts',
      `${t.total} s (namespaces ${t.namespaces}, OVS + central ${t.ovs}, chassis + tunnels ${t.chassis}, 3 virtnetd ${t.virtnetd})`,
    );
    const [h1, h2, h3] = await Promise.all(lab.layout.hosts.map((h) => connect({ uri: `unix://${h.socket}` })));
    clients.push(h1!, h2!, h3!);
    const lease = async (c: HttpVirtnetClient, g: string): Promise<string> =>
      /LEASE (\S+)/.exec(
        (await c.guestExec(g, ['busybox', 'udhcpc', '-f', '-q', '-n', '-t', '8', '-T', '1', '-i', 'eth0', '-s', script])).stdout,
      )?.[1] ?? '';

    // (b)
    for (const c of [h1!, h2!, h3!]) await c.define(ovnXml(lab));
    await h1!.define(bridgeXml);
    const startOvn: number[] = [];
    const startBridge: number[] = [];
    for (let i = 0; i < CYCLES; i++) {
      startOvn.push(await timed(() => h1!.start('ovnb')));
      await h1!.destroy('ovnb');
      startBridge.push(await timed(() => h1!.start('brb')));
      await h1!.destroy('brb');
    }
    row('net-start, OVN NAT network (northbound rows, wait for northd)', ms(median(startOvn)));
    row('net-start, Linux bridge NAT network (bridge, nft, dnsmasq)', ms(median(startBridge)));

    // (c)
    for (const c of [h1!, h2!, h3!]) await c.start('ovnb');
    await h1!.start('brb');
    await h1!.guestDefine(guestXml('p-ovn', '52:54:00:99:00:01', 'ovnb'));
    await h1!.guestDefine(guestXml('p-br', '52:54:00:99:00:02', 'brb'));
    const nb = await OvsdbClient.connect(lab.layout.central.northbound);
    const portUp = async (): Promise<boolean> => {
      const [r] = await nb.transact('OVN_Northbound', [
        select(
          'Logical_Switch_Port',
          [['name', '==', `vn${(await h1!.lookupByName('ovnb')).uuid.replace(/-/g, '').slice(0, 12)}-525400990001`]],
          ['up'],
        ),
      ]);
      return optionalOf(r.rows[0]?.up) === true;
    };
    const plugOvn: number[] = [];
    const bound: number[] = [];
    const leased: number[] = [];
    const plugBr: number[] = [];
    for (let i = 0; i < CYCLES; i++) {
      const t0 = performance.now();
      await h1!.guestStart('p-ovn');
      plugOvn.push(performance.now() - t0);
      while (!(await portUp())) await sleep(5);
      bound.push(performance.now() - t0);
      await lease(h1!, 'p-ovn');
      leased.push(performance.now() - t0);
      await h1!.guestDestroy('p-ovn');
      plugBr.push(await timed(() => h1!.guestStart('p-br')));
      await h1!.guestDestroy('p-br');
    }
    nb.close();
    row('guest start with one vNIC, OVN network (veth, OVS port, logical port)', ms(median(plugOvn)));
    row('  ... until OVN has bound the port / until its DHCP lease', `${ms(median(bound))} / ${ms(median(leased))}`);
    row('guest start with one vNIC, Linux bridge network', ms(median(plugBr)));

    // (d)
    await h1!.guestDefine(guestXml('t1', '52:54:00:99:00:11', 'ovnb'));
    await h2!.guestDefine(guestXml('t2', '52:54:00:99:00:12', 'ovnb'));
    await h1!.guestDefine(guestXml('b1', '52:54:00:99:00:21', 'brb'));
    await h1!.guestDefine(guestXml('b2', '52:54:00:99:00:22', 'brb'));
    for (const [c, g] of [
      [h1!, 't1'],
      [h2!, 't2'],
      [h1!, 'b1'],
      [h1!, 'b2'],
    ] as const)
      await c.guestStart(g);
    const t2ip = (await Promise.all([lease(h1!, 't1'), lease(h2!, 't2')]))[1];
    await lease(h1!, 'b1');
    const b2ip = await lease(h1!, 'b2');
    if (!t2ip || !b2ip) throw new Error(`no DHCP lease for the throughput guests (t2 '${t2ip}', b2 '${b2ip}')`);
    const iperf = async (cs: HttpVirtnetClient, server: string, cc: HttpVirtnetClient, client: string, ip: string): Promise<string> => {
      const srv = cs.guestExec(server, ['timeout', String(IPERF_S + 10), 'iperf3', '-s', '-1', '-B', ip]);
      await sleep(500);
      const r = await cc.guestExec(client, ['iperf3', '-c', ip, '-t', String(IPERF_S), '-f', 'm']);
      await srv;
      const sender = r.stdout.split('\n').find((l) => l.includes('sender')) ?? r.stderr.trim();
      const m = /([\d.]+) Mbits\/sec\s+(\d+)/.exec(sender);
      return m ? `${(Number(m[1]) / 1000).toFixed(2)} Gbit/s, ${m[2]} retransmits` : sender;
    };
    row(`TCP across hosts, OVN Geneve, userspace datapath (iperf3 ${IPERF_S} s)`, await iperf(h2!, 't2', h1!, 't1', t2ip));
    row(`TCP on one host's Linux bridge (iperf3 ${IPERF_S} s)`, await iperf(h1!, 'b2', h1!, 'b1', b2ip));
    for (const [c, g] of [
      [h1!, 'b1'],
      [h1!, 'b2'],
    ] as const)
      await c.guestDestroy(g);

    // (e)
    const mover = guestXml('mv', '52:54:00:99:00:31', 'ovnb');
    await h2!.guestDefine(mover);
    await h3!.guestDefine(mover);
    await h2!.guestStart('mv');
    const mvip = await lease(h2!, 'mv');
    const lostDuring = async (move: () => Promise<void>): Promise<string> => {
      const pinger = h1!.guestExec('t1', ['ping', '-i', '0.05', '-c', '80', '-W', '1', mvip]);
      await sleep(1000);
      const d = await timed(move);
      const r = await pinger;
      const m = /(\d+) packets transmitted, (\d+) received/.exec(r.stdout);
      return m ? `${Number(m[1]) - Number(m[2])} of ${m[1]} lost (move took ${ms(d)})` : r.stdout.trim();
    };
    row(
      'guest moving h2 -> h3, destroy there, start here, DHCP',
      await lostDuring(async () => {
        await h2!.guestDestroy('mv');
        await h3!.guestStart('mv');
        await lease(h3!, 'mv');
      }),
    );
    row(
      'guest moving h3 -> h2, start here first (address set at once), destroy there',
      await lostDuring(async () => {
        await h2!.guestStart('mv');
        await h2!.guestExec('mv', ['ip', 'addr', 'add', `${mvip}/24`, 'dev', 'eth0']);
        await h3!.guestDestroy('mv');
      }),
    );

    // (f)
    const gw = lab.state.daemons.filter(
      (d) => d.netns === lab!.layout.hosts[1]!.netns && (d.program === 'ovs-vswitchd' || d.program === 'ovn-controller'),
    );
    const t0 = performance.now();
    for (const d of gw) process.kill(d.pid, 'SIGTERM');
    for (;;) {
      const r = await h1!.guestExec('t1', ['ping', '-c', '1', '-W', '1', '198.51.100.1']);
      if (/1 received/.test(r.stdout)) break;
      if (performance.now() - t0 > 60_000) break;
    }
    row('gateway chassis stopped -> uplink reached through the next one', ms(performance.now() - t0));
  } finally {
    for (const c of clients) await c.close().catch(() => {});
    if (lab) await stopLab(dir);
    rmSync(parent, { recursive: true, force: true });
  }
  console.log('\n| measurement | figure |\n|---|---|');
  for (const [w, v] of out) console.log(`| ${w} | ${v} |`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
