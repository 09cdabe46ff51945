/**
 * The web console's weight and speed, in Debian's Chromium against a real
 * virtnetd (the browser tests' fixture, test/browser/harness.ts):
 *
 * - the JavaScript a first visit loads (the login page) and what the
 *   networks page adds after login, on the wire (brotli, precompressed at
 *   build time) and uncompressed, from the browser's resource timings;
 * - the topology with 50 networks (5 running) and 100 guests (one vNIC
 *   each): the time from opening the page to the drawing with every node,
 *   the median of 5 visits, and the same for its layout alone in Node.js.
 *
 * Prints a table; run as root (network namespaces), see bench/README.md.
 */
import { performance } from 'node:perf_hooks';
import { buildTopology, layoutTopology } from '../web/src/model/topology.js';
import { api, login, startConsole } from '../test/browser/harness.js';

const kib = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

interface Weight {
  wire: number;
  raw: number;
  files: number;
}

async function main(): Promise<void> {
  const f = await startConsole();
  try {
    const { page } = f;
    const scripts = (): Promise<{ name: string; wire: number; raw: number }[]> =>
      page.evaluate(() =>
        performance
          .getEntriesByType('resource')
          .filter((e) => /\/assets\/.*\.js$/.test(e.name))
          .map((e) => {
            const r = e as PerformanceResourceTiming;
            return { name: r.name, wire: r.transferSize, raw: r.decodedBodySize };
          }),
      );
    const sum = (xs: { wire: number; raw: number }[]): Weight => ({
      wire: xs.reduce((a, x) => a + x.wire, 0),
      raw: xs.reduce((a, x) => a + x.raw, 0),
      files: xs.length,
    });

    await page.goto(f.url);
    await page.getByRole('heading', { name: 'Log in to virtnet' }).waitFor();
    const first = await scripts();
    await login(f);
    await page.getByRole('heading', { name: 'No networks yet' }).waitFor();
    const all = await scripts();
    const firstNames = new Set(first.map((s) => s.name));
    const initial = sum(first);
    const networksPage = sum(all.filter((s) => !firstNames.has(s.name)));

    // 50 networks, 100 guests.
    for (let i = 0; i < 50; i++) {
      const net = `10.${100 + Math.floor(i / 200)}.${i % 200}`;
      await api(f, 'POST', '/api/networks', {
        xml: `<network><name>n${String(i).padStart(2, '0')}</name><ip address='${net}.1' prefix='24'><dhcp><range start='${net}.100' end='${net}.200'/></dhcp></ip></network>`,
      });
    }
    for (let i = 0; i < 5; i++) await api(f, 'POST', `/api/networks/n0${i}/start`);
    for (let i = 0; i < 100; i++) {
      const mac = `52:54:00:03:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
      await api(f, 'POST', '/api/guests', {
        xml: `<domain type='netns'><name>vm${String(i).padStart(3, '0')}</name><devices><interface type='network'><mac address='${mac}'/><source network='n${String(i % 50).padStart(2, '0')}'/></interface></devices></domain>`,
      });
    }
    await page.goto(`${f.url}#/networks`);
    await page.getByTestId('network-row-n49').waitFor();
    const nodes = 50 + 100 + 100 + 1;
    const visits: number[] = [];
    for (let run = 0; run < 5; run++) {
      await page.evaluate(() => {
        window.location.hash = '#/networks';
      });
      await page.getByTestId('networks-table').waitFor();
      const t0 = await page.evaluate(() => performance.now());
      await page.evaluate(() => {
        window.location.hash = '#/topology';
      });
      await page.waitForFunction((n) => document.querySelectorAll('.vn-topo-node[data-testid]').length >= n, nodes - 1);
      const t1 = await page.evaluate(() => new Promise<number>((r) => requestAnimationFrame(() => r(performance.now()))));
      visits.push(t1 - t0);
    }
    const drawn = await page.evaluate(() => document.querySelectorAll('.vn-topo-node[data-testid]').length);

    // The layout alone, in Node.js, on the same shapes.
    const networks = Array.from({ length: 50 }, (_x, i) => ({
      info: { name: `n${i}`, active: i < 5, ...(i < 5 ? { bridge: `virbr${i}` } : {}) },
      model: { forward: { interfaces: [] }, bridge: {} },
    }));
    const guests = Array.from({ length: 100 }, (_x, i) => ({
      info: { name: `vm${i}`, uuid: '', type: 'netns' as const, active: false, persistent: true },
      interfaces: [{ type: 'network', source: `n${i % 50}`, mac: `52:54:00:03:00:${i.toString(16).padStart(2, '0')}` }],
      addresses: [],
    }));
    const layouts: number[] = [];
    for (let run = 0; run < 20; run++) {
      const t0 = performance.now();
      layoutTopology(buildTopology(networks, guests, undefined));
      layouts.push(performance.now() - t0);
    }

    const rows: [string, string][] = [
      [`first visit (login page): JavaScript on the wire (${initial.files} files)`, kib(initial.wire)],
      ['first visit: JavaScript uncompressed', kib(initial.raw)],
      [`after login (networks page): more JavaScript on the wire (${networksPage.files} files)`, kib(networksPage.wire)],
      ['after login: more JavaScript uncompressed', kib(networksPage.raw)],
      ['login + networks page: JavaScript on the wire, in all', kib(initial.wire + networksPage.wire)],
      [`topology, 50 networks + 100 guests (${drawn} nodes): open to drawn, median of 5`, `${median(visits).toFixed(0)} ms`],
      ['topology layout alone (Node.js), median of 20', `${median(layouts).toFixed(2)} ms`],
    ];
    process.stdout.write(`| measurement | value |\n|---|---:|\n${rows.map(([k, v]) => `| ${k} | ${v} |`).join('\n')}\n`);
  } finally {
    await f.close();
  }
}

await main();
