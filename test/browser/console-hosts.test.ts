/**
 * The console across OVN hosts (issue 16, point 5), in Chromium against a
 * real virtnetd on host h1 of a 3-host lab (src/lab): the wizard creates a
 * network across hosts (its "where" step); the Hosts page lists
 * every chassis with its tunnel endpoint, up, the OVN networks active on it
 * and the guests there, and says "Down" for one whose ovn-controller has
 * stopped; the topology draws the OVN network's guests by host, with the
 * Geneve tunnel between its hosts; and all of it in Spanish. Screenshots in
 * test-results/browser/.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestLab, type LabFixture } from '../e2e/lab-fixture.js';
import { api, canRunBrowserTests, login, startConsole, unlabelledControls, type ConsoleFixture } from './harness.js';

const guestXml = (name: string, mac: string): string =>
  `<domain type='netns'><name>${name}</name><devices><interface type='network'><mac address='${mac}'/><source network='span'/></interface></devices></domain>`;

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
  }, 90_000);

  afterAll(async () => {
    await f?.close();
    await lab?.stop();
  });

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await f?.shot(`failed-hosts-${ctx.task.name.slice(0, 30).replace(/\W+/g, '-')}`);
  });

  it('creates a network across hosts with the wizard; the Hosts page lists every host with its tunnel endpoint, up, its networks and guests, and one that stops answering as down', async () => {
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
    process.kill(controller!.pid, 'SIGKILL');
    await page.getByRole('button', { name: 'Check again' }).click();
    await row('h3').getByTestId('host-state').getByText('Down').waitFor({ timeout: 15_000 });
    expect(await row('h1').getByTestId('host-state').innerText()).toBe('Up');
    await f.shot('61-ovn-host-down');
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
    await f.shot('63-es-ovn-hosts');
    await page.getByRole('navigation', { name: 'Secciones' }).getByRole('link', { name: 'Topología', exact: true }).click();
    await page.getByTestId('topology-legend').getByText('Túnel Geneve').waitFor();
    await page.getByTestId('topology-legend').getByText('Anfitrión OVN').waitFor();
    await page.getByRole('button', { name: 'English' }).click();
  });
});
