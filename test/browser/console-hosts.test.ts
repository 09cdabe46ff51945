/**
 * The console across OVN hosts (issue 16, point 5), in Chromium against a
 * real virtnetd on host h1 of a 3-host lab (src/lab): the wizard creates a
 * network across hosts (its "where" step); the Hosts page lists
 * every chassis with its tunnel endpoint, up, the OVN networks active on it
 * and the guests there, and says "Down" for one whose ovn-controller has
 * stopped, at its next timed read (no reload); a read that fails is said on
 * the page above the table it keeps, until the next read succeeds; the topology draws the OVN network's guests by host, with the
 * Geneve tunnel between its hosts; and all of it in Spanish. The page's
 * clock is the test's (Playwright's clock): the timed read comes when the
 * test moves the clock on, not after the real interval. Screenshots in
 * test-results/browser/.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startTestLab, type LabFixture } from '../e2e/lab-fixture.js';
import { HOSTS_REFRESH_MS } from '../../web/src/model/hosts-refresh.js';
import { api, canRunBrowserTests, login, startConsole, unlabelledControls, type ConsoleFixture } from './harness.js';

const guestXml = (name: string, mac: string): string =>
  `<domain type='netns'><name>${name}</name><devices><interface type='network'><mac address='${mac}'/><source network='span'/></interface></devices></domain>`;

/** Move the page's clock on by the Hosts page's interval, so its timed read comes, until `seen` holds (a read may be under way: then again). */
async function untilTimedRead(page: Page, seen: () => Promise<boolean>): Promise<void> {
  await expect
    .poll(
      async () => {
        if (await seen()) return true;
        await page.clock.fastForward(HOSTS_REFRESH_MS);
        return false;
      },
      { timeout: 60_000, interval: 500 },
    )
    .toBe(true);
}

describe.skipIf(!canRunBrowserTests())('the console across OVN hosts', { timeout: 120_000 }, () => {
  let lab: LabFixture;
  let f: ConsoleFixture;

  const nav = (name: string): Promise<void> => f.page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name, exact: true }).click();

  beforeAll(async () => {
    lab = await startTestLab('web', 3);
    const h1 = lab.layout.hosts[0]!;
    // h1's console: a virtnetd of its own on h1's Open vSwitch, reaching the lab's southbound database from outside the host.
    f = await startConsole({
      host: { netns: h1.netns, args: ['--ovs-db', h1.ovsDb, '--ovn-southbound', lab.layout.central.southbound, '--no-default-network'] },
    });
    // Time flows as usual, and jumps when a test moves it on (page.clock.fastForward).
    await f.page.clock.install();
  }, 90_000);

  afterAll(async () => {
    await f?.close();
    await lab?.stop();
  });

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await f?.shot(`failed-hosts-${ctx.task.name.slice(0, 30).replace(/\W+/g, '-')}`);
  });

  it('creates a network across hosts with the wizard; the Hosts page lists every host with its tunnel endpoint, up, its networks and guests, and one that stops answering as down at its next timed read, without a reload', async () => {
    const { page } = f;
    const northbound = lab.layout.central.northbound;
    await login(f);
    // The wizard's "where" step: across hosts, in OVN.
    await page.getByRole('button', { name: 'Create network' }).first().click();
    const wizard = page.getByRole('dialog', { name: 'Create virtual network' });
    await wizard.getByLabel('Network name').fill('span');
    await wizard.getByRole('radio', { name: 'Across hosts (OVN)' }).check();
    await wizard.getByLabel('OVN northbound database').fill(northbound);
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard.getByRole('textbox', { name: 'Network', exact: true }).fill('10.79.0.0/24');
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard.getByRole('radio', { name: 'Isolated', exact: true }).check();
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard.locator('#wizard-xml').getByText(`<virtnet:ovn northbound='${northbound}'/>`).waitFor();
    await f.shot('59-wizard-across-hosts');
    await wizard.getByRole('button', { name: 'Create' }).click();
    await wizard.waitFor({ state: 'detached' });
    await page.getByTestId('network-row-span').getByTestId('state').getByText('Active').waitFor();

    // A guest here, and the same network (its XML, so its UUID too) with a guest on h2.
    await api(f, 'POST', '/api/guests', { xml: guestXml('near', '52:54:00:79:00:01') });
    await api(f, 'POST', '/api/guests/near/start');
    const { xml } = await api<{ xml: string }>(f, 'GET', '/api/networks/span/xml?inactive=true');
    const h2 = await lab.host(2);
    await h2.define(xml);
    await h2.start('span');
    await h2.guestDefine(guestXml('far', '52:54:00:79:00:02'));
    await h2.guestStart('far');

    await nav('Hosts');
    const row = (name: string) => page.getByTestId(`host-${name}`);
    await row('h3').getByTestId('host-state').getByText('Up').waitFor();
    const cells = async (name: string): Promise<string[]> => (await row(name).locator('td').allInnerTexts()).map((t) => t.trim());
    const [e1, e2, e3] = lab.layout.hosts.map((h) => `geneve ${h.encapIp}`);
    expect(await cells('h1')).toEqual([
      expect.stringMatching(/^h1\s+this host$/),
      expect.any(String),
      e1,
      'Up',
      'span',
      expect.stringMatching(/^near \(span(, 10\.79\.0\.\d+)?\)$/),
    ]);
    expect(await cells('h2')).toEqual(['h2', expect.any(String), e2, 'Up', 'span', expect.stringMatching(/^far \(span(, 10\.79\.0\.\d+)?\)$/)]);
    expect(await cells('h3')).toEqual(['h3', expect.any(String), e3, 'Up', '—', '—']);
    expect(await unlabelledControls(page)).toEqual([]);
    await f.shot('60-ovn-hosts');

    const h3 = lab.layout.hosts[2]!;
    const controller = lab.state.daemons.find((d) => d.netns === h3.netns && d.program === 'ovn-controller');
    const before = await page.getByTestId('hosts-updated').innerText();
    expect(before).toMatch(/^Read at .+; read again every 15 s while this page is shown\.$/);
    process.kill(controller!.pid, 'SIGKILL');
    // Nothing clicked, nothing reloaded: the page's own timed read finds h3 down.
    await untilTimedRead(page, async () => (await row('h3').getByTestId('host-state').innerText()) === 'Down');
    expect(await row('h1').getByTestId('host-state').innerText()).toBe('Up');
    expect(await page.getByTestId('hosts-updated').innerText()).not.toBe(before);
    await f.shot('61-ovn-host-down');
  });

  it('says on the page when a timed read fails, keeping the table as it was read, and clears it at the next read that succeeds', async () => {
    const { page } = f;
    const row = (name: string) => page.getByTestId(`host-${name}`);
    const table = await page.getByTestId('hosts').elementHandle();
    const failed = page.getByTestId('hosts-read-failed');
    const route = '**/api/console/ovn-hosts';
    await page.route(route, (r) =>
      r.fulfill({
        status: 500,
        contentType: 'application/json',
        body: JSON.stringify({
          class: 'INTERNAL_ERROR',
          detail: 'the southbound database went away',
          message: 'internal error: the southbound database went away',
        }),
      }),
    );
    try {
      await untilTimedRead(page, () => failed.isVisible());
      expect(await failed.innerText()).toMatch(
        /The hosts could not be read again at .+: internal error: the southbound database went away\s+What is shown was read at .+; the page tries again every 15 s\./,
      );
      expect(await row('h3').getByTestId('host-state').innerText()).toBe('Down');
      await f.shot('61b-ovn-hosts-read-failed');
    } finally {
      await page.unroute(route);
    }
    await untilTimedRead(page, async () => (await failed.count()) === 0);
    expect(await row('h3').getByTestId('host-state').innerText()).toBe('Down');
    // The same table throughout: updated in place, never replaced (the reader keeps their place in it).
    expect(await table!.evaluate((e) => e.isConnected)).toBe(true);
  });

  it('draws the OVN network by host in the topology: each host with its guests, and the tunnel between them', async () => {
    const { page } = f;
    await nav('Topology');
    const topo = page.getByTestId('topology');
    await topo.getByTestId('topo-host:span:h2').waitFor();
    await topo.getByTestId('topo-host:span:h1').waitFor();
    expect(await topo.getByTestId('topo-remote:span:52:54:00:79:00:02').getAttribute('aria-label')).toMatch(/^Guest on another host far/);
    expect(await topo.getByTestId('topo-host:span:h3').count()).toBe(0);
    const links = await page.getByTestId('topology-links').getByRole('listitem').allInnerTexts();
    expect(links).toEqual(expect.arrayContaining(['span → h1', 'span → h2', 'h2 → far', 'h1 → h2 (geneve)']));
    // This host's guest is the guest itself (a link to it), named with its address or MAC.
    expect(links.filter((l) => /^h1 → near \(/.test(l))).toHaveLength(1);
    await page.getByTestId('topology-legend').getByText('Geneve tunnel').waitFor();
    await f.shot('62-ovn-topology-by-host');
    // This host's guest shut off has no port any more, yet it is on the network: its vNIC stays plugged into it.
    await api(f, 'POST', '/api/guests/near/destroy');
    await topo.getByTestId('topo-nic:near:52:54:00:79:00:01').waitFor();
    const after = await page.getByTestId('topology-links').getByRole('listitem').allInnerTexts();
    expect(after.filter((l) => /^h1 → near/.test(l))).toEqual([]);
    expect(after).toEqual(expect.arrayContaining([expect.stringMatching(/^span → 52:54:00:79:00:01/), 'h2 → far']));
    // A host opens the Hosts page.
    await topo.getByTestId('topo-host:span:h2').click();
    await page.getByRole('heading', { name: 'OVN hosts', level: 1 }).waitFor();
  });

  it('says it all in Spanish: the Hosts page, its states, and the topology legend', async () => {
    const { page } = f;
    await page.getByRole('button', { name: 'Español' }).click();
    await page.getByRole('heading', { name: 'Anfitriones OVN', level: 1 }).waitFor();
    const row = (name: string) => page.getByTestId(`host-${name}`);
    await row('h3').getByTestId('host-state').getByText('Caído').waitFor({ timeout: 15_000 });
    expect(await row('h1').getByTestId('host-state').innerText()).toBe('Activo');
    expect((await row('h1').locator('td').first().innerText()).trim()).toMatch(/^h1\s+este anfitrión$/);
    await page.getByRole('button', { name: 'Comprobar de nuevo' }).waitFor();
    expect(await page.getByTestId('hosts-updated').innerText()).toMatch(
      /^Última lectura: .+; se vuelve a leer cada 15 s mientras se muestra esta página\.$/,
    );
    await f.shot('63-es-ovn-hosts');
    await page.getByRole('navigation', { name: 'Secciones' }).getByRole('link', { name: 'Topología', exact: true }).click();
    await page.getByTestId('topology-legend').getByText('Túnel Geneve').waitFor();
    await page.getByTestId('topology-legend').getByText('Anfitrión OVN').waitFor();
    await page.getByRole('button', { name: 'English' }).click();
  });
});
